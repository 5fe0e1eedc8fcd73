/*
 * The fonts of one renderer (private to the render files): each face of a font file is opened
 * once and shared by every text line, the big number and the cards that renderer draws, across
 * frames, and closed with the renderer. Opening a face (FreeType parsing the file, HarfBuzz
 * loading its layout tables) costs about as much as rasterising a line of text, and every text
 * opened its own before: a dozen opens of the same file before the first frame.
 *
 * A face is looked up by (file, face index, pixel size) and held while a text is laid out and
 * rasterised. A size nobody holds is changed (TTF_SetFontSize) rather than a new face opened:
 * only one face per file is open unless two sizes of it are held at once. Unheld faces of other
 * files are closed, least recently used first, beyond FONT_CACHE_MAX, so open files and memory
 * stay bounded however many scripts the texts bring. One owner, one thread at a time.
 *
 * Caches on other threads (the share card's) open their files from the same FreeType library:
 * every cache of the process shares one font_lock (fontlock.h), held while a file is opened or
 * closed and around TTF_Init / TTF_Quit, never while a text is drawn.
 */
#ifndef TALLYKIOSK_RENDER_FONTCACHE_H
#define TALLYKIOSK_RENDER_FONTCACHE_H

#include <SDL_ttf.h>

#include "fontfind.h"
#include "fontlock.h"

#define FONT_CACHE_MAX 16 /* faces open at most (more only while held) */

struct font_cache;

/* An empty cache with its own fontconfig finder, opening its files under lock (borrowed; NULL
 * when no other thread opens fonts). It calls TTF_Init; NULL when that fails (TTF_GetError()
 * says why) or out of memory. */
struct font_cache *font_cache_new(struct font_lock *lock);
/* Closes every face (none may be held any more) and the finder, and calls TTF_Quit. */
void font_cache_free(struct font_cache *c);

/* The cache's fontconfig finder (its configuration is read once, on its first look-up). */
struct fontfind *font_cache_finder(struct font_cache *c);

/*
 * Face index of the file at path, set to px, held until font_cache_put. NULL when the file
 * cannot be opened (TTF_GetError() says why) or every face is held.
 */
TTF_Font *font_cache_get(struct font_cache *c, const char *path, int index, int px);
/* Gives back a face from font_cache_get; NULL is ignored. */
void font_cache_put(struct font_cache *c, TTF_Font *font);

/* Faces opened so far (each open of a file counts), and open now: for tests. */
long font_cache_opened(const struct font_cache *c);
int font_cache_open_now(const struct font_cache *c);

#endif
