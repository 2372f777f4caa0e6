/*
 * sqlite_wb.c: a write-behind SQLite VFS, for building a new database.
 *
 * It is SQLite's default VFS, except that the pages written to a main
 * database file are copied into a queue (at most SQLITE_WB_QUEUE bytes)
 * and written out, in the order they came, by a thread of the file's
 * own. The thread that runs the SQL goes on meanwhile: the kernel's copy
 * of the pages into its cache (on a virtual machine, faulting new memory
 * in as it goes) was 38% of the inserting thread's time for the million
 * images of the bench. Every other call on the file (reads, size, sync,
 * truncate, locks, file controls, shared memory, close) first waits until
 * the queue is written, so SQLite never sees the file behind what it
 * wrote; an error of a write behind is returned by the next call on the
 * file. Journals, write-ahead logs and temporary files go straight to
 * the default VFS's calls.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_wb.h"
#include "util.h"

#define SQLITE_WB_NAME	"imgmeta-write-behind"
#define SQLITE_WB_QUEUE	(4u << 20)	/* bytes waiting, at most */

struct sqlite_wb_page {
	struct sqlite_wb_page	*next;
	sqlite3_int64		 off;
	int			 len;
	unsigned char		 data[];
};

/* Ours, then the default VFS's file (at SQLITE_WB_REAL bytes). */
struct sqlite_wb_file {
	sqlite3_file		 base;
	sqlite3_file		*real;
	int			 behind;	/* a main database: queued */
	int			 started, stop, busy;
	int			 rc;		/* the first write's error */
	struct sqlite_wb_page	*head, *tail;
	size_t			 queued;
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
};

#define SQLITE_WB_REAL	((sizeof(struct sqlite_wb_file) + 15) & ~(size_t)15)

static sqlite3_vfs	 sqlite_wb_vfs_s;
static sqlite3_vfs	*sqlite_wb_default;
static int		 sqlite_wb_ok;
static pthread_once_t	 sqlite_wb_once = PTHREAD_ONCE_INIT;

static void	 sqlite_wb_register(void);
static void	*sqlite_wb_thread(void *);
static int	 sqlite_wb_drain(struct sqlite_wb_file *);
static int	 sqlite_wb_open(sqlite3_vfs *, const char *, sqlite3_file *,
		    int, int *);
static int	 sqlite_wb_close(sqlite3_file *);
static int	 sqlite_wb_read(sqlite3_file *, void *, int, sqlite3_int64);
static int	 sqlite_wb_write(sqlite3_file *, const void *, int,
		    sqlite3_int64);
static int	 sqlite_wb_truncate(sqlite3_file *, sqlite3_int64);
static int	 sqlite_wb_sync(sqlite3_file *, int);
static int	 sqlite_wb_size(sqlite3_file *, sqlite3_int64 *);
static int	 sqlite_wb_lock(sqlite3_file *, int);
static int	 sqlite_wb_unlock(sqlite3_file *, int);
static int	 sqlite_wb_reserved(sqlite3_file *, int *);
static int	 sqlite_wb_control(sqlite3_file *, int, void *);
static int	 sqlite_wb_sector(sqlite3_file *);
static int	 sqlite_wb_device(sqlite3_file *);
static int	 sqlite_wb_shm_map(sqlite3_file *, int, int, int,
		    void volatile **);
static int	 sqlite_wb_shm_lock(sqlite3_file *, int, int, int);
static void	 sqlite_wb_shm_barrier(sqlite3_file *);
static int	 sqlite_wb_shm_unmap(sqlite3_file *, int);
static int	 sqlite_wb_fetch(sqlite3_file *, sqlite3_int64, int, void **);
static int	 sqlite_wb_unfetch(sqlite3_file *, sqlite3_int64, void *);

static const sqlite3_io_methods sqlite_wb_methods = {
	.iVersion = 3,
	.xClose = sqlite_wb_close,
	.xRead = sqlite_wb_read,
	.xWrite = sqlite_wb_write,
	.xTruncate = sqlite_wb_truncate,
	.xSync = sqlite_wb_sync,
	.xFileSize = sqlite_wb_size,
	.xLock = sqlite_wb_lock,
	.xUnlock = sqlite_wb_unlock,
	.xCheckReservedLock = sqlite_wb_reserved,
	.xFileControl = sqlite_wb_control,
	.xSectorSize = sqlite_wb_sector,
	.xDeviceCharacteristics = sqlite_wb_device,
	.xShmMap = sqlite_wb_shm_map,
	.xShmLock = sqlite_wb_shm_lock,
	.xShmBarrier = sqlite_wb_shm_barrier,
	.xShmUnmap = sqlite_wb_shm_unmap,
	.xFetch = sqlite_wb_fetch,
	.xUnfetch = sqlite_wb_unfetch,
};

/* The default VFS under another name, opening files through ours. */
static void
sqlite_wb_register(void)
{
	sqlite3_vfs *d = sqlite3_vfs_find(NULL);

	if (d == NULL || d->iVersion < 1)
		return;
	sqlite_wb_default = d;
	sqlite_wb_vfs_s = *d;
	sqlite_wb_vfs_s.szOsFile = (int)SQLITE_WB_REAL + d->szOsFile;
	sqlite_wb_vfs_s.zName = SQLITE_WB_NAME;
	sqlite_wb_vfs_s.pNext = NULL;
	sqlite_wb_vfs_s.xOpen = sqlite_wb_open;
	sqlite_wb_ok = sqlite3_vfs_register(&sqlite_wb_vfs_s, 0) == SQLITE_OK;
}

const char *
sqlite_wb_vfs(void)
{
	pthread_once(&sqlite_wb_once, sqlite_wb_register);
	return sqlite_wb_ok ? SQLITE_WB_NAME : NULL;
}

static int
sqlite_wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
    int flags, int *outflags)
{
	struct sqlite_wb_file *w = (struct sqlite_wb_file *)f;
	int rc;

	(void)vfs;
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)((char *)f + SQLITE_WB_REAL);
	w->real->pMethods = NULL;
	rc = sqlite_wb_default->xOpen(sqlite_wb_default, name, w->real, flags,
	    outflags);
	if (w->real->pMethods == NULL) {
		f->pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	/* the forwards below call what the default VFS's file has */
	w->behind = (flags & SQLITE_OPEN_MAIN_DB) != 0 &&
	    w->real->pMethods->iVersion >= 3;
	if (w->behind) {
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
	}
	f->pMethods = &sqlite_wb_methods;
	return rc;
}

/* Writes the queue out, in order, until told to stop. */
static void *
sqlite_wb_thread(void *arg)
{
	struct sqlite_wb_file *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct sqlite_wb_page *p;
		int rc = SQLITE_OK;

		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if ((p = w->head) == NULL)
			break;
		if ((w->head = p->next) == NULL)
			w->tail = NULL;
		w->busy = 1;
		if (w->rc == SQLITE_OK) {
			pthread_mutex_unlock(&w->mu);
			rc = w->real->pMethods->xWrite(w->real, p->data, p->len,
			    p->off);
			pthread_mutex_lock(&w->mu);
		}
		if (rc != SQLITE_OK && w->rc == SQLITE_OK)
			w->rc = rc;
		w->queued -= (size_t)p->len;
		w->busy = 0;
		free(p);
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Waits until every queued page is written: SQLITE_OK, or the error of
 * a write behind. */
static int
sqlite_wb_drain(struct sqlite_wb_file *w)
{
	int rc;

	if (!w->started)
		return SQLITE_OK;
	pthread_mutex_lock(&w->mu);
	while (w->head != NULL || w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	rc = w->rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static int
sqlite_wb_write(sqlite3_file *f, const void *data, int len,
    sqlite3_int64 off)
{
	struct sqlite_wb_file *w = (struct sqlite_wb_file *)f;
	struct sqlite_wb_page *p;
	int rc;

	if (!w->behind || len <= 0)
		return w->real->pMethods->xWrite(w->real, data, len, off);
	p = xmalloc(sizeof *p + (size_t)len);
	p->next = NULL;
	p->off = off;
	p->len = len;
	memcpy(p->data, data, (size_t)len);
	pthread_mutex_lock(&w->mu);
	if (!w->started) {
		if (pthread_create(&w->th, NULL, sqlite_wb_thread, w) != 0)
			fatal("cannot start a thread");
		w->started = 1;
	}
	while (w->queued > SQLITE_WB_QUEUE && w->rc == SQLITE_OK)
		pthread_cond_wait(&w->cv, &w->mu);
	if ((rc = w->rc) != SQLITE_OK) {
		pthread_mutex_unlock(&w->mu);
		free(p);
		return rc;
	}
	if (w->tail != NULL)
		w->tail->next = p;
	else
		w->head = p;
	w->tail = p;
	w->queued += (size_t)len;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return SQLITE_OK;
}

static int
sqlite_wb_close(sqlite3_file *f)
{
	struct sqlite_wb_file *w = (struct sqlite_wb_file *)f;
	int rc = sqlite_wb_drain(w), rc2;

	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		w->started = 0;
	}
	if (w->behind) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
	}
	rc2 = w->real->pMethods->xClose(w->real);
	return rc != SQLITE_OK ? rc : rc2;
}

/* The other calls: the queue written first, then the default's. */
#define SQLITE_WB_AFTER(f, call) do {					\
	struct sqlite_wb_file *w_ = (struct sqlite_wb_file *)(f);	\
	int rc_ = sqlite_wb_drain(w_);					\
									\
	if (rc_ != SQLITE_OK)						\
		return rc_;						\
	return w_->real->pMethods->call;				\
} while (0)

static int
sqlite_wb_read(sqlite3_file *f, void *buf, int len, sqlite3_int64 off)
{
	SQLITE_WB_AFTER(f, xRead(w_->real, buf, len, off));
}

static int
sqlite_wb_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	SQLITE_WB_AFTER(f, xTruncate(w_->real, size));
}

static int
sqlite_wb_sync(sqlite3_file *f, int flags)
{
	SQLITE_WB_AFTER(f, xSync(w_->real, flags));
}

static int
sqlite_wb_size(sqlite3_file *f, sqlite3_int64 *size)
{
	SQLITE_WB_AFTER(f, xFileSize(w_->real, size));
}

static int
sqlite_wb_lock(sqlite3_file *f, int level)
{
	SQLITE_WB_AFTER(f, xLock(w_->real, level));
}

static int
sqlite_wb_unlock(sqlite3_file *f, int level)
{
	SQLITE_WB_AFTER(f, xUnlock(w_->real, level));
}

static int
sqlite_wb_reserved(sqlite3_file *f, int *out)
{
	SQLITE_WB_AFTER(f, xCheckReservedLock(w_->real, out));
}

static int
sqlite_wb_control(sqlite3_file *f, int op, void *arg)
{
	SQLITE_WB_AFTER(f, xFileControl(w_->real, op, arg));
}

static int
sqlite_wb_shm_map(sqlite3_file *f, int region, int size, int extend,
    void volatile **p)
{
	SQLITE_WB_AFTER(f, xShmMap(w_->real, region, size, extend, p));
}

static int
sqlite_wb_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	SQLITE_WB_AFTER(f, xShmLock(w_->real, offset, n, flags));
}

static int
sqlite_wb_shm_unmap(sqlite3_file *f, int del)
{
	SQLITE_WB_AFTER(f, xShmUnmap(w_->real, del));
}

static int
sqlite_wb_fetch(sqlite3_file *f, sqlite3_int64 off, int len, void **p)
{
	SQLITE_WB_AFTER(f, xFetch(w_->real, off, len, p));
}

static int
sqlite_wb_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	SQLITE_WB_AFTER(f, xUnfetch(w_->real, off, p));
}

static void
sqlite_wb_shm_barrier(sqlite3_file *f)
{
	struct sqlite_wb_file *w = (struct sqlite_wb_file *)f;

	(void)sqlite_wb_drain(w);
	w->real->pMethods->xShmBarrier(w->real);
}

/* These only say what the file is: no need to wait. */
static int
sqlite_wb_sector(sqlite3_file *f)
{
	struct sqlite_wb_file *w = (struct sqlite_wb_file *)f;

	return w->real->pMethods->xSectorSize(w->real);
}

static int
sqlite_wb_device(sqlite3_file *f)
{
	struct sqlite_wb_file *w = (struct sqlite_wb_file *)f;

	return w->real->pMethods->xDeviceCharacteristics(w->real);
}
