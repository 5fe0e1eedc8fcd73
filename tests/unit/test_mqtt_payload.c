/*
 * Unit tests for mqtt_payload.c: topics, a state and an event round-trip, and what the
 * parsers refuse (unknown schema, wrong type, counts out of range, N > P, a payload that
 * disagrees with its topic, duplicate keys, bad ids, oversize).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt_payload.h"

static struct mqtt_topic topic(const char *event)
{
	struct mqtt_topic t;
	char s[MQTT_TOPIC_MAX];
	snprintf(s, sizeof s, "tallykiosk/v1/camp/school/%s/kiosk-a", event);
	mqtt_topic_parse(s, &t);
	return t;
}

static void test_topics(void **state)
{
	(void)state;
	struct mqtt_topic t;
	assert_int_equal(mqtt_topic_parse("tallykiosk/v1/wfr2026/school/wfr-1a2b3c4d/k1", &t),
			 MQTT_TOPIC_STATE);
	assert_string_equal(t.campaign, "wfr2026");
	assert_string_equal(t.venue, "school");
	assert_string_equal(t.event, "wfr-1a2b3c4d");
	assert_string_equal(t.kiosk, "k1");
	assert_int_equal(mqtt_topic_parse("tallykiosk/v1/c/v/_event/k1", &t), MQTT_TOPIC_EVENT);
	const char *bad[] = { "tallykiosk/v1/c/v/e", "tallykiosk/v1/c/v/e/k/x", "tallykiosk/v2/c/v/e/k",
			      "tallykiosk/v1/c//e/k", "tallykiosk/v1/c/v/e/", "tallykiosk/v1/c/v/e/k+",
			      "tallykiosk/v1/c/v/e/_event", "other/topic", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(mqtt_topic_parse(bad[i], &t), MQTT_TOPIC_OTHER);
	char buf[MQTT_TOPIC_MAX];
	assert_int_equal(mqtt_topic_format(buf, sizeof buf, "c", "v", "e-1", "k"), 0);
	assert_string_equal(buf, "tallykiosk/v1/c/v/e-1/k");
	assert_int_equal(mqtt_topic_format(buf, sizeof buf, "c", "v", MQTT_EVENT_LEVEL, "k"), 0);
	assert_string_equal(buf, "tallykiosk/v1/c/v/_event/k");
	assert_int_equal(mqtt_topic_format(buf, sizeof buf, "c", "v/x", "e", "k"), -1);
	assert_int_equal(mqtt_topic_format(buf, sizeof buf, "c", "v", "e", "#"), -1);
	assert_int_equal(mqtt_topic_format(buf, 10, "c", "v", "e", "k"), -1);
}

static void test_state_round_trip(void **state)
{
	(void)state;
	struct pn_state s;
	memset(&s, 0, sizeof s);
	strcpy(s.venue, "school");
	strcpy(s.event, "wfr-1");
	strcpy(s.kiosk, "kiosk-a");
	strcpy(s.kiosk_uid, "0123abcd");
	strcpy(s.instance, "i-77");
	s.seq = 1732870000123LL;
	s.sent_ms = 1732870000999LL;
	s.n_cases = 2;
	strcpy(s.cases[1].id, "Jani \xc3\xa9");
	s.cases[0].p = 12;
	s.cases[0].n = 2;
	s.cases[1].p = 3;
	char *json = mqtt_format_state(&s);
	assert_non_null(json);
	struct mqtt_topic t = topic("wfr-1");
	struct pn_state back;
	char err[256];
	assert_int_equal(mqtt_parse_state(json, strlen(json), &t, &back, err, sizeof err), 0);
	assert_memory_equal(&s, &back, sizeof s);
	free(json);
}

static void test_event_round_trip(void **state)
{
	(void)state;
	struct mqtt_event e;
	memset(&e, 0, sizeof e);
	strcpy(e.venue, "school");
	strcpy(e.event, "assembly-0badf00d");
	strcpy(e.kiosk, "kiosk-a");
	strcpy(e.kiosk_uid, "0123abcd");
	strcpy(e.name, "Assembly, Café");
	e.goal = 500;
	e.origin_ms = 1732870000123LL;
	char *json = mqtt_format_event(&e);
	assert_non_null(json);
	struct mqtt_topic t = topic("_event");
	struct mqtt_event back;
	char err[256];
	assert_int_equal(mqtt_parse_event(json, strlen(json), &t, &back, err, sizeof err), 0);
	assert_memory_equal(&e, &back, sizeof e);
	free(json);
}

static void refused(const char *json, const char *why)
{
	struct mqtt_topic t = topic("wfr-1");
	struct pn_state s;
	char err[256] = "";
	assert_int_equal(mqtt_parse_state(json, strlen(json), &t, &s, err, sizeof err), -1);
	if (!strstr(err, why))
		fail_msg("\"%s\" not in \"%s\" for %s", why, err, json);
}

#define HEAD "{\"schema\":1,\"type\":\"state\",\"venue\":\"school\",\"event\":\"wfr-1\"," \
	     "\"kiosk\":\"u1\",\"instance\":\"i1\",\"seq\":5,\"sent_ms\":9,"

static void test_state_refusals(void **state)
{
	(void)state;
	refused("{\"schema\":2,\"type\":\"state\"}", "schema 2 is not known");
	refused("{\"type\":\"state\"}", "schema");
	refused("[1,2]", "not a JSON object");
	refused("{\"schema\":1,", "not JSON");
	refused("{\"schema\":1,\"type\":\"event\"}", "\"type\"");
	refused(HEAD "\"cases\":[{\"id\":\"\",\"p\":1,\"n\":2}]}", "more taken back");
	refused(HEAD "\"cases\":[{\"id\":\"\",\"p\":-1,\"n\":0}]}", "\"p\"");
	refused(HEAD "\"cases\":[{\"id\":\"\",\"p\":1.5,\"n\":0}]}", "\"p\"");
	refused(HEAD "\"cases\":[{\"id\":\"\",\"p\":1000000000001,\"n\":0}]}", "\"p\"");
	refused(HEAD "\"cases\":[{\"id\":\"\",\"p\":1,\"n\":0},{\"id\":\"\",\"p\":1,\"n\":0}]}",
		"twice");
	refused(HEAD "\"cases\":[{\"id\":\"\",\"p\":1,\"p\":5,\"n\":0}]}", "not JSON");
	refused(HEAD "\"cases\":[{\"id\":\"a\\u001b[2J\",\"p\":1,\"n\":0}]}", "clean text");
	refused(HEAD "\"cases\":{}}", "\"cases\"");
	refused(HEAD "\"cases\":[7]}", "\"id\"");
	refused("{\"schema\":1,\"type\":\"state\",\"venue\":\"library\",\"event\":\"wfr-1\","
		"\"kiosk\":\"u1\",\"instance\":\"i1\",\"seq\":5,\"sent_ms\":9,\"cases\":[]}",
		"not the topic's");
	refused("{\"schema\":1,\"type\":\"state\",\"venue\":\"school\",\"event\":\"wfr-2\","
		"\"kiosk\":\"u1\",\"instance\":\"i1\",\"seq\":5,\"sent_ms\":9,\"cases\":[]}",
		"not the topic's");
	refused("{\"schema\":1,\"type\":\"state\",\"venue\":\"school\",\"event\":\"wfr-1\","
		"\"kiosk\":\"u/1\",\"instance\":\"i1\",\"seq\":5,\"sent_ms\":9,\"cases\":[]}",
		"\"kiosk\"");
	char big[MQTT_PAYLOAD_MAX + 10];
	memset(big, ' ', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	refused(big, "larger than");
	/* 18 cases: one more than a state holds. */
	char many[4096] = HEAD "\"cases\":[";
	for (int i = 0; i < PN_CASES_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%s{\"id\":\"c%d\",\"p\":1,\"n\":0}",
			 i ? "," : "", i);
	strcat(many, "]}");
	refused(many, "at most");
}

static void test_event_ids(void **state)
{
	(void)state;
	char id[PN_ID_MAX];
	assert_int_equal(mqtt_event_id("Write for Rights 2026", 0, 0, id, sizeof id), 0);
	assert_string_equal(id, "write-for-rights-2026");
	assert_int_equal(mqtt_event_id("Café Lumière, Dec 10", 0xbeef, 1, id, sizeof id), 0);
	assert_string_equal(id, "caf-lumi-re-dec-10-0000beef");
	assert_int_equal(mqtt_event_id("★★★", 1, 1, id, sizeof id), 0);
	assert_string_equal(id, "event-00000001");
	assert_true(mqtt_id_ok(id));
	char longname[200];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(mqtt_event_id(longname, 0xffffffffu, 1, id, sizeof id), 0);
	assert_true(mqtt_id_ok(id));
	assert_int_equal(strlen(id), 40 + 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_state_refusals),
		cmocka_unit_test(test_event_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
