/*
 * Button presses the kiosk could not save yet, kept whole (source, case) until storage works
 * again. A press whose commit failed is kept as the job it was (nothing to allocate when
 * memory is short); a press that could not even get a job is counted in a fixed table per
 * source and case. Taking them gives back exactly the requests that were made.
 */
#ifndef TALLYKIOSK_UNSAVED_H
#define TALLYKIOSK_UNSAVED_H

#include "config.h"
#include "worker.h"

/* One row per source and case: the keyboard and each GPIO input, with room to spare. */
#define UNSAVED_TABLE_MAX (CONFIG_MAX_GPIO + 8)

struct unsaved_presses {
	char source[STORE_SOURCE_MAX];
	char case_id[CONTROL_CASE_MAX];
	int n;
};

struct unsaved {
	struct worker_job *jobs, **tail; /* failed commits, oldest first */
	int n_jobs;
	struct unsaved_presses table[UNSAVED_TABLE_MAX];
	int n_rows;
};

void unsaved_init(struct unsaved *u);

/* Keeps a press job whose commit failed (ownership passes to u). */
void unsaved_keep_job(struct unsaved *u, struct worker_job *j);

/* Counts a press that could not be given a job (out of memory). Returns 0, or -1 if the
 * table is full (then it is counted with the first row: the count kept, its source not). */
int unsaved_keep_press(struct unsaved *u, const struct control_request *req, const char *source);

/* How many presses wait to be saved. */
int unsaved_count(const struct unsaved *u);

/* Takes every kept job, ready to be submitted again (status cleared), oldest first. */
struct worker_job *unsaved_take_jobs(struct unsaved *u);

/* Takes the table: copies its rows into out (UNSAVED_TABLE_MAX of them) and empties it.
 * Returns the number of rows. */
int unsaved_take_presses(struct unsaved *u, struct unsaved_presses *out);

/* A request equal to the one a table row counts. */
void unsaved_request(const struct unsaved_presses *row, struct control_request *req);

/* Frees the kept jobs (at shutdown). */
void unsaved_free(struct unsaved *u);

#endif
