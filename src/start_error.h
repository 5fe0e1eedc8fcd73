/*
 * A kiosk that cannot start (its configuration or cases file has an error) shows the error
 * full-screen for staff instead of leaving the TV black, and waits: until the file it names
 * is saved again (the kiosk then starts afresh) or until it is stopped. Under systemd it says
 * READY with the error as its STATUS and keeps the watchdog fed, so the unit neither times out
 * nor restarts in a loop.
 */
#ifndef TALLYKIOSK_START_ERROR_H
#define TALLYKIOSK_START_ERROR_H

#include "render.h"

enum start_error_result {
	START_ERROR_STOPPED,   /* a signal or the window closed: exit */
	START_ERROR_CHANGED,   /* a watched file changed: start again */
};

/*
 * Shows error on r and waits. signal_fd: a signalfd for the stop signals. watched: paths
 * whose change (saved, created, removed) ends the wait, NULL-terminated; NULL entries before
 * the end are not allowed.
 */
enum start_error_result start_error_run(struct render *r, int signal_fd, const char *error,
					const char *const *watched);

#endif
