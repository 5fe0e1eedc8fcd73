/*
 * Log lines on stderr, one write each. Under systemd (stderr is the journal's stream, as
 * JOURNAL_STREAM says) each line starts with its syslog priority ("<6>"), which journald reads
 * as the level; on a terminal or in a file the lines are plain text.
 * Only the programs' entry points and the app loop log; library modules return errors.
 */
#ifndef TALLYKIOSK_LOG_H
#define TALLYKIOSK_LOG_H

#define LOG_PRIO_ERR 3
#define LOG_PRIO_WARNING 4
#define LOG_PRIO_NOTICE 5
#define LOG_PRIO_INFO 6

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
