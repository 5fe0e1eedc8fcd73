/* See ledger.h. */
#include "ledger.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "mqtt_payload.h"
#include "sbuf.h"

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Staff start an event: it gets an id of its own (a slug of its name and a random suffix),
 * so the kiosks of a venue that follow it count for the same event. */
static enum store_status new_event(struct store *st, const char *name)
{
	unsigned r = 0;
	if (getrandom(&r, sizeof r, 0) != sizeof r)
		r = (unsigned)wall_ms() * 2654435761u;
	char uid[STORE_UID_MAX];
	if (mqtt_event_id(name, r, 1, uid, sizeof uid))
		return store_new_event(st, name);
	return store_start_event(st, name, uid, wall_ms(), -1);
}

/* The venue id of an event that has none: its name's slug (venue.c's rule). */
static int derive_uid(const char *name, char *out, size_t len)
{
	return mqtt_event_id(name, 0, 0, out, len);
}

/* Keeps each "topic\0payload\0" of blob, in one transaction. */
static enum store_status peer_save(struct store *st, const char *blob)
{
	enum store_status s = store_begin(st);
	if (s)
		return s;
	long long now = wall_ms();
	for (const char *p = blob; p && *p;) {
		const char *payload = p + strlen(p) + 1;
		s = store_peer_put(st, p, payload, now);
		if (s) {
			store_rollback(st);
			return s;
		}
		p = payload + strlen(payload) + 1;
	}
	return store_commit(st);
}

/* "id\tp\tn\n" per case of this kiosk's current event (several.c reads it). */
static enum store_status pn_report(struct store *st, char **body)
{
	struct store_case_pn pn[PN_CASES_MAX];
	int n;
	enum store_status s = store_case_pn(st, pn, PN_CASES_MAX, &n);
	if (s)
		return s;
	struct sbuf b;
	sbuf_init(&b);
	for (int i = 0; i < n; i++)
		sbuf_printf(&b, "%s\t%lld\t%lld\n", pn[i].id, pn[i].p, pn[i].n);
	sbuf_add(&b, "");
	*body = sbuf_take(&b);
	return *body ? STORE_OK : STORE_ERR_NOMEM;
}

#include "web_auth.h"

static enum store_status done(struct store *st, enum store_status s, char *err, size_t errlen)
{
	if (s)
		snprintf(err, errlen, "%s", store_errmsg(st));
	return s;
}

enum store_status ledger_apply(struct store *st, const struct control_request *req,
			       const char *source, long long *detail, char *err, size_t errlen)
{
	*detail = 0;
	switch (req->op) {
	case CONTROL_PRESS:
		return done(st, store_count(st, STORE_PRESS, 1, source,
					    req->case_id[0] ? req->case_id : NULL), err, errlen);
	case CONTROL_ADD:
		return done(st, store_count(st, STORE_ADD, req->n, source,
					    req->case_id[0] ? req->case_id : NULL), err, errlen);
	case CONTROL_UNDO:
		return done(st, store_undo_max(st, source, req->n, detail), err, errlen);
	case CONTROL_NEW_EVENT:
		(void)source;
		return done(st, new_event(st, req->name), err, errlen);
	case CONTROL_FOLLOW_EVENT: {
		/* An event counted in here before (the venue took back a mistaken new event) goes
		 * on in its own rows; any other is started. */
		enum store_status s = store_resume_event(st, req->case_id, req->at_ms, req->n,
							 derive_uid, LEDGER_SOURCE_REOPEN, detail);
		if (s == STORE_ERR_EMPTY)
			s = store_start_event(st, req->name, req->case_id, req->at_ms, req->n);
		return done(st, s, err, errlen);
	}
	case CONTROL_PEER_SAVE:
		return done(st, peer_save(st, req->blob), err, errlen);
	case CONTROL_SET_CLOCK:
		snprintf(err, errlen, "setting the clock is the kiosk's, not the database's");
		return STORE_ERR_INVALID;
	case CONTROL_EXPORT_VENUE:
		snprintf(err, errlen, "export --venue: ask the running kiosk (it holds the venue's "
				      "states); no kiosk is running on this database");
		return STORE_ERR_INVALID;
	case CONTROL_GOAL:
		return done(st, store_set_goal(st, req->n), err, errlen);
	case CONTROL_REOPEN: {
		char closed[STORE_NAME_MAX];
		return done(st, store_reopen_previous(st, closed, sizeof closed), err, errlen);
	}
	case CONTROL_WEB:
		if (req->n == CONTROL_WEB_NEW_PIN) {
			char pin[WEB_PIN_MAX + 1];
			if (web_pin_generate(pin, sizeof pin)) {
				snprintf(err, errlen, "no random numbers for a new PIN");
				return STORE_ERR_IO;
			}
			return done(st, store_meta_set(st, LEDGER_PIN_KEY, pin), err, errlen);
		}
		return STORE_OK;
	case CONTROL_CARD:
	case CONTROL_PN:
	case CONTROL_STATUS:
	case CONTROL_EVENTS:
	case CONTROL_EXPORT_CSV:
	case CONTROL_EXPORT_JSON:
		return STORE_OK;
	}
	return STORE_ERR_INVALID;
}

static enum store_status report(struct store *st, const struct control_request *req,
				long long detail, char **body, char *err, size_t errlen)
{
	enum store_status s;
	*body = NULL;
	switch (req->op) {
	case CONTROL_EVENTS:
		s = store_events_json(st, body);
		break;
	case CONTROL_EXPORT_CSV:
		s = store_export(st, STORE_EXPORT_CSV, body);
		break;
	case CONTROL_EXPORT_JSON:
		s = store_export(st, STORE_EXPORT_JSON, body);
		break;
	case CONTROL_CARD: /* the event's numbers; the kiosk draws the picture from them */
		s = store_event_json(st, req->n, body);
		break;
	case CONTROL_WEB: {
		char pin[WEB_PIN_MAX + 1];
		s = store_meta_get(st, LEDGER_PIN_KEY, pin, sizeof pin);
		if (s)
			break;
		json_t *o = json_pack("{s:s}", "pin", pin);
		*body = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (!*body) {
			snprintf(err, errlen, "out of memory");
			return STORE_ERR_NOMEM;
		}
		return STORE_OK;
	}
	case CONTROL_PN:
		s = pn_report(st, body);
		break;
	default:
		s = store_status_json(st, body);
		if (s == STORE_OK && (req->op == CONTROL_UNDO ||
				      (req->op == CONTROL_FOLLOW_EVENT && detail > 0))) {
			/* {"undone":N, ...the status fields} tells staff what was taken back;
			 * {"moved":N, ...} the letters a follow carried into the venue's event. */
			size_t len = strlen(*body) + 32;
			char *with = malloc(len);
			if (!with) {
				free(*body);
				*body = NULL;
				snprintf(err, errlen, "out of memory");
				return STORE_ERR_NOMEM;
			}
			snprintf(with, len, "{\"%s\":%lld,%s",
				 req->op == CONTROL_UNDO ? "undone" : "moved", detail, *body + 1);
			free(*body);
			*body = with;
		}
		break;
	}
	return done(st, s, err, errlen);
}

static int changes_state(enum control_op op)
{
	return op != CONTROL_STATUS && op != CONTROL_EVENTS && op != CONTROL_EXPORT_CSV &&
	       op != CONTROL_EXPORT_JSON && op != CONTROL_WEB && op != CONTROL_CARD;
}

enum store_status ledger_report(struct store *st, const struct control_request *req,
				long long detail, char **body, char *err, size_t errlen)
{
	enum store_status s = report(st, req, detail, body, err, errlen);
	if (s && changes_state(req->op)) {
		/* The change is committed; only its reply failed (out of memory): say so, or staff
		 * would make it again (tests/oom). */
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "saved, but the reply could not be written: %.200s", why);
	}
	return s;
}

enum store_status ledger_run(struct store *st, const struct control_request *req,
			     const char *source, char **body, char *err, size_t errlen)
{
	long long detail;
	*body = NULL;
	enum store_status s = ledger_apply(st, req, source, &detail, err, errlen);
	if (s)
		return s;
	return ledger_report(st, req, detail, body, err, errlen);
}
