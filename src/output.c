/*
 * output.c: output files that are either complete or absent.
 *
 * A file is written under a temporary name in the target's directory
 * ("TARGET.tmp-XXXXXX") and renamed over the target only after everything
 * was written, flushed and synced. Temporary names are registered so that a
 * fatal signal can remove them (output_cleanup_signal). gzip output is a
 * single member written with zlib's deflate; its header is the fixed
 * 10 bytes of RFC 1952 with no time stamp and no name, so equal bytes in
 * give equal bytes out.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "output.h"

#define OUT_BUFSZ	65536
#define MAX_TEMPS	16

struct output {
	struct diag	*diag;
	int		 fd;
	int		 is_stdout;
	int		 in_place;	/* a device or FIFO: written directly */
	char		*target;
	char		*tmp;
	int		 gzip;
	z_stream	 z;
	unsigned char	 zbuf[OUT_BUFSZ];
	char		 buf[OUT_BUFSZ];
	size_t		 len;
	int		 failed;
};

/* Temporary files to remove on a fatal signal. */
static char *volatile output_temps[MAX_TEMPS];

static enum rc	output_fail(struct output *, const char *);
static enum rc	output_raw(struct output *, const void *, size_t);
static enum rc	output_flush(struct output *, int);
static void	output_register(char *);

static void
output_register(char *tmp)
{
	for (size_t i = 0; i < MAX_TEMPS; i++)
		if (output_temps[i] == NULL) {
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
	for (size_t i = 0; i < MAX_TEMPS; i++)
		if (output_temps[i] != NULL)
			unlink(output_temps[i]);
}

char *
output_temp_path(const char *target)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", target);
	int fd = mkstemp(tmp);

	if (fd < 0) {
		free(tmp);
		return NULL;
	}
	close(fd);
	output_register(tmp);
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
		o->tmp = xasprintf("%s.tmp-XXXXXX", path);
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
		output_register(o->tmp);
	}
	if (gzip && deflateInit2(&o->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
	    15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		diag_report(d, DIAG_ERROR, NULL, NULL, "cannot start zlib");
		o->gzip = 0;
		output_abort(o);
		return NULL;
	}
	return o;
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
	}
	return RC_OK;
}

/* Passes the buffer on (through deflate when gzip); finish ends the
 * gzip member. */
static enum rc
output_flush(struct output *o, int finish)
{
	if (o->failed)
		return RC_FATAL;
	if (!o->gzip) {
		enum rc rc = output_raw(o, o->buf, o->len);

		o->len = 0;
		return rc;
	}
	o->z.next_in = (unsigned char *)o->buf;
	o->z.avail_in = (uInt)o->len;
	for (;;) {
		int zr;

		o->z.next_out = o->zbuf;
		o->z.avail_out = sizeof o->zbuf;
		zr = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (zr == Z_STREAM_ERROR)
			fatal("deflate failed");
		if (output_raw(o, o->zbuf, sizeof o->zbuf - o->z.avail_out))
			return RC_FATAL;
		if (finish ? zr == Z_STREAM_END : o->z.avail_in == 0)
			break;
	}
	o->len = 0;
	return RC_OK;
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

enum rc
output_commit(struct output *o)
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
		} else {
			o->fd = -1;
			if (rename(o->tmp, o->target) != 0)
				rc = output_fail(o, "rename into place");
			else {
				output_forget_temp(o->tmp);
				free(o->tmp);
				o->tmp = NULL;
			}
		}
	}
	if (rc != RC_OK) {
		output_abort(o);
		return rc;
	}
	if (o->gzip)
		deflateEnd(&o->z);
	free(o->target);
	free(o);
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
	if (o->gzip)
		deflateEnd(&o->z);
	free(o->target);
	free(o);
}
