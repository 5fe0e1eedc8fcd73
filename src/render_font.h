/*
 * Text in any script for the renderer (private to the render files): a font with
 * fontconfig's fallback for the characters it lacks (CJK, emoji, ...), bidirectional order
 * (fribidi), line breaking (textlayout.c) and rasterising lines into two layers, the
 * tintable glyphs and the colour ones (emoji keep their own colours).
 */
#ifndef TALLYKIOSK_RENDER_FONT_H
#define TALLYKIOSK_RENDER_FONT_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdint.h>

#include "fontfind.h"
#include "render_fontcache.h"
#include "textlayout.h"

#define RF_FACES 6          /* fallback faces per text */

struct rf_face {
	TTF_Font *font;         /* held from the cache while a text is laid out, else NULL */
	int px;                 /* the size it is held at */
	int strike_h;           /* > 0: a bitmap face, its glyphs this high at any size */
	int checked;            /* strike_h was worked out */
	int failed;
};

/*
 * A font and its fallbacks. The faces come from the renderer's font cache (render_fontcache.h)
 * and are held only from rf_size (or rf_prepare) to rf_release, so texts share them. The code
 * points looked up are remembered, so fontconfig is asked once per new character, not per frame
 * or per size.
 */
struct rf_fonts {
	struct font_cache *cache;
	char *path;
	char lang[16];          /* the text's language for fontconfig ("" = none) */
	TTF_Font *main;         /* held at px, or NULL */
	int px;                 /* size of every face (a bitmap face is scaled to it) */
	struct fontfind_face found[RF_FACES];
	struct rf_face face[RF_FACES];
	int n_found;
	struct rf_known { uint32_t cp; signed char face; } *known;
	int n_known, cap_known;
};

/* A string prepared for measuring and drawing. */
struct rf_text {
	const char *s;
	uint32_t *cp;
	int *offs;              /* byte offset of each code point in s; offs[n] = strlen */
	signed char *face;      /* -1: the main font, else a fallback face */
	unsigned char *level;   /* bidi embedding level */
	int n;
	int rtl;                /* the paragraph's direction is right-to-left */
};

/* The font at path, from cache (which must outlive f). Returns 0, or -1 if it cannot be opened
 * (TTF_GetError()). */
int rf_open(struct rf_fonts *f, struct font_cache *cache, const char *path);
void rf_close(struct rf_fonts *f);
/* Gives the faces back to the cache: call it when a text is rasterised. */
void rf_release(struct rf_fonts *f);
/* The language of the texts to come (a code such as "ja", "zh-TW"; NULL = none): fontconfig
 * then prefers fonts for it (Han characters in their Japanese or Chinese forms). */
void rf_set_lang(struct rf_fonts *f, const char *lang);
/* Sets the size of every face (px > 0), holding the main face at it. Returns 0 or -1. */
int rf_size(struct rf_fonts *f, int px);
/* Line height at the current size. */
int rf_line_height(struct rf_fonts *f);

/* Prepares s (whose lifetime must cover t's): fonts and bidi levels. Returns 0 or -1. */
int rf_prepare(struct rf_fonts *f, const char *s, struct rf_text *t);
void rf_text_free(struct rf_text *t);

/* A callback for tl_wrap: width of code points [start, end) of t at f's size. */
struct rf_measure {
	struct rf_fonts *fonts;
	const struct rf_text *text;
};
int rf_measure(void *ctx, int start, int end);

/* A line to rasterise: code points [start, end), with an ellipsis after them if ellipsis. */
struct rf_line {
	int start, end;
	int ellipsis;
};

/*
 * Rasterises lines one under the other at f's size, each aligned in a block as wide as the
 * widest (align: 0 centre, 1 start = left, or right for a right-to-left paragraph). *mono gets
 * the white glyphs (to be tinted), *color the colour glyphs or NULL if there are none.
 * Returns 0 or -1.
 */
int rf_render(struct rf_fonts *f, const struct rf_text *t, const struct rf_line *lines,
	      int n_lines, int align, SDL_Surface **mono, SDL_Surface **color);

#endif
