/*
 * One frame (see render_priv.h): the layout and the pixel shift, the views' updates, what
 * changed, and painting it.
 *
 * Each view works out what it shows at now_ms and reports the boxes that look different from
 * the last frame (draw.h). With nothing changed nothing is painted or presented, so a kiosk
 * between card changes costs no frames at all.
 *
 * The software path keeps the last picture in its surface and repaints only the damaged
 * rectangles: each is cleared to the background and every view paints into it, clipped, in
 * the same order as a whole frame, so the result is the same pixels as a full redraw (the
 * exactness test in tests/golden/ checks this over a scripted evening). Only those rectangles
 * go to the screen (SDL_UpdateWindowSurfaceRects). On the GPU path the back buffer is
 * undefined after a present, so a changed frame is painted whole; the GPU blends it.
 *
 * KMSDRM cannot rotate the output, so a turned screen is drawn into a texture of the turned
 * size, which is then copied rotated (on the software path, only the damaged parts of it).
 */
#include <SDL.h>
#include <string.h>

#include "render_priv.h"

void rf_drop_textures(struct render *r)
{
	view_tally_drop(&r->tally);
	view_status_drop(&r->status);
	view_qr_drop(&r->qr);
	view_carousel_drop(&r->carousel);
	if (r->rotated)
		SDL_DestroyTexture(r->rotated);
	r->rotated = NULL;
	r->repaint = 1;
}

void rf_update_layout(struct render *r)
{
	int w = 0, h = 0;
	if (r->surface) {
		w = r->surface->w;
		h = r->surface->h;
	} else if (SDL_GetRendererOutputSize(r->renderer, &w, &h) != 0) {
		return;
	}
	if (w == r->out_w && h == r->out_h)
		return;
	r->out_w = w;
	r->out_h = h;
	r->log_w = r->rotate % 2 ? h : w;
	r->log_h = r->rotate % 2 ? w : h;
	r->layout_ok = layout_compute(r->log_w, r->log_h, view_carousel_wanted(&r->carousel),
				      &r->base) == 0;
	r->layout = r->base;
	r->shift_dx = r->shift_dy = 0;
	r->repaint = 1;
	view_tally_resize(&r->tally, r->layout_ok ? r->base.number.font_px : 0);
	if (r->rotated && (r->rotated_w != r->log_w || r->rotated_h != r->log_h)) {
		SDL_DestroyTexture(r->rotated);
		r->rotated = NULL;
	}
}

static void move_box(struct layout_box *b, int dx, int dy)
{
	b->x += dx;
	b->y += dy;
}

/* Moves every box but the staff strip by the pixel shift of now_ms. */
static void shift_layout(struct render *r, long long now_ms)
{
	int dx = 0, dy = 0;
	if (r->pixel_shift && r->layout_ok)
		anim_pixel_shift(now_ms, r->base.margin / 3, &dx, &dy);
	if (dx == r->shift_dx && dy == r->shift_dy)
		return;
	struct tally_layout *l = &r->layout;
	*l = r->base;
	struct layout_box *all[] = { &l->event_name, &l->number,   &l->label,    &l->ack,
				     &l->goal_bar,   &l->goal_text, &l->tally,   &l->carousel,
				     &l->badge,      &l->case_name, &l->case_country,
				     &l->headline,   &l->story,     &l->case_count, &l->dots };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		move_box(all[i], dx, dy);
	r->shift_dx = dx;
	r->shift_dy = dy;
	r->repaint = 1;
}

/* The texture a turned picture is drawn into; NULL if the renderer cannot draw into one. */
static SDL_Texture *rotation_target(struct render *r)
{
	if (r->rotated)
		return r->rotated;
	r->rotated = SDL_CreateTexture(r->renderer, SDL_PIXELFORMAT_ARGB8888,
				       SDL_TEXTUREACCESS_TARGET, r->log_w, r->log_h);
	r->rotated_w = r->log_w;
	r->rotated_h = r->log_h;
	if (r->rotated)
		SDL_SetTextureBlendMode(r->rotated, SDL_BLENDMODE_NONE);
	return r->rotated;
}

/* Paints the picture inside clip (NULL: all of it) on the current target. */
static void paint(struct render *r, const struct draw_ctx *dc, const SDL_Rect *clip)
{
	SDL_Renderer *ren = r->renderer;
	SDL_RenderSetClipRect(ren, clip);
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
	SDL_SetRenderDrawColor(ren, r->background.r, r->background.g, r->background.b, 255);
	if (clip)
		SDL_RenderFillRect(ren, clip);
	else
		SDL_RenderClear(ren);
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	if (r->layout_ok) {
		view_carousel_draw(&r->carousel, dc);
		view_tally_draw(&r->tally, dc);
		view_status_draw(&r->status, dc);
		view_qr_draw(&r->qr, dc, r->log_w, r->log_h);
	}
	SDL_RenderSetClipRect(ren, NULL);
}

/* Where the picture's rectangle p lands on the output once turned. */
static SDL_Rect turned(const struct render *r, const SDL_Rect *p)
{
	SDL_Rect o = *p;
	switch (r->rotate) {
	case 1:
		o = (SDL_Rect){ r->log_h - p->y - p->h, p->x, p->h, p->w };
		break;
	case 2:
		o = (SDL_Rect){ r->log_w - p->x - p->w, r->log_h - p->y - p->h, p->w, p->h };
		break;
	case 3:
		o = (SDL_Rect){ p->y, r->log_w - p->x - p->w, p->h, p->w };
		break;
	default:
		break;
	}
	return o;
}

/* Copies the picture's rectangle p from the rotation texture to the output, turned. */
static void copy_turned(struct render *r, const SDL_Rect *p)
{
	SDL_Rect o = turned(r, p);
	/* SDL turns the destination about its centre: centre a p-sized rectangle on o. */
	SDL_FRect dst = { o.x + o.w / 2.0f - p->w / 2.0f, o.y + o.h / 2.0f - p->h / 2.0f,
			  (float)p->w, (float)p->h };
	SDL_RenderCopyExF(r->renderer, r->rotated, p, &dst, 90.0 * r->rotate, NULL, SDL_FLIP_NONE);
}

/* The software path: the damaged rectangles only, then (present) only they are shown. */
static void paint_damage(struct render *r, const struct draw_ctx *dc, int present)
{
	SDL_Renderer *ren = r->renderer;
	SDL_Texture *t = r->rotate ? rotation_target(r) : NULL;
	SDL_Rect shown[DAMAGE_MAX];
	int n = 0;
	for (int i = 0; i < r->damage.n; i++) {
		const struct damage_rect *d = &r->damage.r[i];
		SDL_Rect p = { d->x, d->y, d->w, d->h };
		/* SDL turns a rectangle about its centre; with w - h odd that centre is half a
		 * pixel off the grid and the turned copy lands a pixel askew. One more column
		 * (painting a pixel twice paints it the same) keeps it on the grid. */
		if (r->rotate % 2 && (p.w - p.h) % 2) {
			if (p.x + p.w < r->log_w)
				p.w++;
			else if (p.x > 0)
				p.x--, p.w++;
			else if (p.y + p.h < r->log_h)
				p.h++;
			else if (p.y > 0)
				p.y--, p.h++;
		}
		if (r->rotate && t && SDL_SetRenderTarget(ren, t) == 0) {
			paint(r, dc, &p);
			SDL_SetRenderTarget(ren, NULL);
			copy_turned(r, &p);
			shown[n++] = turned(r, &p);
		} else if (!r->rotate) {
			paint(r, dc, &p);
			shown[n++] = p;
		}
	}
	SDL_RenderFlush(ren);
	if (present && r->window && n > 0)
		SDL_UpdateWindowSurfaceRects(r->window, shown, n);
}

/* The GPU path: the whole frame (the back buffer holds nothing worth keeping). */
static void paint_all(struct render *r, const struct draw_ctx *dc, int present)
{
	SDL_Renderer *ren = r->renderer;
	SDL_Texture *t = r->rotate && r->layout_ok ? rotation_target(r) : NULL;
	if (t && SDL_SetRenderTarget(ren, t) == 0) {
		paint(r, dc, NULL);
		SDL_SetRenderTarget(ren, NULL);
		SDL_SetRenderDrawColor(ren, r->background.r, r->background.g, r->background.b, 255);
		SDL_RenderClear(ren);
		SDL_Rect all = { 0, 0, r->log_w, r->log_h };
		copy_turned(r, &all);
	} else {
		paint(r, dc, NULL);
	}
	if (present)
		SDL_RenderPresent(ren);
}

int rf_frame(struct render *r, const struct tally_view *v, long long now_ms, int present)
{
	rf_update_layout(r);
	shift_layout(r, now_ms);
	struct draw_ctx dc = { r->renderer, &r->layout, r->background, r->number, r->text,
			       r->accent, r->window != NULL };
	damage_reset(&r->damage, r->log_w, r->log_h);
	/* A picture needs its card at once; a screen shows the tally first (view_carousel.c). */
	if (!r->carousel.fonts_open && (!r->window || r->carousel.sched_started) &&
	    view_carousel_wanted(&r->carousel))
		rp_open_carousel_fonts(r);
	if (r->layout_ok) {
		view_carousel_update(&r->carousel, &dc, v, now_ms, &r->damage);
		view_tally_update(&r->tally, &dc, v, now_ms, &r->damage);
		view_status_update(&r->status, &dc, v->staff_status, v->staff_severity,
				   &r->damage);
		view_qr_update(&r->qr, v->qr_url, &r->damage);
	}
	struct layout_box whole;
	if (view_tally_scaled(&r->tally, &dc, &whole)) {
		for (int i = 0; i < r->damage.n; i++) {
			const struct damage_rect *d = &r->damage.r[i];
			if (d->x < whole.x + whole.w && whole.x < d->x + d->w &&
			    d->y < whole.y + whole.h && whole.y < d->y + d->h) {
				damage_add(&r->damage, whole.x, whole.y, whole.w, whole.h);
				break;
			}
		}
	}
	if (r->repaint)
		damage_all(&r->damage);
	r->repaint = 0;
	if (damage_empty(&r->damage))
		return 0;
	if (r->surface)
		paint_damage(r, &dc, present);
	else
		paint_all(r, &dc, present);
	r->frames++;
	return 1;
}

int render_draw(struct render *r, const struct tally_view *v, long long now_ms)
{
	r->last_now = now_ms;
	int drawn = rf_frame(r, v, now_ms, 1);
	rp_keep_view(r, v);
	return drawn;
}

void render_invalidate(struct render *r)
{
	if (r)
		r->repaint = 1;
}

long long render_next_frame_ms(struct render *r, long long now_ms)
{
	if (!r || !r->layout_ok)
		return -1;
	if (view_tally_animating(&r->tally, now_ms))
		return 0;
	long long wait = view_carousel_wait(&r->carousel, &r->layout, now_ms);
	if (r->pixel_shift) {
		long long shift = anim_pixel_shift_wait(now_ms);
		if (wait < 0 || shift < wait)
			wait = shift;
	}
	return wait;
}

const void *render_pixels(struct render *r, int *w, int *h, int *pitch)
{
	if (!r || !r->surface || SDL_MUSTLOCK(r->surface))
		return NULL;
	*w = r->surface->w;
	*h = r->surface->h;
	*pitch = r->surface->pitch;
	return r->surface->pixels;
}

long long render_frames(const struct render *r)
{
	return r ? r->frames : 0;
}

long long render_damaged_pixels(const struct render *r)
{
	return r ? damage_area(&r->damage) : 0;
}

void render_draw_notice(struct render *r, const char *title, const char *body, const char *hint)
{
	rf_update_layout(r);
	SDL_Renderer *ren = r->renderer;
	if (!ren)
		return;
	SDL_SetRenderTarget(ren, NULL);
	SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ren, r->background.r, r->background.g, r->background.b, 255);
	SDL_RenderClear(ren);
	struct draw_ctx dc = { ren, &r->layout, r->background, r->number, r->text, r->accent,
			       r->window != NULL };
	view_notice_draw(&r->notice, &dc, r->out_w, r->out_h, title, body, hint);
	/* The whole picture changed: the software path shows all of it, and the next tally
	 * frame (if any) is painted whole. */
	if (r->surface && r->window) {
		SDL_RenderFlush(ren);
		SDL_UpdateWindowSurface(r->window);
	} else if (r->window) {
		SDL_RenderPresent(ren);
	}
	r->repaint = 1;
	r->frames++;
}
