/*
 * Shared by the render files only: the renderer's state and the two views drawn into it,
 * view_tally.c (number, acknowledgement, milestones, goal bar, staff strip) and
 * view_carousel.c (the case cards). render.c owns the device, rotation and the pixel shift.
 */
#ifndef TALLYKIOSK_RENDER_PRIV_H
#define TALLYKIOSK_RENDER_PRIV_H

#include <SDL.h>

#include "anim.h"
#include "cases.h"
#include "config.h"
#include "layout.h"
#include "render.h"
#include "render_text.h"

enum { SLOT_EVENT, SLOT_LABEL, SLOT_ACK, SLOT_GOAL, SLOT_STATUS, SLOT_MILESTONE, SLOT_COUNT };

/* Texts of one case card; two exist so the outgoing card can fade while the next comes in. */
enum { CARD_NAME, CARD_COUNTRY, CARD_HEADLINE, CARD_STORY, CARD_COUNT, CARD_INITIALS,
       CARD_TEXTS };

struct card {
	int slide;              /* which slide the texts were made for; -1 = none */
	struct rt_text text[CARD_TEXTS];
	SDL_Texture *photo;     /* NULL: the initials badge */
	int photo_w, photo_h;
};

struct slide {
	int case_index;
	int lang;               /* 0 or 1 (the cases file's second language) */
};

/* The last view drawn, owned, so a window screenshot can draw it again (see save_png). */
struct kept_view {
	char *event_name, *label, *thank_you, *staff_status;
	long long total, goal;
	float ack;
	int valid;
};

struct render {
	SDL_Window *window;     /* NULL for the off-screen surface */
	SDL_Renderer *renderer;
	SDL_Surface *surface;   /* the off-screen target, NULL for a window */
	SDL_Texture *rotated;   /* the picture before turning it ([display] rotate), or NULL */
	int rotated_w, rotated_h;
	int video_init, ttf_init, img_init;
	struct rgb background, number, text, accent;
	int rotate;             /* quarter turns clockwise */
	int pixel_shift;
	int carousel_on;
	int interval_ms;
	long long milestone_every;
	long long goal_offset;

	struct tally_layout base;   /* the layout for the logical size */
	struct tally_layout layout; /* base moved by the pixel shift: what is drawn */
	int layout_ok;
	int out_w, out_h;       /* the output's size */
	int log_w, log_h;       /* the picture's size (turned by rotate) */
	int shift_dx, shift_dy;

	struct rt_number num;
	struct rt_text slots[SLOT_COUNT];
	struct rt_pill pill;    /* the goal bar's ends */
	struct rt_pill badge;   /* the initials' disc */
	struct rt_pill panel;   /* the card's corners */
	struct rt_pill dots;    /* the carousel's position dots */

	/* The number on screen, counting towards the committed total. */
	struct anim_count count;
	int count_init;
	long long milestone_at; /* when the last milestone was reached (valid if milestone > 0) */
	long long milestone;    /* the milestone being celebrated; 0 = none yet */

	/* The carousel. */
	const struct cases *cases;
	struct slide slides[2 * CASES_MAX];
	int n_slides;
	int alternate;
	struct anim_carousel sched;
	int sched_started;
	struct card cards[2];
	char body_font_path[1024];

	struct kept_view last;
	long long last_now;     /* the time of the last draw (window screenshots redraw it) */

	/* The last composed picture, kept in `rotated` (the scene texture, turned or not): a
	 * frame whose key equals scene_key is presented again instead of drawn. */
	struct scene_key {
		int steady;     /* nothing was moving: the picture can be reused */
		long long total, goal;
		unsigned long long cases_hash;
		int slide, dx, dy, out_w, out_h;
	} scene_key;
	int scene_ok;
};

#define CELEBRATE_MS 4500
#define FADE_MS 900         /* a carousel change */

SDL_Color rp_color(struct rgb c);
/* a blended over b by t (0..1): dim colours that stay in the organiser's palette. */
SDL_Color rp_mix(struct rgb a, struct rgb b, float t);
Uint8 rp_alpha(float f);

/* The tally and the staff strip. */
void view_tally_draw(struct render *r, const struct tally_view *v, long long now_ms);
void view_status_draw(struct render *r, const char *msg);
/* 1 while the number counts or a milestone is celebrated. */
int view_tally_animating(const struct render *r, long long now_ms);

/* The carousel. */
int view_carousel_open(struct render *r, const char *font_path, const char *body_path);
void view_carousel_set(struct render *r, const struct cases *c);
void view_carousel_draw(struct render *r, const struct tally_view *v, long long now_ms);
long long view_carousel_wait(const struct render *r, long long now_ms);
void view_carousel_drop(struct render *r);
void view_carousel_close(struct render *r);

#endif
