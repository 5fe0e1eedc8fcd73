/* See gpio_common.h. */
#include "gpio_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum gpio_status gpio_status_from_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return GPIO_ERR_NOCHIP;
	case EBUSY:
		return GPIO_ERR_BUSY;
	case EACCES:
	case EPERM:
		return GPIO_ERR_PERM;
	default:
		return GPIO_ERR_IO;
	}
}

int gpio_parse_offset(const char *s, unsigned *out)
{
	if (!*s || s[strspn(s, "0123456789")] || strlen(s) > 4)
		return -1;
	*out = (unsigned)strtoul(s, NULL, 10);
	return 0;
}

void gpio_explain(enum gpio_status s, const struct gpio_request *r, int e, char *err,
		  size_t errlen)
{
	const char *chip = r->chip[0] ? r->chip : "any chip";
	switch (s) {
	case GPIO_ERR_PERM:
		snprintf(err, errlen, "%s line %s: permission denied (%s); add the kiosk's user to "
				      "the gpio group", chip, r->line, strerror(e));
		break;
	case GPIO_ERR_BUSY:
		snprintf(err, errlen, "%s line %s: in use by another program (see gpioinfo)", chip,
			 r->line);
		break;
	case GPIO_ERR_NOCHIP:
		if (r->chip[0])
			snprintf(err, errlen, "chip %s not found (see gpiodetect)", r->chip);
		else
			snprintf(err, errlen, "no chip has a line named %s (see gpioinfo)", r->line);
		break;
	case GPIO_ERR_NOLINE:
		snprintf(err, errlen, "chip %s has no line %s (see gpioinfo)", chip, r->line);
		break;
	default:
		snprintf(err, errlen, "%s line %s: %s", chip, r->line, strerror(e));
		break;
	}
}
