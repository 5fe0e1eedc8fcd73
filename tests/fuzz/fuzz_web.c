/* libFuzzer target: what a phone or a script sends the staff web API. The first byte picks
 * the call (login, add, undo, goal, new-event, a call without a body, the card's size and
 * event as "SIZE&EVENT", the kiosk's clock, reopen, the venue's export, a new PIN asked for
 * with the current one) and the rest is its body, parsed exactly as web.c does (web_api_parse,
 * jansson); a parsed call's control request must then print as a valid request line. A
 * sign-in with the body as PIN and as session cookie exercises web_auth's comparisons. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "web_api.h"
#include "web_auth.h"

static const char *const paths[] = {
	"/api/login", "/api/add", "/api/undo", "/api/goal", "/api/new-event", "/api/status",
	"/api/card.png", "/api/logout", "/api/clock", "/api/reopen", "/api/export-venue.csv",
	"/api/pin",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *path = paths[data[0] % (sizeof paths / sizeof paths[0])];
	data++;
	size--;
	/* Exactly size bytes, no terminator: the parser must not read past them. */
	char *body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	const struct web_endpoint *e = web_api_find(path);
	struct web_call c;
	char code[32], msg[256];
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
	}
	/* The card's query: size before the first '&', the event after it. */
	char *event = text ? strchr(text, '&') : NULL;
	if (event)
		*event++ = '\0';
	int http = web_api_parse(e, body, size, text, event, &c, code, sizeof code, msg,
				 sizeof msg);
	if (event)
		event[-1] = '&';
	if (http == 0 && c.route == WEB_R_CARD && c.card_event < 0)
		abort();
	if (http == 0 && c.route != WEB_R_LOGIN && c.route != WEB_R_LOGOUT) {
		char line[CONTROL_LINE_MAX + 8], err[256];
		struct control_request back;
		int n = control_format(&c.req, line, sizeof line);
		/* What the web accepts, the control protocol accepts (but for fields that never
		 * travel on the wire: the case of an add, the most an undo may take back). */
		if (n > 0 && c.req.op != CONTROL_ADD && c.req.op != CONTROL_UNDO &&
		    control_parse(line, (size_t)n - 1, &back, err, sizeof err) != 0)
			abort();
	} else if (http && (http < 400 || http > 413)) {
		abort();
	}
	if (text) {
		struct web_auth *a = web_auth_new("12345678", "0123456789abcdef");
		if (a) {
			char tok[WEB_SESSION_HEX + 1];
			long long wait;
			int fails;
			web_auth_login(a, "10.0.0.1", text, 1000, tok, &wait, &fails);
			web_auth_check_pin(a, "10.0.0.2", text, 1000, &wait, &fails);
			web_auth_set_pin(a, web_pin_valid(text) ? text : "87654321", text);
			web_auth_session(a, text, 2000);
			web_auth_bearer(a, text);
			char *err_json = web_api_error_json(text, text);
			free(err_json);
			web_auth_free(a);
		}
		free(text);
	}
	free(body);
	return 0;
}
