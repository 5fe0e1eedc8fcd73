/*
 * One GPIO input line, requested for edge events: the only interface to libgpiod. The build
 * picks gpio_v1.c (libgpiod 1.6: Debian 12, Raspberry Pi OS Bookworm) or gpio_v2.c (libgpiod
 * 2.x: Debian 13, Trixie); the rest of the kiosk sees only this header. Every call happens on
 * the loop's thread.
 */
#ifndef TALLYKIOSK_GPIO_H
#define TALLYKIOSK_GPIO_H

#include <stddef.h>
#include <stdint.h>

enum gpio_status {
	GPIO_OK = 0,
	GPIO_ERR_NOCHIP, /* no such chip (or no chip has the named line) */
	GPIO_ERR_NOLINE, /* the chip has no such line */
	GPIO_ERR_BUSY,   /* another program holds the line */
	GPIO_ERR_PERM,   /* no permission to open the chip */
	GPIO_ERR_IO,     /* anything else, including a chip that went away */
};

struct gpio_event {
	int64_t t_ns; /* CLOCK_MONOTONIC time of the edge, from the kernel */
	int active;   /* the level after the edge: 1 active, 0 inactive (active_low applied) */
};

struct gpio_request {
	const char *chip;     /* "/dev/gpiochip0", "gpiochip0", a label, a number, or "" = any */
	const char *line;     /* a line name ("GPIO17") or an offset ("17") */
	int active_low;
	int bias;             /* enum config_bias */
	const char *consumer; /* shown by gpioinfo, e.g. "tallykiosk:button" */
};

struct gpio_line;

/* Requests the line for both edges. On error writes what is wrong and the fix into err. */
enum gpio_status gpio_open(struct gpio_line **out, const struct gpio_request *req, char *err,
			   size_t errlen);

/* The fd to poll for events (readable when edges are pending). */
int gpio_fd(const struct gpio_line *l);

/* The current level: 1 active, 0 inactive, -1 on error. */
int gpio_level(struct gpio_line *l);

/* Reads up to max pending edges without blocking. Returns how many, 0 if none, -1 if the line
 * failed (e.g. the chip was unplugged): close it and open it again later. */
int gpio_read(struct gpio_line *l, struct gpio_event *ev, int max);

/* Releases the line. Accepts NULL. */
void gpio_close(struct gpio_line *l);

/* The libgpiod version this build runs with ("1.6.3"). */
const char *gpio_backend(void);

#endif
