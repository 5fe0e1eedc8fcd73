/* libFuzzer target: the control protocol, as the kiosk reads requests (control_parse) and as
 * tallyctl reads replies (control_parse_reply, control_parse_status). The first byte picks
 * the parser, so one corpus covers all three. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] % 3;
	data++;
	size--;
	char err[256];
	if (which == 0) {
		struct control_request req;
		/* Exactly size bytes, no terminator: the parser must not read past them. */
		char *line = malloc(size ? size : 1);
		if (!line)
			return 0;
		memcpy(line, data, size);
		if (control_parse(line, size, &req, err, sizeof err) == 0) {
			char buf[CONTROL_LINE_MAX + 8];
			control_format(&req, buf, sizeof buf);
		}
		free(line);
		return 0;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (which == 1) {
		size_t body_len;
		char code[32], msg[256];
		control_parse_reply(text, &body_len, code, sizeof code, msg, sizeof msg);
	} else {
		struct control_status cs;
		control_parse_status(text, &cs);
	}
	free(text);
	return 0;
}
