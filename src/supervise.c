/* See supervise.h. Only this file includes sd-daemon.h. */
#include "supervise.h"

#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

void supervise_init(struct supervise *s, long long now_ms)
{
	uint64_t usec = 0;
	s->interval_ms = 0;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
		s->interval_ms = (long long)(usec / 2000);
	s->next_ms = now_ms;
}

void supervise_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void supervise_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

long long supervise_tick(struct supervise *s, long long now_ms, int healthy)
{
	if (!s->interval_ms)
		return -1;
	if (now_ms >= s->next_ms && healthy) {
		sd_notify(0, "WATCHDOG=1");
		s->next_ms = now_ms + s->interval_ms;
	}
	/* Unhealthy: check again soon, so pings resume as soon as the store moves. */
	long long wait = healthy ? s->next_ms - now_ms : 100;
	return wait < 0 ? 0 : wait;
}

void supervise_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
