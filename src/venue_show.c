/* See venue.h: what a kiosk shows of its venue (totals, the staff strip, status, export). */
#include "venue.h"
#include "venue_int.h"

#include <stdio.h>
#include <string.h>

#include "numfmt.h"

int venue_others_counted(const struct venue *v, char *why, size_t len)
{
	int n = 0;
	size_t o = 0;
	why[0] = '\0';
	for (int i = 0; i < v->set.n; i++) {
		const struct pn_entry *e = &v->set.e[i];
		if (strcmp(e->st.venue, v->venue) || strcmp(e->st.event, v->own_ann.event) ||
		    !strcmp(e->st.kiosk, v->kiosk))
			continue;
		long long p = 0;
		for (int c = 0; c < e->st.n_cases; c++)
			p += e->st.cases[c].p;
		if (p <= 0)
			continue;
		n++;
		if (o < len)
			o += (size_t)snprintf(why + o, len - o, "%skiosk %s (%lld letter%s)",
					      n > 1 ? ", " : "", e->st.kiosk, p, p == 1 ? "" : "s");
	}
	return n;
}

long long venue_total(const struct venue *v)
{
	return pn_set_total(&v->set, v->venue, v->own.event);
}

long long venue_campaign_total(const struct venue *v)
{
	return v->campaign_scope ? pn_set_total(&v->set, NULL, NULL) : -1;
}

long long venue_display_total(const struct venue *v)
{
	return v->campaign_scope ? venue_campaign_total(v) : venue_total(v);
}

static int online(const struct venue *v, const struct pn_entry *e, long long now_ms)
{
	if (!strcmp(e->st.kiosk, v->kiosk))
		return v->up;
	return e->seen_ms > 0 && now_ms - e->seen_ms < 2 * v->republish_ms + 5000;
}

void venue_status_json(const struct venue *v, long long now_ms, struct sbuf *b)
{
	sbuf_printf(b, ",\"venue\":");
	sbuf_add_json_string(b, v->venue);
	sbuf_printf(b, ",\"venue_event\":");
	sbuf_add_json_string(b, v->own.event);
	sbuf_printf(b, ",\"venue_total\":%lld", venue_total(v));
	if (v->campaign_scope)
		sbuf_printf(b, ",\"campaign_total\":%lld", venue_campaign_total(v));
	sbuf_add(b, ",\"kiosks\":[");
	int first = 1;
	for (int i = 0; i < v->set.n; i++) {
		const struct pn_entry *e = &v->set.e[i];
		if (strcmp(e->st.venue, v->venue) || strcmp(e->st.event, v->own.event))
			continue;
		int self = !strcmp(e->st.kiosk, v->kiosk);
		sbuf_add(b, first ? "{\"id\":" : ",{\"id\":");
		first = 0;
		sbuf_add_json_string(b, e->st.kiosk);
		sbuf_printf(b, ",\"total\":%lld,\"online\":%s,\"self\":%s", pn_total(&e->st),
			    online(v, e, now_ms) ? "true" : "false", self ? "true" : "false");
		if (self)
			sbuf_printf(b, ",\"last_seen_s\":0");
		else if (e->seen_ms > 0)
			sbuf_printf(b, ",\"last_seen_s\":%lld", (now_ms - e->seen_ms) / 1000);
		else
			sbuf_add(b, ",\"last_seen_s\":null");
		sbuf_add(b, "}");
	}
	sbuf_add(b, "],\"mqtt\":{\"connected\":");
	sbuf_add(b, v->up ? "true" : "false");
	sbuf_add(b, ",\"link\":");
	sbuf_add_json_string(b, v->link_text);
	sbuf_add(b, ",\"refused\":");
	sbuf_add_json_string(b, v->refused);
	sbuf_add(b, ",\"duplicate\":");
	sbuf_add_json_string(b, v->duplicate);
	sbuf_add(b, "}");
}

/* Appends part to buf, after " | " when buf has something already. */
static void add_part(char *buf, size_t len, const char *part)
{
	size_t o = strlen(buf);
	if (o + 1 < len)
		snprintf(buf + o, len - o, "%s%s", o ? " | " : "", part);
}

void venue_staff_text(const struct venue *v, long long now_ms, char *info, size_t info_len,
		      char *problem, size_t problem_len)
{
	int on = 0, off = 0;
	long long mine = 0;
	info[0] = problem[0] = '\0';
	for (int i = 0; i < v->set.n; i++) {
		const struct pn_entry *e = &v->set.e[i];
		if (strcmp(e->st.venue, v->venue) || strcmp(e->st.event, v->own.event))
			continue;
		if (!strcmp(e->st.kiosk, v->kiosk)) {
			mine = pn_total(&e->st);
			continue;
		}
		if (online(v, e, now_ms))
			on++;
		else
			off++;
	}
	char part[640], mine_text[32], all_text[32];
	numfmt_thousands(mine, NULL, mine_text, sizeof mine_text);
	numfmt_thousands(venue_total(v), NULL, all_text, sizeof all_text);
	snprintf(part, sizeof part, "This kiosk %s of %s; other kiosks: %d online, %d offline",
		 mine_text, all_text, on, off);
	add_part(info, info_len, part);
	/* Before the first answer from the broker this is no problem yet, only a start. */
	if (!v->up && !v->ever_answered) {
		add_part(info, info_len, "Connecting to the venue's broker");
	} else if (!v->up) {
		snprintf(part, sizeof part, "Not connected to the venue (%s): counting here, sent "
			 "when back", v->link_text);
		add_part(problem, problem_len, part);
	}
	if (v->refused[0]) { /* the topic is in the log and in status --json */
		snprintf(part, sizeof part, "The broker refuses this kiosk's counts (%s): check its "
			 "ACL and this kiosk's [mqtt] username", v->refused_reason);
		add_part(problem, problem_len, part);
	}
	if (v->duplicate[0])
		add_part(problem, problem_len, v->duplicate);
}

void venue_export_csv(const struct venue *v, struct sbuf *b)
{
	sbuf_add(b, "venue,event,kiosk,case,counted,taken_back,total\n");
	for (int i = 0; i < v->set.n; i++) {
		const struct pn_state *s = &v->set.e[i].st;
		if (strcmp(s->venue, v->venue) || strcmp(s->event, v->own.event))
			continue;
		for (int c = 0; c < s->n_cases; c++) {
			sbuf_add_csv_field(b, s->venue);
			sbuf_add(b, ",");
			sbuf_add_csv_field(b, s->event);
			sbuf_add(b, ",");
			sbuf_add_csv_field(b, s->kiosk);
			sbuf_add(b, ",");
			sbuf_add_csv_field(b, s->cases[c].id);
			sbuf_printf(b, ",%lld,%lld,%lld\n", s->cases[c].p, s->cases[c].n,
				    s->cases[c].p - s->cases[c].n);
		}
	}
	struct pn_case cases[64];
	int n = pn_set_cases(&v->set, v->venue, v->own.event, cases, 64);
	for (int c = 0; c < n && c < 64; c++) {
		sbuf_add_csv_field(b, v->venue);
		sbuf_add(b, ",");
		sbuf_add_csv_field(b, v->own.event);
		sbuf_add(b, ",(all),");
		sbuf_add_csv_field(b, cases[c].id);
		sbuf_printf(b, ",%lld,%lld,%lld\n", cases[c].p, cases[c].n, cases[c].p - cases[c].n);
	}
}
