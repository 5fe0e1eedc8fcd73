/*
 * See web.h. The server: start and stop, the request handler (bodies bounded, then a file or
 * an API call), and the calls handed to the loop and answered once committed. The HTTP
 * plumbing is in web_http.c, the API's routes in web_routes.c, the state in web_int.h.
 */
#include "web_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "web_addr.h"
#include "web_api.h"
#include "web_auth.h"
#include "web_files.h"

/* ---- calls for the loop ------------------------------------------------------------- */

static int slot_tag(const struct web *w, const struct slot *s)
{
	return WEB_TAG_FLAG | (int)((s->gen & 0xffffu) << 8) | (int)(s - w->slots);
}

/* Queues call for the loop and suspends its connection until web_reply. */
enum MHD_Result web_queue_call(struct web *w, struct MHD_Connection *c, struct call *cl,
			       const struct web_call *wc)
{
	pthread_mutex_lock(&w->lock);
	struct slot *s = NULL;
	for (int i = 0; i < SLOTS && !s; i++)
		if (w->slots[i].state == SLOT_FREE)
			s = &w->slots[i];
	if (!s) {
		pthread_mutex_unlock(&w->lock);
		return web_http_send_error(c, 503, "busy", "too many requests at once");
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
		enum MHD_Result r = web_http_send_error(c, (unsigned)web_api_http_status(code), code, body);
		free(body);
		return r;
	}
	switch (cl->route) {
	case WEB_R_EXPORT_VENUE:
		return web_http_send_data(c, 200, "text/csv; charset=utf-8", body, len, 1,
					  MHD_HTTP_HEADER_CONTENT_DISPOSITION,
					  "attachment; filename=\"tallykiosk-venue.csv\"");
	case WEB_R_EXPORT_CSV:
		return web_http_send_data(c, 200, "text/csv; charset=utf-8", body, len, 1,
					  MHD_HTTP_HEADER_CONTENT_DISPOSITION,
					  "attachment; filename=\"tallykiosk-export.csv\"");
	case WEB_R_EXPORT_JSON:
		return web_http_send_data(c, 200, "application/json; charset=utf-8", body, len, 1,
					  MHD_HTTP_HEADER_CONTENT_DISPOSITION,
					  "attachment; filename=\"tallykiosk-export.json\"");
	case WEB_R_CARD:
		return web_http_send_data(c, 200, "image/png", body, len, 1,
					  MHD_HTTP_HEADER_CONTENT_DISPOSITION,
					  "inline; filename=\"tallykiosk-card.png\"");
	default:
		return web_http_send_data(c, 200, "application/json; charset=utf-8", body, len, 1,
					  "Cache-Control", "no-store");
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
			return web_http_send_error(c, 413, "too_large", "the request body is larger than "
									"4096 bytes");
		/* A body of unknown length could only be refused half-read, which a client sees
		 * as a reset connection rather than an answer. */
		if (!clen && MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_TRANSFER_ENCODING))
			return web_http_send_error(c, 411, "length_required", "send a Content-Length (bodies "
									      "are at most 4096 bytes)");
		return MHD_YES;
	}
	if (*upload_size) {
		if (cl->len + *upload_size > WEB_BODY_MAX)
			return web_http_send_error(c, 413, "too_large", "the request body is larger than "
									"4096 bytes");
		memcpy(cl->body + cl->len, upload_data, *upload_size);
		cl->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (cl->slot >= 0)
		return answer_call(w, c, cl);
	if (!strcmp(method, "OPTIONS"))
		return web_http_send_empty(c, 204, MHD_HTTP_HEADER_ALLOW,
					   !strncmp(url, "/api/", 5) ? "GET, HEAD, POST, OPTIONS"
								     : "GET, HEAD, OPTIONS");
	if (!strncmp(url, "/api/", 5))
		return web_route_api(w, c, cl, url, method);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return web_http_send_error(c, 405, "method", "GET, HEAD, OPTIONS");
	return web_http_serve_file(w, c, url);
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
