/*
 * Private to the store's files (store.c, store_open.c, store_events.c, store_recover.c,
 * store_report.c, store_peers.c): the connection, its prepared statements and the helpers they
 * share. The only header that includes sqlite3.h.
 */
#ifndef TALLYKIOSK_STORE_INT_H
#define TALLYKIOSK_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

#define STORE_APPLICATION_ID 0x54414c59 /* "TALY" */
/* The source of the rows that carry totals recovered from a damaged file. Staff undo never
 * picks them: an undo meant for the last press must not take back a recovered total. */
#define SOURCE_RECOVERED "(recovered)"

enum stmt_id {
	ST_INSERT_COUNT,
	ST_ADD_TOTAL,
	ST_UNDO_TARGET,
	ST_CURRENT,
	ST_SUM_EVENT,
	ST_REOPEN_TARGET,
	ST__COUNT
};

struct store {
	sqlite3 *db;              /* NULL while broken */
	sqlite3_stmt *stmt[ST__COUNT];
	char *path;
	int in_txn;
	int txn_failed;           /* a job's savepoint could not be released or rolled back:
				   * its changes cannot be told apart, so the commit is refused */
	int broken;               /* the connection was closed after a failure: reopen first */
	long long pend_row;       /* id of the last count row written in the open transaction */
	struct store_event cur;   /* committed state of the current event */
	struct store_event pend;  /* state inside an open transaction */
	long long latest_ms;      /* the latest time a row or event start was saved with */
	int latest_known;         /* latest_ms was read from the file */
	char kiosk_id[40];
	char errmsg[512];
	char notice[768];         /* what store_open_recover did, for staff */
};

void store_set_err(struct store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps an SQLite result code to a store status; records SQLite's message (and errno) as
 * "what: message" in st->errmsg. */
enum store_status store_fail(struct store *st, int rc, const char *what);
/* Run a statement returning at most one integer / one text value (0 or "" when none);
 * they return an SQLite result code. */
int store_exec_int(struct store *st, const char *sql, long long *out);
int store_exec_text(struct store *st, const char *sql, char *buf, size_t len);
enum store_status store_exec_sql(struct store *st, const char *sql, const char *what);
/* Reads the current (open) event into st->cur. */
enum store_status store_load_current(struct store *st);
/* Checks every stored total against the sum of its rows; path names the file in errors. */
enum store_status store_check_total(struct store *st, const char *path);
/* Closes the connection (checkpointing the WAL) and finalizes every statement. */
void store_close_db(struct store *st);
/* A store left broken by a failed reopen tries again before each use. */
enum store_status store_ensure_open(struct store *st);
/* Closes and reopens the file after a failure, keeping st->errmsg; a failed reopen leaves the
 * store broken (store_ensure_open tries again). */
enum store_status store_reopen(struct store *st);
/* The wall clock in Unix milliseconds, as rows and events are saved with. */
long long store_now_ms(void);
/* The time a row is saved with, and whether the clock could be right then (clockcheck.h). */
enum store_status store_row_time(struct store *st, long long *now, int *time_ok);
/* Writes one row of the current event (st->pend) and adds delta to its totals. undoes: the
 * row an undo takes back, or 0; case_id NULL for the room. */
enum store_status store_insert_row(struct store *st, const char *kind, long long delta,
				   const char *source, long long undoes, const char *case_id);
/* Whether SQLite rolled the caller's group transaction back by itself (sets st->errmsg). */
int store_txn_lost(struct store *st);

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
	} else if (store_txn_lost(st)) {                                           \
		return STORE_ERR_IO;                                                \
	} else {                                                                    \
		enum store_status bs = store_exec_sql(st, "SAVEPOINT job", "saving a count"); \
		if (bs)                                                             \
			return bs;                                                  \
	}

/* Ends what AUTO_TXN_BEGIN began with the job's status s: commits or rolls back its own
 * transaction, or releases or rolls back its savepoint inside the caller's. */
enum store_status store_auto_txn_end(struct store *st, int auto_txn, enum store_status s,
				     const struct store_event *job_pend, long long job_row);

#endif
