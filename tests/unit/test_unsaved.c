/* Unit tests of the presses kept while storage fails: saved again, they are the presses that
 * were made, with their source and case (the per-case totals come out right). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "unsaved.h"
#include "worker.h"

static struct control_request press_for(const char *case_id)
{
	struct control_request r = { .op = CONTROL_PRESS };
	if (case_id)
		snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
	return r;
}

/* Submits the list and waits until every job came back; returns how many were saved. */
static int save(struct worker *w, struct worker_job *list)
{
	int n = 0, ok = 0;
	for (struct worker_job *j = list, *next; j; j = next) {
		next = j->next;
		worker_submit(w, j);
		n++;
	}
	while (n > 0) {
		struct pollfd p = { .fd = worker_fd(w), .events = POLLIN };
		assert_true(poll(&p, 1, 60000) == 1); /* 60 s: generous, for a loaded machine */
		for (struct worker_job *j = worker_collect(w), *next; j; j = next) {
			next = j->next;
			ok += j->status == STORE_OK;
			n--;
			worker_job_free(j);
		}
	}
	return ok;
}

static void test_kept_presses_are_saved_whole(void **state)
{
	(void)state;
	char dir[] = "/tmp/tk-unsaved-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.db", dir);
	struct store *st;
	assert_int_equal(store_open(&st, path, "Unsaved", 0, 100), STORE_OK);
	struct worker *w;
	assert_int_equal(worker_start(&w, st), 0);

	struct unsaved u;
	unsaved_init(&u);
	/* Two presses whose commit failed, as the worker hands them back. */
	struct control_request jani = press_for("jani-silva"), plain = press_for(NULL);
	struct worker_job *a = worker_job_new(&jani, "button-jani", -1);
	struct worker_job *b = worker_job_new(&plain, "keyboard", -1);
	a->status = b->status = STORE_ERR_IO;
	snprintf(a->err, sizeof a->err, "disk I/O error");
	unsaved_keep_job(&u, a);
	unsaved_keep_job(&u, b);
	/* Three that could not get a job at all. */
	struct control_request khaled = press_for("khaled");
	assert_int_equal(unsaved_keep_press(&u, &khaled, "button-khaled"), 0);
	assert_int_equal(unsaved_keep_press(&u, &khaled, "button-khaled"), 0);
	assert_int_equal(unsaved_keep_press(&u, &jani, "button-jani"), 0);
	assert_int_equal(unsaved_count(&u), 5);

	struct worker_job *again = unsaved_take_jobs(&u);
	assert_non_null(again);
	assert_int_equal(again->status, STORE_OK);
	assert_string_equal(again->err, "");
	assert_int_equal(save(w, again), 2);
	struct unsaved_presses rows[UNSAVED_TABLE_MAX];
	int n = unsaved_take_presses(&u, rows);
	assert_int_equal(n, 2);
	assert_int_equal(unsaved_count(&u), 0);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < rows[i].n; k++) {
			struct control_request r;
			unsaved_request(&rows[i], &r);
			assert_int_equal(save(w, worker_job_new(&r, rows[i].source, -1)), 1);
		}
	worker_stop(w);

	struct store_event ev;
	store_current(st, &ev);
	assert_int_equal(ev.total, 5);
	assert_int_equal(ev.n_cases, 2);
	assert_string_equal(ev.cases[0].id, "jani-silva");
	assert_int_equal(ev.cases[0].total, 2);
	assert_string_equal(ev.cases[1].id, "khaled");
	assert_int_equal(ev.cases[1].total, 2);
	char *csv;
	assert_int_equal(store_export(st, STORE_EXPORT_CSV, &csv), STORE_OK);
	assert_non_null(strstr(csv, ",press,1,1,button-jani,"));
	assert_non_null(strstr(csv, ",press,1,2,keyboard,"));
	assert_non_null(strstr(csv, ",press,1,3,button-khaled,"));
	assert_null(strstr(csv, "retry"));
	free(csv);
	store_close(st);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_full_table_keeps_the_count(void **state)
{
	(void)state;
	struct unsaved u;
	unsaved_init(&u);
	struct control_request r = press_for(NULL);
	char src[32];
	for (int i = 0; i < UNSAVED_TABLE_MAX; i++) {
		snprintf(src, sizeof src, "button-%d", i);
		assert_int_equal(unsaved_keep_press(&u, &r, src), 0);
	}
	assert_int_equal(unsaved_keep_press(&u, &r, "one-too-many"), -1);
	assert_int_equal(unsaved_count(&u), UNSAVED_TABLE_MAX + 1);
	unsaved_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_presses_are_saved_whole),
		cmocka_unit_test(test_full_table_keeps_the_count),
	};
	return cmocka_run_group_tests_name("unsaved", tests, NULL, NULL);
}
