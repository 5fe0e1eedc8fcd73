/* See web_api.h. Everything here is untrusted input from the network. */
#include "web_api.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clockcheck.h"
#include "clockset.h"
#include "textcheck.h"

static const struct web_endpoint endpoints[] = {
	{ "/api/login", WEB_R_LOGIN, 1, 0, 1 },
	{ "/api/logout", WEB_R_LOGOUT, 1, 0, 0 },
	{ "/api/session", WEB_R_SESSION, 0, 0, 0 },
	{ "/api/status", WEB_R_STATUS, 0, 1, 0 },
	{ "/api/add", WEB_R_ADD, 1, 1, 1 },
	{ "/api/undo", WEB_R_UNDO, 1, 1, 1 },
	{ "/api/goal", WEB_R_GOAL, 1, 1, 1 },
	{ "/api/new-event", WEB_R_NEW_EVENT, 1, 1, 1 },
	{ "/api/events", WEB_R_EVENTS, 0, 1, 0 },
	{ "/api/export.csv", WEB_R_EXPORT_CSV, 0, 1, 0 },
	{ "/api/export.json", WEB_R_EXPORT_JSON, 0, 1, 0 },
	{ "/api/card.png", WEB_R_CARD, 0, 1, 0 },
	{ "/api/cases", WEB_R_CASES, 0, 1, 0 },
	{ "/api/clock", WEB_R_CLOCK, 1, 1, 1 },
	{ "/api/reopen", WEB_R_REOPEN, 1, 1, 0 },
	{ "/api/export-venue.csv", WEB_R_EXPORT_VENUE, 0, 1, 0 },
	{ "/api/pin", WEB_R_PIN, 1, 1, 1 },
};

const struct web_endpoint *web_api_find(const char *path)
{
	for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++)
		if (strcmp(endpoints[i].path, path) == 0)
			return &endpoints[i];
	return NULL;
}

__attribute__((format(printf, 7, 8)))
static int bad(int http, const char *c, char *code, size_t codelen, char *msg, size_t msglen,
	       const char *fmt, ...);

static int bad(int http, const char *c, char *code, size_t codelen, char *msg, size_t msglen,
	       const char *fmt, ...)
{
	snprintf(code, codelen, "%s", c);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return http;
}

#define BAD(c, ...) bad(400, c, code, codelen, msg, msglen, __VA_ARGS__)

/* A whole number in [min, max] under key; 0 if missing and optional. */
static int get_count(json_t *obj, const char *key, long long min, long long max, int optional,
		     long long *out, char *code, size_t codelen, char *msg, size_t msglen)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (optional)
			return 0;
		return BAD("invalid", "\"%s\" is missing", key);
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return BAD("invalid", "\"%s\" must be a whole number from %lld to %lld", key, min,
			   max);
	*out = (long long)json_integer_value(v);
	return 0;
}

/* A text field: clean UTF-8, 1 to max-1 bytes, at least one visible character. */
static int get_text(json_t *obj, const char *key, int optional, char *out, size_t max,
		    char *code, size_t codelen, char *msg, size_t msglen)
{
	json_t *v = json_object_get(obj, key);
	out[0] = '\0';
	if (!v) {
		if (optional)
			return 0;
		return BAD("invalid", "\"%s\" is missing", key);
	}
	if (!json_is_string(v))
		return BAD("invalid", "\"%s\" must be text", key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n != strlen(s) || n >= max || !text_is_clean(s, max) || !text_has_visible(s))
		return BAD("invalid", "\"%s\" must be 1 to %zu bytes of text without control "
				      "characters", key, max - 1);
	memcpy(out, s, n + 1);
	return 0;
}

/* Refuses keys the call does not know: a typo must not be silently ignored. */
static int only_keys(json_t *obj, const char *const *known, char *code, size_t codelen,
		     char *msg, size_t msglen)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		int ok = 0;
		for (size_t i = 0; known[i]; i++)
			ok |= strcmp(known[i], k) == 0;
		if (!ok) {
			char shown[48];
			snprintf(shown, sizeof shown, "%s", k);
			text_make_printable(shown);
			return BAD("invalid", "unknown field \"%s\"", shown);
		}
	}
	return 0;
}

static int case_id_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < STORE_CASE_ID_MAX &&
	       s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")] ==
		       '\0';
}

static int parse_object(const struct web_endpoint *e, json_t *o, struct web_call *out,
			char *code, size_t codelen, char *msg, size_t msglen)
{
	struct control_request *req = &out->req;
	int rc;
	switch (e->route) {
	case WEB_R_PIN: /* {"pin": the current PIN}: asked again before it is replaced */
		req->op = CONTROL_WEB;
		req->n = CONTROL_WEB_NEW_PIN;
		/* fall through */
	case WEB_R_LOGIN: {
		static const char *const k[] = { "pin", NULL };
		if ((rc = only_keys(o, k, code, codelen, msg, msglen)))
			return rc;
		json_t *v = json_object_get(o, "pin");
		if (!v)
			return BAD("invalid", "\"pin\" is missing");
		if (!json_is_string(v))
			return BAD("invalid", "\"pin\" must be text");
		if (json_string_length(v) > WEB_PIN_MAX ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return BAD("invalid", "\"pin\" is at most %d characters", WEB_PIN_MAX);
		snprintf(out->pin, sizeof out->pin, "%s", json_string_value(v));
		return 0;
	}
	case WEB_R_ADD: {
		static const char *const k[] = { "n", "case", NULL };
		req->op = CONTROL_ADD;
		if ((rc = only_keys(o, k, code, codelen, msg, msglen)) ||
		    (rc = get_count(o, "n", 1, STORE_COUNT_MAX, 0, &req->n, code, codelen, msg,
				    msglen)) ||
		    (rc = get_text(o, "case", 1, req->case_id, sizeof req->case_id, code, codelen,
				   msg, msglen)))
			return rc;
		if (req->case_id[0] && !case_id_ok(req->case_id))
			return BAD("invalid", "\"case\" is not a case id");
		return 0;
	}
	case WEB_R_UNDO: {
		static const char *const k[] = { "max", NULL };
		req->op = CONTROL_UNDO;
		if ((rc = only_keys(o, k, code, codelen, msg, msglen)))
			return rc;
		return get_count(o, "max", 1, STORE_COUNT_MAX, 1, &req->n, code, codelen, msg,
				 msglen);
	}
	case WEB_R_GOAL: {
		static const char *const k[] = { "goal", NULL };
		req->op = CONTROL_GOAL;
		if ((rc = only_keys(o, k, code, codelen, msg, msglen)))
			return rc;
		return get_count(o, "goal", 0, STORE_COUNT_MAX, 0, &req->n, code, codelen, msg,
				 msglen);
	}
	case WEB_R_NEW_EVENT: {
		static const char *const k[] = { "name", NULL };
		req->op = CONTROL_NEW_EVENT;
		if ((rc = only_keys(o, k, code, codelen, msg, msglen)))
			return rc;
		return get_text(o, "name", 0, req->name, sizeof req->name, code, codelen, msg,
				msglen);
	}
	case WEB_R_CLOCK: {
		/* The phone's Date.now(): checked here and again by the loop before it is set. */
		static const char *const k[] = { "now_ms", NULL };
		req->op = CONTROL_SET_CLOCK;
		if ((rc = only_keys(o, k, code, codelen, msg, msglen)))
			return rc;
		json_t *v = json_object_get(o, "now_ms");
		if (!v)
			return BAD("invalid", "\"now_ms\" is missing");
		if (!json_is_integer(v))
			return BAD("invalid", "\"now_ms\" must be a whole number of milliseconds since "
					      "1970 (UTC), as JavaScript's Date.now() gives");
		req->at_ms = (long long)json_integer_value(v);
		char why[200];
		if (clockset_check(req->at_ms, clockcheck_build_ms(), why, sizeof why) != CLOCKSET_OK)
			return BAD("invalid", "%s", why);
		return 0;
	}
	default:
		return 0;
	}
}

/* An event id from the query: 1 to 15 digits, not 0. */
static int parse_event_id(const char *s, long long *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || s[strspn(s, "0123456789")] != '\0')
		return -1;
	*out = strtoll(s, NULL, 10);
	return *out > 0 ? 0 : -1;
}

int web_api_parse(const struct web_endpoint *e, const char *body, size_t len,
		  const char *card_size, const char *card_event, struct web_call *out,
		  char *code, size_t codelen, char *msg, size_t msglen)
{
	memset(out, 0, sizeof *out);
	out->route = e->route;
	if (len > WEB_BODY_MAX)
		return bad(413, "too_large", code, codelen, msg, msglen,
			   "the request body is larger than %d bytes", WEB_BODY_MAX);
	switch (e->route) {
	case WEB_R_STATUS: out->req.op = CONTROL_STATUS; break;
	case WEB_R_EVENTS: out->req.op = CONTROL_EVENTS; break;
	case WEB_R_EXPORT_CSV: out->req.op = CONTROL_EXPORT_CSV; break;
	case WEB_R_EXPORT_JSON: out->req.op = CONTROL_EXPORT_JSON; break;
	case WEB_R_UNDO: out->req.op = CONTROL_UNDO; break;
	case WEB_R_CARD:
		out->req.op = CONTROL_STATUS;
		if (card_size && strcmp(card_size, "wide") == 0)
			out->card_wide = 1;
		else if (card_size && strcmp(card_size, "square") != 0)
			return BAD("invalid", "size must be square or wide");
		if (card_event && parse_event_id(card_event, &out->card_event))
			return BAD("invalid", "event must be an event's id (a whole number from 1; "
					      "GET /api/events lists them)");
		break;
	case WEB_R_REOPEN: out->req.op = CONTROL_REOPEN; break;
	case WEB_R_EXPORT_VENUE: out->req.op = CONTROL_EXPORT_VENUE; break;
	default: break;
	}
	if (!e->body) {
		/* A call without a body may carry an empty one ("{}" from a generic client). */
		size_t i = 0, end = len;
		while (i < end && strchr(" \t\r\n", body[i]) && body[i])
			i++;
		while (end > i && strchr(" \t\r\n", body[end - 1]) && body[end - 1])
			end--;
		if (i == end)
			return 0;
		if (end - i >= 2 && body[i] == '{' && body[end - 1] == '}') {
			size_t k = i + 1;
			while (k < end - 1 && strchr(" \t\r\n", body[k]) && body[k])
				k++;
			if (k == end - 1)
				return 0;
		}
		return BAD("invalid", "this request takes no body");
	}
	/* undo may come without a body. */
	if (len == 0 && e->route == WEB_R_UNDO)
		return 0;
	json_error_t jerr;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		char why[80];
		snprintf(why, sizeof why, "%.79s", jerr.text);
		text_make_printable(why);
		return BAD("bad_json", "the body is not JSON: %s (line %d, column %d)", why,
			   jerr.line, jerr.column);
	}
	int rc;
	if (!json_is_object(o))
		rc = BAD("bad_json", "the body must be a JSON object");
	else
		rc = parse_object(e, o, out, code, codelen, msg, msglen);
	json_decref(o);
	return rc;
}

char *web_api_error_json(const char *code, const char *msg)
{
	json_t *o = json_pack("{s:s, s:s}", "error", code, "message", msg);
	if (!o) /* msg was not UTF-8 (a path in a storage error): say less rather than nothing */
		o = json_pack("{s:s, s:s}", "error", "storage", "message", "the kiosk failed");
	if (!o)
		return NULL;
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

int web_api_http_status(const char *store_code)
{
	if (strcmp(store_code, "empty") == 0 || strcmp(store_code, "confirm") == 0 ||
	    strcmp(store_code, "refused") == 0 || strcmp(store_code, "pin_in_config") == 0)
		return 409;
	if (strcmp(store_code, "no_venue") == 0 || strcmp(store_code, "no_event") == 0)
		return 404;
	if (strcmp(store_code, "invalid") == 0 || strcmp(store_code, "usage") == 0)
		return 400;
	if (strcmp(store_code, "not_permitted") == 0)
		return 403;
	return 503;
}

char *web_api_cases_json(const struct cases *cs)
{
	json_t *a = json_array();
	for (int i = 0; cs && a && i < cs->n; i++) {
		const struct case_entry *e = &cs->v[i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "id", e->id, "name",
				      cases_text(e, 0, CASES_NAME) ? cases_text(e, 0, CASES_NAME) : "",
				      "country",
				      cases_text(e, 0, CASES_COUNTRY) ? cases_text(e, 0, CASES_COUNTRY)
								      : "");
		if (o)
			json_array_append_new(a, o);
	}
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return s;
}
