/*
 * Geometry of the screen, computed from the output size alone. Pure: no SDL, no fonts,
 * so unit tests can check every supported size. Text boxes carry a target font pixel height;
 * the renderer shrinks a text to fit its box if it is wider, never lets it leave the box.
 */
#ifndef TALLYKIOSK_LAYOUT_H
#define TALLYKIOSK_LAYOUT_H

struct layout_box {
	int x, y, w, h;
	int font_px; /* font size in pixels for text in this box (0 for non-text boxes) */
};

struct tally_layout {
	int width, height;
	int margin;
	struct layout_box event_name;   /* top: the event's name; two lines high where there is
					   room, one-line names sit at its bottom */
	struct layout_box number;       /* centre: the big total */
	struct layout_box label;        /* under the number: "letters written" */
	struct layout_box ack;          /* the acknowledgement ("Thank you!"), over the label */
	struct layout_box goal_bar;     /* progress bar (no text) */
	struct layout_box goal_text;    /* "62 % of 500" under or beside the bar */
	struct layout_box status;       /* bottom strip for staff messages */
	struct layout_box tally;        /* the area of all the above but the strip (confetti) */

	/* The case carousel: empty (w = h = 0) when off or when the screen is too small. */
	struct layout_box carousel;     /* the card */
	int card_pad;                   /* inner margin of the card */
	struct layout_box badge;        /* square: photo or initials (font_px for the letters) */
	struct layout_box case_name;    /* beside the badge */
	struct layout_box case_country; /* under the name */
	struct layout_box headline;     /* wrapped, up to three lines */
	struct layout_box story;        /* wrapped, shrunk to fit */
	struct layout_box case_count;   /* "123 letters for Jani" */
	struct layout_box dots;         /* which case of how many (no text) */
};

/*
 * Computes the layout for a width x height output (both >= 64), with the case carousel when
 * carousel is non-zero and the screen is big enough for it: the right third of a landscape
 * screen, the lower part of a portrait one. Returns 0, or -1 if too small.
 */
int layout_compute(int width, int height, int carousel, struct tally_layout *out);

/*
 * The notch that marks the first goal on a bar measuring a stretch goal: a gap a quarter of
 * the bar's height wide (at least 2 px), a third of its height taller above and below, at
 * goal / stretch of its length. Returns 1 and sets *out, or 0 when there is no notch to draw:
 * no stretch (stretch <= goal), or the notch would cut into one of the bar's rounded ends.
 */
int layout_goal_notch(const struct layout_box *bar, long long goal, long long stretch,
		      struct layout_box *out);

/*
 * Moves the tally's stack (event name, number, label, acknowledgement) down by half the
 * height of the goal bar and its text and empties those two boxes: with no goal the stack
 * stays centred in its area.
 */
void layout_drop_goal(struct tally_layout *l);

/* 1 if a lies wholly inside b. */
int layout_box_inside(const struct layout_box *a, const struct layout_box *b);
/* 1 if a and b share any pixel. */
int layout_box_overlap(const struct layout_box *a, const struct layout_box *b);

#endif
