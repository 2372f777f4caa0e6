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
 * Each response (response.h) belongs to the capture; it is valid only
 * during the callback.
 */
#ifndef IMGMETA_CAPTURE_H
#define IMGMETA_CAPTURE_H

#include "diag.h"
#include "response.h"
#include "stream.h"

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
