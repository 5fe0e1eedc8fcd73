/*
 * The loop's requests and answers (see app_int.h): tallyctl's requests from the control
 * socket, the staff page's calls, several kiosks' jobs, all handed to the storage thread;
 * their committed results shown and given back to whoever asked, share cards included.
 */
#include "app_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlserver.h"
#include "input.h"
#include "monotime.h"
#include "supervise.h"
#include "log.h"
#include "kioskclock.h"
#include "several.h"
#include "unsaved.h"
#include "card_worker.h"
#include "web_auth.h"
#include "worker.h"

/* A case a press or add names must be one of the cases file's, or a typo counts apart
 * (without a cases file any case ID is taken). */
static int case_known(const struct app *a, const struct control_request *req, char *err,
		      size_t errlen)
{
	const struct cases *c = a->p->cases;
	if (!req->case_id[0] || !c || c->n == 0 || cases_find(c, req->case_id))
		return 1;
	size_t o = (size_t)snprintf(err, errlen, "no case \"%s\" in the cases file (cases:",
				    req->case_id);
	for (int i = 0; i < c->n && o < errlen; i++)
		o += (size_t)snprintf(err + o, errlen - o, "%s %s", i ? "," : "", c->v[i].id);
	if (o < errlen)
		snprintf(err + o, errlen - o, ")");
	return 0;
}

/* several.c's requests (per-case counts, peer states, following the venue's event). */
void app_submit_several(void *ctx, const struct control_request *req)
{
	app_submit(ctx, req, "mqtt", -1);
}

/* The answer to "web": where the page is and its PIN, for staff at the kiosk. */
static char *web_info_json(struct app *a, int qr)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "url", web_url(a->p->web), "pin",
			      a->web_pin, "pin_from",
			      a->p->cfg->web_pin[0] ? "kiosk.conf" : "database", "qr_shown", qr);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* A reply of len bytes (a PNG is not a string). */
static void reply_len(struct app *a, int tag, int ok, const char *code, const char *body,
		      size_t len)
{
	if (web_is_tag(tag))
		web_reply(a->p->web, tag, ok, code, body, len);
	else if (ok)
		ctlserver_reply(a->ctl, tag, body, len);
	else
		ctlserver_reply_error(a->ctl, tag, code, body);
}

static void reply_to(struct app *a, int tag, int ok, const char *code, const char *body)
{
	reply_len(a, tag, ok, code, body, strlen(body));
}

/* "export venue" is answered from the venue's states in memory, not by the store. */
static void export_venue(struct app *a, int tag)
{
	if (!a->several) {
		reply_to(a, tag, 0, web_is_tag(tag) ? "no_venue" : "usage",
			 "export --venue: this kiosk has no [mqtt] section, so it knows no venue");
		return;
	}
	char *csv = several_export_csv(a->several);
	reply_to(a, tag, csv != NULL, csv ? "ok" : "nomem", csv ? csv : "out of memory");
	free(csv);
}

/* reopen is refused venue-wide while another kiosk has counted in the new event. */
static int reopen_refused(struct app *a, int tag)
{
	char err[600];
	if (!a->several || !several_reopen_refused(a->several, err, sizeof err))
		return 0;
	log_msg(LOG_PRIO_NOTICE, "reopen refused: %s", err);
	reply_to(a, tag, 0, web_is_tag(tag) ? "refused" : "invalid", err);
	return 1;
}

/* "web", "web qr" and "web new-pin" from tallyctl. */
static void web_request(struct app *a, int tag, const struct control_request *req)
{
	if (!a->p->web) {
		reply_to(a, tag, 0, "off", a->p->cfg->web_enabled
					   ? "the web page could not start (the kiosk's log says why: "
					     "journalctl -u tallykiosk | grep web:)"
					   : "the web page is off: set [web] enabled = true in "
					     "kiosk.conf and restart the kiosk");
		return;
	}
	if (req->n == CONTROL_WEB_NEW_PIN) {
		if (a->p->cfg->web_pin[0]) {
			reply_to(a, tag, 0, "invalid", "the PIN is set in kiosk.conf ([web] pin): "
						       "change it there and restart the kiosk");
			return;
		}
		app_submit(a, req, "tallyctl", tag); /* stored first, then used: see finish_job */
		return;
	}
	if (req->n == CONTROL_WEB_QR)
		app_show_qr(a, "tallyctl");
	char *body = web_info_json(a, req->n == CONTROL_WEB_QR);
	reply_to(a, tag, body != NULL, body ? "ok" : "nomem", body ? body : "out of memory");
	free(body);
}

void app_on_request(void *ctx, int tag, const struct control_request *req)
{
	struct app *a = ctx;
	if (req->op == CONTROL_WEB) {
		web_request(a, tag, req);
		return;
	}
	char err[512];
	if (req->op == CONTROL_EXPORT_VENUE) {
		export_venue(a, tag);
		return;
	}
	if (!case_known(a, req, err, sizeof err)) {
		ctlserver_reply_error(a->ctl, tag, "usage", err);
		return;
	}
	if (req->op == CONTROL_REOPEN && reopen_refused(a, tag))
		return;
	if (req->op == CONTROL_PRESS) {
		app_trace_press(a);
		a->ack_start = mono_ms();
		a->dirty = 1;
	}
	app_submit(a, req, "tallyctl", tag);
}

static const char *op_kind(enum control_op op)
{
	switch (op) {
	case CONTROL_PRESS: return "press";
	case CONTROL_ADD: return "add";
	case CONTROL_UNDO: return "undo";
	case CONTROL_NEW_EVENT: return "new-event";
	case CONTROL_GOAL: return "goal";
	case CONTROL_REOPEN: return "reopen";
	default: return NULL;
	}
}

/* Returns 1 if the job was kept (a press to save again), 0 if it may be freed. */
static int finish_job(struct app *a, struct worker_job *j)
{
	int kept = 0;
	a->inflight--;
	if (a->several) {
		if (several_job(a->several, j, mono_ms())) {
			a->dirty = 1; /* this kiosk's share of the venue total moved */
			return 0;
		}
		if (j->status == STORE_OK && j->client >= 0 && j->req.op == CONTROL_STATUS)
			several_status_json(a->several, mono_ms(), &j->body);
	}
	/* The staff page shows the clock's warning and the kiosk's time beside the phone's;
	 * tallyctl status shows the warning. */
	if (j->status == STORE_OK && j->client >= 0 && j->req.op == CONTROL_STATUS &&
	    kioskclock_add_to(&a->clock, kioskclock_now_ms(), &j->body) != 0) {
		j->status = STORE_ERR_NOMEM;
		snprintf(j->err, sizeof j->err, "out of memory");
	}
	const char *kind = op_kind(j->req.op);
	if (j->status == STORE_OK && j->req.op == CONTROL_PRESS && a->p->trace &&
	    a->trace_n_shown < (int)(sizeof a->trace_shown_ns / sizeof a->trace_shown_ns[0]))
		a->trace_shown_ns[a->trace_n_shown++] = j->input_ns;
	if (j->status == STORE_OK) {
		if (memcmp(&a->shown, &j->event, sizeof a->shown) != 0) {
			a->shown = j->event;
			a->dirty = 1;
			char st[STORE_NAME_MAX + 64];
			snprintf(st, sizeof st, "counting: %lld letters in \"%s\"", a->shown.total,
				 a->shown.name);
			supervise_status(st);
		}
		if (kind) /* the row's time, near enough */
			kioskclock_saved(&a->clock, kioskclock_now_ms());
		if (a->storage_error[0] && kind) {
			log_msg(LOG_PRIO_NOTICE, "storage works again");
			a->storage_error[0] = '\0';
			a->dirty = 1;
		}
		if (kind) {
			char arg[CONTROL_LINE_MAX + 16] = "";
			if (j->req.op == CONTROL_ADD || j->req.op == CONTROL_GOAL)
				snprintf(arg, sizeof arg, " n=%lld", j->req.n);
			log_msg(LOG_PRIO_INFO, "%s:%s event=\"%s\" source=%s total=%lld batch=%d",
				kind, arg, j->event.name, j->source,
				control_is_count(j->req.op) ? j->total : j->event.total, j->batch);
		}
	} else if (j->status == STORE_ERR_EMPTY || j->status == STORE_ERR_INVALID ||
		   j->status == STORE_ERR_CONFIRM) {
		log_msg(LOG_PRIO_NOTICE, "%s refused: %s", kind ? kind : "request", j->err);
	} else {
		log_msg(LOG_PRIO_ERR, "storage failed (%s): %s", store_status_name(j->status), j->err);
		snprintf(a->storage_error, sizeof a->storage_error, "%s", j->err);
		a->dirty = 1;
		if (j->req.op == CONTROL_PRESS && j->client < 0) {
			unsaved_keep_job(&a->kept, j);
			a->unsaved = unsaved_count(&a->kept);
			a->retry_at = mono_ms() + RETRY_MS;
			kept = 1;
		}
	}
	if (j->status == STORE_OK && j->req.op == CONTROL_WEB && a->p->web) {
		/* A new PIN is in the database: only now does it replace the old one. */
		json_t *o = json_loads(j->body, 0, NULL);
		const char *pin = json_string_value(json_object_get(o, "pin"));
		if (pin && web_pin_valid(pin)) {
			snprintf(a->web_pin, sizeof a->web_pin, "%s", pin);
			web_set_pin(a->p->web, pin, j->client);
			if (web_is_tag(j->client))
				log_msg(LOG_PRIO_NOTICE, "web: new PIN from the staff page (%s); every "
							 "other session ended", j->req.name);
			else
				log_msg(LOG_PRIO_NOTICE, "web: new PIN from tallyctl; every session ended");
		}
		json_decref(o);
		free(j->body);
		j->body = web_info_json(a, 0);
		if (!j->body) {
			j->status = STORE_ERR_NOMEM;
			snprintf(j->err, sizeof j->err, "saved, but the reply could not be written");
		}
	}
	if (j->status == STORE_OK && j->req.op == CONTROL_CARD && j->client >= 0) {
		/* The event's committed numbers: the card thread draws them and answers. */
		if (a->cards && card_worker_submit(a->cards, j->client,
						   !strcmp(j->req.name, "wide"), j->body) == 0)
			return kept;
		j->status = STORE_ERR_BUSY;
		snprintf(j->err, sizeof j->err, a->cards ? "the kiosk is drawing other cards: try "
							   "again in a moment"
							 : "this kiosk draws no share cards");
	}
	if (j->client >= 0) {
		if (j->status == STORE_OK)
			reply_to(a, j->client, 1, "ok", j->body);
		else
			reply_to(a, j->client, 0, store_status_name(j->status), j->err);
	}
	return kept;
}

/* Share cards the card thread has drawn. */
void app_take_cards(struct app *a)
{
	int tag;
	unsigned char *png;
	size_t len;
	char err[200];
	while (card_worker_take(a->cards, &tag, &png, &len, err, sizeof err)) {
		if (png)
			reply_len(a, tag, 1, "ok", (const char *)png, len);
		else
			reply_to(a, tag, 0, "io", err);
		free(png);
	}
}

/* "Set the kiosk's clock to this phone's time": done here, on the loop's thread, so the
 * screen's warning and the next status both know at once; the answer is the new "clock". */
static void set_clock(struct app *a, const struct web_job *job)
{
	static const char set_nomem[] = "the clock was set, but the answer could not be written";
	char err[512], who[STORE_NAME_MAX + 32];
	snprintf(who, sizeof who, "the staff page (%s)", job->req.name);
	enum clockset_status s = kioskclock_set(&a->clock, job->req.at_ms, who, err, sizeof err);
	if (s != CLOCKSET_OK) {
		const char *code = s == CLOCKSET_ERR_RANGE  ? "invalid"
				   : s == CLOCKSET_ERR_PERM ? "not_permitted"
							    : "io";
		web_reply(a->p->web, job->tag, 0, code, err, strlen(err));
		return;
	}
	a->dirty = 1;
	json_t *o = json_object();
	json_t *clock = kioskclock_json(&a->clock, kioskclock_now_ms());
	char *body = NULL;
	if (!o)
		json_decref(clock); /* set_new takes clock (even NULL) only when it is called */
	else if (json_object_set_new(o, "clock", clock) == 0)
		body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (body)
		web_reply(a->p->web, job->tag, 1, "ok", body, strlen(body));
	else
		web_reply(a->p->web, job->tag, 0, "nomem", set_nomem, sizeof set_nomem - 1);
	free(body);
}

/* Calls from the web page: handed to the storage thread like tallyctl's. */
void app_take_web(struct app *a)
{
	struct web_job job;
	while (web_take(a->p->web, &job)) {
		char err[512];
		if (job.req.op == CONTROL_SET_CLOCK) {
			set_clock(a, &job);
			continue;
		}
		if (job.card) {
			job.req.op = CONTROL_CARD;
			snprintf(job.req.name, sizeof job.req.name, "%s",
				 job.card == 2 ? "wide" : "square");
			job.req.n = job.card_event;
		}
		if (job.req.op == CONTROL_EXPORT_VENUE) {
			export_venue(a, job.tag);
			continue;
		}
		if (job.req.op == CONTROL_REOPEN && reopen_refused(a, job.tag))
			continue;
		if (job.req.op == CONTROL_WEB) { /* a new PIN, asked for with the current one */
			if (a->p->cfg->web_pin[0]) {
				static const char cfg_pin[] = "the PIN is set in kiosk.conf ([web] pin): "
							      "the organiser changes it there";
				web_reply(a->p->web, job.tag, 0, "pin_in_config", cfg_pin,
					  sizeof cfg_pin - 1);
				continue;
			}
			job.req.n = CONTROL_WEB_NEW_PIN;
		}
		if (!case_known(a, &job.req, err, sizeof err)) {
			web_reply(a->p->web, job.tag, 0, "invalid", err, strlen(err));
			continue;
		}
		app_submit(a, &job.req, "web", job.tag);
	}
}

void app_collect(struct app *a)
{
	struct worker_job *list = worker_collect(a->worker);
	while (list) {
		struct worker_job *next = list->next;
		if (!finish_job(a, list))
			worker_job_free(list);
		list = next;
	}
}
