/*
 * tallyctl: the staff's command line. It asks the running kiosk over its control socket, so
 * the screen updates at once; when no kiosk runs it opens the database itself (the kiosk
 * holds the file exclusively, so the two never write at the same time). Arguments are
 * checked by the same parser the kiosk uses, so both refuse the same input.
 */
#include "tallyctl.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "clockcheck.h"
#include "clockset.h"
#include "config.h"
#include "control.h"
#include "ledger.h"
#include "monotime.h"
#include "paths.h"
#include "store.h"

#define REPLY_TIMEOUT_MS 30000
#define KIOSK_START_WAIT_MS 15000

static int exit_for(const char *code)
{
	if (strcmp(code, "empty") == 0 || strcmp(code, "invalid") == 0 ||
	    strcmp(code, "confirm") == 0 || strcmp(code, "off") == 0)
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
	int rc = ctl_show(c, body, len);
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
		if (c->req.op == CONTROL_CARD) {
			store_close(st);
			fprintf(stderr, "tallyctl: card: the running kiosk draws share cards with its "
					"fonts, and none is running on %s\n", c->db_path);
			return EXIT_STORAGE;
		}
		if (c->req.op == CONTROL_WEB && c->req.n == CONTROL_WEB_QR) {
			store_close(st);
			fprintf(stderr, "tallyctl: web --qr: the kiosk is not running, so there is no "
					"screen to show the code on\n");
			return EXIT_STORAGE;
		}
		if (c->req.op == CONTROL_WEB && c->req.n == CONTROL_WEB_NEW_PIN && c->cfg_pin) {
			store_close(st);
			fprintf(stderr, "tallyctl: web --new-pin: the PIN is set in kiosk.conf ([web] "
					"pin): change it there\n");
			return EXIT_REFUSED;
		}
		char *body;
		char err[512];
		s = ledger_run(st, &c->req, "tallyctl", &body, err, sizeof err);
		store_close(st);
		if (s != STORE_OK) {
			fprintf(stderr, "tallyctl: %s: %s\n", c->verb, err);
			return exit_for(store_status_name(s));
		}
		int rc = ctl_show(c, body, strlen(body));
		free(body);
		return rc;
	}
}

/*
 * set-time "YYYY-MM-DD HH:MM[:SS]" (local time, or UTC with a final Z): sets the system clock,
 * for a Pi at a venue without network (it has no clock of its own). Needs root; the kiosk
 * sees the clock move and takes its warning down. Counts never depend on the clock. The same
 * checks and call as the staff page's (clockset.c): a time before the build or more than
 * CLOCKSET_AHEAD_YEARS after it is refused.
 */
static int set_time(int argc, char **argv)
{
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		ctl_command_help("set-time");
		return 0;
	}
	char when[64] = "";
	for (int i = 0; i < argc; i++) /* "2026-12-10 18:05" typed without quotes is two words */
		if (strlen(when) + strlen(argv[i]) + 2 < sizeof when)
			snprintf(when + strlen(when), sizeof when - strlen(when), "%s%s", i ? " " : "",
				 argv[i]);
	struct tm tm = { 0 };
	int sec = 0, n = 0;
	char tail[8] = "";
	int got = sscanf(when, "%4d-%2d-%2d%*1[ T]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &n);
	int nsec = 0;
	if (got == 5 && when[n] == ':' && sscanf(when + n, ":%2d%n", &sec, &nsec) == 1)
		n += nsec;
	snprintf(tail, sizeof tail, "%.7s", when + (got >= 5 ? n : 0)); /* 7: sizeof tail - 1 */
	int utc = strcmp(tail, "Z") == 0;
	if (got < 5 || (tail[0] && !utc) || tm.tm_year < 2000 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || sec > 59)
		return ctl_fail_usage("set-time: give the time as \"YYYY-MM-DD HH:MM\" (local time; "
				      "a final Z for UTC), not \"%s\"", when);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	time_t t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return ctl_fail_usage("set-time: \"%s\" is not a time of this time zone", when);
	char err[256];
	switch (clockset_apply((long long)t * 1000, clockcheck_build_ms(), err, sizeof err)) {
	case CLOCKSET_OK:
		break;
	case CLOCKSET_ERR_RANGE:
		fprintf(stderr, "tallyctl: set-time: %s\n", err);
		return EXIT_USAGE;
	case CLOCKSET_ERR_PERM:
		fprintf(stderr, "tallyctl: set-time: %s: setting the clock needs root: "
				"sudo tallyctl set-time \"%s\"\n", err, when);
		return EXIT_STORAGE;
	default:
		fprintf(stderr, "tallyctl: set-time: %s\n", err);
		return EXIT_STORAGE;
	}
	char local[64], gmt[64];
	struct tm lt, gt;
	strftime(local, sizeof local, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &lt));
	strftime(gmt, sizeof gmt, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &gt));
	printf("Clock set to %s (%s).\n", local, gmt);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ctl c;
	/* Column widths of event names: UTF-8 whatever the staff's locale (C.UTF-8 is built into
	 * glibc); the text itself is always UTF-8. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	int opt;
	/* '+': stop at the command, so "add -5" reaches the count check, not getopt. */
	while ((opt = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': c.config = optarg; break;
		case 'd': c.db = optarg; break;
		case 's': c.socket = optarg; break;
		case 'h': ctl_usage(stdout); return 0;
		case 'V': printf("tallyctl %s\n", TALLYKIOSK_VERSION); return 0;
		default: fprintf(stderr, "Try 'tallyctl --help'.\n"); return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return ctl_fail_usage("no command given (status, add, undo, new-event, reopen, goal, "
				      "events, export, press)%s", "");
	if (strcmp(argv[optind], "set-time") == 0)
		return set_time(argc - optind - 1, argv + optind + 1);
	int rc = ctl_build_request(&c, argc - optind, argv + optind);
	if (rc)
		return rc < 0 ? 0 : rc;

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
	c.cfg_pin = cfg.web_pin[0] != '\0';
	const char *db = c.db ? c.db : cfg.database;
	if (db[0])
		snprintf(c.db_path, sizeof c.db_path, "%s", db);
	else if (paths_default_database(c.db_path, sizeof c.db_path))
		return ctl_fail_usage("no database path: give --db or -c, or set HOME", "");
	if (paths_socket(c.db_path, c.socket ? c.socket : cfg.socket, c.sock_path,
			 sizeof c.sock_path))
		return ctl_fail_usage("the control socket path for %s is too long", c.db_path);
	return run(&c);
}
