/* See clockcheck.h. */
#include "clockcheck.h"

#include <stdio.h>
#include <time.h>

#ifndef TALLYKIOSK_BUILD_EPOCH
#define TALLYKIOSK_BUILD_EPOCH 0
#endif

long long clockcheck_build_ms(void)
{
	return (long long)TALLYKIOSK_BUILD_EPOCH * 1000;
}

enum clockcheck clockcheck_judge(long long now_ms, long long build_ms, long long latest_ms)
{
	if (now_ms < build_ms)
		return CLOCKCHECK_BEFORE_BUILD;
	if (latest_ms > 0 && now_ms < latest_ms - CLOCKCHECK_SLACK_MS)
		return CLOCKCHECK_BEFORE_LATEST;
	return CLOCKCHECK_OK;
}

static void utc(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, len, "?");
}

void clockcheck_describe(enum clockcheck v, long long now_ms, long long build_ms,
			 long long latest_ms, const char *how, char *buf, size_t len)
{
	char now[40], then[40];
	utc(now_ms, now, sizeof now);
	switch (v) {
	case CLOCKCHECK_BEFORE_BUILD:
		utc(build_ms, then, sizeof then);
		snprintf(buf, len, "The clock says %s, before this software was made (%s): "
				   "set it (%s)", now, then, how);
		break;
	case CLOCKCHECK_BEFORE_LATEST:
		utc(latest_ms, then, sizeof then);
		snprintf(buf, len, "The clock says %s, before the last count saved (%s): "
				   "set it (%s)", now, then, how);
		break;
	default:
		if (len)
			buf[0] = '\0';
		break;
	}
}
