/* See input.h. */
#include "input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debounce.h"
#include "gpio.h"
#include "log.h"

#define RETRY_NS (3 * 1000000000LL)
/* A flood of edges (a loose wire) is read in slices so the screen keeps being drawn. */
#define EVENTS_PER_SERVICE 256
/* Kernel timestamps further than this from now are not trusted (clock quirks). */
#define CLOCK_SKEW_NS (5 * 1000000000LL)

struct input {
	const struct config_gpio *g;
	struct gpio_line *line; /* NULL while offline */
	struct debounce db;
	char problem[200];      /* why it is offline; "" when open */
	int64_t retry_at;
	int stuck;
	char consumer[64];
};

struct inputs {
	struct input in[CONFIG_MAX_GPIO];
	int n;
	input_fn *on_input;
	void (*log)(void *ctx, int prio, const char *msg);
	void *ctx;
};

static void say(struct inputs *s, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct inputs *s, int prio, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->log(s->ctx, prio, msg);
}

static void params_for(const struct config_gpio *g, struct debounce_params *p)
{
	const int64_t ms = 1000000;
	p->min_active_ns = g->min_active_ms * ms;
	p->release_ns = g->release_ms * ms;
	p->lockout_ns = g->lockout_ms * ms;
	p->stuck_ns = g->role == CONFIG_ROLE_STAFF_RESET ? 0 : g->stuck_ms * ms;
	p->hold_ns = g->role == CONFIG_ROLE_STAFF_RESET ? g->hold_ms * ms : 0;
}

static void open_one(struct inputs *s, struct input *in, int64_t now)
{
	struct gpio_request req = {
		.chip = in->g->chip, .line = in->g->line, .active_low = in->g->active_low,
		.bias = in->g->bias, .consumer = in->consumer,
	};
	char err[sizeof in->problem];
	if (gpio_open(&in->line, &req, err, sizeof err) != GPIO_OK) {
		in->retry_at = now + RETRY_NS;
		if (strcmp(err, in->problem) != 0) {
			snprintf(in->problem, sizeof in->problem, "%s", err);
			say(s, LOG_PRIO_ERR, "gpio %s: offline: %s; retrying every %lld s", in->g->name, err,
			    RETRY_NS / 1000000000);
		}
		return;
	}
	int level = gpio_level(in->line);
	struct debounce_params p;
	params_for(in->g, &p);
	debounce_init(&in->db, &p, level > 0, now);
	say(s, LOG_PRIO_INFO, "gpio %s: listening on %s line %s (%s, %s, libgpiod %s)%s", in->g->name,
	    in->g->chip[0] ? in->g->chip : "any chip", in->g->line,
	    in->g->kind == CONFIG_KIND_BEAM ? "beam" : "button",
	    in->g->role == CONFIG_ROLE_STAFF_RESET ? "staff-reset" : "count", gpio_backend(),
	    in->problem[0] ? " again" : "");
	in->problem[0] = '\0';
	in->stuck = 0;
}

static void go_offline(struct inputs *s, struct input *in, int64_t now, const char *why)
{
	gpio_close(in->line);
	in->line = NULL;
	snprintf(in->problem, sizeof in->problem, "%s", why);
	in->retry_at = now + RETRY_NS;
	say(s, LOG_PRIO_ERR, "gpio %s: offline: %s; retrying every %lld s", in->g->name, why,
	    RETRY_NS / 1000000000);
}

int inputs_open(struct inputs **out, const struct config *cfg, input_fn *on_input,
		void (*log)(void *ctx, int prio, const char *msg), void *ctx, int64_t now_ns)
{
	static struct inputs zero;
	struct inputs *s = malloc(sizeof *s);
	*out = s;
	if (!s)
		return -1;
	*s = zero;
	s->on_input = on_input;
	s->log = log;
	s->ctx = ctx;
	for (int i = 0; i < cfg->n_gpio; i++) {
		struct input *in = &s->in[s->n++];
		in->g = &cfg->gpio[i];
		snprintf(in->consumer, sizeof in->consumer, "tallykiosk:%s", in->g->name);
		open_one(s, in, now_ns);
	}
	return 0;
}

int inputs_pollfds(struct inputs *s, struct pollfd *fds, int max)
{
	int n = 0;
	for (int i = 0; i < s->n && n < max; i++)
		if (s->in[i].line)
			fds[n++] = (struct pollfd){ .fd = gpio_fd(s->in[i].line), .events = POLLIN };
	return n;
}

static void report(struct inputs *s, struct input *in, int flags, int64_t t)
{
	if (!flags)
		return;
	if (flags & DEBOUNCE_STUCK) {
		in->stuck = 1;
		say(s, LOG_PRIO_WARNING, "gpio %s: active for more than %d s: stuck?", in->g->name,
		    in->g->stuck_ms / 1000);
	}
	if (flags & DEBOUNCE_UNSTUCK) {
		in->stuck = 0;
		say(s, LOG_PRIO_NOTICE, "gpio %s: released, no longer stuck", in->g->name);
	}
	s->on_input(s->ctx, in->g, flags, t);
}

static void read_edges(struct inputs *s, struct input *in, int64_t now)
{
	struct gpio_event ev[64];
	int total = 0;
	while (total < EVENTS_PER_SERVICE) {
		int n = gpio_read(in->line, ev, 64);
		if (n < 0) {
			go_offline(s, in, now, "the line stopped answering (chip unplugged?)");
			return;
		}
		for (int i = 0; i < n; i++) {
			int64_t t = ev[i].t_ns;
			if (t > now + CLOCK_SKEW_NS || t < now - CLOCK_SKEW_NS)
				t = now;
			report(s, in, debounce_edge(&in->db, ev[i].active, t), t);
		}
		total += n;
		if (n < 64)
			break;
	}
	/* The kernel drops edges when its queue is full: trust the line's level over the
	 * edges we have seen, so a lost release cannot keep the input locked. */
	int level = gpio_level(in->line);
	if (level >= 0 && level != in->db.level)
		report(s, in, debounce_edge(&in->db, level, now), now);
}

void inputs_service(struct inputs *s, const struct pollfd *fds, int n, int64_t now)
{
	for (int i = 0; i < s->n; i++) {
		struct input *in = &s->in[i];
		if (!in->line) {
			if (now >= in->retry_at)
				open_one(s, in, now);
			continue;
		}
		int fd = gpio_fd(in->line);
		for (int k = 0; k < n; k++) {
			if (fds[k].fd != fd || !fds[k].revents)
				continue;
			if (fds[k].revents & (POLLERR | POLLHUP | POLLNVAL))
				go_offline(s, in, now, "the line failed (chip unplugged?)");
			else
				read_edges(s, in, now);
			break;
		}
		if (in->line && debounce_deadline(&in->db) <= now)
			report(s, in, debounce_tick(&in->db, now), now);
	}
}

int64_t inputs_deadline(const struct inputs *s)
{
	int64_t next = INT64_MAX;
	for (int i = 0; i < s->n; i++) {
		const struct input *in = &s->in[i];
		int64_t t = in->line ? debounce_deadline(&in->db) : in->retry_at;
		if (t < next)
			next = t;
	}
	return next;
}

void inputs_problem(const struct inputs *s, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < s->n && o < len; i++) {
		const struct input *in = &s->in[i];
		if (in->line && !in->stuck)
			continue;
		int w = in->line ? snprintf(buf + o, len - o, "%sSensor %s stuck (active too long)",
					    o ? "; " : "", in->g->name)
				 : snprintf(buf + o, len - o, "%sSensor %s offline: %s",
					    o ? "; " : "", in->g->name, in->problem);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

void inputs_close(struct inputs *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		gpio_close(s->in[i].line);
	free(s);
}
