/* Unit tests of the store: counts, undo, add, new events, totals, export, opening odd files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/tk-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/tally.db", f->dir);
	assert_int_equal(store_open(&f->st, f->path, "Opening night", 500, 100), STORE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static long long total(struct store *st)
{
	struct store_event ev;
	store_current(st, &ev);
	return ev.total;
}

static void reopen(struct fixture *f)
{
	store_close(f->st);
	assert_int_equal(store_open(&f->st, f->path, "ignored", 1, 100), STORE_OK);
}

/* Runs sql on the file with a separate connection (the store must be closed). */
static void poke(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_new_database_has_first_event(void **state)
{
	struct fixture *f = *state;
	struct store_event ev;
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Opening night");
	assert_int_equal(ev.total, 0);
	assert_int_equal(ev.goal, 500);
	assert_true(ev.id > 0);
	assert_int_equal(strlen(store_kiosk_id(f->st)), 32);
}

static void test_presses_and_adds_sum(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 40, "tallyctl", NULL), STORE_OK);
	assert_int_equal(total(f->st), 43);
	reopen(f);
	assert_int_equal(total(f->st), 43);
}

static void test_bad_counts_are_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_count(f->st, STORE_ADD, 0, "tallyctl", NULL), STORE_ERR_INVALID);
	assert_int_equal(store_count(f->st, STORE_ADD, -5, "tallyctl", NULL), STORE_ERR_INVALID);
	assert_int_equal(store_count(f->st, STORE_ADD, STORE_COUNT_MAX + 1, "x", NULL), STORE_ERR_INVALID);
	assert_int_equal(store_count(f->st, STORE_PRESS, 2, "button", NULL), STORE_ERR_INVALID);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "bad\nsource", NULL), STORE_ERR_INVALID);
	assert_int_equal(total(f->st), 0);
}

static void test_undo_takes_back_latest_first(void **state)
{
	struct fixture *f = *state;
	long long undone;
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_ERR_EMPTY);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 25, "tallyctl", NULL), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	assert_int_equal(undone, 1);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	assert_int_equal(undone, 25);
	assert_int_equal(total(f->st), 1);
	reopen(f);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	assert_int_equal(undone, 1);
	assert_int_equal(total(f->st), 0);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_ERR_EMPTY);
	assert_int_equal(total(f->st), 0);
}

static void test_group_commit_and_rollback(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_begin(f->st), STORE_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	/* Not committed: not visible. */
	assert_int_equal(total(f->st), 0);
	store_rollback(f->st);
	assert_int_equal(total(f->st), 0);
	assert_int_equal(store_begin(f->st), STORE_OK);
	for (int i = 0; i < 7; i++)
		assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(total(f->st), 7);
	reopen(f);
	assert_int_equal(total(f->st), 7);
}

static long long file_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	long long v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/*
 * In a group commit each job is all or nothing: a count whose row was written but whose total
 * could not be updated (a planted trigger refuses the totals 3 and 11) leaves nothing behind
 * in the batch that commits, so the stored total equals its rows.
 */
static void test_failed_job_leaves_nothing_in_its_batch(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 6, "tallyctl", NULL), STORE_OK); /* 9 */
	store_close(f->st);
	f->st = NULL;
	poke(f->path, "CREATE TRIGGER planted BEFORE UPDATE OF total ON events"
		      " WHEN NEW.total IN (3, 11) BEGIN SELECT RAISE(ABORT, 'planted'); END");
	assert_int_equal(store_open(&f->st, f->path, "ignored", 1, 100), STORE_OK);
	long long undone;
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", "jani-silva"), STORE_OK);
	assert_int_not_equal(store_count(f->st, STORE_PRESS, 1, "button", "jani-silva"), STORE_OK);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK); /* the first press */
	assert_int_equal(undone, 1);
	assert_int_not_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK); /* 9 - 6 = 3 */
	assert_int_not_equal(store_count(f->st, STORE_ADD, 2, "tallyctl", "khaled"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 4, "tallyctl", "khaled"), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	struct store_event ev;
	store_current(f->st, &ev);
	assert_int_equal(ev.total, 13);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(file_int(f->path, "SELECT total FROM events"), 13);
	assert_int_equal(file_int(f->path, "SELECT sum(delta) FROM counts"), 13);
	assert_int_equal(file_int(f->path, "SELECT count(*) FROM counts"), 7);
	assert_int_equal(file_int(f->path, "SELECT sum(delta) FROM counts WHERE case_id = 'khaled'"),
			 4);
	poke(f->path, "DROP TRIGGER planted");
	assert_int_equal(store_open(&f->st, f->path, "ignored", 1, 100), STORE_OK);
	store_current(f->st, &ev);
	assert_int_equal(ev.total, 13);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	assert_int_equal(undone, 4); /* the add for khaled, not a row of a failed job */
}

/* A version 2 file (no time_ok) is migrated: its rows say nothing about their time, new rows
 * say whether the clock could be right. */
static void test_version_2_file_gets_time_ok(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	store_close(f->st);
	f->st = NULL;
	poke(f->path, "ALTER TABLE counts DROP COLUMN time_ok; PRAGMA user_version = 2");
	assert_int_equal(store_open(&f->st, f->path, "ignored", 1, 100), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	char *csv;
	assert_int_equal(store_export(f->st, STORE_EXPORT_CSV, &csv), STORE_OK);
	assert_non_null(strstr(csv, ",case,time_ok\r\n"));
	assert_non_null(strstr(csv, ",press,1,1,button,"));
	assert_non_null(strstr(csv, ",,,\r\n"));  /* the old row: no undo, case or verdict */
	assert_non_null(strstr(csv, ",,,1\r\n")); /* the new one: the clock looked right */
	free(csv);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(file_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_open(&f->st, f->path, "ignored", 1, 100), STORE_OK);
}

static void test_new_event_keeps_old_one(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_count(f->st, STORE_ADD, 12, "tallyctl", NULL), STORE_OK);
	assert_int_equal(store_new_event(f->st, ""), STORE_ERR_INVALID);
	assert_int_equal(store_new_event(f->st, "   "), STORE_ERR_INVALID);
	assert_int_equal(store_new_event(f->st, "tab\there"), STORE_ERR_INVALID);
	assert_int_equal(store_new_event(f->st, "bad \xff utf8"), STORE_ERR_INVALID);
	assert_int_equal(total(f->st), 12);
	assert_int_equal(store_new_event(f->st, "Café Lumière"), STORE_OK);
	struct store_event ev;
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Café Lumière");
	assert_int_equal(ev.total, 0);
	assert_int_equal(ev.goal, 500); /* carried over */
	long long undone;
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_ERR_EMPTY);
	char *json;
	assert_int_equal(store_events_json(f->st, &json), STORE_OK);
	assert_non_null(strstr(json, "\"name\":\"Opening night\",\"total\":12"));
	assert_non_null(strstr(json, "\"name\":\"Café Lumière\",\"total\":0"));
	assert_non_null(strstr(json, "\"ended\":null"));
	free(json);
	reopen(f);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Café Lumière");
}

static void test_reopen_takes_back_a_new_event(void **state)
{
	struct fixture *f = *state;
	char closed[STORE_NAME_MAX] = "";
	struct store_event ev;
	char *status;
	assert_int_equal(store_status_json(f->st, &status), STORE_OK);
	assert_non_null(strstr(status, ",\"reopen_to_id\":null,\"reopen_to\":null,"
				       "\"reopen_refused\":null}"));
	free(status);
	assert_int_equal(store_reopen_previous(f->st, closed, sizeof closed), STORE_ERR_EMPTY);
	assert_int_equal(store_count(f->st, STORE_ADD, 12, "tallyctl", NULL), STORE_OK);
	assert_int_equal(store_new_event(f->st, "Mistake"), STORE_OK);
	assert_int_equal(store_new_event(f->st, "Second mistake"), STORE_OK);
	/* The status says what reopen would go back to (the staff page offers it). */
	assert_int_equal(store_status_json(f->st, &status), STORE_OK);
	assert_non_null(strstr(status, ",\"reopen_to_id\":2,\"reopen_to\":\"Mistake\","
				       "\"reopen_refused\":null}"));
	free(status);
	assert_int_equal(store_reopen_previous(f->st, closed, sizeof closed), STORE_OK);
	assert_string_equal(closed, "Second mistake");
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Mistake");
	/* The event that was current before "Mistake", not merely the one with the next id. */
	assert_int_equal(store_reopen_previous(f->st, closed, sizeof closed), STORE_OK);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Opening night");
	assert_int_equal(ev.total, 12);
	/* Made current again now: what a venue's kiosks go by to follow it back. */
	assert_true(ev.origin_ms > 0);
	assert_int_equal(store_new_event(f->st, "Third"), STORE_OK);
	/* The status names the event that was current before (1), not the one with the id
	 * before (3, closed by a reopen). */
	assert_int_equal(store_status_json(f->st, &status), STORE_OK);
	assert_non_null(strstr(status, ",\"reopen_to_id\":1,\"reopen_to\":\"Opening night\","));
	free(status);
	assert_int_equal(store_reopen_previous(f->st, closed, sizeof closed), STORE_OK);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Opening night");
	/* An event that has counted stays: its counts would be left behind. */
	assert_int_equal(store_new_event(f->st, "Busy"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_reopen_previous(f->st, closed, sizeof closed), STORE_ERR_INVALID);
	assert_non_null(strstr(store_errmsg(f->st), "has already counted"));
	assert_int_equal(store_status_json(f->st, &status), STORE_OK);
	assert_non_null(strstr(status, "\"reopen_to\":\"Opening night\",\"reopen_refused\":"
				       "\"\\\"Busy\\\" has already counted: reopen only takes back"));
	free(status);
	/* Nothing is deleted, and the file agrees after a restart. */
	char *json;
	assert_int_equal(store_events_json(f->st, &json), STORE_OK);
	assert_non_null(strstr(json, "\"name\":\"Mistake\""));
	assert_non_null(strstr(json, "\"name\":\"Second mistake\""));
	assert_non_null(strstr(json, "\"name\":\"Third\""));
	free(json);
	reopen(f);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Busy");
	assert_int_equal(ev.total, 1);
}

/* A test's rule for the venue id of an event without one. */
static int slug(const char *name, char *out, size_t len)
{
	snprintf(out, len, "slug-%s", name);
	return 0;
}

static long long case_pn(struct store *st, const char *id, long long *n_out)
{
	struct store_case_pn pn[8];
	int n;
	assert_int_equal(store_case_pn(st, pn, 8, &n), STORE_OK);
	for (int i = 0; i < n; i++)
		if (!strcmp(pn[i].id, id)) {
			*n_out = pn[i].n;
			return pn[i].p;
		}
	*n_out = -1;
	return -1;
}

/* The venue went back to an event counted in here before (a reopen on another kiosk). */
static void test_resume_event(void **state)
{
	struct fixture *f = *state;
	long long moved, undone, n;
	struct store_event ev;
	assert_int_equal(store_count(f->st, STORE_ADD, 12, "tallyctl", "jani"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_start_event(f->st, "Mistake", "mistake-1", 5000, -1), STORE_OK);
	/* Counted in the mistake before this kiosk heard of the reopen. */
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 4, "tallyctl", "jani"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 9, "tallyctl", NULL), STORE_OK);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	assert_int_equal(undone, 9);
	/* No such event here: the caller starts it. */
	assert_int_equal(store_resume_event(f->st, "other-2", 9000, -1, slug, "venue reopen", &moved),
			 STORE_ERR_EMPTY);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Mistake");
	assert_int_equal(ev.total, 5);
	/* The first event has no venue id of its own: found by its name's. */
	assert_int_equal(store_resume_event(f->st, "slug-Opening night", 9000, 700, slug,
					    "venue reopen", &moved), STORE_OK);
	assert_int_equal(moved, 5);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Opening night");
	assert_int_equal(ev.total, 18);
	assert_int_equal(ev.origin_ms, 9000);
	assert_int_equal(ev.goal, 700);
	/* Its own rows go on: what this kiosk publishes for it only grows (12 + 4 for the case,
	 * 1 + 1 for the room). */
	assert_int_equal(case_pn(f->st, "jani", &n), 16);
	assert_int_equal(n, 0);
	assert_int_equal(case_pn(f->st, "", &n), 2);
	assert_int_equal(n, 0);
	/* Already current: only the time changes. */
	assert_int_equal(store_resume_event(f->st, "slug-Opening night", 12000, 1, slug,
					    "venue reopen", &moved), STORE_OK);
	assert_int_equal(moved, 0);
	reopen(f);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Opening night");
	assert_int_equal(ev.total, 18);
	assert_int_equal(ev.goal, 700);
	assert_int_equal(ev.origin_ms, 12000);
	/* The mistake is kept, its letters taken back there by rows of their own: each not yet
	 * taken back, once (the 9 was undone by staff). */
	char *csv;
	assert_int_equal(store_export(f->st, STORE_EXPORT_CSV, &csv), STORE_OK);
	int moved_rows = 0;
	for (const char *p = csv; (p = strstr(p, "venue reopen")); p++)
		moved_rows++;
	assert_int_equal(moved_rows, 4); /* 2 undo rows in the mistake, 2 adds (room, jani) */
	free(csv);
	char *json;
	assert_int_equal(store_events_json(f->st, &json), STORE_OK);
	const char *mistake = strstr(json, "\"name\":\"Mistake\"");
	assert_non_null(mistake);
	assert_non_null(strstr(json, "\"total\":0"));
	free(json);
	/* Going back to the mistake now finds its own row again, and brings the 18 along. */
	assert_int_equal(store_resume_event(f->st, "mistake-1", 13000, -1, slug, "venue reopen",
					    &moved), STORE_OK);
	assert_int_equal(moved, 18);
	store_current(f->st, &ev);
	assert_string_equal(ev.name, "Mistake");
	assert_int_equal(ev.total, 18);
	assert_int_equal(store_resume_event(f->st, "", 1, -1, slug, "x", &moved), STORE_ERR_INVALID);
}

static void test_goal(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_set_goal(f->st, -1), STORE_ERR_INVALID);
	assert_int_equal(store_set_goal(f->st, 2000), STORE_OK);
	reopen(f);
	struct store_event ev;
	store_current(f->st, &ev);
	assert_int_equal(ev.goal, 2000);
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_export(void **state)
{
	struct fixture *f = *state;
	long long undone;
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_ADD, 9, "tallyctl", NULL), STORE_OK);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	assert_int_equal(store_new_event(f->st, "Second, \"quoted\""), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
	char *csv, *json;
	assert_int_equal(store_export(f->st, STORE_EXPORT_CSV, &csv), STORE_OK);
	assert_int_equal(count_lines(csv), 5); /* header + 4 rows */
	assert_non_null(strstr(csv, ",undo,-9,1,tallyctl,"));
	assert_non_null(strstr(csv, "\"Second, \"\"quoted\"\"\""));
	assert_non_null(strstr(csv, ",press,1,1,button,"));
	assert_int_equal(store_export(f->st, STORE_EXPORT_JSON, &json), STORE_OK);
	assert_non_null(strstr(json, "\"kind\":\"undo\",\"delta\":-9,\"total_after\":1"));
	assert_non_null(strstr(json, "\"event\":\"Second, \\\"quoted\\\"\""));
	free(csv);
	free(json);
}

static void test_case_counts(void **state)
{
	struct fixture *f = *state;
	long long undone;
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button-jani", "jani-silva"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", "bad\x01"), STORE_ERR_INVALID);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	char *csv;
	assert_int_equal(store_export(f->st, STORE_EXPORT_CSV, &csv), STORE_OK);
	assert_non_null(strstr(csv, ",press,1,1,button-jani,"));
	assert_non_null(strstr(csv, ",jani-silva,1\r\n")); /* the press */
	assert_non_null(strstr(csv, ",1,jani-silva,1\r\n")); /* its undo keeps the case */
	free(csv);
	assert_int_equal(total(f->st), 0);
	/* Per-case totals follow each count and survive a reopen. */
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button-jani", "jani-silva"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button-jani", "jani-silva"), STORE_OK);
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button-khaled", "khaled"), STORE_OK);
	reopen(f);
	struct store_event ev;
	store_current(f->st, &ev);
	assert_int_equal(ev.n_cases, 2);
	assert_string_equal(ev.cases[0].id, "jani-silva");
	assert_int_equal(ev.cases[0].total, 2);
	assert_string_equal(ev.cases[1].id, "khaled");
	assert_int_equal(ev.cases[1].total, 1);
	assert_int_equal(store_undo(f->st, "tallyctl", &undone), STORE_OK);
	store_current(f->st, &ev);
	assert_int_equal(ev.cases[1].total, 0);
	assert_int_equal(store_new_event(f->st, "Next"), STORE_OK);
	store_current(f->st, &ev);
	assert_int_equal(ev.n_cases, 0);
}

static void test_status_json(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_count(f->st, STORE_ADD, 1234, "tallyctl", NULL), STORE_OK);
	char *json;
	assert_int_equal(store_status_json(f->st, &json), STORE_OK);
	assert_non_null(strstr(json, "\"event\":\"Opening night\""));
	assert_non_null(strstr(json, "\"total\":1234,\"goal\":500"));
	free(json);
}

static void test_empty_file_is_migrated(void **state)
{
	struct fixture *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/empty.db", f->dir);
	FILE *fp = fopen(path, "w");
	fclose(fp);
	struct store *st;
	assert_int_equal(store_open(&st, path, "From empty", 0, 100), STORE_OK);
	struct store_event ev;
	store_current(st, &ev);
	assert_string_equal(ev.name, "From empty");
	store_close(st);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/notes.db", f->dir);
	FILE *fp = fopen(path, "w");
	for (int i = 0; i < 200; i++)
		fputs("these are my meeting notes, not a database\n", fp);
	fclose(fp);
	struct store *st;
	assert_int_equal(store_open(&st, path, "x", 0, 100), STORE_ERR_NOTDB);
	assert_non_null(strstr(store_errmsg(st), path));
	store_close(st);
}

static void test_foreign_sqlite_database(void **state)
{
	struct fixture *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/other.db", f->dir);
	poke(path, "CREATE TABLE recipes(name TEXT)");
	struct store *st;
	assert_int_equal(store_open(&st, path, "x", 0, 100), STORE_ERR_NOTDB);
	assert_non_null(strstr(store_errmsg(st), "not a tallykiosk"));
	store_close(st);
}

static void test_future_schema_is_left_alone(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	f->st = NULL;
	poke(f->path, "PRAGMA user_version = 99");
	struct store *st;
	assert_int_equal(store_open(&st, f->path, "x", 0, 100), STORE_ERR_FUTURE);
	assert_non_null(strstr(store_errmsg(st), "99"));
	store_close(st);
}

static void test_total_mismatch_is_detected(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_count(f->st, STORE_ADD, 3, "tallyctl", NULL), STORE_OK);
	store_close(f->st);
	f->st = NULL;
	poke(f->path, "UPDATE events SET total = 99");
	struct store *st;
	assert_int_equal(store_open(&st, f->path, "x", 0, 100), STORE_ERR_CORRUPT);
	assert_non_null(strstr(store_errmsg(st), "disagrees"));
	store_close(st);
}

static void test_second_open_is_busy(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	assert_int_equal(store_open(&st, f->path, "x", 0, 50), STORE_ERR_BUSY);
	store_close(st);
	/* The first handle still works. */
	assert_int_equal(store_count(f->st, STORE_PRESS, 1, "button", NULL), STORE_OK);
}

static void test_missing_file_without_create(void **state)
{
	struct fixture *f = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/absent.db", f->dir);
	struct store *st;
	assert_int_not_equal(store_open(&st, path, NULL, 0, 50), STORE_OK);
	store_close(st);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_new_database_has_first_event),
		T(test_presses_and_adds_sum),
		T(test_resume_event),
		T(test_bad_counts_are_refused),
		T(test_undo_takes_back_latest_first),
		T(test_group_commit_and_rollback),
		T(test_failed_job_leaves_nothing_in_its_batch),
		T(test_version_2_file_gets_time_ok),
		T(test_new_event_keeps_old_one),
		T(test_reopen_takes_back_a_new_event),
		T(test_goal),
		T(test_export),
		T(test_case_counts),
		T(test_status_json),
		T(test_empty_file_is_migrated),
		T(test_not_a_database),
		T(test_foreign_sqlite_database),
		T(test_future_schema_is_left_alone),
		T(test_total_mismatch_is_detected),
		T(test_second_open_is_busy),
		T(test_missing_file_without_create),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
