/* Finds a font file for a fontconfig pattern ("DejaVu Sans:bold"). */
#ifndef TALLYKIOSK_FONTFIND_H
#define TALLYKIOSK_FONTFIND_H

#include <stddef.h>

/* Writes the path of the best match for pattern into path. Returns 0, or -1 if none. */
int fontfind_path(const char *pattern, char *path, size_t pathlen);

#endif
