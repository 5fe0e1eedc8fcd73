/* See pncounter.h. */
#include "pncounter.h"

#include <stdlib.h>
#include <string.h>

long long pn_total(const struct pn_state *s)
{
	long long t = 0;
	for (int i = 0; i < s->n_cases; i++)
		t += s->cases[i].p - s->cases[i].n;
	return t;
}

const struct pn_case *pn_case_find(const struct pn_state *s, const char *id)
{
	for (int i = 0; i < s->n_cases; i++)
		if (strcmp(s->cases[i].id, id) == 0)
			return &s->cases[i];
	return NULL;
}

static long long max_ll(long long a, long long b)
{
	return a > b ? a : b;
}

int pn_join(struct pn_state *into, const struct pn_state *from)
{
	/* Count the new cases first, so a join that does not fit changes nothing. */
	int extra = 0;
	for (int i = 0; i < from->n_cases; i++)
		if (!pn_case_find(into, from->cases[i].id))
			extra++;
	if (into->n_cases + extra > PN_CASES_MAX)
		return -1;
	int changed = 0;
	for (int i = 0; i < from->n_cases; i++) {
		const struct pn_case *f = &from->cases[i];
		struct pn_case *c = (struct pn_case *)pn_case_find(into, f->id);
		if (!c) {
			c = &into->cases[into->n_cases++];
			memset(c, 0, sizeof *c);
			memcpy(c->id, f->id, sizeof c->id);
			if (f->p || f->n)
				changed = 1;
		}
		if (f->p > c->p || f->n > c->n)
			changed = 1;
		c->p = max_ll(c->p, f->p);
		c->n = max_ll(c->n, f->n);
	}
	if (from->seq > into->seq) {
		into->seq = from->seq;
		memcpy(into->kiosk_uid, from->kiosk_uid, sizeof into->kiosk_uid);
		memcpy(into->instance, from->instance, sizeof into->instance);
		into->sent_ms = from->sent_ms;
	}
	return changed;
}

void pn_set_init(struct pn_set *set)
{
	memset(set, 0, sizeof *set);
}

void pn_set_free(struct pn_set *set)
{
	free(set->e);
	memset(set, 0, sizeof *set);
}

struct pn_entry *pn_set_find(struct pn_set *set, const char *venue, const char *event,
			     const char *kiosk)
{
	for (int i = 0; i < set->n; i++) {
		struct pn_state *s = &set->e[i].st;
		if (!strcmp(s->kiosk, kiosk) && !strcmp(s->event, event) && !strcmp(s->venue, venue))
			return &set->e[i];
	}
	return NULL;
}

enum pn_result pn_set_apply(struct pn_set *set, const struct pn_state *s, long long now_ms,
			    int *changed, struct pn_entry **entry)
{
	int dummy;
	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (entry)
		*entry = NULL;
	if (s->n_cases < 0 || s->n_cases > PN_CASES_MAX)
		return PN_INVALID;
	struct pn_entry *e = pn_set_find(set, s->venue, s->event, s->kiosk);
	if (!e) {
		if (set->n >= PN_SET_MAX)
			return PN_FULL;
		if (set->n == set->cap) {
			int cap = set->cap ? set->cap * 2 : 16;
			struct pn_entry *more = realloc(set->e, (size_t)cap * sizeof *more);
			if (!more)
				return PN_FULL;
			set->e = more;
			set->cap = cap;
		}
		e = &set->e[set->n++];
		e->st = *s;
		e->seen_ms = now_ms;
		*changed = pn_total(s) != 0 || s->n_cases > 0;
		if (entry)
			*entry = e;
		return PN_ADDED;
	}
	long long old_seq = e->st.seq;
	int r = pn_join(&e->st, s);
	if (r < 0)
		return PN_INVALID;
	*changed = r;
	e->seen_ms = now_ms;
	if (entry)
		*entry = e;
	if (s->seq > old_seq)
		return PN_NEWER;
	return s->seq == old_seq ? PN_DUPLICATE : PN_STALE;
}

static int matches(const struct pn_state *s, const char *venue, const char *event)
{
	return (!venue || !strcmp(s->venue, venue)) && (!event || !strcmp(s->event, event));
}

long long pn_set_total(const struct pn_set *set, const char *venue, const char *event)
{
	long long t = 0;
	for (int i = 0; i < set->n; i++)
		if (matches(&set->e[i].st, venue, event))
			t += pn_total(&set->e[i].st);
	return t;
}

int pn_set_cases(const struct pn_set *set, const char *venue, const char *event,
		 struct pn_case *out, int max)
{
	int n = 0, distinct = 0;
	for (int i = 0; i < set->n; i++) {
		const struct pn_state *s = &set->e[i].st;
		if (!matches(s, venue, event))
			continue;
		for (int c = 0; c < s->n_cases; c++) {
			const struct pn_case *sc = &s->cases[c];
			int k;
			for (k = 0; k < n; k++)
				if (!strcmp(out[k].id, sc->id))
					break;
			if (k < n) {
				out[k].p += sc->p;
				out[k].n += sc->n;
				continue;
			}
			/* Counted, but kept only while there is room. */
			int seen = 0;
			for (int j = 0; j < i && !seen; j++)
				if (matches(&set->e[j].st, venue, event) &&
				    pn_case_find(&set->e[j].st, sc->id))
					seen = 1;
			if (!seen)
				distinct++;
			if (n < max) {
				out[n] = *sc;
				n++;
			}
		}
	}
	return distinct;
}

const char *pn_result_name(enum pn_result r)
{
	switch (r) {
	case PN_ADDED: return "added";
	case PN_NEWER: return "newer";
	case PN_DUPLICATE: return "duplicate";
	case PN_STALE: return "stale";
	case PN_FULL: return "full";
	case PN_INVALID: return "invalid";
	}
	return "?";
}
