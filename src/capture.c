/*
 * capture.c: splits a capture file into responses (DESIGN.md section 1).
 *
 * The file is read line by line through the stream, never whole. At the
 * top level a line is classified by its first bytes, looked at with
 * stream_peek before anything is consumed:
 *
 *	status line	"HTTP/1.1 200 OK", "HTTP/2 200", "STATUS CODE 200"
 *	request line	"GET /v2.1/p/images/x HTTP/1.1"
 *	curl -v		"> ..." (request side), "< ..." (response side),
 *			"* ..." notes, "{ [123 bytes data]" markers
 *	header line	"Name: value" (a header dump with no status line)
 *
 * A response is its status line, a header block up to a blank line, and a
 * body that runs up to the next line that starts a new exchange (a status
 * line, a request line or a curl -v line) or the end of the file. A file
 * whose first byte (after a BOM, blank lines and '#' comments) is '{' or
 * '[' is a bare body: one response, the rest of the file.
 *
 * Bodies are not held: response_body_read reads them from the stream,
 * checking at each line start whether a new exchange begins. Header lines
 * are held, bounded by CAPTURE_MAXLINE, CAPTURE_MAXHEADERS and
 * CAPTURE_MAXBLOCK.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "util.h"

#define CAPTURE_LOOKAHEAD	(16 * 1024)	/* to classify a line */
#define CAPTURE_MAXLINE		(1024 * 1024)	/* one header line */
#define CAPTURE_MAXHEADERS	10000
#define CAPTURE_MAXBLOCK	(16 * 1024 * 1024) /* all headers */
#define CAPTURE_EXCERPT		40		/* bytes quoted in messages */

enum body_mode {
	BODY_REST,		/* bare body: up to the end of the file */
	BODY_HTTP		/* up to the next exchange */
};

struct capture_body {
	struct capture	*c;
	enum body_mode	 mode;
	int		 bol;		/* at the beginning of a line */
	int		 done;
	int		 error;
};

/* How a header block ended. */
enum hdr_end {
	HDR_BODY,		/* a body follows (blank line, or '{' line) */
	HDR_NOBODY,		/* a new exchange or the end of the file */
	HDR_TOOBIG,		/* limits exceeded, reported */
	HDR_ERROR		/* stream error, reported */
};

/* A line made visible by stream_peek, not consumed; valid until the next
 * stream call. */
struct view {
	const char	*p;
	size_t		 len;		/* without CR LF */
	size_t		 size;		/* with the LF, if complete */
	int		 complete;	/* the whole line is visible */
};

struct capture {
	struct stream	*s;
	const char	*file;
	struct diag	*d;
	capture_cb	 cb;
	void		*arg;
	struct buf	 line;		/* the last line read, no CR LF */
	char		*method;	/* of the next response */
	char		*url;
	int		 seen;		/* something recognised */
	int		 failed;	/* stream error reported */
	int		 junk;		/* within ignored lines */
	enum rc		 rc;
};

static int	capture_peekline(struct capture *, struct view *);
static int	capture_getline(struct capture *, int);
static void	capture_failed(struct capture *);
static int	capture_is_blank(const char *, size_t);
static int	capture_is_status(const char *, size_t, int *, size_t *,
		    size_t *);
static int	capture_is_request(const char *, size_t, int, size_t *,
		    size_t *, size_t *);
static int	capture_is_header(const char *, size_t);
static int	capture_is_datamark(const char *, size_t);
static int	capture_is_curl(const char *, size_t);
static int	capture_starts_exchange(const char *, size_t);
static void	capture_excerpt(char *, size_t, const char *, size_t);
static const char *capture_reason(int);
static void	capture_set_pos(struct response *, uint64_t);
static void	capture_response_free(struct response *);
static void	capture_request(struct capture *, const struct view *, int);
static enum hdr_end capture_headers(struct capture *, struct response *,
		    int);
static int	capture_add_header(struct capture *, struct response *,
		    const char *, size_t, size_t *);
static void	capture_deliver(struct capture *, struct response *, int,
		    const char *);
static void	capture_skip_body(struct capture *);
static void	capture_status(struct capture *, const struct view *, int);
static void	capture_after_request(struct capture *);
static void	capture_dump(struct capture *, uint64_t);
static void	capture_bare(struct capture *);
static int	capture_top(struct capture *);
static int	capture_body_linestart(struct capture_body *);

/*
 * Makes the next line visible without consuming it. Returns 1, 0 at the
 * end of the data, -1 on a stream error (reported).
 */
static int
capture_peekline(struct capture *c, struct view *v)
{
	const char *p, *nl;
	ssize_t n;

	if ((n = stream_peek(c->s, &p, CAPTURE_LOOKAHEAD)) < 0) {
		capture_failed(c);
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
static int
capture_getline(struct capture *c, int keep)
{
	const char *p, *nl;
	ssize_t n;
	size_t take;
	int toolong = 0, any = 0;

	buf_reset(&c->line);
	for (;;) {
		if ((n = stream_peek(c->s, &p, 1)) < 0) {
			capture_failed(c);
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
static void
capture_failed(struct capture *c)
{
	char pos[32];
	const char *e = stream_error(c->s);

	if (c->failed)
		return;
	c->failed = 1;
	snprintf(pos, sizeof pos, "%llu",
	    (unsigned long long)stream_offset(c->s));
	diag_report(c->d, DIAG_REJECT, c->file, pos,
	    "%s: the rest of the file is not read", e != NULL ? e :
	    "read error");
}

static int
capture_is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static int
capture_isdigit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/*
 * A status line: "HTTP/" DIGIT ["." DIGIT] SP 3DIGIT [SP reason], or the
 * documentation form "STATUS CODE 200". Gives the status, the length of
 * the protocol (0 for the documentation form) and where the reason starts
 * (n if none).
 */
static int
capture_is_status(const char *p, size_t n, int *status, size_t *protolen,
    size_t *reason)
{
	size_t i;

	if (n >= 7 && memcmp(p, "HTTP/", 5) == 0 && capture_isdigit(p[5])) {
		i = 6;
		if (i + 1 < n && p[i] == '.' && capture_isdigit(p[i + 1]))
			i += 2;
		*protolen = i;
	} else if (n >= 11 && ascii_ncasecmp(p, "STATUS CODE", 11) == 0) {
		i = 11;
		if (i < n && p[i] == ':')
			i++;
		*protolen = 0;
	} else
		return 0;
	if (i >= n || p[i] != ' ')
		return 0;
	while (i < n && p[i] == ' ')
		i++;
	if (n - i < 3 || !capture_isdigit(p[i]) ||
	    !capture_isdigit(p[i + 1]) || !capture_isdigit(p[i + 2]))
		return 0;
	*status = (p[i] - '0') * 100 + (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
	if (*status < 100 || *status > 599)
		return 0;
	i += 3;
	if (i < n && p[i] != ' ' && p[i] != '\t')
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	*reason = i;
	return 1;
}

/*
 * A request line: METHOD SP target SP HTTP-version, the method in capital
 * letters, the target a path, "*" or an absolute http(s) URL. After curl's
 * "> " (lenient) the version may be missing. Gives the method's length
 * and the target's start and length.
 */
static int
capture_is_request(const char *p, size_t n, int lenient, size_t *mlen,
    size_t *tstart, size_t *tlen)
{
	size_t i = 0, t;

	while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '-' ||
	    p[i] == '_'))
		i++;
	if (i == 0 || i > 24 || i >= n || p[i] != ' ')
		return 0;
	*mlen = i++;
	t = i;
	while (i < n && p[i] != ' ' && p[i] != '\t' &&
	    (unsigned char)p[i] > 0x20 && p[i] != 0x7f)
		i++;
	if (i == t)
		return 0;
	if (p[t] != '/' && !(i - t == 1 && p[t] == '*') &&
	    !(i - t > 7 && ascii_ncasecmp(p + t, "http://", 7) == 0) &&
	    !(i - t > 8 && ascii_ncasecmp(p + t, "https://", 8) == 0))
		return 0;
	*tstart = t;
	*tlen = i - t;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == n)
		return lenient;
	if (n - i < 6 || memcmp(p + i, "HTTP/", 5) != 0 ||
	    !capture_isdigit(p[i + 5]))
		return 0;
	i += 6;
	if (i + 1 < n && p[i] == '.' && capture_isdigit(p[i + 1]))
		i += 2;
	return capture_is_blank(p + i, n - i);
}

/* "Name: value" with a token name and a blank or nothing after the
 * colon: how a header dump is told from other text. */
static int
capture_is_header(const char *p, size_t n)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t i;

	for (i = 0; i < n && p[i] != ':'; i++) {
		char ch = p[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    capture_isdigit(ch) || (ch != '\0' && strchr(tchar, ch))))
			return 0;
	}
	if (i == 0 || i == n)
		return 0;
	return i + 1 == n || p[i + 1] == ' ' || p[i + 1] == '\t';
}

/* curl's "{ [123 bytes data]" and "} [data not shown]" lines. */
static int
capture_is_datamark(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n >= 4 && (p[0] == '{' || p[0] == '}') && p[1] == ' ' &&
	    p[2] == '[' && p[n - 1] == ']';
}

/* curl -v's "> ", "< " and "* " lines (a bare ">" or "<" too: the blank
 * line ending a header block, its trailing space lost). */
static int
capture_is_curl(const char *p, size_t n)
{
	if (n == 0 || (p[0] != '>' && p[0] != '<' && p[0] != '*'))
		return 0;
	if (n == 1)
		return p[0] != '*';
	return p[1] == ' ';
}

/* Does this line begin a new exchange (and so end a body)? */
static int
capture_starts_exchange(const char *p, size_t n)
{
	int status;
	size_t a, b, e;

	return capture_is_curl(p, n) ||
	    capture_is_status(p, n, &status, &a, &b) ||
	    capture_is_request(p, n, 0, &a, &b, &e);
}

/* Quotes the start of a line for a message, non-printable bytes as '?'. */
static void
capture_excerpt(char *out, size_t size, const char *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < CAPTURE_EXCERPT && o + 4 < size; i++) {
		unsigned char ch = (unsigned char)p[i];

		out[o++] = ch < 0x20 || ch >= 0x7f || ch == '"' ? '?' :
		    (char)ch;
	}
	if (i < n && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The standard reason phrase of common statuses, for HTTP/2 and /3
 * status lines, which carry none. */
static const char *
capture_reason(int status)
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

static void
capture_set_pos(struct response *r, uint64_t offset)
{
	r->offset = offset;
	snprintf(r->pos, sizeof r->pos, "%llu", (unsigned long long)offset);
}

static void
capture_response_free(struct response *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->proto);
	free(r->method);
	free(r->url);
	memset(r, 0, sizeof *r);
}

const struct header *
response_header(const struct response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (ascii_casecmp(r->headers[i].name, name) == 0)
			return &r->headers[i];
	return NULL;
}

/* Remembers the method and target of a request line (in v, after a
 * "> " when lenient) for the next response. */
static void
capture_request(struct capture *c, const struct view *v, int lenient)
{
	size_t skip = lenient ? 2 : 0, mlen, ts, tl;

	if (!capture_is_request(v->p + skip, v->len - skip, lenient, &mlen,
	    &ts, &tl))
		return;
	free(c->method);
	free(c->url);
	c->method = xstrndup(v->p + skip, mlen);
	c->url = xstrndup(v->p + skip + ts, tl);
}

/*
 * Adds one header line (or, starting with a blank, a continuation of the
 * last one) to r. Returns 0, or -1 when a limit is exceeded (reported).
 */
static int
capture_add_header(struct capture *c, struct response *r, const char *p,
    size_t n, size_t *total)
{
	struct header *h;
	const char *colon;
	size_t nl, vs;

	if (*total + n > CAPTURE_MAXBLOCK) {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "header block larger than %d MiB: this response is not "
		    "read", CAPTURE_MAXBLOCK / (1024 * 1024));
		return -1;
	}
	*total += n;
	if (p[0] == ' ' || p[0] == '\t') {
		/* obs-fold: joined to the last value with one space. */
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (r->nheaders == 0 || n == 0)
			return 0;
		h = &r->headers[r->nheaders - 1];
		if (h->value_len + 1 + n > CAPTURE_MAXLINE) {
			diag_report(c->d, DIAG_REJECT, c->file, r->pos,
			    "header line longer than 1 MiB: this response "
			    "is not read");
			return -1;
		}
		h->value = xrealloc(h->value, h->value_len + n + 2);
		if (h->value_len > 0)
			h->value[h->value_len++] = ' ';
		memcpy(h->value + h->value_len, p, n);
		h->value_len += n;
		h->value[h->value_len] = '\0';
		return 0;
	}
	if (r->nheaders >= CAPTURE_MAXHEADERS) {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "more than %d header lines: this response is not read",
		    CAPTURE_MAXHEADERS);
		return -1;
	}
	colon = memchr(p, ':', n);
	nl = colon != NULL ? (size_t)(colon - p) : 0;
	while (nl > 0 && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
		nl--;
	if (nl == 0 || memchr(p, ' ', nl) != NULL ||
	    memchr(p, '\t', nl) != NULL) {
		char ex[64];

		capture_excerpt(ex, sizeof ex, p, n);
		diag_report(c->d, DIAG_WARN, c->file, r->pos,
		    "not a header line, ignored: \"%s\"", ex);
		return 0;
	}
	vs = (size_t)(colon - p) + 1;
	while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (n > vs && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	r->headers = xreallocarray(r->headers, r->nheaders + 1,
	    sizeof *r->headers);
	h = &r->headers[r->nheaders++];
	h->name = xstrndup(p, nl);
	h->value = xstrndup(p + vs, n - vs);
	h->value_len = n - vs;
	return 0;
}

/*
 * Reads a header block into r, up to and including the blank line that
 * ends it. With prefixed, the lines are curl -v's "< " lines (its "* "
 * and data lines in between are skipped). A line that starts a new
 * exchange ends the block without a body; a line starting with '{' or
 * '[' (or '<' of an HTML page) where a header is expected is the start of
 * the body (pages that omit the blank line).
 */
static enum hdr_end
capture_headers(struct capture *c, struct response *r, int prefixed)
{
	struct view v;
	size_t total = 0, skip;
	int k;

	for (;;) {
		if ((k = capture_peekline(c, &v)) < 0)
			return HDR_ERROR;
		if (k == 0)
			return HDR_NOBODY;
		skip = 0;
		if (prefixed) {
			if (v.len >= 1 && v.p[0] == '<' &&
			    (v.len == 1 || v.p[1] == ' '))
				skip = v.len == 1 ? 1 : 2;
			else if ((v.len >= 2 && v.p[0] == '*' &&
			    v.p[1] == ' ') || capture_is_datamark(v.p, v.len)) {
				if (capture_getline(c, 0) < 0)
					return HDR_ERROR;
				continue;
			} else if (capture_starts_exchange(v.p, v.len))
				return HDR_NOBODY;
			else
				return HDR_BODY;
			if (v.complete && capture_is_blank(v.p + skip,
			    v.len - skip)) {
				if (capture_getline(c, 0) < 0)
					return HDR_ERROR;
				return HDR_BODY;
			}
		} else {
			if (v.complete && capture_is_blank(v.p, v.len)) {
				if (capture_getline(c, 0) < 0)
					return HDR_ERROR;
				return HDR_BODY;
			}
			if (capture_starts_exchange(v.p, v.len))
				return HDR_NOBODY;
			if (v.p[0] == '{' || v.p[0] == '[' || v.p[0] == '<')
				return HDR_BODY;
		}
		switch (capture_getline(c, 1)) {
		case -1:
			return HDR_ERROR;
		case 0:
			return HDR_NOBODY;
		case 2:
			diag_report(c->d, DIAG_REJECT, c->file, r->pos,
			    "header line longer than 1 MiB: this response is "
			    "not read");
			return HDR_TOOBIG;
		default:
			break;
		}
		if (capture_add_header(c, r, c->line.data + skip,
		    c->line.len - skip, &total) < 0)
			return HDR_TOOBIG;
	}
}

/*
 * A final response, its header block read: counts it, then hands it to
 * the callback (2xx or no status) or reports it (other statuses). The
 * body is skipped up to the next exchange afterwards, whatever the
 * callback read. r is freed.
 */
static void
capture_deliver(struct capture *c, struct response *r, int has_body,
    const char *reason)
{
	struct capture_body body = { c, BODY_HTTP, 1, !has_body, 0 };
	enum rc rc;

	c->d->n.responses++;
	r->file = c->file;
	r->body = &body;
	if (r->status != 0 && (r->status < 200 || r->status > 299)) {
		if (reason == NULL || *reason == '\0')
			reason = capture_reason(r->status);
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
	if (!body.done && c->rc != RC_FATAL) {
		char scratch[8192];

		while (response_body_read(r, scratch, sizeof scratch) > 0)
			;
	}
	r->body = NULL;
	capture_response_free(r);
}

/* Skips lines up to the next exchange (after a rejected header block). */
static void
capture_skip_body(struct capture *c)
{
	struct response r;
	struct capture_body body = { c, BODY_HTTP, 1, 0, 0 };
	char scratch[8192];

	memset(&r, 0, sizeof r);
	r.body = &body;
	while (response_body_read(&r, scratch, sizeof scratch) > 0)
		;
}

/* A status line in v (after "< " when prefixed): the response it starts.
 * Interim 1xx responses are read and dropped. */
static void
capture_status(struct capture *c, const struct view *v, int prefixed)
{
	struct response r;
	const char *p = v->p + (prefixed ? 2 : 0);
	size_t n = v->len - (prefixed ? 2 : 0), protolen, rs;
	char reason[64];
	enum hdr_end e;
	int status;

	memset(&r, 0, sizeof r);
	(void)capture_is_status(p, n, &status, &protolen, &rs);
	capture_set_pos(&r, stream_offset(c->s));
	r.status = status;
	if (protolen > 0)
		r.proto = xstrndup(p, protolen);
	while (n > rs && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n - rs >= sizeof reason)
		n = rs + sizeof reason - 1;
	memcpy(reason, p + rs, n - rs);
	reason[n - rs] = '\0';
	if (capture_getline(c, 0) < 0) {
		capture_response_free(&r);
		return;
	}

	e = capture_headers(c, &r, prefixed);
	/* Interim responses: 1xx, and a proxy's answer to CONNECT, which
	 * curl -i prints before the server's own response. */
	if (status < 200 || (status == 200 &&
	    ascii_casecmp(reason, "Connection established") == 0)) {
		capture_response_free(&r);
		if (e == HDR_TOOBIG)
			capture_skip_body(c);
		return;
	}
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	switch (e) {
	case HDR_ERROR:
		c->d->n.responses++;
		capture_response_free(&r);
		break;
	case HDR_TOOBIG:
		c->d->n.responses++;
		capture_response_free(&r);
		capture_skip_body(c);
		break;
	case HDR_BODY:
	case HDR_NOBODY:
		capture_deliver(c, &r, e == HDR_BODY, reason);
		break;
	}
}

/*
 * After a request line: a header block follows? If a status line comes
 * after it, it held the request's headers, and is dropped; otherwise
 * (a Postman-style dump) it is the response's, status unknown. A body
 * right after the request line is a response with no headers.
 */
static void
capture_after_request(struct capture *c)
{
	struct response r;
	struct view v;
	enum hdr_end e;
	int k, status;
	size_t a, b;

	if (capture_peekline(c, &v) <= 0)
		return;
	memset(&r, 0, sizeof r);
	capture_set_pos(&r, stream_offset(c->s));
	if (v.p[0] == '{' || v.p[0] == '[') {
		r.method = c->method;
		r.url = c->url;
		c->method = c->url = NULL;
		capture_deliver(c, &r, 1, NULL);
		return;
	}
	if (!capture_is_header(v.p, v.len))
		return;
	e = capture_headers(c, &r, 0);
	if (e == HDR_ERROR) {
		capture_response_free(&r);
		return;
	}
	/* Blank lines between the block and what follows do not count. */
	while ((k = capture_peekline(c, &v)) > 0 && v.complete &&
	    capture_is_blank(v.p, v.len))
		if (capture_getline(c, 0) < 0)
			break;
	if (c->failed) {
		capture_response_free(&r);
		return;
	}
	if (k > 0 && (capture_is_status(v.p, v.len, &status, &a, &b) ||
	    (v.len > 2 && v.p[0] == '<' && v.p[1] == ' ' &&
	    capture_is_status(v.p + 2, v.len - 2, &status, &a, &b)))) {
		capture_response_free(&r);	/* request headers */
		return;
	}
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	if (e == HDR_TOOBIG) {
		c->d->n.responses++;
		capture_response_free(&r);
		capture_skip_body(c);
		return;
	}
	capture_deliver(c, &r, k > 0 && !capture_starts_exchange(v.p, v.len),
	    NULL);
}

/* A header dump: a header block with no status line, at offset. */
static void
capture_dump(struct capture *c, uint64_t offset)
{
	struct response r;
	enum hdr_end e;

	memset(&r, 0, sizeof r);
	capture_set_pos(&r, offset);
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	e = capture_headers(c, &r, 0);
	switch (e) {
	case HDR_ERROR:
		c->d->n.responses++;
		capture_response_free(&r);
		break;
	case HDR_TOOBIG:
		c->d->n.responses++;
		capture_response_free(&r);
		capture_skip_body(c);
		break;
	case HDR_BODY:
	case HDR_NOBODY:
		capture_deliver(c, &r, e == HDR_BODY, NULL);
		break;
	}
}

/* A bare body: one response, status unknown, the rest of the file. */
static void
capture_bare(struct capture *c)
{
	struct response r;
	struct capture_body body = { c, BODY_REST, 0, 0, 0 };
	char scratch[8192];

	memset(&r, 0, sizeof r);
	capture_set_pos(&r, 0);
	r.file = c->file;
	r.body = &body;
	c->d->n.responses++;
	if (c->cb(c->arg, &r) == RC_FATAL) {
		c->rc = RC_FATAL;
		return;
	}
	while (response_body_read(&r, scratch, sizeof scratch) > 0)
		;
}

/*
 * One step at the top level, between exchanges. Returns 0 to go on, 1 at
 * the end (or after an error, or when the file is not a capture).
 */
static int
capture_top(struct capture *c)
{
	struct view v;
	uint64_t off = stream_offset(c->s);
	int k, status;
	size_t a, b, e;

	if ((k = capture_peekline(c, &v)) <= 0)
		return 1;
	if ((v.complete && capture_is_blank(v.p, v.len)) ||
	    capture_is_datamark(v.p, v.len) ||
	    (v.len >= 1 && v.p[0] == '*' && (v.len == 1 || v.p[1] == ' '))) {
		c->junk = 0;
		return capture_getline(c, 0) < 0;
	}
	if (v.p[0] == '>' && (v.len == 1 || v.p[1] == ' ')) {
		c->seen = 1;
		c->junk = 0;
		if (v.complete && v.len > 2)
			capture_request(c, &v, 1);
		return capture_getline(c, 0) < 0;
	}
	if (v.p[0] == '<' && (v.len == 1 || v.p[1] == ' ')) {
		c->seen = 1;
		c->junk = 0;
		if (v.len > 2 && capture_is_status(v.p + 2, v.len - 2, &status,
		    &a, &b)) {
			capture_status(c, &v, 1);
			return 0;
		}
		return capture_getline(c, 0) < 0;	/* a stray "< " line */
	}
	if (capture_is_status(v.p, v.len, &status, &a, &b)) {
		c->seen = 1;
		c->junk = 0;
		capture_status(c, &v, 0);
		return 0;
	}
	if (v.complete && capture_is_request(v.p, v.len, 0, &a, &b, &e)) {
		c->seen = 1;
		c->junk = 0;
		capture_request(c, &v, 0);
		if (capture_getline(c, 0) < 0)
			return 1;
		capture_after_request(c);
		return 0;
	}
	if (capture_is_header(v.p, v.len)) {
		c->seen = 1;
		c->junk = 0;
		capture_dump(c, off);
		return 0;
	}
	if (!c->seen) {
		char ex[64];

		capture_excerpt(ex, sizeof ex, v.p, v.len);
		diag_report(c->d, DIAG_REJECT, c->file, "0",
		    "not a capture: expected a JSON body, HTTP responses or a "
		    "header dump (first line: \"%s\")", ex);
		c->rc = RC_SKIP;
		return 1;
	}
	if (!c->junk) {
		char ex[64], pos[32];

		capture_excerpt(ex, sizeof ex, v.p, v.len);
		snprintf(pos, sizeof pos, "%llu", (unsigned long long)off);
		diag_report(c->d, DIAG_WARN, c->file, pos,
		    "text outside any response, ignored up to the next "
		    "response: \"%s\"", ex);
		c->junk = 1;
	}
	return capture_getline(c, 0) < 0;
}

enum rc
capture_read(struct stream *s, const char *file, struct diag *d,
    capture_cb cb, void *arg)
{
	struct capture c;
	struct view v;
	const char *p;
	ssize_t n;
	int k, comments = 0;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.file = file;
	c.d = d;
	c.cb = cb;
	c.arg = arg;
	c.rc = RC_OK;

	/* A UTF-8 byte order mark, blank lines, '#' comments. */
	n = stream_peek(s, &p, 3);
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		stream_skip(s, 3);
	else if (n >= 2 && (memcmp(p, "\xff\xfe", 2) == 0 ||
	    memcmp(p, "\xfe\xff", 2) == 0)) {
		/* PowerShell's ">" writes UTF-16. */
		diag_report(d, DIAG_REJECT, file, "0", "not a capture: the "
		    "file is UTF-16 text; convert it to UTF-8 (iconv -f "
		    "UTF-16 -t UTF-8)");
		c.rc = RC_SKIP;
		goto out;
	}
	for (;;) {
		if ((k = capture_peekline(&c, &v)) <= 0)
			break;
		if (v.complete && capture_is_blank(v.p, v.len)) {
			if (capture_getline(&c, 0) < 0)
				break;
		} else if (v.p[0] == '#') {
			comments = 1;
			if (capture_getline(&c, 0) < 0)
				break;
		} else
			break;
	}
	if (c.failed)
		goto out;
	if (k == 0) {
		diag_report(d, DIAG_REJECT, file, "0", "not a capture: %s",
		    stream_offset(s) == 0 ? "the file is empty" : comments ?
		    "it holds nothing but comments and blank lines" :
		    "it holds nothing but blank lines");
		c.rc = RC_SKIP;
		goto out;
	}
	/* Leading blanks on the first line. */
	while ((n = stream_peek(s, &p, 1)) > 0 && (*p == ' ' || *p == '\t'))
		stream_skip(s, 1);
	if (n > 0 && (*p == '{' || *p == '[')) {
		capture_bare(&c);
		goto out;
	}
	while (c.rc != RC_FATAL && !c.failed && capture_top(&c) == 0)
		;
	if (c.method != NULL && c.rc == RC_OK && !c.failed)
		diag_report(d, DIAG_WARN, file, NULL,
		    "a request line (%s %s) has no response after it",
		    c.method, c.url);
out:
	free(c.method);
	free(c.url);
	buf_free(&c.line);
	if (c.rc == RC_FATAL)
		return RC_FATAL;
	return c.failed || c.rc == RC_SKIP ? RC_SKIP : RC_OK;
}

/*
 * At the start of a body line: ends the body if the line begins a new
 * exchange, drops curl's data marker lines. Returns 0 to read the line,
 * 1 when the body ends, -1 on a stream error.
 */
static int
capture_body_linestart(struct capture_body *b)
{
	struct capture *c = b->c;
	struct view v;
	const char *p;
	ssize_t n;
	int k;

	for (;;) {
		if ((n = stream_peek(c->s, &p, 1)) < 0) {
			capture_failed(c);
			return -1;
		}
		if (n == 0)
			return 1;
		if (*p == '\0' || strchr("><*{}ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		    *p) == NULL)
			return 0;
		if ((k = capture_peekline(c, &v)) < 0)
			return -1;
		if (k == 0)
			return 1;
		if (capture_starts_exchange(v.p, v.len))
			return 1;
		if (!v.complete || !capture_is_datamark(v.p, v.len))
			return 0;
		stream_skip(c->s, v.size);
	}
}

ssize_t
response_body_read(struct response *r, void *buf, size_t size)
{
	struct capture_body *b = r->body;
	struct capture *c;
	char *out = buf;
	size_t got = 0, take;
	const char *p, *nl;
	ssize_t n;

	if (b == NULL)
		return 0;
	c = b->c;
	while (got < size && !b->done && !b->error) {
		if (b->mode == BODY_HTTP && b->bol) {
			int k = capture_body_linestart(b);

			if (k < 0)
				b->error = 1;
			if (k != 0) {
				b->done = 1;
				break;
			}
			b->bol = 0;
		}
		if ((n = stream_peek(c->s, &p, 1)) < 0) {
			capture_failed(c);
			b->error = 1;
			break;
		}
		if (n == 0) {
			b->done = 1;
			break;
		}
		take = (size_t)n < size - got ? (size_t)n : size - got;
		if (b->mode == BODY_HTTP &&
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
