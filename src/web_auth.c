/* See web_auth.h. */
#include "web_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define ADDRS_MAX 256
/* Wrong PINs are forgotten after this long without another. */
#define FORGET_MS (60LL * 60 * 1000)

struct backoff {
	int fails;
	long long last_ms;  /* the latest wrong PIN */
	long long until_ms; /* no try before this */
};

struct addr_backoff {
	char addr[WEB_ADDR_MAX];
	struct backoff b;
};

struct session {
	char token[WEB_SESSION_HEX + 1]; /* "" = free */
	long long expires_ms;
};

struct web_auth {
	char pin[WEB_PIN_MAX + 1];
	char api_token[256];
	struct session sessions[WEB_SESSIONS_MAX];
	struct addr_backoff addrs[ADDRS_MAX];
	struct backoff global;
};

int web_secret_equal(const char *a, const char *b)
{
	/* Every byte of a 256-byte window is compared, whatever the inputs. */
	size_t la = strnlen(a, 257), lb = strnlen(b, 257);
	unsigned diff = (la != lb) | (la > 256);
	for (size_t i = 0; i < 256; i++) {
		unsigned char x = i < la ? (unsigned char)a[i] : 0;
		unsigned char y = i < lb ? (unsigned char)b[i] : 0;
		diff |= (unsigned)(x ^ y);
	}
	return diff == 0;
}

int web_pin_valid(const char *pin)
{
	size_t n = strlen(pin);
	if (n < WEB_PIN_MIN || n > WEB_PIN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (pin[i] <= ' ' || pin[i] > '~')
			return 0;
	return 1;
}

static int fill_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len) {
		ssize_t r = getrandom(p, len, 0);
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int web_pin_generate(char *buf, size_t len)
{
	if (len < 9)
		return -1;
	for (int i = 0; i < 8; i++) {
		unsigned char r;
		/* Rejection sampling: 250 is the largest multiple of 10 below 256. */
		do {
			if (fill_random(&r, 1))
				return -1;
		} while (r >= 250);
		buf[i] = (char)('0' + r % 10);
	}
	buf[8] = '\0';
	return 0;
}

struct web_auth *web_auth_new(const char *pin, const char *api_token)
{
	struct web_auth *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	snprintf(a->pin, sizeof a->pin, "%s", pin);
	snprintf(a->api_token, sizeof a->api_token, "%s", api_token ? api_token : "");
	return a;
}

void web_auth_free(struct web_auth *a)
{
	if (a)
		memset(a, 0, sizeof *a);
	free(a);
}

static long long wait_of(const struct backoff *b, long long now_ms)
{
	if (b->until_ms <= now_ms)
		return 0;
	return (b->until_ms - now_ms + 999) / 1000;
}

static void forget_old(struct backoff *b, long long now_ms)
{
	if (b->fails && now_ms >= b->until_ms && now_ms - b->last_ms >= FORGET_MS)
		*b = (struct backoff){ 0 };
}

static void count_wrong(struct backoff *b, int free_tries, long long now_ms)
{
	b->fails++;
	b->last_ms = now_ms;
	if (b->fails >= free_tries) {
		long long ms = WEB_BACKOFF_FIRST_MS;
		for (int i = free_tries; i < b->fails && ms < WEB_BACKOFF_MAX_MS; i++)
			ms *= 2;
		if (ms > WEB_BACKOFF_MAX_MS)
			ms = WEB_BACKOFF_MAX_MS;
		b->until_ms = now_ms + ms;
	}
}

/* The slot of addr: its own, else a free one, else the one quiet for longest. */
static struct addr_backoff *slot_of(struct web_auth *a, const char *addr, long long now_ms)
{
	struct addr_backoff *free_slot = NULL, *oldest = &a->addrs[0];
	for (int i = 0; i < ADDRS_MAX; i++) {
		struct addr_backoff *s = &a->addrs[i];
		if (s->addr[0]) {
			forget_old(&s->b, now_ms);
			if (!s->b.fails) {
				s->addr[0] = '\0';
			} else if (strcmp(s->addr, addr) == 0) {
				return s;
			}
		}
		if (!s->addr[0] && !free_slot)
			free_slot = s;
		if (s->b.last_ms < oldest->b.last_ms)
			oldest = s;
	}
	struct addr_backoff *s = free_slot ? free_slot : oldest;
	memset(s, 0, sizeof *s);
	snprintf(s->addr, sizeof s->addr, "%s", addr);
	return s;
}

enum web_login web_auth_check_pin(struct web_auth *a, const char *addr, const char *pin,
				  long long now_ms, long long *retry_after_s, int *fails)
{
	*retry_after_s = 0;
	*fails = 0;
	struct addr_backoff *s = slot_of(a, addr, now_ms);
	forget_old(&a->global, now_ms);
	long long wait = wait_of(&s->b, now_ms), gwait = wait_of(&a->global, now_ms);
	if (wait || gwait) {
		*retry_after_s = wait > gwait ? wait : gwait;
		*fails = s->b.fails;
		return WEB_LOGIN_WAIT;
	}
	if (!web_secret_equal(pin, a->pin)) {
		count_wrong(&s->b, WEB_FREE_TRIES, now_ms);
		count_wrong(&a->global, WEB_GLOBAL_FREE_TRIES, now_ms);
		wait = wait_of(&s->b, now_ms);
		gwait = wait_of(&a->global, now_ms);
		*retry_after_s = wait > gwait ? wait : gwait;
		*fails = s->b.fails;
		return WEB_LOGIN_WRONG;
	}
	s->b = (struct backoff){ 0 };
	s->addr[0] = '\0';
	return WEB_LOGIN_OK;
}

enum web_login web_auth_login(struct web_auth *a, const char *addr, const char *pin,
			      long long now_ms, char *token, long long *retry_after_s, int *fails)
{
	token[0] = '\0';
	enum web_login r = web_auth_check_pin(a, addr, pin, now_ms, retry_after_s, fails);
	if (r != WEB_LOGIN_OK)
		return r;
	unsigned char raw[WEB_SESSION_HEX / 2];
	if (fill_random(raw, sizeof raw))
		return WEB_LOGIN_ERROR;
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	/* A free or expired slot, else the session closest to its end. */
	struct session *slot = &a->sessions[0];
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct session *x = &a->sessions[i];
		if (!x->token[0] || x->expires_ms <= now_ms) {
			slot = x;
			break;
		}
		if (x->expires_ms < slot->expires_ms)
			slot = x;
	}
	memcpy(slot->token, token, WEB_SESSION_HEX + 1);
	slot->expires_ms = now_ms + WEB_SESSION_MS;
	memset(raw, 0, sizeof raw);
	return WEB_LOGIN_OK;
}

static int token_shape_ok(const char *token)
{
	return strlen(token) == WEB_SESSION_HEX &&
	       strspn(token, "0123456789abcdef") == WEB_SESSION_HEX;
}

int web_auth_session(struct web_auth *a, const char *token, long long now_ms)
{
	if (!token || !token_shape_ok(token))
		return 0;
	int found = 0;
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct session *x = &a->sessions[i];
		/* Every slot is compared so the time does not say which one matched. */
		int eq = web_secret_equal(x->token, token);
		if (eq && x->token[0] && x->expires_ms > now_ms)
			found = 1;
	}
	return found;
}

void web_auth_logout(struct web_auth *a, const char *token)
{
	if (!token || !token_shape_ok(token))
		return;
	for (int i = 0; i < WEB_SESSIONS_MAX; i++)
		if (web_secret_equal(a->sessions[i].token, token))
			memset(&a->sessions[i], 0, sizeof a->sessions[i]);
}

int web_auth_bearer(const struct web_auth *a, const char *token)
{
	int eq = web_secret_equal(a->api_token, token ? token : "");
	return a->api_token[0] && eq;
}

void web_auth_set_pin(struct web_auth *a, const char *pin, const char *keep)
{
	snprintf(a->pin, sizeof a->pin, "%s", pin);
	int keep_ok = keep && token_shape_ok(keep);
	for (int i = 0; i < WEB_SESSIONS_MAX; i++)
		if (!keep_ok || !web_secret_equal(a->sessions[i].token, keep))
			memset(&a->sessions[i], 0, sizeof a->sessions[i]);
}

int web_auth_sessions(struct web_auth *a, long long now_ms)
{
	int n = 0;
	for (int i = 0; i < WEB_SESSIONS_MAX; i++)
		n += a->sessions[i].token[0] && a->sessions[i].expires_ms > now_ms;
	return n;
}
