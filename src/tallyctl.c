/*
 * tallyctl: the staff's command line. It asks the running kiosk over its control socket, so
 * the screen updates at once; when no kiosk runs it opens the database itself (the kiosk
 * holds the file exclusively, so the two never write at the same time). Arguments are
 * checked by the same parser the kiosk uses, so both refuse the same input.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "control.h"
#include "ledger.h"
#include "monotime.h"
#include "numfmt.h"
#include "paths.h"
#include "store.h"

/* Exit statuses, also listed in --help. */
#define EXIT_REFUSED 1 /* the request was understood and refused: nothing to undo, ... */
#define EXIT_USAGE 2
#define EXIT_STORAGE 3 /* no kiosk and no usable database, or storage failed */

#define SYSTEM_CONFIG TALLYKIOSK_SYSCONFDIR "/tallykiosk/kiosk.conf"
#define REPLY_TIMEOUT_MS 30000
#define KIOSK_START_WAIT_MS 15000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tallyctl [OPTION]... COMMAND [ARGUMENT]\n"
		"Staff commands for a tallykiosk: read and correct the tally, start a new event,\n"
		"export the counts. Talks to the running kiosk; opens the database when none runs.\n"
		"\n"
		"Commands:\n"
		"  status [--json]        the current event, its total and goal (and, with several\n"
		"                         kiosks, the venue's total and which kiosks are online)\n"
		"  add N [CASE]           add N letters counted by hand (1 to 1000000000),\n"
		"                         for CASE (a case ID of the cases file) if given\n"
		"  undo                   take back the latest press or add of the current event\n"
		"  new-event NAME         close the current event (it is kept) and start NAME at 0\n"
		"  goal N                 set the current event's goal (0 hides the goal)\n"
		"  events [--json]        every event with its total and times\n"
		"  export --csv|--json [-o FILE]\n"
		"                         every count of every event (to FILE, or standard output)\n"
		"  export --venue [-o FILE]\n"
		"                         the venue's current event per kiosk and case, as CSV\n"
		"                         (several kiosks: asks the running kiosk)\n"
		"  press [CASE]           count one letter, as the button does (to test a set-up)\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE      the kiosk's config (default " SYSTEM_CONFIG
		" if it exists)\n"
		"      --db FILE          the database (default: from the config, else\n"
		"                         $XDG_STATE_HOME/tallykiosk/tally.db)\n"
		"      --socket PATH      the kiosk's control socket (default: the database + .sock)\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 done, 1 refused (e.g. nothing to undo), 2 bad command line,\n"
		"3 the kiosk or the database cannot be reached or storage failed.\n");
}

struct ctl {
	const char *config, *db, *socket;
	int json;
	const char *out_file;
	struct control_request req;
	const char *verb;
	char db_path[CONFIG_PATH_MAX], sock_path[CONFIG_PATH_MAX];
	int offline; /* answered from the database, no kiosk */
};

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "tallyctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tallyctl --help'.\n");
	return EXIT_USAGE;
}

/* Builds the request line from the command words and parses it as the kiosk will. */
static int build_request(struct ctl *c, int argc, char **argv)
{
	char line[CONTROL_LINE_MAX * 2] = "";
	const char *verb = argv[0];
	c->verb = verb;
	int nargs = 0;
	size_t len = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i > 0 && (strcmp(verb, "status") == 0 || strcmp(verb, "events") == 0) &&
		    strcmp(a, "--json") == 0) {
			c->json = 1;
			continue;
		}
		if (i > 0 && strcmp(verb, "export") == 0) {
			if (strcmp(a, "--csv") == 0 || strcmp(a, "--json") == 0 ||
			    strcmp(a, "--venue") == 0) {
				if (nargs++)
					return fail_usage("export: give one of --csv, --json or --venue", "");
				a = a + 2;
			} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
				if (i + 1 >= argc)
					return fail_usage("export: %s needs a file name", a);
				c->out_file = argv[++i];
				continue;
			} else {
				return fail_usage("export: unexpected \"%s\" (use --csv or --json)", a);
			}
		}
		size_t n = strlen(a);
		if (len + n + 2 >= sizeof line)
			return fail_usage("%s: arguments too long", verb);
		if (i > 0)
			line[len++] = ' ';
		memcpy(line + len, a, n + 1);
		len += n;
	}
	if (strcmp(verb, "export") == 0 && nargs == 0)
		return fail_usage("export: give --csv or --json", "");
	char err[256];
	if (control_parse(line, len, &c->req, err, sizeof err) != 0)
		return fail_usage("%s", err);
	return 0;
}

static void print_time(const char *iso)
{
	/* "2026-12-10T18:04:05.123Z" -> "2026-12-10 18:04 UTC" */
	if (strlen(iso) >= 16)
		printf("%.10s %.5s UTC", iso, iso + 11);
	else
		printf("%s", iso[0] ? iso : "-");
}

static void print_count(long long n)
{
	char buf[40];
	numfmt_thousands(n, ",", buf, sizeof buf);
	fputs(buf, stdout);
}

static int print_status(const struct ctl *c, const char *body)
{
	struct control_status s;
	if (control_parse_status(body, &s)) {
		fprintf(stderr, "tallyctl: cannot read the answer: %s\n", body);
		return EXIT_STORAGE;
	}
	switch (c->req.op) {
	case CONTROL_ADD:
		printf("Added ");
		print_count(c->req.n);
		printf(". ");
		break;
	case CONTROL_PRESS:
		printf("Counted one letter. ");
		break;
	case CONTROL_UNDO:
		printf("Took back ");
		print_count(s.undone);
		printf(s.undone == 1 ? " letter. " : " letters. ");
		break;
	case CONTROL_NEW_EVENT:
		printf("Started a new event; the previous one is kept (tallyctl events).\n");
		break;
	case CONTROL_GOAL:
		printf("Goal set. ");
		break;
	default:
		break;
	}
	if (c->req.op != CONTROL_STATUS) {
		printf("Total: ");
		print_count(s.total);
		printf("\n");
		return 0;
	}
	printf("Event:  %s (since ", s.event);
	print_time(s.started);
	printf(")\nTotal:  ");
	print_count(s.total);
	printf("\nGoal:   ");
	if (s.goal > 0) {
		print_count(s.goal);
		printf(" (%lld%%)\n", s.total * 100 / s.goal);
	} else {
		printf("none\n");
	}
	const char *venue = strstr(body, "\"venue_total\":");
	const char *campaign = strstr(body, "\"campaign_total\":");
	if (venue) {
		int on = 0, off = 0;
		for (const char *k = strstr(body, "\"online\":"); k; k = strstr(k + 1, "\"online\":"))
			k[9] == 't' ? on++ : off++;
		printf("Venue:  ");
		print_count(atoll(venue + 14));
		printf(" (%d kiosk%s online, %d offline)\n", on, on == 1 ? "" : "s", off);
	}
	if (campaign) {
		printf("Campaign: ");
		print_count(atoll(campaign + 17));
		printf("\n");
	}
	if (c->offline)
		printf("Kiosk:  not running (read from %s)\n", c->db_path);
	else
		printf("Kiosk:  running (%s)\n", c->sock_path);
	return 0;
}

/* A plain table of the events JSON (one object per line, as store.c writes it). */
static int print_events(const char *body)
{
	printf("%-4s  %-32s  %10s  %10s  %-20s  %s\n", "ID", "EVENT", "TOTAL", "GOAL", "STARTED",
	       "ENDED");
	for (const char *line = strchr(body, '{'); line; line = strchr(line + 1, '{')) {
		char one[1024];
		const char *end = strchr(line, '}');
		if (!end || (size_t)(end - line) >= sizeof one)
			break;
		memcpy(one, line, (size_t)(end - line + 1));
		one[end - line + 1] = '\0';
		struct control_status s;
		if (control_parse_status(one, &s))
			continue;
		char ended[40] = "";
		const char *e = strstr(one, "\"ended\":\"");
		if (e)
			snprintf(ended, sizeof ended, "%.24s", e + 9);
		const char *id = strstr(one, "\"id\":");
		char total[40], goal[40];
		numfmt_thousands(s.total, ",", total, sizeof total);
		numfmt_thousands(s.goal, ",", goal, sizeof goal);
		printf("%-4lld  %-32s  %10s  %10s  ", id ? atoll(id + 5) : 0LL, s.event, total,
		       s.goal ? goal : "-");
		print_time(s.started);
		printf("  ");
		if (ended[0])
			print_time(ended);
		else
			printf("(current)");
		printf("\n");
	}
	return 0;
}

/* Writes data to path through a temporary file, so a cut never leaves half an export. */
static int write_file(const char *path, const char *data, size_t len)
{
	char tmp[CONFIG_PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			unlink(tmp);
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "tallyctl: %s: %s\n", path, strerror(errno));
	return EXIT_STORAGE;
}

static int show(const struct ctl *c, const char *body, size_t len)
{
	switch (c->req.op) {
	case CONTROL_EXPORT_CSV:
	case CONTROL_EXPORT_JSON:
	case CONTROL_EXPORT_VENUE:
		if (c->out_file)
			return write_file(c->out_file, body, len);
		fwrite(body, 1, len, stdout);
		return 0;
	case CONTROL_EVENTS:
		if (c->json) {
			fwrite(body, 1, len, stdout);
			return 0;
		}
		return print_events(body);
	default:
		if (c->json) {
			fwrite(body, 1, len, stdout);
			return 0;
		}
		return print_status(c, body);
	}
}

static int exit_for(const char *code)
{
	if (strcmp(code, "empty") == 0 || strcmp(code, "invalid") == 0)
		return EXIT_REFUSED;
	if (strcmp(code, "usage") == 0)
		return EXIT_USAGE;
	return EXIT_STORAGE;
}

static int via_kiosk(struct ctl *c, int fd)
{
	char *body;
	size_t len;
	char code[32] = "", msg[512] = "";
	enum client_status s = client_request(fd, &c->req, REPLY_TIMEOUT_MS, &body, &len, code,
					      sizeof code, msg, sizeof msg);
	close(fd);
	if (s == CLIENT_ERR_REFUSED) {
		fprintf(stderr, "tallyctl: %s: %s\n", c->verb, msg);
		return exit_for(code);
	}
	if (s != CLIENT_OK) {
		fprintf(stderr, "tallyctl: %s\n", msg);
		return EXIT_STORAGE;
	}
	int rc = show(c, body, len);
	free(body);
	return rc;
}

static int run(struct ctl *c)
{
	long long deadline = mono_ms() + KIOSK_START_WAIT_MS;
	for (;;) {
		int fd;
		enum client_status cs = client_connect(c->sock_path, &fd);
		if (cs == CLIENT_OK)
			return via_kiosk(c, fd);
		if (cs != CLIENT_ERR_NOKIOSK) {
			fprintf(stderr, "tallyctl: cannot reach the kiosk at %s: %s\n", c->sock_path,
				strerror(errno));
			return EXIT_STORAGE;
		}
		if (access(c->db_path, F_OK) != 0) {
			fprintf(stderr, "tallyctl: no kiosk is running and there is no database at %s "
					"(start the kiosk once, or give --db or -c)\n", c->db_path);
			return EXIT_STORAGE;
		}
		struct store *st;
		enum store_status s = store_open(&st, c->db_path, NULL, 0, 250);
		if (s == STORE_ERR_BUSY && mono_ms() < deadline) {
			/* A kiosk is starting (it holds the file before its socket is up): ask it. */
			store_close(st);
			continue;
		}
		if (s != STORE_OK) {
			fprintf(stderr, "tallyctl: database %s\n", store_errmsg(st));
			store_close(st);
			return EXIT_STORAGE;
		}
		c->offline = 1;
		char *body;
		char err[512];
		s = ledger_run(st, &c->req, "tallyctl", &body, err, sizeof err);
		store_close(st);
		if (s != STORE_OK) {
			fprintf(stderr, "tallyctl: %s: %s\n", c->verb, err);
			return exit_for(store_status_name(s));
		}
		int rc = show(c, body, strlen(body));
		free(body);
		return rc;
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ctl c;
	int opt;
	/* '+': stop at the command, so "add -5" reaches the count check, not getopt. */
	while ((opt = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': c.config = optarg; break;
		case 'd': c.db = optarg; break;
		case 's': c.socket = optarg; break;
		case 'h': usage(stdout); return 0;
		default: fprintf(stderr, "Try 'tallyctl --help'.\n"); return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return fail_usage("no command given (status, add, undo, new-event, goal, events, "
				  "export)", "");
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	int rc = build_request(&c, argc - optind, argv + optind);
	if (rc)
		return rc;

	static struct config cfg;
	config_defaults(&cfg);
	const char *cpath = c.config;
	if (!cpath && access(SYSTEM_CONFIG, F_OK) == 0)
		cpath = SYSTEM_CONFIG;
	if (cpath) {
		char err[CONFIG_PATH_MAX + 512];
		if (config_load(&cfg, cpath, err, sizeof err) != CONFIG_OK) {
			fprintf(stderr, "tallyctl: %s\n", err);
			return EXIT_USAGE;
		}
	}
	const char *db = c.db ? c.db : cfg.database;
	if (db[0])
		snprintf(c.db_path, sizeof c.db_path, "%s", db);
	else if (paths_default_database(c.db_path, sizeof c.db_path))
		return fail_usage("no database path: give --db or -c, or set HOME", "");
	if (paths_socket(c.db_path, c.socket ? c.socket : cfg.socket, c.sock_path,
			 sizeof c.sock_path))
		return fail_usage("the control socket path for %s is too long", c.db_path);
	return run(&c);
}
