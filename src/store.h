/*
 * The durable tally: one SQLite database, one connection, owned by one process.
 *
 * Every count is a row (a press +1, a manual add +N, an undo -N) in the current event; an
 * event's running total is kept beside it in the same transaction, so reading it is O(1).
 * Nothing is ever deleted: a new event closes the old one, which stays exportable.
 * Only the store's files (store*.c, through the private store_int.h) include sqlite3.h. Functions return a store status; the detail of the last
 * failure is in store_errmsg().
 */
#ifndef TALLYKIOSK_STORE_H
#define TALLYKIOSK_STORE_H

#include <stddef.h>

#define STORE_SCHEMA_VERSION 3
#define STORE_NAME_MAX 128
#define STORE_SOURCE_MAX 32
/* Largest single manual add and largest goal: beyond any real event, far from overflow. */
#define STORE_COUNT_MAX 1000000000LL

enum store_status {
	STORE_OK = 0,
	STORE_ERR_BUSY,     /* another process holds the database */
	STORE_ERR_NOTDB,    /* the file is not a tallykiosk SQLite database */
	STORE_ERR_FUTURE,   /* written by a newer tallykiosk (schema version too high) */
	STORE_ERR_CORRUPT,  /* integrity check failed or totals disagree with the rows */
	STORE_ERR_READONLY, /* cannot write: permissions or a read-only file system */
	STORE_ERR_IO,       /* a read, write or sync failed (disk full, I/O error) */
	STORE_ERR_INVALID,  /* a bad argument: empty name, count out of range */
	STORE_ERR_EMPTY,    /* undo: nothing left to undo in this event */
	STORE_ERR_NOMEM,
	STORE_ERR_CONFIRM,  /* undo: the latest entry is larger than the caller allowed */
};

enum store_kind { STORE_PRESS, STORE_ADD, STORE_UNDO };

struct store;

#define STORE_MAX_CASES 16
#define STORE_CASE_ID_MAX 64
#define STORE_UID_MAX 64

/* The letters counted for one case (a per-case button) in an event. */
struct store_case_total {
	char id[STORE_CASE_ID_MAX];
	long long total;
};

/* A snapshot of the current event. */
struct store_event {
	long long id;
	char name[STORE_NAME_MAX];
	long long total;
	long long goal;
	long long started_ms; /* Unix time in milliseconds */
	long long ended_ms;   /* 0 while the event is open */
	char uid[STORE_UID_MAX]; /* the event's id across a venue's kiosks; "" = derive from name */
	long long origin_ms;  /* when staff started it on some kiosk (ms); 0 = never (the first
			       * event of a new database) */
	/* Per-case totals, kept like the total (no scan per count); the first STORE_MAX_CASES
	 * cases only, which covers one per GPIO input. */
	struct store_case_total cases[STORE_MAX_CASES];
	int n_cases;
};

/*
 * Opens the database at path and takes it exclusively. With first_event set, a missing file
 * is created, with the schema and a first event called first_event with goal first_goal;
 * with first_event NULL the file must already exist. wait_ms: how long to
 * wait for a lock held by another process before STORE_ERR_BUSY. On success *out is the
 * handle; on failure *out is a handle that only carries store_errmsg() (close it), or NULL
 * when out of memory.
 */
enum store_status store_open(struct store **out, const char *path, const char *first_event,
			     long long first_goal, int wait_ms);

/*
 * store_open for the kiosk, which must keep counting: a damaged database of ours (failed
 * quick_check, totals that disagree with the rows, unreadable pages or header) is moved aside
 * to "<path>.damaged-<UTC time>" with its -wal, never deleted, and a fresh file takes its place
 * holding every event and count row that could still be read (each event's total is at least
 * what the old file's total said). store_notice() then says what happened. A file that is not a
 * tallykiosk database, or is from a newer version, is refused as by store_open.
 */
enum store_status store_open_recover(struct store **out, const char *path,
				     const char *first_event, long long first_goal, int wait_ms);

/* What store_open_recover did, for the log and the staff strip; "" if nothing. */
const char *store_notice(const struct store *st);

/* Finishes the WAL (checkpoint) and closes. Accepts NULL. */
void store_close(struct store *st);

const char *store_errmsg(const struct store *st);
const char *store_status_name(enum store_status s);

/* This kiosk's stable id, made at the database's first start. */
const char *store_kiosk_id(const struct store *st);

/* The current event (O(1): no scan of the count rows). */
void store_current(const struct store *st, struct store_event *ev);

/* The current event's total inside an open transaction, counting its uncommitted changes. */
long long store_pending_total(const struct store *st);

/*
 * Group commit: store_begin, any number of store_count/store_undo, store_commit. Only after
 * store_commit returns STORE_OK are the new totals durable and may they be shown. On a failed
 * commit everything since store_begin is rolled back and the in-memory totals are re-read.
 * Outside a begin/commit pair each call is its own transaction.
 */
enum store_status store_begin(struct store *st);
enum store_status store_commit(struct store *st);
void store_rollback(struct store *st);

/* Adds delta (1 for a press, 1..STORE_COUNT_MAX for an add) from source ("button", "tallyctl").
 * case_id names the case a per-case button counts for, or is NULL. */
enum store_status store_count(struct store *st, enum store_kind kind, long long delta,
			      const char *source, const char *case_id);

/* Reverses the latest press or add of the current event not yet undone. *undone = its delta. */
enum store_status store_undo(struct store *st, const char *source, long long *undone);

/*
 * Takes back a mistaken new event: the current event, which must not have counted anything,
 * is closed (and kept), and the event before it is current again with its total. The closed
 * event's name is written to closed. STORE_ERR_INVALID when the current event has counts,
 * STORE_ERR_EMPTY when there is no earlier event.
 */
enum store_status store_reopen_previous(struct store *st, char *closed, size_t closed_len);

/* store_undo, refused with STORE_ERR_CONFIRM when the entry it would take back is larger than
 * max (max 0: no limit): a phone that asked to undo 5 must not take back a 500 added since. */
enum store_status store_undo_max(struct store *st, const char *source, long long max,
				 long long *undone);

/* Closes the current event and opens a new one named name (goal carried over). */
enum store_status store_new_event(struct store *st, const char *name);

/*
 * Closes the current event and opens one named name with the id uid (NULL = none), started by
 * staff at origin_ms (0 = not by staff), with goal (-1: carried over). The kiosk follows an
 * event started on another kiosk of its venue with this.
 */
enum store_status store_start_event(struct store *st, const char *name, const char *uid,
				    long long origin_ms, long long goal);

/* The venue id of an event that has none (the first of a database): from its name. */
typedef int (*store_derive_uid_fn)(const char *name, char *out, size_t len);

/*
 * Makes the event with venue id uid current again, when this kiosk has one: a kiosk of the
 * venue took back a mistaken new event, and the venue went back to an event counted in here
 * before. Its rows go on where they were, so this kiosk's counts for it keep growing.
 * origin_ms: when the venue made it current; goal: -1 keeps it. Letters the current event
 * holds (counted here before this kiosk heard of the reopen) go along: taken back in it by
 * undo rows and added to the resumed event per case, all with source; *moved says how many.
 * When uid is the current event already, only its origin_ms changes. STORE_ERR_EMPTY when no
 * event here has that id (derive: the ids of events without one).
 */
enum store_status store_resume_event(struct store *st, const char *uid, long long origin_ms,
				     long long goal, store_derive_uid_fn derive,
				     const char *source, long long *moved);

enum store_status store_set_goal(struct store *st, long long goal);

/* --- several kiosks (store_peers.c) --- */

/* What this kiosk counted in the current event for one case ("" = not for a case): P is
 * presses and adds, N what undo took back. Both only grow. */
struct store_case_pn {
	char id[STORE_CASE_ID_MAX];
	long long p, n;
};

/*
 * Per-case P and N of the current event, from its rows, in order of each case's first count.
 * Cases beyond max - 1 are counted in "" (a fold that keeps P and N growing). *n = entries.
 */
enum store_status store_case_pn(struct store *st, struct store_case_pn *out, int max, int *n);

/* Keeps (replaces) the last state received on topic. */
enum store_status store_peer_put(struct store *st, const char *topic, const char *payload,
				 long long received_ms);

/* Calls fn for each kept peer state, oldest topic first; stops early if fn returns non-zero. */
enum store_status store_peer_each(struct store *st,
				  int (*fn)(void *ctx, const char *topic, const char *payload),
				  void *ctx);

/* Settings kept with the counts (the web PIN): a value of at most len-1 bytes into buf,
 * "" when the key is unset. Keys are short words of our own. */
enum store_status store_meta_get(struct store *st, const char *key, char *buf, size_t len);
enum store_status store_meta_set(struct store *st, const char *key, const char *value);

/* JSON documents, malloc'd into *out (caller frees). The status also has the per-case totals
 * ("cases": {"id": N, ...}), what an undo would take back now ("undoable": its delta, 0 for
 * nothing) and what reopen would go back to ("reopen_to_id", "reopen_to": the previous event,
 * null when there is none) with why it would be refused now ("reopen_refused": null, or the
 * reason for people: the current event has counted). */
enum store_status store_status_json(struct store *st, char **out);
/* The latest wall-clock time (Unix ms) a count or an event start was saved with; 0 if none
 * or unreadable. What the clock must not be far behind (clockcheck.h). */
long long store_latest_ms(struct store *st);
enum store_status store_events_json(struct store *st, char **out);
/* One event as the status names it ("event", "event_id", "total", "goal", "started",
 * "ended" (null while open), "cases": {"id": N}); id 0 is the current event. STORE_ERR_EMPTY
 * when there is no such event. */
enum store_status store_event_json(struct store *st, long long id, char **out);

enum store_export_format { STORE_EXPORT_CSV, STORE_EXPORT_JSON };
/* Every count row of every event, oldest first, with event name and ISO 8601 UTC times. */
enum store_status store_export(struct store *st, enum store_export_format fmt, char **out);

#ifdef TALLYKIOSK_TEST_HOOKS
/* Test builds only (tests/crash): sets synchronous=NORMAL, which can lose acknowledged
 * commits on power loss, so the power-cut harness can prove that it sees such a loss. */
enum store_status store_test_weaken_sync(struct store *st);
#endif

#endif
