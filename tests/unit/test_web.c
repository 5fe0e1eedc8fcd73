/*
 * Unit tests for the staff web page's pure parts: web_auth.c (PIN back-off clock per address
 * and for everyone, session expiry, a new PIN ending sessions, bearer tokens, constant-time
 * comparison) and web_api.c (routes, JSON bodies good and bad).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "clockcheck.h"
#include "clockset.h"
#include "web_addr.h"
#include "web_api.h"
#include "web_auth.h"

#define PIN "12345678"
#define T0 1000000LL

static enum web_login login(struct web_auth *a, const char *addr, const char *pin, long long t,
			    long long *wait)
{
	char tok[WEB_SESSION_HEX + 1];
	int fails;
	return web_auth_login(a, addr, pin, t, tok, wait, &fails);
}

static void test_backoff_per_address(void **state)
{
	(void)state;
	struct web_auth *a = web_auth_new(PIN, "");
	long long wait;
	for (int i = 1; i < WEB_FREE_TRIES; i++) {
		assert_int_equal(login(a, "10.0.0.9", "00000000", T0 + i, &wait), WEB_LOGIN_WRONG);
		assert_int_equal(wait, 0);
	}
	/* The 5th wrong PIN starts 30 s. */
	assert_int_equal(login(a, "10.0.0.9", "00000000", T0 + 10, &wait), WEB_LOGIN_WRONG);
	assert_int_equal(wait, 30);
	/* The right PIN is refused unchecked while waiting, and does not count. */
	assert_int_equal(login(a, "10.0.0.9", PIN, T0 + 20010, &wait), WEB_LOGIN_WAIT);
	assert_int_equal(wait, 10);
	/* Another address is not held up. */
	assert_int_equal(login(a, "10.0.0.7", PIN, T0 + 20010, &wait), WEB_LOGIN_OK);
	/* After the wait: a 6th wrong PIN doubles it. */
	assert_int_equal(login(a, "10.0.0.9", "00000000", T0 + 30010, &wait), WEB_LOGIN_WRONG);
	assert_int_equal(wait, 60);
	long long t = T0 + 30010 + 60000;
	/* Doubling stops at 15 minutes. */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(login(a, "10.0.0.9", "00000000", t, &wait), WEB_LOGIN_WRONG);
		assert_true(wait <= WEB_BACKOFF_MAX_MS / 1000);
		t += wait * 1000;
	}
	assert_int_equal(wait, WEB_BACKOFF_MAX_MS / 1000);
	/* The right PIN after the wait gets in and clears the address. */
	assert_int_equal(login(a, "10.0.0.9", PIN, t, &wait), WEB_LOGIN_OK);
	assert_int_equal(login(a, "10.0.0.9", "00000000", t + 1, &wait), WEB_LOGIN_WRONG);
	assert_int_equal(wait, 0);
	web_auth_free(a);
}

static void test_backoff_global(void **state)
{
	(void)state;
	struct web_auth *a = web_auth_new(PIN, "");
	long long wait;
	char addr[32];
	/* Many addresses, each within its free tries, together start the global wait. */
	for (int i = 0; i < WEB_GLOBAL_FREE_TRIES; i++) {
		snprintf(addr, sizeof addr, "10.1.%d.%d", i / 4, i % 4);
		login(a, addr, "99999999", T0 + i, &wait);
	}
	assert_int_equal(wait, 30);
	assert_int_equal(login(a, "192.168.7.7", PIN, T0 + 1000, &wait), WEB_LOGIN_WAIT);
	assert_true(wait > 0 && wait <= 30);
	assert_int_equal(login(a, "192.168.7.7", PIN, T0 + 40000, &wait), WEB_LOGIN_OK);
	web_auth_free(a);
}

static void test_many_addresses_bounded(void **state)
{
	(void)state;
	struct web_auth *a = web_auth_new(PIN, "");
	long long wait;
	char addr[32];
	/* More addresses than the table holds: the oldest are forgotten, nothing breaks. */
	for (int i = 0; i < 2000; i++) {
		snprintf(addr, sizeof addr, "fd00::%x", i);
		login(a, addr, "1", T0 + (long long)i * 3600 * 1000, &wait);
	}
	assert_int_equal(login(a, "fd00::1", PIN, T0 + 2001LL * 3600 * 1000, &wait), WEB_LOGIN_OK);
	web_auth_free(a);
}

static void test_sessions(void **state)
{
	(void)state;
	struct web_auth *a = web_auth_new(PIN, "");
	char tok[WEB_SESSION_HEX + 1], tok2[WEB_SESSION_HEX + 1];
	long long wait;
	int fails;
	assert_int_equal(web_auth_login(a, "1.2.3.4", PIN, T0, tok, &wait, &fails), WEB_LOGIN_OK);
	assert_int_equal(strlen(tok), WEB_SESSION_HEX);
	assert_int_equal(web_auth_login(a, "1.2.3.4", PIN, T0, tok2, &wait, &fails), WEB_LOGIN_OK);
	assert_string_not_equal(tok, tok2);
	assert_true(web_auth_session(a, tok, T0 + 1));
	assert_true(web_auth_session(a, tok, T0 + WEB_SESSION_MS - 1));
	/* 12 hours on, it is over. */
	assert_false(web_auth_session(a, tok, T0 + WEB_SESSION_MS));
	assert_false(web_auth_session(a, NULL, T0));
	assert_false(web_auth_session(a, "", T0));
	char wrong[WEB_SESSION_HEX + 1];
	memcpy(wrong, tok, sizeof wrong);
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	assert_false(web_auth_session(a, wrong, T0 + 1));
	/* Logout ends one session; a new PIN ends them all. */
	web_auth_logout(a, tok);
	assert_false(web_auth_session(a, tok, T0 + 2));
	assert_true(web_auth_session(a, tok2, T0 + 2));
	web_auth_set_pin(a, "87654321", NULL);
	assert_false(web_auth_session(a, tok2, T0 + 3));
	assert_int_equal(web_auth_sessions(a, T0 + 3), 0);
	assert_int_equal(web_auth_login(a, "1.2.3.4", PIN, T0 + 4, tok, &wait, &fails),
			 WEB_LOGIN_WRONG);
	/* More logins than slots: the table stays bounded, the newest session works. */
	for (int i = 0; i < WEB_SESSIONS_MAX * 3; i++)
		assert_int_equal(web_auth_login(a, "1.2.3.5", "87654321", T0 + 10 + i, tok, &wait,
						&fails), WEB_LOGIN_OK);
	assert_true(web_auth_session(a, tok, T0 + 1000));
	assert_int_equal(web_auth_sessions(a, T0 + 1000), WEB_SESSIONS_MAX);
	web_auth_free(a);
}

static void test_bearer_and_secrets(void **state)
{
	(void)state;
	struct web_auth *none = web_auth_new(PIN, "");
	assert_false(web_auth_bearer(none, ""));
	assert_false(web_auth_bearer(none, NULL));
	web_auth_free(none);
	struct web_auth *a = web_auth_new(PIN, "0123456789abcdefXYZ");
	assert_true(web_auth_bearer(a, "0123456789abcdefXYZ"));
	assert_false(web_auth_bearer(a, "0123456789abcdefXY"));
	assert_false(web_auth_bearer(a, "0123456789abcdefXYZ0"));
	web_auth_free(a);
	assert_true(web_secret_equal("abc", "abc"));
	assert_false(web_secret_equal("abc", "abd"));
	assert_false(web_secret_equal("abc", "ab"));
	assert_true(web_secret_equal("", ""));
	char big[400];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(web_secret_equal(big, big)); /* longer than any secret: never matches */
	assert_true(web_pin_valid("123456"));
	assert_false(web_pin_valid("12345"));
	assert_false(web_pin_valid("1234 678"));
	char pin[16], pin2[16];
	assert_int_equal(web_pin_generate(pin, sizeof pin), 0);
	assert_int_equal(strlen(pin), 8);
	assert_int_equal(strspn(pin, "0123456789"), 8);
	assert_true(web_pin_valid(pin));
	int same = 0;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(web_pin_generate(pin2, sizeof pin2), 0);
		same += strcmp(pin, pin2) == 0;
	}
	assert_true(same < 5);
	assert_int_equal(web_pin_generate(pin, 8), -1);
}

/* Parses body for path; returns the HTTP status (0 = good) and leaves the call in c. */
static int parse(const char *path, const char *body, struct web_call *c, char *code)
{
	const struct web_endpoint *e = web_api_find(path);
	assert_non_null(e);
	char msg[200];
	return web_api_parse(e, body, strlen(body), NULL, NULL, c, code, 32, msg, sizeof msg);
}

static void test_api_routes(void **state)
{
	(void)state;
	assert_null(web_api_find("/api/nothing"));
	assert_null(web_api_find("/api/add/"));
	assert_null(web_api_find("/api/../api/add"));
	const struct web_endpoint *e = web_api_find("/api/add");
	assert_true(e->post && e->needs_auth && e->body);
	e = web_api_find("/api/login");
	assert_true(e->post && !e->needs_auth);
	e = web_api_find("/api/status");
	assert_true(!e->post && e->needs_auth);
	assert_int_equal(web_api_http_status("empty"), 409);
	assert_int_equal(web_api_http_status("confirm"), 409);
	assert_int_equal(web_api_http_status("invalid"), 400);
	assert_int_equal(web_api_http_status("io"), 503);
	char *j = web_api_error_json("x", "a \"quoted\" \xff message");
	assert_non_null(j); /* not UTF-8: still an error body */
	free(j);
	j = web_api_error_json("wrong_pin", "wrong \"PIN\"");
	assert_string_equal(j, "{\"error\":\"wrong_pin\",\"message\":\"wrong \\\"PIN\\\"\"}");
	free(j);
}

static void test_api_good_bodies(void **state)
{
	(void)state;
	struct web_call c;
	char code[32];
	assert_int_equal(parse("/api/add", "{\"n\":5}", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_ADD);
	assert_int_equal(c.req.n, 5);
	assert_string_equal(c.req.case_id, "");
	assert_int_equal(parse("/api/add", " {\"case\":\"jani-silva\", \"n\":1000000000} ", &c,
			       code), 0);
	assert_string_equal(c.req.case_id, "jani-silva");
	assert_int_equal(parse("/api/undo", "", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_UNDO);
	assert_int_equal(c.req.n, 0);
	assert_int_equal(parse("/api/undo", "{\"max\":20}", &c, code), 0);
	assert_int_equal(c.req.n, 20);
	assert_int_equal(parse("/api/goal", "{\"goal\":0}", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_GOAL);
	assert_int_equal(parse("/api/new-event", "{\"name\":\"Caf\\u00e9 \\ud83c\\udf0d <b>\"}",
			       &c, code), 0);
	assert_string_equal(c.req.name, "Café \xf0\x9f\x8c\x8d <b>");
	assert_int_equal(parse("/api/login", "{\"pin\":\"12345678\"}", &c, code), 0);
	assert_string_equal(c.pin, "12345678");
	assert_int_equal(parse("/api/status", "", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_STATUS);
	assert_int_equal(parse("/api/status", " {} ", &c, code), 0);
	assert_int_equal(parse("/api/export.csv", "", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_EXPORT_CSV);
	const struct web_endpoint *e = web_api_find("/api/card.png");
	char msg[100];
	assert_int_equal(web_api_parse(e, "", 0, "wide", NULL, &c, code, 32, msg, 100), 0);
	assert_int_equal(c.card_wide, 1);
	assert_int_equal(web_api_parse(e, "", 0, "huge", NULL, &c, code, 32, msg, 100), 400);
}

static void test_api_bad_bodies(void **state)
{
	(void)state;
	struct web_call c;
	char code[32];
	static const char *const bad_add[] = {
		"", "{", "[]", "5", "null", "{\"n\":0}", "{\"n\":-1}", "{\"n\":1000000001}",
		"{\"n\":1.5}", "{\"n\":\"5\"}", "{\"n\":true}", "{}", "{\"n\":1,\"n\":2}",
		"{\"n\":1,\"extra\":1}", "{\"n\":1,\"case\":\"\"}", "{\"n\":1,\"case\":\"a/b\"}",
		"{\"n\":1,\"case\":5}", "{\"n\":1} x", "{\"n\":1}{}", "{\"n\":99999999999999999999}",
		"\xef\xbb\xbf{\"n\":1}", "{\"n\":1,\"case\":\"\xff\"}",
	};
	for (size_t i = 0; i < sizeof bad_add / sizeof bad_add[0]; i++) {
		int http = parse("/api/add", bad_add[i], &c, code);
		if (http != 400)
			fail_msg("add body \"%s\": got %d, expected 400", bad_add[i], http);
	}
	assert_int_equal(parse("/api/add", "{\"n\":", &c, code), 400);
	assert_string_equal(code, "bad_json");
	static const char *const bad_event[] = {
		"{\"name\":\"\"}", "{\"name\":\"   \"}", "{\"name\":\"a\\nb\"}", "{\"name\":\"a\\u0000b\"}",
		"{\"name\":\"\\u001b[31m\"}", "{\"name\":5}", "{}",
	};
	for (size_t i = 0; i < sizeof bad_event / sizeof bad_event[0]; i++)
		assert_int_equal(parse("/api/new-event", bad_event[i], &c, code), 400);
	char longname[400] = "{\"name\":\"";
	memset(longname + 9, 'x', 200);
	strcpy(longname + 209, "\"}");
	assert_int_equal(parse("/api/new-event", longname, &c, code), 400);
	assert_int_equal(parse("/api/goal", "{\"goal\":-1}", &c, code), 400);
	assert_int_equal(parse("/api/login", "{\"pin\":12345678}", &c, code), 400);
	assert_int_equal(parse("/api/login", "{\"pin\":\"a\\u0000b\"}", &c, code), 400);
	assert_int_equal(parse("/api/status", "{\"x\":1}", &c, code), 400);
	char big[WEB_BODY_MAX + 2];
	memset(big, ' ', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(parse("/api/add", big, &c, code), 413);
}

/* POST /api/clock: the phone's Date.now(), a whole number of ms within the build's bounds. */
static void test_api_clock(void **state)
{
	(void)state;
	struct web_call c;
	char code[32], msg[200], body[100];
	const struct web_endpoint *e = web_api_find("/api/clock");
	assert_non_null(e);
	assert_true(e->post && e->needs_auth && e->body);
	long long build = clockcheck_build_ms();
	snprintf(body, sizeof body, "{\"now_ms\":%lld}", build + 86400000LL);
	assert_int_equal(parse("/api/clock", body, &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_SET_CLOCK);
	assert_int_equal(c.req.at_ms, build + 86400000LL);
	snprintf(body, sizeof body, "{\"now_ms\":%lld}", build);
	assert_int_equal(parse("/api/clock", body, &c, code), 0);
	snprintf(body, sizeof body, " { \"now_ms\" : %lld } ", build + CLOCKSET_AHEAD_MAX_MS);
	assert_int_equal(parse("/api/clock", body, &c, code), 0);

	char bad[12][100];
	int n = 0;
	snprintf(bad[n++], 100, "{\"now_ms\":%lld}", build - 1);
	snprintf(bad[n++], 100, "{\"now_ms\":%lld}", build + CLOCKSET_AHEAD_MAX_MS + 1);
	snprintf(bad[n++], 100, "{\"now_ms\":%lld.0}", build + 1000);
	snprintf(bad[n++], 100, "{\"now_ms\":\"%lld\"}", build + 1000);
	snprintf(bad[n++], 100, "{\"now_ms\":%lld,\"tz\":\"UTC\"}", build + 1000);
	snprintf(bad[n++], 100, "{\"now_ms\":1,\"now_ms\":%lld}", build + 1000);
	snprintf(bad[n++], 100, "{\"now_ms\":-1}");
	snprintf(bad[n++], 100, "{\"now_ms\":null}");
	snprintf(bad[n++], 100, "{\"now_ms\":99999999999999999999}");
	snprintf(bad[n++], 100, "{}");
	snprintf(bad[n++], 100, "[%lld]", build + 1000);
	snprintf(bad[n++], 100, "%s", "");
	for (int i = 0; i < n; i++) {
		int http = parse("/api/clock", bad[i], &c, code);
		if (http != 400)
			fail_msg("clock body \"%s\": got %d, expected 400", bad[i], http);
	}
	snprintf(body, sizeof body, "{\"now_ms\":0}");
	assert_int_equal(web_api_parse(e, body, strlen(body), NULL, NULL, &c, code, sizeof code, msg,
				       sizeof msg), 400);
	assert_string_equal(code, "invalid");
	assert_non_null(strstr(msg, "1970-01-01 00:00:00 UTC is before this software was made"));
	snprintf(body, sizeof body, "{\"now_ms\":%lld}", build + 20 * CLOCKSET_AHEAD_MAX_MS);
	assert_int_equal(web_api_parse(e, body, strlen(body), NULL, NULL, &c, code, sizeof code, msg,
				       sizeof msg), 400);
	assert_non_null(strstr(msg, "more than 10 years after this software was made"));
	assert_int_equal(web_api_http_status("not_permitted"), 403);
}

/* A new PIN from a signed-in phone: the PIN is asked again under the sign-in back-off, and
 * every session ends but the one that asked. */
static void test_new_pin(void **state)
{
	(void)state;
	struct web_auth *a = web_auth_new(PIN, "");
	char tok[WEB_SESSION_HEX + 1], other[WEB_SESSION_HEX + 1];
	long long wait;
	int fails;
	assert_int_equal(web_auth_login(a, "1.2.3.4", PIN, T0, tok, &wait, &fails), WEB_LOGIN_OK);
	assert_int_equal(web_auth_login(a, "1.2.3.5", PIN, T0, other, &wait, &fails), WEB_LOGIN_OK);
	assert_int_equal(web_auth_check_pin(a, "1.2.3.4", PIN, T0 + 1, &wait, &fails), WEB_LOGIN_OK);
	assert_int_equal(web_auth_sessions(a, T0 + 1), 2); /* checking makes no session */
	/* Wrong current PINs count like wrong sign-ins: the 5th starts the wait, and then
	 * neither the check nor a sign-in from that address is tried, even with the right PIN. */
	for (int i = 1; i < WEB_FREE_TRIES; i++) {
		assert_int_equal(web_auth_check_pin(a, "1.2.3.4", "00000000", T0 + 2, &wait, &fails),
				 WEB_LOGIN_WRONG);
		assert_int_equal(wait, 0);
	}
	assert_int_equal(web_auth_check_pin(a, "1.2.3.4", "00000000", T0 + 3, &wait, &fails),
			 WEB_LOGIN_WRONG);
	assert_int_equal(fails, WEB_FREE_TRIES);
	assert_int_equal(wait, WEB_BACKOFF_FIRST_MS / 1000);
	assert_int_equal(web_auth_check_pin(a, "1.2.3.4", PIN, T0 + 4, &wait, &fails),
			 WEB_LOGIN_WAIT);
	assert_int_equal(web_auth_login(a, "1.2.3.4", PIN, T0 + 4, other, &wait, &fails),
			 WEB_LOGIN_WAIT);
	assert_int_equal(web_auth_check_pin(a, "1.2.3.4", PIN, T0 + 4 + WEB_BACKOFF_FIRST_MS,
					    &wait, &fails), WEB_LOGIN_OK);
	/* The asking session stays; the other ends; the old PIN is gone. */
	web_auth_set_pin(a, "87654321", tok);
	assert_true(web_auth_session(a, tok, T0 + 5));
	assert_int_equal(web_auth_sessions(a, T0 + 5), 1);
	assert_int_equal(web_auth_login(a, "1.2.3.6", PIN, T0 + 6, other, &wait, &fails),
			 WEB_LOGIN_WRONG);
	assert_int_equal(web_auth_login(a, "1.2.3.6", "87654321", T0 + 7, other, &wait, &fails),
			 WEB_LOGIN_OK);
	/* A keep that names no session, or is not a token at all, keeps nothing. */
	web_auth_set_pin(a, "11223344", "not-a-token");
	assert_int_equal(web_auth_sessions(a, T0 + 8), 0);
	web_auth_free(a);
}

static void test_api_reopen_venue_pin_card(void **state)
{
	(void)state;
	struct web_call c;
	char code[32], msg[200];
	const struct web_endpoint *e = web_api_find("/api/reopen");
	assert_true(e && e->post && e->needs_auth && !e->body);
	assert_int_equal(parse("/api/reopen", "", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_REOPEN);
	assert_int_equal(parse("/api/reopen", "{}", &c, code), 0);
	assert_int_equal(parse("/api/reopen", "{\"to\":1}", &c, code), 400);
	e = web_api_find("/api/export-venue.csv");
	assert_true(e && !e->post && e->needs_auth);
	assert_int_equal(parse("/api/export-venue.csv", "", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_EXPORT_VENUE);
	e = web_api_find("/api/pin");
	assert_true(e && e->post && e->needs_auth && e->body);
	assert_int_equal(parse("/api/pin", "{\"pin\":\"12345678\"}", &c, code), 0);
	assert_int_equal(c.req.op, CONTROL_WEB);
	assert_int_equal(c.req.n, CONTROL_WEB_NEW_PIN);
	assert_string_equal(c.pin, "12345678");
	static const char *const bad_pin[] = {
		"", "{}", "{\"pin\":12345678}", "{\"pin\":null}", "{\"pin\":\"1\",\"pin\":\"2\"}",
		"{\"pin\":\"12345678\",\"new\":\"1\"}", "[\"12345678\"]",
		"{\"pin\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
	};
	for (size_t i = 0; i < sizeof bad_pin / sizeof bad_pin[0]; i++)
		if (parse("/api/pin", bad_pin[i], &c, code) != 400)
			fail_msg("pin body \"%s\" was not refused", bad_pin[i]);
	assert_int_equal(web_api_http_status("refused"), 409);
	assert_int_equal(web_api_http_status("pin_in_config"), 409);
	assert_int_equal(web_api_http_status("no_venue"), 404);
	assert_int_equal(web_api_http_status("no_event"), 404);
	/* A past event's card. */
	e = web_api_find("/api/card.png");
	assert_int_equal(web_api_parse(e, "", 0, "wide", "12", &c, code, 32, msg, sizeof msg), 0);
	assert_int_equal(c.card_wide, 1);
	assert_int_equal(c.card_event, 12);
	assert_int_equal(web_api_parse(e, "", 0, NULL, NULL, &c, code, 32, msg, sizeof msg), 0);
	assert_int_equal(c.card_event, 0);
	static const char *const bad_event[] = { "", "0", "-1", "1.5", "1e3", " 1", "0x10", "abc",
						 "9999999999999999" };
	for (size_t i = 0; i < sizeof bad_event / sizeof bad_event[0]; i++)
		if (web_api_parse(e, "", 0, NULL, bad_event[i], &c, code, 32, msg, sizeof msg) != 400)
			fail_msg("card event \"%s\" was not refused", bad_event[i]);
}

/* [web] listen, and a client's address for the back-off and the log. */
static void test_addresses(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	char host[64];
	int port;
	assert_int_equal(web_addr_parse("0.0.0.0:8080", &ss, host, sizeof host, &port), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 8080);
	assert_int_equal(web_addr_parse("[::]:0", &ss, host, sizeof host, &port), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_string_equal(host, "::");
	assert_int_equal(port, 0);
	assert_int_equal(web_addr_parse("[fd00::1]:443", &ss, host, sizeof host, &port), 0);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 443);
	static const char *const bad[] = { "", "8080", "0.0.0.0", "0.0.0.0:", "0.0.0.0:65536",
					    "0.0.0.0:-1", "0.0.0.0:80x", "kiosk.local:80", "[::1]80",
					    "[::1:80", "1.2.3:80" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (web_addr_parse(bad[i], &ss, host, sizeof host, &port) == 0)
			fail_msg("listen \"%s\" was taken", bad[i]);
	char text[WEB_ADDR_MAX];
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	inet_pton(AF_INET6, "::ffff:192.168.1.23", &v6.sin6_addr);
	web_addr_text((struct sockaddr *)&v6, text, sizeof text);
	assert_string_equal(text, "192.168.1.23"); /* one address, one back-off, either way */
	inet_pton(AF_INET6, "fd00::7", &v6.sin6_addr);
	web_addr_text((struct sockaddr *)&v6, text, sizeof text);
	assert_string_equal(text, "fd00::7");
	web_addr_text(NULL, text, sizeof text);
	assert_string_equal(text, "?");
	web_addr_lan(text, sizeof text);
	assert_true(strlen(text) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_per_address),
		cmocka_unit_test(test_backoff_global),
		cmocka_unit_test(test_many_addresses_bounded),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_bearer_and_secrets),
		cmocka_unit_test(test_api_routes),
		cmocka_unit_test(test_api_good_bodies),
		cmocka_unit_test(test_api_bad_bodies),
		cmocka_unit_test(test_api_clock),
		cmocka_unit_test(test_new_pin),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_api_reopen_venue_pin_card),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
