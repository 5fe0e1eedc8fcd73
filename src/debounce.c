/*
 * Debounce for one input line: a leading-edge counter with an optional glitch filter and a
 * lockout that ends only after a stable release (see src/debounce.h, and docs/gpio.md for why
 * leading-edge rather than "stable for N ms").
 *
 * Every call first lets time run up to its timestamp with the level unchanged (advance), and
 * only then applies the new level. So a decision that is due at a fixed time (the count at
 * t_active + min_active, stuck, hold done, hold cancelled, re-armed) comes out the same whether
 * debounce_tick was called at that time or the next edge showed it afterwards: the kiosk may
 * tick late or not at all and still count the same. Each call does a fixed amount of work, so
 * an edge flood from a loose wire costs O(1) per edge and can never count more often than the
 * lockout and the release allow.
 */
#include "debounce.h"

/* a + b without overflow, for b >= 0: a deadline past the end of time is never reached. */
static int64_t add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* a - b without overflow, for b >= 0. */
static int64_t sub_sat(int64_t a, int64_t b)
{
	return a < INT64_MIN + b ? INT64_MIN : a - b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t nonneg(int64_t v)
{
	return v < 0 ? 0 : v;
}

/* Clock quirks must not make time run backwards inside the state machine: every deadline
 * compare assumes it does not. */
static int64_t clamp_time(struct debounce *d, int64_t t)
{
	if (t < d->t_last)
		t = d->t_last;
	d->t_last = t;
	return t;
}

/* When a line that is inactive since t_inactive re-arms: released long enough to be past its
 * release bounce, and far enough from the last count. */
static int64_t rearm_time(const struct debounce *d)
{
	return max64(add_sat(d->t_inactive, d->p.release_ns),
		     add_sat(d->t_counted, d->p.lockout_ns));
}

/* Makes every decision due by time t, with the level as it has been since the last edge. The
 * level cannot change in here, so one pass in this order is enough. */
static int advance(struct debounce *d, int64_t t)
{
	int flags = 0;

	if (d->state == DEBOUNCE_PENDING) {
		int64_t due = add_sat(d->t_active, d->p.min_active_ns);

		if (t < due)
			return 0;
		/* Stayed active for min_active: a real press. It counts as of that moment, not as
		 * of whenever we noticed, so the lockout and hold do not depend on tick latency. */
		d->state = DEBOUNCE_LOCKED;
		d->t_counted = due;
		flags |= DEBOUNCE_COUNT;
		if (d->p.hold_ns > 0) {
			d->holding = 1;
			d->held = 0;
			flags |= DEBOUNCE_HOLD_START;
		}
	}
	if (d->state != DEBOUNCE_LOCKED)
		return flags;

	if (d->level) {
		if (d->p.stuck_ns > 0 && !d->stuck &&
		    t >= add_sat(d->t_active, d->p.stuck_ns)) {
			d->stuck = 1;
			flags |= DEBOUNCE_STUCK;
		}
		if (d->holding && t >= add_sat(d->t_counted, d->p.hold_ns)) {
			d->holding = 0;
			d->held = 1;
			flags |= DEBOUNCE_HOLD_DONE;
		}
	} else {
		/* Only a stable release ends a hold: a bounce in the middle of a hold is not the
		 * staff member letting go. */
		if (d->holding && t >= add_sat(d->t_inactive, d->p.release_ns)) {
			d->holding = 0;
			flags |= DEBOUNCE_HOLD_CANCEL;
		}
		if (t >= rearm_time(d))
			d->state = DEBOUNCE_ARMED;
	}
	return flags;
}

void debounce_init(struct debounce *d, const struct debounce_params *p, int level, int64_t now)
{
	*d = (struct debounce){ 0 };
	d->p.min_active_ns = nonneg(p->min_active_ns);
	d->p.release_ns = nonneg(p->release_ns);
	d->p.lockout_ns = nonneg(p->lockout_ns);
	d->p.stuck_ns = nonneg(p->stuck_ns);
	d->p.hold_ns = nonneg(p->hold_ns);
	d->level = level != 0;
	d->t_active = now;
	d->t_inactive = now;
	d->t_last = now;
	/* As if the last count were a lockout ago: nothing counted yet, so only the release
	 * should hold back a line that starts active. */
	d->t_counted = sub_sat(now, d->p.lockout_ns);
	/* An already active line may be mid-press (or a blocked beam): we did not see it begin,
	 * so it must be released and stable first. */
	d->state = d->level ? DEBOUNCE_LOCKED : DEBOUNCE_ARMED;
}

int debounce_edge(struct debounce *d, int level, int64_t t)
{
	int flags;

	d->edges++;
	t = clamp_time(d, t);
	flags = advance(d, t);
	level = level != 0;
	if (level == d->level)
		return flags; /* a repeated level (v1 can report them): nothing changed */
	d->level = level;
	if (level) {
		d->t_active = t;
		/* In LOCKED a new activation is bounce or a press too soon: it only restarts the
		 * stuck timer. advance() above already re-armed the line if it was due. */
		if (d->state == DEBOUNCE_ARMED)
			d->state = DEBOUNCE_PENDING;
	} else {
		d->t_inactive = t;
		/* advance() above would have counted if min_active had passed, so this is a
		 * glitch: back to ARMED, not counted. */
		if (d->state == DEBOUNCE_PENDING)
			d->state = DEBOUNCE_ARMED;
		if (d->stuck) {
			d->stuck = 0;
			flags |= DEBOUNCE_UNSTUCK;
		}
	}
	/* Decisions due at this very instant: a count with min_active 0, a hold that passed
	 * its time during a blip, a re-arm with release 0. */
	return flags | advance(d, t);
}

int debounce_tick(struct debounce *d, int64_t now)
{
	return advance(d, clamp_time(d, now));
}

int64_t debounce_deadline(const struct debounce *d)
{
	int64_t next = INT64_MAX;

	switch (d->state) {
	case DEBOUNCE_ARMED:
		break;
	case DEBOUNCE_PENDING:
		/* stuck and hold can only be decided after the count, which is due first */
		next = add_sat(d->t_active, d->p.min_active_ns);
		break;
	case DEBOUNCE_LOCKED:
		if (d->level) {
			if (d->p.stuck_ns > 0 && !d->stuck)
				next = add_sat(d->t_active, d->p.stuck_ns);
			if (d->holding)
				next = min64(next, add_sat(d->t_counted, d->p.hold_ns));
		} else {
			next = rearm_time(d);
			if (d->holding)
				next = min64(next, add_sat(d->t_inactive, d->p.release_ns));
		}
		break;
	}
	return next;
}
