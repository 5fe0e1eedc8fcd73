/*
 * kiosk.conf: see config.h.
 *
 * One table below describes every key: where it lives in struct config, its type, its range
 * and its default. config_defaults() and the parser both walk that table, so a default can
 * never disagree with what the parser accepts.
 *
 * inih does the INI splitting, but Debian's build gives the handler no line number, carries on
 * after errors and treats an indented line as the continuation of the previous value. So we
 * feed inih through our own line reader: it counts lines, checks [section] lines itself (an
 * empty unknown section would otherwise pass unseen), strips indentation (so "  goal = 5" is a
 * key, not part of the value above it) and stops the parse at the first error it or the
 * handler records. Only that first error is reported: later ones are often its echo.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "ini_lines.h"
#include "textcheck.h"

enum key_type { K_STRING, K_INT, K_BOOL, K_COLOR, K_ENUM };

enum {
	K_NONEMPTY = 1, /* "" would leave the screen blank, so it is a mistake */
	K_SOCKET = 2,   /* must fit in sockaddr_un.sun_path */
	K_ID = 4,       /* an MQTT topic level: A-Z a-z 0-9 . _ - */
	K_BROKER = 8,   /* config_mqtt_broker() */
	K_SECRET = 16,  /* a PIN or token: no spaces; at least min bytes when set */
	K_URL = 32,     /* "" or http(s)://... */
};

struct key {
	const char *section, *name;
	enum key_type type;
	size_t offset, size;
	long long min, max; /* K_INT only */
	unsigned flags;
	const char *def;
	const char *const *choices; /* K_ENUM: the accepted words; the field gets the index */
};

static const char *const rotate_words[] = { "0", "90", "180", "270", NULL };
static const char *const scope_words[] = { "venue", "campaign", NULL };
static const char *const renderer_words[] = { "auto", "gpu", "software", NULL };

#define FIELD(m) offsetof(struct config, m), sizeof(((struct config *)0)->m)

static const struct key keys[] = {
	{ "event", "name", K_STRING, FIELD(event_name), 0, 0, K_NONEMPTY, "Write for Rights 2026", NULL },
	{ "event", "goal", K_INT, FIELD(goal), 0, 1000000000, 0, "500", NULL },
	{ "event", "label", K_STRING, FIELD(label), 0, 0, K_NONEMPTY, "letters written", NULL },
	{ "event", "label_one", K_STRING, FIELD(label_one), 0, 0, 0, "", NULL },
	{ "event", "language", K_STRING, FIELD(language), 0, 0, 0, "en", NULL },
	{ "event", "label_lang2", K_STRING, FIELD(label_lang2), 0, 0, 0, "", NULL },
	{ "event", "label_one_lang2", K_STRING, FIELD(label_one_lang2), 0, 0, 0, "", NULL },
	{ "event", "thank_you", K_STRING, FIELD(thank_you), 0, 0, 0, "Thank you!", NULL },
	{ "event", "goal_offset", K_INT, FIELD(goal_offset), 0, 1000000000, 0, "0", NULL },
	{ "display", "fullscreen", K_BOOL, FIELD(fullscreen), 0, 0, 0, "true", NULL },
	{ "display", "width", K_INT, FIELD(window_width), 320, 7680, 0, "1280", NULL },
	{ "display", "height", K_INT, FIELD(window_height), 240, 4320, 0, "720", NULL },
	{ "display", "font", K_STRING, FIELD(font), 0, 0, K_NONEMPTY, "DejaVu Sans:bold", NULL },
	{ "display", "background", K_COLOR, FIELD(background), 0, 0, 0, "#000000", NULL },
	{ "display", "number", K_COLOR, FIELD(number), 0, 0, 0, "#FFE600", NULL },
	{ "display", "text", K_COLOR, FIELD(text), 0, 0, 0, "#FFFFFF", NULL },
	{ "display", "accent", K_COLOR, FIELD(accent), 0, 0, 0, "#FFE600", NULL },
	{ "display", "allow_quit", K_BOOL, FIELD(allow_quit), 0, 0, 0, "false", NULL },
	{ "display", "body_font", K_STRING, FIELD(body_font), 0, 0, K_NONEMPTY, "DejaVu Sans", NULL },
	{ "display", "rotate", K_ENUM, FIELD(rotate), 0, 0, 0, "0", rotate_words },
	{ "display", "carousel", K_BOOL, FIELD(carousel), 0, 0, 0, "true", NULL },
	{ "display", "carousel_interval", K_INT, FIELD(carousel_interval), 3, 600, 0, "12", NULL },
	{ "display", "milestone", K_INT, FIELD(milestone), 0, 1000000000, 0, "100", NULL },
	{ "display", "pixel_shift", K_BOOL, FIELD(pixel_shift), 0, 0, 0, "true", NULL },
	{ "display", "renderer", K_ENUM, FIELD(renderer), 0, 0, 0, "auto", renderer_words },
	{ "display", "frame_rate", K_INT, FIELD(frame_rate), 10, 60, 0, "30", NULL },
	{ "content", "cases", K_STRING, FIELD(cases), 0, 0, 0, "", NULL },
	{ "content", "alternate_languages", K_BOOL, FIELD(alternate_languages), 0, 0, 0, "true", NULL },
	{ "input", "keyboard", K_BOOL, FIELD(keyboard), 0, 0, 0, "true", NULL },
	{ "storage", "database", K_STRING, FIELD(database), 0, 0, 0, "", NULL },
	{ "storage", "socket", K_STRING, FIELD(socket), 0, 0, K_SOCKET, "", NULL },
	/* [mqtt]: several kiosks. Only used when the section is there. */
	{ "mqtt", "broker", K_STRING, FIELD(mqtt_broker), 0, 0, K_BROKER, "", NULL },
	{ "mqtt", "campaign", K_STRING, FIELD(mqtt_campaign), 0, 0, K_ID, "", NULL },
	{ "mqtt", "venue", K_STRING, FIELD(mqtt_venue), 0, 0, K_ID, "", NULL },
	{ "mqtt", "kiosk", K_STRING, FIELD(mqtt_kiosk), 0, 0, K_ID, "", NULL },
	{ "mqtt", "username", K_STRING, FIELD(mqtt_username), 0, 0, 0, "", NULL },
	{ "mqtt", "password_file", K_STRING, FIELD(mqtt_password_file), 0, 0, 0, "", NULL },
	{ "mqtt", "tls_ca", K_STRING, FIELD(mqtt_tls_ca), 0, 0, 0, "", NULL },
	{ "mqtt", "tls_cert", K_STRING, FIELD(mqtt_tls_cert), 0, 0, 0, "", NULL },
	{ "mqtt", "tls_key", K_STRING, FIELD(mqtt_tls_key), 0, 0, 0, "", NULL },
	{ "mqtt", "scope", K_ENUM, FIELD(mqtt_scope), 0, 0, 0, "venue", scope_words },
	{ "mqtt", "republish_seconds", K_INT, FIELD(mqtt_republish_seconds), 1, 3600, 0, "30", NULL },
	/* [web] */
	{ "web", "enabled", K_BOOL, FIELD(web_enabled), 0, 0, 0, "false", NULL },
	{ "web", "listen", K_STRING, FIELD(web_listen), 0, 0, K_NONEMPTY, "0.0.0.0:8080", NULL },
	{ "web", "pin", K_STRING, FIELD(web_pin), 6, 64, K_SECRET, "", NULL },
	{ "web", "public_url", K_STRING, FIELD(web_public_url), 0, 0, K_URL, "", NULL },
	{ "web", "tls_cert", K_STRING, FIELD(web_tls_cert), 0, 0, 0, "", NULL },
	{ "web", "tls_key", K_STRING, FIELD(web_tls_key), 0, 0, 0, "", NULL },
	{ "web", "api_token", K_STRING, FIELD(web_api_token), 16, 128, K_SECRET, "", NULL },
};

#define NKEYS (sizeof keys / sizeof keys[0])

static const char *const bias_words[] = { "as-is", "disable", "pull-up", "pull-down", NULL };
static const char *const kind_words[] = { "button", "beam", NULL };
static const char *const role_words[] = { "count", "staff-reset", NULL };

#define GFIELD(m) offsetof(struct config_gpio, m), sizeof(((struct config_gpio *)0)->m)
/* Timing defaults of "-1" are replaced by the kind's own (a beam is not a button). */
static const struct key gpio_keys[] = {
	{ "gpio", "chip", K_STRING, GFIELD(chip), 0, 0, 0, "", NULL },
	{ "gpio", "line", K_STRING, GFIELD(line), 0, 0, K_NONEMPTY, "", NULL },
	{ "gpio", "active_low", K_BOOL, GFIELD(active_low), 0, 0, 0, "true", NULL },
	{ "gpio", "bias", K_ENUM, GFIELD(bias), 0, 0, 0, "pull-up", bias_words },
	{ "gpio", "kind", K_ENUM, GFIELD(kind), 0, 0, 0, "button", kind_words },
	{ "gpio", "role", K_ENUM, GFIELD(role), 0, 0, 0, "count", role_words },
	{ "gpio", "case", K_STRING, GFIELD(case_id), 0, 0, 0, "", NULL },
	{ "gpio", "min_active_ms", K_INT, GFIELD(min_active_ms), 0, 1000, 0, "-1", NULL },
	{ "gpio", "release_ms", K_INT, GFIELD(release_ms), 0, 10000, 0, "-1", NULL },
	{ "gpio", "lockout_ms", K_INT, GFIELD(lockout_ms), 0, 10000, 0, "-1", NULL },
	{ "gpio", "stuck_ms", K_INT, GFIELD(stuck_ms), 0, 3600000, 0, "-1", NULL },
	{ "gpio", "hold_ms", K_INT, GFIELD(hold_ms), 500, 60000, 0, "3000", NULL },
};

#define NGKEYS (sizeof gpio_keys / sizeof gpio_keys[0])

/* min_active, release, lockout, stuck for a button and for a beam (ms). A button held for
 * half a minute is jammed; a letter takes well under a second to fall through a beam. */
static const int kind_timing[2][4] = { { 5, 40, 150, 30000 }, { 2, 60, 100, 5000 } };

static const char *const sections[] = { "event", "display", "input", "storage", "content",
					"mqtt", "web" };

#define SOCKET_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

int config_mqtt_broker(const char *broker, char *host, size_t hostlen, int *port, int *tls)
{
	*tls = 0;
	*port = 1883;
	if (!strncmp(broker, "mqtts://", 8)) {
		*tls = 1;
		*port = 8883;
		broker += 8;
	} else if (!strncmp(broker, "mqtt://", 7)) {
		broker += 7;
	}
	const char *end, *colon;
	if (*broker == '[') { /* [IPv6]:port */
		end = strchr(broker, ']');
		if (!end)
			return -1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -1;
		broker++;
	} else {
		colon = strrchr(broker, ':');
		end = colon ? colon : broker + strlen(broker);
	}
	size_t n = (size_t)(end - broker);
	if (n == 0 || n >= hostlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strchr(ID_CHARS ":", broker[i]) || !broker[i])
			return -1;
	if (colon) {
		const char *d = colon + 1;
		if (!*d || d[strspn(d, "0123456789")] || strlen(d) > 5 || atoi(d) < 1 || atoi(d) > 65535)
			return -1;
		*port = atoi(d);
	}
	memcpy(host, broker, n);
	host[n] = '\0';
	return 0;
}

struct parse {
	struct ini_lines in; /* in.line: the line inih is working on */
	int set_line[NKEYS]; /* where each key was set, to catch duplicates */
	int gpio_set_line[CONFIG_MAX_GPIO][NGKEYS];
	int cur_gpio;        /* index of the [gpio.NAME] section being read, or -1 */
	char section[80];    /* the section being read, for messages; "" before the first */
	struct config *cfg;
	enum config_status status;
};

/* Records the first error only; the reader then ends the parse. */
__attribute__((format(printf, 3, 4)))
static void fail(struct parse *p, enum config_status st, const char *fmt, ...)
{
	if (p->status != CONFIG_OK)
		return;
	p->status = st;
	va_list ap;
	va_start(ap, fmt);
	ini_lines_vfail(&p->in, fmt, ap);
	va_end(ap);
}

/*
 * Makes a value safe to quote in an error message, which must stay one printable line whatever
 * the file holds: control characters (and every non-ASCII byte of a value that is not UTF-8)
 * become \xNN, and a long value is cut at a character boundary.
 */
static const char *show(const char *v, char *out, size_t outlen)
{
	int bad_utf8 = !text_is_utf8(v);
	const unsigned char *u = (const unsigned char *)v;
	size_t o = 0;

	while (*u) {
		size_t n = bad_utf8 ? 1 : text_utf8_len((const char *)u);
		int esc = text_is_control((const char *)u) || (*u >= 0x80 && bad_utf8);
		if (o + 4 * n + 4 > outlen) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		for (size_t i = 0; i < n; i++, u++) {
			if (esc)
				o += (size_t)snprintf(out + o, outlen - o, "\\x%02X", *u);
			else
				out[o++] = (char)*u;
		}
	}
	out[o] = '\0';
	return out;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return -1;
}

int config_parse_color(const char *s, struct rgb *out)
{
	if (!s)
		return -1;
	if (*s == '#')
		s++;
	if (strlen(s) != 6 || strspn(s, "0123456789abcdefABCDEF") != 6)
		return -1;
	unsigned long v = strtoul(s, NULL, 16);
	*out = (struct rgb){ (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v };
	return 0;
}

/* Checks value against k and stores it; on failure says what is wrong in why. */
static int apply(void *base, const struct key *k, const char *value, char *why, size_t whylen)
{
	char *field = (char *)base + k->offset;
	char v[CONFIG_PATH_MAX], q[80], range[64] = "";
	const char *what = NULL, *hint = range;
	size_t len = strlen(value), max = k->flags & K_SOCKET ? SOCKET_MAX : k->size - 1;
	long long n;
	int b;

	/* Quotes are optional, and people who write them do not mean them to be shown. */
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value++;
		len -= 2;
	}
	if (len >= sizeof v) { /* cannot happen while inih's lines are shorter than v */
		snprintf(why, whylen, "far too long (%zu bytes)", len);
		return -1;
	}
	memcpy(v, value, len);
	v[len] = '\0';
	const unsigned char *u = (const unsigned char *)v;
	const char *digits = v + (v[0] == '-');

	switch (k->type) {
	case K_STRING:
		while (*u && !text_is_control((const char *)u))
			u++;
		if (!text_is_utf8(v)) {
			what = "not valid UTF-8 text";
			hint = " (save the file as UTF-8)";
		} else if (*u) {
			what = "contains a control character";
		} else if ((k->flags & K_NONEMPTY) && strspn(v, " ") == len) {
			what = "must not be empty";
		} else if (len > max) {
			what = k->flags & K_SOCKET ? "too long for a socket path" : "too long";
			snprintf(range, sizeof range, " (%zu bytes, at most %zu)", len, max);
		} else if ((k->flags & K_ID) && len && (v[strspn(v, ID_CHARS)] ||
						       !strcmp(v, "_event"))) {
			what = "not a name for MQTT topics";
			hint = " (1 to 63 of A-Z a-z 0-9 . _ -)";
		} else if ((k->flags & K_BROKER) && len &&
			   config_mqtt_broker(v, q, sizeof q, &b, &b) < 0) {
			what = "not a broker address";
			hint = " (HOST, HOST:PORT, mqtt://HOST:PORT or mqtts://HOST:PORT)";
		} else if ((k->flags & K_SECRET) && len &&
			   (len < (size_t)k->min || len > (size_t)k->max || strpbrk(v, " \t") ||
			    !text_is_clean(v, sizeof v) || v[strspn(v, "!\"#$%&'()*+,-./0123456789:;<=>"
							     "?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
							     "abcdefghijklmnopqrstuvwxyz{|}~")])) {
			/* The secret itself is never quoted back into a log. */
			snprintf(why, whylen, "must be %lld to %lld printable ASCII characters without "
					      "spaces (or empty)", k->min, k->max);
			return -1;
		} else if ((k->flags & K_URL) && len && strncmp(v, "http://", 7) &&
			   strncmp(v, "https://", 8)) {
			what = "not an http:// or https:// address";
		} else {
			memcpy(field, v, len + 1);
		}
		break;
	case K_INT:
		if (!*digits || digits[strspn(digits, "0123456789")]) {
			what = "not a whole number";
			hint = " (digits only, no spaces or commas)";
			break;
		}
		errno = 0;
		n = strtoll(v, NULL, 10);
		if (errno == ERANGE || n < k->min || n > k->max) {
			what = "out of range";
			snprintf(range, sizeof range, " (expected %lld to %lld)", k->min, k->max);
		} else if (k->size == sizeof(long long)) {
			memcpy(field, &n, sizeof n);
		} else {
			memcpy(field, &(int){ (int)n }, sizeof(int));
		}
		break;
	case K_BOOL:
		if (parse_bool(v, &b) < 0) {
			what = "not a yes/no value";
			hint = " (expected true, false, yes, no, on, off, 1 or 0)";
		} else {
			memcpy(field, &b, sizeof b);
		}
		break;
	case K_COLOR:
		if (config_parse_color(v, (struct rgb *)(void *)field) < 0) {
			what = "not a colour";
			hint = " (expected #rrggbb)";
		}
		break;
	case K_ENUM:
		for (b = 0; k->choices[b] && strcmp(k->choices[b], v); b++)
			;
		if (k->choices[b]) {
			memcpy(field, &b, sizeof b);
		} else {
			size_t o = (size_t)snprintf(range, sizeof range, " (expected");
			for (int i = 0; k->choices[i] && o < sizeof range; i++)
				o += (size_t)snprintf(range + o, sizeof range - o, "%s %s",
						      i ? "," : "", k->choices[i]);
			if (o < sizeof range)
				snprintf(range + o, sizeof range - o, ")");
			what = "not one of the choices";
		}
		break;
	}
	if (!what)
		return 0;
	snprintf(why, whylen, *v ? "%s \"%s\"%s" : "%s%.0s%s", what, show(v, q, sizeof q), hint);
	return -1;
}

void config_defaults(struct config *cfg)
{
	char why[8];
	memset(cfg, 0, sizeof *cfg);
	/* The table's defaults are valid (test_config checks every one), so this cannot fail. */
	for (size_t i = 0; i < NKEYS; i++)
		apply(cfg, &keys[i], keys[i].def, why, sizeof why);
}

/* Defaults of a gpio section, timings left at -1 until the kind is known. */
static void gpio_table_defaults(struct config_gpio *g)
{
	char why[8];
	memset(g, 0, sizeof *g);
	for (size_t i = 0; i < NGKEYS; i++)
		if (strcmp(gpio_keys[i].def, "-1") != 0)
			apply(g, &gpio_keys[i], gpio_keys[i].def, why, sizeof why);
	g->min_active_ms = g->release_ms = g->lockout_ms = g->stuck_ms = -1;
}

static void gpio_fill_timing(struct config_gpio *g)
{
	int *t[4] = { &g->min_active_ms, &g->release_ms, &g->lockout_ms, &g->stuck_ms };
	for (int i = 0; i < 4; i++)
		if (*t[i] < 0)
			*t[i] = kind_timing[g->kind == CONFIG_KIND_BEAM][i];
}

const char *config_label_one(const struct config *cfg)
{
	if (cfg->label_one[0])
		return cfg->label_one;
	return strcmp(cfg->label, "letters written") == 0 ? "letter written" : cfg->label;
}

void config_gpio_defaults(struct config_gpio *g, int kind)
{
	gpio_table_defaults(g);
	g->kind = kind;
	gpio_fill_timing(g);
}

static int on_gpio_key(struct parse *p, const char *section, const char *name,
		       const char *value)
{
	const struct key *k = NULL;
	char why[256];
	if (p->cur_gpio < 0) { /* inih saw a section our reader did not: never index with -1 */
		fail(p, CONFIG_ERR_SYNTAX, "[%s]: not a section header this parser understands",
		     section);
		return 0;
	}
	for (size_t i = 0; i < NGKEYS && !k; i++)
		if (!strcmp(gpio_keys[i].name, name))
			k = &gpio_keys[i];
	if (!k) {
		size_t o = 0;
		for (size_t i = 0; i < NGKEYS && o < sizeof why; i++)
			o += (size_t)snprintf(why + o, sizeof why - o, "%s%s", i ? ", " : "",
					      gpio_keys[i].name);
		fail(p, CONFIG_ERR_KEY, "[%s] %s: unknown key (known keys: %s)", section, name,
		     why);
		return 0;
	}
	size_t i = (size_t)(k - gpio_keys);
	int *set = &p->gpio_set_line[p->cur_gpio][i];
	if (*set) {
		fail(p, CONFIG_ERR_KEY, "[%s] %s: duplicate key, first set on line %d", section,
		     name, *set);
		return 0;
	}
	*set = p->in.line;
	if (apply(&p->cfg->gpio[p->cur_gpio], k, value, why, sizeof why) < 0) {
		fail(p, CONFIG_ERR_VALUE, "[%s] %s: %s", section, name, why);
		return 0;
	}
	return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const struct key *k = NULL;
	char why[256];

	if (p->status != CONFIG_OK)
		return 0;
	if (!strncmp(section, "gpio.", 5))
		return on_gpio_key(p, section, name, value);
	/* Outside any section, match the name in every section so the error can say where the
	 * key belongs. */
	for (size_t i = 0; i < NKEYS && !k; i++)
		if (!strcmp(keys[i].section, section[0] ? section : keys[i].section) &&
		    !strcmp(keys[i].name, name))
			k = &keys[i];
	if (!section[0]) {
		fail(p, CONFIG_ERR_KEY, "%s: set before any [section]%s%s%s", name,
		     k ? " (it belongs under [" : "", k ? k->section : "", k ? "])" : "");
		return 0;
	}
	if (!k) {
		size_t o = 0;
		why[0] = '\0';
		for (size_t i = 0; i < NKEYS; i++) {
			if (strcmp(keys[i].section, section) || o >= sizeof why)
				continue;
			o += (size_t)snprintf(why + o, sizeof why - o, "%s%s", o ? ", " : "",
					      keys[i].name);
		}
		fail(p, CONFIG_ERR_KEY, "[%s] %s: unknown key (known keys: %s)", section, name,
		     why);
		return 0;
	}
	size_t i = (size_t)(k - keys);
	if (p->set_line[i]) {
		fail(p, CONFIG_ERR_KEY, "[%s] %s: duplicate key, first set on line %d", section,
		     name, p->set_line[i]);
		return 0;
	}
	p->set_line[i] = p->in.line;
	if (k->offset == offsetof(struct config, cases))
		p->cfg->cases_line = p->in.line;
	if (apply(p->cfg, k, value, why, sizeof why) < 0) {
		fail(p, CONFIG_ERR_VALUE, "[%s] %s: %s", section, name, why);
		return 0;
	}
	return 1;
}

/* Starts a [gpio.NAME] section: NAME is a short word, used once. */
static void open_gpio_section(struct parse *p, const char *section)
{
	const char *n = section + 5;
	char q[80];
	size_t len = strlen(n);
	if (len == 0 || len >= CONFIG_GPIO_NAME_MAX ||
	    n[strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")]) {
		fail(p, CONFIG_ERR_KEY, "[%s]: the name after \"gpio.\" must be 1 to %d letters, "
					"digits, - or _", show(section, q, sizeof q),
		     CONFIG_GPIO_NAME_MAX - 1);
		return;
	}
	struct config *cfg = p->cfg;
	for (int i = 0; i < cfg->n_gpio; i++)
		if (!strcmp(cfg->gpio[i].name, n)) {
			fail(p, CONFIG_ERR_KEY, "[%s]: duplicate section, first on line %d", section,
			     cfg->gpio[i].section_line);
			return;
		}
	if (cfg->n_gpio == CONFIG_MAX_GPIO) {
		fail(p, CONFIG_ERR_KEY, "[%s]: too many inputs (at most %d)", section,
		     CONFIG_MAX_GPIO);
		return;
	}
	struct config_gpio *g = &cfg->gpio[cfg->n_gpio];
	gpio_table_defaults(g);
	strcpy(g->name, n);
	g->section_line = p->in.line;
	p->cur_gpio = cfg->n_gpio++;
}

/* Checks what only a whole [gpio.NAME] section can show, and fills in the kind's timings. */
static void finish_gpio(struct parse *p)
{
	for (int i = 0; i < p->cfg->n_gpio && p->status == CONFIG_OK; i++) {
		struct config_gpio *g = &p->cfg->gpio[i];
		p->in.line = g->section_line;
		if (!g->line[0])
			fail(p, CONFIG_ERR_VALUE, "[gpio.%s]: no line given (line = GPIO17, or an "
						  "offset such as 17)", g->name);
		else if (!g->chip[0] && strspn(g->line, "0123456789") == strlen(g->line))
			/* Every chip has a line 17: searching them all would pick one at random. */
			fail(p, CONFIG_ERR_VALUE, "[gpio.%s] line: the offset %s needs a chip "
						  "(chip = gpiochip0), or give the line's name "
						  "(line = GPIO%s)", g->name, g->line, g->line);
		else if (g->role == CONFIG_ROLE_STAFF_RESET && g->case_id[0])
			fail(p, CONFIG_ERR_VALUE, "[gpio.%s] case: a staff-reset line counts no "
						  "letters, so it has no case", g->name);
		gpio_fill_timing(g);
	}
}

/* An [mqtt] section needs a broker, a campaign and a venue; a password needs a username. */
static void finish_mqtt(struct parse *p)
{
	struct config *c = p->cfg;
	if (!c->mqtt)
		return;
	p->in.line = c->mqtt_line;
	if (!c->mqtt_broker[0])
		fail(p, CONFIG_ERR_VALUE, "[mqtt]: no broker given (broker = HOST[:PORT])");
	else if (!c->mqtt_campaign[0])
		fail(p, CONFIG_ERR_VALUE, "[mqtt]: no campaign given (campaign = a name shared by "
					  "every kiosk of the campaign)");
	else if (!c->mqtt_venue[0])
		fail(p, CONFIG_ERR_VALUE, "[mqtt]: no venue given (venue = a name shared by the "
					  "kiosks of one place)");
	else if (c->mqtt_password_file[0] && !c->mqtt_username[0])
		fail(p, CONFIG_ERR_VALUE, "[mqtt] password_file: set without a username");
	else if (!c->mqtt_tls_cert[0] != !c->mqtt_tls_key[0])
		fail(p, CONFIG_ERR_VALUE, "[mqtt]: tls_cert and tls_key go together");
}

/* A "[name]" line: the name must be known and nothing but a comment may follow. */
static void check_section(struct parse *p, const char *line)
{
	const char *end = strchr(line, ']');
	if (!end) {
		fail(p, CONFIG_ERR_SYNTAX, "not a \"key = value\" line or [section]");
		return;
	}
	const char *rest = end + 1 + strspn(end + 1, " \t\r");
	if (*rest && *rest != ';' && *rest != '#') {
		fail(p, CONFIG_ERR_SYNTAX, "unexpected text after [section]");
		return;
	}
	size_t len = (size_t)(end - line - 1);
	char q[80], name[256];
	snprintf(name, sizeof name, "%.*s", (int)len, line + 1);
	p->cur_gpio = -1;
	snprintf(p->section, sizeof p->section, "%.79s", name);
	if (!strcmp(name, "mqtt")) {
		p->cfg->mqtt = 1;
		p->cfg->mqtt_line = p->in.line;
	}
	if (!strncmp(name, "gpio.", 5)) {
		open_gpio_section(p, name);
		return;
	}
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (!strcmp(sections[i], name))
			return;
	fail(p, CONFIG_ERR_KEY,
	     "unknown section [%s] (known sections: [event], [display], [input], [storage], "
	     "[content], [mqtt], [web], [gpio.NAME])",
	     show(name, q, sizeof q));
}

/*
 * A line longer than inih takes. When it is a "key = value" line the value is what is too
 * long: name the key, as every other message about a value does (tests/e2e).
 */
static void line_too_long(struct parse *p, char *buf, int max)
{
	char *k = buf + strspn(buf, " \t\f\v\r"), q[80];
	size_t klen = strcspn(k, "=");
	if (k[klen] == '=' && p->section[0] && *k != '[' && *k != '#' && *k != ';') {
		while (klen && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
			klen--;
		k[klen] = '\0';
		fail(p, CONFIG_ERR_SYNTAX, "[%s] %s: line too long (at most %d bytes)", p->section,
		     show(k, q, sizeof q), max);
		return;
	}
	fail(p, CONFIG_ERR_SYNTAX, "line too long (at most %d bytes)", max);
}

/* inih's fgets replacement: one whole physical line per call, or NULL to end the parse. */
static char *read_line(char *buf, int num, void *stream)
{
	struct parse *p = stream;

	if (p->status != CONFIG_OK)
		return NULL;
	switch (ini_lines_read(&p->in, buf, num)) {
	case INI_LINES_OK:
		break;
	case INI_LINES_NUL:
		fail(p, CONFIG_ERR_SYNTAX, "contains a NUL byte (is this a text file?)");
		return NULL;
	case INI_LINES_TOO_LONG:
		line_too_long(p, buf, num - 2);
		return NULL;
	case INI_LINES_IO:
		p->status = CONFIG_ERR_IO;
		return NULL;
	case INI_LINES_END:
		return NULL;
	}
	size_t n = strlen(buf);

	/* A byte-order mark is not part of the text, and indentation must not make a line a
	 * continuation of the value above it (inih's multi-line mode). */
	size_t skip = 0;
	if (p->in.line == 1 && !strncmp(buf, "\xEF\xBB\xBF", 3))
		skip = 3;
	skip += strspn(buf + skip, " \t\f\v\r"); /* what inih takes for space */
	memmove(buf, buf + skip, n - skip + 1);
	if (buf[0] == '[')
		check_section(p, buf);
	if (p->status != CONFIG_OK)
		return NULL;
	strcat(buf, "\n");
	return buf;
}

enum config_status config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	struct parse p = { .cfg = cfg, .cur_gpio = -1 };

	if (ini_lines_open(&p.in, path, err, errlen) != 0)
		return CONFIG_ERR_IO;
	int rc = ini_parse_stream(read_line, &p, on_key, &p);
	ini_lines_close(&p.in);
	switch (ini_lines_finish(&p.in, rc)) {
	case 1:
		p.status = CONFIG_ERR_SYNTAX;
		break;
	case 2:
		p.status = CONFIG_ERR_IO;
		break;
	}
	if (p.status == CONFIG_OK)
		finish_gpio(&p);
	if (p.status == CONFIG_OK)
		finish_mqtt(&p);
	return p.status;
}
