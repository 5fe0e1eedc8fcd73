/*
 * The kiosk's side of the clock (clockcheck.h, clockset.h): whether the clock can be believed
 * now, the warning staff see on the screen and on the staff page, and setting it when staff
 * ask from the page. The loop owns one; nothing here touches the store, and a set is done on
 * the loop's thread, so the next frame and the next status already know.
 */
#ifndef TALLYKIOSK_KIOSKCLOCK_H
#define TALLYKIOSK_KIOSKCLOCK_H

#include <stddef.h>

#include "clockcheck.h"
#include "clockset.h"

struct kioskclock {
	long long build_ms;
	long long latest_ms;     /* the latest wall-clock time a row was saved with (Unix ms) */
	enum clockcheck verdict;
	int staff_page;          /* the staff page runs: the warning points to it */
	char warning[256];       /* "" while the clock looks right */
};

/* The wall clock now, in Unix ms. */
long long kioskclock_now_ms(void);

/* latest_ms: store_latest_ms() at start; staff_page: the web page runs. Judges nothing yet. */
void kioskclock_init(struct kioskclock *c, long long latest_ms, int staff_page);

/* Judges the clock at now_ms. Returns 1 when the verdict changed (it is logged): redraw. */
int kioskclock_check(struct kioskclock *c, long long now_ms);

/* A row was saved at about now_ms: the clock must not fall far behind it. */
void kioskclock_saved(struct kioskclock *c, long long now_ms);

/*
 * {"now_ms", "verdict" ("ok", "before_build", "before_latest"), "warning", "build_ms",
 * "latest_ms", "can_set"} as a jansson object (json_t *, returned as void * so callers need
 * not include jansson). NULL when out of memory.
 */
void *kioskclock_json(const struct kioskclock *c, long long now_ms);

/* Adds "clock" (kioskclock_json) to the JSON object in *body, replacing *body. Returns 0, or
 * -1 (out of memory, or *body is not an object) leaving *body as it was. */
int kioskclock_add_to(const struct kioskclock *c, long long now_ms, char **body);

/*
 * Sets the system clock to target_ms (clockset_apply), asked by who (for the log: "the staff
 * page (10.0.0.7)"), logs what it was and what it is, and judges the clock again. err gets a
 * line for staff when it fails: RANGE names the bound, PERM how to grant the privilege.
 */
enum clockset_status kioskclock_set(struct kioskclock *c, long long target_ms, const char *who,
				    char *err, size_t errlen);

#endif
