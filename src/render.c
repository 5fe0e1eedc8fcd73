/*
 * The screen on SDL2 (see render.h): device, fonts, rotation and pixel shift, and the order
 * of drawing; the tally and the carousel are drawn by view_tally.c and view_carousel.c. The
 * same drawing code serves the kiosk's window (KMSDRM on the Pi, X11 on a desktop) and an
 * off-screen surface for screenshots and golden tests, so what the tests see is what the room
 * sees.
 *
 * Nothing is rasterised per frame: text textures are kept until their string or box changes,
 * and the big number is laid out from cached digit textures (render_text.c). KMSDRM cannot
 * rotate the output, so a turned screen is drawn into a texture of the turned size which is
 * then copied rotated. Against burn-in the whole picture (but the staff strip, which is rarely
 * shown) moves a few pixels every minute; the layout's boxes are moved, so no text is
 * rasterised again for it.
 */
#include "render.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_syswm.h>
#include <SDL_ttf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fontfind.h"
#include "render_priv.h"

#define FALLBACK_PATTERN "DejaVu Sans:bold"
#define FALLBACK_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define BODY_FALLBACK_PATTERN "DejaVu Sans"
#define BODY_FALLBACK_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


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

/* Drops every texture: after a render device reset they are invalid and must be rebuilt. */
static void drop_textures(struct render *r)
{
	view_tally_drop(&r->tally);
	view_status_drop(&r->status);
	view_carousel_drop(&r->carousel);
	if (r->rotated)
		SDL_DestroyTexture(r->rotated);
	r->rotated = NULL;
	r->scene_ok = 0;
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
	r->log_w = r->rotate % 2 ? h : w;
	r->log_h = r->rotate % 2 ? w : h;
	r->layout_ok = layout_compute(r->log_w, r->log_h, view_carousel_wanted(&r->carousel),
				      &r->base) == 0;
	r->layout = r->base;
	r->shift_dx = r->shift_dy = 0;
	view_tally_resize(&r->tally, r->layout_ok ? r->base.number.font_px : 0);
}

static void move_box(struct layout_box *b, int dx, int dy)
{
	b->x += dx;
	b->y += dy;
}

/* Moves every box but the staff strip by the pixel shift of now_ms. */
static void shift_layout(struct render *r, long long now_ms)
{
	int dx = 0, dy = 0;
	if (r->pixel_shift && r->layout_ok)
		anim_pixel_shift(now_ms, r->base.margin / 3, &dx, &dy);
	if (dx == r->shift_dx && dy == r->shift_dy)
		return;
	struct tally_layout *l = &r->layout;
	*l = r->base;
	struct layout_box *all[] = { &l->event_name, &l->number,   &l->label,    &l->ack,
				     &l->goal_bar,   &l->goal_text, &l->tally,   &l->carousel,
				     &l->badge,      &l->case_name, &l->case_country,
				     &l->headline,   &l->story,     &l->case_count, &l->dots };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		move_box(all[i], dx, dy);
	r->shift_dx = dx;
	r->shift_dy = dy;
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

static void draw_scene(struct render *r, const struct tally_view *v, long long now_ms)
{
	SDL_Renderer *ren = r->renderer;
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ren, r->background.r, r->background.g, r->background.b, 255);
	SDL_RenderClear(ren);
	if (!r->layout_ok)
		return;
	shift_layout(r, now_ms);
	struct draw_ctx dc = { ren, &r->layout, r->background, r->number, r->text, r->accent };
	view_carousel_draw(&r->carousel, &dc, v, now_ms);
	view_tally_draw(&r->tally, &dc, v, now_ms);
	view_status_draw(&r->status, &dc, v->staff_status);
}

/* The texture a turned picture is drawn into; NULL if the renderer cannot draw into one. */
static SDL_Texture *rotation_target(struct render *r)
{
	if (r->rotated && r->rotated_w == r->log_w && r->rotated_h == r->log_h)
		return r->rotated;
	if (r->rotated)
		SDL_DestroyTexture(r->rotated);
	r->rotated = SDL_CreateTexture(r->renderer, SDL_PIXELFORMAT_ARGB8888,
				       SDL_TEXTUREACCESS_TARGET, r->log_w, r->log_h);
	r->rotated_w = r->log_w;
	r->rotated_h = r->log_h;
	return r->rotated;
}

static int same_text(const char *kept, const char *s)
{
	return kept && !strcmp(kept, s ? s : "");
}

/* What decides the picture when nothing moves. steady is 0 while anything animates. */
static void scene_key_of(struct render *r, const struct tally_view *v, long long now_ms,
			 struct scene_key *k)
{
	memset(k, 0, sizeof *k);
	k->total = v->total;
	k->goal = v->goal;
	k->out_w = r->out_w;
	k->out_h = r->out_h;
	unsigned long long h = 1469598103934665603ULL;
	for (int i = 0; i < v->n_case_counts; i++) {
		for (const char *c = v->case_counts[i].case_id; c && *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ (unsigned long long)v->case_counts[i].total) * 1099511628211ULL;
	}
	k->cases_hash = h;
	if (r->pixel_shift && r->layout_ok)
		anim_pixel_shift(now_ms, r->base.margin / 3, &k->dx, &k->dy);
	struct anim_slide s = { 0, 0, 1.0f };
	if (r->carousel.on && r->carousel.sched_started)
		anim_carousel_at(&r->carousel.sched, now_ms, &s);
	k->slide = s.to;
	const struct kept_view *kv = &r->last;
	k->steady = r->layout_ok && v->ack <= 0.0f && s.from == s.to &&
		    !view_tally_animating(&r->tally, now_ms) && kv->valid && kv->ack <= 0.0f &&
		    same_text(kv->event_name, v->event_name) && same_text(kv->label, v->label) &&
		    same_text(kv->thank_you, v->thank_you) &&
		    same_text(kv->staff_status, v->staff_status);
}

/* Draws the whole frame at now_ms, turned as configured; does not present. A steady frame
 * equal to the last one is copied from the scene texture, not drawn again. */
static void compose(struct render *r, const struct tally_view *v, long long now_ms)
{
	update_layout(r);
	struct scene_key key;
	scene_key_of(r, v, now_ms, &key);
	r->last_now = now_ms;
	SDL_Texture *t = r->layout_ok ? rotation_target(r) : NULL;
	int reuse = t && key.steady && r->scene_ok && !memcmp(&key, &r->scene_key, sizeof key);
	if (!reuse) {
		if (!t || SDL_SetRenderTarget(r->renderer, t) != 0) {
			r->scene_ok = 0;
			draw_scene(r, v, now_ms);
			return;
		}
		draw_scene(r, v, now_ms);
		SDL_SetRenderTarget(r->renderer, NULL);
		r->scene_key = key;
		r->scene_ok = key.steady;
	}
	SDL_SetRenderDrawColor(r->renderer, r->background.r, r->background.g, r->background.b,
			       255);
	SDL_RenderClear(r->renderer);
	/* Turned about its centre, the log_w x log_h picture covers the out_w x out_h output. */
	SDL_FRect dst = { (r->out_w - r->log_w) / 2.0f, (r->out_h - r->log_h) / 2.0f,
			  (float)r->log_w, (float)r->log_h };
	SDL_RenderCopyExF(r->renderer, t, NULL, &dst, 90.0 * r->rotate, NULL, SDL_FLIP_NONE);
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
	if (view_tally_open(&r->tally, cfg, path) != 0 || view_status_open(&r->status, path) != 0) {
		set_err(err, errlen, "cannot open font %s: %s", path, TTF_GetError());
		return RENDER_ERR_FONT;
	}
	/* The stories' font falls back to the regular DejaVu, then to the bold one. */
	char body[CONFIG_PATH_MAX];
	size_t blen = sizeof body;
	if (fontfind_path(cfg->body_font, body, blen) != 0 &&
	    fontfind_path(BODY_FALLBACK_PATTERN, body, blen) != 0 &&
	    (snprintf(body, blen, "%s", BODY_FALLBACK_FILE) >= (int)blen || access(body, R_OK)))
		snprintf(body, blen, "%s", path);
	if (view_carousel_open(&r->carousel, cfg, path, body) != 0) {
		set_err(err, errlen, "cannot open font %s: %s", body, TTF_GetError());
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
	r->rotate = cfg->rotate & 3;
	r->pixel_shift = cfg->pixel_shift;
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
	r->renderer = rp_create_renderer(r->window,
					 SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC,
					 r->renderer_why, sizeof r->renderer_why);
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

void render_set_cases(struct render *r, const struct cases *c)
{
	view_carousel_set(&r->carousel, c);
	/* With or without cards the layout differs: compute it again on the next draw. */
	r->out_w = r->out_h = 0;
}

void render_draw(struct render *r, const struct tally_view *v, long long now_ms)
{
	compose(r, v, now_ms);
	keep_view(&r->last, v);
	SDL_RenderPresent(r->renderer);
}

long long render_next_frame_ms(struct render *r, long long now_ms)
{
	if (!r || !r->layout_ok)
		return -1;
	if (view_tally_animating(&r->tally, now_ms))
		return 0;
	long long wait = view_carousel_wait(&r->carousel, &r->layout, now_ms);
	if (r->pixel_shift) {
		long long shift = anim_pixel_shift_wait(now_ms);
		if (wait < 0 || shift < wait)
			wait = shift;
	}
	return wait;
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

int render_input_fd(struct render *r)
{
#if defined(SDL_VIDEO_DRIVER_X11)
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (r && r->window && SDL_GetWindowWMInfo(r->window, &info) &&
	    info.subsystem == SDL_SYSWM_X11)
		return ConnectionNumber(info.info.x11.display);
#else
	(void)r;
#endif
	return -1;
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
			r->scene_ok = 0; /* the scene texture's pixels are gone */
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
				r->last.staff_status, NULL, 0 };
	compose(r, &v, r->last_now);
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
	view_tally_close(&r->tally);
	view_status_close(&r->status);
	view_carousel_close(&r->carousel);
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
