/* See view_notice.h. */
#include "view_notice.h"

int view_notice_open(struct view_notice *n, struct font_cache *fonts,
		     const char *font_path)
{
	if (rt_text_open(&n->title, fonts, font_path) || rt_text_open(&n->body, fonts, font_path) ||
	    rt_text_open(&n->hint, fonts, font_path)) {
		view_notice_close(n);
		return -1;
	}
	return 0;
}

void view_notice_draw(struct view_notice *n, const struct draw_ctx *dc, int w, int h,
		      const char *title, const char *body, const char *hint)
{
	/* Sized from the shorter side, so a portrait TV and an 800x480 panel both read it. */
	int unit = (w < h ? w : h) / 20, margin = w / 16;
	SDL_Rect band = { 0, 0, w, unit * 4 };
	SDL_SetRenderDrawColor(dc->ren, 0xb0, 0x1e, 0x1e, 255); /* the staff strip's red */
	SDL_RenderFillRect(dc->ren, &band);
	struct layout_box tb = { margin, unit, w - 2 * margin, unit * 2, unit * 3 / 2 };
	struct layout_box bb = { margin, unit * 5, w - 2 * margin, h - unit * 8, unit };
	struct layout_box hb = { margin, h - unit * 2 - unit / 2, w - 2 * margin, unit * 2,
				 unit * 2 / 3 };
	SDL_Color white = { 255, 255, 255, 255 };
	rt_text_set(&n->title, dc->ren, title, &tb);
	rt_text_draw_left(&n->title, dc->ren, &tb, white, 255, 0, 0);
	/* Not below 12 px: an error too long for the screen is cut, and the log has it whole. */
	rt_text_align(&n->body, 1);
	rt_text_set_wrapped(&n->body, dc->ren, body, &bb, 12);
	rt_text_draw_left(&n->body, dc->ren, &bb, rp_color(dc->text), 255, 1, 0);
	rt_text_align(&n->hint, 1);
	rt_text_set_wrapped(&n->hint, dc->ren, hint, &hb, 10);
	rt_text_draw_left(&n->hint, dc->ren, &hb, rp_mix(dc->text, dc->background, 0.7f), 255, 1,
			  0);
}

void view_notice_close(struct view_notice *n)
{
	rt_text_close(&n->title);
	rt_text_close(&n->body);
	rt_text_close(&n->hint);
}
