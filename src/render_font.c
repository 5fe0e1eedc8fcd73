/*
 * Text in any script (see render_font.h).
 *
 * Each character is drawn by the text's own font when it has the glyph; otherwise fontconfig
 * names a fallback (fontfind_fallback: FcFontSort by the text's charset and the font's style),
 * so a name in Chinese or with emoji never shows boxes. Emoji ask for a colour font first
 * (Noto Color Emoji: SDL_ttf 2.20 draws its bitmaps only at their one size, 109 px, so those
 * runs are scaled here with an area filter to the height of the text's lines), and keep their colours: they go to a second
 * layer that is not tinted. Consecutive characters with the same font and direction form a
 * run, shaped by HarfBuzz inside SDL_ttf; fribidi gives the direction of each, and the runs
 * of a line are placed in visual order, so Arabic reads right to left with its numbers
 * left to right.
 */
#include "render_font.h"

#include <fribidi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6"
#define MAX_RUNS 256

/* Holds the main face at the current size; 0 or -1. */
static int hold_main(struct rf_fonts *f)
{
	if (!f->main)
		f->main = font_cache_get(f->cache, f->path, 0, f->px);
	return f->main ? 0 : -1;
}

int rf_open(struct rf_fonts *f, struct font_cache *cache, const char *path)
{
	memset(f, 0, sizeof *f);
	f->cache = cache;
	f->path = strdup(path);
	f->px = 16;
	/* Opened now (once per file, by the cache) so a missing or broken font shows at start. */
	int rc = f->path ? hold_main(f) : -1;
	rf_release(f);
	return rc;
}

void rf_release(struct rf_fonts *f)
{
	font_cache_put(f->cache, f->main);
	f->main = NULL;
	for (int i = 0; i < RF_FACES; i++) {
		font_cache_put(f->cache, f->face[i].font);
		f->face[i].font = NULL;
	}
}

void rf_close(struct rf_fonts *f)
{
	rf_release(f);
	free(f->known);
	free(f->path);
	memset(f, 0, sizeof *f);
}

void rf_set_lang(struct rf_fonts *f, const char *lang)
{
	if (!lang)
		lang = "";
	if (!strcmp(f->lang, lang))
		return;
	snprintf(f->lang, sizeof f->lang, "%s", lang);
	/* Looked-up characters may want other faces now; faces already found stay. */
	f->n_known = 0;
}

int rf_size(struct rf_fonts *f, int px)
{
	if (px <= 0 || !f->path)
		return -1;
	if (px == f->px && f->main)
		return 0;
	/* Every face is held at one size: the others are taken again at the new one. */
	rf_release(f);
	f->px = px;
	return hold_main(f);
}

int rf_line_height(struct rf_fonts *f)
{
	if (hold_main(f) != 0)
		return 0;
	int h = TTF_FontHeight(f->main), skip = TTF_FontLineSkip(f->main);
	return skip > h ? skip : h;
}

/* The TTF_Font of face i (-1 = main) at the current size; NULL if it cannot be opened. */
static TTF_Font *face_font(struct rf_fonts *f, int i)
{
	if (i < 0)
		return f->main;
	struct rf_face *fc = &f->face[i];
	const struct fontfind_face *ff = &f->found[i];
	if (fc->failed)
		return NULL;
	if (fc->font)
		return fc->font;
	/* A bitmap face is drawn at its one size whatever the text's (see face_scale). */
	int want = fc->checked && fc->strike_h ? fc->px : f->px;
	fc->font = font_cache_get(f->cache, ff->path, ff->index, want);
	if (!fc->font) {
		fc->failed = 1;
		return NULL;
	}
	if (!fc->checked) {
		/* A bitmap face (fontconfig may call it scalable) keeps its height at any size. */
		int h = TTF_FontHeight(fc->font);
		if (ff->strike_px > 0 || (TTF_SetFontSize(fc->font, want * 2 + 8) == 0 &&
					  TTF_FontHeight(fc->font) == h))
			fc->strike_h = h;
		TTF_SetFontSize(fc->font, want);
		fc->checked = 1;
	}
	fc->px = want;
	return fc->font;
}

/* How much face i's glyphs are scaled: bitmap strikes are drawn at their size, then made as
 * high as the text's own lines (an emoji is as tall as a line of text). */
static float face_scale(const struct rf_fonts *f, int i)
{
	if (i < 0 || f->face[i].strike_h <= 0)
		return 1.0f;
	return (float)TTF_FontHeight(f->main) / (float)f->face[i].strike_h;
}

static int face_is_color(const struct rf_fonts *f, int i)
{
	return i >= 0 && f->found[i].color;
}

static int known_face(const struct rf_fonts *f, uint32_t key)
{
	for (int i = 0; i < f->n_known; i++)
		if (f->known[i].cp == key)
			return f->known[i].face;
	return -2;
}

static void remember(struct rf_fonts *f, uint32_t key, int face)
{
	if (f->n_known == f->cap_known) {
		int cap = f->cap_known ? 2 * f->cap_known : 64;
		struct rf_known *k = realloc(f->known, (size_t)cap * sizeof *k);
		if (!k)
			return;
		f->known = k;
		f->cap_known = cap;
	}
	f->known[f->n_known++] = (struct rf_known){ key, (signed char)face };
}

/* Index of found face ff in f->found, added if new; -1 when full. */
static int merge_face(struct rf_fonts *f, const struct fontfind_face *ff)
{
	for (int i = 0; i < f->n_found; i++)
		if (f->found[i].index == ff->index && !strcmp(f->found[i].path, ff->path))
			return i;
	if (f->n_found == RF_FACES)
		return -1;
	f->found[f->n_found] = *ff;
	return f->n_found++;
}

#define EMOJI_KEY 0x80000000u

/* Asks fontconfig about the code points of t the main font cannot draw, once each. */
static void look_up(struct rf_fonts *f, const struct rf_text *t, const unsigned char *emoji)
{
	uint32_t *ask = malloc((size_t)t->n * sizeof *ask);
	unsigned char *ask_emoji = malloc((size_t)t->n);
	int *which = malloc((size_t)t->n * sizeof *which);
	int n = 0;
	for (int i = 0; ask && ask_emoji && which && i < t->n; i++) {
		if (t->face[i] != -2)
			continue;
		uint32_t key = t->cp[i] | (emoji[i] ? EMOJI_KEY : 0);
		int dup = 0;
		for (int k = 0; k < n && !dup; k++)
			dup = (ask[k] | (ask_emoji[k] ? EMOJI_KEY : 0)) == key;
		if (!dup) {
			ask[n] = t->cp[i];
			ask_emoji[n++] = emoji[i];
		}
	}
	struct fontfind_face faces[RF_FACES];
	int got = n > 0 ? fontfind_fallback(font_cache_finder(f->cache), f->path, f->lang, ask,
					    ask_emoji, n, faces, RF_FACES, which) : 0;
	for (int k = 0; k < n; k++) {
		int face = -1;
		if (got > 0 && which[k] >= 0)
			face = merge_face(f, &faces[which[k]]);
		remember(f, ask[k] | (ask_emoji[k] ? EMOJI_KEY : 0), face);
	}
	free(ask);
	free(ask_emoji);
	free(which);
}

static int bidi_levels(struct rf_text *t)
{
	FriBidiCharType *types = malloc((size_t)t->n * sizeof *types);
	FriBidiBracketType *brackets = malloc((size_t)t->n * sizeof *brackets);
	FriBidiLevel *levels = malloc((size_t)t->n * sizeof *levels);
	int rc = -1;
	if (types && brackets && levels) {
		FriBidiParType base = FRIBIDI_PAR_ON;
		fribidi_get_bidi_types(t->cp, t->n, types);
		fribidi_get_bracket_types(t->cp, t->n, types, brackets);
		if (fribidi_get_par_embedding_levels_ex(types, brackets, t->n, &base, levels)) {
			for (int i = 0; i < t->n; i++)
				t->level[i] = (unsigned char)levels[i];
			t->rtl = FRIBIDI_IS_RTL(base) ? 1 : 0;
			rc = 0;
		}
	}
	free(types);
	free(brackets);
	free(levels);
	return rc;
}

void rf_text_free(struct rf_text *t)
{
	free(t->cp);
	free(t->offs);
	free(t->face);
	free(t->level);
	memset(t, 0, sizeof *t);
}

int rf_prepare(struct rf_fonts *f, const char *s, struct rf_text *t)
{
	memset(t, 0, sizeof *t);
	if (hold_main(f) != 0)
		return -1;
	t->s = s;
	size_t len = strlen(s);
	t->cp = malloc((len + 1) * sizeof *t->cp);
	t->offs = malloc((len + 1) * sizeof *t->offs);
	t->face = malloc(len + 1);
	t->level = malloc(len + 1);
	unsigned char *emoji = malloc(len + 1);
	if (!t->cp || !t->offs || !t->face || !t->level || !emoji) {
		free(emoji);
		rf_text_free(t);
		return -1;
	}
	t->n = tl_decode(s, t->cp, t->offs, (int)len + 1);
	int missing = 0;
	for (int i = 0; i < t->n; i++) {
		uint32_t c = t->cp[i];
		emoji[i] = (unsigned char)tl_wants_emoji(c, i + 1 < t->n ? t->cp[i + 1] : 0);
		t->face[i] = -1;
		if (tl_is_extender(c) || tl_is_ignorable(c) || c == '\n')
			continue; /* drawn with the character before it */
		if (!emoji[i] && TTF_GlyphIsProvided32(f->main, c))
			continue;
		int known = known_face(f, c | (emoji[i] ? EMOJI_KEY : 0));
		t->face[i] = (signed char)known;
		missing += known == -2;
	}
	if (missing)
		look_up(f, t, emoji);
	for (int i = 0; i < t->n; i++) {
		if (t->face[i] == -2)
			t->face[i] = (signed char)known_face(f, t->cp[i] | (emoji[i] ? EMOJI_KEY : 0));
		/* No colour font, or none at all: the main font, if it has the glyph. */
		if (t->face[i] < -1 || (t->face[i] == -1 && emoji[i]))
			t->face[i] = -1;
		if (i > 0 && (tl_is_extender(t->cp[i]) || tl_is_ignorable(t->cp[i])))
			t->face[i] = t->face[i - 1];
	}
	free(emoji);
	if (bidi_levels(t) != 0)
		memset(t->level, 0, (size_t)t->n);
	return 0;
}

/* A run: code points [start, end) with one face and one level. */
struct run {
	int start, end, face;
	unsigned char level;
};

static int split_runs(const struct rf_text *t, int start, int end, struct run *runs, int max)
{
	int n = 0;
	for (int i = start; i < end;) {
		int j = i + 1;
		while (j < end && t->face[j] == t->face[i] && t->level[j] == t->level[i])
			j++;
		if (n == max) { /* absurdly mixed text: the rest joins the last run */
			runs[n - 1].end = end;
			break;
		}
		runs[n++] = (struct run){ i, j, t->face[i], t->level[i] };
		i = j;
	}
	return n;
}

/* UTF-8 of a run for its font: invisible formatting is left out (fonts without it draw a box),
 * but a colour font keeps the joiners of its emoji sequences. Returns a malloc'd string. */
static char *run_utf8(const struct rf_fonts *f, const struct rf_text *t, const struct run *r)
{
	char *out = malloc((size_t)(t->offs[r->end] - t->offs[r->start]) + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (int i = r->start; i < r->end; i++) {
		uint32_t c = t->cp[i];
		if ((tl_is_ignorable(c) && !(c == 0x200D && face_is_color(f, r->face))) || c == '\n')
			continue;
		size_t len = (size_t)(t->offs[i + 1] - t->offs[i]);
		memcpy(out + o, t->s + t->offs[i], len);
		o += len;
	}
	out[o] = '\0';
	return out;
}

/* The run's font, set to its direction and to the script of its first letter (HarfBuzz picks
 * its shaper by script: Arabic joins its letters only under "Arab"). */
static TTF_Font *run_font(struct rf_fonts *f, const struct rf_text *t, const struct run *r)
{
	TTF_Font *font = face_font(f, r->face);
	if (!font)
		return NULL;
	TTF_SetFontDirection(font, r->level & 1 ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
	const char *script = NULL;
	for (int i = r->start; i < r->end && !script; i++)
		script = tl_script(t->cp[i]);
	TTF_SetFontScriptName(font, script ? script : r->level & 1 ? "Arab" : "Latn");
	return font;
}

static int run_width(struct rf_fonts *f, const struct rf_text *t, const struct run *r)
{
	TTF_Font *font = run_font(f, t, r);
	char *s = run_utf8(f, t, r);
	int w = 0, h = 0;
	if (font && s && *s && TTF_SizeUTF8(font, s, &w, &h) != 0)
		w = -1;
	free(s);
	if (!font)
		return 0;
	return w < 0 ? -1 : (int)(w * face_scale(f, r->face) + 0.5f);
}

int rf_measure(void *ctx, int start, int end)
{
	struct rf_measure *m = ctx;
	struct run runs[MAX_RUNS];
	int n = split_runs(m->text, start, end, runs, MAX_RUNS), w = 0;
	for (int i = 0; i < n; i++) {
		int rw = run_width(m->fonts, m->text, &runs[i]);
		if (rw < 0)
			return -1;
		w += rw;
	}
	return w;
}

/* s shrunk to w x h, each pixel the average of the source pixels it covers (premultiplied). */
static SDL_Surface *shrink(SDL_Surface *s, int w, int h)
{
	SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!d)
		return NULL;
	for (int y = 0; y < h; y++) {
		int y0 = y * s->h / h, y1 = (y + 1) * s->h / h;
		if (y1 <= y0)
			y1 = y0 + 1;
		Uint32 *out = (Uint32 *)((Uint8 *)d->pixels + (size_t)y * d->pitch);
		for (int x = 0; x < w; x++) {
			int x0 = x * s->w / w, x1 = (x + 1) * s->w / w;
			if (x1 <= x0)
				x1 = x0 + 1;
			unsigned long long sa = 0, sr = 0, sg = 0, sb = 0, cnt = 0;
			for (int sy = y0; sy < y1 && sy < s->h; sy++) {
				const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels +
								     (size_t)sy * s->pitch);
				for (int sx = x0; sx < x1 && sx < s->w; sx++) {
					Uint32 p = row[sx], a = p >> 24;
					sa += a;
					sr += ((p >> 16) & 255) * a;
					sg += ((p >> 8) & 255) * a;
					sb += (p & 255) * a;
					cnt++;
				}
			}
			Uint32 a = cnt ? (Uint32)(sa / cnt) : 0;
			out[x] = sa ? (a << 24) | (Uint32)(sr / sa) << 16 | (Uint32)(sg / sa) << 8 |
					      (Uint32)(sb / sa)
				    : 0;
		}
	}
	return d;
}

/* A rasterised run, placed on its line. */
struct piece {
	SDL_Surface *s;
	int ascent, color;
};

static int render_run(struct rf_fonts *f, const struct rf_text *t, const struct run *r,
		      const char *literal, struct piece *p)
{
	static const SDL_Color white = { 255, 255, 255, 255 };
	memset(p, 0, sizeof *p);
	TTF_Font *font = run_font(f, t, r);
	char *s = literal ? strdup(literal) : run_utf8(f, t, r);
	if (!font || !s || !*s) {
		free(s);
		return font ? 0 : 0;
	}
	SDL_Surface *raw = TTF_RenderUTF8_Blended(font, s, white);
	free(s);
	if (!raw)
		return -1;
	SDL_Surface *argb = raw->format->format == SDL_PIXELFORMAT_ARGB8888
				    ? raw : SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
	if (argb != raw)
		SDL_FreeSurface(raw);
	if (!argb)
		return -1;
	float k = face_scale(f, r->face);
	p->ascent = TTF_FontAscent(font);
	if (k < 0.999f) {
		int w = (int)(argb->w * k + 0.5f), h = (int)(argb->h * k + 0.5f);
		SDL_Surface *small = shrink(argb, w > 0 ? w : 1, h > 0 ? h : 1);
		SDL_FreeSurface(argb);
		if (!small)
			return -1;
		argb = small;
		p->ascent = (int)(p->ascent * k + 0.5f);
	}
	p->s = argb;
	p->color = face_is_color(f, r->face);
	return 0;
}

/* Draws src into dst at x, y: alpha only (white glyphs) or colour "over". */
static void put(SDL_Surface *dst, SDL_Surface *src, int x, int y, int color)
{
	for (int sy = 0; sy < src->h; sy++) {
		int dy = y + sy;
		if (dy < 0 || dy >= dst->h)
			continue;
		const Uint32 *in = (const Uint32 *)((const Uint8 *)src->pixels + (size_t)sy * src->pitch);
		Uint32 *out = (Uint32 *)((Uint8 *)dst->pixels + (size_t)dy * dst->pitch);
		for (int sx = 0; sx < src->w; sx++) {
			int dx = x + sx;
			Uint32 s = in[sx], sa = s >> 24;
			if (dx < 0 || dx >= dst->w || sa == 0)
				continue;
			Uint32 d = out[dx], da = d >> 24;
			if (!color) {
				out[dx] = (sa > da ? sa : da) << 24 | 0xFFFFFFu;
				continue;
			}
			Uint32 oa = sa + da * (255 - sa) / 255;
			Uint32 o = oa << 24;
			for (int sh = 0; sh < 24; sh += 8) {
				Uint32 sc = (s >> sh) & 255, dc = (d >> sh) & 255;
				Uint32 c = oa ? (sc * sa + dc * da * (255 - sa) / 255) / oa : 0;
				o |= (c > 255 ? 255 : c) << sh;
			}
			out[dx] = o;
		}
	}
}

struct placed_line {
	struct piece pieces[MAX_RUNS + 1];
	int n, w, ascent, descent;
};

static void free_line(struct placed_line *pl)
{
	for (int i = 0; i < pl->n; i++)
		if (pl->pieces[i].s)
			SDL_FreeSurface(pl->pieces[i].s);
	pl->n = 0;
}

static int build_line(struct rf_fonts *f, const struct rf_text *t, const struct rf_line *ln,
		      struct placed_line *pl)
{
	struct run runs[MAX_RUNS + 1];
	int n = split_runs(t, ln->start, ln->end, runs, MAX_RUNS);
	if (ln->ellipsis)
		runs[n++] = (struct run){ 0, 0, -1, (unsigned char)t->rtl };
	unsigned char levels[MAX_RUNS + 1];
	int order[MAX_RUNS + 1];
	for (int i = 0; i < n; i++)
		levels[i] = runs[i].level;
	tl_visual_order(levels, n, order);
	pl->n = 0;
	pl->w = 0;
	pl->ascent = TTF_FontAscent(f->main);
	pl->descent = TTF_FontHeight(f->main) - pl->ascent;
	for (int i = 0; i < n; i++) {
		const struct run *r = &runs[order[i]];
		int is_ell = ln->ellipsis && order[i] == n - 1;
		struct piece *p = &pl->pieces[pl->n];
		if (render_run(f, t, r, is_ell ? ELLIPSIS : NULL, p) != 0)
			return -1;
		if (!p->s)
			continue;
		pl->n++;
		pl->w += p->s->w;
		if (p->ascent > pl->ascent)
			pl->ascent = p->ascent;
		if (p->s->h - p->ascent > pl->descent)
			pl->descent = p->s->h - p->ascent;
	}
	return 0;
}

int rf_render(struct rf_fonts *f, const struct rf_text *t, const struct rf_line *lines,
	      int n_lines, int align, SDL_Surface **mono, SDL_Surface **color)
{
	*mono = *color = NULL;
	struct placed_line *pl = calloc((size_t)n_lines, sizeof *pl);
	if (!pl || n_lines <= 0) {
		free(pl);
		return -1;
	}
	int rc = -1, w = 1, h = 0, any_color = 0;
	int skip = rf_line_height(f);
	for (int i = 0; i < n_lines; i++) {
		if (build_line(f, t, &lines[i], &pl[i]) != 0)
			goto out;
		if (pl[i].w > w)
			w = pl[i].w;
		int lh = pl[i].ascent + pl[i].descent;
		h += i + 1 < n_lines && skip > lh ? skip : lh;
		for (int k = 0; k < pl[i].n; k++)
			any_color |= pl[i].pieces[k].color;
	}
	*mono = SDL_CreateRGBSurfaceWithFormat(0, w, h > 0 ? h : 1, 32, SDL_PIXELFORMAT_ARGB8888);
	if (any_color)
		*color = SDL_CreateRGBSurfaceWithFormat(0, w, h > 0 ? h : 1, 32,
							SDL_PIXELFORMAT_ARGB8888);
	if (!*mono || (any_color && !*color))
		goto out;
	SDL_FillRect(*mono, NULL, 0x00FFFFFF);
	if (*color)
		SDL_FillRect(*color, NULL, 0);
	int y = 0;
	for (int i = 0; i < n_lines; i++) {
		int x = align == 0 ? (w - pl[i].w) / 2 : (align == 1 && t->rtl) ? w - pl[i].w : 0;
		int base = y + pl[i].ascent;
		for (int k = 0; k < pl[i].n; k++) {
			struct piece *p = &pl[i].pieces[k];
			put(p->color ? *color : *mono, p->s, x, base - p->ascent, p->color);
			x += p->s->w;
		}
		int lh = pl[i].ascent + pl[i].descent;
		y += i + 1 < n_lines && skip > lh ? skip : lh;
	}
	rc = 0;
out:
	for (int i = 0; i < n_lines; i++)
		free_line(&pl[i]);
	free(pl);
	if (rc != 0) {
		if (*mono)
			SDL_FreeSurface(*mono);
		if (*color)
			SDL_FreeSurface(*color);
		*mono = *color = NULL;
	}
	return rc;
}
