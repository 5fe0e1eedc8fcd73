/* See kioskclock.h. */
#include "kioskclock.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

long long kioskclock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kioskclock_init(struct kioskclock *c, long long latest_ms, int staff_page)
{
	memset(c, 0, sizeof *c);
	c->build_ms = clockcheck_build_ms();
	c->latest_ms = latest_ms;
	c->staff_page = staff_page;
	c->verdict = CLOCKCHECK_OK;
	if (staff_page && clockset_allowed())
		log_msg(LOG_PRIO_INFO, "clock: the staff page may set the clock (CAP_SYS_TIME)");
	else if (staff_page)
		log_msg(LOG_PRIO_NOTICE, "clock: the staff page may not set the clock (no "
					 "CAP_SYS_TIME; on a Pi: tallykiosk-clock.conf): it shows how "
					 "to use sudo tallyctl set-time instead");
}

static const char *how(const struct kioskclock *c)
{
	return c->staff_page ? "on the staff page, or sudo tallyctl set-time"
			     : "sudo tallyctl set-time";
}

int kioskclock_check(struct kioskclock *c, long long now_ms)
{
	enum clockcheck v = clockcheck_judge(now_ms, c->build_ms, c->latest_ms);
	if (v == c->verdict)
		return 0;
	c->verdict = v;
	clockcheck_describe(v, now_ms, c->build_ms, c->latest_ms, how(c), c->warning,
			    sizeof c->warning);
	if (v == CLOCKCHECK_OK)
		log_msg(LOG_PRIO_NOTICE, "clock: it looks right again");
	else
		log_msg(LOG_PRIO_WARNING, "clock: %s; counts are kept in order all the same, only "
					  "their times in the export are wrong", c->warning);
	return 1;
}

void kioskclock_saved(struct kioskclock *c, long long now_ms)
{
	if (now_ms > c->latest_ms)
		c->latest_ms = now_ms;
}

static const char *verdict_name(enum clockcheck v)
{
	switch (v) {
	case CLOCKCHECK_BEFORE_BUILD: return "before_build";
	case CLOCKCHECK_BEFORE_LATEST: return "before_latest";
	default: return "ok";
	}
}

void *kioskclock_json(const struct kioskclock *c, long long now_ms)
{
	/* Judged afresh: the verdict the loop holds may be a turn old. */
	enum clockcheck v = clockcheck_judge(now_ms, c->build_ms, c->latest_ms);
	char warning[sizeof c->warning];
	clockcheck_describe(v, now_ms, c->build_ms, c->latest_ms, how(c), warning, sizeof warning);
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:b}", "now_ms", (json_int_t)now_ms,
			 "verdict", verdict_name(v), "warning", warning, "build_ms",
			 (json_int_t)c->build_ms, "latest_ms", (json_int_t)c->latest_ms, "can_set",
			 clockset_allowed());
}

int kioskclock_add_to(const struct kioskclock *c, long long now_ms, char **body)
{
	json_t *o = *body ? json_loads(*body, 0, NULL) : NULL;
	json_t *clock = kioskclock_json(c, now_ms);
	char *s = NULL;
	if (!json_is_object(o) || !clock)
		json_decref(clock);
	else if (json_object_set_new(o, "clock", clock) == 0) /* takes clock, even failing */
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return -1;
	free(*body);
	*body = s;
	return 0;
}

enum clockset_status kioskclock_set(struct kioskclock *c, long long target_ms, const char *who,
				    char *err, size_t errlen)
{
	long long before = kioskclock_now_ms();
	char was[40], to[40];
	clockset_utc(before, was, sizeof was);
	clockset_utc(target_ms, to, sizeof to);
	char why[256];
	enum clockset_status s = clockset_apply(target_ms, c->build_ms, why, sizeof why);
	switch (s) {
	case CLOCKSET_OK:
		log_msg(LOG_PRIO_NOTICE, "clock: set to %s by %s (it said %s)", to, who, was);
		kioskclock_check(c, kioskclock_now_ms());
		break;
	case CLOCKSET_ERR_RANGE:
		log_msg(LOG_PRIO_WARNING, "clock: %s asked for %s: refused, %s", who, to, why);
		snprintf(err, errlen, "%s", why);
		break;
	case CLOCKSET_ERR_PERM:
		log_msg(LOG_PRIO_WARNING, "clock: %s asked for %s: refused, %s", who, to, why);
		snprintf(err, errlen, "this kiosk may not set the system clock: it runs without the "
				      "CAP_SYS_TIME privilege (on a Pi, the drop-in "
				      "tallykiosk-clock.conf grants it). Set it at the kiosk instead: "
				      "sudo tallyctl set-time \"YYYY-MM-DD HH:MM\"");
		break;
	default:
		log_msg(LOG_PRIO_ERR, "clock: %s asked for %s: %s", who, to, why);
		snprintf(err, errlen, "the clock was not set: %s", why);
		break;
	}
	return s;
}
