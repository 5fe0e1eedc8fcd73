/*
 * Unit tests for ctlserver.c, the kiosk's side of the staff control socket. Clients are
 * socketpair() ends handed to the server with ctlserver_adopt; one test goes through a real
 * listening socket in a private temporary folder. The server is driven as the kiosk's loop
 * drives it: ctlserver_pollfds, poll() without waiting, ctlserver_dispatch, until nothing is
 * ready. Both ends live in this process, so whatever the server can send is in the client's
 * socket buffer when pump() returns: no sleeps, no timing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctlserver.h"

struct call {
	int tag;
	struct control_request req;
};

struct world {
	struct ctlserver *srv;
	struct call calls[128];
	int n_calls;
	int answer_at_once; /* the callback replies "OK" with the request's op before returning */
};

/* What one client has received and not yet taken. */
struct client {
	int fd;
	char *buf;
	size_t len, cap;
};

static void on_request(void *ctx, int tag, const struct control_request *req)
{
	struct world *w = ctx;
	assert_true(w->n_calls < (int)(sizeof w->calls / sizeof w->calls[0]));
	w->calls[w->n_calls++] = (struct call){ tag, *req };
	if (w->answer_at_once) {
		char body[32];
		int n = snprintf(body, sizeof body, "op %d", (int)req->op);
		ctlserver_reply(w->srv, tag, body, (size_t)n);
	}
}

static int setup(void **state)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	char err[256];
	assert_int_equal(ctlserver_open(&w.srv, NULL, on_request, &w, err, sizeof err), 0);
	*state = &w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	ctlserver_close(w->srv);
	return 0;
}

/* Runs the server until poll() reports nothing more for it. */
static void pump(struct world *w)
{
	for (int turn = 0;; turn++) {
		assert_true(turn < 10000); /* the server keeps finding work: a busy loop */
		struct pollfd fds[CTLSERVER_MAX_CLIENTS + 1];
		int n = ctlserver_pollfds(w->srv, fds, CTLSERVER_MAX_CLIENTS + 1);
		int ready = poll(fds, (nfds_t)n, 0);
		assert_true(ready >= 0);
		if (ready == 0)
			return;
		ctlserver_dispatch(w->srv, fds, n);
	}
}

static void client_init(struct client *c, int fd)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
}

/* A new client: the server gets one end of a socketpair. Returns 0, or -1 if refused. */
static int connect_client(struct world *w, struct client *c)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	client_init(c, sv[1]);
	return ctlserver_adopt(w->srv, sv[0]);
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

static void send_str(struct client *c, const char *s)
{
	size_t len = strlen(s);
	assert_int_equal(send(c->fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads what has arrived. Returns 1 if the server closed the connection, else 0. */
static int drain(struct client *c)
{
	for (;;) {
		if (c->cap - c->len < 65536) {
			c->cap = c->cap ? c->cap * 2 : 65536;
			c->buf = realloc(c->buf, c->cap + 1);
			assert_non_null(c->buf);
		}
		ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (r == 0)
			return 1;
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		return 0;
	}
}

/* Takes the next whole reply ("OK n\n" + body, or "ERR ...\n") into out (NUL-terminated,
 * malloc'd); returns 0 if no whole reply has arrived. */
static int take_reply(struct client *c, char **out)
{
	char *nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
	if (!nl)
		return 0;
	size_t head = (size_t)(nl - c->buf) + 1;
	size_t total = head;
	if (c->len >= 3 && !memcmp(c->buf, "OK ", 3)) {
		size_t body = strtoul(c->buf + 3, NULL, 10);
		total += body;
		if (c->len < total)
			return 0;
	} else {
		assert_memory_equal(c->buf, "ERR ", 4);
	}
	*out = malloc(total + 1);
	assert_non_null(*out);
	memcpy(*out, c->buf, total);
	(*out)[total] = '\0';
	memmove(c->buf, c->buf + total, c->len - total);
	c->len -= total;
	return 1;
}

/* Pumps the server and returns the client's next reply, which must have arrived. */
static char *reply_of(struct world *w, struct client *c)
{
	char *r = NULL;
	pump(w);
	drain(c);
	assert_true(take_reply(c, &r));
	return r;
}

static void expect_reply(struct world *w, struct client *c, const char *want)
{
	char *r = reply_of(w, c);
	assert_string_equal(r, want);
	free(r);
}

/* Nothing has arrived for c, and it is still connected. */
static void expect_silence(struct world *w, struct client *c)
{
	pump(w);
	assert_int_equal(drain(c), 0);
	assert_int_equal(c->len, 0);
}

static void reply_str(struct world *w, int tag, const char *body)
{
	ctlserver_reply(w->srv, tag, body, strlen(body));
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_request_is_parsed_and_answered(void **state)
{
	struct world *w = *state;
	struct client a;
	assert_int_equal(connect_client(w, &a), 0);

	send_str(&a, "add 25\n");
	pump(w);
	assert_int_equal(w->n_calls, 1);
	assert_int_equal(w->calls[0].req.op, CONTROL_ADD);
	assert_int_equal(w->calls[0].req.n, 25);
	assert_true(w->calls[0].tag >= 0);
	expect_silence(w, &a); /* nothing before the app answers */

	reply_str(w, w->calls[0].tag, "{\"total\":25}");
	expect_reply(w, &a, "OK 12\n{\"total\":25}");

	send_str(&a, "new-event Spring fair\n");
	pump(w);
	assert_int_equal(w->n_calls, 2);
	assert_int_equal(w->calls[1].req.op, CONTROL_NEW_EVENT);
	assert_string_equal(w->calls[1].req.name, "Spring fair");
	assert_int_equal(w->calls[1].tag, w->calls[0].tag); /* the same connection */
	ctlserver_reply_error(w->srv, w->calls[1].tag, "io", "disk full\nor worse");
	expect_reply(w, &a, "ERR io disk full or worse\n");

	/* An empty body is a reply too. */
	send_str(&a, "events\n");
	pump(w);
	assert_int_equal(w->n_calls, 3);
	assert_int_equal(w->calls[2].req.op, CONTROL_EVENTS);
	ctlserver_reply(w->srv, w->calls[2].tag, "", 0);
	expect_reply(w, &a, "OK 0\n");
	client_close(&a);
}

/* A client may send several requests at once: the app gets the next only after answering. */
static void test_pipelined_requests_one_at_a_time(void **state)
{
	struct world *w = *state;
	struct client a;
	assert_int_equal(connect_client(w, &a), 0);
	send_str(&a, "status\nundo\n");
	pump(w);
	send_str(&a, "press\n"); /* sent while the first is still waiting */
	pump(w);
	assert_int_equal(w->n_calls, 1);
	assert_int_equal(w->calls[0].req.op, CONTROL_STATUS);

	reply_str(w, w->calls[0].tag, "one");
	assert_int_equal(w->n_calls, 2); /* handed on as soon as the first was answered */
	assert_int_equal(w->calls[1].req.op, CONTROL_UNDO);
	pump(w);
	assert_int_equal(w->n_calls, 2);
	reply_str(w, w->calls[1].tag, "two");
	pump(w);
	assert_int_equal(w->n_calls, 3);
	assert_int_equal(w->calls[2].req.op, CONTROL_PRESS);
	reply_str(w, w->calls[2].tag, "three");
	expect_reply(w, &a, "OK 3\none");
	expect_reply(w, &a, "OK 3\ntwo");
	expect_reply(w, &a, "OK 5\nthree");

	/* The app may also answer from inside the callback. */
	w->answer_at_once = 1;
	send_str(&a, "status\nevents\nundo\n");
	pump(w);
	assert_int_equal(w->n_calls, 6);
	expect_reply(w, &a, "OK 4\nop 0");
	expect_reply(w, &a, "OK 4\nop 6");
	expect_reply(w, &a, "OK 4\nop 3");
	expect_silence(w, &a);
	client_close(&a);
}

static void test_replies_reach_the_right_client(void **state)
{
	struct world *w = *state;
	struct client c[3];
	static const char *const req[] = { "status\n", "add 2\n", "goal 500\n" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(connect_client(w, &c[i]), 0);
		send_str(&c[i], req[i]);
		pump(w);
		assert_int_equal(w->n_calls, i + 1);
	}
	assert_int_equal(w->calls[1].req.op, CONTROL_ADD);
	assert_int_equal(w->calls[2].req.op, CONTROL_GOAL);
	assert_int_equal(w->calls[2].req.n, 500);
	assert_int_not_equal(w->calls[0].tag, w->calls[1].tag);
	assert_int_not_equal(w->calls[1].tag, w->calls[2].tag);
	assert_int_not_equal(w->calls[0].tag, w->calls[2].tag);

	/* Answered out of order. */
	reply_str(w, w->calls[2].tag, "for goal");
	reply_str(w, w->calls[0].tag, "for status");
	reply_str(w, w->calls[1].tag, "for add");
	expect_reply(w, &c[0], "OK 10\nfor status");
	expect_reply(w, &c[1], "OK 7\nfor add");
	expect_reply(w, &c[2], "OK 8\nfor goal");
	for (int i = 0; i < 3; i++) {
		expect_silence(w, &c[i]);
		client_close(&c[i]);
	}
}

static void test_overlong_line_is_refused_and_the_connection_kept(void **state)
{
	struct world *w = *state;
	struct client a;
	assert_int_equal(connect_client(w, &a), 0);
	char line[4096];

	/* The longest line allowed (CONTROL_LINE_MAX with its newline) is parsed: here it is not
	 * a known request, which is a different answer from "too long". */
	memset(line, 'x', CONTROL_LINE_MAX - 1);
	strcpy(line + CONTROL_LINE_MAX - 1, "\n");
	send_str(&a, line);
	char *r = reply_of(w, &a);
	assert_memory_equal(r, "ERR usage ", 10);
	assert_null(strstr(r, "too long"));
	free(r);
	assert_int_equal(w->n_calls, 0);

	/* One byte more is too long: answered once, the rest of the line skipped. */
	memset(line, 'x', CONTROL_LINE_MAX);
	strcpy(line + CONTROL_LINE_MAX, "\nstatus\n");
	send_str(&a, line);
	expect_reply(w, &a, "ERR usage request line too long\n");
	assert_int_equal(w->n_calls, 1);
	assert_int_equal(w->calls[0].req.op, CONTROL_STATUS);
	reply_str(w, w->calls[0].tag, "{}");
	expect_reply(w, &a, "OK 2\n{}");

	/* A very long line arriving in pieces still gets one answer, and what follows works. */
	memset(line, 'y', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (int i = 0; i < 3; i++) {
		send_str(&a, line);
		pump(w);
	}
	send_str(&a, "yyy\nundo\n");
	expect_reply(w, &a, "ERR usage request line too long\n");
	assert_int_equal(w->n_calls, 2);
	assert_int_equal(w->calls[1].req.op, CONTROL_UNDO);
	reply_str(w, w->calls[1].tag, "{}");
	expect_reply(w, &a, "OK 2\n{}");
	expect_silence(w, &a);
	client_close(&a);
}

static void test_bad_request_is_answered_here(void **state)
{
	struct world *w = *state;
	struct client a;
	assert_int_equal(connect_client(w, &a), 0);
	send_str(&a, "frobnicate\nadd lots\nstatus\n");
	char *r1 = reply_of(w, &a);
	char *r2 = reply_of(w, &a);
	assert_memory_equal(r1, "ERR usage ", 10);
	assert_memory_equal(r2, "ERR usage ", 10);
	free(r1);
	free(r2);
	assert_int_equal(w->n_calls, 1); /* only the good one reached the app */
	assert_int_equal(w->calls[0].req.op, CONTROL_STATUS);
	reply_str(w, w->calls[0].tag, "ok");
	expect_reply(w, &a, "OK 2\nok");
	client_close(&a);
}

static void test_half_a_line_does_not_block_others(void **state)
{
	struct world *w = *state;
	struct client slow, quick;
	assert_int_equal(connect_client(w, &slow), 0);
	assert_int_equal(connect_client(w, &quick), 0);
	send_str(&slow, "sta");
	pump(w);
	assert_int_equal(w->n_calls, 0);

	send_str(&quick, "press\n");
	pump(w);
	assert_int_equal(w->n_calls, 1);
	assert_int_equal(w->calls[0].req.op, CONTROL_PRESS);
	reply_str(w, w->calls[0].tag, "pressed");
	expect_reply(w, &quick, "OK 7\npressed");

	/* The slow one finishes its line later and is served as usual. */
	send_str(&slow, "tus\n");
	pump(w);
	assert_int_equal(w->n_calls, 2);
	assert_int_equal(w->calls[1].req.op, CONTROL_STATUS);
	assert_int_not_equal(w->calls[1].tag, w->calls[0].tag);
	reply_str(w, w->calls[1].tag, "status");
	expect_reply(w, &slow, "OK 6\nstatus");
	expect_silence(w, &quick);
	client_close(&slow);
	client_close(&quick);
}

/* A client that does not read: its reply waits in the server, the others go on, and the whole
 * reply arrives intact once it reads. */
static void test_slow_reader_gets_a_large_reply_whole(void **state)
{
	struct world *w = *state;
	struct client big, other;
	assert_int_equal(connect_client(w, &big), 0);
	assert_int_equal(connect_client(w, &other), 0);
	send_str(&big, "export csv\n");
	pump(w);
	assert_int_equal(w->n_calls, 1);
	assert_int_equal(w->calls[0].req.op, CONTROL_EXPORT_CSV);

	const size_t body_len = 8u << 20; /* far more than a socket buffer */
	char *body = malloc(body_len);
	assert_non_null(body);
	for (size_t i = 0; i < body_len; i++)
		body[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	ctlserver_reply(w->srv, w->calls[0].tag, body, body_len);
	pump(w);

	send_str(&other, "status\n");
	pump(w);
	assert_int_equal(w->n_calls, 2);
	reply_str(w, w->calls[1].tag, "fine");
	expect_reply(w, &other, "OK 4\nfine");

	char *r = NULL;
	int turns = 0;
	while (!take_reply(&big, &r)) {
		assert_true(++turns < 100000);
		pump(w);
		assert_int_equal(drain(&big), 0);
	}
	assert_true(turns > 1); /* it really came in several writes */
	char head[32];
	int n = snprintf(head, sizeof head, "OK %zu\n", body_len);
	assert_memory_equal(r, head, (size_t)n);
	assert_memory_equal(r + n, body, body_len);
	free(r);
	free(body);
	client_close(&big);
	client_close(&other);
}

static void test_more_clients_than_allowed_are_refused(void **state)
{
	struct world *w = *state;
	struct client c[CTLSERVER_MAX_CLIENTS + 1];
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		assert_int_equal(connect_client(w, &c[i]), 0);

	struct client extra;
	assert_int_equal(connect_client(w, &extra), -1);
	assert_int_equal(drain(&extra), 1); /* told why, then closed */
	extra.buf[extra.len] = '\0';
	assert_string_equal(extra.buf, "ERR busy too many staff connections\n");
	client_close(&extra);

	/* Everyone admitted is served. */
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		send_str(&c[i], "status\n");
	pump(w);
	assert_int_equal(w->n_calls, CTLSERVER_MAX_CLIENTS);
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++) {
		char body[32];
		snprintf(body, sizeof body, "#%02d", i);
		reply_str(w, w->calls[i].tag, body);
		snprintf(body, sizeof body, "OK 3\n#%02d", i);
		expect_reply(w, &c[i], body);
	}

	/* Once one leaves, a newcomer gets its place. */
	client_close(&c[3]);
	pump(w);
	assert_int_equal(connect_client(w, &c[CTLSERVER_MAX_CLIENTS]), 0);
	send_str(&c[CTLSERVER_MAX_CLIENTS], "undo\n");
	pump(w);
	assert_int_equal(w->n_calls, CTLSERVER_MAX_CLIENTS + 1);
	reply_str(w, w->calls[CTLSERVER_MAX_CLIENTS].tag, "x");
	expect_reply(w, &c[CTLSERVER_MAX_CLIENTS], "OK 1\nx");
	for (int i = 0; i <= CTLSERVER_MAX_CLIENTS; i++)
		client_close(&c[i]);
	pump(w);
}

/* A client that gives up before its answer: the answer is dropped, and never reaches whoever
 * gets the connection's place next. */
static void test_client_gone_before_its_reply(void **state)
{
	struct world *w = *state;
	struct client a, b;

	/* The server notices the hang-up first. */
	assert_int_equal(connect_client(w, &a), 0);
	send_str(&a, "status\n");
	pump(w);
	assert_int_equal(w->n_calls, 1);
	int gone = w->calls[0].tag;
	client_close(&a);
	pump(w);
	assert_int_equal(connect_client(w, &b), 0); /* likely in the same slot */
	reply_str(w, gone, "for a");
	ctlserver_reply_error(w->srv, gone, "io", "for a");
	expect_silence(w, &b);
	send_str(&b, "undo\n");
	pump(w);
	assert_int_equal(w->n_calls, 2);
	assert_int_not_equal(w->calls[1].tag, gone);
	reply_str(w, w->calls[1].tag, "for b");
	expect_reply(w, &b, "OK 5\nfor b");

	/* The answer comes before the server has seen the hang-up: the write fails (no SIGPIPE,
	 * or this test would die) and the connection is dropped. */
	send_str(&b, "status\n");
	pump(w);
	assert_int_equal(w->n_calls, 3);
	client_close(&b);
	char big[200000];
	memset(big, 'z', sizeof big);
	ctlserver_reply(w->srv, w->calls[2].tag, big, sizeof big);
	reply_str(w, w->calls[2].tag, "again");

	/* Its place was freed at once: all places are free again. */
	struct client c[CTLSERVER_MAX_CLIENTS];
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		assert_int_equal(connect_client(w, &c[i]), 0);
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		client_close(&c[i]);
	pump(w);
}

/* Hang-up in the middle of a line, and a client that only half-closes after a request. */
static void test_hang_ups(void **state)
{
	struct world *w = *state;
	struct client a, b;
	assert_int_equal(connect_client(w, &a), 0);
	send_str(&a, "sta");
	pump(w);
	client_close(&a);
	pump(w);
	assert_int_equal(w->n_calls, 0);

	/* "status\n" then shutdown(SHUT_WR), as `echo status | socat` does: still answered. */
	assert_int_equal(connect_client(w, &b), 0);
	send_str(&b, "status\n");
	assert_int_equal(shutdown(b.fd, SHUT_WR), 0);
	pump(w);
	assert_int_equal(w->n_calls, 1);
	reply_str(w, w->calls[0].tag, "bye");
	char *r = reply_of(w, &b);
	assert_string_equal(r, "OK 3\nbye");
	free(r);
	client_close(&b);
	pump(w);
}

/* Connections that stall are closed after CTLSERVER_IDLE_MS without progress, so stuck
 * clients cannot hold every place; a client waiting for the app is never timed out. */
static void test_stalled_connections_time_out(void **state)
{
	struct world *w = *state;
	const long long t = 5000000, idle = CTLSERVER_IDLE_MS;
	struct client silent, half, waiting, unread, slow;
	/* connected before the server was first given the time: counts from that time */
	assert_int_equal(connect_client(w, &silent), 0);
	assert_true(ctlserver_expire(w->srv, t) == t + idle);
	assert_int_equal(connect_client(w, &half), 0);
	assert_int_equal(connect_client(w, &waiting), 0);
	assert_int_equal(connect_client(w, &unread), 0);
	assert_int_equal(connect_client(w, &slow), 0);
	send_str(&half, "sta");
	send_str(&waiting, "export json\n");
	send_str(&unread, "export csv\n");
	pump(w);
	assert_int_equal(w->n_calls, 2);
	int waiting_tag = w->calls[0].tag, unread_tag = w->calls[1].tag;
	assert_int_equal(w->calls[1].req.op, CONTROL_EXPORT_CSV);
	static char body[4u << 20]; /* more than the socket holds: part of it stays here */
	memset(body, 'c', sizeof body);
	ctlserver_reply(w->srv, unread_tag, body, sizeof body);
	send_str(&slow, "export csv\n");
	pump(w);
	assert_int_equal(w->n_calls, 3);
	ctlserver_reply(w->srv, w->calls[2].tag, body, sizeof body);
	pump(w);
	assert_true(ctlserver_expire(w->srv, t) == t + idle);

	/* Just before the limit nobody is closed; progress restarts a client's time. */
	assert_true(ctlserver_expire(w->srv, t + idle / 2) == t + idle);
	send_str(&half, "tu");
	assert_int_equal(drain(&slow), 0); /* reading part of an answer is progress too */
	pump(w);
	assert_true(ctlserver_expire(w->srv, t + idle - 1) == t + idle);
	expect_silence(w, &silent);
	expect_silence(w, &half);

	/* At the limit: the silent one is told why, the one not reading is just closed. */
	assert_true(ctlserver_expire(w->srv, t + idle) == t + idle / 2 + idle);
	assert_int_equal(drain(&silent), 1);
	silent.buf[silent.len] = '\0';
	assert_string_equal(silent.buf, "ERR timeout nothing for 60 s: closing the connection\n");
	assert_int_equal(drain(&unread), 1);
	assert_true(unread.len < sizeof body); /* it never got the whole answer... */
	char head[32];
	int n = snprintf(head, sizeof head, "OK %zu\n", sizeof body);
	assert_memory_equal(unread.buf, head, (size_t)n);
	for (size_t i = (size_t)n; i < unread.len; i++) /* ...nor anything else in it */
		assert_true(unread.buf[i] == 'c');
	expect_silence(w, &half);
	expect_silence(w, &waiting);
	pump(w);
	assert_true(slow.len < sizeof body); /* still open, the answer still coming */
	assert_int_equal(drain(&slow), 0);

	/* The half line times out in its turn, then the app answers the long request late. */
	assert_true(ctlserver_expire(w->srv, t + idle / 2 + idle) == LLONG_MAX);
	assert_int_equal(drain(&half), 1);
	assert_int_equal(drain(&slow), 1); /* it did not read on */
	half.buf[half.len] = '\0';
	assert_memory_equal(half.buf, "ERR timeout ", 12);
	assert_int_equal(w->n_calls, 3); /* "sta" + "tu" never made a request */
	assert_true(ctlserver_expire(w->srv, t + 5 * idle) == LLONG_MAX);
	reply_str(w, waiting_tag, "[]");
	expect_reply(w, &waiting, "OK 2\n[]");
	/* its idle time starts when its answer goes out */
	assert_true(ctlserver_expire(w->srv, t + 5 * idle + 1) == t + 5 * idle + idle);
	expect_silence(w, &waiting);
	ctlserver_expire(w->srv, t + 6 * idle);
	assert_int_equal(drain(&waiting), 1);

	/* Every place is free again. */
	struct client c[CTLSERVER_MAX_CLIENTS];
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		assert_int_equal(connect_client(w, &c[i]), 0);
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		client_close(&c[i]);
	client_close(&silent);
	client_close(&half);
	client_close(&waiting);
	client_close(&unread);
	client_close(&slow);
}

/* The kiosk's own path: a listening socket in a private temporary folder. */
static void test_listening_socket(void **state)
{
	struct world *w = *state;
	const char *tmp = getenv("TMPDIR");
	char dir[200], path[256];
	if (!tmp || !*tmp || strlen(tmp) > 60) /* sun_path holds 107 bytes */
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/ctlserver-XXXXXX", tmp);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/kiosk.sock", dir);

	/* A socket file left by a kiosk that died is replaced. */
	int stale = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(path) < sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(stale, (struct sockaddr *)&sa, sizeof sa), 0);
	close(stale);

	struct ctlserver *listening;
	char err[512];
	assert_int_equal(ctlserver_open(&listening, path, on_request, w, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660); /* staff group only */

	struct ctlserver *adopted = w->srv; /* pump() drives w->srv */
	w->srv = listening;
	struct client c[CTLSERVER_MAX_CLIENTS + 1];
	for (int i = 0; i <= CTLSERVER_MAX_CLIENTS; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
		client_init(&c[i], fd);
		pump(w);
	}
	/* the last one is over the limit */
	assert_int_equal(drain(&c[CTLSERVER_MAX_CLIENTS]), 1);
	c[CTLSERVER_MAX_CLIENTS].buf[c[CTLSERVER_MAX_CLIENTS].len] = '\0';
	assert_string_equal(c[CTLSERVER_MAX_CLIENTS].buf, "ERR busy too many staff connections\n");
	send_str(&c[0], "status\n");
	pump(w);
	assert_int_equal(w->n_calls, 1);
	reply_str(w, w->calls[0].tag, "{}");
	expect_reply(w, &c[0], "OK 2\n{}");
	for (int i = 0; i <= CTLSERVER_MAX_CLIENTS; i++)
		client_close(&c[i]);
	w->srv = adopted;

	ctlserver_close(listening);
	assert_int_equal(stat(path, &st), -1); /* the socket file is gone */
	assert_int_equal(errno, ENOENT);

	/* Errors name the path. */
	char bad[300];
	snprintf(bad, sizeof bad, "%s/no-such-folder/kiosk.sock", dir);
	assert_int_equal(ctlserver_open(&listening, bad, on_request, w, err, sizeof err), -1);
	assert_null(listening);
	assert_non_null(strstr(err, bad));
	assert_non_null(strstr(err, "cannot listen"));
	memset(bad, 'p', sizeof bad - 1);
	bad[0] = '/';
	bad[sizeof bad - 1] = '\0';
	assert_int_equal(ctlserver_open(&listening, bad, on_request, w, err, sizeof err), -1);
	assert_non_null(strstr(err, "socket path too long"));
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_request_is_parsed_and_answered),
		T(test_pipelined_requests_one_at_a_time),
		T(test_replies_reach_the_right_client),
		T(test_overlong_line_is_refused_and_the_connection_kept),
		T(test_bad_request_is_answered_here),
		T(test_half_a_line_does_not_block_others),
		T(test_slow_reader_gets_a_large_reply_whole),
		T(test_more_clients_than_allowed_are_refused),
		T(test_client_gone_before_its_reply),
		T(test_hang_ups),
		T(test_stalled_connections_time_out),
		T(test_listening_socket),
	};
#undef T
	return cmocka_run_group_tests_name("ctlserver", tests, NULL, NULL);
}
