/*
 * The screen on SDL2 (see render.h): the device (window or off-screen surface, the GPU or the
 * software path), fonts, input events and screenshots. A frame (layout, pixel shift, what
 * changed, painting) is render_frame.c; the tally and the carousel are the views in
 * view_tally.c and view_carousel.c. The same drawing code serves the kiosk's window (KMSDRM
 * on the Pi, X11 on a desktop) and an off-screen surface for screenshots and golden tests, so
 * what the tests see is what the room sees.
 *
 * Nothing is rasterised per frame: text textures are kept until their string or box changes,
 * and the big number is laid out from cached digit textures (render_text.c). Against burn-in
 * the whole picture (but the staff strip, which is rarely shown) moves a few pixels every
 * minute; the layout's boxes are moved, so no text is rasterised again for it.
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

void rp_keep_view(struct render *r, const struct tally_view *v)
{
	struct kept_view *k = &r->last;
	int rc = keep_string(&k->event_name, v->event_name);
	rc |= keep_string(&k->label, v->label);
	rc |= keep_string(&k->thank_you, v->thank_you);
	rc |= keep_string(&k->staff_status, v->staff_status);
	k->staff_severity = v->staff_severity;
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

void rp_open_carousel_fonts(struct render *r)
{
	/* The stories' font falls back to the regular DejaVu, then to the bold one. */
	char body[CONFIG_PATH_MAX];
	size_t blen = sizeof body;
	struct fontfind *ff = font_cache_finder(r->fonts);
	if (fontfind_path(ff, r->body_pattern, body, blen) != 0 &&
	    fontfind_path(ff, BODY_FALLBACK_PATTERN, body, blen) != 0 &&
	    (snprintf(body, blen, "%s", BODY_FALLBACK_FILE) >= (int)blen || access(body, R_OK)))
		snprintf(body, blen, "%s", r->font_path);
	/* A failure leaves the card without its texts; the tally is unaffected. */
	view_carousel_open_fonts(&r->carousel, r->fonts, r->font_path, body);
}

static enum render_status open_fonts(struct render *r, const struct config *cfg,
				     struct font_lock *lock, char *err, size_t errlen)
{
	r->fonts = font_cache_new(lock);
	if (!r->fonts) {
		set_err(err, errlen, "fonts: %s", *TTF_GetError() ? TTF_GetError() : "out of memory");
		return RENDER_ERR_FONT;
	}
	/* The finder keeps fontconfig's configuration for the cards' fonts and fallbacks. */
	struct fontfind *ff = font_cache_finder(r->fonts);
	char path[CONFIG_PATH_MAX];
	if (fontfind_path(ff, cfg->font, path, sizeof path) != 0 &&
	    fontfind_path(ff, FALLBACK_PATTERN, path, sizeof path) != 0) {
		if (snprintf(path, sizeof path, "%s", FALLBACK_FILE) >= (int)sizeof path ||
		    access(path, R_OK) != 0) {
			set_err(err, errlen, "no font found for \"%s\" (nor \"%s\", nor %s)",
				cfg->font, FALLBACK_PATTERN, FALLBACK_FILE);
			return RENDER_ERR_FONT;
		}
	}
	if (view_tally_open(&r->tally, cfg, r->fonts, path) != 0 ||
	    view_status_open(&r->status, r->fonts, path) != 0 ||
	    view_notice_open(&r->notice, r->fonts, path) != 0 ||
	    view_qr_open(&r->qr, r->fonts, path) != 0) {
		set_err(err, errlen, "cannot open font %s: %s", path, TTF_GetError());
		return RENDER_ERR_FONT;
	}
	snprintf(r->font_path, sizeof r->font_path, "%s", path);
	snprintf(r->body_pattern, sizeof r->body_pattern, "%s", cfg->body_font);
	view_carousel_open(&r->carousel, cfg);
	return RENDER_OK;
}

static enum render_status finish_open(struct render *r, const struct config *cfg,
				      struct font_lock *lock, char *err, size_t errlen)
{
	r->background = cfg->background;
	r->number = cfg->number;
	r->text = cfg->text;
	r->accent = cfg->accent;
	r->rotate = cfg->rotate & 3;
	r->pixel_shift = cfg->pixel_shift;
	enum render_status st = open_fonts(r, cfg, lock, err, errlen);
	if (st != RENDER_OK)
		return st;
	rf_update_layout(r);
	return RENDER_OK;
}

/*
 * The software path on a window: SDL's software renderer draws into the window's own surface
 * (X11: a shared-memory image), which keeps the last picture, so a frame repaints and sends
 * only what changed. SDL would back that surface with an OpenGL texture unless told not to,
 * and then the GL library (and llvmpipe's LLVM) would be loaded after all.
 */
static int attach_window_surface(struct render *r)
{
	if (r->renderer)
		SDL_DestroyRenderer(r->renderer);
	r->renderer = NULL;
	r->surface = SDL_GetWindowSurface(r->window);
	if (!r->surface)
		return -1;
	r->renderer = SDL_CreateSoftwareRenderer(r->surface);
	return r->renderer ? 0 : -1;
}

/* A window's surface is made anew when the window's size changes; so are the textures. */
static void follow_window_size(struct render *r)
{
	if (!r->window || !r->surface)
		return;
	int w = 0, h = 0;
	SDL_GetWindowSizeInPixels(r->window, &w, &h);
	if (w == r->surface->w && h == r->surface->h)
		return;
	rf_drop_textures(r);
	if (attach_window_surface(r) != 0)
		r->surface = NULL; /* nothing to draw into; the next resize may bring one */
	r->out_w = r->out_h = 0;
}

enum render_status render_open_window(struct render **out, const struct config *cfg,
				      struct font_lock *lock, int fullscreen, int width, int height,
				      char *err, size_t errlen)
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
	int software = rp_choose_software(cfg->renderer, r->path_why, sizeof r->path_why);
	if (software)
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
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
	/* With no X11, Wayland or DRM display SDL falls back to drawing nowhere: a kiosk that
	 * "counts" with no picture must say so instead. Tests ask for offscreen by name. */
	const char *driver = SDL_GetCurrentVideoDriver(), *asked = SDL_getenv("SDL_VIDEODRIVER");
	if (driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy")) &&
	    !(asked && strstr(asked, driver))) {
		set_err(err, errlen, "no display found: no X11 or Wayland display (DISPLAY and "
				     "WAYLAND_DISPLAY unset) and no usable DRM device (/dev/dri/card*; "
				     "is the kiosk's user in the video group?)");
		goto fail;
	}

	int pos = SDL_WINDOWPOS_UNDEFINED, x11_full = 0;
	SDL_DisplayMode mode;
	/*
	 * Full screen starts at the desktop's size: on X11 with no window manager (a bare
	 * xinit kiosk) nobody resizes the window, and SDL would draw for a screen-sized
	 * window that the X server still shows at the requested size. On X11 it is created
	 * hidden and shown by rp_show_full_screen, which asks a window manager only if one runs.
	 */
	if (fullscreen && SDL_GetDesktopDisplayMode(0, &mode) == 0) {
		width = mode.w;
		height = mode.h;
		pos = SDL_WINDOWPOS_CENTERED;
		x11_full = driver && !strcmp(driver, "x11");
	}
	Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI |
		       (!fullscreen ? SDL_WINDOW_RESIZABLE
			: x11_full  ? SDL_WINDOW_HIDDEN : SDL_WINDOW_FULLSCREEN_DESKTOP);
	r->window = SDL_CreateWindow("tallykiosk", pos, pos, width > 0 ? width : 1280,
				     height > 0 ? height : 720, flags);
	if (!r->window) {
		set_err(err, errlen, "SDL window: %s", SDL_GetError());
		goto fail;
	}
	r->fullscreen = fullscreen;
	if (x11_full)
		rp_show_full_screen(r->window);
	if (software) {
		if (attach_window_surface(r) == 0) {
			snprintf(r->renderer_why, sizeof r->renderer_why,
				 "into the window's surface, only what changed");
		} else {
			/* KMSDRM has no window surface without GL: the GPU path it is. */
			size_t n = strlen(r->path_why);
			snprintf(r->path_why + n, sizeof r->path_why - n,
				 "; but the window has no surface (%s): the GPU path instead",
				 SDL_GetError());
			r->surface = NULL;
		}
	}
	if (!r->renderer)
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

	st = finish_open(r, cfg, lock, err, errlen);
	if (st != RENDER_OK)
		goto fail;
	*out = r;
	return RENDER_OK;
fail:
	render_close(r);
	return st;
}

enum render_status render_open_surface(struct render **out, const struct config *cfg,
				       struct font_lock *lock, int width, int height, char *err,
				       size_t errlen)
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
	r->own_surface = 1;
	snprintf(r->path_why, sizeof r->path_why, "an off-screen picture");
	snprintf(r->renderer_why, sizeof r->renderer_why, "into a surface");
	if (!r->surface) {
		set_err(err, errlen, "surface %dx%d: %s", width, height, SDL_GetError());
		goto fail;
	}
	r->renderer = SDL_CreateSoftwareRenderer(r->surface);
	if (!r->renderer) {
		set_err(err, errlen, "software renderer: %s", SDL_GetError());
		goto fail;
	}
	st = finish_open(r, cfg, lock, err, errlen);
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

static enum render_input on_window_event(struct render *r, const SDL_WindowEvent *we)
{
	switch (we->event) {
	case SDL_WINDOWEVENT_EXPOSED:
	case SDL_WINDOWEVENT_RESIZED:
	case SDL_WINDOWEVENT_SIZE_CHANGED:
	case SDL_WINDOWEVENT_SHOWN:
		follow_window_size(r);
		rf_update_layout(r);
		/* What the window showed may be gone: paint it all again. */
		r->repaint = 1;
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
	/* Staff keys exist only where the organiser allowed quitting from the keyboard. */
	if (sym == SDLK_w && allow_quit && !k->repeat)
		return RENDER_INPUT_STAFF_QR;
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
				in = RENDER_INPUT_COUNT_MOUSE;
			break;
		case SDL_FINGERDOWN:
			if (keyboard_counts)
				in = RENDER_INPUT_COUNT_TOUCH;
			break;
		case SDL_QUIT:
			/* Closing a desktop window must work; a kiosk cannot be closed by accident. */
			if (allow_quit || !r->fullscreen)
				in = RENDER_INPUT_QUIT;
			break;
		case SDL_WINDOWEVENT:
			in = on_window_event(r, &e.window);
			break;
		case SDL_RENDER_DEVICE_RESET:
			rf_drop_textures(r);
			in = RENDER_INPUT_REDRAW;
			break;
		case SDL_RENDER_TARGETS_RESET:
			r->repaint = 1; /* the rotation texture's pixels are gone */
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
				r->last.staff_status, r->last.staff_severity, NULL, 0, NULL };
	r->repaint = 1;
	rf_frame(r, &v, r->last_now, 0);
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
	/* The GPU path's back buffer is undefined after a present: paint it again. The
	 * software path's surface holds the picture on screen. */
	if (r->window && !r->surface)
		return save_window_png(r, path, err, errlen);
	if (!r->surface) {
		set_err(err, errlen, "the window has no picture yet");
		return RENDER_ERR_IO;
	}
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
	rf_drop_textures(r);
	view_tally_close(&r->tally);
	view_status_close(&r->status);
	view_notice_close(&r->notice);
	view_qr_close(&r->qr);
	view_carousel_close(&r->carousel);
	font_cache_free(r->fonts);
	if (r->renderer)
		SDL_DestroyRenderer(r->renderer);
	if (r->window)
		SDL_DestroyWindow(r->window);
	if (r->surface && r->own_surface)
		SDL_FreeSurface(r->surface);
	if (r->video_init)
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	/* The last subsystem gone, SDL's own global state goes too (its D-Bus connections). */
	if (r->video_init && SDL_WasInit(SDL_INIT_EVERYTHING) == 0)
		SDL_Quit();
	free_view(&r->last);
	free(r);
}
