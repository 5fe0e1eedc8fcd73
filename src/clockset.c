/* See clockset.h. */
#include "clockset.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* glibc has capget (the Linux system call) but no header declares it: libcap's does, and one
 * bit of one call is not worth the library. */
extern int capget(cap_user_header_t hdrp, cap_user_data_t datap);

void clockset_utc(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms < 0 || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "?");
}

enum clockset_status clockset_check(long long target_ms, long long build_ms, char *err,
				    size_t errlen)
{
	char when[40], built[40];
	clockset_utc(target_ms, when, sizeof when);
	clockset_utc(build_ms, built, sizeof built);
	if (target_ms < build_ms) {
		snprintf(err, errlen, "%s is before this software was made (%s): that cannot be "
				      "the time", when, built);
		return CLOCKSET_ERR_RANGE;
	}
	if (target_ms - build_ms > CLOCKSET_AHEAD_MAX_MS) {
		snprintf(err, errlen, "%s is more than %d years after this software was made (%s): "
				      "that cannot be the time", when, CLOCKSET_AHEAD_YEARS, built);
		return CLOCKSET_ERR_RANGE;
	}
	if (errlen)
		err[0] = '\0';
	return CLOCKSET_OK;
}

int clockset_allowed(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof d);
	if (capget(&h, d) != 0)
		return 0;
	return (d[CAP_TO_INDEX(CAP_SYS_TIME)].effective & CAP_TO_MASK(CAP_SYS_TIME)) != 0;
}

enum clockset_status clockset_apply(long long target_ms, long long build_ms, char *err,
				    size_t errlen)
{
	enum clockset_status s = clockset_check(target_ms, build_ms, err, errlen);
	if (s != CLOCKSET_OK)
		return s;
	if (!clockset_allowed()) {
		snprintf(err, errlen, "this process may not set the clock (it lacks CAP_SYS_TIME)");
		return CLOCKSET_ERR_PERM;
	}
	struct timespec ts = { .tv_sec = (time_t)(target_ms / 1000),
			       .tv_nsec = (long)(target_ms % 1000) * 1000000 };
	if (clock_settime(CLOCK_REALTIME, &ts) != 0) {
		int e = errno;
		snprintf(err, errlen, "setting the clock: %s", strerror(e));
		return e == EPERM ? CLOCKSET_ERR_PERM : CLOCKSET_ERR_SYS;
	}
	return CLOCKSET_OK;
}
