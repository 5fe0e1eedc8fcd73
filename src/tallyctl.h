/*
 * Private to tallyctl's files: tallyctl.c (the program: reaching the kiosk or opening the
 * database, set-time), tallyctl_args.c (the commands, their help, a command line into a
 * request) and tallyctl_show.c (printing the answers). They print and exit with the statuses
 * below: they are one program's command line, not modules of the kiosk.
 */
#ifndef TALLYKIOSK_TALLYCTL_H
#define TALLYKIOSK_TALLYCTL_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "control.h"

/* Exit statuses, also listed in --help. */
#define EXIT_REFUSED 1 /* the request was understood and refused: nothing to undo, ... */
#define EXIT_USAGE 2
#define EXIT_STORAGE 3 /* no kiosk and no usable database, or storage failed */

#define SYSTEM_CONFIG TALLYKIOSK_SYSCONFDIR "/tallykiosk/kiosk.conf"

struct ctl {
	const char *config, *db, *socket;
	int json;
	int show_goal;      /* goal with no number: show the goal */
	const char *out_file;
	struct control_request req;
	const char *verb;
	char db_path[CONFIG_PATH_MAX], sock_path[CONFIG_PATH_MAX];
	int offline; /* answered from the database, no kiosk */
	int cfg_pin; /* kiosk.conf sets the web PIN */
	int card_wide;
	const char *card_event;
};

/* The whole --help. */
void ctl_usage(FILE *f);
/* The --help of the command called name. */
void ctl_command_help(const char *name);
/* Says what is wrong with the command line (fmt has one %s, for arg); returns EXIT_USAGE. */
int ctl_fail_usage(const char *fmt, const char *arg);
/*
 * Builds the request line from the command words and parses it as the kiosk will. Returns
 * 0, EXIT_USAGE after saying what is wrong, or -1 when the command's help was printed.
 */
int ctl_build_request(struct ctl *c, int argc, char **argv);

/* Prints (or writes to c->out_file) the answer body of len bytes; returns the exit status. */
int ctl_show(const struct ctl *c, const char *body, size_t len);

#endif
