/* Unit tests of the checks on a time staff set the clock to (tallyctl set-time and the staff
 * page): never before the build, never more than CLOCKSET_AHEAD_YEARS after it. The clock
 * itself is never set here; tests/e2e fake it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clockset.h"

#define BUILD 1764000000000LL /* 2025-11-24 16:00:00 UTC */
#define DAY (24 * 3600 * 1000LL)

static void test_range(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(clockset_check(BUILD, BUILD, err, sizeof err), CLOCKSET_OK);
	assert_string_equal(err, "");
	assert_int_equal(clockset_check(BUILD + 400 * DAY, BUILD, err, sizeof err), CLOCKSET_OK);
	assert_int_equal(clockset_check(BUILD + CLOCKSET_AHEAD_MAX_MS, BUILD, err, sizeof err),
			 CLOCKSET_OK);
	/* 10 years of 365.25 days */
	assert_int_equal(CLOCKSET_AHEAD_MAX_MS, 3652LL * DAY + DAY / 2);

	assert_int_equal(clockset_check(BUILD - 1, BUILD, err, sizeof err), CLOCKSET_ERR_RANGE);
	assert_non_null(strstr(err, "2025-11-24 15:59:59 UTC is before this software was made "
				    "(2025-11-24 16:00:00 UTC)"));
	assert_int_equal(clockset_check(0, BUILD, err, sizeof err), CLOCKSET_ERR_RANGE);
	assert_non_null(strstr(err, "1970-01-01 00:00:00 UTC is before"));
	assert_int_equal(clockset_check(-5000, BUILD, err, sizeof err), CLOCKSET_ERR_RANGE);
	assert_non_null(strstr(err, "? is before"));
	assert_int_equal(clockset_check(BUILD + CLOCKSET_AHEAD_MAX_MS + 1, BUILD, err, sizeof err),
			 CLOCKSET_ERR_RANGE);
	assert_non_null(strstr(err, "2035-11-25 04:00:00 UTC is more than 10 years after this "
				    "software was made"));
	assert_int_equal(clockset_check(9223372036854775807LL, BUILD, err, sizeof err),
			 CLOCKSET_ERR_RANGE);
	assert_non_null(strstr(err, "more than 10 years after"));
}

/* A refused time never reaches clock_settime, whatever the privilege (the suite may run as
 * root: only a refused time is given to clockset_apply here). */
static void test_apply_refuses_before_setting(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(clockset_apply(BUILD - DAY, BUILD, err, sizeof err), CLOCKSET_ERR_RANGE);
	assert_non_null(strstr(err, "before this software was made"));
	assert_int_equal(clockset_apply(BUILD + 20 * 366 * DAY, BUILD, err, sizeof err),
			 CLOCKSET_ERR_RANGE);
}

static void test_utc(void **state)
{
	(void)state;
	char buf[40];
	clockset_utc(BUILD + 1500, buf, sizeof buf);
	assert_string_equal(buf, "2025-11-24 16:00:01 UTC");
	clockset_utc(-1, buf, sizeof buf);
	assert_string_equal(buf, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_apply_refuses_before_setting),
		cmocka_unit_test(test_utc),
	};
	return cmocka_run_group_tests_name("clockset", tests, NULL, NULL);
}
