/*
 * tallykiosk: the kiosk's entry point. Reads the command line and the config, opens the
 * database (waiting for a tallyctl that holds it, refusing to run beside another kiosk),
 * opens the screen, and hands over to the loop in app.c. Everything that can be wrong with
 * the set-up is reported here, before the loop, with the file, line or value at fault.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cases.h"
#include "client.h"
#include "config.h"
#include "log.h"
#include "monotime.h"
#include "paths.h"
#include "render.h"
#include "start_error.h"
#include "store.h"
#include "ledger.h"
#include "web.h"
#include "web_auth.h"

#define EXIT_USAGE 2
#define SYSTEM_CONFIG TALLYKIOSK_SYSCONFDIR "/tallykiosk/kiosk.conf"
#define LOCK_WAIT_MS 60000

struct options {
	const char *config;
	const char *db;
	int windowed;
	int width, height;
	const char *screenshot;
	int shot_width, shot_height;
	const char *trace;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tallykiosk [OPTION]...\n"
		"Shows the live tally of a letter-writing event full-screen and counts each press.\n"
		"\n"
		"  -c, --config FILE      read settings from FILE (default: " SYSTEM_CONFIG
		" if it exists,\n"
		"                         else built-in demo settings)\n"
		"      --db FILE          the database (default: [storage] database in the config, else\n"
		"                         $XDG_STATE_HOME/tallykiosk/tally.db)\n"
		"      --windowed[=WxH]   run in a window (default size from the config)\n"
		"      --screenshot FILE  render the settled screen to a PNG file and exit (no display\n"
		"                         needed); the size comes from --size\n"
		"      --size WxH         size of the screenshot (default 1920x1080)\n"
		"      --trace FILE       write timing events (first frame, press-to-frame latency)\n"
		"                         to FILE, for `make bench`\n"
		"  -h, --help             show this help and exit\n"
		"      --version          show the version and exit\n"
		"\n"
		"Space, Enter, a mouse click or a touch count one letter. Staff use tallyctl.\n"
		"Exit status: 0 stopped cleanly, 1 runtime failure (database, display), 2 bad\n"
		"command line or configuration.\n");
}

static int parse_size(const char *s, int *w, int *h)
{
	char *end;
	errno = 0;
	long lw = strtol(s, &end, 10);
	if (errno || end == s || *end != 'x')
		return -1;
	const char *hs = end + 1;
	long lh = strtol(hs, &end, 10);
	if (errno || end == hs || *end != '\0')
		return -1;
	if (lw < 64 || lh < 64 || lw > 16384 || lh > 16384)
		return -1;
	*w = (int)lw;
	*h = (int)lh;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_DB = 256, OPT_WINDOWED, OPT_SCREENSHOT, OPT_SIZE, OPT_VERSION, OPT_TRACE };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "windowed", optional_argument, NULL, OPT_WINDOWED },
		{ "screenshot", required_argument, NULL, OPT_SCREENSHOT },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	int size_given = 0;
	o->shot_width = 1920;
	o->shot_height = 1080;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case OPT_DB: o->db = optarg; break;
		case OPT_WINDOWED:
			o->windowed = 1;
			if (optarg && parse_size(optarg, &o->width, &o->height)) {
				fprintf(stderr, "tallykiosk: --windowed=%s: expected WIDTHxHEIGHT, "
						"e.g. 1280x720 (64 to 16384)\n", optarg);
				return -1;
			}
			break;
		case OPT_SCREENSHOT: o->screenshot = optarg; break;
		case OPT_TRACE: o->trace = optarg; break;
		case OPT_SIZE:
			size_given = 1;
			if (parse_size(optarg, &o->shot_width, &o->shot_height)) {
				fprintf(stderr, "tallykiosk: --size %s: expected WIDTHxHEIGHT, e.g. "
						"1920x1080 (64 to 16384)\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION: printf("tallykiosk %s\n", TALLYKIOSK_VERSION); exit(0);
		default:
			fprintf(stderr, "Try 'tallykiosk --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tallykiosk: unexpected argument \"%s\"; try 'tallykiosk --help'\n",
			argv[optind]);
		return -1;
	}
	if (size_given && !o->screenshot) {
		fprintf(stderr, "tallykiosk: --size is only used with --screenshot\n");
		return -1;
	}
	return 0;
}

/* The config file in use: -c, else the system's if it exists, else NULL (demo settings). */
static const char *config_path(const struct options *o)
{
	if (o->config)
		return o->config;
	return access(SYSTEM_CONFIG, F_OK) == 0 ? SYSTEM_CONFIG : NULL;
}

/* On failure err holds "FILE:LINE: what is wrong". */
static int load_config(const struct options *o, struct config *cfg, char *err, size_t errlen)
{
	config_defaults(cfg);
	const char *path = config_path(o);
	if (!path) {
		log_msg(LOG_PRIO_INFO, "no config file: using the built-in demo settings");
		return 0;
	}
	if (config_load(cfg, path, err, errlen) != CONFIG_OK) {
		log_msg(LOG_PRIO_ERR, "%s", err);
		return -1;
	}
	log_msg(LOG_PRIO_INFO, "config: %s", path);
	return 0;
}

/*
 * The carousel's cases: [content] cases, else the file bundled with the program. A file that
 * is named but bad stops the kiosk (file:line: key); no bundled file only turns the carousel
 * off. c->n stays 0 when there is nothing to show.
 */
static int load_cases(const struct options *o, const struct config *cfg, struct cases *c,
		      char *err, size_t errlen)
{
	char path[CONFIG_PATH_MAX], exe[CONFIG_PATH_MAX];
	memset(c, 0, sizeof *c);
	if (!cfg->carousel)
		return 0;
	if (cfg->cases[0]) {
		snprintf(path, sizeof path, "%s", cfg->cases);
	} else {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		if (cases_bundled_path(exe, path, sizeof path) != 0) {
			log_msg(LOG_PRIO_NOTICE, "no cases file ([content] cases) and none installed "
						 "beside %s: the carousel is off", exe);
			return 0;
		}
	}
	enum cases_status cs = cases_load(c, path, err, errlen);
	if (cs == CASES_ERR_IO && cfg->cases_line) {
		/* A file that cannot be opened is fixed in the config that names it. */
		char why[CONFIG_PATH_MAX + 512];
		snprintf(why, sizeof why, "%.1400s", err);
		snprintf(err, errlen, "%s:%d: [content] cases: %s", config_path(o),
			 cfg->cases_line, why);
	}
	if (cs != CASES_OK) {
		log_msg(LOG_PRIO_ERR, "%s", err);
		cases_free(c);
		return -1;
	}
	log_msg(LOG_PRIO_INFO, "cases: %s (%d)", path, c->n);
	return 0;
}

/*
 * Opens the database for the kiosk. A lock held by tallyctl (working offline) is waited
 * for; a lock held by another kiosk, recognised by its live control socket, is an error.
 */
static struct store *open_store(const char *db, const char *sock, const struct config *cfg,
			       int recover)
{
	if (paths_make_parents(db) != 0) {
		log_msg(LOG_PRIO_ERR, "%s: cannot create its folder: %s", db, strerror(errno));
		return NULL;
	}
	long long start = mono_ms();
	int said_waiting = 0;
	for (;;) {
		struct store *st;
		/* The kiosk moves a damaged file aside and keeps counting; a screenshot only reads. */
		enum store_status s =
			recover ? store_open_recover(&st, db, cfg->event_name, cfg->goal, 1000)
				: store_open(&st, db, cfg->event_name, cfg->goal, 1000);
		if (s == STORE_OK) {
			if (store_notice(st)[0])
				log_msg(LOG_PRIO_WARNING, "database %s: %s", db, store_notice(st));
			return st;
		}
		if (s != STORE_ERR_BUSY) {
			log_msg(LOG_PRIO_ERR, "database %s", store_errmsg(st));
			store_close(st);
			return NULL;
		}
		store_close(st);
		int fd;
		if (client_connect(sock, &fd) == CLIENT_OK) {
			close(fd);
			log_msg(LOG_PRIO_ERR, "%s: another tallykiosk is already running on this "
					      "database (its control socket %s answers); stop it first",
				db, sock);
			return NULL;
		}
		if (mono_ms() - start > LOCK_WAIT_MS) {
			log_msg(LOG_PRIO_ERR, "%s: still locked by another program after %d s; "
					      "is a tallyctl command stuck?", db, LOCK_WAIT_MS / 1000);
			return NULL;
		}
		if (!said_waiting++)
			log_msg(LOG_PRIO_NOTICE, "%s: in use by another program (tallyctl?); waiting",
				db);
	}
}

/*
 * [mqtt] password_file: the broker password, kept out of kiosk.conf (which is world-readable
 * on many set-ups). One line; a trailing newline is not part of it.
 */
static int read_password(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		log_msg(LOG_PRIO_ERR, "[mqtt] password_file %s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, len - 1, f);
	int more = fgetc(f) != EOF;
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (more || !n || strchr(buf, '\n') || strlen(buf) != n) {
		log_msg(LOG_PRIO_ERR, "[mqtt] password_file %s: expected one line of at most %zu "
				      "bytes, the password", path, len - 2);
		return -1;
	}
	return 0;
}

/* The state a screenshot shows: from a running kiosk if there is one, else the file. */
static int screenshot_state(const char *db, const char *sock, const struct config *cfg,
			    struct store_event *ev)
{
	int fd;
	if (client_connect(sock, &fd) == CLIENT_OK) {
		struct control_request req = { .op = CONTROL_STATUS };
		char *body;
		size_t len;
		char code[32], msg[256];
		enum client_status cs =
			client_request(fd, &req, 5000, &body, &len, code, sizeof code, msg, sizeof msg);
		close(fd);
		if (cs != CLIENT_OK) {
			log_msg(LOG_PRIO_ERR, "asking the running kiosk: %s", msg);
			return -1;
		}
		struct control_status cs_info;
		int bad = control_parse_status(body, &cs_info);
		free(body);
		if (bad) {
			log_msg(LOG_PRIO_ERR, "the running kiosk's status cannot be read");
			return -1;
		}
		memset(ev, 0, sizeof *ev);
		snprintf(ev->name, sizeof ev->name, "%s", cs_info.event);
		ev->total = cs_info.total;
		ev->goal = cs_info.goal;
		return 0;
	}
	struct store *st = open_store(db, sock, cfg, 0);
	if (!st)
		return -1;
	store_current(st, ev);
	store_close(st);
	return 0;
}

static int take_screenshot(const struct options *o, const char *db, const char *sock,
			   const struct config *cfg, const struct cases *cases)
{
	struct store_event ev;
	if (screenshot_state(db, sock, cfg, &ev))
		return 1;
	struct render *r;
	char err[512];
	if (render_open_surface(&r, cfg, NULL, o->shot_width, o->shot_height, err, sizeof err)) {
		log_msg(LOG_PRIO_ERR, "screenshot: %s", err);
		return 1;
	}
	struct tally_view v = {
		.event_name = ev.name, .total = ev.total, .goal = ev.goal,
		.label = cfg->label, .thank_you = cfg->thank_you,
	};
	render_set_cases(r, cases);
	render_draw(r, &v, 0);
	int rc = 0;
	if (render_save_png(r, o->screenshot, err, sizeof err)) {
		log_msg(LOG_PRIO_ERR, "screenshot: %s", err);
		rc = 1;
	}
	render_close(r);
	return rc;
}

/* Stop signals arrive on a fd in the loop's poll; blocked before any thread starts. */
static int open_signal_fd(void)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		log_msg(LOG_PRIO_ERR, "signalfd: %s", strerror(errno));
	return sfd;
}

/*
 * The configuration or cases file has an error (already logged): show it full-screen for
 * staff rather than a black TV, and wait. When the file is saved again the kiosk starts
 * afresh (exec of itself); stopped, it exits 2, which the systemd unit does not restart.
 */
static int show_start_error(const struct options *o, const struct config *bad, char **argv,
			    const char *error)
{
	/* Nobody looks at a dummy or off-screen display (tests, scripts): stop at once. */
	const char *driver = getenv("SDL_VIDEODRIVER");
	if (driver && (strstr(driver, "dummy") || strstr(driver, "offscreen")))
		return EXIT_USAGE;
	static struct config cfg; /* the bad file's values cannot be trusted: defaults */
	config_defaults(&cfg);
	const char *watched[3] = { config_path(o), NULL, NULL };
	if (bad->cases[0])
		watched[watched[0] ? 1 : 0] = bad->cases;
	/* Blocked first: a stop while the display opens still ends in status 2. */
	int sfd = open_signal_fd();
	struct render *r;
	char err[512];
	int w = o->width ? o->width : cfg.window_width, h = o->height ? o->height : cfg.window_height;
	/* No share cards are drawn beside the error: no font lock. */
	if (render_open_window(&r, &cfg, NULL, cfg.fullscreen && !o->windowed, w, h, err,
			       sizeof err)) {
		log_msg(LOG_PRIO_ERR, "display: %s (so the error above is not shown on screen)", err);
		if (sfd >= 0)
			close(sfd);
		return EXIT_USAGE;
	}
	enum start_error_result res = START_ERROR_STOPPED;
	if (sfd >= 0) {
		log_msg(LOG_PRIO_NOTICE, "showing the error on screen; waiting for %s to be saved",
			watched[0] ? watched[0] : "a fix");
		res = start_error_run(r, sfd, error, watched);
		close(sfd);
	}
	render_close(r);
	if (res == START_ERROR_CHANGED) {
		log_msg(LOG_PRIO_NOTICE, "%s changed: starting again", watched[0] ? watched[0] : "");
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv("/proc/self/exe", argv);
		log_msg(LOG_PRIO_ERR, "cannot start again: %s", strerror(errno));
	}
	return EXIT_USAGE;
}

/* The page's files: ../share/tallykiosk/web beside an installed binary, else ../assets/web. */
static int web_assets(char *buf, size_t len)
{
	static const char *const rel[] = { "../share/tallykiosk/web", "../assets/web" };
	char exe[CONFIG_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		int k = snprintf(buf, len, "%.*s%s", (int)(slash - exe + 1), exe, rel[i]);
		if (k > 0 && (size_t)k < len && access(buf, R_OK) == 0)
			return 0;
	}
	return -1;
}

/*
 * The staff web page ([web] enabled). Its PIN is kiosk.conf's, else the one kept in the
 * database, else a new random one saved there now (every kiosk has its own).
 */
static int open_web(const struct config *cfg, struct store *st, const struct cases *cases,
		    struct web **out, char *pin, size_t pinlen)
{
	*out = NULL;
	if (!cfg->web_enabled)
		return 0;
	if (cfg->web_pin[0]) {
		snprintf(pin, pinlen, "%.64s", cfg->web_pin);
	} else {
		if (store_meta_get(st, LEDGER_PIN_KEY, pin, pinlen) != STORE_OK) {
			log_msg(LOG_PRIO_ERR, "web: reading the PIN: %s", store_errmsg(st));
			return -1;
		}
		if (!web_pin_valid(pin)) {
			if (web_pin_generate(pin, pinlen) ||
			    store_meta_set(st, LEDGER_PIN_KEY, pin) != STORE_OK) {
				log_msg(LOG_PRIO_ERR, "web: cannot make and save a PIN: %s",
					store_errmsg(st));
				return -1;
			}
			log_msg(LOG_PRIO_NOTICE, "web: made a new staff PIN (see tallyctl web)");
		}
	}
	char assets[CONFIG_PATH_MAX], err[CONFIG_PATH_MAX + 256];
	if (web_assets(assets, sizeof assets)) {
		log_msg(LOG_PRIO_ERR, "web: the page's files are not installed (share/tallykiosk/web "
				      "or assets/web beside the program)");
		return -1;
	}
	struct web_params wp = {
		.listen = cfg->web_listen, .pin = pin, .api_token = cfg->web_api_token,
		.tls_cert = cfg->web_tls_cert, .tls_key = cfg->web_tls_key, .assets_dir = assets,
		.public_url = cfg->web_public_url, .cases = cases,
	};
	if (web_open(out, &wp, err, sizeof err)) {
		log_msg(LOG_PRIO_ERR, "web: %s", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;
	static struct config cfg; /* large: kept off the stack */
	static struct cases cases; /* large, and borrowed by the renderer until the end */
	char err[CONFIG_PATH_MAX + 1024];
	if (load_config(&o, &cfg, err, sizeof err) || load_cases(&o, &cfg, &cases, err, sizeof err))
		return o.screenshot ? EXIT_USAGE : show_start_error(&o, &cfg, argv, err);

	char db[CONFIG_PATH_MAX], sock[CONFIG_PATH_MAX];
	const char *db_src = o.db ? o.db : cfg.database;
	if (db_src[0]) {
		snprintf(db, sizeof db, "%s", db_src);
	} else if (paths_default_database(db, sizeof db)) {
		log_msg(LOG_PRIO_ERR, "no database path: set [storage] database in the config, "
				      "pass --db, or set HOME or XDG_STATE_HOME");
		return EXIT_USAGE;
	}
	if (paths_socket(db, cfg.socket, sock, sizeof sock)) {
		log_msg(LOG_PRIO_ERR, "control socket path for %s is too long (max 107 bytes); set "
				      "[storage] socket in the config", db);
		return EXIT_USAGE;
	}
	if (o.screenshot)
		return take_screenshot(&o, db, sock, &cfg, &cases);

	int sfd = open_signal_fd();
	if (sfd < 0)
		return 1;

	static char password[512];
	if (cfg.mqtt && cfg.mqtt_password_file[0] &&
	    read_password(cfg.mqtt_password_file, password, sizeof password))
		return EXIT_USAGE;

	struct store *st = open_store(db, sock, &cfg, 1);
	if (!st)
		return 1;
	log_msg(LOG_PRIO_INFO, "database: %s (kiosk %s)", db, store_kiosk_id(st));

	/* The screen and the share cards (drawn on their own thread) open their fonts from one
	 * FreeType library: this lock, lent to both, keeps them from opening files at once. */
	struct font_lock *font_lock = font_lock_new();
	if (!font_lock) {
		log_msg(LOG_PRIO_ERR, "out of memory");
		store_close(st);
		return 1;
	}
	struct render *r;
	int fullscreen = cfg.fullscreen && !o.windowed;
	int w = o.width ? o.width : cfg.window_width, h = o.height ? o.height : cfg.window_height;
	if (render_open_window(&r, &cfg, font_lock, fullscreen, w, h, err, sizeof err)) {
		log_msg(LOG_PRIO_ERR, "display: %s", err);
		font_lock_free(font_lock);
		store_close(st);
		return 1;
	}
	render_describe(r, err, sizeof err);
	log_msg(LOG_PRIO_INFO, "display: %s", err);
	render_set_cases(r, &cases);
	FILE *trace = NULL;
	if (o.trace && !(trace = fopen(o.trace, "we"))) {
		log_msg(LOG_PRIO_ERR, "--trace %s: %s", o.trace, strerror(errno));
		render_close(r);
		font_lock_free(font_lock);
		store_close(st);
		return 1;
	}
	struct web *web;
	char pin[WEB_PIN_MAX + 1] = "";
	/* A page that cannot start (port taken, no network allowed) must not stop the counting:
	 * the kiosk runs on without it and says so (tallyctl web, the log). */
	if (open_web(&cfg, st, &cases, &web, pin, sizeof pin)) {
		log_msg(LOG_PRIO_ERR, "web: the staff page is not served; the kiosk counts on");
		web = NULL;
	}
	struct app_params p = { .cfg = &cfg, .cases = &cases, .store = st, .render = r,
				.font_lock = font_lock, .socket_path = sock,
				.signal_fd = sfd, .trace = trace,
				.mqtt_password = password[0] ? password : NULL,
				.web = web, .web_pin = pin };
	int rc = app_run(&p);
	web_close(web);
	if (trace)
		fclose(trace);
	render_close(r);
	font_lock_free(font_lock);
	store_close(st);
	close(sfd);
	cases_free(&cases);
	return rc;
}
