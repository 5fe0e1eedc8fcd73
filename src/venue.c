/* See venue.h. */
#include "venue.h"
#include "venue_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOLLOW_RETRY_MS 10000
#define SAVES_MAX 4096

static void copy_id(char *dst, const char *src)
{
	snprintf(dst, PN_ID_MAX, "%s", src ? src : "");
}

int venue_open(struct venue **out, const struct venue_params *p, char *err, size_t errlen)
{
	*out = NULL;
	const char *names[] = { "campaign", "venue", "kiosk", "kiosk id", "instance" };
	const char *vals[] = { p->campaign, p->venue, p->kiosk, p->kiosk_uid, p->instance };
	for (int i = 0; i < 5; i++)
		if (!vals[i] || !mqtt_id_ok(vals[i])) {
			snprintf(err, errlen, "%s \"%s\" is not an id (1 to %d of A-Z a-z 0-9 . _ -)",
				 names[i], vals[i] ? vals[i] : "", PN_ID_MAX - 1);
			return -1;
		}
	struct venue *v = calloc(1, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	copy_id(v->campaign, p->campaign);
	copy_id(v->venue, p->venue);
	copy_id(v->kiosk, p->kiosk);
	copy_id(v->kiosk_uid, p->kiosk_uid);
	copy_id(v->instance, p->instance);
	v->campaign_scope = p->campaign_scope;
	v->republish_ms = p->republish_ms > 0 ? p->republish_ms : 30000;
	pn_set_init(&v->set);
	snprintf(v->link_text, sizeof v->link_text, "connecting");
	*out = v;
	return 0;
}

void venue_close(struct venue *v)
{
	if (!v)
		return;
	pn_set_free(&v->set);
	for (int i = 0; i < v->n_saves; i++)
		free(v->saves[i].payload);
	free(v->saves);
	free(v);
}

/* The event's id across the venue: its uid, or for an event never started by staff (the
 * first of every new database) one derived from its name, so kiosks set up alike agree. */
static void event_id(const struct store_event *ev, char *out)
{
	if (ev->uid[0] && mqtt_id_ok(ev->uid))
		copy_id(out, ev->uid);
	else
		mqtt_event_id(ev->name, 0, 0, out, PN_ID_MAX);
}

static void keep_save(struct venue *v, const char *topic, const char *payload, size_t len)
{
	int i;
	for (i = 0; i < v->n_saves; i++)
		if (!strcmp(v->saves[i].topic, topic))
			break;
	if (i == v->n_saves) {
		if (v->n_saves >= SAVES_MAX)
			return;
		struct save *more = realloc(v->saves, (size_t)(v->n_saves + 1) * sizeof *more);
		if (!more)
			return;
		v->saves = more;
		snprintf(v->saves[i].topic, MQTT_TOPIC_MAX, "%s", topic);
		v->saves[i].payload = NULL;
		v->n_saves++;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, payload, len);
	copy[len] = '\0';
	free(v->saves[i].payload);
	v->saves[i].payload = copy;
}

char *venue_take_saves(struct venue *v)
{
	if (!v->n_saves)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < v->n_saves; i++)
		if (v->saves[i].payload)
			len += strlen(v->saves[i].topic) + strlen(v->saves[i].payload) + 2;
	char *blob = malloc(len), *o = blob;
	for (int i = 0; i < v->n_saves; i++) {
		if (blob && v->saves[i].payload) {
			size_t t = strlen(v->saves[i].topic) + 1, p = strlen(v->saves[i].payload) + 1;
			memcpy(o, v->saves[i].topic, t);
			memcpy(o + t, v->saves[i].payload, p);
			o += t + p;
		}
		free(v->saves[i].payload);
	}
	if (blob)
		*o = '\0';
	v->n_saves = 0;
	return blob;
}

static struct mqtt_event *find_ann(struct venue *v, const char *kiosk, int *index)
{
	for (int i = 0; i < v->n_anns; i++)
		if (!strcmp(v->anns[i].kiosk, kiosk)) {
			if (index)
				*index = i;
			return &v->anns[i];
		}
	return NULL;
}

/* Keeps an announcement of this venue. Returns 1 if it was new or changed. */
static int take_ann(struct venue *v, const struct mqtt_event *e, long long seen)
{
	int i;
	struct mqtt_event *a = find_ann(v, e->kiosk, &i);
	if (!a) {
		if (v->n_anns >= VENUE_MAX_KIOSKS)
			return 0;
		i = v->n_anns++;
		a = &v->anns[i];
		v->ann_seen[i] = 0;
	} else if (!memcmp(a, e, sizeof *a)) {
		if (seen)
			v->ann_seen[i] = seen;
		return 0;
	}
	*a = *e;
	if (seen)
		v->ann_seen[i] = seen;
	return 1;
}

void venue_restore(struct venue *v, const char *topic, const char *payload)
{
	struct mqtt_topic t;
	char err[256];
	enum mqtt_topic_kind k = mqtt_topic_parse(topic, &t);
	if (strcmp(t.campaign, v->campaign) != 0)
		return;
	if (k == MQTT_TOPIC_STATE) {
		struct pn_state s;
		if (!mqtt_parse_state(payload, strlen(payload), &t, &s, err, sizeof err)) {
			struct pn_entry *e;
			if (pn_set_apply(&v->set, &s, 0, NULL, &e) <= PN_STALE && e)
				e->seen_ms = 0; /* kept, but not a sign of life */
		}
	} else if (k == MQTT_TOPIC_EVENT && !strcmp(t.venue, v->venue)) {
		struct mqtt_event e;
		if (!mqtt_parse_event(payload, strlen(payload), &t, &e, err, sizeof err))
			take_ann(v, &e, 0);
	}
}

void venue_set_event(struct venue *v, const struct store_event *ev, long long wall_ms,
		     long long now_ms)
{
	struct mqtt_event a;
	memset(&a, 0, sizeof a);
	copy_id(a.venue, v->venue);
	event_id(ev, a.event);
	copy_id(a.kiosk, v->kiosk);
	copy_id(a.kiosk_uid, v->kiosk_uid);
	snprintf(a.name, sizeof a.name, "%s", ev->name);
	a.goal = ev->goal;
	a.origin_ms = ev->origin_ms;
	int event_changed = !v->have_ann || strcmp(a.event, v->own_ann.event) != 0;
	/* A goal set here is newer than any the venue knows; a new event's goal dates from its
	 * start (it came with it). */
	a.goal_ms = event_changed ? ev->origin_ms
		    : a.goal != v->own_ann.goal ? wall_ms : v->own_ann.goal_ms;
	if (v->have_ann && !memcmp(&a, &v->own_ann, sizeof a))
		return;
	v->own_ann = a;
	v->have_ann = 1;
	v->ann_due = 1;
	take_ann(v, &a, now_ms);
	if (event_changed) {
		v->following[0] = '\0';
		/* A new event starts with nothing counted: its first state goes out now. */
		struct pn_state s;
		memset(&s, 0, sizeof s);
		copy_id(s.venue, v->venue);
		copy_id(s.event, a.event);
		copy_id(s.kiosk, v->kiosk);
		copy_id(s.kiosk_uid, v->kiosk_uid);
		copy_id(s.instance, v->instance);
		s.seq = v->have_own ? v->own.seq : 0;
		v->own = s;
		v->own_local = s;
		v->have_own = 1;
		v->state_due = 1;
	}
}

void venue_set_own(struct venue *v, const struct store_event *ev,
		   const struct store_case_pn *pn, int n, long long wall_ms, long long now_ms)
{
	venue_set_event(v, ev, wall_ms, now_ms);
	struct pn_state s = v->own;
	s.n_cases = 0;
	for (int i = 0; i < n && i < PN_CASES_MAX; i++) {
		if (!pn[i].p && !pn[i].n && pn[i].id[0])
			continue;
		struct pn_case *c = &s.cases[s.n_cases++];
		memset(c, 0, sizeof *c);
		snprintf(c->id, sizeof c->id, "%s", pn[i].id);
		c->p = pn[i].p;
		c->n = pn[i].n;
	}
	int same = s.n_cases == v->own_local.n_cases;
	for (int i = 0; same && i < s.n_cases; i++) {
		const struct pn_case *c = pn_case_find(&v->own_local, s.cases[i].id);
		same = c && c->p == s.cases[i].p && c->n == s.cases[i].n;
	}
	if (same && v->own.seq)
		return;
	/* The wall clock keeps sequences growing across restarts without storing them. */
	s.seq = wall_ms > v->own.seq ? wall_ms : v->own.seq + 1;
	s.sent_ms = wall_ms;
	v->own_local = s;
	/* What is published is joined with what the venue already holds for this kiosk: a kiosk
	 * restored from an old backup, or started on a copy of an old card, never publishes less
	 * than it did, so no kiosk that starts later shows less either. */
	struct pn_entry *e;
	pn_set_apply(&v->set, &s, now_ms, NULL, &e);
	if (e) {
		struct pn_state joined = e->st;
		joined.seq = s.seq;
		joined.sent_ms = s.sent_ms;
		memcpy(joined.kiosk_uid, s.kiosk_uid, sizeof joined.kiosk_uid);
		memcpy(joined.instance, s.instance, sizeof joined.instance);
		s = joined;
		e->st = joined;
	}
	v->own = s;
	v->state_due = 1;
}

static int is_own_venue(const struct venue *v, const struct mqtt_topic *t)
{
	return !strcmp(t->campaign, v->campaign) && !strcmp(t->venue, v->venue);
}

int venue_receive(struct venue *v, const char *topic, const char *payload, size_t len,
		  int retained, long long now_ms, char *err, size_t errlen)
{
	struct mqtt_topic t;
	enum mqtt_topic_kind k = mqtt_topic_parse(topic, &t);
	if (k == MQTT_TOPIC_OTHER || strcmp(t.campaign, v->campaign) != 0) {
		snprintf(err, errlen, "not a tallykiosk topic of campaign %s", v->campaign);
		return -1;
	}
	if (k == MQTT_TOPIC_EVENT) {
		struct mqtt_event e;
		if (mqtt_parse_event(payload, len, &t, &e, err, errlen))
			return -1;
		if (!is_own_venue(v, &t))
			return 0;
		if (!strcmp(t.kiosk, v->kiosk) && !retained && strcmp(e.kiosk_uid, v->kiosk_uid)) {
			snprintf(v->duplicate, sizeof v->duplicate,
				 "Another kiosk (database %.12s) also calls itself \"%s\": give each "
				 "kiosk its own name", e.kiosk_uid, v->kiosk);
		}
		if (!strcmp(t.kiosk, v->kiosk))
			return 0; /* our own announcement is what we publish */
		if (take_ann(v, &e, retained ? 0 : now_ms))
			keep_save(v, topic, payload, len);
		return 1;
	}
	struct pn_state s;
	if (mqtt_parse_state(payload, len, &t, &s, err, errlen))
		return -1;
	if (!retained && !strcmp(s.kiosk_uid, v->kiosk_uid) && strcmp(t.kiosk, v->kiosk))
		snprintf(v->duplicate, sizeof v->duplicate,
			 "Kiosk \"%s\" has this kiosk's database id: a card cloned from this one? "
			 "Give it a fresh database", t.kiosk);
	if (!retained && !strcmp(t.kiosk, v->kiosk) && strcmp(s.instance, v->instance))
		snprintf(v->duplicate, sizeof v->duplicate,
			 "Another running kiosk publishes as \"%s\": two kiosks with one name, or a "
			 "cloned card", v->kiosk);
	struct pn_entry *e = pn_set_find(&v->set, s.venue, s.event, s.kiosk);
	long long seen = e ? e->seen_ms : 0;
	int changed;
	enum pn_result r = pn_set_apply(&v->set, &s, now_ms, &changed, &e);
	if (r == PN_FULL || r == PN_INVALID) {
		snprintf(err, errlen, "state not kept: %s", pn_result_name(r));
		return -1;
	}
	if (e && retained)
		e->seen_ms = seen; /* a stored state is no sign of life */
	if (changed && e && v->have_own && !strcmp(s.kiosk, v->kiosk) &&
	    !strcmp(s.venue, v->venue) && !strcmp(s.event, v->own.event)) {
		/* More for this kiosk than it publishes (its own state from before a restore, or
		 * a clone's): publish the join, so what the broker holds never goes down. */
		long long seq = v->own.seq + 1;
		v->own = e->st;
		v->own.seq = seq;
		memcpy(v->own.kiosk_uid, v->kiosk_uid, sizeof v->own.kiosk_uid);
		memcpy(v->own.instance, v->instance, sizeof v->own.instance);
		e->st.seq = seq;
		v->state_due = 1;
	}
	if (changed || r == PN_ADDED || r == PN_NEWER) {
		/* Keep the joined state, not the message: a lower state (an old backup) must not
		 * replace a higher one in the store either. */
		char *joined = e ? mqtt_format_state(&e->st) : NULL;
		if (joined)
			keep_save(v, topic, joined, strlen(joined));
		free(joined);
	}
	return changed;
}

void venue_link(struct venue *v, int up, const char *why, long long now_ms)
{
	v->up = up;
	v->ever_answered = 1;
	snprintf(v->link_text, sizeof v->link_text, "%s", why ? why : "");
	if (up) {
		/* The broker may have lost everything (a restart on an empty file): say it all. */
		v->state_due = v->have_own;
		v->ann_due = v->have_ann;
		v->next_republish = now_ms + v->republish_ms;
	}
}

void venue_refused(struct venue *v, const char *what, const char *topic, long long now_ms)
{
	(void)now_ms;
	snprintf(v->refused, sizeof v->refused, "%s%s%s", what, topic ? " on " : "",
		 topic ? topic : "");
	/* "the broker refused a publish: Not authorized (135)" -> "Not authorized (135)" */
	const char *colon = strrchr(what, ':');
	snprintf(v->refused_reason, sizeof v->refused_reason, "%s",
		 colon ? colon + 1 + (colon[1] == ' ') : what);
}

void venue_accepted(struct venue *v)
{
	v->refused[0] = '\0';
	v->refused_reason[0] = '\0';
}

int venue_next_publish(struct venue *v, long long now_ms, char *topic, size_t topiclen,
		       char **payload)
{
	*payload = NULL;
	if (!v->up)
		return 0;
	if (now_ms >= v->next_republish) {
		v->state_due = v->have_own;
		v->ann_due = v->have_ann;
		v->next_republish = now_ms + v->republish_ms;
	}
	if (v->ann_due) {
		v->ann_due = 0;
		if (mqtt_topic_format(topic, topiclen, v->campaign, v->venue, MQTT_EVENT_LEVEL,
				      v->kiosk) == 0 && (*payload = mqtt_format_event(&v->own_ann)))
			return 1;
	}
	if (v->state_due) {
		v->state_due = 0;
		v->own.sent_ms = v->own.sent_ms ? v->own.sent_ms : 0;
		if (mqtt_topic_format(topic, topiclen, v->campaign, v->venue, v->own.event,
				      v->kiosk) == 0 && (*payload = mqtt_format_state(&v->own)))
			return 1;
	}
	return 0;
}

long long venue_wait_ms(const struct venue *v, long long now_ms)
{
	if (!v->up)
		return -1;
	if (v->state_due || v->ann_due)
		return 0;
	long long w = v->next_republish - now_ms;
	return w < 0 ? 0 : w;
}

/* 1 if announcement a is newer than b: later start, ties broken by id. */
static int newer(const struct mqtt_event *a, const struct mqtt_event *b)
{
	if (a->origin_ms != b->origin_ms)
		return a->origin_ms > b->origin_ms;
	return strcmp(a->event, b->event) > 0;
}

int venue_follow(struct venue *v, struct mqtt_event *ev, long long now_ms)
{
	if (!v->have_ann)
		return 0;
	const struct mqtt_event *best = &v->own_ann;
	for (int i = 0; i < v->n_anns; i++)
		if (v->anns[i].origin_ms > 0 && newer(&v->anns[i], best))
			best = &v->anns[i];
	/* The same event made current later (a reopen on another kiosk) is followed too: only
	 * its time changes here, so this kiosk's announcement never loses against a kiosk still
	 * on the mistake the reopen took back. */
	if (best == &v->own_ann ||
	    (!strcmp(best->event, v->own_ann.event) && best->origin_ms <= v->own_ann.origin_ms))
		return 0;
	if (!strcmp(v->following, best->event) && now_ms < v->follow_at + FOLLOW_RETRY_MS)
		return 0;
	copy_id(v->following, best->event);
	v->follow_at = now_ms;
	*ev = *best;
	return 1;
}

const char *venue_event_id(const struct venue *v)
{
	return v->own_ann.event;
}

int venue_follow_goal(struct venue *v, long long *goal, long long now_ms)
{
	if (!v->have_ann)
		return 0;
	const struct mqtt_event *best = NULL;
	for (int i = 0; i < v->n_anns; i++) {
		const struct mqtt_event *a = &v->anns[i];
		if (strcmp(a->event, v->own_ann.event) || strcmp(a->kiosk, v->kiosk) == 0)
			continue;
		if (a->goal_ms > v->own_ann.goal_ms && (!best || a->goal_ms > best->goal_ms))
			best = a;
	}
	if (!best || best->goal == v->own_ann.goal)
		return 0;
	if (best->goal == v->goal_asked && now_ms < v->goal_asked_at + FOLLOW_RETRY_MS)
		return 0;
	v->goal_asked = best->goal;
	v->goal_asked_at = now_ms;
	*goal = best->goal;
	return 1;
}
