/*
 * The staff control protocol between tallyctl and the kiosk, over a UNIX stream socket.
 *
 * A request is one line of UTF-8 text: "status", "press [CASE]", "add N [CASE]", "undo",
 * "new-event NAME", "reopen", "goal N", "events", "export csv", "export json", "web",
 * "web qr", "web new-pin" or "card square|wide [EVENT]" (at most CONTROL_LINE_MAX bytes with
 * the newline). CASE, optional, is the ID of a case of the cases file the count is for
 * (letters, digits, _ and -). The reply is either "OK <length>\n" followed by exactly length
 * bytes of body (JSON, CSV for "export csv", PNG for "card"), or one line
 * "ERR <code> <message>\n". Parsing is pure, so
 * the fuzzers and unit tests run it without a socket.
 */
#ifndef TALLYKIOSK_CONTROL_H
#define TALLYKIOSK_CONTROL_H

#include <stddef.h>

#include "store.h"

#define CONTROL_LINE_MAX 512
#define CONTROL_CASE_MAX 64 /* a case ID with its NUL, as in the cases file */
/* Largest reply body tallyctl accepts: a whole export of a very busy season. */
#define CONTROL_BODY_MAX (256u * 1024 * 1024)

enum control_op {
	CONTROL_STATUS,
	CONTROL_PRESS,
	CONTROL_ADD,
	CONTROL_UNDO,
	CONTROL_NEW_EVENT,
	CONTROL_GOAL,
	CONTROL_EVENTS,
	CONTROL_EXPORT_CSV,
	CONTROL_EXPORT_JSON,
	CONTROL_REOPEN,
	CONTROL_WEB,         /* n: one of enum control_web */
	CONTROL_CARD,        /* the share card as PNG: name "square" or "wide", n the event (0:
			      * the current one) */
	CONTROL_EXPORT_VENUE,  /* "export venue": the venue's event per case (several kiosks) */
	/* Internal requests of several kiosks (several.c); never on the wire. */
	CONTROL_PN,            /* this kiosk's per-case P and N of the current event */
	CONTROL_FOLLOW_EVENT,  /* start the venue's event: name, n = goal, case_id = its id,
				* at_ms = when it was started */
	CONTROL_PEER_SAVE,     /* keep peer states: blob = "topic\0payload\0"... "\0" */
	/* From the staff page; never on the wire, never stored: the loop sets the system clock
	 * to at_ms (kioskclock.h); name says who asked, for the log. */
	CONTROL_SET_CLOCK,
};

/* What "web" asks: the staff page's address and PIN; also show its QR code on the screen;
 * or replace the PIN with a new random one (ending every session). */
enum control_web { CONTROL_WEB_SHOW, CONTROL_WEB_QR, CONTROL_WEB_NEW_PIN };

struct control_request {
	enum control_op op;
	long long n;                 /* add, goal, web; undo from the web page: the most it may
				      * take back (0: no limit; not on the wire) */
	char name[STORE_NAME_MAX];   /* new-event */
	char case_id[CONTROL_CASE_MAX]; /* press, add: the case counted for; "" = none */
	long long at_ms;             /* CONTROL_FOLLOW_EVENT */
	char *blob;                  /* CONTROL_PEER_SAVE: malloc'd, owned by the worker job */
};

/*
 * Parses one request line (without its newline; len bytes, need not be NUL-terminated).
 * Returns 0, or -1 with a one-line reason in err.
 */
int control_parse(const char *line, size_t len, struct control_request *req, char *err,
		  size_t errlen);

/* Writes req as a request line with its newline. Returns the length, or -1 if it won't fit. */
int control_format(const struct control_request *req, char *buf, size_t len);

/* 1 if id can name a case: 1 to CONTROL_CASE_MAX - 1 letters, digits, '_' or '-'. */
int control_case_id_ok(const char *id);

/* 1 for the requests that change a total (press, add, undo): the kiosk group-commits them. */
int control_is_count(enum control_op op);

/* Writes the reply header for a body of body_len bytes. Returns its length. */
int control_reply_ok(size_t body_len, char *buf, size_t len);
/* Writes an error reply line; code is one word (store_status_name() or "usage"). */
int control_reply_err(const char *code, const char *msg, char *buf, size_t len);

/*
 * Parses a reply's first line (without newline). Returns 1 for OK (*body_len set), 0 for ERR
 * (code and msg set), -1 if the line is not a reply.
 */
int control_parse_reply(const char *line, size_t *body_len, char *code, size_t codelen,
			char *msg, size_t msglen);

/* What a status (or add, undo, ...) reply body says, for people and for screenshots. */
struct control_status {
	char event[STORE_NAME_MAX];
	char started[40];
	long long event_id, total, goal;
	long long undone; /* undo replies only; else 0 */
};

/* Reads a status reply body (or one event of an events list, which names it "name"), with
 * jansson. Returns 0, or -1 if it is not JSON or a required field (event, total) is missing. */
int control_parse_status(const char *json, struct control_status *out);

#endif
