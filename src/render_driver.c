/*
 * Which SDL render driver draws the kiosk's window (see render_priv.h).
 *
 * On KMSDRM (the Pi without X or Wayland) SDL 2.26 tries its desktop OpenGL renderer before
 * GLES2. Where libGL.so.1 is missing, as on a Pi set up with runtime packages only, that try
 * fails after SDL has already set the window up for desktop GL; SDL then falls back to GLES2,
 * which draws and presents frames that never reach the screen: it stays black. The Pi's
 * vc4/v3d are GLES devices, so GLES2 goes first there, then the others in SDL's order.
 * Elsewhere (X11, Wayland) SDL's own order is kept, and an operator's SDL_RENDER_DRIVER always
 * wins.
 */
#include <SDL.h>
#include <stdio.h>
#include <string.h>

#include "render_priv.h"

/* Index of the render driver called name, or -1. */
static int driver_index(const char *name)
{
	int n = SDL_GetNumRenderDrivers();
	for (int i = 0; i < n; i++) {
		SDL_RendererInfo info;
		if (SDL_GetRenderDriverInfo(i, &info) == 0 && info.name &&
		    strcmp(info.name, name) == 0)
			return i;
	}
	return -1;
}

int rp_driver_order(int *order, int max, char *why, size_t whylen)
{
	const char *video = SDL_GetCurrentVideoDriver();
	const char *hint = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
	if (hint && *hint) {
		snprintf(why, whylen, "SDL_RENDER_DRIVER=%s decides", hint);
		return 0;
	}
	if (!video || strcmp(video, "KMSDRM") != 0) {
		snprintf(why, whylen, "SDL's order on %s", video ? video : "this video driver");
		return 0;
	}
	int n = 0, gles2 = driver_index("opengles2");
	if (gles2 >= 0 && n < max)
		order[n++] = gles2;
	int all = SDL_GetNumRenderDrivers();
	for (int i = 0; i < all && n < max; i++)
		if (i != gles2)
			order[n++] = i;
	snprintf(why, whylen, "%s", gles2 >= 0 ? "KMSDRM: GLES2 first, then SDL's order"
						: "KMSDRM: SDL has no GLES2 renderer, SDL's order");
	return n;
}

SDL_Renderer *rp_create_renderer(SDL_Window *window, Uint32 flags, char *why, size_t whylen)
{
	int order[16];
	int n = rp_driver_order(order, (int)(sizeof order / sizeof order[0]), why, whylen);
	if (n == 0)
		return SDL_CreateRenderer(window, -1, flags);
	for (int i = 0; i < n; i++) {
		SDL_Renderer *ren = SDL_CreateRenderer(window, order[i], flags);
		if (ren) {
			if (i > 0) {
				/* A failed try may leave the window set up for another API. */
				size_t len = strlen(why);
				snprintf(why + len, whylen - len, "; %d failed before: the screen "
					 "may stay black", i);
			}
			return ren;
		}
	}
	return NULL;
}

void render_describe(const struct render *r, char *buf, size_t len)
{
	SDL_RendererInfo info;
	if (!r || !r->renderer || SDL_GetRendererInfo(r->renderer, &info) != 0) {
		snprintf(buf, len, "no renderer");
		return;
	}
	const char *video = r->window ? SDL_GetCurrentVideoDriver() : "off-screen";
	snprintf(buf, len, "video %s, renderer %s%s (%s); %s", video ? video : "?", info.name,
		 info.flags & SDL_RENDERER_ACCELERATED ? ", accelerated" : "", r->renderer_why,
		 r->path_why);
}
