/* LD_PRELOAD shim for tests: fsync and fdatasync block while the file $STALL_FILE exists,
 * which is how a hung SD card looks to the kiosk. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_while_stalled(void)
{
	const char *f = getenv("STALL_FILE");
	while (f && access(f, F_OK) == 0)
		usleep(10000);
}

int fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	wait_while_stalled();
	return real(fd);
}

int fdatasync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	wait_while_stalled();
	return real(fd);
}
