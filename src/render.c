/*
 * The tally screen on SDL2 (see render.h). The same drawing code serves the kiosk's window
 * (KMSDRM on the Pi, X11 on a desktop) and an off-screen surface for screenshots and golden
 * tests, so what the tests see is what the room sees.
 *
 * Nothing is rasterised per frame: text textures are kept until their string or box changes,
 * and the big number is laid out from cached digit textures (render_text.c), which also lets
 * the "pop" on each press scale them without touching FreeType. Geometry comes from layout.c
 * and is recomputed whenever the output size changes.
 */
#include "render.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fontfind.h"
#include "layout.h"
#include "numfmt.h"
#include "render_text.h"

#define FALLBACK_PATTERN "DejaVu Sans:bold"
#define FALLBACK_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

enum { SLOT_EVENT, SLOT_LABEL, SLOT_ACK, SLOT_GOAL, SLOT_STATUS, SLOT_COUNT };

/* The last view drawn, owned, so a window screenshot can draw it again (see save_png). */
struct kept_view {
	char *event_name, *label, *thank_you, *staff_status;
	long long total, goal;
	float ack;
	int valid;
};

struct render {
	SDL_Window *window;     /* NULL for the off-screen surface */
	SDL_Renderer *renderer;
	SDL_Surface *surface;   /* the off-screen target, NULL for a window */
	int video_init, ttf_init;
	struct rgb background, number, text, accent;
	struct tally_layout layout;
	int layout_ok;
	int out_w, out_h;
	struct rt_number num;
	struct rt_text slots[SLOT_COUNT];
	struct rt_pill pill;
	struct kept_view last;
};

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen,
							    const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static SDL_Color to_color(struct rgb c)
{
	SDL_Color s = { c.r, c.g, c.b, 255 };
	return s;
}

/* a blended over b by t (0..1): dim colours that stay in the organiser's palette. */
static SDL_Color mix(struct rgb a, struct rgb b, float t)
{
	SDL_Color s = { (Uint8)(b.r + (a.r - b.r) * t + 0.5f), (Uint8)(b.g + (a.g - b.g) * t + 0.5f),
			(Uint8)(b.b + (a.b - b.b) * t + 0.5f), 255 };
	return s;
}

static Uint8 alpha_of(float f)
{
	if (f <= 0.0f)
		return 0;
	if (f >= 1.0f)
		return 255;
	return (Uint8)(f * 255.0f + 0.5f);
}

/* Drops every texture: after a render device reset they are invalid and must be rebuilt. */
static void drop_textures(struct render *r)
{
	rt_number_drop(&r->num);
	for (int i = 0; i < SLOT_COUNT; i++)
		rt_text_drop(&r->slots[i]);
	rt_pill_drop(&r->pill);
}

/*
 * Recomputes the layout if the output size changed. Text caches notice the new boxes by
 * themselves; a window too small for any layout is drawn as plain background.
 */
static void update_layout(struct render *r)
{
	int w = 0, h = 0;
	if (r->surface) {
		w = r->surface->w;
		h = r->surface->h;
	} else if (SDL_GetRendererOutputSize(r->renderer, &w, &h) != 0) {
		return;
	}
	if (w == r->out_w && h == r->out_h)
		return;
	r->out_w = w;
	r->out_h = h;
	r->layout_ok = layout_compute(w, h, &r->layout) == 0;
	rt_number_resize(&r->num, r->layout_ok ? r->layout.number.font_px : 0);
}

static int keep_string(char **dst, const char *src)
{
	if (!src)
		src = "";
	if (*dst && strcmp(*dst, src) == 0)
		return 0;
	char *copy = strdup(src);
	if (!copy)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

static void keep_view(struct kept_view *k, const struct tally_view *v)
{
	int rc = keep_string(&k->event_name, v->event_name);
	rc |= keep_string(&k->label, v->label);
	rc |= keep_string(&k->thank_you, v->thank_you);
	rc |= keep_string(&k->staff_status, v->staff_status);
	k->total = v->total;
	k->goal = v->goal;
	k->ack = v->ack;
	k->valid = rc == 0;
}

static void free_view(struct kept_view *k)
{
	free(k->event_name);
	free(k->label);
	free(k->thank_you);
	free(k->staff_status);
	memset(k, 0, sizeof *k);
}

static void format_goal(char *buf, size_t len, long long total, long long goal)
{
	/* Whole percent, rounded down, so the screen never says 100 % before the goal is met. */
	long long pct = 0;
	if (total > 0)
		pct = total <= LLONG_MAX / 100 ? total * 100 / goal : total / goal * 100;
	char p[32], g[32];
	if (numfmt_thousands(pct, ",", p, sizeof p) < 0 ||
	    numfmt_thousands(goal, ",", g, sizeof g) < 0) {
		snprintf(buf, len, "%lld%% of %lld", pct, goal);
		return;
	}
	if (total >= goal)
		snprintf(buf, len, "%s%% of %s \u2014 goal reached!", p, g);
	else
		snprintf(buf, len, "%s%% of %s", p, g);
}

static void draw_goal(struct render *r, const struct tally_view *v)
{
	const struct layout_box *bar = &r->layout.goal_bar;
	double frac = v->total <= 0 ? 0.0 : (double)v->total / (double)v->goal;
	if (frac > 1.0)
		frac = 1.0;
	int fill = (int)(frac * bar->w + 0.5);
	if (v->total > 0 && fill < 1)
		fill = 1;

	rt_pill_draw(&r->pill, r->renderer, bar->x, bar->y, bar->w, bar->h,
		     mix(r->accent, r->background, 0.22f));
	rt_pill_draw(&r->pill, r->renderer, bar->x, bar->y, fill, bar->h, to_color(r->accent));

	char text[160];
	format_goal(text, sizeof text, v->total, v->goal);
	struct rt_text *t = &r->slots[SLOT_GOAL];
	rt_text_set(t, r->renderer, text, &r->layout.goal_text);
	/* Reaching the goal is the moment to celebrate: the text takes the accent colour. */
	if (v->total >= v->goal)
		rt_text_draw(t, r->renderer, &r->layout.goal_text, to_color(r->accent), 255);
	else
		rt_text_draw(t, r->renderer, &r->layout.goal_text, to_color(r->text), 217);
}

static void draw_status(struct render *r, const char *msg)
{
	const struct layout_box *b = &r->layout.status;
	SDL_Rect strip = { b->x, b->y, b->w, b->h };
	SDL_SetRenderDrawColor(r->renderer, 160, 24, 24, 255);
	SDL_RenderFillRect(r->renderer, &strip);
	struct rt_text *t = &r->slots[SLOT_STATUS];
	/* Inset so the message never touches the screen's edges, which TVs often overscan. */
	struct layout_box inner = *b;
	inner.x += r->layout.margin;
	inner.w -= 2 * r->layout.margin;
	rt_text_set(t, r->renderer, msg, &inner);
	SDL_Color white = { 255, 255, 255, 255 };
	rt_text_draw(t, r->renderer, &inner, white, 255);
}

static void draw_scene(struct render *r, const struct tally_view *v)
{
	SDL_Renderer *ren = r->renderer;
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ren, r->background.r, r->background.g, r->background.b, 255);
	SDL_RenderClear(ren);
	if (!r->layout_ok)
		return;
	const struct tally_layout *l = &r->layout;

	rt_text_set(&r->slots[SLOT_EVENT], ren, v->event_name, &l->event_name);
	rt_text_draw(&r->slots[SLOT_EVENT], ren, &l->event_name, to_color(r->text), 255);

	float ack = v->ack < 0.0f ? 0.0f : v->ack > 1.0f ? 1.0f : v->ack;
	char digits[48];
	if (numfmt_thousands(v->total, ",", digits, sizeof digits) >= 0)
		rt_number_draw(&r->num, ren, digits, &l->number, 1.0f + RT_NUMBER_POP * ack,
			       to_color(r->number));

	/*
	 * The acknowledgement takes the label's place: it holds while ack is high, fades out,
	 * and only then does the label fade back in. Two texts crossfading in one spot are a
	 * smudge that nobody can read.
	 */
	int has_ack = v->thank_you && *v->thank_you && ack > 0.0f;
	float ack_a = has_ack ? (ack - 0.4f) / 0.3f : 0.0f;
	float label_a = has_ack ? (0.3f - ack) / 0.3f : 1.0f;
	rt_text_set(&r->slots[SLOT_LABEL], ren, v->label, &l->label);
	rt_text_draw(&r->slots[SLOT_LABEL], ren, &l->label, to_color(r->text),
		     alpha_of(0.85f * label_a));
	if (ack_a > 0.0f) {
		rt_text_set(&r->slots[SLOT_ACK], ren, v->thank_you, &l->ack);
		rt_text_draw(&r->slots[SLOT_ACK], ren, &l->ack, to_color(r->accent),
			     alpha_of(ack_a));
	}

	if (v->goal > 0)
		draw_goal(r, v);
	if (v->staff_status && *v->staff_status)
		draw_status(r, v->staff_status);
}

static enum render_status open_fonts(struct render *r, const struct config *cfg, char *err,
				     size_t errlen)
{
	char path[CONFIG_PATH_MAX];
	if (fontfind_path(cfg->font, path, sizeof path) != 0 &&
	    fontfind_path(FALLBACK_PATTERN, path, sizeof path) != 0) {
		if (snprintf(path, sizeof path, "%s", FALLBACK_FILE) >= (int)sizeof path ||
		    access(path, R_OK) != 0) {
			set_err(err, errlen, "no font found for \"%s\" (nor \"%s\", nor %s)",
				cfg->font, FALLBACK_PATTERN, FALLBACK_FILE);
			return RENDER_ERR_FONT;
		}
	}
	if (TTF_Init() != 0) {
		set_err(err, errlen, "TTF_Init: %s", TTF_GetError());
		return RENDER_ERR_FONT;
	}
	r->ttf_init = 1;
	int rc = rt_number_open(&r->num, path);
	for (int i = 0; i < SLOT_COUNT && rc == 0; i++)
		rc = rt_text_open(&r->slots[i], path);
	if (rc != 0) {
		set_err(err, errlen, "cannot open font %s: %s", path, TTF_GetError());
		return RENDER_ERR_FONT;
	}
	return RENDER_OK;
}

static enum render_status finish_open(struct render *r, const struct config *cfg, char *err,
				      size_t errlen)
{
	r->background = cfg->background;
	r->number = cfg->number;
	r->text = cfg->text;
	r->accent = cfg->accent;
	enum render_status st = open_fonts(r, cfg, err, errlen);
	if (st != RENDER_OK)
		return st;
	update_layout(r);
	return RENDER_OK;
}

enum render_status render_open_window(struct render **out, const struct config *cfg,
				      int fullscreen, int width, int height, char *err,
				      size_t errlen)
{
	*out = NULL;
	struct render *r = calloc(1, sizeof *r);
	if (!r) {
		set_err(err, errlen, "out of memory");
		return RENDER_ERR_VIDEO;
	}
	enum render_status st = RENDER_ERR_VIDEO;

	/* SDL 2.26 reads the X11 class from the environment only; an operator's value wins. */
	setenv("SDL_VIDEO_X11_WMCLASS", "tallykiosk", 0);
	/* Vsync on: with it off, KMSDRM issues async page flips that garble Pi 5 screens. */
	SDL_SetHint(SDL_HINT_RENDER_VSYNC, "1");
	SDL_SetHint(SDL_HINT_VIDEO_DOUBLE_BUFFER, "1");
	/* A full-screen kiosk should skip the compositor; a desktop window should not. */
	SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, fullscreen ? "1" : "0");
	SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");

	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		set_err(err, errlen, "SDL video: %s", SDL_GetError());
		goto fail;
	}
	r->video_init = 1;

	Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI |
		       (fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : SDL_WINDOW_RESIZABLE);
	int pos = SDL_WINDOWPOS_UNDEFINED;
	SDL_DisplayMode mode;
	/*
	 * Full screen starts at the desktop's size: on X11 with no window manager (a bare
	 * xinit kiosk) nobody resizes the window, and SDL would draw for a screen-sized
	 * window that the X server still shows at the requested size.
	 */
	if (fullscreen && SDL_GetDesktopDisplayMode(0, &mode) == 0) {
		width = mode.w;
		height = mode.h;
		pos = SDL_WINDOWPOS_CENTERED;
	}
	r->window = SDL_CreateWindow("tallykiosk", pos, pos, width > 0 ? width : 1280,
				     height > 0 ? height : 720, flags);
	if (!r->window) {
		set_err(err, errlen, "SDL window: %s", SDL_GetError());
		goto fail;
	}
	r->renderer = SDL_CreateRenderer(r->window, -1,
					 SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
	if (!r->renderer)
		r->renderer = SDL_CreateRenderer(r->window, -1, SDL_RENDERER_SOFTWARE);
	if (!r->renderer) {
		set_err(err, errlen, "SDL renderer: %s", SDL_GetError());
		goto fail;
	}
	if (fullscreen)
		SDL_ShowCursor(SDL_DISABLE);

	st = finish_open(r, cfg, err, errlen);
	if (st != RENDER_OK)
		goto fail;
	*out = r;
	return RENDER_OK;
fail:
	render_close(r);
	return st;
}

enum render_status render_open_surface(struct render **out, const struct config *cfg, int width,
				       int height, char *err, size_t errlen)
{
	*out = NULL;
	struct render *r = calloc(1, sizeof *r);
	if (!r) {
		set_err(err, errlen, "out of memory");
		return RENDER_ERR_VIDEO;
	}
	enum render_status st = RENDER_ERR_VIDEO;
	if (width <= 0 || height <= 0) {
		set_err(err, errlen, "invalid surface size %dx%d", width, height);
		goto fail;
	}
	r->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!r->surface) {
		set_err(err, errlen, "surface %dx%d: %s", width, height, SDL_GetError());
		goto fail;
	}
	r->renderer = SDL_CreateSoftwareRenderer(r->surface);
	if (!r->renderer) {
		set_err(err, errlen, "software renderer: %s", SDL_GetError());
		goto fail;
	}
	st = finish_open(r, cfg, err, errlen);
	if (st != RENDER_OK)
		goto fail;
	*out = r;
	return RENDER_OK;
fail:
	render_close(r);
	return st;
}

void render_draw(struct render *r, const struct tally_view *v)
{
	update_layout(r);
	keep_view(&r->last, v);
	draw_scene(r, v);
	SDL_RenderPresent(r->renderer);
}

static enum render_input on_window_event(struct render *r, const SDL_WindowEvent *we)
{
	switch (we->event) {
	case SDL_WINDOWEVENT_EXPOSED:
	case SDL_WINDOWEVENT_RESIZED:
	case SDL_WINDOWEVENT_SIZE_CHANGED:
	case SDL_WINDOWEVENT_SHOWN:
		update_layout(r);
		return RENDER_INPUT_REDRAW;
	default:
		return RENDER_INPUT_NONE;
	}
}

static enum render_input on_key(const SDL_KeyboardEvent *k, int keyboard_counts, int allow_quit)
{
	SDL_Keycode sym = k->keysym.sym;
	if (sym == SDLK_ESCAPE || (sym == SDLK_q && (k->keysym.mod & KMOD_CTRL)))
		return allow_quit ? RENDER_INPUT_QUIT : RENDER_INPUT_NONE;
	/* A held key repeats; one press is one letter. */
	if (k->repeat || !keyboard_counts)
		return RENDER_INPUT_NONE;
	if (sym == SDLK_SPACE || sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
		return RENDER_INPUT_COUNT;
	return RENDER_INPUT_NONE;
}

enum render_input render_next_input(struct render *r, int keyboard_counts, int allow_quit)
{
	if (!r || !r->window)
		return RENDER_INPUT_NONE;
	SDL_Event e;
	while (SDL_PollEvent(&e)) {
		enum render_input in = RENDER_INPUT_NONE;
		switch (e.type) {
		case SDL_KEYDOWN:
			in = on_key(&e.key, keyboard_counts, allow_quit);
			break;
		case SDL_MOUSEBUTTONDOWN:
			/* A tap arrives as SDL_FINGERDOWN and again as a synthetic click. */
			if (keyboard_counts && e.button.button == SDL_BUTTON_LEFT &&
			    e.button.which != SDL_TOUCH_MOUSEID)
				in = RENDER_INPUT_COUNT;
			break;
		case SDL_FINGERDOWN:
			if (keyboard_counts)
				in = RENDER_INPUT_COUNT;
			break;
		case SDL_QUIT:
			/* Closing a desktop window must work; a kiosk cannot be closed by accident. */
			if (allow_quit || !(SDL_GetWindowFlags(r->window) & SDL_WINDOW_FULLSCREEN))
				in = RENDER_INPUT_QUIT;
			break;
		case SDL_WINDOWEVENT:
			in = on_window_event(r, &e.window);
			break;
		case SDL_RENDER_DEVICE_RESET:
			drop_textures(r);
			in = RENDER_INPUT_REDRAW;
			break;
		case SDL_RENDER_TARGETS_RESET:
			in = RENDER_INPUT_REDRAW;
			break;
		default:
			break;
		}
		if (in != RENDER_INPUT_NONE)
			return in;
	}
	return RENDER_INPUT_NONE;
}

/*
 * A window's back buffer is undefined after SDL_RenderPresent, so the kept view is drawn
 * again, read back before presenting, and then presented so the screen stays the same.
 */
static enum render_status save_window_png(struct render *r, const char *path, char *err,
					  size_t errlen)
{
	if (!r->last.valid) {
		set_err(err, errlen, "nothing drawn yet");
		return RENDER_ERR_IO;
	}
	struct tally_view v = { r->last.event_name, r->last.total,     r->last.goal,
				r->last.label,      r->last.thank_you, r->last.ack,
				r->last.staff_status };
	update_layout(r);
	draw_scene(r, &v);
	enum render_status st = RENDER_ERR_IO;
	SDL_Surface *shot = SDL_CreateRGBSurfaceWithFormat(0, r->out_w, r->out_h, 32,
							   SDL_PIXELFORMAT_ARGB8888);
	if (!shot) {
		set_err(err, errlen, "screenshot surface: %s", SDL_GetError());
	} else if (SDL_RenderReadPixels(r->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
					shot->pitch) != 0) {
		set_err(err, errlen, "reading pixels: %s", SDL_GetError());
	} else if (IMG_SavePNG(shot, path) != 0) {
		set_err(err, errlen, "%s: %s", path, IMG_GetError());
	} else {
		st = RENDER_OK;
	}
	SDL_FreeSurface(shot);
	SDL_RenderPresent(r->renderer);
	return st;
}

enum render_status render_save_png(struct render *r, const char *path, char *err, size_t errlen)
{
	if (r->window)
		return save_window_png(r, path, err, errlen);
	if (IMG_SavePNG(r->surface, path) != 0) {
		set_err(err, errlen, "%s: %s", path, IMG_GetError());
		return RENDER_ERR_IO;
	}
	return RENDER_OK;
}

void render_close(struct render *r)
{
	if (!r)
		return;
	drop_textures(r);
	rt_number_close(&r->num);
	for (int i = 0; i < SLOT_COUNT; i++)
		rt_text_close(&r->slots[i]);
	if (r->renderer)
		SDL_DestroyRenderer(r->renderer);
	if (r->window)
		SDL_DestroyWindow(r->window);
	if (r->surface)
		SDL_FreeSurface(r->surface);
	if (r->ttf_init)
		TTF_Quit();
	if (r->video_init)
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	free_view(&r->last);
	free(r);
}
