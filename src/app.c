/* See app.h. */
#include "app.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ctlserver.h"
#include "debounce.h"
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

#define ACK_MS 1400           /* how long "Thank you!" stays on screen */
#define INPUT_PUMP_MS 20      /* SDL has no fd to poll on: look at its queue this often */
#define IDLE_WAIT_MS 1000
#define RETRY_MS 2000         /* wait before saving presses whose commit failed, again */
#define SHUTDOWN_WAIT_MS 10000
#define QR_SHOW_MS 60000      /* the staff page's QR code stays this long once asked for */

struct app {
	const struct app_params *p;
	struct worker *worker;
	struct ctlserver *ctl;
	struct store_event shown;   /* the committed state on screen */
	long long ack_start;        /* monotonic ms of the last press; 0 = none */
	int ack_drawn;              /* the last frame showed the acknowledgement */
	int dirty;
	int inflight;               /* jobs submitted and not yet collected */
	int unsaved;                /* presses not saved yet, waiting to be retried: */
	struct unsaved kept;        /* ... kept whole (source, case) */
	long long retry_at;
	char storage_error[256];    /* "" while storage works */
	char store_notice[768];     /* the database was recovered at start: shown all run */
	char status_line[768];
	struct inputs *inputs;
	long long reset_start;      /* monotonic ms a staff-reset hold began; 0 = none */
	int reset_hold_ms;
	struct supervise sup;
	long long last_draw_ms;     /* monotonic ms of the last frame drawn */
	int frame_ms;               /* animation frames at most this often ([display] frame_rate):
				     * vsync does not block under X11 without a compositor, and a
				     * TV needs no more for a fade */
	/* Timing trace for benchmarks: input times waiting for the frame that shows them. */
	long long trace_ack_ns;     /* earliest press whose thank-you is not on screen yet */
	long long trace_shown_ns[64];
	int trace_n_shown;
	int trace_first_done;
	char web_pin[WEB_PIN_MAX + 1];
	long long qr_until;         /* monotonic ms the QR code hides again; 0 = hidden */
	struct card *card;          /* the share cards' renderer (view_card.h), or NULL */
	struct card_worker *cards;  /* draws share cards; NULL without a card renderer */
	int cards_tried;            /* start_cards ran */
	int stop;
	struct several *several;    /* several kiosks ([mqtt]); NULL = this kiosk alone */
	struct kioskclock clock;    /* a Pi has no clock of its own: is it right? (kioskclock.h) */
};

static void submit(struct app *a, const struct control_request *req, const char *source,
		   int client)
{
	struct worker_job *j = worker_job_new(req, source, client);
	if (!j) {
		if (client >= 0) {
			log_msg(LOG_PRIO_ERR, "out of memory: a request from %s not done", source);
			if (web_is_tag(client))
				web_reply(a->p->web, client, 0, "nomem", "out of memory", 13);
			else
				ctlserver_reply_error(a->ctl, client, "nomem", "out of memory");
		} else if (req->op == CONTROL_PRESS) {
			log_msg(LOG_PRIO_ERR, "out of memory: a press from %s kept to save again",
				source);
			if (unsaved_keep_press(&a->kept, req, source))
				log_msg(LOG_PRIO_ERR, "too many sources of unsaved presses: one from %s "
						      "is kept without its source", source);
			a->unsaved = unsaved_count(&a->kept);
			a->retry_at = mono_ms() + RETRY_MS;
		} else {
			/* A staff hold: not a press, never saved as one. Staff hold again. */
			log_msg(LOG_PRIO_ERR, "out of memory: the new event from %s was not started",
				source);
			snprintf(a->storage_error, sizeof a->storage_error,
				 "out of memory: the new event was not started; hold the staff button "
				 "again");
		}
		a->dirty = 1;
		return;
	}
	j->input_ns = mono_ns();
	a->inflight++;
	worker_submit(a->worker, j);
}

/* A press happened now: its acknowledgement is due on the next frame. */
static void trace_press(struct app *a)
{
	if (a->p->trace && !a->trace_ack_ns)
		a->trace_ack_ns = mono_ns();
}

/* After a frame was presented: how long each input waited for it. */
static void trace_frame(struct app *a)
{
	FILE *f = a->p->trace;
	if (!f)
		return;
	long long now = mono_ns();
	fprintf(f, "frame %lld\n", now);
	if (!a->trace_first_done) {
		a->trace_first_done = 1;
		fprintf(f, "first-frame %lld\n", now);
	}
	if (a->trace_ack_ns) {
		fprintf(f, "ack %lld\n", now - a->trace_ack_ns);
		a->trace_ack_ns = 0;
	}
	for (int i = 0; i < a->trace_n_shown; i++)
		fprintf(f, "shown %lld\n", now - a->trace_shown_ns[i]);
	a->trace_n_shown = 0;
	fflush(f);
}

static void press(struct app *a, const char *source, const char *case_id)
{
	trace_press(a);
	struct control_request req = { .op = CONTROL_PRESS };
	if (case_id)
		snprintf(req.case_id, sizeof req.case_id, "%s", case_id);
	/* The thank-you may start now; the number changes only when the commit is done. */
	a->ack_start = mono_ms();
	a->dirty = 1;
	submit(a, &req, source, -1);
}

/* A staff-reset hold completed: archive the event, start a new one named after the time. */
static void staff_new_event(struct app *a, const char *source)
{
	struct control_request req = { .op = CONTROL_NEW_EVENT };
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	snprintf(req.name, sizeof req.name, "%.100s (%.16s)", a->p->cfg->event_name, when);
	log_msg(LOG_PRIO_NOTICE, "gpio %s: held: starting a new event \"%s\"", source, req.name);
	submit(a, &req, source, -1);
}

/* Staff asked to see the staff page's QR code: on screen for a minute, for them only. */
static void show_qr(struct app *a, const char *who)
{
	if (!a->p->web)
		return;
	log_msg(LOG_PRIO_NOTICE, "web: showing the QR code for %s (asked by %s)",
		web_url(a->p->web), who);
	a->qr_until = mono_ms() + QR_SHOW_MS;
	a->dirty = 1;
}

static void on_input(void *ctx, const struct config_gpio *g, int flags, int64_t t_ns)
{
	struct app *a = ctx;
	(void)t_ns;
	if (g->role == CONFIG_ROLE_COUNT) {
		if (flags & DEBOUNCE_COUNT)
			press(a, g->name, g->case_id[0] ? g->case_id : NULL);
	} else {
		if (flags & DEBOUNCE_HOLD_START) {
			a->reset_start = mono_ms();
			a->reset_hold_ms = g->hold_ms;
		}
		if (flags & (DEBOUNCE_HOLD_DONE | DEBOUNCE_HOLD_CANCEL))
			a->reset_start = 0;
		if (flags & DEBOUNCE_HOLD_DONE)
			staff_new_event(a, g->name);
		/* A short press of the staff button (released before the hold completes). */
		if (flags & DEBOUNCE_HOLD_CANCEL)
			show_qr(a, g->name);
	}
	a->dirty = 1;
}

static void on_input_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	log_msg(prio, "%s", msg);
}

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
static void submit_several(void *ctx, const struct control_request *req)
{
	submit(ctx, req, "mqtt", -1);
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
		submit(a, req, "tallyctl", tag); /* stored first, then used: see finish_job */
		return;
	}
	if (req->n == CONTROL_WEB_QR)
		show_qr(a, "tallyctl");
	char *body = web_info_json(a, req->n == CONTROL_WEB_QR);
	reply_to(a, tag, body != NULL, body ? "ok" : "nomem", body ? body : "out of memory");
	free(body);
}

static void on_request(void *ctx, int tag, const struct control_request *req)
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
		trace_press(a);
		a->ack_start = mono_ms();
		a->dirty = 1;
	}
	submit(a, req, "tallyctl", tag);
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
static void take_cards(struct app *a)
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
static void take_web(struct app *a)
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
		submit(a, &job.req, "web", job.tag);
	}
}

static void collect(struct app *a)
{
	struct worker_job *list = worker_collect(a->worker);
	while (list) {
		struct worker_job *next = list->next;
		if (!finish_job(a, list))
			worker_job_free(list);
		list = next;
	}
}

/* Saves the kept presses again, each as it was made (its source and case). */
static void retry_unsaved(struct app *a)
{
	log_msg(LOG_PRIO_WARNING, "saving %d press(es) again", a->unsaved);
	for (struct worker_job *j = unsaved_take_jobs(&a->kept), *next; j; j = next) {
		next = j->next;
		a->inflight++;
		worker_submit(a->worker, j);
	}
	struct unsaved_presses rows[UNSAVED_TABLE_MAX];
	int n = unsaved_take_presses(&a->kept, rows);
	a->unsaved = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < rows[i].n; k++) {
			struct control_request req;
			unsaved_request(&rows[i], &req);
			submit(a, &req, rows[i].source, -1);
		}
}

static float ack_level(const struct app *a, long long now)
{
	if (!a->ack_start)
		return 0.0f;
	long long age = now - a->ack_start;
	if (age >= ACK_MS)
		return 0.0f;
	return 1.0f - (float)age / ACK_MS;
}

/* Appends part to buf, after " | " when buf has something already. */
static void add_part(char *buf, size_t len, const char *part)
{
	size_t o = strlen(buf);
	if (part[0] && o + 1 < len)
		snprintf(buf + o, len - o, "%s%s", o ? " | " : "", part);
}

/*
 * The staff strip: problems first (any makes the strip red), then information (the staff
 * button's countdown, this kiosk's share of the venue), which alone keeps it calm.
 */
static enum staff_severity staff_line(struct app *a, long long now)
{
	char problem[sizeof a->status_line], info[sizeof a->status_line], part[640];
	problem[0] = info[0] = '\0';
	add_part(problem, sizeof problem, a->store_notice);
	if (a->storage_error[0]) {
		snprintf(part, sizeof part, "Storage failing: %.400s. %d press(es) not yet saved, "
			 "retrying.", a->storage_error, a->unsaved);
		add_part(problem, sizeof problem, part);
	}
	if (a->clock.verdict != CLOCKCHECK_OK)
		add_part(problem, sizeof problem, a->clock.warning);
	if (a->inputs) {
		inputs_problem(a->inputs, part, sizeof part);
		add_part(problem, sizeof problem, part);
	}
	if (a->reset_start) {
		long long left = a->reset_hold_ms - (now - a->reset_start);
		snprintf(part, sizeof part, "Keep holding to start a new event: %lld.%lld s",
			 left > 0 ? left / 1000 : 0, left > 0 ? left % 1000 / 100 : 0);
		add_part(info, sizeof info, part);
	}
	if (a->several) {
		char venue_info[512], venue_problem[768];
		several_staff_text(a->several, now, venue_info, sizeof venue_info, venue_problem,
				   sizeof venue_problem);
		add_part(problem, sizeof problem, venue_problem);
		add_part(info, sizeof info, venue_info);
	}
	snprintf(a->status_line, sizeof a->status_line, "%s", problem);
	add_part(a->status_line, sizeof a->status_line, info);
	return problem[0] ? STAFF_PROBLEM : STAFF_INFO;
}

/* Returns 1 if a frame was drawn (0: the screen already showed all this). */
static int draw(struct app *a, long long now)
{
	const struct config *cfg = a->p->cfg;
	enum staff_severity severity = staff_line(a, now);
	struct case_count cases[STORE_MAX_CASES];
	for (int i = 0; i < a->shown.n_cases; i++)
		cases[i] = (struct case_count){ a->shown.cases[i].id, a->shown.cases[i].total };
	struct tally_view v = {
		.event_name = a->shown.name,
		/* With several kiosks the big number is the venue's (or campaign's) total. */
		.total = a->several ? several_display_total(a->several) : a->shown.total,
		.goal = a->shown.goal,
		.label = cfg->label,
		.thank_you = cfg->thank_you,
		.ack = ack_level(a, now),
		.staff_status = a->status_line,
		.staff_severity = severity,
		.case_counts = cases,
		.n_case_counts = a->shown.n_cases,
		.qr_url = a->qr_until > now ? web_url(a->p->web) : NULL,
	};
	return render_draw(a->p->render, &v, now);
}

static void handle_signal(struct app *a)
{
	struct signalfd_siginfo si;
	while (read(a->p->signal_fd, &si, sizeof si) == sizeof si) {
		log_msg(LOG_PRIO_NOTICE, "signal %u: stopping", si.ssi_signo);
		a->stop = 1;
	}
}

static void handle_input(struct app *a)
{
	const struct config *cfg = a->p->cfg;
	enum render_input in;
	while ((in = render_next_input(a->p->render, cfg->keyboard, cfg->allow_quit))) {
		if (in == RENDER_INPUT_COUNT || in == RENDER_INPUT_COUNT_MOUSE ||
		    in == RENDER_INPUT_COUNT_TOUCH) {
			/* The source is stored with the count: exports say what was pressed. */
			press(a, in == RENDER_INPUT_COUNT ? "keyboard"
				 : in == RENDER_INPUT_COUNT_MOUSE ? "mouse" : "touch", NULL);
		} else if (in == RENDER_INPUT_QUIT) {
			log_msg(LOG_PRIO_NOTICE, "quit requested on the kiosk: stopping");
			a->stop = 1;
		} else if (in == RENDER_INPUT_STAFF_QR) {
			show_qr(a, "the W key");
		} else {
			a->dirty = 1;
		}
	}
}

/* Gives every submitted job time to commit, so no press made before the stop is lost. */
static void drain(struct app *a)
{
	long long deadline = mono_ms() + SHUTDOWN_WAIT_MS;
	while (a->inflight > 0 && mono_ms() < deadline) {
		struct pollfd pfd = { .fd = worker_fd(a->worker), .events = POLLIN };
		if (poll(&pfd, 1, 100) > 0)
			collect(a);
	}
	if (a->inflight > 0)
		log_msg(LOG_PRIO_ERR, "%d request(s) still not committed at shutdown", a->inflight);
	if (a->unsaved > 0)
		log_msg(LOG_PRIO_ERR, "%d press(es) could not be saved before shutdown", a->unsaved);
}

/*
 * Draws a frame when something changed, or when an animation runs and its next frame is due.
 * Returns whether an animation runs (the loop then wakes for its next frame).
 */
static int draw_if_due(struct app *a, long long now)
{
	/* The renderer says when its own animations (count-up, celebration, carousel) need the
	 * next frame, so between carousel changes the loop sleeps. ack_drawn: one more frame
	 * after the fade, so the acknowledgement is fully gone. */
	int ack_on = ack_level(a, now) > 0.0f;
	int animating = ack_on || a->ack_drawn || a->reset_start ||
			render_next_frame_ms(a->p->render, now) == 0;
	/* New data is drawn at once (a press must answer now); animation frames are paced
	 * ([display] frame_rate), so a display without vsync does not make the loop spin. A
	 * frame with nothing new on it is not drawn at all (draw returns 0). */
	if (a->dirty || (animating && now >= a->last_draw_ms + a->frame_ms)) {
		a->last_draw_ms = now;
		if (draw(a, now))
			trace_frame(a);
		a->dirty = 0;
		a->ack_drawn = ack_on;
	}
	return animating;
}

static void wait_at_most(int *timeout, long long ms)
{
	if (ms < *timeout)
		*timeout = ms < 0 ? 0 : (int)ms;
}

/*
 * How long poll() may sleep: until the earliest of the next animation frame, the renderer's
 * next scheduled change, a retry of unsaved presses, a staff connection's idle timeout, a
 * debouncer deadline and the watchdog ping (as redis's aeProcessEvents takes its wait from the
 * earliest timer).
 */
static int next_timeout(struct app *a, int animating, int input_fd)
{
	int timeout = IDLE_WAIT_MS;
	if (a->p->cfg->keyboard && input_fd < 0)
		timeout = INPUT_PUMP_MS; /* SDL's queue has no fd to wait on */
	long long now = mono_ms();
	/* Every turn, so that stalled staff connections are closed however busy the screen is. */
	long long ctl_due = ctlserver_expire(a->ctl, now);
	if (a->dirty)
		return 0;
	long long frame = render_next_frame_ms(a->p->render, now);
	/* Animating, or something started moving with the frame just drawn: the next frame. */
	if (animating || frame == 0)
		wait_at_most(&timeout, a->last_draw_ms + a->frame_ms - now);
	else if (frame > 0)
		wait_at_most(&timeout, frame);
	if (a->unsaved > 0)
		wait_at_most(&timeout, a->retry_at - now);
	if (a->qr_until) {
		if (a->qr_until <= now) {
			a->qr_until = 0; /* the minute is over: draw the tally alone again */
			a->dirty = 1;
			return 0;
		}
		wait_at_most(&timeout, a->qr_until - now);
	}
	wait_at_most(&timeout, ctl_due - now); /* LLONG_MAX when none: no overflow */
	if (a->inputs) {
		long long due = inputs_deadline(a->inputs);
		if (due != INT64_MAX)
			wait_at_most(&timeout, (due - mono_ns() + 999999) / 1000000);
	}
	/* Ping only while the storage thread moves: a hung commit means a restart. */
	long long ping = supervise_tick(&a->sup, now, worker_busy_ms(a->worker, now) <
							     (a->sup.interval_ms ? a->sup.interval_ms : 1));
	if (ping >= 0)
		wait_at_most(&timeout, ping);
	if (a->several) {
		long long w = several_wait_ms(a->several, now);
		if (w >= 0)
			wait_at_most(&timeout, w);
	}
	return timeout;
}

/* The loop's poll set, in a fixed order: signals, storage, control socket, GPIO, display. */
struct loop_fds {
	struct pollfd fd[2 + 1 + CTLSERVER_MAX_CLIENTS + CONFIG_MAX_GPIO + 1 + 1 + 1 + 1];
	int nctl, ngpio, n;
	int web;               /* index of the web server's fd, or -1 */
	int cards;             /* index of the card thread's fd, or -1 */
};

static void fill_pollfds(struct app *a, struct loop_fds *l, int input_fd)
{
	l->fd[0] = (struct pollfd){ .fd = a->p->signal_fd, .events = POLLIN };
	l->fd[1] = (struct pollfd){ .fd = worker_fd(a->worker), .events = POLLIN };
	l->nctl = ctlserver_pollfds(a->ctl, l->fd + 2, CTLSERVER_MAX_CLIENTS + 1);
	l->ngpio = a->inputs ? inputs_pollfds(a->inputs, l->fd + 2 + l->nctl, CONFIG_MAX_GPIO) : 0;
	l->n = 2 + l->nctl + l->ngpio;
	if (input_fd >= 0)
		l->fd[l->n++] = (struct pollfd){ .fd = input_fd, .events = POLLIN };
	l->cards = -1;
	if (a->cards) {
		l->cards = l->n;
		l->fd[l->n++] = (struct pollfd){ .fd = card_worker_fd(a->cards), .events = POLLIN };
	}
	l->web = -1;
	if (a->p->web) {
		l->web = l->n;
		l->fd[l->n++] = (struct pollfd){ .fd = web_fd(a->p->web), .events = POLLIN };
	}
	if (a->several) /* last: the broker's thread says it has news */
		l->fd[l->n++] = (struct pollfd){ .fd = several_fd(a->several), .events = POLLIN };
}

/* Hands what poll() returned (ready > 0: some fds are ready) to their owners. */
static void dispatch(struct app *a, struct loop_fds *l, int ready)
{
	if (ready > 0) {
		if (l->fd[0].revents)
			handle_signal(a);
		if (l->fd[1].revents)
			collect(a);
		ctlserver_dispatch(a->ctl, l->fd + 2, l->nctl);
		if (l->web >= 0 && l->fd[l->web].revents)
			take_web(a);
		if (l->cards >= 0 && l->fd[l->cards].revents)
			take_cards(a);
	}
	/* Called on a timeout too: debouncers act on their deadlines. */
	if (a->inputs)
		inputs_service(a->inputs, l->fd + 2 + l->nctl, ready > 0 ? l->ngpio : 0, mono_ns());
	handle_input(a);
	/* Every turn, not only when its fd is ready: publishes and saves fall due on time. */
	if (a->several && several_service(a->several, mono_ms()))
		a->dirty = 1;
}

/*
 * The share cards' renderer and its thread, started after the first frame: opening its fonts
 * and reading fontconfig's configuration for them would otherwise keep the screen dark longer.
 * No card can be asked for earlier: a request reaches the loop only after this first turn.
 */
static void start_cards(struct app *a)
{
	char err[CONFIG_PATH_MAX + 256];
	a->cards_tried = 1;
	if (card_open(&a->card, a->p->cfg, err, sizeof err) != 0) {
		log_msg(LOG_PRIO_WARNING, "share cards: %s", err);
		return;
	}
	/* Without the card thread the kiosk still counts; cards are then refused. */
	if (card_worker_start(&a->cards, a->card, a->p->cases) != 0) {
		log_msg(LOG_PRIO_ERR, "cannot start the share card thread: no share cards");
		card_close(a->card);
		a->card = NULL;
	}
}

int app_run(const struct app_params *p)
{
	struct app a = { .p = p, .dirty = 1 };
	a.frame_ms = 1000 / (p->cfg->frame_rate > 0 ? p->cfg->frame_rate : 30);
	unsaved_init(&a.kept);
	char err[256];
	snprintf(a.web_pin, sizeof a.web_pin, "%s", p->web_pin ? p->web_pin : "");
	store_current(p->store, &a.shown);
	kioskclock_init(&a.clock, store_latest_ms(p->store), p->web != NULL);
	/* Copied before the storage thread owns the store. */
	snprintf(a.store_notice, sizeof a.store_notice, "%s", store_notice(p->store));
	if (ctlserver_open(&a.ctl, p->socket_path, on_request, &a, err, sizeof err) != 0) {
		log_msg(LOG_PRIO_ERR, "control socket: %s", err);
		return 1;
	}
	if (p->cfg->mqtt && several_open(&a.several, p->cfg, p->store, p->mqtt_password,
					  submit_several, &a, err, sizeof err) != 0) {
		log_msg(LOG_PRIO_ERR, "[mqtt]: %s", err);
		ctlserver_close(a.ctl);
		return 1;
	}
	if (worker_start(&a.worker, p->store) != 0) {
		log_msg(LOG_PRIO_ERR, "cannot start the storage thread: %s", strerror(errno));
		several_close(a.several);
		ctlserver_close(a.ctl);
		return 1;
	}
	if (p->cfg->n_gpio && inputs_open(&a.inputs, p->cfg, on_input, on_input_log, &a,
					    mono_ns()) != 0) {
		log_msg(LOG_PRIO_ERR, "out of memory for the GPIO inputs");
		worker_stop(a.worker);
		several_close(a.several);
		ctlserver_close(a.ctl);
		return 1;
	}
	log_msg(LOG_PRIO_NOTICE, "counting: event=\"%s\" total=%lld goal=%lld socket=%s",
		a.shown.name, a.shown.total, a.shown.goal, p->socket_path);
	supervise_init(&a.sup, mono_ms());
	char ready[STORE_NAME_MAX + 64];
	snprintf(ready, sizeof ready, "counting: %lld letters in \"%s\"", a.shown.total,
		 a.shown.name);
	supervise_ready(ready);
	if (a.sup.interval_ms)
		log_msg(LOG_PRIO_INFO, "watchdog: pinging systemd every %lld ms", a.sup.interval_ms);

	/* With a display connection to wait on, idle input costs no wake-ups. */
	int input_fd = render_input_fd(p->render);
	int status = 0;
	while (!a.stop) {
		if (kioskclock_check(&a.clock, kioskclock_now_ms()))
			a.dirty = 1;
		int animating = draw_if_due(&a, mono_ms());
		if (!a.cards_tried)
			start_cards(&a);
		if (a.unsaved > 0 && a.retry_at <= mono_ms())
			retry_unsaved(&a);
		int timeout = next_timeout(&a, animating, input_fd);
		struct loop_fds l;
		fill_pollfds(&a, &l, input_fd);
		int nready = poll(l.fd, (nfds_t)l.n, timeout);
		if (nready < 0 && errno != EINTR) {
			log_msg(LOG_PRIO_ERR, "poll: %s", strerror(errno));
			status = 1;
			break;
		}
		dispatch(&a, &l, nready);
	}
	supervise_stopping();
	inputs_close(a.inputs);
	drain(&a);
	card_worker_stop(a.cards);
	card_close(a.card);
	several_close(a.several);
	ctlserver_close(a.ctl);
	worker_stop(a.worker);
	unsaved_free(&a.kept);
	log_msg(LOG_PRIO_NOTICE, "stopped: event=\"%s\" total=%lld", a.shown.name, a.shown.total);
	return status;
}
