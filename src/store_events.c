/*
 * The store's events: the current one (read at open and after a reopen), starting a new one
 * (by staff, or following another kiosk of the venue with its id), taking back a mistaken new
 * event, and the goal. See store.h; the list of events is a report (store_report.c).
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textcheck.h"

/* Reads the open event and its per-case totals into *out. */
static enum store_status read_current(struct store *st, struct store_event *out)
{
	sqlite3_stmt *s = st->stmt[ST_CURRENT];
	sqlite3_reset(s);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE) {
			store_set_err(st, "the database has no open event");
			return STORE_ERR_CORRUPT;
		}
		return store_fail(st, rc, "reading the current event");
	}
	struct store_event ev = { 0 };
	ev.id = sqlite3_column_int64(s, 0);
	const unsigned char *name = sqlite3_column_text(s, 1);
	snprintf(ev.name, sizeof ev.name, "%s", name ? (const char *)name : "");
	ev.total = sqlite3_column_int64(s, 2);
	ev.goal = sqlite3_column_int64(s, 3);
	ev.started_ms = sqlite3_column_int64(s, 4);
	const unsigned char *uid = sqlite3_column_text(s, 5);
	snprintf(ev.uid, sizeof ev.uid, "%s", uid ? (const char *)uid : "");
	ev.origin_ms = sqlite3_column_int64(s, 6);
	sqlite3_reset(s);
	/* One scan at open; after that the per-case totals move with each count. */
	sqlite3_stmt *q;
	rc = sqlite3_prepare_v2(st->db,
				"SELECT case_id, sum(delta) FROM counts WHERE event_id = ?1 AND"
				" case_id IS NOT NULL GROUP BY case_id ORDER BY min(id) LIMIT ?2",
				-1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the per-case totals");
	sqlite3_bind_int64(q, 1, ev.id);
	sqlite3_bind_int(q, 2, STORE_MAX_CASES);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_case_total *c = &ev.cases[ev.n_cases++];
		snprintf(c->id, sizeof c->id, "%s", (const char *)sqlite3_column_text(q, 0));
		c->total = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the per-case totals");
	*out = ev;
	return STORE_OK;
}

enum store_status store_load_current(struct store *st)
{
	struct store_event ev;
	enum store_status s = read_current(st, &ev);
	if (s == STORE_OK)
		st->cur = st->pend = ev;
	return s;
}

void store_current(const struct store *st, struct store_event *ev)
{
	*ev = st->cur;
}

enum store_status store_new_event(struct store *st, const char *name)
{
	return store_start_event(st, name, NULL, store_now_ms(), -1);
}

enum store_status store_start_event(struct store *st, const char *name, const char *uid,
				    long long origin_ms, long long goal)
{
	if (!name || !text_is_clean(name, STORE_NAME_MAX) || !text_has_visible(name)) {
		store_set_err(st, "an event name must be 1 to %d bytes of printable UTF-8 text",
			STORE_NAME_MAX - 1);
		return STORE_ERR_INVALID;
	}
	if ((uid && (!*uid || !text_is_clean(uid, STORE_UID_MAX))) || origin_ms < 0 ||
	    goal > STORE_COUNT_MAX) {
		store_set_err(st, "an event id is 1 to %d bytes, a goal 0 to %lld",
			      STORE_UID_MAX - 1, STORE_COUNT_MAX);
		return STORE_ERR_INVALID;
	}
	AUTO_TXN_BEGIN(st);
	sqlite3_stmt *s1 = NULL, *s2 = NULL;
	long long now = store_now_ms();
	enum store_status s = STORE_OK;
	int rc = sqlite3_prepare_v2(st->db, "UPDATE events SET ended_ms = ?2 WHERE id = ?1", -1,
				    &s1, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s1, 1, st->pend.id);
		sqlite3_bind_int64(s1, 2, now);
		rc = sqlite3_step(s1);
	}
	if (rc == SQLITE_DONE)
		rc = sqlite3_prepare_v2(st->db,
					"INSERT INTO events(name, started_ms, goal, uid, origin_ms)"
					" VALUES(?1, ?2, ?3, ?4, ?5)", -1, &s2, NULL);
	if (goal < 0)
		goal = st->pend.goal; /* carried over */
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s2, 1, name, -1, SQLITE_STATIC); /* see insert_row */
		sqlite3_bind_int64(s2, 2, now);
		sqlite3_bind_int64(s2, 3, goal);
		if (uid)
			sqlite3_bind_text(s2, 4, uid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s2, 5, origin_ms);
		rc = sqlite3_step(s2);
	}
	long long new_id = sqlite3_last_insert_rowid(st->db);
	if (rc == SQLITE_DONE) {
		/* Which event this one follows, for reopen (a key of its own: no schema change). */
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO meta(key, value) VALUES('before:%lld', '%lld')",
			 new_id, st->pend.id);
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? SQLITE_DONE
									 : sqlite3_errcode(st->db);
	}
	if (rc != SQLITE_DONE) {
		s = store_fail(st, rc, "starting a new event");
	} else {
		struct store_event ev = { 0 };
		ev.id = new_id;
		snprintf(ev.name, sizeof ev.name, "%s", name);
		snprintf(ev.uid, sizeof ev.uid, "%s", uid ? uid : "");
		ev.origin_ms = origin_ms;
		ev.goal = goal;
		ev.started_ms = now;
		st->pend = ev;
	}
	sqlite3_finalize(s1);
	sqlite3_finalize(s2);
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}

enum store_status store_reopen_previous(struct store *st, char *closed, size_t closed_len)
{
	AUTO_TXN_BEGIN(st);
	long long rows = 0, prev = 0;
	enum store_status s = STORE_OK;
	char sql[320];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM counts WHERE event_id = %lld", st->pend.id);
	int rc = store_exec_int(st, sql, &rows);
	if (rc == SQLITE_OK) {
		/* The event that was current before, as new-event wrote it down; for events
		 * started before that was written down, the one before by id. */
		snprintf(sql, sizeof sql,
			 "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key ="
			 " 'before:%lld'), (SELECT max(id) FROM events WHERE id < %lld), 0)",
			 st->pend.id, st->pend.id);
		rc = store_exec_int(st, sql, &prev);
	}
	if (rc != SQLITE_OK) {
		s = store_fail(st, rc, "looking for the previous event");
	} else if (rows > 0) {
		/* Its counts would stay behind in a closed event: not what "go back" means. */
		store_set_err(st, "\"%.100s\" has already counted (%lld row(s)); reopen only takes "
			      "back a new event that has counted nothing", st->pend.name, rows);
		s = STORE_ERR_INVALID;
	} else if (prev == 0) {
		store_set_err(st, "there is no earlier event to go back to");
		s = STORE_ERR_EMPTY;
	} else {
		/* The mistaken event stays, closed and empty: nothing is ever deleted. The other
		 * event is made current now, which is what a venue's kiosks go by (origin_ms):
		 * they follow the reopen instead of pulling this kiosk back to the mistake. */
		long long now = store_now_ms();
		snprintf(sql, sizeof sql,
			 "UPDATE events SET ended_ms = %lld WHERE id = %lld;"
			 "UPDATE events SET ended_ms = NULL, origin_ms = %lld WHERE id = %lld;",
			 now, st->pend.id, now, prev);
		char name[STORE_NAME_MAX];
		snprintf(name, sizeof name, "%s", st->pend.name);
		s = store_exec_sql(st, sql, "reopening the previous event");
		struct store_event ev;
		if (s == STORE_OK && (s = read_current(st, &ev)) == STORE_OK) {
			st->pend = ev;
			snprintf(closed, closed_len, "%s", name);
		}
	}
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}

/* The latest event here whose venue id is uid (one without: derive(name)); 0 if none. */
static enum store_status find_event(struct store *st, const char *uid, store_derive_uid_fn derive,
				    long long *found)
{
	*found = 0;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, "SELECT id, name, uid FROM events ORDER BY id DESC", -1,
				    &q, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);
		const char *own = (const char *)sqlite3_column_text(q, 2);
		char derived[STORE_UID_MAX];
		if ((own && !strcmp(own, uid)) ||
		    (!own && name && derive && !derive(name, derived, sizeof derived) &&
		     !strcmp(derived, uid))) {
			*found = sqlite3_column_int64(q, 0);
			rc = SQLITE_DONE;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "looking for an event");
}

/*
 * Takes back, by undo rows, every count of the current event not taken back yet, and returns
 * the letters per case (malloc'd; *n entries, ids "" for the room) for the event they go to.
 */
static enum store_status take_all_back(struct store *st, const char *source,
				       struct store_case_pn **out, int *n)
{
	*out = NULL;
	*n = 0;
	long long now;
	int time_ok;
	enum store_status s = store_row_time(st, &now, &time_ok);
	if (s)
		return s;
	static const char live[] = " FROM counts c WHERE c.event_id = ?1"
				   " AND c.kind IN ('press', 'add')"
				   " AND NOT EXISTS (SELECT 1 FROM counts u WHERE u.undoes = c.id)";
	sqlite3_stmt *q;
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT coalesce(c.case_id, ''), sum(c.delta)%s GROUP BY 1"
		 " ORDER BY min(c.id)", live);
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(q, 1, st->pend.id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_case_pn *more = realloc(*out, (size_t)(*n + 1) * sizeof *more);
		if (!more) {
			rc = SQLITE_NOMEM;
			break;
		}
		*out = more;
		struct store_case_pn *c = &more[(*n)++];
		snprintf(c->id, sizeof c->id, "%s", (const char *)sqlite3_column_text(q, 0));
		c->p = sqlite3_column_int64(q, 1);
		c->n = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE) {
		snprintf(sql, sizeof sql, "INSERT INTO counts(event_id, at_ms, kind, delta, source,"
			 " kiosk_id, undoes, case_id, time_ok) SELECT c.event_id, ?2, 'undo', -c.delta,"
			 " ?3, ?4, c.id, c.case_id, ?5%s", live);
		rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(q, 1, st->pend.id);
			sqlite3_bind_int64(q, 2, now);
			sqlite3_bind_text(q, 3, source, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 4, st->kiosk_id, -1, SQLITE_STATIC);
			sqlite3_bind_int(q, 5, time_ok);
			rc = sqlite3_step(q);
			sqlite3_finalize(q);
		}
	}
	if (rc == SQLITE_DONE) {
		snprintf(sql, sizeof sql, "UPDATE events SET total = (SELECT coalesce(sum(delta), 0)"
			 " FROM counts WHERE event_id = %lld) WHERE id = %lld", st->pend.id,
			 st->pend.id);
		return store_exec_sql(st, sql, "taking the letters back");
	}
	free(*out);
	*out = NULL;
	*n = 0;
	return store_fail(st, rc, "taking the letters back");
}

enum store_status store_resume_event(struct store *st, const char *uid, long long origin_ms,
				     long long goal, store_derive_uid_fn derive,
				     const char *source, long long *moved)
{
	*moved = 0;
	if (!uid || !*uid || !text_is_clean(uid, STORE_UID_MAX) || origin_ms < 0 ||
	    goal > STORE_COUNT_MAX || !source || !text_is_clean(source, STORE_SOURCE_MAX)) {
		store_set_err(st, "an event id is 1 to %d bytes, a goal 0 to %lld",
			      STORE_UID_MAX - 1, STORE_COUNT_MAX);
		return STORE_ERR_INVALID;
	}
	AUTO_TXN_BEGIN(st);
	long long found = 0;
	struct store_case_pn *letters = NULL;
	int n = 0;
	enum store_status s = find_event(st, uid, derive, &found);
	if (s == STORE_OK && !found) {
		store_set_err(st, "no event here has the id \"%.63s\"", uid);
		s = STORE_ERR_EMPTY;
	}
	char sql[320];
	if (s == STORE_OK && found == st->pend.id) {
		/* Already current here: only when the venue made it current changes. */
		snprintf(sql, sizeof sql, "UPDATE events SET origin_ms = %lld WHERE id = %lld",
			 origin_ms, found);
		s = store_exec_sql(st, sql, "noting the venue's event");
	} else if (s == STORE_OK) {
		s = take_all_back(st, source, &letters, &n);
		if (s == STORE_OK) {
			snprintf(sql, sizeof sql,
				 "UPDATE events SET ended_ms = %lld WHERE id = %lld;"
				 "UPDATE events SET ended_ms = NULL, origin_ms = %lld WHERE id = %lld;",
				 store_now_ms(), st->pend.id, origin_ms, found);
			s = store_exec_sql(st, sql, "going back to the venue's event");
		}
		if (s == STORE_OK && goal >= 0) {
			snprintf(sql, sizeof sql, "UPDATE events SET goal = %lld WHERE id = %lld", goal,
				 found);
			s = store_exec_sql(st, sql, "going back to the venue's event");
		}
	}
	struct store_event ev;
	if (s == STORE_OK && (s = read_current(st, &ev)) == STORE_OK)
		st->pend = ev;
	for (int i = 0; s == STORE_OK && i < n; i++) {
		if (letters[i].p <= 0)
			continue;
		s = store_insert_row(st, "add", letters[i].p, source, 0,
				     letters[i].id[0] ? letters[i].id : NULL);
		*moved += letters[i].p;
	}
	free(letters);
	if (s)
		*moved = 0;
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}

enum store_status store_set_goal(struct store *st, long long goal)
{
	if (goal < 0 || goal > STORE_COUNT_MAX) {
		store_set_err(st, "a goal must be 0 to %lld", STORE_COUNT_MAX);
		return STORE_ERR_INVALID;
	}
	AUTO_TXN_BEGIN(st);
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, "UPDATE events SET goal = ?2 WHERE id = ?1", -1, &q,
				    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, st->pend.id);
		sqlite3_bind_int64(q, 2, goal);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
	}
	enum store_status s = STORE_OK;
	if (rc != SQLITE_DONE)
		s = store_fail(st, rc, "setting the goal");
	else
		st->pend.goal = goal;
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}
