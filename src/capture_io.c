/*
 * capture_io.c: a capture's input and output. Its lines are read through
 * the stream, never the whole file: one made visible with stream_peek
 * before anything is consumed, or read, its first CAPTURE_MAXLINE bytes
 * kept. A stream error is reported once. Bodies are not held:
 * capture_io_body_read reads them from the stream, asking the framing at
 * each line start whether a new exchange begins. Each response found is
 * handed over by capture_io_dispatch: counted, given to the callback (2xx
 * or no status) or reported, the rest of its body skipped, freed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

static const char *capture_io_reason(int);

/*
 * Makes the next line visible without consuming it. Returns 1, 0 at the
 * end of the data, -1 on a stream error (reported).
 */
int
capture_io_peekline(struct capture *c, struct view *v)
{
	const char *p, *nl;
	ssize_t n;

	if ((n = stream_peek(c->s, &p, CAPTURE_LOOKAHEAD)) < 0) {
		capture_io_failed(c);
		return -1;
	}
	if (n == 0)
		return 0;
	nl = memchr(p, '\n', (size_t)n);
	v->p = p;
	v->len = nl != NULL ? (size_t)(nl - p) : (size_t)n;
	v->size = nl != NULL ? v->len + 1 : v->len;
	v->complete = nl != NULL || n < CAPTURE_LOOKAHEAD;
	if (v->len > 0 && p[v->len - 1] == '\r' && v->complete)
		v->len--;
	return 1;
}

/*
 * Consumes one line. With keep, its first CAPTURE_MAXLINE bytes (without
 * CR LF) are kept in c->line. Returns 1, 2 when the line was longer than
 * that (consumed all the same), 0 at the end, -1 on a stream error
 * (reported).
 */
int
capture_io_getline(struct capture *c, int keep)
{
	const char *p, *nl;
	ssize_t n;
	size_t take;
	int toolong = 0, any = 0;

	buf_reset(&c->line);
	for (;;) {
		if ((n = stream_peek(c->s, &p, 1)) < 0) {
			capture_io_failed(c);
			return -1;
		}
		if (n == 0)
			break;
		any = 1;
		nl = memchr(p, '\n', (size_t)n);
		take = nl != NULL ? (size_t)(nl - p) : (size_t)n;
		if (keep && !toolong) {
			if (c->line.len + take > CAPTURE_MAXLINE)
				toolong = 1;
			else
				buf_add(&c->line, p, take);
		}
		stream_skip(c->s, nl != NULL ? take + 1 : take);
		if (nl != NULL)
			break;
	}
	if (!any)
		return 0;
	if (c->line.len > 0 && c->line.data[c->line.len - 1] == '\r')
		c->line.data[--c->line.len] = '\0';
	return toolong ? 2 : 1;
}

/* Reports a stream error once: the rest of the file cannot be read. */
void
capture_io_failed(struct capture *c)
{
	char pos[32];
	const char *e = stream_error(c->s);

	if (c->failed)
		return;
	c->failed = 1;
	if (stream_errno(c->s) != 0)
		return;		/* not the content's fault: input.c says it */
	snprintf(pos, sizeof pos, "%llu",
	    (unsigned long long)stream_offset(c->s));
	diag_report(c->d, DIAG_REJECT, c->file, pos,
	    "%s: the rest of the file is not read", e != NULL ? e :
	    "read error");
}

/* The standard reason phrase of common statuses, for HTTP/2 and /3
 * status lines, which carry none. */
static const char *
capture_io_reason(int status)
{
	static const struct {
		int		 status;
		const char	*reason;
	} reasons[] = {
		{ 300, "Multiple Choices" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 303, "See Other" },
		{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" }, { 409, "Conflict" },
		{ 410, "Gone" }, { 413, "Request Entity Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }
	};

	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return NULL;
}

/*
 * A final response, its body set (r->body_read, r->body): counts it, then
 * hands it to the callback (2xx or no status) or reports it (other
 * statuses). What the callback left of the body is skipped afterwards. r
 * is freed.
 */
void
capture_io_dispatch(struct capture *c, struct response *r, const char *reason)
{
	enum rc rc;

	c->d->n.responses++;
	r->file = c->file;
	r->sha256 = stream_sha256(c->s);
	if (r->status != 0 && (r->status < 200 || r->status > 299)) {
		if (reason == NULL || *reason == '\0')
			reason = capture_io_reason(r->status);
		if (reason != NULL)
			diag_report(c->d, DIAG_NON2XX, c->file, r->pos,
			    "HTTP %d response (%s): not an observation",
			    r->status, reason);
		else
			diag_report(c->d, DIAG_NON2XX, c->file, r->pos,
			    "HTTP %d response: not an observation",
			    r->status);
	} else {
		rc = c->cb(c->arg, r);
		if (rc == RC_FATAL)
			c->rc = RC_FATAL;
	}
	if (c->rc != RC_FATAL) {
		char scratch[8192];

		while (response_body_read(r, scratch, sizeof scratch) > 0)
			;
	}
	r->body = NULL;
	response_clear(r);
}

/* A response's body_read (response.h) for a body in the stream: up to
 * the end of the file, or, with b->linestart (HTTP), up to the line
 * where that says the body ends. */
ssize_t
capture_io_body_read(void *arg, void *buf, size_t size)
{
	struct capture_body *b = arg;
	struct capture *c = b->c;
	char *out = buf;
	size_t got = 0, take;
	const char *p, *nl;
	ssize_t n;

	while (got < size && !b->done && !b->error) {
		if (b->linestart != NULL && b->bol) {
			int k = b->linestart(b);

			if (k < 0)
				b->error = 1;
			if (k != 0) {
				b->done = 1;
				break;
			}
			b->bol = 0;
		}
		if ((n = stream_peek(c->s, &p, 1)) < 0) {
			capture_io_failed(c);
			b->error = 1;
			break;
		}
		if (n == 0) {
			b->done = 1;
			break;
		}
		take = (size_t)n < size - got ? (size_t)n : size - got;
		if (b->linestart != NULL &&
		    (nl = memchr(p, '\n', take)) != NULL) {
			take = (size_t)(nl - p) + 1;
			b->bol = 1;
		}
		memcpy(out + got, p, take);
		stream_skip(c->s, take);
		got += take;
	}
	if (got == 0 && b->error)
		return -1;
	return (ssize_t)got;
}
