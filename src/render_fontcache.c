/* See render_fontcache.h. */
#include "render_fontcache.h"

#include <stdlib.h>
#include <string.h>

struct cached_face {
	char *path;
	int index, px;
	TTF_Font *font;
	int held;
	unsigned long used;     /* for least-recently-used closing */
};

struct font_cache {
	struct font_lock *lock; /* borrowed: shared with the other threads' caches */
	struct fontfind *finder;
	struct cached_face *faces;
	int n, cap;
	unsigned long clock;
	long opened;
};

struct font_cache *font_cache_new(struct font_lock *lock)
{
	struct font_cache *c = calloc(1, sizeof *c);
	if (c && !(c->finder = fontfind_new())) {
		free(c);
		return NULL;
	}
	if (!c)
		return NULL;
	c->lock = lock;
	/* SDL_ttf counts its users in a plain int: another thread's TTF_Quit must not overlap. */
	font_lock_hold(lock);
	int rc = TTF_Init();
	font_lock_release(lock);
	if (rc != 0) {
		fontfind_free(c->finder);
		free(c);
		return NULL;
	}
	return c;
}

static void close_face(struct font_cache *c, int i)
{
	/* FT_Done_Face edits the shared library's list of faces (see fontlock.h). */
	font_lock_hold(c->lock);
	TTF_CloseFont(c->faces[i].font);
	font_lock_release(c->lock);
	free(c->faces[i].path);
	c->faces[i] = c->faces[--c->n];
}

void font_cache_free(struct font_cache *c)
{
	if (!c)
		return;
	while (c->n > 0)
		close_face(c, c->n - 1);
	free(c->faces);
	fontfind_free(c->finder);
	font_lock_hold(c->lock);
	TTF_Quit();
	font_lock_release(c->lock);
	free(c);
}

struct fontfind *font_cache_finder(struct font_cache *c)
{
	return c->finder;
}

static TTF_Font *hold(struct font_cache *c, struct cached_face *f)
{
	f->held++;
	f->used = ++c->clock;
	return f->font;
}

/* Room for one more face: the least recently used face nobody holds is closed when the cache
 * is full (if all are held, the cache grows past FONT_CACHE_MAX). Returns 0 or -1. */
static int make_room(struct font_cache *c)
{
	if (c->n >= FONT_CACHE_MAX) {
		int lru = -1;
		for (int i = 0; i < c->n; i++)
			if (!c->faces[i].held && (lru < 0 || c->faces[i].used < c->faces[lru].used))
				lru = i;
		if (lru >= 0)
			close_face(c, lru);
	}
	if (c->n < c->cap)
		return 0;
	int cap = c->cap ? 2 * c->cap : FONT_CACHE_MAX;
	struct cached_face *f = realloc(c->faces, (size_t)cap * sizeof *f);
	if (!f)
		return -1;
	c->faces = f;
	c->cap = cap;
	return 0;
}

TTF_Font *font_cache_get(struct font_cache *c, const char *path, int index, int px)
{
	if (!c || !path || px <= 0)
		return NULL;
	int spare = -1; /* the least recently used unheld face of this file, at another size */
	for (int i = 0; i < c->n; i++) {
		struct cached_face *f = &c->faces[i];
		if (f->index != index || strcmp(f->path, path) != 0)
			continue;
		if (f->px == px)
			return hold(c, f);
		if (!f->held && (spare < 0 || f->used < c->faces[spare].used))
			spare = i;
	}
	if (spare >= 0) {
		/* Another size of an open face: cheaper than opening the file again, though the
		 * face's glyph cache starts empty at the new size. */
		struct cached_face *f = &c->faces[spare];
		if (TTF_SetFontSize(f->font, px) != 0)
			return NULL;
		f->px = px;
		return hold(c, f);
	}
	if (make_room(c) != 0)
		return NULL;
	char *copy = strdup(path);
	/*
	 * FT_Open_Face edits the shared library's list of faces (see fontlock.h). The lock is held
	 * only for the open (a millisecond or so; a CJK collection a few), so the screen waits
	 * for the card thread at most that long, and only when both open a file at once: each
	 * file is opened once per renderer, and the card thread's after the first cards.
	 */
	TTF_Font *font = NULL;
	if (copy) {
		font_lock_hold(c->lock);
		font = TTF_OpenFontIndex(path, px, index);
		font_lock_release(c->lock);
	}
	if (!font) {
		free(copy);
		return NULL;
	}
	c->opened++;
	c->faces[c->n] = (struct cached_face){ copy, index, px, font, 0, 0 };
	return hold(c, &c->faces[c->n++]);
}

void font_cache_put(struct font_cache *c, TTF_Font *font)
{
	if (!c || !font)
		return;
	for (int i = 0; i < c->n; i++) {
		if (c->faces[i].font == font && c->faces[i].held > 0) {
			c->faces[i].held--;
			return;
		}
	}
}

long font_cache_opened(const struct font_cache *c)
{
	return c ? c->opened : 0;
}

int font_cache_open_now(const struct font_cache *c)
{
	return c ? c->n : 0;
}
