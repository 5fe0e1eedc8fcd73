/*
 * The share card: a picture of an event's tally to post (1080x1080, or 1200x630 for link
 * previews), drawn off-screen by the kiosk's own text and bar code with the organiser's fonts
 * and colours: the event's name and date, the total, the label, the goal, and the letters per
 * case as bars with the cases' names.
 *
 * A card renderer owns its fonts (its own font cache and fontconfig configuration), surface and
 * software renderer, so one thread may draw cards while another draws the screen. The two
 * share SDL_ttf's one FreeType library, so they share the process's font lock (fontlock.h),
 * held while either opens or closes a font file. card_render may run on any one thread.
 */
#ifndef TALLYKIOSK_VIEW_CARD_H
#define TALLYKIOSK_VIEW_CARD_H

#include <stddef.h>

#include "cases.h"
#include "config.h"
#include "fontlock.h"
#include "store.h"

#define CARD_SQUARE_W 1080
#define CARD_SQUARE_H 1080
#define CARD_WIDE_W 1200
#define CARD_WIDE_H 630
#define CARD_MAX_BARS 6

/* What a card shows: one event (from the status or event JSON the store writes). */
struct card_data {
	char event[STORE_NAME_MAX];
	char date[48];                 /* "10 December 2026" */
	long long total, goal;
	int n_cases;
	struct {
		char name[CASES_TEXT_MAX / 4];
		long long letters;
	} cases[CARD_MAX_BARS];        /* the cases with most letters, most first */
};

/*
 * Reads the event JSON (store_event_json / store_status_json) into d, naming each case as the
 * cases file does (its id when the file does not know it). Returns 0, or -1 if it is not an
 * event.
 */
int card_data_from_json(const char *json, const struct cases *cases, struct card_data *d);

struct card;

/* Opens the fonts of cfg, with the screen's font lock (borrowed until card_close; NULL when no
 * screen draws beside the cards). TTF_Init is counted, so this works with or without a screen. */
int card_open(struct card **out, const struct config *cfg, struct font_lock *lock, char *err,
	      size_t errlen);

/* Draws d (wide: 1200x630, else 1080x1080) and encodes it as PNG into *png (malloc'd). */
int card_render(struct card *c, const struct card_data *d, int wide, unsigned char **png,
		size_t *len, char *err, size_t errlen);

void card_close(struct card *c);

#endif
