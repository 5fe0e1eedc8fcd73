/*
 * See lossyvfs.h. Undo record layout
 * (little endian): type 'W' (write) or 'T' (truncate) or 'C' (file created, never synced),
 * then int64 offset, int64 length, int64 file size before the change, then length bytes of
 * the old content (zeros past the old end of file). A record cut short by the kill means the
 * write itself never happened, so powercut.py ignores it.
 */
#include "lossyvfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lfile {
	sqlite3_file base;
	sqlite3_file *real;
	int ufd; /* the undo log, -1 for files a power cut does not concern */
};

/* Harness state: set once by lossyvfs_register. */
static sqlite3_vfs *orig;
static sqlite3_vfs lossy;
static int pass_sync;

#define REAL(p) (((struct lfile *)(p))->real)
#define RM(p) (REAL(p)->pMethods)

static void put_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			abort(); /* the harness cannot go on blind */
		p += w;
		n -= (size_t)w;
	}
}

static void record(struct lfile *f, char type, int64_t off, int64_t n, int64_t oldsz,
		   const void *old)
{
	char h[25];
	h[0] = type;
	memcpy(h + 1, &off, 8);
	memcpy(h + 9, &n, 8);
	memcpy(h + 17, &oldsz, 8);
	/* One write for header and data keeps a killed record recognisably short. */
	char *rec = malloc(sizeof h + (size_t)n);
	if (!rec)
		abort();
	memcpy(rec, h, sizeof h);
	if (n)
		memcpy(rec + sizeof h, old, (size_t)n);
	put_all(f->ufd, rec, sizeof h + (size_t)n);
	free(rec);
}

static int l_close(sqlite3_file *p)
{
	struct lfile *f = (struct lfile *)p;
	int rc = RM(p)->xClose(f->real);
	if (f->ufd >= 0)
		close(f->ufd);
	sqlite3_free(f->real);
	return rc;
}

static int l_read(sqlite3_file *p, void *b, int n, sqlite3_int64 o)
{
	return RM(p)->xRead(REAL(p), b, n, o);
}

static int l_write(sqlite3_file *p, const void *b, int n, sqlite3_int64 o)
{
	struct lfile *f = (struct lfile *)p;
	if (f->ufd >= 0) {
		sqlite3_int64 sz = 0;
		RM(p)->xFileSize(f->real, &sz);
		char *old = calloc(1, (size_t)n);
		if (!old)
			abort();
		RM(p)->xRead(f->real, old, n, o); /* a short read zero-fills */
		record(f, 'W', o, n, sz, old);
		free(old);
	}
	return RM(p)->xWrite(f->real, b, n, o);
}

static int l_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct lfile *f = (struct lfile *)p;
	if (f->ufd >= 0) {
		sqlite3_int64 sz = 0;
		RM(p)->xFileSize(f->real, &sz);
		if (sz > size) {
			char *old = calloc(1, (size_t)(sz - size));
			if (!old)
				abort();
			RM(p)->xRead(f->real, old, (int)(sz - size), size);
			record(f, 'T', size, sz - size, sz, old);
			free(old);
		}
	}
	return RM(p)->xTruncate(f->real, size);
}

static int l_sync(sqlite3_file *p, int flags)
{
	struct lfile *f = (struct lfile *)p;
	int rc = pass_sync ? RM(p)->xSync(f->real, flags) : SQLITE_OK;
	if (rc == SQLITE_OK && f->ufd >= 0) {
		/* Everything written so far is durable now: nothing left for a cut to revert. */
		if (ftruncate(f->ufd, 0) != 0)
			abort();
	}
	return rc;
}

static int l_size(sqlite3_file *p, sqlite3_int64 *s) { return RM(p)->xFileSize(REAL(p), s); }
static int l_lock(sqlite3_file *p, int l) { return RM(p)->xLock(REAL(p), l); }
static int l_unlock(sqlite3_file *p, int l) { return RM(p)->xUnlock(REAL(p), l); }
static int l_crl(sqlite3_file *p, int *r) { return RM(p)->xCheckReservedLock(REAL(p), r); }
static int l_fc(sqlite3_file *p, int op, void *a) { return RM(p)->xFileControl(REAL(p), op, a); }
static int l_ss(sqlite3_file *p) { return RM(p)->xSectorSize(REAL(p)); }
static int l_dc(sqlite3_file *p) { return RM(p)->xDeviceCharacteristics(REAL(p)); }
static int l_shm_map(sqlite3_file *p, int i, int s, int e, void volatile **pp)
{
	return RM(p)->xShmMap(REAL(p), i, s, e, pp);
}
static int l_shm_lock(sqlite3_file *p, int o, int n, int fl)
{
	return RM(p)->xShmLock(REAL(p), o, n, fl);
}
static void l_shm_barrier(sqlite3_file *p) { RM(p)->xShmBarrier(REAL(p)); }
static int l_shm_unmap(sqlite3_file *p, int d) { return RM(p)->xShmUnmap(REAL(p), d); }

static const sqlite3_io_methods lossy_methods = {
	.iVersion = 2,
	.xClose = l_close,
	.xRead = l_read,
	.xWrite = l_write,
	.xTruncate = l_truncate,
	.xSync = l_sync,
	.xFileSize = l_size,
	.xLock = l_lock,
	.xUnlock = l_unlock,
	.xCheckReservedLock = l_crl,
	.xFileControl = l_fc,
	.xSectorSize = l_ss,
	.xDeviceCharacteristics = l_dc,
	.xShmMap = l_shm_map,
	.xShmLock = l_shm_lock,
	.xShmBarrier = l_shm_barrier,
	.xShmUnmap = l_shm_unmap,
};

static int l_open(sqlite3_vfs *v, const char *name, sqlite3_file *p, int flags, int *out)
{
	(void)v;
	struct lfile *f = (struct lfile *)p;
	f->ufd = -1;
	f->real = sqlite3_malloc(orig->szOsFile);
	if (!f->real)
		return SQLITE_NOMEM;
	memset(f->real, 0, (size_t)orig->szOsFile);
	int existed = name && access(name, F_OK) == 0;
	int rc = orig->xOpen(orig, name, f->real, flags, out);
	if (rc != SQLITE_OK) {
		sqlite3_free(f->real);
		p->pMethods = NULL;
		return rc;
	}
	if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) {
		char u[4200];
		snprintf(u, sizeof u, "%s.undo", name);
		f->ufd = open(u, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (f->ufd < 0)
			abort();
		if (!existed) /* created since the last sync: its directory entry may be lost */
			record(f, 'C', 0, 0, 0, NULL);
	}
	p->pMethods = &lossy_methods;
	return SQLITE_OK;
}

int lossyvfs_register(int real_sync)
{
	orig = sqlite3_vfs_find(NULL);
	if (!orig)
		return SQLITE_ERROR;
	lossy = *orig;
	lossy.zName = "lossy";
	lossy.szOsFile = (int)sizeof(struct lfile);
	lossy.xOpen = l_open;
	lossy.pNext = NULL;
	pass_sync = real_sync;
	return sqlite3_vfs_register(&lossy, 1);
}
