/*
 * The staff page's HTTP plumbing (see web_int.h): responses with the page's security
 * headers, JSON errors, the page's files (web_files.c) served from memory, and the caller's
 * address.
 */
#include "web_int.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "web_addr.h"
#include "web_api.h"
#include "web_files.h"

/* ---- responses ------------------------------------------------------------------------ */

static void common_headers(struct MHD_Response *r, const char *ctype)
{
	if (ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data: blob:; "
				"frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

/* Sends len bytes of data (taken over when owned; copied otherwise). */
enum MHD_Result web_http_send_data(struct MHD_Connection *c, unsigned http, const char *ctype,
				   char *data, size_t len, int owned, const char *extra_name,
				   const char *extra_value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, data, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free(data);
		return MHD_NO;
	}
	common_headers(r, ctype);
	if (extra_name)
		MHD_add_response_header(r, extra_name, extra_value);
	enum MHD_Result res = MHD_queue_response(c, http, r);
	MHD_destroy_response(r);
	return res;
}

enum MHD_Result web_http_send_json(struct MHD_Connection *c, unsigned http, char *json,
				   const char *extra_name, const char *extra_value)
{
	if (!json)
		return MHD_NO;
	return web_http_send_data(c, http, "application/json; charset=utf-8", json, strlen(json), 1,
				  extra_name, extra_value);
}

enum MHD_Result web_http_send_error(struct MHD_Connection *c, unsigned http, const char *code,
				    const char *msg)
{
	const char *name = NULL, *value = NULL;
	if (http == 405) {
		name = MHD_HTTP_HEADER_ALLOW;
		value = msg;
		msg = "method not allowed here";
	}
	return web_http_send_json(c, http, web_api_error_json(code, msg), name, value);
}

enum MHD_Result web_http_send_empty(struct MHD_Connection *c, unsigned http, const char *name,
				    const char *value)
{
	return web_http_send_data(c, http, NULL, (char *)"", 0, 0, name, value);
}

/* ---- the page's files --------------------------------------------------------------- */

enum MHD_Result web_http_serve_file(struct web *w, struct MHD_Connection *c, const char *url)
{
	const struct web_file *f = web_files_find(&w->files, strcmp(url, "/") == 0 ? "index.html"
										   : url + 1);
	if (!f)
		return web_http_send_error(c, 404, "not_found", "no such page");
	return web_http_send_data(c, 200, f->ctype, f->data, f->len, 0, "Cache-Control", "no-cache");
}

/* ---- the caller's address ----------------------------------------------------------- */

void web_http_client_addr(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	web_addr_text(ci ? ci->client_addr : NULL, buf, len);
}
