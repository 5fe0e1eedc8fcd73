/*
 * The staff web API's requests, without HTTP: which paths exist, which method each takes,
 * whether it needs a session and changes state, and the JSON bodies parsed (with jansson)
 * into control requests the kiosk already knows. Pure, so the unit tests and the fuzzer call
 * it directly; web.c does the HTTP.
 *
 *   POST /api/login {"pin":"..."}        GET /api/status       GET /api/events
 *   POST /api/logout                     POST /api/add {"n":N,"case":"id"?}
 *   POST /api/undo {"max":N?}            POST /api/goal {"goal":N}
 *   POST /api/new-event {"name":"..."}   GET /api/export.csv   GET /api/export.json
 *   GET /api/card.png?size=square|wide   GET /api/cases        GET /api/session
 *   POST /api/clock {"now_ms":N}         (set the kiosk's clock: N is Unix ms, UTC)
 *   GET /api/card.png?event=ID           (a past event's card; with size= too)
 *   POST /api/reopen                     (take back a mistaken new event)
 *   GET /api/export-venue.csv            (the venue's event per kiosk and case; [mqtt] only)
 *   POST /api/pin {"pin":"current"}      (a new random PIN; every other session ends)
 */
#ifndef TALLYKIOSK_WEB_API_H
#define TALLYKIOSK_WEB_API_H

#include <stddef.h>

#include "cases.h"
#include "control.h"
#include "web_auth.h"

#define WEB_BODY_MAX 4096

enum web_route {
	WEB_R_LOGIN,
	WEB_R_LOGOUT,
	WEB_R_SESSION,
	WEB_R_STATUS,
	WEB_R_ADD,
	WEB_R_UNDO,
	WEB_R_GOAL,
	WEB_R_NEW_EVENT,
	WEB_R_EVENTS,
	WEB_R_EXPORT_CSV,
	WEB_R_EXPORT_JSON,
	WEB_R_CARD,
	WEB_R_CASES,
	WEB_R_CLOCK,
	WEB_R_REOPEN,
	WEB_R_EXPORT_VENUE,
	WEB_R_PIN,
};

struct web_endpoint {
	const char *path;
	enum web_route route;
	int post;        /* 1: POST (changes state: session + origin check); 0: GET and HEAD */
	int needs_auth;  /* 0 only for login and session */
	int body;        /* 1: takes a JSON object body */
};

/* The endpoint for path (without the query), or NULL when there is none. */
const struct web_endpoint *web_api_find(const char *path);

/* What a parsed call asks for. */
struct web_call {
	enum web_route route;
	struct control_request req;  /* add, undo, goal, new-event, status, events, exports,
				      * clock (CONTROL_SET_CLOCK, at_ms) */
	char pin[WEB_PIN_MAX + 1];   /* login; pin: the current PIN, asked again */
	int card_wide;               /* card: 1200x630 instead of 1080x1080 */
	long long card_event;        /* card: the event's id; 0 = the current event */
};

/*
 * Parses the body (len bytes, may be 0) of a call to e, and the card's query arguments size
 * and event (NULL if absent). Returns 0, or the HTTP status (400, 413) with a one-word code
 * and a message for people.
 */
int web_api_parse(const struct web_endpoint *e, const char *body, size_t len,
		  const char *card_size, const char *card_event, struct web_call *out,
		  char *code, size_t codelen, char *msg, size_t msglen);

/* A JSON error body {"error":code,"message":msg}, malloc'd; NULL when out of memory. */
char *web_api_error_json(const char *code, const char *msg);

/* GET /api/cases: the cases' ids, names and countries as a JSON array, malloc'd; NULL when
 * out of memory. cs may be NULL (no cases file: []). */
char *web_api_cases_json(const struct cases *cs);

/* The HTTP status for a store status name (store_status_name) in a failed reply, or for the
 * kiosk's own codes: refused (reopen), pin_in_config 409; no_venue, no_event 404. */
int web_api_http_status(const char *store_code);

#endif
