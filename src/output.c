/*
 * output.c: output files that are either complete or absent.
 *
 * A file is written under a temporary name in the target's directory
 * ("TARGET.tmp-XXXXXX") and renamed over the target only after everything
 * was written, flushed and synced. Temporary names are registered so that a
 * fatal signal can remove them (output_cleanup_signal).
 *
 * gzip output is a single member (RFC 1952): the fixed 10-byte header with
 * no time stamp and no name, then one deflate stream, then the CRC-32 and
 * length. The deflate stream is made by zlib block by block, as pigz does:
 * every OUT_GZ_BLOCK bytes of input are deflated on their own, primed with
 * the 32 KiB before them as dictionary (so they compress as if the stream
 * went on), and end byte-aligned with a sync flush (the last with
 * Z_FINISH); the blocks' CRCs are joined with crc32_combine. The blocks do
 * not depend on each other's output, so with output_threads above 1 they
 * are deflated on threads of their own while the caller goes on writing,
 * and written in order. Equal bytes in give equal bytes out, whatever the
 * number of threads: the blocks are cut at the same places.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "output.h"

#define OUT_BUFSZ	65536
/* A file output's bytes are started out to disk every this many, so
 * that the fsync before the rename has little left to write. */
#define OUT_WRITEBACK	(4u << 20)
#define MAX_TEMPS	16
/* gzip: the input bytes deflated as one block, and the dictionary each
 * block is primed with (deflate's window) */
#define OUT_GZ_BLOCK	(1u << 20)
#define OUT_GZ_DICT	32768u
/* deflating threads at the most, whatever -j says: each has up to two
 * blocks (2 MiB and their output) in flight */
#define OUT_GZ_MAX_THREADS	16u

/* One block of gzip output: its input, then (deflated) its output and
 * CRC. The slots of a ring go round: filled by the caller, deflated
 * (queued to the threads), written in order. */
struct output_gz_block {
	unsigned char	*in;		/* OUT_GZ_DICT of dictionary, then the block */
	size_t		 dict;		/* dictionary bytes before the block */
	size_t		 len;		/* the block's bytes */
	int		 last;
	unsigned char	*out;
	size_t		 outlen, outcap;
	uLong		 crc;
	int		 state;		/* OUT_GZ_FILLING, _QUEUED, _BUSY, _DONE */
};

/* A slot is the caller's while FILLING and again once DONE; QUEUED, a
 * thread may take it; BUSY, one thread deflates it. A thread takes only a
 * QUEUED slot: when the ring is full, the slot at the threads' turn may
 * be the oldest, still being deflated, which the caller is waiting for
 * and will fill anew once DONE. */
enum { OUT_GZ_FILLING, OUT_GZ_QUEUED, OUT_GZ_BUSY, OUT_GZ_DONE };

/* A deflating thread. Its stream is made ready before it starts, on the
 * caller's thread: out of memory there is fatal, and on a thread of its
 * own the caller could meanwhile finish and rename the output. */
struct output_gz_worker {
	struct output_gz *g;
	z_stream	 z;
	pthread_t	 th;
};

struct output_gz {
	struct output_gz_block *ring;
	size_t		 nring;
	size_t		 fill;		/* the slot being filled */
	size_t		 next;		/* the next slot to write out */
	size_t		 take;		/* the next slot a thread deflates */
	size_t		 pending;	/* slots submitted, not written yet */
	z_stream	 z;		/* the caller's, without threads */
	int		 zinit;
	unsigned	 nthreads;
	struct output_gz_worker *workers;	/* nthreads of them */
	pthread_mutex_t	 mu;
	pthread_cond_t	 work, done;
	int		 stop;
	uLong		 crc;
	uLong		 total;		/* bytes in, mod 2^32 as RFC 1952 has it */
	int		 header;	/* written */
};

struct output {
	struct diag	*diag;
	int		 fd;
	int		 is_stdout;
	int		 in_place;	/* a device or FIFO: written directly */
	char		*target;
	char		*tmp;
	int		 gzip;
	unsigned	 threads;
	struct output_gz *gz;
	char		 buf[OUT_BUFSZ];
	size_t		 len;
	int		 failed;
	off_t		 written;	/* bytes written to fd */
	off_t		 started;	/* of which started out to disk */
};

/* Temporary files to remove on a fatal signal, and the endings of the
 * side files their format keeps beside each (output_temp_path). */
static char *volatile output_temps[MAX_TEMPS];
static const char *const *volatile output_sides[MAX_TEMPS];

void (*output_gz_hook)(enum output_gz_event, size_t, size_t);

static enum rc	output_fail(struct output *, const char *);
static enum rc	output_raw(struct output *, const void *, size_t);
static void	output_writeback(struct output *);
static enum rc	output_flush(struct output *, int);
static void	output_register(char *, const char *const *);
static enum rc	output_sync(struct output *);
static enum rc	output_rename(struct output *);
static void	output_free(struct output *);

static void
output_register(char *tmp, const char *const *side)
{
	for (size_t i = 0; i < MAX_TEMPS; i++)
		if (output_temps[i] == NULL) {
			output_sides[i] = side;
			output_temps[i] = tmp;
			return;
		}
}

void
output_forget_temp(const char *tmp)
{
	for (size_t i = 0; i < MAX_TEMPS; i++)
		if (output_temps[i] == tmp)
			output_temps[i] = NULL;
}

void
output_cleanup_signal(void)
{
	for (size_t i = 0; i < MAX_TEMPS; i++) {
		const char *t = output_temps[i];
		const char *const *ends = output_sides[i];
		char p[4096];
		size_t n;

		if (t == NULL)
			continue;
		unlink(t);
		if ((n = strlen(t)) >= sizeof p)
			continue;
		for (size_t k = 0; ends != NULL && ends[k] != NULL; k++) {
			size_t e = strlen(ends[k]);

			if (n + e >= sizeof p)
				continue;
			memcpy(p, t, n);
			memcpy(p + n, ends[k], e + 1);
			unlink(p);
		}
	}
}

enum rc
output_sync_dir(const char *target, struct diag *d)
{
	const char *slash = strrchr(target, '/');
	/* not xstrdup: the output is in place, and out of memory now must
	 * not make the run fail (exit 2) with it there */
	char *dir = slash == NULL ? strdup(".") : slash == target ?
	    strdup("/") : strndup(target, (size_t)(slash - target));
	int fd, err = 0;

	if (dir == NULL)
		err = errno;
	else if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err = errno;
	else {
		if (fsync(fd) != 0 && errno != EINVAL)
			err = errno;
		close(fd);
	}
	free(dir);
	if (err == 0)
		return RC_OK;
	diag_report(d, DIAG_WARN, target, NULL, "in place, but its directory "
	    "could not be synced (a power cut may undo it): %s",
	    strerror(err));
	return RC_WARN;
}

char *
output_temp_path(const char *target, const char *const *side)
{
	char *tmp = xasprintf("%s" OUTPUT_TEMP_TEMPLATE, target);
	int fd = mkstemp(tmp);

	if (fd < 0) {
		free(tmp);
		return NULL;
	}
	close(fd);
	output_register(tmp, side);
	return tmp;
}

FILE *
output_scratch(const char *what, struct diag *d)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *f;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	path = xasprintf("%s/imgmeta-XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		diag_report(d, DIAG_ERROR, NULL, NULL, "cannot make a "
		    "temporary file in %s for %s: %s (set TMPDIR)", dir, what,
		    strerror(errno));
		free(path);
		return NULL;
	}
	(void)unlink(path);
	free(path);
	if ((f = fdopen(fd, "w+b")) == NULL) {
		diag_report(d, DIAG_ERROR, NULL, NULL, "cannot open a "
		    "temporary file for %s: %s", what, strerror(errno));
		close(fd);
	}
	return f;
}

static enum rc
output_fail(struct output *o, const char *what)
{
	if (!o->failed)
		diag_report(o->diag, DIAG_ERROR, NULL, NULL,
		    "cannot %s %s: %s", what,
		    o->is_stdout ? "standard output" : o->target,
		    strerror(errno));
	o->failed = 1;
	return RC_FATAL;
}

struct output *
output_open(const char *path, int gzip, struct diag *d)
{
	struct output *o = xcalloc(1, sizeof *o);
	struct stat st;

	o->fd = -1;
	o->diag = d;
	o->gzip = gzip;
	o->target = xstrdup(path);
	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->is_stdout = 1;
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* /dev/stdout, a FIFO, a device: never renamed over. */
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			output_fail(o, "write to");
			output_abort(o);
			return NULL;
		}
		if ((o->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
			output_fail(o, "write to");
			output_abort(o);
			return NULL;
		}
		o->in_place = 1;
	} else {
		o->tmp = xasprintf("%s" OUTPUT_TEMP_TEMPLATE, path);
		if ((o->fd = mkstemp(o->tmp)) < 0) {
			output_fail(o, "create a file beside");
			free(o->tmp);
			o->tmp = NULL;
			output_abort(o);
			return NULL;
		}
		/* mkstemp makes it 0600; give it the usual mode. */
		{
			mode_t um = umask(0);

			umask(um);
			(void)fchmod(o->fd, 0666 & ~um);
		}
		output_register(o->tmp, NULL);
	}
	return o;
}

void
output_threads(struct output *o, unsigned n)
{
	if (o->gz == NULL)
		o->threads = n;
}

/* A raw deflate stream (the gzip framing is ours) at zlib's default
 * level. */
static void
output_gz_zinit(z_stream *z)
{
	int zr;

	memset(z, 0, sizeof *z);
	zr = deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY);
	if (zr == Z_MEM_ERROR)
		fatal("out of memory (zlib)");
	if (zr != Z_OK)
		fatal("cannot start zlib's deflate");
}

/* Deflates block b with z: primed with its dictionary, ending with a
 * sync flush (byte-aligned, so the next block's output follows it), or
 * Z_FINISH for the last. */
static void
output_gz_deflate(z_stream *z, struct output_gz_block *b)
{
	int zr, flush = b->last ? Z_FINISH : Z_SYNC_FLUSH;

	if (deflateReset(z) != Z_OK ||
	    (b->dict > 0 && deflateSetDictionary(z, b->in, (uInt)b->dict) !=
	    Z_OK))
		fatal("deflate failed");
	z->next_in = b->in + b->dict;
	z->avail_in = (uInt)b->len;
	b->outlen = 0;
	for (;;) {
		if (b->outcap - b->outlen < OUT_BUFSZ) {
			b->outcap = b->outcap ? b->outcap * 2 :
			    OUT_GZ_BLOCK / 2 + OUT_BUFSZ;
			b->out = xrealloc(b->out, b->outcap);
		}
		z->next_out = b->out + b->outlen;
		z->avail_out = (uInt)(b->outcap - b->outlen);
		zr = deflate(z, flush);
		if (zr == Z_STREAM_ERROR)
			fatal("deflate failed");
		b->outlen = b->outcap - z->avail_out;
		if (b->last ? zr == Z_STREAM_END :
		    z->avail_in == 0 && z->avail_out > 0)
			break;
	}
	b->crc = crc32(0, b->in + b->dict, (uInt)b->len);
}

static void *
output_gz_thread(void *arg)
{
	struct output_gz_worker *w = arg;
	struct output_gz *g = w->g;

	pthread_mutex_lock(&g->mu);
	for (;;) {
		size_t slot = g->take;
		struct output_gz_block *b = &g->ring[slot];

		if (b->state != OUT_GZ_QUEUED) {
			if (g->stop)
				break;
			if (output_gz_hook != NULL)
				output_gz_hook(OUTPUT_GZ_IDLE, slot, g->nring);
			pthread_cond_wait(&g->work, &g->mu);
			continue;
		}
		b->state = OUT_GZ_BUSY;
		g->take = (g->take + 1) % g->nring;
		pthread_mutex_unlock(&g->mu);
		if (output_gz_hook != NULL)
			output_gz_hook(OUTPUT_GZ_TAKEN, slot, g->nring);
		output_gz_deflate(&w->z, b);
		if (output_gz_hook != NULL)
			output_gz_hook(OUTPUT_GZ_DEFLATED, slot, g->nring);
		pthread_mutex_lock(&g->mu);
		b->state = OUT_GZ_DONE;
		pthread_cond_broadcast(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

static struct output_gz *
output_gz_new(unsigned threads)
{
	struct output_gz *g = xcalloc(1, sizeof *g);

	if (threads > OUT_GZ_MAX_THREADS)
		threads = OUT_GZ_MAX_THREADS;
	g->nthreads = threads > 1 ? threads : 0;
	/* room for every thread's block, one being filled and as many
	 * again waiting to be written */
	g->nring = g->nthreads ? 2 * (size_t)g->nthreads + 2 : 1;
	g->ring = xcalloc(g->nring, sizeof *g->ring);
	for (size_t i = 0; i < g->nring; i++)
		g->ring[i].in = xmalloc(OUT_GZ_DICT + OUT_GZ_BLOCK);
	g->crc = crc32(0, NULL, 0);
	if (g->nthreads == 0) {
		output_gz_zinit(&g->z);
		g->zinit = 1;
		return g;
	}
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_cond_init(&g->done, NULL);
	g->workers = xcalloc(g->nthreads, sizeof *g->workers);
	for (unsigned i = 0; i < g->nthreads; i++) {
		g->workers[i].g = g;
		output_gz_zinit(&g->workers[i].z);
	}
	for (unsigned i = 0; i < g->nthreads; i++)
		if (pthread_create(&g->workers[i].th, NULL, output_gz_thread,
		    &g->workers[i]) != 0)
			fatal("cannot start a thread");
	return g;
}

static void
output_gz_free(struct output_gz *g)
{
	if (g == NULL)
		return;
	if (g->nthreads) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_broadcast(&g->work);
		pthread_mutex_unlock(&g->mu);
		for (unsigned i = 0; i < g->nthreads; i++)
			pthread_join(g->workers[i].th, NULL);
		pthread_cond_destroy(&g->work);
		pthread_cond_destroy(&g->done);
		pthread_mutex_destroy(&g->mu);
		for (unsigned i = 0; i < g->nthreads; i++)
			deflateEnd(&g->workers[i].z);
		free(g->workers);
	}
	if (g->zinit)
		deflateEnd(&g->z);
	for (size_t i = 0; i < g->nring; i++) {
		free(g->ring[i].in);
		free(g->ring[i].out);
	}
	free(g->ring);
	free(g);
}

/* Writes the oldest block out once it is deflated, and frees its slot. */
static enum rc
output_gz_write_next(struct output *o)
{
	struct output_gz *g = o->gz;
	struct output_gz_block *b = &g->ring[g->next];
	enum rc rc;

	if (g->nthreads) {
		/* the threads take only queued slots: it is the caller's
		 * again */
		pthread_mutex_lock(&g->mu);
		while (b->state != OUT_GZ_DONE)
			pthread_cond_wait(&g->done, &g->mu);
		b->state = OUT_GZ_FILLING;
		pthread_mutex_unlock(&g->mu);
	} else
		b->state = OUT_GZ_FILLING;
	g->crc = crc32_combine(g->crc, b->crc, (z_off_t)b->len);
	g->total += b->len;
	rc = output_raw(o, b->out, b->outlen);
	b->len = 0;
	g->next = (g->next + 1) % g->nring;
	g->pending--;
	return rc;
}

/* The block being filled is complete (last: the stream's end): deflated
 * here, or queued to the threads; the next slot is made ready for
 * filling, primed with the last OUT_GZ_DICT bytes before it. */
static enum rc
output_gz_submit(struct output *o, int last)
{
	struct output_gz *g = o->gz;
	struct output_gz_block *b = &g->ring[g->fill], *nb;
	const unsigned char *tail;
	size_t n;

	b->last = last;
	g->pending++;
	if (g->nthreads == 0) {
		output_gz_deflate(&g->z, b);
		b->state = OUT_GZ_DONE;
	} else {
		pthread_mutex_lock(&g->mu);
		b->state = OUT_GZ_QUEUED;
		pthread_cond_signal(&g->work);
		pthread_mutex_unlock(&g->mu);
	}
	g->fill = (g->fill + 1) % g->nring;
	if (last)
		return RC_OK;
	/* the next slot: the oldest, written out first when the ring is
	 * full (b itself when it has one slot, whose tail then moves to its
	 * front: memmove) */
	nb = &g->ring[g->fill];
	n = b->len + b->dict < OUT_GZ_DICT ? b->len + b->dict : OUT_GZ_DICT;
	tail = b->in + b->dict + b->len - n;
	if (g->fill == g->next && output_gz_write_next(o) != RC_OK)
		return RC_FATAL;
	memmove(nb->in, tail, n);
	nb->dict = n;
	return RC_OK;
}

/* The bytes in, through the blocks; finish ends the stream and writes
 * every block out, and the trailer. */
static enum rc
output_gz(struct output *o, const char *p, size_t n, int finish)
{
	struct output_gz *g;

	if (o->gz == NULL)
		o->gz = output_gz_new(o->threads);
	g = o->gz;
	if (!g->header) {
		static const unsigned char head[10] = {
			0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3	/* Unix */
		};

		g->header = 1;
		if (output_raw(o, head, sizeof head) != RC_OK)
			return RC_FATAL;
	}
	while (n > 0) {
		struct output_gz_block *b = &g->ring[g->fill];
		size_t k = OUT_GZ_BLOCK - b->len;

		if (k > n)
			k = n;
		memcpy(b->in + b->dict + b->len, p, k);
		b->len += k;
		p += k;
		n -= k;
		if (b->len == OUT_GZ_BLOCK && output_gz_submit(o, 0) != RC_OK)
			return RC_FATAL;
	}
	if (finish) {
		unsigned char tail[8];

		if (output_gz_submit(o, 1) != RC_OK)
			return RC_FATAL;
		while (g->pending > 0)
			if (output_gz_write_next(o) != RC_OK)
				return RC_FATAL;
		for (int i = 0; i < 4; i++) {
			tail[i] = (unsigned char)(g->crc >> (8 * i));
			tail[4 + i] = (unsigned char)(g->total >> (8 * i));
		}
		if (output_raw(o, tail, sizeof tail) != RC_OK)
			return RC_FATAL;
	}
	return RC_OK;
}

static enum rc
output_raw(struct output *o, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(o->fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return output_fail(o, "write to");
		}
		s += w;
		n -= (size_t)w;
		o->written += w;
	}
	output_writeback(o);
	return RC_OK;
}

/*
 * A file output: what was written since the last call, once it is
 * OUT_WRITEBACK bytes, starts out to disk (Linux's sync_file_range,
 * which does not wait for it), so that the fsync in output_sync finds
 * little left. Its failure only leaves that work to the fsync.
 */
static void
output_writeback(struct output *o)
{
#ifdef HAVE_SYNC_FILE_RANGE
	if (o->tmp == NULL || o->written - o->started < OUT_WRITEBACK)
		return;
	(void)sync_file_range(o->fd, o->started, o->written - o->started,
	    SYNC_FILE_RANGE_WRITE);
	o->started = o->written;
#else
	(void)o;
#endif
}

/* Passes the buffer on (through deflate when gzip); finish ends the
 * gzip member. */
static enum rc
output_flush(struct output *o, int finish)
{
	enum rc rc;

	if (o->failed)
		return RC_FATAL;
	rc = o->gzip ? output_gz(o, o->buf, o->len, finish) :
	    output_raw(o, o->buf, o->len);
	o->len = 0;
	return rc;
}

enum rc
output_write(struct output *o, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		size_t room = sizeof o->buf - o->len;
		size_t k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof o->buf && output_flush(o, 0) != RC_OK)
			return RC_FATAL;
	}
	return o->failed ? RC_FATAL : RC_OK;
}

/* Everything written, synced and closed: all that can fail for want of
 * space or a failing disk, before the rename. o stays the caller's. */
static enum rc
output_sync(struct output *o)
{
	enum rc rc = output_flush(o, o->gzip);

	if (rc == RC_OK && o->in_place) {
		if (close(o->fd) != 0)
			rc = output_fail(o, "write to");
		o->fd = -1;
	} else if (rc == RC_OK && !o->is_stdout) {
		if (fsync(o->fd) != 0 && errno != EINVAL)
			rc = output_fail(o, "write to");
		else if (close(o->fd) != 0) {
			o->fd = -1;
			rc = output_fail(o, "write to");
		} else
			o->fd = -1;
	}
	return rc;
}

/* The synced file renamed over its target (a file output only). */
static enum rc
output_rename(struct output *o)
{
	if (o->tmp == NULL)
		return RC_OK;
	if (rename(o->tmp, o->target) != 0)
		return output_fail(o, "rename into place");
	output_forget_temp(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	(void)output_sync_dir(o->target, o->diag);
	return RC_OK;
}

static void
output_free(struct output *o)
{
	output_gz_free(o->gz);
	free(o->target);
	free(o);
}

enum rc
output_commit(struct output *o)
{
	enum rc rc = output_sync(o);

	if (rc == RC_OK)
		rc = output_rename(o);
	if (rc != RC_OK) {
		output_abort(o);
		return rc;
	}
	output_free(o);
	return RC_OK;
}

enum rc
output_commit_both(struct output *a, struct output *b)
{
	enum rc rc = output_sync(a);
	int a_renamed;

	if (rc == RC_OK)
		rc = output_sync(b);
	a_renamed = rc == RC_OK && a->tmp != NULL;
	if (rc == RC_OK)
		rc = output_rename(a);
	if (rc == RC_OK && (rc = output_rename(b)) != RC_OK && a_renamed)
		(void)unlink(a->target);
	if (rc != RC_OK) {
		output_abort(a);
		output_abort(b);
		return rc;
	}
	output_free(a);
	output_free(b);
	return RC_OK;
}

void
output_abort(struct output *o)
{
	if (o == NULL)
		return;
	if (!o->is_stdout && o->fd >= 0)
		close(o->fd);
	if (o->tmp != NULL) {
		unlink(o->tmp);
		output_forget_temp(o->tmp);
		free(o->tmp);
	}
	output_free(o);
}
