/*
 * Carries out a staff or press request against the store and writes the reply body: the one
 * place that maps protocol requests to store calls, shared by the kiosk's storage thread and
 * by tallyctl when no kiosk runs. Apply and report are separate so the kiosk can commit many
 * presses in one transaction and report after the commit.
 */
#ifndef TALLYKIOSK_LEDGER_H
#define TALLYKIOSK_LEDGER_H

#include <stddef.h>

#include "control.h"
#include "store.h"

/* The meta key of the web page's PIN when kiosk.conf sets none. */
#define LEDGER_PIN_KEY "web_pin"
/* The source of the rows that carry letters into the event a venue went back to. */
#define LEDGER_SOURCE_REOPEN "venue reopen"

/* Makes the change req asks for (none for reports). *detail: what undo took back. */
enum store_status ledger_apply(struct store *st, const struct control_request *req,
			       const char *source, long long *detail, char *err, size_t errlen);

/* Writes the reply body for req (malloc'd into *body) from the committed state. When that
 * fails for a request that changed something, err says the change is saved all the same. */
enum store_status ledger_report(struct store *st, const struct control_request *req,
				long long detail, char **body, char *err, size_t errlen);

/* ledger_apply in its own transaction, then ledger_report. */
enum store_status ledger_run(struct store *st, const struct control_request *req,
			     const char *source, char **body, char *err, size_t errlen);

#endif
