/*
 * smoke.c - the gpio-sim harness self-test program: counts falling edges
 * ("presses" of an active-low button) on one line with the libgpiod v1 API,
 * the same API the kiosk uses, so the harness can be shown working without
 * the kiosk.
 *
 * Usage: smoke CHIP LINE EXPECTED READY_FILE [TIMEOUT_S]
 *   CHIP  a path (/dev/gpiochip0), a name (gpiochip0), a label or a number
 *         (gpiod_chip_open_lookup)
 *   LINE  a line name (gpiod_chip_find_line) or an offset
 *
 * It requests falling-edge events with BIAS_PULL_UP (on gpio-sim the bias
 * sets the simulated pull, so the idle level must read 1), creates
 * READY_FILE so the guest script may start pressing, then counts falling
 * edges until EXPECTED were seen plus a 500 ms quiet period (to catch extra
 * edges) or TIMEOUT_S (default 20) passes. Prints
 * "SMOKE: COUNT=n EXPECTED=n ..." and exits 0 iff the count matches, no
 * other event type came, and the line read 1 at the start and at the end.
 */
#define _GNU_SOURCE
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct gpiod_line *find_line(struct gpiod_chip *chip, const char *spec)
{
	char *end;
	unsigned long off = strtoul(spec, &end, 10);

	if (*spec && !*end)
		return gpiod_chip_get_line(chip, (unsigned int)off);
	return gpiod_chip_find_line(chip, spec);
}

int main(int argc, char **argv)
{
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	struct gpiod_line_event ev;
	long expected, count = 0, other = 0;
	double timeout_s = 20.0, deadline, quiet_until = 0;
	int idle, final, ret;
	FILE *f;

	if (argc < 5) {
		fprintf(stderr, "usage: %s CHIP LINE EXPECTED READY_FILE [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	expected = strtol(argv[3], NULL, 10);
	if (argc > 5)
		timeout_s = strtod(argv[5], NULL);

	chip = gpiod_chip_open_lookup(argv[1]);
	if (!chip) {
		perror("smoke: gpiod_chip_open_lookup");
		return 3;
	}
	line = find_line(chip, argv[2]);
	if (!line) {
		fprintf(stderr, "smoke: no line '%s' on %s\n", argv[2], argv[1]);
		return 3;
	}
	printf("SMOKE: libgpiod %s, chip %s (label %s, %u lines), line %u '%s'\n",
	       gpiod_version_string(), gpiod_chip_name(chip), gpiod_chip_label(chip),
	       gpiod_chip_num_lines(chip), gpiod_line_offset(line),
	       gpiod_line_name(line) ? gpiod_line_name(line) : "");

	ret = gpiod_line_request_falling_edge_events_flags(line, "smoke",
							   GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP);
	if (ret < 0) {
		perror("smoke: gpiod_line_request_falling_edge_events_flags");
		return 3;
	}
	idle = gpiod_line_get_value(line);

	f = fopen(argv[4], "w");
	if (!f) {
		perror("smoke: ready file");
		return 3;
	}
	fputs("ready\n", f);
	fclose(f);

	deadline = now_s() + timeout_s;
	for (;;) {
		double t = now_s();
		struct timespec to = { 0, 100 * 1000 * 1000 };

		if (t >= deadline || (quiet_until > 0 && t >= quiet_until))
			break;
		ret = gpiod_line_event_wait(line, &to);
		if (ret < 0) {
			perror("smoke: gpiod_line_event_wait");
			return 3;
		}
		if (ret == 0)
			continue;
		if (gpiod_line_event_read(line, &ev) < 0) {
			perror("smoke: gpiod_line_event_read");
			return 3;
		}
		if (ev.event_type == GPIOD_LINE_EVENT_FALLING_EDGE) {
			if (++count == expected)
				quiet_until = now_s() + 0.5;
		} else {
			other++;
		}
	}
	final = gpiod_line_get_value(line);
	printf("SMOKE: COUNT=%ld EXPECTED=%ld OTHER_EVENTS=%ld IDLE=%d FINAL=%d\n", count,
	       expected, other, idle, final);
	fflush(stdout);
	gpiod_line_release(line);
	gpiod_chip_close(chip);
	return (count == expected && other == 0 && idle == 1 && final == 1) ? 0 : 1;
}
