/*
 * The physical-line reader that config.c and cases.c feed inih through, and their shared
 * "FILE:LINE: message" error.
 *
 * Debian's inih gives its handler no line number and carries on after errors, so both
 * parsers hand it whole lines themselves: this reader counts them, refuses NUL bytes and
 * lines longer than inih's buffer, and remembers only the first error (later ones are often
 * its echo).
 */
#ifndef TALLYKIOSK_INI_LINES_H
#define TALLYKIOSK_INI_LINES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum ini_lines_result {
	INI_LINES_OK = 0,
	INI_LINES_END,      /* no more lines */
	INI_LINES_NUL,      /* the line holds a NUL byte (the error is not yet recorded) */
	INI_LINES_TOO_LONG, /* buf holds the line's first num-2 bytes, NUL-terminated */
	INI_LINES_IO,       /* reading failed: the error is recorded */
};

struct ini_lines {
	FILE *f;
	const char *path;
	int line;     /* the line last read (1-based); 0 before the first */
	int failed;   /* an error was recorded: the parse ends */
	char *err;    /* the caller's buffer for the first error, may be NULL */
	size_t errlen;
};

/* Opens path for reading. Returns 0, or -1 with "PATH: cannot open: REASON" recorded. */
int ini_lines_open(struct ini_lines *r, const char *path, char *err, size_t errlen);
void ini_lines_close(struct ini_lines *r);

/*
 * Reads the next physical line into buf (at most num-2 bytes, leaving room for the '\n' and
 * '\0' inih expects), without its newline, and counts it. The line counter also moves on
 * for a line that is too long or holds a NUL, so an error names it.
 */
enum ini_lines_result ini_lines_read(struct ini_lines *r, char *buf, int num);

/* Records "PATH:LINE: message" (made printable) unless an error was recorded already. */
void ini_lines_fail(struct ini_lines *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ini_lines_vfail(struct ini_lines *r, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * After ini_parse_stream returned rc: inih's own syntax error, when it came first, becomes
 * "PATH:LINE: not a "key = value" line or [section]" (returns 1); rc < 0 (inih out of
 * memory) is recorded as such (returns 2); else 0.
 */
int ini_lines_finish(struct ini_lines *r, int rc);

#endif
