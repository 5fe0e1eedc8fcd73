/* See textcheck.h. Names typed by staff end up on a screen and in CSV: keep them printable. */
#include "textcheck.h"

#include <string.h>

size_t text_utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	size_t n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

int text_is_utf8(const char *s)
{
	size_t n;
	for (; *s; s += n)
		if ((n = text_utf8_len(s)) == 0)
			return 0;
	return 1;
}

int text_is_control(const char *str)
{
	const unsigned char *u = (const unsigned char *)str;
	return *u < 0x20 || *u == 0x7F || (u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F);
}

int text_is_clean(const char *s, size_t max)
{
	if (strlen(s) >= max || !text_is_utf8(s))
		return 0;
	for (; *s; s += text_utf8_len(s))
		if (text_is_control(s))
			return 0;
	return 1;
}

int text_has_visible(const char *s)
{
	for (; *s; s++)
		if (*s != ' ')
			return 1;
	return 0;
}

void text_make_printable(char *s)
{
	while (*s) {
		size_t n = text_utf8_len(s);
		if (n && !text_is_control(s)) {
			s += n;
			continue;
		}
		for (size_t i = 0; i < (n ? n : 1); i++)
			*s++ = '?';
	}
}
