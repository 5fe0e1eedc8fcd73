/*
 * Number formatting for people: see numfmt.h.
 *
 * The tally is shown to a room and typed in by organisers, so formatting must cope with every
 * long long (the ledger may hold corrections below zero) and parsing must refuse anything that
 * is not plainly a count, rather than guess what "1e3" or " 12" was meant to be.
 */
#include "numfmt.h"

#include <limits.h>
#include <string.h>

int numfmt_thousands(long long n, const char *sep, char *buf, size_t buflen)
{
	if (!buf || buflen == 0)
		return -1;
	buf[0] = '\0';
	if (!sep)
		sep = ",";

	/* Negate in unsigned arithmetic: -LLONG_MIN does not fit in a long long. */
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	char digits[24];
	size_t nd = 0;
	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);

	size_t seplen = strlen(sep);
	size_t need = (n < 0) + nd + (nd - 1) / 3 * seplen;
	if (need + 1 > buflen || need > INT_MAX)
		return -1;

	size_t pos = 0;
	if (n < 0)
		buf[pos++] = '-';
	for (size_t i = nd; i-- > 0;) {
		buf[pos++] = digits[i];
		if (i > 0 && i % 3 == 0) {
			memcpy(buf + pos, sep, seplen);
			pos += seplen;
		}
	}
	buf[pos] = '\0';
	return (int)pos;
}

int numfmt_parse_count(const char *s, long long max, long long *out)
{
	if (!s || !*s || max < 0)
		return -1;
	long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		int d = *s - '0';
		/* Checked before multiplying, so a long string of digits cannot overflow. */
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int numfmt_strip_grouping(const char *s, char *out, size_t outlen)
{
	size_t len = strlen(s), lead = strcspn(s, ",");
	if (lead == 0 || lead > 3 || lead == len || (len - lead) % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int comma = i >= lead && (i - lead) % 4 == 0;
		if (comma ? s[i] != ',' : (s[i] < '0' || s[i] > '9'))
			return -1;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != ',') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = s[i];
		}
	out[o] = '\0';
	return 0;
}
