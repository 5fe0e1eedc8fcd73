/*
 * tallyctl: the staff's command line. It asks the running kiosk over its control socket, so
 * the screen updates at once; when no kiosk runs it opens the database itself (the kiosk
 * holds the file exclusively, so the two never write at the same time). Arguments are
 * checked by the same parser the kiosk uses, so both refuse the same input.
 */
/* wcwidth() is X/Open. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <jansson.h>

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

/* The commands, in the order --help lists them. */
enum arg_kind { ARG_NONE, ARG_COUNT, ARG_OPT_COUNT, ARG_WORDS, ARG_EXPORT, ARG_WEB, ARG_CARD };
struct command {
	const char *name, *args, *summary;
	enum arg_kind arg;
	int json;      /* takes --json */
	int takes_case; /* an optional CASE after the other arguments */
};

static const struct command commands[] = {
	{ "status", "[--json]", "the current event, its total and goal (and, with several kiosks, "
	  "the venue's total and which kiosks are online)", ARG_NONE, 1, 0 },
	{ "add", "N [CASE]", "add N letters counted by hand (1 to 1,000,000,000; 1,000 or 1000), "
	  "for CASE (a case ID of the cases file) if given", ARG_COUNT, 0, 1 },
	{ "undo", "", "take back the latest press or add of the current event", ARG_NONE, 0, 0 },
	{ "new-event", "NAME", "close the current event (it is kept) and start NAME at 0",
	  ARG_WORDS, 0, 0 },
	{ "reopen", "", "take back a mistaken new-event: the previous event is current again",
	  ARG_NONE, 0, 0 },
	{ "goal", "[N]", "show the goal, or set it to N (0 hides the goal)", ARG_OPT_COUNT, 0, 0 },
	{ "events", "[--json]", "every event with its total and times", ARG_NONE, 1, 0 },
	{ "export", "--csv|--json|--venue [-o FILE]",
	  "every count of every event (to FILE, or standard output); --venue: with several "
	  "kiosks, the venue's current event per kiosk and case, as CSV (asks the running kiosk)",
	  ARG_EXPORT, 0, 0 },
	{ "press", "[CASE]", "count one letter, as the button does (to test a set-up), for CASE "
	  "if given", ARG_NONE, 0, 1 },
	{ "web", "[--qr|--new-pin] [--json]", "the staff web page's address and PIN; --qr shows "
	  "its QR code on the kiosk's screen for 60 s; --new-pin makes a new random PIN (every "
	  "phone signs in again)", ARG_WEB, 1, 0 },
	{ "card", "FILE.png [--wide] [--event ID]", "the share card of the current event (or of "
	  "event ID, see tallyctl events) as a 1080x1080 PNG, or 1200x630 with --wide; drawn by "
	  "the running kiosk", ARG_CARD, 0, 0 },
	{ "set-time", "\"YYYY-MM-DD HH:MM\"", "set the system clock (local time; a final Z for "
	  "UTC): a Raspberry Pi has no clock of its own. Needs root (sudo)", ARG_WORDS, 0, 0 },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Prints text from column indent (where the cursor is) on, wrapped at 79 columns, later lines
 * indented as much; ends the line. */
static void print_wrapped(FILE *f, int indent, const char *text)
{
	int col = indent;
	for (const char *w = text; *w;) {
		size_t n = strcspn(w, " ");
		if (col > indent && col + 1 + (int)n > 79) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		}
		fprintf(f, "%s%.*s", col > indent ? " " : "", (int)n, w);
		col += (col > indent ? 1 : 0) + (int)n;
		w += n;
		w += strspn(w, " ");
	}
	fputc('\n', f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tallyctl [OPTION]... COMMAND [ARGUMENT]\n"
		"Staff commands for a tallykiosk: read and correct the tally, start a new event,\n"
		"export the counts. Talks to the running kiosk; opens the database when none runs.\n"
		"\n"
		"Commands (tallyctl COMMAND --help for one):\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char head[64];
		snprintf(head, sizeof head, "%s %s", commands[i].name, commands[i].args);
		if (strlen(head) > 22)
			fprintf(f, "  %s\n", head);
		fprintf(f, "  %-22s ", strlen(head) > 22 ? "" : head);
		print_wrapped(f, 25, commands[i].summary);
	}
	fprintf(f,
		"\n"
		"Options:\n"
		"  -c, --config FILE      the kiosk's config (default " SYSTEM_CONFIG
		" if it exists)\n"
		"      --db FILE          the database (default: from the config, else\n"
		"                         $XDG_STATE_HOME/tallykiosk/tally.db)\n"
		"      --socket PATH      the kiosk's control socket (default: the database + .sock)\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n"
		"\n"
		"Exit status: 0 done, 1 refused (e.g. nothing to undo), 2 bad command line,\n"
		"3 the kiosk or the database cannot be reached or storage failed.\n");
}

static void command_usage(const struct command *c)
{
	char summary[400];
	snprintf(summary, sizeof summary, "%c%s.", c->summary[0] - 'a' + 'A', c->summary + 1);
	printf("Usage: tallyctl [OPTION]... %s%s%s\n", c->name, c->args[0] ? " " : "", c->args);
	print_wrapped(stdout, 0, summary);
	if (!strcmp(c->name, "new-event"))
		printf("Several words make one name: tallyctl new-event Library evening.\n");
	if (!strcmp(c->name, "new-event") || !strcmp(c->name, "reopen"))
		printf("Nothing is deleted: a mistaken new-event is taken back with tallyctl reopen\n"
		       "as long as the new event has counted nothing.\n");
	printf("Options of tallyctl: tallyctl --help.\n");
}

struct ctl {
	const char *config, *db, *socket;
	int json;
	int show_goal;      /* goal with no number: show the goal */
	const char *out_file;
	struct control_request req;
	const char *verb;
	char db_path[CONFIG_PATH_MAX], sock_path[CONFIG_PATH_MAX];
	int offline; /* answered from the database, no kiosk */
	int cfg_pin; /* kiosk.conf sets the web PIN */
	int card_wide;
	const char *card_event;
};

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "tallyctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tallyctl --help'.\n");
	return EXIT_USAGE;
}

/* An option-looking word: "--x", or "-x" with a letter ("-5" is a number, for the count check). */
static int is_option(const char *a)
{
	return a[0] == '-' && (a[1] == '-' || (a[1] >= 'a' && a[1] <= 'z') ||
			       (a[1] >= 'A' && a[1] <= 'Z'));
}

/*
 * Builds the request line from the command words and parses it as the kiosk will. Returns
 * 0, EXIT_USAGE after saying what is wrong, or -1 when the command's help was printed.
 */
static int build_request(struct ctl *c, int argc, char **argv)
{
	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS && !cmd; i++)
		if (!strcmp(argv[0], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return fail_usage("unknown command \"%s\" (status, add, undo, new-event, reopen, "
				  "goal, events, export, press, web, card)", argv[0]);
	c->verb = cmd->name;
	char line[CONTROL_LINE_MAX * 2], num[40];
	size_t len = (size_t)snprintf(line, sizeof line, "%s", cmd->name);
	const char *format = NULL;
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			command_usage(cmd);
			return -1;
		}
		if (cmd->json && !strcmp(a, "--json")) {
			c->json = 1;
			continue;
		}
		if (cmd->arg == ARG_EXPORT && (!strcmp(a, "--csv") || !strcmp(a, "--json") ||
					       !strcmp(a, "--venue"))) {
			if (format && strcmp(format, a + 2))
				return fail_usage("export: give one of --csv, --json or --venue%s", "");
			format = a + 2;
			continue;
		}
		if (cmd->arg == ARG_CARD) {
			if (!strcmp(a, "--wide")) {
				c->card_wide = 1;
			} else if (!strcmp(a, "--event")) {
				if (i + 1 >= argc)
					return fail_usage("card: --event needs an event number%s", "");
				c->card_event = argv[++i];
			} else if (is_option(a)) {
				return fail_usage("card: unknown option %s (--wide, --event ID)", a);
			} else if (c->out_file) {
				return fail_usage("card: one file name only (got \"%s\" too)", a);
			} else {
				c->out_file = a;
			}
			continue;
		}
		if (cmd->arg == ARG_WEB && (!strcmp(a, "--qr") || !strcmp(a, "--new-pin"))) {
			if (format && strcmp(format, a + 2))
				return fail_usage("web: give at most one of --qr and --new-pin%s", "");
			format = a + 2;
			continue;
		}
		if (cmd->arg == ARG_EXPORT && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
			if (i + 1 >= argc)
				return fail_usage("export: %s needs a file name", a);
			c->out_file = argv[++i];
			continue;
		}
		if (is_option(a) && cmd->arg != ARG_WORDS) {
			fprintf(stderr, "tallyctl: %s: unknown option %s", cmd->name, a);
			if (cmd->json || cmd->arg == ARG_EXPORT)
				fprintf(stderr, " (it takes %s)", cmd->args);
			fprintf(stderr, "\nTry 'tallyctl %s --help'.\n", cmd->name);
			return EXIT_USAGE;
		}
		npos++;
		/* Several words join into one name; a count is one word, then maybe a case. */
		int most = (cmd->arg == ARG_COUNT || cmd->arg == ARG_OPT_COUNT) + cmd->takes_case;
		if (cmd->arg != ARG_WORDS && npos > most) {
			fprintf(stderr, "tallyctl: %s: unexpected argument \"%s\"", cmd->name, a);
			if (cmd->arg == ARG_COUNT || cmd->arg == ARG_OPT_COUNT)
				fprintf(stderr, " (one number%s; to add several stacks, add their "
						"sum)", cmd->takes_case ? ", then a case" : "");
			fprintf(stderr, "\nTry 'tallyctl %s --help'.\n", cmd->name);
			return EXIT_USAGE;
		}
		/* Counts are accepted as tallyctl prints them: 1,000 as well as 1000. */
		if ((cmd->arg == ARG_COUNT || cmd->arg == ARG_OPT_COUNT) && npos == 1 &&
		    numfmt_strip_grouping(a, num, sizeof num) == 0)
			a = num;
		size_t n = strlen(a);
		if (len + n + 2 >= sizeof line)
			return fail_usage("%s: arguments too long", cmd->name);
		line[len++] = ' ';
		memcpy(line + len, a, n + 1);
		len += n;
	}
	if (cmd->arg == ARG_EXPORT) {
		if (!format)
			return fail_usage("export: give --csv, --json or --venue%s", "");
		len += (size_t)snprintf(line + len, sizeof line - len, " %s", format);
	}
	if (cmd->arg == ARG_CARD) {
		if (!c->out_file)
			return fail_usage("card: give the PNG file to write, e.g. tallyctl card card.png%s",
					  "");
		len += (size_t)snprintf(line + len, sizeof line - len, " %s%s%s",
					c->card_wide ? "wide" : "square", c->card_event ? " " : "",
					c->card_event ? c->card_event : "");
	}
	if (cmd->arg == ARG_WEB && format)
		len += (size_t)snprintf(line + len, sizeof line - len, " %s", format);
	if (cmd->arg == ARG_OPT_COUNT && npos == 0) {
		c->show_goal = 1; /* "goal" alone reads the goal */
		len = (size_t)snprintf(line, sizeof line, "status");
	}
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

static void print_goal(long long total, long long goal)
{
	if (goal <= 0) {
		printf("none (tallyctl goal N sets one)\n");
		return;
	}
	print_count(goal);
	printf(" (");
	print_count(total * 100 / goal);
	printf(total >= goal ? "%%: reached)\n" : "%%)\n");
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
		printf("Started \"%s\" at 0. The previous event is kept (tallyctl events; "
		       "tallyctl reopen goes back to it while this one has counted nothing).\n",
		       s.event);
		return 0;
	case CONTROL_REOPEN:
		printf("Back to \"%s\". The mistaken event is closed and kept (tallyctl events). ",
		       s.event);
		break;
	case CONTROL_GOAL:
		printf("Goal set. ");
		break;
	default:
		break;
	}
	if (c->show_goal) {
		printf("Goal:   ");
		print_goal(s.total, s.goal);
		return 0;
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
	print_goal(s.total, s.goal);
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

/*
 * Prints s in exactly cols terminal columns: padded, or cut with "…". Widths come from
 * wcwidth, so names in Chinese (two columns a character) or with accents line up.
 */
static void print_cell(const char *s, int cols)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	int used = 0;
	const char *p = s;
	/* Measure first: a name that fits is printed whole. */
	for (const char *q = s; *q;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, q, strlen(q), &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			break;
		int w = wcwidth(wc);
		used += w > 0 ? w : 0;
		q += n;
	}
	if (used <= cols) {
		printf("%s%*s", s, cols - used, "");
		return;
	}
	memset(&ps, 0, sizeof ps);
	used = 0;
	while (*p) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, strlen(p), &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			break;
		int w = wcwidth(wc);
		if (w < 0)
			w = 0;
		if (used + w > cols - 1)
			break;
		fwrite(p, 1, n, stdout);
		used += w;
		p += n;
	}
	printf("\u2026%*s", cols - 1 - used, "");
}

/* A plain table of the events JSON (an array of events, read with jansson). */
static int print_events(const char *body)
{
	json_t *list = json_loads(body, 0, NULL);
	if (!json_is_array(list)) {
		fprintf(stderr, "tallyctl: cannot read the answer: %.200s\n", body);
		json_decref(list);
		return EXIT_STORAGE;
	}
	printf("%-4s  ", "ID");
	print_cell("EVENT", 32);
	printf("  %10s  %10s  %-20s  %s\n", "TOTAL", "GOAL", "STARTED", "ENDED");
	size_t i;
	json_t *ev;
	json_array_foreach(list, i, ev) {
		char *one = json_dumps(ev, JSON_COMPACT);
		struct control_status s;
		int bad = !one || control_parse_status(one, &s);
		free(one);
		if (bad)
			continue;
		const char *ended = json_string_value(json_object_get(ev, "ended"));
		char total[40], goal[40];
		numfmt_thousands(s.total, ",", total, sizeof total);
		numfmt_thousands(s.goal, ",", goal, sizeof goal);
		printf("%-4lld  ", (long long)json_integer_value(json_object_get(ev, "id")));
		print_cell(s.event, 32);
		printf("  %10s  %10s  ", total, s.goal ? goal : "-");
		print_time(s.started);
		printf("  ");
		if (ended)
			print_time(ended);
		else
			printf("(current)");
		printf("\n");
	}
	json_decref(list);
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

/* "web": where the staff page is and its PIN; offline only the PIN is known. */
static int print_web(const struct ctl *c, const char *body)
{
	json_t *o = json_loads(body, 0, NULL);
	const char *url = json_string_value(json_object_get(o, "url"));
	const char *pin = json_string_value(json_object_get(o, "pin"));
	const char *from = json_string_value(json_object_get(o, "pin_from"));
	if (!pin) {
		fprintf(stderr, "tallyctl: cannot read the answer: %s\n", body);
		json_decref(o);
		return EXIT_STORAGE;
	}
	if (c->req.n == CONTROL_WEB_NEW_PIN)
		printf("New PIN saved; every phone must sign in again.\n");
	if (url)
		printf("Staff page: %s\n", url);
	else
		printf("Staff page: (the kiosk is not running)\n");
	if (pin[0])
		printf("PIN:        %s%s%s%s\n", pin, from ? " (from " : "", from ? from : "",
		       from ? ")" : "");
	else
		printf("PIN:        none yet (made at the kiosk's first start with [web] enabled)\n");
	if (c->req.n == CONTROL_WEB_QR)
		printf("The QR code is on the kiosk's screen for 60 seconds.\n");
	json_decref(o);
	return 0;
}

static int show(const struct ctl *c, const char *body, size_t len)
{
	switch (c->req.op) {
	case CONTROL_CARD:
		if (write_file(c->out_file, body, len))
			return EXIT_STORAGE;
		printf("Wrote %s (%s share card).\n", c->out_file,
		       c->card_wide ? "1200x630" : "1080x1080");
		return 0;
	case CONTROL_WEB:
		if (c->json) {
			fwrite(body, 1, len, stdout);
			printf("\n");
			return 0;
		}
		return print_web(c, body);
	case CONTROL_EXPORT_CSV:
	case CONTROL_EXPORT_JSON:
	case CONTROL_EXPORT_VENUE:
		if (c->out_file) {
			int rc = write_file(c->out_file, body, len);
			if (rc == 0) {
				char *abs = realpath(c->out_file, NULL);
				printf("Wrote the %s export (%zu bytes) to %s\n",
				       c->req.op == CONTROL_EXPORT_JSON ? "JSON"
				       : c->req.op == CONTROL_EXPORT_VENUE ? "venue CSV" : "CSV", len,
				       abs ? abs : c->out_file);
				free(abs);
			}
			return rc;
		}
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
		int rc = show(c, body, strlen(body));
		free(body);
		return rc;
	}
}

/*
 * set-time "YYYY-MM-DD HH:MM[:SS]" (local time, or UTC with a final Z): sets the system clock,
 * for a Pi at a venue without network (it has no clock of its own). Needs root; the kiosk
 * sees the clock move and takes its warning down. Counts never depend on the clock.
 */
static int set_time(int argc, char **argv)
{
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (!strcmp(commands[i].name, "set-time"))
				command_usage(&commands[i]);
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
	if (got == 5 && when[n] == ':' && sscanf(when + n, ":%2d%n", &sec, &got) == 1)
		n += got;
	snprintf(tail, sizeof tail, "%s", when + (got >= 5 ? n : 0));
	int utc = strcmp(tail, "Z") == 0;
	if (got < 5 || (tail[0] && !utc) || tm.tm_year < 2000 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || sec > 59)
		return fail_usage("set-time: give the time as \"YYYY-MM-DD HH:MM\" (local time; "
				  "a final Z for UTC), not \"%s\"", when);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	time_t t = utc ? timegm(&tm) : mktime(&tm);
	struct timespec ts = { .tv_sec = t };
	if (t == (time_t)-1 || clock_settime(CLOCK_REALTIME, &ts) != 0) {
		fprintf(stderr, "tallyctl: set-time: %s (setting the clock needs root: "
				"sudo tallyctl set-time \"%s\")\n", strerror(errno), when);
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
		case 'h': usage(stdout); return 0;
		case 'V': printf("tallyctl %s\n", TALLYKIOSK_VERSION); return 0;
		default: fprintf(stderr, "Try 'tallyctl --help'.\n"); return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return fail_usage("no command given (status, add, undo, new-event, reopen, goal, "
				  "events, export, press)%s", "");
	if (strcmp(argv[optind], "set-time") == 0)
		return set_time(argc - optind - 1, argv + optind + 1);
	int rc = build_request(&c, argc - optind, argv + optind);
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
		return fail_usage("no database path: give --db or -c, or set HOME", "");
	if (paths_socket(c.db_path, c.socket ? c.socket : cfg.socket, c.sock_path,
			 sizeof c.sock_path))
		return fail_usage("the control socket path for %s is too long", c.db_path);
	return run(&c);
}
