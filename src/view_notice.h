/*
 * A full-screen notice for staff, drawn instead of the tally when the kiosk cannot start
 * (a configuration or cases file it cannot use): a title, the error as the log has it
 * (file, line, what to fix) and what happens next. A black TV tells staff nothing.
 */
#ifndef TALLYKIOSK_VIEW_NOTICE_H
#define TALLYKIOSK_VIEW_NOTICE_H

#include "draw.h"
#include "render_text.h"

struct view_notice {
	struct rt_text title, body, hint;
};

/* Opens the notice's fonts (font_path: the bold face). Returns 0 or -1 (TTF_GetError()). */
int view_notice_open(struct view_notice *n, struct font_cache *fonts,
		     const char *font_path);
/* Draws the notice over the whole w x h picture; hint is the small line at the bottom. */
void view_notice_draw(struct view_notice *n, const struct draw_ctx *dc, int w, int h,
		      const char *title, const char *body, const char *hint);
void view_notice_close(struct view_notice *n);

#endif
