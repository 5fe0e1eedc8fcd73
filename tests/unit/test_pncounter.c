/*
 * Unit tests for pncounter.c, the venue's merge: idempotent, commutative and associative;
 * duplicate and stale states change nothing, an old backup never lowers a total, undo only
 * grows N, and the set sums per venue and event.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pncounter.h"

static struct pn_state mk(const char *venue, const char *event, const char *kiosk,
			  long long seq)
{
	struct pn_state s;
	memset(&s, 0, sizeof s);
	snprintf(s.venue, sizeof s.venue, "%s", venue);
	snprintf(s.event, sizeof s.event, "%s", event);
	snprintf(s.kiosk, sizeof s.kiosk, "%s", kiosk);
	snprintf(s.kiosk_uid, sizeof s.kiosk_uid, "uid-%s", kiosk);
	snprintf(s.instance, sizeof s.instance, "inst-%lld", seq);
	s.seq = seq;
	return s;
}

static void set_case(struct pn_state *s, const char *id, long long p, long long n)
{
	struct pn_case *c = (struct pn_case *)pn_case_find(s, id);
	if (!c) {
		c = &s->cases[s->n_cases++];
		snprintf(c->id, sizeof c->id, "%s", id);
	}
	c->p = p;
	c->n = n;
}

static void test_total_is_p_minus_n(void **state)
{
	(void)state;
	struct pn_state s = mk("v", "e", "k1", 1);
	assert_int_equal(pn_total(&s), 0);
	set_case(&s, "", 10, 2);
	set_case(&s, "jani", 5, 1);
	assert_int_equal(pn_total(&s), 12);
}

static void test_join_is_idempotent(void **state)
{
	(void)state;
	struct pn_state a = mk("v", "e", "k1", 3);
	set_case(&a, "", 7, 1);
	struct pn_state b = a;
	assert_int_equal(pn_join(&b, &a), 0);
	assert_int_equal(pn_join(&b, &a), 0);
	assert_memory_equal(&a, &b, sizeof a);
}

static void test_join_is_commutative_and_associative(void **state)
{
	(void)state;
	struct pn_state x = mk("v", "e", "k", 1), y = mk("v", "e", "k", 2), z = mk("v", "e", "k", 3);
	set_case(&x, "", 4, 0);
	set_case(&x, "a", 1, 1);
	set_case(&y, "", 6, 1);
	set_case(&z, "b", 2, 0);
	set_case(&z, "", 5, 2);
	/* (x + y) + z */
	struct pn_state l = x;
	pn_join(&l, &y);
	pn_join(&l, &z);
	/* x + (z + y), another order */
	struct pn_state zy = z;
	pn_join(&zy, &y);
	struct pn_state r = x;
	pn_join(&r, &zy);
	assert_int_equal(pn_total(&l), pn_total(&r));
	assert_int_equal(pn_total(&l), 6 - 2 + 1 - 1 + 2);
	assert_int_equal(l.seq, 3);
	assert_int_equal(r.seq, 3);
	for (int i = 0; i < l.n_cases; i++) {
		const struct pn_case *c = pn_case_find(&r, l.cases[i].id);
		assert_non_null(c);
		assert_int_equal(c->p, l.cases[i].p);
		assert_int_equal(c->n, l.cases[i].n);
	}
	assert_int_equal(l.n_cases, r.n_cases);
}

static void test_undo_only_grows_n(void **state)
{
	(void)state;
	struct pn_set set;
	pn_set_init(&set);
	struct pn_state s = mk("v", "e", "k", 1);
	set_case(&s, "", 5, 0);
	pn_set_apply(&set, &s, 0, NULL, NULL);
	s.seq = 2;
	set_case(&s, "", 5, 1); /* an undo */
	int changed;
	assert_int_equal(pn_set_apply(&set, &s, 0, &changed, NULL), PN_NEWER);
	assert_int_equal(changed, 1);
	assert_int_equal(pn_set_total(&set, "v", "e"), 4);
	pn_set_free(&set);
}

static void test_duplicate_delivery_counts_once(void **state)
{
	(void)state;
	struct pn_set set;
	pn_set_init(&set);
	struct pn_state s = mk("v", "e", "k", 5);
	set_case(&s, "", 3, 0);
	int changed;
	assert_int_equal(pn_set_apply(&set, &s, 0, &changed, NULL), PN_ADDED);
	assert_int_equal(changed, 1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pn_set_apply(&set, &s, 0, &changed, NULL), PN_DUPLICATE);
		assert_int_equal(changed, 0);
	}
	assert_int_equal(pn_set_total(&set, "v", "e"), 3);
	assert_int_equal(set.n, 1);
	pn_set_free(&set);
}

static void test_stale_sequence_never_lowers(void **state)
{
	(void)state;
	struct pn_set set;
	pn_set_init(&set);
	struct pn_state new_state = mk("v", "e", "k", 10);
	set_case(&new_state, "", 20, 2);
	pn_set_apply(&set, &new_state, 0, NULL, NULL);
	/* A late delivery of an older state, or a kiosk restored from an old backup. */
	struct pn_state old = mk("v", "e", "k", 4);
	set_case(&old, "", 8, 0);
	int changed;
	assert_int_equal(pn_set_apply(&set, &old, 0, &changed, NULL), PN_STALE);
	assert_int_equal(changed, 0);
	assert_int_equal(pn_set_total(&set, "v", "e"), 18);
	struct pn_entry *e = pn_set_find(&set, "v", "e", "k");
	assert_non_null(e);
	assert_int_equal(e->st.seq, 10);
	assert_string_equal(e->st.instance, "inst-10");
	/* The restored kiosk counts on from its old rows with a new, larger sequence: what the
	 * others show stays at least what it was. */
	struct pn_state restored = mk("v", "e", "k", 11);
	set_case(&restored, "", 9, 0);
	assert_int_equal(pn_set_apply(&set, &restored, 0, &changed, NULL), PN_NEWER);
	assert_int_equal(pn_set_total(&set, "v", "e"), 18);
	pn_set_free(&set);
}

static void test_lost_state_repaired_by_next(void **state)
{
	(void)state;
	struct pn_set set;
	pn_set_init(&set);
	struct pn_state s = mk("v", "e", "k", 1);
	set_case(&s, "", 1, 0);
	pn_set_apply(&set, &s, 0, NULL, NULL);
	/* seq 2 and 3 lost; seq 4 carries everything. */
	s.seq = 4;
	set_case(&s, "", 4, 1);
	set_case(&s, "amina", 2, 0);
	pn_set_apply(&set, &s, 0, NULL, NULL);
	assert_int_equal(pn_set_total(&set, "v", "e"), 5);
	pn_set_free(&set);
}

static void test_set_sums_per_venue_and_event(void **state)
{
	(void)state;
	struct pn_set set;
	pn_set_init(&set);
	const char *kiosks[] = { "a", "b", "c" };
	for (int i = 0; i < 3; i++) {
		struct pn_state s = mk("school", "wfr-1", kiosks[i], 1);
		set_case(&s, "", 10 * (i + 1), i);
		set_case(&s, "jani", 1, 0);
		pn_set_apply(&set, &s, 0, NULL, NULL);
	}
	struct pn_state other_event = mk("school", "wfr-0", "a", 1);
	set_case(&other_event, "", 100, 0);
	pn_set_apply(&set, &other_event, 0, NULL, NULL);
	struct pn_state other_venue = mk("library", "lib-1", "x", 1);
	set_case(&other_venue, "", 1000, 0);
	pn_set_apply(&set, &other_venue, 0, NULL, NULL);

	assert_int_equal(pn_set_total(&set, "school", "wfr-1"), 10 + 19 + 28 + 3);
	assert_int_equal(pn_set_total(&set, "school", NULL), 60 + 100);
	assert_int_equal(pn_set_total(&set, NULL, NULL), 1160);
	struct pn_case cases[4];
	int n = pn_set_cases(&set, "school", "wfr-1", cases, 4);
	assert_int_equal(n, 2);
	assert_string_equal(cases[0].id, "");
	assert_int_equal(cases[0].p, 60);
	assert_int_equal(cases[0].n, 3);
	assert_string_equal(cases[1].id, "jani");
	assert_int_equal(cases[1].p, 3);
	pn_set_free(&set);
}

static void test_too_many_cases_changes_nothing(void **state)
{
	(void)state;
	struct pn_state into = mk("v", "e", "k", 1);
	for (int i = 0; i < PN_CASES_MAX; i++) {
		char id[16];
		snprintf(id, sizeof id, "c%d", i);
		set_case(&into, id, 1, 0);
	}
	struct pn_state from = mk("v", "e", "k", 2);
	set_case(&from, "c0", 50, 0);
	set_case(&from, "new", 1, 0);
	struct pn_state before = into;
	assert_int_equal(pn_join(&into, &from), -1);
	assert_memory_equal(&before, &into, sizeof into);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_total_is_p_minus_n),
		cmocka_unit_test(test_join_is_idempotent),
		cmocka_unit_test(test_join_is_commutative_and_associative),
		cmocka_unit_test(test_undo_only_grows_n),
		cmocka_unit_test(test_duplicate_delivery_counts_once),
		cmocka_unit_test(test_stale_sequence_never_lowers),
		cmocka_unit_test(test_lost_state_repaired_by_next),
		cmocka_unit_test(test_set_sums_per_venue_and_event),
		cmocka_unit_test(test_too_many_cases_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
