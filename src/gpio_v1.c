/* See gpio.h: the libgpiod 1.6 backend (Debian 12, Raspberry Pi OS Bookworm). */
#include "gpio.h"

#include <errno.h>
#include <gpiod.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gpio_common.h"

#if !defined(GPIOD_LINE_BULK_MAX_LINES)
#error "gpio_v1.c needs libgpiod 1.x; build gpio_v2.c for libgpiod 2"
#endif

struct gpio_line {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	int fd;
};

const char *gpio_backend(void)
{
	return gpiod_version_string();
}

enum gpio_status gpio_open(struct gpio_line **out, const struct gpio_request *req, char *err,
			   size_t errlen)
{
	*out = NULL;
	struct gpio_line *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return GPIO_ERR_IO;
	}
	unsigned offset;
	int is_offset = gpio_parse_offset(req->line, &offset) == 0;
	enum gpio_status s = GPIO_OK;
	int e = 0;
	if (req->chip[0]) {
		l->chip = gpiod_chip_open_lookup(req->chip);
		if (!l->chip) {
			e = errno;
			s = gpio_status_from_errno(e);
			goto fail;
		}
		l->line = is_offset ? gpiod_chip_get_line(l->chip, offset)
				    : gpiod_chip_find_line(l->chip, req->line);
		if (!l->line) {
			e = errno;
			s = (e == ENOENT || e == EINVAL) ? GPIO_ERR_NOLINE : gpio_status_from_errno(e);
			goto fail;
		}
	} else {
		if (is_offset) {
			snprintf(err, errlen, "line %s: an offset needs a chip (chip = gpiochip0)",
				 req->line);
			free(l);
			return GPIO_ERR_NOLINE;
		}
		l->line = gpiod_line_find(req->line);
		if (!l->line) {
			e = errno;
			s = gpio_status_from_errno(e);
			goto fail;
		}
		l->chip = gpiod_line_get_chip(l->line);
	}
	int flags = req->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	switch (req->bias) {
	case CONFIG_BIAS_PULL_UP: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; break;
	case CONFIG_BIAS_PULL_DOWN: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; break;
	case CONFIG_BIAS_DISABLE: flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; break;
	default: break;
	}
	if (gpiod_line_request_both_edges_events_flags(l->line, req->consumer, flags) != 0) {
		e = errno;
		s = gpio_status_from_errno(e);
		if (s == GPIO_ERR_NOCHIP)
			s = GPIO_ERR_IO;
		l->line = NULL;
		goto fail;
	}
	l->fd = gpiod_line_event_get_fd(l->line);
	*out = l;
	return GPIO_OK;
fail:
	gpio_explain(s, req, e, err, errlen);
	gpio_close(l);
	return s;
}

int gpio_fd(const struct gpio_line *l)
{
	return l->fd;
}

int gpio_level(struct gpio_line *l)
{
	return gpiod_line_get_value(l->line);
}

int gpio_read(struct gpio_line *l, struct gpio_event *ev, int max)
{
	struct gpiod_line_event buf[16];
	int n = 0;
	while (n < max) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int r = poll(&p, 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
			return -1;
		if (r == 0)
			break;
		unsigned want = (unsigned)(max - n) < 16 ? (unsigned)(max - n) : 16;
		int got = gpiod_line_event_read_multiple(l->line, buf, want);
		if (got < 0)
			return -1;
		/* With ACTIVE_LOW the kernel reports edges of the logical level. */
		for (int i = 0; i < got; i++) {
			ev[n].t_ns = (int64_t)buf[i].ts.tv_sec * 1000000000 + buf[i].ts.tv_nsec;
			ev[n].active = buf[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
			n++;
		}
		if (got == 0)
			break;
	}
	return n;
}

void gpio_close(struct gpio_line *l)
{
	if (!l)
		return;
	if (l->line)
		gpiod_line_release(l->line);
	if (l->chip)
		gpiod_chip_close(l->chip);
	free(l);
}
