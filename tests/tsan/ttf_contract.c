/*
 * What FreeType and SDL_ttf say must not overlap, made visible to ThreadSanitizer.
 *
 * TSan sees only memory touched by code built with -fsanitize=thread, and Debian's SDL_ttf and
 * FreeType are not: two threads editing FreeType's list of faces at once go unseen. SDL_ttf
 * 2.20 opens every TTF_Font from one FT_Library, and FreeType's reference (FT_Library) allows
 * a library across threads only "as long as a mutex lock is used around FT_New_Face and
 * FT_Done_Face"; TTF_Init and TTF_Quit count their callers in a plain int. So the test binary
 * defines the four SDL_ttf functions the kiosk calls for that, in front of the library's (the
 * executable's definition wins; the real one is found with dlsym(RTLD_NEXT)), and each does
 * what the library does to its shared state: an unlocked read-modify-write, here of
 * library_state. Two calls not ordered by a lock (or another happens-before) are then a data
 * race TSan reports, naming this variable and both callers.
 *
 * SDL_image 2.6 likewise keeps what it has started in a plain int that every IMG_Init writes
 * (IMG_Load and IMG_SavePNG_RW call it, through the library's PLT, so the stand-in below sees
 * SDL_image's own calls too): image_state. Only one thread may use SDL_image.
 */
#define _GNU_SOURCE
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* Stands for SDL_ttf's FT_Library (its driver's list of faces) and its init count. */
static long library_state;
/* Stands for SDL_image's set of started formats. */
static long image_state;

static int (*real_init)(void);
static void (*real_quit)(void);
static TTF_Font *(*real_open_index)(const char *, int, long);
static void (*real_close)(TTF_Font *);
static int (*real_img_init)(int);

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "ttf_contract: %s not found in SDL_ttf or SDL_image\n", name);
		abort();
	}
	return f;
}

/* Before main, on one thread: the look-ups need no lock. */
__attribute__((constructor)) static void find_real(void)
{
	*(void **)&real_init = real("TTF_Init");
	*(void **)&real_quit = real("TTF_Quit");
	*(void **)&real_open_index = real("TTF_OpenFontIndex");
	*(void **)&real_close = real("TTF_CloseFont");
	*(void **)&real_img_init = real("IMG_Init");
}

int TTF_Init(void)
{
	library_state++;
	return real_init();
}

void TTF_Quit(void)
{
	library_state++;
	real_quit();
}

TTF_Font *TTF_OpenFontIndex(const char *file, int ptsize, long index)
{
	library_state++; /* FT_Open_Face: FT_List_Add(&driver->faces_list, ...) */
	return real_open_index(file, ptsize, index);
}

void TTF_CloseFont(TTF_Font *font)
{
	if (font)
		library_state++; /* FT_Done_Face: FT_List_Remove(&driver->faces_list, ...) */
	real_close(font);
}

int IMG_Init(int flags)
{
	image_state++; /* initialized |= result */
	return real_img_init(flags);
}
