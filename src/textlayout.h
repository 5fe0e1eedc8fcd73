/*
 * Where text breaks into lines, where a line is cut for an ellipsis, and in which order the
 * runs of a line are shown (bidirectional text). Pure: the caller measures, so unit tests can
 * use fixed widths and the renderer its fonts.
 *
 * Text is handled as an array of code points. A line break may come after spaces, after a
 * hyphen, and between two characters of the scripts written without spaces (Chinese, Japanese,
 * Korean, and emoji), but never before closing punctuation such as "。" or inside a cluster
 * (before a combining mark, a variation selector, after a zero width joiner).
 */
#ifndef TALLYKIOSK_TEXTLAYOUT_H
#define TALLYKIOSK_TEXTLAYOUT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes UTF-8 s into at most max code points; offs (may be NULL) gets each one's byte
 * offset, and offs[n] the length of s. Malformed bytes become U+FFFD. Returns n.
 */
int tl_decode(const char *s, uint32_t *cp, int *offs, int max);

/* 1 if c belongs to the cluster before it (combining mark, variation selector, ZWJ, ...). */
int tl_is_extender(uint32_t c);
/* 1 for code points that are invisible formatting (ZWJ, variation selectors, tags, ...). */
int tl_is_ignorable(uint32_t c);
/* 1 if c is shown as emoji by default, or c is followed by U+FE0F (next may be 0). */
int tl_wants_emoji(uint32_t c, uint32_t next);

/*
 * The ISO 15924 tag of c's script for the shaper ("Arab", "Hebr", "Deva", "Hani", ...), or NULL
 * for characters every script shares (spaces, digits, punctuation, emoji, marks). Without it
 * HarfBuzz (in SDL_ttf 2.20) shapes right-to-left Arabic as unjoined letters in reverse.
 */
const char *tl_script(uint32_t c);

/* Width of code points [start, end) drawn as one piece; < 0 on failure. */
typedef int (*tl_measure_fn)(void *ctx, int start, int end);

struct tl_line {
	int start, end; /* code points [start, end) shown; spaces at the break are left out */
};

/*
 * Breaks cp[0..n) into lines at most max_w wide (a word wider than a line is cut between
 * clusters). Writes at most max_lines lines and returns how many the whole text needs (more
 * than max_lines: it does not fit), 0 for an empty text, or -1 if measure failed.
 */
int tl_wrap(const uint32_t *cp, int n, int max_w, tl_measure_fn measure, void *ctx,
	    struct tl_line *lines, int max_lines);

/*
 * Where to cut cp[start..end) so that it and an ellipsis ell_w wide fit max_w: the largest
 * cut between clusters, spaces before it dropped. Returns the new end (start if nothing
 * fits), or -1 if measure failed.
 */
int tl_cut_for_ellipsis(const uint32_t *cp, int start, int end, int max_w, int ell_w,
			tl_measure_fn measure, void *ctx);

/*
 * The visual order of a line's runs from their bidi embedding levels (rule L2 of Unicode's
 * bidirectional algorithm: from the highest level down to the lowest odd one, reverse every
 * sequence of runs at that level or higher). order[i] is the logical index of the i-th run
 * from the left. n <= 256.
 */
void tl_visual_order(const unsigned char *levels, int n, int *order);

#endif
