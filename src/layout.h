/*
 * Geometry of the tally screen, computed from the output size alone. Pure: no SDL, no fonts,
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
	struct layout_box event_name;   /* top: the event's name */
	struct layout_box number;       /* centre: the big total */
	struct layout_box label;        /* under the number: "letters written" */
	struct layout_box ack;          /* the acknowledgement ("Thank you!"), over the label */
	struct layout_box goal_bar;     /* progress bar (no text) */
	struct layout_box goal_text;    /* "62 % of 500" under or beside the bar */
	struct layout_box status;       /* bottom strip for staff messages */
	struct layout_box carousel;     /* reserved for the case carousel (later); may be empty */
};

/* Computes the layout for a width x height output (both >= 64). Returns 0, or -1 if too small. */
int layout_compute(int width, int height, struct tally_layout *out);

/* 1 if a lies wholly inside b. */
int layout_box_inside(const struct layout_box *a, const struct layout_box *b);
/* 1 if a and b share any pixel. */
int layout_box_overlap(const struct layout_box *a, const struct layout_box *b);

#endif
