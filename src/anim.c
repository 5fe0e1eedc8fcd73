/* Pure animation timing: see anim.h. */
#include "anim.h"

static float clamp01(float t)
{
	return t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
}

float anim_ease_out(float t)
{
	float u = 1.0f - clamp01(t);
	return 1.0f - u * u * u;
}

float anim_smooth(float t)
{
	t = clamp01(t);
	return t * t * (3.0f - 2.0f * t);
}

void anim_count_reset(struct anim_count *c, long long value)
{
	c->from = c->to = value;
	c->start_ms = 0;
	c->dur_ms = 0;
}

/* 350 ms for one letter, +250 ms per tenfold, at most 1600 ms. */
static int count_duration(long long delta)
{
	if (delta < 0)
		delta = -delta;
	int ms = 350;
	for (long long d = delta; d >= 10 && ms < 1600; d /= 10)
		ms += 250;
	return ms > 1600 ? 1600 : ms;
}

void anim_count_to(struct anim_count *c, long long target, long long now_ms)
{
	if (target == c->to)
		return;
	long long shown = anim_count_value(c, now_ms);
	c->from = shown;
	c->to = target;
	c->start_ms = now_ms;
	c->dur_ms = count_duration(target - shown);
}

long long anim_count_value(const struct anim_count *c, long long now_ms)
{
	if (c->dur_ms <= 0 || now_ms >= c->start_ms + c->dur_ms)
		return c->to;
	if (now_ms <= c->start_ms)
		return c->from;
	float k = anim_ease_out((float)(now_ms - c->start_ms) / (float)c->dur_ms);
	/* Round towards the start so the final value appears only when the count lands. */
	double v = (double)c->from + (double)(c->to - c->from) * k;
	long long n = (long long)v;
	if (c->to > c->from && n >= c->to)
		n = c->to - 1;
	if (c->to < c->from && n <= c->to)
		n = c->to + 1;
	return n;
}

int anim_count_running(const struct anim_count *c, long long now_ms)
{
	return c->dur_ms > 0 && now_ms < c->start_ms + c->dur_ms;
}

void anim_carousel_at(const struct anim_carousel *c, long long now_ms, struct anim_slide *out)
{
	out->from = out->to = 0;
	out->t = 1.0f;
	if (c->n <= 0 || c->interval_ms <= 0)
		return;
	long long since = now_ms - c->epoch_ms;
	if (since < 0)
		since = 0;
	long long k = since / c->interval_ms;
	long long phase = since - k * c->interval_ms;
	out->to = (int)(k % c->n);
	out->from = out->to;
	if (c->n > 1 && k > 0 && phase < c->fade_ms) {
		out->from = (int)((k - 1) % c->n);
		out->t = (float)phase / (float)c->fade_ms;
	}
}

long long anim_carousel_wait(const struct anim_carousel *c, long long now_ms)
{
	if (c->n <= 1 || c->interval_ms <= 0)
		return -1;
	long long since = now_ms - c->epoch_ms;
	if (since < 0)
		return -since;
	long long phase = since % c->interval_ms;
	if (since >= c->interval_ms && phase < c->fade_ms)
		return 0;
	return c->interval_ms - phase;
}

long long anim_milestone(long long before, long long after, long long every)
{
	if (every <= 0 || after <= before || after < every)
		return 0;
	long long m = after / every * every;
	return m > before ? m : 0;
}

void anim_pixel_shift(long long now_ms, int range, int *dx, int *dy)
{
	if (now_ms < 0)
		now_ms = 0;
	/* Along the snake and back (48 steps), so every move is one cell; step 0 is index 12
	 * of the snake, the centre of the grid. */
	int s = (int)((now_ms / ANIM_SHIFT_STEP_MS + 12) % 48);
	int i = s < 25 ? s : 48 - s;
	int row = i / 5, col = i % 5;
	if (row % 2)
		col = 4 - col;
	*dx = (col - 2) * range / 2;
	*dy = (row - 2) * range / 2;
}

long long anim_pixel_shift_wait(long long now_ms)
{
	if (now_ms < 0)
		return -now_ms;
	return ANIM_SHIFT_STEP_MS - now_ms % ANIM_SHIFT_STEP_MS;
}
