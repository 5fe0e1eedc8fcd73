/* Checks on text that came from outside (config, control socket, database): pure functions. */
#ifndef TALLYKIOSK_TEXTCHECK_H
#define TALLYKIOSK_TEXTCHECK_H

#include <stddef.h>

/* Length of the UTF-8 sequence at s, or 0 if it is malformed, overlong or a surrogate. */
size_t text_utf8_len(const char *s);

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
int text_is_utf8(const char *s);

/* 1 if the character at s is a control character: C0 (tab included), DEL or C1. */
int text_is_control(const char *s);

/* 1 if s is valid UTF-8, has no control characters and is shorter than max bytes. */
int text_is_clean(const char *s, size_t max);

/* 1 if s has at least one character that is not a space. */
int text_has_visible(const char *s);

/* Replaces, in place, each control character and each byte of malformed UTF-8 in s with '?':
 * for messages that quote a file's keys and ids, which must reach the log and a terminal as
 * one printable line (an ESC sequence in a key would otherwise colour or move the terminal). */
void text_make_printable(char *s);

#endif
