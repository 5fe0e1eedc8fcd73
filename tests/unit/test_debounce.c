/*
 * Unit tests for debounce.c on synthetic timed traces: bounce trains on press and release, a
 * glitch spike, honest fast presses, presses faster than the lockout, long holds, a stuck
 * beam, an edge flood, a line active at init, staff holds, deadlines and clock quirks.
 *
 * Every trace is run twice: once the way the kiosk does it (tick at each deadline before the
 * next edge) and once with edges only (no ticks until the end). Both must give the same counts
 * at the same count times, because a late or missing tick must never change what counts.
 * Random traces use a fixed-seed generator so a failure is reproducible.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "debounce.h"

#define US(x) ((int64_t)(x) * 1000)
#define MS(x) ((int64_t)(x) * 1000000)

/* The kiosk's defaults (docs/gpio.md). */
static const struct debounce_params BUTTON = { MS(5), MS(40), MS(150), 0, 0 };
static const struct debounce_params BEAM = { MS(2), MS(60), MS(100), MS(5000), 0 };
static const struct debounce_params STAFF = { MS(5), MS(40), MS(150), 0, MS(3000) };

/* ---- traces ------------------------------------------------------------------------------ */

struct ev {
	int64_t t;
	int level;
};

struct trace {
	struct ev *ev;
	size_t n, cap;
};

static void push(struct trace *tr, int64_t t, int level)
{
	if (tr->n == tr->cap) {
		tr->cap = tr->cap ? tr->cap * 2 : 64;
		tr->ev = realloc(tr->ev, tr->cap * sizeof(*tr->ev));
		assert_non_null(tr->ev);
	}
	tr->ev[tr->n].t = t;
	tr->ev[tr->n].level = level;
	tr->n++;
}

static void trace_free(struct trace *tr)
{
	free(tr->ev);
	memset(tr, 0, sizeof(*tr));
}

/* xorshift64*: deterministic, so every random trace is the same on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* n edges at random times within [t0, t0 + span], alternating and starting with final; the
 * last one is forced to final, so an even n ends with a repeated level, as v1 can report. */
static void bounce(struct trace *tr, uint64_t *seed, int64_t t0, int64_t span, int n, int final)
{
	int64_t *t = calloc((size_t)n, sizeof(*t));

	assert_non_null(t);
	for (int i = 0; i < n; i++)
		t[i] = t0 + (i == 0 ? 0 : (int64_t)(rnd(seed) % (uint64_t)(span + 1)));
	qsort(t, (size_t)n, sizeof(*t), cmp_i64);
	for (int i = 0; i < n; i++)
		push(tr, t[i], i == n - 1 ? final : ((i % 2) ? !final : final));
	free(t);
}

/* One press at t_down held for down, with n_press bounce edges on press and n_release on
 * release, each train within 15 ms. */
static void press(struct trace *tr, uint64_t *seed, int64_t t_down, int64_t down, int n_press,
		  int n_release)
{
	bounce(tr, seed, t_down, MS(15), n_press, 1);
	bounce(tr, seed, t_down + down, MS(15), n_release, 0);
}

/* ---- running ----------------------------------------------------------------------------- */

struct result {
	int count, stuck, unstuck, hold_start, hold_done, hold_cancel;
	int64_t first_count, last_count, min_gap; /* count times, from t_counted */
	int64_t t_stuck, t_unstuck, t_done, t_cancel; /* time of the call that reported it */
	struct debounce d;
};

/* Sums one call's flags and checks what must hold after every call. */
static void note(struct result *r, const struct debounce *d, int flags, int64_t t)
{
	assert_int_equal(flags & ~63, 0);
	/* a staff line reports HOLD_START together with its COUNT */
	if (flags & DEBOUNCE_HOLD_START)
		assert_true(flags & DEBOUNCE_COUNT);
	/* everything due up to now has been decided: the deadline is strictly later */
	assert_true(debounce_deadline(d) > d->t_last);
	if (flags & DEBOUNCE_COUNT) {
		if (r->count == 0)
			r->first_count = d->t_counted;
		else if (d->t_counted - r->last_count < r->min_gap)
			r->min_gap = d->t_counted - r->last_count;
		r->last_count = d->t_counted;
		r->count++;
	}
	if (flags & DEBOUNCE_STUCK) {
		r->stuck++;
		r->t_stuck = t;
	}
	if (flags & DEBOUNCE_UNSTUCK) {
		r->unstuck++;
		r->t_unstuck = t;
	}
	if (flags & DEBOUNCE_HOLD_START)
		r->hold_start++;
	if (flags & DEBOUNCE_HOLD_DONE) {
		r->hold_done++;
		r->t_done = t;
	}
	if (flags & DEBOUNCE_HOLD_CANCEL) {
		r->hold_cancel++;
		r->t_cancel = t;
	}
}

/* What the kiosk loop does while it waits: tick at every deadline up to `upto`. */
static void drain(struct result *r, int64_t upto)
{
	int64_t dl;

	while ((dl = debounce_deadline(&r->d)) <= upto)
		note(r, &r->d, debounce_tick(&r->d, dl), dl);
}

static void run_mode(const struct debounce_params *p, int init_level, int64_t t0,
		     const struct trace *tr, int64_t t_end, int ticks, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->min_gap = INT64_MAX;
	debounce_init(&r->d, p, init_level, t0);
	assert_true(debounce_deadline(&r->d) > r->d.t_last);
	for (size_t i = 0; i < tr->n; i++) {
		if (ticks)
			drain(r, tr->ev[i].t);
		note(r, &r->d, debounce_edge(&r->d, tr->ev[i].level, tr->ev[i].t), tr->ev[i].t);
	}
	if (ticks)
		drain(r, t_end);
	note(r, &r->d, debounce_tick(&r->d, t_end), t_end);
}

/* Runs the trace with and without ticks, checks both agree, returns the ticked run. */
static void run(const struct debounce_params *p, int init_level, const struct trace *tr,
		int64_t t_end, struct result *r)
{
	struct result e;

	run_mode(p, init_level, 0, tr, t_end, 0, &e);
	run_mode(p, init_level, 0, tr, t_end, 1, r);
	assert_int_equal(r->count, e.count);
	assert_int_equal(r->first_count, e.first_count);
	assert_int_equal(r->last_count, e.last_count);
	assert_int_equal(r->min_gap, e.min_gap);
	assert_int_equal(r->stuck, e.stuck);
	assert_int_equal(r->unstuck, e.unstuck);
	assert_int_equal(r->hold_start, e.hold_start);
	assert_int_equal(r->hold_done, e.hold_done);
	assert_int_equal(r->hold_cancel, e.hold_cancel);
	assert_int_equal(r->d.state, e.d.state);
	assert_int_equal(r->d.edges, tr->n);
}

/* Presses at a fixed rate for a while, each down for `down`, with bounce trains. */
static int presses_at(const struct debounce_params *p, int64_t period, int64_t down,
		      int64_t total, int n_bounce, struct result *r)
{
	struct trace tr = { 0 };
	uint64_t seed = 42;
	int n = 0;

	for (int64_t t = 0; t < total; t += period, n++)
		press(&tr, &seed, t, down, n_bounce, n_bounce);
	run(p, 0, &tr, total + MS(1000), r);
	trace_free(&tr);
	return n;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_clean_press(void **state)
{
	(void)state;
	struct trace tr = { 0 };
	struct result r;

	push(&tr, 0, 1);
	push(&tr, MS(80), 0);
	run(&BUTTON, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.first_count, MS(5)); /* after min_active, not on the raw edge */
	assert_int_equal(r.stuck + r.unstuck + r.hold_start + r.hold_done + r.hold_cancel, 0);
	assert_int_equal(r.d.state, DEBOUNCE_ARMED);
	trace_free(&tr);
}

static void test_press_bounce(void **state)
{
	(void)state;
	static const int trains[] = { 1, 5, 20, 200 };
	const struct debounce_params *params[] = { &BUTTON, &BEAM };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < 4; i++)
			for (uint64_t s = 1; s <= 20; s++) {
				struct trace tr = { 0 };
				struct result r;
				uint64_t seed = s * 7919;

				press(&tr, &seed, MS(100), MS(300), trains[i], 1);
				run(params[k], 0, &tr, MS(2000), &r);
				assert_int_equal(r.count, 1);
				trace_free(&tr);
			}
}

static void test_release_bounce(void **state)
{
	(void)state;
	static const int trains[] = { 1, 5, 20, 200 };

	for (size_t i = 0; i < 4; i++)
		for (uint64_t s = 1; s <= 20; s++) {
			struct trace tr = { 0 };
			struct result r;
			uint64_t seed = s * 104729;

			/* held past the lockout, so only the release filter stops the bounce */
			press(&tr, &seed, 0, MS(1000), 1, trains[i]);
			run(&BUTTON, 0, &tr, MS(1900), &r);
			assert_int_equal(r.count, 1);
			/* and the line re-arms afterwards: the next press counts */
			press(&tr, &seed, MS(2000), MS(100), trains[i], trains[i]);
			run(&BUTTON, 0, &tr, MS(3000), &r);
			assert_int_equal(r.count, 2);
			assert_int_equal(r.last_count >= MS(2005), 1);
			trace_free(&tr);
		}
}

static void test_glitch(void **state)
{
	(void)state;
	struct debounce_params p = BUTTON;
	struct trace tr = { 0 };
	struct result r;

	push(&tr, MS(10), 1);
	push(&tr, MS(11), 0);
	run(&BUTTON, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.d.state, DEBOUNCE_ARMED);

	p.min_active_ns = 0;
	run(&p, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.first_count, MS(10)); /* on the edge itself */
	trace_free(&tr);

	/* the release edge's own time decides: just short of min_active is a glitch... */
	push(&tr, MS(10), 1);
	push(&tr, MS(15) - 1, 0);
	run(&BUTTON, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 0);
	trace_free(&tr);
	/* ...exactly min_active is a press, even with no tick in between */
	push(&tr, MS(10), 1);
	push(&tr, MS(15), 0);
	run(&BUTTON, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.first_count, MS(15));
	trace_free(&tr);

	/* a glitch right before a real press does not delay or eat it */
	push(&tr, MS(10), 1);
	push(&tr, MS(11), 0);
	push(&tr, MS(12), 1);
	push(&tr, MS(100), 0);
	run(&BUTTON, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.first_count, MS(17));
	trace_free(&tr);
}

static void test_fast_honest_presses(void **state)
{
	(void)state;
	struct result r;

	assert_int_equal(presses_at(&BUTTON, MS(200), MS(80), MS(10000), 1, &r), 50);
	assert_int_equal(r.count, 50);
	assert_int_equal(presses_at(&BUTTON, MS(200), MS(100), MS(10000), 5, &r), 50);
	assert_int_equal(r.count, 50);
	assert_int_equal(presses_at(&BUTTON, MS(250), MS(100), MS(10000), 20, &r), 40);
	assert_int_equal(r.count, 40);
	assert_int_equal(presses_at(&BUTTON, MS(250), MS(120), MS(10000), 200, &r), 40);
	assert_int_equal(r.count, 40);
	/* letters through the beam at 5/s, each blocking it for 30 ms */
	assert_int_equal(presses_at(&BEAM, MS(200), MS(30), MS(10000), 5, &r), 50);
	assert_int_equal(r.count, 50);
	assert_int_equal(r.stuck, 0);
}

static void test_faster_than_lockout(void **state)
{
	(void)state;
	struct debounce_params p = BUTTON;
	struct result r;

	/* 20/s with 30 ms up: the release never lasts 40 ms, so it is all one press */
	assert_int_equal(presses_at(&BUTTON, MS(50), MS(20), MS(10000), 1, &r), 200);
	assert_int_equal(r.count, 1);

	/* with a short release filter only the lockout limits: every 4th press (the first
	 * count is at 5 ms, so the press at 150 ms is 5 ms too early) */
	p.release_ns = MS(10);
	presses_at(&p, MS(50), MS(20), MS(10000), 1, &r);
	assert_int_equal(r.count, 50);
	assert_true(r.min_gap >= p.lockout_ns);

	/* and without the glitch filter every 3rd, exactly the lockout apart */
	p.min_active_ns = 0;
	presses_at(&p, MS(50), MS(20), MS(10000), 1, &r);
	assert_int_equal(r.count, 67);
	assert_int_equal(r.min_gap, p.lockout_ns);
}

static void test_long_hold(void **state)
{
	(void)state;
	struct trace tr = { 0 };
	struct debounce d;
	struct result r;
	uint64_t seed = 5;

	press(&tr, &seed, MS(100), MS(60000), 20, 20);
	run(&BUTTON, 0, &tr, MS(61000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.stuck, 0); /* buttons have no stuck timer by default */

	/* held with no timers running, the kiosk can sleep */
	debounce_init(&d, &BUTTON, 0, 0);
	debounce_edge(&d, 1, 0);
	assert_int_equal(debounce_tick(&d, MS(5)), DEBOUNCE_COUNT);
	assert_int_equal(debounce_deadline(&d), INT64_MAX);
	assert_int_equal(debounce_tick(&d, MS(60000)), 0);
	trace_free(&tr);
}

static void test_beam_stuck(void **state)
{
	(void)state;
	struct trace tr = { 0 };
	struct result r;
	uint64_t seed = 9;

	/* blocked for 10 s from 1 s, released with bounce, then one ordinary letter */
	push(&tr, MS(1000), 1);
	bounce(&tr, &seed, MS(11000), MS(15), 5, 0);
	push(&tr, MS(12000), 1);
	push(&tr, MS(12030), 0);
	run(&BEAM, 0, &tr, MS(13000), &r);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.first_count, MS(1002));
	assert_int_equal(r.stuck, 1);
	assert_int_equal(r.t_stuck, MS(6000)); /* exactly stuck_ns after it was blocked */
	assert_int_equal(r.unstuck, 1);
	assert_int_equal(r.t_unstuck, MS(11000)); /* on the first release edge */
	assert_int_equal(r.d.stuck, 0);
	trace_free(&tr);

	/* stuck twice in a row (released briefly in between): reported each time, counted once */
	push(&tr, 0, 1);
	push(&tr, MS(6000), 0);
	push(&tr, MS(6010), 1);
	push(&tr, MS(20000), 0);
	run(&BEAM, 0, &tr, MS(21000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.stuck, 2);
	assert_int_equal(r.unstuck, 2);
	trace_free(&tr);
}

static void flood(const struct debounce_params *p, int alternate, uint64_t seed)
{
	struct trace tr = { 0 };
	struct result r;
	int64_t *t = malloc(100000 * sizeof(*t));
	int64_t max_counts = MS(10000) / p->lockout_ns + 1;

	assert_non_null(t);
	for (int i = 0; i < 100000; i++)
		t[i] = (int64_t)(rnd(&seed) % (uint64_t)MS(10000));
	qsort(t, 100000, sizeof(*t), cmp_i64);
	for (int i = 0; i < 100000; i++)
		push(&tr, t[i], alternate ? !(i % 2) : (int)(rnd(&seed) & 1));
	free(t);
	run(p, 0, &tr, MS(10000), &r);
	assert_true(r.count >= 0);
	assert_true(r.count <= max_counts);
	if (r.count > 1)
		assert_true(r.min_gap >= p->lockout_ns);
	assert_int_equal(r.d.edges, 100000);

	/* the wire is fixed: after a quiet second a clean press counts exactly once */
	push(&tr, MS(10000), 0);
	push(&tr, MS(11000), 1);
	push(&tr, MS(11100), 0);
	{
		int before = r.count;

		run(p, 0, &tr, MS(12000), &r);
		assert_int_equal(r.count, before + 1);
	}
	trace_free(&tr);
}

static void test_edge_flood(void **state)
{
	(void)state;
	/* only the lockout between counts: the upper bound is reachable here */
	static const struct debounce_params bare = { 0, 0, MS(150), 0, 0 };
	struct trace tr = { 0 };
	struct result r;

	flood(&BUTTON, 1, 1);
	flood(&BUTTON, 0, 2);
	flood(&BEAM, 1, 3);
	flood(&BEAM, 0, 4);
	flood(&STAFF, 1, 5);
	flood(&bare, 1, 6);
	flood(&bare, 0, 7);

	/* and the bare lockout really is the limit: a regular 1 kHz chatter counts every 150 ms */
	for (int64_t t = 0; t < MS(10000); t += US(500))
		push(&tr, t, (int)((t / US(500)) % 2 == 0));
	run(&bare, 0, &tr, MS(10000), &r);
	assert_int_equal(r.count, 67);
	assert_int_equal(r.min_gap, MS(150));
	trace_free(&tr);
}

static void test_active_at_init(void **state)
{
	(void)state;
	struct trace tr = { 0 };
	struct result r;
	uint64_t seed = 3;

	/* held at boot, released with bounce: nothing counts; the next press does */
	bounce(&tr, &seed, MS(1000), MS(15), 20, 0);
	press(&tr, &seed, MS(2000), MS(100), 5, 5);
	run(&BUTTON, 1, &tr, MS(3000), &r);
	assert_int_equal(r.count, 1);
	assert_true(r.first_count >= MS(2005));
	trace_free(&tr);

	/* released at boot-time + 1 s but pressed again before the release was stable */
	push(&tr, MS(1000), 0);
	push(&tr, MS(1030), 1);
	push(&tr, MS(1100), 0);
	run(&BUTTON, 1, &tr, MS(2000), &r);
	assert_int_equal(r.count, 0);
	trace_free(&tr);

	/* a beam blocked at boot is reported stuck, but never counted */
	push(&tr, MS(8000), 0);
	run(&BEAM, 1, &tr, MS(9000), &r);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.stuck, 1);
	assert_int_equal(r.t_stuck, MS(5000));
	assert_int_equal(r.unstuck, 1);
	assert_int_equal(r.d.state, DEBOUNCE_ARMED);
	trace_free(&tr);
}

static void test_staff_hold_done(void **state)
{
	(void)state;
	struct debounce d;
	struct trace tr = { 0 };
	struct result r;

	/* step by step, as the kiosk loop would drive it */
	debounce_init(&d, &STAFF, 0, 0);
	assert_int_equal(debounce_edge(&d, 1, 0), 0);
	assert_int_equal(debounce_deadline(&d), MS(5));
	assert_int_equal(debounce_tick(&d, MS(5)), DEBOUNCE_COUNT | DEBOUNCE_HOLD_START);
	/* the countdown shown at HOLD_START runs exactly hold_ns */
	assert_int_equal(debounce_deadline(&d), MS(3005));
	assert_int_equal(debounce_tick(&d, MS(3005) - 1), 0);
	assert_int_equal(debounce_tick(&d, MS(3005)), DEBOUNCE_HOLD_DONE);
	assert_int_equal(d.held, 1);
	assert_int_equal(debounce_deadline(&d), INT64_MAX);
	assert_int_equal(debounce_tick(&d, MS(4000)), 0);
	assert_int_equal(debounce_edge(&d, 0, MS(5000)), 0); /* no CANCEL after DONE */
	assert_int_equal(debounce_tick(&d, MS(6000)), 0);
	assert_int_equal(d.state, DEBOUNCE_ARMED);

	push(&tr, 0, 1);
	push(&tr, MS(5000), 0);
	run(&STAFF, 0, &tr, MS(6000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.hold_start, 1);
	assert_int_equal(r.hold_done, 1);
	assert_int_equal(r.t_done, MS(3005));
	assert_int_equal(r.hold_cancel, 0);
	trace_free(&tr);
}

static void test_staff_hold_cancel(void **state)
{
	(void)state;
	struct trace tr = { 0 };
	struct result r;
	uint64_t seed = 11;

	push(&tr, 0, 1);
	push(&tr, MS(1000), 0);
	run(&STAFF, 0, &tr, MS(5000), &r);
	assert_int_equal(r.hold_start, 1);
	assert_int_equal(r.hold_done, 0);
	assert_int_equal(r.hold_cancel, 1);
	assert_int_equal(r.t_cancel, MS(1040)); /* once the release is stable */
	trace_free(&tr);

	/* let go with bounce just before the countdown ends: the release began first, so it is
	 * cancelled, though the deadline passes while the release is not yet stable */
	push(&tr, 0, 1);
	bounce(&tr, &seed, MS(2990), MS(5), 5, 0);
	run(&STAFF, 0, &tr, MS(5000), &r);
	assert_int_equal(r.hold_done, 0);
	assert_int_equal(r.hold_cancel, 1);
	trace_free(&tr);
}

static void test_staff_hold_bounce(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 20; s++) {
		struct trace tr = { 0 };
		struct result r;
		uint64_t seed = s * 31;

		bounce(&tr, &seed, 0, MS(15), 200, 1);
		push(&tr, MS(2000), 0); /* a 3 ms blip in the middle is bounce, not letting go */
		push(&tr, MS(2003), 1);
		bounce(&tr, &seed, MS(4000), MS(15), 200, 0);
		run(&STAFF, 0, &tr, MS(5000), &r);
		assert_int_equal(r.count, 1);
		assert_int_equal(r.hold_start, 1);
		assert_int_equal(r.hold_done, 1);
		assert_int_equal(r.hold_cancel, 0);
		trace_free(&tr);
	}

	/* a blip across the end of the countdown: done when the line is back */
	struct trace tr = { 0 };
	struct result r;

	push(&tr, 0, 1);
	push(&tr, MS(3000), 0);
	push(&tr, MS(3010), 1);
	push(&tr, MS(4000), 0);
	run(&STAFF, 0, &tr, MS(5000), &r);
	assert_int_equal(r.hold_done, 1);
	assert_int_equal(r.t_done, MS(3010));
	assert_int_equal(r.hold_cancel, 0);
	trace_free(&tr);
}

static void test_deadlines(void **state)
{
	(void)state;
	struct debounce d;

	debounce_init(&d, &BEAM, 0, MS(500));
	assert_int_equal(d.state, DEBOUNCE_ARMED);
	assert_int_equal(debounce_deadline(&d), INT64_MAX); /* armed and idle */
	assert_int_equal(debounce_tick(&d, MS(900)), 0);
	assert_int_equal(debounce_deadline(&d), INT64_MAX);

	assert_int_equal(debounce_edge(&d, 1, MS(1000)), 0);
	assert_int_equal(d.state, DEBOUNCE_PENDING);
	assert_int_equal(debounce_deadline(&d), MS(1002));
	assert_int_equal(debounce_tick(&d, MS(1001)), 0); /* early ticks are harmless */
	assert_int_equal(debounce_deadline(&d), MS(1002));
	assert_int_equal(debounce_tick(&d, MS(1002)), DEBOUNCE_COUNT);
	assert_int_equal(d.state, DEBOUNCE_LOCKED);
	assert_int_equal(debounce_deadline(&d), MS(6000)); /* the stuck timer */

	assert_int_equal(debounce_edge(&d, 0, MS(1030)), 0);
	/* re-arm: released 60 ms (1090) and 100 ms from the count (1102), whichever is later */
	assert_int_equal(debounce_deadline(&d), MS(1102));
	assert_int_equal(debounce_edge(&d, 1, MS(1050)), 0); /* bounce: restarts the stuck timer */
	assert_int_equal(debounce_deadline(&d), MS(6050));
	assert_int_equal(debounce_edge(&d, 0, MS(1060)), 0);
	assert_int_equal(debounce_deadline(&d), MS(1120));
	assert_int_equal(debounce_tick(&d, MS(1120)), 0);
	assert_int_equal(d.state, DEBOUNCE_ARMED);
	assert_int_equal(debounce_deadline(&d), INT64_MAX);

	/* a staff line released mid-hold: the cancel comes before the re-arm */
	debounce_init(&d, &STAFF, 0, 0);
	debounce_edge(&d, 1, 0);
	debounce_tick(&d, MS(5));
	debounce_edge(&d, 0, MS(20));
	assert_int_equal(debounce_deadline(&d), MS(60));
	assert_int_equal(debounce_tick(&d, MS(60)), DEBOUNCE_HOLD_CANCEL);
	assert_int_equal(debounce_deadline(&d), MS(155)); /* the lockout from the count */
	assert_int_equal(debounce_tick(&d, MS(155)), 0);
	assert_int_equal(debounce_deadline(&d), INT64_MAX);

	/* timestamps near the end of time saturate instead of overflowing */
	debounce_init(&d, &BEAM, 0, INT64_MAX - MS(1));
	assert_int_equal(debounce_edge(&d, 1, INT64_MAX - MS(1)), 0);
	assert_int_equal(d.state, DEBOUNCE_PENDING);
	assert_int_equal(debounce_deadline(&d), INT64_MAX);
	assert_int_equal(debounce_tick(&d, INT64_MAX - 1), 0);
	assert_int_equal(d.state, DEBOUNCE_PENDING);
}

static void test_time_quirks(void **state)
{
	(void)state;
	struct debounce_params p = BUTTON;
	struct debounce d;
	struct trace tr = { 0 };
	struct result r;

	/* equal timestamps, and repeated levels that must not restart anything */
	p.min_active_ns = 0;
	push(&tr, MS(10), 1);
	push(&tr, MS(10), 0);
	push(&tr, MS(10), 1);
	push(&tr, MS(10), 1);
	push(&tr, MS(90), 0);
	push(&tr, MS(90), 0);
	run(&p, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 1);
	trace_free(&tr);

	push(&tr, 0, 1);
	push(&tr, MS(1), 1);
	push(&tr, MS(3), 1);
	push(&tr, MS(80), 0);
	push(&tr, MS(81), 0);
	run(&BUTTON, 0, &tr, MS(1000), &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.first_count, MS(5)); /* from the first edge, not the repeats */
	trace_free(&tr);

	/* an edge earlier than the last one is taken as at the last one's time */
	debounce_init(&d, &BUTTON, 0, 0);
	debounce_edge(&d, 1, MS(1000));
	debounce_tick(&d, MS(1005));
	debounce_edge(&d, 0, MS(1300));
	assert_int_equal(debounce_edge(&d, 1, MS(500)), 0); /* as at 1300: not re-armed */
	assert_int_equal(d.t_active, MS(1300));
	assert_int_equal(d.t_last, MS(1300));
	assert_int_equal(debounce_edge(&d, 0, MS(600)), 0);
	assert_int_equal(d.t_inactive, MS(1300));
	assert_int_equal(debounce_deadline(&d), MS(1340));
	assert_int_equal(debounce_tick(&d, MS(100)), 0); /* an early tick changes nothing */
	assert_int_equal(d.state, DEBOUNCE_LOCKED);
	assert_int_equal(debounce_tick(&d, MS(1340)), 0);
	assert_int_equal(d.state, DEBOUNCE_ARMED);

	/* a tick that ran before a late-read edge: the edge cannot go back before the tick */
	debounce_init(&d, &BEAM, 0, 0);
	debounce_edge(&d, 1, MS(100));
	assert_int_equal(debounce_tick(&d, MS(200)), DEBOUNCE_COUNT);
	assert_int_equal(d.t_counted, MS(102)); /* counted as of when it was due */
	debounce_edge(&d, 0, MS(150));
	assert_int_equal(d.t_inactive, MS(200));
	assert_int_equal(debounce_edge(&d, 1, MS(250)), 0); /* only 50 ms released */

	/* negative parameters are taken as 0 */
	{
		struct debounce_params neg = { -1, -1, -1, -1, -1 };

		debounce_init(&d, &neg, 0, 0);
		assert_int_equal(debounce_edge(&d, 1, 0), DEBOUNCE_COUNT);
		assert_int_equal(debounce_edge(&d, 0, 0), 0);
		assert_int_equal(debounce_edge(&d, 1, 0), DEBOUNCE_COUNT);
		assert_int_equal(debounce_deadline(&d), INT64_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_press),
		cmocka_unit_test(test_press_bounce),
		cmocka_unit_test(test_release_bounce),
		cmocka_unit_test(test_glitch),
		cmocka_unit_test(test_fast_honest_presses),
		cmocka_unit_test(test_faster_than_lockout),
		cmocka_unit_test(test_long_hold),
		cmocka_unit_test(test_beam_stuck),
		cmocka_unit_test(test_edge_flood),
		cmocka_unit_test(test_active_at_init),
		cmocka_unit_test(test_staff_hold_done),
		cmocka_unit_test(test_staff_hold_cancel),
		cmocka_unit_test(test_staff_hold_bounce),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_time_quirks),
	};

	return cmocka_run_group_tests_name("debounce", tests, NULL, NULL);
}
