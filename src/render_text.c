/*
 * Texture caches for the renderer (see render_text.h): text lines shrunk to fit their boxes,
 * the digit glyphs of the big number at a few sizes, and the disc that rounds the goal bar.
 *
 * Shrinking changes a line's own font size (TTF_SetFontSize) instead of scaling a texture
 * down, so shrunk text stays as crisp as text at full size.
 */
#include "render_text.h"

#include <stdlib.h>
#include <string.h>

/* Below this a shrunk line is unreadable anyway; the draw then scales the texture to fit. */
#define MIN_FONT_PX 4


static SDL_Texture *upload(SDL_Renderer *r, SDL_Surface *s)
{
	SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
	if (t) {
		SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
		/* Linear filtering keeps the pop and any fit-scaling smooth. */
		SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
	}
	return t;
}

int rt_text_open(struct rt_text *t, struct font_cache *cache, const char *font_path)
{
	memset(t, 0, sizeof *t);
	return rf_open(&t->fonts, cache, font_path);
}

void rt_text_lang(struct rt_text *t, const char *lang)
{
	if (strcmp(t->fonts.lang, lang ? lang : "") != 0)
		rt_text_drop(t);
	rf_set_lang(&t->fonts, lang);
}

void rt_text_align(struct rt_text *t, int align)
{
	if (t->align != align)
		rt_text_drop(t);
	t->align = align;
}

void rt_text_drop(struct rt_text *t)
{
	if (t->tex)
		SDL_DestroyTexture(t->tex);
	if (t->color)
		SDL_DestroyTexture(t->color);
	t->tex = t->color = NULL;
	free(t->str);
	t->str = NULL;
}

void rt_text_close(struct rt_text *t)
{
	rt_text_drop(t);
	rf_close(&t->fonts);
}

/* 1 if t already shows s fitted to b the same way. */
static int text_current(const struct rt_text *t, const char *s, const struct layout_box *b,
			int wrap, int min_px)
{
	return t->str && strcmp(t->str, s) == 0 && t->box_w == b->w && t->box_h == b->h &&
	       t->box_px == b->font_px && t->wrap == wrap && t->min_px == min_px;
}

/* Starts t on s for b; 0 if there is something to draw, -1 if not (or out of memory). */
static int text_begin(struct rt_text *t, const char *s, const struct layout_box *b, int wrap,
		      int min_px)
{
	rt_text_drop(t);
	/* On failure str stays NULL, so the next frame tries again. */
	t->str = strdup(s);
	if (!t->str)
		return -1;
	t->box_w = b->w;
	t->box_h = b->h;
	t->box_px = b->font_px;
	t->wrap = wrap;
	t->min_px = min_px;
	if (!*s || !t->fonts.path || b->font_px <= 0 || b->w <= 0 || b->h <= 0)
		return -1;
	return 0;
}

/* A laid-out attempt: lines at one size. */
struct attempt {
	int px, needed, n;  /* needed: the lines the whole text takes */
	int height;         /* n lines high */
	struct tl_line lines[64];
};

/* Lays out text at px in at most max_lines lines of width w. Returns 0 or -1. */
static int try_size(struct rt_text *t, const struct rf_text *rt, int px, int w, int max_lines,
		    struct attempt *a)
{
	if (max_lines > (int)(sizeof a->lines / sizeof a->lines[0]))
		max_lines = (int)(sizeof a->lines / sizeof a->lines[0]);
	if (rf_size(&t->fonts, px) != 0)
		return -1;
	struct rf_measure m = { &t->fonts, rt };
	int needed = tl_wrap(rt->cp, rt->n, w, rf_measure, &m, a->lines, max_lines);
	if (needed < 0)
		return -1;
	a->px = px;
	a->needed = needed;
	a->n = needed < max_lines ? needed : max_lines;
	a->height = a->n * rf_line_height(&t->fonts);
	return 0;
}

/* Rasterises attempt a (its size set on the fonts); the last line gets an ellipsis when the
 * text needed more lines than a holds. */
static void text_finish(struct rt_text *t, SDL_Renderer *r, const struct rf_text *rt,
			struct attempt *a, int w)
{
	if (a->n <= 0 || rf_size(&t->fonts, a->px) != 0)
		return;
	struct rf_line lines[64];
	for (int i = 0; i < a->n; i++)
		lines[i] = (struct rf_line){ a->lines[i].start, a->lines[i].end, 0 };
	if (a->needed > a->n) {
		struct rf_line *last = &lines[a->n - 1];
		struct rf_measure m = { &t->fonts, rt };
		int ell_w = 0, ell_h = 0;
		TTF_SetFontDirection(t->fonts.main, TTF_DIRECTION_LTR);
		TTF_SizeUTF8(t->fonts.main, "\xe2\x80\xa6", &ell_w, &ell_h);
		/* The cut line runs on to the end of the text: what follows it is what is lost. */
		int cut = tl_cut_for_ellipsis(rt->cp, last->start, rt->n, w, ell_w, rf_measure, &m);
		if (cut >= 0) {
			last->end = cut;
			last->ellipsis = 1;
		}
	}
	SDL_Surface *mono = NULL, *color = NULL;
	if (rf_render(&t->fonts, rt, lines, a->n, t->align, &mono, &color) != 0)
		return;
	t->tex = upload(r, mono);
	t->color = color ? upload(r, color) : NULL;
	t->w = mono->w;
	t->h = mono->h;
	t->px = a->px;
	t->lines = a->n;
	t->rtl = rt->rtl;
	SDL_FreeSurface(mono);
	if (color)
		SDL_FreeSurface(color);
}

void rt_text_set_wrapped(struct rt_text *t, SDL_Renderer *r, const char *s,
			 const struct layout_box *b, int min_px)
{
	if (!s)
		s = "";
	if (min_px < MIN_FONT_PX)
		min_px = MIN_FONT_PX;
	if (text_current(t, s, b, 1, min_px) || text_begin(t, s, b, 1, min_px) != 0)
		return;
	struct rf_text rt;
	if (rf_prepare(&t->fonts, t->str, &rt) != 0) {
		rf_release(&t->fonts);
		return;
	}
	struct attempt *a = malloc(sizeof *a);
	/* Shrink in steps of about 6 %: each try lays the paragraph out again, so few tries. */
	for (int px = b->font_px; a; px = px * 94 / 100) {
		if (px < min_px)
			px = min_px;
		if (try_size(t, &rt, px, b->w, 64, a) != 0) {
			free(a);
			a = NULL;
			break;
		}
		if ((a->needed <= 64 && a->height <= b->h) || px <= min_px)
			break;
	}
	if (a) {
		/* At the smallest size, the lines that fit; the last one says there is more. */
		int lh = rf_line_height(&t->fonts);
		int fit = lh > 0 ? b->h / lh : 1;
		if (a->n > fit)
			a->n = fit > 0 ? fit : 1;
		text_finish(t, r, &rt, a, b->w);
	}
	free(a);
	rf_text_free(&rt);
	rf_release(&t->fonts);
}

/* Largest size <= px at which the text takes at most max_lines lines of width w and fits
 * height h; 0 when not even min_px does. Sizes are tried from the top in small steps. */
static int fit_lines(struct rt_text *t, const struct rf_text *rt, int px, int min_px, int w,
		     int h, int max_lines, struct attempt *a)
{
	for (; px >= min_px; px = px * 95 / 100 < px - 1 ? px * 95 / 100 : px - 1) {
		if (try_size(t, rt, px, w, max_lines, a) != 0)
			return 0;
		if (a->needed <= max_lines && a->height <= h)
			return px;
	}
	return 0;
}

void rt_text_set(struct rt_text *t, SDL_Renderer *r, const char *s, const struct layout_box *b)
{
	if (!s)
		s = "";
	if (text_current(t, s, b, 0, 0) || text_begin(t, s, b, 0, 0) != 0)
		return;
	struct rf_text rt;
	if (rf_prepare(&t->fonts, t->str, &rt) != 0) {
		rf_release(&t->fonts);
		return;
	}
	struct attempt *a = malloc(sizeof *a), *two = malloc(sizeof *two);
	int full = b->font_px;
	int min_px = full * RT_TITLE_MIN_SHARE / 100;
	if (min_px < MIN_FONT_PX)
		min_px = MIN_FONT_PX;
	if (!a || !two || try_size(t, &rt, full, b->w, 1, a) != 0)
		goto out;
	if (a->needed > 1) {
		/* One line: the proportional guess first, then down: kerning is not linear. */
		int w1 = rf_measure(&(struct rf_measure){ &t->fonts, &rt }, 0, rt.n);
		int px1 = w1 > b->w ? (int)((long long)full * b->w / w1) + 1 : full;
		if (px1 > full)
			px1 = full;
		px1 = px1 >= min_px ? fit_lines(t, &rt, px1, min_px, b->w, 1 << 20, 1, a) : 0;
		/* Two lines, when one would be small and the box is high enough for two. */
		int px2 = 0;
		if (px1 < full * 3 / 4)
			px2 = fit_lines(t, &rt, full, px1 > min_px ? px1 + 1 : min_px, b->w, b->h,
					2, two);
		if (px2 > px1) {
			struct attempt *swap = a;
			a = two;
			two = swap;
		} else if (px1 == 0) {
			/* Nothing fits even at the smallest size: two lines if there is room,
			 * else one, ending in an ellipsis. */
			int lines = 2;
			if (try_size(t, &rt, min_px, b->w, lines, a) != 0)
				goto out;
			if (a->height > b->h) {
				if (try_size(t, &rt, min_px, b->w, 1, a) != 0)
					goto out;
			}
		}
	}
	text_finish(t, r, &rt, a, b->w);
out:
	free(a);
	free(two);
	rf_text_free(&rt);
	rf_release(&t->fonts);
}

/* halign: 0 centre, 1 left; top: 1 top-aligned, 0 centred vertically. */
static void text_draw(struct rt_text *t, SDL_Renderer *r, const struct layout_box *b,
		      SDL_Color c, Uint8 alpha, int halign, int top, int dy)
{
	if (!t->tex || alpha == 0)
		return;
	/* Never leave the box, even if the font could not shrink far enough. */
	float k = 1.0f;
	if (t->w > b->w)
		k = (float)b->w / (float)t->w;
	if (t->h * k > b->h)
		k = (float)b->h / (float)t->h;
	float x = !halign ? b->x + (b->w - t->w * k) / 2.0f
		  : t->rtl && t->align ? b->x + b->w - t->w * k : (float)b->x;
	float y = top ? (float)b->y : b->y + (b->h - t->h * k) / 2.0f;
	/* Whole-pixel positions: a half-pixel offset blurs text under linear filtering. */
	SDL_FRect dst = { (float)(int)x, (float)(int)y + dy, t->w * k, t->h * k };
	SDL_SetTextureColorMod(t->tex, c.r, c.g, c.b);
	SDL_SetTextureAlphaMod(t->tex, alpha);
	SDL_RenderCopyF(r, t->tex, NULL, &dst);
	if (t->color) {
		SDL_SetTextureAlphaMod(t->color, alpha);
		SDL_RenderCopyF(r, t->color, NULL, &dst);
	}
}

void rt_text_draw(struct rt_text *t, SDL_Renderer *r, const struct layout_box *b, SDL_Color c,
		  Uint8 alpha)
{
	text_draw(t, r, b, c, alpha, 0, 0, 0);
}

void rt_text_draw_left(struct rt_text *t, SDL_Renderer *r, const struct layout_box *b,
		       SDL_Color c, Uint8 alpha, int top, int dy)
{
	text_draw(t, r, b, c, alpha, 1, top, dy);
}

static int glyph_index(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c == ',' ? 10 : c == '-' ? 11 : -1;
}

static const Uint32 glyph_char[RT_GLYPHS] = { '0', '1', '2', '3', '4', '5',
					      '6', '7', '8', '9', ',', '-' };

static void digits_free(struct rt_digits *d)
{
	for (int i = 0; i < RT_GLYPHS; i++)
		if (d->tex[i])
			SDL_DestroyTexture(d->tex[i]);
	memset(d, 0, sizeof *d);
}

/* First and one-past-last rows of s with any ink; top = bottom = 0 for a blank glyph. */
static void ink_rows(SDL_Surface *s, int *top, int *bottom)
{
	*top = *bottom = 0;
	if (s->format->BytesPerPixel != 4 || SDL_LockSurface(s) != 0)
		return;
	int first = -1, last = -1;
	for (int y = 0; y < s->h; y++) {
		const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch);
		for (int x = 0; x < s->w; x++) {
			if ((row[x] & s->format->Amask) != 0) {
				if (first < 0)
					first = y;
				last = y;
				break;
			}
		}
	}
	SDL_UnlockSurface(s);
	if (first >= 0) {
		*top = first;
		*bottom = last + 1;
	}
}

/* The widest digit's advance: every digit gets that cell, so non-tabular fonts don't jitter. */
static int digit_cell(TTF_Font *f)
{
	int cell = 0;
	for (int i = 0; i < 10; i++) {
		int adv = 0;
		if (TTF_GlyphMetrics32(f, glyph_char[i], NULL, NULL, NULL, NULL, &adv) == 0 &&
		    adv > cell)
			cell = adv;
	}
	return cell;
}

static int digits_build(struct rt_digits *d, TTF_Font *f, SDL_Renderer *r, int px, SDL_Color c)
{
	memset(d, 0, sizeof *d);
	int cell = digit_cell(f);
	d->ink_top = -1;
	int sep_bottom = 0;
	for (int i = 0; i < RT_GLYPHS; i++) {
		int minx = 0, adv = 0;
		if (TTF_GlyphMetrics32(f, glyph_char[i], &minx, NULL, NULL, NULL, &adv) != 0)
			goto fail;
		SDL_Surface *s = TTF_RenderGlyph32_Blended(f, glyph_char[i], c);
		if (!s)
			goto fail;
		int top, bottom;
		ink_rows(s, &top, &bottom);
		if (i < 10) {
			if (d->ink_top < 0 || top < d->ink_top)
				d->ink_top = top;
			if (bottom > d->ink_bottom)
				d->ink_bottom = bottom;
		} else if (i == 10) {
			sep_bottom = bottom;
		}
		/* SDL_ttf shifts a glyph right by -minx when it reaches left of the pen. */
		d->off[i] = minx < 0 ? minx : 0;
		if (i < 10) {
			d->off[i] += (cell - adv) / 2;
			adv = cell;
		}
		d->adv[i] = adv;
		d->tw[i] = s->w;
		d->th[i] = s->h;
		d->tex[i] = upload(r, s);
		SDL_FreeSurface(s);
		if (!d->tex[i])
			goto fail;
	}
	if (d->ink_top < 0 || d->ink_bottom <= d->ink_top)
		goto fail;
	d->below = sep_bottom > d->ink_bottom ? sep_bottom - d->ink_bottom : 0;
	d->px = px;
	d->color = c;
	return 0;
fail:
	digits_free(d);
	return -1;
}

int rt_number_open(struct rt_number *n, struct font_cache *cache, const char *font_path)
{
	memset(n, 0, sizeof *n);
	n->cache = cache;
	n->path = strdup(font_path);
	/* Opened now (once per file, by the cache) so a missing or broken font shows at start. */
	TTF_Font *f = n->path ? font_cache_get(cache, n->path, 0, 16) : NULL;
	font_cache_put(cache, f);
	return f ? 0 : -1;
}

void rt_number_resize(struct rt_number *n, int px)
{
	if (n->base_px == px)
		return;
	n->base_px = px;
	n->fit_px = 0;
}

void rt_number_drop(struct rt_number *n)
{
	for (int i = 0; i < RT_SETS; i++)
		digits_free(&n->sets[i]);
}

void rt_number_close(struct rt_number *n)
{
	rt_number_drop(n);
	free(n->path);
	n->path = NULL;
}

/* Width of nd digits, ns separators and an optional minus at px, from the glyph metrics. */
static int number_width(struct rt_number *n, int px, int nd, int ns, int neg)
{
	TTF_Font *f = font_cache_get(n->cache, n->path, 0, px);
	int sep = 0, minus = 0, w = -1;
	if (f && TTF_GlyphMetrics32(f, ',', NULL, NULL, NULL, NULL, &sep) == 0 &&
	    TTF_GlyphMetrics32(f, '-', NULL, NULL, NULL, NULL, &minus) == 0)
		w = nd * digit_cell(f) + ns * sep + (neg ? minus : 0);
	font_cache_put(n->cache, f);
	return w;
}

/* Largest size at which the number fits target px; remembered per digit count and width. */
static int number_fit(struct rt_number *n, int nd, int ns, int neg, int target)
{
	if (n->fit_px > 0 && n->fit_nd == nd && n->fit_ns == ns && n->fit_neg == neg &&
	    n->fit_w == target)
		return n->fit_px;
	int px = n->base_px;
	int w = number_width(n, px, nd, ns, neg);
	if (w < 0)
		return -1;
	if (w > target) {
		px = (int)((long long)px * target / w);
		while (px > MIN_FONT_PX) {
			w = number_width(n, px, nd, ns, neg);
			if (w < 0)
				return -1;
			if (w <= target)
				break;
			px--;
		}
		if (px < MIN_FONT_PX)
			px = MIN_FONT_PX;
	}
	n->fit_nd = nd;
	n->fit_ns = ns;
	n->fit_neg = neg;
	n->fit_w = target;
	n->fit_px = px;
	return px;
}

/*
 * The digits at px, rasterised in c's colour: the number is always drawn in one colour, and a
 * texture that needs no colour modulation takes SDL's fast blending path on the software
 * renderer (a white one tinted per draw takes the slow generic one).
 */
static struct rt_digits *digits_at(struct rt_number *n, SDL_Renderer *r, int px, SDL_Color c)
{
	struct rt_digits *victim = &n->sets[0];
	for (int i = 0; i < RT_SETS; i++) {
		struct rt_digits *d = &n->sets[i];
		if (d->px == px && d->color.r == c.r && d->color.g == c.g && d->color.b == c.b) {
			d->used = ++n->clock;
			return d;
		}
		if (d->px == 0 || (victim->px != 0 && d->used < victim->used))
			victim = d;
	}
	digits_free(victim);
	c.a = 255;
	TTF_Font *f = font_cache_get(n->cache, n->path, 0, px);
	int rc = f ? digits_build(victim, f, r, px, c) : -1;
	font_cache_put(n->cache, f);
	if (rc != 0)
		return NULL;
	victim->used = ++n->clock;
	return victim;
}

/*
 * Lays s out in b at scale (see rt_number_draw): the digit set, and each glyph's place passed
 * to fn (NULL: only the bounds). bounds, if not NULL, gets every pixel a glyph may touch.
 * Returns the digit set, or NULL if nothing is drawn.
 */
static struct rt_digits *number_layout(struct rt_number *n, SDL_Renderer *r, const char *s,
				       const struct layout_box *b, float scale, SDL_Color c,
				       int paint, SDL_Rect *bounds)
{
	int nd = 0, ns = 0, neg = 0;
	for (const char *p = s; *p; p++) {
		int g = glyph_index(*p);
		nd += g >= 0 && g < 10;
		ns += g == 10;
		neg |= g == 11;
	}
	if (nd == 0 || n->base_px <= 0)
		return NULL;
	int px = number_fit(n, nd, ns, neg, (int)(b->w / (1.0f + RT_NUMBER_POP)));
	struct rt_digits *d = px > 0 ? digits_at(n, r, px, c) : NULL;
	if (!d)
		return NULL;

	int total_w = 0;
	for (const char *p = s; *p; p++)
		if (glyph_index(*p) >= 0)
			total_w += d->adv[glyph_index(*p)];
	/*
	 * The baseline is where full-size digits would sit with their ink centred in the box.
	 * A shrunk number keeps it, so it stays with its label instead of floating off.
	 */
	int ink_h = d->ink_bottom - d->ink_top;
	int full_h = (int)((long long)ink_h * n->base_px / d->px);
	int baseline = b->y + (b->h - full_h) / 2 + full_h;
	if (baseline + d->below > b->y + b->h)
		baseline = b->y + b->h - d->below;
	int top = baseline - ink_h;
	if (top < b->y)
		top = b->y;
	/* Whole-pixel origin, so the number at rest is as sharp as its textures. */
	int pen0 = b->x + (b->w - total_w) / 2;
	float cx = pen0 + total_w / 2.0f;
	float cy = top + ink_h / 2.0f;
	float tex_y = (float)(top - d->ink_top);
	float pen = (float)pen0;
	float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
	int any = 0;
	for (const char *p = s; *p; p++) {
		int g = glyph_index(*p);
		if (g < 0)
			continue;
		SDL_FRect dst = { cx + (pen + d->off[g] - cx) * scale, cy + (tex_y - cy) * scale,
				  d->tw[g] * scale, d->th[g] * scale };
		if (paint) {
			SDL_SetTextureAlphaMod(d->tex[g], c.a);
			SDL_RenderCopyF(r, d->tex[g], NULL, &dst);
		}
		if (!any || dst.x < x0)
			x0 = dst.x;
		if (!any || dst.y < y0)
			y0 = dst.y;
		if (!any || dst.x + dst.w > x1)
			x1 = dst.x + dst.w;
		if (!any || dst.y + dst.h > y1)
			y1 = dst.y + dst.h;
		any = 1;
		pen += d->adv[g];
	}
	if (bounds) {
		/* A pixel of margin: renderers round a fractional edge either way. */
		int bx = (int)SDL_floorf(x0) - 1, by = (int)SDL_floorf(y0) - 1;
		*bounds = (SDL_Rect){ bx, by, (int)SDL_ceilf(x1) + 1 - bx, (int)SDL_ceilf(y1) + 1 - by };
	}
	return d;
}

void rt_number_draw(struct rt_number *n, SDL_Renderer *r, const char *s,
		    const struct layout_box *b, float scale, SDL_Color c)
{
	number_layout(n, r, s, b, scale, c, 1, NULL);
}

int rt_number_bounds(struct rt_number *n, SDL_Renderer *r, const char *s,
		     const struct layout_box *b, float scale, SDL_Color c, SDL_Rect *out)
{
	return number_layout(n, r, s, b, scale, c, 0, out) ? 0 : -1;
}

/* A white disc of diameter d with 4x4 supersampled edges, as a texture. */
static SDL_Texture *make_disc(SDL_Renderer *r, int d)
{
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, d, d, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s)
		return NULL;
	float rad = d / 2.0f;
	for (int y = 0; y < d; y++) {
		Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * s->pitch);
		for (int x = 0; x < d; x++) {
			int cov = 0;
			for (int sy = 0; sy < 4; sy++) {
				for (int sx = 0; sx < 4; sx++) {
					float fx = x + (sx + 0.5f) / 4.0f - rad;
					float fy = y + (sy + 0.5f) / 4.0f - rad;
					cov += fx * fx + fy * fy <= rad * rad;
				}
			}
			row[x] = ((Uint32)(cov * 255 / 16) << 24) | 0xFFFFFFu;
		}
	}
	SDL_Texture *t = upload(r, s);
	SDL_FreeSurface(s);
	return t;
}

void rt_pill_drop(struct rt_pill *p)
{
	if (p->disc)
		SDL_DestroyTexture(p->disc);
	p->disc = NULL;
	p->d = 0;
}

static void pill_full(struct rt_pill *p, SDL_Renderer *r, int x, int y, int w, int h,
		      SDL_Color c)
{
	int cap = h / 2;
	SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
	SDL_Rect mid = { x + cap, y, w - 2 * cap, h };
	SDL_RenderFillRect(r, &mid);
	if (!p->disc)
		return;
	SDL_SetTextureColorMod(p->disc, c.r, c.g, c.b);
	SDL_SetTextureAlphaMod(p->disc, c.a);
	SDL_Rect ls = { 0, 0, cap, h }, ld = { x, y, cap, h };
	SDL_Rect rs = { h - cap, 0, cap, h }, rd = { x + w - cap, y, cap, h };
	SDL_RenderCopy(r, p->disc, &ls, &ld);
	SDL_RenderCopy(r, p->disc, &rs, &rd);
}

void rt_pill_draw(struct rt_pill *p, SDL_Renderer *r, int x, int y, int w, int h, SDL_Color c)
{
	if (w <= 0 || h <= 0)
		return;
	if (p->d != h) {
		rt_pill_drop(p);
		p->disc = make_disc(r, h);
		p->d = h;
	}
	if (!p->disc) {
		/* Square ends are a fine fallback; the bar must still show progress. */
		SDL_Rect rect = { x, y, w, h };
		SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
		SDL_RenderFillRect(r, &rect);
		return;
	}
	int min_w = 2 * (h / 2) + 1;
	if (w >= min_w) {
		pill_full(p, r, x, y, w, h, c);
		return;
	}
	/* A sliver of progress: the left end of a pill, cut off where the progress ends, within
	 * the clip the caller drew under (the renderer repaints only what changed). */
	SDL_Rect clip = { x, y, w, h }, outer;
	int clipped = SDL_RenderIsClipEnabled(r);
	if (clipped) {
		SDL_RenderGetClipRect(r, &outer);
		if (!SDL_IntersectRect(&clip, &outer, &clip))
			return;
	}
	SDL_RenderSetClipRect(r, &clip);
	pill_full(p, r, x, y, min_w, h, c);
	SDL_RenderSetClipRect(r, clipped ? &outer : NULL);
}

void rt_round_rect(struct rt_pill *p, SDL_Renderer *r, const SDL_Rect *rect, int radius,
		   SDL_Color c)
{
	int rad = radius;
	if (rad > rect->w / 2)
		rad = rect->w / 2;
	if (rad > rect->h / 2)
		rad = rect->h / 2;
	if (rad > 0 && p->d != 2 * rad) {
		rt_pill_drop(p);
		p->disc = make_disc(r, 2 * rad);
		p->d = 2 * rad;
	}
	SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
	if (rad <= 0 || !p->disc) {
		SDL_RenderFillRect(r, rect);
		return;
	}
	int x = rect->x, y = rect->y, w = rect->w, h = rect->h;
	SDL_Rect mid = { x, y + rad, w, h - 2 * rad };
	SDL_Rect top = { x + rad, y, w - 2 * rad, rad };
	SDL_Rect bot = { x + rad, y + h - rad, w - 2 * rad, rad };
	SDL_RenderFillRect(r, &mid);
	SDL_RenderFillRect(r, &top);
	SDL_RenderFillRect(r, &bot);
	SDL_SetTextureColorMod(p->disc, c.r, c.g, c.b);
	SDL_SetTextureAlphaMod(p->disc, c.a);
	for (int i = 0; i < 4; i++) {
		int sx = i & 1 ? rad : 0, sy = i & 2 ? rad : 0;
		SDL_Rect src = { sx, sy, rad, rad };
		SDL_Rect dst = { i & 1 ? x + w - rad : x, i & 2 ? y + h - rad : y, rad, rad };
		SDL_RenderCopy(r, p->disc, &src, &dst);
	}
}
