/* LD_PRELOAD shim for tests: fsync and fdatasync block while the file $STALL_FILE exists,
 * which is how a hung SD card looks to the kiosk. The first time one blocks it creates
 * $STALL_FILE.hit, so the test knows the stall has begun. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_while_stalled(void)
{
	const char *f = getenv("STALL_FILE");
	if (!f || access(f, F_OK) != 0)
		return;
	char hit[4096];
	snprintf(hit, sizeof hit, "%s.hit", f);
	int fd = open(hit, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	while (access(f, F_OK) == 0)
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
