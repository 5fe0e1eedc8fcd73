/*
 * Whether the wall clock can be believed. A Raspberry Pi has no real-time clock: at a venue
 * without network it starts at the time fake-hwclock saved at the last shutdown (or 1970), so
 * a count's time may be days wrong, and the clock may go back once NTP or staff correct it.
 * Counts never depend on it (rows are ordered by their id, durations use CLOCK_MONOTONIC);
 * this only tells staff, so they set the clock before the times go into an export.
 */
#ifndef TALLYKIOSK_CLOCKCHECK_H
#define TALLYKIOSK_CLOCKCHECK_H

#include <stddef.h>

/* How far the clock may be behind the latest row before it counts as gone back: NTP's small
 * steps and a row written a moment ago by another clock reading are not a problem. */
#define CLOCKCHECK_SLACK_MS (5 * 60 * 1000LL)

enum clockcheck {
	CLOCKCHECK_OK,
	CLOCKCHECK_BEFORE_BUILD,   /* earlier than this program was built: never set */
	CLOCKCHECK_BEFORE_LATEST,  /* earlier than a count or event already saved */
};

/* Judges now_ms (Unix ms) against the build time and the latest time saved (0 = none). */
enum clockcheck clockcheck_judge(long long now_ms, long long build_ms, long long latest_ms);

/* One line for staff about a verdict other than OK ("" for OK), with the times in UTC; how
 * says how to set the clock ("sudo tallyctl set-time"). */
void clockcheck_describe(enum clockcheck v, long long now_ms, long long build_ms,
			 long long latest_ms, const char *how, char *buf, size_t len);

/* The program's build time in Unix ms (TALLYKIOSK_BUILD_EPOCH, seconds, from the Makefile). */
long long clockcheck_build_ms(void);

#endif
