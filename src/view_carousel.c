/*
 * The case carousel (see view_carousel.h): one card at a time with the case's photo or initials,
 * name, country, headline and story, the letters counted for it, and dots that say which case
 * of how many. Every interval the content fades out and the next case rises into place; a case
 * with a second-language text is shown again in that language right after (English/French in
 * Canada).
 *
 * The card's texts are rasterised once when a case comes up (two cards are kept: the outgoing
 * and the incoming), so between changes a frame only copies textures.
 */
#include "view_carousel.h"

#include <SDL_image.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "wording.h"

static const int card_bold[CARD_TEXTS] = { 1, 0, 1, 0, 1, 1 };

int view_carousel_open(struct view_carousel *c, const struct config *cfg)
{
	c->on = cfg->carousel;
	c->alternate = cfg->alternate_languages;
	c->interval_ms = cfg->carousel_interval * 1000;
	snprintf(c->label_one, sizeof c->label_one, "%s", config_label_one(cfg));
	snprintf(c->language, sizeof c->language, "%s", cfg->language);
	snprintf(c->label2, sizeof c->label2, "%s", cfg->label_lang2);
	snprintf(c->label2_one, sizeof c->label2_one, "%s", cfg->label_one_lang2);
	for (int k = 0; k < 2; k++)
		c->cards[k].slide = -1;
	return 0;
}

int view_carousel_open_fonts(struct view_carousel *c, struct font_cache *fonts,
			     const char *font_path, const char *body_path)
{
	c->fonts_open = 1;
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < CARD_TEXTS; i++)
			if (rt_text_open(&c->cards[k].text[i], fonts,
					 card_bold[i] ? font_path : body_path))
				return -1;
		/* The card's texts start at its left edge, whatever their number of lines. */
		for (int i = 0; i < CARD_TEXTS; i++)
			if (i != CARD_INITIALS)
				rt_text_align(&c->cards[k].text[i], 1);
	}
	return 0;
}

static void card_drop(struct card *c)
{
	c->has_count = 0;
	if (c->layer)
		SDL_DestroyTexture(c->layer);
	c->layer = NULL;
	c->layer_tried = 0;
	for (int i = 0; i < CARD_TEXTS; i++)
		rt_text_drop(&c->text[i]);
	if (c->photo)
		SDL_DestroyTexture(c->photo);
	c->photo = NULL;
	c->slide = -1;
}

void view_carousel_drop(struct view_carousel *c)
{
	for (int k = 0; k < 2; k++)
		card_drop(&c->cards[k]);
	rt_pill_drop(&c->badge);
	rt_pill_drop(&c->panel);
	rt_pill_drop(&c->dots);
}

void view_carousel_close(struct view_carousel *c)
{
	view_carousel_drop(c);
	if (!c->fonts_open)
		return;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < CARD_TEXTS; i++)
			rt_text_close(&c->cards[k].text[i]);
}

void view_carousel_set(struct view_carousel *c, const struct cases *cases)
{
	c->cases = cases;
	c->n_slides = 0;
	c->sched_started = 0;
	for (int k = 0; k < 2; k++)
		card_drop(&c->cards[k]);
	for (int i = 0; cases && i < cases->n; i++) {
		c->slides[c->n_slides++] = (struct slide){ i, 0 };
		if (c->alternate && cases->lang2[0] && cases_has_lang2(&cases->v[i]))
			c->slides[c->n_slides++] = (struct slide){ i, 1 };
	}
}

int view_carousel_wanted(const struct view_carousel *c)
{
	return c->on && c->n_slides > 0;
}

long long view_carousel_wait(const struct view_carousel *c, const struct tally_layout *l,
			     long long now_ms)
{
	if (!c->on || !l || l->carousel.w <= 0 || !c->sched_started)
		return -1;
	if (c->pending)
		return 0;
	return anim_carousel_wait(&c->sched, now_ms);
}

static long long case_total(const struct tally_view *v, const char *id, int *found)
{
	for (int i = 0; i < v->n_case_counts; i++)
		if (v->case_counts[i].case_id && !strcmp(v->case_counts[i].case_id, id)) {
			*found = 1;
			return v->case_counts[i].total;
		}
	*found = 0;
	return 0;
}

/*
 * A photo, if the case has one that loads; the initials badge stands in otherwise. The middle
 * square is cut out and scaled to the badge once, here: a camera's picture would otherwise be
 * kept whole (megabytes) and scaled on every frame.
 */
static void load_photo(SDL_Renderer *ren, struct card *c, const char *path, int side)
{
	c->photo_side = side;
	if (!path || side <= 0)
		return;
	SDL_Surface *img = IMG_Load(path);
	if (!img)
		return;
	SDL_Surface *argb = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_FreeSurface(img);
	SDL_Surface *sq = SDL_CreateRGBSurfaceWithFormat(0, side, side, 32, SDL_PIXELFORMAT_ARGB8888);
	if (argb && sq) {
		/* Cover the square: crop the middle of the photo, never stretch a face. */
		int m = argb->w < argb->h ? argb->w : argb->h;
		SDL_Rect src = { (argb->w - m) / 2, (argb->h - m) / 2, m, m };
		SDL_Rect dst = { 0, 0, side, side };
		if (SDL_SoftStretchLinear(argb, &src, sq, &dst) == 0) {
			c->photo = SDL_CreateTextureFromSurface(ren, sq);
			if (c->photo)
				SDL_SetTextureBlendMode(c->photo, SDL_BLENDMODE_BLEND);
		}
	}
	SDL_FreeSurface(argb);
	SDL_FreeSurface(sq);
}

static struct card *card_cached(struct view_carousel *vc, int i)
{
	for (int k = 0; k < 2; k++)
		if (vc->cards[k].slide == i)
			return &vc->cards[k];
	return NULL;
}

/* The card showing slide i, made if needed without touching the card other is using. */
static struct card *card_for(struct view_carousel *vc, SDL_Renderer *ren, int i,
			     const struct card *other, int badge)
{
	struct card *c = card_cached(vc, i);
	const struct case_entry *e = &vc->cases->v[vc->slides[i].case_index];
	if (c) {
		if (c->photo_side != badge) {
			if (c->photo)
				SDL_DestroyTexture(c->photo);
			c->photo = NULL;
			load_photo(ren, c, e->photo, badge);
		}
		return c;
	}
	c = &vc->cards[0] == other ? &vc->cards[1] : &vc->cards[0];
	card_drop(c);
	c->slide = i;
	/* The second language's code is known; the first is taken to be the organiser's. */
	for (int k = 0; k < CARD_TEXTS; k++)
		rt_text_lang(&c->text[k], vc->slides[i].lang ? vc->cases->lang2 : vc->language);
	load_photo(ren, c, e->photo, badge);
	return c;
}

/* The count line of card c ("152 letters written"), in the card's language where given. */
static void count_line(const struct view_carousel *vc, const struct card *c, int lang, char *line,
		       size_t len)
{
	char num[32];
	long long n = c->count;
	if (numfmt_thousands(n, ",", num, sizeof num) < 0)
		snprintf(num, sizeof num, "%lld", n);
	const char *label = wording_label(vc->language, n, vc->label_one, vc->frame.label);
	if (lang == 1 && vc->label2[0])
		label = wording_label(vc->cases->lang2, n,
				      vc->label2_one[0] ? vc->label2_one : vc->label2, vc->label2);
	snprintf(line, len, "%s %s", num, label);
}

/*
 * A headline is never smaller than the story under it: it may take a third line from the
 * story's room (French runs a third longer than English), and the story starts under the
 * lines the headline really takes. Sets both texts and their boxes.
 */
static void set_head_and_story(struct card *c, SDL_Renderer *ren, const struct tally_layout *l,
			       const struct case_entry *e, int lang, struct layout_box *head,
			       struct layout_box *story)
{
	*head = l->headline;
	*story = l->story;
	head->h = l->headline.h * 3 / 2;
	struct rt_text *ht = &c->text[CARD_HEADLINE];
	rt_text_set_wrapped(ht, ren, cases_text(e, lang, CASES_HEADLINE), head,
			    l->story.font_px);
	int gap = l->story.y - (l->headline.y + l->headline.h);
	int story_bottom = l->story.y + l->story.h;
	story->y = l->headline.y + (ht->tex ? ht->h : 0) + gap;
	story->h = story_bottom - story->y > 0 ? story_bottom - story->y : 0;
	rt_text_set_wrapped(&c->text[CARD_STORY], ren, cases_text(e, lang, CASES_STORY), story,
			    l->story.font_px * 6 / 10);
}

/* Draws the card's texts (not the badge) in the boxes of l, dy pixels lower, at opacity a. */
static void draw_texts(struct view_carousel *vc, const struct draw_ctx *dc, struct card *c,
		       const struct tally_layout *l, Uint8 a, int dy)
{
	SDL_Renderer *ren = dc->ren;
	const struct slide *sl = &vc->slides[c->slide];
	const struct case_entry *e = &vc->cases->v[sl->case_index];
	int lang = sl->lang;
	rt_text_set(&c->text[CARD_NAME], ren, cases_text(e, lang, CASES_NAME), &l->case_name);
	rt_text_set(&c->text[CARD_COUNTRY], ren, cases_text(e, lang, CASES_COUNTRY),
		    &l->case_country);
	struct layout_box head, story;
	set_head_and_story(c, ren, l, e, lang, &head, &story);
	rt_text_draw_left(&c->text[CARD_NAME], ren, &l->case_name, rp_color(dc->text), a, 0, dy);
	rt_text_draw_left(&c->text[CARD_COUNTRY], ren, &l->case_country,
			  rp_mix(dc->text, dc->background, 0.7f), a, 0, dy);
	rt_text_draw_left(&c->text[CARD_HEADLINE], ren, &head, rp_color(dc->accent), a, 1, dy);
	rt_text_draw_left(&c->text[CARD_STORY], ren, &story,
			  rp_mix(dc->text, dc->background, 0.9f), a, 1, dy);
	if (c->has_count) {
		char line[CONFIG_TEXT_MAX + 40];
		count_line(vc, c, lang, line, sizeof line);
		/* Counts change while the card is up: only this line is rasterised again. */
		rt_text_set(&c->text[CARD_COUNT], ren, line, &l->case_count);
		rt_text_draw_left(&c->text[CARD_COUNT], ren, &l->case_count, rp_color(dc->number),
				  a, 0, dy);
	}
}

/* Every pixel the card's texts may touch: the boxes of name, country, headline (which may
 * take a third line), story and count. */
static SDL_Rect text_block(const struct tally_layout *l)
{
	const struct layout_box *b[] = { &l->case_name, &l->case_country, &l->headline, &l->story,
					 &l->case_count };
	int x0 = b[0]->x, y0 = b[0]->y, x1 = x0 + b[0]->w, y1 = y0 + b[0]->h;
	for (size_t i = 1; i < sizeof b / sizeof b[0]; i++) {
		int h = b[i] == &l->headline ? b[i]->h * 3 / 2 : b[i]->h;
		x0 = b[i]->x < x0 ? b[i]->x : x0;
		y0 = b[i]->y < y0 ? b[i]->y : y0;
		x1 = b[i]->x + b[i]->w > x1 ? b[i]->x + b[i]->w : x1;
		y1 = b[i]->y + h > y1 ? b[i]->y + h : y1;
	}
	SDL_Rect r = { x0, y0, x1 - x0, y1 - y0 };
	return r;
}

static void move(struct layout_box *b, int dx, int dy)
{
	b->x += dx;
	b->y += dy;
}

/*
 * The card's texts as one opaque picture on the panel's colour, made when the card comes up
 * (or its count or the layout changes). A card change then only fades that picture: one copy
 * at an opacity (the same pixels as fading each text over the flat panel, which SDL's
 * software renderer does several times slower) rather than every text tinted and blended.
 * Without render targets the texts are drawn one by one instead.
 */
static void make_layer(struct view_carousel *vc, const struct draw_ctx *dc, struct card *c)
{
	SDL_Renderer *ren = dc->ren;
	const struct tally_layout *l = dc->layout;
	SDL_Rect r = text_block(l);
	struct tally_layout m = *l;
	struct layout_box *boxes[] = { &m.case_name, &m.case_country, &m.headline, &m.story,
				       &m.case_count };
	for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++)
		move(boxes[i], -r.x, -r.y);
	unsigned long long key = draw_hash(DRAW_HASH_SEED, &r.w, sizeof r.w);
	key = draw_hash(key, &r.h, sizeof r.h);
	for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++)
		key = draw_hash(key, boxes[i], sizeof *boxes[i]);
	char line[CONFIG_TEXT_MAX + 40] = "";
	if (c->has_count)
		count_line(vc, c, vc->slides[c->slide].lang, line, sizeof line);
	key = draw_hash_str(key, line);
	SDL_Color panel = rp_mix(dc->text, dc->background, 0.09f);
	key = draw_hash(key, &panel, sizeof panel);
	if (c->layer_key == key && c->layer_tried)
		return;
	if (c->layer)
		SDL_DestroyTexture(c->layer);
	c->layer = NULL;
	c->layer_key = key;
	c->layer_tried = 1;
	if (r.w <= 0 || r.h <= 0)
		return;
	SDL_Texture *t = SDL_CreateTexture(ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_TARGET,
					   r.w, r.h);
	SDL_Texture *before = SDL_GetRenderTarget(ren);
	if (!t || SDL_SetRenderTarget(ren, t) != 0) {
		if (t)
			SDL_DestroyTexture(t);
		return;
	}
	SDL_RenderSetClipRect(ren, NULL);
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
	SDL_SetRenderDrawColor(ren, panel.r, panel.g, panel.b, 255);
	SDL_RenderClear(ren);
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	draw_texts(vc, dc, c, &m, 255, 0);
	SDL_SetRenderTarget(ren, before);
	SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
	c->layer = t;
	c->layer_at = r;
}

static void draw_card(struct view_carousel *vc, const struct draw_ctx *dc, struct card *c,
		      Uint8 a, int dy)
{
	SDL_Renderer *ren = dc->ren;
	const struct tally_layout *l = dc->layout;
	const struct case_entry *e = &vc->cases->v[vc->slides[c->slide].case_index];
	if (a == 0)
		return;

	if (c->layer) {
		SDL_Rect r = text_block(l);
		r.y += dy;
		/* Settled, the picture is opaque: a copy, not a blend (a far cheaper blit). */
		SDL_SetTextureBlendMode(c->layer, a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
		SDL_SetTextureAlphaMod(c->layer, a);
		SDL_RenderCopy(ren, c->layer, NULL, &r);
	} else {
		draw_texts(vc, dc, c, l, a, dy);
	}

	/* The badge stays put while the texts rise: it anchors the card. It comes after the
	 * texts' picture, whose flat panel colour reaches under it. */
	const struct layout_box *b = &l->badge;
	SDL_Rect br = { b->x, b->y, b->w, b->h };
	if (c->photo) {
		SDL_SetTextureAlphaMod(c->photo, a);
		SDL_RenderCopy(ren, c->photo, NULL, &br);
	} else {
		SDL_Color disc = rp_color(dc->accent);
		disc.a = a;
		rt_round_rect(&vc->badge, ren, &br, b->w / 2, disc);
		rt_text_set(&c->text[CARD_INITIALS], ren, e->initials, b);
		rt_text_draw(&c->text[CARD_INITIALS], ren, b, rp_color(dc->background), a);
	}
}

/* One dot per case; the current one is long and in the accent colour. */
static void draw_dots(struct view_carousel *vc, const struct draw_ctx *dc, int current)
{
	const struct layout_box *d = &dc->layout->dots;
	int n = vc->cases->n, h = d->h;
	int gap = h, cur_w = 3 * h;
	if (n < 2 || (n - 1) * (h + gap) + cur_w > d->w)
		return;
	int x = d->x;
	for (int i = 0; i < n; i++) {
		int w = i == current ? cur_w : h;
		SDL_Color c = i == current ? rp_color(dc->accent)
					   : rp_mix(dc->text, dc->background, 0.3f);
		rt_pill_draw(&vc->dots, dc->ren, x, d->y, w, h, c);
		x += w + gap;
	}
}

void view_carousel_update(struct view_carousel *vc, const struct draw_ctx *dc,
			  const struct tally_view *v, long long now_ms, struct damage *d)
{
	const struct tally_layout *l = dc->layout;
	struct carousel_frame f;
	memset(&f, 0, sizeof f);
	f.from_card = f.to_card = -1;
	f.label = v->label;
	f.active = view_carousel_wanted(vc) && l->carousel.w > 0;
	if (f.active) {
		/* The tally comes first on a kiosk's screen: the card, whose fonts, photo and
		 * story take a while to prepare, follows on the next frame. */
		if (!vc->sched_started) {
			vc->sched = (struct anim_carousel){ vc->n_slides, vc->interval_ms,
							    CAROUSEL_FADE_MS, now_ms };
			vc->sched_started = 1;
			vc->pending = dc->window;
		} else {
			vc->pending = 0;
		}
		int cards = !vc->pending && vc->fonts_open;
		struct anim_slide s;
		anim_carousel_at(&vc->sched, now_ms, &s);
		if (cards) {
			int badge = l->badge.w;
			struct card *to = card_for(vc, dc->ren, s.to,
						   s.from != s.to ? card_cached(vc, s.from) : NULL,
						   badge);
			struct card *from = NULL;
			if (s.from != s.to) {
				from = card_for(vc, dc->ren, s.from, to, badge);
				/* The old content fades out, then the new one fades in while
				 * rising a little. Overlapping the two would leave a moment where
				 * neither can be read. */
				float out = 1.0f - anim_smooth(s.t / 0.45f);
				float in = anim_smooth((s.t - 0.55f) / 0.45f);
				f.out_a = rp_alpha(out);
				f.in_a = rp_alpha(in);
				f.dy = (int)((1.0f - in) * l->card_pad * 0.6f);
				f.from_card = (int)(from - vc->cards);
			} else {
				f.in_a = 255;
				/* A card that has left gives its textures back. */
				for (int k = 0; k < 2; k++)
					if (&vc->cards[k] != to)
						card_drop(&vc->cards[k]);
			}
			f.to_card = (int)(to - vc->cards);
			for (int k = 0; k < 2; k++) {
				struct card *c = &vc->cards[k];
				if (c->slide < 0)
					continue;
				const struct case_entry *e = &vc->cases->v[vc->slides[c->slide].case_index];
				c->count = case_total(v, e->id, &c->has_count);
			}
			/* The count line needs the label of this frame. */
			vc->frame.label = v->label;
			for (int k = 0; k < 2; k++)
				if (vc->cards[k].slide >= 0)
					make_layer(vc, dc, &vc->cards[k]);
		}
		f.from = s.from;
		f.to = s.to;
		f.dot = vc->slides[s.t < 0.5f ? s.from : s.to].case_index;
	}

	unsigned long long h = draw_hash(DRAW_HASH_SEED, &f.active, sizeof f.active);
	h = draw_hash(h, &f.from, sizeof f.from);
	h = draw_hash(h, &f.to, sizeof f.to);
	h = draw_hash(h, &f.from_card, sizeof f.from_card);
	h = draw_hash(h, &f.to_card, sizeof f.to_card);
	h = draw_hash(h, &f.out_a, 1);
	h = draw_hash(h, &f.in_a, 1);
	h = draw_hash(h, &f.dy, sizeof f.dy);
	h = draw_hash(h, &f.dot, sizeof f.dot);
	for (int k = 0; k < 2; k++) {
		const struct card *c = &vc->cards[k];
		if (c->has_count && (k == f.from_card || k == f.to_card)) {
			h = draw_hash(h, &c->count, sizeof c->count);
			h = draw_hash_str(h, f.label);
		}
	}
	f.look = h;
	if (!vc->framed || f.look != vc->frame.look)
		damage_add(d, l->carousel.x, l->carousel.y, l->carousel.w, l->carousel.h);
	vc->frame = f;
	vc->framed = 1;
}

void view_carousel_forget(struct view_carousel *vc)
{
	vc->framed = 0;
}

void view_carousel_draw(struct view_carousel *vc, const struct draw_ctx *dc)
{
	const struct tally_layout *l = dc->layout;
	const struct carousel_frame *f = &vc->frame;
	if (!vc->framed || !f->active)
		return;
	SDL_Rect panel = { l->carousel.x, l->carousel.y, l->carousel.w, l->carousel.h };
	/* The panel is opaque: filled, not blended (the same pixels, for a fraction of the
	 * work on the software path). Its corners' discs still blend. */
	SDL_SetRenderDrawBlendMode(dc->ren, SDL_BLENDMODE_NONE);
	rt_round_rect(&vc->panel, dc->ren, &panel, l->card_pad * 2 / 3,
		      rp_mix(dc->text, dc->background, 0.09f));
	SDL_SetRenderDrawBlendMode(dc->ren, SDL_BLENDMODE_BLEND);
	if (f->from_card >= 0)
		draw_card(vc, dc, &vc->cards[f->from_card], f->out_a, 0);
	if (f->to_card >= 0)
		draw_card(vc, dc, &vc->cards[f->to_card], f->in_a, f->dy);
	draw_dots(vc, dc, f->dot);
}
