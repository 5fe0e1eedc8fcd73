/*
 * See app.h. The loop itself: poll, the inputs (GPIO, keys, signals), presses handed to the
 * storage thread and saved again after a failure. Its requests and answers are in
 * app_requests.c, its frames in app_screen.c; the state they share in app_int.h.
 */
#include "app_int.h"

#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
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

#define INPUT_PUMP_MS 20      /* SDL has no fd to poll on: look at its queue this often */
#define IDLE_WAIT_MS 1000
#define SHUTDOWN_WAIT_MS 10000

void app_submit(struct app *a, const struct control_request *req, const char *source,
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

static void press(struct app *a, const char *source, const char *case_id)
{
	app_trace_press(a);
	struct control_request req = { .op = CONTROL_PRESS };
	if (case_id)
		snprintf(req.case_id, sizeof req.case_id, "%s", case_id);
	/* The thank-you may start now; the number changes only when the commit is done. */
	a->ack_start = mono_ms();
	a->dirty = 1;
	app_submit(a, &req, source, -1);
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
	app_submit(a, &req, source, -1);
}

/* Staff asked to see the staff page's QR code: on screen for a minute, for them only. */
void app_show_qr(struct app *a, const char *who)
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
			app_show_qr(a, g->name);
	}
	a->dirty = 1;
}

static void on_input_log(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	log_msg(prio, "%s", msg);
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
			app_submit(a, &req, rows[i].source, -1);
		}
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
			app_show_qr(a, "the W key");
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
			app_collect(a);
	}
	if (a->inflight > 0)
		log_msg(LOG_PRIO_ERR, "%d request(s) still not committed at shutdown", a->inflight);
	if (a->unsaved > 0)
		log_msg(LOG_PRIO_ERR, "%d press(es) could not be saved before shutdown", a->unsaved);
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
			app_collect(a);
		ctlserver_dispatch(a->ctl, l->fd + 2, l->nctl);
		if (l->web >= 0 && l->fd[l->web].revents)
			app_take_web(a);
		if (l->cards >= 0 && l->fd[l->cards].revents)
			app_take_cards(a);
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
	if (card_open(&a->card, a->p->cfg, a->p->font_lock, err, sizeof err) != 0) {
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
	if (ctlserver_open(&a.ctl, p->socket_path, app_on_request, &a, err, sizeof err) != 0) {
		log_msg(LOG_PRIO_ERR, "control socket: %s", err);
		return 1;
	}
	if (p->cfg->mqtt && several_open(&a.several, p->cfg, p->store, p->mqtt_password,
					  app_submit_several, &a, err, sizeof err) != 0) {
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
		int animating = app_draw_if_due(&a, mono_ms());
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
