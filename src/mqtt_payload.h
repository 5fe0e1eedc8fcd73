/*
 * What kiosks say to each other over MQTT: topics and JSON payloads (jansson), pure.
 *
 * Topics (every level an id of [A-Za-z0-9._-], 1 to 63 bytes):
 *   tallykiosk/v1/CAMPAIGN/VENUE/EVENT/KIOSK    a kiosk's state for an event (retained)
 *   tallykiosk/v1/CAMPAIGN/VENUE/_event/KIOSK   the event a kiosk counts for (retained)
 * so one ACL line lets a kiosk write only its own topics (tallykiosk/v1/+/+/+/%u).
 *
 * A state: {"schema":1,"type":"state","venue":V,"event":E,"kiosk":UID,"instance":I,"seq":N,
 *           "sent_ms":T,"cases":[{"id":"","p":P,"n":N},...]}
 * An event: {"schema":1,"type":"event","venue":V,"event":E,"kiosk":UID,"name":NAME,"goal":G,
 *            "origin_ms":T,"goal_ms":T2}   (goal_ms may be missing: 0)
 * Everything received is untrusted: the parsers check size, schema, types, ranges and text,
 * and a payload must agree with its topic.
 */
#ifndef TALLYKIOSK_MQTT_PAYLOAD_H
#define TALLYKIOSK_MQTT_PAYLOAD_H

#include <stddef.h>

#include "pncounter.h"

#define MQTT_SCHEMA 1
#define MQTT_PAYLOAD_MAX 8192
#define MQTT_TOPIC_MAX 320
#define MQTT_EVENT_LEVEL "_event"
#define MQTT_NAME_MAX 128

/* A kiosk's announcement of the event it counts for. */
struct mqtt_event {
	char venue[PN_ID_MAX], event[PN_ID_MAX];
	char kiosk[PN_ID_MAX];     /* from the topic */
	char kiosk_uid[PN_ID_MAX]; /* from the payload */
	char name[MQTT_NAME_MAX];
	long long goal;
	long long origin_ms; /* when the event was started (wall clock ms); 0 = never announced:
			      * the first event of a new database */
	long long goal_ms;   /* when its goal was last set (wall clock ms; 0 = unknown) */
};

enum mqtt_topic_kind { MQTT_TOPIC_OTHER, MQTT_TOPIC_STATE, MQTT_TOPIC_EVENT };

struct mqtt_topic {
	char campaign[PN_ID_MAX], venue[PN_ID_MAX], event[PN_ID_MAX], kiosk[PN_ID_MAX];
};

/* 1 if s can be a topic level here: 1..PN_ID_MAX-1 bytes of [A-Za-z0-9._-], not "_event". */
int mqtt_id_ok(const char *s);

/* Splits a received topic. MQTT_TOPIC_OTHER if it is none of ours (t then undefined). */
enum mqtt_topic_kind mqtt_topic_parse(const char *topic, struct mqtt_topic *t);

/* Writes a state topic (event = an event id) or an event topic (event = MQTT_EVENT_LEVEL).
 * Returns 0, or -1 if a level is not an id or it does not fit. */
int mqtt_topic_format(char *buf, size_t len, const char *campaign, const char *venue,
		      const char *event, const char *kiosk);

/*
 * Parses a state published on topic t. The venue, event and kiosk come from the topic and must
 * match the payload's venue and event. Returns 0, or -1 with a reason in err (an unknown
 * schema says so: "schema 2 is not known ...").
 */
int mqtt_parse_state(const char *buf, size_t len, const struct mqtt_topic *t,
		     struct pn_state *out, char *err, size_t errlen);
int mqtt_parse_event(const char *buf, size_t len, const struct mqtt_topic *t,
		     struct mqtt_event *out, char *err, size_t errlen);

/* The payloads, malloc'd (caller frees); NULL if out of memory or a field is invalid. */
char *mqtt_format_state(const struct pn_state *s);
char *mqtt_format_event(const struct mqtt_event *e);

/*
 * An event id for a new event: a slug of its name (a-z, 0-9, '-', at most 40 bytes) and, with
 * suffix set, "-" and 8 hex digits from random. Returns 0 or -1 if it does not fit.
 */
int mqtt_event_id(const char *name, unsigned random, int suffix, char *buf, size_t len);

#endif
