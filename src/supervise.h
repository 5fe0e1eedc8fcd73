/*
 * Telling systemd how the kiosk is doing (Type=notify): READY=1 once counting, a STATUS line
 * for `systemctl status`, and watchdog pings. The loop pings only while it and the storage
 * thread make progress, so a hung kiosk stops pinging and systemd restarts it. Without
 * NOTIFY_SOCKET (not under systemd) every call does nothing.
 */
#ifndef TALLYKIOSK_SUPERVISE_H
#define TALLYKIOSK_SUPERVISE_H

struct supervise {
	long long interval_ms; /* ping every this often; 0 = no watchdog */
	long long next_ms;     /* monotonic time of the next ping */
};

/* Reads WATCHDOG_USEC; pings at half the watchdog time. */
void supervise_init(struct supervise *s, long long now_ms);

/* Sends READY=1 and a first STATUS. */
void supervise_ready(const char *status);

/* Sends a STATUS line ("counting: 1,234 letters"). */
void supervise_status(const char *status);

/* Pings if due and healthy is true. Returns the ms until the next ping is due (or -1 if no
 * watchdog), for the loop's poll timeout. */
long long supervise_tick(struct supervise *s, long long now_ms, int healthy);

/* Sends STOPPING=1. */
void supervise_stopping(void);

#endif
