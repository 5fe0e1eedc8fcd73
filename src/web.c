/* See web.h. */
#include "web.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "web_addr.h"
#include "web_api.h"
#include "web_auth.h"
#include "web_files.h"

#define SLOTS WEB_CONN_MAX
#define COOKIE "tk_session"
#define URL_MAX 300

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_TAKEN, SLOT_DONE };

/* A call handed to the loop, from queueing until its connection is resumed. */
struct slot {
	enum slot_state state;
	unsigned gen;
	unsigned long long seq;      /* queue order */
	struct MHD_Connection *conn;
	struct web_job job;
	int ok;
	char code[32];
	char *body;
	size_t len;
	char keep[WEB_SESSION_HEX + 1]; /* a new PIN: the session that asked stays signed in */
};

/* One HTTP request (libmicrohttpd's per-request pointer). */
struct call {
	char body[WEB_BODY_MAX + 1];
	size_t len;
	int slot;                    /* -1 until handed to the loop */
	enum web_route route;
	int card;
};

struct web {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	int efd;
	int tls;
	struct slot slots[SLOTS];
	unsigned long long next_seq;
	struct web_auth *auth;       /* the server thread's alone, but for web_set_pin */
	struct web_files files;
	char *cases_json;
	char *tls_cert, *tls_key;
	char url[URL_MAX];
	char listen[URL_MAX];
};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- responses ------------------------------------------------------------------------ */

static void common_headers(struct MHD_Response *r, const char *ctype)
{
	if (ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data: blob:; "
				"frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

/* Sends len bytes of data (taken over when owned; copied otherwise). */
static enum MHD_Result send_data(struct MHD_Connection *c, unsigned http, const char *ctype,
				 char *data, size_t len, int owned, const char *extra_name,
				 const char *extra_value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, data, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free(data);
		return MHD_NO;
	}
	common_headers(r, ctype);
	if (extra_name)
		MHD_add_response_header(r, extra_name, extra_value);
	enum MHD_Result res = MHD_queue_response(c, http, r);
	MHD_destroy_response(r);
	return res;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned http, char *json,
				 const char *extra_name, const char *extra_value)
{
	if (!json)
		return MHD_NO;
	return send_data(c, http, "application/json; charset=utf-8", json, strlen(json), 1,
			 extra_name, extra_value);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned http, const char *code,
				  const char *msg)
{
	const char *name = NULL, *value = NULL;
	if (http == 405) {
		name = MHD_HTTP_HEADER_ALLOW;
		value = msg;
		msg = "method not allowed here";
	}
	return send_json(c, http, web_api_error_json(code, msg), name, value);
}

static enum MHD_Result send_empty(struct MHD_Connection *c, unsigned http, const char *name,
				  const char *value)
{
	return send_data(c, http, NULL, (char *)"", 0, 0, name, value);
}

/* ---- the page's files --------------------------------------------------------------- */

static enum MHD_Result serve_file(struct web *w, struct MHD_Connection *c, const char *url)
{
	const struct web_file *f = web_files_find(&w->files, strcmp(url, "/") == 0 ? "index.html"
										   : url + 1);
	if (!f)
		return send_error(c, 404, "not_found", "no such page");
	return send_data(c, 200, f->ctype, f->data, f->len, 0, "Cache-Control", "no-cache");
}

/* ---- authentication ----------------------------------------------------------------- */

static void client_addr(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	web_addr_text(ci ? ci->client_addr : NULL, buf, len);
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
		return send_json(c, 429, web_api_error_json("wait", msg),
				 MHD_HTTP_HEADER_RETRY_AFTER, extra);
	case WEB_LOGIN_WRONG: {
		log_msg(LOG_PRIO_WARNING, "web: wrong PIN from %s (%d in a row) for %s%s", addr,
			fails, what, retry ? "; it must now wait" : "");
		if (retry) {
			snprintf(extra, sizeof extra, "%lld", retry);
			snprintf(msg, sizeof msg, "wrong PIN: try again in %lld s", retry);
			return send_json(c, 401, web_api_error_json("wrong_pin", msg),
					 MHD_HTTP_HEADER_RETRY_AFTER, extra);
		}
		return send_json(c, 401, web_api_error_json("wrong_pin", "wrong PIN"), NULL, NULL);
	}
	default:
		break;
	}
	return send_error(c, 503, "no_entropy", "no random numbers for a session");
}

static enum MHD_Result do_login(struct web *w, struct MHD_Connection *c, const char *pin)
{
	char addr[WEB_ADDR_MAX], token[WEB_SESSION_HEX + 1];
	long long retry;
	int fails;
	client_addr(c, addr, sizeof addr);
	pthread_mutex_lock(&w->lock);
	enum web_login r = web_auth_login(w->auth, addr, pin, mono_ms(), token, &retry, &fails);
	pthread_mutex_unlock(&w->lock);
	if (r != WEB_LOGIN_OK)
		return refuse_pin(c, r, addr, retry, fails, "sign-in");
	char cookie[160];
	snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		 token, WEB_SESSION_MS / 1000, w->tls ? "; Secure" : "");
	log_msg(LOG_PRIO_NOTICE, "web: staff signed in from %s", addr);
	return send_empty(c, 204, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

/* ---- calls for the loop ------------------------------------------------------------- */

static int slot_tag(const struct web *w, const struct slot *s)
{
	return WEB_TAG_FLAG | (int)((s->gen & 0xffffu) << 8) | (int)(s - w->slots);
}

/* Queues call for the loop and suspends its connection until web_reply. */
static enum MHD_Result queue_call(struct web *w, struct MHD_Connection *c, struct call *cl,
				  const struct web_call *wc)
{
	pthread_mutex_lock(&w->lock);
	struct slot *s = NULL;
	for (int i = 0; i < SLOTS && !s; i++)
		if (w->slots[i].state == SLOT_FREE)
			s = &w->slots[i];
	if (!s) {
		pthread_mutex_unlock(&w->lock);
		return send_error(c, 503, "busy", "too many requests at once");
	}
	s->state = SLOT_QUEUED;
	s->gen++;
	s->seq = w->next_seq++;
	s->conn = c;
	s->job = (struct web_job){ .tag = slot_tag(w, s), .req = wc->req, .card = cl->card,
				   .card_event = wc->card_event };
	s->keep[0] = '\0';
	if (wc->route == WEB_R_PIN) {
		const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
		if (tok && strlen(tok) == WEB_SESSION_HEX)
			memcpy(s->keep, tok, WEB_SESSION_HEX + 1);
	}
	cl->slot = (int)(s - w->slots);
	MHD_suspend_connection(c);
	pthread_mutex_unlock(&w->lock);
	uint64_t one = 1;
	ssize_t r = write(w->efd, &one, sizeof one);
	(void)r;
	return MHD_YES;
}

int web_take(struct web *w, struct web_job *job)
{
	uint64_t v;
	ssize_t r = read(w->efd, &v, sizeof v);
	(void)r;
	pthread_mutex_lock(&w->lock);
	struct slot *first = NULL;
	int more = 0;
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &w->slots[i];
		if (s->state != SLOT_QUEUED)
			continue;
		if (first)
			more = 1;
		if (!first || s->seq < first->seq)
			first = s;
	}
	if (first) {
		first->state = SLOT_TAKEN;
		*job = first->job;
	}
	pthread_mutex_unlock(&w->lock);
	if (more) { /* keep the fd readable for the rest */
		uint64_t one = 1;
		r = write(w->efd, &one, sizeof one);
	}
	return first != NULL;
}

static void finish_slot(struct slot *s, int ok, const char *code, const char *body, size_t len)
{
	s->ok = ok;
	snprintf(s->code, sizeof s->code, "%s", code ? code : "");
	s->body = malloc(len + 1);
	if (s->body) {
		memcpy(s->body, body, len);
		s->body[len] = '\0';
		s->len = len;
	}
	s->state = SLOT_DONE;
	MHD_resume_connection(s->conn);
}

void web_reply(struct web *w, int tag, int ok, const char *code, const char *body, size_t len)
{
	int i = tag & 0xff;
	if (!web_is_tag(tag) || i >= SLOTS)
		return;
	pthread_mutex_lock(&w->lock);
	struct slot *s = &w->slots[i];
	if (s->state == SLOT_TAKEN && slot_tag(w, s) == tag)
		finish_slot(s, ok, code, body, len);
	pthread_mutex_unlock(&w->lock);
}

/* The resumed call: its answer is in its slot. */
static enum MHD_Result answer_call(struct web *w, struct MHD_Connection *c, struct call *cl)
{
	pthread_mutex_lock(&w->lock);
	struct slot *s = &w->slots[cl->slot];
	int ok = s->ok;
	char code[32], *body = s->body;
	size_t len = s->len;
	memcpy(code, s->code, sizeof code);
	s->body = NULL;
	s->state = SLOT_FREE;
	s->conn = NULL;
	pthread_mutex_unlock(&w->lock);
	cl->slot = -1;
	if (!body)
		return MHD_NO;
	if (!ok) {
		/* What the store's codes mean for these calls: a reopen refused because the new
		 * event has counted is a conflict with the tally, not a bad request; no such event
		 * for a card is 404. */
		if (cl->route == WEB_R_REOPEN && !strcmp(code, "invalid"))
			snprintf(code, sizeof code, "refused");
		if (cl->route == WEB_R_CARD && !strcmp(code, "empty"))
			snprintf(code, sizeof code, "no_event");
		enum MHD_Result r = send_error(c, (unsigned)web_api_http_status(code), code, body);
		free(body);
		return r;
	}
	switch (cl->route) {
	case WEB_R_EXPORT_VENUE:
		return send_data(c, 200, "text/csv; charset=utf-8", body, len, 1,
				 MHD_HTTP_HEADER_CONTENT_DISPOSITION,
				 "attachment; filename=\"tallykiosk-venue.csv\"");
	case WEB_R_EXPORT_CSV:
		return send_data(c, 200, "text/csv; charset=utf-8", body, len, 1,
				 MHD_HTTP_HEADER_CONTENT_DISPOSITION,
				 "attachment; filename=\"tallykiosk-export.csv\"");
	case WEB_R_EXPORT_JSON:
		return send_data(c, 200, "application/json; charset=utf-8", body, len, 1,
				 MHD_HTTP_HEADER_CONTENT_DISPOSITION,
				 "attachment; filename=\"tallykiosk-export.json\"");
	case WEB_R_CARD:
		return send_data(c, 200, "image/png", body, len, 1,
				 MHD_HTTP_HEADER_CONTENT_DISPOSITION,
				 "inline; filename=\"tallykiosk-card.png\"");
	default:
		return send_data(c, 200, "application/json; charset=utf-8", body, len, 1,
				 "Cache-Control", "no-store");
	}
}

/* ---- the request handler ------------------------------------------------------------ */

static enum MHD_Result api(struct web *w, struct MHD_Connection *c, struct call *cl,
			   const char *url, const char *method)
{
	const struct web_endpoint *e = web_api_find(url);
	if (!e)
		return send_error(c, 404, "not_found", "no such API call");
	int is_get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (e->post ? strcmp(method, "POST") != 0 : !is_get)
		return send_error(c, 405, "method", e->post ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
	enum who who = who_is(w, c);
	if (who == WHO_BAD_TOKEN)
		return send_error(c, 401, "bad_token", "the bearer token is wrong");
	if (e->needs_auth && who == WHO_NOBODY)
		return send_error(c, 401, "sign_in", "sign in with the staff PIN first");
	if (e->post && who != WHO_TOKEN) {
		const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
		if (!same_origin(w, c, cookie != NULL))
			return send_error(c, 403, "cross_origin",
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
		client_addr(c, addr, sizeof addr);
		log_msg(LOG_PRIO_WARNING, "clock: the staff page (%s) asked to set it: refused, %s",
			addr, msg);
	}
	if (http)
		return send_error(c, (unsigned)http, code, msg);
	cl->route = e->route;
	switch (e->route) {
	case WEB_R_LOGIN:
		return do_login(w, c, wc.pin);
	case WEB_R_LOGOUT: {
		const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
		pthread_mutex_lock(&w->lock);
		web_auth_logout(w->auth, tok);
		pthread_mutex_unlock(&w->lock);
		return send_empty(c, 204, MHD_HTTP_HEADER_SET_COOKIE,
				  COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	}
	case WEB_R_SESSION: {
		json_t *o = json_pack("{s:b}", "signed_in", who != WHO_NOBODY);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		return send_json(c, 200, s, "Cache-Control", "no-store");
	}
	case WEB_R_PIN: {
		/* A new PIN only for who knows the current one: a phone left signed in, or a
		 * session cookie someone copied, cannot lock staff out. Wrong tries count as
		 * wrong sign-ins (web_auth.h), so this is no way around the back-off. */
		char addr[WEB_ADDR_MAX];
		long long retry;
		int fails;
		client_addr(c, addr, sizeof addr);
		pthread_mutex_lock(&w->lock);
		enum web_login r = web_auth_check_pin(w->auth, addr, wc.pin, mono_ms(), &retry,
						      &fails);
		pthread_mutex_unlock(&w->lock);
		memset(wc.pin, 0, sizeof wc.pin);
		if (r != WEB_LOGIN_OK)
			return refuse_pin(c, r, addr, retry, fails, "new PIN");
		snprintf(wc.req.name, sizeof wc.req.name, "%s%s", who == WHO_TOKEN ? "token, " : "",
			 addr);
		return queue_call(w, c, cl, &wc);
	}
	case WEB_R_CASES:
		return send_data(c, 200, "application/json; charset=utf-8", w->cases_json,
				 strlen(w->cases_json), 0, "Cache-Control", "no-store");
	case WEB_R_CLOCK: { /* the log says who set the clock */
		char addr[WEB_ADDR_MAX];
		client_addr(c, addr, sizeof addr);
		snprintf(wc.req.name, sizeof wc.req.name, "%s%s", who == WHO_TOKEN ? "token, " : "",
			 addr);
		return queue_call(w, c, cl, &wc);
	}
	default:
		cl->card = e->route == WEB_R_CARD ? 1 + wc.card_wide : 0;
		return queue_call(w, c, cl, &wc);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct web *w = cls;
	struct call *cl = *con_cls;
	(void)version;
	if (!cl) {
		cl = calloc(1, sizeof *cl);
		if (!cl)
			return MHD_NO;
		cl->slot = -1;
		*con_cls = cl;
		const char *clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (clen && (strlen(clen) > 9 || atol(clen) > WEB_BODY_MAX))
			return send_error(c, 413, "too_large", "the request body is larger than "
							       "4096 bytes");
		/* A body of unknown length could only be refused half-read, which a client sees
		 * as a reset connection rather than an answer. */
		if (!clen && MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_TRANSFER_ENCODING))
			return send_error(c, 411, "length_required", "send a Content-Length (bodies "
								     "are at most 4096 bytes)");
		return MHD_YES;
	}
	if (*upload_size) {
		if (cl->len + *upload_size > WEB_BODY_MAX)
			return send_error(c, 413, "too_large", "the request body is larger than "
							       "4096 bytes");
		memcpy(cl->body + cl->len, upload_data, *upload_size);
		cl->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (cl->slot >= 0)
		return answer_call(w, c, cl);
	if (!strcmp(method, "OPTIONS"))
		return send_empty(c, 204, MHD_HTTP_HEADER_ALLOW,
				  !strncmp(url, "/api/", 5) ? "GET, HEAD, POST, OPTIONS"
							    : "GET, HEAD, OPTIONS");
	if (!strncmp(url, "/api/", 5))
		return api(w, c, cl, url, method);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_error(c, 405, "method", "GET, HEAD, OPTIONS");
	return serve_file(w, c, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)c;
	(void)why;
	free(*con_cls);
	*con_cls = NULL;
}

/* ---- start and stop ----------------------------------------------------------------- */

static void free_web(struct web *w)
{
	web_files_free(&w->files);
	for (int i = 0; i < SLOTS; i++)
		free(w->slots[i].body);
	web_auth_free(w->auth);
	free(w->cases_json);
	free(w->tls_cert);
	free(w->tls_key);
	if (w->efd >= 0)
		close(w->efd);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int web_open(struct web **out, const struct web_params *p, char *err, size_t errlen)
{
	*out = NULL;
	struct web *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->auth = web_auth_new(p->pin, p->api_token);
	w->cases_json = web_api_cases_json(p->cases);
	if (w->efd < 0 || !w->auth || !w->cases_json) {
		snprintf(err, errlen, "out of memory");
		free_web(w);
		return -1;
	}
	if (web_files_load(&w->files, p->assets_dir, err, errlen)) {
		free_web(w);
		return -1;
	}
	struct sockaddr_storage ss;
	char host[128];
	int port;
	if (web_addr_parse(p->listen, &ss, host, sizeof host, &port)) {
		snprintf(err, errlen, "[web] listen: \"%.100s\" is not ADDRESS:PORT (e.g. "
				      "0.0.0.0:8080 or [::]:8080)", p->listen);
		free_web(w);
		return -1;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (p->tls_cert[0] || p->tls_key[0]) {
		if (!p->tls_cert[0] || !p->tls_key[0]) {
			snprintf(err, errlen, "[web] tls_cert and tls_key go together: set both or "
					      "neither");
			free_web(w);
			return -1;
		}
		if (!(w->tls_cert = web_read_pem(p->tls_cert, err, errlen)) ||
		    !(w->tls_key = web_read_pem(p->tls_key, err, errlen))) {
			free_web(w);
			return -1;
		}
		w->tls = 1;
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, w->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, w->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	w->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONN_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONN_PER_ADDR,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		MHD_OPTION_ARRAY, w->tls ? tls_opts : tls_opts + 2, MHD_OPTION_END);
	if (!w->d) {
		snprintf(err, errlen, "[web] listen: cannot serve on %.100s (port in use, address "
				      "not on this machine, or bad TLS files)", p->listen);
		free_web(w);
		return -1;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	int bound = di ? di->port : port;
	const char *scheme = w->tls ? "https" : "http";
	char h[140];
	if (!strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
		web_addr_lan(h, sizeof h);
	else
		snprintf(h, sizeof h, ss.ss_family == AF_INET6 ? "[%s]" : "%s", host);
	snprintf(w->listen, sizeof w->listen, "%s://%s:%d/", scheme,
		 ss.ss_family == AF_INET6 ? "[::]" : host, bound);
	if (p->public_url && p->public_url[0])
		snprintf(w->url, sizeof w->url, "%s", p->public_url);
	else if ((w->tls && bound == 443) || (!w->tls && bound == 80))
		snprintf(w->url, sizeof w->url, "%s://%s/", scheme, h);
	else
		snprintf(w->url, sizeof w->url, "%s://%s:%d/", scheme, h, bound);
	log_msg(LOG_PRIO_NOTICE, "web: staff page at %s (listening on %s port %d)", w->url,
		host, bound);
	*out = w;
	return 0;
}

const char *web_url(const struct web *w)
{
	return w->url;
}

int web_fd(const struct web *w)
{
	return w->efd;
}

void web_set_pin(struct web *w, const char *pin, int tag)
{
	pthread_mutex_lock(&w->lock);
	const char *keep = NULL;
	int i = tag & 0xff;
	if (web_is_tag(tag) && i < SLOTS && w->slots[i].state == SLOT_TAKEN &&
	    slot_tag(w, &w->slots[i]) == tag && w->slots[i].keep[0])
		keep = w->slots[i].keep;
	web_auth_set_pin(w->auth, pin, keep);
	pthread_mutex_unlock(&w->lock);
}

void web_close(struct web *w)
{
	if (!w)
		return;
	static const char stopping[] = "the kiosk is stopping";
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &w->slots[i];
		if (s->state == SLOT_QUEUED || s->state == SLOT_TAKEN)
			finish_slot(s, 0, "stopping", stopping, sizeof stopping - 1);
	}
	pthread_mutex_unlock(&w->lock);
	MHD_stop_daemon(w->d);
	free_web(w);
}
