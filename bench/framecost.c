/*
 * Frames for callgrind: "tally N" draws the settled tally screen N times at 1920x1080 with the
 * software renderer; "present N" presents one pre-rendered full-screen texture N times, the
 * floor any frame costs. bench.py runs each with two values of N and divides the difference,
 * so start-up cancels out.
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
	if (argc != 3 || (strcmp(argv[1], "tally") && strcmp(argv[1], "present"))) {
		fprintf(stderr, "usage: framecost tally|present FRAMES\n");
		return 2;
	}
	int frames = atoi(argv[2]);
	static struct config cfg;
	config_defaults(&cfg);
	struct tally_view v = {
		.event_name = "Write for Rights 2026", .total = 1234, .goal = 2000,
		.label = cfg.label, .thank_you = cfg.thank_you,
	};
	if (!strcmp(argv[1], "tally")) {
		/* The real screen: tally and case card, settled (after the count-up, before the
		 * next card), one frame every 16 ms. */
		static struct cases cases;
		char err[512];
		if (cases_load(&cases, "assets/cases/cases.ini", err, sizeof err) != CASES_OK) {
			fprintf(stderr, "framecost: %s\n", err);
			return 1;
		}
		struct render *r;
		if (render_open_surface(&r, &cfg, W, H, err, sizeof err)) {
			fprintf(stderr, "framecost: %s\n", err);
			return 1;
		}
		render_set_cases(r, &cases);
		render_draw(r, &v, 0);
		for (int i = 0; i < frames; i++)
			render_draw(r, &v, 4000 + 16LL * i);
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
