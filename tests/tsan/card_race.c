/*
 * The share card thread beside the screen, as the kiosk runs them (src/card_worker.c and
 * src/render*.c), under stress: each round opens a screen renderer and a card renderer with one
 * font lock, queues cards whose event and case names are Chinese, Japanese, Korean, Arabic,
 * Hebrew, Thai, Devanagari and emoji, and while the card thread draws them the screen draws
 * frames whose event name, staff line and carousel (cases in the same scripts) change every
 * frame. Both threads then open fallback fonts (CJK collections, colour emoji) at once from
 * SDL_ttf's one FreeType library, and the screen loads two cases' photo (SDL_image) while the
 * card thread encodes its PNGs.
 *
 *   card_race [--unlocked | --no-cards] [--rounds N]
 *
 * Built with ThreadSanitizer (make check-tsan) beside ttf_contract.c, which shows TSan the
 * calls FreeType says must not overlap. --unlocked gives both renderers no lock, as before the
 * fix: TSan must then report the race (the negative control). Every card must come back as a
 * PNG of the right size. Prints the screen's frame times and the lock's waits; --no-cards
 * draws the same frames with no card thread, for comparison (make bench-card-race).
 *
 * Run from the repository root or anywhere: it writes its cases file to a temporary folder.
 */
#include <SDL.h>
#include <SDL_image.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card_worker.h"
#include "cases.h"
#include "config.h"
#include "fontlock.h"
#include "render.h"
#include "view_card.h"

/* Names in the scripts whose glyphs come from fallback fonts (DejaVu has none of them). */
static const char *const names[] = {
	"为权利写信 2026 東京",
	"手紙を書こう 📮 大阪",
	"편지 쓰기 마라톤 서울 ✊🏽",
	"اكتب من أجل الحقوق ✉️ 2026",
	"מרתון כתיבת מכתבים 🕊️",
	"มาราธอนเขียนจดหมาย กรุงเทพ",
	"अधिकारों के लिए लिखें 🌍",
	"寫信馬拉松 台北 💌",
	"Write for Rights 😀🎉 Zürich",
};
#define N_NAMES (int)(sizeof names / sizeof names[0])

static const char *const cases_ini =
	"[wang]\nname = 王全璋 🕊️\nphoto = photo.png\nheadline = 为权利写信\nstory = 他是一名律师。 手紙を書こう。\n\n"
	"[nassima]\nname = نسيمة السادة\nheadline = اكتب من أجل الحقوق ✉️\n"
	"story = مدافعة عن حقوق الإنسان. 📮\n\n"
	"[kim]\nname = 김 민 서 ✊🏽\nphoto = photo.png\nheadline = 편지 쓰기 마라톤\nstory = 서울에서 편지를 씁니다. 😀\n\n"
	"[noa]\nname = נועה 🌍\nheadline = מרתון כתיבת מכתבים\nstory = สิทธิมนุษยชน अधिकार 💌\n";

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The event JSON the storage thread hands the card thread, its case ids in the same scripts
 * (a case the cases file does not know is named by its id). */
static void event_json(char *buf, size_t len, int k)
{
	snprintf(buf, len,
		 "{\"event\":\"%s\",\"total\":%d,\"goal\":500,\"started\":\"2026-12-10T09:00:00Z\","
		 "\"cases\":{\"wang\":%d,\"nassima\":%d,\"%s\":%d,\"%s\":%d}}",
		 names[k % N_NAMES], 100 + k, 40 + k, 30 + k, names[(k + 3) % N_NAMES], 20 + k,
		 names[(k + 5) % N_NAMES], 10 + k);
}

/* Waits for the card thread's n cards (generous: a card under TSan takes seconds). */
static int take_cards(struct card_worker *w, int n)
{
	int bad = 0;
	for (int got = 0; got < n;) {
		struct pollfd p = { .fd = card_worker_fd(w), .events = POLLIN };
		if (poll(&p, 1, 120000) <= 0) {
			fprintf(stderr, "card_race: no card within 120 s\n");
			return -1;
		}
		int tag;
		unsigned char *png;
		size_t len;
		char err[200];
		while (card_worker_take(w, &tag, &png, &len, err, sizeof err)) {
			got++;
			/* A PNG whose header says the card's size. */
			int wide = tag & 1, wh = wide ? CARD_WIDE_W : CARD_SQUARE_W;
			if (!png || len < 24 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0 ||
			    (png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19]) != wh) {
				fprintf(stderr, "card_race: card %d is not a %d-wide PNG: %s\n", tag,
					wh, png ? "" : err);
				bad = 1;
			}
			free(png);
		}
	}
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	int unlocked = 0, no_cards = 0, rounds = 6;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--unlocked"))
			unlocked = 1;
		else if (!strcmp(argv[i], "--no-cards"))
			no_cards = 1;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: card_race [--unlocked | --no-cards] [--rounds N]\n");
			return 2;
		}
	}
	char dir[] = "/tmp/card_race.XXXXXX", path[64], err[512];
	if (!mkdtemp(dir))
		return 1;
	/* A photo for two of the cases: the carousel loads it (SDL_image) on the loop's thread. */
	char photo[64];
	snprintf(photo, sizeof photo, "%s/photo.png", dir);
	SDL_Surface *ph = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!ph || SDL_FillRect(ph, NULL, 0xFF3366AAu) != 0 || IMG_SavePNG(ph, photo) != 0) {
		fprintf(stderr, "card_race: %s: %s\n", photo, SDL_GetError());
		return 1;
	}
	SDL_FreeSurface(ph);
	snprintf(path, sizeof path, "%s/cases.ini", dir);
	FILE *f = fopen(path, "w");
	if (!f || fputs(cases_ini, f) < 0 || fclose(f) != 0)
		return 1;
	struct cases cases;
	if (cases_load(&cases, path, err, sizeof err) != CASES_OK) {
		fprintf(stderr, "card_race: %s\n", err);
		return 1;
	}
	unlink(path);
	struct config cfg;
	config_defaults(&cfg);
	struct font_lock *lock = unlocked ? NULL : font_lock_new();

	int frames_per_round = 24, n_frames = 0, failed = 0;
	double *frame_ms = calloc((size_t)(rounds * frames_per_round), sizeof *frame_ms);
	for (int round = 0; round < rounds && !failed; round++) {
		struct render *r;
		struct card *card;
		struct card_worker *w;
		/* A fresh screen and card each round: each opens its fallback fonts anew. */
		if (render_open_surface(&r, &cfg, lock, 640, 360, err, sizeof err) != RENDER_OK) {
			fprintf(stderr, "card_race: screen: %s\n", err);
			return 1;
		}
		render_set_cases(r, &cases);
		if (card_open(&card, &cfg, lock, err, sizeof err) != 0 ||
		    card_worker_start(&w, card, &cases) != 0) {
			fprintf(stderr, "card_race: card: %s\n", err);
			return 1;
		}
		int n_cards = no_cards ? 0 : CARD_QUEUE_MAX;
		for (int k = 0; k < n_cards; k++) {
			char json[1024];
			event_json(json, sizeof json, round + k);
			if (card_worker_submit(w, 2 * k + (k & 1), k & 1, json) != 0) {
				fprintf(stderr, "card_race: the card queue refused card %d\n", k);
				failed = 1;
			}
		}
		/* The screen changes its texts every frame while the cards are drawn. */
		for (int fr = 0; fr < frames_per_round; fr++) {
			struct tally_view v = {
				.event_name = names[(round + fr) % N_NAMES],
				.total = 1000 + fr, .goal = 5000, .label = cfg.label,
				.thank_you = names[(round + fr + 4) % N_NAMES],
				.ack = fr & 1 ? 1.0f : 0.0f,
				.staff_status = names[(round + 2 * fr + 1) % N_NAMES],
			};
			struct timespec t0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			render_draw(r, &v, (long long)fr * 7000);
			frame_ms[n_frames++] = ms_since(&t0);
		}
		if (take_cards(w, n_cards) != 0)
			failed = 1;
		card_worker_stop(w);
		card_close(card);
		render_close(r);
	}
	qsort(frame_ms, (size_t)n_frames, sizeof *frame_ms, cmp_double);
	long long longest_ns, waited_ns = font_lock_waited_ns(lock, &longest_ns);
	if (n_frames > 0)
		printf("card_race: %d rounds, %d frames beside %d cards (%s): frame p50 %.1f ms, "
		       "p95 %.1f ms, max %.1f ms; font lock taken %ld times, waited %.2f ms in all, "
		       "%.2f ms at most\n",
		       rounds, n_frames, no_cards ? 0 : rounds * CARD_QUEUE_MAX,
		       unlocked ? "no lock" : "locked",
		       frame_ms[n_frames / 2], frame_ms[n_frames * 95 / 100], frame_ms[n_frames - 1],
		       font_lock_taken(lock), (double)waited_ns / 1e6, (double)longest_ns / 1e6);
	free(frame_ms);
	font_lock_free(lock);
	cases_free(&cases);
	unlink(photo);
	rmdir(dir);
	return failed;
}
