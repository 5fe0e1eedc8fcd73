/*
 * The tally view: the event's name, the big number counting up to each new committed total,
 * the acknowledgement after a press, the milestone celebration and the goal bar; and the staff
 * strip along the bottom edge. Each keeps its own state and draws through a draw_ctx (draw.h).
 */
#ifndef TALLYKIOSK_VIEW_TALLY_H
#define TALLYKIOSK_VIEW_TALLY_H

#include "anim.h"
#include "config.h"
#include "draw.h"
#include "render.h"
#include "render_text.h"

enum { TALLY_EVENT, TALLY_LABEL, TALLY_ACK, TALLY_GOAL, TALLY_MILESTONE, TALLY_TEXTS };

#define CELEBRATE_MS 4500

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
};

/* Opens the fonts (font_path: the bold face). Returns 0 or -1 (TTF_GetError()). */
int view_tally_open(struct view_tally *t, const struct config *cfg, const char *font_path);
/* The big number's full size (the layout's), 0 without a layout. */
void view_tally_resize(struct view_tally *t, int number_px);
void view_tally_draw(struct view_tally *t, const struct draw_ctx *dc, const struct tally_view *v,
		     long long now_ms);
/* 1 while the number counts or a milestone is celebrated. */
int view_tally_animating(const struct view_tally *t, long long now_ms);
/* Forgets every texture (a lost render device); they are made again when drawn. */
void view_tally_drop(struct view_tally *t);
void view_tally_close(struct view_tally *t);

/* The staff strip: hidden while all is well, red with the problem otherwise. */
struct view_status {
	struct rt_text text;
};

int view_status_open(struct view_status *s, const char *font_path);
/* Draws msg in the strip; nothing for NULL or "". */
void view_status_draw(struct view_status *s, const struct draw_ctx *dc, const char *msg);
void view_status_drop(struct view_status *s);
void view_status_close(struct view_status *s);

#endif
