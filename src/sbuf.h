/* A growing text buffer for building replies, JSON and CSV. */
#ifndef TALLYKIOSK_SBUF_H
#define TALLYKIOSK_SBUF_H

#include <stddef.h>

struct sbuf {
	char *data;  /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	int failed;  /* set when an allocation failed; further appends are ignored */
};

void sbuf_init(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void sbuf_add_json_string(struct sbuf *b, const char *s);
/* Appends s as one CSV field (RFC 4180 quoting when needed). */
void sbuf_add_csv_field(struct sbuf *b, const char *s);
/* Hands the text to the caller (who frees it), or NULL if any allocation failed. */
char *sbuf_take(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif
