/*
 * Geometry of the tally screen (see layout.h). The screen is read from across a room, so the
 * big number gets most of the height: its font is about half the screen height, which puts the
 * digits of DejaVu Sans Bold (0.73 em high) at roughly 37 % of the height on a 16:9 TV.
 * Everything else is sized from one text unit (the height, or 0.9 x the width on portrait and
 * narrow screens) so that every size from 800x480 to 3840x2160 is the same picture scaled.
 *
 * Top to bottom: event name, big number, label (the acknowledgement takes its place for a
 * moment after each press), goal bar, goal text; this stack is centred vertically, and a
 * full-width staff strip sits on the bottom edge. The carousel box is empty for now and the
 * tally is centred on the whole screen. When the case carousel arrives it will take roughly
 * the right third of landscape screens wider than 16:10 (and the lower part of portrait ones)
 * and the tally stack will be laid out in what is left.
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

int layout_compute(int width, int height, struct tally_layout *out)
{
	if (!out || width < 64 || height < 64 || width > LAYOUT_MAX_SIDE ||
	    height > LAYOUT_MAX_SIDE)
		return -1;

	struct tally_layout l;
	memset(&l, 0, sizeof l);
	l.width = width;
	l.height = height;

	/*
	 * On portrait and narrow screens the width limits how long a line of text can be, so
	 * the text unit follows the width there instead of the height.
	 */
	int unit = min_int(height, per_mille(width, 900));
	int short_side = min_int(width, height);
	l.margin = max_int(2, per_mille(short_side, 35));
	int m = l.margin;
	int cw = width - 2 * m;
	int gap_s = max_int(1, per_mille(unit, 12));
	int gap_l = max_int(1, per_mille(unit, 24));

	/* The strip spans the whole bottom edge so a staff message is impossible to miss. */
	int status_h = max_int(3, per_mille(unit, 56));
	l.status.x = 0;
	l.status.y = height - status_h;
	l.status.w = width;
	l.status.h = status_h;
	l.status.font_px = max_int(1, per_mille(status_h, 560));

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
	int top = m;
	int bottom = l.status.y - max_int(1, m / 2);

	/*
	 * The number box is one em high: digits take 0.73 em and the comma hangs 0.13 em below
	 * the baseline, which leaves the renderer room to centre the ink and to "pop" it by 6 %
	 * without touching the neighbours. Its font is capped so that a four-digit total with a
	 * separator ("1,234", 3.16 em in DejaVu Sans Bold, plus the 6 % pop: 3.4 em) still fits
	 * at full size, so a typical event never sees the number jump in size; longer totals are
	 * shrunk by the renderer.
	 */
	int number_px = per_mille(height, 520);
	number_px = min_int(number_px, cw * 10 / 34);
	number_px = min_int(number_px, bottom - top - rest_h);
	if (number_px < 4 || cw < 8)
		return -1;

	/*
	 * On a TV the number fills the height and the stack spans the screen. On portrait and
	 * 4:3 screens the width caps the number; the spare height then goes equally above and
	 * below the stack rather than opening holes inside it.
	 */
	int y = top + (bottom - top - rest_h - number_px) / 2;
	l.event_name = text_box(m, y, cw, event_font);
	y += event_h + gap_l;

	l.number.x = m;
	l.number.y = y;
	l.number.w = cw;
	l.number.h = number_px;
	l.number.font_px = number_px;
	y += number_px + gap_s;

	l.label = text_box(m, y, cw, label_font);
	/* Same place as the label on purpose: the renderer swaps one for the other. */
	l.ack = l.label;
	y += label_h + 2 * gap_l;

	l.goal_bar.x = (width - bar_w) / 2;
	l.goal_bar.y = y;
	l.goal_bar.w = bar_w;
	l.goal_bar.h = bar_h;
	y += bar_h + gap_s;

	l.goal_text = text_box(m, y, cw, goal_font);

	/* Reserved for the case carousel; empty until it exists (see the top of this file). */
	l.carousel.x = 0;
	l.carousel.y = 0;
	l.carousel.w = 0;
	l.carousel.h = 0;

	*out = l;
	return 0;
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
