/*
 * One lock for the font library that every renderer of the process shares (the screen's and
 * the share card's, which draws on its own thread). SDL_ttf 2.20 opens every TTF_Font from one
 * FreeType FT_Library (TTF_Init's), and FreeType allows one library across threads only "as
 * long as a mutex lock is used around FT_New_Face and FT_Done_Face" (FT_Library, FreeType's
 * reference): the library's driver keeps a list of its faces that both edit without a lock.
 * TTF_Init and TTF_Quit count their callers in a plain int, too. So a renderer holds this lock
 * around opening and closing a font and around TTF_Init / TTF_Quit; everything else a face does
 * (sizing, shaping, rasterising) is the face's own and needs no lock, as each renderer keeps
 * its faces to itself (render_fontcache.h).
 *
 * main.c makes the one lock and lends it to every renderer it opens. A NULL lock locks
 * nothing: for programs whose renderers all draw on one thread (tests, tools).
 */
#ifndef TALLYKIOSK_FONTLOCK_H
#define TALLYKIOSK_FONTLOCK_H

struct font_lock;

/* A new lock; NULL when out of memory. */
struct font_lock *font_lock_new(void);
/* No renderer may use it any more. NULL is ignored. */
void font_lock_free(struct font_lock *l);

/* Waits for and takes the lock (NULL: nothing). Not recursive. */
void font_lock_hold(struct font_lock *l);
void font_lock_release(struct font_lock *l);

/* Times the lock was taken, and the nanoseconds callers waited for it in all (and at most
 * once, into *longest_ns unless NULL): for the benchmark. */
long font_lock_taken(struct font_lock *l);
long long font_lock_waited_ns(struct font_lock *l, long long *longest_ns);

#endif
