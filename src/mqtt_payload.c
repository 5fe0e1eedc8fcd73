/* See mqtt_payload.h. Every field is checked before it is copied: the input is the network. */
#include "mqtt_payload.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textcheck.h"

#define PREFIX "tallykiosk/v1/"

int mqtt_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= PN_ID_MAX || strcmp(s, MQTT_EVENT_LEVEL) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Copies the level at *p (up to '/' or the end) into out; advances *p past it. */
static int take_level(const char **p, char *out)
{
	const char *end = strchr(*p, '/');
	size_t n = end ? (size_t)(end - *p) : strlen(*p);
	if (n == 0 || n >= PN_ID_MAX)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + (end ? 1 : 0);
	return end ? 1 : 0; /* 1: more levels follow */
}

enum mqtt_topic_kind mqtt_topic_parse(const char *topic, struct mqtt_topic *t)
{
	memset(t, 0, sizeof *t);
	if (strncmp(topic, PREFIX, strlen(PREFIX)) != 0)
		return MQTT_TOPIC_OTHER;
	const char *p = topic + strlen(PREFIX);
	char *levels[4] = { t->campaign, t->venue, t->event, t->kiosk };
	for (int i = 0; i < 4; i++) {
		int more = take_level(&p, levels[i]);
		if (more < 0 || (i < 3 && more != 1) || (i == 3 && more != 0))
			return MQTT_TOPIC_OTHER;
	}
	if (!mqtt_id_ok(t->campaign) || !mqtt_id_ok(t->venue) || !mqtt_id_ok(t->kiosk))
		return MQTT_TOPIC_OTHER;
	if (strcmp(t->event, MQTT_EVENT_LEVEL) == 0)
		return MQTT_TOPIC_EVENT;
	return mqtt_id_ok(t->event) ? MQTT_TOPIC_STATE : MQTT_TOPIC_OTHER;
}

int mqtt_topic_format(char *buf, size_t len, const char *campaign, const char *venue,
		      const char *event, const char *kiosk)
{
	if (!mqtt_id_ok(campaign) || !mqtt_id_ok(venue) || !mqtt_id_ok(kiosk) ||
	    (strcmp(event, MQTT_EVENT_LEVEL) != 0 && !mqtt_id_ok(event)))
		return -1;
	int n = snprintf(buf, len, PREFIX "%s/%s/%s/%s", campaign, venue, event, kiosk);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Loads buf as one JSON object of a known schema and type. NULL with err set otherwise. */
static json_t *load(const char *buf, size_t len, const char *type, char *err, size_t errlen)
{
	if (len > MQTT_PAYLOAD_MAX) {
		snprintf(err, errlen, "payload of %zu bytes is larger than %d", len, MQTT_PAYLOAD_MAX);
		return NULL;
	}
	json_error_t je;
	/* Duplicate keys are refused: two "p" in one case must not mean either. */
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "not JSON: %.80s (byte %d)", je.text, je.position);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		json_decref(root);
		return NULL;
	}
	json_t *schema = json_object_get(root, "schema");
	if (!json_is_integer(schema)) {
		snprintf(err, errlen, "no \"schema\" number");
		json_decref(root);
		return NULL;
	}
	if (json_integer_value(schema) != MQTT_SCHEMA) {
		snprintf(err, errlen, "schema %lld is not known (this kiosk reads schema %d): "
				      "update it", (long long)json_integer_value(schema), MQTT_SCHEMA);
		json_decref(root);
		return NULL;
	}
	const char *t = json_string_value(json_object_get(root, "type"));
	if (!t || strcmp(t, type) != 0) {
		snprintf(err, errlen, "\"type\" is not \"%s\"", type);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* Copies the string field key into out (size PN_ID_MAX or max). */
static int get_text(json_t *o, const char *key, char *out, size_t max, int id, char *err,
		    size_t errlen)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	/* json_string_length: a NUL inside the string must not cut it short unnoticed. */
	if (!s || strlen(s) != json_string_length(v) || strlen(s) >= max ||
	    (id ? !mqtt_id_ok(s) : !text_is_clean(s, max))) {
		snprintf(err, errlen, "\"%s\" is missing or not %s", key,
			 id ? "an id ([A-Za-z0-9._-], 1 to 63 bytes)" : "clean text");
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_count(json_t *o, const char *key, long long min, long long max, long long *out,
		     char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(err, errlen, "\"%s\" is missing or not a whole number from %lld to %lld",
			 key, min, max);
		return -1;
	}
	*out = (long long)json_integer_value(v);
	return 0;
}

/* The payload's venue and event must be the topic's: a kiosk allowed to write its own topic
 * must not be able to count for another venue or event through it. */
static int agrees(json_t *root, const struct mqtt_topic *t, const char *event, char *err,
		  size_t errlen)
{
	char venue[PN_ID_MAX], ev[PN_ID_MAX];
	if (get_text(root, "venue", venue, sizeof venue, 1, err, errlen) ||
	    get_text(root, "event", ev, sizeof ev, 1, err, errlen))
		return -1;
	if (strcmp(venue, t->venue) != 0 || (event && strcmp(ev, event) != 0)) {
		snprintf(err, errlen, "venue/event \"%s/%s\" in the payload is not the topic's", venue,
			 ev);
		return -1;
	}
	return 0;
}

int mqtt_parse_state(const char *buf, size_t len, const struct mqtt_topic *t,
		     struct pn_state *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	json_t *root = load(buf, len, "state", err, errlen);
	if (!root)
		return -1;
	int rc = -1;
	if (agrees(root, t, t->event, err, errlen) ||
	    get_text(root, "kiosk", out->kiosk_uid, PN_ID_MAX, 1, err, errlen) ||
	    get_text(root, "instance", out->instance, PN_ID_MAX, 1, err, errlen) ||
	    get_count(root, "seq", 0, 0x7fffffffffffffffLL, &out->seq, err, errlen) ||
	    get_count(root, "sent_ms", 0, 0x7fffffffffffffffLL, &out->sent_ms, err, errlen))
		goto out;
	memcpy(out->venue, t->venue, PN_ID_MAX);
	memcpy(out->event, t->event, PN_ID_MAX);
	memcpy(out->kiosk, t->kiosk, PN_ID_MAX);
	json_t *cases = json_object_get(root, "cases");
	if (!json_is_array(cases) || json_array_size(cases) > PN_CASES_MAX) {
		snprintf(err, errlen, "\"cases\" is missing or not a list of at most %d cases",
			 PN_CASES_MAX);
		goto out;
	}
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		struct pn_case *pc = &out->cases[out->n_cases];
		json_t *id = json_object_get(c, "id");
		const char *s = json_string_value(id);
		if (!json_is_object(c) || !s || strlen(s) != json_string_length(id) ||
		    !text_is_clean(s, PN_ID_MAX)) {
			snprintf(err, errlen, "case %zu: \"id\" is missing or not clean text of at most "
					      "%d bytes", i, PN_ID_MAX - 1);
			goto out;
		}
		if (pn_case_find(out, s)) {
			snprintf(err, errlen, "case \"%s\" appears twice", s);
			goto out;
		}
		memcpy(pc->id, s, strlen(s) + 1);
		if (get_count(c, "p", 0, PN_COUNT_MAX, &pc->p, err, errlen) ||
		    get_count(c, "n", 0, PN_COUNT_MAX, &pc->n, err, errlen))
			goto out;
		if (pc->n > pc->p) {
			snprintf(err, errlen, "case \"%s\": more taken back (%lld) than counted (%lld)",
				 s, pc->n, pc->p);
			goto out;
		}
		out->n_cases++;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int mqtt_parse_event(const char *buf, size_t len, const struct mqtt_topic *t,
		     struct mqtt_event *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	json_t *root = load(buf, len, "event", err, errlen);
	if (!root)
		return -1;
	int rc = -1;
	if (agrees(root, t, NULL, err, errlen) ||
	    get_text(root, "event", out->event, PN_ID_MAX, 1, err, errlen) ||
	    get_text(root, "kiosk", out->kiosk_uid, PN_ID_MAX, 1, err, errlen) ||
	    get_text(root, "name", out->name, MQTT_NAME_MAX, 0, err, errlen) ||
	    get_count(root, "goal", 0, PN_COUNT_MAX, &out->goal, err, errlen) ||
	    get_count(root, "origin_ms", 0, 0x7fffffffffffffffLL, &out->origin_ms, err, errlen))
		goto out;
	if (json_object_get(root, "goal_ms") &&
	    get_count(root, "goal_ms", 0, 0x7fffffffffffffffLL, &out->goal_ms, err, errlen))
		goto out;
	if (!text_has_visible(out->name)) {
		snprintf(err, errlen, "\"name\" is empty");
		goto out;
	}
	memcpy(out->venue, t->venue, PN_ID_MAX);
	memcpy(out->kiosk, t->kiosk, PN_ID_MAX);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static char *dump(json_t *root)
{
	if (!root)
		return NULL;
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

char *mqtt_format_state(const struct pn_state *s)
{
	if (s->n_cases < 0 || s->n_cases > PN_CASES_MAX)
		return NULL;
	json_t *cases = json_array();
	for (int i = 0; cases && i < s->n_cases; i++)
		if (json_array_append_new(cases, json_pack("{s:s,s:I,s:I}", "id", s->cases[i].id,
							   "p", (json_int_t)s->cases[i].p, "n",
							   (json_int_t)s->cases[i].n))) {
			json_decref(cases);
			return NULL;
		}
	if (!cases)
		return NULL;
	return dump(json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "schema", MQTT_SCHEMA,
			      "type", "state", "venue", s->venue, "event", s->event, "kiosk",
			      s->kiosk_uid, "instance", s->instance, "seq", (json_int_t)s->seq,
			      "sent_ms", (json_int_t)s->sent_ms, "cases", cases));
}

char *mqtt_format_event(const struct mqtt_event *e)
{
	return dump(json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "schema", MQTT_SCHEMA,
			      "type", "event", "venue", e->venue, "event", e->event, "kiosk",
			      e->kiosk_uid, "name", e->name, "goal", (json_int_t)e->goal, "origin_ms",
			      (json_int_t)e->origin_ms, "goal_ms", (json_int_t)e->goal_ms));
}

int mqtt_event_id(const char *name, unsigned random, int suffix, char *buf, size_t len)
{
	char slug[41];
	size_t n = 0;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && n < sizeof slug - 1; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				slug[n++] = '-';
			dash = 0;
			if (n < sizeof slug - 1)
				slug[n++] = (char)c;
		} else {
			dash = 1;
		}
	}
	slug[n] = '\0';
	if (!n)
		snprintf(slug, sizeof slug, "event");
	int w = suffix ? snprintf(buf, len, "%s-%08x", slug, random) : snprintf(buf, len, "%s", slug);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}
