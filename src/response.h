/*
 * response.h: one response of a capture (DESIGN.md section 1), as capture.c
 * hands it to the reading stage: where it is, its status line and headers,
 * and a body read through response_body_read.
 *
 * Ownership: a response and everything in it belongs to the capture that
 * made it; it is valid only during the capture's callback. The body is
 * read through response_body_read while in the callback; what the callback
 * leaves unread is skipped.
 */
#ifndef IMGMETA_RESPONSE_H
#define IMGMETA_RESPONSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct header {
	char	*name;		/* as sent, NUL-terminated */
	char	*value;		/* raw bytes, NUL-terminated, leading and
				   trailing blanks removed; may not be UTF-8 */
	size_t	 value_len;
};

struct reader_ops;		/* reader.h */

struct response {
	const char	*file;		/* as given on the command line */
	const char	*sha256;	/* of the file's bytes (stream_sha256),
					   or NULL */
	char		 pos[64];	/* where: "OFFSET" (or "entry N", HAR) */
	uint64_t	 offset;	/* byte offset of the response */
	int		 status;	/* HTTP status; 0 = none in the capture */
	char		*proto;		/* "HTTP/1.1", NULL if no status line */
	char		*method;	/* request method, NULL if unknown */
	char		*url;		/* request URL or path, NULL if unknown */
	struct header	*headers;
	size_t		 nheaders;
	/* The body: body_read reads it from body, the capture's state for
	 * it (same results as response_body_read). body NULL: no body. */
	ssize_t		(*body_read)(void *body, void *buf, size_t size);
	void		*body;
	/* A file a reader claimed whole (reader.h, bid_file): the body is
	 * the whole file, read by that reader's read_file. */
	const struct reader_ops *reader;
	int		 compressed;	/* the file was gzip-compressed */
};

/* First header of that name (ASCII case-insensitive), or NULL. */
const struct header *response_header(const struct response *,
	    const char *name);
/* Body bytes: count read, 0 at the end of the body, -1 on a read error
 * (reported already). */
ssize_t	 response_body_read(struct response *, void *, size_t);

/* For the captures that build responses: */
/* Sets the position to a byte offset, as "OFFSET". */
void	 response_set_pos(struct response *, uint64_t offset);
/* A new header at the end of the list, to be filled in. */
struct header *response_header_slot(struct response *);
/* Frees what the response holds (not the body) and zeroes it. */
void	 response_clear(struct response *);

#endif
