/*
 * The staff page's API routes (see web_int.h): who is calling (session cookie or bearer
 * token), same-origin checks for state-changing calls, sign-in with its back-off, and each
 * route answered here or queued for the loop.
 */
#include "web_int.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "web_addr.h"
#include "web_api.h"
#include "web_auth.h"

/* ---- who is calling ----------------------------------------------------------------- */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Cross-site requests: a state-changing call must come from this page. Browsers send Origin
 * with every POST made by fetch(); it must name the host the request was sent to. Without
 * Origin, Referer must; without either, only a call that carries no cookie (a script) passes.
 */
static int same_origin(struct web *w, struct MHD_Connection *c, int cookie_auth)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *referer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Referer");
	if (!origin && !referer)
		return !cookie_auth;
	if (!host || strlen(host) > 255)
		return 0;
	char mine[300];
	snprintf(mine, sizeof mine, "%s://%s", w->tls ? "https" : "http", host);
	size_t n = strlen(mine);
	if (origin)
		return strcmp(origin, mine) == 0;
	return strncmp(referer, mine, n) == 0 && referer[n] == '/';
}

enum who { WHO_NOBODY, WHO_SESSION, WHO_TOKEN, WHO_BAD_TOKEN };

static enum who who_is(struct web *w, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth) {
		if (strncmp(auth, "Bearer ", 7) != 0)
			return WHO_BAD_TOKEN;
		return web_auth_bearer(w->auth, auth + 7) ? WHO_TOKEN : WHO_BAD_TOKEN;
	}
	const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	pthread_mutex_lock(&w->lock);
	int ok = tok && web_auth_session(w->auth, tok, mono_ms());
	pthread_mutex_unlock(&w->lock);
	return ok ? WHO_SESSION : WHO_NOBODY;
}

/* A PIN refused (wrong, or tried while this address or everyone must wait): 401 or 429. */
static enum MHD_Result refuse_pin(struct MHD_Connection *c, enum web_login r, const char *addr,
				  long long retry, int fails, const char *what)
{
	char extra[64], msg[128];
	switch (r) {
	case WEB_LOGIN_WAIT:
		snprintf(extra, sizeof extra, "%lld", retry);
		log_msg(LOG_PRIO_WARNING, "web: %s from %s refused: waiting %lld s after %d "
					  "wrong PINs", what, addr, retry, fails);
		snprintf(msg, sizeof msg, "too many wrong PINs: try again in %lld s", retry);
		return web_http_send_json(c, 429, web_api_error_json("wait", msg),
					  MHD_HTTP_HEADER_RETRY_AFTER, extra);
	case WEB_LOGIN_WRONG: {
		log_msg(LOG_PRIO_WARNING, "web: wrong PIN from %s (%d in a row) for %s%s", addr,
			fails, what, retry ? "; it must now wait" : "");
		if (retry) {
			snprintf(extra, sizeof extra, "%lld", retry);
			snprintf(msg, sizeof msg, "wrong PIN: try again in %lld s", retry);
			return web_http_send_json(c, 401, web_api_error_json("wrong_pin", msg),
						  MHD_HTTP_HEADER_RETRY_AFTER, extra);
		}
		return web_http_send_json(c, 401, web_api_error_json("wrong_pin", "wrong PIN"), NULL, NULL);
	}
	default:
		break;
	}
	return web_http_send_error(c, 503, "no_entropy", "no random numbers for a session");
}

static enum MHD_Result do_login(struct web *w, struct MHD_Connection *c, const char *pin)
{
	char addr[WEB_ADDR_MAX], token[WEB_SESSION_HEX + 1];
	long long retry;
	int fails;
	web_http_client_addr(c, addr, sizeof addr);
	pthread_mutex_lock(&w->lock);
	enum web_login r = web_auth_login(w->auth, addr, pin, mono_ms(), token, &retry, &fails);
	pthread_mutex_unlock(&w->lock);
	if (r != WEB_LOGIN_OK)
		return refuse_pin(c, r, addr, retry, fails, "sign-in");
	char cookie[160];
	snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		 token, WEB_SESSION_MS / 1000, w->tls ? "; Secure" : "");
	log_msg(LOG_PRIO_NOTICE, "web: staff signed in from %s", addr);
	return web_http_send_empty(c, 204, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

/* ---- the API's routes --------------------------------------------------------------- */

enum MHD_Result web_route_api(struct web *w, struct MHD_Connection *c, struct call *cl,
			      const char *url, const char *method)
{
	const struct web_endpoint *e = web_api_find(url);
	if (!e)
		return web_http_send_error(c, 404, "not_found", "no such API call");
	int is_get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (e->post ? strcmp(method, "POST") != 0 : !is_get)
		return web_http_send_error(c, 405, "method", e->post ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
	enum who who = who_is(w, c);
	if (who == WHO_BAD_TOKEN)
		return web_http_send_error(c, 401, "bad_token", "the bearer token is wrong");
	if (e->needs_auth && who == WHO_NOBODY)
		return web_http_send_error(c, 401, "sign_in", "sign in with the staff PIN first");
	if (e->post && who != WHO_TOKEN) {
		const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
		if (!same_origin(w, c, cookie != NULL))
			return web_http_send_error(c, 403, "cross_origin",
						   "this request did not come from the kiosk's own page");
	}
	struct web_call wc;
	char code[32], msg[200];
	const char *size = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "size");
	const char *event = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "event");
	int http = web_api_parse(e, cl->body, cl->len, size, event, &wc, code, sizeof code, msg,
				 sizeof msg);
	if (http && e->route == WEB_R_CLOCK) { /* every try at the clock is in the log */
		char addr[WEB_ADDR_MAX];
		web_http_client_addr(c, addr, sizeof addr);
		log_msg(LOG_PRIO_WARNING, "clock: the staff page (%s) asked to set it: refused, %s",
			addr, msg);
	}
	if (http)
		return web_http_send_error(c, (unsigned)http, code, msg);
	cl->route = e->route;
	switch (e->route) {
	case WEB_R_LOGIN:
		return do_login(w, c, wc.pin);
	case WEB_R_LOGOUT: {
		const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
		pthread_mutex_lock(&w->lock);
		web_auth_logout(w->auth, tok);
		pthread_mutex_unlock(&w->lock);
		return web_http_send_empty(c, 204, MHD_HTTP_HEADER_SET_COOKIE,
					   COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	}
	case WEB_R_SESSION: {
		json_t *o = json_pack("{s:b}", "signed_in", who != WHO_NOBODY);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		return web_http_send_json(c, 200, s, "Cache-Control", "no-store");
	}
	case WEB_R_PIN: {
		/* A new PIN only for who knows the current one: a phone left signed in, or a
		 * session cookie someone copied, cannot lock staff out. Wrong tries count as
		 * wrong sign-ins (web_auth.h), so this is no way around the back-off. */
		char addr[WEB_ADDR_MAX];
		long long retry;
		int fails;
		web_http_client_addr(c, addr, sizeof addr);
		pthread_mutex_lock(&w->lock);
		enum web_login r = web_auth_check_pin(w->auth, addr, wc.pin, mono_ms(), &retry,
						      &fails);
		pthread_mutex_unlock(&w->lock);
		memset(wc.pin, 0, sizeof wc.pin);
		if (r != WEB_LOGIN_OK)
			return refuse_pin(c, r, addr, retry, fails, "new PIN");
		snprintf(wc.req.name, sizeof wc.req.name, "%s%s", who == WHO_TOKEN ? "token, " : "",
			 addr);
		return web_queue_call(w, c, cl, &wc);
	}
	case WEB_R_CASES:
		return web_http_send_data(c, 200, "application/json; charset=utf-8", w->cases_json,
					  strlen(w->cases_json), 0, "Cache-Control", "no-store");
	case WEB_R_CLOCK: { /* the log says who set the clock */
		char addr[WEB_ADDR_MAX];
		web_http_client_addr(c, addr, sizeof addr);
		snprintf(wc.req.name, sizeof wc.req.name, "%s%s", who == WHO_TOKEN ? "token, " : "",
			 addr);
		return web_queue_call(w, c, cl, &wc);
	}
	default:
		cl->card = e->route == WEB_R_CARD ? 1 + wc.card_wide : 0;
		return web_queue_call(w, c, cl, &wc);
	}
}
