/* See view_card.h. */
#include "view_card.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <jansson.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "draw.h"
#include "fontfind.h"
#include "numfmt.h"
#include "render_fontcache.h"
#include "render_text.h"
#include "wording.h"

#define BOLD_FALLBACK "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define BODY_FALLBACK "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

enum { T_EVENT, T_DATE, T_NUMBER, T_LABEL, T_GOAL, T_HEAD, T_FOOT, T_TEXTS };

struct card {
	struct rt_text text[T_TEXTS];
	struct rt_text case_name[CARD_MAX_BARS], case_n[CARD_MAX_BARS];
	struct rgb background, number, fg, accent;
	char label[CONFIG_TEXT_MAX], label_one[CONFIG_TEXT_MAX], language[16];
	struct font_cache *fonts; /* the card's own: it is drawn on its own thread */
};

static void iso_to_date(const char *iso, char *out, size_t len)
{
	static const char *const months[] = { "January", "February", "March", "April", "May",
					      "June", "July", "August", "September", "October",
					      "November", "December" };
	int y, m, d;
	out[0] = '\0';
	if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		snprintf(out, len, "%d %s %d", d, months[m - 1], y);
}

int card_data_from_json(const char *json, const struct cases *cases, struct card_data *d)
{
	memset(d, 0, sizeof *d);
	json_t *o = json_loads(json, 0, NULL);
	json_t *ev = json_object_get(o, "event");
	json_t *total = json_object_get(o, "total");
	if (!json_is_string(ev) || !json_is_integer(total)) {
		json_decref(o);
		return -1;
	}
	snprintf(d->event, sizeof d->event, "%s", json_string_value(ev));
	d->total = (long long)json_integer_value(total);
	d->goal = (long long)json_integer_value(json_object_get(o, "goal"));
	iso_to_date(json_string_value(json_object_get(o, "started")), d->date, sizeof d->date);
	/* The cases with most letters, most first (ties in the file's order). */
	const char *id;
	json_t *n;
	json_object_foreach(json_object_get(o, "cases"), id, n) {
		long long v = (long long)json_integer_value(n);
		if (v <= 0)
			continue;
		int at = d->n_cases;
		while (at > 0 && d->cases[at - 1].letters < v)
			at--;
		if (at >= CARD_MAX_BARS)
			continue;
		int last = d->n_cases < CARD_MAX_BARS ? d->n_cases : CARD_MAX_BARS - 1;
		memmove(&d->cases[at + 1], &d->cases[at], (size_t)(last - at) * sizeof d->cases[0]);
		const struct case_entry *e = cases ? cases_find(cases, id) : NULL;
		const char *name = e ? cases_text(e, 0, CASES_NAME) : NULL;
		snprintf(d->cases[at].name, sizeof d->cases[at].name, "%s", name ? name : id);
		d->cases[at].letters = v;
		if (d->n_cases < CARD_MAX_BARS)
			d->n_cases++;
	}
	json_decref(o);
	return 0;
}

static int font_path(struct fontfind *ff, const char *pattern, const char *fallback, char *buf,
		     size_t len)
{
	if (fontfind_path(ff, pattern, buf, len) == 0)
		return 0;
	snprintf(buf, len, "%s", fallback);
	return access(buf, R_OK);
}

int card_open(struct card **out, const struct config *cfg, struct font_lock *lock, char *err,
	      size_t errlen)
{
	*out = NULL;
	struct card *c = calloc(1, sizeof *c);
	char bold[CONFIG_PATH_MAX], body[CONFIG_PATH_MAX];
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The card thread opens the fallback faces its texts need (CJK, emoji, ...) while the
	 * screen opens its own: the cache opens and closes files under the screen's lock. */
	c->fonts = font_cache_new(lock);
	if (!c->fonts) {
		snprintf(err, errlen, "fonts: %s", *TTF_GetError() ? TTF_GetError() : "out of memory");
		card_close(c);
		return -1;
	}
	struct fontfind *ff = font_cache_finder(c->fonts);
	if (font_path(ff, cfg->font, BOLD_FALLBACK, bold, sizeof bold) ||
	    font_path(ff, cfg->body_font, BODY_FALLBACK, body, sizeof body)) {
		snprintf(err, errlen, "no font for the share card (\"%s\")", cfg->font);
		card_close(c);
		return -1;
	}
	/* The card's own fonts are opened here, so a missing file shows at start. */
	struct font_cache *fc = c->fonts;
	int bad = 0;
	for (int i = 0; i < T_TEXTS; i++)
		bad |= rt_text_open(&c->text[i], fc, i == T_DATE || i == T_FOOT ? body : bold);
	for (int i = 0; i < CARD_MAX_BARS; i++)
		bad |= rt_text_open(&c->case_name[i], fc, body) | rt_text_open(&c->case_n[i], fc, bold);
	if (bad) {
		snprintf(err, errlen, "cannot open font %s: %s", bold, TTF_GetError());
		card_close(c);
		return -1;
	}
	c->background = cfg->background;
	c->number = cfg->number;
	c->fg = cfg->text;
	c->accent = cfg->accent;
	snprintf(c->label, sizeof c->label, "%s", cfg->label);
	snprintf(c->label_one, sizeof c->label_one, "%s", config_label_one(cfg));
	snprintf(c->language, sizeof c->language, "%s", cfg->language);
	*out = c;
	return 0;
}

void card_close(struct card *c)
{
	if (!c)
		return;
	for (int i = 0; i < T_TEXTS; i++)
		rt_text_close(&c->text[i]);
	for (int i = 0; i < CARD_MAX_BARS; i++) {
		rt_text_close(&c->case_name[i]);
		rt_text_close(&c->case_n[i]);
	}
	font_cache_free(c->fonts);
	free(c);
}

static void drop_all(struct card *c)
{
	for (int i = 0; i < T_TEXTS; i++)
		rt_text_drop(&c->text[i]);
	for (int i = 0; i < CARD_MAX_BARS; i++) {
		rt_text_drop(&c->case_name[i]);
		rt_text_drop(&c->case_n[i]);
	}
}

static void text(struct card *c, SDL_Renderer *ren, int slot, const char *s, struct layout_box b,
		 SDL_Color col, int left)
{
	rt_text_set(&c->text[slot], ren, s, &b);
	if (left)
		rt_text_draw_left(&c->text[slot], ren, &b, col, 255, 0, 0);
	else
		rt_text_draw(&c->text[slot], ren, &b, col, 255);
}

static void bar(SDL_Renderer *ren, struct rt_pill *pill, int x, int y, int w, int h, double frac,
		SDL_Color back, SDL_Color fill)
{
	rt_pill_draw(pill, ren, x, y, w, h, back);
	if (frac > 0) {
		int f = (int)(w * (frac > 1 ? 1 : frac) + 0.5);
		rt_pill_draw(pill, ren, x, y, f < h ? h : f, h, fill);
	}
}

/* The per-case bars in the box x,y,w,h: name and letters on a line, the bar under it. */
static void draw_cases(struct card *c, SDL_Renderer *ren, struct rt_pill *pill,
		       const struct card_data *d, int x, int y, int w, int h)
{
	if (!d->n_cases)
		return;
	int row = h / (d->n_cases > 4 ? d->n_cases : 4);
	int line = row * 11 / 20, bh = row / 6;
	long long max = d->cases[0].letters;
	char n[40];
	for (int i = 0; i < d->n_cases; i++) {
		int ry = y + i * row;
		numfmt_thousands(d->cases[i].letters, ",", n, sizeof n);
		struct layout_box nb = { x + w * 3 / 4, ry, w / 4, line, line * 3 / 4 };
		struct layout_box nm = { x, ry, w * 3 / 4 - line / 2, line, line * 3 / 4 };
		rt_text_set(&c->case_n[i], ren, n, &nb);
		SDL_Rect where = { 0 };
		(void)where;
		/* Right-aligned count: draw it left-aligned in a box that ends at the edge. */
		struct layout_box right = nb;
		right.x = x + w - c->case_n[i].w;
		right.w = c->case_n[i].w;
		rt_text_draw_left(&c->case_n[i], ren, &right, rp_color(c->fg), 255, 0, 0);
		rt_text_set(&c->case_name[i], ren, d->cases[i].name, &nm);
		rt_text_draw_left(&c->case_name[i], ren, &nm, rp_color(c->fg), 230, 0, 0);
		bar(ren, pill, x, ry + line + bh / 2, w, bh, (double)d->cases[i].letters / (double)max,
		    rp_mix(c->accent, c->background, 0.2f), rp_color(c->accent));
	}
}

static void draw(struct card *c, SDL_Renderer *ren, const struct card_data *d, int w, int h)
{
	struct rt_pill pill = { 0 };
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ren, c->background.r, c->background.g, c->background.b, 255);
	SDL_RenderClear(ren);
	int wide = w > h * 3 / 2;
	int m = (wide ? h : w) / 14;
	/* A band of the accent colour along the top: the card is recognisable in a feed. */
	SDL_Rect band = { 0, 0, w, m / 4 };
	SDL_SetRenderDrawColor(ren, c->accent.r, c->accent.g, c->accent.b, 255);
	SDL_RenderFillRect(ren, &band);

	char num[40], goal[200] = "";
	numfmt_thousands(d->total, ",", num, sizeof num);
	const char *label = wording_label(c->language, d->total, c->label_one, c->label);
	if (d->goal > 0)
		wording_goal_line(goal, sizeof goal, d->total, d->goal);
	SDL_Color fg = rp_color(c->fg), dim = rp_mix(c->fg, c->background, 0.65f);

	int left_w = wide && d->n_cases ? w * 11 / 20 : w;
	int cx = m, cw = left_w - 2 * m;
	int y = m;
	int ev_h = (wide ? h : w) / 11;
	text(c, ren, T_EVENT, d->event, (struct layout_box){ cx, y, cw, ev_h, ev_h * 7 / 10 }, fg, 1);
	y += ev_h;
	int dt_h = ev_h * 6 / 10;
	text(c, ren, T_DATE, d->date, (struct layout_box){ cx, y, cw, dt_h, dt_h * 7 / 10 }, dim, 1);
	y += dt_h + m / 2;

	/* The number takes what the cases leave; square cards put the cases below it. */
	int cases_h = !wide && d->n_cases ? (h * (d->n_cases > 3 ? 36 : 26)) / 100 : 0;
	int foot_h = m;
	int rest = h - y - cases_h - foot_h - m;
	int num_h = rest * 52 / 100, lab_h = rest * 14 / 100, goal_h = rest * 12 / 100;
	text(c, ren, T_NUMBER, num, (struct layout_box){ cx, y, cw, num_h, num_h }, rp_color(c->number), 0);
	y += num_h;
	text(c, ren, T_LABEL, label, (struct layout_box){ cx, y, cw, lab_h, lab_h * 3 / 4 }, fg, 0);
	y += lab_h + rest / 20;
	if (d->goal > 0) {
		int bh = goal_h / 3;
		bar(ren, &pill, cx + cw / 10, y, cw * 8 / 10, bh, (double)d->total / (double)d->goal,
		    rp_mix(c->accent, c->background, 0.22f), rp_color(c->accent));
		y += bh + bh / 2;
		text(c, ren, T_GOAL, goal, (struct layout_box){ cx, y, cw, goal_h, goal_h * 3 / 5 },
		     d->total >= d->goal ? rp_color(c->accent) : fg, 0);
	}
	if (d->n_cases) {
		int bx = wide ? left_w : m, bw = wide ? w - left_w - m : w - 2 * m;
		int by = wide ? m + ev_h / 4 : h - foot_h - m - cases_h;
		int head = (wide ? h : w) / 24;
		text(c, ren, T_HEAD, "Letters per case", (struct layout_box){ bx, by, bw, head * 3 / 2, head },
		     rp_color(c->accent), 1);
		draw_cases(c, ren, &pill, d, bx, by + head * 2, bw,
			   (wide ? h - by - 2 * m - foot_h : cases_h) - head * 2);
	}
	int fy = h - foot_h - m / 2;
	text(c, ren, T_FOOT, "Every letter counts.",
	     (struct layout_box){ m, fy, w - 2 * m, foot_h, foot_h * 2 / 5 }, dim, 1);
	rt_pill_drop(&pill);
}

/*
 * The card as PNG, by libpng rather than SDL_image: SDL_image keeps the formats it has started
 * in a plain int that every IMG_Load and IMG_SavePNG_RW writes (IMG_Init), and the loop's
 * thread loads the cases' photos with it while this thread draws cards. So SDL_image stays the
 * loop's alone. s holds the bytes B, G, R, A of each pixel (SDL_PIXELFORMAT_BGRA32).
 */
static int encode_png(SDL_Surface *s, unsigned char **png, size_t *len, char *err,
		      size_t errlen)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)s->w;
	img.height = (png_uint_32)s->h;
	img.format = PNG_FORMAT_BGRA;
	/* A buffer no PNG of the card can outgrow, trimmed to what it holds. */
	png_alloc_size_t cap = PNG_IMAGE_PNG_SIZE_MAX(img), size = cap;
	unsigned char *buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "share card: out of memory");
		return -1;
	}
	if (png_image_write_to_memory(&img, buf, &size, 0, s->pixels, s->pitch, NULL)) {
		unsigned char *fit = realloc(buf, size);
		*png = fit ? fit : buf;
		*len = (size_t)size;
		return 0;
	}
	free(buf);
	snprintf(err, errlen, "share card %dx%d: %s", s->w, s->h,
		 img.message[0] ? img.message : "libpng failed");
	png_image_free(&img);
	return -1;
}

int card_render(struct card *c, const struct card_data *d, int wide, unsigned char **png,
		size_t *len, char *err, size_t errlen)
{
	int w = wide ? CARD_WIDE_W : CARD_SQUARE_W, h = wide ? CARD_WIDE_H : CARD_SQUARE_H;
	*png = NULL;
	*len = 0;
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_BGRA32);
	SDL_Renderer *ren = s ? SDL_CreateSoftwareRenderer(s) : NULL;
	int rc = -1;
	if (ren) {
		draw(c, ren, d, w, h);
		SDL_RenderPresent(ren);
		rc = encode_png(s, png, len, err, errlen);
	} else {
		snprintf(err, errlen, "share card %dx%d: %s", w, h, SDL_GetError());
	}
	/* The textures belong to this renderer: drop them before it goes. */
	drop_all(c);
	if (ren)
		SDL_DestroyRenderer(ren);
	SDL_FreeSurface(s);
	return rc;
}
