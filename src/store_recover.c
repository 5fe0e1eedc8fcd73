/*
 * Recovery of a damaged database (see store.h, store_open_recover): a file that SQLite calls
 * corrupt, or one of ours it cannot read, is moved aside (never deleted) and everything that
 * can still be read from it (events, rows, stored totals) is copied into a fresh file.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "textcheck.h"

/* An SQLite file (magic string) whose header carries our application_id (offset 68). */
static int file_is_ours(const char *path)
{
	unsigned char h[100];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(h, 1, sizeof h, f);
	fclose(f);
	if (n < sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
		return 0;
	unsigned long id = (unsigned long)h[68] << 24 | (unsigned long)h[69] << 16 |
			   (unsigned long)h[70] << 8 | h[71];
	return id == STORE_APPLICATION_ID;
}

/* Makes renames in path's folder durable. */
static void sync_dir(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Renames path (and its -wal and -journal, which belong to it) to path.damaged-<UTC time>.
 * The database goes first: a -wal left behind alone is moved aside at the next start.
 */
static int move_aside(const char *path, char *aside, size_t len)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (int i = 0;; i++) {
		int n = i ? snprintf(aside, len, "%s.damaged-%s-%d", path, stamp, i)
			  : snprintf(aside, len, "%s.damaged-%s", path, stamp);
		if (n < 0 || (size_t)n + 16 >= len || i > 99)
			return -1;
		if (access(aside, F_OK) != 0)
			break;
	}
	if (rename(path, aside) != 0)
		return -1;
	static const char *const side[] = { "-wal", "-journal" };
	for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
		char from[4200], to[4200];
		snprintf(from, sizeof from, "%s%s", path, side[i]);
		snprintf(to, sizeof to, "%s%s", aside, side[i]);
		if (access(from, F_OK) == 0 && rename(from, to) != 0)
			return -1;
	}
	sync_dir(path);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	if (!in)
		return errno == ENOENT ? 0 : -1;
	FILE *out = fopen(to, "wb");
	int rc = out ? 0 : -1;
	char buf[65536];
	size_t n;
	while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (ferror(in))
		rc = -1;
	fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

static const char *const salvage_sql[] = {
	/* events: forward until damage stops the scan, then backward from the end */
	"SELECT id, name, started_ms, ended_ms, goal, total FROM events ORDER BY id",
	"SELECT id, name, started_ms, ended_ms, goal, total FROM events ORDER BY id DESC",
	"SELECT id, event_id, at_ms, kind, delta, source, kiosk_id, undoes, case_id FROM counts"
	" ORDER BY id",
	"SELECT id, event_id, at_ms, kind, delta, source, kiosk_id, undoes, case_id FROM counts"
	" ORDER BY id DESC",
};

/* Copies what can be read from one scan of the old file; stops quietly at the first damage.
 * Returns -1 only if writing the new file failed. */
static int salvage_scan(struct store *st, sqlite3 *old, int which)
{
	sqlite3_stmt *q, *ins = NULL, *tot = NULL;
	if (sqlite3_prepare_v2(old, salvage_sql[which], -1, &q, NULL) != SQLITE_OK)
		return 0; /* the table's schema is unreadable: nothing to copy from it */
	int events = which < 2, rc;
	if (events) {
		rc = sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO events(id, name, started_ms,"
					" ended_ms, goal, total) VALUES(?1, ?2, ?3, ?4, ?5, 0)", -1, &ins, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO temp.salvage_total(id,"
						" total) VALUES(?1, ?2)", -1, &tot, NULL);
	} else {
		rc = sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO counts(id, event_id, at_ms,"
					" kind, delta, source, kiosk_id, undoes, case_id)"
					" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &ins, NULL);
	}
	while (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
		/* Values are re-typed on the way: a damaged record must not break the new file. */
		sqlite3_reset(ins);
		long long id = sqlite3_column_int64(q, 0);
		sqlite3_bind_int64(ins, 1, id);
		if (events) {
			const char *name = (const char *)sqlite3_column_text(q, 1);
			char fallback[48];
			if (!name || !text_is_clean(name, STORE_NAME_MAX) || !text_has_visible(name)) {
				snprintf(fallback, sizeof fallback, "Recovered event %lld", id);
				name = fallback;
			}
			sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 3, sqlite3_column_int64(q, 2));
			if (sqlite3_column_type(q, 3) == SQLITE_NULL)
				sqlite3_bind_null(ins, 4);
			else
				sqlite3_bind_int64(ins, 4, sqlite3_column_int64(q, 3));
			long long goal = sqlite3_column_int64(q, 4);
			sqlite3_bind_int64(ins, 5, goal < 0 || goal > STORE_COUNT_MAX ? 0 : goal);
			sqlite3_reset(tot);
			sqlite3_bind_int64(tot, 1, id);
			sqlite3_bind_int64(tot, 2, sqlite3_column_int64(q, 5));
			if (sqlite3_step(tot) != SQLITE_DONE)
				rc = SQLITE_ERROR;
		} else {
			for (int c = 1; c <= 8; c++) {
				int type = sqlite3_column_type(q, c);
				if (c == 3 || c == 5 || c == 6 || c == 8) {
					const char *t = (const char *)sqlite3_column_text(q, c);
					if (type == SQLITE_NULL || !t)
						sqlite3_bind_null(ins, c + 1);
					else
						sqlite3_bind_text(ins, c + 1, t, -1, SQLITE_TRANSIENT);
				} else if (type == SQLITE_NULL) {
					sqlite3_bind_null(ins, c + 1);
				} else {
					sqlite3_bind_int64(ins, c + 1, sqlite3_column_int64(q, c));
				}
			}
		}
		if (rc == SQLITE_OK && sqlite3_step(ins) != SQLITE_DONE)
			rc = SQLITE_ERROR;
	}
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	sqlite3_finalize(tot);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * Best effort, after the events: what several kiosks need of the old file (schema 2), the
 * events' ids across the venue and the peers' last states. Without the id, a recovered
 * staff-started event would look like another event to the venue, and its counts would leave
 * the venue total. A file of schema 1 has neither: nothing to do.
 */
static int salvage_several(struct store *st, sqlite3 *old)
{
	sqlite3_stmt *q, *ins;
	if (sqlite3_prepare_v2(old, "SELECT id, uid, origin_ms FROM events", -1, &q, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_prepare_v2(st->db, "UPDATE events SET uid = ?2, origin_ms = ?3 WHERE id = ?1",
				       -1, &ins, NULL) != SQLITE_OK) {
			sqlite3_finalize(q);
			return -1;
		}
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *uid = (const char *)sqlite3_column_text(q, 1);
			long long origin = sqlite3_column_int64(q, 2);
			if (!uid || !*uid || !text_is_clean(uid, STORE_UID_MAX) || origin < 0)
				continue;
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, sqlite3_column_int64(q, 0));
			sqlite3_bind_text(ins, 2, uid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 3, origin);
			sqlite3_step(ins);
		}
		sqlite3_finalize(q);
		sqlite3_finalize(ins);
	}
	if (sqlite3_prepare_v2(old, "SELECT topic, payload, received_ms FROM peer_states", -1, &q,
			       NULL) == SQLITE_OK) {
		if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO peer_states(topic, payload,"
				       " received_ms) VALUES(?1, ?2, ?3)", -1, &ins, NULL) != SQLITE_OK) {
			sqlite3_finalize(q);
			return -1;
		}
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *topic = (const char *)sqlite3_column_text(q, 0);
			const char *payload = (const char *)sqlite3_column_text(q, 1);
			if (!topic || !payload) /* the payloads are checked again when they are read */
				continue;
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, topic, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 2, payload, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 3, sqlite3_column_int64(q, 2));
			sqlite3_step(ins);
		}
		sqlite3_finalize(q);
		sqlite3_finalize(ins);
	}
	return 0;
}

/* After the rows: events for orphaned rows, dangling undo links, totals from the rows (with
 * one "(recovered)" row per event for whatever the old total knew beyond its surviving rows),
 * and exactly one open event. */
static const char salvage_fixup[] =
	"INSERT INTO events(id, name, started_ms, ended_ms, goal, total)"
	" SELECT event_id, 'Recovered event ' || event_id, min(at_ms), max(at_ms), 0, 0 FROM counts"
	" WHERE event_id NOT IN (SELECT id FROM events) GROUP BY event_id;"
	"UPDATE counts SET undoes = NULL WHERE undoes IS NOT NULL"
	" AND undoes NOT IN (SELECT id FROM counts);"
	"CREATE TEMP TABLE salvage_sum AS SELECT e.id AS id,"
	" (SELECT coalesce(sum(delta), 0) FROM counts c WHERE c.event_id = e.id) AS rows,"
	" coalesce((SELECT total FROM temp.salvage_total t WHERE t.id = e.id), 0) AS old FROM events e;"
	"INSERT INTO counts(event_id, at_ms, kind, delta, source, kiosk_id)"
	" SELECT id, CAST(1000 * (julianday('now') - 2440587.5) * 86400 AS INTEGER), 'add',"
	" max(old, 0) - rows, '" SOURCE_RECOVERED "', (SELECT value FROM meta WHERE key = 'kiosk_id')"
	" FROM temp.salvage_sum WHERE max(old, 0) > rows;"
	"UPDATE events SET total = (SELECT coalesce(sum(delta), 0) FROM counts c"
	" WHERE c.event_id = events.id);"
	"UPDATE events SET ended_ms = NULL WHERE id = (SELECT max(id) FROM events)"
	" AND NOT EXISTS (SELECT 1 FROM events WHERE ended_ms IS NULL);";

/*
 * Fills st (a fresh, empty database) with what can be read of the damaged file at aside.
 * Works on a scratch copy, so the damaged file itself stays exactly as it was found.
 */
static enum store_status salvage(struct store *st, const char *aside, long long *events,
				 long long *rows)
{
	*events = *rows = 0;
	char tmp[4200], from[4200], to[4300];
	snprintf(tmp, sizeof tmp, "%s.salvage", st->path);
	snprintf(from, sizeof from, "%s-wal", aside);
	snprintf(to, sizeof to, "%s-wal", tmp);
	unlink(tmp);
	unlink(to);
	if (copy_file(aside, tmp) || copy_file(from, to)) {
		store_set_err(st, "cannot copy %s to read it: %s", aside, strerror(errno));
		unlink(tmp);
		unlink(to);
		return STORE_ERR_IO;
	}
	sqlite3 *old = NULL;
	int rc = sqlite3_open_v2(tmp, &old, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_exec(old, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL);
		sqlite3_exec(old, "PRAGMA cell_size_check = ON", NULL, NULL, NULL);
	}
	struct store_event fresh = st->cur;
	enum store_status s = store_exec_sql(st, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE;"
				       " CREATE TEMP TABLE salvage_total(id INTEGER PRIMARY KEY,"
				       " total INTEGER); DELETE FROM events", "recovering");
	for (int i = 0; s == STORE_OK && rc == SQLITE_OK && i < 4; i++)
		if (salvage_scan(st, old, i)) {
			s = store_fail(st, SQLITE_ERROR, "copying the recovered rows");
			break;
		}
	if (s == STORE_OK && rc == SQLITE_OK && salvage_several(st, old))
		s = store_fail(st, SQLITE_ERROR, "copying the recovered event ids");
	sqlite3_stmt *q = NULL;
	if (s == STORE_OK && rc == SQLITE_OK &&
	    sqlite3_prepare_v2(old, "SELECT value FROM meta WHERE key = 'kiosk_id'", -1, &q,
			       NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
		/* Keep the kiosk's id: its counts stay its own when totals are merged later. */
		const char *id = (const char *)sqlite3_column_text(q, 0);
		if (id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32) {
			char sql[96];
			snprintf(sql, sizeof sql, "UPDATE meta SET value = '%s' WHERE key = 'kiosk_id'",
				 id);
			s = store_exec_sql(st, sql, "recovering the kiosk id");
		}
	}
	sqlite3_finalize(q);
	sqlite3_close_v2(old);
	unlink(tmp);
	unlink(to);
	if (s == STORE_OK)
		s = store_exec_sql(st, salvage_fixup, "recovering the totals");
	long long n_events = 0;
	if (s == STORE_OK && store_exec_int(st, "SELECT count(*) FROM events", &n_events) != SQLITE_OK)
		s = store_fail(st, SQLITE_ERROR, "recovering");
	if (s == STORE_OK && n_events == 0) {
		/* Nothing readable: the fresh database's own first event stays. */
		sqlite3_stmt *ins;
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO events(name, started_ms, goal)"
					" VALUES(?1, ?2, ?3)", -1, &ins, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(ins, 1, fresh.name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 2, fresh.started_ms);
			sqlite3_bind_int64(ins, 3, fresh.goal);
			rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
			sqlite3_finalize(ins);
		}
		if (rc != SQLITE_OK)
			s = store_fail(st, rc, "recovering");
	}
	if (s == STORE_OK)
		s = store_exec_sql(st, "COMMIT", "committing the recovered rows");
	if (s != STORE_OK && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(st->db, "DROP TABLE IF EXISTS temp.salvage_total;"
		     " DROP TABLE IF EXISTS temp.salvage_sum; PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (s == STORE_OK) {
		store_exec_int(st, "SELECT count(*) FROM events", events);
		store_exec_int(st, "SELECT count(*) FROM counts", rows);
		rc = store_exec_text(st, "SELECT value FROM meta WHERE key = 'kiosk_id'", st->kiosk_id,
			       sizeof st->kiosk_id);
		if (rc != SQLITE_OK)
			s = store_fail(st, rc, "recovering");
	}
	enum store_status ls = store_load_current(st);
	if (s == STORE_OK)
		s = ls;
	if (s == STORE_OK)
		s = store_check_total(st, st->path);
	return s;
}

static int damaged(enum store_status s, const char *path)
{
	return s == STORE_ERR_CORRUPT ||
	       ((s == STORE_ERR_NOTDB || s == STORE_ERR_IO) && file_is_ours(path));
}

enum store_status store_open_recover(struct store **out, const char *path,
				     const char *first_event, long long first_goal, int wait_ms)
{
	char wal[4200], orphan[4300] = "";
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (access(path, F_OK) != 0 && errno == ENOENT && access(wal, F_OK) == 0) {
		/* A WAL without its database (a move aside cut short) would be replayed into the
		 * new file: keep it apart. */
		char stamp[32];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		snprintf(orphan, sizeof orphan, "%s.orphan-%s", wal, stamp);
		if (rename(wal, orphan) != 0)
			orphan[0] = '\0';
	}
	enum store_status s = store_open(out, path, first_event, first_goal, wait_ms);
	if (*out && orphan[0])
		snprintf((*out)->notice, sizeof (*out)->notice,
			 "A WAL file without its database was moved to %.700s", orphan);
	if (s == STORE_OK || !*out || !damaged(s, path))
		return s;
	struct store *st = *out;
	char why[sizeof st->errmsg], aside[4096];
	memcpy(why, st->errmsg, sizeof why);
	store_close_db(st);
	if (move_aside(path, aside, sizeof aside) != 0) {
		store_set_err(st, "%.300s; moving it aside failed: %s", why, strerror(errno));
		return s;
	}
	store_close(st);
	s = store_open(out, path, first_event, first_goal, wait_ms);
	if (s)
		return s;
	st = *out;
	long long events, rows;
	s = salvage(st, aside, &events, &rows);
	if (s)
		return s;
	snprintf(st->notice, sizeof st->notice,
		 "The database was damaged (%.200s). It was moved to %.300s and a new one started "
		 "with what could be read: %lld event(s), %lld count row(s); \"%.60s\" stands at %lld.",
		 why, aside, events, rows, st->cur.name, st->cur.total);
	return STORE_OK;
}

const char *store_notice(const struct store *st)
{
	return st->notice;
}
