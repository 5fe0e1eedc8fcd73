/*
 * Golden images of the screen: each scene is drawn with the software renderer onto a surface
 * (no display), at a fixed time, and compared with tests/golden/NAME.png. A pixel differs if
 * any channel is off by more than 2; a scene fails if more than 0.1 % of its pixels differ
 * (FreeType or SDL upgrades shift anti-aliasing a little, a layout change shifts far more).
 *
 *   golden DIR              compare every scene with DIR/NAME.png
 *   UPDATE_GOLDENS=1 golden DIR   write DIR/NAME.png instead (then look at every one)
 *
 * Run from the repository root: the scenes use assets/cases/cases.ini.
 */
#include <SDL.h>
#include <SDL_image.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "config.h"
#include "layout.h"
#include "render.h"

struct scene {
	const char *name;
	int w, h, rotate;
	long long total, goal;
	float ack;
	const char *status;
	/* Time: the first frame is drawn at 0 with total - step, the last at at_ms with total
	 * (so step > 0 shows a count-up or a milestone in progress). */
	long long at_ms;
	long long step;
	int with_counts;
	const char *event;      /* the event's name; NULL: "Write for Rights 2026" */
	enum staff_severity severity; /* of status */
};

#define LONG_NAME "Write for Rights 2026 at the Toronto Reference Library with the Amnesty " \
		  "International Youth Team"

static const struct scene scenes[] = {
	{ "tally-1920x1080", 1920, 1080, 0, 1234, 1000, 0.0f, NULL, 0, 0, 1, NULL, STAFF_INFO },
	{ "tally-3840x2160", 3840, 2160, 0, 312, 500, 0.9f, NULL, 0, 0, 1, NULL, STAFF_INFO },
	/* Jani Silva, the fifth case (slides 8 and 9: English, then French). */
	{ "jani-1280x720", 1280, 720, 0, 87, 500, 0.0f, NULL, 8 * 12000 + 2000, 0, 0, NULL, STAFF_INFO },
	{ "jani-fr-800x480", 800, 480, 0, 1234567, 500, 0.0f,
	  "Sensor slot offline: /dev/gpiochip0 busy (retrying)", 9 * 12000 + 2000, 0, 1, NULL,
	  STAFF_PROBLEM },
	{ "milestone-1080x1920", 1080, 1920, 0, 500, 750, 0.0f, NULL, 1500, 1, 1, NULL, STAFF_INFO },
	{ "rotate90-1920x1080", 1920, 1080, 1, 42, 500, 0.0f, NULL, 0, 0, 0, NULL, STAFF_INFO },
	/* Halfway through a carousel change: the old case gone, the next rising in. */
	{ "change-1920x1080", 1920, 1080, 0, 1234, 1000, 0.0f, NULL, 12000 + 650, 0, 0, NULL,
	  STAFF_INFO },
	/* Every script: CJK from a fallback font (one letter, no goal: the stack re-centred),
	 * Arabic right to left with its number, colour emoji, a 100-character name in two lines. */
	{ "cjk-1280x720", 1280, 720, 0, 1, 0, 0.0f, NULL, 0, 0, 0, "为权利写信 2026 東京", STAFF_INFO },
	{ "arabic-1280x720", 1280, 720, 0, 123450, 1000, 0.0f, NULL, 0, 0, 0,
	  "اكتب من أجل الحقوق 2026", STAFF_INFO },
	{ "emoji-1920x1080", 1920, 1080, 0, 500, 500, 0.0f, NULL, 0, 0, 1,
	  "Write for Rights \u270d\ufe0f\U0001F56F\ufe0f", STAFF_INFO },
	{ "longname-800x480", 800, 480, 0, 87, 500, 0.0f, NULL, 0, 0, 0, LONG_NAME, STAFF_INFO },
	/* A name longer than two lines can hold ends in an ellipsis on its second line. */
	{ "ellipsis-800x480", 800, 480, 0, 87, 500, 0.0f, NULL, 0, 0, 0,
	  LONG_NAME " and friends from the Scarborough, Etobicoke and North York branches 2026",
	  STAFF_INFO },
	/* The staff strip of a kiosk in a venue: information is calm, a problem is red (and
	 * comes first). */
	{ "staff-info-1920x1080", 1920, 1080, 0, 1234, 2000, 0.0f,
	  "This kiosk 412 of 1,234; other kiosks: 2 online, 0 offline", 0, 0, 1, NULL,
	  STAFF_INFO },
	{ "staff-problem-1280x720", 1280, 720, 0, 1234, 2000, 0.0f,
	  "Not connected to the venue (connection refused): counting here, sent when back | "
	  "This kiosk 412 of 1,234; other kiosks: 0 online, 2 offline", 0, 0, 1, NULL,
	  STAFF_PROBLEM },
};

static const struct case_count counts[] = {
	{ "nassima-al-sada", 152 }, { "jani-silva", 1204 }, { "grassy-narrows", 88 },
	{ "magai-matiop-ngong", 61 },
};

static SDL_Surface *load_argb(const char *path)
{
	SDL_Surface *s = IMG_Load(path);
	if (!s)
		return NULL;
	SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_FreeSurface(s);
	return c;
}

/* Pixels whose channels differ by more than 2; -1 if the sizes differ. */
static long compare(SDL_Surface *a, SDL_Surface *b, int *max_d)
{
	if (a->w != b->w || a->h != b->h)
		return -1;
	long bad = 0;
	*max_d = 0;
	for (int y = 0; y < a->h; y++) {
		const Uint8 *pa = (const Uint8 *)a->pixels + (size_t)y * a->pitch;
		const Uint8 *pb = (const Uint8 *)b->pixels + (size_t)y * b->pitch;
		for (int x = 0; x < a->w * 4; x += 4) {
			int worst = 0;
			for (int k = 0; k < 4; k++) {
				int d = abs(pa[x + k] - pb[x + k]);
				worst = d > worst ? d : worst;
			}
			*max_d = worst > *max_d ? worst : *max_d;
			bad += worst > 2;
		}
	}
	return bad;
}

/* qr: the staff page's address when staff asked for its QR code, else NULL. */
static int run_scene(const struct scene *sc, const char *qr, const struct cases *cases,
		     const char *dir, int update)
{
	struct config cfg;
	config_defaults(&cfg);
	cfg.rotate = sc->rotate;
	/* A bilingual event: the French cards count in French. */
	snprintf(cfg.label_lang2, sizeof cfg.label_lang2, "lettres \u00e9crites");
	snprintf(cfg.label_one_lang2, sizeof cfg.label_one_lang2, "lettre \u00e9crite");
	struct render *r;
	char err[512], path[1024], out[1024];
	if (render_open_surface(&r, &cfg, NULL, sc->w, sc->h, err, sizeof err) != RENDER_OK) {
		fprintf(stderr, "golden %s: %s\n", sc->name, err);
		return 1;
	}
	render_set_cases(r, cases);
	struct tally_view v = { sc->event ? sc->event : "Write for Rights 2026",
				sc->total - sc->step, sc->goal,
				cfg.label, cfg.thank_you, 0.0f, sc->status, sc->severity, NULL, 0,
				qr };
	if (sc->with_counts) {
		v.case_counts = counts;
		v.n_case_counts = (int)(sizeof counts / sizeof counts[0]);
	}
	render_draw(r, &v, 0);
	v.total = sc->total;
	v.ack = sc->ack;
	/* A step is committed a second before the picture, so the count-up has landed. */
	if (sc->step)
		render_draw(r, &v, sc->at_ms - 1000);
	render_draw(r, &v, sc->at_ms);

	snprintf(path, sizeof path, "%s/%s.png", dir, sc->name);
	snprintf(out, sizeof out, "%s/%s.actual.png", getenv("GOLDEN_OUT") ? getenv("GOLDEN_OUT")
									  : "/tmp", sc->name);
	int rc = 0;
	if (update) {
		if (render_save_png(r, path, err, sizeof err) != RENDER_OK) {
			fprintf(stderr, "golden %s: %s\n", sc->name, err);
			rc = 1;
		} else {
			printf("golden %s: written %s\n", sc->name, path);
		}
		render_close(r);
		return rc;
	}
	if (render_save_png(r, out, err, sizeof err) != RENDER_OK) {
		fprintf(stderr, "golden %s: %s\n", sc->name, err);
		render_close(r);
		return 1;
	}
	render_close(r);
	SDL_Surface *want = load_argb(path), *got = load_argb(out);
	if (!want || !got) {
		fprintf(stderr, "golden %s: cannot read %s (make golden-update writes it): %s\n",
			sc->name, want ? out : path, IMG_GetError());
		rc = 1;
	} else {
		int max_d = 0;
		long bad = compare(want, got, &max_d);
		long limit = (long)sc->w * sc->h / 1000;
		if (bad < 0 || bad > limit) {
			fprintf(stderr, "golden %s: FAIL: %s differs from %s (%ld pixels off, at most "
					"%ld allowed, largest difference %d)\n",
				sc->name, out, path, bad, limit, max_d);
			rc = 1;
		} else {
			printf("golden %s: ok (%ld pixels off by more than 2)\n", sc->name, bad);
			remove(out);
		}
	}
	SDL_FreeSurface(want);
	SDL_FreeSurface(got);
	return rc;
}

/* Pixels of the event name's box in a 1280x720 picture of name: all of them, and those in
 * colour (channels far apart: not white, grey or black). -1 on failure. */
static int name_pixels(const char *name, long *ink, long *colour)
{
	struct config cfg;
	config_defaults(&cfg);
	struct render *r;
	char err[512];
	struct tally_layout l;
	if (render_open_surface(&r, &cfg, NULL, 1280, 720, err, sizeof err) != RENDER_OK ||
	    layout_compute(1280, 720, 0, &l) != 0) {
		fprintf(stderr, "golden glyphs: %s\n", err);
		return -1;
	}
	struct tally_view v = { name, 7, 0, cfg.label, cfg.thank_you, 0.0f, NULL, STAFF_INFO, NULL,
				0, NULL };
	render_draw(r, &v, 0);
	char path[1024];
	snprintf(path, sizeof path, "%s/glyphs-%d.png",
		 getenv("GOLDEN_OUT") ? getenv("GOLDEN_OUT") : "/tmp", (int)getpid());
	int rc = render_save_png(r, path, err, sizeof err) == RENDER_OK ? 0 : -1;
	render_close(r);
	SDL_Surface *s = rc == 0 ? load_argb(path) : NULL;
	remove(path);
	if (!s)
		return -1;
	*ink = *colour = 0;
	/* Without a goal the stack is re-centred. */
	layout_drop_goal(&l);
	for (int y = l.event_name.y; y < l.event_name.y + l.event_name.h && y < s->h; y++) {
		const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch);
		for (int x = 0; x < s->w; x++) {
			int cr = (row[x] >> 16) & 255, cg = (row[x] >> 8) & 255, cb = row[x] & 255;
			int hi = cr > cg ? (cr > cb ? cr : cb) : (cg > cb ? cg : cb);
			int lo = cr < cg ? (cr < cb ? cr : cb) : (cg < cb ? cg : cb);
			*ink += hi > 40;
			*colour += hi - lo > 80;
		}
	}
	SDL_FreeSurface(s);
	return 0;
}

/*
 * Never a box: emoji come out in colour (a .notdef box is white), and CJK characters differ
 * from the boxes of characters no font has (U+FFFF is never assigned).
 */
static int check_glyphs(void)
{
	long ink_e, col_e, ink_c, col_c, ink_x, col_x;
	if (name_pixels("\u270d\ufe0f\U0001F56F\ufe0f", &ink_e, &col_e) != 0 ||
	    name_pixels("为权利写信東京", &ink_c, &col_c) != 0 ||
	    name_pixels("\uffff\uffff\uffff\uffff\uffff\uffff\uffff", &ink_x, &col_x) != 0)
		return 1;
	int rc = 0;
	if (col_e < ink_e / 3) {
		fprintf(stderr, "golden glyphs: FAIL: emoji drawn without colour (%ld of %ld pixels "
				"in colour): boxes or no emoji font\n", col_e, ink_e);
		rc = 1;
	}
	/* Seven boxes are outlines of one shape; seven bold ideographs have more ink. */
	if (ink_c < ink_x * 6 / 5) {
		fprintf(stderr, "golden glyphs: FAIL: CJK drawn like missing glyphs (%ld pixels of "
				"ink, boxes %ld)\n", ink_c, ink_x);
		rc = 1;
	}
	if (!rc)
		printf("golden glyphs: ok (emoji %ld of %ld pixels in colour; CJK %ld pixels of ink, "
		       "boxes %ld)\n", col_e, ink_e, ink_c, ink_x);
	return rc;
}

/* The font files this process has open: distinct files into files (up to max), the number
 * of descriptors of the most-opened one into *most. Returns the number of distinct files. */
static int open_font_files(char files[][1024], int max, int *most)
{
	int n = 0, count[32] = { 0 };
	*most = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char link[300], target[1024];
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		ssize_t len = readlink(link, target, sizeof target - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		const char *dot = strrchr(target, '.');
		if (!dot || (strcmp(dot, ".ttf") && strcmp(dot, ".otf") && strcmp(dot, ".ttc")))
			continue;
		int i = 0;
		while (i < n && strcmp(files[i], target))
			i++;
		if (i == n && n < max && n < 32)
			snprintf(files[n++], sizeof files[0], "%s", target);
		if (i < n && ++count[i] > *most)
			*most = count[i];
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * Every text line, the number, the cards and the fallback fonts share one open face per font
 * file (the renderer's font cache), and closing the renderer closes them all.
 */
static int check_fonts_once(const struct cases *cases)
{
	struct config cfg;
	config_defaults(&cfg);
	struct render *r;
	char err[512], files[32][1024];
	int most = 0;
	if (render_open_surface(&r, &cfg, NULL, 1920, 1080, err, sizeof err) != RENDER_OK) {
		fprintf(stderr, "golden fonts: %s\n", err);
		return 1;
	}
	render_set_cases(r, cases);
	struct tally_view v = { "Write for Rights \u270d\ufe0f 东京", 1234, 1000, cfg.label,
				cfg.thank_you, 0.0f, "Sensor slot offline", STAFF_INFO, NULL, 0,
				NULL };
	/* A card, then the next one rising in, and a press's thank-you. */
	render_draw(r, &v, 0);
	render_draw(r, &v, 12000 + 650);
	v.total++;
	v.ack = 1.0f;
	render_draw(r, &v, 13000);
	int n = open_font_files(files, 32, &most);
	render_close(r);
	int most_after = 0, n_after = open_font_files(files + n, 32 - n, &most_after);
	int rc = 0;
	if (n < 3 || most != 1) {
		fprintf(stderr, "golden fonts: FAIL: %d font files open while drawing (want the bold, "
				"the body and a fallback), the most-opened %d times (want once)\n",
			n, most);
		for (int i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", files[i]);
		rc = 1;
	}
	if (n_after != 0) {
		fprintf(stderr, "golden fonts: FAIL: %d font files still open after render_close\n",
			n_after);
		rc = 1;
	}
	if (!rc)
		printf("golden fonts: ok (%d font files open, each once; none after closing)\n", n);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: golden DIR   (UPDATE_GOLDENS=1 to rewrite DIR/*.png)\n");
		return 2;
	}
	const char *u = getenv("UPDATE_GOLDENS");
	int update = u && *u && strcmp(u, "0") != 0;
	static struct cases cases;
	char err[512];
	if (cases_load(&cases, "assets/cases/cases.ini", err, sizeof err) != CASES_OK) {
		fprintf(stderr, "golden: %s\n", err);
		return 1;
	}
	int fails = 0;
	for (size_t i = 0; i < sizeof scenes / sizeof scenes[0]; i++)
		fails += run_scene(&scenes[i], NULL, &cases, argv[1], update);
	if (!update)
		fails += check_glyphs() + check_fonts_once(&cases);
	/* The staff page's QR code over the tally (a phone must be able to read it there). */
	static const struct scene qr_scenes[] = {
		{ .name = "qr-1920x1080", .w = 1920, .h = 1080, .total = 1234, .goal = 1000 },
		{ .name = "qr-1080x1920", .w = 1080, .h = 1920, .total = 1234, .goal = 1000 },
	};
	for (size_t i = 0; i < sizeof qr_scenes / sizeof qr_scenes[0]; i++)
		fails += run_scene(&qr_scenes[i], "http://192.168.1.23:8080/", &cases, argv[1],
				   update);
	cases_free(&cases);
	if (fails)
		fprintf(stderr, "golden: %d scene(s) failed; if the change is intended, run "
				"`make golden-update` and look at every image\n", fails);
	return fails ? 1 : 0;
}
