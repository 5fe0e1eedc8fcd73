/*
 * Who may use the staff web page: the PIN, the sessions it buys, the bearer token for
 * scripts, and the back-off that makes guessing the PIN hopeless. Pure (time is passed in,
 * randomness comes from getrandom), so the unit tests drive its clock; the web server holds
 * one and calls it from its own thread only.
 *
 * A wrong PIN counts against the client's address and against all addresses together. From
 * the WEB_FREE_TRIES-th wrong PIN of an address on, that address waits 30 s, then 60 s, ...,
 * at most 15 min before its next try; all addresses together start waiting after
 * WEB_GLOBAL_FREE_TRIES wrong PINs (one phone's typos must not lock every phone out, many
 * addresses guessing together must not get more tries). A try made while waiting is refused
 * unchecked and does not count. Comparisons of secrets take constant time.
 */
#ifndef TALLYKIOSK_WEB_AUTH_H
#define TALLYKIOSK_WEB_AUTH_H

#include <stddef.h>

#define WEB_PIN_MIN 6
#define WEB_PIN_MAX 64
#define WEB_TOKEN_MIN 16
#define WEB_SESSION_MS (12LL * 3600 * 1000)
#define WEB_SESSIONS_MAX 64
#define WEB_FREE_TRIES 5
#define WEB_GLOBAL_FREE_TRIES 20
#define WEB_BACKOFF_FIRST_MS 30000LL
#define WEB_BACKOFF_MAX_MS (15LL * 60 * 1000)
#define WEB_ADDR_MAX 64          /* an IPv6 address as text fits */
#define WEB_SESSION_HEX 32       /* 128 random bits as hex */

enum web_login { WEB_LOGIN_OK = 0, WEB_LOGIN_WRONG, WEB_LOGIN_WAIT, WEB_LOGIN_ERROR };

struct web_auth;

/* pin: 6 to 64 printable characters; api_token: "" (none) or at least 16 characters.
 * Returns NULL when out of memory. */
struct web_auth *web_auth_new(const char *pin, const char *api_token);
void web_auth_free(struct web_auth *a);

/*
 * A login from addr with pin at now_ms. OK: token (WEB_SESSION_HEX + 1 bytes) is a new
 * session. WAIT: *retry_after_s says how long this address (or everyone) must wait.
 * WRONG: the PIN is wrong; *fails is this address's count of wrong PINs, *retry_after_s the
 * wait it now has to sit out (0 while tries are free). ERROR: no randomness.
 */
enum web_login web_auth_login(struct web_auth *a, const char *addr, const char *pin,
			      long long now_ms, char *token, long long *retry_after_s, int *fails);

/* The PIN checked again for a signed-in change (a new PIN), under the same back-off as a
 * login (a wrong one counts; a try while waiting is refused unchecked): OK, WRONG or WAIT,
 * with *retry_after_s and *fails as for web_auth_login. */
enum web_login web_auth_check_pin(struct web_auth *a, const char *addr, const char *pin,
				  long long now_ms, long long *retry_after_s, int *fails);

/* 1 if token names a live session at now_ms (sessions last WEB_SESSION_MS from login). */
int web_auth_session(struct web_auth *a, const char *token, long long now_ms);

/* Ends the session named by token, if any. */
void web_auth_logout(struct web_auth *a, const char *token);

/* 1 if a token is configured and equals token. */
int web_auth_bearer(const struct web_auth *a, const char *token);

/* Replaces the PIN and ends every session but keep's (NULL: every session; the phone that
 * asked for the new PIN stays signed in). */
void web_auth_set_pin(struct web_auth *a, const char *pin, const char *keep);

/* How many sessions are live at now_ms (for the log and tests). */
int web_auth_sessions(struct web_auth *a, long long now_ms);

/* Constant-time: 1 if the two strings are equal (time depends only on their lengths' max,
 * capped at 256 bytes; longer strings never match). */
int web_secret_equal(const char *a, const char *b);

/* 1 if pin is acceptable as a PIN (6 to 64 printable ASCII characters, no spaces). */
int web_pin_valid(const char *pin);

/* A new random PIN of 8 digits into buf (at least 9 bytes). Returns 0, or -1 (no entropy). */
int web_pin_generate(char *buf, size_t len);

#endif
