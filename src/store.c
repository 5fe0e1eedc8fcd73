/*
 * See store.h. Durability rules (docs/reliability.md): WAL with synchronous=FULL
 * set on every open and read back, one connection holding the file exclusively (no -shm file
 * and no second writer, which sidesteps SQLite 3.40's WAL-reset race), and the in-memory
 * copy of the current event updated only after COMMIT returned SQLITE_OK.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clockcheck.h"
#include "sbuf.h"
#include "textcheck.h"

static const char *const stmt_sql[ST__COUNT] = {
	[ST_INSERT_COUNT] = "INSERT INTO counts(event_id, at_ms, kind, delta, source, kiosk_id, undoes,"
			    " case_id, time_ok) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ADD_TOTAL] = "UPDATE events SET total = total + ?2 WHERE id = ?1",
	[ST_UNDO_TARGET] = "SELECT c.id, c.delta, c.case_id FROM counts c WHERE c.event_id = ?1"
			   " AND c.kind IN ('press', 'add') AND c.source != '" SOURCE_RECOVERED "'"
			   " AND NOT EXISTS"
			   " (SELECT 1 FROM counts u WHERE u.undoes = c.id) ORDER BY c.id DESC LIMIT 1",
	[ST_CURRENT] = "SELECT id, name, total, goal, started_ms, uid, origin_ms FROM events"
		       " WHERE ended_ms IS NULL"
		       " ORDER BY id DESC LIMIT 1",
	[ST_SUM_EVENT] = "SELECT coalesce(sum(delta), 0) FROM counts WHERE event_id = ?1",
};

static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
	"CREATE TABLE events("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL CHECK(length(name) > 0),"
	" started_ms INTEGER NOT NULL,"
	" ended_ms INTEGER,"
	" goal INTEGER NOT NULL DEFAULT 0 CHECK(goal >= 0),"
	" total INTEGER NOT NULL DEFAULT 0 CHECK(total >= 0)) STRICT;"
	"CREATE TABLE counts("
	" id INTEGER PRIMARY KEY,"
	" event_id INTEGER NOT NULL REFERENCES events(id),"
	" at_ms INTEGER NOT NULL,"
	" kind TEXT NOT NULL CHECK(kind IN ('press', 'add', 'undo')),"
	" delta INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" kiosk_id TEXT NOT NULL,"
	" undoes INTEGER REFERENCES counts(id),"
	" case_id TEXT) STRICT;"
	"CREATE INDEX counts_by_event ON counts(event_id, id);"
	"CREATE UNIQUE INDEX counts_undone ON counts(undoes) WHERE undoes IS NOT NULL;"
	"INSERT INTO meta(key, value) VALUES('kiosk_id', lower(hex(randomblob(16))));";

/* Version 3: whether a count's time could be trusted when it was saved (clockcheck.h: a Pi
 * has no clock of its own); NULL for rows saved before the kiosk checked. */
static const char schema_v3[] =
	"ALTER TABLE counts ADD COLUMN time_ok INTEGER CHECK(time_ok IS NULL OR time_ok IN (0, 1));";

/* Version 2: several kiosks (docs/several-kiosks.md). An event's uid names it across the
 * kiosks of a venue (NULL: derived from its name, as for the first event of every kiosk);
 * origin_ms is when staff started it (0: never started by staff, so never announced). The
 * peers' last states are kept so a venue total survives a broker that lost them. */
static const char schema_v2[] =
	"ALTER TABLE events ADD COLUMN uid TEXT CHECK(uid IS NULL OR length(uid) BETWEEN 1 AND 63);"
	"ALTER TABLE events ADD COLUMN origin_ms INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE peer_states("
	" topic TEXT PRIMARY KEY,"
	" payload TEXT NOT NULL,"
	" received_ms INTEGER NOT NULL) STRICT;";


static long long now_ms(void)
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

static enum store_status create_schema(struct store *st, const char *first_event, long long goal)
{
	enum store_status s = store_exec_sql(st, "BEGIN IMMEDIATE", "creating the schema");
	if (s)
		return s;
	long long version;
	int rc = store_exec_int(st, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		s = store_fail(st, rc, "reading the schema version");
		goto rollback;
	}
	if (version != 0) { /* another process created it while we waited: nothing to do */
		return store_exec_sql(st, "COMMIT", "creating the schema");
	}
	s = store_exec_sql(st, schema_v1, "creating the schema");
	if (!s)
		s = store_exec_sql(st, schema_v2, "creating the schema");
	if (!s)
		s = store_exec_sql(st, schema_v3, "creating the schema");
	if (s)
		goto rollback;
	sqlite3_stmt *ins;
	rc = sqlite3_prepare_v2(st->db,
				"INSERT INTO events(name, started_ms, goal) VALUES(?1, ?2, ?3)", -1,
				&ins, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(ins, 1, first_event, -1, SQLITE_STATIC); /* see insert_row */
		sqlite3_bind_int64(ins, 2, now_ms());
		sqlite3_bind_int64(ins, 3, goal);
		rc = sqlite3_step(ins);
		sqlite3_finalize(ins);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		s = store_fail(st, rc, "creating the first event");
		goto rollback;
	}
	char sql[96];
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		 STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
	s = store_exec_sql(st, sql, "setting the schema version");
	if (s)
		goto rollback;
	return store_exec_sql(st, "COMMIT", "committing the new schema");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return s;
}

/* Brings a file of an older schema version up to this one, in one transaction. */
static enum store_status migrate(struct store *st, const char *path, long long from)
{
	enum store_status s = store_exec_sql(st, "BEGIN IMMEDIATE", path);
	if (s)
		return s;
	long long version;
	int rc = store_exec_int(st, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		s = store_fail(st, rc, path);
		goto rollback;
	}
	if (version != from) /* another process migrated it while we waited */
		return store_exec_sql(st, "COMMIT", path);
	if (version < 2)
		s = store_exec_sql(st, schema_v2, "migrating the database to schema version 2");
	if (!s && version < 3)
		s = store_exec_sql(st, schema_v3, "migrating the database to schema version 3");
	if (s)
		goto rollback;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	s = store_exec_sql(st, sql, "setting the schema version");
	if (s)
		goto rollback;
	return store_exec_sql(st, "COMMIT", "committing the migration");
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return s;
}

/* Checks that the file is ours and of a version we understand, and migrates it if needed. */
static enum store_status check_and_migrate(struct store *st, const char *path,
					   const char *first_event, long long goal)
{
	long long app_id, version, tables;
	int rc = store_exec_int(st, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = store_exec_int(st, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = store_exec_int(st, "SELECT count(*) FROM sqlite_schema", &tables);
	if (rc != SQLITE_OK) {
		enum store_status s = store_fail(st, rc, path);
		if (s == STORE_ERR_NOTDB)
			store_set_err(st, "%s: not an SQLite database (the file is something else)", path);
		return s;
	}
	if (app_id != STORE_APPLICATION_ID && (app_id != 0 || tables != 0)) {
		store_set_err(st, "%s: an SQLite database, but not a tallykiosk one (application_id %lld)",
			path, app_id);
		return STORE_ERR_NOTDB;
	}
	if (version > STORE_SCHEMA_VERSION) {
		store_set_err(st, "%s: written by a newer tallykiosk (schema version %lld, this one knows "
			    "up to %d); upgrade tallykiosk, the file is left untouched",
			path, version, STORE_SCHEMA_VERSION);
		return STORE_ERR_FUTURE;
	}
	if (version == 0) {
		if (!first_event) {
			store_set_err(st, "%s: not a tallykiosk database (no schema)", path);
			return STORE_ERR_NOTDB;
		}
		return create_schema(st, first_event, goal);
	}
	if (version < STORE_SCHEMA_VERSION)
		return migrate(st, path, version);
	return STORE_OK;
}

static enum store_status verify(struct store *st, const char *path)
{
	char result[256];
	int rc = store_exec_text(st, "PRAGMA quick_check", result, sizeof result);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "checking the database");
	if (strcmp(result, "ok") != 0) {
		store_set_err(st, "%s: the database is damaged (quick_check: %s)", path, result);
		return STORE_ERR_CORRUPT;
	}
	return STORE_OK;
}

static enum store_status prepare_all(struct store *st)
{
	for (int i = 0; i < ST__COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &st->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return store_fail(st, rc, "preparing statements");
	}
	return STORE_OK;
}

enum store_status store_check_total(struct store *st, const char *path)
{
	sqlite3_stmt *s = st->stmt[ST_SUM_EVENT];
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, st->cur.id);
	int rc = sqlite3_step(s);
	long long sum = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "summing the current event");
	if (sum != st->cur.total) {
		store_set_err(st, "%s: event %lld total %lld disagrees with its count rows (%lld)", path,
			st->cur.id, st->cur.total, sum);
		return STORE_ERR_CORRUPT;
	}
	return STORE_OK;
}

/* SQLite reports only the last errno of its fallbacks, so ask about the folder directly. */
static int dir_writable(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return access(".", W_OK) == 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return access(dir, W_OK) == 0;
}

/* Opens st->path into st->db and loads the current event; on failure st->db may be left
 * open (close_db). first_event NULL: the file must exist. */
static enum store_status open_db(struct store *st, const char *first_event, long long first_goal,
				 int wait_ms)
{
	const char *path = st->path;
	int flags = SQLITE_OPEN_READWRITE | (first_event ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
	if (rc != SQLITE_OK) {
		enum store_status s = store_fail(st, rc, path);
		if ((rc & 0xff) == SQLITE_CANTOPEN && !dir_writable(path)) {
			store_set_err(st, "%s: cannot create or open for writing: its folder is not "
				    "writable; check the folder's owner and permissions", path);
			s = STORE_ERR_READONLY;
		}
		return s;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, wait_ms);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

	/* Exclusive before WAL: the WAL index then lives in this process's heap, and no other
	 * process can open the file while we hold it. */
	enum store_status s = store_exec_sql(st, "PRAGMA locking_mode = EXCLUSIVE", path);
	if (s)
		return s;
	s = check_and_migrate(st, path, first_event, first_goal);
	if (s)
		return s;
	char mode[32];
	rc = store_exec_text(st, "PRAGMA journal_mode = WAL", mode, sizeof mode);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, path);
	if (strcmp(mode, "wal") != 0) {
		store_set_err(st, "%s: cannot switch to WAL mode (got %s)", path, mode);
		return STORE_ERR_IO;
	}
	s = store_exec_sql(st,
		     "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
		     " PRAGMA cell_size_check = ON; PRAGMA wal_autocheckpoint = 100;"
		     " PRAGMA journal_size_limit = 1048576",
		     path);
	if (s)
		return s;
	long long sync;
	rc = store_exec_int(st, "PRAGMA synchronous", &sync);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, path);
	if (sync != 2) { /* 2 = FULL: anything less can lose an acknowledged count on power loss */
		store_set_err(st, "%s: synchronous is %lld, not FULL", path, sync);
		return STORE_ERR_IO;
	}
	s = verify(st, path);
	if (s)
		return s;
	s = prepare_all(st);
	if (s)
		return s;
	rc = store_exec_text(st, "SELECT value FROM meta WHERE key = 'kiosk_id'", st->kiosk_id,
		       sizeof st->kiosk_id);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, path);
	s = store_load_current(st);
	if (s)
		return s;
	return store_check_total(st, path);
}

void store_close_db(struct store *st)
{
	if (!st->db)
		return;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = 0;
	for (int i = 0; i < ST__COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	/* Every statement is finalized, so close runs the last checkpoint. */
	sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close_v2(st->db);
	st->db = NULL;
}

enum store_status store_open(struct store **out, const char *path, const char *first_event,
			     long long first_goal, int wait_ms)
{
	struct store *st = calloc(1, sizeof *st);
	*out = st;
	if (!st)
		return STORE_ERR_NOMEM;
	st->path = strdup(path);
	if (!st->path) {
		store_set_err(st, "out of memory");
		return STORE_ERR_NOMEM;
	}
	if ((first_event && !text_is_clean(first_event, STORE_NAME_MAX)) || first_goal < 0 ||
	    first_goal > STORE_COUNT_MAX) {
		store_set_err(st, "invalid first event name or goal");
		return STORE_ERR_INVALID;
	}
	return open_db(st, first_event, first_goal, wait_ms);
}

/*
 * After a failed commit neither SQLite's memory nor ours can be trusted to match the file (a
 * failed fsync leaves it unknown what reached the disk): close the connection and open the
 * file again, so the totals are re-read from what the file really holds.
 */
static enum store_status reopen(struct store *st)
{
	char why[sizeof st->errmsg];
	memcpy(why, st->errmsg, sizeof why);
	store_close_db(st);
	enum store_status s = open_db(st, NULL, 0, 1000);
	if (s) {
		store_close_db(st);
		st->broken = 1;
		char again[sizeof st->errmsg];
		memcpy(again, st->errmsg, sizeof again);
		store_set_err(st, "%.200s; reopening failed: %.280s", why, again);
		return s;
	}
	st->broken = 0;
	memcpy(st->errmsg, why, sizeof why);
	return STORE_OK;
}

/* A store left broken by a failed reopen tries again before each use. */
enum store_status store_ensure_open(struct store *st)
{
	return st->broken ? reopen(st) : STORE_OK;
}


void store_close(struct store *st)
{
	if (!st)
		return;
	store_close_db(st);
	free(st->path);
	free(st);
}

void store_current(const struct store *st, struct store_event *ev)
{
	*ev = st->cur;
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
static int txn_lost(struct store *st)
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
			reopen(st); /* even ROLLBACK failed: closing the file drops the transaction */
		store_set_err(st, "a step of this transaction could not be finished (out of "
				  "memory?); none of it was saved");
		return STORE_ERR_NOMEM;
	}
	if (txn_lost(st)) {
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
	if (reopen(st) == STORE_OK && commit_landed(st, &want, want_row)) {
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

/*
 * Runs body inside its own transaction unless the caller opened one; inside the caller's (a
 * group commit) inside a savepoint, so a job that fails half-way (its row written, its total
 * not) leaves nothing in the batch the others commit.
 */
#define AUTO_TXN_BEGIN(st)                                                          \
	int auto_txn = !(st)->in_txn;                                               \
	struct store_event job_pend = (st)->pend;                                   \
	long long job_row = (st)->pend_row;                                         \
	if (auto_txn) {                                                             \
		enum store_status bs = store_begin(st);                             \
		if (bs)                                                             \
			return bs;                                                  \
	} else if (txn_lost(st)) {                                                  \
		return STORE_ERR_IO;                                                \
	} else {                                                                    \
		enum store_status bs = store_exec_sql(st, "SAVEPOINT job", "saving a count"); \
		if (bs)                                                             \
			return bs;                                                  \
	}
static enum store_status auto_txn_end(struct store *st, int auto_txn, enum store_status s,
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
		 * then there is no savepoint left and the commit fails (txn_lost). */
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

static enum store_status insert_row(struct store *st, const char *kind, long long delta,
				    const char *source, long long undoes, const char *case_id)
{
	/* The time is written as the clock says, with whether the clock could be right. */
	long long now = now_ms();
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
	if (txn_lost(st))
		return STORE_ERR_IO;
	int time_ok = clockcheck_judge(now, clockcheck_build_ms(), st->latest_ms) == CLOCKCHECK_OK;
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
		insert_row(st, kind == STORE_PRESS ? "press" : "add", delta, source, 0, case_id);
	return auto_txn_end(st, auto_txn, s, &job_pend, job_row);
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
			return auto_txn_end(st, auto_txn, STORE_ERR_CONFIRM, &job_pend, job_row);
		}
		s = insert_row(st, "undo", -delta, source, target, case_id[0] ? case_id : NULL);
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
	return auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}

enum store_status store_new_event(struct store *st, const char *name)
{
	return store_start_event(st, name, NULL, now_ms(), -1);
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
	long long now = now_ms();
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
	return auto_txn_end(st, auto_txn, s, &job_pend, job_row);
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
		/* The mistaken event stays, closed and empty: nothing is ever deleted. */
		snprintf(sql, sizeof sql,
			 "UPDATE events SET ended_ms = %lld WHERE id = %lld;"
			 "UPDATE events SET ended_ms = NULL WHERE id = %lld;",
			 now_ms(), st->pend.id, prev);
		char name[STORE_NAME_MAX];
		snprintf(name, sizeof name, "%s", st->pend.name);
		s = store_exec_sql(st, sql, "reopening the previous event");
		struct store_event ev;
		if (s == STORE_OK && (s = read_current(st, &ev)) == STORE_OK) {
			st->pend = ev;
			snprintf(closed, closed_len, "%s", name);
		}
	}
	return auto_txn_end(st, auto_txn, s, &job_pend, job_row);
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
	return auto_txn_end(st, auto_txn, s, &job_pend, job_row);
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
	return auto_txn_end(st, auto_txn, s, &job_pend, job_row);
}
