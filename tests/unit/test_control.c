/* Unit tests of the control protocol: request parsing, formatting and replies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "textcheck.h"

static int parse(const char *line, struct control_request *req, char *err)
{
	return control_parse(line, strlen(line), req, err, 256);
}

static void test_each_verb(void **state)
{
	(void)state;
	struct control_request r;
	char err[256];
	assert_int_equal(parse("status", &r, err), 0);
	assert_int_equal(r.op, CONTROL_STATUS);
	assert_int_equal(parse("press", &r, err), 0);
	assert_int_equal(r.op, CONTROL_PRESS);
	assert_int_equal(parse("add 250", &r, err), 0);
	assert_int_equal(r.op, CONTROL_ADD);
	assert_int_equal(r.n, 250);
	assert_int_equal(parse("undo", &r, err), 0);
	assert_int_equal(r.op, CONTROL_UNDO);
	assert_int_equal(parse("new-event Write for Rights – Café", &r, err), 0);
	assert_int_equal(r.op, CONTROL_NEW_EVENT);
	assert_string_equal(r.name, "Write for Rights – Café");
	assert_int_equal(parse("goal 0", &r, err), 0);
	assert_int_equal(r.op, CONTROL_GOAL);
	assert_int_equal(r.n, 0);
	assert_int_equal(parse("events", &r, err), 0);
	assert_int_equal(r.op, CONTROL_EVENTS);
	assert_int_equal(parse("export csv", &r, err), 0);
	assert_int_equal(r.op, CONTROL_EXPORT_CSV);
	assert_int_equal(parse("export json", &r, err), 0);
	assert_int_equal(r.op, CONTROL_EXPORT_JSON);
	assert_int_equal(parse("status\r", &r, err), 0);
}

static void test_case_on_press_and_add(void **state)
{
	(void)state;
	struct control_request r;
	char err[256];
	assert_int_equal(parse("press", &r, err), 0);
	assert_string_equal(r.case_id, "");
	assert_int_equal(parse("press jani-silva", &r, err), 0);
	assert_int_equal(r.op, CONTROL_PRESS);
	assert_string_equal(r.case_id, "jani-silva");
	assert_int_equal(parse("add 12 Case_2", &r, err), 0);
	assert_int_equal(r.op, CONTROL_ADD);
	assert_int_equal(r.n, 12);
	assert_string_equal(r.case_id, "Case_2");
	assert_int_equal(parse("add 12", &r, err), 0);
	assert_string_equal(r.case_id, "");
	char longest[80] = "press ";
	memset(longest + 6, 'x', CONTROL_CASE_MAX - 1);
	assert_int_equal(parse(longest, &r, err), 0);
	assert_int_equal(strlen(r.case_id), CONTROL_CASE_MAX - 1);
	strcat(longest, "x");
	assert_int_equal(parse(longest, &r, err), -1);
	assert_non_null(strstr(err, "is not a case ID"));
}

static void expect_error(const char *line, const char *fragment)
{
	struct control_request r;
	char err[256] = "";
	assert_int_equal(parse(line, &r, err), -1);
	if (!strstr(err, fragment))
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", line, err, fragment);
}

static void test_bad_requests(void **state)
{
	(void)state;
	expect_error("", "unknown command");
	expect_error("launch", "unknown command \"launch\"");
	expect_error("STATUS", "unknown command");
	expect_error("add", "needs an argument");
	expect_error("add ", "needs an argument");
	expect_error("add -5", "\"-5\" is not a whole number");
	expect_error("add abc", "\"abc\" is not a whole number");
	expect_error("add 0", "from 1 to");
	expect_error("add 1e3", "not a whole number");
	expect_error("add 12 13 14", "\"13 14\" is not a case ID");
	expect_error("add 12 ", "\"\" is not a case ID");
	expect_error("press jani silva", "\"jani silva\" is not a case ID");
	expect_error("press caf\xc3\xa9", "is not a case ID");
	expect_error("goal 5 jani", "not a whole number");
	expect_error("undo jani", "takes no argument");
	expect_error("add 99999999999999999999", "not a whole number");
	expect_error("add 1000000001", "not a whole number");
	expect_error("goal -1", "not a whole number");
	expect_error("new-event", "needs an argument");
	expect_error("new-event    ", "a name is");
	expect_error("undo now", "takes no argument");
	expect_error("export xml", "not csv, json or venue");
	expect_error("status\x01", "not printable");
	expect_error("new-event caf\xc3", "not printable UTF-8");
	expect_error("new-event \xed\xa0\x80", "not printable UTF-8");
	expect_error("new-event a\xc2\x85" "b", "not printable"); /* C1 NEL */
	expect_error("new-event \xc0\xae", "not printable"); /* overlong */
}

static void test_too_long_and_nul(void **state)
{
	(void)state;
	char line[CONTROL_LINE_MAX + 10];
	memset(line, 'a', sizeof line);
	memcpy(line, "new-event ", 10);
	struct control_request r;
	char err[256];
	assert_int_equal(control_parse(line, sizeof line, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than"));
	assert_int_equal(control_parse("status\0x", 8, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
	/* A name one byte too long for the store. */
	char name[10 + STORE_NAME_MAX + 1];
	memset(name, 'n', sizeof name - 1);
	memcpy(name, "new-event ", 10);
	name[sizeof name - 1] = '\0';
	assert_int_equal(parse(name, &r, err), -1);
	name[sizeof name - 2] = '\0';
	assert_int_equal(parse(name, &r, err), 0);
	assert_int_equal(strlen(r.name), STORE_NAME_MAX - 1);
}

static void test_format_round_trip(void **state)
{
	(void)state;
	const char *lines[] = { "status", "press", "add 7", "undo", "new-event Youth club",
				"goal 1200", "events", "export csv", "export json",
				"press jani-silva", "add 7 grassy-narrows" };
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct control_request r;
		char err[256], buf[CONTROL_LINE_MAX];
		assert_int_equal(parse(lines[i], &r, err), 0);
		int n = control_format(&r, buf, sizeof buf);
		assert_int_equal(n, (int)strlen(lines[i]) + 1);
		assert_int_equal(buf[n - 1], '\n');
		buf[n - 1] = '\0';
		assert_string_equal(buf, lines[i]);
	}
}

static void test_replies(void **state)
{
	(void)state;
	char buf[256], code[32], msg[128];
	size_t len = 0;
	control_reply_ok(42, buf, sizeof buf);
	assert_string_equal(buf, "OK 42\n");
	buf[strlen(buf) - 1] = '\0';
	assert_int_equal(control_parse_reply(buf, &len, code, sizeof code, msg, sizeof msg), 1);
	assert_int_equal(len, 42);
	control_reply_err("empty", "nothing to undo\nin event", buf, sizeof buf);
	assert_string_equal(buf, "ERR empty nothing to undo in event\n");
	buf[strlen(buf) - 1] = '\0';
	assert_int_equal(control_parse_reply(buf, &len, code, sizeof code, msg, sizeof msg), 0);
	assert_string_equal(code, "empty");
	assert_string_equal(msg, "nothing to undo in event");
	assert_int_equal(control_parse_reply("HELLO", &len, code, sizeof code, msg, sizeof msg), -1);
	assert_int_equal(control_parse_reply("OK x", &len, code, sizeof code, msg, sizeof msg), -1);
	assert_int_equal(control_parse_reply("OK 999999999999", &len, code, sizeof code, msg,
					     sizeof msg), -1);
	assert_int_equal(control_parse_reply("ERR ", &len, code, sizeof code, msg, sizeof msg), -1);
}

/* "ERR ab " fills 7 of 8 bytes: no room for the newline and the NUL, so no reply, and not
 * one byte written past the buffer. */
static void test_reply_err_fits_its_buffer(void **state)
{
	(void)state;
	char buf[16];
	for (size_t len = 1; len <= 12; len++) {
		memset(buf, '#', sizeof buf);
		int n = control_reply_err("ab", "msg", buf, len);
		for (size_t i = len; i < sizeof buf; i++)
			if (buf[i] != '#')
				fail_msg("len %zu: byte %zu written past the buffer", len, i);
		if (n >= 0) {
			assert_true((size_t)n < len);
			assert_int_equal(buf[n], '\0');
			assert_int_equal(buf[n - 1], '\n');
			assert_memory_equal(buf, "ERR ab ", 7);
		} else {
			assert_true(len <= 8);
		}
	}
	assert_int_equal(control_reply_err("ab", "msg", buf, 9), 8);
	assert_string_equal(buf, "ERR ab \n");
}

/* A request is quoted back cut at 40 bytes, never inside a UTF-8 character. */
static void test_quote_keeps_utf8_whole(void **state)
{
	(void)state;
	struct control_request r;
	char err[256];
	for (int pad = 30; pad < 45; pad++) {
		char line[128];
		memset(line, 'x', (size_t)pad);
		strcpy(line + pad, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xae"); /* é € 📮 */
		assert_int_equal(parse(line, &r, err), -1);
		if (!text_is_utf8(err))
			fail_msg("pad %d: the error is not UTF-8: %s", pad, err);
		char add[140] = "add ";
		strcat(add, line);
		assert_int_equal(parse(add, &r, err), -1);
		if (!text_is_utf8(err))
			fail_msg("add, pad %d: the error is not UTF-8: %s", pad, err);
	}
}

static void test_status_body(void **state)
{
	(void)state;
	struct control_status s;
	assert_int_equal(control_parse_status("{\"undone\":5,\"event\":\"Caf\\\"e\",\"event_id\":3,"
					      "\"total\":1234,\"goal\":500,\"started\":\"2026-12-10"
					      "T18:00:00.000Z\"}",
					      &s),
			 0);
	assert_string_equal(s.event, "Caf\"e");
	assert_int_equal(s.total, 1234);
	assert_int_equal(s.goal, 500);
	assert_int_equal(s.event_id, 3);
	assert_int_equal(s.undone, 5);
	assert_string_equal(s.started, "2026-12-10T18:00:00.000Z");
	assert_int_equal(control_parse_status("{\"total\":1}", &s), -1);
	assert_int_equal(control_parse_status("{\"event\":\"x\"}", &s), -1);
	assert_int_equal(control_parse_status("{\"event\":\"unterminated", &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_verb),        cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_too_long_and_nul), cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_replies),          cmocka_unit_test(test_status_body),
		cmocka_unit_test(test_case_on_press_and_add),
		cmocka_unit_test(test_reply_err_fits_its_buffer),
		cmocka_unit_test(test_quote_keeps_utf8_whole),
	};
	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
