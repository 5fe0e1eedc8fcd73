/* See mqtt_link.h. Callbacks run on the link's thread and only queue events. */
#include "mqtt_link.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mqtt_payload.h"

#define RETRY_MIN_S 1
#define RETRY_MAX_S 5
#define PENDING_TOPICS 64 /* publishes whose acknowledgement we wait for, to name a refusal */

struct mqtt_link {
	struct mosquitto *mosq;
	struct mqtt_link_params p;
	char *strings[8]; /* copies of the params' strings */
	char *subs[MQTT_LINK_MAX_SUBS];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int efd;
	int stopping, done, connected;
	struct mqtt_link_event *head, **tail;
	int queued;
	long long dropped;
	struct { int mid; char topic[MQTT_TOPIC_MAX]; } pending[PENDING_TOPICS];
	int pending_next;
	int sub_mids[MQTT_LINK_MAX_SUBS];
	int refused; /* a publish was refused and none accepted since */
	int connack_refused; /* the last CONNACK's refusal, said once until it changes */
};

static void push(struct mqtt_link *l, struct mqtt_link_event *e)
{
	pthread_mutex_lock(&l->lock);
	if (e->kind == MQTT_LINK_MESSAGE && l->queued >= MQTT_LINK_QUEUE_MAX) {
		l->dropped++;
		pthread_mutex_unlock(&l->lock);
		mqtt_link_event_free(e);
		return;
	}
	e->next = NULL;
	*l->tail = e;
	l->tail = &e->next;
	l->queued++;
	pthread_mutex_unlock(&l->lock);
	uint64_t one = 1;
	ssize_t r = write(l->efd, &one, sizeof one);
	(void)r;
}

static void push_text(struct mqtt_link *l, enum mqtt_link_kind kind, const char *topic,
		      const char *fmt, const char *a, int n)
{
	struct mqtt_link_event *e = calloc(1, sizeof *e);
	if (!e)
		return;
	e->kind = kind;
	if (topic && !(e->topic = strdup(topic))) {
		free(e);
		return;
	}
	snprintf(e->text, sizeof e->text, fmt, a, n);
	push(l, e);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	struct mqtt_link *l = obj;
	(void)flags;
	(void)props;
	if (rc != 0) {
		/* libmosquitto retries every few seconds: say it once, not at every retry. */
		if (rc != l->connack_refused)
			push_text(l, MQTT_LINK_FAILED, NULL, "the broker refused the connection: %s "
				  "(%d): check [mqtt] username and password_file",
				  mosquitto_reason_string(rc), rc);
		l->connack_refused = rc;
		return;
	}
	l->connack_refused = 0;
	for (int i = 0; i < l->p.n_subs; i++) {
		/* No-local: our own states need not come back to us. A clone of this kiosk
		 * publishes on another connection, so it is still heard. */
		int mid = 0;
		int s = mosquitto_subscribe_v5(mosq, &mid, l->subs[i], 1, MQTT_SUB_OPT_NO_LOCAL, NULL);
		pthread_mutex_lock(&l->lock);
		l->sub_mids[i] = mid;
		pthread_mutex_unlock(&l->lock);
		if (s != MOSQ_ERR_SUCCESS)
			push_text(l, MQTT_LINK_FAILED, NULL, "cannot subscribe to %s: %d", l->subs[i], s);
	}
	pthread_mutex_lock(&l->lock);
	l->connected = 1;
	pthread_mutex_unlock(&l->lock);
	push_text(l, MQTT_LINK_CONNECTED, NULL, "%s%.0d", "connected", 0);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc, const mosquitto_property *props)
{
	struct mqtt_link *l = obj;
	(void)mosq;
	(void)props;
	pthread_mutex_lock(&l->lock);
	int was = l->connected;
	l->connected = 0;
	pthread_mutex_unlock(&l->lock);
	if (was)
		push_text(l, MQTT_LINK_DISCONNECTED, NULL, "connection lost: %s (%d)",
			  rc > 0 && rc < 0x80 ? mosquitto_strerror(rc) : mosquitto_reason_string(rc), rc);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m,
		       const mosquitto_property *props)
{
	struct mqtt_link *l = obj;
	(void)mosq;
	(void)props;
	if (!m->topic || m->payloadlen < 0 || m->payloadlen > MQTT_PAYLOAD_MAX ||
	    strlen(m->topic) >= MQTT_TOPIC_MAX) {
		pthread_mutex_lock(&l->lock);
		l->dropped++;
		pthread_mutex_unlock(&l->lock);
		return;
	}
	struct mqtt_link_event *e = calloc(1, sizeof *e);
	if (!e)
		return;
	e->kind = MQTT_LINK_MESSAGE;
	e->topic = strdup(m->topic);
	e->payload = malloc((size_t)m->payloadlen + 1);
	if (!e->topic || !e->payload) {
		mqtt_link_event_free(e);
		return;
	}
	if (m->payloadlen)
		memcpy(e->payload, m->payload, (size_t)m->payloadlen);
	e->payload[m->payloadlen] = '\0';
	e->len = (size_t)m->payloadlen;
	e->retained = m->retain;
	push(l, e);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid, int reason,
		       const mosquitto_property *props)
{
	struct mqtt_link *l = obj;
	(void)mosq;
	(void)props;
	pthread_mutex_lock(&l->lock);
	int was_refused = l->refused;
	l->refused = reason >= 0x80;
	pthread_mutex_unlock(&l->lock);
	if (reason < 0x80) {
		if (was_refused) /* the ACL was fixed: staff may stop worrying */
			push_text(l, MQTT_LINK_ACCEPTED, NULL, "%s%.0d", "publishing is accepted again", 0);
		return;
	}
	char topic[MQTT_TOPIC_MAX] = "";
	pthread_mutex_lock(&l->lock);
	for (int i = 0; i < PENDING_TOPICS; i++)
		if (l->pending[i].mid == mid)
			memcpy(topic, l->pending[i].topic, sizeof topic);
	pthread_mutex_unlock(&l->lock);
	push_text(l, MQTT_LINK_REFUSED, topic[0] ? topic : NULL,
		  "the broker refused a publish: %s (%d)", mosquitto_reason_string(reason), reason);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int n, const int *granted,
			 const mosquitto_property *props)
{
	struct mqtt_link *l = obj;
	(void)mosq;
	(void)props;
	for (int i = 0; i < n; i++) {
		if (granted[i] < 0x80)
			continue;
		const char *sub = NULL;
		pthread_mutex_lock(&l->lock);
		for (int k = 0; k < l->p.n_subs; k++)
			if (l->sub_mids[k] == mid)
				sub = l->subs[k];
		pthread_mutex_unlock(&l->lock);
		push_text(l, MQTT_LINK_REFUSED, sub, "the broker refused a subscription: %s (%d)",
			  mosquitto_reason_string(granted[i]), granted[i]);
	}
}

/* Sleeps up to s seconds unless the link is stopping. Returns 1 if stopping. */
static int nap(struct mqtt_link *l, int s)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += s;
	pthread_mutex_lock(&l->lock);
	while (!l->stopping && pthread_cond_timedwait(&l->wake, &l->lock, &until) != ETIMEDOUT)
		;
	int stop = l->stopping;
	pthread_mutex_unlock(&l->lock);
	return stop;
}

static int stopping(struct mqtt_link *l)
{
	pthread_mutex_lock(&l->lock);
	int s = l->stopping;
	pthread_mutex_unlock(&l->lock);
	return s;
}

static void *link_main(void *arg)
{
	struct mqtt_link *l = arg;
	int delay = RETRY_MIN_S;
	char last[256] = "";
	while (!stopping(l)) {
		int rc = mosquitto_connect_bind_v5(l->mosq, l->p.host, l->p.port, l->p.keepalive_s,
						   NULL, NULL);
		if (rc == MOSQ_ERR_SUCCESS && !stopping(l)) {
			delay = RETRY_MIN_S;
			last[0] = '\0';
			/* Returns on stop (disconnect) or on an error it does not retry itself. */
			rc = mosquitto_loop_forever(l->mosq, 1000, 1);
		}
		if (stopping(l))
			break;
		char why[256];
		snprintf(why, sizeof why, "cannot reach the broker %s:%d: %s", l->p.host, l->p.port,
			 rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		/* A refused CONNACK was said by on_connect (same thread); the protocol error that
		 * libmosquitto returns after it would only hide the reason. */
		if (l->connack_refused) {
			snprintf(last, sizeof last, "%s", why);
		} else if (strcmp(why, last) != 0) { /* once per new reason, not every retry */
			snprintf(last, sizeof last, "%s", why);
			push_text(l, MQTT_LINK_FAILED, NULL, "%s%.0d", why, 0);
		}
		if (nap(l, delay))
			break;
		delay = delay * 2 > RETRY_MAX_S ? RETRY_MAX_S : delay * 2;
	}
	pthread_mutex_lock(&l->lock);
	l->done = 1;
	pthread_cond_broadcast(&l->wake);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

static char *keep(struct mqtt_link *l, int i, const char *s)
{
	if (!s)
		return NULL;
	l->strings[i] = strdup(s);
	return l->strings[i];
}

static void free_link(struct mqtt_link *l)
{
	if (l->mosq)
		mosquitto_destroy(l->mosq);
	for (size_t i = 0; i < sizeof l->strings / sizeof l->strings[0]; i++)
		free(l->strings[i]);
	for (int i = 0; i < MQTT_LINK_MAX_SUBS; i++)
		free(l->subs[i]);
	struct mqtt_link_event *e = l->head;
	while (e) {
		struct mqtt_link_event *next = e->next;
		mqtt_link_event_free(e);
		e = next;
	}
	if (l->efd >= 0)
		close(l->efd);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->wake);
	free(l);
}

int mqtt_link_start(struct mqtt_link **out, const struct mqtt_link_params *p, char *err,
		    size_t errlen)
{
	*out = NULL;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, (void (*)(void))mosquitto_lib_init);
	struct mqtt_link *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&l->wake, &ca);
	pthread_condattr_destroy(&ca);
	l->tail = &l->head;
	l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	l->p = *p;
	l->p.host = keep(l, 0, p->host);
	l->p.ca_file = keep(l, 1, p->ca_file);
	l->p.cert_file = keep(l, 2, p->cert_file);
	l->p.key_file = keep(l, 3, p->key_file);
	l->p.username = keep(l, 4, p->username);
	l->p.password = keep(l, 5, p->password);
	l->p.client_id = keep(l, 6, p->client_id);
	int ok = l->efd >= 0 && l->p.host && p->n_subs >= 0 && p->n_subs <= MQTT_LINK_MAX_SUBS;
	for (int i = 0; ok && i < p->n_subs; i++)
		ok = (l->subs[i] = strdup(p->subs[i])) != NULL;
	if (ok)
		l->mosq = mosquitto_new(l->p.client_id, true, l);
	if (!ok || !l->mosq) {
		snprintf(err, errlen, "cannot set up the MQTT client: %s", strerror(errno));
		free_link(l);
		return -1;
	}
	int rc = mosquitto_int_option(l->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_threaded_set(l->mosq, true);
	if (rc == MOSQ_ERR_SUCCESS && l->p.username)
		rc = mosquitto_username_pw_set(l->mosq, l->p.username, l->p.password);
	if (rc == MOSQ_ERR_SUCCESS && l->p.tls) {
		rc = mosquitto_tls_set(l->mosq, l->p.ca_file, l->p.ca_file ? NULL : "/etc/ssl/certs",
				       l->p.cert_file, l->p.key_file, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "TLS: %s (check tls_ca, tls_cert, tls_key)",
				 mosquitto_strerror(rc));
			free_link(l);
			return -1;
		}
	}
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_reconnect_delay_set(l->mosq, RETRY_MIN_S, RETRY_MAX_S, true);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "cannot set up the MQTT client: %s", mosquitto_strerror(rc));
		free_link(l);
		return -1;
	}
	mosquitto_connect_v5_callback_set(l->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(l->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(l->mosq, on_message);
	mosquitto_publish_v5_callback_set(l->mosq, on_publish);
	mosquitto_subscribe_v5_callback_set(l->mosq, on_subscribe);
	rc = pthread_create(&l->thread, NULL, link_main, l);
	if (rc) {
		snprintf(err, errlen, "cannot start the MQTT thread: %s", strerror(rc));
		free_link(l);
		return -1;
	}
	*out = l;
	return 0;
}

int mqtt_link_fd(const struct mqtt_link *l)
{
	return l->efd;
}

struct mqtt_link_event *mqtt_link_collect(struct mqtt_link *l, long long *dropped)
{
	uint64_t v;
	ssize_t r = read(l->efd, &v, sizeof v);
	(void)r;
	pthread_mutex_lock(&l->lock);
	struct mqtt_link_event *list = l->head;
	l->head = NULL;
	l->tail = &l->head;
	l->queued = 0;
	if (dropped)
		*dropped = l->dropped;
	l->dropped = 0;
	pthread_mutex_unlock(&l->lock);
	return list;
}

void mqtt_link_event_free(struct mqtt_link_event *e)
{
	if (!e)
		return;
	free(e->topic);
	free(e->payload);
	free(e);
}

int mqtt_link_publish(struct mqtt_link *l, const char *topic, const char *payload, int retain)
{
	pthread_mutex_lock(&l->lock);
	int connected = l->connected;
	pthread_mutex_unlock(&l->lock);
	/* Not queued while offline: the state is published again, whole, on the next connect. */
	if (!connected)
		return -1;
	int mid = 0;
	int rc = mosquitto_publish_v5(l->mosq, &mid, topic, (int)strlen(payload), payload, 1,
				      retain != 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		return -1;
	pthread_mutex_lock(&l->lock);
	l->pending[l->pending_next].mid = mid;
	snprintf(l->pending[l->pending_next].topic, MQTT_TOPIC_MAX, "%s", topic);
	l->pending_next = (l->pending_next + 1) % PENDING_TOPICS;
	pthread_mutex_unlock(&l->lock);
	return 0;
}

void mqtt_link_stop(struct mqtt_link *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stopping = 1;
	pthread_cond_broadcast(&l->wake);
	pthread_mutex_unlock(&l->lock);
	/* A connect in progress cannot be interrupted: wait a little, then leave the thread to
	 * the process's exit rather than block the shutdown (mosquitto#1791). */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&l->lock);
	while (!l->done) {
		pthread_mutex_unlock(&l->lock);
		mosquitto_disconnect_v5(l->mosq, 0, NULL);
		pthread_mutex_lock(&l->lock);
		if (l->done)
			break;
		struct timespec step;
		clock_gettime(CLOCK_REALTIME, &step);
		if (step.tv_sec > until.tv_sec ||
		    (step.tv_sec == until.tv_sec && step.tv_nsec >= until.tv_nsec))
			break;
		step.tv_nsec += 50000000;
		if (step.tv_nsec >= 1000000000) {
			step.tv_sec++;
			step.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&l->wake, &l->lock, &step);
	}
	int done = l->done;
	pthread_mutex_unlock(&l->lock);
	if (!done) {
		pthread_detach(l->thread);
		return; /* its memory stays with the thread until the process exits */
	}
	pthread_join(l->thread, NULL);
	free_link(l);
}
