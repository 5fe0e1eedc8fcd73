/*
 * The I/O fault workload: the kiosk's real store, ledger and storage thread (worker.c) run a
 * fixed script (20 presses, a new event, 20 presses, add 5, undo, 5 presses), one job at a
 * time as the app submits them. A job that fails with a storage error is submitted again, up
 * to 3 times, as the app saves unsaved presses again. Prints one line per job result:
 *   ACK kind total | FAIL kind status message | EMPTY undo
 * and "END" after a clean stop. Exit 3 if the store cannot be opened (the kiosk refuses to
 * start: staff see it). With --check it only opens the store (no faults are injected then)
 * and prints "START event total".
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "worker.h"

static const char *kind(enum control_op op)
{
	switch (op) {
	case CONTROL_PRESS: return "press";
	case CONTROL_ADD: return "add";
	case CONTROL_UNDO: return "undo";
	case CONTROL_NEW_EVENT: return "new-event";
	default: return "other";
	}
}

/* Runs one job to completion. Returns its status. */
static enum store_status run(struct worker *w, const struct control_request *req)
{
	worker_submit(w, worker_job_new(req, "button", -1));
	for (;;) {
		struct pollfd p = { .fd = worker_fd(w), .events = POLLIN };
		poll(&p, 1, -1);
		struct worker_job *j = worker_collect(w);
		if (!j)
			continue;
		enum store_status s = j->status;
		if (s == STORE_OK)
			printf("ACK %s %lld\n", kind(req->op), j->event.total);
		else if (s == STORE_ERR_EMPTY)
			printf("EMPTY %s\n", kind(req->op));
		else
			printf("FAIL %s %s %s\n", kind(req->op), store_status_name(s), j->err);
		fflush(stdout);
		worker_job_free(j);
		return s;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: iofault_drive DB [--check]\n");
		return 2;
	}
	struct store *st;
	enum store_status s = store_open(&st, argv[1], "IO test", 0, 1000);
	if (s) {
		printf("OPENFAIL %s %s\n", store_status_name(s), store_errmsg(st));
		store_close(st);
		return 3;
	}
	if (argc > 2 && strcmp(argv[2], "--check") == 0) {
		struct store_event ev;
		store_current(st, &ev);
		printf("START %lld %lld\n", ev.id, ev.total);
		store_close(st);
		return 0;
	}
	struct worker *w;
	if (worker_start(&w, st)) {
		store_close(st);
		return 2;
	}
	struct control_request script[48];
	int n = 0;
	for (int i = 0; i < 20; i++)
		script[n++] = (struct control_request){ .op = CONTROL_PRESS };
	script[n] = (struct control_request){ .op = CONTROL_NEW_EVENT };
	snprintf(script[n++].name, sizeof script[0].name, "Second");
	for (int i = 0; i < 20; i++)
		script[n++] = (struct control_request){ .op = CONTROL_PRESS };
	script[n++] = (struct control_request){ .op = CONTROL_ADD, .n = 5 };
	script[n++] = (struct control_request){ .op = CONTROL_UNDO };
	for (int i = 0; i < 5; i++)
		script[n++] = (struct control_request){ .op = CONTROL_PRESS };
	for (int i = 0; i < n; i++)
		for (int attempt = 0; attempt < 3; attempt++) {
			s = run(w, &script[i]);
			if (s == STORE_OK || s == STORE_ERR_EMPTY || s == STORE_ERR_INVALID)
				break;
		}
	worker_stop(w);
	store_close(st);
	printf("END\n");
	return 0;
}
