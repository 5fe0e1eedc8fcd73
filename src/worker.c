/* See worker.h. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "monotime.h"

struct worker {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct worker_job *todo, **todo_tail;
	struct worker_job *done, **done_tail;
	int stopping;
	int efd;
	long long batch_start_ms; /* 0 while idle; guarded by lock */
};

long long worker_busy_ms(struct worker *w, long long now_ms)
{
	pthread_mutex_lock(&w->lock);
	long long start = w->batch_start_ms;
	pthread_mutex_unlock(&w->lock);
	return start ? now_ms - start : 0;
}

struct worker_job *worker_job_new(const struct control_request *req, const char *source,
				  int client)
{
	struct worker_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->req = *req;
	snprintf(j->source, sizeof j->source, "%s", source);
	j->client = client;
	return j;
}

void worker_job_free(struct worker_job *job)
{
	if (!job)
		return;
	free(job->req.blob);
	free(job->body);
	free(job);
}

static void fail_job(struct worker_job *j, enum store_status s, const char *msg)
{
	j->status = s;
	snprintf(j->err, sizeof j->err, "%s", msg);
	free(j->body);
	j->body = NULL;
}

/*
 * The reply body of a job whose change is committed. Button presses (client -1) get none:
 * nobody reads it, and a body that could not be written (out of memory) turned a committed
 * press into a failed one, which the app then saved again (tests/oom). For tallyctl the
 * failure is reported with the news that the change stands, so staff do not repeat it.
 */
static void report_committed(struct store *st, struct worker_job *j, long long detail)
{
	if (j->client < 0)
		return;
	enum store_status s = ledger_report(st, &j->req, detail, &j->body, j->err, sizeof j->err);
	if (s)
		j->status = s;
}

/*
 * Commits a run of count jobs (first..end) in one transaction. A job that fails on its own
 * (nothing to undo) fails alone; a failed commit fails every job of the run, and none of
 * their counts is shown.
 */
static void run_counts(struct store *st, struct worker_job *first, struct worker_job *end)
{
	long long detail[64];
	int n = 0;
	for (struct worker_job *j = first; j != end; j = j->next)
		n++;
	enum store_status s = store_begin(st);
	if (s) {
		for (struct worker_job *j = first; j != end; j = j->next)
			fail_job(j, s, store_errmsg(st));
		return;
	}
	int i = 0;
	for (struct worker_job *j = first; j != end; j = j->next, i++) {
		j->status = ledger_apply(st, &j->req, j->source, &detail[i], j->err, sizeof j->err);
		j->total = store_pending_total(st);
	}
	s = store_commit(st);
	i = 0;
	for (struct worker_job *j = first; j != end; j = j->next, i++) {
		j->batch = n;
		if (s)
			fail_job(j, s, store_errmsg(st));
		else if (j->status == STORE_OK)
			report_committed(st, j, detail[i]);
		store_current(st, &j->event);
	}
}

static void run_batch(struct store *st, struct worker_job *list)
{
	struct worker_job *j = list;
	while (j) {
		if (control_is_count(j->req.op)) {
			struct worker_job *end = j;
			int n = 0;
			while (end && control_is_count(end->req.op) && n < 64) {
				end = end->next;
				n++;
			}
			run_counts(st, j, end);
			j = end;
		} else {
			j->status = ledger_run(st, &j->req, j->source, &j->body, j->err,
					       sizeof j->err);
			j->batch = 1;
			store_current(st, &j->event);
			j = j->next;
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->todo && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->todo && w->stopping)
			break;
		struct worker_job *list = w->todo;
		w->todo = NULL;
		w->todo_tail = &w->todo;
		w->batch_start_ms = mono_ms();
		pthread_mutex_unlock(&w->lock);

		run_batch(w->st, list);

		pthread_mutex_lock(&w->lock);
		w->batch_start_ms = 0;
		*w->done_tail = list;
		while (*w->done_tail)
			w->done_tail = &(*w->done_tail)->next;
		uint64_t one = 1;
		ssize_t r = write(w->efd, &one, sizeof one);
		(void)r;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(struct worker **out, struct store *st)
{
	*out = NULL;
	struct worker *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->st = st;
	w->todo_tail = &w->todo;
	w->done_tail = &w->done;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		free(w);
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc) {
		close(w->efd);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		free(w);
		errno = rc;
		return -1;
	}
	*out = w;
	return 0;
}

int worker_fd(const struct worker *w)
{
	return w->efd;
}

void worker_submit(struct worker *w, struct worker_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	*w->todo_tail = job;
	w->todo_tail = &job->next;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

struct worker_job *worker_collect(struct worker *w)
{
	uint64_t v;
	ssize_t r = read(w->efd, &v, sizeof v);
	(void)r;
	pthread_mutex_lock(&w->lock);
	struct worker_job *list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	return list;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	for (struct worker_job *j = w->done, *next; j; j = next) {
		next = j->next;
		worker_job_free(j);
	}
	close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}
