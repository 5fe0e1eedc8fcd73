/*
 * The venue's shared tally as a state-based PN-counter: pure merge, no I/O.
 *
 * Each kiosk owns one state per event: for every case a grow-only count P (presses and adds)
 * and a grow-only count N (what undo took back). A kiosk only ever publishes its own state;
 * every kiosk keeps the states it received, one per (venue, event, kiosk), joined element by
 * element with max. The join is idempotent, commutative and associative, so a duplicate
 * delivery cannot count twice, order does not matter, a lost state is repaired by the next,
 * and an old state (a stale sequence, a kiosk restored from an old backup) can never lower
 * what is shown. A total is the sum over kiosks of P - N.
 */
#ifndef TALLYKIOSK_PNCOUNTER_H
#define TALLYKIOSK_PNCOUNTER_H

#include <stddef.h>

/* Ids (venue, event, kiosk, instance, case): 1 to PN_ID_MAX - 1 bytes. */
#define PN_ID_MAX 64
/* Cases per state: one per GPIO input (16) and the room's tally (id ""). */
#define PN_CASES_MAX 17
/* Largest P or N: far beyond any campaign, far from overflow when hundreds are summed. */
#define PN_COUNT_MAX 1000000000000LL
/* States kept at most (venue scope: a season's events x kiosks; campaign scope: all). */
#define PN_SET_MAX 20000

struct pn_case {
	char id[PN_ID_MAX]; /* "" = counted for the room, not for a case */
	long long p, n;
};

struct pn_state {
	char venue[PN_ID_MAX], event[PN_ID_MAX];
	char kiosk[PN_ID_MAX];    /* the kiosk's name in the topic (its MQTT identity) */
	char kiosk_uid[PN_ID_MAX]; /* the id made by its database: two cards cloned share it */
	char instance[PN_ID_MAX]; /* new at every start of the kiosk */
	long long seq;            /* grows with every state the kiosk publishes */
	long long sent_ms;        /* wall clock of the sender, informative */
	struct pn_case cases[PN_CASES_MAX];
	int n_cases;
};

/* P - N over all cases. */
long long pn_total(const struct pn_state *s);

/* The case with that id, or NULL. */
const struct pn_case *pn_case_find(const struct pn_state *s, const char *id);

/*
 * Joins from into into: per case max(P), max(N); seq = the larger; the sender fields (kiosk_uid,
 * instance, sent_ms) follow the state with the larger seq. Both must be of the same
 * (venue, event, kiosk). Returns 1 if into's counts changed, 0 if not, -1 if from has a case
 * more than PN_CASES_MAX allows (into is then unchanged).
 */
int pn_join(struct pn_state *into, const struct pn_state *from);

enum pn_result {
	PN_ADDED,     /* first state of this (venue, event, kiosk) */
	PN_NEWER,     /* a larger sequence */
	PN_DUPLICATE, /* the same sequence again: nothing changes */
	PN_STALE,     /* a smaller sequence: joined, which cannot lower anything */
	PN_FULL,      /* PN_SET_MAX states already: not kept */
	PN_INVALID,   /* a case too many */
};

struct pn_entry {
	struct pn_state st;
	long long seen_ms; /* the receiver's clock when a state of this kiosk last arrived */
};

struct pn_set {
	struct pn_entry *e;
	int n, cap;
};

void pn_set_init(struct pn_set *set);
void pn_set_free(struct pn_set *set);

/*
 * Merges s into the set at time now_ms. *changed (may be NULL) is set to 1 when a total could
 * have changed. The entry that holds the result is in *entry (may be NULL) unless PN_FULL or
 * PN_INVALID.
 */
enum pn_result pn_set_apply(struct pn_set *set, const struct pn_state *s, long long now_ms,
			    int *changed, struct pn_entry **entry);

/* The entry of (venue, event, kiosk), or NULL. */
struct pn_entry *pn_set_find(struct pn_set *set, const char *venue, const char *event,
			     const char *kiosk);

/* Sum of P - N over the states of venue and event; NULL matches every venue or event. */
long long pn_set_total(const struct pn_set *set, const char *venue, const char *event);

/* Per-case sums over the states of venue and event (NULL = all): up to max cases into out,
 * in order of first appearance. Returns the number of distinct cases (may exceed max). */
int pn_set_cases(const struct pn_set *set, const char *venue, const char *event,
		 struct pn_case *out, int max);

const char *pn_result_name(enum pn_result r);

#endif
