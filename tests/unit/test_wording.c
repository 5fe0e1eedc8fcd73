/*
 * Unit tests for wording.c: the label's singular form in several languages' plural rules,
 * the goal line below, at and past the goal, and stretch goals a room can read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "wording.h"

static void test_english_singular_only_for_one(void **state)
{
	(void)state;
	assert_string_equal(wording_label("en", 1, "letter written", "letters written"),
			    "letter written");
	assert_string_equal(wording_label("en", 0, "letter written", "letters written"),
			    "letters written");
	assert_string_equal(wording_label("en", 2, "letter written", "letters written"),
			    "letters written");
	assert_string_equal(wording_label("en", 21, "letter written", "letters written"),
			    "letters written");
	assert_string_equal(wording_label(NULL, 1, "letter written", "letters written"),
			    "letter written");
	assert_string_equal(wording_label("", 1, "letter", "letters"), "letter");
	assert_string_equal(wording_label("en-GB", 1, "letter", "letters"), "letter");
	assert_string_equal(wording_label("de", 1, "Brief", "Briefe"), "Brief");
	assert_string_equal(wording_label("es", 1, "carta", "cartas"), "carta");
	assert_string_equal(wording_label("es", 0, "carta", "cartas"), "cartas");
}

static void test_french_zero_and_one_are_singular(void **state)
{
	(void)state;
	assert_string_equal(wording_label("fr", 0, "lettre écrite", "lettres écrites"),
			    "lettre écrite");
	assert_string_equal(wording_label("fr", 1, "lettre écrite", "lettres écrites"),
			    "lettre écrite");
	assert_string_equal(wording_label("FR", 1, "lettre écrite", "lettres écrites"),
			    "lettre écrite");
	assert_string_equal(wording_label("fr", 2, "lettre écrite", "lettres écrites"),
			    "lettres écrites");
	assert_true(wording_is_one("pt-BR", 0));
	assert_false(wording_is_one("pt-PT", 0));
	assert_true(wording_is_one("pt-PT", 1));
}

static void test_other_rules(void **state)
{
	(void)state;
	/* Russian: 1, 21, 101 singular; 11, 111 not. */
	assert_true(wording_is_one("ru", 1));
	assert_true(wording_is_one("ru", 21));
	assert_true(wording_is_one("ru", 101));
	assert_false(wording_is_one("ru", 11));
	assert_false(wording_is_one("ru", 111));
	assert_false(wording_is_one("ru", 5));
	/* No plural forms: the one label is never used. */
	assert_false(wording_is_one("ja", 1));
	assert_false(wording_is_one("zh", 1));
	assert_string_equal(wording_label("ja", 1, "x", "通の手紙"), "通の手紙");
	/* Negative totals (undone below zero never happens, but the words must not break). */
	assert_true(wording_is_one("en", -1));
	assert_false(wording_is_one("en", LLONG_MIN));
}

static void test_missing_singular_falls_back(void **state)
{
	(void)state;
	assert_string_equal(wording_label("en", 1, "", "letters written"), "letters written");
	assert_string_equal(wording_label("en", 1, NULL, "letters written"), "letters written");
	assert_string_equal(wording_label("en", 1, NULL, NULL), "");
}

static void check_goal(long long total, long long goal, const char *want)
{
	char buf[128];
	int n = wording_goal_line(buf, sizeof buf, total, goal);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_goal_line(void **state)
{
	(void)state;
	check_goal(0, 500, "0% of 500");
	check_goal(3, 500, "0% of 500");
	check_goal(310, 500, "62% of 500");
	check_goal(499, 500, "99% of 500");
	check_goal(999, 1000, "99% of 1,000");
	check_goal(500, 500, "Goal reached! 500 of 500");
	check_goal(1000, 1000, "Goal reached! 1,000 of 1,000");
	check_goal(501, 500, "Goal of 500 reached! Next goal: 600");
	check_goal(12345, 1000, "Goal of 1,000 reached! Next goal: 15,000");
	check_goal(123450, 1000, "Goal of 1,000 reached! Next goal: 150,000");
	check_goal(-5, 500, "0% of 500");
	/* Never 100 % before the goal, even where total * 100 would overflow. */
	check_goal(LLONG_MAX - 1, LLONG_MAX, "99% of 9,223,372,036,854,775,807");
}

static void test_goal_line_errors(void **state)
{
	(void)state;
	char buf[8];
	assert_int_equal(wording_goal_line(buf, sizeof buf, 5, 0), -1);
	assert_string_equal(buf, "");
	assert_int_equal(wording_goal_line(buf, sizeof buf, 5, -3), -1);
	assert_int_equal(wording_goal_line(buf, sizeof buf, 500, 500), -1); /* too long */
	assert_string_equal(buf, "");
	assert_int_equal(wording_goal_line(NULL, 0, 5, 10), -1);
}

static void test_stretch_goal_is_round_and_ahead(void **state)
{
	(void)state;
	assert_int_equal(wording_stretch_goal(400, 500), 500);  /* not past: the goal itself */
	assert_int_equal(wording_stretch_goal(500, 500), 500);
	assert_int_equal(wording_stretch_goal(501, 500), 600);
	assert_int_equal(wording_stretch_goal(560, 500), 750);
	assert_int_equal(wording_stretch_goal(1001, 1000), 1500);
	assert_int_equal(wording_stretch_goal(2, 1), 3);
	assert_int_equal(wording_stretch_goal(123450, 1000), 150000);
	assert_int_equal(wording_stretch_goal(7000000000LL, 1000), 10000000000LL);
	/* Every answer is at least 10 % ahead and never moves while the total stands still. */
	for (long long t = 101; t < 200000; t += 97) {
		long long s = wording_stretch_goal(t, 100);
		assert_true(s > t + t / 10);
		assert_true(s <= t * 2);
	}
	/* Huge totals: no overflow, never below the total. */
	assert_true(wording_stretch_goal(LLONG_MAX - 1, 1000) >= LLONG_MAX - 1);
	assert_int_equal(wording_stretch_goal(5, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english_singular_only_for_one),
		cmocka_unit_test(test_french_zero_and_one_are_singular),
		cmocka_unit_test(test_other_rules),
		cmocka_unit_test(test_missing_singular_falls_back),
		cmocka_unit_test(test_goal_line),
		cmocka_unit_test(test_goal_line_errors),
		cmocka_unit_test(test_stretch_goal_is_round_and_ahead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
