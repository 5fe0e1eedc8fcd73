/*
 * The render device's own state, private to render.c: window or surface, rotation, the pixel
 * shift, the layout, and the views it draws. The views keep their state in their own structs
 * (view_tally.h, view_carousel.h) and see the device only through a draw_ctx (draw.h).
 */
#ifndef TALLYKIOSK_RENDER_PRIV_H
#define TALLYKIOSK_RENDER_PRIV_H

#include <SDL.h>

#include "config.h"
#include "damage.h"
#include "draw.h"
#include "layout.h"
#include "render.h"
#include "render_fontcache.h"
#include "view_carousel.h"
#include "view_notice.h"
#include "view_qr.h"
#include "view_tally.h"

/* The last view drawn, owned, so a window screenshot can draw it again (see save_png). */
struct kept_view {
	char *event_name, *label, *thank_you, *staff_status;
	enum staff_severity staff_severity;
	long long total, goal;
	float ack;
	int valid;
};

struct render {
	SDL_Window *window;     /* NULL for the off-screen surface */
	SDL_Renderer *renderer;
	/* The software path draws into this surface and presents only what changed: the
	 * window's own surface (SDL owns it) or the off-screen picture (we own it). NULL on the
	 * GPU path. */
	SDL_Surface *surface;
	int own_surface;
	char renderer_why[160]; /* how the render driver was chosen (render_describe) */
	char path_why[200];     /* why the GPU or the software path draws (render_describe) */
	SDL_Texture *rotated;   /* the picture before turning it ([display] rotate), or NULL */
	int rotated_w, rotated_h;
	int video_init, img_init;
	struct rgb background, number, text, accent;
	int fullscreen;         /* a kiosk's window: closing it takes allow_quit */
	int rotate;             /* quarter turns clockwise */
	int pixel_shift;

	struct tally_layout base;   /* the layout for the logical size */
	struct tally_layout layout; /* base moved by the pixel shift: what is drawn */
	int layout_ok;
	int out_w, out_h;       /* the output's size */
	int log_w, log_h;       /* the picture's size (turned by rotate) */
	int shift_dx, shift_dy;
	int repaint;            /* the next frame paints everything (size, shift, lost pixels) */
	struct damage damage;   /* what the last frame painted, in the picture's coordinates */
	long long frames;       /* frames painted */

	struct view_tally tally;
	struct view_status status;
	struct view_carousel carousel;
	struct view_notice notice;  /* the kiosk cannot start: see render_draw_notice */
	struct view_qr qr;

	struct font_cache *fonts; /* every face the views draw with, each file opened once */
	char font_path[CONFIG_PATH_MAX];   /* the bold face */
	char body_pattern[CONFIG_TEXT_MAX]; /* [display] body_font, looked up with the cards */

	struct kept_view last;
	long long last_now;     /* the time of the last draw (window screenshots redraw it) */
};

/* render_frame.c: the layout for the output's current size (after a resize, too). */
void rf_update_layout(struct render *r);
/*
 * Works out the frame at now_ms and paints what changed. On the software path only the
 * damaged rectangles are painted and (present) shown; on the GPU path a changed frame is
 * painted whole and (present) presented. Returns 1 if anything was painted.
 */
int rf_frame(struct render *r, const struct tally_view *v, long long now_ms, int present);
/* Forgets every texture (after a render device reset, or a new renderer). */
void rf_drop_textures(struct render *r);
/* render.c: opens the cards' fonts (after the first frame on a kiosk's screen). */
void rp_open_carousel_fonts(struct render *r);
/* render.c: keeps a copy of v, so that a window screenshot can paint it again. */
void rp_keep_view(struct render *r, const struct tally_view *v);

/* render_path.c: the GPU or the software path for the window, decided before SDL's video
 * starts ([display] renderer). Returns 1 for software; why gets the reason, for the log. */
int rp_choose_software(int setting, char *why, size_t whylen);

/* render_wm.c: shows w, created hidden at the desktop's size on X11, full-screen: through the
 * window manager, or as it is when there is none (SDL would wait 100 ms for one). Returns 1
 * when there is no window manager, else 0. */
int rp_show_full_screen(SDL_Window *w);

/* The render drivers to try, by index, in order (render_driver.c): GLES2 first on KMSDRM.
 * Returns 0 when SDL's own choice (index -1) is right. why gets the reason, for the log. */
int rp_driver_order(int *order, int max, char *why, size_t whylen);
/* A renderer for window from the first driver of rp_driver_order that works; NULL if none. */
SDL_Renderer *rp_create_renderer(SDL_Window *window, Uint32 flags, char *why, size_t whylen);

#endif
