/* See control.h. Everything arriving here is untrusted: lengths are checked before copies. */
#include "control.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "textcheck.h"

/*
 * How many bytes of s to quote in a message, at most max: never half a UTF-8 character, so
 * the reply stays valid text (the request was checked to be UTF-8 before any quoting).
 */
static int quote_len(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (n == max)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	return (int)n;
}

struct verb {
	const char *name;
	enum control_op op;
	enum { ARG_NONE, ARG_COUNT, ARG_NAME, ARG_FORMAT, ARG_WEB, ARG_CARD } arg;
	int takes_case; /* an optional case ID may follow the argument */
};

static const struct verb verbs[] = {
	{ "status", CONTROL_STATUS, ARG_NONE, 0 },   { "press", CONTROL_PRESS, ARG_NONE, 1 },
	{ "add", CONTROL_ADD, ARG_COUNT, 1 },        { "undo", CONTROL_UNDO, ARG_NONE, 0 },
	{ "new-event", CONTROL_NEW_EVENT, ARG_NAME, 0 }, { "goal", CONTROL_GOAL, ARG_COUNT, 0 },
	{ "events", CONTROL_EVENTS, ARG_NONE, 0 },   { "export", CONTROL_EXPORT_CSV, ARG_FORMAT, 0 },
	{ "reopen", CONTROL_REOPEN, ARG_NONE, 0 },
	{ "web", CONTROL_WEB, ARG_WEB, 0 },        { "card", CONTROL_CARD, ARG_CARD, 0 },
};

int control_case_id_ok(const char *id)
{
	size_t n = strlen(id);
	return n > 0 && n < CONTROL_CASE_MAX &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* The optional case after a press or an add: one ID, nothing after it. */
static int parse_case(const struct verb *v, const char *id, struct control_request *req,
		      char *err, size_t errlen)
{
	if (!control_case_id_ok(id)) {
		snprintf(err, errlen, "%s: case \"%.*s\" is not a case ID (1 to %d letters, digits, "
				      "_ or -)", v->name, quote_len(id, 40), id, CONTROL_CASE_MAX - 1);
		return -1;
	}
	strcpy(req->case_id, id);
	return 0;
}

int control_is_count(enum control_op op)
{
	return op == CONTROL_PRESS || op == CONTROL_ADD || op == CONTROL_UNDO;
}

int control_parse(const char *line, size_t len, struct control_request *req, char *err,
		  size_t errlen)
{
	char buf[CONTROL_LINE_MAX];
	memset(req, 0, sizeof *req);
	if (len >= sizeof buf) {
		snprintf(err, errlen, "request longer than %d bytes", CONTROL_LINE_MAX - 1);
		return -1;
	}
	if (memchr(line, '\0', len)) {
		snprintf(err, errlen, "request contains a NUL byte");
		return -1;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\r') /* tolerate CRLF from hand-typed socat sessions */
		buf[--len] = '\0';
	if (!text_is_clean(buf, sizeof buf)) {
		snprintf(err, errlen, "request is not printable UTF-8 text");
		return -1;
	}
	char *arg = strchr(buf, ' ');
	if (arg)
		*arg++ = '\0';
	const struct verb *v = NULL;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(buf, verbs[i].name) == 0)
			v = &verbs[i];
	if (!v) {
		snprintf(err, errlen, "unknown command \"%.*s\" (status, press, add, undo, "
				      "new-event, reopen, goal, events, export, web, card)", quote_len(buf, 40), buf);
		return -1;
	}
	req->op = v->op;
	if (v->arg == ARG_WEB) {
		if (!arg) {
			req->n = CONTROL_WEB_SHOW;
		} else if (strcmp(arg, "qr") == 0) {
			req->n = CONTROL_WEB_QR;
		} else if (strcmp(arg, "new-pin") == 0) {
			req->n = CONTROL_WEB_NEW_PIN;
		} else {
			snprintf(err, errlen, "web: \"%.20s\" is not qr or new-pin", arg);
			return -1;
		}
		return 0;
	}
	if (v->arg == ARG_CARD) {
		char *id = arg ? strchr(arg, ' ') : NULL;
		if (id)
			*id++ = '\0';
		if (!arg || (strcmp(arg, "square") && strcmp(arg, "wide"))) {
			snprintf(err, errlen, "card: the size is square or wide");
			return -1;
		}
		strcpy(req->name, arg);
		if (id && (numfmt_parse_count(id, 1000000000000LL, &req->n) || req->n < 1)) {
			snprintf(err, errlen, "card: \"%.20s\" is not an event number", id);
			return -1;
		}
		return 0;
	}
	if (v->arg == ARG_NONE) {
		if (arg && v->takes_case)
			return parse_case(v, arg, req, err, errlen);
		if (arg) {
			snprintf(err, errlen, "%s takes no argument", v->name);
			return -1;
		}
		return 0;
	}
	if (!arg || !*arg) {
		snprintf(err, errlen, "%s needs an argument", v->name);
		return -1;
	}
	switch (v->arg) {
	case ARG_COUNT: {
		long long min = v->op == CONTROL_ADD ? 1 : 0;
		char *case_id = v->takes_case ? strchr(arg, ' ') : NULL;
		if (case_id)
			*case_id++ = '\0';
		if (numfmt_parse_count(arg, STORE_COUNT_MAX, &req->n) || req->n < min) {
			snprintf(err, errlen, "%s: \"%.*s\" is not a whole number from %lld to %lld",
				 v->name, quote_len(arg, 40), arg, min, STORE_COUNT_MAX);
			return -1;
		}
		return case_id ? parse_case(v, case_id, req, err, errlen) : 0;
	}
	case ARG_NAME:
		if (strlen(arg) >= sizeof req->name || !text_has_visible(arg)) {
			snprintf(err, errlen, "%s: a name is 1 to %d bytes of text", v->name,
				 STORE_NAME_MAX - 1);
			return -1;
		}
		strcpy(req->name, arg);
		return 0;
	case ARG_FORMAT:
		if (strcmp(arg, "csv") == 0) {
			req->op = CONTROL_EXPORT_CSV;
		} else if (strcmp(arg, "json") == 0) {
			req->op = CONTROL_EXPORT_JSON;
		} else if (strcmp(arg, "venue") == 0) {
			req->op = CONTROL_EXPORT_VENUE;
		} else {
			snprintf(err, errlen, "export: format \"%.*s\" is not csv, json or venue",
				 quote_len(arg, 20), arg);
			return -1;
		}
		return 0;
	case ARG_NONE:
	case ARG_WEB:
	case ARG_CARD:
		break;
	}
	return -1;
}

int control_format(const struct control_request *req, char *buf, size_t len)
{
	int n;
	switch (req->op) {
	case CONTROL_STATUS: n = snprintf(buf, len, "status\n"); break;
	case CONTROL_PRESS:
		n = snprintf(buf, len, "press%s%s\n", req->case_id[0] ? " " : "", req->case_id);
		break;
	case CONTROL_ADD:
		n = snprintf(buf, len, "add %lld%s%s\n", req->n, req->case_id[0] ? " " : "",
			     req->case_id);
		break;
	case CONTROL_UNDO: n = snprintf(buf, len, "undo\n"); break;
	case CONTROL_NEW_EVENT: n = snprintf(buf, len, "new-event %s\n", req->name); break;
	case CONTROL_GOAL: n = snprintf(buf, len, "goal %lld\n", req->n); break;
	case CONTROL_EVENTS: n = snprintf(buf, len, "events\n"); break;
	case CONTROL_EXPORT_CSV: n = snprintf(buf, len, "export csv\n"); break;
	case CONTROL_EXPORT_JSON: n = snprintf(buf, len, "export json\n"); break;
	case CONTROL_REOPEN: n = snprintf(buf, len, "reopen\n"); break;
	case CONTROL_EXPORT_VENUE: n = snprintf(buf, len, "export venue\n"); break;
	case CONTROL_WEB:
		n = snprintf(buf, len, "web%s\n", req->n == CONTROL_WEB_QR	     ? " qr"
						 : req->n == CONTROL_WEB_NEW_PIN ? " new-pin"
										 : "");
		break;
	case CONTROL_CARD:
		n = req->n > 0 ? snprintf(buf, len, "card %s %lld\n", req->name, req->n)
			       : snprintf(buf, len, "card %s\n", req->name);
		break;
	default: return -1;
	}
	return (n < 0 || (size_t)n >= len || n >= CONTROL_LINE_MAX) ? -1 : n;
}

int control_reply_ok(size_t body_len, char *buf, size_t len)
{
	return snprintf(buf, len, "OK %zu\n", body_len);
}

int control_reply_err(const char *code, const char *msg, char *buf, size_t len)
{
	/* The message must stay one line whatever the store said. */
	int n = snprintf(buf, len, "ERR %s ", code);
	if (n < 0 || (size_t)n + 2 > len) /* room for at least the newline and the NUL */
		return -1;
	size_t i = (size_t)n;
	for (const char *p = msg; *p && i + 2 < len; p++)
		buf[i++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
	buf[i++] = '\n';
	buf[i] = '\0';
	return (int)i;
}

int control_parse_reply(const char *line, size_t *body_len, char *code, size_t codelen,
			char *msg, size_t msglen)
{
	if (strncmp(line, "OK ", 3) == 0) {
		long long n;
		if (numfmt_parse_count(line + 3, CONTROL_BODY_MAX, &n))
			return -1;
		*body_len = (size_t)n;
		return 1;
	}
	if (strncmp(line, "ERR ", 4) == 0) {
		const char *c = line + 4;
		const char *sp = strchr(c, ' ');
		size_t cl = sp ? (size_t)(sp - c) : strlen(c);
		if (cl == 0)
			return -1;
		snprintf(code, codelen, "%.*s", (int)cl, c);
		snprintf(msg, msglen, "%s", sp ? sp + 1 : "");
		return 0;
	}
	return -1;
}

static void copy_str(json_t *o, const char *key, char *out, size_t len)
{
	json_t *v = json_object_get(o, key);
	if (json_is_string(v))
		snprintf(out, len, "%s", json_string_value(v));
}

static void copy_int(json_t *o, const char *key, long long *out)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		*out = (long long)json_integer_value(v);
}

int control_parse_status(const char *json, struct control_status *out)
{
	memset(out, 0, sizeof *out);
	json_t *o = json_loads(json, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	/* An events list names each event "name"; a status names the current one "event". */
	json_t *ev = json_object_get(o, "event");
	if (!ev)
		ev = json_object_get(o, "name");
	int ok = json_is_string(ev) && json_is_integer(json_object_get(o, "total"));
	if (ok) {
		snprintf(out->event, sizeof out->event, "%s", json_string_value(ev));
		/* The name is shown on a terminal: no control characters from the file. */
		for (char *p = out->event; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
		copy_int(o, "total", &out->total);
		copy_int(o, "goal", &out->goal);
		copy_int(o, "event_id", &out->event_id);
		copy_int(o, "undone", &out->undone);
		copy_str(o, "started", out->started, sizeof out->started);
	}
	json_decref(o);
	return ok ? 0 : -1;
}
