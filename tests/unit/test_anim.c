/*
 * Unit tests for anim.c: the count-up lands exactly on the committed total and never shows it
 * early, the carousel changes slides on schedule with a transition, milestones fire once per
 * multiple, and the pixel shift stays within its range and starts centred.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "anim.h"

static void test_easing_is_clamped_and_monotonic(void **state)
{
	(void)state;
	assert_true(anim_ease_out(-1.0f) == 0.0f);
	assert_true(anim_ease_out(2.0f) == 1.0f);
	assert_true(anim_smooth(0.0f) == 0.0f && anim_smooth(1.0f) == 1.0f);
	float prev = 0.0f;
	for (int i = 1; i <= 100; i++) {
		float e = anim_ease_out(i / 100.0f), s = anim_smooth(i / 100.0f);
		assert_true(e >= prev);
		assert_true(s >= 0.0f && s <= 1.0f);
		prev = e;
	}
}

static void test_count_up_lands_on_the_total_and_never_early(void **state)
{
	(void)state;
	struct anim_count c;
	anim_count_reset(&c, 1233);
	assert_int_equal(anim_count_value(&c, 0), 1233);
	assert_false(anim_count_running(&c, 0));

	anim_count_to(&c, 1234, 1000);
	assert_true(anim_count_running(&c, 1000));
	assert_int_equal(anim_count_value(&c, 1000), 1233);
	assert_int_equal(anim_count_value(&c, 1100), 1233); /* the last value only when it lands */
	assert_int_equal(anim_count_value(&c, 5000), 1234);
	assert_false(anim_count_running(&c, 5000));

	/* A stack of 500 climbs through the values in order, slower than a single letter. */
	anim_count_to(&c, 1734, 10000);
	long long prev = 1234;
	for (long long t = 10000; t < 12000; t += 16) {
		long long v = anim_count_value(&c, t);
		assert_true(v >= prev && v <= 1734);
		if (anim_count_running(&c, t))
			assert_true(v < 1734);
		prev = v;
	}
	assert_int_equal(prev, 1734);
	assert_true(c.dur_ms > 350 && c.dur_ms <= 1600);

	/* An undo mid-climb counts down from what is on screen, not from the old target. */
	anim_count_to(&c, 2734, 20000);
	long long mid = anim_count_value(&c, 20200);
	anim_count_to(&c, 2733, 20200);
	assert_int_equal(anim_count_value(&c, 20200), mid);
	assert_int_equal(anim_count_value(&c, 30000), 2733);
	/* The same target again changes nothing. */
	long long start = c.start_ms;
	anim_count_to(&c, 2733, 40000);
	assert_int_equal(c.start_ms, start);
}

static void test_carousel_schedule(void **state)
{
	(void)state;
	struct anim_carousel c = { .n = 3, .interval_ms = 10000, .fade_ms = 1000, .epoch_ms = 500 };
	struct anim_slide s;
	anim_carousel_at(&c, 500, &s);
	assert_int_equal(s.from, 0);
	assert_int_equal(s.to, 0);
	assert_true(s.t == 1.0f);
	/* The first slide appears without a transition, then waits its interval. */
	assert_int_equal(anim_carousel_wait(&c, 500), 10000);
	assert_int_equal(anim_carousel_wait(&c, 10499), 1);
	anim_carousel_at(&c, 10500 + 500, &s);
	assert_int_equal(s.from, 0);
	assert_int_equal(s.to, 1);
	assert_true(s.t > 0.49f && s.t < 0.51f);
	assert_int_equal(anim_carousel_wait(&c, 11000), 0);
	anim_carousel_at(&c, 11500, &s);
	assert_int_equal(s.from, 1);
	assert_int_equal(s.to, 1);
	assert_int_equal(anim_carousel_wait(&c, 11500), 9000);
	/* It wraps around. */
	anim_carousel_at(&c, 500 + 30000 + 100, &s);
	assert_int_equal(s.from, 2);
	assert_int_equal(s.to, 0);

	struct anim_carousel one = { .n = 1, .interval_ms = 10000, .fade_ms = 1000 };
	assert_int_equal(anim_carousel_wait(&one, 123456), -1);
	anim_carousel_at(&one, 123456, &s);
	assert_int_equal(s.from, 0);
	assert_int_equal(s.to, 0);
	struct anim_carousel none = { 0 };
	anim_carousel_at(&none, 5, &s);
	assert_int_equal(s.to, 0);
	assert_int_equal(anim_carousel_wait(&none, 5), -1);
}

static void test_milestones_fire_once_per_multiple(void **state)
{
	(void)state;
	assert_int_equal(anim_milestone(99, 100, 100), 100);
	assert_int_equal(anim_milestone(100, 101, 100), 0);
	assert_int_equal(anim_milestone(98, 99, 100), 0);
	assert_int_equal(anim_milestone(150, 420, 100), 400);
	assert_int_equal(anim_milestone(101, 100, 100), 0); /* an undo is no celebration */
	assert_int_equal(anim_milestone(0, 5000, 0), 0);    /* 0 = off */
	assert_int_equal(anim_milestone(-5, 0, 100), 0);
}

static void test_pixel_shift_stays_in_range_and_moves_one_step_a_minute(void **state)
{
	(void)state;
	int dx, dy, px, py;
	anim_pixel_shift(0, 12, &dx, &dy);
	assert_int_equal(dx, 0);
	assert_int_equal(dy, 0);
	anim_pixel_shift(59999, 12, &dx, &dy);
	assert_int_equal(dx, 0);
	assert_int_equal(dy, 0);
	assert_int_equal(anim_pixel_shift_wait(0), 60000);
	assert_int_equal(anim_pixel_shift_wait(59999), 1);
	px = py = 0;
	int seen_x = 0, seen_y = 0;
	for (long long m = 1; m < 100; m++) {
		anim_pixel_shift(m * 60000, 12, &dx, &dy);
		assert_true(abs(dx) <= 12 && abs(dy) <= 12);
		/* One grid cell at a time: never a jump across the screen. */
		assert_true(abs(dx - px) + abs(dy - py) <= 6);
		seen_x |= dx != 0;
		seen_y |= dy != 0;
		px = dx;
		py = dy;
	}
	assert_true(seen_x && seen_y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_easing_is_clamped_and_monotonic),
		cmocka_unit_test(test_count_up_lands_on_the_total_and_never_early),
		cmocka_unit_test(test_carousel_schedule),
		cmocka_unit_test(test_milestones_fire_once_per_multiple),
		cmocka_unit_test(test_pixel_shift_stays_in_range_and_moves_one_step_a_minute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
