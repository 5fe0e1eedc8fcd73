/*
 * What a view draws with: render.c hands each view a small drawing context (the SDL renderer,
 * the screen's boxes already moved by the pixel shift, the organiser's colours) and the view
 * keeps its own state. Views and the device see each other only through this header, so a
 * view can draw into any renderer: the kiosk's window, an off-screen surface, a share card.
 * Only render files include SDL headers.
 */
#ifndef TALLYKIOSK_DRAW_H
#define TALLYKIOSK_DRAW_H

#include <SDL.h>
#include <string.h>

#include "config.h"
#include "layout.h"

struct draw_ctx {
	SDL_Renderer *ren;
	const struct tally_layout *layout; /* what is drawn: moved by the pixel shift */
	struct rgb background, number, text, accent;
	int window;                        /* 1: the kiosk's screen; 0: a picture (screenshot) */
};

/*
 * Every view works in two steps per frame: update (view_X_update) works out what it shows at
 * now_ms, compares that with what it showed last and adds the boxes that changed to a
 * struct damage (damage.h); draw (view_X_draw) paints what update worked out, and is called
 * once per damaged rectangle with the renderer clipped to it, on the background. A view must
 * therefore paint the same pixels whatever the clip, and never outside the boxes it reports.
 */

static inline SDL_Color rp_color(struct rgb c)
{
	SDL_Color s = { c.r, c.g, c.b, 255 };
	return s;
}

/* a blended over b by t (0..1): dim colours that stay in the organiser's palette. */
static inline SDL_Color rp_mix(struct rgb a, struct rgb b, float t)
{
	SDL_Color s = { (Uint8)(b.r + (a.r - b.r) * t + 0.5f), (Uint8)(b.g + (a.g - b.g) * t + 0.5f),
			(Uint8)(b.b + (a.b - b.b) * t + 0.5f), 255 };
	return s;
}

/* FNV-1a over n bytes, chained from h: a view's "look" of a part, to see whether it changed. */
static inline unsigned long long draw_hash(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

#define DRAW_HASH_SEED 1469598103934665603ULL

static inline unsigned long long draw_hash_str(unsigned long long h, const char *s)
{
	return draw_hash(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static inline Uint8 rp_alpha(float f)
{
	if (f <= 0.0f)
		return 0;
	if (f >= 1.0f)
		return 255;
	return (Uint8)(f * 255.0f + 0.5f);
}

#endif
