/* Unit tests of the storage thread: every submitted job comes back committed, in order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "worker.h"

static void test_presses_group_commit_in_order(void **state)
{
	(void)state;
	char dir[] = "/tmp/tk-worker-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.db", dir);
	struct store *st;
	assert_int_equal(store_open(&st, path, "Worker", 0, 100), STORE_OK);
	struct worker *w;
	assert_int_equal(worker_start(&w, st), 0);

	const int presses = 300;
	struct control_request press = { .op = CONTROL_PRESS }, undo = { .op = CONTROL_UNDO };
	struct control_request status = { .op = CONTROL_STATUS };
	for (int i = 0; i < presses; i++)
		worker_submit(w, worker_job_new(&press, "button", i));
	worker_submit(w, worker_job_new(&undo, "tallyctl", presses));
	worker_submit(w, worker_job_new(&status, "tallyctl", presses + 1));

	int seen = 0, max_batch = 0;
	long long last_total = -1;
	while (seen < presses + 2) {
		struct pollfd p = { .fd = worker_fd(w), .events = POLLIN };
		assert_true(poll(&p, 1, 60000) == 1); /* 60 s: generous, for a loaded machine */
		for (struct worker_job *j = worker_collect(w), *next; j; j = next) {
			next = j->next;
			assert_int_equal(j->client, seen); /* in submission order */
			assert_int_equal(j->status, STORE_OK);
			assert_non_null(j->body);
			/* Totals shown never go backwards except for the undo itself. */
			if (j->req.op == CONTROL_PRESS) {
				assert_true(j->event.total >= last_total);
				/* Each press has its own total, even inside a batch. */
				assert_int_equal(j->total, seen + 1);
			}
			last_total = j->event.total;
			if (j->batch > max_batch)
				max_batch = j->batch;
			seen++;
			worker_job_free(j);
		}
	}
	assert_int_equal(last_total, presses - 1);
	assert_true(max_batch >= 1 && max_batch <= 64);
	worker_stop(w);
	store_close(st);
	assert_int_equal(store_open(&st, path, "Worker", 0, 100), STORE_OK);
	struct store_event ev;
	store_current(st, &ev);
	assert_int_equal(ev.total, presses - 1);
	store_close(st);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_failed_undo_fails_alone(void **state)
{
	(void)state;
	char dir[] = "/tmp/tk-worker-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.db", dir);
	struct store *st;
	assert_int_equal(store_open(&st, path, "Worker", 0, 100), STORE_OK);
	struct worker *w;
	assert_int_equal(worker_start(&w, st), 0);
	struct control_request press = { .op = CONTROL_PRESS }, undo = { .op = CONTROL_UNDO };
	worker_submit(w, worker_job_new(&undo, "tallyctl", 0)); /* nothing to undo yet */
	worker_submit(w, worker_job_new(&press, "button", 1));
	int seen = 0;
	while (seen < 2) {
		struct pollfd p = { .fd = worker_fd(w), .events = POLLIN };
		assert_true(poll(&p, 1, 60000) == 1); /* 60 s: generous, for a loaded machine */
		for (struct worker_job *j = worker_collect(w), *next; j; j = next) {
			next = j->next;
			if (j->client == 0) {
				assert_int_equal(j->status, STORE_ERR_EMPTY);
				assert_non_null(strstr(j->err, "nothing to undo"));
			} else {
				assert_int_equal(j->status, STORE_OK);
				assert_int_equal(j->event.total, 1);
			}
			seen++;
			worker_job_free(j);
		}
	}
	worker_stop(w);
	store_close(st);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presses_group_commit_in_order),
		cmocka_unit_test(test_failed_undo_fails_alone),
	};
	return cmocka_run_group_tests_name("worker", tests, NULL, NULL);
}
