/*
 * A scripted GPIO backend for unit tests: implements src/gpio.h without hardware. Lines are
 * known by their `line` string from the request. A test queues edges with timestamps, makes a
 * line fail to open, unplugs it (the next read fails, or the fd hangs up) and plugs it back.
 * Each open line owns a real pipe so its fd works with poll(): the read end is readable while
 * edges are queued, and hangs up when the line is unplugged with hang-up.
 */
#ifndef TALLYKIOSK_FAKE_GPIO_H
#define TALLYKIOSK_FAKE_GPIO_H

#include <stdint.h>

#include "gpio.h"

#define FAKE_GPIO_MAX_EVENTS 4096

/* Forgets every line, closing any a failed test left open. */
void fake_gpio_reset(void);

/* The line's next opens fail with status and message (GPIO_OK: they succeed again). */
void fake_gpio_fail_open(const char *line, enum gpio_status status, const char *msg);

/* The level the line has when opened and before any edge (default 0, inactive). */
void fake_gpio_set_level(const char *line, int active);

/* Queues an edge: the line becomes active (1) or inactive (0) at t_ns. */
void fake_gpio_edge(const char *line, int64_t t_ns, int active);

/* Unplugs the open line: the next gpio_read returns -1 (hang_up 0), or its fd reports POLLHUP
 * (hang_up 1). Either way gpio_level then fails too. */
void fake_gpio_unplug(const char *line, int hang_up);

/* What the backend saw. */
int fake_gpio_opens(const char *line);    /* gpio_open calls, failed ones included */
int fake_gpio_closes(const char *line);   /* gpio_close calls on an open line */
int fake_gpio_is_open(const char *line);
int fake_gpio_queued(const char *line);   /* edges not read yet */
int fake_gpio_reads(const char *line);    /* gpio_read calls */
int fake_gpio_open_lines(void);           /* lines open now (0 after inputs_close) */
/* The request of the latest successful open of line (NULL if none). */
const struct gpio_request *fake_gpio_last_request(const char *line);

#endif
