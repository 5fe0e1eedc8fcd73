/*
 * The staff page's QR code, shown over the tally only when staff ask for it (a short press of
 * the staff button, `tallyctl web --qr`, or W when allow_quit is on) and only for a minute:
 * visitors never see it otherwise. It encodes the page's address (libqrencode) and shows the
 * address as text beside it; never the PIN.
 */
#ifndef TALLYKIOSK_VIEW_QR_H
#define TALLYKIOSK_VIEW_QR_H

#include "damage.h"
#include "draw.h"
#include "render_text.h"

#define VIEW_QR_URL_MAX 300

struct view_qr {
	struct rt_text title, url, hint;
	SDL_Texture *code;              /* the code at its size on screen, quiet zone included */
	int code_px;                    /* its width and height */
	int modules;                    /* modules across it */
	char encoded[VIEW_QR_URL_MAX];  /* what code encodes */
	char shown[VIEW_QR_URL_MAX];    /* the address on screen now; "" = the panel is hidden */
};

int view_qr_open(struct view_qr *q, struct font_cache *fonts, const char *font_path);
/* The frame shows the panel for url (NULL or "": none): the whole picture is damaged when
 * that changes, since the panel dims everything behind it. */
void view_qr_update(struct view_qr *q, const char *url, struct damage *d);
/* Paints the panel over the picture (w x h), if one is shown. */
void view_qr_draw(struct view_qr *q, const struct draw_ctx *dc, int w, int h);
void view_qr_drop(struct view_qr *q);
void view_qr_close(struct view_qr *q);

#endif
