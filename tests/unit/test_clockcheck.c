/* Unit tests of the clock check: a Pi's clock before the build, or behind what was saved. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clockcheck.h"

#define DAY (24 * 3600 * 1000LL)

static void test_verdicts(void **state)
{
	(void)state;
	long long build = 1764000000000LL, latest = build + 10 * DAY;
	assert_int_equal(clockcheck_judge(build + 11 * DAY, build, latest), CLOCKCHECK_OK);
	assert_int_equal(clockcheck_judge(build + 11 * DAY, build, 0), CLOCKCHECK_OK);
	/* fake-hwclock's time from last week, or 1970 */
	assert_int_equal(clockcheck_judge(build + 3 * DAY, build, latest),
			 CLOCKCHECK_BEFORE_LATEST);
	assert_int_equal(clockcheck_judge(0, build, latest), CLOCKCHECK_BEFORE_BUILD);
	assert_int_equal(clockcheck_judge(build - 1, build, 0), CLOCKCHECK_BEFORE_BUILD);
	/* NTP's small steps back are not a wrong clock */
	assert_int_equal(clockcheck_judge(latest - CLOCKCHECK_SLACK_MS, build, latest), CLOCKCHECK_OK);
	assert_int_equal(clockcheck_judge(latest - CLOCKCHECK_SLACK_MS - 1, build, latest),
			 CLOCKCHECK_BEFORE_LATEST);
}

static void test_descriptions(void **state)
{
	(void)state;
	char buf[256];
	long long build = 1764000000000LL; /* 2025-11-24 16:00 UTC */
	clockcheck_describe(CLOCKCHECK_BEFORE_LATEST, build + DAY, build, build + 8 * DAY,
			    "sudo tallyctl set-time", buf,
			    sizeof buf);
	assert_non_null(strstr(buf, "The clock says 2025-11-25 16:00 UTC, before the last count "
				    "saved (2025-12-02 16:00 UTC)"));
	assert_non_null(strstr(buf, "sudo tallyctl set-time"));
	clockcheck_describe(CLOCKCHECK_BEFORE_BUILD, 0, build, 0, "on the staff page", buf,
			    sizeof buf);
	assert_non_null(strstr(buf, "set it (on the staff page)"));
	assert_non_null(strstr(buf, "1970-01-01 00:00 UTC, before this software was made"));
	clockcheck_describe(CLOCKCHECK_OK, build, build, 0, "x", buf, sizeof buf);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_descriptions),
	};
	return cmocka_run_group_tests_name("clockcheck", tests, NULL, NULL);
}
