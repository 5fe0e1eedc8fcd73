/* See damage.h. */
#include "damage.h"

static int overlap(const struct damage_rect *a, const struct damage_rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
	       b->y < a->y + a->h;
}

static struct damage_rect bound(const struct damage_rect *a, const struct damage_rect *b)
{
	int x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
	int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
	int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
	struct damage_rect u = { x0, y0, x1 - x0, y1 - y0 };
	return u;
}

static long long area(const struct damage_rect *a)
{
	return (long long)a->w * a->h;
}

void damage_reset(struct damage *d, int width, int height)
{
	d->width = width > 0 ? width : 0;
	d->height = height > 0 ? height : 0;
	d->n = 0;
}

static void remove_at(struct damage *d, int i)
{
	d->r[i] = d->r[--d->n];
}

void damage_add(struct damage *d, int x, int y, int w, int h)
{
	/* Clip to the picture. */
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (y < 0) {
		h += y;
		y = 0;
	}
	if (w > d->width - x)
		w = d->width - x;
	if (h > d->height - y)
		h = d->height - y;
	if (w <= 0 || h <= 0)
		return;
	struct damage_rect a = { x, y, w, h };
	/* Merge with every rectangle it overlaps; the bigger one may overlap others: repeat. */
	for (int i = 0; i < d->n;) {
		if (overlap(&a, &d->r[i])) {
			a = bound(&a, &d->r[i]);
			remove_at(d, i);
			i = 0;
		} else {
			i++;
		}
	}
	if (d->n == DAMAGE_MAX) {
		/* Full: join the rectangle whose bounding box with a grows the least. */
		int best = 0;
		long long best_cost = -1;
		for (int i = 0; i < d->n; i++) {
			struct damage_rect u = bound(&a, &d->r[i]);
			long long cost = area(&u) - area(&d->r[i]);
			if (best_cost < 0 || cost < best_cost) {
				best_cost = cost;
				best = i;
			}
		}
		struct damage_rect u = bound(&a, &d->r[best]);
		remove_at(d, best);
		damage_add(d, u.x, u.y, u.w, u.h);
		return;
	}
	d->r[d->n++] = a;
}

void damage_all(struct damage *d)
{
	d->n = 0;
	damage_add(d, 0, 0, d->width, d->height);
}

int damage_empty(const struct damage *d)
{
	return d->n == 0;
}

long long damage_area(const struct damage *d)
{
	long long s = 0;
	for (int i = 0; i < d->n; i++)
		s += area(&d->r[i]);
	return s;
}
