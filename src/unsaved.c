/* See unsaved.h. */
#include "unsaved.h"

#include <stdio.h>
#include <string.h>

void unsaved_init(struct unsaved *u)
{
	memset(u, 0, sizeof *u);
	u->tail = &u->jobs;
}

void unsaved_keep_job(struct unsaved *u, struct worker_job *j)
{
	j->next = NULL;
	*u->tail = j;
	u->tail = &j->next;
	u->n_jobs++;
}

int unsaved_keep_press(struct unsaved *u, const struct control_request *req, const char *source)
{
	for (int i = 0; i < u->n_rows; i++) {
		struct unsaved_presses *r = &u->table[i];
		if (!strcmp(r->source, source) && !strcmp(r->case_id, req->case_id)) {
			r->n++;
			return 0;
		}
	}
	if (u->n_rows == UNSAVED_TABLE_MAX) {
		u->table[0].n++;
		return -1;
	}
	struct unsaved_presses *r = &u->table[u->n_rows++];
	snprintf(r->source, sizeof r->source, "%s", source);
	snprintf(r->case_id, sizeof r->case_id, "%s", req->case_id);
	r->n = 1;
	return 0;
}

int unsaved_count(const struct unsaved *u)
{
	int n = u->n_jobs;
	for (int i = 0; i < u->n_rows; i++)
		n += u->table[i].n;
	return n;
}

struct worker_job *unsaved_take_jobs(struct unsaved *u)
{
	struct worker_job *list = u->jobs;
	for (struct worker_job *j = list; j; j = j->next) {
		j->status = STORE_OK;
		j->err[0] = '\0';
		j->batch = 0;
	}
	u->jobs = NULL;
	u->tail = &u->jobs;
	u->n_jobs = 0;
	return list;
}

int unsaved_take_presses(struct unsaved *u, struct unsaved_presses *out)
{
	int n = u->n_rows;
	memcpy(out, u->table, (size_t)n * sizeof *out);
	u->n_rows = 0;
	return n;
}

void unsaved_request(const struct unsaved_presses *row, struct control_request *req)
{
	memset(req, 0, sizeof *req);
	req->op = CONTROL_PRESS;
	snprintf(req->case_id, sizeof req->case_id, "%s", row->case_id);
}

void unsaved_free(struct unsaved *u)
{
	for (struct worker_job *j = unsaved_take_jobs(u), *next; j; j = next) {
		next = j->next;
		worker_job_free(j);
	}
	u->n_rows = 0;
}
