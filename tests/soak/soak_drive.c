/*
 * The soak (issue 5, test 7): a 12-hour event in fast-forward, headless. The kiosk's own
 * renderer draws every frame onto software surfaces, and the kiosk's store and storage thread
 * count the presses the way app.c does: presses are queued without waiting, finished jobs are
 * collected once per frame, and only a committed total is drawn.
 *
 * A frame costs the software renderer about 7 ns a pixel, so the screens are small: the tally
 * at 128x96 every frame; the tally with the case carousel at 480x240 (the smallest screen
 * that shows the card) every card_every-th frame (40); 1920x1080 every big_every-th (2000). All three
 * draw the same state at the same time. Every reopen_every frames the first two are closed and
 * opened again (the display went away and came back).
 *
 * Simulated time advances by (hours / frames) per frame, so everything time-driven happens as
 * often as in the real event: the carousel turns every 12 s, the count-up runs after each
 * press, a milestone every 100 letters, the pixel shift every minute, the thank-you fades.
 * Every third press counts for the case on a button (per-case totals), every 700th is taken
 * back by staff (undo), every 1000th is followed by a staff status request, every 25,000th by
 * a new event; one simulated minute per hour shows a staff strip message whose text changes.
 *
 * Every sample_every frames it gives the heaps' free pages back (malloc_trim) and reads its
 * resident set (/proc/self/statm), the memory malloc'd and not freed (mallinfo2, all arenas
 * and mmap'd blocks) and its open file descriptors (/proc/self/fd). The run fails when, in the
 * run's last tenth, the resident set is more than rss_limit KiB (1 MiB) or the memory in use
 * more than heap_limit KiB (256 KiB) above what it was at the end of the warm-up (the first
 * half; medians, see below), when the number of fds changes after the warm-up, when a job
 * fails, or when the file's totals at the end are not what was shown. The resident set alone
 * sat within 150 KiB of its limit (the allocator's fragments); the memory in use is exact.
 * Under ASan the memory figures mean nothing (shadow memory, quarantine): pass --no-rss there;
 * LeakSanitizer then checks at exit that everything was given back.
 *
 *   soak_drive DIR [--frames N] [--presses N] [--hours H] [--size WxH] [--card-every N]
 *                  [--big-every N] [--reopen-every N] [--warm PCT] [--rss-limit KIB]
 *                  [--heap-limit KIB] [--no-rss] [--sample-every N] [--verbose]
 * Run from the repository root (assets/cases/cases.ini). SOAK_BREAK=leak or SOAK_BREAK=fd
 * break it on purpose (a 128 KiB block lost, or /dev/null left open, every 10,000 frames), to
 * show that the checks see it.
 */
#include <dirent.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "cases.h"
#include "config.h"
#include "render.h"
#include "store.h"
#include "worker.h"

#define CASES_FILE "assets/cases/cases.ini"

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A line of /proc/self/status in KiB (RssAnon, RssFile), or -1. */
/* Every byte malloc'd and not yet freed, in all arenas, with the blocks big enough to be
 * mmap'd on their own (a 1080p card's photo; the break-on-purpose leak). */
static long heap_kib(void)
{
	struct mallinfo2 mi = mallinfo2();
	return (long)((mi.uordblks + mi.hblkhd) / 1024);
}

static long status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atol(line + n + 1);
	fclose(f);
	return v;
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct soak {
	struct worker *w;
	struct store_event shown; /* the committed state on screen */
	long inflight, acked_presses, acked_undos, acked_status, acked_events, failed;
	long undone; /* letters taken back by undo */
	char last_err[256];
};

static void submit(struct soak *s, const struct control_request *req, int client)
{
	struct worker_job *j = worker_job_new(req, client < 0 ? "button" : "tallyctl", client);
	if (!j) {
		s->failed++;
		snprintf(s->last_err, sizeof s->last_err, "out of memory for a job");
		return;
	}
	s->inflight++;
	worker_submit(s->w, j);
}

/* As app_collect() (app_requests.c): only a committed state is shown. */
static void collect(struct soak *s)
{
	struct worker_job *list = worker_collect(s->w);
	while (list) {
		struct worker_job *j = list, *next = list->next;
		s->inflight--;
		if (j->status == STORE_OK) {
			s->shown = j->event;
			switch (j->req.op) {
			case CONTROL_PRESS: s->acked_presses++; break;
			case CONTROL_UNDO:
				s->acked_undos++;
				s->undone++; /* presses only: each undo takes back one letter */
				break;
			case CONTROL_STATUS: s->acked_status++; break;
			case CONTROL_NEW_EVENT: s->acked_events++; break;
			default: break;
			}
		} else {
			s->failed++;
			snprintf(s->last_err, sizeof s->last_err, "%s: %.200s",
				 store_status_name(j->status), j->err);
		}
		worker_job_free(j);
		list = next;
	}
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* The median of v[0..n) (reordered); -1 if n is 0. */
static long median(long *v, size_t n)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof *v, cmp_long);
	return v[n / 2];
}

static long arg_long(int argc, char **argv, const char *name, long def)
{
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return atol(argv[i + 1]);
	return def;
}

static double arg_double(int argc, char **argv, const char *name, double def)
{
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return atof(argv[i + 1]);
	return def;
}

static int has_flag(int argc, char **argv, const char *name)
{
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: soak_drive DIR [--frames N] [--presses N] [--hours H] ...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* LeakSanitizer ends the process without a flush */
	const long frames = arg_long(argc, argv, "--frames", 500000);
	const long presses = arg_long(argc, argv, "--presses", 50000);
	const double hours = arg_double(argc, argv, "--hours", 12);
	int w = 128, h = 96;
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--size") && sscanf(argv[i + 1], "%dx%d", &w, &h) != 2) {
			fprintf(stderr, "soak: --size WxH\n");
			return 2;
		}
	/* Half: SQLite's page cache grows with the file up to its 2 MiB cap (reached near
	 * 30,000 presses), and the number gets its fifth digit (a new digit size) at 10,000. */
	const long warm_pct = arg_long(argc, argv, "--warm", 50);
	const long rss_limit = arg_long(argc, argv, "--rss-limit", 1024);
	const long heap_limit = arg_long(argc, argv, "--heap-limit", 256);
	const long card_every = arg_long(argc, argv, "--card-every", 40);
	const long big_every = arg_long(argc, argv, "--big-every", 2000);
	const long reopen_every = arg_long(argc, argv, "--reopen-every", 100000);
	const long sample_every = arg_long(argc, argv, "--sample-every", 5000);
	const int check_rss = !has_flag(argc, argv, "--no-rss");
	const int verbose = has_flag(argc, argv, "--verbose"); /* every sample */
	const char *brk = getenv("SOAK_BREAK") ? getenv("SOAK_BREAK") : "";
	const long press_every = frames / (presses > 0 ? presses : 1);
	const double frame_ms = hours * 3600e3 / (double)frames;

	static struct config cfg;
	config_defaults(&cfg);
	static struct cases cases;
	char err[1024];
	if (cases_load(&cases, CASES_FILE, err, sizeof err) != CASES_OK) {
		fprintf(stderr, "soak: %s\n", err);
		return 2;
	}
	char db[4096];
	snprintf(db, sizeof db, "%s/soak.db", argv[1]);
	unlink(db);
	struct store *st;
	enum store_status ss = store_open_recover(&st, db, cfg.event_name, cfg.goal, 1000);
	if (ss) {
		fprintf(stderr, "soak: %s\n", store_errmsg(st));
		store_close(st);
		return 2;
	}
	struct soak s = { 0 };
	store_current(st, &s.shown);
	if (worker_start(&s.w, st)) {
		perror("soak: worker_start");
		return 2;
	}
	struct render *small, *card, *big;
	if (render_open_surface(&small, &cfg, NULL, w, h, err, sizeof err) ||
	    render_open_surface(&card, &cfg, NULL, 480, 240, err, sizeof err) ||
	    render_open_surface(&big, &cfg, NULL, 1920, 1080, err, sizeof err)) {
		fprintf(stderr, "soak: %s\n", err);
		return 2;
	}
	render_set_cases(small, &cases);
	render_set_cases(card, &cases);
	render_set_cases(big, &cases);

	/*
	 * The resident set ebbs and flows by about 1.5 MiB with the allocator's use of the heap
	 * top and the storage thread's arena (big transient blocks: a 1080p card's photo, an
	 * export); a single sample, or the highest, measures that tide, not a leak. So the level is
	 * the median of the samples in a tenth of the run: at the end of the warm-up, and at the
	 * end. A leak raises the whole level; the tide does not move the median.
	 */
	size_t max_samples = (size_t)(frames / (sample_every > 0 ? sample_every : 1)) + 4;
	long *warm_rss = calloc(max_samples, sizeof *warm_rss);
	long *end_rss = calloc(max_samples, sizeof *end_rss);
	long *warm_heap = calloc(max_samples, sizeof *warm_heap);
	long *end_heap = calloc(max_samples, sizeof *end_heap);
	size_t n_warm = 0, n_end = 0;
	long rss_start = rss_kib(), rss_warm = -1, rss_max = 0, rss_end = 0, rss_last = -1;
	long heap_warm = -1, heap_end = -1, heap_max = 0; /* KiB malloc'd and not freed */
	if (!warm_rss || !end_rss || !warm_heap || !end_heap) {
		fprintf(stderr, "soak: out of memory\n");
		return 2;
	}
	int fds_start = fd_count(), fds_warm = -1, fds_min = 1 << 30, fds_max = 0;
	long warm_frame = frames * warm_pct / 100;
	long card_frames = 0, big_frames = 0, reopens = 0, submitted = 0;
	double now = 0, ack_start = -1e9, t0 = mono_s();
	char staff[160] = "";
	struct case_count counts[STORE_MAX_CASES];
	for (long f = 0; f < frames; f++) {
		now += frame_ms;
		if (press_every && f % press_every == press_every - 1 && submitted < presses) {
			submitted++;
			struct control_request req = { .op = CONTROL_PRESS };
			if (submitted % 3 == 0) /* a button for one case */
				snprintf(req.case_id, sizeof req.case_id, "%s",
					 cases.v[(submitted / 3) % cases.n].id);
			submit(&s, &req, -1);
			ack_start = now;
			if (submitted % 700 == 0)
				submit(&s, &(struct control_request){ .op = CONTROL_UNDO }, 1);
			if (submitted % 1000 == 0)
				submit(&s, &(struct control_request){ .op = CONTROL_STATUS }, 2);
			if (submitted % 25000 == 0) {
				struct control_request ne = { .op = CONTROL_NEW_EVENT };
				snprintf(ne.name, sizeof ne.name, "Soak evening %ld", submitted / 25000);
				submit(&s, &ne, 3);
			}
		}
		collect(&s);
		/* One simulated minute per hour: a staff strip message, its figure changing. */
		long long sim_s = (long long)(now / 1000);
		if (sim_s % 3600 < 60)
			snprintf(staff, sizeof staff, "Sensor slot offline: /dev/gpiochip0 busy "
				 "(retrying, %lld s)", sim_s % 3600);
		else
			staff[0] = '\0';
		for (int i = 0; i < s.shown.n_cases; i++)
			counts[i] = (struct case_count){ s.shown.cases[i].id, s.shown.cases[i].total };
		double age = now - ack_start;
		struct tally_view v = {
			.event_name = s.shown.name, .total = s.shown.total, .goal = s.shown.goal,
			.label = cfg.label, .thank_you = cfg.thank_you,
			.ack = age < 1400 ? 1.0f - (float)(age / 1400) : 0.0f,
			.staff_status = staff, .case_counts = counts, .n_case_counts = s.shown.n_cases,
		};
		render_draw(small, &v, (long long)now);
		if (card_every && f % card_every == 0) {
			render_draw(card, &v, (long long)now);
			card_frames++;
		}
		if (big_every && f % big_every == 0) {
			render_draw(big, &v, (long long)now);
			big_frames++;
		}
		if (reopen_every && f && f % reopen_every == 0) {
			/* The display went away and came back: a new renderer, fonts and all. */
			render_close(small);
			render_close(card);
			if (render_open_surface(&small, &cfg, NULL, w, h, err, sizeof err) ||
			    render_open_surface(&card, &cfg, NULL, 480, 240, err, sizeof err)) {
				fprintf(stderr, "soak: reopening: %s\n", err);
				return 2;
			}
			render_set_cases(small, &cases);
			render_set_cases(card, &cases);
			reopens++;
		}
		if (f % 10000 == 9999 && !strcmp(brk, "leak")) { /* broken on purpose */
			static char *volatile lost;
			lost = malloc(128 * 1024);
			if (lost)
				memset(lost, 1, 128 * 1024);
			lost = NULL; /* unreachable now: LeakSanitizer must see it */
		}
		if (f % 10000 == 9999 && !strcmp(brk, "fd")) /* broken on purpose */
			(void)open("/dev/null", O_RDONLY);
		if (f % sample_every == sample_every - 1 || f == warm_frame) {
			/* Free pages inside the heaps go back first, so the resident set measures what
			 * is in use and its fragments, not when the allocator last trimmed. */
			malloc_trim(0);
			long r = rss_kib(), heap = heap_kib();
			int n = fd_count();
			if (f <= warm_frame && f > warm_frame - frames / 10 && n_warm < max_samples) {
				warm_rss[n_warm] = r;
				warm_heap[n_warm++] = heap;
				fds_warm = n;
			} else if (f > warm_frame) {
				rss_max = r > rss_max ? r : rss_max;
				heap_max = heap > heap_max ? heap : heap_max;
				if (f >= frames - frames / 10 && n_end < max_samples) {
					end_rss[n_end] = r;
					end_heap[n_end++] = heap;
				}
				fds_min = n < fds_min ? n : fds_min;
				fds_max = n > fds_max ? n : fds_max;
			}
			rss_end = r;
			if (verbose)
				printf("sample frame=%ld sim_h=%.2f rss_kib=%ld anon=%ld file=%ld fds=%d "
				       "presses=%ld heap_in_use_kib=%ld sqlite_kib=%lld\n", f,
				       now / 3600e3, r, status_kib("RssAnon"), status_kib("RssFile"), n,
				       s.acked_presses, heap, (long long)sqlite3_memory_used() / 1024);
		}
	}
	while (s.inflight > 0) { /* the last commits */
		usleep(1000);
		collect(&s);
	}
	double secs = mono_s() - t0;
	rss_last = rss_kib();
	rss_warm = median(warm_rss, n_warm);
	rss_end = median(end_rss, n_end);
	heap_warm = median(warm_heap, n_warm);
	heap_end = median(end_heap, n_end);
	free(warm_rss);
	free(end_rss);
	free(warm_heap);
	free(end_heap);
	int fds_end = fd_count();
	worker_stop(s.w);
	struct store_event last;
	store_current(st, &last);
	store_close(st);

	/* The file, opened again, must hold what was shown: every press less every undo, over
	 * every event, and the current event's total. */
	int bad = 0;
	ss = store_open(&st, db, NULL, 0, 1000);
	long long in_file = -1;
	if (ss) {
		printf("soak: FAIL the database does not open again: %s\n", store_errmsg(st));
		bad = 1;
	} else {
		struct store_event ev;
		store_current(st, &ev);
		char *json = NULL;
		if (store_events_json(st, &json) == STORE_OK) {
			in_file = 0;
			for (const char *p = json; (p = strstr(p, "\"total\":")); p += 8)
				in_file += atoll(p + 8);
		}
		free(json);
		if (ev.total != s.shown.total || ev.total != last.total) {
			printf("soak: FAIL the file says %lld, the screen showed %lld\n", ev.total,
			       s.shown.total);
			bad = 1;
		}
	}
	store_close(st);
	render_close(small);
	render_close(card);
	render_close(big);
	cases_free(&cases);

	long expect = s.acked_presses - s.undone;
	printf("soak: %ld frames: %ld at %dx%d, %ld with the carousel at 480x240, %ld at 1920x1080; "
	       "%.1f s (%.0f frames/s); %ld screen reopens; %.1f simulated hours\n",
	       frames + card_frames + big_frames, frames, w, h, card_frames, big_frames, secs,
	       (double)(frames + card_frames + big_frames) / secs, reopens,
	       (double)frames * frame_ms / 3600e3);
	printf("soak: presses %ld submitted, %ld saved; %ld undos, %ld status, %ld new events; "
	       "%lld letters in the file (expected %ld); %ld failed jobs%s%s\n", submitted,
	       s.acked_presses, s.acked_undos, s.acked_status, s.acked_events, in_file, expect,
	       s.failed, s.failed ? ": " : "", s.last_err);
	printf("soak: RSS (KiB, median of a tenth of the run) %ld at the end of the warm-up (the "
	       "first %ld%%), %ld at the end: growth %ld KiB (limit %ld%s); %ld at start, %ld at "
	       "most after the warm-up, %ld after the last frame\n", rss_warm, warm_pct, rss_end,
	       rss_end - rss_warm, rss_limit, check_rss ? "" : ", not checked under ASan",
	       rss_start, rss_max, rss_last);
	printf("soak: heap in use (KiB, medians the same way) %ld at the end of the warm-up, %ld at "
	       "the end: growth %ld KiB (limit %ld%s), %ld at most after the warm-up; fds %d at "
	       "start, %d after warm-up, %d..%d after, %d at end\n", heap_warm, heap_end,
	       heap_end - heap_warm, heap_limit, check_rss ? "" : ", not checked under ASan",
	       heap_max, fds_start, fds_warm, fds_min, fds_max, fds_end);
	if (s.failed || s.acked_presses != presses || in_file != expect) {
		printf("soak: FAIL not every press was saved and shown\n");
		bad = 1;
	}
	if (check_rss && (rss_warm < 0 || rss_end < 0 || rss_end - rss_warm > rss_limit)) {
		printf("soak: FAIL the resident set grew by %ld KiB after the warm-up\n",
		       rss_end - rss_warm);
		bad = 1;
	}
	if (check_rss && heap_end - heap_warm > heap_limit) {
		printf("soak: FAIL memory in use grew by %ld KiB after the warm-up\n",
		       heap_end - heap_warm);
		bad = 1;
	}
	if (fds_min != fds_warm || fds_max != fds_warm || fds_end != fds_warm) {
		printf("soak: FAIL open file descriptors changed after the warm-up (%d..%d, %d at "
		       "end, %d after warm-up)\n", fds_min, fds_max, fds_end, fds_warm);
		bad = 1;
	}
	printf("soak: %s\n", bad ? "FAIL" : "ok");
	return bad;
}
