/*
 * The words on the screen that depend on a number: the label's singular or plural form, and
 * the line under the goal bar with its stretch goal. Pure functions (no SDL), unit-tested.
 */
#ifndef TALLYKIOSK_WORDING_H
#define TALLYKIOSK_WORDING_H

#include <stddef.h>

/*
 * 1 if n takes the singular ("one") form in language lang (a code such as "en", "fr",
 * "pt-BR"; NULL or "" = English), following CLDR's plural rules for whole numbers: English
 * and most European languages use it for 1 only, French and Brazilian Portuguese for 0 and 1,
 * Russian-like languages for 1, 21, 31 ... (not 11), and languages with no plural (Japanese,
 * Chinese, Korean, ...) never.
 */
int wording_is_one(const char *lang, long long n);

/* one if n takes the singular in lang and one is not empty, else other. */
const char *wording_label(const char *lang, long long n, const char *one, const char *other);

/*
 * The goal the bar measures once total is past goal: the first round number (1, 1.5, 2,
 * 2.5, 3, 4, 5, 6 or 7.5 times a power of ten) at least 10 % above total, so the next goal is
 * a number a room can remember and always a real step away. total itself when nothing fits.
 */
long long wording_stretch_goal(long long total, long long goal);

/*
 * The line under the goal bar (goal > 0):
 *   below the goal   "62% of 500"           (whole percent, rounded down)
 *   at the goal      "Goal reached! 500 of 500"
 *   past the goal    "Goal of 500 reached! Next goal: 750"  (see wording_stretch_goal)
 * Returns the length written, or -1 if buf is too small or goal <= 0.
 */
int wording_goal_line(char *buf, size_t len, long long total, long long goal);

#endif
