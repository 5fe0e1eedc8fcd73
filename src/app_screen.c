/*
 * What the loop draws (see app_int.h): the tally view from the committed state, the staff
 * strip, when a frame is due, and the timing trace of each frame for `make bench`.
 */
#include "app_int.h"

#include <stdio.h>
#include <string.h>

#include "input.h"
#include "monotime.h"
#include "several.h"

/* A press happened now: its acknowledgement is due on the next frame. */
void app_trace_press(struct app *a)
{
	if (a->p->trace && !a->trace_ack_ns)
		a->trace_ack_ns = mono_ns();
}

/* After a frame was presented: how long each input waited for it. */
static void trace_frame(struct app *a)
{
	FILE *f = a->p->trace;
	if (!f)
		return;
	long long now = mono_ns();
	fprintf(f, "frame %lld\n", now);
	if (!a->trace_first_done) {
		a->trace_first_done = 1;
		fprintf(f, "first-frame %lld\n", now);
	}
	if (a->trace_ack_ns) {
		fprintf(f, "ack %lld\n", now - a->trace_ack_ns);
		a->trace_ack_ns = 0;
	}
	for (int i = 0; i < a->trace_n_shown; i++)
		fprintf(f, "shown %lld\n", now - a->trace_shown_ns[i]);
	a->trace_n_shown = 0;
	fflush(f);
}

static float ack_level(const struct app *a, long long now)
{
	if (!a->ack_start)
		return 0.0f;
	long long age = now - a->ack_start;
	if (age >= ACK_MS)
		return 0.0f;
	return 1.0f - (float)age / ACK_MS;
}

/* Appends part to buf, after " | " when buf has something already. */
static void add_part(char *buf, size_t len, const char *part)
{
	size_t o = strlen(buf);
	if (part[0] && o + 1 < len)
		snprintf(buf + o, len - o, "%s%s", o ? " | " : "", part);
}

/*
 * The staff strip: problems first (any makes the strip red), then information (the staff
 * button's countdown, this kiosk's share of the venue), which alone keeps it calm.
 */
static enum staff_severity staff_line(struct app *a, long long now)
{
	char problem[sizeof a->status_line], info[sizeof a->status_line], part[640];
	problem[0] = info[0] = '\0';
	add_part(problem, sizeof problem, a->store_notice);
	if (a->storage_error[0]) {
		snprintf(part, sizeof part, "Storage failing: %.400s. %d press(es) not yet saved, "
			 "retrying.", a->storage_error, a->unsaved);
		add_part(problem, sizeof problem, part);
	}
	if (a->clock.verdict != CLOCKCHECK_OK)
		add_part(problem, sizeof problem, a->clock.warning);
	if (a->inputs) {
		inputs_problem(a->inputs, part, sizeof part);
		add_part(problem, sizeof problem, part);
	}
	if (a->reset_start) {
		long long left = a->reset_hold_ms - (now - a->reset_start);
		snprintf(part, sizeof part, "Keep holding to start a new event: %lld.%lld s",
			 left > 0 ? left / 1000 : 0, left > 0 ? left % 1000 / 100 : 0);
		add_part(info, sizeof info, part);
	}
	if (a->several) {
		char venue_info[512], venue_problem[768];
		several_staff_text(a->several, now, venue_info, sizeof venue_info, venue_problem,
				   sizeof venue_problem);
		add_part(problem, sizeof problem, venue_problem);
		add_part(info, sizeof info, venue_info);
	}
	snprintf(a->status_line, sizeof a->status_line, "%s", problem);
	add_part(a->status_line, sizeof a->status_line, info);
	return problem[0] ? STAFF_PROBLEM : STAFF_INFO;
}

/* Returns 1 if a frame was drawn (0: the screen already showed all this). */
static int draw(struct app *a, long long now)
{
	const struct config *cfg = a->p->cfg;
	enum staff_severity severity = staff_line(a, now);
	struct case_count cases[STORE_MAX_CASES];
	for (int i = 0; i < a->shown.n_cases; i++)
		cases[i] = (struct case_count){ a->shown.cases[i].id, a->shown.cases[i].total };
	struct tally_view v = {
		.event_name = a->shown.name,
		/* With several kiosks the big number is the venue's (or campaign's) total. */
		.total = a->several ? several_display_total(a->several) : a->shown.total,
		.goal = a->shown.goal,
		.label = cfg->label,
		.thank_you = cfg->thank_you,
		.ack = ack_level(a, now),
		.staff_status = a->status_line,
		.staff_severity = severity,
		.case_counts = cases,
		.n_case_counts = a->shown.n_cases,
		.qr_url = a->qr_until > now ? web_url(a->p->web) : NULL,
	};
	return render_draw(a->p->render, &v, now);
}

/*
 * Draws a frame when something changed, or when an animation runs and its next frame is due.
 * Returns whether an animation runs (the loop then wakes for its next frame).
 */
int app_draw_if_due(struct app *a, long long now)
{
	/* The renderer says when its own animations (count-up, celebration, carousel) need the
	 * next frame, so between carousel changes the loop sleeps. ack_drawn: one more frame
	 * after the fade, so the acknowledgement is fully gone. */
	int ack_on = ack_level(a, now) > 0.0f;
	int animating = ack_on || a->ack_drawn || a->reset_start ||
			render_next_frame_ms(a->p->render, now) == 0;
	/* New data is drawn at once (a press must answer now); animation frames are paced
	 * ([display] frame_rate), so a display without vsync does not make the loop spin. A
	 * frame with nothing new on it is not drawn at all (draw returns 0). */
	if (a->dirty || (animating && now >= a->last_draw_ms + a->frame_ms)) {
		a->last_draw_ms = now;
		if (draw(a, now))
			trace_frame(a);
		a->dirty = 0;
		a->ack_drawn = ack_on;
	}
	return animating;
}
