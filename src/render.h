/*
 * The screen: window or off-screen surface, fonts, and drawing of the tally and the case
 * carousel. Only the render files (render*.c, view_*.c) and fontfind.c include SDL headers.
 * Text is rasterised when it changes, never per frame; the digits of the big number come from
 * a cache. Time is passed in (now_ms, any monotonic epoch), never read here, so animations are
 * reproducible in tests; render_next_frame_ms tells the loop how long it may sleep.
 */
#ifndef TALLYKIOSK_RENDER_H
#define TALLYKIOSK_RENDER_H

#include <stddef.h>

#include "cases.h"
#include "config.h"
#include "fontlock.h"

/* The letters counted for one case (by its own button); see tally_view. */
struct case_count {
	const char *case_id;    /* a [section] id of the cases file */
	long long total;
};

/* How the staff strip looks: information for staff (calm, in the organiser's colours) or a
 * problem they must act on (red). */
enum staff_severity { STAFF_INFO = 0, STAFF_PROBLEM };

/* What the screen shows: a plain value the app fills each frame. Strings are borrowed. */
struct tally_view {
	const char *event_name;
	long long total;        /* committed total: the only number ever drawn */
	long long goal;         /* 0 = no goal bar */
	const char *label;      /* "letters written" */
	const char *thank_you;  /* acknowledgement text */
	float ack;              /* 1 = a press just happened, falls to 0; 0 = nothing shown */
	const char *staff_status; /* NULL or "" hides the strip; otherwise shown in it */
	enum staff_severity staff_severity; /* how the strip looks */
	/* Per-case totals of the current event, any order; the carousel shows a case's count
	 * when it is listed here. NULL/0 when no input counts for a case. */
	const struct case_count *case_counts;
	int n_case_counts;
	/* The staff page's address while staff asked to see its QR code; NULL otherwise. */
	const char *qr_url;
};

enum render_status { RENDER_OK = 0, RENDER_ERR_VIDEO, RENDER_ERR_FONT, RENDER_ERR_IO };

/* What the person in front of the screen did, as the app sees it. */
enum render_input { RENDER_INPUT_NONE = 0, RENDER_INPUT_COUNT, /* a key */
		    RENDER_INPUT_COUNT_MOUSE, RENDER_INPUT_COUNT_TOUCH, RENDER_INPUT_QUIT,
		    RENDER_INPUT_REDRAW, RENDER_INPUT_STAFF_QR /* W, with allow_quit's staff keys */ };

struct render;

/*
 * Both opens take the process's font lock (fontlock.h; borrowed until render_close), which
 * every renderer that may draw beside this one on another thread must share: the share card's.
 *
 * Opens a window (full-screen when fullscreen, else width x height; X11 class "tallykiosk").
 * [display] renderer picks who draws: the GPU (a vsynced accelerated renderer) or the CPU
 * into the window's own surface, presenting only what changed; auto takes the software path
 * where OpenGL would be a software rasteriser (render_describe says which and why). On error
 * returns a status and writes a line to err.
 */
enum render_status render_open_window(struct render **out, const struct config *cfg,
				      struct font_lock *lock, int fullscreen, int width, int height,
				      char *err, size_t errlen);

/* A software renderer on a width x height surface: no display needed (screenshots, tests). */
enum render_status render_open_surface(struct render **out, const struct config *cfg,
				       struct font_lock *lock, int width, int height, char *err,
				       size_t errlen);

/*
 * The cases for the carousel (borrowed: must outlive r, or be replaced first). NULL or an
 * empty set, or [display] carousel = false, gives the tally the whole screen.
 */
void render_set_cases(struct render *r, const struct cases *c);

/*
 * Draws v as it looks at now_ms and presents it. The first draw shows the settled screen (the
 * total without counting up, the first case); later totals count up, crossing a milestone
 * celebrates, and the carousel moves on with time. Only what changed since the last frame is
 * drawn; returns 1 if a frame was drawn, 0 if the screen already showed exactly this.
 */
int render_draw(struct render *r, const struct tally_view *v, long long now_ms);

/* The next render_draw draws the whole screen again (tests; a lost picture). */
void render_invalidate(struct render *r);

/* Frames drawn so far, and the pixels the last one painted (benchmarks, tests). */
long long render_frames(const struct render *r);
long long render_damaged_pixels(const struct render *r);

/*
 * The picture of an off-screen surface (render_open_surface), ARGB8888, borrowed until the next
 * draw; NULL for a window. For tests and for pictures made off-screen.
 */
const void *render_pixels(struct render *r, int *width, int *height, int *pitch);

/*
 * Draws a full-screen notice for staff instead of the tally (the kiosk cannot start: title,
 * the error, and a hint at the bottom) and presents it. Not rotated: it is drawn when the
 * configuration that says how to turn the screen could not be read.
 */
void render_draw_notice(struct render *r, const char *title, const char *body, const char *hint);

/*
 * How long after now_ms the screen next changes by itself: 0 while something moves (draw
 * again at the display's pace), else the milliseconds to the next carousel change or pixel
 * shift, -1 if nothing will change until the view does.
 */
long long render_next_frame_ms(struct render *r, long long now_ms);

/*
 * A fd that becomes readable when input may be waiting (the X11 connection), or -1 when the
 * video driver offers none (KMSDRM, offscreen): the loop must then look at input every few
 * milliseconds. Valid once render_next_input has drained the queue.
 */
int render_input_fd(struct render *r);

/* Next pending input (non-blocking); RENDER_INPUT_NONE when there is none. */
enum render_input render_next_input(struct render *r, int keyboard_counts, int allow_quit);

/* One line for the log: the video driver, the renderer and why it was chosen. */
void render_describe(const struct render *r, char *buf, size_t len);

/* Saves the last drawn frame as PNG. */
enum render_status render_save_png(struct render *r, const char *path, char *err, size_t errlen);

/* The last renderer of the process to close ends SDL (SDL_Quit): close the share card
 * (card_close) and stop its thread first. */
void render_close(struct render *r);

#endif
