/*
 * Unit tests for numfmt.c: grouping at every digit count, both ends of long long, multi-byte
 * separators, exact buffer sizes, and a count parser that refuses anything but plain digits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "numfmt.h"

static void check_fmt(long long n, const char *sep, const char *want)
{
	char buf[64];
	memset(buf, 'Z', sizeof buf);
	int len = numfmt_thousands(n, sep, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(len, (int)strlen(want));
}

static void test_thousands_groups(void **state)
{
	(void)state;
	check_fmt(0, ",", "0");
	check_fmt(7, ",", "7");
	check_fmt(999, ",", "999");
	check_fmt(1000, ",", "1,000");
	check_fmt(12345, ",", "12,345");
	check_fmt(123456, ",", "123,456");
	check_fmt(1234567, ",", "1,234,567");
	check_fmt(1000000000, ",", "1,000,000,000");
	check_fmt(-1, ",", "-1");
	check_fmt(-1000, ",", "-1,000");
	check_fmt(-999999, ",", "-999,999");
}

static void test_thousands_extremes(void **state)
{
	(void)state;
	check_fmt(LLONG_MAX, ",", "9,223,372,036,854,775,807");
	check_fmt(LLONG_MIN, ",", "-9,223,372,036,854,775,808");
	check_fmt(LLONG_MIN + 1, ",", "-9,223,372,036,854,775,807");
}

static void test_thousands_separators(void **state)
{
	(void)state;
	check_fmt(1234567, NULL, "1,234,567");
	check_fmt(1234567, "\u202f", "1\u202f234\u202f567");
	check_fmt(1234567, ".", "1.234.567");
	check_fmt(1234567, "", "1234567");
	check_fmt(-12345, " ", "-12 345");
}

static void test_thousands_buffer_size(void **state)
{
	(void)state;
	char buf[8];
	/* "-12,345" is 7 bytes: it needs 8 with the terminator. */
	assert_int_equal(numfmt_thousands(-12345, ",", buf, 8), 7);
	assert_string_equal(buf, "-12,345");
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(numfmt_thousands(-12345, ",", buf, 7), -1);
	assert_string_equal(buf, "");
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(numfmt_thousands(5, ",", buf, 1), -1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(numfmt_thousands(5, ",", buf, 2), 1);
	assert_string_equal(buf, "5");
	assert_int_equal(numfmt_thousands(5, ",", buf, 0), -1);
	assert_int_equal(numfmt_thousands(5, ",", NULL, 10), -1);
	/* A 3-byte separator counts as three bytes. */
	assert_int_equal(numfmt_thousands(1000, "\u202f", buf, 7), -1);
	assert_int_equal(numfmt_thousands(1000, "\u202f", buf, 8), 7);
}

static void test_parse_count_good(void **state)
{
	(void)state;
	long long v = -7;
	assert_int_equal(numfmt_parse_count("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(numfmt_parse_count("12", 100, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(numfmt_parse_count("007", 100, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(numfmt_parse_count("1000000000", 1000000000, &v), 0);
	assert_int_equal(v, 1000000000);
	assert_int_equal(numfmt_parse_count("9223372036854775807", LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
}

static void test_parse_count_bad(void **state)
{
	(void)state;
	const char *bad[] = { "",   "+1",   " 1",  "1 ",  "-5",  "-0", "abc",  "12abc", "1e3",
			      "0x10", "1,000", "1.5", "1_000", "\t1", "1\n", "\xEF\xBC\x91", NULL };
	for (int i = 0; bad[i]; i++) {
		long long v = 42;
		if (numfmt_parse_count(bad[i], LLONG_MAX, &v) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(v, 42);
	}
	long long v = 42;
	assert_int_equal(numfmt_parse_count(NULL, 10, &v), -1);
	assert_int_equal(v, 42);
}

static void test_parse_count_limits(void **state)
{
	(void)state;
	long long v = 42;
	assert_int_equal(numfmt_parse_count("101", 100, &v), -1);
	assert_int_equal(numfmt_parse_count("1000000001", 1000000000, &v), -1);
	assert_int_equal(numfmt_parse_count("5", 0, &v), -1);
	assert_int_equal(numfmt_parse_count("9", 8, &v), -1);
	assert_int_equal(numfmt_parse_count("0", -1, &v), -1);
	assert_int_equal(numfmt_parse_count("9223372036854775808", LLONG_MAX, &v), -1);
	assert_int_equal(numfmt_parse_count("99999999999999999999999999", LLONG_MAX, &v), -1);
	assert_int_equal(v, 42);
	assert_int_equal(numfmt_parse_count("0", 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(numfmt_parse_count("100", 100, &v), 0);
	assert_int_equal(v, 100);
}

static void test_strip_grouping(void **state)
{
	(void)state;
	char out[32] = "untouched";
	assert_int_equal(numfmt_strip_grouping("1,000", out, sizeof out), 0);
	assert_string_equal(out, "1000");
	assert_int_equal(numfmt_strip_grouping("12,345,678", out, sizeof out), 0);
	assert_string_equal(out, "12345678");
	strcpy(out, "untouched");
	/* Only the form tallyctl prints: anything else is left to the count check. */
	const char *bad[] = { "1000", "1,00", "1,0000", ",100", "1,000,", "1234,567", "1,,000",
			      "a,000", "1.000", "-1,000", "", "1,000 " };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (numfmt_strip_grouping(bad[i], out, sizeof out) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
	assert_string_equal(out, "untouched");
	assert_int_equal(numfmt_strip_grouping("1,000", out, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thousands_groups),
		cmocka_unit_test(test_thousands_extremes),
		cmocka_unit_test(test_thousands_separators),
		cmocka_unit_test(test_thousands_buffer_size),
		cmocka_unit_test(test_parse_count_good),
		cmocka_unit_test(test_parse_count_bad),
		cmocka_unit_test(test_parse_count_limits),
		cmocka_unit_test(test_strip_grouping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
