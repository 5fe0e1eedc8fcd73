/* See ctlserver.h. */
#define _GNU_SOURCE /* accept4 */
#include "ctlserver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct client {
	int fd;            /* -1: free slot */
	unsigned gen;      /* bumped on reuse so a late reply cannot reach a newcomer */
	char in[CONTROL_LINE_MAX];
	size_t in_len;
	int waiting;       /* a request was handed to the app and is not answered yet */
	int discarding;    /* skipping the rest of an overlong line */
	int closing;       /* close once out is flushed */
	char *out;
	size_t out_len, out_off, out_cap;
	long long last_ms; /* when it last sent or took bytes (LLONG_MIN: before any clock) */
};

struct ctlserver {
	int listen_fd;
	char path[108];
	struct client clients[CTLSERVER_MAX_CLIENTS];
	ctlserver_request_fn *on_request;
	void *ctx;
	long long now_ms;  /* the latest time given to ctlserver_expire; LLONG_MIN before that */
};

int ctlserver_open(struct ctlserver **out, const char *path, ctlserver_request_fn *on_request,
		   void *ctx, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	*out = NULL;
	if (path && strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "%.200s: socket path too long", path);
		return -1;
	}
	struct ctlserver *srv = calloc(1, sizeof *srv);
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		srv->clients[i].fd = -1;
	srv->on_request = on_request;
	srv->ctx = ctx;
	srv->now_ms = LLONG_MIN;
	srv->listen_fd = -1;
	if (!path) {
		*out = srv;
		return 0;
	}
	strcpy(sa.sun_path, path);
	strcpy(srv->path, path);
	srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		goto fail;
	/* The caller holds the database exclusively, so a socket file left here is stale. */
	unlink(path);
	mode_t old = umask(0117);
	int rc = bind(srv->listen_fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0 || listen(srv->listen_fd, 8) != 0)
		goto fail;
	*out = srv;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot listen: %s", path, strerror(errno));
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	free(srv);
	return -1;
}

static void drop(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->gen++;
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = 0;
	c->in_len = 0;
	c->waiting = c->closing = c->discarding = 0;
}

int ctlserver_pollfds(struct ctlserver *srv, struct pollfd *fds, int max)
{
	int n = 0;
	if (n < max && srv->listen_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS && n < max; i++) {
		struct client *c = &srv->clients[i];
		if (c->fd < 0)
			continue;
		short ev = 0;
		/* A client that does not read its answers is not read either: what the kiosk
		 * holds for it stays one answer, however many requests it sends. */
		if (!c->waiting && !c->closing && c->out_off >= c->out_len)
			ev |= POLLIN;
		if (c->out_off < c->out_len)
			ev |= POLLOUT;
		fds[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	return n;
}

static void queue(struct client *c, const char *data, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 1024;
		while (cap < c->out_len + len)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p) {
			c->closing = 1; /* better a dropped connection than a wrong answer */
			c->out_len = c->out_off;
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void flush(struct ctlserver *srv, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			drop(c);
			return;
		}
		c->out_off += (size_t)w;
		c->last_ms = srv->now_ms;
	}
	c->out_off = c->out_len = 0;
	if (c->closing)
		drop(c);
}

static int tag_of(struct ctlserver *srv, struct client *c)
{
	return (int)(c - srv->clients) | (int)((c->gen & 0xffffu) << 8);
}

static struct client *client_of(struct ctlserver *srv, int tag)
{
	int slot = tag & 0xff;
	if (tag < 0 || slot >= CTLSERVER_MAX_CLIENTS)
		return NULL;
	struct client *c = &srv->clients[slot];
	if (c->fd < 0 || (c->gen & 0xffffu) != ((unsigned)tag >> 8))
		return NULL;
	return c;
}

static void error_to(struct client *c, const char *code, const char *msg)
{
	char line[CONTROL_LINE_MAX + 64];
	int n = control_reply_err(code, msg, line, sizeof line);
	if (n > 0)
		queue(c, line, (size_t)n);
}

/* Hands on the complete lines in c->in, one at a time: the next waits for the answer to be
 * sent (not only written: a client that stops reading stops being served). */
static void take_lines(struct ctlserver *srv, struct client *c)
{
	while (!c->waiting && !c->closing) {
		if (c->out_off < c->out_len) {
			flush(srv, c);
			if (c->fd < 0 || c->out_off < c->out_len)
				return;
		}
		char *nl = memchr(c->in, '\n', c->in_len);
		if (c->discarding) {
			if (!nl) {
				c->in_len = 0;
				return;
			}
			c->discarding = 0;
			c->in_len -= (size_t)(nl + 1 - c->in);
			memmove(c->in, nl + 1, c->in_len);
			continue;
		}
		if (!nl) {
			if (c->in_len == sizeof c->in) {
				/* Answer once, skip to the next newline, keep the connection. */
				error_to(c, "usage", "request line too long");
				c->discarding = 1;
				c->in_len = 0;
			}
			return;
		}
		size_t len = (size_t)(nl - c->in);
		struct control_request req;
		char err[256];
		int ok = control_parse(c->in, len, &req, err, sizeof err) == 0;
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		if (!ok) {
			error_to(c, "usage", err);
			continue;
		}
		c->waiting = 1;
		/* May answer at once, which calls back into take_lines for the next line. */
		srv->on_request(srv->ctx, tag_of(srv, c), &req);
		return;
	}
}

int ctlserver_adopt(struct ctlserver *srv, int fd)
{
	struct client *c = NULL;
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS && !c; i++)
		if (srv->clients[i].fd < 0)
			c = &srv->clients[i];
	if (!c) {
		static const char busy[] = "ERR busy too many staff connections\n";
		ssize_t w = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;
		close(fd);
		return -1;
	}
	c->fd = fd;
	c->last_ms = srv->now_ms;
	return 0;
}

static void accept_all(struct ctlserver *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		ctlserver_adopt(srv, fd);
	}
}

void ctlserver_dispatch(struct ctlserver *srv, const struct pollfd *fds, int n)
{
	for (int k = 0; k < n; k++) {
		if (!fds[k].revents)
			continue;
		if (srv->listen_fd >= 0 && fds[k].fd == srv->listen_fd) {
			accept_all(srv);
			continue;
		}
		struct client *c = NULL;
		for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
			if (srv->clients[i].fd == fds[k].fd)
				c = &srv->clients[i];
		if (!c)
			continue;
		if (fds[k].revents & POLLOUT) {
			flush(srv, c);
			if (c->fd >= 0)
				take_lines(srv, c); /* lines that waited for the answer to go out */
		}
		if (c->fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (c->waiting || c->closing || c->out_off < c->out_len) {
			if (fds[k].revents & (POLLHUP | POLLERR))
				drop(c);
			continue;
		}
		ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				drop(c);
			continue;
		}
		c->in_len += (size_t)r;
		c->last_ms = srv->now_ms;
		take_lines(srv, c);
		if (c->fd >= 0)
			flush(srv, c);
	}
}

static void reply_done(struct ctlserver *srv, struct client *c)
{
	c->waiting = 0;
	flush(srv, c);
	/* A client may send its next request before reading this answer. */
	if (c->fd >= 0 && !c->closing)
		take_lines(srv, c);
}

void ctlserver_reply(struct ctlserver *srv, int tag, const char *body, size_t len)
{
	struct client *c = client_of(srv, tag);
	if (!c)
		return;
	char head[32];
	int n = control_reply_ok(len, head, sizeof head);
	queue(c, head, (size_t)n);
	queue(c, body, len);
	reply_done(srv, c);
}

void ctlserver_reply_error(struct ctlserver *srv, int tag, const char *code, const char *msg)
{
	struct client *c = client_of(srv, tag);
	if (!c)
		return;
	error_to(c, code, msg);
	reply_done(srv, c);
}

long long ctlserver_expire(struct ctlserver *srv, long long now_ms)
{
	if (now_ms > srv->now_ms)
		srv->now_ms = now_ms;
	long long next = LLONG_MAX;
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];
		if (c->fd < 0 || c->waiting)
			continue;
		if (c->last_ms == LLONG_MIN) /* connected before the clock was first given */
			c->last_ms = srv->now_ms;
		long long due = c->last_ms + CTLSERVER_IDLE_MS;
		if (due > srv->now_ms) {
			if (due < next)
				next = due;
			continue;
		}
		if (c->out_off == c->out_len) {
			char msg[64], line[128];
			snprintf(msg, sizeof msg, "nothing for %d s: closing the connection",
				 CTLSERVER_IDLE_MS / 1000);
			int n = control_reply_err("timeout", msg, line, sizeof line);
			if (n > 0) {
				ssize_t w = send(c->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
				(void)w;
			}
		}
		drop(c);
	}
	return next;
}

void ctlserver_close(struct ctlserver *srv)
{
	if (!srv)
		return;
	for (int i = 0; i < CTLSERVER_MAX_CLIENTS; i++)
		if (srv->clients[i].fd >= 0)
			drop(&srv->clients[i]);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		unlink(srv->path);
	}
	free(srv);
}
