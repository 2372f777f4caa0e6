/*
 * capture.h: splits a capture file into responses (DESIGN.md section 1).
 *
 * A capture is a bare body (JSON, optionally after a UTF-8 BOM), or one or
 * more HTTP responses as curl -i / -D - / -sI print them: status line
 * (HTTP/1.0, 1.1, 2, 3), headers (any case, CRLF or LF, folded lines
 * joined), a blank line, then the body up to the next status line or the
 * end of the file. Content-Length is not trusted (HEAD responses announce
 * a body they do not carry). Interim 1xx responses are skipped. A request
 * line ("GET /v2.1/... HTTP/1.1", or curl -v's "> GET ...") before a
 * response gives the response's method and URL. A block of headers with no
 * status line (a header dump) is one response of unknown status. Leading
 * lines starting with '#' are comments.
 *
 * Ownership: a response and everything in it belongs to the capture; it is
 * valid only during the callback. The body is read through
 * response_body_read while in the callback; what the callback leaves
 * unread is skipped.
 */
#ifndef IMGMETA_CAPTURE_H
#define IMGMETA_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "stream.h"

struct header {
	char	*name;		/* as sent, NUL-terminated */
	char	*value;		/* raw bytes, NUL-terminated, leading and
				   trailing blanks removed; may not be UTF-8 */
	size_t	 value_len;
};

struct capture_body;		/* opaque */
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
	struct capture_body *body;
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

typedef enum rc (*capture_cb)(void *arg, struct response *);

/* Reads every response of the stream, calling cb for each 2xx (or
 * status-less) response; a file that a reader claims whole (reader.h,
 * bid_file) is one response at "0" with resp->reader set. Non-2xx
 * responses are counted and reported as DIAG_NON2XX ("FILE:OFFSET: HTTP
 * 404 response (Not Found): not an observation"). Returns RC_FATAL if cb
 * did, RC_SKIP if the stream could not be read to the end (reported),
 * else RC_OK. */
enum rc	 capture_read(struct stream *, const char *file, struct diag *,
	    capture_cb cb, void *arg);

#endif
