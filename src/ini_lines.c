/* See ini_lines.h. */
#include "ini_lines.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "textcheck.h"

int ini_lines_open(struct ini_lines *r, const char *path, char *err, size_t errlen)
{
	*r = (struct ini_lines){ .path = path, .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = '\0';
	r->f = fopen(path, "r");
	if (r->f)
		return 0;
	int e = errno;
	r->failed = 1;
	if (err && errlen)
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
	return -1;
}

void ini_lines_close(struct ini_lines *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}

enum ini_lines_result ini_lines_read(struct ini_lines *r, char *buf, int num)
{
	size_t n = 0;
	int c;

	while ((c = getc(r->f)) != EOF && c != '\n') {
		if (c == '\0') {
			r->line++;
			return INI_LINES_NUL;
		}
		if (n + 2 >= (size_t)num) {
			r->line++;
			buf[n] = '\0';
			return INI_LINES_TOO_LONG;
		}
		buf[n++] = (char)c;
	}
	if (ferror(r->f)) {
		int e = errno;
		if (!r->failed && r->err && r->errlen)
			snprintf(r->err, r->errlen, "%s: cannot read: %s", r->path, strerror(e));
		r->failed = 1;
		return INI_LINES_IO;
	}
	if (c == EOF && n == 0)
		return INI_LINES_END;
	buf[n] = '\0';
	r->line++;
	return INI_LINES_OK;
}

void ini_lines_vfail(struct ini_lines *r, const char *fmt, va_list ap)
{
	if (r->failed)
		return;
	r->failed = 1;
	if (!r->err || r->errlen == 0)
		return;
	int n = snprintf(r->err, r->errlen, "%s:%d: ", r->path, r->line);
	if (n < 0 || (size_t)n >= r->errlen)
		return;
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	/* Values are quoted by the callers; a key or section name is quoted as it was written. */
	text_make_printable(r->err + n);
}

void ini_lines_fail(struct ini_lines *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ini_lines_vfail(r, fmt, ap);
	va_end(ap);
}

int ini_lines_finish(struct ini_lines *r, int rc)
{
	/* inih keeps parsing after a line it cannot split, so its first error may come before
	 * the one our handler recorded; the reader hands it whole lines, so its line numbers
	 * match ours. */
	if (rc > 0 && (!r->failed || rc < r->line)) {
		r->failed = 0;
		r->line = rc;
		ini_lines_fail(r, "not a \"key = value\" line or [section]");
		return 1;
	}
	if (rc < 0 && !r->failed) {
		if (r->err && r->errlen)
			snprintf(r->err, r->errlen, "%s: cannot read: out of memory", r->path);
		r->failed = 1;
		return 2;
	}
	return 0;
}
