/*
 * See gpio.h: the libgpiod 2.x backend (Debian 13, Raspberry Pi OS Trixie). v2 opens chips
 * by path only, so names, labels and "search every chip" walk /dev/gpiochip* here. Kernel
 * debounce stays off: debounce.c does it the same way for both backends.
 */
#include "gpio.h"

#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "gpio_common.h"

#if defined(GPIOD_LINE_BULK_MAX_LINES)
#error "gpio_v2.c needs libgpiod 2.x; build gpio_v1.c for libgpiod 1.6"
#endif

#define EVENT_BUFFER 64

struct gpio_line {
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *buf;
	unsigned offset;
};

const char *gpio_backend(void)
{
	return gpiod_api_version();
}

/* Opens the chip that req->chip names: a path, "gpiochipN", a number or a label. */
static struct gpiod_chip *open_named(const char *name)
{
	char path[300];
	unsigned n;
	if (name[0] == '/')
		return gpiod_chip_open(name);
	if (gpio_parse_offset(name, &n) == 0) {
		snprintf(path, sizeof path, "/dev/gpiochip%u", n);
		return gpiod_chip_open(path);
	}
	snprintf(path, sizeof path, "/dev/%s", name);
	if (strncmp(name, "gpiochip", 8) == 0)
		return gpiod_chip_open(path);
	/* A label: look at every chip. */
	DIR *d = opendir("/dev");
	if (!d)
		return NULL;
	struct gpiod_chip *found = NULL;
	int denied = 0;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, sizeof path, "/dev/%s", de->d_name);
		struct gpiod_chip *c = gpiod_chip_open(path);
		if (!c) {
			denied |= errno == EACCES || errno == EPERM;
			continue;
		}
		struct gpiod_chip_info *info = gpiod_chip_get_info(c);
		if (info && strcmp(gpiod_chip_info_get_label(info), name) == 0)
			found = c;
		else
			gpiod_chip_close(c);
		gpiod_chip_info_free(info);
	}
	closedir(d);
	if (!found)
		errno = denied ? EACCES : ENOENT;
	return found;
}

/* Finds a chip with a line called name; *offset is its offset. Pi 5 has a gpiochip symlink
 * beside the real node, so chips already seen (same device number) are skipped. */
static struct gpiod_chip *find_line(const char *name, unsigned *offset)
{
	DIR *d = opendir("/dev");
	if (!d)
		return NULL;
	dev_t seen[32];
	int nseen = 0, denied = 0;
	struct gpiod_chip *found = NULL;
	struct dirent *de;
	char path[300];
	while (!found && (de = readdir(d))) {
		struct stat sb;
		if (strncmp(de->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, sizeof path, "/dev/%s", de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		int dup = 0;
		for (int i = 0; i < nseen; i++)
			dup |= seen[i] == sb.st_rdev;
		if (dup)
			continue;
		if (nseen < 32)
			seen[nseen++] = sb.st_rdev;
		struct gpiod_chip *c = gpiod_chip_open(path);
		if (!c) {
			denied |= errno == EACCES || errno == EPERM;
			continue;
		}
		int off = gpiod_chip_get_line_offset_from_name(c, name);
		if (off >= 0) {
			*offset = (unsigned)off;
			found = c;
		} else {
			gpiod_chip_close(c);
		}
	}
	closedir(d);
	if (!found)
		errno = denied ? EACCES : ENOENT;
	return found;
}

static struct gpiod_line_request *request(struct gpiod_chip *chip, unsigned offset,
					  const struct gpio_request *r)
{
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;
	if (ls && lc && rc) {
		static const enum gpiod_line_bias bias[] = {
			[CONFIG_BIAS_AS_IS] = GPIOD_LINE_BIAS_AS_IS,
			[CONFIG_BIAS_DISABLE] = GPIOD_LINE_BIAS_DISABLED,
			[CONFIG_BIAS_PULL_UP] = GPIOD_LINE_BIAS_PULL_UP,
			[CONFIG_BIAS_PULL_DOWN] = GPIOD_LINE_BIAS_PULL_DOWN,
		};
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH);
		gpiod_line_settings_set_bias(ls, bias[r->bias]);
		gpiod_line_settings_set_active_low(ls, r->active_low);
		gpiod_line_settings_set_event_clock(ls, GPIOD_LINE_CLOCK_MONOTONIC);
		gpiod_request_config_set_consumer(rc, r->consumer);
		gpiod_request_config_set_event_buffer_size(rc, EVENT_BUFFER);
		if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) == 0)
			req = gpiod_chip_request_lines(chip, rc, lc);
	}
	int e = errno;
	gpiod_line_settings_free(ls);
	gpiod_line_config_free(lc);
	gpiod_request_config_free(rc);
	errno = e;
	return req;
}

enum gpio_status gpio_open(struct gpio_line **out, const struct gpio_request *r, char *err,
			   size_t errlen)
{
	*out = NULL;
	unsigned offset = 0;
	int is_offset = gpio_parse_offset(r->line, &offset) == 0;
	struct gpiod_chip *chip;
	enum gpio_status s;
	int e;
	if (!r->chip[0] && is_offset) {
		snprintf(err, errlen, "line %s: an offset needs a chip (chip = gpiochip0)", r->line);
		return GPIO_ERR_NOLINE;
	}
	chip = r->chip[0] ? open_named(r->chip) : find_line(r->line, &offset);
	if (!chip) {
		e = errno;
		s = gpio_status_from_errno(e);
		gpio_explain(s, r, e, err, errlen);
		return s;
	}
	if (r->chip[0] && !is_offset) {
		int off = gpiod_chip_get_line_offset_from_name(chip, r->line);
		if (off < 0) {
			gpiod_chip_close(chip);
			gpio_explain(GPIO_ERR_NOLINE, r, ENOENT, err, errlen);
			return GPIO_ERR_NOLINE;
		}
		offset = (unsigned)off;
	}
	struct gpiod_line_request *req = request(chip, offset, r);
	e = errno;
	gpiod_chip_close(chip); /* the request stands on its own */
	if (!req) {
		s = e == EINVAL ? GPIO_ERR_NOLINE : gpio_status_from_errno(e);
		if (s == GPIO_ERR_NOCHIP)
			s = GPIO_ERR_IO;
		gpio_explain(s, r, e, err, errlen);
		return s;
	}
	struct gpio_line *l = calloc(1, sizeof *l);
	struct gpiod_edge_event_buffer *buf = gpiod_edge_event_buffer_new(EVENT_BUFFER);
	if (!l || !buf) {
		free(l);
		gpiod_edge_event_buffer_free(buf);
		gpiod_line_request_release(req);
		snprintf(err, errlen, "out of memory");
		return GPIO_ERR_IO;
	}
	l->req = req;
	l->buf = buf;
	l->offset = offset;
	*out = l;
	return GPIO_OK;
}

int gpio_fd(const struct gpio_line *l)
{
	return gpiod_line_request_get_fd(l->req);
}

int gpio_level(struct gpio_line *l)
{
	enum gpiod_line_value v = gpiod_line_request_get_value(l->req, l->offset);
	return v == GPIOD_LINE_VALUE_ERROR ? -1 : v == GPIOD_LINE_VALUE_ACTIVE;
}

int gpio_read(struct gpio_line *l, struct gpio_event *ev, int max)
{
	int n = 0;
	while (n < max) {
		int ready = gpiod_line_request_wait_edge_events(l->req, 0);
		if (ready < 0)
			return -1;
		if (ready == 0)
			break;
		size_t want = (size_t)(max - n) < EVENT_BUFFER ? (size_t)(max - n) : EVENT_BUFFER;
		int got = gpiod_line_request_read_edge_events(l->req, l->buf, want);
		if (got < 0)
			return -1;
		for (int i = 0; i < got; i++) {
			struct gpiod_edge_event *e = gpiod_edge_event_buffer_get_event(l->buf, (unsigned long)i);
			ev[n].t_ns = (int64_t)gpiod_edge_event_get_timestamp_ns(e);
			ev[n].active = gpiod_edge_event_get_event_type(e) ==
				       GPIOD_EDGE_EVENT_RISING_EDGE;
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
	gpiod_edge_event_buffer_free(l->buf);
	gpiod_line_request_release(l->req);
	free(l);
}
