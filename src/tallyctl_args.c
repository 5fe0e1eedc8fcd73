/*
 * tallyctl's command line: the table of commands (what --help lists), each command's --help,
 * and the command words checked and turned into the request the kiosk parses.
 */
#include "tallyctl.h"

#include <stdio.h>
#include <string.h>

#include "numfmt.h"

/* The commands, in the order --help lists them. */
enum arg_kind { ARG_NONE, ARG_COUNT, ARG_OPT_COUNT, ARG_WORDS, ARG_EXPORT, ARG_WEB, ARG_CARD };
struct command {
	const char *name, *args, *summary;
	enum arg_kind arg;
	int json;      /* takes --json */
	int takes_case; /* an optional CASE after the other arguments */
};

static const struct command commands[] = {
	{ "status", "[--json]", "the current event, its total and goal, whether the kiosk's clock "
	  "looks right (and, with several kiosks, the venue's total and which kiosks are online)",
	  ARG_NONE, 1, 0 },
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

void ctl_usage(FILE *f)
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

int ctl_fail_usage(const char *fmt, const char *arg)
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
int ctl_build_request(struct ctl *c, int argc, char **argv)
{
	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS && !cmd; i++)
		if (!strcmp(argv[0], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return ctl_fail_usage("unknown command \"%s\" (status, add, undo, new-event, reopen, "
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
				return ctl_fail_usage("export: give one of --csv, --json or --venue%s", "");
			format = a + 2;
			continue;
		}
		if (cmd->arg == ARG_CARD) {
			if (!strcmp(a, "--wide")) {
				c->card_wide = 1;
			} else if (!strcmp(a, "--event")) {
				if (i + 1 >= argc)
					return ctl_fail_usage("card: --event needs an event number%s", "");
				c->card_event = argv[++i];
			} else if (is_option(a)) {
				return ctl_fail_usage("card: unknown option %s (--wide, --event ID)", a);
			} else if (c->out_file) {
				return ctl_fail_usage("card: one file name only (got \"%s\" too)", a);
			} else {
				c->out_file = a;
			}
			continue;
		}
		if (cmd->arg == ARG_WEB && (!strcmp(a, "--qr") || !strcmp(a, "--new-pin"))) {
			if (format && strcmp(format, a + 2))
				return ctl_fail_usage("web: give at most one of --qr and --new-pin%s", "");
			format = a + 2;
			continue;
		}
		if (cmd->arg == ARG_EXPORT && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
			if (i + 1 >= argc)
				return ctl_fail_usage("export: %s needs a file name", a);
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
			return ctl_fail_usage("%s: arguments too long", cmd->name);
		line[len++] = ' ';
		memcpy(line + len, a, n + 1);
		len += n;
	}
	if (cmd->arg == ARG_EXPORT) {
		if (!format)
			return ctl_fail_usage("export: give --csv, --json or --venue%s", "");
		len += (size_t)snprintf(line + len, sizeof line - len, " %s", format);
	}
	if (cmd->arg == ARG_CARD) {
		if (!c->out_file)
			return ctl_fail_usage("card: give the PNG file to write, e.g. tallyctl card "
					      "card.png%s", "");
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
		return ctl_fail_usage("%s", err);
	return 0;
}

void ctl_command_help(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			command_usage(&commands[i]);
}
