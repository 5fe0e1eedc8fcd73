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
 *          time so the rate is exact whatever the emulation overhead; a
 *          phase that starts late slips instead of catching up, so no press
 *          is ever shorter, and no pause between presses ever shorter, than
 *          asked (a catch-up after a stall of the VM would make glitches)
 * Prints the elapsed time on stderr when SIMPULSE_VERBOSE is set.
 *
 * SIMPULSE_REPORT=FILE writes "max_up_gap_us U max_down_gap_us D edges N
 * span_us S" to FILE: U (D) is the longest time the line stayed pulled up
 * (down) between two of its edges, in guest CLOCK_MONOTONIC, measured from
 * before one write of the pull to after the next. The kernel takes an edge's
 * timestamp in the interrupt that the write raises, inside the write, so these
 * bound the gaps the kiosk's debounce saw from above. A host that stops the VM
 * in the middle of a bounce stretches them: the tests compare U (an active-low
 * button's released stretches) with the debounce's release window to know
 * whether the bounce still was one in the guest's time (tests/gpio/README.md).
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

/* The edges' times: each write of the pull is bracketed by a clock read before and after. */
struct edge_times {
	long n;
	struct timespec first, last_before, last_after;
	int last_up;          /* the pull the last write set */
	double max_gap_us[2]; /* [1]: the longest stretch pulled up, [0]: pulled down */
};

static double us_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

static int timed_write(struct edge_times *et, int fd, int up)
{
	struct timespec before;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &before);
	rc = write_pull(fd, up);
	clock_gettime(CLOCK_MONOTONIC, &et->last_after);
	if (et->n == 0) {
		et->first = before;
	} else {
		double gap = us_between(&et->last_before, &et->last_after);

		if (gap > et->max_gap_us[et->last_up])
			et->max_gap_us[et->last_up] = gap;
	}
	et->last_before = before;
	et->last_up = up;
	et->n++;
	return rc;
}

static void report_times(const struct edge_times *et)
{
	const char *path = getenv("SIMPULSE_REPORT");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "max_up_gap_us %.0f max_down_gap_us %.0f edges %ld span_us %.0f\n",
		et->max_gap_us[1], et->max_gap_us[0], et->n,
		et->n ? us_between(&et->first, &et->last_after) : 0.0);
	fclose(f);
}

/* t = the later of t and u */
static void not_before(struct timespec *t, const struct timespec *u)
{
	if (u->tv_sec > t->tv_sec || (u->tv_sec == t->tv_sec && u->tv_nsec > t->tv_nsec))
		*t = *u;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int press_train(const char *path, long n, long down_ms, long period_ms)
{
	struct edge_times et = { 0 };
	struct timespec t0, at, up_at, earliest;
	int fd = open(path, O_WRONLY);
	long i;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	at = t0;
	for (i = 0; i < n; i++) {
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
		if (timed_write(&et, fd, 0) < 0)
			goto fail;
		/* down for DOWN_MS from the planned time, or from the write if that was late */
		up_at = at;
		add_us(&up_at, down_ms * 1000);
		earliest = et.last_after;
		add_us(&earliest, down_ms * 1000);
		not_before(&up_at, &earliest);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &up_at, NULL);
		if (timed_write(&et, fd, 1) < 0)
			goto fail;
		add_us(&at, period_ms * 1000);
		earliest = et.last_after;
		add_us(&earliest, (period_ms - down_ms) * 1000);
		not_before(&at, &earliest);
	}
	report_times(&et);
	if (getenv("SIMPULSE_VERBOSE"))
		fprintf(stderr, "simpulse: %ld presses in %.1f ms, longest gap pulled up %.1f ms, "
			"down %.1f ms\n", n, ms_since(&t0), et.max_gap_us[1] / 1e3,
			et.max_gap_us[0] / 1e3);
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
	struct edge_times et = { 0 };
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
		if (timed_write(&et, fd, up) < 0) {
			perror("write pull");
			return 1;
		}
		if (i + 1 < n && gap_us > 0) {
			add_us(&next, gap_us);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	}
	report_times(&et);
	if (getenv("SIMPULSE_VERBOSE"))
		fprintf(stderr, "simpulse: %ld toggles in %.2f ms, longest gap pulled up %.2f ms, "
			"down %.2f ms, now %s\n", n, ms_since(&t0), et.max_gap_us[1] / 1e3,
			et.max_gap_us[0] / 1e3, up ? "pull-up" : "pull-down");
	close(fd);
	return 0;
}
