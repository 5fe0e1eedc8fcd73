/* See textlayout.h. A small part of Unicode's line breaking (UAX #14), enough for names,
 * headlines and stories in alphabetic scripts, CJK and emoji. */
#include "textlayout.h"

#include "textcheck.h"

int tl_decode(const char *s, uint32_t *cp, int *offs, int max)
{
	const unsigned char *u = (const unsigned char *)s;
	int n = 0;
	size_t i = 0;
	while (u[i] && n < max) {
		size_t len = text_utf8_len((const char *)u + i);
		uint32_t c;
		if (len == 0) {
			c = 0xFFFD;
			len = 1;
		} else if (len == 1) {
			c = u[i];
		} else {
			c = u[i] & (0xFF >> (len + 1));
			for (size_t k = 1; k < len; k++)
				c = (c << 6) | (u[i + k] & 0x3F);
		}
		if (offs)
			offs[n] = (int)i;
		cp[n++] = c;
		i += len;
	}
	if (offs)
		offs[n] = (int)i;
	return n;
}

static int in(uint32_t c, uint32_t lo, uint32_t hi)
{
	return c >= lo && c <= hi;
}

int tl_is_ignorable(uint32_t c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF ||
	       in(c, 0xFE00, 0xFE0F) || in(c, 0xE0000, 0xE0FFF) || c == 0x180E;
}

int tl_is_extender(uint32_t c)
{
	return tl_is_ignorable(c) && c != 0x200B && c != 0xFEFF ? 1 :
	       in(c, 0x0300, 0x036F) || in(c, 0x0483, 0x0489) || in(c, 0x0591, 0x05BD) ||
	       in(c, 0x0610, 0x061A) || in(c, 0x064B, 0x065F) || c == 0x0670 ||
	       in(c, 0x06D6, 0x06DC) || in(c, 0x06DF, 0x06E4) || in(c, 0x06E7, 0x06ED) ||
	       in(c, 0x0900, 0x0903) || in(c, 0x093A, 0x094F) || in(c, 0x0E31, 0x0E3A) ||
	       in(c, 0x0E47, 0x0E4E) || in(c, 0x1AB0, 0x1AFF) || in(c, 0x1DC0, 0x1DFF) ||
	       in(c, 0x20D0, 0x20FF) || in(c, 0x302A, 0x302F) || in(c, 0x3099, 0x309A) ||
	       in(c, 0xFE20, 0xFE2F) || in(c, 0x1F3FB, 0x1F3FF);
}

/* Shown as emoji unless asked otherwise (the Emoji_Presentation blocks, roughly). */
static int is_emoji(uint32_t c)
{
	return in(c, 0x1F000, 0x1FAFF) || in(c, 0x1F1E6, 0x1F1FF);
}

int tl_wants_emoji(uint32_t c, uint32_t next)
{
	return next == 0xFE0F || (is_emoji(c) && next != 0xFE0E);
}

const char *tl_script(uint32_t c)
{
	static const struct {
		uint32_t lo, hi;
		const char *tag;
	} ranges[] = {
		{ 0x0041, 0x005A, "Latn" }, { 0x0061, 0x007A, "Latn" }, { 0x00C0, 0x024F, "Latn" },
		{ 0x0370, 0x03FF, "Grek" }, { 0x0400, 0x052F, "Cyrl" }, { 0x0531, 0x058F, "Armn" },
		{ 0x0591, 0x05F4, "Hebr" }, { 0x0600, 0x06FF, "Arab" }, { 0x0700, 0x074F, "Syrc" },
		{ 0x0750, 0x077F, "Arab" }, { 0x0780, 0x07BF, "Thaa" }, { 0x07C0, 0x07FF, "Nkoo" },
		{ 0x08A0, 0x08FF, "Arab" }, { 0x0900, 0x097F, "Deva" }, { 0x0980, 0x09FF, "Beng" },
		{ 0x0A00, 0x0A7F, "Guru" }, { 0x0A80, 0x0AFF, "Gujr" }, { 0x0B00, 0x0B7F, "Orya" },
		{ 0x0B80, 0x0BFF, "Taml" }, { 0x0C00, 0x0C7F, "Telu" }, { 0x0C80, 0x0CFF, "Knda" },
		{ 0x0D00, 0x0D7F, "Mlym" }, { 0x0D80, 0x0DFF, "Sinh" }, { 0x0E00, 0x0E7F, "Thai" },
		{ 0x0E80, 0x0EFF, "Laoo" }, { 0x0F00, 0x0FFF, "Tibt" }, { 0x1000, 0x109F, "Mymr" },
		{ 0x10A0, 0x10FF, "Geor" }, { 0x1100, 0x11FF, "Hang" }, { 0x1200, 0x139F, "Ethi" },
		{ 0x1780, 0x17FF, "Khmr" }, { 0x1E00, 0x1EFF, "Latn" }, { 0x1F00, 0x1FFF, "Grek" },
		{ 0x2E80, 0x2FDF, "Hani" }, { 0x3040, 0x309F, "Hira" }, { 0x30A0, 0x30FF, "Kana" },
		{ 0x3130, 0x318F, "Hang" }, { 0x3400, 0x4DBF, "Hani" }, { 0x4E00, 0x9FFF, "Hani" },
		{ 0xAC00, 0xD7AF, "Hang" }, { 0xF900, 0xFAFF, "Hani" }, { 0xFB1D, 0xFB4F, "Hebr" },
		{ 0xFB50, 0xFDFF, "Arab" }, { 0xFE70, 0xFEFF, "Arab" }, { 0x20000, 0x3FFFF, "Hani" },
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (c >= ranges[i].lo && c <= ranges[i].hi)
			return tl_is_extender(c) ? NULL : ranges[i].tag;
	return NULL;
}

/* Scripts written without spaces: a line may break before and after each character. */
static int is_ideographic(uint32_t c)
{
	return in(c, 0x2E80, 0x303F) || in(c, 0x3040, 0x30FF) || in(c, 0x3100, 0x31FF) ||
	       in(c, 0x3200, 0x9FFF) || in(c, 0xA960, 0xA97F) || in(c, 0xAC00, 0xD7AF) ||
	       in(c, 0xF900, 0xFAFF) || in(c, 0xFF00, 0xFF60) || in(c, 0x20000, 0x3FFFF) ||
	       is_emoji(c) || in(c, 0x2600, 0x27BF);
}

/* Closing punctuation: never at the start of a line. */
static int no_break_before(uint32_t c)
{
	static const uint32_t closers[] = { 0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B,
					    0xFF01, 0xFF1F, 0xFF09, 0x300D, 0x300F, 0x3011,
					    0x3009, 0x300B, 0x30FC, 0x2026, ',', '.', ':', ';',
					    '!', '?', ')', ']', '}', 0x00BB, 0x2019, 0x201D };
	for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++)
		if (c == closers[i])
			return 1;
	return tl_is_extender(c);
}

/* Opening punctuation: never at the end of a line. */
static int no_break_after(uint32_t c)
{
	static const uint32_t openers[] = { 0x300C, 0x300E, 0x3010, 0x3008, 0x300A, 0xFF08,
					    '(', '[', '{', 0x00AB, 0x2018, 0x201C, 0x200D };
	for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++)
		if (c == openers[i])
			return 1;
	return 0;
}

static int is_space(uint32_t c)
{
	return c == ' ' || c == 0x3000 || c == '\t';
}

/* 1 if a line may break between cp[i - 1] and cp[i] (0 < i < n). */
static int may_break(const uint32_t *cp, int i)
{
	uint32_t a = cp[i - 1], b = cp[i];
	if (is_space(b) || no_break_before(b) || no_break_after(a))
		return 0;
	if (is_space(a) || a == '-' || a == 0x2010 || a == 0x2013 || a == 0x2014)
		return 1;
	return is_ideographic(a) || is_ideographic(b);
}

/* 1 if i (0 < i < n) is between two clusters. */
static int cluster_edge(const uint32_t *cp, int i)
{
	return !tl_is_extender(cp[i]) && cp[i - 1] != 0x200D;
}

/* [start, end) without the spaces at its end. */
static int trim_end(const uint32_t *cp, int start, int end)
{
	while (end > start && is_space(cp[end - 1]))
		end--;
	return end;
}

/* The largest cluster edge e in (start, end] with width(start, e) <= max_w; start if none.
 * Linear: it runs only for a word wider than a line and for an ellipsis. */
static int fit_clusters(const uint32_t *cp, int start, int end, int max_w,
			tl_measure_fn measure, void *ctx)
{
	int best = start;
	for (int e = start + 1; e <= end; e++) {
		if (e < end && !cluster_edge(cp, e))
			continue;
		int w = measure(ctx, start, e);
		if (w < 0)
			return -1;
		if (w > max_w)
			break;
		best = e;
	}
	return best;
}

int tl_wrap(const uint32_t *cp, int n, int max_w, tl_measure_fn measure, void *ctx,
	    struct tl_line *lines, int max_lines)
{
	int count = 0, pos = 0;
	while (pos < n && is_space(cp[pos]))
		pos++;
	while (pos < n) {
		int line_end = -1; /* the last break that fits */
		int hard = -1;
		for (int i = pos + 1; i <= n; i++) {
			if (i < n && cp[i - 1] == '\n') {
				hard = i;
				break;
			}
			if (i < n && !may_break(cp, i))
				continue;
			int e = trim_end(cp, pos, i);
			int w = measure(ctx, pos, e);
			if (w < 0)
				return -1;
			if (w > max_w)
				break;
			line_end = i;
		}
		int end, next;
		if (hard > 0 && (line_end < 0 || line_end >= hard - 1)) {
			int w = measure(ctx, pos, trim_end(cp, pos, hard - 1));
			if (w < 0)
				return -1;
			if (w <= max_w) {
				end = trim_end(cp, pos, hard - 1);
				next = hard;
				goto emit;
			}
		}
		if (line_end > pos) {
			end = trim_end(cp, pos, line_end);
			next = line_end;
		} else {
			/* Nothing fits up to the first break: cut the word between clusters. */
			int word_end = pos + 1;
			while (word_end < n && !may_break(cp, word_end) && cp[word_end - 1] != '\n')
				word_end++;
			end = fit_clusters(cp, pos, trim_end(cp, pos, word_end), max_w, measure, ctx);
			if (end < 0)
				return -1;
			if (end == pos) { /* not even one cluster: it goes on a line of its own */
				end = pos + 1;
				while (end < n && !cluster_edge(cp, end))
					end++;
			}
			next = end;
		}
emit:
		if (count < max_lines)
			lines[count] = (struct tl_line){ pos, end };
		count++;
		pos = next;
		while (pos < n && is_space(cp[pos]))
			pos++;
	}
	return count;
}

int tl_cut_for_ellipsis(const uint32_t *cp, int start, int end, int max_w, int ell_w,
			tl_measure_fn measure, void *ctx)
{
	int cut = fit_clusters(cp, start, end, max_w - ell_w, measure, ctx);
	if (cut < 0)
		return -1;
	return trim_end(cp, start, cut);
}

void tl_visual_order(const unsigned char *levels, int n, int *order)
{
	unsigned char hi = 0, lo_odd = 255;
	for (int i = 0; i < n; i++) {
		order[i] = i;
		if (levels[i] > hi)
			hi = levels[i];
		if ((levels[i] & 1) && levels[i] < lo_odd)
			lo_odd = levels[i];
	}
	for (int lvl = hi; lvl >= lo_odd && lvl > 0; lvl--) {
		for (int i = 0; i < n;) {
			if (levels[order[i]] < lvl) {
				i++;
				continue;
			}
			int j = i;
			while (j < n && levels[order[j]] >= lvl)
				j++;
			for (int a = i, b = j - 1; a < b; a++, b--) {
				int t = order[a];
				order[a] = order[b];
				order[b] = t;
			}
			i = j;
		}
	}
}
