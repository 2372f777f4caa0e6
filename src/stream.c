/*
 * stream.c: a buffered byte source over a file descriptor or a copy of
 * bytes in memory, gunzipping transparently (zlib, concatenated members)
 * when the data starts with the gzip magic bytes 1f 8b.
 *
 * Raw bytes are read into an input buffer, then decoded (copied, or
 * inflated) into the output buffer that stream_read and stream_peek serve.
 * Both buffers have a fixed size, so memory stays bounded whatever the size
 * of the input; only stream_peek with a larger want grows the output
 * buffer, to that want.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "stream.h"
#include "util.h"

#define STREAM_BUFSIZE	(64 * 1024)

struct stream {
	int		 fd;		/* -1 for a memory stream */
	int		 close_fd;

	unsigned char	*mem;		/* memory stream: the copy */
	size_t		 memlen, mempos;

	unsigned char	*in;		/* raw bytes not yet decoded */
	size_t		 in_start, in_end;
	int		 in_eof;	/* no more raw bytes */
	int		 sniffed;	/* gzip magic checked */

	int		 gzip;
	int		 zlive;		/* z initialised */
	int		 zmember_end;	/* a member ended, next not begun */
	z_stream	 z;

	char		*out;		/* decoded bytes */
	size_t		 cap, start, end;
	int		 eof;		/* no more decoded bytes */

	uint64_t	 offset;	/* of out[start] */
	char		*error;		/* set once, then reads fail */
	int		 ioerr;		/* errno of a failed read(2), else 0 */

	char		*sha256;	/* stream_set_digest's, or NULL */
	uint64_t	 size;
};

static struct stream *stream_new(void);
static int	stream_fill_raw(struct stream *);
static void	stream_fail(struct stream *, const char *, const char *);
static void	stream_decode_plain(struct stream *);
static void	stream_decode_gzip(struct stream *);
static void	stream_fill(struct stream *);

static struct stream *
stream_new(void)
{
	struct stream *s = xcalloc(1, sizeof *s);

	s->fd = -1;
	s->in = xmalloc(STREAM_BUFSIZE);
	s->cap = STREAM_BUFSIZE;
	s->out = xmalloc(s->cap);
	return s;
}

struct stream *
stream_open_fd(int fd, int close_fd)
{
	struct stream *s = stream_new();

	s->fd = fd;
	s->close_fd = close_fd;
	return s;
}

struct stream *
stream_open_mem(const void *p, size_t n)
{
	struct stream *s = stream_new();

	s->mem = xmalloc(n);
	if (n > 0)
		memcpy(s->mem, p, n);
	s->memlen = n;
	return s;
}

void
stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	if (s->zlive)
		inflateEnd(&s->z);
	if (s->close_fd && s->fd >= 0)
		close(s->fd);
	free(s->mem);
	free(s->in);
	free(s->out);
	free(s->error);
	free(s->sha256);
	free(s);
}

/* Records the first error; the decoded bytes before it stay readable. */
static void
stream_fail(struct stream *s, const char *what, const char *detail)
{
	if (s->error == NULL)
		s->error = detail != NULL ? xasprintf("%s: %s", what, detail) :
		    xstrdup(what);
	s->eof = 1;
}

/*
 * Reads more raw bytes into the input buffer, after moving what is left
 * to its front. Returns 1 if bytes were added, 0 at the end, -1 on error.
 */
static int
stream_fill_raw(struct stream *s)
{
	size_t room;
	ssize_t n;

	if (s->in_eof)
		return 0;
	if (s->in_start > 0) {
		memmove(s->in, s->in + s->in_start, s->in_end - s->in_start);
		s->in_end -= s->in_start;
		s->in_start = 0;
	}
	room = STREAM_BUFSIZE - s->in_end;
	if (room == 0)
		return 1;
	if (s->fd < 0) {
		n = (ssize_t)(s->memlen - s->mempos < room ?
		    s->memlen - s->mempos : room);
		memcpy(s->in + s->in_end, s->mem + s->mempos, (size_t)n);
		s->mempos += (size_t)n;
	} else {
		do
			n = read(s->fd, s->in + s->in_end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (s->error == NULL)
				s->ioerr = errno;
			stream_fail(s, "read error", strerror(errno));
			s->in_eof = 1;
			return -1;
		}
	}
	if (n == 0) {
		s->in_eof = 1;
		return 0;
	}
	s->in_end += (size_t)n;
	return 1;
}

/* Copies raw bytes to the output buffer. */
static void
stream_decode_plain(struct stream *s)
{
	size_t n;

	if (s->in_start == s->in_end && stream_fill_raw(s) <= 0) {
		s->eof = 1;
		return;
	}
	n = s->in_end - s->in_start;
	if (n > s->cap - s->end)
		n = s->cap - s->end;
	memcpy(s->out + s->end, s->in + s->in_start, n);
	s->in_start += n;
	s->end += n;
}

/*
 * Inflates raw bytes into the output buffer until some output is made,
 * the data ends or an error occurs. After the end of a member, a next
 * member is begun if more data follows; trailing zero bytes (tape padding)
 * are ignored, as gzip -d does, anything else is an error.
 */
static void
stream_decode_gzip(struct stream *s)
{
	size_t before = s->end;
	int zrc;

	while (s->end == before) {
		if (s->in_start == s->in_end) {
			int r = stream_fill_raw(s);

			if (r < 0)
				return;
			if (r == 0) {
				if (!s->zmember_end)
					stream_fail(s, "truncated gzip stream",
					    NULL);
				s->eof = 1;
				return;
			}
		}
		if (s->zmember_end) {
			size_t i;

			for (i = s->in_start; i < s->in_end; i++)
				if (s->in[i] != 0)
					break;
			if (i == s->in_end) {	/* all zeros so far */
				s->in_start = i;
				continue;
			}
			if (i > s->in_start) {
				stream_fail(s, "corrupt gzip data",
				    "garbage after zero padding");
				return;
			}
			if (inflateReset(&s->z) != Z_OK) {
				stream_fail(s, "corrupt gzip data",
				    "cannot reset the decompressor");
				return;
			}
			s->zmember_end = 0;
		}
		s->z.next_in = s->in + s->in_start;
		s->z.avail_in = (uInt)(s->in_end - s->in_start);
		s->z.next_out = (unsigned char *)s->out + s->end;
		s->z.avail_out = (uInt)(s->cap - s->end);
		zrc = inflate(&s->z, Z_NO_FLUSH);
		s->in_start = s->in_end - s->z.avail_in;
		s->end = s->cap - s->z.avail_out;
		switch (zrc) {
		case Z_STREAM_END:
			s->zmember_end = 1;
			break;
		case Z_OK:
			break;
		case Z_BUF_ERROR:
			/* No progress possible: needs more input. */
			if (s->in_start != s->in_end) {
				stream_fail(s, "corrupt gzip data",
				    "no progress");
				return;
			}
			break;
		case Z_MEM_ERROR:
			fatal("out of memory (zlib)");
		default:
			stream_fail(s, "corrupt gzip data", s->z.msg != NULL ?
			    s->z.msg : zError(zrc));
			return;
		}
	}
}

/* Adds decoded bytes to the output buffer (it must have room). */
static void
stream_fill(struct stream *s)
{
	if (!s->sniffed) {
		while (s->in_end - s->in_start < 2 && stream_fill_raw(s) > 0)
			;
		s->sniffed = 1;
		if (s->in_end - s->in_start >= 2 &&
		    s->in[s->in_start] == 0x1f &&
		    s->in[s->in_start + 1] == 0x8b) {
			s->gzip = 1;
			memset(&s->z, 0, sizeof s->z);
			if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
				fatal("out of memory (zlib)");
			s->zlive = 1;
		}
	}
	if (s->error != NULL) {
		s->eof = 1;
		return;
	}
	if (s->gzip)
		stream_decode_gzip(s);
	else
		stream_decode_plain(s);
}

ssize_t
stream_peek(struct stream *s, const char **p, size_t want)
{
	if (want == 0)
		want = 1;
	while (s->end - s->start < want && !s->eof) {
		if (s->start > 0) {
			memmove(s->out, s->out + s->start, s->end - s->start);
			s->end -= s->start;
			s->start = 0;
		}
		if (want > s->cap) {
			s->cap = want;
			s->out = xrealloc(s->out, s->cap);
		}
		stream_fill(s);
	}
	*p = s->out + s->start;
	if (s->end == s->start && s->error != NULL)
		return -1;
	return (ssize_t)(s->end - s->start);
}

void
stream_skip(struct stream *s, size_t n)
{
	if (n > s->end - s->start)
		fatal("stream_skip: %zu bytes, %zu visible", n,
		    s->end - s->start);
	s->start += n;
	s->offset += n;
}

ssize_t
stream_read(struct stream *s, void *buf, size_t n)
{
	const char *p;
	ssize_t got;

	if (n == 0)
		return 0;
	if ((got = stream_peek(s, &p, 1)) <= 0)
		return got;
	if ((size_t)got > n)
		got = (ssize_t)n;
	memcpy(buf, p, (size_t)got);
	stream_skip(s, (size_t)got);
	return got;
}

uint64_t
stream_offset(const struct stream *s)
{
	return s->offset;
}

int
stream_is_gzip(const struct stream *s)
{
	return s->gzip;
}

const char *
stream_error(const struct stream *s)
{
	return s->error;
}

int
stream_errno(const struct stream *s)
{
	return s->ioerr;
}

void
stream_set_digest(struct stream *s, const char *sha256, uint64_t size)
{
	free(s->sha256);
	s->sha256 = xstrdup(sha256);
	s->size = size;
}

const char *
stream_sha256(const struct stream *s)
{
	return s->sha256;
}

uint64_t
stream_size(const struct stream *s)
{
	return s->size;
}
