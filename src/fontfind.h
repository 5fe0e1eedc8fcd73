/*
 * Finds font files through fontconfig: the file for a pattern ("DejaVu Sans:bold") and the
 * fallbacks for characters a font lacks. A struct fontfind keeps fontconfig's configuration:
 * reading it (its XML files and the font caches) costs tens of milliseconds, so it is read on
 * the first look-up and then serves every later one. One owner, one thread at a time.
 */
#ifndef TALLYKIOSK_FONTFIND_H
#define TALLYKIOSK_FONTFIND_H

#include <stddef.h>
#include <stdint.h>

struct fontfind;

/* A finder whose configuration is loaded on its first look-up. NULL when out of memory. */
struct fontfind *fontfind_new(void);
void fontfind_free(struct fontfind *ff);

/* Writes the path of the best match for pattern into path. Returns 0, or -1 if none. */
int fontfind_path(struct fontfind *ff, const char *pattern, char *path, size_t pathlen);

/* A face of a font file that draws characters another font lacks. */
struct fontfind_face {
	char path[1024];
	int index;        /* the face in a collection (.ttc) */
	int color;        /* colour glyphs (emoji) */
	int strike_px;    /* > 0: a bitmap font with glyphs of this size only */
};

/*
 * Fontconfig's fallback for text the font at base_path cannot draw: FcFontSort with the base
 * font's family, weight and slant, the text's language (lang, e.g. "zh-cn", "ja"; NULL or ""
 * for none: it picks the Chinese, Japanese or Korean forms of shared ideographs) and the
 * charset of cps[0..n), so the fonts that cover most of those characters, in the closest
 * style, come first. For each code point which[i] is set to
 * the index in faces of the first face that has it (a colour face first where emoji[i] is set;
 * emoji may be NULL), or -1 when no installed font has it. Returns the number of faces written
 * (at most max_faces), or -1 when fontconfig fails.
 */
int fontfind_fallback(struct fontfind *ff, const char *base_path, const char *lang,
		      const uint32_t *cps, const unsigned char *emoji, int n,
		      struct fontfind_face *faces, int max_faces, int *which);

#endif
