/*
 * Setting the system clock, for staff at a venue without network (clockcheck.h says why a Pi
 * needs it). `tallyctl set-time` and the staff page's "set the kiosk's clock" both come here,
 * so both refuse the same times and set the clock the same way: clock_settime, which needs
 * CAP_SYS_TIME (root has it; the kiosk's unit grants it with the web drop-in).
 */
#ifndef TALLYKIOSK_CLOCKSET_H
#define TALLYKIOSK_CLOCKSET_H

#include <stddef.h>

/* The latest time accepted: this long after the build. A phone or a typo saying 2035 on a
 * kiosk built in 2026 is far likelier than that kiosk still counting then. */
#define CLOCKSET_AHEAD_YEARS 10
#define CLOCKSET_AHEAD_MAX_MS (CLOCKSET_AHEAD_YEARS * 36525LL * 24 * 3600 * 10)

enum clockset_status {
	CLOCKSET_OK,
	CLOCKSET_ERR_RANGE,  /* before the build, or too far after it: cannot be the time */
	CLOCKSET_ERR_PERM,   /* this process may not set the clock (no CAP_SYS_TIME) */
	CLOCKSET_ERR_SYS,    /* clock_settime failed otherwise */
};

/*
 * Whether target_ms (Unix ms, UTC) can be the time: not before build_ms (clockcheck_build_ms)
 * and at most CLOCKSET_AHEAD_MAX_MS after it. RANGE: err says which bound, with the times in
 * UTC.
 */
enum clockset_status clockset_check(long long target_ms, long long build_ms, char *err,
				    size_t errlen);

/* 1 if this process holds CAP_SYS_TIME in its effective set (it may set the clock). */
int clockset_allowed(void);

/*
 * Checks target_ms as clockset_check does, then sets the system clock (CLOCK_REALTIME) to it.
 * PERM when clockset_allowed() says no (the clock is not touched) or the kernel refuses;
 * err says why in a line.
 */
enum clockset_status clockset_apply(long long target_ms, long long build_ms, char *err,
				    size_t errlen);

/* "2026-12-10 18:05:00 UTC" for ms, or "?" when it cannot be shown. */
void clockset_utc(long long ms, char *buf, size_t len);

#endif
