/*
 * simpulse.c - guest helper of the gpio-sim VM harness: toggles a gpio-sim
 * line's pull N times with GAP_US microseconds between toggles, for contact
 * bounce that a shell cannot make (under TCG each busybox usleep costs ~7 ms,
 * so a shell loop cannot put 10 toggles in 5 ms), and for press trains at an
 * exact rate. vm.sh builds it statically; the shell helpers `bounce` and
 * `press_train` use it.
 *
 * Usage: simpulse PULL_FILE N GAP_US
 *          starts from the pull the file reports (pull-up / pull-down) and
 *          flips it N times, GAP_US apart
 *        simpulse -p PULL_FILE N DOWN_MS PERIOD_MS
 *          a press train: N presses of an active-low button (pull-down for
 *          DOWN_MS, then pull-up), one every PERIOD_MS, paced on absolute
 *          time so the rate is exact whatever the emulation overhead
 * Prints the elapsed time on stderr when SIMPULSE_VERBOSE is set.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_pull(int fd, int up)
{
	const char *s = up ? "pull-up" : "pull-down";
	ssize_t n = pwrite(fd, s, strlen(s), 0);

	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void add_us(struct timespec *t, long us)
{
	t->tv_sec += us / 1000000;
	t->tv_nsec += (us % 1000000) * 1000;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int press_train(const char *path, long n, long down_ms, long period_ms)
{
	struct timespec t0, at;
	int fd = open(path, O_WRONLY);
	long i;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		at = t0;
		add_us(&at, i * period_ms * 1000);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
		if (write_pull(fd, 0) < 0)
			goto fail;
		add_us(&at, down_ms * 1000);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
		if (write_pull(fd, 1) < 0)
			goto fail;
	}
	if (getenv("SIMPULSE_VERBOSE"))
		fprintf(stderr, "simpulse: %ld presses in %.1f ms\n", n, ms_since(&t0));
	close(fd);
	return 0;
fail:
	perror("write pull");
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	char cur[32] = "";
	struct timespec t0, next;
	long n, gap_us, i;
	int fd, up;
	ssize_t r;

	if (argc == 6 && !strcmp(argv[1], "-p"))
		return press_train(argv[2], strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10),
				   strtol(argv[5], NULL, 10));
	if (argc != 4) {
		fprintf(stderr, "usage: %s PULL_FILE N GAP_US\n"
				"       %s -p PULL_FILE N DOWN_MS PERIOD_MS\n", argv[0], argv[0]);
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	gap_us = strtol(argv[3], NULL, 10);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	r = pread(fd, cur, sizeof(cur) - 1, 0);
	if (r <= 0) {
		perror("read pull");
		return 1;
	}
	up = strncmp(cur, "pull-up", 7) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	for (i = 0; i < n; i++) {
		up = !up;
		if (write_pull(fd, up) < 0) {
			perror("write pull");
			return 1;
		}
		if (i + 1 < n && gap_us > 0) {
			add_us(&next, gap_us);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	}
	if (getenv("SIMPULSE_VERBOSE"))
		fprintf(stderr, "simpulse: %ld toggles in %.2f ms, now %s\n", n, ms_since(&t0),
			up ? "pull-up" : "pull-down");
	close(fd);
	return 0;
}
