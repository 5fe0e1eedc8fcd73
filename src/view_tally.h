/*
 * The tally view: the event's name, the big number counting up to each new committed total,
 * the acknowledgement after a press, the milestone celebration and the goal bar; and the staff
 * strip along the bottom edge. Each keeps its own state and draws through a draw_ctx (draw.h).
 */
#ifndef TALLYKIOSK_VIEW_TALLY_H
#define TALLYKIOSK_VIEW_TALLY_H

#include "anim.h"
#include "config.h"
#include "damage.h"
#include "draw.h"
#include "render.h"
#include "render_text.h"

enum { TALLY_EVENT, TALLY_LABEL, TALLY_ACK, TALLY_GOAL, TALLY_MILESTONE, TALLY_TEXTS };

#define CELEBRATE_MS 4500

/* What the tally shows in one frame (view_tally_update), and the look of each of its parts. */
struct tally_frame {
	struct tally_layout layout; /* the boxes drawn in (without a goal: no bar, centred) */
	const char *event_name, *thank_you; /* borrowed from the view, for one frame */
	const char *label;          /* "letters written", agreeing with the number shown */
	const char *milestone_label; /* while celebrating: the label for the milestone */
	long long total, goal;      /* committed total (with goal_offset) and goal */
	long long shown;            /* the number on screen, counting towards total */
	char digits[48];            /* shown, formatted */
	float scale;                /* the pop after a press */
	SDL_Rect number_at;         /* every pixel the digits may touch, if number_drawn */
	int number_drawn;
	int celebrating;
	float cel;                  /* the celebration's age, 0..1 */
	Uint8 event_a, milestone_a, label_a, ack_a;
	unsigned long long look_event, look_number, look_label, look_goal_bar;
	unsigned long long look_goal_text;
};

struct view_tally {
	struct rt_number num;
	struct rt_text text[TALLY_TEXTS];
	struct rt_pill pill;            /* the goal bar's ends */
	long long milestone_every;      /* [display] milestone */
	long long goal_offset;          /* [event] goal_offset */
	char label_one[CONFIG_TEXT_MAX]; /* the label's singular form (config_label_one) */
	char language[16];              /* [event] language: the labels' plural rule */

	/* The number on screen, counting towards the committed total. */
	struct anim_count count;
	int count_init;
	long long milestone_at;         /* when the last milestone was reached */
	long long milestone;            /* the milestone being celebrated; 0 = none yet */

	struct tally_frame frame;       /* what was drawn last */
	int framed;                     /* frame is valid: later updates damage what changed */
};

/* Opens the fonts (font_path: the bold face). Returns 0 or -1 (TTF_GetError()). */
int view_tally_open(struct view_tally *t, const struct config *cfg, struct font_cache *fonts,
		    const char *font_path);
/* The big number's full size (the layout's), 0 without a layout. */
void view_tally_resize(struct view_tally *t, int number_px);
/* Works out the frame at now_ms (the count-up, the pop, the fades) and adds to d the boxes
 * that look different from the last frame. */
void view_tally_update(struct view_tally *t, const struct draw_ctx *dc, const struct tally_view *v,
		       long long now_ms, struct damage *d);
/* Paints the frame of the last update (clipped by the caller). */
void view_tally_draw(struct view_tally *t, const struct draw_ctx *dc);
/* The next update damages every box (the picture was lost or moved). */
void view_tally_forget(struct view_tally *t);
/*
 * 1 if this frame's number is scaled (the pop), with the box its glyphs may reach. A scaled
 * copy cut by a clip is resampled from a different origin, so the renderer repaints that
 * box whole or not at all.
 */
int view_tally_scaled(const struct view_tally *t, const struct draw_ctx *dc,
		      struct layout_box *box);
/* 1 while the number counts or a milestone is celebrated. */
int view_tally_animating(const struct view_tally *t, long long now_ms);
/* Forgets every texture (a lost render device); they are made again when drawn. */
void view_tally_drop(struct view_tally *t);
void view_tally_close(struct view_tally *t);

/* The staff strip: hidden while there is nothing to say; calm for information (this kiosk's
 * share of the venue), red for a problem staff must act on. */
struct view_status {
	struct rt_text text;
	const char *msg;                /* borrowed for one frame; NULL = hidden */
	enum staff_severity severity;
	unsigned long long look;
	int framed;
};

int view_status_open(struct view_status *s, struct font_cache *fonts, const char *font_path);
/* msg (NULL or "" = nothing to say) for this frame; damages the strip when it or its
 * severity changed. */
void view_status_update(struct view_status *s, const struct draw_ctx *dc, const char *msg,
			enum staff_severity severity, struct damage *d);
void view_status_draw(struct view_status *s, const struct draw_ctx *dc);
void view_status_forget(struct view_status *s);
void view_status_drop(struct view_status *s);
void view_status_close(struct view_status *s);

#endif
