/* See ledger.h. */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		return done(st, store_undo(st, source, detail), err, errlen);
	case CONTROL_NEW_EVENT:
		return done(st, store_new_event(st, req->name, source), err, errlen);
	case CONTROL_GOAL:
		return done(st, store_set_goal(st, req->n), err, errlen);
	case CONTROL_REOPEN: {
		char closed[STORE_NAME_MAX];
		return done(st, store_reopen_previous(st, closed, sizeof closed), err, errlen);
	}
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
	default:
		s = store_status_json(st, body);
		if (s == STORE_OK && req->op == CONTROL_UNDO) {
			/* {"undone":N, ...the status fields} tells staff what was taken back. */
			size_t len = strlen(*body) + 32;
			char *with = malloc(len);
			if (!with) {
				free(*body);
				*body = NULL;
				snprintf(err, errlen, "out of memory");
				return STORE_ERR_NOMEM;
			}
			snprintf(with, len, "{\"undone\":%lld,%s", detail, *body + 1);
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
	       op != CONTROL_EXPORT_JSON;
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
