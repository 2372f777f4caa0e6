/*
 * stream.h: a buffered byte source over a file descriptor that gunzips
 * transparently when the data starts with the gzip magic bytes (1f 8b).
 * Concatenated gzip members are read one after another, as gzip -d does.
 *
 * Ownership: stream_free closes the descriptor when the stream was opened
 * with close_fd set. stream_free(NULL) does nothing.
 */
#ifndef IMGMETA_STREAM_H
#define IMGMETA_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct stream;

struct stream *stream_open_fd(int fd, int close_fd);
/* A stream over bytes in memory (copied); for tests and HAR bodies. */
struct stream *stream_open_mem(const void *, size_t);
void	 stream_free(struct stream *);

/* Reads up to n bytes; returns the count, 0 at the end, -1 on error
 * (stream_error then says what went wrong: read error, truncated or
 * corrupt gzip data). */
ssize_t	 stream_read(struct stream *, void *, size_t n);
/* Makes at least want bytes visible without consuming them (fewer at the
 * end of data); *p points into the stream's buffer, valid until the next
 * call. Returns the number of bytes visible, -1 on error. */
ssize_t	 stream_peek(struct stream *, const char **p, size_t want);
/* Consumes n bytes already made visible by stream_peek. */
void	 stream_skip(struct stream *, size_t n);
/* Offset of the next byte to read, in the decompressed data. */
uint64_t stream_offset(const struct stream *);
int	 stream_is_gzip(const struct stream *);
const char *stream_error(const struct stream *);	/* NULL if none */
/* The errno of a read(2) that failed (the file, not its content, is at
 * fault: the run cannot go on), else 0. */
int	stream_errno(const struct stream *);

/* The SHA-256 (64 lowercase hex digits) and size of the file's own bytes
 * (compressed, for a gzip file), when its opener computed them
 * (input.c); stream_sha256 is NULL otherwise. */
void	 stream_set_digest(struct stream *, const char *sha256,
	    uint64_t size);
const char *stream_sha256(const struct stream *);
uint64_t stream_size(const struct stream *);

#endif
