/*
 * vm_client.c - the guest-side client of the VM power-cut test (vm_powercut.sh). It talks to
 * the real tallykiosk over its control socket, one request at a time, and writes to the
 * console (stdout, one write(2) per line, so a line the host reads is complete) what the
 * kiosk acknowledged:
 *
 *   vm_client SOCKET status          wait for the kiosk (up to 60 s), then one status:
 *                                    "PCVM START <event_id> <total> ."
 *   vm_client SOCKET run SEED        status, then requests until killed:
 *                                    "PCVM SEND <op> <n> ."   before each request is written
 *                                    "PCVM ACK <event_id> <total> ."  after its OK reply
 *
 * The mix is that of killtest.py: 95 % press, 2 % add N, 2 % undo, 1 % new-event. An undo
 * with nothing to undo is a normal refusal: the state is unchanged and the last ACK is
 * printed again. Any other refusal prints "PCVM FAIL ..." and exits 1.
 * The host's rule: after a cut the file must hold the last ACKed state, or that state with
 * the SEND after it applied; nothing else.
 *
 *   vm_client SOCKET crowd SEED K    K clients at once, each on its own connection, so the
 *                                    kiosk's group commit batches requests of several clients
 *                                    (and a cut lands inside such a batch):
 *                                    "PCVM CSEND <client> <op> <n> <case|-> ."  before each
 *                                    "PCVM CACK <client> <event_id> <total> ."  after its OK
 *   Each client presses (80 %) and adds (20 %, N = 2..40), for one of three cases or none;
 *   client 0 also starts a new event now and then (1 %). Undo is left out: which press it
 *   takes back depends on the order of the other clients' commits. crowd_check.py checks
 *   every event and every case after each cut against the acknowledged replies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, line + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (int)w;
	}
}

static int connect_wait(const char *path, int wait_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	strcpy(sa.sun_path, path);
	for (int waited = 0;; waited += 20) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			return fd;
		close(fd);
		if (waited >= wait_ms)
			return -1;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static char buf[1 << 16];
static size_t have;

/* Reads until buf holds a complete reply; returns 1 OK (body at *body), 0 ERR, -1 gone. */
static int read_reply(int fd, char **body, char *err, size_t errlen)
{
	have = 0;
	for (;;) {
		char *nl = memchr(buf, '\n', have);
		if (nl) {
			*nl = '\0';
			if (strncmp(buf, "ERR ", 4) == 0) {
				snprintf(err, errlen, "%.200s", buf + 4);
				return 0;
			}
			if (strncmp(buf, "OK ", 3) != 0)
				return -1;
			size_t len = strtoul(buf + 3, NULL, 10);
			size_t head = (size_t)(nl - buf) + 1;
			if (head + len >= sizeof buf)
				return -1;
			while (have < head + len) {
				ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					return -1;
				have += (size_t)r;
			}
			buf[head + len] = '\0';
			*body = buf + head;
			return 1;
		}
		if (have >= sizeof buf - 1)
			return -1;
		ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
}

static int json_ll(const char *json, const char *key, long long *out)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(json, pat);
	if (!p)
		return -1;
	char *end;
	*out = strtoll(p + strlen(pat), &end, 10);
	return end == p + strlen(pat) ? -1 : 0;
}

static int send_line(int fd, const char *line)
{
	size_t n = strlen(line), off = 0;
	while (off < n) {
		ssize_t w = write(fd, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static unsigned long long rng;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

/* One client of the crowd: requests until the kiosk goes away (or the power does). */
static int crowd_client(const char *sock, unsigned k)
{
	static const char *const cases[] = { "-", "case-a", "case-b", "case-c" };
	int fd = connect_wait(sock, 5000);
	if (fd < 0) {
		say("PCVM FAIL client %u: cannot connect to %s (%s) .\n", k, sock, strerror(errno));
		return 1;
	}
	char err[256], *body;
	for (unsigned long i = 0;; i++) {
		char line[160];
		const char *op;
		long long n = 0;
		const char *c = cases[rnd(4)];
		const char *sp = c[0] == '-' ? "" : " ", *cw = c[0] == '-' ? "" : c;
		unsigned r = rnd(100);
		if (k == 0 && r == 0) {
			op = "new-event";
			c = "-";
			snprintf(line, sizeof line, "new-event Crowd %lu\n", i);
		} else if (r < 80) {
			op = "press";
			snprintf(line, sizeof line, "press%s%s\n", sp, cw);
		} else {
			op = "add";
			n = 2 + rnd(39);
			snprintf(line, sizeof line, "add %lld%s%s\n", n, sp, cw);
		}
		say("PCVM CSEND %u %s %lld %s .\n", k, op, n, c);
		if (send_line(fd, line)) {
			say("PCVM FAIL client %u: the kiosk went away .\n", k);
			return 1;
		}
		int got = read_reply(fd, &body, err, sizeof err);
		long long ev, total;
		if (got != 1 || json_ll(body, "event_id", &ev) || json_ll(body, "total", &total)) {
			say("PCVM FAIL client %u: %s: %s .\n", k, op, got == 0 ? err : "no reply");
			return 1;
		}
		say("PCVM CACK %u %lld %lld .\n", k, ev, total);
	}
}

static int crowd(const char *sock, unsigned long long seed, unsigned clients)
{
	for (unsigned k = 0; k < clients; k++) {
		pid_t pid = fork();
		if (pid < 0) {
			say("PCVM FAIL client: fork: %s .\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			rng = (seed * 31 + k) * 2654435761ULL + 7;
			_exit(crowd_client(sock, k));
		}
	}
	int status;
	wait(&status); /* the first client to stop (the kiosk went away): the run is over */
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[2], "status") && strcmp(argv[2], "run") &&
			 strcmp(argv[2], "crowd")) ||
	    (strcmp(argv[2], "status") && argc < 4) || (!strcmp(argv[2], "crowd") && argc < 5)) {
		fprintf(stderr, "usage: vm_client SOCKET status | vm_client SOCKET run SEED [MIX] |"
				" vm_client SOCKET crowd SEED CLIENTS\n");
		return 2;
	}
	if (!strcmp(argv[2], "crowd")) {
		unsigned clients = (unsigned)strtoul(argv[4], NULL, 10);
		if (clients < 1 || clients > 16) {
			fprintf(stderr, "vm_client: 1 to 16 clients\n");
			return 2;
		}
		return crowd(argv[1], strtoull(argv[3], NULL, 10), clients);
	}
	int run = !strcmp(argv[2], "run");
	int fd = connect_wait(argv[1], run ? 5000 : 60000);
	if (fd < 0) {
		say("PCVM FAIL client: cannot connect to %s (%s) .\n", argv[1], strerror(errno));
		return 1;
	}
	char err[256], *body;
	long long ev, total;
	if (send_line(fd, "status\n") || read_reply(fd, &body, err, sizeof err) != 1 ||
	    json_ll(body, "event_id", &ev) || json_ll(body, "total", &total)) {
		say("PCVM FAIL client: status failed .\n");
		return 1;
	}
	if (!run) {
		say("PCVM START %lld %lld .\n", ev, total);
		return 0;
	}
	rng = strtoull(argv[3], NULL, 10) * 2654435761ULL + 7;
	/* Optional 5th argument "ADD,UNDO,NEW" (percentages; strict-check stress runs): the
	 * default 2,2,1 is the mix above. */
	unsigned p_add = 2, p_undo = 2, p_new = 1;
	if (argc > 4 && sscanf(argv[4], "%u,%u,%u", &p_add, &p_undo, &p_new) != 3) {
		fprintf(stderr, "vm_client: bad mix %s\n", argv[4]);
		return 2;
	}
	unsigned lim_press = 100 - p_add - p_undo - p_new, lim_add = lim_press + p_add,
		 lim_undo = lim_add + p_undo;
	for (unsigned long i = 0;; i++) {
		char line[128];
		const char *op;
		long long n = 0;
		unsigned r = rnd(100);
		if (r < lim_press) {
			op = "press";
			snprintf(line, sizeof line, "press\n");
		} else if (r < lim_add) {
			op = "add";
			n = 2 + rnd(39);
			snprintf(line, sizeof line, "add %lld\n", n);
		} else if (r < lim_undo) {
			op = "undo";
			snprintf(line, sizeof line, "undo\n");
		} else {
			op = "new-event";
			snprintf(line, sizeof line, "new-event Power cut %lu\n", i);
		}
		say("PCVM SEND %s %lld .\n", op, n);
		if (send_line(fd, line)) {
			say("PCVM FAIL client: the kiosk went away .\n");
			return 1;
		}
		int k = read_reply(fd, &body, err, sizeof err);
		if (k < 0) {
			say("PCVM FAIL client: no reply to %s .\n", op);
			return 1;
		}
		if (k == 0) {
			if (strcmp(op, "undo") == 0 && strstr(err, "empty")) {
				say("PCVM ACK %lld %lld .\n", ev, total);
				continue;
			}
			say("PCVM FAIL client: %s refused: %s .\n", op, err);
			return 1;
		}
		if (json_ll(body, "event_id", &ev) || json_ll(body, "total", &total)) {
			say("PCVM FAIL client: reply without event_id/total: %.200s .\n", body);
			return 1;
		}
		say("PCVM ACK %lld %lld .\n", ev, total);
	}
}
