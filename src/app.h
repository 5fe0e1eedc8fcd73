/*
 * The kiosk's loop and the model it shows. One thread waits in poll() on the signal fd, the
 * storage thread's fd and the control socket, with a timeout for the next animation frame or
 * input pump; it redraws only when something changed or an animation runs. Counts reach the
 * screen only from results of committed jobs.
 */
#ifndef TALLYKIOSK_APP_H
#define TALLYKIOSK_APP_H

#include <stdio.h>

#include "cases.h"
#include "config.h"
#include "render.h"
#include "store.h"
#include "view_card.h"
#include "web.h"

struct app_params {
	const struct config *cfg;
	const struct cases *cases; /* what a press or add may name as its case */
	struct store *store;     /* open and exclusive; lent to the storage thread */
	struct render *render;
	struct font_lock *font_lock; /* the screen's, lent to the share cards' renderer */
	const char *socket_path; /* the control socket to serve */
	int signal_fd;           /* a signalfd for SIGTERM/SIGINT: stop cleanly */
	FILE *trace;             /* NULL, or where to write timing events for `make bench` */
	const char *mqtt_password; /* [mqtt] password_file's contents, or NULL */
	struct web *web;         /* the staff web page, or NULL when [web] is off */
	const char *web_pin;     /* its PIN now (kiosk.conf's, or the database's) */
};

/* Runs until a stop signal or an allowed quit, then commits what is pending.
 * Returns 0, or 1 if the loop could not start or stopped on a failure (logged). */
int app_run(const struct app_params *p);

#endif
