/*
 * The kiosk's GPIO inputs: every [gpio.NAME] line of the config with its debouncer. A line
 * that cannot be opened (chip missing, line busy, no permission) or that fails later is
 * offline: the others keep working, staff see why, and it is retried every few seconds so a
 * re-plugged sensor comes back by itself. All libgpiod calls happen on the loop's thread.
 */
#ifndef TALLYKIOSK_INPUT_H
#define TALLYKIOSK_INPUT_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct inputs;

/* Something an input did. flags are DEBOUNCE_* values. */
typedef void input_fn(void *ctx, const struct config_gpio *g, int flags, int64_t t_ns);

/* Sets up every configured line (none is fatal: failures are reported by inputs_problem and
 * retried). log(ctx, prio, msg) receives one line per state change of a line. */
int inputs_open(struct inputs **out, const struct config *cfg, input_fn *on_input,
		void (*log)(void *ctx, int prio, const char *msg), void *ctx, int64_t now_ns);

/* Fills fds for the open lines. Returns how many. */
int inputs_pollfds(struct inputs *in, struct pollfd *fds, int max);

/* Handles ready fds, due debounce deadlines and due retries. */
void inputs_service(struct inputs *in, const struct pollfd *fds, int n, int64_t now_ns);

/* The next time inputs_service has work without an fd event, or INT64_MAX. */
int64_t inputs_deadline(const struct inputs *in);

/* A one-line summary of what is wrong for staff ("" when all is well). */
void inputs_problem(const struct inputs *in, char *buf, size_t len);

void inputs_close(struct inputs *in);

#endif
