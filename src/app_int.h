/*
 * Private to the loop's files: app.c (the loop: poll, inputs, presses, the storage thread),
 * app_requests.c (requests in, committed answers out) and app_screen.c (the frames). The
 * state they share is struct app, the loop's own: one thread, no locks.
 */
#ifndef TALLYKIOSK_APP_INT_H
#define TALLYKIOSK_APP_INT_H

#include "app.h"

/* What struct app holds by value. */
#include "supervise.h"
#include "kioskclock.h"
#include "unsaved.h"
#include "web_auth.h"

#define ACK_MS 1400           /* how long "Thank you!" stays on screen */
#define RETRY_MS 2000         /* wait before saving presses whose commit failed, again */
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

/* app.c */
/* Hands req to the storage thread as a job from source; client is the tallyctl connection
 * or staff page call (web_is_tag) to answer, or -1 for a press of this kiosk's own. */
void app_submit(struct app *a, const struct control_request *req, const char *source,
		int client);
/* Shows the staff page's QR code over the tally for a minute (who asked goes to the log). */
void app_show_qr(struct app *a, const char *who);

/* app_requests.c */
/* The control socket's requests (ctlserver.h's callback). */
void app_on_request(void *ctx, int tag, const struct control_request *req);
/* several.c's requests: per-case counts, peer states, following the venue's event. */
void app_submit_several(void *ctx, const struct control_request *req);
/* The storage thread's finished jobs: shown, logged and answered. */
void app_collect(struct app *a);
/* The staff page's calls waiting for the loop (web_take). */
void app_take_web(struct app *a);
/* Share cards the card thread has drawn, answered. */
void app_take_cards(struct app *a);

/* app_screen.c */
/* A press happened now: its thank-you is due on the next frame (--trace). */
void app_trace_press(struct app *a);
/* Draws a frame when something changed, or when an animation's next frame is due.
 * Returns whether an animation runs (the loop then wakes for its next frame). */
int app_draw_if_due(struct app *a, long long now);

#endif
