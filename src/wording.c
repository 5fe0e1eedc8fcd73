/* See wording.h. */
#include "wording.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"

/* The language part of a code ("pt" of "pt-BR", "fil" of "fil_PH"), lower case. */
static void lang_base(const char *lang, char *out, size_t len)
{
	size_t i = 0;
	for (; lang && lang[i] && lang[i] != '-' && lang[i] != '_' && i + 1 < len; i++)
		out[i] = (char)(lang[i] >= 'A' && lang[i] <= 'Z' ? lang[i] - 'A' + 'a' : lang[i]);
	out[i] = '\0';
}

static int in_list(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(code, *list))
			return 1;
	return 0;
}

int wording_is_one(const char *lang, long long n)
{
	char code[8];
	lang_base(lang, code, sizeof code);
	if (n < 0)
		n = n == LLONG_MIN ? LLONG_MAX : -n;
	/* CLDR: no plural forms at all. */
	static const char *const none[] = { "ja", "zh", "ko", "vi", "th", "id", "ms", "my",
					    "km", "lo", "yue", NULL };
	/* CLDR "one" is i = 0,1 (French, Brazilian Portuguese, Hindi, Persian, ...). */
	static const char *const zero_one[] = { "fr", "hi", "fa", "bn", "gu", "kn", "zu", "am",
						NULL };
	/* CLDR "one" is n % 10 = 1 and n % 100 != 11 (East Slavic). */
	static const char *const slavic[] = { "ru", "uk", "be", NULL };
	if (in_list(code, none))
		return 0;
	if (in_list(code, zero_one))
		return n == 0 || n == 1;
	if (!strcmp(code, "pt"))
		/* Brazilian Portuguese counts 0 as singular, European Portuguese does not. */
		return n == 1 || (n == 0 && !(lang && strlen(lang) > 3 && !strcmp(lang + 3, "PT")));
	if (in_list(code, slavic))
		return n % 10 == 1 && n % 100 != 11;
	return n == 1;
}

const char *wording_label(const char *lang, long long n, const char *one, const char *other)
{
	if (one && *one && wording_is_one(lang, n))
		return one;
	return other ? other : "";
}

long long wording_stretch_goal(long long total, long long goal)
{
	if (goal <= 0 || total <= goal)
		return goal;
	/* At least 10 % beyond the total, so the next goal never sits a few letters away. */
	long long floor = total <= LLONG_MAX / 11 * 10 ? total + total / 10 : total;
	static const int steps[] = { 10, 15, 20, 25, 30, 40, 50, 60, 75 }; /* tenths */
	for (long long p = 1; p <= LLONG_MAX / 100; p *= 10) {
		for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			long long v = steps[i] * p / 10;
			if (v > floor && v > goal && v > total)
				return v;
		}
	}
	return total;
}

int wording_goal_line(char *buf, size_t len, long long total, long long goal)
{
	if (!buf || len == 0)
		return -1;
	buf[0] = '\0';
	if (goal <= 0)
		return -1;
	char t[32], g[32], s[32];
	if (numfmt_thousands(total, ",", t, sizeof t) < 0 ||
	    numfmt_thousands(goal, ",", g, sizeof g) < 0)
		return -1;
	int n;
	if (total > goal) {
		if (numfmt_thousands(wording_stretch_goal(total, goal), ",", s, sizeof s) < 0)
			return -1;
		n = snprintf(buf, len, "Goal of %s reached! Next goal: %s", g, s);
	} else if (total == goal) {
		n = snprintf(buf, len, "Goal reached! %s of %s", t, g);
	} else {
		/* Whole percent, rounded down, so the screen never says 100% before the goal. */
		long long pct = total <= 0 ? 0
				: total <= LLONG_MAX / 100 ? total * 100 / goal : total / (goal / 100);
		if (pct > 99)
			pct = 99;
		n = snprintf(buf, len, "%lld%% of %s", pct, g);
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return n;
}
