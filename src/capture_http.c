/*
 * capture_http.c: HTTP framing. At the top level a line is classified by
 * its first bytes, looked at with stream_peek before anything is consumed:
 *
 *	status line	"HTTP/1.1 200 OK", "HTTP/2 200", "STATUS CODE 200"
 *	request line	"GET /v2.1/p/images/x HTTP/1.1"
 *	curl -v		"> ..." (request side), "< ..." (response side),
 *			"* ..." notes, "{ [123 bytes data]" markers
 *	header line	"Name: value" (a header dump with no status line)
 *
 * A response is its status line, a header block up to a blank line, and a
 * body that runs up to the next line that starts a new exchange (a status
 * line, a request line or a curl -v line) or the end of the file. Interim
 * 1xx responses are dropped. Header lines are held, bounded by
 * CAPTURE_MAXLINE, CAPTURE_MAXHEADERS and CAPTURE_MAXBLOCK; bodies are
 * read from the stream (capture_io.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

/* A request line is told as one when it is whole within what the stream
 * holds at once (stream.c's buffer): its longest. */
#define CAPTURE_MAXREQUEST	(64 * 1024)
/* A limit (README "Limits"), as those in capture_int.h. */
#define CAPTURE_MAXBLOCK	(64 * 1024 * 1024) /* all headers */
#define CAPTURE_EXCERPT		40		/* bytes quoted in messages */

/* How a header block ended. */
enum hdr_end {
	HDR_BODY,		/* a body follows (blank line, or '{' line) */
	HDR_NOBODY,		/* a new exchange or the end of the file */
	HDR_TOOBIG,		/* limits exceeded, reported */
	HDR_ERROR		/* stream error, reported */
};

static int	capture_http_isdigit(char);
static int	capture_http_is_status(const char *, size_t, int *, size_t *,
		    size_t *);
static int	capture_http_is_request(const char *, size_t, int, size_t *,
		    size_t *, size_t *);
static int	capture_http_is_header(const char *, size_t);
static int	capture_http_is_datamark(const char *, size_t);
static int	capture_http_is_curl(const char *, size_t);
static int	capture_http_starts_exchange(const char *, size_t);
static void	capture_http_excerpt(char *, size_t, const char *, size_t);
static void	capture_http_request(struct capture *, const struct view *,
		    int);
static int	capture_http_add_header(struct capture *, struct response *,
		    const char *, size_t, size_t *);
static enum hdr_end capture_http_headers(struct capture *,
		    struct response *, int);
static void	capture_http_headers_done(struct capture *,
		    struct response *, enum hdr_end, const char *);
static void	capture_http_deliver(struct capture *, struct response *,
		    int, const char *);
static void	capture_http_skip_body(struct capture *);
static void	capture_http_status(struct capture *, const struct view *,
		    int);
static void	capture_http_after_request(struct capture *);
static void	capture_http_dump(struct capture *, uint64_t);
static int	capture_http_top(struct capture *);
static int	capture_http_body_linestart(struct capture_body *);

static int
capture_http_isdigit(char ch)
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
capture_http_is_status(const char *p, size_t n, int *status, size_t *protolen,
    size_t *reason)
{
	size_t i;

	if (n >= 7 && memcmp(p, "HTTP/", 5) == 0 &&
	    capture_http_isdigit(p[5])) {
		i = 6;
		if (i + 1 < n && p[i] == '.' && capture_http_isdigit(p[i + 1]))
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
	if (n - i < 3 || !capture_http_isdigit(p[i]) ||
	    !capture_http_isdigit(p[i + 1]) || !capture_http_isdigit(p[i + 2]))
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
capture_http_is_request(const char *p, size_t n, int lenient, size_t *mlen,
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
	    !capture_http_isdigit(p[i + 5]))
		return 0;
	i += 6;
	if (i + 1 < n && p[i] == '.' && capture_http_isdigit(p[i + 1]))
		i += 2;
	return ascii_blank(p + i, n - i);
}

/* "Name: value" with a token name and a blank or nothing after the
 * colon: how a header dump is told from other text. */
static int
capture_http_is_header(const char *p, size_t n)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t i;

	for (i = 0; i < n && p[i] != ':'; i++) {
		char ch = p[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    capture_http_isdigit(ch) ||
		    (ch != '\0' && strchr(tchar, ch))))
			return 0;
	}
	if (i == 0 || i == n)
		return 0;
	return i + 1 == n || p[i + 1] == ' ' || p[i + 1] == '\t';
}

/* curl's "{ [123 bytes data]" and "} [data not shown]" lines. */
static int
capture_http_is_datamark(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n >= 4 && (p[0] == '{' || p[0] == '}') && p[1] == ' ' &&
	    p[2] == '[' && p[n - 1] == ']';
}

/* curl -v's "> ", "< " and "* " lines (a bare ">" or "<" too: the blank
 * line ending a header block, its trailing space lost). */
static int
capture_http_is_curl(const char *p, size_t n)
{
	if (n == 0 || (p[0] != '>' && p[0] != '<' && p[0] != '*'))
		return 0;
	if (n == 1)
		return p[0] != '*';
	return p[1] == ' ';
}

/* Does this line begin a new exchange (and so end a body)? */
static int
capture_http_starts_exchange(const char *p, size_t n)
{
	int status;
	size_t a, b, e;

	return capture_http_is_curl(p, n) ||
	    capture_http_is_status(p, n, &status, &a, &b) ||
	    capture_http_is_request(p, n, 0, &a, &b, &e);
}

/* Quotes the start of a line for a message, non-printable bytes as '?'. */
static void
capture_http_excerpt(char *out, size_t size, const char *p, size_t n)
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

/* Remembers the method and target of a request line (in v, after a
 * "> " when lenient) for the next response. */
static void
capture_http_request(struct capture *c, const struct view *v, int lenient)
{
	size_t skip = lenient ? 2 : 0, mlen, ts, tl;

	if (!capture_http_is_request(v->p + skip, v->len - skip, lenient,
	    &mlen, &ts, &tl))
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
capture_http_add_header(struct capture *c, struct response *r, const char *p,
    size_t n, size_t *total)
{
	struct header *h;
	const char *colon, *nul;
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
			    "header line longer than %d MiB: this response "
			    "is not read", CAPTURE_MAXLINE / (1024 * 1024));
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
	if (colon != NULL && (nul = memchr(p, '\0', (size_t)(colon - p))) !=
	    NULL) {
		/* Held as a C string, the name would end at the NUL:
		 * "X-Image-Meta-Name\0evil: x" would set the name. (A NUL
		 * in a value is kept, with value_len, for the reader.) */
		char ex[64];

		capture_http_excerpt(ex, sizeof ex, p, n);
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "header line \"%s\" has a NUL byte in its name (byte %zu "
		    "of the line): this response is not read", ex,
		    (size_t)(nul - p) + 1);
		return -1;
	}
	nl = colon != NULL ? (size_t)(colon - p) : 0;
	while (nl > 0 && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
		nl--;
	if (nl == 0 || memchr(p, ' ', nl) != NULL ||
	    memchr(p, '\t', nl) != NULL) {
		char ex[64];

		capture_http_excerpt(ex, sizeof ex, p, n);
		diag_report(c->d, DIAG_WARN, c->file, r->pos,
		    "not a header line, ignored: \"%s\"", ex);
		return 0;
	}
	vs = (size_t)(colon - p) + 1;
	while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (n > vs && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	h = response_header_slot(r);
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
capture_http_headers(struct capture *c, struct response *r, int prefixed)
{
	struct view v;
	size_t total = 0, skip;
	int k;

	for (;;) {
		if ((k = capture_io_peekline(c, &v)) < 0)
			return HDR_ERROR;
		if (k == 0)
			return HDR_NOBODY;
		skip = 0;
		if (prefixed) {
			if (v.len >= 1 && v.p[0] == '<' &&
			    (v.len == 1 || v.p[1] == ' '))
				skip = v.len == 1 ? 1 : 2;
			else if ((v.len >= 2 && v.p[0] == '*' &&
			    v.p[1] == ' ') ||
			    capture_http_is_datamark(v.p, v.len)) {
				if (capture_io_getline(c, 0) < 0)
					return HDR_ERROR;
				continue;
			} else if (capture_http_starts_exchange(v.p, v.len))
				return HDR_NOBODY;
			else
				return HDR_BODY;
			if (v.complete && ascii_blank(v.p + skip,
			    v.len - skip)) {
				if (capture_io_getline(c, 0) < 0)
					return HDR_ERROR;
				return HDR_BODY;
			}
		} else {
			if (v.complete && ascii_blank(v.p, v.len)) {
				if (capture_io_getline(c, 0) < 0)
					return HDR_ERROR;
				return HDR_BODY;
			}
			if (capture_http_starts_exchange(v.p, v.len))
				return HDR_NOBODY;
			if (v.p[0] == '{' || v.p[0] == '[' || v.p[0] == '<')
				return HDR_BODY;
		}
		switch (capture_io_getline(c, 1)) {
		case -1:
			return HDR_ERROR;
		case 0:
			return HDR_NOBODY;
		case 2:
			diag_report(c->d, DIAG_REJECT, c->file, r->pos,
			    "header line longer than %d MiB: this response is "
			    "not read", CAPTURE_MAXLINE / (1024 * 1024));
			return HDR_TOOBIG;
		default:
			break;
		}
		if (capture_http_add_header(c, r, c->line.data + skip,
		    c->line.len - skip, &total) < 0)
			return HDR_TOOBIG;
	}
}

/* After a response's header block: a response whose headers could not be
 * read is counted and dropped (its body skipped when the block was too
 * big); any other goes on with or without a body. */
static void
capture_http_headers_done(struct capture *c, struct response *r,
    enum hdr_end e, const char *reason)
{
	switch (e) {
	case HDR_ERROR:
		c->d->n.responses++;
		response_clear(r);
		break;
	case HDR_TOOBIG:
		c->d->n.responses++;
		response_clear(r);
		capture_http_skip_body(c);
		break;
	case HDR_BODY:
	case HDR_NOBODY:
		capture_http_deliver(c, r, e == HDR_BODY, reason);
		break;
	}
}

/* A response of an HTTP capture: its body runs up to the next exchange. */
static void
capture_http_deliver(struct capture *c, struct response *r, int has_body,
    const char *reason)
{
	struct capture_body body = { .c = c,
	    .linestart = capture_http_body_linestart, .bol = 1,
	    .done = !has_body };

	r->body_read = capture_io_body_read;
	r->body = &body;
	capture_io_dispatch(c, r, reason);
}

/* Skips lines up to the next exchange (after a rejected header block). */
static void
capture_http_skip_body(struct capture *c)
{
	struct response r;
	struct capture_body body = { .c = c,
	    .linestart = capture_http_body_linestart, .bol = 1 };
	char scratch[8192];

	memset(&r, 0, sizeof r);
	r.body_read = capture_io_body_read;
	r.body = &body;
	while (response_body_read(&r, scratch, sizeof scratch) > 0)
		;
}

/* A status line in v (after "< " when prefixed): the response it starts.
 * Interim 1xx responses are read and dropped. */
static void
capture_http_status(struct capture *c, const struct view *v, int prefixed)
{
	struct response r;
	const char *p = v->p + (prefixed ? 2 : 0);
	size_t n = v->len - (prefixed ? 2 : 0), protolen, rs;
	char reason[64];
	enum hdr_end e;
	int status;

	memset(&r, 0, sizeof r);
	(void)capture_http_is_status(p, n, &status, &protolen, &rs);
	response_set_pos(&r, stream_offset(c->s));
	r.status = status;
	if (protolen > 0)
		r.proto = xstrndup(p, protolen);
	while (n > rs && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n - rs >= sizeof reason)
		n = rs + sizeof reason - 1;
	memcpy(reason, p + rs, n - rs);
	reason[n - rs] = '\0';
	if (capture_io_getline(c, 0) < 0) {
		response_clear(&r);
		return;
	}

	e = capture_http_headers(c, &r, prefixed);
	/* Interim responses: 1xx, and a proxy's answer to CONNECT, which
	 * curl -i prints before the server's own response. */
	if (status < 200 || (status == 200 &&
	    ascii_casecmp(reason, "Connection established") == 0)) {
		response_clear(&r);
		if (e == HDR_TOOBIG)
			capture_http_skip_body(c);
		return;
	}
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	capture_http_headers_done(c, &r, e, reason);
}

/*
 * After a request line: a header block follows? If a status line comes
 * after it, it held the request's headers, and is dropped; otherwise
 * (a Postman-style dump) it is the response's, status unknown. A body
 * right after the request line is a response with no headers.
 */
static void
capture_http_after_request(struct capture *c)
{
	struct response r;
	struct view v;
	enum hdr_end e;
	int k, status;
	size_t a, b;

	if (capture_io_peekline(c, &v) <= 0)
		return;
	memset(&r, 0, sizeof r);
	response_set_pos(&r, stream_offset(c->s));
	if (v.p[0] == '{' || v.p[0] == '[') {
		r.method = c->method;
		r.url = c->url;
		c->method = c->url = NULL;
		capture_http_deliver(c, &r, 1, NULL);
		return;
	}
	if (!capture_http_is_header(v.p, v.len))
		return;
	e = capture_http_headers(c, &r, 0);
	if (e == HDR_ERROR) {
		response_clear(&r);
		return;
	}
	/* Blank lines between the block and what follows do not count. */
	while ((k = capture_io_peekline(c, &v)) > 0 && v.complete &&
	    ascii_blank(v.p, v.len))
		if (capture_io_getline(c, 0) < 0)
			break;
	if (c->failed) {
		response_clear(&r);
		return;
	}
	if (k > 0 && (capture_http_is_status(v.p, v.len, &status, &a, &b) ||
	    (v.len > 2 && v.p[0] == '<' && v.p[1] == ' ' &&
	    capture_http_is_status(v.p + 2, v.len - 2, &status, &a, &b)))) {
		response_clear(&r);	/* request headers */
		return;
	}
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	if (e == HDR_TOOBIG) {
		c->d->n.responses++;
		response_clear(&r);
		capture_http_skip_body(c);
		return;
	}
	capture_http_deliver(c, &r, k > 0 &&
	    !capture_http_starts_exchange(v.p, v.len), NULL);
}

/* A header dump: a header block with no status line, at offset. */
static void
capture_http_dump(struct capture *c, uint64_t offset)
{
	struct response r;
	enum hdr_end e;

	memset(&r, 0, sizeof r);
	response_set_pos(&r, offset);
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	e = capture_http_headers(c, &r, 0);
	capture_http_headers_done(c, &r, e, NULL);
}

/*
 * One step at the top level, between exchanges. Returns 0 to go on, 1 at
 * the end (or after an error, or when the file is not a capture).
 */
static int
capture_http_top(struct capture *c)
{
	struct view v;
	uint64_t off = stream_offset(c->s);
	int k, status;
	size_t a, b, e;

	if ((k = capture_io_peekline(c, &v)) <= 0)
		return 1;
	if ((v.complete && ascii_blank(v.p, v.len)) ||
	    capture_http_is_datamark(v.p, v.len) ||
	    (v.len >= 1 && v.p[0] == '*' && (v.len == 1 || v.p[1] == ' '))) {
		c->junk = 0;
		return capture_io_getline(c, 0) < 0;
	}
	if (v.p[0] == '>' && (v.len == 1 || v.p[1] == ' ')) {
		c->seen = 1;
		c->junk = 0;
		if (v.complete && v.len > 2)
			capture_http_request(c, &v, 1);
		return capture_io_getline(c, 0) < 0;
	}
	if (v.p[0] == '<' && (v.len == 1 || v.p[1] == ' ')) {
		c->seen = 1;
		c->junk = 0;
		if (v.len > 2 && capture_http_is_status(v.p + 2, v.len - 2,
		    &status, &a, &b)) {
			capture_http_status(c, &v, 1);
			return 0;
		}
		return capture_io_getline(c, 0) < 0;	/* a stray "< " line */
	}
	if (capture_http_is_status(v.p, v.len, &status, &a, &b)) {
		c->seen = 1;
		c->junk = 0;
		capture_http_status(c, &v, 0);
		return 0;
	}
	if (v.complete && capture_http_is_request(v.p, v.len, 0, &a, &b, &e)) {
		c->seen = 1;
		c->junk = 0;
		capture_http_request(c, &v, 0);
		if (capture_io_getline(c, 0) < 0)
			return 1;
		capture_http_after_request(c);
		return 0;
	}
	if (capture_http_is_header(v.p, v.len)) {
		c->seen = 1;
		c->junk = 0;
		capture_http_dump(c, off);
		return 0;
	}
	if (!c->seen) {
		char ex[64];

		capture_http_excerpt(ex, sizeof ex, v.p, v.len);
		if (!v.complete && capture_http_is_request(v.p, v.len, 1, &a,
		    &b, &e))
			diag_report(c->d, DIAG_REJECT, c->file, "0",
			    "not a capture: its first line is a request line "
			    "longer than %d KiB, the most imgmeta reads of one "
			    "(\"%s\")", CAPTURE_MAXREQUEST / 1024, ex);
		else
			diag_report(c->d, DIAG_REJECT, c->file, "0",
			    "not a capture: expected a JSON body, HTTP "
			    "responses or a header dump (first line: \"%s\")",
			    ex);
		c->rc = RC_SKIP;
		return 1;
	}
	if (!c->junk) {
		char ex[64], pos[32];

		capture_http_excerpt(ex, sizeof ex, v.p, v.len);
		snprintf(pos, sizeof pos, "%llu", (unsigned long long)off);
		diag_report(c->d, DIAG_WARN, c->file, pos,
		    "text outside any response, ignored up to the next "
		    "response: \"%s\"", ex);
		c->junk = 1;
	}
	return capture_io_getline(c, 0) < 0;
}

/* An HTTP capture (curl's outputs, header dumps), the stream past the
 * BOM, blank lines and comments: its responses, one exchange at a time. */
void
capture_http_read(struct capture *c)
{
	while (c->rc != RC_FATAL && !c->failed && capture_http_top(c) == 0)
		;
	if (c->method != NULL && c->rc == RC_OK && !c->failed)
		diag_report(c->d, DIAG_WARN, c->file, NULL,
		    "a request line (%s %s) has no response after it",
		    c->method, c->url);
}

/*
 * At the start of a body line: ends the body if the line begins a new
 * exchange, drops curl's data marker lines. Returns 0 to read the line,
 * 1 when the body ends, -1 on a stream error.
 */
static int
capture_http_body_linestart(struct capture_body *b)
{
	struct capture *c = b->c;
	struct view v;
	const char *p;
	ssize_t n;
	int k;

	for (;;) {
		if ((n = stream_peek(c->s, &p, 1)) < 0) {
			capture_io_failed(c);
			return -1;
		}
		if (n == 0)
			return 1;
		if (*p == '\0' || strchr("><*{}ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		    *p) == NULL)
			return 0;
		if ((k = capture_io_peekline(c, &v)) < 0)
			return -1;
		if (k == 0)
			return 1;
		if (capture_http_starts_exchange(v.p, v.len))
			return 1;
		if (!v.complete || !capture_http_is_datamark(v.p, v.len))
			return 0;
		stream_skip(c->s, v.size);
	}
}
