/*
 * The tally (see view_tally.h): the event's name, the big number counting up to each new
 * committed total, the acknowledgement after a press, the milestone celebration, the goal bar
 * (which carries on past 100 % towards a stretch goal) and the staff strip.
 *
 * The number on screen is never ahead of the database: it counts from the old committed total
 * towards the new one and shows the new value only when it lands (anim.c).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "view_tally.h"

#include "numfmt.h"
#include "wording.h"

/*
 * Up to the goal the bar measures the goal. Past it the bar measures a round stretch goal
 * (wording.c) and a notch shows where the first goal was, so the bar keeps moving for a room
 * that has already won. The notch is left out where it would bite into a rounded end.
 */
static void add_box(struct damage *d, const struct layout_box *b)
{
	damage_add(d, b->x, b->y, b->w, b->h);
}

/* How many of the bar's w pixels are filled, measuring the stretch goal. */
static int goal_bar_fill(long long shown, long long stretch, int w)
{
	/* The bar follows the number as it counts; the text follows the committed total, so it
	 * is rasterised once per change rather than on every frame of a count. */
	double frac = shown <= 0 ? 0.0 : (double)shown / (double)stretch;
	if (frac > 1.0)
		frac = 1.0;
	int fill = (int)(frac * w + 0.5);
	if (shown > 0 && fill < 1)
		fill = 1;
	return fill;
}

static void draw_goal(struct view_tally *t, const struct draw_ctx *dc,
		      const struct tally_layout *l, long long shown, long long total,
		      long long goal)
{
	const struct layout_box *bar = &l->goal_bar;
	long long stretch = wording_stretch_goal(total, goal);
	int fill = goal_bar_fill(shown, stretch, bar->w);

	rt_pill_draw(&t->pill, dc->ren, bar->x, bar->y, bar->w, bar->h,
		     rp_mix(dc->accent, dc->background, 0.22f));
	rt_pill_draw(&t->pill, dc->ren, bar->x, bar->y, fill, bar->h, rp_color(dc->accent));
	struct layout_box nb;
	if (layout_goal_notch(bar, goal, stretch, &nb)) {
		/* The notch: a gap in the background colour where the first goal was met. */
		SDL_Rect notch = { nb.x, nb.y, nb.w, nb.h };
		SDL_SetRenderDrawColor(dc->ren, dc->background.r, dc->background.g,
				       dc->background.b, 255);
		SDL_RenderFillRect(dc->ren, &notch);
	}

	char text[200];
	if (wording_goal_line(text, sizeof text, total, goal) < 0)
		text[0] = '\0';
	struct rt_text *gt = &t->text[TALLY_GOAL];
	rt_text_set(gt, dc->ren, text, &l->goal_text);
	/* Reaching the goal is the moment to celebrate: the text takes the accent colour. */
	if (total >= goal)
		rt_text_draw(gt, dc->ren, &l->goal_text, rp_color(dc->accent), 255);
	else
		rt_text_draw(gt, dc->ren, &l->goal_text, rp_color(dc->text), 217);
}

int view_status_open(struct view_status *s, struct font_cache *fonts, const char *font_path)
{
	return rt_text_open(&s->text, fonts, font_path);
}

void view_status_drop(struct view_status *s)
{
	rt_text_drop(&s->text);
}

void view_status_close(struct view_status *s)
{
	rt_text_close(&s->text);
}

void view_status_update(struct view_status *s, const struct draw_ctx *dc, const char *msg,
			enum staff_severity severity, struct damage *d)
{
	s->msg = msg && *msg ? msg : NULL;
	s->severity = severity;
	unsigned long long look = 0;
	if (s->msg) {
		look = draw_hash(DRAW_HASH_SEED, &severity, sizeof severity);
		look = draw_hash_str(look, s->msg);
	}
	if (!s->framed || look != s->look)
		add_box(d, &dc->layout->status);
	s->look = look;
	s->framed = 1;
}

void view_status_forget(struct view_status *s)
{
	s->framed = 0;
}

void view_status_draw(struct view_status *s, const struct draw_ctx *dc)
{
	const char *msg = s->msg;
	if (!msg)
		return;
	const struct layout_box *b = &dc->layout->status;
	SDL_Rect strip = { b->x, b->y, b->w, b->h };
	/* A problem is red whatever the organiser's colours; information is a quiet band of
	 * their own palette, readable by staff close by, not an alarm across the room. */
	SDL_Color fill = { 160, 24, 24, 255 }, ink = { 255, 255, 255, 255 };
	if (s->severity == STAFF_INFO) {
		fill = rp_mix(dc->text, dc->background, 0.12f);
		ink = rp_mix(dc->text, dc->background, 0.72f);
	}
	SDL_SetRenderDrawColor(dc->ren, fill.r, fill.g, fill.b, 255);
	SDL_RenderFillRect(dc->ren, &strip);
	/* Inset so the message never touches the screen's edges, which TVs often overscan. */
	struct layout_box inner = *b;
	inner.x += dc->layout->margin;
	inner.w -= 2 * dc->layout->margin;
	rt_text_set(&s->text, dc->ren, msg, &inner);
	rt_text_draw(&s->text, dc->ren, &inner, ink, 255);
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

/*
 * Confetti falling through the tally's area for the celebration's age (0..1), but never
 * across the news itself: flakes behind the milestone's words (keep, with a margin) would
 * cut through its letters.
 */
static void draw_confetti(const struct view_tally *vt, const struct draw_ctx *dc, float age,
			  const SDL_Rect *keep)
{
	const struct layout_box *a = &dc->layout->tally;
	int unit = a->h / 60 > 2 ? a->h / 60 : 2;
	SDL_Color palette[4] = { rp_color(dc->accent), rp_color(dc->text), rp_color(dc->number),
				 rp_mix(dc->accent, dc->text, 0.5f) };
	float fade = age < 0.75f ? 1.0f : (1.0f - age) / 0.25f;
	for (unsigned i = 0; i < 90; i++) {
		unsigned h = hash(i * 2654435761U + (unsigned)vt->milestone);
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
		SDL_SetRenderDrawColor(dc->ren, c.r, c.g, c.b, rp_alpha(fade));
		SDL_Rect flake = { a->x + (int)((x0 + sway) * a->w), a->y + (int)(y * a->h),
				   w > 1 ? w : 1, unit * 3 / 2 };
		if (SDL_HasIntersection(&flake, keep))
			continue;
		SDL_RenderFillRect(dc->ren, &flake);
	}
}

int view_tally_open(struct view_tally *t, const struct config *cfg, struct font_cache *fonts,
		    const char *font_path)
{
	t->milestone_every = cfg->milestone;
	t->goal_offset = cfg->goal_offset;
	snprintf(t->label_one, sizeof t->label_one, "%s", config_label_one(cfg));
	snprintf(t->language, sizeof t->language, "%s", cfg->language);
	if (rt_number_open(&t->num, fonts, font_path) != 0)
		return -1;
	for (int i = 0; i < TALLY_TEXTS; i++) {
		if (rt_text_open(&t->text[i], fonts, font_path) != 0)
			return -1;
		/* The organiser's language: Han characters in its forms (Japanese, Chinese). */
		rt_text_lang(&t->text[i], cfg->language);
	}
	return 0;
}

void view_tally_resize(struct view_tally *t, int number_px)
{
	rt_number_resize(&t->num, number_px);
}

void view_tally_drop(struct view_tally *t)
{
	rt_number_drop(&t->num);
	for (int i = 0; i < TALLY_TEXTS; i++)
		rt_text_drop(&t->text[i]);
	rt_pill_drop(&t->pill);
}

void view_tally_close(struct view_tally *t)
{
	view_tally_drop(t);
	rt_number_close(&t->num);
	for (int i = 0; i < TALLY_TEXTS; i++)
		rt_text_close(&t->text[i]);
}

static int celebrating(const struct view_tally *t, long long now_ms)
{
	return t->milestone > 0 && now_ms >= t->milestone_at &&
	       now_ms - t->milestone_at < CELEBRATE_MS;
}

int view_tally_animating(const struct view_tally *t, long long now_ms)
{
	if (t->count_init && anim_count_running(&t->count, now_ms))
		return 1;
	return celebrating(t, now_ms);
}

/* Follows the committed total: counts up to it and notices milestones on the way. */
static void follow_total(struct view_tally *t, long long total, long long now_ms)
{
	if (!t->count_init) {
		anim_count_reset(&t->count, total);
		t->count_init = 1;
		return;
	}
	if (total == t->count.to)
		return;
	long long m = anim_milestone(t->count.to, total, t->milestone_every);
	if (m > 0) {
		t->milestone = m;
		t->milestone_at = now_ms;
	}
	anim_count_to(&t->count, total, now_ms);
}

/* Where a text of one line sits in a title box two lines high: at its bottom, by the number. */
static struct layout_box title_box(const struct rt_text *t, const struct layout_box *b)
{
	int line = (b->font_px * 6 + 4) / 5;
	struct layout_box one = *b;
	if (t->lines <= 1 && b->h > line) {
		one.y = b->y + b->h - line;
		one.h = line;
	}
	return one;
}

/* The confetti's reach: flakes sway past the area's sides and start above its top. */
static struct layout_box confetti_box(const struct layout_box *a)
{
	int unit = a->h / 60 > 2 ? a->h / 60 : 2;
	int side = a->w / 50 + unit + 1;
	struct layout_box b = { a->x - side, a->y - a->h / 20 - 2 * unit, a->w + 2 * side,
				a->h + a->h / 20 + 4 * unit, 0 };
	return b;
}

/* The goal bar with its notch, which may reach above and below the bar. */
static struct layout_box goal_bar_box(const struct layout_box *bar)
{
	int nw = bar->h / 4 > 2 ? bar->h / 4 : 2;
	struct layout_box b = { bar->x - nw, bar->y - bar->h / 3 - 1, bar->w + 2 * nw,
				bar->h + 2 * (bar->h / 3) + 2, 0 };
	return b;
}

void view_tally_update(struct view_tally *t, const struct draw_ctx *dc, const struct tally_view *v,
		       long long now_ms, struct damage *d)
{
	struct tally_frame f;
	memset(&f, 0, sizeof f);
	/* Without a goal the bar and its line are not drawn: centre what is. */
	f.layout = *dc->layout;
	if (v->goal <= 0)
		layout_drop_goal(&f.layout);
	const struct tally_layout *l = &f.layout;
	f.event_name = v->event_name;
	f.thank_you = v->thank_you;
	long long total = v->total;
	if (total >= 0 && t->goal_offset > 0 && total <= LLONG_MAX - t->goal_offset)
		total += t->goal_offset;
	follow_total(t, total, now_ms);
	f.total = total;
	f.goal = v->goal;
	f.shown = anim_count_value(&t->count, now_ms);
	/* The label agrees with the number on screen: "1 letter written". */
	f.label = wording_label(t->language, f.shown, t->label_one, v->label);

	f.celebrating = celebrating(t, now_ms);
	f.event_a = 255;
	if (f.celebrating) {
		f.cel = (float)(now_ms - t->milestone_at) / CELEBRATE_MS;
		float a = f.cel < 0.85f ? 1.0f : (1.0f - f.cel) / 0.15f;
		f.milestone_a = rp_alpha(a);
		f.event_a = rp_alpha(1.0f - a);
		f.milestone_label = wording_label(t->language, t->milestone, t->label_one, v->label);
	}

	float ack = v->ack < 0.0f ? 0.0f : v->ack > 1.0f ? 1.0f : v->ack;
	/* The pop in steps of half a percent (a pixel or two on a TV): as smooth to the room as
	 * a new size every frame, and under a stream of presses the digits are repainted a few
	 * times per press rather than on every frame. */
	f.scale = 1.0f + SDL_roundf(RT_NUMBER_POP * ack * 200.0f) / 200.0f;
	if (numfmt_thousands(f.shown, ",", f.digits, sizeof f.digits) < 0)
		f.digits[0] = '\0';
	/*
	 * The acknowledgement takes the label's place: it holds while ack is high, fades out,
	 * and only then does the label fade back in. Two texts crossfading in one spot are a
	 * smudge that nobody can read.
	 */
	int has_ack = v->thank_you && *v->thank_you && ack > 0.0f;
	f.ack_a = has_ack ? rp_alpha((ack - 0.4f) / 0.3f) : 0;
	f.label_a = rp_alpha(0.85f * (has_ack ? (0.3f - ack) / 0.3f : 1.0f));

	unsigned long long h = draw_hash_str(DRAW_HASH_SEED, f.event_name);
	h = draw_hash(h, &f.event_a, 1);
	if (f.celebrating) {
		h = draw_hash(h, &t->milestone, sizeof t->milestone);
		h = draw_hash_str(h, f.milestone_label);
		h = draw_hash(h, &f.milestone_a, 1);
	}
	f.look_event = h;
	h = draw_hash_str(DRAW_HASH_SEED, f.digits);
	f.look_number = draw_hash(h, &f.scale, sizeof f.scale);
	h = draw_hash(draw_hash_str(DRAW_HASH_SEED, f.label), &f.label_a, 1);
	if (f.ack_a)
		h = draw_hash(draw_hash_str(h, f.thank_you), &f.ack_a, 1);
	f.look_label = h;
	h = draw_hash(DRAW_HASH_SEED, &f.goal, sizeof f.goal);
	if (f.goal > 0)
		h = draw_hash(h, &f.total, sizeof f.total);
	f.look_goal_text = h;
	if (f.goal > 0) {
		long long stretch = wording_stretch_goal(f.total, f.goal);
		int fill = goal_bar_fill(f.shown, stretch, l->goal_bar.w);
		h = draw_hash(h, &stretch, sizeof stretch);
		h = draw_hash(h, &fill, sizeof fill);
	}
	f.look_goal_bar = h;

	const struct tally_frame *o = &t->frame;
	int first = !t->framed;
	/* Confetti flies over everything in the tally: the whole area, each frame it moves and
	 * the frame it is gone. A goal set or taken away moves everything in it too. */
	if (f.celebrating || (!first && (o->celebrating || (o->goal > 0) != (f.goal > 0)))) {
		struct layout_box c = confetti_box(&l->tally);
		add_box(d, &c);
	}
	if (first || f.look_event != o->look_event)
		add_box(d, &l->event_name);
	/* Only the digits: where they were, and where they are now. */
	if (f.digits[0])
		f.number_drawn = rt_number_bounds(&t->num, dc->ren, f.digits, &l->number, f.scale,
						  rp_color(dc->number), &f.number_at) == 0;
	if (first || f.look_number != o->look_number) {
		if (!first && o->number_drawn)
			damage_add(d, o->number_at.x, o->number_at.y, o->number_at.w,
				   o->number_at.h);
		if (f.number_drawn)
			damage_add(d, f.number_at.x, f.number_at.y, f.number_at.w, f.number_at.h);
	}
	if (first || f.look_label != o->look_label) {
		add_box(d, &l->label);
		add_box(d, &l->ack);
	}
	if (first || f.look_goal_bar != o->look_goal_bar) {
		struct layout_box bar = goal_bar_box(&l->goal_bar);
		add_box(d, &bar);
	}
	if (first || f.look_goal_text != o->look_goal_text)
		add_box(d, &l->goal_text);
	t->frame = f;
	t->framed = 1;
}

int view_tally_scaled(const struct view_tally *t, const struct draw_ctx *dc,
		      struct layout_box *box)
{
	(void)dc;
	const struct tally_frame *f = &t->frame;
	if (!t->framed || f->scale == 1.0f || !f->number_drawn)
		return 0;
	*box = (struct layout_box){ f->number_at.x, f->number_at.y, f->number_at.w,
				    f->number_at.h, 0 };
	return 1;
}

void view_tally_forget(struct view_tally *t)
{
	t->framed = 0;
}

void view_tally_draw(struct view_tally *t, const struct draw_ctx *dc)
{
	SDL_Renderer *ren = dc->ren;
	const struct tally_frame *f = &t->frame;
	const struct tally_layout *l = &f->layout;
	if (!t->framed)
		return;

	/* A milestone takes the event name's place, in the accent colour, for a moment. */
	rt_text_set(&t->text[TALLY_EVENT], ren, f->event_name, &l->event_name);
	if (f->celebrating) {
		char num[32], text[CONFIG_TEXT_MAX + 40];
		if (numfmt_thousands(t->milestone, ",", num, sizeof num) < 0)
			snprintf(num, sizeof num, "%lld", t->milestone);
		snprintf(text, sizeof text, "%s %s!", num, f->milestone_label);
		struct rt_text *mt = &t->text[TALLY_MILESTONE];
		rt_text_set(mt, ren, text, &l->event_name);
		struct layout_box mb = title_box(mt, &l->event_name);
		/* Behind every text, and clear of the news: confetti must never hide it. */
		int pad = mb.h / 3;
		SDL_Rect keep = { mb.x + (mb.w - mt->w) / 2 - pad, mb.y - pad, mt->w + 2 * pad,
				  mb.h + 2 * pad };
		draw_confetti(t, dc, f->cel, &keep);
		rt_text_draw(mt, ren, &mb, rp_color(dc->accent), f->milestone_a);
	}
	struct layout_box eb = title_box(&t->text[TALLY_EVENT], &l->event_name);
	rt_text_draw(&t->text[TALLY_EVENT], ren, &eb, rp_color(dc->text), f->event_a);

	if (f->digits[0])
		rt_number_draw(&t->num, ren, f->digits, &l->number, f->scale, rp_color(dc->number));

	rt_text_set(&t->text[TALLY_LABEL], ren, f->label, &l->label);
	rt_text_draw(&t->text[TALLY_LABEL], ren, &l->label, rp_color(dc->text), f->label_a);
	if (f->ack_a > 0) {
		rt_text_set(&t->text[TALLY_ACK], ren, f->thank_you, &l->ack);
		rt_text_draw(&t->text[TALLY_ACK], ren, &l->ack, rp_color(dc->accent), f->ack_a);
	}

	if (f->goal > 0)
		draw_goal(t, dc, l, f->shown, f->total, f->goal);
}
