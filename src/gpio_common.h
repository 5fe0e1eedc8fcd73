/* What both GPIO backends share: errno mapping, line offsets and the messages staff read. */
#ifndef TALLYKIOSK_GPIO_COMMON_H
#define TALLYKIOSK_GPIO_COMMON_H

#include <stddef.h>

#include "gpio.h"

enum gpio_status gpio_status_from_errno(int e);

/* Parses a line offset ("17"); returns 0, or -1 if s is a name. */
int gpio_parse_offset(const char *s, unsigned *out);

/* Writes what went wrong opening r's line, and the fix, into err. */
void gpio_explain(enum gpio_status s, const struct gpio_request *r, int e, char *err,
		  size_t errlen);

#endif
