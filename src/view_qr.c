/* See view_qr.h. */
#include "view_qr.h"

#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#define QUIET 4 /* modules of white around the code, as the standard asks */

int view_qr_open(struct view_qr *q, struct font_cache *fonts, const char *font_path)
{
	memset(q, 0, sizeof *q);
	if (rt_text_open(&q->title, fonts, font_path) || rt_text_open(&q->url, fonts, font_path) ||
	    rt_text_open(&q->hint, fonts, font_path))
		return -1;
	return 0;
}

void view_qr_drop(struct view_qr *q)
{
	rt_text_drop(&q->title);
	rt_text_drop(&q->url);
	rt_text_drop(&q->hint);
	if (q->code)
		SDL_DestroyTexture(q->code);
	q->code = NULL;
	q->encoded[0] = '\0';
}

void view_qr_update(struct view_qr *q, const char *url, struct damage *d)
{
	if (!url)
		url = "";
	if (strcmp(url, q->shown) == 0)
		return;
	snprintf(q->shown, sizeof q->shown, "%s", url);
	damage_all(d);
}

void view_qr_close(struct view_qr *q)
{
	view_qr_drop(q);
	rt_text_close(&q->title);
	rt_text_close(&q->url);
	rt_text_close(&q->hint);
}

/* The number of modules across the code of url, quiet zone included; 0 if it cannot be made. */
static int modules_of(const char *url)
{
	QRcode *c = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int n = c ? c->width + 2 * QUIET : 0;
	QRcode_free(c);
	return n;
}

/*
 * Makes the code's texture for url at scale pixels per module (once per address and size).
 * Drawn at its final size, so it is copied 1:1: a scaled copy clipped to a damaged rectangle
 * samples differently from a whole one, and the code must look the same either way.
 */
static int make_code(struct view_qr *q, SDL_Renderer *ren, const char *url, int scale)
{
	if (q->code && strcmp(q->encoded, url) == 0 && q->code_px == q->modules * scale)
		return 0;
	view_qr_drop(q);
	QRcode *c = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!c)
		return -1;
	int n = c->width + 2 * QUIET;
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, n * scale, n * scale, 32,
							SDL_PIXELFORMAT_ARGB8888);
	if (s) {
		SDL_FillRect(s, NULL, SDL_MapRGB(s->format, 255, 255, 255));
		Uint32 black = SDL_MapRGB(s->format, 0, 0, 0);
		for (int y = 0; y < c->width; y++)
			for (int x = 0; x < c->width; x++)
				if (c->data[y * c->width + x] & 1) {
					SDL_Rect px = { (x + QUIET) * scale, (y + QUIET) * scale, scale,
							scale };
					SDL_FillRect(s, &px, black);
				}
		q->code = SDL_CreateTextureFromSurface(ren, s);
		SDL_FreeSurface(s);
	}
	QRcode_free(c);
	if (!q->code)
		return -1;
	q->modules = n;
	q->code_px = n * scale;
	snprintf(q->encoded, sizeof q->encoded, "%s", url);
	return 0;
}

void view_qr_draw(struct view_qr *q, const struct draw_ctx *dc, int w, int h)
{
	const char *url = q->shown;
	int modules = *url ? modules_of(url) : 0;
	if (!modules)
		return;
	SDL_Renderer *ren = dc->ren;
	/* Dim the tally behind, so the panel is clearly a staff matter. */
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ren, 0, 0, 0, 200);
	SDL_Rect all = { 0, 0, w, h };
	SDL_RenderFillRect(ren, &all);

	int landscape = w >= h;
	int margin = (w < h ? w : h) / 20;
	/* The code: as large as fits a 60 % square, in whole pixels per module. */
	int room = (int)((landscape ? h : w) * 0.62);
	int scale = room / modules;
	if (scale < 1)
		scale = 1;
	if (make_code(q, ren, url, scale))
		return;
	int side = q->code_px;
	/* The panel keeps clear of the screen's edges, which TVs often overscan. */
	int text_w = landscape ? w - side - 5 * margin : w - 4 * margin;
	if (landscape && text_w > side * 3 / 2)
		text_w = side * 3 / 2;
	int panel_w = landscape ? side + text_w + 3 * margin : w - 2 * margin;
	int text_h = (landscape ? side : h / 4);
	int panel_h = landscape ? side + 2 * margin : side + text_h + 3 * margin;
	SDL_Rect panel = { (w - panel_w) / 2, (h - panel_h) / 2, panel_w, panel_h };
	SDL_SetRenderDrawColor(ren, 255, 255, 255, 255);
	SDL_RenderFillRect(ren, &panel);
	SDL_Rect code = { panel.x + margin, panel.y + margin, side, side };
	if (!landscape)
		code.x = panel.x + (panel.w - side) / 2;
	SDL_RenderCopy(ren, q->code, NULL, &code);

	int tx = landscape ? code.x + side + margin : panel.x + margin;
	int ty = landscape ? panel.y + margin : code.y + side + margin;
	int line = text_h / 5;
	struct layout_box title = { tx, ty, text_w, line, line * 3 / 4 };
	struct layout_box addr = { tx, ty + line * 3 / 2, text_w, line, line * 3 / 5 };
	struct layout_box hint = { tx, ty + line * 3, text_w, line * 2, line / 2 };
	SDL_Color ink = { 0, 0, 0, 255 }, dim = { 60, 60, 60, 255 };
	rt_text_set(&q->title, ren, "Staff page", &title);
	rt_text_draw_left(&q->title, ren, &title, ink, 255, 0, 0);
	rt_text_set(&q->url, ren, url, &addr);
	rt_text_draw_left(&q->url, ren, &addr, ink, 255, 0, 0);
	rt_text_align(&q->hint, 1);
	rt_text_set_wrapped(&q->hint, ren, "Scan with a phone on this network and sign in with "
					   "the staff PIN.", &hint, line / 3);
	rt_text_draw_left(&q->hint, ren, &hint, dim, 255, 1, 0);
}
