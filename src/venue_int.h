/*
 * Private to venue.c (what a kiosk hears, publishes and follows) and venue_show.c (what it
 * shows: totals, the staff strip, status and export): the venue's state.
 */
#ifndef TALLYKIOSK_VENUE_INT_H
#define TALLYKIOSK_VENUE_INT_H

#include "venue.h"

struct save {
	char topic[MQTT_TOPIC_MAX];
	char *payload;
};

struct venue {
	char campaign[PN_ID_MAX], venue[PN_ID_MAX], kiosk[PN_ID_MAX], kiosk_uid[PN_ID_MAX],
		instance[PN_ID_MAX];
	int campaign_scope;
	long long republish_ms;

	struct pn_set set;
	struct pn_state own; /* this kiosk's state for its current event, as published */
	struct pn_state own_local; /* the same from its own rows only */
	int have_own;
	struct mqtt_event own_ann;
	int have_ann;
	struct mqtt_event anns[VENUE_MAX_KIOSKS]; /* the venue's announcements, by kiosk */
	long long ann_seen[VENUE_MAX_KIOSKS];
	int n_anns;

	int up;
	int state_due, ann_due;
	long long next_republish;
	char following[PN_ID_MAX];
	long long follow_at;
	long long goal_asked, goal_asked_at; /* a goal being followed, and since when */

	char link_text[256];
	char refused[320];
	char refused_reason[96];
	char duplicate[320];
	int ever_answered;  /* the broker answered once (connected or refused) */
	struct save *saves;
	int n_saves;
};

#endif
