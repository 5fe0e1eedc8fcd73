/*
 * Geometry of the screen (see layout.h). The screen is read from across a room, so the big
 * number gets most of the height of its area. Everything else is sized from one text unit (the
 * height, or 0.9 x the width of the tally's area on portrait and narrow screens) so that every
 * size from 800x480 to 3840x2160 is the same picture scaled.
 *
 * The tally stack, top to bottom: event name, big number, label (the acknowledgement takes its
 * place for a moment after each press), goal bar, goal text; centred vertically in its area.
 * A full-width staff strip sits on the bottom edge. With the carousel, a landscape screen gives
 * the cards its right 36 % and the tally the rest; a portrait screen puts the card under the
 * tally. The card: a badge (photo or initials) with the name and country beside it, the
 * headline, the story, and at the foot the case's own count and the position dots.
 */
#include "layout.h"

#include <string.h>

/* Beyond this the int arithmetic below could overflow; no real display is that big. */
#define LAYOUT_MAX_SIDE 16384

/* v * permille / 1000, rounded to nearest. */
static int per_mille(int v, int permille)
{
	return (int)(((long long)v * permille + 500) / 1000);
}

/*
 * Height of a text box for a font size: SDL_ttf surfaces are ascent + descent high, 1.164 em
 * for DejaVu Sans, so 1.2 em holds a whole line of most fonts without clipping.
 */
static int line_height(int font_px)
{
	return (font_px * 6 + 4) / 5;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

static struct layout_box text_box(int x, int y, int w, int font_px)
{
	struct layout_box b = { x, y, w, line_height(font_px), font_px };
	return b;
}

/* Lays out the card's contents inside l->carousel, from the text unit. */
static void layout_card(struct tally_layout *l, int unit)
{
	const struct layout_box c = l->carousel;
	int pad = max_int(4, per_mille(min_int(c.w, c.h), 70));
	l->card_pad = pad;
	int x = c.x + pad, w = c.w - 2 * pad;
	int y = c.y + pad, bottom = c.y + c.h - pad;

	/* Body text is sized for reading from a few metres, the headline from across the room. */
	int story_font = max_int(1, per_mille(unit, 36));
	int head_font = max_int(1, per_mille(unit, 44));
	int name_font = max_int(1, per_mille(unit, 40));
	int country_font = max_int(1, per_mille(unit, 30));
	int count_font = max_int(1, per_mille(unit, 32));
	/* A narrow card (a small screen) cannot hold big letters: follow the card's width too. */
	story_font = min_int(story_font, max_int(1, per_mille(w, 66)));
	head_font = min_int(head_font, max_int(1, per_mille(w, 80)));
	name_font = min_int(name_font, max_int(1, per_mille(w, 74)));
	country_font = min_int(country_font, max_int(1, per_mille(w, 56)));
	count_font = min_int(count_font, max_int(1, per_mille(w, 62)));

	int gap = max_int(1, per_mille(unit, 22));
	int name_h = line_height(name_font), country_h = line_height(country_font);
	int badge = max_int(name_h + country_h, per_mille(min_int(w, c.h), 240));
	badge = min_int(badge, w / 3);
	l->badge = (struct layout_box){ x, y, badge, badge, max_int(1, per_mille(badge, 400)) };

	int tx = x + badge + max_int(1, pad / 2 + pad / 4), tw = x + w - tx;
	int ty = y + (badge - name_h - country_h) / 2;
	l->case_name = text_box(tx, ty, tw, name_font);
	l->case_country = text_box(tx, ty + name_h, tw, country_font);
	y += badge + gap;

	l->headline = (struct layout_box){ x, y, w, 2 * line_height(head_font), head_font };
	y += l->headline.h + gap / 2;

	int dots_h = max_int(2, per_mille(unit, 12));
	l->dots = (struct layout_box){ x, bottom - dots_h, w, dots_h, 0 };
	int count_h = line_height(count_font);
	l->case_count = text_box(x, l->dots.y - gap / 2 - count_h, w, count_font);
	int story_bottom = l->case_count.y - gap / 2;
	l->story = (struct layout_box){ x, y, w, max_int(0, story_bottom - y), story_font };
}

/* Stacks the tally in the area x..x+w, top..bottom. Returns 0, or -1 if it does not fit. */
static int layout_tally(struct tally_layout *l, int x, int w, int top, int bottom)
{
	int m = l->margin;
	int cw = w - 2 * m;
	/* On portrait and narrow areas the width limits a line of text, so the unit follows it. */
	int unit = min_int(l->height, per_mille(w, 900));
	int gap_s = max_int(1, per_mille(unit, 12));
	int gap_l = max_int(1, per_mille(unit, 24));

	int event_font = max_int(1, per_mille(unit, 62));
	int event_h = line_height(event_font);
	int label_font = max_int(1, per_mille(unit, 58));
	int label_h = line_height(label_font);
	int goal_font = max_int(1, per_mille(unit, 46));
	int goal_h = line_height(goal_font);
	/* A bar as long as the unit reads as a bar on wide screens, not as a rule line. */
	int bar_h = max_int(1, per_mille(unit, 28));
	int bar_w = min_int(cw, unit);

	/* Everything but the number, top to bottom, with the gaps between. */
	int rest_h = event_h + gap_l + gap_s + label_h + 2 * gap_l + bar_h + gap_s + goal_h;

	/*
	 * The number box is one em high: digits take 0.73 em and the comma hangs 0.13 em below
	 * the baseline, which leaves the renderer room to centre the ink and to "pop" it by 6 %
	 * without touching the neighbours. Its font is capped so that a four-digit total with a
	 * separator ("1,234", 3.16 em in DejaVu Sans Bold, plus the 6 % pop: 3.4 em) still fits
	 * at full size, so a typical event never sees the number jump in size; longer totals are
	 * shrunk by the renderer.
	 */
	int number_px = per_mille(l->height, 520);
	number_px = min_int(number_px, cw * 10 / 34);
	number_px = min_int(number_px, bottom - top - rest_h);
	if (number_px < 4 || cw < 8)
		return -1;

	/* Spare height goes equally above and below the stack rather than opening holes in it. */
	int y = top + (bottom - top - rest_h - number_px) / 2;
	l->event_name = text_box(x + m, y, cw, event_font);
	/*
	 * A long name may take two lines: where the stack leaves room above it, the name's box
	 * reaches up by a line (the renderer puts a one-line name at the box's bottom, where it
	 * always was).
	 */
	if (y - event_h >= top) {
		l->event_name.y -= event_h;
		l->event_name.h += event_h;
	}
	y += event_h + gap_l;

	l->number = (struct layout_box){ x + m, y, cw, number_px, number_px };
	y += number_px + gap_s;

	l->label = text_box(x + m, y, cw, label_font);
	/* Same place as the label on purpose: the renderer swaps one for the other. */
	l->ack = l->label;
	y += label_h + 2 * gap_l;

	l->goal_bar = (struct layout_box){ x + (w - bar_w) / 2, y, bar_w, bar_h, 0 };
	y += bar_h + gap_s;

	l->goal_text = text_box(x + m, y, cw, goal_font);
	l->tally = (struct layout_box){ x, top, w, bottom - top, 0 };
	return 0;
}

int layout_compute(int width, int height, int carousel, struct tally_layout *out)
{
	if (!out || width < 64 || height < 64 || width > LAYOUT_MAX_SIDE ||
	    height > LAYOUT_MAX_SIDE)
		return -1;

	struct tally_layout l;
	memset(&l, 0, sizeof l);
	l.width = width;
	l.height = height;

	int unit = min_int(height, per_mille(width, 900));
	int short_side = min_int(width, height);
	l.margin = max_int(2, per_mille(short_side, 35));
	int m = l.margin;

	/* The strip spans the whole bottom edge so a staff message is impossible to miss. */
	int status_h = max_int(3, per_mille(unit, 56));
	l.status = (struct layout_box){ 0, height - status_h, width, status_h,
					max_int(1, per_mille(status_h, 560)) };
	int top = m;
	int bottom = l.status.y - max_int(1, m / 2);

	/* Below these sizes a card would hold a few words at most: the tally alone is better. */
	int portrait = height > width;
	if (carousel && (portrait ? height >= 480 && width >= 240 : width >= 480 && height >= 240)) {
		if (portrait) {
			int card_h = per_mille(bottom - top, 450);
			l.carousel = (struct layout_box){ m, bottom - card_h, width - 2 * m, card_h, 0 };
			if (layout_tally(&l, 0, width, top, l.carousel.y - m) == 0) {
				layout_card(&l, min_int(height, per_mille(width, 900)));
				*out = l;
				return 0;
			}
		} else {
			int card_w = per_mille(width, 360) - m;
			l.carousel = (struct layout_box){ width - m - card_w, top, card_w, bottom - top, 0 };
			if (layout_tally(&l, 0, l.carousel.x, top, bottom) == 0) {
				layout_card(&l, unit);
				*out = l;
				return 0;
			}
		}
		memset(&l.carousel, 0, sizeof l.carousel);
	}
	if (layout_tally(&l, 0, width, top, bottom) != 0)
		return -1;
	*out = l;
	return 0;
}

int layout_goal_notch(const struct layout_box *bar, long long goal, long long stretch,
		      struct layout_box *out)
{
	if (goal <= 0 || stretch <= goal || bar->w <= 0 || bar->h <= 0)
		return 0;
	int nw = max_int(2, bar->h / 4);
	int gx = bar->x + (int)((double)goal / (double)stretch * bar->w + 0.5);
	int cap = bar->h / 2;
	/* A notch's own width of bar is kept on both sides, so no sliver is left either. */
	if (gx - nw / 2 - nw < bar->x + cap || gx - nw / 2 + 2 * nw > bar->x + bar->w - cap)
		return 0;
	*out = (struct layout_box){ gx - nw / 2, bar->y - bar->h / 3, nw,
				    bar->h + 2 * (bar->h / 3), 0 };
	return 1;
}

void layout_drop_goal(struct tally_layout *l)
{
	if (l->goal_text.h <= 0)
		return;
	/* Centred in the tally's area, which is what layout_tally centred the whole stack in. */
	int above = l->event_name.y + l->event_name.h - line_height(l->event_name.font_px) -
		    l->tally.y;
	int below = l->tally.y + l->tally.h - (l->label.y + l->label.h);
	int dy = (below - above) / 2;
	struct layout_box *stack[] = { &l->event_name, &l->number, &l->label, &l->ack };
	for (size_t i = 0; i < sizeof stack / sizeof stack[0]; i++)
		stack[i]->y += dy;
	memset(&l->goal_bar, 0, sizeof l->goal_bar);
	memset(&l->goal_text, 0, sizeof l->goal_text);
}

int layout_box_inside(const struct layout_box *a, const struct layout_box *b)
{
	if (a->w < 0 || a->h < 0 || b->w < 0 || b->h < 0)
		return 0;
	return a->x >= b->x && a->y >= b->y && (long long)a->x + a->w <= (long long)b->x + b->w &&
	       (long long)a->y + a->h <= (long long)b->y + b->h;
}

int layout_box_overlap(const struct layout_box *a, const struct layout_box *b)
{
	if (a->w <= 0 || a->h <= 0 || b->w <= 0 || b->h <= 0)
		return 0;
	return (long long)a->x < (long long)b->x + b->w && (long long)b->x < (long long)a->x + a->w &&
	       (long long)a->y < (long long)b->y + b->h && (long long)b->y < (long long)a->y + a->h;
}
