/*
 * Unit tests for damage.c: rectangles are clipped to the picture, overlapping ones merge into
 * disjoint rectangles that still cover every damaged pixel, and a full list degrades to
 * bounding boxes rather than losing a rectangle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "damage.h"

static int covered(const struct damage *d, int x, int y)
{
	int n = 0;
	for (int i = 0; i < d->n; i++)
		n += x >= d->r[i].x && x < d->r[i].x + d->r[i].w && y >= d->r[i].y &&
		     y < d->r[i].y + d->r[i].h;
	return n;
}

static void test_clips_to_the_picture(void **state)
{
	(void)state;
	struct damage d;
	damage_reset(&d, 100, 50);
	assert_true(damage_empty(&d));
	damage_add(&d, -10, -10, 20, 20);
	damage_add(&d, 95, 45, 20, 20);
	damage_add(&d, 200, 0, 5, 5);  /* outside */
	damage_add(&d, 10, 10, 0, 5);  /* empty */
	assert_int_equal(d.n, 2);
	assert_int_equal(damage_area(&d), 10 * 10 + 5 * 5);
	damage_all(&d);
	assert_int_equal(d.n, 1);
	assert_int_equal(damage_area(&d), 100 * 50);
}

static void test_overlapping_rectangles_merge(void **state)
{
	(void)state;
	struct damage d;
	damage_reset(&d, 1000, 1000);
	damage_add(&d, 0, 0, 10, 10);
	damage_add(&d, 100, 0, 10, 10);
	damage_add(&d, 5, 5, 100, 2); /* joins both */
	assert_int_equal(d.n, 1);
	assert_int_equal(d.r[0].x, 0);
	assert_int_equal(d.r[0].w, 110);
	assert_int_equal(d.r[0].h, 10);
	/* Touching is not overlapping: two rectangles side by side stay two. */
	damage_add(&d, 110, 0, 10, 10);
	assert_int_equal(d.n, 2);
}

static void test_many_rectangles_stay_disjoint_and_cover_all(void **state)
{
	(void)state;
	struct damage d;
	damage_reset(&d, 200, 200);
	srand(7);
	struct damage_rect added[40];
	for (int i = 0; i < 40; i++) {
		added[i] = (struct damage_rect){ rand() % 190, rand() % 190, 1 + rand() % 30,
						 1 + rand() % 30 };
		damage_add(&d, added[i].x, added[i].y, added[i].w, added[i].h);
		assert_true(d.n >= 1 && d.n <= DAMAGE_MAX);
	}
	for (int y = 0; y < 200; y++)
		for (int x = 0; x < 200; x++) {
			int c = covered(&d, x, y);
			assert_true(c <= 1); /* disjoint */
			for (int i = 0; i < 40; i++)
				if (x >= added[i].x && x < added[i].x + added[i].w &&
				    y >= added[i].y && y < added[i].y + added[i].h && x < 200 && y < 200)
					assert_int_equal(c, 1);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clips_to_the_picture),
		cmocka_unit_test(test_overlapping_rectangles_merge),
		cmocka_unit_test(test_many_rectangles_stay_disjoint_and_cover_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
