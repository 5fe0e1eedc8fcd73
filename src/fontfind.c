/*
 * Font lookup through fontconfig (see fontfind.h), so kiosk.conf can name a font the way the
 * desktop does ("DejaVu Sans:bold") instead of a path that differs between Debian and Pi OS.
 *
 * Each finder loads a private configuration (FcInitLoadConfigAndFonts, not fontconfig's global
 * default), so a renderer and the share-card thread never share fontconfig state, and
 * fontfind_free leaves none behind.
 */
#include "fontfind.h"

#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fontfind {
	FcConfig *fc;           /* NULL until the first look-up */
};

struct fontfind *fontfind_new(void)
{
	return calloc(1, sizeof(struct fontfind));
}

void fontfind_free(struct fontfind *ff)
{
	if (!ff)
		return;
	if (ff->fc)
		FcConfigDestroy(ff->fc);
	free(ff);
}

/* The configuration, read now if this is the first look-up; NULL if fontconfig fails (the
 * next look-up tries again). */
static FcConfig *config_of(struct fontfind *ff)
{
	if (ff && !ff->fc)
		ff->fc = FcInitLoadConfigAndFonts();
	return ff ? ff->fc : NULL;
}

/* fontconfig's caches can name a file that has since been removed: check it is still there. */
static int is_readable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

int fontfind_path(struct fontfind *ff, const char *pattern, char *path, size_t pathlen)
{
	if (!path || pathlen == 0)
		return -1;
	path[0] = '\0';
	if (!pattern || !*pattern)
		return -1;

	int rc = -1;
	FcConfig *fc = config_of(ff);
	FcPattern *pat = NULL;
	FcPattern *match = NULL;
	if (!fc)
		goto out;
	pat = FcNameParse((const FcChar8 *)pattern);
	if (!pat)
		goto out;
	if (!FcConfigSubstitute(fc, pat, FcMatchPattern))
		goto out;
	FcDefaultSubstitute(pat);

	FcResult res = FcResultNoMatch;
	match = FcFontMatch(fc, pat, &res);
	if (!match || res != FcResultMatch)
		goto out;

	FcChar8 *file = NULL;
	if (FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch || !file)
		goto out;
	size_t len = strlen((const char *)file);
	if (len >= pathlen || !is_readable_file((const char *)file))
		goto out;
	memcpy(path, file, len + 1);
	rc = 0;
out:
	if (match)
		FcPatternDestroy(match);
	if (pat)
		FcPatternDestroy(pat);
	return rc;
}

/* The style of the font at path as a pattern to sort by: family, weight, slant, width. */
static FcPattern *style_of(const char *path)
{
	FcPattern *pat = FcPatternCreate();
	if (!pat)
		return NULL;
	int count = 0;
	FcPattern *q = FcFreeTypeQuery((const FcChar8 *)path, 0, NULL, &count);
	if (!q)
		return pat;
	FcChar8 *family;
	int v;
	for (int i = 0; FcPatternGetString(q, FC_FAMILY, i, &family) == FcResultMatch; i++)
		FcPatternAddString(pat, FC_FAMILY, family);
	if (FcPatternGetInteger(q, FC_WEIGHT, 0, &v) == FcResultMatch)
		FcPatternAddInteger(pat, FC_WEIGHT, v);
	if (FcPatternGetInteger(q, FC_SLANT, 0, &v) == FcResultMatch)
		FcPatternAddInteger(pat, FC_SLANT, v);
	if (FcPatternGetInteger(q, FC_WIDTH, 0, &v) == FcResultMatch)
		FcPatternAddInteger(pat, FC_WIDTH, v);
	FcPatternDestroy(q);
	return pat;
}

/* The index of the face for font in faces, added if new; -1 when faces is full. */
static int face_slot(FcPattern *font, struct fontfind_face *faces, int *n_faces, int max_faces)
{
	FcChar8 *file = NULL;
	int index = 0;
	if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch || !file)
		return -1;
	FcPatternGetInteger(font, FC_INDEX, 0, &index);
	for (int i = 0; i < *n_faces; i++)
		if (faces[i].index == index && !strcmp(faces[i].path, (const char *)file))
			return i;
	size_t len = strlen((const char *)file);
	if (*n_faces >= max_faces || len >= sizeof faces[0].path ||
	    !is_readable_file((const char *)file))
		return -1;
	struct fontfind_face *f = &faces[*n_faces];
	memcpy(f->path, file, len + 1);
	f->index = index;
	FcBool b = FcFalse;
	f->color = FcPatternGetBool(font, FC_COLOR, 0, &b) == FcResultMatch && b;
	f->strike_px = 0;
	double px = 0;
	if (FcPatternGetBool(font, FC_SCALABLE, 0, &b) == FcResultMatch && !b &&
	    FcPatternGetDouble(font, FC_PIXEL_SIZE, 0, &px) == FcResultMatch && px > 0)
		f->strike_px = (int)(px + 0.5);
	return (*n_faces)++;
}

int fontfind_fallback(struct fontfind *ff, const char *base_path, const char *lang,
		      const uint32_t *cps, const unsigned char *emoji, int n,
		      struct fontfind_face *faces, int max_faces, int *which)
{
	for (int i = 0; i < n; i++)
		which[i] = -1;
	if (n <= 0)
		return 0;
	int n_faces = -1;
	FcConfig *fc = config_of(ff);
	FcPattern *pat = fc ? style_of(base_path) : NULL;
	FcCharSet *cs = FcCharSetCreate();
	FcFontSet *sorted = NULL;
	if (!pat || !cs)
		goto out;
	for (int i = 0; i < n; i++)
		FcCharSetAddChar(cs, cps[i]);
	FcPatternAddCharSet(pat, FC_CHARSET, cs);
	if (lang && *lang) {
		FcChar8 *norm = FcLangNormalize((const FcChar8 *)lang);
		FcPatternAddString(pat, FC_LANG, norm ? norm : (const FcChar8 *)lang);
		free(norm);
	}
	if (!FcConfigSubstitute(fc, pat, FcMatchPattern))
		goto out;
	FcDefaultSubstitute(pat);
	FcResult res = FcResultNoMatch;
	sorted = FcFontSort(fc, pat, FcTrue, NULL, &res);
	if (!sorted)
		goto out;
	n_faces = 0;
	/* Two passes: colour faces for emoji first, then the first face in the order at all. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			if (which[i] >= 0 || (pass == 0 && !(emoji && emoji[i])))
				continue;
			for (int k = 0; k < sorted->nfont; k++) {
				FcPattern *font = sorted->fonts[k];
				FcCharSet *fcs = NULL;
				FcBool color = FcFalse;
				if (pass == 0 && (FcPatternGetBool(font, FC_COLOR, 0, &color) !=
							  FcResultMatch || !color))
					continue;
				if (FcPatternGetCharSet(font, FC_CHARSET, 0, &fcs) != FcResultMatch ||
				    !FcCharSetHasChar(fcs, cps[i]))
					continue;
				int slot = face_slot(font, faces, &n_faces, max_faces);
				if (slot >= 0) {
					which[i] = slot;
					break;
				}
			}
		}
	}
out:
	if (sorted)
		FcFontSetDestroy(sorted);
	if (cs)
		FcCharSetDestroy(cs);
	if (pat)
		FcPatternDestroy(pat);
	return n_faces;
}
