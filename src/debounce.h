/*
 * Debounce for one input line (a button or a break-beam), the same for every GPIO backend.
 * Pure: it is fed the line's edges with their kernel timestamps and asked about deadlines, and
 * it says when a press counts. Count on the leading edge (after an optional glitch filter),
 * then lock out until the line has been released and stable, so a bounce train counts once, a
 * held button counts once, and honest presses at 4-5 per second all count. A beam blocked for
 * longer than stuck_ns is reported stuck (it has counted once already).
 *
 * Every line reports COUNT on its leading edge, staff-reset lines too (hold_ns > 0): the caller
 * decides by the line's role what a count means. A staff line also gets HOLD_START in the same
 * call as its COUNT, then either HOLD_DONE hold_ns after HOLD_START, or HOLD_CANCEL once a
 * release has lasted release_ns (blips shorter than release_ns are bounce and do not cancel).
 *
 * Time only moves forward: an edge or tick earlier than the latest time already seen is taken
 * as that time. Feed every queued edge before calling debounce_tick, so that a tick does not
 * decide on a level that a waiting edge has already changed.
 */
#ifndef TALLYKIOSK_DEBOUNCE_H
#define TALLYKIOSK_DEBOUNCE_H

#include <stdint.h>

/* Negative values are taken as 0. */
struct debounce_params {
	int64_t min_active_ns; /* active this long before it counts (0 = count on the edge) */
	int64_t release_ns;    /* inactive continuously this long before it re-arms */
	int64_t lockout_ns;    /* at least this long from a count to the next count */
	int64_t stuck_ns;      /* active this long = stuck (0 = never reported) */
	int64_t hold_ns;       /* for staff-reset lines: held this long = a hold (0 = unused) */
};

enum debounce_state {
	DEBOUNCE_ARMED,   /* inactive and stable: the next activation may count */
	DEBOUNCE_PENDING, /* active, waiting for min_active to pass */
	DEBOUNCE_LOCKED,  /* counted; waiting for a stable release and the lockout */
};

struct debounce {
	struct debounce_params p;
	enum debounce_state state;
	int level;            /* last level seen: 1 active, 0 inactive */
	int64_t t_active;     /* when the current activation began */
	int64_t t_inactive;   /* when the line last became inactive */
	int64_t t_counted;    /* when the last count happened */
	int stuck;            /* 1 while reported stuck */
	int holding;          /* 1 from HOLD_START until HOLD_DONE or HOLD_CANCEL */
	int held;             /* 1 once the current hold reached hold_ns */
	int64_t t_last;       /* latest time seen (edge or tick); earlier times are taken as it */
	uint64_t edges;       /* edges seen, for diagnostics */
};

/* What happened, as flags (several can be set at once). */
enum {
	DEBOUNCE_COUNT = 1,       /* one press / one letter */
	DEBOUNCE_STUCK = 2,       /* became stuck (active longer than stuck_ns) */
	DEBOUNCE_UNSTUCK = 4,     /* was stuck, is released now */
	DEBOUNCE_HOLD_START = 8,  /* became active (staff lines: show the countdown) */
	DEBOUNCE_HOLD_DONE = 16,  /* held for hold_ns */
	DEBOUNCE_HOLD_CANCEL = 32 /* released before hold_ns */
};

/* Starts with the line's current level: ARMED if inactive; LOCKED if already active, so it
 * does not count until it has been released and stable for release_ns (it can still become
 * STUCK, measured from now, without a COUNT). */
void debounce_init(struct debounce *d, const struct debounce_params *p, int level, int64_t now);

/* Feeds an edge: the line's new level (1 active, 0 inactive) at time t (monotonic ns, in
 * order). Returns the DEBOUNCE_* flags of what happened. Repeated levels are harmless. */
int debounce_edge(struct debounce *d, int level, int64_t t);

/* Lets time pass without an edge (call at or after debounce_deadline; earlier is harmless).
 * Returns flags. */
int debounce_tick(struct debounce *d, int64_t now);

/* The next time debounce_tick has something to decide, or INT64_MAX if none (ARMED, or held
 * with no stuck or hold timer running). */
int64_t debounce_deadline(const struct debounce *d);

#endif
