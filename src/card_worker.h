/*
 * Draws share cards (view_card.h) on a thread of their own, so a phone that asks for one
 * never holds up a frame of the screen: the loop hands over the event's committed numbers
 * (JSON from the storage thread) and gets the PNG back through card_worker_fd(). At most
 * CARD_QUEUE_MAX cards wait; more are refused (the phone is told to try again).
 */
#ifndef TALLYKIOSK_CARD_WORKER_H
#define TALLYKIOSK_CARD_WORKER_H

#include <stddef.h>

#include "cases.h"
#include "view_card.h"

#define CARD_QUEUE_MAX 4

struct card_worker;

/* Starts the thread, which borrows card and cases until card_worker_stop. 0 or -1. */
int card_worker_start(struct card_worker **out, struct card *card, const struct cases *cases);
/* Readable (an eventfd) when cards are done. */
int card_worker_fd(const struct card_worker *w);
/* Queues the card for tag (wide: 1200x630) of the event in json. -1 when the queue is full. */
int card_worker_submit(struct card_worker *w, int tag, int wide, const char *json);
/*
 * Takes a finished card: 1 and *png (malloc'd, *len bytes) or, when *png is NULL, err says
 * why it could not be drawn; 0 when none is done.
 */
int card_worker_take(struct card_worker *w, int *tag, unsigned char **png, size_t *len,
		     char *err, size_t errlen);
/* Finishes the queued cards' drawing, stops the thread, frees what was not taken. */
void card_worker_stop(struct card_worker *w);

#endif
