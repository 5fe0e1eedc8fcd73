/*
 * The power-cut workload: the kiosk's real store.c and ledger.c on the lossy VFS, committing
 * random transactions (group-committed presses, adds, undos, new events) until it is killed.
 *
 * Every transaction also sets the current event's goal to its serial number, so the file
 * itself says which transaction was the last to survive: after a cut, powercut.py compares
 * "START serial event total" with the last "ACK serial event total" this program printed
 * after store_commit returned STORE_OK. Lines go out with write(2), unbuffered, so a line the
 * harness reads was printed after its commit returned.
 *
 *   powercut_drive DB SEED [MAX_TXN]
 *
 * Built twice: as is, and with POWERCUT_WEAK (against a store.c compiled with
 * TALLYKIOSK_TEST_HOOKS) for the negative control, which runs with synchronous=NORMAL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "lossyvfs.h"
#include "store.h"

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng_state >> 33) % n;
}

static void apply(struct store *st, enum control_op op, long long n, const char *name)
{
	struct control_request req = { .op = op, .n = n };
	if (name)
		snprintf(req.name, sizeof req.name, "%s", name);
	long long detail;
	char err[256];
	enum store_status s = ledger_apply(st, &req, op == CONTROL_PRESS ? "button" : "tallyctl",
					   &detail, err, sizeof err);
	/* Nothing to undo is a normal answer; anything else is a harness failure. */
	if (s && s != STORE_ERR_EMPTY) {
		dprintf(1, "FAIL apply %s %s\n", store_status_name(s), err);
		exit(4);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: powercut_drive DB SEED [MAX_TXN]\n");
		return 2;
	}
	rng_state = strtoull(argv[2], NULL, 10) * 2654435761ULL + 1;
	long max_txn = argc > 3 ? atol(argv[3]) : 1000000;
	if (lossyvfs_register(getenv("LOSSY_REAL_SYNC") != NULL) != 0) {
		fprintf(stderr, "cannot register the lossy VFS\n");
		return 2;
	}
	struct store *st;
	enum store_status s = store_open(&st, argv[1], "Power cut", 0, 1000);
	if (s) {
		dprintf(1, "OPENFAIL %s %s\n", store_status_name(s), store_errmsg(st));
		store_close(st);
		return 3;
	}
#ifdef POWERCUT_WEAK
	if (store_test_weaken_sync(st)) {
		dprintf(1, "OPENFAIL weaken %s\n", store_errmsg(st));
		return 3;
	}
#endif
	struct store_event ev;
	store_current(st, &ev);
	dprintf(1, "START %lld %lld %lld\n", ev.goal, ev.id, ev.total);
	long long serial = ev.goal;
	for (long t = 0; t < max_txn; t++) {
		serial++;
		s = store_begin(st);
		if (s) {
			dprintf(1, "FAIL begin %s %s\n", store_status_name(s), store_errmsg(st));
			return 4;
		}
		unsigned r = rnd(100);
		if (r < 80) {
			for (unsigned k = 1 + rnd(6); k; k--)
				apply(st, CONTROL_PRESS, 0, NULL);
		} else if (r < 87) {
			apply(st, CONTROL_ADD, 1 + rnd(50), NULL);
		} else if (r < 95) {
			apply(st, CONTROL_UNDO, 0, NULL);
		} else if (r < 98) {
			char name[32];
			snprintf(name, sizeof name, "Event %lld", serial);
			apply(st, CONTROL_NEW_EVENT, 0, name);
		} else {
			apply(st, CONTROL_PRESS, 0, NULL);
			apply(st, CONTROL_UNDO, 0, NULL);
			apply(st, CONTROL_PRESS, 0, NULL);
		}
		if (store_set_goal(st, serial)) {
			dprintf(1, "FAIL goal %s\n", store_errmsg(st));
			return 4;
		}
		s = store_commit(st);
		if (s) {
			dprintf(1, "FAIL commit %s %s\n", store_status_name(s), store_errmsg(st));
			return 4;
		}
		store_current(st, &ev);
		dprintf(1, "ACK %lld %lld %lld\n", serial, ev.id, ev.total);
	}
	store_close(st);
	return 0;
}
