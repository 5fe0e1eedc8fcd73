/*
 * The staff web page and its JSON API, served by libmicrohttpd on its own thread.
 *
 * The server thread does HTTP, the PIN, sessions and back-off (web_auth.c) and parses the
 * calls (web_api.c); it never touches the store. A call that reads or changes the tally
 * becomes a control request waiting here for the loop: web_fd() turns readable, the loop
 * takes it with web_take(), hands it to the storage thread like a tallyctl request and, once
 * the reply is committed, gives it back with web_reply(); only then does the phone get its
 * answer. A slow or hostile phone therefore holds nothing but its own connection.
 */
#ifndef TALLYKIOSK_WEB_H
#define TALLYKIOSK_WEB_H

#include <stddef.h>

#include "cases.h"
#include "control.h"

#define WEB_CONN_MAX 32          /* connections at once, all phones together */
#define WEB_CONN_PER_ADDR 16     /* connections at once from one address */
#define WEB_TIMEOUT_S 15         /* an idle or stalled connection is closed after this */
#define WEB_TAG_FLAG 0x40000000  /* a request tag with this bit is the web server's */

struct web_params {
	const char *listen;      /* "ADDRESS:PORT", "[IPv6]:PORT"; port 0 = any free port */
	const char *pin;         /* the staff PIN (see web_auth.h) */
	const char *api_token;   /* "" = no bearer token */
	const char *tls_cert;    /* PEM files, or "" for plain HTTP */
	const char *tls_key;
	const char *assets_dir;  /* the page's files (index.html, app.js, ...) */
	const char *public_url;  /* what the QR code encodes; "" = from the listening address */
	const struct cases *cases; /* copied: ids and names for the page */
};

/* A call waiting for the loop. */
struct web_job {
	int tag;                 /* for web_reply */
	struct control_request req;
	int card;                /* 0, or the share card: 1 square (1080x1080), 2 wide (1200x630) */
	long long card_event;    /* the card's event id; 0 = the current event */
};

struct web;

/* Starts listening. Returns 0, or -1 with a line in err (bad address, port in use, TLS files). */
int web_open(struct web **out, const struct web_params *p, char *err, size_t errlen);

/* The URL staff open (public_url, or built from the address and port). */
const char *web_url(const struct web *w);

/* Readable (an eventfd) while calls wait for web_take. */
int web_fd(const struct web *w);

/* Takes the oldest waiting call into job. Returns 1, or 0 when none waits. */
int web_take(struct web *w, struct web_job *job);

/*
 * The answer to the call tag: on success (ok) body is its JSON or CSV body of len bytes, or
 * the PNG of a share card; else code is a store status name and body a message. Copied.
 */
void web_reply(struct web *w, int tag, int ok, const char *code, const char *body, size_t len);

/* A new PIN: every session ends, but for the one that asked for it when tag is the call of
 * a signed-in phone's POST /api/pin (any other tag: every session). */
void web_set_pin(struct web *w, const char *pin, int tag);

/* Answers what still waits (503), closes every connection, stops the thread. Accepts NULL. */
void web_close(struct web *w);

/* 1 if tag belongs to the web server. */
static inline int web_is_tag(int tag)
{
	return tag >= 0 && (tag & WEB_TAG_FLAG);
}

#endif
