/* LD_PRELOAD shim for tests: poll() fails with ENOMEM while the file $FAIL_POLL_FILE exists,
 * a runtime failure of the kiosk's loop that no real input can cause on demand. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	static int (*real)(struct pollfd *, nfds_t, int);
	if (!real)
		real = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
	const char *f = getenv("FAIL_POLL_FILE");
	if (f && access(f, F_OK) == 0) {
		errno = ENOMEM;
		return -1;
	}
	return real(fds, n, timeout);
}
