/*
 * vm_nosync.c - LD_PRELOAD shim for the negative control of the VM power-cut test: fsync,
 * fdatasync, syncfs, sync_file_range and sync do nothing and report success, so the kiosk's
 * commits (and SQLite's checkpoints) stay in the guest's page cache, as with
 * synchronous=OFF. The kiosk binary itself is unchanged. A power cut must then lose
 * acknowledged counts, and vm_powercut.sh --expect-loss must see it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

int fsync(int fd)
{
	(void)fd;
	return 0;
}

int fdatasync(int fd)
{
	(void)fd;
	return 0;
}

int syncfs(int fd)
{
	(void)fd;
	return 0;
}

int sync_file_range(int fd, off_t off, off_t n, unsigned int flags)
{
	(void)fd, (void)off, (void)n, (void)flags;
	return 0;
}

void sync(void)
{
}
