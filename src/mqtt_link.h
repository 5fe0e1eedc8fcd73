/*
 * The connection to the MQTT broker (libmosquitto, MQTT v5): the only file that includes
 * mosquitto.h.
 *
 * libmosquitto's connect blocks (name lookup, TCP, TLS), so the connection lives on its own
 * thread, which connects, reconnects with a growing delay, and runs libmosquitto's network
 * loop. What it hears (connected, lost, a message, a refusal) is queued for the kiosk's loop,
 * which waits on mqtt_link_fd() (an eventfd) in its poll() and takes the queue with
 * mqtt_link_collect(): the frame loop never waits on the network. Publishing from the loop
 * only queues the message in libmosquitto.
 */
#ifndef TALLYKIOSK_MQTT_LINK_H
#define TALLYKIOSK_MQTT_LINK_H

#include <stddef.h>

#define MQTT_LINK_MAX_SUBS 4
/* Messages waiting for the loop at most; beyond, new ones are dropped (and counted): the
 * next republish of their sender repairs what a dropped state would have said. */
#define MQTT_LINK_QUEUE_MAX 20000

struct mqtt_link_params {
	const char *host;
	int port;
	int tls;                /* 1: TLS (server checked against ca_file, else system CAs) */
	const char *ca_file;    /* NULL = the system's CAs */
	const char *cert_file;  /* client certificate and key, or NULL */
	const char *key_file;
	const char *username;   /* NULL = none */
	const char *password;
	const char *client_id;
	int keepalive_s;
	const char *subs[MQTT_LINK_MAX_SUBS]; /* topic filters, subscribed on every connect */
	int n_subs;
};

enum mqtt_link_kind {
	MQTT_LINK_CONNECTED,    /* subscriptions are sent; publish what must be known */
	MQTT_LINK_DISCONNECTED, /* text: why */
	MQTT_LINK_MESSAGE,      /* topic, payload, retained */
	MQTT_LINK_REFUSED,      /* the broker refused a publish or subscription: text, topic */
	MQTT_LINK_FAILED,       /* a connect failed: text (the link keeps trying) */
	MQTT_LINK_ACCEPTED,     /* a publish was accepted again after a refusal */
};

struct mqtt_link_event {
	struct mqtt_link_event *next;
	enum mqtt_link_kind kind;
	char *topic;   /* MESSAGE, REFUSED (may be NULL) */
	char *payload; /* MESSAGE: len bytes, NUL-terminated */
	size_t len;
	int retained;  /* MESSAGE: sent because we subscribed (a stored state), not just now */
	char text[256];
};

struct mqtt_link;

/* Starts the thread; connecting happens there. Returns 0, or -1 with err set. */
int mqtt_link_start(struct mqtt_link **out, const struct mqtt_link_params *p, char *err,
		    size_t errlen);

/* Readable when events wait. */
int mqtt_link_fd(const struct mqtt_link *l);

/* Takes every waiting event, oldest first; NULL if none. *dropped (may be NULL) = messages
 * dropped since the last call because the queue was full or they were too large. */
struct mqtt_link_event *mqtt_link_collect(struct mqtt_link *l, long long *dropped);
void mqtt_link_event_free(struct mqtt_link_event *e);

/* Queues a QoS 1 publish. Returns 0, or -1 when not connected or out of memory (the caller
 * publishes again on the next MQTT_LINK_CONNECTED). */
int mqtt_link_publish(struct mqtt_link *l, const char *topic, const char *payload, int retain);

/* Disconnects and stops the thread (waits at most about 2 s for it). Accepts NULL. */
void mqtt_link_stop(struct mqtt_link *l);

#endif
