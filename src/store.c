/*
 * See store.h. The store's transactions (group commit, a savepoint per job, what a failed
 * commit means), the counts and undo, the settings, and the helpers the store's files share.
 * Durability rules (docs/reliability.md): WAL with synchronous=FULL set on every open and read
 * back (store_open.c), one connection holding the file exclusively (no -shm file and no second
 * writer, which sidesteps SQLite 3.40's WAL-reset race), and the in-memory copy of the current
 * event updated only after COMMIT returned SQLITE_OK.
 */
#include "store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clockcheck.h"
#include "textcheck.h"

long long store_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void store_set_err(struct store *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
	va_end(ap);
}

/* Maps an SQLite result to a store status and records what SQLite said about it. */
enum store_status store_fail(struct store *st, int rc, const char *what)
{
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;
	const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	if (sys)
		store_set_err(st, "%s: %s (%s)", what, msg, strerror(sys));
	else
		store_set_err(st, "%s: %s", what, msg);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_ERR_BUSY;
	case SQLITE_NOTADB:
		return STORE_ERR_NOTDB;
	case SQLITE_CORRUPT:
		return STORE_ERR_CORRUPT;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return STORE_ERR_READONLY;
	case SQLITE_CANTOPEN:
		return (sys == EACCES || sys == EROFS || sys == EPERM) ? STORE_ERR_READONLY
								      : STORE_ERR_IO;
	case SQLITE_NOMEM:
		return STORE_ERR_NOMEM;
	case SQLITE_CONSTRAINT:
		return STORE_ERR_INVALID;
	default:
		return STORE_ERR_IO;
	}
}

const char *store_status_name(enum store_status s)
{
	switch (s) {
	case STORE_OK: return "ok";
	case STORE_ERR_BUSY: return "busy";
	case STORE_ERR_NOTDB: return "notdb";
	case STORE_ERR_FUTURE: return "future";
	case STORE_ERR_CORRUPT: return "corrupt";
	case STORE_ERR_READONLY: return "readonly";
	case STORE_ERR_IO: return "io";
	case STORE_ERR_INVALID: return "invalid";
	case STORE_ERR_EMPTY: return "empty";
	case STORE_ERR_NOMEM: return "nomem";
	case STORE_ERR_CONFIRM: return "confirm";
	}
	return "unknown";
}

const char *store_errmsg(const struct store *st)
{
	return st ? st->errmsg : "out of memory";
}

const char *store_kiosk_id(const struct store *st)
{
	return st->kiosk_id;
}

/* Runs a statement that returns at most one integer; *out = that integer (or 0). */
int store_exec_int(struct store *st, const char *sql, long long *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	*out = 0;
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Runs a pragma that returns one text value into buf. */
int store_exec_text(struct store *st, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	buf[0] = '\0';
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		snprintf(buf, len, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}
static void add_to_case(struct store_event *ev, const char *case_id, long long delta)
{
	for (int i = 0; i < ev->n_cases; i++)
		if (!strcmp(ev->cases[i].id, case_id)) {
			ev->cases[i].total += delta;
			return;
		}
	if (ev->n_cases == STORE_MAX_CASES)
		return;
	struct store_case_total *c = &ev->cases[ev->n_cases++];
	snprintf(c->id, sizeof c->id, "%s", case_id);
	c->total = delta;
}

enum store_status store_exec_sql(struct store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, what);
}

long long store_pending_total(const struct store *st)
{
	return st->in_txn ? st->pend.total : st->cur.total;
}

enum store_status store_begin(struct store *st)
{
	if (st->in_txn) {
		store_set_err(st, "a transaction is already open");
		return STORE_ERR_INVALID;
	}
	enum store_status s = store_ensure_open(st);
	if (s)
		return s;
	s = store_exec_sql(st, "BEGIN IMMEDIATE", "starting a transaction");
	if (s == STORE_OK) {
		st->in_txn = 1;
		st->txn_failed = 0;
		st->pend = st->cur;
		st->pend_row = 0;
	}
	return s;
}

/*
 * SQLite rolls a whole transaction back by itself after some errors (I/O, disk full, out of
 * memory). Statements run after that would each commit on their own, outside the group, and
 * be reported as failed with the group: refuse them instead.
 */
int store_txn_lost(struct store *st)
{
	if (st->in_txn && sqlite3_get_autocommit(st->db)) {
		store_set_err(st, "the transaction was rolled back after an earlier failure");
		return 1;
	}
	return 0;
}

/* Whether the file, just reopened, holds the transaction whose commit reported failure. */
static int commit_landed(struct store *st, const struct store_event *want, long long want_row)
{
	if (st->cur.id != want->id || st->cur.total != want->total ||
	    st->cur.goal != want->goal || strcmp(st->cur.name, want->name) != 0)
		return 0;
	long long max_row;
	if (store_exec_int(st, "SELECT coalesce(max(id), 0) FROM counts", &max_row) != SQLITE_OK)
		return 0;
	return want_row == 0 || max_row == want_row;
}

enum store_status store_commit(struct store *st)
{
	if (!st->in_txn) {
		store_set_err(st, "no transaction is open");
		return STORE_ERR_INVALID;
	}
	enum store_status s;
	int rc = SQLITE_ERROR;
	if (st->txn_failed) {
		/* Nothing of it is saved; the jobs are reported failed (presses are saved again). */
		st->txn_failed = 0;
		store_rollback(st);
		if (st->db && !sqlite3_get_autocommit(st->db))
			store_reopen(st); /* even ROLLBACK failed: closing the file drops the transaction */
		store_set_err(st, "a step of this transaction could not be finished (out of "
				  "memory?); none of it was saved");
		return STORE_ERR_NOMEM;
	}
	if (store_txn_lost(st)) {
		s = STORE_ERR_IO;
	} else {
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK) {
			st->in_txn = 0;
			st->cur = st->pend;
			return STORE_OK;
		}
		s = store_fail(st, rc, "committing");
	}
	st->in_txn = 0;
	/*
	 * Never treat a failed commit as done. Reopen and believe only the file. If the file does
	 * hold this transaction (the WAL frames were written, only their fsync failed), a fresh
	 * checkpoint writes them into the database file and syncs it: if that succeeds they are
	 * durable after all and the commit stands; reporting it failed would make the kiosk save
	 * the same presses twice.
	 */
	struct store_event want = st->pend;
	long long want_row = st->pend_row;
	if (store_reopen(st) == STORE_OK && commit_landed(st, &want, want_row)) {
		int log_frames = -1, done_frames = -1;
		rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
					       &done_frames);
		if (rc == SQLITE_OK && log_frames == done_frames) {
			char msg[sizeof st->errmsg];
			snprintf(msg, sizeof msg, "%.300s; reopened: the commit had reached the file and "
				 "is now synced", st->errmsg);
			memcpy(st->errmsg, msg, sizeof msg);
			return STORE_OK;
		}
		/* Not known to be durable: report the failure; the file may keep it (a phantom,
		 * counted once more when the kiosk saves the presses again). */
	}
	return s;
}

void store_rollback(struct store *st)
{
	if (!st->in_txn)
		return;
	st->in_txn = 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->pend = st->cur;
}

enum store_status store_auto_txn_end(struct store *st, int auto_txn, enum store_status s,
					    const struct store_event *job_pend, long long job_row)
{
	if (!auto_txn) {
		if (!s) {
			/* A job whose savepoint stays open (out of memory releasing it) would be
			 * reported failed yet committed with the batch: refuse the batch instead. */
			s = store_exec_sql(st, "RELEASE job", "saving a count");
			if (s)
				st->txn_failed = 1;
			else
				return s;
		}
		/* After an I/O error SQLite may have rolled the whole transaction back already:
		 * then there is no savepoint left and the commit fails (store_txn_lost). */
		if (!sqlite3_get_autocommit(st->db)) {
			char msg[sizeof st->errmsg];
			memcpy(msg, st->errmsg, sizeof msg);
			if (sqlite3_exec(st->db, "ROLLBACK TO job; RELEASE job", NULL, NULL, NULL) !=
			    SQLITE_OK)
				st->txn_failed = 1;
			memcpy(st->errmsg, msg, sizeof msg);
		}
		st->pend = *job_pend;
		st->pend_row = job_row;
		return s;
	}
	if (s) {
		char msg[sizeof st->errmsg];
		memcpy(msg, st->errmsg, sizeof msg);
		store_rollback(st);
		memcpy(st->errmsg, msg, sizeof msg);
		return s;
	}
	return store_commit(st);
}

/* The time a row is written with, as the clock says, and whether the clock could be right. */
enum store_status store_row_time(struct store *st, long long *now, int *time_ok)
{
	*now = store_now_ms();
	if (!st->latest_known) {
		long long ms = 0;
		int qrc = store_exec_int(st, "SELECT max(coalesce((SELECT max(at_ms) FROM counts), 0),"
					 " coalesce((SELECT max(started_ms) FROM events), 0))", &ms);
		if (qrc != SQLITE_OK)
			return store_fail(st, qrc, "reading the latest time");
		st->latest_ms = ms;
		st->latest_known = 1;
	}
	/* A failed statement (out of memory) may have rolled the whole transaction back: a row
	 * written now would commit on its own while its job is reported failed. */
	if (store_txn_lost(st))
		return STORE_ERR_IO;
	*time_ok = clockcheck_judge(*now, clockcheck_build_ms(), st->latest_ms) == CLOCKCHECK_OK;
	return STORE_OK;
}

enum store_status store_insert_row(struct store *st, const char *kind, long long delta,
				    const char *source, long long undoes, const char *case_id)
{
	long long now;
	int time_ok;
	enum store_status ts = store_row_time(st, &now, &time_ok);
	if (ts)
		return ts;
	sqlite3_stmt *s = st->stmt[ST_INSERT_COUNT];
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, st->pend.id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int(s, 9, time_ok);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, delta);
	/* SQLITE_STATIC, not TRANSIENT: the strings outlive the step, and a TRANSIENT copy that
	 * fails for lack of memory binds NULL, which saved a count with no case or failed as a
	 * constraint ("invalid": not saved again) instead of as out of memory (tests/oom). */
	sqlite3_bind_text(s, 5, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, st->kiosk_id, -1, SQLITE_STATIC);
	if (undoes > 0)
		sqlite3_bind_int64(s, 7, undoes);
	else
		sqlite3_bind_null(s, 7);
	if (case_id)
		sqlite3_bind_text(s, 8, case_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 8);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "saving a count");
	if (now > st->latest_ms)
		st->latest_ms = now;
	st->pend_row = sqlite3_last_insert_rowid(st->db);
	s = st->stmt[ST_ADD_TOTAL];
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, st->pend.id);
	sqlite3_bind_int64(s, 2, delta);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "updating the total");
	st->pend.total += delta;
	if (case_id)
		add_to_case(&st->pend, case_id, delta);
	return STORE_OK;
}

static int source_ok(const char *source)
{
	return source && text_is_clean(source, STORE_SOURCE_MAX);
}

enum store_status store_count(struct store *st, enum store_kind kind, long long delta,
			      const char *source, const char *case_id)
{
	if (!source_ok(source) || (case_id && !text_is_clean(case_id, STORE_CASE_ID_MAX)) ||
	    (kind == STORE_PRESS && delta != 1) ||
	    (kind == STORE_ADD && (delta < 1 || delta > STORE_COUNT_MAX)) || kind == STORE_UNDO) {
		store_set_err(st, "invalid count %lld from %s", delta, source ? source : "(none)");
		return STORE_ERR_INVALID;
	}
	if (st->pend.total > STORE_COUNT_MAX * 8) {
		store_set_err(st, "the total would overflow");
		return STORE_ERR_INVALID;
	}
	AUTO_TXN_BEGIN(st);
	enum store_status s =
		store_insert_row(st, kind == STORE_PRESS ? "press" : "add", delta, source, 0, case_id);
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}

enum store_status store_undo(struct store *st, const char *source, long long *undone)
{
	return store_undo_max(st, source, 0, undone);
}

enum store_status store_undo_max(struct store *st, const char *source, long long max,
				 long long *undone)
{
	*undone = 0;
	if (!source_ok(source)) {
		store_set_err(st, "invalid source");
		return STORE_ERR_INVALID;
	}
	AUTO_TXN_BEGIN(st);
	sqlite3_stmt *q = st->stmt[ST_UNDO_TARGET];
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, st->pend.id);
	int rc = sqlite3_step(q);
	enum store_status s;
	if (rc == SQLITE_ROW) {
		long long target = sqlite3_column_int64(q, 0);
		long long delta = sqlite3_column_int64(q, 1);
		char case_id[STORE_CASE_ID_MAX] = "";
		if (sqlite3_column_type(q, 2) != SQLITE_NULL)
			snprintf(case_id, sizeof case_id, "%s", (const char *)sqlite3_column_text(q, 2));
		sqlite3_reset(q);
		if (max > 0 && delta > max) {
			store_set_err(st, "the latest entry is %lld letters, more than the %lld "
					  "expected: look again before taking it back", delta, max);
			return store_auto_txn_end(st, auto_txn, STORE_ERR_CONFIRM, &job_pend, job_row);
		}
		s = store_insert_row(st, "undo", -delta, source, target, case_id[0] ? case_id : NULL);
		if (s == STORE_OK)
			*undone = delta;
	} else {
		sqlite3_reset(q);
		if (rc == SQLITE_DONE) {
			store_set_err(st, "nothing to undo in event \"%s\"", st->pend.name);
			s = STORE_ERR_EMPTY;
		} else {
			s = store_fail(st, rc, "finding the count to undo");
		}
	}
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}

#ifdef TALLYKIOSK_TEST_HOOKS
enum store_status store_test_weaken_sync(struct store *st)
{
	return store_exec_sql(st, "PRAGMA synchronous = NORMAL", "weakening synchronous");
}
#endif

enum store_status store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
	buf[0] = '\0';
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading a setting");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading a setting");
	return STORE_OK;
}

enum store_status store_meta_set(struct store *st, const char *key, const char *value)
{
	if (!text_is_clean(value, 1024) || !text_is_clean(key, 64) || !key[0]) {
		store_set_err(st, "invalid setting");
		return STORE_ERR_INVALID;
	}
	AUTO_TXN_BEGIN(st);
	sqlite3_stmt *q;
	enum store_status s = STORE_OK;
	int rc = sqlite3_prepare_v2(st->db, "INSERT INTO meta(key, value) VALUES(?1, ?2)"
					    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
				    -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		s = store_fail(st, rc, "saving a setting");
	return store_auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}
