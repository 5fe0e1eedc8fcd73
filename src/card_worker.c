/* See card_worker.h. */
#include "card_worker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct card_job {
	int used, done;
	int tag, wide;
	char *json;
	unsigned char *png;
	size_t len;
	char err[200];
};

struct card_worker {
	struct card *card;
	const struct cases *cases;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct card_job jobs[CARD_QUEUE_MAX];
	int stopping;
	int efd;
};

static void *card_main(void *arg)
{
	struct card_worker *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct card_job *j = NULL;
		for (int i = 0; i < CARD_QUEUE_MAX && !j; i++)
			if (w->jobs[i].used && !w->jobs[i].done)
				j = &w->jobs[i];
		if (!j) {
			if (w->stopping)
				break;
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		char *json = j->json;
		int wide = j->wide;
		pthread_mutex_unlock(&w->lock);

		struct card_data d;
		unsigned char *png = NULL;
		size_t len = 0;
		char err[200] = "";
		if (card_data_from_json(json, w->cases, &d) != 0)
			snprintf(err, sizeof err, "the event's numbers could not be read");
		else
			card_render(w->card, &d, wide, &png, &len, err, sizeof err);

		pthread_mutex_lock(&w->lock);
		j->png = png;
		j->len = len;
		snprintf(j->err, sizeof j->err, "%s", err);
		j->done = 1;
		uint64_t one = 1;
		ssize_t r = write(w->efd, &one, sizeof one);
		(void)r;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int card_worker_start(struct card_worker **out, struct card *card, const struct cases *cases)
{
	*out = NULL;
	struct card_worker *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->card = card;
	w->cases = cases;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (w->efd < 0 || pthread_create(&w->thread, NULL, card_main, w) != 0) {
		if (w->efd >= 0)
			close(w->efd);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int card_worker_fd(const struct card_worker *w)
{
	return w->efd;
}

int card_worker_submit(struct card_worker *w, int tag, int wide, const char *json)
{
	char *copy = strdup(json);
	if (!copy)
		return -1;
	pthread_mutex_lock(&w->lock);
	struct card_job *j = NULL;
	for (int i = 0; i < CARD_QUEUE_MAX && !j; i++)
		if (!w->jobs[i].used)
			j = &w->jobs[i];
	if (j) {
		*j = (struct card_job){ .used = 1, .tag = tag, .wide = wide, .json = copy };
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	if (!j)
		free(copy);
	return j ? 0 : -1;
}

int card_worker_take(struct card_worker *w, int *tag, unsigned char **png, size_t *len,
		     char *err, size_t errlen)
{
	uint64_t v;
	ssize_t r = read(w->efd, &v, sizeof v);
	(void)r;
	int found = 0, more = 0;
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < CARD_QUEUE_MAX; i++) {
		struct card_job *j = &w->jobs[i];
		if (!j->used || !j->done)
			continue;
		if (found) {
			more = 1;
			break;
		}
		*tag = j->tag;
		*png = j->png;
		*len = j->len;
		snprintf(err, errlen, "%s", j->err);
		free(j->json);
		memset(j, 0, sizeof *j);
		found = 1;
	}
	pthread_mutex_unlock(&w->lock);
	if (more) { /* keep the fd readable for the rest */
		uint64_t one = 1;
		r = write(w->efd, &one, sizeof one);
	}
	return found;
}

void card_worker_stop(struct card_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	for (int i = 0; i < CARD_QUEUE_MAX; i++) {
		free(w->jobs[i].json);
		free(w->jobs[i].png);
	}
	close(w->efd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}
