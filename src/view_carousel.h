/*
 * The case carousel view: one card at a time with the case's photo or initials, name,
 * country, headline and story, the letters counted for it, and dots that say which case of
 * how many. It keeps its own state (the slides, the schedule, the cards' textures) and draws
 * through a draw_ctx (draw.h).
 */
#ifndef TALLYKIOSK_VIEW_CAROUSEL_H
#define TALLYKIOSK_VIEW_CAROUSEL_H

#include "anim.h"
#include "cases.h"
#include "config.h"
#include "damage.h"
#include "draw.h"
#include "render.h"
#include "render_text.h"

#define CAROUSEL_FADE_MS 900 /* a card change */

/* Texts of one case card. */
enum { CARD_NAME, CARD_COUNTRY, CARD_HEADLINE, CARD_STORY, CARD_COUNT, CARD_INITIALS,
       CARD_TEXTS };

/* Two cards exist so the outgoing one can fade while the next comes in. */
struct card {
	int slide;              /* which slide the texts were made for; -1 = none */
	struct rt_text text[CARD_TEXTS];
	SDL_Texture *photo;     /* NULL: the initials badge; else the badge's size */
	int photo_side;         /* the badge size the photo was scaled to */
	long long count;        /* the case's own count, when has_count */
	int has_count;
	/* The texts as one opaque picture on the panel's colour (NULL: drawn one by one). */
	SDL_Texture *layer;
	SDL_Rect layer_at;
	unsigned long long layer_key; /* what the picture was made for */
	int layer_tried;
};

struct slide {
	int case_index;
	int lang;               /* 0 or 1 (the cases file's second language) */
};

/* What the carousel shows in one frame (view_carousel_update). */
struct carousel_frame {
	int active;             /* the card is on screen */
	int from, to;           /* slides; equal when settled */
	int from_card, to_card; /* index in cards[], -1 = none */
	Uint8 out_a, in_a;      /* the outgoing and incoming contents' opacity */
	int dy;                 /* the incoming contents rise from dy pixels lower */
	int dot;                /* the case the dots point at */
	const char *label;      /* borrowed for one frame: "letters written" */
	unsigned long long look;
};

struct view_carousel {
	int on;                 /* [display] carousel */
	int alternate;          /* [content] alternate_languages */
	int interval_ms;        /* [display] carousel_interval */
	char label_one[CONFIG_TEXT_MAX]; /* the label's singular form, for the case's count */
	char language[16];      /* [event] language: the labels' plural rule */
	char label2[CONFIG_TEXT_MAX], label2_one[CONFIG_TEXT_MAX]; /* in the second language */
	const struct cases *cases; /* borrowed */
	struct slide slides[2 * CASES_MAX];
	int n_slides;
	struct anim_carousel sched;
	int sched_started;
	struct card cards[2];
	struct rt_pill badge;   /* the initials' disc */
	struct rt_pill panel;   /* the card's corners */
	struct rt_pill dots;    /* the position dots */
	int pending;            /* the first card is still to be drawn (the next frame) */
	int fonts_open;         /* view_carousel_open_fonts was called */
	struct carousel_frame frame;
	int framed;
};

/* Takes the carousel's settings from cfg. Returns 0. */
int view_carousel_open(struct view_carousel *c, const struct config *cfg);
/* Opens the cards' fonts: names in font_path (bold), stories in body_path. 0 or -1
 * (TTF_GetError()). Until then no card is drawn; a kiosk opens them after its first frame. */
int view_carousel_open_fonts(struct view_carousel *c, struct font_cache *fonts,
			     const char *font_path, const char *body_path);
/* The cases to show (borrowed); NULL or none: no carousel. */
void view_carousel_set(struct view_carousel *c, const struct cases *cases);
/* 1 if there is something to show (the layout then makes room for the card). */
int view_carousel_wanted(const struct view_carousel *c);
/* Works out the frame at now_ms; damages the card's box if it looks different. */
void view_carousel_update(struct view_carousel *c, const struct draw_ctx *dc,
			  const struct tally_view *v, long long now_ms, struct damage *d);
/* Paints the frame of the last update (clipped by the caller). */
void view_carousel_draw(struct view_carousel *c, const struct draw_ctx *dc);
/* The next update damages the card's box (the picture was lost or moved). */
void view_carousel_forget(struct view_carousel *c);
/* Milliseconds until the carousel next needs a frame: 0 while it moves, -1 if never. */
long long view_carousel_wait(const struct view_carousel *c, const struct tally_layout *l,
			     long long now_ms);
/* Forgets every texture (a lost render device); they are made again when drawn. */
void view_carousel_drop(struct view_carousel *c);
void view_carousel_close(struct view_carousel *c);

#endif
