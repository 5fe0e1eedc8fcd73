/*
 * Unit tests for layout.c: on every supported screen size, with and without the carousel, the
 * screen must be readable from across a room (the number dominates), keep every box on screen
 * and every text box inside its area (the card's texts inside the card), and never draw two
 * things over each other (except the acknowledgement, which takes the label's place on
 * purpose).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "layout.h"

struct size {
	int w, h;
};

static const struct size supported[] = {
	{ 1920, 1080 }, { 3840, 2160 }, { 1280, 720 }, { 800, 480 }, { 1080, 1920 },
	/* odd ones: 4:3, 16:10, 5:4, ultra-wide, small portrait, 7" panels, a resized window */
	{ 1024, 768 }, { 1280, 800 }, { 1280, 1024 }, { 3440, 1440 }, { 2560, 1080 },
	{ 480, 800 }, { 1024, 600 }, { 720, 1280 }, { 1366, 768 }, { 1001, 555 }, { 64, 64 },
};

/* The boxes of a layout with their names, for messages and pairwise checks. */
struct named_box {
	const char *name;
	const struct layout_box *box;
	int is_text;
};

static int layout_boxes(const struct tally_layout *l, struct named_box *out)
{
	struct named_box all[] = {
		{ "event_name", &l->event_name, 1 }, { "number", &l->number, 1 },
		{ "label", &l->label, 1 },           { "ack", &l->ack, 1 },
		{ "goal_bar", &l->goal_bar, 0 },     { "goal_text", &l->goal_text, 1 },
		{ "status", &l->status, 1 },         { "carousel", &l->carousel, 0 },
		{ "badge", &l->badge, 1 },           { "case_name", &l->case_name, 1 },
		{ "case_country", &l->case_country, 1 }, { "headline", &l->headline, 1 },
		{ "story", &l->story, 1 },           { "case_count", &l->case_count, 1 },
		{ "dots", &l->dots, 0 },
	};
	int n = (int)(sizeof all / sizeof all[0]);
	for (int i = 0; i < n; i++)
		out[i] = all[i];
	return n;
}

#define NBOXES 15

static int is_card_part(const struct tally_layout *l, const struct layout_box *b)
{
	return b == &l->badge || b == &l->case_name || b == &l->case_country ||
	       b == &l->headline || b == &l->story || b == &l->case_count || b == &l->dots;
}

static struct tally_layout compute_with(int w, int h, int carousel)
{
	struct tally_layout l;
	int rc = layout_compute(w, h, carousel, &l);
	if (rc != 0)
		fail_msg("layout_compute(%d, %d, %d) = %d, want 0", w, h, carousel, rc);
	assert_int_equal(l.width, w);
	assert_int_equal(l.height, h);
	return l;
}

static struct tally_layout compute_ok(int w, int h)
{
	struct tally_layout l;
	int rc = layout_compute(w, h, 0, &l);
	if (rc != 0)
		fail_msg("layout_compute(%d, %d) = %d, want 0", w, h, rc);
	assert_int_equal(l.width, w);
	assert_int_equal(l.height, h);
	return l;
}

static void check_invariants_with(int w, int h, int carousel)
{
	struct tally_layout l = compute_with(w, h, carousel);
	struct layout_box screen = { 0, 0, w, h, 0 };
	struct named_box b[NBOXES];
	int n = layout_boxes(&l, b);
	int has_card = l.carousel.w > 0;

	if (!carousel)
		assert_false(has_card);
	for (int i = 0; i < n; i++) {
		int card_part = is_card_part(&l, b[i].box);
		if (card_part && !has_card)
			continue;
		/* No text leaves its area: the card's texts stay inside the card. */
		if (card_part && !layout_box_inside(b[i].box, &l.carousel))
			fail_msg("%dx%d: %s (%d,%d %dx%d) leaves the card", w, h, b[i].name,
				 b[i].box->x, b[i].box->y, b[i].box->w, b[i].box->h);
		if (!card_part && b[i].box != &l.carousel && b[i].box != &l.status &&
		    !layout_box_inside(b[i].box, &l.tally))
			fail_msg("%dx%d: %s leaves the tally's area", w, h, b[i].name);
		if (!layout_box_inside(b[i].box, &screen))
			fail_msg("%dx%d: %s (%d,%d %dx%d) leaves the screen", w, h, b[i].name,
				 b[i].box->x, b[i].box->y, b[i].box->w, b[i].box->h);
		if (b[i].is_text) {
			if (b[i].box->font_px <= 0 || b[i].box->font_px > b[i].box->h ||
			    (card_part && b[i].box != &l.badge && b[i].box->font_px >= l.number.font_px))
				fail_msg("%dx%d: %s font_px %d, box height %d", w, h, b[i].name,
					 b[i].box->font_px, b[i].box->h);
			if (b[i].box != &l.number && b[i].box != &l.badge &&
			    b[i].box->font_px >= l.number.font_px)
				fail_msg("%dx%d: %s font_px %d not smaller than the number's %d", w,
					 h, b[i].name, b[i].box->font_px, l.number.font_px);
		} else {
			assert_int_equal(b[i].box->font_px, 0);
		}
	}

	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			int ack_label = (b[i].box == &l.label && b[j].box == &l.ack) ||
					(b[i].box == &l.ack && b[j].box == &l.label);
			/* The card's parts lie on the card. */
			int on_card = (b[i].box == &l.carousel && is_card_part(&l, b[j].box)) ||
				      (b[j].box == &l.carousel && is_card_part(&l, b[i].box));
			if (!ack_label && !on_card && layout_box_overlap(b[i].box, b[j].box))
				fail_msg("%dx%d: %s overlaps %s", w, h, b[i].name, b[j].name);
		}
	}

	/* Reading order, top to bottom. */
	assert_true(l.event_name.y + l.event_name.h <= l.number.y);
	assert_true(l.number.y + l.number.h <= l.label.y);
	assert_true(l.label.y + l.label.h <= l.goal_bar.y);
	assert_true(l.goal_bar.y + l.goal_bar.h <= l.goal_text.y);
	assert_true(l.goal_text.y + l.goal_text.h <= l.status.y);

	/* The staff strip sits on the very bottom edge, full width. */
	assert_int_equal(l.status.x, 0);
	assert_int_equal(l.status.w, w);
	assert_int_equal(l.status.y + l.status.h, h);

	/* Without a card the tally is centred on the screen, else in its own area. */
	int cx = l.tally.x + l.tally.w / 2;
	assert_true(has_card || l.tally.w == w);
	assert_true(abs((l.number.x + l.number.w / 2) - cx) <= 1);
	assert_true(abs((l.goal_bar.x + l.goal_bar.w / 2) - cx) <= 1);
	assert_true(l.goal_bar.w > 0 && l.goal_bar.h > 0);
	assert_true(l.margin > 0);
	if (has_card) {
		/* The card is beside the tally on landscape screens, under it on portrait ones. */
		if (h > w)
			assert_true(l.tally.y + l.tally.h <= l.carousel.y);
		else
			assert_true(l.tally.x + l.tally.w <= l.carousel.x);
		assert_true(l.badge.w == l.badge.h && l.badge.w > 0);
		assert_true(l.headline.y + l.headline.h <= l.story.y);
		assert_true(l.story.y + l.story.h <= l.case_count.y);
		assert_true(l.case_count.y + l.case_count.h <= l.dots.y);
		assert_true(l.story.h >= 0);
	}
}

static void check_invariants(int w, int h)
{
	check_invariants_with(w, h, 0);
	check_invariants_with(w, h, 1);
}

static void test_supported_sizes_keep_boxes_on_screen_and_apart(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
		check_invariants(supported[i].w, supported[i].h);
}

static void test_sweep_of_sizes_keeps_invariants(void **state)
{
	(void)state;
	static const int sides[] = { 64, 65, 99, 128, 240, 320, 479, 480, 600, 641, 720, 800,
				     1023, 1080, 1366, 1920, 2160, 2561, 3840, 4096, 7680 };
	size_t n = sizeof sides / sizeof sides[0];
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			check_invariants(sides[i], sides[j]);
}

static void test_number_digits_are_35_to_45_percent_of_a_tv(void **state)
{
	(void)state;
	/* DejaVu Sans Bold digits are 0.729 em high: the font the kiosk ships with. */
	static const struct size tv[] = { { 1920, 1080 }, { 3840, 2160 }, { 1280, 720 } };
	for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++) {
		struct tally_layout l = compute_ok(tv[i].w, tv[i].h);
		double digit = 0.729 * l.number.font_px;
		if (digit < 0.35 * tv[i].h || digit > 0.45 * tv[i].h)
			fail_msg("%dx%d: digit height %.0f px", tv[i].w, tv[i].h, digit);
		/* Wide enough for "1,000,000" once shrunk: the whole content width. */
		assert_int_equal(l.number.w, tv[i].w - 2 * l.margin);
	}
}

static void test_four_digit_total_fits_at_full_size(void **state)
{
	(void)state;
	/* "1,234" is 3.16 em wide in DejaVu Sans Bold, 3.35 em with the 6 % pop on a press. */
	for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++) {
		struct tally_layout l = compute_ok(supported[i].w, supported[i].h);
		assert_true(l.number.font_px * 335 <= l.number.w * 100);
	}
}

static void test_number_is_the_largest_box(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++) {
		struct tally_layout l = compute_ok(supported[i].w, supported[i].h);
		long long area = (long long)l.number.w * l.number.h;
		assert_true(area > (long long)l.event_name.w * l.event_name.h);
		assert_true(area > (long long)l.label.w * l.label.h);
		assert_true(area > (long long)l.goal_text.w * l.goal_text.h);
		assert_true(area > (long long)l.status.w * l.status.h);
	}
}

static void test_layout_scales_with_the_screen(void **state)
{
	(void)state;
	struct tally_layout hd = compute_ok(1920, 1080);
	struct tally_layout uhd = compute_ok(3840, 2160);
	struct tally_layout small = compute_ok(1280, 720);
	const struct layout_box *a[] = { &hd.event_name, &hd.number, &hd.label, &hd.goal_bar,
					 &hd.goal_text, &hd.status };
	const struct layout_box *b[] = { &uhd.event_name, &uhd.number, &uhd.label, &uhd.goal_bar,
					 &uhd.goal_text, &uhd.status };
	const struct layout_box *c[] = { &small.event_name, &small.number, &small.label,
					 &small.goal_bar, &small.goal_text, &small.status };
	/* Rounding happens per step, so allow a few pixels. */
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		assert_true(abs(b[i]->y - 2 * a[i]->y) <= 4);
		assert_true(abs(b[i]->h - 2 * a[i]->h) <= 4);
		assert_true(abs(b[i]->w - 2 * a[i]->w) <= 4);
		assert_true(abs(b[i]->font_px - 2 * a[i]->font_px) <= 2);
		assert_true(abs(3 * c[i]->y - 2 * a[i]->y) <= 9);
		assert_true(abs(3 * c[i]->font_px - 2 * a[i]->font_px) <= 6);
	}
}

static void test_portrait_text_follows_the_width(void **state)
{
	(void)state;
	struct tally_layout land = compute_ok(1920, 1080);
	struct tally_layout port = compute_ok(1080, 1920);
	/* Not the landscape sizes stretched by the height: the width decides in portrait. */
	assert_true(port.event_name.font_px <= land.event_name.font_px);
	assert_true(port.number.font_px < land.number.font_px);
	assert_true(port.event_name.font_px * 20 >= 1080);
}

static void test_carousel_takes_a_third_or_the_bottom(void **state)
{
	(void)state;
	struct tally_layout off = compute_ok(1920, 1080);
	assert_int_equal(off.carousel.w, 0);
	assert_int_equal(off.carousel.h, 0);
	static const struct size all[] = { { 1920, 1080 }, { 3840, 2160 }, { 1280, 720 },
					   { 800, 480 }, { 1080, 1920 } };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		int w = all[i].w, h = all[i].h;
		struct tally_layout l = compute_with(w, h, 1);
		assert_true(l.carousel.w > 0 && l.carousel.h > 0);
		if (w > h) {
			assert_true(l.carousel.w * 100 >= w * 28 && l.carousel.w * 100 <= w * 36);
		} else {
			assert_true(l.carousel.h * 100 >= h * 30 && l.carousel.h * 100 <= h * 45);
		}
		/* The number still dominates: digits at least a fifth of the screen's height on a
		 * TV, and its box bigger than the story's. */
		if (w > h && w >= 1280)
			assert_true(0.729 * l.number.font_px >= 0.2 * h);
		assert_true(l.number.font_px > l.headline.font_px * 3);
		/* Stories get room for several lines at their full size. */
		assert_true(l.story.h >= 5 * l.story.font_px);
	}
	/* Too small for a card: the tally alone. */
	struct tally_layout tiny = compute_with(320, 200, 1);
	assert_int_equal(tiny.carousel.w, 0);
}

static int layout_compute_0(int w, int h, struct tally_layout *l)
{
	return layout_compute(w, h, 1, l);
}

static void test_too_small_or_invalid_sizes_fail(void **state)
{
	(void)state;
	struct tally_layout l;
	assert_int_equal(layout_compute_0(10, 10, &l), -1);
	assert_int_equal(layout_compute_0(63, 480, &l), -1);
	assert_int_equal(layout_compute_0(800, 63, &l), -1);
	assert_int_equal(layout_compute_0(0, 0, &l), -1);
	assert_int_equal(layout_compute_0(-1920, 1080, &l), -1);
	assert_int_equal(layout_compute_0(100000, 1080, &l), -1);
	assert_int_equal(layout_compute_0(1920, 1080, NULL), -1);
}

static void test_box_helpers(void **state)
{
	(void)state;
	struct layout_box screen = { 0, 0, 100, 50, 0 };
	struct layout_box a = { 10, 10, 20, 20, 0 };
	struct layout_box touching = { 30, 10, 5, 5, 0 }; /* starts where a ends */
	struct layout_box below = { 10, 30, 5, 5, 0 };    /* starts where a ends, downwards */
	struct layout_box crossing = { 29, 29, 5, 5, 0 };
	struct layout_box outside = { 90, 40, 11, 5, 0 };
	struct layout_box empty = { 15, 15, 0, 0, 0 };

	assert_true(layout_box_inside(&a, &screen));
	assert_true(layout_box_inside(&screen, &screen));
	assert_false(layout_box_inside(&outside, &screen));
	assert_false(layout_box_inside(&screen, &a));
	assert_false(layout_box_overlap(&a, &touching));
	assert_false(layout_box_overlap(&touching, &a));
	assert_false(layout_box_overlap(&a, &below));
	assert_false(layout_box_overlap(&below, &a));
	assert_true(layout_box_overlap(&a, &crossing));
	assert_true(layout_box_overlap(&crossing, &a));
	assert_true(layout_box_overlap(&a, &a));
	assert_false(layout_box_overlap(&a, &empty));
	assert_true(layout_box_inside(&empty, &a));
}

static void test_goal_notch_stays_off_the_rounded_ends(void **state)
{
	(void)state;
	struct layout_box bar = { 100, 50, 1000, 28, 0 }, n;
	/* No stretch goal: no notch. */
	assert_false(layout_goal_notch(&bar, 500, 500, &n));
	assert_false(layout_goal_notch(&bar, 0, 500, &n));
	/* Halfway: centred on x = 600, taller than the bar. */
	assert_true(layout_goal_notch(&bar, 500, 1000, &n));
	assert_int_equal(n.w, 7);
	assert_true(n.x <= 600 && n.x + n.w >= 600);
	assert_true(n.y < bar.y && n.y + n.h > bar.y + bar.h);
	/* 1,000 of a 150,000 stretch is 7 px in: that is inside the left cap (14 px). */
	assert_false(layout_goal_notch(&bar, 1000, 150000, &n));
	/* Every notch drawn leaves the caps whole. */
	for (long long g = 1; g < 2000; g += 7) {
		if (layout_goal_notch(&bar, g, 2000, &n)) {
			assert_true(n.x - n.w >= bar.x + bar.h / 2);
			assert_true(n.x + 2 * n.w <= bar.x + bar.w - bar.h / 2);
		}
	}
	/* A tiny bar still gets a 2 px notch. */
	struct layout_box thin = { 0, 0, 300, 4, 0 };
	assert_true(layout_goal_notch(&thin, 1, 2, &n));
	assert_int_equal(n.w, 2);
}

static void test_no_goal_recentres_the_stack(void **state)
{
	(void)state;
	static const int sizes[][2] = { { 1920, 1080 }, { 800, 480 }, { 1080, 1920 } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct tally_layout l, d;
		assert_int_equal(layout_compute(sizes[i][0], sizes[i][1], 1, &l), 0);
		d = l;
		layout_drop_goal(&d);
		assert_int_equal(d.goal_bar.w, 0);
		assert_int_equal(d.goal_text.h, 0);
		/* The space above the name equals the space below the label, give or take 1 px. */
		/* A one-line name sits at the bottom of its box. */
		int name_h = (d.event_name.font_px * 6 + 4) / 5;
		int above = d.event_name.y + d.event_name.h - name_h - l.tally.y;
		int below = l.tally.y + l.tally.h - (d.label.y + d.label.h);
		int spare_before = (l.event_name.y + l.event_name.h - name_h - l.tally.y) -
				   (l.tally.y + l.tally.h - (l.goal_text.y + l.goal_text.h));
		assert_true(spare_before >= -1 && spare_before <= 1);
		assert_true(above - below >= -1 && above - below <= 1);
		/* Nothing else moves: the boxes keep their sizes and order. */
		assert_int_equal(d.number.h, l.number.h);
		assert_int_equal(d.number.y - d.event_name.y, l.number.y - l.event_name.y);
		assert_memory_equal(&d.ack, &d.label, sizeof d.ack);
		assert_memory_equal(&d.carousel, &l.carousel, sizeof d.carousel);
		assert_true(layout_box_inside(&d.label, &l.tally));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported_sizes_keep_boxes_on_screen_and_apart),
		cmocka_unit_test(test_sweep_of_sizes_keeps_invariants),
		cmocka_unit_test(test_number_digits_are_35_to_45_percent_of_a_tv),
		cmocka_unit_test(test_four_digit_total_fits_at_full_size),
		cmocka_unit_test(test_number_is_the_largest_box),
		cmocka_unit_test(test_layout_scales_with_the_screen),
		cmocka_unit_test(test_portrait_text_follows_the_width),
		cmocka_unit_test(test_carousel_takes_a_third_or_the_bottom),
		cmocka_unit_test(test_too_small_or_invalid_sizes_fail),
		cmocka_unit_test(test_box_helpers),
		cmocka_unit_test(test_goal_notch_stays_off_the_rounded_ends),
		cmocka_unit_test(test_no_goal_recentres_the_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
