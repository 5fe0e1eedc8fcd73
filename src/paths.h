/* Where the database and the control socket live when the config does not say. */
#ifndef TALLYKIOSK_PATHS_H
#define TALLYKIOSK_PATHS_H

#include <stddef.h>

/* $XDG_STATE_HOME/tallykiosk/tally.db, else $HOME/.local/state/tallykiosk/tally.db.
 * Returns 0, or -1 if neither variable is set or the path is too long. */
int paths_default_database(char *buf, size_t len);

/* The control socket: configured if not empty, else database + ".sock". Returns 0, or -1 if
 * the result does not fit a UNIX socket address (107 bytes). */
int paths_socket(const char *database, const char *configured, char *buf, size_t len);

/* Creates the folders above file (mode 0750) as needed and syncs each new folder's parent so
 * the new entries survive a power cut. Returns 0, or -1 with errno. */
int paths_make_parents(const char *file);

#endif
