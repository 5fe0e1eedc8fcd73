/* See fake_gpio.h. */
#include "fake_gpio.h"

#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINES 16

/* What the test scripted for one line, kept across opens. */
struct fake {
	char name[64];
	enum gpio_status open_status;
	char open_msg[160];
	int level;
	struct gpio_event ev[FAKE_GPIO_MAX_EVENTS];
	int ev_head, ev_len;
	int opens, closes, reads;
	struct gpio_line *open;
	struct gpio_request req;
	char req_chip[64], req_line[64], req_consumer[64];
	int have_req;
};

struct gpio_line {
	struct fake *f;
	int rd, wr;    /* the pipe behind gpio_fd; wr is -1 once hung up */
	int unplugged;
	int signalled; /* a byte sits in the pipe */
};

static struct fake fakes[MAX_LINES];
static int n_fakes;

static struct fake *find(const char *line)
{
	for (int i = 0; i < n_fakes; i++)
		if (!strcmp(fakes[i].name, line))
			return &fakes[i];
	assert(n_fakes < MAX_LINES);
	struct fake *f = &fakes[n_fakes++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", line);
	return f;
}

/* Keeps the pipe readable exactly while edges are waiting, as the kernel's event fd is. */
static void signal_pending(struct gpio_line *l)
{
	if (l->wr < 0)
		return;
	if (l->f->ev_len > 0 && !l->signalled) {
		char b = 'e';
		ssize_t w = write(l->wr, &b, 1);
		assert(w == 1);
		l->signalled = 1;
	} else if (l->f->ev_len == 0 && l->signalled) {
		char b;
		ssize_t r = read(l->rd, &b, 1);
		assert(r == 1);
		l->signalled = 0;
	}
}

void fake_gpio_reset(void)
{
	/* Lines a failed test left open (its teardown reported them). */
	for (int i = 0; i < n_fakes; i++)
		gpio_close(fakes[i].open);
	memset(fakes, 0, sizeof fakes);
	n_fakes = 0;
}

void fake_gpio_fail_open(const char *line, enum gpio_status status, const char *msg)
{
	struct fake *f = find(line);
	f->open_status = status;
	snprintf(f->open_msg, sizeof f->open_msg, "%s", msg ? msg : "");
}

void fake_gpio_set_level(const char *line, int active)
{
	find(line)->level = active != 0;
}

void fake_gpio_edge(const char *line, int64_t t_ns, int active)
{
	struct fake *f = find(line);
	assert(f->ev_len < FAKE_GPIO_MAX_EVENTS);
	f->ev[(f->ev_head + f->ev_len++) % FAKE_GPIO_MAX_EVENTS] =
		(struct gpio_event){ .t_ns = t_ns, .active = active != 0 };
	f->level = active != 0;
	if (f->open)
		signal_pending(f->open);
}

void fake_gpio_unplug(const char *line, int hang_up)
{
	struct fake *f = find(line);
	assert(f->open);
	struct gpio_line *l = f->open;
	l->unplugged = 1;
	if (hang_up) {
		close(l->wr);
		l->wr = -1;
	} else if (!l->signalled) {
		/* readable, so that the loop reads and learns of the failure */
		char b = 'u';
		ssize_t w = write(l->wr, &b, 1);
		assert(w == 1);
		l->signalled = 1;
	}
}

int fake_gpio_opens(const char *line)
{
	return find(line)->opens;
}

int fake_gpio_closes(const char *line)
{
	return find(line)->closes;
}

int fake_gpio_is_open(const char *line)
{
	return find(line)->open != NULL;
}

int fake_gpio_queued(const char *line)
{
	return find(line)->ev_len;
}

int fake_gpio_reads(const char *line)
{
	return find(line)->reads;
}

int fake_gpio_open_lines(void)
{
	int n = 0;
	for (int i = 0; i < n_fakes; i++)
		n += fakes[i].open != NULL;
	return n;
}

const struct gpio_request *fake_gpio_last_request(const char *line)
{
	struct fake *f = find(line);
	return f->have_req ? &f->req : NULL;
}

/* ---- gpio.h ------------------------------------------------------------------------------ */

enum gpio_status gpio_open(struct gpio_line **out, const struct gpio_request *req, char *err,
			   size_t errlen)
{
	struct fake *f = find(req->line);
	*out = NULL;
	f->opens++;
	if (f->open) { /* as the kernel says of a line that is still requested */
		snprintf(err, errlen, "%s is busy (still requested by this program)", req->line);
		return GPIO_ERR_BUSY;
	}
	if (f->open_status != GPIO_OK) {
		snprintf(err, errlen, "%s", f->open_msg);
		return f->open_status;
	}
	struct gpio_line *l = calloc(1, sizeof *l);
	int p[2];
	if (!l || pipe(p) != 0) {
		free(l);
		snprintf(err, errlen, "fake gpio: out of resources");
		return GPIO_ERR_IO;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	l->f = f;
	l->rd = p[0];
	l->wr = p[1];
	f->open = l;
	snprintf(f->req_chip, sizeof f->req_chip, "%s", req->chip);
	snprintf(f->req_line, sizeof f->req_line, "%s", req->line);
	snprintf(f->req_consumer, sizeof f->req_consumer, "%s", req->consumer);
	f->req = *req;
	f->req.chip = f->req_chip;
	f->req.line = f->req_line;
	f->req.consumer = f->req_consumer;
	f->have_req = 1;
	/* Edges from before the request are not the kernel's to report. */
	f->ev_head = f->ev_len = 0;
	*out = l;
	return GPIO_OK;
}

int gpio_fd(const struct gpio_line *l)
{
	return l->rd;
}

int gpio_level(struct gpio_line *l)
{
	return l->unplugged ? -1 : l->f->level;
}

int gpio_read(struct gpio_line *l, struct gpio_event *ev, int max)
{
	struct fake *f = l->f;
	f->reads++;
	if (l->unplugged)
		return -1;
	int n = 0;
	while (n < max && f->ev_len > 0) {
		ev[n++] = f->ev[f->ev_head];
		f->ev_head = (f->ev_head + 1) % FAKE_GPIO_MAX_EVENTS;
		f->ev_len--;
	}
	signal_pending(l);
	return n;
}

void gpio_close(struct gpio_line *l)
{
	if (!l)
		return;
	l->f->closes++;
	l->f->open = NULL;
	close(l->rd);
	if (l->wr >= 0)
		close(l->wr);
	free(l);
}

const char *gpio_backend(void)
{
	return "fake";
}
