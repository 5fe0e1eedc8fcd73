/*
 * Incremental drawing is exact: over a scripted stretch of an event (presses with their pop and
 * thank-you, count-ups, a milestone with confetti, the staff strip coming and going, a card
 * change, a stack added by staff, per-case counts, a new goal and a new event, the pixel
 * shift), a renderer that repaints only what changed must hold the same picture, pixel for
 * pixel, as one that repaints everything on every frame. Three sizes and a rotation.
 *
 * Also checks that the incremental renderer really is incremental: no frame at all while
 * nothing changes, and a count-up frame paints a small part of the screen.
 *
 *   exact OUT_DIR     on a mismatch, both pictures are written to OUT_DIR (PNG)
 *
 * Run from the repository root: the scenes use assets/cases/cases.ini.
 */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "config.h"
#include "render.h"

struct setup {
	int w, h, rotate;
};

static const struct setup setups[] = {
	{ 1920, 1080, 0 }, { 800, 480, 0 }, { 1080, 1920, 0 }, { 1920, 1080, 1 },
};

/* The view at time t of the script (ms). */
static void script(long long t, struct tally_view *v, struct case_count *counts, int *n_counts)
{
	static const char *const ids[] = { "nassima-al-sada", "jani-silva", "grassy-narrows" };
	v->event_name = t < 16000 ? "Write for Rights 2026" : "Lycée Jean Moulin, 10 December";
	v->label = "letters written";
	v->thank_you = "Thank you!";
	/* Presses at 500 and 900 (saved 60 ms later), a stack of 40 at 13000, undo at 14800. */
	long long total = 97;
	if (t >= 560)
		total++;
	if (t >= 960)
		total++;
	if (t >= 1400)
		total++; /* 100: the milestone */
	if (t >= 13000)
		total += 40;
	if (t >= 14800)
		total--;
	v->total = t < 16000 ? total : 0;
	v->goal = t < 15000 ? 120 : 1000;
	float ack = 0.0f;
	for (long long p = 500; p <= 1340; p += 400) {
		if (t >= p && t < p + 1400)
			ack = 1.0f - (float)(t - p) / 1400.0f;
	}
	v->ack = ack;
	/* A problem for staff, then the venue's line: the same words first as information, then
	 * as a problem (only the strip's look changes, and that must be drawn too). */
	v->staff_status = t >= 3000 && t < 4200 ? "Sensor slot offline: /dev/gpiochip0 busy (retrying)"
			  : t >= 4200 && t < 6000 ? "This kiosk 12 of 99; other kiosks: 1 online"
						  : "";
	v->staff_severity = t < 4200 || t >= 5000 ? STAFF_PROBLEM : STAFF_INFO;
	*n_counts = t < 14000 ? 2 : 3;
	for (int i = 0; i < *n_counts; i++)
		counts[i] = (struct case_count){ ids[i], 10 * (i + 1) + (t >= 14000 ? 5 : 0) };
	v->case_counts = counts;
	v->n_case_counts = *n_counts;
	/* Staff ask for the staff page's QR code for a while: it comes and goes whole. */
	v->qr_url = t >= 16200 && t < 16600 ? "http://192.168.1.23:8080/" : NULL;
}

static int add_range(long long *times, int n, int max, long long from, long long to, long long step)
{
	for (long long t = from; t < to && n < max; t += step)
		times[n++] = t;
	return n;
}

static void save(struct render *r, const char *dir, const char *what, const struct setup *s,
		 long long t)
{
	char path[1024], err[256];
	snprintf(path, sizeof path, "%s/exact-%dx%d-r%d-%lld-%s.png", dir, s->w, s->h, s->rotate, t,
		 what);
	if (render_save_png(r, path, err, sizeof err) == RENDER_OK)
		fprintf(stderr, "exact:   wrote %s\n", path);
}

static int run(const struct setup *s, const struct cases *cases, const char *dir)
{
	/* EXACT_ONLY=WIDTH runs one size (EXACT_VERBOSE=1 prints each frame's damage). */
	if (getenv("EXACT_ONLY") && atoi(getenv("EXACT_ONLY")) != s->w)
		return 0;
	struct config cfg;
	config_defaults(&cfg);
	cfg.rotate = s->rotate;
	struct render *inc, *full;
	char err[512];
	if (render_open_surface(&inc, &cfg, NULL, s->w, s->h, err, sizeof err) != RENDER_OK ||
	    render_open_surface(&full, &cfg, NULL, s->w, s->h, err, sizeof err) != RENDER_OK) {
		fprintf(stderr, "exact: %s\n", err);
		return 1;
	}
	render_set_cases(inc, cases);
	render_set_cases(full, cases);

	long long times[600];
	int n = 0, max = (int)(sizeof times / sizeof times[0]);
	n = add_range(times, n, max, 0, 2400, 33);       /* presses, count-up, milestone */
	n = add_range(times, n, max, 2400, 6200, 200);   /* confetti, the strip comes and goes */
	n = add_range(times, n, max, 6200, 11900, 1900); /* nothing moves */
	n = add_range(times, n, max, 11900, 13000, 33);  /* a card change */
	n = add_range(times, n, max, 13000, 15000, 50);  /* a stack, case counts, an undo */
	n = add_range(times, n, max, 15000, 17000, 250); /* a new goal, a new event */
	n = add_range(times, n, max, 59900, 60200, 100); /* the pixel shift */

	int fails = 0, idle_frames = 0, small_countup = 0;
	long long area = (long long)s->w * s->h;
	for (int i = 0; i < n && fails < 3; i++) {
		long long t = times[i];
		struct tally_view v;
		struct case_count counts[4];
		int nc;
		script(t, &v, counts, &nc);
		int drawn = render_draw(inc, &v, t);
		render_invalidate(full);
		render_draw(full, &v, t);
		if (t >= 7000 && t < 11900 && drawn)
			idle_frames++;
		/* 1,900..2,400: the count-up of the third press is over, the confetti still
		 * falls; 13,100..13,500: the stack counts up, nothing else moves. */
		if (t >= 13100 && t < 13500 && drawn && render_damaged_pixels(inc) < area / 5)
			small_countup++;
		if (getenv("EXACT_VERBOSE"))
			printf("  %lld ms: %s %lld px (%.1f %%)\n", t, drawn ? "drawn" : "no frame",
			       drawn ? render_damaged_pixels(inc) : 0,
			       drawn ? 100.0 * render_damaged_pixels(inc) / area : 0.0);
		int w, h, pitch, w2, h2, pitch2;
		const unsigned char *a = render_pixels(inc, &w, &h, &pitch);
		const unsigned char *b = render_pixels(full, &w2, &h2, &pitch2);
		if (!a || !b || w != w2 || h != h2) {
			fprintf(stderr, "exact: no pixels to compare\n");
			fails++;
			break;
		}
		long bad = 0;
		int x0 = w, y0 = h, x1 = -1, y1 = -1;
		for (int y = 0; y < h; y++) {
			const Uint32 *pa = (const Uint32 *)(a + (size_t)y * pitch);
			const Uint32 *pb = (const Uint32 *)(b + (size_t)y * pitch2);
			if (!memcmp(pa, pb, (size_t)w * 4))
				continue;
			for (int x = 0; x < w; x++) {
				if (pa[x] == pb[x])
					continue;
				bad++;
				x0 = x < x0 ? x : x0;
				x1 = x > x1 ? x : x1;
				y0 = y < y0 ? y : y0;
				y1 = y > y1 ? y : y1;
			}
		}
		if (bad) {
			fprintf(stderr, "exact %dx%d rotate %d: FAIL at %lld ms: %ld pixels differ "
						"from a full redraw, in %d,%d..%d,%d\n",
				s->w, s->h, s->rotate * 90, t, bad, x0, y0, x1, y1);
			save(inc, dir, "incremental", s, t);
			save(full, dir, "full", s, t);
			fails++;
		}
	}
	if (idle_frames) {
		fprintf(stderr, "exact %dx%d rotate %d: FAIL: %d frame(s) drawn while nothing "
				"changed\n", s->w, s->h, s->rotate * 90, idle_frames);
		fails++;
	}
	if (!small_countup) {
		fprintf(stderr, "exact %dx%d rotate %d: FAIL: no count-up frame painted less than "
				"a fifth of the screen\n", s->w, s->h, s->rotate * 90);
		fails++;
	}
	if (!fails)
		printf("exact %dx%d rotate %d: ok (%d frames, %lld painted incrementally)\n", s->w,
		       s->h, s->rotate * 90, n, render_frames(inc));
	render_close(inc);
	render_close(full);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exact OUT_DIR\n");
		return 2;
	}
	static struct cases cases;
	char err[512];
	if (cases_load(&cases, "assets/cases/cases.ini", err, sizeof err) != CASES_OK) {
		fprintf(stderr, "exact: %s\n", err);
		return 1;
	}
	int fails = 0;
	for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++)
		fails += run(&setups[i], &cases, argv[1]);
	cases_free(&cases);
	return fails ? 1 : 0;
}
