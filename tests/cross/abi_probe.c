/*
 * Prints the C facts that differ between the build machine and a Raspberry Pi, one "key value"
 * a line: char signedness, type sizes and alignments, and whether time and file offsets are
 * 64-bit. test-cross builds it with the native and the cross compiler (same flags as src/) and
 * compares the two outputs.
 */
#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <wchar.h>

static void ymd(const char *key, long long secs)
{
	char buf[32] = "overflow";
	time_t t = (time_t)secs;
	struct tm tm;
	if ((long long)t == secs && gmtime_r(&t, &tm))
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s %s\n", key, buf);
}

int main(void)
{
	char c = (char)0xE9; /* the first byte of a Latin-1 'e acute', as a plain char */
	printf("char_signed %d\n", CHAR_MIN < 0);
	printf("char_0xE9_as_int %d\n", (int)c);
	printf("wchar_signed %d\n", WCHAR_MIN < 0);
	printf("sizeof_short %zu\n", sizeof(short));
	printf("sizeof_int %zu\n", sizeof(int));
	printf("sizeof_long %zu\n", sizeof(long));
	printf("sizeof_long_long %zu\n", sizeof(long long));
	printf("sizeof_pointer %zu\n", sizeof(void *));
	printf("sizeof_size_t %zu\n", sizeof(size_t));
	printf("sizeof_time_t %zu\n", sizeof(time_t));
	printf("sizeof_off_t %zu\n", sizeof(off_t));
	printf("sizeof_wchar_t %zu\n", sizeof(wchar_t));
	printf("sizeof_long_double %zu\n", sizeof(long double));
	printf("alignof_long_long %zu\n", alignof(long long));
	printf("alignof_double %zu\n", alignof(double));
	printf("alignof_max_align_t %zu\n", alignof(max_align_t));
	/* The ledger keeps milliseconds since 1970 as long long and formats them with gmtime_r. */
	ymd("time_2038", 2147483648LL);
	ymd("time_2100", 4102444800LL);
	printf("double_third %.17g\n", 1.0 / 3.0);
	printf("int_div_neg %d %d\n", -7 / 2, -7 % 2);
	printf("shift_neg %d\n", -16 >> 2);
	return 0;
}
