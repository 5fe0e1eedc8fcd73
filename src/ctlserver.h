/*
 * The kiosk's side of the control socket: accepts staff connections, reads request lines,
 * hands parsed requests to the app and queues the replies, without ever blocking the loop.
 * A client gets one answer per request, in order; a slow or stuck client only fills its own
 * buffer. Requests that do not parse are answered here with "ERR usage ...".
 */
#ifndef TALLYKIOSK_CTLSERVER_H
#define TALLYKIOSK_CTLSERVER_H

#include <poll.h>
#include <stddef.h>

#include "control.h"

#define CTLSERVER_MAX_CLIENTS 16
/* A connection that sends nothing and reads nothing for this long is closed, so stalled
 * clients cannot hold every place; one waiting for the app's answer is not (tallyctl gives up
 * on its own). */
#define CTLSERVER_IDLE_MS 60000

struct ctlserver;

typedef void ctlserver_request_fn(void *ctx, int tag, const struct control_request *req);

/*
 * Listens on path (mode 0660; a stale socket file is replaced). on_request(ctx, tag, req) is
 * called for each complete request; tag names the client in ctlserver_reply*, and the
 * client sends nothing more until it is answered. Returns 0, or -1 with err. With path NULL
 * the server listens nowhere and serves only the connections given to ctlserver_adopt.
 */
int ctlserver_open(struct ctlserver **out, const char *path, ctlserver_request_fn *on_request,
		   void *ctx, char *err, size_t errlen);

/* Serves fd, a connected non-blocking stream socket (accepted, or one end of a socketpair),
 * as a client; the server owns fd from now on. Returns 0, or -1 when CTLSERVER_MAX_CLIENTS
 * are connected already: then fd is told "ERR busy ..." and closed. */
int ctlserver_adopt(struct ctlserver *srv, int fd);

/* Writes the pollfds the server needs into fds (room for max). Returns how many. */
int ctlserver_pollfds(struct ctlserver *srv, struct pollfd *fds, int max);

/* Handles what poll reported for the fds that ctlserver_pollfds gave. */
void ctlserver_dispatch(struct ctlserver *srv, const struct pollfd *fds, int n);

/*
 * Lets the server's clock reach now_ms (monotonic; call once per turn of the loop) and closes
 * the connections idle for CTLSERVER_IDLE_MS, telling one with no answer pending "ERR timeout
 * ...". Activity is timed by the latest now_ms given here. Returns when a connection will
 * next be due, or LLONG_MAX if none can be.
 */
long long ctlserver_expire(struct ctlserver *srv, long long now_ms);

/* Queues a reply for the client tag (silently dropped if that client has gone). */
void ctlserver_reply(struct ctlserver *srv, int tag, const char *body, size_t len);
void ctlserver_reply_error(struct ctlserver *srv, int tag, const char *code, const char *msg);

/* Closes every connection and removes the socket file. Accepts NULL. */
void ctlserver_close(struct ctlserver *srv);

#endif
