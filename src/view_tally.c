/*
 * The tally (see render_priv.h): the event's name, the big number counting up to each new
 * committed total, the acknowledgement after a press, the milestone celebration, the goal bar
 * (which carries on past 100 % towards a stretch goal) and the staff strip.
 *
 * The number on screen is never ahead of the database: it counts from the old committed total
 * towards the new one and shows the new value only when it lands (anim.c).
 */
#include <limits.h>
#include <stdio.h>

#include "numfmt.h"
#include "render_priv.h"

static void format_goal(char *buf, size_t len, long long total, long long goal,
			long long stretch)
{
	/* Whole percent, rounded down, so the screen never says 100 % before the goal is met. */
	long long pct = 0;
	if (total > 0)
		pct = total <= LLONG_MAX / 100 ? total * 100 / goal : total / goal * 100;
	char p[32], g[32], s[32];
	if (numfmt_thousands(pct, ",", p, sizeof p) < 0 ||
	    numfmt_thousands(goal, ",", g, sizeof g) < 0 ||
	    numfmt_thousands(stretch, ",", s, sizeof s) < 0) {
		snprintf(buf, len, "%lld%% of %lld", pct, goal);
		return;
	}
	if (total > goal)
		snprintf(buf, len, "%s%% of %s \u2014 next goal %s!", p, g, s);
	else if (total == goal)
		snprintf(buf, len, "%s%% of %s \u2014 goal reached!", p, g);
	else
		snprintf(buf, len, "%s%% of %s", p, g);
}

/*
 * Up to the goal the bar measures the goal. Past it the bar measures the next multiple of the
 * goal (the stretch goal) and a notch shows where the first goal was, so the bar keeps moving
 * for a room that has already won.
 */
static void draw_goal(struct render *r, long long shown, long long total, long long goal)
{
	const struct layout_box *bar = &r->layout.goal_bar;
	long long stretch = goal;
	if (total > goal)
		stretch = total / goal < LLONG_MAX / goal - 1 ? (total / goal + 1) * goal : total;
	/* The bar follows the number as it counts; the text follows the committed total, so it
	 * is rasterised once per change rather than on every frame of a count. */
	double frac = shown <= 0 ? 0.0 : (double)shown / (double)stretch;
	if (frac > 1.0)
		frac = 1.0;
	int fill = (int)(frac * bar->w + 0.5);
	if (shown > 0 && fill < 1)
		fill = 1;

	rt_pill_draw(&r->pill, r->renderer, bar->x, bar->y, bar->w, bar->h,
		     rp_mix(r->accent, r->background, 0.22f));
	rt_pill_draw(&r->pill, r->renderer, bar->x, bar->y, fill, bar->h, rp_color(r->accent));
	if (stretch != goal) {
		/* The notch: a gap in the background colour where the first goal was met. */
		int gx = bar->x + (int)((double)goal / (double)stretch * bar->w + 0.5);
		int nw = bar->h / 4 > 2 ? bar->h / 4 : 2;
		SDL_Rect notch = { gx - nw / 2, bar->y - bar->h / 3, nw, bar->h + 2 * (bar->h / 3) };
		SDL_SetRenderDrawColor(r->renderer, r->background.r, r->background.g,
				       r->background.b, 255);
		SDL_RenderFillRect(r->renderer, &notch);
	}

	char text[200];
	format_goal(text, sizeof text, total, goal, stretch);
	struct rt_text *t = &r->slots[SLOT_GOAL];
	rt_text_set(t, r->renderer, text, &r->layout.goal_text);
	/* Reaching the goal is the moment to celebrate: the text takes the accent colour. */
	if (total >= goal)
		rt_text_draw(t, r->renderer, &r->layout.goal_text, rp_color(r->accent), 255);
	else
		rt_text_draw(t, r->renderer, &r->layout.goal_text, rp_color(r->text), 217);
}

void view_status_draw(struct render *r, const char *msg)
{
	const struct layout_box *b = &r->layout.status;
	SDL_Rect strip = { b->x, b->y, b->w, b->h };
	SDL_SetRenderDrawColor(r->renderer, 160, 24, 24, 255);
	SDL_RenderFillRect(r->renderer, &strip);
	struct rt_text *t = &r->slots[SLOT_STATUS];
	/* Inset so the message never touches the screen's edges, which TVs often overscan. */
	struct layout_box inner = *b;
	inner.x += r->layout.margin;
	inner.w -= 2 * r->layout.margin;
	rt_text_set(t, r->renderer, msg, &inner);
	SDL_Color white = { 255, 255, 255, 255 };
	rt_text_draw(t, r->renderer, &inner, white, 255);
}

/* A small integer hash: confetti must look random yet be the same in every golden image. */
static unsigned hash(unsigned x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* Confetti falling through the tally's area for the celebration's age (0..1). */
static void draw_confetti(struct render *r, float age)
{
	const struct layout_box *a = &r->layout.tally;
	int unit = a->h / 60 > 2 ? a->h / 60 : 2;
	SDL_Color palette[4] = { rp_color(r->accent), rp_color(r->text), rp_color(r->number),
				 rp_mix(r->accent, r->text, 0.5f) };
	float fade = age < 0.75f ? 1.0f : (1.0f - age) / 0.25f;
	for (unsigned i = 0; i < 90; i++) {
		unsigned h = hash(i * 2654435761U + (unsigned)r->milestone);
		float x0 = (float)(h % 1000) / 1000.0f;
		float speed = 0.7f + (float)((h >> 10) % 100) / 150.0f;
		float delay = (float)((h >> 17) % 100) / 400.0f;
		float t = age - delay;
		if (t <= 0.0f)
			continue;
		float y = -0.05f + t * speed * 1.3f;
		if (y > 1.0f)
			continue;
		/* Sway and tumble: the width changes as a flake turns. */
		float sway = 0.02f * SDL_sinf(t * 9.0f + (float)(h % 7));
		int w = (int)(unit * (0.4f + 0.6f * SDL_fabsf(SDL_cosf(t * 7.0f + (float)(h % 11)))));
		SDL_Color c = palette[(h >> 24) % 4];
		SDL_SetRenderDrawColor(r->renderer, c.r, c.g, c.b, rp_alpha(fade));
		SDL_Rect flake = { a->x + (int)((x0 + sway) * a->w), a->y + (int)(y * a->h),
				   w > 1 ? w : 1, unit * 3 / 2 };
		SDL_RenderFillRect(r->renderer, &flake);
	}
}

int view_tally_animating(const struct render *r, long long now_ms)
{
	if (r->count_init && anim_count_running(&r->count, now_ms))
		return 1;
	return r->milestone > 0 && now_ms - r->milestone_at < CELEBRATE_MS &&
	       now_ms >= r->milestone_at;
}

/* Follows the committed total: counts up to it and notices milestones on the way. */
static void follow_total(struct render *r, long long total, long long now_ms)
{
	if (!r->count_init) {
		anim_count_reset(&r->count, total);
		r->count_init = 1;
		return;
	}
	if (total == r->count.to)
		return;
	long long m = anim_milestone(r->count.to, total, r->milestone_every);
	if (m > 0) {
		r->milestone = m;
		r->milestone_at = now_ms;
	}
	anim_count_to(&r->count, total, now_ms);
}

void view_tally_draw(struct render *r, const struct tally_view *v, long long now_ms)
{
	SDL_Renderer *ren = r->renderer;
	const struct tally_layout *l = &r->layout;
	long long total = v->total;
	if (total >= 0 && r->goal_offset > 0 && total <= LLONG_MAX - r->goal_offset)
		total += r->goal_offset;
	follow_total(r, total, now_ms);

	/* A milestone takes the event name's place, in the accent colour, for a moment. */
	rt_text_set(&r->slots[SLOT_EVENT], ren, v->event_name, &l->event_name);
	if (view_tally_animating(r, now_ms) && r->milestone > 0 && now_ms >= r->milestone_at &&
	    now_ms - r->milestone_at < CELEBRATE_MS) {
		float cel = (float)(now_ms - r->milestone_at) / CELEBRATE_MS;
		/* Behind every text: confetti must never hide the number or the news. */
		draw_confetti(r, cel);
		char num[32], text[96];
		if (numfmt_thousands(r->milestone, ",", num, sizeof num) < 0)
			snprintf(num, sizeof num, "%lld", r->milestone);
		snprintf(text, sizeof text, "%s %s!", num, v->label ? v->label : "");
		struct rt_text *t = &r->slots[SLOT_MILESTONE];
		rt_text_set(t, ren, text, &l->event_name);
		float a = cel < 0.85f ? 1.0f : (1.0f - cel) / 0.15f;
		rt_text_draw(t, ren, &l->event_name, rp_color(r->accent), rp_alpha(a));
		rt_text_draw(&r->slots[SLOT_EVENT], ren, &l->event_name, rp_color(r->text),
			     rp_alpha(1.0f - a));
	} else {
		rt_text_draw(&r->slots[SLOT_EVENT], ren, &l->event_name, rp_color(r->text), 255);
	}

	float ack = v->ack < 0.0f ? 0.0f : v->ack > 1.0f ? 1.0f : v->ack;
	char digits[48];
	if (numfmt_thousands(anim_count_value(&r->count, now_ms), ",", digits, sizeof digits) >= 0)
		rt_number_draw(&r->num, ren, digits, &l->number, 1.0f + RT_NUMBER_POP * ack,
			       rp_color(r->number));

	/*
	 * The acknowledgement takes the label's place: it holds while ack is high, fades out,
	 * and only then does the label fade back in. Two texts crossfading in one spot are a
	 * smudge that nobody can read.
	 */
	int has_ack = v->thank_you && *v->thank_you && ack > 0.0f;
	float ack_a = has_ack ? (ack - 0.4f) / 0.3f : 0.0f;
	float label_a = has_ack ? (0.3f - ack) / 0.3f : 1.0f;
	rt_text_set(&r->slots[SLOT_LABEL], ren, v->label, &l->label);
	rt_text_draw(&r->slots[SLOT_LABEL], ren, &l->label, rp_color(r->text),
		     rp_alpha(0.85f * label_a));
	if (ack_a > 0.0f) {
		rt_text_set(&r->slots[SLOT_ACK], ren, v->thank_you, &l->ack);
		rt_text_draw(&r->slots[SLOT_ACK], ren, &l->ack, rp_color(r->accent),
			     rp_alpha(ack_a));
	}

	if (v->goal > 0)
		draw_goal(r, anim_count_value(&r->count, now_ms), total, v->goal);
}
