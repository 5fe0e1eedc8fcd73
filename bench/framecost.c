/*
 * Frames for callgrind, at 1920x1080 with the software renderer:
 *   tally N     the settled screen painted whole N times (what a GPU-path frame draws);
 *   fade N      N frames of card changes, painting only what changed (the software path);
 *   countup N   N frames of the number counting up after presses, with the pop and the
 *               thank-you, painting only what changed;
 *   present N   one pre-rendered full-screen texture presented N times, the floor any frame
 *               costs.
 * bench.py runs each with two values of N and divides the difference, so start-up cancels out.
 */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "config.h"
#include "render.h"

#define W 1920
#define H 1080

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "tally") && strcmp(argv[1], "present") &&
			  strcmp(argv[1], "fade") && strcmp(argv[1], "countup"))) {
		fprintf(stderr, "usage: framecost tally|fade|countup|present FRAMES\n");
		return 2;
	}
	int frames = atoi(argv[2]);
	static struct config cfg;
	config_defaults(&cfg);
	struct tally_view v = {
		.event_name = "Write for Rights 2026", .total = 1234, .goal = 2000,
		.label = cfg.label, .thank_you = cfg.thank_you,
	};
	if (strcmp(argv[1], "present")) {
		/* The real screen: tally and case card, settled (after the count-up, before the
		 * next card), one frame every 16 ms. */
		static struct cases cases;
		char err[512];
		if (cases_load(&cases, "assets/cases/cases.ini", err, sizeof err) != CASES_OK) {
			fprintf(stderr, "framecost: %s\n", err);
			return 1;
		}
		struct render *r;
		if (render_open_surface(&r, &cfg, NULL, W, H, err, sizeof err)) {
			fprintf(stderr, "framecost: %s\n", err);
			return 1;
		}
		render_set_cases(r, &cases);
		render_draw(r, &v, 0);
		int drawn = 0;
		for (int i = 0; drawn < frames && i < 100 * frames + 1000; i++) {
			long long t = 4000 + 16LL * i;
			if (!strcmp(argv[1], "tally")) {
				render_invalidate(r);
			} else if (!strcmp(argv[1], "fade")) {
				/* Only the frames of card changes: 33 ms apart, as at 30 fps. */
				t = 12000LL * (1 + i / 28) + 33LL * (i % 28);
			} else {
				/* A press every 200 ms, saved 50 ms later. */
				t = 4000 + 33LL * i;
				v.total = 1234 + (t - 4000 + 150) / 200;
				long long since = (t - 4000) % 200;
				v.ack = 1.0f - since / 1400.0f;
			}
			drawn += render_draw(r, &v, t);
		}
		render_close(r);
		cases_free(&cases);
		return 0;
	}
	SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Renderer *rr = SDL_CreateSoftwareRenderer(target);
	SDL_Surface *img = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_FillRect(img, NULL, 0xff202020u);
	SDL_Texture *tex = SDL_CreateTextureFromSurface(rr, img);
	SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE); /* an opaque picture, as a frame is */
	for (int i = 0; i < frames; i++) {
		SDL_RenderCopy(rr, tex, NULL, NULL);
		SDL_RenderPresent(rr);
	}
	SDL_DestroyTexture(tex);
	SDL_FreeSurface(img);
	SDL_DestroyRenderer(rr);
	SDL_FreeSurface(target);
	return 0;
}
