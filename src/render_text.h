/*
 * Texture caches for render.c: text lines, the digits of the big number, and the round caps of
 * the goal bar. Private to the renderer (the only other file that includes SDL headers).
 *
 * Every cache rasterises when its input changes and never per frame, because uploading a
 * texture is the expensive part on the Pi's GPU. Text textures are white and coloured at draw
 * time (colour and alpha modulation), so fades and colour changes cost nothing.
 */
#ifndef TALLYKIOSK_RENDER_TEXT_H
#define TALLYKIOSK_RENDER_TEXT_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "layout.h"
#include "render_font.h"

/* One text in one box, with its own fonts so shrinking it affects no other text. */
struct rt_text {
	struct rf_fonts fonts;
	int align;            /* lines of several: 0 centred on each other, 1 at the start */
	char *str;            /* what tex shows; NULL until set */
	int box_w, box_h, box_px, min_px; /* the box tex was fitted to */
	int wrap;             /* wrapped to the box's width (a paragraph) or a title */
	int px, lines;        /* the size and number of lines it was rasterised at */
	int rtl;              /* a right-to-left paragraph: "start" is the right edge */
	SDL_Texture *tex;     /* white glyphs, tinted when drawn */
	SDL_Texture *color;   /* colour glyphs (emoji), drawn as they are; NULL if none */
	int w, h;
};

#define RT_GLYPHS 12 /* "0".."9", the separator ",", the minus sign */
#define RT_SETS 1    /* sizes kept: one; the number shrinks only when it gains a digit past
		      * what the layout sized it for, and each set is megabytes at 4K */

struct rt_digits {
	int px;               /* 0: slot unused */
	unsigned long used;   /* for least-recently-used eviction */
	SDL_Texture *tex[RT_GLYPHS];
	int adv[RT_GLYPHS];   /* pen advance; all digits share one cell, so they never jitter */
	int off[RT_GLYPHS];   /* x of the texture relative to the pen */
	int tw[RT_GLYPHS], th[RT_GLYPHS];
	int ink_top, ink_bottom; /* rows of the digits' ink inside the textures */
	int below;            /* rows the separator hangs below the digits */
	SDL_Color color;      /* the glyphs are rasterised in this colour */
};

struct rt_number {
	struct font_cache *cache;
	char *path;           /* the font, taken from cache at each size it is laid out in */
	int base_px;          /* the layout's size; smaller sizes only when the number is too wide */
	int fit_nd, fit_ns, fit_neg, fit_w, fit_px; /* last shrink-to-fit answer */
	unsigned long clock;
	struct rt_digits sets[RT_SETS];
};

/* A disc texture cut in halves gives the goal bar anti-aliased round ends. */
struct rt_pill {
	SDL_Texture *disc;
	int d;
};

/* Opens the font for a text line (sized later) from cache, which must outlive t. Returns 0 or
 * -1 (TTF_GetError()). */
int rt_text_open(struct rt_text *t, struct font_cache *cache, const char *font_path);

/* The smallest a title is shrunk to, as a share of its box's font size (then it wraps). */
#define RT_TITLE_MIN_SHARE 50

/*
 * Makes t show s (NULL = nothing) in b, as a title: on one line at b's font size, shrunk to
 * fit b's width down to 3/4 of it; then on two lines if b is high enough for them at a larger
 * size than one line would get; at the smallest (RT_TITLE_MIN_SHARE % of b's size), what
 * still does not fit ends in an ellipsis. Re-rasterises only if s or b changed.
 */
void rt_text_set(struct rt_text *t, SDL_Renderer *r, const char *s, const struct layout_box *b);
/*
 * Makes t show s as a paragraph wrapped to b's width, at b's font size or smaller (not below
 * min_px) so that all of it fits b's height; at min_px the lines that fit are shown, the last
 * one ending in an ellipsis. Re-rasterises only if s, b or min_px changed.
 */
void rt_text_set_wrapped(struct rt_text *t, SDL_Renderer *r, const char *s,
			 const struct layout_box *b, int min_px);
/* The language of t's texts (see rf_set_lang); a change applies from the next text set. */
void rt_text_lang(struct rt_text *t, const char *lang);
/* Lines of a text of several lines: 0 centred on each other (the default), 1 at the start. */
void rt_text_align(struct rt_text *t, int align);
/* Draws t centred in b, tinted c with the given opacity. */
void rt_text_draw(struct rt_text *t, SDL_Renderer *r, const struct layout_box *b, SDL_Color c,
		  Uint8 alpha);
/* Draws t at the left of b (the right for right-to-left text aligned at its start; top-aligned
 * when top, else centred vertically), dy pixels lower. */
void rt_text_draw_left(struct rt_text *t, SDL_Renderer *r, const struct layout_box *b,
		       SDL_Color c, Uint8 alpha, int top, int dy);
/* Forgets the texture (it is rebuilt on the next rt_text_set). */
void rt_text_drop(struct rt_text *t);
void rt_text_close(struct rt_text *t);

/* The number's font from cache (as rt_text_open). Returns 0 or -1. */
int rt_number_open(struct rt_number *n, struct font_cache *cache, const char *font_path);
/* Sets the full size of the number (the layout's font_px); 0 when there is no layout. */
void rt_number_resize(struct rt_number *n, int px);
/* The most the number grows on a press ("pop"); the fit leaves room for it. */
#define RT_NUMBER_POP 0.06f

/*
 * Draws s (digits, "," and "-" only) centred in b, shrunk so that it fits b even when scaled
 * by 1 + RT_NUMBER_POP. scale (1 .. 1 + RT_NUMBER_POP) grows it about the digits' centre.
 */
void rt_number_draw(struct rt_number *n, SDL_Renderer *r, const char *s,
		    const struct layout_box *b, float scale, SDL_Color c);
/* Every pixel rt_number_draw with the same arguments may touch. Returns 0, or -1 if it
 * would draw nothing. */
int rt_number_bounds(struct rt_number *n, SDL_Renderer *r, const char *s,
		     const struct layout_box *b, float scale, SDL_Color c, SDL_Rect *out);
void rt_number_drop(struct rt_number *n);
void rt_number_close(struct rt_number *n);

/* A rounded bar x,y w x h in c (c.a = opacity); shorter than its height, it is clipped. */
void rt_pill_draw(struct rt_pill *p, SDL_Renderer *r, int x, int y, int w, int h, SDL_Color c);
void rt_pill_drop(struct rt_pill *p);
/* A rectangle with corners of the given radius, from the same disc (sized 2 x radius). */
void rt_round_rect(struct rt_pill *p, SDL_Renderer *r, const SDL_Rect *rect, int radius,
		   SDL_Color c);

#endif
