/* libFuzzer target: what a kiosk reads from the broker. The first byte picks the parser
 * (topic, state, event); a payload that parses is formatted again, parsed again, and merged,
 * and must come back equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt_payload.h"
#include "pncounter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] % 3;
	data++;
	size--;
	char err[256];
	struct mqtt_topic t;
	if (which == 0) {
		char *text = malloc(size + 1);
		if (!text)
			return 0;
		memcpy(text, data, size);
		text[size] = '\0';
		mqtt_topic_parse(text, &t);
		free(text);
		return 0;
	}
	mqtt_topic_parse(which == 1 ? "tallykiosk/v1/camp/school/wfr-1/kiosk-a"
				    : "tallykiosk/v1/camp/school/_event/kiosk-a", &t);
	if (which == 1) {
		struct pn_state s, again;
		if (mqtt_parse_state((const char *)data, size, &t, &s, err, sizeof err) == 0) {
			char *json = mqtt_format_state(&s);
			if (!json || mqtt_parse_state(json, strlen(json), &t, &again, err, sizeof err) ||
			    memcmp(&s, &again, sizeof s))
				abort();
			free(json);
			struct pn_set set;
			pn_set_init(&set);
			if (pn_set_apply(&set, &s, 0, NULL, NULL) != PN_ADDED ||
			    pn_set_apply(&set, &again, 0, NULL, NULL) != PN_DUPLICATE ||
			    pn_set_total(&set, NULL, NULL) != pn_total(&s))
				abort();
			pn_set_free(&set);
		}
	} else {
		struct mqtt_event e, again;
		if (mqtt_parse_event((const char *)data, size, &t, &e, err, sizeof err) == 0) {
			char *json = mqtt_format_event(&e);
			if (!json || mqtt_parse_event(json, strlen(json), &t, &again, err, sizeof err) ||
			    memcmp(&e, &again, sizeof e))
				abort();
			free(json);
		}
	}
	return 0;
}
