/*
 * LD_PRELOAD I/O fault injector for tests/crash/iofault.py. Counts calls to write (regular
 * files only), pwrite, pwrite64, fsync, fdatasync, ftruncate, ftruncate64 and rename; the
 * FAULT_AT-th fails with FAULT_ERRNO (EIO or ENOSPC, default EIO). FAULT_STICKY=1: that one and
 * every later one fail. FAULT_COUNT_FILE: at exit, the number of counted calls is written there.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Harness state (an injector is global by nature); the storage thread and the main thread
 * both do I/O, hence the atomics. */
static long calls, fail_at = -1;
static int sticky, fail_errno = EIO, inited;

static void init(void)
{
	if (__atomic_exchange_n(&inited, 1, __ATOMIC_SEQ_CST))
		return;
	const char *a = getenv("FAULT_AT");
	if (a)
		fail_at = atol(a);
	sticky = getenv("FAULT_STICKY") != NULL;
	const char *e = getenv("FAULT_ERRNO");
	if (e && strcmp(e, "ENOSPC") == 0)
		fail_errno = ENOSPC;
}

static int fault(void)
{
	init();
	long n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	if (fail_at > 0 && (n == fail_at || (sticky && n > fail_at))) {
		errno = fail_errno;
		return 1;
	}
	return 0;
}

static int regular(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

#define REAL(name) static __typeof__(name) *real; if (!real) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *b, size_t n)
{
	REAL(write);
	if (regular(fd) && fault())
		return -1;
	return real(fd, b, n);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t o)
{
	REAL(pwrite);
	return fault() ? -1 : real(fd, b, n, o);
}

ssize_t pwrite64(int fd, const void *b, size_t n, off64_t o)
{
	REAL(pwrite64);
	return fault() ? -1 : real(fd, b, n, o);
}

int fsync(int fd)
{
	REAL(fsync);
	return fault() ? -1 : real(fd);
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	return fault() ? -1 : real(fd);
}

int ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	return fault() ? -1 : real(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
	REAL(ftruncate64);
	return fault() ? -1 : real(fd, len);
}

int rename(const char *from, const char *to)
{
	REAL(rename);
	return fault() ? -1 : real(from, to);
}

__attribute__((destructor)) static void report(void)
{
	const char *f = getenv("FAULT_COUNT_FILE");
	if (!f)
		return;
	FILE *o = fopen(f, "w");
	if (o) {
		fprintf(o, "%ld\n", calls);
		fclose(o);
	}
}
