/*
 * The allocation-failure test (issue 5, test 5): the kiosk's real store.c, ledger.c and
 * storage thread (worker.c) run a fixed script in two sessions, as the kiosk would across a
 * restart:
 *   1: create the file; 5 presses one by one, 5 presses queued together (group commit), add 5,
 *      undo, status, goal 100, 3 presses
 *   2: reopen it; new-event, 5 queued presses for a case (a per-case button), undo, events,
 *      export csv, export json, status, 2 presses for the case
 * and every allocation on the way can be made to fail:
 *   - the app's (store, ledger, worker, sbuf): this program is linked with
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=free, so the
 *     project's objects call the __wrap_ functions below. A link-time wrapper, not an LD_PRELOAD
 *     shim, because ASan owns malloc itself; __real_malloc is then ASan's, which still sees
 *     leaks and misuse.
 *   - SQLite's, through sqlite3_config(SQLITE_CONFIG_MALLOC).
 * Both draw from one counter; run k fails the k-th allocation, once, or (sticky) that one and
 * every one after it. The main thread waits while the storage thread works, and gate() fixes
 * how queued jobs are batched, so the k-th allocation is the same one in every run.
 *
 * Presses behave as in app.c: a press whose job cannot be allocated or whose commit fails is
 * saved again (here: up to 3 rounds after each step); staff commands are not repeated (staff
 * see the error). After each run, with faults off, check_run() opens the file as the kiosk's
 * next start would and checks (see there): no acknowledged count lost, none counted twice, the
 * file sound and not moved aside, and (after sqlite3_shutdown) no allocation of the app or of
 * SQLite left live, which is a leak even in a build without LeakSanitizer.
 *
 * The runs of a sweep share one process: a fresh process per run (ASan start-up, dynamic
 * linking, a Python spawn) would cost more than the run. A hang ends the process by SIGALRM
 * after the line "K k" that names the run.
 *
 *   oom_drive DIR count                     the fault-free run: how many allocations
 *   oom_drive DIR sweep once|sticky FROM STEP [TO]
 *                                           k = FROM, FROM+STEP, ... until a run no longer
 *                                           reaches its k-th allocation (or k > TO)
 *   oom_drive DIR run K once|sticky         one run with its job log, to look at a failure
 * OOM_BREAK=leak|ack breaks the app on purpose, to prove the checks see it: "leak" drops a
 * failed job without freeing it, "ack" counts a failed press as saved.
 */
#include <execinfo.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "worker.h"

/* ---- the allocation counter ---------------------------------------------------------- */

static atomic_long n_calls, n_app, n_sqlite;
static atomic_long live_app, live_sqlite; /* allocations not yet freed */
static atomic_int hit;
static long fail_at;
static int sticky;

/* Distinct call stacks seen (OOM_SITES=1, the counting run only): a small open-addressing
 * set of stack hashes, guarded by a spinlock since the storage thread allocates too. */
#define SITES_MAX 65536
static int count_sites;
static atomic_flag sites_lock = ATOMIC_FLAG_INIT;
static uint64_t sites[SITES_MAX];
static long n_sites;
static atomic_long *sites_side;
static long n_sites_app, n_sites_sqlite;

static void note_site(void)
{
	void *frames[12];
	int n = backtrace(frames, 12);
	uint64_t h = 1469598103934665603ULL;
	for (int i = 2; i < n; i++) { /* skip this function and the wrapper */
		h ^= (uint64_t)(uintptr_t)frames[i];
		h *= 1099511628211ULL;
	}
	h |= 1; /* 0 marks an empty slot */
	while (atomic_flag_test_and_set(&sites_lock))
		;
	for (size_t i = h % SITES_MAX, probes = 0; probes < SITES_MAX; i = (i + 1) % SITES_MAX, probes++) {
		if (sites[i] == h)
			break;
		if (!sites[i]) {
			sites[i] = h;
			n_sites++;
			if (sites_side == &n_app)
				n_sites_app++;
			else
				n_sites_sqlite++;
			break;
		}
	}
	atomic_flag_clear(&sites_lock);
}

/*
 * The gate keeps group commits the same from run to run. To queue jobs together the main
 * thread closes it, submits the first job and waits until the storage thread, which took
 * that job alone, stops here at its first allocation (or has finished it); then it submits
 * the rest and opens the gate: the first job is a batch of its own and the rest one batch,
 * whatever the scheduler does.
 */
static atomic_int gate_closed, at_gate;
static pthread_t main_thread;

static void gate(void)
{
	if (!atomic_load(&gate_closed) || pthread_equal(pthread_self(), main_thread))
		return;
	atomic_store(&at_gate, 1);
	while (atomic_load(&gate_closed))
		sched_yield();
	atomic_store(&at_gate, 0);
}

/* Whether this allocation is to fail. */
static int fault(atomic_long *side)
{
	gate();
	long n = atomic_fetch_add(&n_calls, 1) + 1;
	atomic_fetch_add(side, 1);
	if (count_sites) {
		sites_side = side;
		note_site();
	}
	if (fail_at > 0 && (n == fail_at || (sticky && n > fail_at))) {
		atomic_store(&hit, 1);
		return 1;
	}
	return 0;
}

/* The app's side: the project's objects call these instead of the C library's. */
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

void *__wrap_malloc(size_t size)
{
	if (fault(&n_app))
		return NULL;
	void *p = __real_malloc(size);
	if (p)
		atomic_fetch_add(&live_app, 1);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (fault(&n_app))
		return NULL;
	void *p = __real_calloc(n, size);
	if (p)
		atomic_fetch_add(&live_app, 1);
	return p;
}

void *__wrap_realloc(void *p, size_t size)
{
	if (fault(&n_app))
		return NULL; /* as realloc does: the old block stays the caller's */
	void *q = __real_realloc(p, size);
	if (q && !p)
		atomic_fetch_add(&live_app, 1);
	return q;
}

char *__wrap_strdup(const char *s)
{
	if (fault(&n_app))
		return NULL;
	char *p = __real_strdup(s);
	if (p)
		atomic_fetch_add(&live_app, 1);
	return p;
}

void __wrap_free(void *p)
{
	if (p)
		atomic_fetch_sub(&live_app, 1);
	__real_free(p);
}

/* SQLite's side. A 16-byte header keeps the size (xSize) and the alignment SQLite needs. */
#define HDR 16

static void *mem_malloc(int n)
{
	if (fault(&n_sqlite))
		return NULL;
	char *p = __real_malloc(HDR + (size_t)n);
	if (!p)
		return NULL;
	*(size_t *)p = (size_t)n;
	atomic_fetch_add(&live_sqlite, 1);
	return p + HDR;
}

static void mem_free(void *p)
{
	if (!p)
		return;
	atomic_fetch_sub(&live_sqlite, 1);
	__real_free((char *)p - HDR);
}

static void *mem_realloc(void *p, int n)
{
	if (fault(&n_sqlite))
		return NULL;
	char *q = __real_realloc((char *)p - HDR, HDR + (size_t)n);
	if (!q)
		return NULL;
	*(size_t *)q = (size_t)n;
	return q + HDR;
}

static int mem_size(void *p)
{
	return p ? (int)*(size_t *)((char *)p - HDR) : 0;
}

static int mem_roundup(int n)
{
	return (n + 7) & ~7;
}

static int mem_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void mem_shutdown(void *arg)
{
	(void)arg;
}

static const sqlite3_mem_methods mem = {
	mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
};

/* ---- the script ------------------------------------------------------------------------ */

#define N_OPS (CONTROL_EXPORT_JSON + 1)
#define SCRIPT_PRESSES 20

static const char *const op_name[N_OPS] = {
	[CONTROL_STATUS] = "status", [CONTROL_PRESS] = "press", [CONTROL_ADD] = "add",
	[CONTROL_UNDO] = "undo", [CONTROL_NEW_EVENT] = "new-event", [CONTROL_GOAL] = "goal",
	[CONTROL_EVENTS] = "events", [CONTROL_EXPORT_CSV] = "export-csv",
	[CONTROL_EXPORT_JSON] = "export-json",
};

/* What one run did, as the app saw it. */
struct tally {
	int acked[N_OPS], failed[N_OPS], nojob[N_OPS], empty;
	int acked_case, failed_case; /* presses for the case on a button (per-case totals) */
	int openfail, ended, unsaved, saved_noreply;
};

static int verbose;    /* print the job log (run) */
static const char *breakage = "";

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	if (!verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

struct run {
	struct worker *w;
	struct tally *t;
	int inflight;
	int unsaved; /* presses to save again, as app.c's retry_unsaved */
};

/* Queues one job; a button press (client -1) whose job cannot be allocated stays unsaved,
 * as in app.c's app_submit(). */
static void submit(struct run *r, const struct control_request *req, int client)
{
	struct worker_job *j = worker_job_new(req, client < 0 ? "button" : "tallyctl", client);
	if (!j) {
		logf_("NOJOB %s\n", op_name[req->op]);
		r->t->nojob[req->op]++;
		if (client < 0)
			r->unsaved++;
		return;
	}
	r->inflight++;
	worker_submit(r->w, j);
}

static int done_waiting(struct run *r)
{
	struct pollfd p = { .fd = worker_fd(r->w), .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/* Collects until nothing is in flight (the kiosk's loop does the same, frame by frame). */
static void wait_all(struct run *r)
{
	while (r->inflight > 0) {
		struct pollfd p = { .fd = worker_fd(r->w), .events = POLLIN };
		poll(&p, 1, 1000);
		struct worker_job *list = worker_collect(r->w);
		while (list) {
			struct worker_job *j = list, *next = list->next;
			enum control_op o = j->req.op;
			r->inflight--;
			int for_case = o == CONTROL_PRESS && j->req.case_id[0];
			if (j->status == STORE_OK) {
				r->t->acked[o]++;
				r->t->acked_case += for_case;
				logf_("ACK %s %lld%s\n", op_name[o], j->event.total,
				      j->body ? "" : " (no body)");
			} else if (j->status == STORE_ERR_EMPTY) {
				r->t->empty++;
				logf_("EMPTY %s\n", op_name[o]);
			} else if (!strncmp(j->err, "saved, but", 10)) {
				/* Committed, only the reply failed, and staff are told it was saved. */
				r->t->acked[o]++;
				r->t->acked_case += for_case;
				r->t->saved_noreply++;
				logf_("SAVED %s %s\n", op_name[o], j->err);
			} else if (o == CONTROL_PRESS && !strcmp(breakage, "ack")) {
				/* Broken on purpose: a failed press shown as counted. */
				r->t->acked[o]++;
			} else {
				r->t->failed[o]++;
				r->t->failed_case += for_case;
				logf_("FAIL %s %s %s\n", op_name[o], store_status_name(j->status), j->err);
				if (o == CONTROL_PRESS && j->client < 0 && j->status != STORE_ERR_INVALID)
					r->unsaved++;
				if (!strcmp(breakage, "leak")) { /* broken on purpose: never freed */
					list = next;
					continue;
				}
			}
			worker_job_free(j);
			list = next;
		}
	}
	fflush(stdout);
}

/* Queues times jobs for req so that the storage thread sees them in the same batches in
 * every run (see gate()). */
static void submit_many(struct run *r, const struct control_request *req, int times, int client)
{
	int left = times;
	while (left > 0) {
		atomic_store(&gate_closed, 1);
		while (left > 0 && r->inflight == 0) { /* NOJOB: the next one goes first */
			submit(r, req, client);
			left--;
		}
		while (r->inflight > 0 && !atomic_load(&at_gate) && !done_waiting(r))
			sched_yield();
		if (atomic_load(&at_gate))
			for (; left > 0; left--)
				submit(r, req, client);
		atomic_store(&gate_closed, 0);
		if (left > 0) /* the first job was done without allocating: start again */
			wait_all(r);
	}
}

/* One step of the script, then up to 3 rounds of saving failed presses again. */
static void step(struct run *r, const struct control_request *req, int times, int client)
{
	submit_many(r, req, times, client);
	wait_all(r);
	for (int round = 0; round < 3 && r->unsaved > 0; round++) {
		int n = r->unsaved;
		r->unsaved = 0;
		static const struct control_request again = { .op = CONTROL_PRESS };
		submit_many(r, &again, n, -1);
		wait_all(r);
	}
}

static void op(struct run *r, enum control_op o, long long n, const char *name)
{
	struct control_request req = { .op = o, .n = n };
	if (name)
		snprintf(req.name, sizeof req.name, "%s", name);
	step(r, &req, 1, 7); /* staff, from tallyctl: client tag 7 */
}

/* n presses, queued together or one by one; case_id: from a per-case button. A press saved
 * again after a failure is a plain one, as app.c's retry_unsaved() does. */
static void presses(struct run *r, int n, int together, const char *case_id)
{
	struct control_request press = { .op = CONTROL_PRESS };
	if (case_id)
		snprintf(press.case_id, sizeof press.case_id, "%s", case_id);
	if (together) {
		step(r, &press, n, -1);
		return;
	}
	for (int i = 0; i < n; i++)
		step(r, &press, 1, -1);
}

/* Returns 0, or -1 if the store could not be opened or the thread not started (the kiosk
 * then exits and systemd starts it again). */
static int session(const char *path, int which, struct tally *t)
{
	logf_("SESSION %d\n", which);
	struct store *st;
	enum store_status s = store_open_recover(&st, path, "OOM test", 0, 1000);
	if (s) {
		logf_("OPENFAIL %s %s\n", store_status_name(s), store_errmsg(st));
		store_close(st);
		return -1;
	}
	struct run r = { .t = t };
	if (worker_start(&r.w, st)) {
		logf_("OPENFAIL cannot start the storage thread\n");
		store_close(st);
		return -1;
	}
	if (which == 1) {
		presses(&r, 5, 0, NULL);
		presses(&r, 5, 1, NULL);
		op(&r, CONTROL_ADD, 5, NULL);
		op(&r, CONTROL_UNDO, 0, NULL);
		op(&r, CONTROL_STATUS, 0, NULL);
		op(&r, CONTROL_GOAL, 100, NULL);
		presses(&r, 3, 0, NULL);
	} else {
		op(&r, CONTROL_NEW_EVENT, 0, "Second");
		presses(&r, 5, 1, "jani-silva");
		op(&r, CONTROL_UNDO, 0, NULL);
		op(&r, CONTROL_EVENTS, 0, NULL);
		op(&r, CONTROL_EXPORT_CSV, 0, NULL);
		op(&r, CONTROL_EXPORT_JSON, 0, NULL);
		op(&r, CONTROL_STATUS, 0, NULL);
		presses(&r, 2, 0, "jani-silva");
	}
	t->unsaved += r.unsaved;
	worker_stop(r.w);
	store_close(st);
	return 0;
}

/* ---- one run and its checks ---------------------------------------------------------- */

static void arm(long k, int stick)
{
	atomic_store(&n_calls, 0);
	atomic_store(&n_app, 0);
	atomic_store(&n_sqlite, 0);
	atomic_store(&hit, 0);
	fail_at = k;
	sticky = stick;
}

/* Empties dir (the previous run's database, WAL, anything moved aside). */
static void clean(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[4200];
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
	closedir(d);
}

/* A file of the run other than the database and its WAL: moved aside as damaged. */
static int moved_aside(const char *dir, char *name, size_t len)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d)))
		if (strstr(e->d_name, ".damaged-") || strstr(e->d_name, ".orphan-")) {
			snprintf(name, len, "%s", e->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

static long long q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

#define PROBLEM(...) do { if (!*why) snprintf(why, len, __VA_ARGS__); } while (0)

/*
 * Faults off. The file must open as at the kiosk's next start (store_open_recover: quick_check
 * and each total against its rows) with nothing to recover, and hold, for each kind of change,
 * at least what was acknowledged and at most that plus the attempts that failed (a failed
 * commit may still have reached the file). With a single failure ("once") more holds: nothing
 * is in the file that was reported failed, and a run that got to its end saved every press
 * without a restart. Returns 0, or -1 with the first problem in why.
 */
static int check_run(const char *dir, const char *path, const struct tally *t, int once,
		     char *why, size_t len)
{
	*why = '\0';
	arm(0, 0);
	char aside[256];
	if (moved_aside(dir, aside, sizeof aside))
		PROBLEM("DAMAGE the run moved the database aside (%s)", aside);
	struct store *st;
	enum store_status s = store_open_recover(&st, path, "OOM test", 0, 1000);
	if (s)
		PROBLEM("CORRUPT does not open again: %s %s", store_status_name(s), store_errmsg(st));
	else if (store_notice(st)[0])
		PROBLEM("DAMAGE the next start had to recover: %s", store_notice(st));
	store_close(st);
	if (*why)
		return -1;
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		PROBLEM("CORRUPT cannot open read-only: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_stmt *q;
	char result[128] = "";
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		snprintf(result, sizeof result, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (strcmp(result, "ok"))
		PROBLEM("CORRUPT quick_check: %s", result);
	long long rows[N_OPS] = { 0 };
	rows[CONTROL_PRESS] = q_int(db, "SELECT count(*) FROM counts WHERE kind = 'press'");
	rows[CONTROL_ADD] = q_int(db, "SELECT count(*) FROM counts WHERE kind = 'add'");
	rows[CONTROL_UNDO] = q_int(db, "SELECT count(*) FROM counts WHERE kind = 'undo'");
	rows[CONTROL_NEW_EVENT] = q_int(db, "SELECT count(*) - 1 FROM events");
	rows[CONTROL_GOAL] = q_int(db, "SELECT count(*) > 0 FROM events WHERE goal = 100");
	long long case_rows = q_int(db, "SELECT count(*) FROM counts WHERE kind = 'press' AND"
				    " case_id = 'jani-silva'");
	sqlite3_close(db);
	static const enum control_op changes[] = { CONTROL_PRESS, CONTROL_ADD, CONTROL_UNDO,
						   CONTROL_NEW_EVENT, CONTROL_GOAL };
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		enum control_op o = changes[i];
		if (rows[o] < t->acked[o])
			PROBLEM("LOST %s: %lld in the file, %d acknowledged", op_name[o], rows[o],
				t->acked[o]);
		else if (rows[o] > t->acked[o] + t->failed[o])
			PROBLEM("EXCESS %s: %lld in the file, %d acknowledged + %d failed",
				op_name[o], rows[o], t->acked[o], t->failed[o]);
		else if (once && rows[o] > t->acked[o])
			PROBLEM("PHANTOM %s: %lld in the file, %d acknowledged: a change reported as "
				"failed was saved", op_name[o], rows[o], t->acked[o]);
	}
	/* The per-case total: what the card showed must be what the file says. */
	if (case_rows < t->acked_case || case_rows > t->acked_case + t->failed_case ||
	    (once && case_rows != t->acked_case))
		PROBLEM("CASE presses for the case: %lld in the file, %d acknowledged, %d failed",
			case_rows, t->acked_case, t->failed_case);
	if (once && t->ended && t->acked[CONTROL_PRESS] != SCRIPT_PRESSES)
		PROBLEM("NOT RECOVERED %d of %d presses saved without a restart",
			t->acked[CONTROL_PRESS], SCRIPT_PRESSES);
	return *why ? -1 : 0;
}

static long run_calls, run_app, run_sqlite; /* the last run's allocations */

/* One run with the k-th allocation failing (k 0: none). Returns 1 if the fault was reached,
 * and writes the first problem found into why ("" if none). */
static int one_run(const char *dir, long k, int stick, struct tally *t, char *why, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/oom.db", dir);
	clean(dir);
	memset(t, 0, sizeof *t);
	arm(k, stick);
	if (session(path, 1, t) || session(path, 2, t))
		t->openfail = 1;
	else
		t->ended = 1;
	int reached = atomic_load(&hit);
	run_calls = atomic_load(&n_calls);
	run_app = atomic_load(&n_app);
	run_sqlite = atomic_load(&n_sqlite);
	/* Every connection is closed: SQLite must give back all it took, and so must the app. */
	sqlite3_shutdown();
	long la = atomic_load(&live_app), ls = atomic_load(&live_sqlite);
	*why = '\0';
	if (la || ls) {
		snprintf(why, len, "LEAK %ld app and %ld SQLite allocation(s) never freed", la, ls);
		atomic_store(&live_app, 0);
		atomic_store(&live_sqlite, 0);
	}
	char later[512];
	if (check_run(dir, path, t, !stick, later, sizeof later) && !*why)
		snprintf(why, len, "%s", later);
	sqlite3_shutdown();
	atomic_store(&live_sqlite, 0);
	return reached;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: oom_drive DIR count | sweep once|sticky FROM STEP [TO] |"
				" run K once|sticky\n");
		return 2;
	}
	/* Before SQLite allocates anything: every one of its allocations goes through mem. */
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK) {
		fprintf(stderr, "oom_drive: sqlite3_config(SQLITE_CONFIG_MALLOC) refused\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	main_thread = pthread_self();
	const char *e = getenv("OOM_BREAK");
	breakage = e ? e : "";
	const char *dir = argv[1], *cmd = argv[2];
	struct tally t;
	char why[600];
	if (!strcmp(cmd, "count")) {
		void *warm[1];
		backtrace(warm, 1); /* loads the unwinder now, not inside a counted allocation */
		count_sites = 1;
		one_run(dir, 0, 0, &t, why, sizeof why);
		count_sites = 0;
		printf("ALLOCS calls=%ld app=%ld sqlite=%ld stacks=%ld app_stacks=%ld "
		       "sqlite_stacks=%ld presses=%d acked=%d%s%s\n", run_calls, run_app, run_sqlite,
		       n_sites, n_sites_app, n_sites_sqlite, SCRIPT_PRESSES, t.acked[CONTROL_PRESS],
		       *why ? " PROBLEM " : "", why);
		return *why ? 1 : 0;
	}
	if (!strcmp(cmd, "run") && argc == 5) {
		verbose = 1;
		int reached = one_run(dir, atol(argv[3]), !strcmp(argv[4], "sticky"), &t, why,
				      sizeof why);
		printf("RESULT k=%s %s reached=%d %s\n", argv[3], argv[4], reached,
		       *why ? why : "ok");
		return *why ? 1 : 0;
	}
	if (!strcmp(cmd, "sweep") && (argc == 6 || argc == 7)) {
		int stick = !strcmp(argv[3], "sticky");
		long k = atol(argv[4]), stepk = atol(argv[5]), last = argc == 7 ? atol(argv[6]) : 0;
		long runs = 0, bad = 0, refused = 0, recovered = 0, unsaved = 0;
		for (; !last || k <= last; k += stepk) {
			printf("K %ld\n", k);
			alarm(20); /* a hang ends the sweep here, named by the line above */
			int reached = one_run(dir, k, stick, &t, why, sizeof why);
			alarm(0);
			if (!reached)
				break;
			runs++;
			refused += t.openfail;
			unsaved += t.unsaved > 0;
			int failures = 0;
			for (int i = 0; i < N_OPS; i++)
				failures += t.failed[i] + t.nojob[i];
			recovered += t.ended && failures > 0 && t.acked[CONTROL_PRESS] == SCRIPT_PRESSES;
			if (*why) {
				bad++;
				printf("BAD k=%ld %s %s\n", k, argv[3], why);
			}
		}
		clean(dir);
		printf("SWEEP mode=%s runs=%ld bad=%ld refused_start=%ld recovered=%ld "
		       "left_unsaved=%ld unreached_k=%ld\n",
		       argv[3], runs, bad, refused, recovered, unsaved, k);
		return 0;
	}
	fprintf(stderr, "oom_drive: unknown command %s\n", cmd);
	return 2;
}
