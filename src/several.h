/*
 * The kiosk's side of several kiosks: joins the loop (app.c), the storage thread, the venue
 * model (venue.c) and the broker connection (mqtt_link.c). The loop polls several_fd() and
 * calls several_service(); every job it gets back goes through several_job() first. The
 * storage thread stays the only writer: peer states, per-case counts and event changes are
 * worker jobs like any other.
 */
#ifndef TALLYKIOSK_SEVERAL_H
#define TALLYKIOSK_SEVERAL_H

#include <stddef.h>

#include "config.h"
#include "control.h"
#include "store.h"
#include "worker.h"

struct several;

/* How several.c hands a request to the storage thread (the app's submit). */
typedef void (*several_submit_fn)(void *ctx, const struct control_request *req);

/*
 * Reads the kept peer states from st (before the storage thread owns it) and starts the
 * broker connection. password: the contents of [mqtt] password_file, or NULL. Returns 0, or
 * -1 with err set.
 */
int several_open(struct several **out, const struct config *cfg, struct store *st,
		 const char *password, several_submit_fn submit, void *ctx, char *err,
		 size_t errlen);
void several_close(struct several *s);

int several_fd(const struct several *s);

/* Takes what the broker said, publishes what is due, follows a newer venue event, saves peer
 * states. Returns 1 if the screen must be redrawn. */
int several_service(struct several *s, long long now_ms);

/* Milliseconds until several_service has work without an fd event, or -1. */
long long several_wait_ms(const struct several *s, long long now_ms);

/* Every finished job. Returns 1 if it was several.c's own (then nothing else is done with
 * it but freeing it). Committed counts and event changes are noted. */
int several_job(struct several *s, const struct worker_job *j, long long now_ms);

/* 1 if tallyctl reopen must be refused because another kiosk of the venue has counted in
 * the current event (why says which), else 0: the venue-wide form of the store's rule. */
int several_reopen_refused(const struct several *s, char *why, size_t len);

long long several_display_total(const struct several *s);
/* The staff strip's information and problems (venue_staff_text). */
void several_staff_text(const struct several *s, long long now_ms, char *info, size_t info_len,
			char *problem, size_t problem_len);

/* A status reply body (JSON object ending in "}\n"): adds venue_total, campaign_total,
 * kiosks, mqtt, venue_reopen_refused (why reopen is refused venue-wide, or null). *body is
 * replaced; left as it was if out of memory. */
void several_status_json(const struct several *s, long long now_ms, char **body);

/* The venue's current event per case and kiosk as CSV (malloc'd), NULL if out of memory. */
char *several_export_csv(const struct several *s);

#endif
