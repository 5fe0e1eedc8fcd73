/*
 * Private to the staff page server's files: web.c (start and stop, the request handler, the
 * calls handed to the loop), web_http.c (responses, serving the page's files) and
 * web_routes.c (the API's routes and who may call them). struct web is shared by
 * libmicrohttpd's thread and the loop's: its lock guards the slots and the sessions.
 */
#ifndef TALLYKIOSK_WEB_INT_H
#define TALLYKIOSK_WEB_INT_H

#include "web.h"

#include <microhttpd.h>
#include <pthread.h>

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

/* web.c */
/* Queues the call for the loop and suspends its connection until web_reply. */
enum MHD_Result web_queue_call(struct web *w, struct MHD_Connection *c, struct call *cl,
			       const struct web_call *wc);

/* web_http.c: responses (data taken over when owned, copied otherwise) */
enum MHD_Result web_http_send_data(struct MHD_Connection *c, unsigned http, const char *ctype,
				   char *data, size_t len, int owned, const char *extra_name,
				   const char *extra_value);
enum MHD_Result web_http_send_json(struct MHD_Connection *c, unsigned http, char *json,
				   const char *extra_name, const char *extra_value);
enum MHD_Result web_http_send_error(struct MHD_Connection *c, unsigned http, const char *code,
				    const char *msg);
enum MHD_Result web_http_send_empty(struct MHD_Connection *c, unsigned http, const char *name,
				    const char *value);
/* GET of one of the page's files ("/" is index.html), or 404. */
enum MHD_Result web_http_serve_file(struct web *w, struct MHD_Connection *c, const char *url);
/* The caller's address as text, for the log and the PIN's back-off. */
void web_http_client_addr(struct MHD_Connection *c, char *buf, size_t len);

/* web_routes.c: an /api/ request whose body has been read */
enum MHD_Result web_route_api(struct web *w, struct MHD_Connection *c, struct call *cl,
			      const char *url, const char *method);

#endif
