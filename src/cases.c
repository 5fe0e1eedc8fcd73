/*
 * The cases file: see cases.h.
 *
 * Like config.c, inih is fed through our own line reader, which counts lines, checks each
 * [section] line and stops at the first error. Stories are longer than inih's 200-byte line
 * buffer, so a value continues on indented lines; the reader joins those itself and hands
 * inih an empty line in their place. That keeps line numbers exact and does not depend on
 * the multi-line mode Debian's inih was built with.
 */
#include "cases.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini_lines.h"
#include "textcheck.h"

static const char *const field_names[CASES_NFIELDS] = { "name", "country", "headline",
							 "story" };

struct parse {
	struct ini_lines in;
	struct cases *c;
	struct case_entry *cur;        /* the section being read, NULL before the first */
	int set_line[2][CASES_NFIELDS + 2]; /* duplicates: fields, then photo and initials */
	char **open_value;             /* the value an indented line would continue */
	char open_key[32];             /* its key, for errors */
	int lang2_line;
	enum cases_status status;
};

__attribute__((format(printf, 3, 4)))
static void fail(struct parse *p, enum cases_status st, const char *fmt, ...)
{
	if (p->status != CASES_OK)
		return;
	p->status = st;
	va_list ap;
	va_start(ap, fmt);
	/* Keys and ids are quoted as the file has them (tests/e2e/test_bad_input_more.sh). */
	ini_lines_vfail(&p->in, fmt, ap);
	va_end(ap);
}

/* Checks text that will be shown: UTF-8, no control characters, not too long. */
static const char *text_problem(const char *s)
{
	if (!text_is_utf8(s))
		return "not valid UTF-8 text (save the file as UTF-8)";
	for (const char *u = s; *u; u += text_utf8_len(u))
		if (text_is_control(u))
			return "contains a control character (a tab?)";
	if (strlen(s) >= CASES_TEXT_MAX)
		return "too long (at most 1199 bytes: a few sentences)";
	return NULL;
}

static int valid_id(const char *s, size_t len)
{
	return len > 0 && len < CASES_ID_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
		       len;
}

static int valid_lang(const char *s)
{
	size_t n = strlen(s);
	return n >= 2 && n < CASES_LANG_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz") == n;
}

/* dir of the cases file + rel, unless rel is absolute. NULL when out of memory. */
static char *resolve(const char *cases_path, const char *rel)
{
	const char *slash = strrchr(cases_path, '/');
	size_t dlen = rel[0] == '/' || !slash ? 0 : (size_t)(slash - cases_path + 1);
	char *out = malloc(dlen + strlen(rel) + 1);
	if (out) {
		memcpy(out, cases_path, dlen);
		strcpy(out + dlen, rel);
	}
	return out;
}

static int set_text(struct parse *p, char **dst, const char *v, const char *key)
{
	const char *why = text_problem(v);
	if (why) {
		fail(p, CASES_ERR_VALUE, "[%s] %s: %s", p->cur->id, key, why);
		return 0;
	}
	*dst = strdup(v);
	if (!*dst) {
		fail(p, CASES_ERR_IO, "out of memory");
		return 0;
	}
	p->open_value = dst;
	snprintf(p->open_key, sizeof p->open_key, "%s", key);
	return 1;
}

static int set_photo(struct parse *p, const char *v)
{
	struct case_entry *e = p->cur;
	if (!*v)
		return 1; /* "photo =" is the same as no photo */
	if (text_problem(v)) {
		fail(p, CASES_ERR_VALUE, "[%s] photo: not a usable file name", e->id);
		return 0;
	}
	e->photo = resolve(p->in.path, v);
	if (!e->photo) {
		fail(p, CASES_ERR_IO, "out of memory");
		return 0;
	}
	if (access(e->photo, R_OK) != 0) {
		fail(p, CASES_ERR_VALUE, "[%s] photo: cannot read %s: %s", e->id, e->photo,
		     strerror(errno));
		return 0;
	}
	return 1;
}

static int set_initials(struct parse *p, const char *v)
{
	struct case_entry *e = p->cur;
	size_t chars = 0;
	for (const char *u = v; *u && text_utf8_len(u); u += text_utf8_len(u))
		chars++;
	if (!text_is_clean(v, sizeof e->initials) || chars == 0 || chars > 3 || strchr(v, ' ')) {
		fail(p, CASES_ERR_VALUE, "[%s] initials: expected 1 to 3 letters, no spaces",
		     e->id);
		return 0;
	}
	strcpy(e->initials, v);
	return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	if (p->status != CASES_OK)
		return 0;
	if (!p->cur) {
		fail(p, CASES_ERR_KEY, "%s: set before any [case] section", name);
		return 0;
	}
	(void)section;
	size_t vlen = strlen(value);
	char v[256];
	/* Quotes are optional, as in kiosk.conf, and are never shown. */
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value++;
		vlen -= 2;
	}
	snprintf(v, sizeof v, "%.*s", (int)vlen, value);

	char base[32];
	const char *dot = strchr(name, '.');
	int lang = dot != NULL;
	snprintf(base, sizeof base, "%.*s", (int)(dot ? (size_t)(dot - name) : strlen(name)), name);
	int field = -1;
	for (int i = 0; i < CASES_NFIELDS; i++)
		if (!strcmp(base, field_names[i]))
			field = i;
	int slot = field >= 0 ? field : !strcmp(name, "photo") ? CASES_NFIELDS
				 : !strcmp(name, "initials")   ? CASES_NFIELDS + 1
							       : -1;
	if (slot < 0 || (lang && field < 0)) {
		fail(p, CASES_ERR_KEY, "[%s] %s: unknown key (known keys: name, country, headline, "
				       "story, photo, initials, and KEY.LANG for a second language "
				       "such as story.fr)", p->cur->id, name);
		return 0;
	}
	if (lang) {
		if (!valid_lang(dot + 1)) {
			fail(p, CASES_ERR_KEY, "[%s] %s: the language after \".\" must be a 2 or 3 "
					       "letter code in lower case, such as fr", p->cur->id, name);
			return 0;
		}
		if (!p->c->lang2[0]) {
			strcpy(p->c->lang2, dot + 1);
			p->lang2_line = p->in.line;
		} else if (strcmp(p->c->lang2, dot + 1)) {
			fail(p, CASES_ERR_KEY, "[%s] %s: a second language \"%s\" was already used on "
					       "line %d; a cases file has one second language",
			     p->cur->id, name, p->c->lang2, p->lang2_line);
			return 0;
		}
	}
	int *set = &p->set_line[lang][slot];
	if (*set) {
		fail(p, CASES_ERR_KEY, "[%s] %s: duplicate key, first set on line %d (continue a "
				       "long value on indented lines)", p->cur->id, name, *set);
		return 0;
	}
	*set = p->in.line;
	if (slot == CASES_NFIELDS)
		return set_photo(p, v);
	if (slot == CASES_NFIELDS + 1)
		return set_initials(p, v);
	return set_text(p, &p->cur->text[lang][field], v, name);
}

/* An indented line: the rest of the value above, joined with one space. */
static void continue_value(struct parse *p, const char *more)
{
	if (!p->open_value) {
		fail(p, CASES_ERR_SYNTAX, "indented line with no \"key = value\" above it to continue");
		return;
	}
	size_t a = strlen(*p->open_value), b = strlen(more);
	char *s = realloc(*p->open_value, a + b + 2);
	if (!s) {
		fail(p, CASES_ERR_IO, "out of memory");
		return;
	}
	if (a > 0)
		s[a++] = ' ';
	memcpy(s + a, more, b + 1);
	*p->open_value = s;
	const char *why = text_problem(s);
	if (why)
		fail(p, CASES_ERR_VALUE, "[%s] %s: %s", p->cur->id, p->open_key, why);
}

/* Checks the section that just ended: it needs a name, a headline and a story. */
static void finish_case(struct parse *p)
{
	struct case_entry *e = p->cur;
	if (!e || p->status != CASES_OK)
		return;
	static const int required[] = { CASES_NAME, CASES_HEADLINE, CASES_STORY };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		const char *t = e->text[0][required[i]];
		if (!t || !text_has_visible(t)) {
			int at = p->in.line;
			p->in.line = e->line;
			fail(p, CASES_ERR_VALUE, "[%s] %s: missing or empty (every case needs a name, "
						 "a headline and a story)", e->id, field_names[required[i]]);
			p->in.line = at;
			return;
		}
	}
	if (!e->initials[0])
		cases_initials(e->text[0][CASES_NAME], e->initials, sizeof e->initials);
}

static void open_section(struct parse *p, const char *line)
{
	const char *end = strchr(line, ']');
	if (!end) {
		fail(p, CASES_ERR_SYNTAX, "not a \"key = value\" line or [section]");
		return;
	}
	const char *rest = end + 1 + strspn(end + 1, " \t\r");
	if (*rest && *rest != ';' && *rest != '#') {
		fail(p, CASES_ERR_SYNTAX, "unexpected text after [section]");
		return;
	}
	finish_case(p);
	if (p->status != CASES_OK)
		return;
	size_t len = (size_t)(end - line - 1);
	if (!valid_id(line + 1, len)) {
		fail(p, CASES_ERR_KEY, "[%.*s]: a case id is 1 to %d letters, digits, - or _",
		     (int)(len > 64 ? 64 : len), line + 1, CASES_ID_MAX - 1);
		return;
	}
	for (int i = 0; i < p->c->n; i++)
		if (strlen(p->c->v[i].id) == len && !strncmp(p->c->v[i].id, line + 1, len)) {
			fail(p, CASES_ERR_KEY, "[%s]: duplicate case, first on line %d",
			     p->c->v[i].id, p->c->v[i].line);
			return;
		}
	if (p->c->n == CASES_MAX) {
		fail(p, CASES_ERR_KEY, "[%.*s]: too many cases (at most %d)", (int)len, line + 1,
		     CASES_MAX);
		return;
	}
	p->cur = &p->c->v[p->c->n++];
	memcpy(p->cur->id, line + 1, len);
	p->cur->id[len] = '\0';
	p->cur->line = p->in.line;
	memset(p->set_line, 0, sizeof p->set_line);
}

/* inih's fgets replacement: one physical line per call, or NULL to end the parse. */
static char *read_line(char *buf, int num, void *stream)
{
	struct parse *p = stream;

	if (p->status != CASES_OK)
		return NULL;
	switch (ini_lines_read(&p->in, buf, num)) {
	case INI_LINES_OK:
		break;
	case INI_LINES_NUL:
		fail(p, CASES_ERR_SYNTAX, "contains a NUL byte (is this a text file?)");
		return NULL;
	case INI_LINES_TOO_LONG:
		fail(p, CASES_ERR_SYNTAX, "line too long (at most %d bytes; continue a long "
					  "value on indented lines)", num - 2);
		return NULL;
	case INI_LINES_IO:
		p->status = CASES_ERR_IO;
		return NULL;
	case INI_LINES_END:
		return NULL;
	}
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	size_t skip = p->in.line == 1 && !strncmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	size_t indent = strspn(buf + skip, " \t");
	char *s = buf + skip + indent;
	int blank = *s == '\0' || *s == ';' || *s == '#';

	if (!blank && indent > 0) {
		/* Cut an inline comment as inih does for the first line of a value. */
		for (char *q = s + 1; *q; q++)
			if (*q == ';' && (q[-1] == ' ' || q[-1] == '\t')) {
				*q = '\0';
				break;
			}
		size_t len = strlen(s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			s[--len] = '\0';
		continue_value(p, s);
		buf[0] = '\0';
	} else {
		/* Anything but a continuation ends the value above. */
		p->open_value = NULL;
		memmove(buf, s, strlen(s) + 1);
		if (buf[0] == '[')
			open_section(p, buf);
	}
	if (p->status != CASES_OK)
		return NULL;
	strcat(buf, "\n");
	return buf;
}

enum cases_status cases_load(struct cases *out, const char *path, char *err, size_t errlen)
{
	struct parse p = { .c = out };
	memset(out, 0, sizeof *out);
	if (ini_lines_open(&p.in, path, err, errlen) != 0)
		return CASES_ERR_IO;
	int rc = ini_parse_stream(read_line, &p, on_key, &p);
	ini_lines_close(&p.in);
	switch (ini_lines_finish(&p.in, rc)) {
	case 1:
		p.status = CASES_ERR_SYNTAX;
		break;
	case 2:
		p.status = CASES_ERR_IO;
		break;
	}
	if (p.status == CASES_OK)
		finish_case(&p);
	if (p.status == CASES_OK && out->n == 0) {
		p.in.line = p.in.line > 0 ? p.in.line : 1;
		fail(&p, CASES_ERR_VALUE, "no cases in the file (each case is a [id] section)");
	}
	return p.status;
}

void cases_free(struct cases *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++) {
		for (int l = 0; l < 2; l++)
			for (int f = 0; f < CASES_NFIELDS; f++)
				free(c->v[i].text[l][f]);
		free(c->v[i].photo);
	}
	memset(c, 0, sizeof *c);
}

const struct case_entry *cases_find(const struct cases *c, const char *id)
{
	for (int i = 0; c && id && i < c->n; i++)
		if (!strcmp(c->v[i].id, id))
			return &c->v[i];
	return NULL;
}

const char *cases_text(const struct case_entry *e, int lang, enum cases_field f)
{
	if (lang == 1 && e->text[1][f])
		return e->text[1][f];
	return e->text[0][f] ? e->text[0][f] : "";
}

int cases_has_lang2(const struct case_entry *e)
{
	for (int f = 0; f < CASES_NFIELDS; f++)
		if (e->text[1][f])
			return 1;
	return 0;
}

int cases_bundled_path(const char *exe_path, char *buf, size_t len)
{
	static const char *const rel[] = { "../share/tallykiosk/cases/cases.ini",
					   "../assets/cases/cases.ini" };
	const char *slash = exe_path ? strrchr(exe_path, '/') : NULL;
	if (!slash)
		return -1;
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		int n = snprintf(buf, len, "%.*s%s", (int)(slash - exe_path + 1), exe_path, rel[i]);
		if (n > 0 && (size_t)n < len && access(buf, R_OK) == 0) {
			/* Logs and errors show /x/assets/..., not /x/build/../assets/... */
			char *abs = realpath(buf, NULL);
			if (abs && strlen(abs) < len)
				strcpy(buf, abs);
			free(abs);
			return 0;
		}
	}
	return -1;
}

/* Copies the UTF-8 character at s into out (upper-cased if it is an ASCII letter). */
static size_t put_char(char *out, size_t room, const char *s)
{
	size_t n = text_utf8_len(s);
	if (n == 0 || n >= room)
		return 0;
	memcpy(out, s, n);
	if (n == 1 && out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
	return n;
}

/* Upper-case ASCII, or Latin-1 capitals (U+00C0..U+00DE but not U+00D7). */
static int is_capital(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] >= 'A' && u[0] <= 'Z')
		return 1;
	return u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E && u[1] != 0x97;
}

void cases_initials(const char *name, char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (!name || !text_is_utf8(name))
		return;
	name += strspn(name, " ");
	if (!*name)
		return;
	size_t o = put_char(buf, len, name);
	const char *first_end = name + strcspn(name, " ");
	const char *cap = NULL;
	/* The first capital of the last word (after the first) that has one. */
	for (const char *w = first_end; *w;) {
		w += strspn(w, " ");
		const char *end = w + strcspn(w, " ");
		for (const char *u = w; u < end && text_utf8_len(u); u += text_utf8_len(u))
			if (is_capital(u)) {
				cap = u;
				break;
			}
		w = end;
	}
	if (cap)
		o += put_char(buf + o, len - o, cap);
	buf[o] = '\0';
}
