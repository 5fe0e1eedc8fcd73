/* Number formatting for people: thousands separators and durations. Pure functions. */
#ifndef TALLYKIOSK_NUMFMT_H
#define TALLYKIOSK_NUMFMT_H

#include <stddef.h>

/*
 * Writes n with a separator between groups of three digits ("12,345", "-1,000") into buf.
 * sep may be any UTF-8 string ("," or "\u202f"); NULL means ",". Returns the length written,
 * or -1 if buf is too small (buf then holds "").
 */
int numfmt_thousands(long long n, const char *sep, char *buf, size_t buflen);

/*
 * Parses a whole non-negative decimal count ("12", not "12x", " 12", "-1" or "1e3"), at most
 * max. Returns 0 and sets *out, or -1.
 */
int numfmt_parse_count(const char *s, long long max, long long *out);

/*
 * Writes s without its thousands separators into out when s is digits grouped by commas
 * exactly as numfmt_thousands writes them ("1,000", "12,345,678"). Returns 0, or -1 (out
 * untouched) for anything else, which the count check then judges as it is.
 */
int numfmt_strip_grouping(const char *s, char *out, size_t outlen);

#endif
