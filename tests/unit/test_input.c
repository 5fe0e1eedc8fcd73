/*
 * Unit tests for input.c, driven through a scripted GPIO backend (fake_gpio.c) the way the
 * kiosk's loop drives it: inputs_pollfds, poll() with no wait, inputs_service at a time the
 * test chooses. Times are passed explicitly, so the retry interval and every debounce deadline
 * are checked to the nanosecond without sleeping. The lines use the config's own defaults for
 * their kind (config_gpio_defaults): button 5/40/150 ms, beam 2/60/100 ms and stuck at 5 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "debounce.h"
#include "fake_gpio.h"
#include "input.h"
#include "log.h"

#define US(x) ((int64_t)(x) * 1000)
#define MS(x) ((int64_t)(x) * 1000000)
#define SEC(x) ((int64_t)(x) * 1000000000)
/* A monotonic clock that has been running a while, as on a real kiosk. */
#define T0 SEC(5000)
#define RETRY SEC(3) /* input.h: offline lines are retried every 3 s */

struct rec {
	const struct config_gpio *g;
	int flags;
	int64_t t;
};

struct logline {
	int prio;
	char msg[512];
};

struct world {
	struct config cfg;
	struct inputs *in;
	struct rec rec[512];
	int n_rec;
	struct logline log[64];
	int n_log;
};

static void on_input(void *ctx, const struct config_gpio *g, int flags, int64_t t_ns)
{
	struct world *w = ctx;
	/* Reported lines are the config's own, so the app can read role and case from them. */
	assert_true(g >= w->cfg.gpio && g < w->cfg.gpio + w->cfg.n_gpio);
	assert_int_not_equal(flags, 0);
	assert_true(w->n_rec < (int)(sizeof w->rec / sizeof w->rec[0]));
	w->rec[w->n_rec++] = (struct rec){ g, flags, t_ns };
}

static void on_log(void *ctx, int prio, const char *msg)
{
	struct world *w = ctx;
	assert_true(w->n_log < (int)(sizeof w->log / sizeof w->log[0]));
	w->log[w->n_log].prio = prio;
	snprintf(w->log[w->n_log].msg, sizeof w->log[0].msg, "%s", msg);
	w->n_log++;
}

static int setup(void **state)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	fake_gpio_reset();
	*state = &w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	inputs_close(w->in);
	w->in = NULL;
	/* inputs_close released every line it held */
	assert_int_equal(fake_gpio_open_lines(), 0);
	return 0;
}

static struct config_gpio *add_line(struct world *w, const char *name, const char *line,
				    int kind, int role, const char *case_id)
{
	struct config_gpio *g = &w->cfg.gpio[w->cfg.n_gpio++];
	config_gpio_defaults(g, kind);
	snprintf(g->name, sizeof g->name, "%s", name);
	snprintf(g->line, sizeof g->line, "%s", line);
	g->role = role;
	snprintf(g->case_id, sizeof g->case_id, "%s", case_id ? case_id : "");
	return g;
}

static void open_at(struct world *w, int64_t now)
{
	assert_int_equal(inputs_open(&w->in, &w->cfg, on_input, on_log, w, now), 0);
}

/* One turn of the kiosk's loop at time now: poll the lines' fds without waiting, service. */
static void service(struct world *w, int64_t now)
{
	struct pollfd fds[CONFIG_MAX_GPIO];
	int n = inputs_pollfds(w->in, fds, CONFIG_MAX_GPIO);
	assert_true(poll(fds, (nfds_t)n, 0) >= 0);
	inputs_service(w->in, fds, n, now);
}

/* Services at every deadline up to and including until, as the loop's timeout does. */
static void run_until(struct world *w, int64_t until)
{
	for (int guard = 0;; guard++) {
		assert_true(guard < 1000); /* a deadline that servicing does not move on */
		int64_t next = inputs_deadline(w->in);
		if (next > until)
			break;
		service(w, next);
	}
	service(w, until);
}

static int flagged(const struct world *w, const char *name, int flag)
{
	int n = 0;
	for (int i = 0; i < w->n_rec; i++)
		if (!strcmp(w->rec[i].g->name, name) && (w->rec[i].flags & flag))
			n++;
	return n;
}

static void problem(const struct world *w, char *buf, size_t len)
{
	inputs_problem(w->in, buf, len);
}

/* A press from now: active at t, released after held (clean edges). */
static void press(const char *line, int64_t t, int64_t held)
{
	fake_gpio_edge(line, t, 1);
	fake_gpio_edge(line, t + held, 0);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_opens_lines_as_configured(void **state)
{
	struct world *w = *state;
	struct config_gpio *g = add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON,
					 CONFIG_ROLE_COUNT, NULL);
	snprintf(g->chip, sizeof g->chip, "gpiochip0");
	g->active_low = 1;
	g->bias = CONFIG_BIAS_PULL_UP;
	open_at(w, T0);

	const struct gpio_request *req = fake_gpio_last_request("GPIO17");
	assert_non_null(req);
	assert_string_equal(req->chip, "gpiochip0");
	assert_string_equal(req->line, "GPIO17");
	assert_int_equal(req->active_low, 1);
	assert_int_equal(req->bias, CONFIG_BIAS_PULL_UP);
	assert_string_equal(req->consumer, "tallykiosk:button");

	assert_int_equal(w->n_log, 1);
	assert_int_equal(w->log[0].prio, LOG_PRIO_INFO);
	assert_non_null(strstr(w->log[0].msg, "gpio button: listening on gpiochip0 line GPIO17"));
	assert_null(strstr(w->log[0].msg, "again"));

	struct pollfd fds[4];
	assert_int_equal(inputs_pollfds(w->in, fds, 4), 1);
	assert_int_equal(fds[0].events, POLLIN);
	char buf[256];
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_true(inputs_deadline(w->in) == INT64_MAX);
}

static void test_clean_press_counts_once(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);
	const int64_t t = T0 + SEC(1);

	fake_gpio_edge("GPIO17", t, 1);
	service(w, t + US(200));
	assert_int_equal(w->n_rec, 0); /* not yet: min_active is 5 ms */
	assert_true(inputs_deadline(w->in) == t + MS(5));
	service(w, t + MS(5) - 1);
	assert_int_equal(w->n_rec, 0);
	service(w, t + MS(5));
	assert_int_equal(w->n_rec, 1);
	assert_int_equal(w->rec[0].flags, DEBOUNCE_COUNT);
	assert_true(w->rec[0].t == t + MS(5));
	assert_string_equal(w->rec[0].g->name, "button");

	/* Held, then released: nothing more, and the line re-arms once released and stable. */
	fake_gpio_edge("GPIO17", t + MS(200), 0);
	service(w, t + MS(200));
	assert_true(inputs_deadline(w->in) == t + MS(240));
	run_until(w, t + SEC(10));
	assert_int_equal(w->n_rec, 1);
	assert_true(inputs_deadline(w->in) == INT64_MAX);

	/* The next honest press counts again. */
	press("GPIO17", t + SEC(11), MS(100));
	service(w, t + SEC(11) + MS(150));
	run_until(w, t + SEC(12));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 2);
}

/* Honest presses at 4-5 a second all count; a second press sooner than the lockout (150 ms
 * from the count) does not, however clean its edges. */
static void test_fast_presses_and_the_lockout(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);
	int64_t t = T0 + SEC(1);
	for (int i = 0; i < 5; i++) {
		press("GPIO17", t + MS(220) * i, MS(60));
		service(w, t + MS(220) * i + MS(60));
		run_until(w, t + MS(220) * i + MS(200));
	}
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 5);

	t = T0 + SEC(3);
	press("GPIO17", t, MS(30));
	service(w, t + MS(30));
	press("GPIO17", t + MS(100), MS(30)); /* released for 70 ms, but 95 ms after the count */
	service(w, t + MS(130));
	run_until(w, t + SEC(1));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 6);
}

/* Contact bounce of a worn arcade button: on press, chatter and a break after a 6 ms closure;
 * on release, a 6 ms re-closure. Only a stable release may re-arm the line. */
static const struct {
	int64_t t_us;
	int active;
} bounce[] = {
	{ 0, 1 }, { 300, 0 }, { 700, 1 }, { 1500, 0 }, { 2000, 1 }, { 8000, 0 }, { 8400, 1 },
	{ 300000, 0 }, { 300400, 1 }, { 306600, 0 }, { 307000, 1 }, { 307500, 0 },
};
#define N_BOUNCE (sizeof bounce / sizeof bounce[0])

static void test_bounce_train_counts_once(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);

	/* All edges waiting at once (the loop was busy drawing). */
	int64_t t = T0 + SEC(1);
	for (size_t i = 0; i < N_BOUNCE; i++)
		fake_gpio_edge("GPIO17", t + US(bounce[i].t_us), bounce[i].active);
	service(w, t + MS(310));
	run_until(w, t + SEC(1));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 1);

	/* Edge by edge, serviced as each arrives and at every deadline between. */
	t = T0 + SEC(3);
	for (size_t i = 0; i < N_BOUNCE; i++) {
		run_until(w, t + US(bounce[i].t_us));
		fake_gpio_edge("GPIO17", t + US(bounce[i].t_us), bounce[i].active);
		service(w, t + US(bounce[i].t_us) + US(50));
	}
	run_until(w, t + SEC(1));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 2);
	assert_int_equal(w->n_rec, 2);
}

static void test_open_failure_reported_once_and_retried(void **state)
{
	struct world *w = *state;
	add_line(w, "slot", "GPIO27", CONFIG_KIND_BEAM, CONFIG_ROLE_COUNT, NULL);
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	fake_gpio_fail_open("GPIO27", GPIO_ERR_BUSY, "GPIO27 is busy: used by \"gpiomon\"");
	open_at(w, T0);

	assert_int_equal(fake_gpio_opens("GPIO27"), 1);
	assert_int_equal(w->n_log, 2); /* slot offline, button listening */
	assert_int_equal(w->log[0].prio, LOG_PRIO_ERR);
	assert_string_equal(w->log[0].msg, "gpio slot: offline: GPIO27 is busy: used by "
					   "\"gpiomon\"; retrying every 3 s");
	char buf[256];
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "Sensor slot offline: GPIO27 is busy: used by \"gpiomon\"");
	struct pollfd fds[4];
	assert_int_equal(inputs_pollfds(w->in, fds, 4), 1); /* only the button */
	assert_true(inputs_deadline(w->in) == T0 + RETRY);

	/* The other line counts meanwhile. */
	press("GPIO17", T0 + SEC(1), MS(80));
	service(w, T0 + SEC(1) + MS(90));
	run_until(w, T0 + SEC(2));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 1);

	/* Not retried before the interval, retried at it; the same error is not logged again. */
	service(w, T0 + RETRY - 1);
	assert_int_equal(fake_gpio_opens("GPIO27"), 1);
	service(w, T0 + RETRY);
	assert_int_equal(fake_gpio_opens("GPIO27"), 2);
	assert_int_equal(w->n_log, 2);
	assert_true(inputs_deadline(w->in) == T0 + 2 * RETRY);
	run_until(w, T0 + 4 * RETRY - 1);
	assert_int_equal(fake_gpio_opens("GPIO27"), 4);
	assert_int_equal(w->n_log, 2);

	/* A different reason is news: logged once, and shown to staff. */
	fake_gpio_fail_open("GPIO27", GPIO_ERR_NOCHIP, "no GPIO chip has a line GPIO27");
	service(w, T0 + 4 * RETRY);
	assert_int_equal(w->n_log, 3);
	assert_int_equal(w->log[2].prio, LOG_PRIO_ERR);
	assert_non_null(strstr(w->log[2].msg, "gpio slot: offline: no GPIO chip has a line GPIO27"));
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "Sensor slot offline: no GPIO chip has a line GPIO27");

	/* Plugged in: back at the next retry, said once, and it counts. */
	fake_gpio_fail_open("GPIO27", GPIO_OK, NULL);
	service(w, T0 + 5 * RETRY - 1);
	assert_false(fake_gpio_is_open("GPIO27"));
	service(w, T0 + 5 * RETRY);
	assert_true(fake_gpio_is_open("GPIO27"));
	assert_int_equal(w->n_log, 4);
	assert_int_equal(w->log[3].prio, LOG_PRIO_INFO);
	assert_non_null(strstr(w->log[3].msg, "gpio slot: listening on any chip line GPIO27 "
					      "(beam, count, libgpiod fake) again"));
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_int_equal(inputs_pollfds(w->in, fds, 4), 2);
	assert_true(inputs_deadline(w->in) == INT64_MAX);

	const int64_t t = T0 + 5 * RETRY + SEC(1);
	press("GPIO27", t, MS(30));
	service(w, t + MS(40));
	run_until(w, t + SEC(1));
	assert_int_equal(flagged(w, "slot", DEBOUNCE_COUNT), 1);
	assert_int_equal(fake_gpio_opens("GPIO27"), 6);
}

/* A line that fails while open: by a failed read (hang_up 0) or a hung-up fd (hang_up 1). */
static void offline_and_back(struct world *w, int hang_up)
{
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);
	press("GPIO17", T0 + SEC(1), MS(100));
	service(w, T0 + SEC(1) + MS(100));
	run_until(w, T0 + SEC(2));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 1);
	int logs = w->n_log;

	const int64_t gone = T0 + SEC(5);
	fake_gpio_unplug("GPIO17", hang_up);
	service(w, gone);
	assert_false(fake_gpio_is_open("GPIO17"));
	assert_int_equal(fake_gpio_closes("GPIO17"), 1);
	assert_int_equal(w->n_log, logs + 1);
	assert_int_equal(w->log[logs].prio, LOG_PRIO_ERR);
	assert_non_null(strstr(w->log[logs].msg,
			       hang_up ? "gpio button: offline: the line failed (chip unplugged?)"
				       : "gpio button: offline: the line stopped answering"));
	assert_non_null(strstr(w->log[logs].msg, "retrying every 3 s"));
	char buf[256];
	problem(w, buf, sizeof buf);
	assert_non_null(strstr(buf, hang_up ? "Sensor button offline: the line failed"
					    : "Sensor button offline: the line stopped answering"));
	struct pollfd fds[4];
	assert_int_equal(inputs_pollfds(w->in, fds, 4), 0);
	assert_true(inputs_deadline(w->in) == gone + RETRY);

	/* Still unplugged at the first retry: the open fails, said once. */
	fake_gpio_fail_open("GPIO17", GPIO_ERR_NOCHIP, "no GPIO chip has a line GPIO17");
	service(w, gone + RETRY - 1);
	assert_int_equal(fake_gpio_opens("GPIO17"), 1);
	service(w, gone + RETRY);
	assert_int_equal(fake_gpio_opens("GPIO17"), 2);
	assert_int_equal(w->n_log, logs + 2);
	service(w, gone + 2 * RETRY);
	assert_int_equal(fake_gpio_opens("GPIO17"), 3);
	assert_int_equal(w->n_log, logs + 2);

	fake_gpio_fail_open("GPIO17", GPIO_OK, NULL);
	service(w, gone + 3 * RETRY);
	assert_true(fake_gpio_is_open("GPIO17"));
	assert_int_equal(w->n_log, logs + 3);
	assert_int_equal(w->log[logs + 2].prio, LOG_PRIO_INFO);
	assert_non_null(strstr(w->log[logs + 2].msg, "gpio button: listening on"));
	assert_non_null(strstr(w->log[logs + 2].msg, " again"));
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");

	const int64_t t = gone + 3 * RETRY + SEC(1);
	press("GPIO17", t, MS(100));
	service(w, t + MS(100));
	run_until(w, t + SEC(1));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 2);
}

static void test_failed_read_goes_offline_and_back(void **state)
{
	offline_and_back(*state, 0);
}

static void test_hang_up_goes_offline_and_back(void **state)
{
	offline_and_back(*state, 1);
}

static void test_staff_hold_fires_after_hold_ms(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	struct config_gpio *staff = add_line(w, "reset", "GPIO22", CONFIG_KIND_BUTTON,
					     CONFIG_ROLE_STAFF_RESET, NULL);
	assert_int_equal(staff->hold_ms, 3000); /* the config's default */
	staff->hold_ms = 2000;
	open_at(w, T0);

	const int64_t t = T0 + SEC(1);
	fake_gpio_edge("GPIO22", t, 1);
	service(w, t);
	assert_true(inputs_deadline(w->in) == t + MS(5));
	service(w, t + MS(5));
	assert_int_equal(w->n_rec, 1);
	assert_int_equal(w->rec[0].flags, DEBOUNCE_COUNT | DEBOUNCE_HOLD_START);
	assert_ptr_equal(w->rec[0].g, staff);
	/* The hold is due hold_ms after it began. */
	assert_true(inputs_deadline(w->in) == t + MS(5) + MS(2000));
	service(w, t + MS(2005) - 1);
	assert_int_equal(w->n_rec, 1);
	service(w, t + MS(2005));
	assert_int_equal(w->n_rec, 2);
	assert_int_equal(w->rec[1].flags, DEBOUNCE_HOLD_DONE);
	assert_ptr_equal(w->rec[1].g, staff);
	assert_true(w->rec[1].t == t + MS(2005));

	/* Held on for a minute: a staff line is never "stuck", and nothing else fires. */
	assert_true(inputs_deadline(w->in) == INT64_MAX);
	run_until(w, t + SEC(60));
	fake_gpio_edge("GPIO22", t + SEC(60), 0);
	service(w, t + SEC(60));
	run_until(w, t + SEC(70));
	assert_int_equal(w->n_rec, 2);
	char buf[256];
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_int_equal(flagged(w, "button", ~0), 0);
}

static void test_staff_short_press_is_cancelled(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	struct config_gpio *staff = add_line(w, "reset", "GPIO22", CONFIG_KIND_BUTTON,
					     CONFIG_ROLE_STAFF_RESET, NULL);
	open_at(w, T0);

	/* A bounce in the middle of a hold is not letting go: the hold still completes. */
	int64_t t = T0 + SEC(1);
	fake_gpio_edge("GPIO22", t, 1);
	fake_gpio_edge("GPIO22", t + MS(1000), 0);
	fake_gpio_edge("GPIO22", t + MS(1010), 1);
	service(w, t + MS(1020));
	run_until(w, t + SEC(4));
	assert_int_equal(flagged(w, "reset", DEBOUNCE_HOLD_DONE), 1);
	assert_int_equal(flagged(w, "reset", DEBOUNCE_HOLD_CANCEL), 0);
	fake_gpio_edge("GPIO22", t + SEC(4), 0);
	service(w, t + SEC(4));
	run_until(w, t + SEC(5));
	int before = w->n_rec;

	/* Half a second, then let go: cancelled once released for release_ms, never done. */
	t = T0 + SEC(10);
	fake_gpio_edge("GPIO22", t, 1);
	service(w, t);
	service(w, t + MS(5));
	assert_int_equal(w->n_rec, before + 1);
	assert_int_equal(w->rec[before].flags, DEBOUNCE_COUNT | DEBOUNCE_HOLD_START);
	fake_gpio_edge("GPIO22", t + MS(500), 0);
	service(w, t + MS(500));
	assert_int_equal(w->n_rec, before + 1);
	assert_true(inputs_deadline(w->in) == t + MS(540));
	service(w, t + MS(540));
	assert_int_equal(w->n_rec, before + 2);
	assert_int_equal(w->rec[before + 1].flags, DEBOUNCE_HOLD_CANCEL);
	run_until(w, t + SEC(30));
	assert_int_equal(w->n_rec, before + 2);
	assert_int_equal(flagged(w, "reset", DEBOUNCE_HOLD_DONE), 1);

	/* Every report of the staff line names it with its role, so the app never takes its
	 * COUNT flag for a letter; the counting line reported nothing at all. */
	for (int i = 0; i < w->n_rec; i++) {
		assert_ptr_equal(w->rec[i].g, staff);
		assert_int_equal(w->rec[i].g->role, CONFIG_ROLE_STAFF_RESET);
	}
	assert_int_equal(flagged(w, "button", ~0), 0);
}

static void test_per_case_lines_report_their_case(void **state)
{
	struct world *w = *state;
	add_line(w, "left", "GPIO5", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, "case-a");
	add_line(w, "right", "GPIO6", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, "case-b");
	add_line(w, "room", "GPIO13", CONFIG_KIND_BEAM, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);

	const int64_t t = T0 + SEC(1);
	press("GPIO6", t, MS(80));
	service(w, t + MS(90));
	/* only the line whose fd was ready was read */
	assert_int_equal(fake_gpio_reads("GPIO5"), 0);
	assert_int_equal(fake_gpio_reads("GPIO13"), 0);
	assert_true(fake_gpio_reads("GPIO6") > 0);
	press("GPIO5", t + SEC(1), MS(80));
	service(w, t + SEC(1) + MS(90));
	press("GPIO13", t + SEC(2), MS(30));
	service(w, t + SEC(2) + MS(90));
	press("GPIO6", t + SEC(3), MS(80));
	service(w, t + SEC(3) + MS(90));
	run_until(w, t + SEC(5));

	assert_int_equal(w->n_rec, 4);
	static const char *const names[] = { "right", "left", "room", "right" };
	static const char *const cases[] = { "case-b", "case-a", "", "case-b" };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(w->rec[i].flags, DEBOUNCE_COUNT);
		assert_string_equal(w->rec[i].g->name, names[i]);
		assert_string_equal(w->rec[i].g->case_id, cases[i]);
	}
}

static void test_deadline_is_the_earliest(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	add_line(w, "beam", "GPIO27", CONFIG_KIND_BEAM, CONFIG_ROLE_COUNT, NULL);
	add_line(w, "gone", "GPIO4", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	fake_gpio_fail_open("GPIO4", GPIO_ERR_PERM, "no permission to open /dev/gpiochip0");
	open_at(w, T0);
	/* all armed: only the offline line's retry is due */
	assert_true(inputs_deadline(w->in) == T0 + RETRY);

	const int64_t t = T0 + SEC(2);
	fake_gpio_edge("GPIO27", t, 1);       /* beam: counts after 2 ms, stuck at 5 s */
	fake_gpio_edge("GPIO17", t + MS(1), 1); /* button: counts after 5 ms */
	service(w, t + MS(1));
	assert_true(inputs_deadline(w->in) == t + MS(2));
	service(w, t + MS(2));
	assert_int_equal(flagged(w, "beam", DEBOUNCE_COUNT), 1);
	assert_true(inputs_deadline(w->in) == t + MS(6));
	service(w, t + MS(6));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 1);
	/* both held: the retry (T0 + 3 s) is next, then the beam's stuck time */
	assert_true(inputs_deadline(w->in) == T0 + RETRY);
	service(w, T0 + RETRY);
	assert_int_equal(fake_gpio_opens("GPIO4"), 2);
	assert_true(inputs_deadline(w->in) == T0 + 2 * RETRY);
	fake_gpio_edge("GPIO17", T0 + RETRY + MS(10), 0);
	service(w, T0 + RETRY + MS(10));
	assert_true(inputs_deadline(w->in) == T0 + RETRY + MS(50)); /* button re-arms */
	service(w, T0 + RETRY + MS(50));
	assert_true(inputs_deadline(w->in) == T0 + 2 * RETRY);
	fake_gpio_fail_open("GPIO4", GPIO_OK, NULL);
	service(w, T0 + 2 * RETRY);
	assert_true(inputs_deadline(w->in) == t + SEC(5)); /* the beam's stuck time */
}

static void test_stuck_beam_is_reported_and_cleared(void **state)
{
	struct world *w = *state;
	add_line(w, "slot", "GPIO27", CONFIG_KIND_BEAM, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);
	const int64_t t = T0 + SEC(1);
	fake_gpio_edge("GPIO27", t, 1);
	service(w, t);
	run_until(w, t + SEC(5) - 1);
	assert_int_equal(w->n_rec, 1); /* the letter */
	char buf[256];
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
	int logs = w->n_log;

	service(w, t + SEC(5));
	assert_int_equal(w->n_rec, 2);
	assert_int_equal(w->rec[1].flags, DEBOUNCE_STUCK);
	assert_int_equal(w->n_log, logs + 1);
	assert_int_equal(w->log[logs].prio, LOG_PRIO_WARNING);
	assert_string_equal(w->log[logs].msg, "gpio slot: active for more than 5 s: stuck?");
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "Sensor slot stuck (active too long)");

	fake_gpio_edge("GPIO27", t + SEC(9), 0);
	service(w, t + SEC(9));
	assert_int_equal(w->n_rec, 3);
	assert_int_equal(w->rec[2].flags, DEBOUNCE_UNSTUCK);
	assert_int_equal(w->n_log, logs + 2);
	assert_int_equal(w->log[logs + 1].prio, LOG_PRIO_NOTICE);
	assert_string_equal(w->log[logs + 1].msg, "gpio slot: released, no longer stuck");
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_int_equal(flagged(w, "slot", DEBOUNCE_COUNT), 1);

	/* Stuck again, then unplugged and cleared meanwhile: back online it is not stuck. */
	const int64_t t2 = t + SEC(20);
	fake_gpio_edge("GPIO27", t2, 1);
	service(w, t2);
	run_until(w, t2 + SEC(5));
	assert_int_equal(flagged(w, "slot", DEBOUNCE_STUCK), 2);
	fake_gpio_unplug("GPIO27", 0);
	service(w, t2 + SEC(6));
	problem(w, buf, sizeof buf);
	assert_non_null(strstr(buf, "Sensor slot offline: "));
	fake_gpio_set_level("GPIO27", 0);
	service(w, t2 + SEC(6) + RETRY);
	assert_true(fake_gpio_is_open("GPIO27"));
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* The kernel's queue overflowed and the release edge was lost: the line's level still shows
 * the release, so the button is not left locked and the next press counts. */
static void test_lost_release_is_recovered_from_the_level(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);
	const int64_t t = T0 + SEC(1);
	fake_gpio_edge("GPIO17", t, 1);
	service(w, t);
	run_until(w, t + MS(100));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 1);

	fake_gpio_edge("GPIO17", t + MS(300), 1); /* a press whose release edge is lost... */
	fake_gpio_set_level("GPIO17", 0);          /* ...but the line reads released */
	service(w, t + MS(400));
	run_until(w, t + SEC(1));
	press("GPIO17", t + SEC(1), MS(100));
	service(w, t + SEC(1) + MS(100));
	run_until(w, t + SEC(2));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 2);
}

/* Kernel timestamps far from the caller's clock are replaced by now. */
static void test_untrusted_timestamps_are_taken_as_now(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);

	int64_t now = T0 + SEC(3600);
	fake_gpio_edge("GPIO17", now - SEC(3000), 1); /* long before now (and before T0) */
	service(w, now);
	assert_int_equal(w->n_rec, 0);
	assert_true(inputs_deadline(w->in) == now + MS(5));
	service(w, now + MS(5));
	assert_int_equal(w->n_rec, 1);
	assert_true(w->rec[0].t == now + MS(5));
	fake_gpio_edge("GPIO17", now + MS(50), 0);
	service(w, now + MS(50));

	now += SEC(10);
	fake_gpio_edge("GPIO17", now + SEC(3600), 1); /* an hour in the future */
	service(w, now);
	assert_true(inputs_deadline(w->in) == now + MS(5));
	service(w, now + MS(5));
	assert_int_equal(w->n_rec, 2);
	assert_true(w->rec[1].t == now + MS(5));

	/* Within the 5 s window the kernel's time is trusted as it is. */
	fake_gpio_edge("GPIO17", now + SEC(1), 0);
	service(w, now + SEC(1));
	run_until(w, now + SEC(2));
	fake_gpio_edge("GPIO17", now + SEC(4) + MS(1), 1);
	service(w, now + SEC(4) + MS(3));
	assert_true(inputs_deadline(w->in) == now + SEC(4) + MS(6));
}

/* A loose wire: thousands of edges. Each service reads a bounded slice, so the loop keeps
 * drawing, and the flood counts at most what the lockout allows. */
static void test_edge_flood_is_read_in_slices(void **state)
{
	struct world *w = *state;
	add_line(w, "button", "GPIO17", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	open_at(w, T0);
	const int64_t t = T0 + SEC(1);
	const int flood = 3000;
	for (int i = 0; i < flood; i++)
		fake_gpio_edge("GPIO17", t + US(i * 20), i % 2 == 0); /* 20 us apart */
	int64_t now = t + US(flood * 20);
	service(w, now);
	int left = fake_gpio_queued("GPIO17");
	assert_true(left < flood);      /* it read something */
	assert_true(left >= flood - 1024); /* but not everything in one go */
	int turns = 1;
	while (fake_gpio_queued("GPIO17") > 0 && turns < flood) {
		service(w, now);
		turns++;
	}
	assert_int_equal(fake_gpio_queued("GPIO17"), 0);
	assert_true(turns > 2);
	/* Every active phase lasted 20 us, far below min_active: not one press. */
	run_until(w, now + SEC(1));
	assert_int_equal(w->n_rec, 0);
	/* The wire fixed, a real press still counts. */
	press("GPIO17", now + SEC(1), MS(100));
	service(w, now + SEC(1) + MS(100));
	run_until(w, now + SEC(2));
	assert_int_equal(flagged(w, "button", DEBOUNCE_COUNT), 1);
}

/* A line already active when opened (a beam blocked at start): no letter for it, but stuck
 * after stuck_ms from the start, and it must be released and stable before anything counts. */
static void test_line_active_at_open_does_not_count(void **state)
{
	struct world *w = *state;
	add_line(w, "slot", "GPIO27", CONFIG_KIND_BEAM, CONFIG_ROLE_COUNT, NULL);
	fake_gpio_set_level("GPIO27", 1);
	open_at(w, T0);
	assert_true(inputs_deadline(w->in) == T0 + SEC(5));
	run_until(w, T0 + SEC(5) - 1);
	assert_int_equal(w->n_rec, 0);
	service(w, T0 + SEC(5));
	assert_int_equal(w->n_rec, 1);
	assert_int_equal(w->rec[0].flags, DEBOUNCE_STUCK);

	/* Cleared, with a 9 ms flicker: not a letter, the beam must be clear for 60 ms first. */
	const int64_t t = T0 + SEC(6);
	fake_gpio_edge("GPIO27", t, 0);
	fake_gpio_edge("GPIO27", t + MS(1), 1);
	fake_gpio_edge("GPIO27", t + MS(10), 0);
	service(w, t + MS(10));
	run_until(w, t + SEC(1));
	assert_int_equal(w->n_rec, 2);
	assert_int_equal(w->rec[1].flags, DEBOUNCE_UNSTUCK);

	press("GPIO27", t + SEC(2), MS(30));
	service(w, t + SEC(2) + MS(30));
	run_until(w, t + SEC(3));
	assert_int_equal(flagged(w, "slot", DEBOUNCE_COUNT), 1);
	assert_int_equal(w->n_rec, 3);
}

static void test_problem_lists_every_offline_line_and_fits(void **state)
{
	struct world *w = *state;
	add_line(w, "a", "GPIO5", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	add_line(w, "b", "GPIO6", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	add_line(w, "c", "GPIO13", CONFIG_KIND_BUTTON, CONFIG_ROLE_COUNT, NULL);
	fake_gpio_fail_open("GPIO5", GPIO_ERR_NOLINE, "gpiochip0 has no line GPIO5");
	fake_gpio_fail_open("GPIO13", GPIO_ERR_BUSY, "GPIO13 is busy");
	open_at(w, T0);
	char buf[256];
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "Sensor a offline: gpiochip0 has no line GPIO5; "
				 "Sensor c offline: GPIO13 is busy");
	/* A short buffer gets a cut, terminated summary (ASan checks the bounds). */
	char small[24];
	memset(small, 'x', sizeof small);
	problem(w, small, sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
	assert_memory_equal(small, "Sensor a offline: gpioc", sizeof small);
}

static void test_no_lines(void **state)
{
	struct world *w = *state;
	open_at(w, T0);
	struct pollfd fds[1];
	assert_int_equal(inputs_pollfds(w->in, fds, 1), 0);
	assert_true(inputs_deadline(w->in) == INT64_MAX);
	service(w, T0 + SEC(10));
	char buf[8];
	problem(w, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_int_equal(w->n_log, 0);
	inputs_close(NULL); /* accepted */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_opens_lines_as_configured),
		T(test_clean_press_counts_once),
		T(test_fast_presses_and_the_lockout),
		T(test_bounce_train_counts_once),
		T(test_open_failure_reported_once_and_retried),
		T(test_failed_read_goes_offline_and_back),
		T(test_hang_up_goes_offline_and_back),
		T(test_staff_hold_fires_after_hold_ms),
		T(test_staff_short_press_is_cancelled),
		T(test_per_case_lines_report_their_case),
		T(test_deadline_is_the_earliest),
		T(test_stuck_beam_is_reported_and_cleared),
		T(test_lost_release_is_recovered_from_the_level),
		T(test_untrusted_timestamps_are_taken_as_now),
		T(test_edge_flood_is_read_in_slices),
		T(test_line_active_at_open_does_not_count),
		T(test_problem_lists_every_offline_line_and_fits),
		T(test_no_lines),
	};
#undef T
	return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}
