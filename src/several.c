/* See several.h. */
#include "several.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"
#include "mqtt_link.h"
#include "sbuf.h"
#include "textcheck.h"
#include "venue.h"

#define SAVE_EVERY_MS 1000
#define BAD_LOG_EVERY_MS 60000

struct several {
	struct venue *venue;
	struct mqtt_link *link;
	several_submit_fn submit;
	void *ctx;
	struct store_event event; /* the committed current event */
	int have_event;
	int pn_inflight, pn_wanted;
	long long next_save;
	long long bad_logged_at, bad_count;
	int save_inflight;
};

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int restore_one(void *ctx, const char *topic, const char *payload)
{
	venue_restore(ctx, topic, payload);
	return 0;
}

int several_open(struct several **out, const struct config *cfg, struct store *st,
		 const char *password, several_submit_fn submit, void *ctx, char *err,
		 size_t errlen)
{
	*out = NULL;
	struct several *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->submit = submit;
	s->ctx = ctx;
	unsigned r = 0;
	if (getrandom(&r, sizeof r, 0) != sizeof r)
		r = (unsigned)wall_ms() ^ (unsigned)clock();
	char instance[16];
	snprintf(instance, sizeof instance, "%08x", r);
	const char *kiosk = cfg->mqtt_kiosk[0] ? cfg->mqtt_kiosk
			    : cfg->mqtt_username[0] ? cfg->mqtt_username : store_kiosk_id(st);
	struct venue_params vp = {
		.campaign = cfg->mqtt_campaign, .venue = cfg->mqtt_venue, .kiosk = kiosk,
		.kiosk_uid = store_kiosk_id(st), .instance = instance,
		.campaign_scope = cfg->mqtt_scope == CONFIG_MQTT_SCOPE_CAMPAIGN,
		.republish_ms = cfg->mqtt_republish_seconds * 1000LL,
	};
	if (venue_open(&s->venue, &vp, err, errlen)) {
		free(s);
		return -1;
	}
	store_peer_each(st, restore_one, s->venue);
	store_current(st, &s->event);
	s->have_event = 1;
	venue_set_event(s->venue, &s->event, wall_ms(), 0);
	/* The per-case counts come from the storage thread once it runs (several_service). */
	s->pn_wanted = 1;

	char host[256], sub[MQTT_TOPIC_MAX], client_id[128];
	int port, tls;
	if (config_mqtt_broker(cfg->mqtt_broker, host, sizeof host, &port, &tls)) {
		snprintf(err, errlen, "[mqtt] broker \"%s\" is not HOST[:PORT]", cfg->mqtt_broker);
		several_close(s);
		return -1;
	}
	if (cfg->mqtt_scope == CONFIG_MQTT_SCOPE_CAMPAIGN)
		snprintf(sub, sizeof sub, "tallykiosk/v1/%s/#", cfg->mqtt_campaign);
	else
		snprintf(sub, sizeof sub, "tallykiosk/v1/%s/%s/#", cfg->mqtt_campaign,
			 cfg->mqtt_venue);
	snprintf(client_id, sizeof client_id, "tallykiosk-%.60s-%s", kiosk, instance);
	struct mqtt_link_params lp = {
		.host = host, .port = port, .tls = tls || cfg->mqtt_tls_ca[0],
		.ca_file = cfg->mqtt_tls_ca[0] ? cfg->mqtt_tls_ca : NULL,
		.cert_file = cfg->mqtt_tls_cert[0] ? cfg->mqtt_tls_cert : NULL,
		.key_file = cfg->mqtt_tls_key[0] ? cfg->mqtt_tls_key : NULL,
		.username = cfg->mqtt_username[0] ? cfg->mqtt_username : NULL,
		.password = password, .client_id = client_id, .keepalive_s = 10,
		.subs = { sub }, .n_subs = 1,
	};
	if (mqtt_link_start(&s->link, &lp, err, errlen)) {
		several_close(s);
		return -1;
	}
	log_msg(LOG_PRIO_NOTICE, "mqtt: kiosk \"%s\" in venue \"%s\" of campaign \"%s\", broker "
				 "%s:%d%s, showing the %s total", kiosk, cfg->mqtt_venue,
		cfg->mqtt_campaign, host, port, lp.tls ? " (TLS)" : "",
		vp.campaign_scope ? "campaign" : "venue");
	*out = s;
	return 0;
}

void several_close(struct several *s)
{
	if (!s)
		return;
	mqtt_link_stop(s->link);
	venue_close(s->venue);
	free(s);
}

int several_fd(const struct several *s)
{
	return mqtt_link_fd(s->link);
}

static void request_pn(struct several *s)
{
	if (s->pn_inflight) {
		s->pn_wanted = 1;
		return;
	}
	struct control_request req = { .op = CONTROL_PN };
	s->pn_inflight = 1;
	s->pn_wanted = 0;
	s->submit(s->ctx, &req);
}

static void publish_due(struct several *s, long long now_ms)
{
	char topic[MQTT_TOPIC_MAX];
	char *payload;
	while (venue_next_publish(s->venue, now_ms, topic, sizeof topic, &payload)) {
		int rc = mqtt_link_publish(s->link, topic, payload, 1);
		free(payload);
		if (rc) {
			/* Lost between the link's check and now: all goes out on the next connect. */
			venue_link(s->venue, 0, "connection lost", now_ms);
			break;
		}
	}
}

int several_service(struct several *s, long long now_ms)
{
	long long dropped = 0;
	int redraw = 0;
	struct mqtt_link_event *e = mqtt_link_collect(s->link, &dropped);
	while (e) {
		struct mqtt_link_event *next = e->next;
		char err[256];
		switch (e->kind) {
		case MQTT_LINK_CONNECTED:
			log_msg(LOG_PRIO_NOTICE, "mqtt: connected; publishing this kiosk's state");
			venue_link(s->venue, 1, "connected", now_ms);
			redraw = 1;
			break;
		case MQTT_LINK_DISCONNECTED:
		case MQTT_LINK_FAILED:
			log_msg(LOG_PRIO_WARNING, "mqtt: %s", e->text);
			venue_link(s->venue, 0, e->text, now_ms);
			redraw = 1;
			break;
		case MQTT_LINK_REFUSED:
			log_msg(LOG_PRIO_ERR, "mqtt: %s%s%s", e->text, e->topic ? " on " : "",
				e->topic ? e->topic : "");
			venue_refused(s->venue, e->text, e->topic, now_ms);
			redraw = 1;
			break;
		case MQTT_LINK_ACCEPTED:
			log_msg(LOG_PRIO_NOTICE, "mqtt: %s", e->text);
			venue_accepted(s->venue);
			redraw = 1;
			break;
		case MQTT_LINK_MESSAGE: {
			int r = venue_receive(s->venue, e->topic, e->payload, e->len, e->retained,
					      now_ms, err, sizeof err);
			if (r > 0)
				redraw = 1;
			if (r < 0) {
				s->bad_count++;
				if (!s->bad_logged_at || now_ms - s->bad_logged_at > BAD_LOG_EVERY_MS) {
					char shown[96];
					snprintf(shown, sizeof shown, "%s", e->topic);
					text_make_printable(shown);
					log_msg(LOG_PRIO_WARNING, "mqtt: ignored a message on %s: %s "
								  "(%lld ignored so far)", shown, err,
						s->bad_count);
					s->bad_logged_at = now_ms;
				}
			}
			break;
		}
		}
		mqtt_link_event_free(e);
		e = next;
	}
	if (dropped)
		log_msg(LOG_PRIO_WARNING, "mqtt: %lld message(s) dropped (too large, or the loop fell "
					  "behind); the next republish repairs them", dropped);
	if (s->pn_wanted)
		request_pn(s);
	publish_due(s, now_ms);
	struct mqtt_event follow;
	if (venue_follow(s->venue, &follow, now_ms)) {
		if (!strcmp(follow.event, venue_event_id(s->venue)))
			log_msg(LOG_PRIO_NOTICE, "mqtt: kiosk \"%s\" made \"%s\" (%s), this kiosk's "
						 "event, the venue's current event again: noting it",
				follow.kiosk, follow.name, follow.event);
		else
			log_msg(LOG_PRIO_NOTICE, "mqtt: kiosk \"%s\" made \"%s\" (%s) the venue's "
						 "current event: following it", follow.kiosk,
				follow.name, follow.event);
		struct control_request req = { .op = CONTROL_FOLLOW_EVENT, .n = follow.goal,
					       .at_ms = follow.origin_ms };
		snprintf(req.name, sizeof req.name, "%s", follow.name);
		snprintf(req.case_id, sizeof req.case_id, "%s", follow.event);
		s->submit(s->ctx, &req);
	}
	long long goal;
	if (venue_follow_goal(s->venue, &goal, now_ms)) {
		log_msg(LOG_PRIO_NOTICE, "mqtt: another kiosk set the goal to %lld: following it", goal);
		struct control_request req = { .op = CONTROL_GOAL, .n = goal };
		s->submit(s->ctx, &req);
	}
	if (now_ms >= s->next_save && !s->save_inflight) {
		char *blob = venue_take_saves(s->venue);
		if (blob) {
			struct control_request req = { .op = CONTROL_PEER_SAVE, .blob = blob };
			s->save_inflight = 1;
			s->submit(s->ctx, &req);
		}
		s->next_save = now_ms + SAVE_EVERY_MS;
	}
	return redraw;
}

long long several_wait_ms(const struct several *s, long long now_ms)
{
	long long w = venue_wait_ms(s->venue, now_ms);
	long long save = s->next_save - now_ms;
	if (save < 0)
		save = 0;
	if (w < 0 || save < w)
		w = save;
	return w;
}

/* Reads the CONTROL_PN reply: "id\tp\tn\n" lines. */
static int read_pn(const char *body, struct store_case_pn *out, int max)
{
	int n = 0;
	while (body && *body && n < max) {
		const char *tab = strchr(body, '\t');
		if (!tab)
			break;
		struct store_case_pn *c = &out[n];
		snprintf(c->id, sizeof c->id, "%.*s", (int)(tab - body), body);
		char *end;
		c->p = strtoll(tab + 1, &end, 10);
		c->n = strtoll(end, &end, 10);
		n++;
		body = strchr(end, '\n');
		if (body)
			body++;
	}
	return n;
}

int several_job(struct several *s, const struct worker_job *j, long long now_ms)
{
	switch (j->req.op) {
	case CONTROL_PN:
		s->pn_inflight = 0;
		if (j->status == STORE_OK) {
			struct store_case_pn pn[PN_CASES_MAX];
			int n = read_pn(j->body, pn, PN_CASES_MAX);
			venue_set_own(s->venue, &j->event, pn, n, wall_ms(), now_ms);
			publish_due(s, now_ms);
		}
		if (s->pn_wanted)
			request_pn(s);
		return 1;
	case CONTROL_PEER_SAVE:
		s->save_inflight = 0;
		if (j->status != STORE_OK)
			log_msg(LOG_PRIO_WARNING, "mqtt: the peers' states were not kept: %s", j->err);
		return 1;
	case CONTROL_FOLLOW_EVENT: {
		const char *moved = j->body ? strstr(j->body, "\"moved\":") : NULL;
		if (j->status != STORE_OK)
			log_msg(LOG_PRIO_ERR, "mqtt: cannot follow the venue's event: %s", j->err);
		else if (moved && s->have_event)
			log_msg(LOG_PRIO_NOTICE, "mqtt: the venue went back to \"%s\": %lld letter(s) "
						 "counted here in \"%s\" (before this kiosk heard of "
						 "it) are carried into it, as rows of their own",
				j->event.name, strtoll(moved + 8, NULL, 10), s->event.name);
		break; /* the app shows the new event like any other */
	}
	default:
		break;
	}
	if (j->status == STORE_OK) {
		/* origin_ms too: a reopen makes an event current again at a later time. */
		int event_changed = !s->have_event || j->event.id != s->event.id ||
				    strcmp(j->event.name, s->event.name) ||
				    j->event.goal != s->event.goal ||
				    j->event.origin_ms != s->event.origin_ms;
		int counted = !s->have_event || j->event.total != s->event.total ||
			      control_is_count(j->req.op);
		s->event = j->event;
		s->have_event = 1;
		if (event_changed)
			venue_set_event(s->venue, &j->event, wall_ms(), now_ms);
		if (event_changed || counted)
			request_pn(s);
		publish_due(s, now_ms);
	}
	return 0;
}

int several_reopen_refused(const struct several *s, char *why, size_t len)
{
	char who[400];
	int n = venue_others_counted(s->venue, who, sizeof who);
	if (n)
		snprintf(why, len, "\"%.100s\" has already counted at this venue (%s): reopen "
			 "only takes back a new event no kiosk has counted in", s->event.name, who);
	return n > 0;
}

long long several_display_total(const struct several *s)
{
	return venue_display_total(s->venue);
}

void several_staff_text(const struct several *s, long long now_ms, char *info, size_t info_len,
			char *problem, size_t problem_len)
{
	venue_staff_text(s->venue, now_ms, info, info_len, problem, problem_len);
}

void several_status_json(const struct several *s, long long now_ms, char **body)
{
	size_t len = *body ? strlen(*body) : 0;
	while (len && ((*body)[len - 1] == '\n' || (*body)[len - 1] == ' '))
		len--;
	if (!len || (*body)[len - 1] != '}')
		return;
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addn(&b, *body, len - 1);
	venue_status_json(s->venue, now_ms, &b);
	/* The venue-wide reason reopen is refused (the store's "reopen_refused" is this kiosk's). */
	char why[600];
	sbuf_add(&b, ",\"venue_reopen_refused\":");
	if (several_reopen_refused(s, why, sizeof why))
		sbuf_add_json_string(&b, why);
	else
		sbuf_add(&b, "null");
	sbuf_add(&b, "}\n");
	char *with = sbuf_take(&b);
	if (!with)
		return;
	free(*body);
	*body = with;
}

char *several_export_csv(const struct several *s)
{
	struct sbuf b;
	sbuf_init(&b);
	venue_export_csv(s->venue, &b);
	return sbuf_take(&b);
}
