/*
 * Time on screen, as pure functions of an injected clock (milliseconds, any epoch): easing,
 * the count-up of the big number, the carousel's schedule, milestones and the slow pixel shift
 * against burn-in. No SDL and no clock reads, so tests and golden images can stop time
 * anywhere; the renderer asks these functions what to draw and when it next has to draw.
 */
#ifndef TALLYKIOSK_ANIM_H
#define TALLYKIOSK_ANIM_H

/* Cubic ease-out of t in 0..1 (clamped): fast start, gentle landing. */
float anim_ease_out(float t);
/* Smoothstep of t in 0..1 (clamped): for crossfades, which should neither jump nor crawl. */
float anim_smooth(float t);

/* The big number counting up (or down) to a new total. */
struct anim_count {
	long long from, to;
	long long start_ms;
	int dur_ms;           /* 0: settled at to */
};

/* Jumps to value with no animation (the first frame, a new event). */
void anim_count_reset(struct anim_count *c, long long value);
/*
 * Aims at target from whatever is shown at now_ms. A step of one letter takes about a third
 * of a second; a stack added by staff takes longer (up to 1.6 s) so the room sees it climb.
 */
void anim_count_to(struct anim_count *c, long long target, long long now_ms);
/* The value to show at now_ms. */
long long anim_count_value(const struct anim_count *c, long long now_ms);
/* 1 while the number still moves at now_ms. */
int anim_count_running(const struct anim_count *c, long long now_ms);

/* The carousel: n slides, each shown for interval_ms, the change taking fade_ms. */
struct anim_carousel {
	int n;
	int interval_ms;
	int fade_ms;
	long long epoch_ms;   /* when slide 0 appeared (without a transition) */
};

struct anim_slide {
	int from, to;         /* slide indices; equal when settled */
	float t;              /* 0..1 of the transition from -> to (1 when settled) */
};

void anim_carousel_at(const struct anim_carousel *c, long long now_ms, struct anim_slide *out);
/* Milliseconds until the carousel next needs a frame: 0 during a transition, -1 if never. */
long long anim_carousel_wait(const struct anim_carousel *c, long long now_ms);

/*
 * The largest multiple of every in (before, after], or 0 if the count crossed none (or every
 * is 0, or the count went down).
 */
long long anim_milestone(long long before, long long after, long long every);

/*
 * The pixel shift at now_ms: every minute the whole picture moves to the next of 25 positions
 * on a 5 x 5 grid spanning -range..range (snake order and back, so each step is one grid
 * cell). It starts at the centre (0, 0) at time 0.
 */
void anim_pixel_shift(long long now_ms, int range, int *dx, int *dy);
/* Milliseconds until the pixel shift moves next. */
long long anim_pixel_shift_wait(long long now_ms);

#define ANIM_SHIFT_STEP_MS 60000

#endif
