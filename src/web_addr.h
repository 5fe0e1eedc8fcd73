/*
 * Addresses for the staff web server: the [web] listen setting, the address a phone on the
 * LAN can reach (for the page's URL and QR code), a client's address as text (for the PIN
 * back-off and the log).
 */
#ifndef TALLYKIOSK_WEB_ADDR_H
#define TALLYKIOSK_WEB_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* "ADDRESS:PORT" or "[IPv6]:PORT" (port 0 to 65535; 0 = any free port) into ss, with the
 * address as written into host and the port into *port. Returns 0, or -1 if s is not one. */
int web_addr_parse(const char *s, struct sockaddr_storage *ss, char *host, size_t hostlen,
		   int *port);

/* The first address of an interface that is up and not loopback, IPv4 first, IPv6 in
 * brackets (not link-local); "127.0.0.1" when there is none. */
void web_addr_lan(char *buf, size_t len);

/* sa as text (an IPv4-mapped IPv6 address as IPv4); "?" for NULL or another family. */
void web_addr_text(const struct sockaddr *sa, char *buf, size_t len);

#endif
