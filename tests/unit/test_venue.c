/*
 * Unit tests for venue.c, a kiosk's view of its venue without a network: what it publishes,
 * the venue total from peers' states (duplicates, retained copies), following the newest
 * event started by staff, a cloned card, and what a refused publish leaves for staff.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venue.h"

static struct venue *open_venue(const char *kiosk, const char *uid)
{
	struct venue_params p = { .campaign = "wfr", .venue = "school", .kiosk = kiosk,
				  .kiosk_uid = uid, .instance = "i1", .republish_ms = 30000 };
	struct venue *v;
	char err[128];
	assert_int_equal(venue_open(&v, &p, err, sizeof err), 0);
	return v;
}

static struct store_event event(const char *name, const char *uid, long long origin)
{
	struct store_event ev;
	memset(&ev, 0, sizeof ev);
	snprintf(ev.name, sizeof ev.name, "%s", name);
	snprintf(ev.uid, sizeof ev.uid, "%s", uid);
	ev.origin_ms = origin;
	ev.goal = 500;
	ev.id = 1;
	return ev;
}

/* A peer's state message for the default event. */
static void peer_state(struct venue *v, const char *kiosk, const char *uid, const char *inst,
		       long long seq, long long p, long long n, int retained, long long now)
{
	char topic[MQTT_TOPIC_MAX], payload[512], err[256];
	snprintf(topic, sizeof topic, "tallykiosk/v1/wfr/school/write-for-rights-2026/%s", kiosk);
	snprintf(payload, sizeof payload,
		 "{\"schema\":1,\"type\":\"state\",\"venue\":\"school\",\"event\":"
		 "\"write-for-rights-2026\",\"kiosk\":\"%s\",\"instance\":\"%s\",\"seq\":%lld,"
		 "\"sent_ms\":1,\"cases\":[{\"id\":\"\",\"p\":%lld,\"n\":%lld}]}",
		 uid, inst, seq, p, n);
	int r = venue_receive(v, topic, payload, strlen(payload), retained, now, err, sizeof err);
	if (r < 0)
		fail_msg("refused: %s", err);
}

static void own_counts(struct venue *v, const struct store_event *ev, long long p, long long n,
		       long long wall)
{
	struct store_case_pn pn[1];
	memset(pn, 0, sizeof pn);
	pn[0].p = p;
	pn[0].n = n;
	venue_set_own(v, ev, pn, 1, wall, 0);
}

static void test_venue_total_and_publish(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	own_counts(v, &ev, 10, 1, 1000);
	peer_state(v, "k2", "uid2", "x", 5, 7, 0, 0, 100);
	peer_state(v, "k2", "uid2", "x", 5, 7, 0, 0, 100); /* a duplicate delivery */
	peer_state(v, "k3", "uid3", "y", 2, 4, 2, 1, 100); /* a retained copy */
	assert_int_equal(venue_total(v), 9 + 7 + 2);
	assert_int_equal(venue_display_total(v), 18);
	assert_int_equal(venue_campaign_total(v), -1);
	/* Nothing goes out before the link is up; then the event and the state, once. */
	char topic[MQTT_TOPIC_MAX], *payload;
	assert_int_equal(venue_next_publish(v, 0, topic, sizeof topic, &payload), 0);
	venue_link(v, 1, "connected", 0);
	assert_int_equal(venue_next_publish(v, 0, topic, sizeof topic, &payload), 1);
	assert_string_equal(topic, "tallykiosk/v1/wfr/school/_event/k1");
	free(payload);
	assert_int_equal(venue_next_publish(v, 0, topic, sizeof topic, &payload), 1);
	assert_string_equal(topic, "tallykiosk/v1/wfr/school/write-for-rights-2026/k1");
	assert_non_null(strstr(payload, "\"p\":10,\"n\":1"));
	free(payload);
	assert_int_equal(venue_next_publish(v, 0, topic, sizeof topic, &payload), 0);
	/* ... and everything again after republish_ms. */
	assert_int_equal(venue_wait_ms(v, 1000), 29000);
	assert_int_equal(venue_next_publish(v, 30000, topic, sizeof topic, &payload), 1);
	free(payload);
	venue_close(v);
}

static void test_follows_newest_staff_event(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	venue_set_event(v, &ev, 0, 0);
	struct mqtt_event follow;
	assert_int_equal(venue_follow(v, &follow, 0), 0);
	const char *ann = "{\"schema\":1,\"type\":\"event\",\"venue\":\"school\",\"event\":"
			  "\"assembly-0badf00d\",\"kiosk\":\"uid2\",\"name\":\"Assembly\",\"goal\":300,"
			  "\"origin_ms\":5000}";
	char err[256];
	assert_int_equal(venue_receive(v, "tallykiosk/v1/wfr/school/_event/k2", ann, strlen(ann), 1,
				       0, err, sizeof err), 1);
	assert_int_equal(venue_follow(v, &follow, 0), 1);
	assert_string_equal(follow.event, "assembly-0badf00d");
	assert_string_equal(follow.name, "Assembly");
	assert_int_equal(follow.goal, 300);
	assert_int_equal(follow.origin_ms, 5000);
	/* Not asked again while the follow is under way ... */
	assert_int_equal(venue_follow(v, &follow, 100), 0);
	/* ... and no more once this kiosk counts for it. */
	struct store_event now = event("Assembly", "assembly-0badf00d", 5000);
	venue_set_event(v, &now, 0, 200);
	assert_int_equal(venue_follow(v, &follow, 20000), 0);
	/* An older staff event of another kiosk is not followed. */
	const char *old = "{\"schema\":1,\"type\":\"event\",\"venue\":\"school\",\"event\":"
			  "\"old-00000001\",\"kiosk\":\"uid3\",\"name\":\"Old\",\"goal\":1,"
			  "\"origin_ms\":4000}";
	venue_receive(v, "tallykiosk/v1/wfr/school/_event/k3", old, strlen(old), 0, 0, err,
		      sizeof err);
	assert_int_equal(venue_follow(v, &follow, 40000), 0);
	venue_close(v);
}

static void announce(struct venue *v, const char *kiosk, const char *uid, const char *event,
		     const char *name, long long origin)
{
	char topic[MQTT_TOPIC_MAX], payload[512], err[256];
	snprintf(topic, sizeof topic, "tallykiosk/v1/wfr/school/_event/%s", kiosk);
	snprintf(payload, sizeof payload,
		 "{\"schema\":1,\"type\":\"event\",\"venue\":\"school\",\"event\":\"%s\","
		 "\"kiosk\":\"%s\",\"name\":\"%s\",\"goal\":500,\"origin_ms\":%lld}", event, uid,
		 name, origin);
	if (venue_receive(v, topic, payload, strlen(payload), 0, 0, err, sizeof err) < 0)
		fail_msg("refused: %s", err);
}

/* A reopen on another kiosk: the older event made current later wins over the mistake. */
static void test_follows_a_reopen(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event mistake = event("Mistake", "mistake-1", 5000);
	venue_set_event(v, &mistake, 0, 0);
	/* k3 is still on the mistake; k2 went back to the first event at 9000. */
	announce(v, "k3", "uid3", "mistake-1", "Mistake", 5000);
	announce(v, "k2", "uid2", "write-for-rights-2026", "Write for Rights 2026", 9000);
	struct mqtt_event follow;
	assert_int_equal(venue_follow(v, &follow, 0), 1);
	assert_string_equal(follow.event, "write-for-rights-2026");
	assert_int_equal(follow.origin_ms, 9000);
	struct store_event back = event("Write for Rights 2026", "", 9000);
	venue_set_event(v, &back, 0, 100);
	assert_string_equal(venue_event_id(v), "write-for-rights-2026");
	assert_int_equal(venue_follow(v, &follow, 20000), 0);
	/* A kiosk already on that event (cut off meanwhile) takes the reopen's later time. */
	struct venue *w = open_venue("k4", "uid4");
	struct store_event first = event("Write for Rights 2026", "", 1000);
	venue_set_event(w, &first, 0, 0);
	announce(w, "k2", "uid2", "write-for-rights-2026", "Write for Rights 2026", 9000);
	assert_int_equal(venue_follow(w, &follow, 0), 1);
	assert_string_equal(follow.event, "write-for-rights-2026");
	assert_int_equal(follow.origin_ms, 9000);
	first.origin_ms = 9000;
	venue_set_event(w, &first, 0, 100);
	assert_int_equal(venue_follow(w, &follow, 20000), 0);
	venue_close(v);
	venue_close(w);
}

/* The venue-wide rule for reopen: another kiosk has counted in this kiosk's event. */
static void test_others_counted(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	own_counts(v, &ev, 3, 0, 1000);
	char why[256];
	assert_int_equal(venue_others_counted(v, why, sizeof why), 0);
	peer_state(v, "k2", "uid2", "x", 5, 0, 0, 0, 100); /* online, nothing counted */
	assert_int_equal(venue_others_counted(v, why, sizeof why), 0);
	peer_state(v, "k3", "uid3", "y", 5, 2, 2, 0, 100); /* counted, then took back */
	assert_int_equal(venue_others_counted(v, why, sizeof why), 1);
	assert_string_equal(why, "kiosk k3 (2 letters)");
	venue_close(v);
}

static void test_duplicates_reported(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	own_counts(v, &ev, 1, 0, 1000);
	char info[512], problem[512];
	/* Our own retained state from an earlier run is no duplicate. */
	peer_state(v, "k1", "uid1", "old-instance", 500, 1, 0, 1, 0);
	venue_staff_text(v, 0, info, sizeof info, problem, sizeof problem);
	assert_null(strstr(problem, "cloned"));
	/* A live state on our topic from another instance is, and it is a problem. */
	peer_state(v, "k1", "uid1", "other", 2000, 1, 0, 0, 0);
	venue_staff_text(v, 0, info, sizeof info, problem, sizeof problem);
	assert_non_null(strstr(problem, "Another running kiosk publishes as \"k1\""));
	assert_null(strstr(info, "Another running kiosk"));
	struct venue *w = open_venue("k2", "uid2");
	peer_state(w, "k9", "uid2", "z", 1, 0, 0, 0, 0);
	venue_staff_text(w, 0, info, sizeof info, problem, sizeof problem);
	assert_non_null(strstr(problem, "Kiosk \"k9\" has this kiosk's database id"));
	venue_refused(w, "the broker refused a publish: Not authorized (135)", "t/x", 0);
	venue_staff_text(w, 0, info, sizeof info, problem, sizeof problem);
	assert_non_null(strstr(problem, "Not authorized"));
	venue_close(v);
	venue_close(w);
}

/* The venue line is information; only what staff must act on is a problem (a red strip). */
static void test_staff_text_severity(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	own_counts(v, &ev, 3, 0, 1000);
	peer_state(v, "k2", "uid2", "x", 5, 4, 0, 0, 100);
	char info[512], problem[512];
	/* Starting: no answer from the broker yet is no problem. */
	venue_staff_text(v, 100, info, sizeof info, problem, sizeof problem);
	assert_string_equal(problem, "");
	assert_non_null(strstr(info, "This kiosk 3 of 7; other kiosks: 1 online, 0 offline"));
	assert_non_null(strstr(info, "Connecting"));
	/* Connected: information only. */
	venue_link(v, 1, "connected", 200);
	venue_staff_text(v, 300, info, sizeof info, problem, sizeof problem);
	assert_string_equal(problem, "");
	assert_string_equal(info, "This kiosk 3 of 7; other kiosks: 1 online, 0 offline");
	/* The broker unreachable is a problem; the share stays information. */
	venue_link(v, 0, "connection refused", 400);
	venue_staff_text(v, 500, info, sizeof info, problem, sizeof problem);
	assert_string_equal(info, "This kiosk 3 of 7; other kiosks: 1 online, 0 offline");
	assert_non_null(strstr(problem, "Not connected to the venue (connection refused)"));
	/* Back: the problem goes away. */
	venue_link(v, 1, "connected", 600);
	venue_staff_text(v, 700, info, sizeof info, problem, sizeof problem);
	assert_string_equal(problem, "");
	/* A refused publish is a problem until a publish is accepted again. */
	venue_refused(v, "the broker refused a publish: Not authorized (135)", "t/x", 800);
	venue_staff_text(v, 900, info, sizeof info, problem, sizeof problem);
	assert_non_null(strstr(problem, "The broker refuses this kiosk's counts (Not authorized"));
	venue_accepted(v);
	venue_staff_text(v, 1000, info, sizeof info, problem, sizeof problem);
	assert_string_equal(problem, "");
	venue_close(v);
}

static void test_saves_and_restore(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	own_counts(v, &ev, 2, 0, 1000);
	peer_state(v, "k2", "uid2", "x", 5, 7, 0, 0, 100);
	char *blob = venue_take_saves(v);
	assert_non_null(blob);
	assert_string_equal(blob, "tallykiosk/v1/wfr/school/write-for-rights-2026/k2");
	assert_null(venue_take_saves(v));
	/* A restart: the kept state comes back from the store, before any broker. */
	struct venue *again = open_venue("k1", "uid1");
	venue_restore(again, blob, blob + strlen(blob) + 1);
	own_counts(again, &ev, 2, 0, 2000);
	assert_int_equal(venue_total(again), 9);
	free(blob);
	venue_close(v);
	venue_close(again);
}

static void test_follows_newer_goal(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Assembly", "assembly-0badf00d", 5000);
	venue_set_event(v, &ev, 6000, 0);
	char err[256];
	const char *fmt = "{\"schema\":1,\"type\":\"event\",\"venue\":\"school\",\"event\":"
			  "\"assembly-0badf00d\",\"kiosk\":\"uid2\",\"name\":\"Assembly\",\"goal\":%d,"
			  "\"origin_ms\":5000,\"goal_ms\":%d}";
	char ann[512];
	snprintf(ann, sizeof ann, fmt, 800, 7000);
	venue_receive(v, "tallykiosk/v1/wfr/school/_event/k2", ann, strlen(ann), 0, 0, err, sizeof err);
	long long goal;
	assert_int_equal(venue_follow_goal(v, &goal, 0), 1);
	assert_int_equal(goal, 800);
	assert_int_equal(venue_follow_goal(v, &goal, 100), 0); /* under way */
	ev.goal = 800;
	venue_set_event(v, &ev, 8000, 200);
	assert_int_equal(venue_follow_goal(v, &goal, 20000), 0);
	/* A goal set here later wins over an older one heard afterwards. */
	ev.goal = 900;
	venue_set_event(v, &ev, 9000, 300);
	snprintf(ann, sizeof ann, fmt, 100, 8500);
	venue_receive(v, "tallykiosk/v1/wfr/school/_event/k3", ann, strlen(ann), 0, 0, err, sizeof err);
	assert_int_equal(venue_follow_goal(v, &goal, 40000), 0);
	venue_close(v);
}

/* A kiosk restored from an old backup publishes what the venue held for it, never less. */
static void test_restored_kiosk_never_publishes_less(void **state)
{
	(void)state;
	struct venue *v = open_venue("k1", "uid1");
	struct store_event ev = event("Write for Rights 2026", "", 0);
	venue_link(v, 1, "connected", 0);
	peer_state(v, "k1", "uid1", "before-restore", 900, 10, 2, 1, 0); /* its retained state */
	own_counts(v, &ev, 1, 0, 1000);                                 /* its restored rows */
	char topic[MQTT_TOPIC_MAX], *payload, *last = NULL;
	while (venue_next_publish(v, 0, topic, sizeof topic, &payload)) {
		free(last);
		last = payload;
	}
	assert_non_null(last);
	assert_non_null(strstr(last, "\"p\":10,\"n\":2"));
	free(last);
	assert_int_equal(venue_total(v), 8);
	venue_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_venue_total_and_publish),
		cmocka_unit_test(test_follows_newest_staff_event),
		cmocka_unit_test(test_duplicates_reported),
		cmocka_unit_test(test_follows_a_reopen),
		cmocka_unit_test(test_others_counted),
		cmocka_unit_test(test_staff_text_severity),
		cmocka_unit_test(test_saves_and_restore),
		cmocka_unit_test(test_follows_newer_goal),
		cmocka_unit_test(test_restored_kiosk_never_publishes_less),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
