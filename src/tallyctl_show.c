/*
 * tallyctl's output: the kiosk's answers (or the database's, offline) printed for staff, a
 * table of events lined up in any script, exports and share cards written to a file whole.
 */
/* wcwidth() is X/Open. */
#define _XOPEN_SOURCE 700
#include "tallyctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <jansson.h>

#include "clockset.h"
#include "numfmt.h"

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

/* The kiosk's clock, when a running kiosk sent it (a Pi has no clock of its own). */
static void print_clock(const char *body)
{
	json_t *o = json_loads(body, 0, NULL);
	json_t *clock = json_object_get(o, "clock");
	const char *verdict = json_string_value(json_object_get(clock, "verdict"));
	const char *warning = json_string_value(json_object_get(clock, "warning"));
	if (verdict && strcmp(verdict, "ok") == 0) {
		char now[40];
		clockset_utc((long long)json_integer_value(json_object_get(clock, "now_ms")), now,
			     sizeof now);
		printf("Clock:  %s (looks right)\n", now);
	} else if (verdict && warning) {
		printf("Clock:  WRONG: %s\n", warning);
	}
	json_decref(o);
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
	print_clock(body);
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

int ctl_show(const struct ctl *c, const char *body, size_t len)
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
