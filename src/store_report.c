/*
 * Reports read from the store: the status line, the list of events and the exports
 * (CSV and JSON). Read-only: nothing here writes the database.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sbuf.h"

#define ISO_SQL(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

static void iso_time(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static char *finish(struct store *st, struct sbuf *b, enum store_status *s)
{
	char *p = sbuf_take(b);
	if (!p) {
		store_set_err(st, "out of memory");
		*s = STORE_ERR_NOMEM;
	}
	return p;
}

/* The delta an undo would take back now, 0 if none; also 0 while the file cannot be read
 * (a status must still answer then). */
static long long undoable(struct store *st)
{
	if (!st->db || st->broken)
		return 0;
	sqlite3_stmt *q = st->stmt[ST_UNDO_TARGET];
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, st->cur.id);
	long long delta = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 1) : 0;
	sqlite3_reset(q);
	return delta;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

/* Whether store_reopen_previous could take the current event back now: *prev is the event it
 * would go back to (0: none, or the file cannot be read), *rows whether the current event has
 * counted anything (1) or not (0): reopen is refused once it has. */
static void reopen_target(struct store *st, long long *prev, char *name, size_t len,
			  long long *rows)
{
	*prev = 0;
	*rows = 0;
	name[0] = '\0';
	if (!st->db || st->broken)
		return;
	sqlite3_stmt *q = st->stmt[ST_REOPEN_TARGET];
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, st->cur.id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		*prev = sqlite3_column_int64(q, 0);
		snprintf(name, len, "%s", col_text(q, 1));
		*rows = sqlite3_column_int64(q, 2);
	}
	sqlite3_reset(q);
}

enum store_status store_status_json(struct store *st, char **out)
{
	struct sbuf b;
	char started[64];
	sbuf_init(&b);
	iso_time(st->cur.started_ms, started, sizeof started);
	sbuf_add(&b, "{\"event\":");
	sbuf_add_json_string(&b, st->cur.name);
	sbuf_printf(&b, ",\"event_id\":%lld,\"total\":%lld,\"goal\":%lld,\"started\":\"%s\"",
		    st->cur.id, st->cur.total, st->cur.goal, started);
	sbuf_add(&b, ",\"kiosk_id\":");
	sbuf_add_json_string(&b, st->kiosk_id);
	/* Per-case letters as {"id":N}: no second "total" key for line-based readers to trip on. */
	sbuf_add(&b, ",\"cases\":{");
	for (int i = 0; i < st->cur.n_cases; i++) {
		if (i)
			sbuf_add(&b, ",");
		sbuf_add_json_string(&b, st->cur.cases[i].id);
		sbuf_printf(&b, ":%lld", st->cur.cases[i].total);
	}
	sbuf_printf(&b, "},\"undoable\":%lld", undoable(st));
	/* What reopen would go back to, and why it would be refused now (null: it would not). */
	long long prev, rows;
	char prev_name[STORE_NAME_MAX];
	reopen_target(st, &prev, prev_name, sizeof prev_name, &rows);
	if (prev) {
		sbuf_printf(&b, ",\"reopen_to_id\":%lld,\"reopen_to\":", prev);
		sbuf_add_json_string(&b, prev_name);
		sbuf_add(&b, ",\"reopen_refused\":");
		if (rows > 0) {
			char why[STORE_NAME_MAX + 160];
			snprintf(why, sizeof why, "\"%s\" has already counted: reopen only takes back "
				 "a new event that has counted nothing", st->cur.name);
			sbuf_add_json_string(&b, why);
		} else {
			sbuf_add(&b, "null");
		}
	} else {
		sbuf_add(&b, ",\"reopen_to_id\":null,\"reopen_to\":null,\"reopen_refused\":null");
	}
	sbuf_add(&b, "}\n");
	enum store_status s = STORE_OK;
	*out = finish(st, &b, &s);
	return s;
}

enum store_status store_event_json(struct store *st, long long id, char **out)
{
	*out = NULL;
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	if (id <= 0)
		id = st->cur.id;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db,
				    "SELECT name, total, goal, " ISO_SQL("started_ms") ", "
				    "CASE WHEN ended_ms IS NULL THEN NULL ELSE " ISO_SQL("ended_ms")
				    " END FROM events WHERE id = ?1",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading an event");
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, "reading an event");
		store_set_err(st, "there is no event %lld (tallyctl events lists them)", id);
		return STORE_ERR_EMPTY;
	}
	struct sbuf b;
	sbuf_init(&b);
	sbuf_add(&b, "{\"event\":");
	sbuf_add_json_string(&b, col_text(q, 0));
	sbuf_printf(&b, ",\"event_id\":%lld,\"total\":%lld,\"goal\":%lld,\"started\":\"%s\",\"ended\":",
		    id, (long long)sqlite3_column_int64(q, 1), (long long)sqlite3_column_int64(q, 2),
		    col_text(q, 3));
	if (sqlite3_column_type(q, 4) == SQLITE_NULL)
		sbuf_add(&b, "null");
	else
		sbuf_printf(&b, "\"%s\"", col_text(q, 4));
	sqlite3_finalize(q);
	rc = sqlite3_prepare_v2(st->db,
				"SELECT case_id, sum(delta) FROM counts WHERE event_id = ?1 AND"
				" case_id IS NOT NULL GROUP BY case_id ORDER BY min(id)",
				-1, &q, NULL);
	if (rc != SQLITE_OK) {
		sbuf_free(&b);
		return store_fail(st, rc, "reading the per-case totals");
	}
	sqlite3_bind_int64(q, 1, id);
	sbuf_add(&b, ",\"cases\":{");
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n++)
			sbuf_add(&b, ",");
		sbuf_add_json_string(&b, col_text(q, 0));
		sbuf_printf(&b, ":%lld", (long long)sqlite3_column_int64(q, 1));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		sbuf_free(&b);
		return store_fail(st, rc, "reading the per-case totals");
	}
	sbuf_add(&b, "}}\n");
	enum store_status s = STORE_OK;
	*out = finish(st, &b, &s);
	return s;
}

enum store_status store_events_json(struct store *st, char **out)
{
	*out = NULL;
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db,
				    "SELECT id, name, total, goal, " ISO_SQL("started_ms") ", "
				    "CASE WHEN ended_ms IS NULL THEN NULL ELSE " ISO_SQL("ended_ms")
				    " END FROM events ORDER BY id",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "listing events");
	struct sbuf b;
	sbuf_init(&b);
	sbuf_add(&b, "[");
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sbuf_printf(&b, "%s\n{\"id\":%lld,\"name\":", n++ ? "," : "",
			    (long long)sqlite3_column_int64(q, 0));
		sbuf_add_json_string(&b, col_text(q, 1));
		sbuf_printf(&b, ",\"total\":%lld,\"goal\":%lld,\"started\":\"%s\",\"ended\":",
			    (long long)sqlite3_column_int64(q, 2),
			    (long long)sqlite3_column_int64(q, 3), col_text(q, 4));
		if (sqlite3_column_type(q, 5) == SQLITE_NULL)
			sbuf_add(&b, "null}");
		else
			sbuf_printf(&b, "\"%s\"}", col_text(q, 5));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		sbuf_free(&b);
		return store_fail(st, rc, "listing events");
	}
	sbuf_add(&b, "\n]\n");
	enum store_status s = STORE_OK;
	*out = finish(st, &b, &s);
	return s;
}

enum store_status store_export(struct store *st, enum store_export_format fmt, char **out)
{
	*out = NULL;
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	sqlite3_stmt *q;
	/* total_after is the event's running total after each row: what the screen showed. */
	int rc = sqlite3_prepare_v2(
		st->db,
		"SELECT e.id, e.name, c.id, " ISO_SQL("c.at_ms") ", c.kind, c.delta,"
		" sum(c.delta) OVER (PARTITION BY c.event_id ORDER BY c.id), c.source, c.kiosk_id,"
		" c.undoes, c.case_id, c.time_ok FROM counts c JOIN events e ON e.id = c.event_id"
		" ORDER BY c.id",
		-1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "exporting");
	struct sbuf b;
	sbuf_init(&b);
	if (fmt == STORE_EXPORT_CSV)
		sbuf_add(&b, "event_id,event,count_id,time_utc,kind,delta,total_after,source,"
			     "kiosk_id,undoes,case,time_ok\r\n");
	else
		sbuf_add(&b, "[");
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		long long event_id = sqlite3_column_int64(q, 0), id = sqlite3_column_int64(q, 2);
		long long delta = sqlite3_column_int64(q, 5), after = sqlite3_column_int64(q, 6);
		long long undoes = sqlite3_column_int64(q, 9);
		if (fmt == STORE_EXPORT_CSV) {
			sbuf_printf(&b, "%lld,", event_id);
			sbuf_add_csv_field(&b, col_text(q, 1));
			sbuf_printf(&b, ",%lld,%s,%s,%lld,%lld,", id, col_text(q, 3), col_text(q, 4),
				    delta, after);
			sbuf_add_csv_field(&b, col_text(q, 7));
			sbuf_printf(&b, ",%s,", col_text(q, 8));
			if (undoes)
				sbuf_printf(&b, "%lld", undoes);
			sbuf_add(&b, ",");
			sbuf_add_csv_field(&b, col_text(q, 10));
			sbuf_add(&b, ",");
			sbuf_add(&b, col_text(q, 11)); /* 1, 0, or empty: saved before it was checked */
			sbuf_add(&b, "\r\n");
		} else {
			sbuf_printf(&b, "%s\n{\"event_id\":%lld,\"event\":", n ? "," : "", event_id);
			sbuf_add_json_string(&b, col_text(q, 1));
			sbuf_printf(&b, ",\"id\":%lld,\"time\":\"%s\",\"kind\":\"%s\",\"delta\":%lld,"
					"\"total_after\":%lld,\"source\":",
				    id, col_text(q, 3), col_text(q, 4), delta, after);
			sbuf_add_json_string(&b, col_text(q, 7));
			sbuf_add(&b, ",\"kiosk_id\":");
			sbuf_add_json_string(&b, col_text(q, 8));
			if (undoes)
				sbuf_printf(&b, ",\"undoes\":%lld", undoes);
			if (sqlite3_column_type(q, 10) != SQLITE_NULL) {
				sbuf_add(&b, ",\"case\":");
				sbuf_add_json_string(&b, col_text(q, 10));
			}
			if (sqlite3_column_type(q, 11) != SQLITE_NULL)
				sbuf_printf(&b, ",\"time_ok\":%s",
					    sqlite3_column_int(q, 11) ? "true" : "false");
			sbuf_add(&b, "}");
		}
		n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		sbuf_free(&b);
		return store_fail(st, rc, "exporting");
	}
	if (fmt == STORE_EXPORT_JSON)
		sbuf_add(&b, "\n]\n");
	enum store_status s = STORE_OK;
	*out = finish(st, &b, &s);
	return s;
}

long long store_latest_ms(struct store *st)
{
	long long ms = 0;
	if (store_ensure_open(st) != STORE_OK ||
	    store_exec_int(st, "SELECT max(coalesce((SELECT max(at_ms) FROM counts), 0),"
			       " coalesce((SELECT max(started_ms) FROM events), 0))", &ms) != SQLITE_OK)
		return 0;
	return ms;
}
