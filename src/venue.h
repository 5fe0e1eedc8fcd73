/*
 * A kiosk's view of its venue (and campaign): what it publishes, what it heard, what it shows.
 * Pure: no network, no database. The link (mqtt_link.c) brings messages in and takes
 * publishes out; the store keeps this kiosk's counts and the peers' last states.
 *
 * This kiosk publishes, retained, its own state for its current event and an announcement of
 * that event; it sums the latest state of every kiosk (pncounter.h). An event started by
 * staff on any kiosk (origin_ms > 0) becomes the venue's current event when it is the newest
 * announced; the other kiosks follow it (venue_follow). See docs/several-kiosks.md.
 */
#ifndef TALLYKIOSK_VENUE_H
#define TALLYKIOSK_VENUE_H

#include <stddef.h>

#include "mqtt_payload.h"
#include "pncounter.h"
#include "sbuf.h"
#include "store.h"

/* Kiosks whose announcements are kept (per venue); more are ignored. */
#define VENUE_MAX_KIOSKS 256

struct venue_params {
	const char *campaign, *venue;
	const char *kiosk;      /* this kiosk's name in topics */
	const char *kiosk_uid;  /* its database's id */
	const char *instance;   /* new at every start */
	int campaign_scope;     /* 1: show the campaign's total */
	long long republish_ms; /* publish everything again this often */
};

struct venue;

/* Returns 0, or -1 if out of memory or a parameter is not an id (err says which). */
int venue_open(struct venue **out, const struct venue_params *p, char *err, size_t errlen);
void venue_close(struct venue *v);

/* A state or announcement kept in the store from an earlier run. Bad ones are skipped. */
void venue_restore(struct venue *v, const char *topic, const char *payload);

/* This kiosk's committed current event and its per-case counts (store_case_pn). wall_ms:
 * the wall clock, for sequence numbers. */
void venue_set_own(struct venue *v, const struct store_event *ev,
		   const struct store_case_pn *pn, int n, long long wall_ms, long long now_ms);

/* The current event changed (before its counts are known): announce it. */
void venue_set_event(struct venue *v, const struct store_event *ev, long long wall_ms,
		     long long now_ms);

/*
 * A message from the broker. retained: delivered because we subscribed (a stored state), not
 * sent just now. Returns 1 if what is shown may have changed, 0 if not, -1 if it was refused
 * (err says why; such messages are logged once in a while, not shown).
 */
int venue_receive(struct venue *v, const char *topic, const char *payload, size_t len,
		  int retained, long long now_ms, char *err, size_t errlen);

/* The link is up (1: publish everything again) or down. */
void venue_link(struct venue *v, int up, const char *why, long long now_ms);
/* The broker refused a publish or subscription: shown to staff until the next success. */
void venue_refused(struct venue *v, const char *what, const char *topic, long long now_ms);

/* A publish was accepted again: the refusal is no longer shown. */
void venue_accepted(struct venue *v);

/*
 * The next message to publish now (topic into topic, payload malloc'd into *payload), or 0
 * when nothing is due. Call until it returns 0. If publishing fails, call venue_link(v, 0).
 */
int venue_next_publish(struct venue *v, long long now_ms, char *topic, size_t topiclen,
		       char **payload);

/* Milliseconds until venue_next_publish has something (republish), or -1. */
long long venue_wait_ms(const struct venue *v, long long now_ms);

/* 1 if this kiosk should follow a newer event of its venue, or take the later time at which
 * the venue made its own event current again (a reopen): *ev says which. Not again for the
 * same event until a few seconds passed or the own event changed. */
int venue_follow(struct venue *v, struct mqtt_event *ev, long long now_ms);

/* The venue id of this kiosk's current event. */
const char *venue_event_id(const struct venue *v);

/* How many other kiosks of the venue counted in this kiosk's current event, as far as their
 * states say (taken back or not); why lists them ("kiosk k3 (2 letters), ..."). */
int venue_others_counted(const struct venue *v, char *why, size_t len);

/* 1 if another kiosk set a newer goal for this kiosk's event: *goal says which. */
int venue_follow_goal(struct venue *v, long long *goal, long long now_ms);

/* States heard since the last call, to keep in the store: "topic\0payload\0"... ending in an
 * empty topic, malloc'd; NULL if none (or out of memory: they are heard again). */
char *venue_take_saves(struct venue *v);

/* What the big number shows: the venue's total for the current event, or the campaign's. */
long long venue_display_total(const struct venue *v);
long long venue_total(const struct venue *v);
/* -1 when not subscribed to the campaign. */
long long venue_campaign_total(const struct venue *v);

/* Appends ,"venue_total":..,"campaign_total":..,"kiosks":[...],"mqtt":{...} (no braces). */
void venue_status_json(const struct venue *v, long long now_ms, struct sbuf *b);
/* The staff strip's parts, each "" or parts joined by " | ": information (this kiosk's
 * share, the peers online) and problems staff must act on (no broker, a refused publish, a
 * duplicate kiosk id). */
void venue_staff_text(const struct venue *v, long long now_ms, char *info, size_t info_len,
		      char *problem, size_t problem_len);
/* The venue's current event per case and per kiosk, as CSV (header line first). */
void venue_export_csv(const struct venue *v, struct sbuf *b);

#endif
