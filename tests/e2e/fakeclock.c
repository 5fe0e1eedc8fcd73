/* LD_PRELOAD shim for tests: the wall clock (CLOCK_REALTIME, time, gettimeofday) is shifted
 * by the number of seconds in the file $FAKE_CLOCK_FILE (e.g. -604800: a week back), read at
 * every call, so a test can move a running kiosk's clock. CLOCK_MONOTONIC is left alone, as
 * when a Pi's clock is set back. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long offset_s(void)
{
	const char *f = getenv("FAKE_CLOCK_FILE");
	FILE *fp = f ? fopen(f, "re") : NULL;
	long long s = 0;
	if (fp) {
		if (fscanf(fp, "%lld", &s) != 1)
			s = 0;
		fclose(fp);
	}
	return s;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	int rc = real(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += offset_s();
	return rc;
}

time_t time(time_t *t)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;
	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (tv) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}
