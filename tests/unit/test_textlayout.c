/*
 * Unit tests for textlayout.c with a fixed-width "font" (every code point 10 px, CJK 20 px,
 * marks 0): where lines break in English, Chinese, with emoji and marks, when a word is wider
 * than the line, where an ellipsis cuts, and the visual order of bidi runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "textlayout.h"

struct text {
	uint32_t cp[512];
	int offs[513];
	int n;
	const char *s;
	int calls;
};

static int width_of(uint32_t c)
{
	if (tl_is_extender(c))
		return 0;
	return c >= 0x2E80 ? 20 : 10;
}

static int measure(void *ctx, int start, int end)
{
	struct text *t = ctx;
	t->calls++;
	int w = 0;
	for (int i = start; i < end; i++)
		w += width_of(t->cp[i]);
	return w;
}

static void load(struct text *t, const char *s)
{
	memset(t, 0, sizeof *t);
	t->s = s;
	t->n = tl_decode(s, t->cp, t->offs, 512);
}

/* Line i as UTF-8. */
static const char *line(const struct text *t, const struct tl_line *l, char *buf)
{
	int a = t->offs[l->start], b = t->offs[l->end];
	memcpy(buf, t->s + a, (size_t)(b - a));
	buf[b - a] = '\0';
	return buf;
}

static void test_decode(void **state)
{
	(void)state;
	struct text t;
	load(&t, "a\u00e9\u4e3a\U0001F56F");
	assert_int_equal(t.n, 4);
	assert_int_equal(t.cp[1], 0xE9);
	assert_int_equal(t.cp[2], 0x4E3A);
	assert_int_equal(t.cp[3], 0x1F56F);
	assert_int_equal(t.offs[3], 6);
	assert_int_equal(t.offs[4], 10);
	load(&t, "a\xff" "b");
	assert_int_equal(t.n, 3);
	assert_int_equal(t.cp[1], 0xFFFD);
}

static void test_words_wrap_at_spaces(void **state)
{
	(void)state;
	struct text t;
	char buf[256];
	struct tl_line l[8];
	load(&t, "Write for Rights 2026");
	/* 21 characters: 210 px on one line, or two lines in 120 px. */
	assert_int_equal(tl_wrap(t.cp, t.n, 210, measure, &t, l, 8), 1);
	assert_string_equal(line(&t, &l[0], buf), "Write for Rights 2026");
	assert_int_equal(tl_wrap(t.cp, t.n, 120, measure, &t, l, 8), 2);
	assert_string_equal(line(&t, &l[0], buf), "Write for");
	assert_string_equal(line(&t, &l[1], buf), "Rights 2026");
	/* Only two lines wanted, three needed: the count says so, two are written. */
	assert_int_equal(tl_wrap(t.cp, t.n, 70, measure, &t, l, 2), 4);
	assert_string_equal(line(&t, &l[1], buf), "for");
	/* Spaces at the ends never count. */
	load(&t, "  a  b  ");
	assert_int_equal(tl_wrap(t.cp, t.n, 10, measure, &t, l, 8), 2);
	assert_string_equal(line(&t, &l[0], buf), "a");
	assert_string_equal(line(&t, &l[1], buf), "b");
	load(&t, "");
	assert_int_equal(tl_wrap(t.cp, t.n, 10, measure, &t, l, 8), 0);
	load(&t, "well-known");
	assert_int_equal(tl_wrap(t.cp, t.n, 60, measure, &t, l, 8), 2);
	assert_string_equal(line(&t, &l[0], buf), "well-");
}

static void test_cjk_breaks_between_characters(void **state)
{
	(void)state;
	struct text t;
	char buf[256];
	struct tl_line l[8];
	load(&t, "为权利写信 2026 東京");
	assert_int_equal(tl_wrap(t.cp, t.n, 60, measure, &t, l, 8), 4);
	assert_string_equal(line(&t, &l[0], buf), "为权利");
	assert_string_equal(line(&t, &l[1], buf), "写信");
	assert_string_equal(line(&t, &l[2], buf), "2026");
	assert_string_equal(line(&t, &l[3], buf), "東京");
	/* "。" never starts a line: it stays with the character before it. */
	load(&t, "写信。好");
	assert_int_equal(tl_wrap(t.cp, t.n, 40, measure, &t, l, 8), 3);
	assert_string_equal(line(&t, &l[0], buf), "写");
	assert_string_equal(line(&t, &l[1], buf), "信。");
}

static void test_clusters_stay_whole(void **state)
{
	(void)state;
	struct text t;
	char buf[256];
	struct tl_line l[8];
	/* Emoji with a variation selector: the selector never starts a line. */
	load(&t, "\u270d\ufe0f\U0001F56F\ufe0f");
	assert_int_equal(tl_wrap(t.cp, t.n, 20, measure, &t, l, 8), 2);
	assert_string_equal(line(&t, &l[0], buf), "\u270d\ufe0f");
	assert_string_equal(line(&t, &l[1], buf), "\U0001F56F\ufe0f");
	/* A word wider than the line is cut, but not between e and its accent. */
	load(&t, "Cafe\u0301s");
	assert_int_equal(tl_wrap(t.cp, t.n, 40, measure, &t, l, 8), 2);
	assert_string_equal(line(&t, &l[0], buf), "Cafe\u0301");
	assert_string_equal(line(&t, &l[1], buf), "s");
	/* A ZWJ sequence stays in one piece, even wider than the line. */
	load(&t, "\U0001F469\u200d\U0001F4BB");
	assert_int_equal(tl_wrap(t.cp, t.n, 25, measure, &t, l, 8), 1);
	assert_int_equal(l[0].end, 3);
	/* One character wider than the line still gets a line of its own. */
	load(&t, "WW");
	assert_int_equal(tl_wrap(t.cp, t.n, 5, measure, &t, l, 8), 2);
	assert_int_equal(l[0].end - l[0].start, 1);
}

static void test_long_name_wraps_without_cutting_words(void **state)
{
	(void)state;
	struct text t;
	char buf[256];
	struct tl_line l[8];
	load(&t, "Write for Rights 2026 at the Toronto Reference Library with the Amnesty "
		 "International Youth Action Team");
	assert_int_equal(t.n, 103);
	int n = tl_wrap(t.cp, t.n, 540, measure, &t, l, 8);
	assert_int_equal(n, 2);
	assert_string_equal(line(&t, &l[0], buf),
			    "Write for Rights 2026 at the Toronto Reference Library");
	/* Every line fits and no character is lost but the spaces at the breaks. */
	int chars = 0;
	for (int i = 0; i < n; i++) {
		assert_true(measure(&t, l[i].start, l[i].end) <= 540);
		chars += l[i].end - l[i].start;
	}
	assert_int_equal(chars, t.n - (n - 1));
	/* Fewer calls than characters squared: each break is measured once. */
	assert_true(t.calls < 60);
}

static void test_ellipsis_cut(void **state)
{
	(void)state;
	struct text t;
	load(&t, "Rights for all");
	/* 100 px with a 10 px ellipsis: 9 characters, the space before the cut dropped. */
	assert_int_equal(tl_cut_for_ellipsis(t.cp, 0, t.n, 100, 10, measure, &t), 9);
	assert_int_equal(tl_cut_for_ellipsis(t.cp, 0, t.n, 80, 10, measure, &t), 6);
	assert_int_equal(tl_cut_for_ellipsis(t.cp, 0, t.n, 5, 10, measure, &t), 0);
	load(&t, "Cafe\u0301s");
	assert_int_equal(tl_cut_for_ellipsis(t.cp, 0, t.n, 50, 10, measure, &t), 5);
}

static void test_visual_order(void **state)
{
	(void)state;
	int order[8];
	/* Left-to-right text with an Arabic phrase: the Arabic runs swap. */
	unsigned char a[] = { 0, 1, 1, 0 };
	tl_visual_order(a, 4, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	assert_int_equal(order[3], 3);
	/* Arabic paragraph with a number in it (level 2): the number stays left-to-right. */
	unsigned char b[] = { 1, 2, 1 };
	tl_visual_order(b, 3, order);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 0);
	unsigned char c[] = { 0, 0 };
	tl_visual_order(c, 2, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
}

static void test_emoji_presentation(void **state)
{
	(void)state;
	assert_true(tl_wants_emoji(0x1F56F, 0));
	assert_true(tl_wants_emoji(0x270D, 0xFE0F));
	assert_false(tl_wants_emoji(0x270D, 0));
	assert_false(tl_wants_emoji(0x1F56F, 0xFE0E));
	assert_false(tl_wants_emoji('a', 0));
	assert_true(tl_is_ignorable(0xFE0F));
	assert_true(tl_is_extender(0xFE0F));
	assert_true(tl_is_extender(0x0301));
	assert_false(tl_is_extender('a'));
}

static void test_scripts_for_the_shaper(void **state)
{
	(void)state;
	assert_string_equal(tl_script('a'), "Latn");
	assert_string_equal(tl_script(0x00E9), "Latn");
	assert_string_equal(tl_script(0x0627), "Arab"); /* alef */
	assert_string_equal(tl_script(0xFEFB), "Arab"); /* a presentation form */
	assert_string_equal(tl_script(0x05D0), "Hebr");
	assert_string_equal(tl_script(0x0915), "Deva");
	assert_string_equal(tl_script(0x4E3A), "Hani");
	assert_string_equal(tl_script(0x3042), "Hira");
	assert_string_equal(tl_script(0xAC00), "Hang");
	assert_string_equal(tl_script(0x0416), "Cyrl");
	/* Shared by every script: the run's other letters decide. */
	assert_null(tl_script(' '));
	assert_null(tl_script('7'));
	assert_null(tl_script(0x1F56F));
	assert_null(tl_script(0x064E)); /* an Arabic vowel mark belongs to its letter */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_words_wrap_at_spaces),
		cmocka_unit_test(test_cjk_breaks_between_characters),
		cmocka_unit_test(test_clusters_stay_whole),
		cmocka_unit_test(test_long_name_wraps_without_cutting_words),
		cmocka_unit_test(test_ellipsis_cut),
		cmocka_unit_test(test_visual_order),
		cmocka_unit_test(test_emoji_presentation),
		cmocka_unit_test(test_scripts_for_the_shaper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
