/* LD_PRELOAD shim for tests: the wall clock (CLOCK_REALTIME, time, gettimeofday) is shifted
 * by the number of seconds in the file $FAKE_CLOCK_FILE (e.g. -604800: a week back), read at
 * every call, so a test can move a running kiosk's clock. CLOCK_MONOTONIC is left alone, as
 * when a Pi's clock is set back.
 *
 * Setting the clock (clock_settime, settimeofday) never reaches the kernel: it writes the
 * offset that makes the faked clock say the time asked for, so the suite can run as root
 * without moving the machine's clock. capget reports CAP_SYS_TIME as held, so the program
 * believes it may set the clock; with FAKE_CLOCK_DENY=1 it reports it missing and setting
 * fails with EPERM, as for a kiosk run without the privilege. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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

static int denied(void)
{
	const char *d = getenv("FAKE_CLOCK_DENY");
	return d && strcmp(d, "1") == 0;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	const char *f = getenv("FAKE_CLOCK_FILE");
	struct timespec now;
	if (id != CLOCK_REALTIME || !f || denied() || real(CLOCK_REALTIME, &now) != 0) {
		errno = EPERM; /* never the real clock */
		return -1;
	}
	/* Written whole, then renamed: a kiosk reading the file meanwhile sees old or new. */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.set%ld", f, (long)getpid());
	FILE *fp = fopen(tmp, "we");
	if (!fp) {
		errno = EIO;
		return -1;
	}
	fprintf(fp, "%lld\n", (long long)ts->tv_sec - (long long)now.tv_sec);
	if (fclose(fp) != 0 || rename(tmp, f) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tz;
	if (!tv) {
		errno = EPERM;
		return -1;
	}
	struct timespec ts = { .tv_sec = tv->tv_sec, .tv_nsec = tv->tv_usec * 1000 };
	return clock_settime(CLOCK_REALTIME, &ts);
}

int capget(cap_user_header_t h, cap_user_data_t d)
{
	static int (*real)(cap_user_header_t, cap_user_data_t);
	if (!real)
		real = (int (*)(cap_user_header_t, cap_user_data_t))dlsym(RTLD_NEXT, "capget");
	int rc = real(h, d);
	if (rc == 0 && d) {
		if (denied())
			d[CAP_TO_INDEX(CAP_SYS_TIME)].effective &= ~CAP_TO_MASK(CAP_SYS_TIME);
		else
			d[CAP_TO_INDEX(CAP_SYS_TIME)].effective |= CAP_TO_MASK(CAP_SYS_TIME);
	}
	return rc;
}
