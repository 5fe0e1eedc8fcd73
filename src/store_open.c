/*
 * Opening the store's file: the schema and its migrations, the checks that it is ours and
 * whole (quick_check, the current event's total against its rows), the durability pragmas
 * read back, the prepared statements; closing it, and reopening it after a failed commit.
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* What reopen would go back to from event ?1 (store_reopen_previous's rule), and whether
	 * ?1 has counted: one prepared statement, as the staff page asks twice a second. */
	[ST_REOPEN_TARGET] = "SELECT p.id, p.name, EXISTS(SELECT 1 FROM counts WHERE event_id = ?1)"
			     " FROM events p WHERE p.id = coalesce((SELECT CAST(value AS INTEGER)"
			     " FROM meta WHERE key = 'before:' || ?1),"
			     " (SELECT max(id) FROM events WHERE id < ?1))",
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
		sqlite3_bind_int64(ins, 2, store_now_ms());
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
enum store_status store_reopen(struct store *st)
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

enum store_status store_ensure_open(struct store *st)
{
	return st->broken ? store_reopen(st) : STORE_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_close_db(st);
	free(st->path);
	free(st);
}
