/* See client.h. */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"

enum client_status client_connect(const char *path, int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	*fd = -1;
	if (strlen(path) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return CLIENT_ERR_IO;
	}
	strcpy(sa.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return CLIENT_ERR_IO;
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;
		close(s);
		errno = e;
		return (e == ENOENT || e == ECONNREFUSED) ? CLIENT_ERR_NOKIOSK : CLIENT_ERR_IO;
	}
	*fd = s;
	return CLIENT_OK;
}

/* Reads up to want bytes into buf before deadline; returns bytes read (short on EOF), -1. */
static ssize_t read_until(int fd, char *buf, size_t want, long long deadline, int stop_at_nl)
{
	size_t got = 0;
	while (got < want) {
		long long left = deadline - mono_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		ssize_t n = read(fd, buf + got, stop_at_nl ? 1 : want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
		if (stop_at_nl && buf[got - 1] == '\n')
			break;
	}
	return (ssize_t)got;
}

enum client_status client_request(int fd, const struct control_request *req, int timeout_ms,
				  char **body, size_t *len, char *code, size_t codelen, char *msg,
				  size_t msglen)
{
	char line[CONTROL_LINE_MAX + 64];
	*body = NULL;
	*len = 0;
	int n = control_format(req, line, sizeof line);
	if (n < 0) {
		snprintf(msg, msglen, "request too long");
		return CLIENT_ERR_PROTOCOL;
	}
	for (int off = 0; off < n;) {
		ssize_t w = send(fd, line + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			/* It hung up before reading the request, perhaps after answering it
			 * ("ERR busy" with every staff slot taken): show that answer, not a
			 * broken pipe (tests/e2e/test_bad_input_more.sh). */
			ssize_t got = read_until(fd, line, sizeof line - 1, mono_ms() + 1000, 1);
			if (got > 0 && line[got - 1] == '\n') {
				size_t ignored;
				line[got - 1] = '\0';
				if (control_parse_reply(line, &ignored, code, codelen, msg, msglen) == 0)
					return CLIENT_ERR_REFUSED;
			}
			snprintf(msg, msglen, "no answer from the kiosk: connection closed");
			return CLIENT_ERR_IO;
		}
		if (w < 0) {
			snprintf(msg, msglen, "sending to the kiosk: %s", strerror(errno));
			return CLIENT_ERR_IO;
		}
		off += (int)w;
	}
	long long deadline = mono_ms() + timeout_ms;
	ssize_t got = read_until(fd, line, sizeof line - 1, deadline, 1);
	if (got <= 0 || line[got - 1] != '\n') {
		snprintf(msg, msglen, "no answer from the kiosk: %s",
			 got < 0 ? strerror(errno) : "connection closed");
		return CLIENT_ERR_IO;
	}
	line[got - 1] = '\0';
	size_t body_len = 0;
	int kind = control_parse_reply(line, &body_len, code, codelen, msg, msglen);
	if (kind < 0) {
		snprintf(msg, msglen, "the kiosk's answer is not a reply: \"%.60s\"", line);
		return CLIENT_ERR_PROTOCOL;
	}
	if (kind == 0)
		return CLIENT_ERR_REFUSED;
	char *b = malloc(body_len + 1);
	if (!b) {
		snprintf(msg, msglen, "out of memory for a %zu-byte answer", body_len);
		return CLIENT_ERR_IO;
	}
	got = read_until(fd, b, body_len, deadline, 0);
	if (got < 0 || (size_t)got != body_len) {
		free(b);
		snprintf(msg, msglen, "the kiosk's answer was cut short");
		return CLIENT_ERR_IO;
	}
	b[body_len] = '\0';
	*body = b;
	*len = body_len;
	return CLIENT_OK;
}
