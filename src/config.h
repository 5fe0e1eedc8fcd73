/*
 * kiosk.conf: the organiser's settings, read once at start-up.
 *
 * The file is INI (parsed with inih). Every key has a default in one table in config.c, so
 * the kiosk runs with no file at all. A key or section the kiosk does not know, or a value it
 * cannot use, is an error naming the file, the line and the key: a typo must never be
 * silently ignored at a public event.
 */
#ifndef TALLYKIOSK_CONFIG_H
#define TALLYKIOSK_CONFIG_H

#include <stddef.h>

#include "store.h"

#define CONFIG_TEXT_MAX 160
#define CONFIG_PATH_MAX 1024

struct rgb {
	unsigned char r, g, b;
};

#define CONFIG_MAX_GPIO 16
#define CONFIG_GPIO_NAME_MAX 32

enum config_bias { CONFIG_BIAS_AS_IS, CONFIG_BIAS_DISABLE, CONFIG_BIAS_PULL_UP,
		   CONFIG_BIAS_PULL_DOWN };
enum config_kind { CONFIG_KIND_BUTTON, CONFIG_KIND_BEAM };
enum config_role { CONFIG_ROLE_COUNT, CONFIG_ROLE_STAFF_RESET };
enum config_mqtt_scope { CONFIG_MQTT_SCOPE_VENUE, CONFIG_MQTT_SCOPE_CAMPAIGN };
/* [display] renderer: the GPU through SDL's accelerated renderer, or the CPU drawing only
 * what changed into the window's own surface; auto picks per machine. */
enum config_renderer { CONFIG_RENDERER_AUTO, CONFIG_RENDERER_GPU, CONFIG_RENDERER_SOFTWARE };

/* One GPIO input: a [gpio.NAME] section. Times are in milliseconds. */
struct config_gpio {
	char name[CONFIG_GPIO_NAME_MAX]; /* NAME from the section header */
	int section_line;                /* where the section starts, for later errors */
	char chip[64];                   /* path, name or label; "" = search every chip */
	char line[64];                   /* line name (GPIO17) or offset (17) */
	int active_low;
	int bias;                        /* enum config_bias */
	int kind;                        /* enum config_kind */
	int role;                        /* enum config_role */
	char case_id[64];                /* count for this case ("" = the room's tally) */
	int min_active_ms, release_ms, lockout_ms, stuck_ms, hold_ms;
};

struct config {
	/* [event] */
	char event_name[STORE_NAME_MAX];  /* name of the first event of a new database: one
	                                   * limit for every event name (tallyctl, socket, web) */
	long long goal;                   /* goal of the first event; 0 = no goal shown */
	char label[CONFIG_TEXT_MAX];      /* text under the number, e.g. "letters written" */
	char label_one[CONFIG_TEXT_MAX];  /* the label after 1 ("letter written"); "" = see
					     config_label_one() */
	char language[16];                /* the labels' language, for its plural rule ("en") */
	char label_lang2[CONFIG_TEXT_MAX];     /* label in the cases file's second language */
	char label_one_lang2[CONFIG_TEXT_MAX]; /* its singular form ("" = label_lang2) */
	char thank_you[CONFIG_TEXT_MAX];  /* acknowledgement shown on each press */
	long long goal_offset;            /* letters counted before the kiosk: added on screen */

	/* [display] */
	int fullscreen;                   /* 1: full-screen (default); 0: a window */
	int window_width, window_height;  /* size of the window when not full-screen */
	char font[CONFIG_TEXT_MAX];       /* fontconfig pattern, e.g. "DejaVu Sans:bold" */
	struct rgb background, number, text, accent;
	int allow_quit;                   /* 1: Escape / Ctrl+Q quit; 0 (default): no way out */
	char body_font[CONFIG_TEXT_MAX];  /* fontconfig pattern for the carousel's stories */
	int rotate;                       /* quarter turns clockwise: 0..3 (0, 90, 180, 270) */
	int carousel;                     /* 1: show the cases beside the tally */
	int carousel_interval;            /* seconds each case is shown */
	long long milestone;              /* celebrate every N letters; 0 = never */
	int pixel_shift;                  /* 1: move the picture a few pixels now and then */
	int renderer;                     /* enum config_renderer: who draws the window */
	int frame_rate;                   /* animation frames per second (10..60) */

	/* [content] */
	char cases[CONFIG_PATH_MAX];      /* "" = the bundled cases file */
	int cases_line;                   /* the line that set cases, 0 = not set (errors) */
	int alternate_languages;          /* 1: show each case in its second language too */

	/* [input] */
	int keyboard;                     /* 1: space, enter, click and touch count a letter */

	/* [storage] */
	char database[CONFIG_PATH_MAX];   /* "" = $XDG_STATE_HOME/tallykiosk/tally.db */
	char socket[CONFIG_PATH_MAX];     /* "" = the database path + ".sock" */

	/* [mqtt]: several kiosks, one total (docs/several-kiosks.md). Off without the section. */
	int mqtt;                          /* 1 when the file has an [mqtt] section */
	int mqtt_line;                     /* where it starts, for later errors */
	char mqtt_broker[256];             /* HOST[:PORT], mqtt://... or mqtts://... */
	char mqtt_campaign[64], mqtt_venue[64];
	char mqtt_kiosk[64];               /* this kiosk's name in topics; "" = username, else
					    * the database's kiosk id */
	char mqtt_username[64];
	char mqtt_password_file[CONFIG_PATH_MAX];
	char mqtt_tls_ca[CONFIG_PATH_MAX], mqtt_tls_cert[CONFIG_PATH_MAX],
		mqtt_tls_key[CONFIG_PATH_MAX];
	int mqtt_scope;                    /* enum config_mqtt_scope */
	int mqtt_republish_seconds;
	/* [web]: the staff page on phones (see web.h) */
	int web_enabled;
	char web_listen[80];              /* ADDRESS:PORT */
	char web_pin[72];                 /* "" = generated at first start, kept in the database */
	char web_public_url[CONFIG_TEXT_MAX]; /* what the QR code encodes; "" = from the address */
	char web_tls_cert[CONFIG_PATH_MAX];   /* PEM files for HTTPS; "" = plain HTTP */
	char web_tls_key[CONFIG_PATH_MAX];
	char web_api_token[CONFIG_TEXT_MAX];  /* "" = no bearer token for scripts */

	/* [gpio.NAME] sections, in file order */
	struct config_gpio gpio[CONFIG_MAX_GPIO];
	int n_gpio;
};

enum config_status {
	CONFIG_OK = 0,
	CONFIG_ERR_IO,     /* file missing or unreadable */
	CONFIG_ERR_SYNTAX, /* not INI: a line inih cannot parse */
	CONFIG_ERR_KEY,    /* unknown section or key */
	CONFIG_ERR_VALUE,  /* known key, value out of range or of the wrong type */
};

/* Fills cfg with the built-in defaults (the demo content). */
void config_defaults(struct config *cfg);

/*
 * Reads path over the values already in cfg. On error returns the status and writes one
 * line to err, "FILE:LINE: [section] key: what is wrong (value)"; cfg may then be partly
 * updated and must not be used.
 */
enum config_status config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* Fills g with the defaults of a [gpio.NAME] section of the given kind. */
void config_gpio_defaults(struct config_gpio *g, int kind);

/*
 * The label's singular form: label_one when set; "letter written" while label is the
 * built-in "letters written"; else label itself (a changed label without its singular keeps
 * one form rather than mixing languages).
 */
const char *config_label_one(const struct config *cfg);

/*
 * Splits [mqtt] broker: "HOST", "HOST:PORT", "mqtt://HOST[:PORT]" (1883) or
 * "mqtts://HOST[:PORT]" (TLS, 8883); an IPv6 address in brackets. Returns 0 or -1.
 */
int config_mqtt_broker(const char *broker, char *host, size_t hostlen, int *port, int *tls);

/* Parses "#rrggbb" (or "rrggbb"). Returns 0 on success, -1 if s is not such a colour. */
int config_parse_color(const char *s, struct rgb *out);

#endif
