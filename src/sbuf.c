/* See sbuf.h. A failed allocation is remembered so callers check once, at sbuf_take. */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_init(struct sbuf *b)
{
	memset(b, 0, sizeof *b);
}

static int sbuf_reserve(struct sbuf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (sbuf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sbuf_add_json_string(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', (char)*p };
			sbuf_addn(b, esc, 2);
		} else if (*p == '\n') {
			sbuf_add(b, "\\n");
		} else if (*p < 0x20 || *p == 0x7f) {
			sbuf_printf(b, "\\u%04x", *p);
		} else {
			sbuf_addn(b, (const char *)p, 1);
		}
	}
	sbuf_add(b, "\"");
}

void sbuf_add_csv_field(struct sbuf *b, const char *s)
{
	/* A leading = + - @ would make a spreadsheet run the field as a formula. */
	int formula = (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		sbuf_add(b, s);
		return;
	}
	sbuf_add(b, "\"");
	if (formula)
		sbuf_add(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sbuf_add(b, "\"");
		sbuf_addn(b, p, 1);
	}
	sbuf_add(b, "\"");
}

char *sbuf_take(struct sbuf *b)
{
	if (b->failed) {
		sbuf_free(b);
		return NULL;
	}
	if (!b->data)
		sbuf_addn(b, "", 0);
	char *p = b->data;
	if (b->failed)
		return NULL;
	sbuf_init(b);
	return p;
}

void sbuf_free(struct sbuf *b)
{
	free(b->data);
	sbuf_init(b);
}
