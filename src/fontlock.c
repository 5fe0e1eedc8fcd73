/* See fontlock.h. */
#include "fontlock.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct font_lock {
	pthread_mutex_t mutex;
	long taken;             /* all three under mutex */
	long long waited_ns, longest_wait_ns;
};

struct font_lock *font_lock_new(void)
{
	struct font_lock *l = calloc(1, sizeof *l);
	if (l && pthread_mutex_init(&l->mutex, NULL) != 0) {
		free(l);
		l = NULL;
	}
	return l;
}

void font_lock_free(struct font_lock *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mutex);
	free(l);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void font_lock_hold(struct font_lock *l)
{
	if (!l)
		return;
	/* Uncontended (the usual case: the card thread is idle) it costs no clock reads. */
	if (pthread_mutex_trylock(&l->mutex) != 0) {
		long long t0 = now_ns();
		pthread_mutex_lock(&l->mutex);
		long long waited = now_ns() - t0;
		l->waited_ns += waited;
		if (waited > l->longest_wait_ns)
			l->longest_wait_ns = waited;
	}
	l->taken++;
}

void font_lock_release(struct font_lock *l)
{
	if (l)
		pthread_mutex_unlock(&l->mutex);
}

long font_lock_taken(struct font_lock *l)
{
	if (!l)
		return 0;
	pthread_mutex_lock(&l->mutex);
	long n = l->taken;
	pthread_mutex_unlock(&l->mutex);
	return n;
}

long long font_lock_waited_ns(struct font_lock *l, long long *longest_ns)
{
	if (longest_ns)
		*longest_ns = 0;
	if (!l)
		return 0;
	pthread_mutex_lock(&l->mutex);
	long long n = l->waited_ns;
	if (longest_ns)
		*longest_ns = l->longest_wait_ns;
	pthread_mutex_unlock(&l->mutex);
	return n;
}
