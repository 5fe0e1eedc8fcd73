/* Checks on text that came from outside (config, control socket, database): pure functions. */
#ifndef TALLYKIOSK_TEXTCHECK_H
#define TALLYKIOSK_TEXTCHECK_H

#include <stddef.h>

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
int text_is_utf8(const char *s);

/* 1 if s is valid UTF-8, has no control characters (tab included) and is shorter than max bytes. */
int text_is_clean(const char *s, size_t max);

/* 1 if s has at least one character that is not a space. */
int text_has_visible(const char *s);

#endif
