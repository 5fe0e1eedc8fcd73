/*
 * The store's part in several kiosks (see store.h): this kiosk's per-case P and N, read from
 * its own rows, and the peers' last states, kept so a venue total survives a broker that lost
 * its retained messages and a restart of this kiosk.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#include "textcheck.h"

enum store_status store_case_pn(struct store *st, struct store_case_pn *out, int max, int *n)
{
	*n = 0;
	if (max < 1) {
		store_set_err(st, "store_case_pn: no room");
		return STORE_ERR_INVALID;
	}
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	sqlite3_stmt *q;
	/* An undo row carries the case of the row it takes back, so N is per case too. */
	int rc = sqlite3_prepare_v2(st->db,
				    "SELECT coalesce(case_id, ''),"
				    " sum(CASE WHEN kind = 'undo' THEN 0 ELSE delta END),"
				    " sum(CASE WHEN kind = 'undo' THEN -delta ELSE 0 END)"
				    " FROM counts WHERE event_id = ?1"
				    " GROUP BY coalesce(case_id, '') ORDER BY min(id)",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the per-case counts");
	sqlite3_bind_int64(q, 1, st->cur.id);
	/* "" first, so a fold into it always has its slot. */
	memset(&out[0], 0, sizeof out[0]);
	int count = 1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		long long p = sqlite3_column_int64(q, 1), nn = sqlite3_column_int64(q, 2);
		struct store_case_pn *c = &out[0];
		if (id && *id && count < max && strlen(id) < sizeof c->id) {
			c = &out[count++];
			memset(c, 0, sizeof *c);
			snprintf(c->id, sizeof c->id, "%s", id);
		}
		c->p += p;
		c->n += nn;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the per-case counts");
	*n = count;
	return STORE_OK;
}

enum store_status store_peer_put(struct store *st, const char *topic, const char *payload,
				 long long received_ms)
{
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db,
				    "INSERT INTO peer_states(topic, payload, received_ms) VALUES(?1, ?2, ?3)"
				    " ON CONFLICT(topic) DO UPDATE SET payload = ?2, received_ms = ?3",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "keeping a peer's state");
	sqlite3_bind_text(q, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, received_ms);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "keeping a peer's state");
}

enum store_status store_peer_each(struct store *st,
				  int (*fn)(void *ctx, const char *topic, const char *payload),
				  void *ctx)
{
	enum store_status os = store_ensure_open(st);
	if (os)
		return os;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, "SELECT topic, payload FROM peer_states ORDER BY topic",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the peers' states");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *topic = (const char *)sqlite3_column_text(q, 0);
		const char *payload = (const char *)sqlite3_column_text(q, 1);
		if (topic && payload && fn(ctx, topic, payload))
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK
						     : store_fail(st, rc, "reading the peers' states");
}
