/*
 * The storage thread: the only thread that touches the store while the kiosk runs.
 *
 * The loop submits jobs (a press, a staff command) and goes on drawing; the thread commits
 * them, as many presses as are waiting in one transaction (group commit), so a slow fsync on
 * an SD card never stalls a frame. Finished jobs come back through worker_collect(); the fd
 * from worker_fd() becomes readable when there are some. A job's result carries the event
 * state after its commit: only that state may be shown.
 */
#ifndef TALLYKIOSK_WORKER_H
#define TALLYKIOSK_WORKER_H

#include "control.h"
#include "store.h"

struct worker_job {
	struct worker_job *next;
	struct control_request req;
	char source[STORE_SOURCE_MAX];
	int client;               /* the app's tag for who waits for the reply; -1 for none */
	long long input_ns;       /* monotonic time of the input, for latency figures */
	/* Filled in by the worker: */
	enum store_status status;
	char err[256];
	char *body;               /* reply body (malloc'd) when status is STORE_OK and
				   * client >= 0 (a button press needs none) */
	struct store_event event; /* the committed current event after this job's batch */
	long long total;          /* the event's total right after this job (its own, in a
				   * batch that committed several) */
	int batch;                /* how many jobs shared this job's commit */
};

struct worker;

/* Starts the thread. It borrows st until worker_stop() returns. Returns 0 or -1 (errno). */
int worker_start(struct worker **out, struct store *st);

/* Monotonic ms since the storage thread started its current batch, or 0 when it is idle:
 * a batch that takes far too long means storage is hung. */
long long worker_busy_ms(struct worker *w, long long now_ms);

/* Readable when finished jobs wait to be collected (an eventfd). */
int worker_fd(const struct worker *w);

/* Queues job (ownership passes to the worker until collected). */
void worker_submit(struct worker *w, struct worker_job *job);

/* Takes every finished job, oldest first, as a list; NULL if none. Clears the fd. */
struct worker_job *worker_collect(struct worker *w);

/* Allocates a job for req with source; NULL if out of memory. */
struct worker_job *worker_job_new(const struct control_request *req, const char *source,
				  int client);
void worker_job_free(struct worker_job *job);

/* Finishes every queued job, stops the thread and frees the worker (after a last collect).
 * Jobs still uncollected are freed. Accepts NULL. */
void worker_stop(struct worker *w);

#endif
