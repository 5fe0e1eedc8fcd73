/*
 * The parts of the screen that changed since the last frame, as a few disjoint rectangles.
 * Pure (no SDL): the renderer adds the box of every layer whose look changed, redraws only
 * inside the result and presents only those rectangles. Overlapping rectangles are merged
 * into their bounding box, so a pixel is never drawn twice in one frame.
 */
#ifndef TALLYKIOSK_DAMAGE_H
#define TALLYKIOSK_DAMAGE_H

#define DAMAGE_MAX 8

struct damage_rect {
	int x, y, w, h;
};

struct damage {
	int width, height;      /* the picture: rectangles are clipped to it */
	int n;
	struct damage_rect r[DAMAGE_MAX];
};

/* Nothing damaged on a width x height picture. */
void damage_reset(struct damage *d, int width, int height);
/* Adds x,y w x h (clipped to the picture; an empty rectangle adds nothing). */
void damage_add(struct damage *d, int x, int y, int w, int h);
/* The whole picture. */
void damage_all(struct damage *d);
int damage_empty(const struct damage *d);
/* Damaged pixels (the rectangles are disjoint). */
long long damage_area(const struct damage *d);

#endif
