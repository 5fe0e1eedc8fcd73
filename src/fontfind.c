/*
 * Font lookup through fontconfig (see fontfind.h), so kiosk.conf can name a font the way the
 * desktop does ("DejaVu Sans:bold") instead of a path that differs between Debian and Pi OS.
 *
 * A private fontconfig configuration is loaded per call and destroyed afterwards: the lookup
 * runs once at start-up, and this keeps no fontconfig state alive in the process.
 */
#include "fontfind.h"

#include <fontconfig/fontconfig.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* fontconfig's caches can name a file that has since been removed: check it is still there. */
static int is_readable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

int fontfind_path(const char *pattern, char *path, size_t pathlen)
{
	if (!path || pathlen == 0)
		return -1;
	path[0] = '\0';
	if (!pattern || !*pattern)
		return -1;

	int rc = -1;
	FcConfig *fc = FcInitLoadConfigAndFonts();
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
	if (fc)
		FcConfigDestroy(fc);
	return rc;
}
