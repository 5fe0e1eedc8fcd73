/*
 * The screen: window or off-screen surface, fonts, and drawing of the tally view.
 * Only render.c (and fontfind.c for fontconfig) include SDL headers. Text is rasterised when it
 * changes, never per frame; the digits of the big number come from a cache.
 */
#ifndef TALLYKIOSK_RENDER_H
#define TALLYKIOSK_RENDER_H

#include <stddef.h>

#include "config.h"

/* What the screen shows: a plain value the app fills each frame. Strings are borrowed. */
struct tally_view {
	const char *event_name;
	long long total;        /* committed total: the only number ever drawn */
	long long goal;         /* 0 = no goal bar */
	const char *label;      /* "letters written" */
	const char *thank_you;  /* acknowledgement text */
	float ack;              /* 1 = a press just happened, falls to 0; 0 = nothing shown */
	const char *staff_status; /* NULL or "" when all is well; otherwise shown in the strip */
};

enum render_status { RENDER_OK = 0, RENDER_ERR_VIDEO, RENDER_ERR_FONT, RENDER_ERR_IO };

/* What the person in front of the screen did, as the app sees it. */
enum render_input { RENDER_INPUT_NONE = 0, RENDER_INPUT_COUNT, RENDER_INPUT_QUIT,
		    RENDER_INPUT_REDRAW };

struct render;

/*
 * Opens a window (full-screen when fullscreen, else width x height; X11 class "tallykiosk")
 * with a vsynced renderer. On error returns a status and writes a line to err.
 */
enum render_status render_open_window(struct render **out, const struct config *cfg,
				      int fullscreen, int width, int height, char *err,
				      size_t errlen);

/* A software renderer on a width x height surface: no display needed (screenshots, tests). */
enum render_status render_open_surface(struct render **out, const struct config *cfg, int width,
				       int height, char *err, size_t errlen);

/* Draws v and presents it. */
void render_draw(struct render *r, const struct tally_view *v);

/* Next pending input (non-blocking); RENDER_INPUT_NONE when there is none. */
enum render_input render_next_input(struct render *r, int keyboard_counts, int allow_quit);

/* Saves the last drawn frame as PNG. */
enum render_status render_save_png(struct render *r, const char *path, char *err, size_t errlen);

void render_close(struct render *r);

#endif
