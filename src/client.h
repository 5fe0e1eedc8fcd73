/*
 * The client side of the control protocol: tallyctl, and the kiosk when it checks whether
 * another kiosk already serves a database.
 */
#ifndef TALLYKIOSK_CLIENT_H
#define TALLYKIOSK_CLIENT_H

#include <stddef.h>

#include "control.h"

enum client_status {
	CLIENT_OK = 0,
	CLIENT_ERR_NOKIOSK,  /* nothing listens on the socket */
	CLIENT_ERR_REFUSED,  /* the kiosk answered ERR (code and msg say why) */
	CLIENT_ERR_IO,       /* the connection broke or timed out */
	CLIENT_ERR_PROTOCOL, /* the answer was not a reply */
};

/* Connects to path. Returns 0 and *fd, CLIENT_ERR_NOKIOSK (no socket, or refused), or IO. */
enum client_status client_connect(const char *path, int *fd);

/*
 * Sends req on fd and reads the reply, waiting at most timeout_ms. On OK, *body is the
 * malloc'd body (NUL-terminated) and *len its length. On REFUSED, code and msg are set.
 * Other failures write a reason to msg.
 */
enum client_status client_request(int fd, const struct control_request *req, int timeout_ms,
				  char **body, size_t *len, char *code, size_t codelen, char *msg,
				  size_t msglen);

#endif
