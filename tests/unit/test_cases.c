/*
 * Unit tests for cases.c: the bundled assets/cases/cases.ini loads with every Write for
 * Rights case, long stories continue on indented lines, the second language falls back to the
 * first, and every mistake in a cases file names the file, the line and the key. Run from the
 * repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"

#define BUNDLED "assets/cases/cases.ini"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_cases_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/cases.ini", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[160];
	snprintf(p, sizeof p, "%s/face.png", dir);
	unlink(p);
	unlink(path);
	rmdir(dir);
	return 0;
}

static enum cases_status load_text(const char *text, struct cases *c, char *err, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return cases_load(c, path, err, len);
}

static void expect_error(const char *text, enum cases_status want, int line, const char *frag1,
			 const char *frag2)
{
	struct cases c;
	char err[512], prefix[160];
	enum cases_status st = load_text(text, &c, err, sizeof err);
	cases_free(&c);
	if (st != want)
		fail_msg("status %d, expected %d; error: %s", st, want, err);
	snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, prefix);
	if (frag1 && !strstr(err, frag1))
		fail_msg("error \"%s\" lacks \"%s\"", err, frag1);
	if (frag2 && !strstr(err, frag2))
		fail_msg("error \"%s\" lacks \"%s\"", err, frag2);
	if (strchr(err, '\n'))
		fail_msg("error \"%s\" is more than one line", err);
}

static void test_bundled_file_has_the_write_for_rights_cases(void **state)
{
	(void)state;
	struct cases c;
	char err[512];
	if (cases_load(&c, BUNDLED, err, sizeof err) != CASES_OK)
		fail_msg("%s", err);
	static const char *const names[] = { "Nassima al-Sada", "Germain Rukuki", "Paing Phyo Min",
					     "Khaled Drareni",  "Jani Silva",     "Gustavo Gatica",
					     "Magai Matiop Ngong", "Grassy Narrows youth" };
	assert_int_equal(c.n, 8);
	assert_string_equal(c.lang2, "fr");
	for (int i = 0; i < 8; i++) {
		const struct case_entry *e = &c.v[i];
		assert_string_equal(cases_text(e, 0, CASES_NAME), names[i]);
		assert_true(strlen(cases_text(e, 0, CASES_STORY)) > 150);
		assert_true(strlen(cases_text(e, 0, CASES_HEADLINE)) > 10);
		assert_true(cases_has_lang2(e));
		assert_null(e->photo);
		assert_true(strlen(e->initials) >= 2);
	}
	const struct case_entry *jani = cases_find(&c, "jani-silva");
	assert_non_null(jani);
	assert_non_null(strstr(cases_text(jani, 0, CASES_STORY), "Perla Amaz\xC3\xB3nica"));
	assert_non_null(strstr(cases_text(jani, 1, CASES_STORY), "Perla Amaz\xC3\xB3nica"));
	/* Joined continuation lines: one space, no indentation left over. */
	assert_null(strstr(cases_text(jani, 0, CASES_STORY), "  "));
	assert_string_equal(jani->initials, "JS");
	assert_string_equal(cases_find(&c, "nassima-al-sada")->initials, "NS");
	assert_string_equal(cases_find(&c, "grassy-narrows")->initials, "GN");
	/* No translation of the name: the first language's. */
	assert_string_equal(cases_text(jani, 1, CASES_NAME), "Jani Silva");
	assert_null(cases_find(&c, "nobody"));
	cases_free(&c);
	cases_free(&c); /* safe twice */
}

static void test_continuation_photo_and_quotes(void **state)
{
	(void)state;
	char png[160];
	snprintf(png, sizeof png, "%s/face.png", dir);
	FILE *f = fopen(png, "w");
	assert_non_null(f);
	fclose(f);
	struct cases c;
	char err[512];
	assert_int_equal(load_text("\xEF\xBB\xBF# cases\n[a]\r\nname = \"Ana B\xC3\xA9la\"\n"
				   "headline = Free her\nstory = One.\n  Two. ; a note\n\tThree.\n"
				   "photo = face.png\ninitials = AB\n\n[b_2]\nname = bo\n"
				   "headline = h\nstory = s\nstory.es = s es\n",
				   &c, err, sizeof err),
			 CASES_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].id, "a");
	assert_string_equal(cases_text(&c.v[0], 0, CASES_NAME), "Ana B\xC3\xA9la");
	assert_string_equal(cases_text(&c.v[0], 0, CASES_STORY), "One. Two. Three.");
	assert_string_equal(cases_text(&c.v[0], 0, CASES_COUNTRY), "");
	assert_string_equal(c.v[0].photo, png);
	assert_string_equal(c.v[0].initials, "AB");
	assert_false(cases_has_lang2(&c.v[0]));
	assert_string_equal(c.v[1].initials, "B");
	assert_string_equal(cases_text(&c.v[1], 1, CASES_STORY), "s es");
	assert_string_equal(cases_text(&c.v[1], 1, CASES_HEADLINE), "h");
	assert_string_equal(c.lang2, "es");
	assert_int_equal(c.v[1].line, 11);
	cases_free(&c);
}

static void test_mistakes_name_file_line_and_key(void **state)
{
	(void)state;
	expect_error("name = x\n", CASES_ERR_KEY, 1, "name: set before any [case]", NULL);
	expect_error("[a]\nname = A\nheadline = H\nstory = S\nstroy = x\n", CASES_ERR_KEY, 5,
		     "[a] stroy: unknown key", "story.fr");
	expect_error("[a]\nname = A\nname = B\n", CASES_ERR_KEY, 3, "[a] name: duplicate key",
		     "line 2");
	expect_error("[a]\nname = A\nheadline = H\n", CASES_ERR_VALUE, 1, "[a] story: missing", NULL);
	expect_error("[a]\nname =\nheadline = H\nstory = S\n", CASES_ERR_VALUE, 1, "[a] name: missing",
		     NULL);
	expect_error("[a]\nname = A\nheadline = H\nstory = S\n[a]\n", CASES_ERR_KEY, 5,
		     "[a]: duplicate case", "line 1");
	expect_error("[a b]\n", CASES_ERR_KEY, 1, "[a b]: a case id", NULL);
	expect_error("[a]\nname = A\nheadline = H\nstory = S\nstory.FR = x\n", CASES_ERR_KEY, 5,
		     "[a] story.FR: the language", NULL);
	expect_error("[a]\nname = A\nheadline = H\nstory = S\nstory.fr = x\nheadline.de = y\n",
		     CASES_ERR_KEY, 6, "[a] headline.de: a second language \"fr\"", "line 5");
	expect_error("[a]\nname = A\nphoto.fr = x\n", CASES_ERR_KEY, 3, "[a] photo.fr: unknown key",
		     NULL);
	expect_error("[a]\nname = A\nheadline = H\nstory = S\nphoto = nope.jpg\n", CASES_ERR_VALUE, 5,
		     "[a] photo: cannot read", "nope.jpg");
	expect_error("[a]\nname = A\nstory = bad \xC3(\n", CASES_ERR_VALUE, 3, "[a] story: not valid UTF-8",
		     NULL);
	expect_error("[a]\nname = A\nstory = x\n  more \xFF\n", CASES_ERR_VALUE, 4,
		     "[a] story: not valid UTF-8", NULL);
	expect_error("[a]\n  orphan text\n", CASES_ERR_SYNTAX, 2, "indented line", NULL);
	expect_error("[a]\nname = A\n\n  after a blank line\n", CASES_ERR_SYNTAX, 4, "indented line",
		     NULL);
	expect_error("[a]\nname = A\njust words\n", CASES_ERR_SYNTAX, 3, "not a \"key = value\"",
		     NULL);
	expect_error("[a] x\n", CASES_ERR_SYNTAX, 1, "unexpected text after", NULL);
	expect_error("[a]\ninitials = ABCD\n", CASES_ERR_VALUE, 2, "[a] initials", NULL);
	expect_error("# nothing\n", CASES_ERR_VALUE, 1, "no cases", NULL);
	expect_error("", CASES_ERR_VALUE, 1, "no cases", NULL);

	char big[400];
	memset(big, 'x', sizeof big);
	memcpy(big, "[a]\nname = ", 11);
	strcpy(big + 350, "\n");
	expect_error(big, CASES_ERR_SYNTAX, 2, "line too long", "indented lines");

	/* A story past the limit, built from many continuation lines. */
	static char longstory[4000];
	size_t o = (size_t)snprintf(longstory, sizeof longstory, "[a]\nname = A\nstory = s\n");
	for (int i = 0; i < 30; i++)
		o += (size_t)snprintf(longstory + o, sizeof longstory - o,
				      "  %s\n", "fifty bytes of story text, again and again.....");
	expect_error(longstory, CASES_ERR_VALUE, 28, "[a] story: too long", NULL);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct cases c;
	char err[256];
	assert_int_equal(cases_load(&c, "/nonexistent/cases.ini", err, sizeof err), CASES_ERR_IO);
	assert_string_equal(err, "/nonexistent/cases.ini: cannot open: No such file or directory");
	cases_free(&c);
}

static void test_initials(void **state)
{
	(void)state;
	char b[16];
	cases_initials("Jani Silva", b, sizeof b);
	assert_string_equal(b, "JS");
	cases_initials("  magai Matiop Ngong", b, sizeof b);
	assert_string_equal(b, "MN");
	cases_initials("\xC3\x89lise \xC3\x89tienne", b, sizeof b);
	assert_string_equal(b, "\xC3\x89\xC3\x89");
	cases_initials("Cher", b, sizeof b);
	assert_string_equal(b, "C");
	cases_initials("", b, sizeof b);
	assert_string_equal(b, "");
	cases_initials("Ab Cd", b, 2);
	assert_string_equal(b, "A");
}

static void test_bundled_path(void **state)
{
	(void)state;
	char buf[1024], exe[1024], cwd[900];
	assert_non_null(getcwd(cwd, sizeof cwd));
	/* From the build tree: build/tallykiosk finds assets/ beside build/. */
	snprintf(exe, sizeof exe, "%s/build/tallykiosk", cwd);
	assert_int_equal(cases_bundled_path(exe, buf, sizeof buf), 0);
	/* Normalised: logs show the real path, not build/../assets. */
	char want[1024];
	char *real_cwd = realpath(cwd, NULL);
	snprintf(want, sizeof want, "%s/assets/cases/cases.ini", real_cwd);
	free(real_cwd);
	assert_string_equal(buf, want);
	assert_int_equal(cases_bundled_path("/nonexistent/bin/tallykiosk", buf, sizeof buf), -1);
	assert_int_equal(cases_bundled_path("tallykiosk", buf, sizeof buf), -1);
	assert_int_equal(cases_bundled_path(exe, buf, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_file_has_the_write_for_rights_cases),
		cmocka_unit_test(test_continuation_photo_and_quotes),
		cmocka_unit_test(test_mistakes_name_file_line_and_key),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_initials),
		cmocka_unit_test(test_bundled_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
