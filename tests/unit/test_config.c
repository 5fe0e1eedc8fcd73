/*
 * Unit tests for config.c: the defaults, a complete good file, every kind of mistake an
 * organiser can make in kiosk.conf (each must name the file, the line and the key), and the
 * shipped sample assets/kiosk.conf, which must load to exactly the defaults so the two never
 * drift apart. Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define SAMPLE "assets/kiosk.conf"

/* A config with every key away from its default, used as a starting point to prove that a
 * file really sets every key. */
static const char all_changed[] =
	"; organiser's settings\n"
	"# another comment\n"
	"\n"
	"[event]\n"
	"name = Letter Marathon ; inline comment\n"
	"goal = 1200\n"
	"label = \"lettres écrites\"\n"
	"label_one = lettre écrite\n"
	"language = fr\n"
	"label_lang2 = letters written\n"
	"label_one_lang2 = letter written\n"
	"thank_you =\n"
	"goal_offset = 250\n"
	"[display]\n"
	"  fullscreen = No\n"
	"width=800\r\n"
	"height = 480\n"
	"font = Liberation Sans:bold\n"
	"background = #102030\n"
	"number = a0b0c0\n"
	"text = #FfFfFe\n"
	"accent = #010203\n"
	"allow_quit = ON\n"
	"body_font = Liberation Serif\n"
	"rotate = 270\n"
	"carousel = false\n"
	"carousel_interval = 30\n"
	"milestone = 0\n"
	"pixel_shift = off\n"
	"renderer = software\n"
	"frame_rate = 24\n"
	"[content]\n"
	"cases = /srv/cases.ini\n"
	"alternate_languages = no\n"
	"[input]\n"
	"keyboard = 0\n"
	"[storage]\n"
	"database = /var/lib/tally/t.db\n"
	"socket = /run/tally.sock\n"
	"[web]\n"
	"enabled = yes\n"
	"listen = [::]:8443\n"
	"pin = 4711-0815\n"
	"public_url = https://tally.local:8443/\n"
	"tls_cert = /etc/tallykiosk/cert.pem\n"
	"tls_key = /etc/tallykiosk/key.pem\n"
	"api_token = abcdefghijklmnop-qrstuv\n";

static char path[64];

static void write_file(const char *text, size_t len)
{
	strcpy(path, "/tmp/test_config_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static enum config_status load_text(const char *text, struct config *cfg, char *err, size_t len)
{
	write_file(text, strlen(text));
	enum config_status st = config_load(cfg, path, err, len);
	unlink(path);
	return st;
}

/* Loads text over the defaults and checks the status and that the error starts with
 * "PATH:LINE: " and contains each of the given fragments. */
static void expect_error(const char *text, enum config_status want, int line, const char *frag1,
			 const char *frag2)
{
	struct config cfg;
	char err[512], prefix[96];
	config_defaults(&cfg);
	enum config_status st = load_text(text, &cfg, err, sizeof err);
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

static void assert_rgb(struct rgb c, unsigned r, unsigned g, unsigned b)
{
	assert_int_equal(c.r, r);
	assert_int_equal(c.g, g);
	assert_int_equal(c.b, b);
}

static void assert_same_config(const struct config *a, const struct config *b)
{
	assert_string_equal(a->event_name, b->event_name);
	assert_int_equal(a->goal, b->goal);
	assert_string_equal(a->label, b->label);
	assert_string_equal(a->label_one, b->label_one);
	assert_string_equal(a->language, b->language);
	assert_string_equal(a->label_lang2, b->label_lang2);
	assert_string_equal(a->label_one_lang2, b->label_one_lang2);
	assert_string_equal(a->thank_you, b->thank_you);
	assert_int_equal(a->fullscreen, b->fullscreen);
	assert_int_equal(a->window_width, b->window_width);
	assert_int_equal(a->window_height, b->window_height);
	assert_string_equal(a->font, b->font);
	assert_memory_equal(&a->background, &b->background, sizeof a->background);
	assert_memory_equal(&a->number, &b->number, sizeof a->number);
	assert_memory_equal(&a->text, &b->text, sizeof a->text);
	assert_memory_equal(&a->accent, &b->accent, sizeof a->accent);
	assert_int_equal(a->allow_quit, b->allow_quit);
	assert_int_equal(a->keyboard, b->keyboard);
	assert_string_equal(a->database, b->database);
	assert_string_equal(a->socket, b->socket);
	assert_int_equal(a->goal_offset, b->goal_offset);
	assert_string_equal(a->body_font, b->body_font);
	assert_int_equal(a->rotate, b->rotate);
	assert_int_equal(a->carousel, b->carousel);
	assert_int_equal(a->carousel_interval, b->carousel_interval);
	assert_int_equal(a->milestone, b->milestone);
	assert_int_equal(a->pixel_shift, b->pixel_shift);
	assert_int_equal(a->renderer, b->renderer);
	assert_int_equal(a->frame_rate, b->frame_rate);
	assert_string_equal(a->cases, b->cases);
	assert_int_equal(a->alternate_languages, b->alternate_languages);
	assert_int_equal(a->web_enabled, b->web_enabled);
	assert_string_equal(a->web_listen, b->web_listen);
	assert_string_equal(a->web_pin, b->web_pin);
	assert_string_equal(a->web_public_url, b->web_public_url);
	assert_string_equal(a->web_tls_cert, b->web_tls_cert);
	assert_string_equal(a->web_tls_key, b->web_tls_key);
	assert_string_equal(a->web_api_token, b->web_api_token);
}

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg;
	memset(&cfg, 0x55, sizeof cfg);
	config_defaults(&cfg);
	assert_string_equal(cfg.event_name, "Write for Rights 2026");
	assert_int_equal(cfg.goal, 500);
	assert_string_equal(cfg.label, "letters written");
	assert_string_equal(cfg.label_one, "");
	assert_string_equal(config_label_one(&cfg), "letter written");
	assert_string_equal(cfg.language, "en");
	assert_string_equal(cfg.label_lang2, "");
	assert_string_equal(cfg.label_one_lang2, "");
	assert_string_equal(cfg.thank_you, "Thank you!");
	assert_int_equal(cfg.fullscreen, 1);
	assert_int_equal(cfg.window_width, 1280);
	assert_int_equal(cfg.window_height, 720);
	assert_string_equal(cfg.font, "DejaVu Sans:bold");
	assert_rgb(cfg.background, 0, 0, 0);
	assert_rgb(cfg.number, 0xFF, 0xE6, 0x00);
	assert_rgb(cfg.text, 0xFF, 0xFF, 0xFF);
	assert_rgb(cfg.accent, 0xFF, 0xE6, 0x00);
	assert_int_equal(cfg.allow_quit, 0);
	assert_int_equal(cfg.keyboard, 1);
	assert_string_equal(cfg.database, "");
	assert_string_equal(cfg.socket, "");
	assert_int_equal(cfg.goal_offset, 0);
	assert_string_equal(cfg.body_font, "DejaVu Sans");
	assert_int_equal(cfg.rotate, 0);
	assert_int_equal(cfg.carousel, 1);
	assert_int_equal(cfg.carousel_interval, 12);
	assert_int_equal(cfg.milestone, 100);
	assert_int_equal(cfg.pixel_shift, 1);
	assert_int_equal(cfg.renderer, CONFIG_RENDERER_AUTO);
	assert_int_equal(cfg.frame_rate, 30);
	assert_string_equal(cfg.cases, "");
	assert_int_equal(cfg.alternate_languages, 1);
}

static void test_parse_color(void **state)
{
	(void)state;
	struct rgb c = { 1, 2, 3 };
	assert_int_equal(config_parse_color("#FFe600", &c), 0);
	assert_rgb(c, 0xFF, 0xE6, 0x00);
	assert_int_equal(config_parse_color("0a0B0c", &c), 0);
	assert_rgb(c, 0x0A, 0x0B, 0x0C);
	const char *bad[] = { "", "#", "#12345", "#1234567", "12345", "#GG0000", "##123456",
			      " #123456", "#123456 ", "#12 456", "0x1234", NULL };
	for (int i = 0; bad[i]; i++) {
		c = (struct rgb){ 9, 9, 9 };
		if (config_parse_color(bad[i], &c) != -1)
			fail_msg("\"%s\" accepted as a colour", bad[i]);
		assert_rgb(c, 9, 9, 9);
	}
	assert_int_equal(config_parse_color(NULL, &c), -1);
}

static void test_good_file(void **state)
{
	(void)state;
	struct config cfg;
	char err[512] = "untouched";
	config_defaults(&cfg);
	assert_int_equal(load_text(all_changed, &cfg, err, sizeof err), CONFIG_OK);
	assert_string_equal(err, "");
	assert_string_equal(cfg.event_name, "Letter Marathon");
	assert_int_equal(cfg.goal, 1200);
	assert_string_equal(cfg.label, "lettres écrites");
	assert_string_equal(cfg.label_one, "lettre écrite");
	assert_string_equal(cfg.language, "fr");
	assert_string_equal(cfg.label_lang2, "letters written");
	assert_string_equal(cfg.label_one_lang2, "letter written");
	assert_string_equal(cfg.thank_you, "");
	assert_int_equal(cfg.fullscreen, 0);
	assert_int_equal(cfg.window_width, 800);
	assert_int_equal(cfg.window_height, 480);
	assert_string_equal(cfg.font, "Liberation Sans:bold");
	assert_rgb(cfg.background, 0x10, 0x20, 0x30);
	assert_rgb(cfg.number, 0xA0, 0xB0, 0xC0);
	assert_rgb(cfg.text, 0xFF, 0xFF, 0xFE);
	assert_rgb(cfg.accent, 0x01, 0x02, 0x03);
	assert_int_equal(cfg.allow_quit, 1);
	assert_int_equal(cfg.keyboard, 0);
	assert_string_equal(cfg.database, "/var/lib/tally/t.db");
	assert_string_equal(cfg.socket, "/run/tally.sock");
	assert_int_equal(cfg.goal_offset, 250);
	assert_string_equal(cfg.body_font, "Liberation Serif");
	assert_int_equal(cfg.rotate, 3);
	assert_int_equal(cfg.carousel, 0);
	assert_int_equal(cfg.carousel_interval, 30);
	assert_int_equal(cfg.milestone, 0);
	assert_int_equal(cfg.pixel_shift, 0);
	assert_int_equal(cfg.renderer, CONFIG_RENDERER_SOFTWARE);
	assert_int_equal(cfg.frame_rate, 24);
	assert_string_equal(cfg.cases, "/srv/cases.ini");
	assert_int_equal(cfg.alternate_languages, 0);
	assert_int_equal(cfg.web_enabled, 1);
	assert_string_equal(cfg.web_listen, "[::]:8443");
	assert_string_equal(cfg.web_pin, "4711-0815");
	assert_string_equal(cfg.web_public_url, "https://tally.local:8443/");
	assert_string_equal(cfg.web_tls_cert, "/etc/tallykiosk/cert.pem");
	assert_string_equal(cfg.web_tls_key, "/etc/tallykiosk/key.pem");
	assert_string_equal(cfg.web_api_token, "abcdefghijklmnop-qrstuv");
}

static void test_web_keys(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	assert_int_equal(cfg.web_enabled, 0); /* nothing listens unless the organiser asks */
	assert_string_equal(cfg.web_listen, "0.0.0.0:8080");
	assert_string_equal(cfg.web_pin, ""); /* no PIN shared by every kiosk */
	expect_error("[web]\npin = 12345\n", CONFIG_ERR_VALUE, 2, "[web] pin", "6 to 64");
	expect_error("[web]\npin = 1234 5678\n", CONFIG_ERR_VALUE, 2, "[web] pin", "without spaces");
	expect_error("[web]\npin = caf\xc3\xa9" "caf\xc3\xa9\n", CONFIG_ERR_VALUE, 2, "[web] pin", NULL);
	expect_error("[web]\napi_token = short\n", CONFIG_ERR_VALUE, 2, "[web] api_token",
		     "16 to 128");
	expect_error("[web]\npublic_url = tally.local\n", CONFIG_ERR_VALUE, 2, "[web] public_url",
		     "http://");
	expect_error("[web]\nlisten =\n", CONFIG_ERR_VALUE, 2, "[web] listen", NULL);
	expect_error("[web]\nport = 80\n", CONFIG_ERR_KEY, 2, "[web] port: unknown key", "listen");
	/* A wrong secret is never quoted back into the log. */
	char err[256];
	config_defaults(&cfg);
	assert_int_equal(load_text("[web]\npin = secret1 x\n", &cfg, err, sizeof err),
			 CONFIG_ERR_VALUE);
	assert_null(strstr(err, "secret1"));
}

static void test_screen_keys(void **state)
{
	(void)state;
	struct config cfg;
	char err[256];
	static const char *const turns[] = { "0", "90", "180", "270" };
	for (int i = 0; i < 4; i++) {
		char text[64];
		config_defaults(&cfg);
		snprintf(text, sizeof text, "[display]\nrotate = %s\n", turns[i]);
		assert_int_equal(load_text(text, &cfg, err, sizeof err), CONFIG_OK);
		assert_int_equal(cfg.rotate, i);
	}
	expect_error("[display]\nrotate = 45\n", CONFIG_ERR_VALUE, 2, "[display] rotate",
		     "0, 90, 180, 270");
	expect_error("[display]\ncarousel_interval = 2\n", CONFIG_ERR_VALUE, 2,
		     "[display] carousel_interval: out of range", "3 to 600");
	expect_error("[display]\nmilestone = -1\n", CONFIG_ERR_VALUE, 2, "[display] milestone",
		     NULL);
	expect_error("[event]\ngoal_offset = 1,000\n", CONFIG_ERR_VALUE, 2,
		     "[event] goal_offset: not a whole number", NULL);
	expect_error("[display]\nbody_font =\n", CONFIG_ERR_VALUE, 2, "[display] body_font", NULL);
	expect_error("[content]\ncase = x\n", CONFIG_ERR_KEY, 2, "[content] case: unknown key",
		     "cases, alternate_languages");
	expect_error("[contents]\n", CONFIG_ERR_KEY, 1, "unknown section", "[content]");
}

static void test_partial_file_keeps_other_values(void **state)
{
	(void)state;
	struct config cfg, def;
	char err[256];
	config_defaults(&def);
	config_defaults(&cfg);
	/* A byte-order mark, as some Windows editors write, must not break line 1. */
	assert_int_equal(load_text("\xEF\xBB\xBF[event]\ngoal = 0\n[input]\n[display]\n", &cfg, err,
				   sizeof err),
			 CONFIG_OK);
	assert_int_equal(cfg.goal, 0);
	def.goal = 0;
	assert_same_config(&cfg, &def);
}

static void test_empty_file(void **state)
{
	(void)state;
	struct config cfg, def;
	char err[256];
	config_defaults(&def);
	config_defaults(&cfg);
	assert_int_equal(load_text("", &cfg, err, sizeof err), CONFIG_OK);
	assert_same_config(&cfg, &def);
	assert_int_equal(load_text("\n  \n; only comments\n# here\n", &cfg, err, sizeof err),
			 CONFIG_OK);
	assert_same_config(&cfg, &def);
}

static void test_bool_spellings(void **state)
{
	(void)state;
	const char *yes[] = { "true", "TRUE", "yes", "Yes", "on", "1" };
	const char *no[] = { "false", "False", "no", "NO", "off", "0" };
	char text[64], err[256];
	struct config cfg;
	for (size_t i = 0; i < 6; i++) {
		config_defaults(&cfg);
		snprintf(text, sizeof text, "[display]\nallow_quit = %s\nfullscreen = %s\n", yes[i],
			 no[i]);
		assert_int_equal(load_text(text, &cfg, err, sizeof err), CONFIG_OK);
		assert_int_equal(cfg.allow_quit, 1);
		assert_int_equal(cfg.fullscreen, 0);
	}
}

static void test_ranges_inclusive(void **state)
{
	(void)state;
	struct config cfg;
	char err[256];
	config_defaults(&cfg);
	assert_int_equal(load_text("[event]\ngoal = 1000000000\n[display]\nwidth = 320\n"
				   "height = 4320\n",
				   &cfg, err, sizeof err),
			 CONFIG_OK);
	assert_int_equal(cfg.goal, 1000000000);
	assert_int_equal(cfg.window_width, 320);
	assert_int_equal(cfg.window_height, 4320);
	assert_int_equal(load_text("[display]\nwidth = 7680\nheight = 240\n", &cfg, err,
				   sizeof err),
			 CONFIG_OK);
	assert_int_equal(cfg.window_width, 7680);
	assert_int_equal(cfg.window_height, 240);
}

static void test_unknown_section(void **state)
{
	(void)state;
	expect_error("[event]\ngoal = 5\n\n[foo]\nx = 1\n", CONFIG_ERR_KEY, 4,
		     "unknown section [foo]", "[display]");
	/* An empty misspelt section is still a mistake worth reporting. */
	expect_error("[event]\n[dispaly]\n", CONFIG_ERR_KEY, 2, "unknown section [dispaly]", NULL);
	expect_error("[Event]\n", CONFIG_ERR_KEY, 1, "unknown section [Event]", NULL);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("[display]\nwidth = 800\ncolour = #000000\n", CONFIG_ERR_KEY, 3,
		     "[display] colour: unknown key",
		     "(known keys: fullscreen, width, height, font, background, number, text, "
		     "accent, allow_quit, body_font");
	expect_error("[event]\nname = x\n[storage]\nname = y\n", CONFIG_ERR_KEY, 4,
		     "[storage] name: unknown key", "(known keys: database, socket)");
}

static void test_key_before_section(void **state)
{
	(void)state;
	expect_error("; settings\ngoal = 5\n[event]\n", CONFIG_ERR_KEY, 2,
		     "goal: set before any [section]", "[event]");
	expect_error("volume = 11\n", CONFIG_ERR_KEY, 1, "volume: set before any [section]", NULL);
}

static void test_syntax_error(void **state)
{
	(void)state;
	expect_error("[event]\ngoal = 5\nthis line has no equals sign\n", CONFIG_ERR_SYNTAX, 3,
		     "not a \"key = value\" line or [section]", NULL);
	/* inih carries on after a bad line; the first mistake is still the one reported. */
	expect_error("[event]\njunk\ngoal = abc\n", CONFIG_ERR_SYNTAX, 2, "not a \"key = value\"",
		     NULL);
	expect_error("[event\ngoal = 5\n", CONFIG_ERR_SYNTAX, 1, "[section]", NULL);
	expect_error("[event] goal = 5\n", CONFIG_ERR_SYNTAX, 1, "after [section]", NULL);
	/* Indentation must not turn a line into part of the value above it. */
	expect_error("[event]\nname = Write\n   for Rights\n", CONFIG_ERR_SYNTAX, 3, NULL, NULL);
}

static void test_long_line(void **state)
{
	(void)state;
	char text[400];
	snprintf(text, sizeof text, "[event]\n\nname = %0250d\n", 7);
	expect_error(text, CONFIG_ERR_SYNTAX, 3, "line too long", NULL);
}

static void test_nul_byte(void **state)
{
	(void)state;
	struct config cfg;
	char err[256], want[96];
	config_defaults(&cfg);
	write_file("[event]\nname = a\0b\n", 19);
	assert_int_equal(config_load(&cfg, path, err, sizeof err), CONFIG_ERR_SYNTAX);
	unlink(path);
	snprintf(want, sizeof want, "%s:2: ", path);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	assert_non_null(strstr(err, "NUL"));
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_error("[event]\ngoal = 5\nname = x\n[display]\n[event]\ngoal = 6\n", CONFIG_ERR_KEY,
		     6, "[event] goal: duplicate key, first set on line 2", NULL);
}

static void test_bad_integer(void **state)
{
	(void)state;
	const char *bad[] = { "12abc", "abc", "1e3", "+5", "1,000", "1 000", "0x10", "5.0", "-",
			      NULL };
	char text[64];
	for (int i = 0; bad[i]; i++) {
		snprintf(text, sizeof text, "[event]\ngoal = %s\n", bad[i]);
		expect_error(text, CONFIG_ERR_VALUE, 2, "[event] goal: not a whole number", bad[i]);
	}
}

static void test_integer_out_of_range(void **state)
{
	(void)state;
	expect_error("[event]\ngoal = 1000000001\n", CONFIG_ERR_VALUE, 2,
		     "[event] goal: out of range \"1000000001\"", "0 to 1000000000");
	expect_error("[event]\ngoal = -1\n", CONFIG_ERR_VALUE, 2, "goal: out of range \"-1\"",
		     NULL);
	expect_error("[event]\ngoal = 99999999999999999999999999\n", CONFIG_ERR_VALUE, 2,
		     "goal: out of range", NULL);
	expect_error("\n[display]\nwidth = 319\n", CONFIG_ERR_VALUE, 3,
		     "[display] width: out of range \"319\"", "320 to 7680");
	expect_error("[display]\nheight = 4321\n", CONFIG_ERR_VALUE, 2, "[display] height:",
		     "240 to 4320");
}

static void test_bad_bool(void **state)
{
	(void)state;
	expect_error("[input]\nkeyboard = maybe\n", CONFIG_ERR_VALUE, 2,
		     "[input] keyboard: not a yes/no value \"maybe\"", "true, false");
	expect_error("[display]\nfullscreen =\n", CONFIG_ERR_VALUE, 2, "[display] fullscreen:",
		     NULL);
}

static void test_bad_colour(void **state)
{
	(void)state;
	expect_error("[display]\nfont = Sans\n\n\n\n\n\n\n\n\n\nbackground = #12345\n",
		     CONFIG_ERR_VALUE, 12,
		     "[display] background: not a colour \"#12345\" (expected #rrggbb)", NULL);
	expect_error("[display]\nnumber = yellow\n", CONFIG_ERR_VALUE, 2,
		     "[display] number: not a colour \"yellow\"", NULL);
	/* '#' is not an inline comment, so this is a bad colour rather than a silent default. */
	expect_error("[display]\ntext = #FFFFFF # white\n", CONFIG_ERR_VALUE, 2,
		     "[display] text: not a colour", NULL);
}

static void test_empty_required_string(void **state)
{
	(void)state;
	expect_error("[event]\nname =\n", CONFIG_ERR_VALUE, 2, "[event] name: must not be empty",
		     NULL);
	expect_error("[event]\nlabel = \"\"\n", CONFIG_ERR_VALUE, 2, "[event] label:", "empty");
	expect_error("[display]\nfont = ; no font\n", CONFIG_ERR_VALUE, 2, "[display] font:",
		     "empty");
}

static void test_string_too_long(void **state)
{
	(void)state;
	char text[256], name[200];
	memset(name, 'x', 170);
	name[170] = '\0';
	snprintf(text, sizeof text, "[event]\nname = %s\n", name);
	expect_error(text, CONFIG_ERR_VALUE, 2, "[event] name: too long",
		     "(170 bytes, at most 127)");
	/* One event-name limit everywhere: what the config takes, the database takes. */
	name[STORE_NAME_MAX] = '\0';
	snprintf(text, sizeof text, "[event]\nname = %s\n", name);
	expect_error(text, CONFIG_ERR_VALUE, 2, "[event] name: too long", "(128 bytes, at most 127)");
	memset(name, 'x', 170);

	name[160] = '\0';
	snprintf(text, sizeof text, "[event]\nlabel = %s\n", name);
	expect_error(text, CONFIG_ERR_VALUE, 2, "[event] label: too long",
		     "(160 bytes, at most 159)");

	/* Exactly at the limit is fine. */
	struct config cfg;
	char err[256];
	name[159] = '\0';
	snprintf(text, sizeof text, "[event]\nthank_you = %s\n", name);
	config_defaults(&cfg);
	assert_int_equal(load_text(text, &cfg, err, sizeof err), CONFIG_OK);
	assert_string_equal(cfg.thank_you, name);
}

static void test_not_utf8(void **state)
{
	(void)state;
	/* Latin-1 "écrites", as an editor set to Windows-1252 would save it. */
	expect_error("[event]\nlabel = lettres \xE9\x63rites\n", CONFIG_ERR_VALUE, 2,
		     "[event] label: not valid UTF-8", "\\xE9");
	expect_error("[event]\nname = \xC0\xAF\n", CONFIG_ERR_VALUE, 2, "name: not valid UTF-8",
		     NULL);
	expect_error("[event]\nname = \xED\xA0\x80\n", CONFIG_ERR_VALUE, 2, "name: not valid UTF-8",
		     NULL);
	expect_error("[event]\nthank_you = a\x01\x62\n", CONFIG_ERR_VALUE, 2,
		     "[event] thank_you: contains a control character", "\\x01");
	expect_error("[event]\nthank_you = a\tb\n", CONFIG_ERR_VALUE, 2, "control character", NULL);
}

static void test_socket_too_long(void **state)
{
	(void)state;
	char text[256], sock[120];
	sock[0] = '/';
	memset(sock + 1, 's', 107);
	sock[108] = '\0';
	snprintf(text, sizeof text, "[storage]\nsocket = %s\n", sock);
	expect_error(text, CONFIG_ERR_VALUE, 2, "[storage] socket: too long for a socket path",
		     "(108 bytes, at most 107)");

	struct config cfg;
	char err[256];
	sock[107] = '\0';
	snprintf(text, sizeof text, "[storage]\nsocket = %s\n", sock);
	config_defaults(&cfg);
	assert_int_equal(load_text(text, &cfg, err, sizeof err), CONFIG_OK);
	assert_string_equal(cfg.socket, sock);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct config cfg;
	char err[256];
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/kiosk.conf", err, sizeof err),
			 CONFIG_ERR_IO);
	assert_string_equal(err, "/nonexistent/kiosk.conf: cannot open: No such file or directory");
	assert_int_equal(config_load(&cfg, "/tmp", err, sizeof err), CONFIG_ERR_IO);
	assert_non_null(strstr(err, "/tmp: cannot read:"));
}

static void test_small_error_buffer(void **state)
{
	(void)state;
	struct config cfg;
	char err[8];
	config_defaults(&cfg);
	assert_int_equal(load_text("[foo]\n", &cfg, err, sizeof err), CONFIG_ERR_KEY);
	assert_int_equal(strlen(err), sizeof err - 1);
	assert_int_equal(load_text("[foo]\n", &cfg, NULL, 0), CONFIG_ERR_KEY);
}

static void test_sample_is_defaults(void **state)
{
	(void)state;
	struct config def, cfg;
	char err[512] = "";
	config_defaults(&def);

	/* Start from a config unlike the defaults, so a key missing from the sample shows. */
	config_defaults(&cfg);
	assert_int_equal(load_text(all_changed, &cfg, err, sizeof err), CONFIG_OK);
	enum config_status st = config_load(&cfg, SAMPLE, err, sizeof err);
	if (st != CONFIG_OK)
		fail_msg("%s does not load: %s", SAMPLE, err);
	/* The one difference: the sample (and make run's demo) turns the staff web page on. */
	assert_int_equal(cfg.web_enabled, 1);
	cfg.web_enabled = def.web_enabled;
	assert_same_config(&cfg, &def);
}

static void test_gpio_sections(void **state)
{
	(void)state;
	struct config cfg;
	char err[512];
	config_defaults(&cfg);
	assert_int_equal(load_text("[gpio.button]\nline = GPIO17\n"
				   "[gpio.slot]\nchip = pinctrl-bcm2711\nline = 27\nkind = beam\n"
				   "active_low = false\nbias = disable\ncase = jani-silva\n"
				   "[gpio.staff]\nline = GPIO22\nrole = staff-reset\nhold_ms = 1500\n"
				   "lockout_ms = 0\n",
				   &cfg, err, sizeof err),
			 CONFIG_OK);
	assert_int_equal(cfg.n_gpio, 3);
	const struct config_gpio *b = &cfg.gpio[0], *beam = &cfg.gpio[1], *st = &cfg.gpio[2];
	assert_string_equal(b->name, "button");
	assert_string_equal(b->line, "GPIO17");
	assert_string_equal(b->chip, "");
	assert_int_equal(b->active_low, 1);
	assert_int_equal(b->bias, CONFIG_BIAS_PULL_UP);
	assert_int_equal(b->kind, CONFIG_KIND_BUTTON);
	assert_int_equal(b->role, CONFIG_ROLE_COUNT);
	assert_int_equal(b->min_active_ms, 5);
	assert_int_equal(b->release_ms, 40);
	assert_int_equal(b->lockout_ms, 150);
	assert_int_equal(b->section_line, 1);
	assert_string_equal(beam->chip, "pinctrl-bcm2711");
	assert_int_equal(beam->kind, CONFIG_KIND_BEAM);
	assert_int_equal(beam->active_low, 0);
	assert_int_equal(beam->bias, CONFIG_BIAS_DISABLE);
	assert_string_equal(beam->case_id, "jani-silva");
	assert_int_equal(beam->min_active_ms, 2);  /* a beam's own defaults */
	assert_int_equal(beam->stuck_ms, 5000);
	assert_int_equal(st->role, CONFIG_ROLE_STAFF_RESET);
	assert_int_equal(st->hold_ms, 1500);
	assert_int_equal(st->lockout_ms, 0);      /* explicit 0 is kept, not replaced */
	assert_int_equal(st->section_line, 10);
}

static void test_gpio_errors(void **state)
{
	(void)state;
	expect_error("[gpio.b]\nline = 4\nbias = up\n", CONFIG_ERR_VALUE, 3, "[gpio.b] bias",
		     "expected as-is, disable, pull-up, pull-down");
	expect_error("[gpio.b]\nline = 4\nkind = laser\n", CONFIG_ERR_VALUE, 3, "[gpio.b] kind",
		     "\"laser\"");
	expect_error("[gpio.b]\nline = 4\nrole = reset\n", CONFIG_ERR_VALUE, 3, "role", NULL);
	expect_error("[gpio.b]\nline = 4\npin = 4\n", CONFIG_ERR_KEY, 3, "[gpio.b] pin: unknown",
		     "known keys: chip, line");
	expect_error("[gpio.b]\nline = 4\nline = 5\n", CONFIG_ERR_KEY, 3, "duplicate key",
		     "line 2");
	expect_error("[gpio.b]\nline = 4\n[gpio.b]\nline = 5\n", CONFIG_ERR_KEY, 3,
		     "duplicate section", "line 1");
	expect_error("[gpio.b]\nline = 27\n", CONFIG_ERR_VALUE, 1, "[gpio.b] line: the offset 27 "
		     "needs a chip", "line = GPIO27");
	expect_error("[gpio.]\nline = 4\n", CONFIG_ERR_KEY, 1, "[gpio.]", "letters");
	expect_error("[gpio.a b]\nline = 4\n", CONFIG_ERR_KEY, 1, "[gpio.a b]", NULL);
	expect_error("[event]\ngoal = 3\n[gpio.b]\nchip = gpiochip0\n", CONFIG_ERR_VALUE, 3,
		     "[gpio.b]: no line given", NULL);
	expect_error("[gpio.s]\nchip = gpiochip0\nline = 4\nrole = staff-reset\ncase = x\n", CONFIG_ERR_VALUE, 1,
		     "[gpio.s] case", "no case");
	expect_error("[gpio.b]\nline = 4\nhold_ms = 100\n", CONFIG_ERR_VALUE, 3, "hold_ms",
		     "500 to 60000");
	expect_error("[gpio.b]\nline = 4\nlockout_ms = -1\n", CONFIG_ERR_VALUE, 3, "lockout_ms",
		     NULL);
	char many[2048] = "";
	for (int i = 0; i <= CONFIG_MAX_GPIO; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "[gpio.g%d]\nline = %d\n",
			 i, i);
	expect_error(many, CONFIG_ERR_KEY, 2 * CONFIG_MAX_GPIO + 1, "too many inputs", NULL);
}

/* [mqtt]: off without the section; the broker's forms; what a section cannot do without. */
static void test_mqtt(void **state)
{
	(void)state;
	struct config cfg;
	char err[512];
	config_defaults(&cfg);
	assert_int_equal(load_text("[event]\ngoal = 5\n", &cfg, err, sizeof err), CONFIG_OK);
	assert_int_equal(cfg.mqtt, 0);
	config_defaults(&cfg);
	assert_int_equal(load_text("[mqtt]\nbroker = mqtts://broker.example.org\ncampaign = wfr\n"
				   "venue = school-1\nscope = campaign\nrepublish_seconds = 10\n",
				   &cfg, err, sizeof err), CONFIG_OK);
	assert_int_equal(cfg.mqtt, 1);
	assert_int_equal(cfg.mqtt_scope, CONFIG_MQTT_SCOPE_CAMPAIGN);
	assert_int_equal(cfg.mqtt_republish_seconds, 10);
	char host[64];
	int port, tls;
	assert_int_equal(config_mqtt_broker(cfg.mqtt_broker, host, sizeof host, &port, &tls), 0);
	assert_string_equal(host, "broker.example.org");
	assert_int_equal(port, 8883);
	assert_int_equal(tls, 1);
	assert_int_equal(config_mqtt_broker("10.0.0.2", host, sizeof host, &port, &tls), 0);
	assert_int_equal(port, 1883);
	assert_int_equal(tls, 0);
	assert_int_equal(config_mqtt_broker("mqtt://pi.local:1884", host, sizeof host, &port, &tls), 0);
	assert_string_equal(host, "pi.local");
	assert_int_equal(port, 1884);
	assert_int_equal(config_mqtt_broker("[::1]:1885", host, sizeof host, &port, &tls), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 1885);
	const char *bad[] = { "", ":1883", "host:", "host:0", "host:65536", "host:12x",
			      "ho st", "mqtts://", "[::1", "[::1]x", "host/path" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (config_mqtt_broker(bad[i], host, sizeof host, &port, &tls) == 0)
			fail_msg("broker \"%s\" accepted", bad[i]);
	expect_error("[mqtt]\ncampaign = c\nvenue = v\n", CONFIG_ERR_VALUE, 1, "no broker", NULL);
	expect_error("[mqtt]\nbroker = h\nvenue = v\n", CONFIG_ERR_VALUE, 1, "no campaign", NULL);
	expect_error("[mqtt]\nbroker = h\ncampaign = c\n", CONFIG_ERR_VALUE, 1, "no venue", NULL);
	expect_error("[mqtt]\nbroker = h\ncampaign = c\nvenue = a/b\n", CONFIG_ERR_VALUE, 4,
		     "[mqtt] venue", "not a name for MQTT topics");
	expect_error("[mqtt]\nbroker = h\ncampaign = #\nvenue = v\n", CONFIG_ERR_VALUE, 3,
		     "[mqtt] campaign", NULL);
	expect_error("[mqtt]\nbroker = h:99999\n", CONFIG_ERR_VALUE, 2, "[mqtt] broker",
		     "not a broker address");
	expect_error("[mqtt]\nbroker = h\ncampaign = c\nvenue = v\npassword_file = /p\n",
		     CONFIG_ERR_VALUE, 1, "without a username", NULL);
	expect_error("[mqtt]\nscope = country\n", CONFIG_ERR_VALUE, 2, "[mqtt] scope",
		     "venue, campaign");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_color),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_web_keys),
		cmocka_unit_test(test_partial_file_keeps_other_values),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_bool_spellings),
		cmocka_unit_test(test_ranges_inclusive),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_key_before_section),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_bad_integer),
		cmocka_unit_test(test_integer_out_of_range),
		cmocka_unit_test(test_bad_bool),
		cmocka_unit_test(test_bad_colour),
		cmocka_unit_test(test_empty_required_string),
		cmocka_unit_test(test_string_too_long),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_socket_too_long),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_sample_is_defaults),
		cmocka_unit_test(test_gpio_sections),
		cmocka_unit_test(test_gpio_errors),
		cmocka_unit_test(test_screen_keys),
		cmocka_unit_test(test_mqtt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
