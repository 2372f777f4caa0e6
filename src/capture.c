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
 *
 * A file that is a JSON object with a top-level key "log" is a HAR 1.2
 * archive. It is streamed with the JSON scanner (jsonscan.h): log.entries
 * is walked and each entry is cut out alone (at most CAPTURE_MAXENTRY
 * bytes) and parsed with jansson, so one entry is held at a time, never
 * the archive. Each entry is one response at "entry N", its body taken
 * from response.content.text (base64-decoded when content.encoding says
 * so) and served from memory.
 *
 * Before any of this, the readers that read whole files (reader.h,
 * bid_file: imgmeta's own JSON Lines and SQLite outputs) look at the
 * first bytes; a file one of them claims is handed over whole, as one
 * response.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture.h"
#include "jsonscan.h"
#include "reader.h"
#include "util.h"

#define CAPTURE_LOOKAHEAD	(16 * 1024)	/* to classify a line */
/* A request line is told as one when it is whole within what the stream
 * holds at once (stream.c's buffer): its longest. */
#define CAPTURE_MAXREQUEST	(64 * 1024)
/* Limits (README "Limits"): far above anything real (a 4 MiB value and
 * READ_MAX_PROPS property headers fit), low enough that a hostile file
 * cannot exhaust memory. */
#define CAPTURE_MAXLINE		(8 * 1024 * 1024) /* one header line */
#define CAPTURE_MAXHEADERS	200000		/* header lines */
#define CAPTURE_MAXBLOCK	(64 * 1024 * 1024) /* all headers */
#define CAPTURE_EXCERPT		40		/* bytes quoted in messages */
#define CAPTURE_MAXENTRY	((size_t)512 << 20) /* one HAR entry */
#define CAPTURE_MAXKEY		(64 * 1024)	/* a HAR key, as written */
#define CAPTURE_KEEPENTRY	(4 * 1024 * 1024) /* entry buffer kept */

enum body_mode {
	BODY_REST,		/* bare body: up to the end of the file */
	BODY_HTTP,		/* up to the next exchange */
	BODY_MEM		/* bytes in memory (a HAR entry's content) */
};

struct capture_body {
	struct capture	*c;
	enum body_mode	 mode;
	int		 bol;		/* at the beginning of a line */
	int		 done;
	int		 error;
	const char	*mem;		/* BODY_MEM: the bytes, borrowed */
	size_t		 memlen;
	size_t		 mempos;
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

/* A HAR archive being walked. */
struct har {
	struct capture	*c;
	struct jsonscan	*s;
	uint64_t	 base;		/* stream offset of the scanner's 0 */
	struct buf	 key;		/* the last key read, decoded */
	struct buf	 entry;		/* bytes of the current entry */
	size_t		 nentries;	/* entries read so far */
	int		 entries;	/* log.entries seen */
	int		 stop;		/* broken, reported: read no more */
};

static int	capture_peekline(struct capture *, struct view *);
static int	capture_getline(struct capture *, int);
static void	capture_failed(struct capture *);
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
static void	capture_request(struct capture *, const struct view *, int);
static enum hdr_end capture_headers(struct capture *, struct response *,
		    int);
static int	capture_add_header(struct capture *, struct response *,
		    const char *, size_t, size_t *);
static void	capture_dispatch(struct capture *, struct response *,
		    struct capture_body *, const char *);
static void	capture_headers_done(struct capture *, struct response *,
		    enum hdr_end, const char *);
static void	capture_deliver(struct capture *, struct response *, int,
		    const char *);
static void	capture_skip_body(struct capture *);
static void	capture_status(struct capture *, const struct view *, int);
static void	capture_after_request(struct capture *);
static void	capture_dump(struct capture *, uint64_t);
static void	capture_rest(struct capture *, const struct reader_ops *);
static int	capture_top(struct capture *);
static int	capture_body_linestart(struct capture_body *);
static ssize_t	capture_body_read(void *, void *, size_t);
static int	capture_is_har(struct capture *);
static ssize_t	capture_har_source(void *, void *, size_t);
static void	capture_har_pos(struct har *, char *, size_t);
static void	capture_har_broken(struct har *, enum jsonscan_rc,
		    const char *, const char *);
static int	capture_har_key(struct har *);
static int	capture_har_next(struct har *, int, const char *);
static void	capture_har_object(struct har *, int);
static void	capture_har_entries(struct har *);
static void	capture_har_entry(struct har *, uint64_t);
static enum jsonscan_rc capture_har_cut_entry(struct jsonscan *,
		    struct buf *);
static ssize_t	capture_har_mem(void *, void *, size_t);
static int	capture_har_response(struct capture *, struct response *,
		    json_t *, struct capture_body *, char **, const char **);
static int	capture_base64_digit(unsigned char);
static int	capture_base64(const char *, size_t, char **, size_t *,
		    char *, size_t);
static void	capture_har(struct capture *);
static char	*capture_packed(struct stream *, const char *);

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
	if (stream_errno(c->s) != 0)
		return;		/* not the content's fault: input.c says it */
	snprintf(pos, sizeof pos, "%llu",
	    (unsigned long long)stream_offset(c->s));
	diag_report(c->d, DIAG_REJECT, c->file, pos,
	    "%s: the rest of the file is not read", e != NULL ? e :
	    "read error");
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
	return ascii_blank(p + i, n - i);
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

		capture_excerpt(ex, sizeof ex, p, n);
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
			if (v.complete && ascii_blank(v.p + skip,
			    v.len - skip)) {
				if (capture_getline(c, 0) < 0)
					return HDR_ERROR;
				return HDR_BODY;
			}
		} else {
			if (v.complete && ascii_blank(v.p, v.len)) {
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
			    "header line longer than %d MiB: this response is "
			    "not read", CAPTURE_MAXLINE / (1024 * 1024));
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
 * the callback (2xx or no status) or reports it (other statuses). What
 * the callback left of the body is skipped afterwards. r is freed.
 */
static void
capture_dispatch(struct capture *c, struct response *r,
    struct capture_body *body, const char *reason)
{
	enum rc rc;

	c->d->n.responses++;
	r->file = c->file;
	r->sha256 = stream_sha256(c->s);
	r->body_read = capture_body_read;
	r->body = body;
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
	if (!body->done && c->rc != RC_FATAL) {
		char scratch[8192];

		while (response_body_read(r, scratch, sizeof scratch) > 0)
			;
	}
	r->body = NULL;
	response_clear(r);
}

/* After a response's header block: a response whose headers could not be
 * read is counted and dropped (its body skipped when the block was too
 * big); any other goes on with or without a body. */
static void
capture_headers_done(struct capture *c, struct response *r, enum hdr_end e,
    const char *reason)
{
	switch (e) {
	case HDR_ERROR:
		c->d->n.responses++;
		response_clear(r);
		break;
	case HDR_TOOBIG:
		c->d->n.responses++;
		response_clear(r);
		capture_skip_body(c);
		break;
	case HDR_BODY:
	case HDR_NOBODY:
		capture_deliver(c, r, e == HDR_BODY, reason);
		break;
	}
}

/* A response of an HTTP capture: its body runs up to the next exchange. */
static void
capture_deliver(struct capture *c, struct response *r, int has_body,
    const char *reason)
{
	struct capture_body body = { .c = c, .mode = BODY_HTTP, .bol = 1,
	    .done = !has_body };

	capture_dispatch(c, r, &body, reason);
}

/* Skips lines up to the next exchange (after a rejected header block). */
static void
capture_skip_body(struct capture *c)
{
	struct response r;
	struct capture_body body = { .c = c, .mode = BODY_HTTP, .bol = 1 };
	char scratch[8192];

	memset(&r, 0, sizeof r);
	r.body_read = capture_body_read;
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
	if (capture_getline(c, 0) < 0) {
		response_clear(&r);
		return;
	}

	e = capture_headers(c, &r, prefixed);
	/* Interim responses: 1xx, and a proxy's answer to CONNECT, which
	 * curl -i prints before the server's own response. */
	if (status < 200 || (status == 200 &&
	    ascii_casecmp(reason, "Connection established") == 0)) {
		response_clear(&r);
		if (e == HDR_TOOBIG)
			capture_skip_body(c);
		return;
	}
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	capture_headers_done(c, &r, e, reason);
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
	response_set_pos(&r, stream_offset(c->s));
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
		response_clear(&r);
		return;
	}
	/* Blank lines between the block and what follows do not count. */
	while ((k = capture_peekline(c, &v)) > 0 && v.complete &&
	    ascii_blank(v.p, v.len))
		if (capture_getline(c, 0) < 0)
			break;
	if (c->failed) {
		response_clear(&r);
		return;
	}
	if (k > 0 && (capture_is_status(v.p, v.len, &status, &a, &b) ||
	    (v.len > 2 && v.p[0] == '<' && v.p[1] == ' ' &&
	    capture_is_status(v.p + 2, v.len - 2, &status, &a, &b)))) {
		response_clear(&r);	/* request headers */
		return;
	}
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	if (e == HDR_TOOBIG) {
		c->d->n.responses++;
		response_clear(&r);
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
	response_set_pos(&r, offset);
	r.method = c->method;
	r.url = c->url;
	c->method = c->url = NULL;
	e = capture_headers(c, &r, 0);
	capture_headers_done(c, &r, e, NULL);
}

/* The rest of the file as one response, status unknown: a bare body, or
 * (reader set) a file that reader claimed whole, for its read_file. */
static void
capture_rest(struct capture *c, const struct reader_ops *reader)
{
	struct response r;
	struct capture_body body = { .c = c, .mode = BODY_REST };
	char scratch[8192];

	memset(&r, 0, sizeof r);
	response_set_pos(&r, 0);
	r.file = c->file;
	r.sha256 = stream_sha256(c->s);
	r.body_read = capture_body_read;
	r.body = &body;
	r.reader = reader;
	if (reader != NULL)
		r.compressed = stream_is_gzip(c->s);
	c->d->n.responses++;
	if (c->cb(c->arg, &r) == RC_FATAL) {
		c->rc = RC_FATAL;
		return;
	}
	while (response_body_read(&r, scratch, sizeof scratch) > 0)
		;
}

/*
 * Data compressed by a program other than gzip, told by its magic bytes
 * (gzip itself is read by the stream): what it is and what to run, for
 * a message, allocated; NULL for other data.
 */
static char *
capture_packed(struct stream *s, const char *file)
{
	static const struct {
		const char	*magic;
		size_t		 len;
		const char	*name;
		const char	*cmd;		/* NULL: an archive */
	} packs[] = {
		{ "BZh", 3, "bzip2", "bzip2 -dc" },	/* and a digit 1-9 */
		{ "\xfd" "7zXZ\0", 6, "xz", "xz -dc" },
		{ "\x28\xb5\x2f\xfd", 4, "zstd", "zstd -dc" },
		{ "PK\x03\x04", 4, "zip", NULL },
		{ "PK\x05\x06", 4, "zip", NULL },	/* an empty one */
	};
	const char *p;
	ssize_t n;

	if ((n = stream_peek(s, &p, 6)) < 4)
		return NULL;
	for (size_t i = 0; i < sizeof packs / sizeof packs[0]; i++) {
		if ((size_t)n < packs[i].len ||
		    memcmp(p, packs[i].magic, packs[i].len) != 0)
			continue;
		if (packs[i].len == 3 && !(p[3] >= '1' && p[3] <= '9'))
			continue;
		if (packs[i].cmd == NULL)
			return xasprintf("the file is a %s archive: extract it "
			    "first (unzip %s) and name the files or their "
			    "directory", packs[i].name, file);
		return xasprintf("the file is %s-compressed, and imgmeta "
		    "reads only gzip: decompress it first (%s %s > CAPTURE)",
		    packs[i].name, packs[i].cmd, file);
	}
	return NULL;
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
	if ((v.complete && ascii_blank(v.p, v.len)) ||
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
		if (!v.complete && capture_is_request(v.p, v.len, 1, &a, &b,
		    &e))
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
	const struct reader_ops *reader;
	struct capture c;
	struct view v;
	const char *p;
	char *packed;
	ssize_t n;
	int k, comments = 0;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.file = file;
	c.d = d;
	c.cb = cb;
	c.arg = arg;
	c.rc = RC_OK;

	/* A file a reader reads whole (imgmeta's own outputs). */
	if ((reader = read_file_bid(s)) != NULL) {
		capture_rest(&c, reader);
		goto out;
	}
	/* Compressed data imgmeta does not read, said with what to run. */
	if ((packed = capture_packed(s, file)) != NULL) {
		diag_report(d, DIAG_REJECT, file, "0", "not a capture: %s",
		    packed);
		free(packed);
		c.rc = RC_SKIP;
		goto out;
	}
	/* A UTF-8 byte order mark, blank lines, '#' comments. */
	n = stream_peek(s, &p, 4);
	if (n >= 4 && (memcmp(p, "\xff\xfe\0\0", 4) == 0 ||
	    memcmp(p, "\0\0\xfe\xff", 4) == 0)) {
		diag_report(d, DIAG_REJECT, file, "0", "not a capture: the "
		    "file is UTF-32 text; convert it to UTF-8 (iconv -f "
		    "UTF-32 -t UTF-8)");
		c.rc = RC_SKIP;
		goto out;
	}
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
		if (v.complete && ascii_blank(v.p, v.len)) {
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
	if (n > 0 && *p == '{' && capture_is_har(&c)) {
		capture_har(&c);
		goto out;
	}
	if (n > 0 && (*p == '{' || *p == '[')) {
		capture_rest(&c, NULL);
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

/* A response's body_read (response.h): its bytes, as the mode says. */
static ssize_t
capture_body_read(void *arg, void *buf, size_t size)
{
	struct capture_body *b = arg;
	struct capture *c;
	char *out = buf;
	size_t got = 0, take;
	const char *p, *nl;
	ssize_t n;

	if (b->mode == BODY_MEM) {
		take = b->memlen - b->mempos < size ? b->memlen - b->mempos :
		    size;
		if (take > 0)
			memcpy(out, b->mem + b->mempos, take);
		b->mempos += take;
		if (b->mempos == b->memlen)
			b->done = 1;
		return (ssize_t)take;
	}
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

/*
 * Is the stream, at a '{', a HAR archive: a JSON object with a top-level
 * key "log", first or after a "comment" and custom fields ("_...", HAR
 * 1.2), within what the stream holds? Nothing is consumed.
 */
static int
capture_is_har(struct capture *c)
{
	const char *p;
	ssize_t n;
	size_t i, len;
	int depth = 0, key = 0;

	if ((n = stream_peek(c->s, &p, CAPTURE_LOOKAHEAD)) <= 0)
		return 0;
	len = (size_t)n;
	/* The keys of the top-level object, strings and nesting skipped,
	 * within what the stream holds (an API body's first key is one of
	 * its envelopes). */
	for (i = 0; i < len; i++) {
		char ch = p[i];

		if (ch == '"') {
			size_t start = i;

			for (i++; i < len && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
			if (i >= len)
				return 0;
			if (depth == 1 && key) {
				size_t j = i + 1;

				while (j < len && (p[j] == ' ' ||
				    p[j] == '\t' || p[j] == '\r' ||
				    p[j] == '\n'))
					j++;
				if (i - start == 4 &&
				    memcmp(p + start, "\"log\"", 5) == 0 &&
				    j < len && p[j] == ':')
					return 1;
				/* Before "log", the root of a HAR holds
				 * nothing but a comment and custom
				 * fields. */
				if (!(i - start == 8 && memcmp(p + start,
				    "\"comment\"", 9) == 0) &&
				    !(i - start > 1 && p[start + 1] == '_'))
					return 0;
			}
			key = 0;
		} else if (ch == '{' || ch == '[') {
			depth++;
			key = depth == 1;
		} else if (ch == '}' || ch == ']') {
			if (--depth <= 0)
				return 0;
			key = 0;
		} else if (ch == ',')
			key = depth == 1;
	}
	return 0;
}

/* The scanner's byte source: the capture's stream. */
static ssize_t
capture_har_source(void *arg, void *buf, size_t n)
{
	struct capture *c = arg;
	ssize_t got = stream_read(c->s, buf, n);

	if (got < 0)
		capture_failed(c);
	return got;
}

/* The scanner's position as a message position: the byte offset. */
static void
capture_har_pos(struct har *h, char *pos, size_t size)
{
	snprintf(pos, size, "%llu",
	    (unsigned long long)(h->base + jsonscan_offset(h->s)));
}

/*
 * Reports a structural problem at pos (NULL: the scanner's offset) and
 * stops the walk; what was read before is kept. A read error has been
 * reported by capture_failed already.
 */
static void
capture_har_broken(struct har *h, enum jsonscan_rc src, const char *pos,
    const char *where)
{
	char off[32];

	h->stop = 1;
	if (h->c->rc == RC_OK)
		h->c->rc = RC_SKIP;
	if (src == JSONSCAN_ERROR)
		return;
	if (pos == NULL) {
		capture_har_pos(h, off, sizeof off);
		pos = off;
	}
	diag_report(h->c->d, DIAG_REJECT, h->c->file, pos,
	    "%s %s; the rest of the HAR archive is not read",
	    src == JSONSCAN_EOF ? "truncated JSON: the file ends" :
	    "invalid JSON", where);
}

/*
 * Reads an object's key and the colon after it; the key, decoded, is
 * left in h->key. Returns 0, or -1 when the JSON is broken (reported).
 */
static int
capture_har_key(struct har *h)
{
	enum jsonscan_rc src;
	json_t *k;
	int ch;

	buf_reset(&h->key);
	if (jsonscan_peek(h->s) < 0)
		src = jsonscan_error(h->s) ? JSONSCAN_ERROR : JSONSCAN_EOF;
	else
		src = jsonscan_string(h->s, &h->key, CAPTURE_MAXKEY);
	if (src != JSONSCAN_OK) {
		capture_har_broken(h, src, NULL, "where a key was expected");
		return -1;
	}
	k = json_loadb(h->key.data, h->key.len, JSON_DECODE_ANY, NULL);
	if (!json_is_string(k)) {
		json_decref(k);
		capture_har_broken(h, JSONSCAN_SYNTAX, NULL, "in a key");
		return -1;
	}
	buf_reset(&h->key);
	buf_addstr(&h->key, json_string_value(k));
	json_decref(k);
	jsonscan_ws(h->s);
	if ((ch = jsonscan_getc(h->s)) != ':') {
		capture_har_broken(h, ch >= 0 ? JSONSCAN_SYNTAX :
		    jsonscan_error(h->s) ? JSONSCAN_ERROR : JSONSCAN_EOF, NULL,
		    "after a key");
		return -1;
	}
	jsonscan_ws(h->s);
	return 0;
}

/*
 * After a member or an element: reads the ',' (returns 0) or the closing
 * bracket close (returns 1). Returns -1 when the JSON is broken
 * (reported).
 */
static int
capture_har_next(struct har *h, int close, const char *where)
{
	int ch;

	jsonscan_ws(h->s);
	ch = jsonscan_getc(h->s);
	if (ch == close)
		return 1;
	if (ch == ',')
		return 0;
	capture_har_broken(h, ch >= 0 ? JSONSCAN_SYNTAX :
	    jsonscan_error(h->s) ? JSONSCAN_ERROR : JSONSCAN_EOF, NULL, where);
	return -1;
}

/*
 * Walks the members of an object, its '{' consumed: at the top (level 0)
 * "log" is walked, in the log (level 1) "entries"; other members are
 * skipped unread.
 */
static void
capture_har_object(struct har *h, int level)
{
	enum jsonscan_rc src;
	char pos[32];
	int ch, toobig;

	jsonscan_ws(h->s);
	if (jsonscan_peek(h->s) == '}') {
		(void)jsonscan_getc(h->s);
		return;
	}
	for (;;) {
		jsonscan_ws(h->s);
		if (capture_har_key(h) < 0)
			return;
		ch = jsonscan_peek(h->s);
		if (level == 0 && strcmp(h->key.data, "log") == 0) {
			capture_har_pos(h, pos, sizeof pos);
			if (ch != '{') {
				diag_report(h->c->d, DIAG_REJECT, h->c->file,
				    pos, "HAR archive: \"log\" is not an "
				    "object: no entries read");
				h->stop = 1;
				h->c->rc = RC_SKIP;
				return;
			}
			(void)jsonscan_getc(h->s);
			capture_har_object(h, 1);
			if (h->stop)
				return;
			if (!h->entries) {
				diag_report(h->c->d, DIAG_REJECT, h->c->file,
				    pos, "HAR archive: \"log\" has no "
				    "\"entries\": no responses in it");
				h->c->rc = RC_SKIP;
			}
		} else if (level == 1 && strcmp(h->key.data, "entries") == 0) {
			if (ch != '[') {
				capture_har_pos(h, pos, sizeof pos);
				diag_report(h->c->d, DIAG_REJECT, h->c->file,
				    pos, "HAR archive: \"log.entries\" is not "
				    "a list: no entries read");
				h->stop = 1;
				h->c->rc = RC_SKIP;
				return;
			}
			h->entries = 1;
			(void)jsonscan_getc(h->s);
			capture_har_entries(h);
			if (h->stop)
				return;
		} else {
			toobig = 0;
			src = jsonscan_value(h->s, NULL, 0, &toobig);
			if (src != JSONSCAN_OK) {
				capture_har_broken(h, src, NULL,
				    "inside a value");
				return;
			}
		}
		if (capture_har_next(h, '}', "between the keys of an "
		    "object") != 0)
			return;
	}
}

/* Walks log.entries, its '[' consumed: one entry at a time. */
/* An entry's bytes in memory, as a jsonscan source. */
struct capture_har_bytes {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

static ssize_t
capture_har_mem(void *arg, void *buf, size_t n)
{
	struct capture_har_bytes *m = arg;

	if (n > m->len - m->off)
		n = m->len - m->off;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/*
 * Copies an entry object (s at its '{') into out without its custom
 * fields (keys starting with '_', HAR 1.2 "Custom fields"), which are
 * skipped: a browser's "_initiator" holds a call stack that can be
 * nested deeper than jansson parses, and would lose the entry's
 * response.
 */
static enum jsonscan_rc
capture_har_cut_entry(struct jsonscan *s, struct buf *out)
{
	struct buf key = BUF_INIT;
	enum jsonscan_rc src = JSONSCAN_SYNTAX;
	int ch, toobig = 0, first = 1;

	jsonscan_ws(s);
	if (jsonscan_getc(s) != '{')
		return JSONSCAN_SYNTAX;
	buf_addc(out, '{');
	jsonscan_ws(s);
	for (ch = jsonscan_peek(s); ch != '}';) {
		buf_reset(&key);
		if (ch != '"' || jsonscan_string(s, &key, CAPTURE_MAXKEY) !=
		    JSONSCAN_OK)
			goto out;
		jsonscan_ws(s);
		if (jsonscan_getc(s) != ':')
			goto out;
		if (key.len > 1 && key.data[1] == '_') {
			if (jsonscan_value(s, NULL, 0, &toobig) != JSONSCAN_OK)
				goto out;
		} else {
			if (!first)
				buf_addc(out, ',');
			first = 0;
			buf_add(out, key.data, key.len);
			buf_addc(out, ':');
			if (jsonscan_value(s, out, CAPTURE_MAXENTRY, &toobig) !=
			    JSONSCAN_OK)
				goto out;
		}
		jsonscan_ws(s);
		if ((ch = jsonscan_peek(s)) == ',') {
			(void)jsonscan_getc(s);
			jsonscan_ws(s);
			ch = jsonscan_peek(s);
		} else if (ch != '}')
			goto out;
	}
	buf_addc(out, '}');
	src = JSONSCAN_OK;
out:
	buf_free(&key);
	return src;
}

static void
capture_har_entries(struct har *h)
{
	enum jsonscan_rc src;
	char pos[32];
	uint64_t offset;
	int toobig;

	jsonscan_ws(h->s);
	if (jsonscan_peek(h->s) == ']') {
		(void)jsonscan_getc(h->s);
		return;
	}
	for (;;) {
		jsonscan_ws(h->s);
		offset = h->base + jsonscan_offset(h->s);
		snprintf(pos, sizeof pos, "entry %zu", h->nentries);
		buf_reset(&h->entry);
		toobig = 0;
		src = jsonscan_value(h->s, &h->entry, CAPTURE_MAXENTRY,
		    &toobig);
		if (src != JSONSCAN_OK) {
			capture_har_broken(h, src, pos, "inside this entry");
			return;
		}
		if (toobig) {
			h->c->d->n.responses++;
			diag_report(h->c->d, DIAG_REJECT, h->c->file, pos,
			    "HAR entry larger than %zu MiB: not read",
			    CAPTURE_MAXENTRY >> 20);
		} else
			capture_har_entry(h, offset);
		h->nentries++;
		if (h->c->rc == RC_FATAL) {
			h->stop = 1;
			return;
		}
		if (capture_har_next(h, ']', "after an entry") != 0)
			return;
	}
}

/* One entry, cut out in h->entry, at offset: parsed, then delivered. */
static void
capture_har_entry(struct har *h, uint64_t offset)
{
	struct capture *c = h->c;
	struct capture_body body = { .c = c, .mode = BODY_MEM };
	struct response r;
	json_error_t err;
	const char *reason = NULL;
	char *decoded = NULL;
	json_t *e;

	memset(&r, 0, sizeof r);
	r.offset = offset;
	snprintf(r.pos, sizeof r.pos, "entry %zu", h->nentries);
	e = json_loadb(h->entry.data, h->entry.len,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (e == NULL && json_error_code(&err) == json_error_stack_overflow) {
		/* Nested too deep: again without its custom fields, where
		 * that is (a browser's _initiator); else the error stands. */
		struct capture_har_bytes m = { h->entry.data, h->entry.len, 0 };
		struct jsonscan *s = jsonscan_new(capture_har_mem, &m);
		struct buf cut = BUF_INIT;
		json_error_t err2;

		if (capture_har_cut_entry(s, &cut) == JSONSCAN_OK)
			e = json_loadb(cut.data, cut.len, JSON_DECODE_ANY |
			    JSON_ALLOW_NUL, &err2);
		jsonscan_free(s);
		buf_free(&cut);
	}
	/* The entry's bytes are not needed once parsed: a big one is let
	 * go before its body is decoded and read. */
	if (h->entry.cap > CAPTURE_KEEPENTRY)
		buf_free(&h->entry);
	if (e == NULL) {
		c->d->n.responses++;
		diag_report(c->d, DIAG_REJECT, c->file, r.pos, "invalid JSON "
		    "in this HAR entry: %s (line %d, column %d of the entry)",
		    err.text, err.line, err.column);
		return;
	}
	if (capture_har_response(c, &r, e, &body, &decoded, &reason) == 0)
		capture_dispatch(c, &r, &body, reason);
	else {
		c->d->n.responses++;
		response_clear(&r);
	}
	free(decoded);
	json_decref(e);
}

/*
 * Fills r and its body from a parsed HAR entry: request.method and .url,
 * response.status, .statusText (*reason, borrowed from e), .httpVersion,
 * .headers and .content (text, base64-decoded into *decoded when its
 * encoding says so). Unknown keys are ignored: Chrome and Firefox add
 * their own, and leave out what they do not know. Returns 0, or -1 when
 * the entry is rejected (reported, not counted).
 */
static int
capture_har_response(struct capture *c, struct response *r, json_t *e,
    struct capture_body *body, char **decoded, const char **reason)
{
	json_t *req, *resp, *v, *hs, *content, *text, *enc;
	json_int_t status;
	char why[96];
	size_t i, len;

	if (!json_is_object(e)) {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "HAR entry is not an object: not read");
		return -1;
	}
	req = json_object_get(e, "request");
	if (json_is_string(v = json_object_get(req, "method")) &&
	    json_string_length(v) > 0)
		r->method = xstrdup(json_string_value(v));
	if (json_is_string(v = json_object_get(req, "url")) &&
	    json_string_length(v) > 0)
		r->url = xstrdup(json_string_value(v));

	resp = json_object_get(e, "response");
	if (!json_is_object(resp)) {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "HAR entry has no \"response\" object: not read");
		return -1;
	}
	v = json_object_get(resp, "status");
	if (json_is_integer(v))
		status = json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) >= 0 &&
	    json_real_value(v) < 1000 &&
	    json_real_value(v) == (double)(int)json_real_value(v))
		status = (json_int_t)json_real_value(v);
	else {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "HAR entry has no response status: not read");
		return -1;
	}
	if (status == 0) {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "request was not answered (status 0)");
		return -1;
	}
	if (status < 100 || status > 999) {
		diag_report(c->d, DIAG_REJECT, c->file, r->pos,
		    "response status %lld is not an HTTP status: not read",
		    (long long)status);
		return -1;
	}
	r->status = (int)status;
	if (json_is_string(v = json_object_get(resp, "statusText")))
		*reason = json_string_value(v);
	if (json_is_string(v = json_object_get(resp, "httpVersion")) &&
	    json_string_length(v) > 0)
		r->proto = xstrdup(json_string_value(v));

	hs = json_object_get(resp, "headers");
	json_array_foreach(hs, i, v) {
		json_t *name = json_object_get(v, "name");
		json_t *value = json_object_get(v, "value");
		const char *p;
		struct header *h;

		if (!json_is_string(name) || !json_is_string(value) ||
		    json_string_length(name) == 0)
			continue;
		if (r->nheaders >= CAPTURE_MAXHEADERS) {
			diag_report(c->d, DIAG_REJECT, c->file, r->pos,
			    "more than %d headers: this entry is not read",
			    CAPTURE_MAXHEADERS);
			return -1;
		}
		p = json_string_value(value);
		len = json_string_length(value);
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		h = response_header_slot(r);
		h->name = xstrdup(json_string_value(name));
		h->value = xmalloc(len + 1);
		memcpy(h->value, p, len);
		h->value[len] = '\0';
		h->value_len = len;
	}

	/* A non-2xx entry is reported; its body does not matter. */
	body->done = 1;
	if (r->status < 200 || r->status > 299)
		return 0;
	content = json_object_get(resp, "content");
	text = json_object_get(content, "text");
	if (!json_is_string(text))
		return 0;	/* HEAD, 204, or exported without bodies */
	enc = json_object_get(content, "encoding");
	if (json_is_string(enc) && json_string_length(enc) > 0) {
		if (ascii_casecmp(json_string_value(enc), "base64") != 0) {
			diag_report(c->d, DIAG_REJECT, c->file, r->pos,
			    "content.encoding \"%s\" is not supported (only "
			    "base64 is): this entry is not read",
			    json_string_value(enc));
			return -1;
		}
		if (capture_base64(json_string_value(text),
		    json_string_length(text), decoded, &len, why,
		    sizeof why) < 0) {
			diag_report(c->d, DIAG_REJECT, c->file, r->pos,
			    "content.text is not valid base64 (content."
			    "encoding is \"base64\"): %s; this entry is not "
			    "read", why);
			return -1;
		}
		body->mem = *decoded;
		body->memlen = len;
	} else {
		body->mem = json_string_value(text);
		body->memlen = json_string_length(text);
	}
	body->done = body->memlen == 0;
	return 0;
}

/* The value of a base64 digit (RFC 4648, section 4), or -1. */
static int
capture_base64_digit(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/*
 * Decodes base64 (RFC 4648, section 4). Blanks and line breaks between
 * digits are ignored (some tools wrap lines); the final padding may be
 * left out. Returns 0 with the bytes in *out (caller frees) and their
 * count in *outlen, or -1 with why saying what is wrong.
 */
static int
capture_base64(const char *p, size_t n, char **out, size_t *outlen,
    char *why, size_t whysize)
{
	unsigned char *o = xmalloc(n / 4 * 3 + 3);
	uint32_t acc = 0;
	size_t i, q = 0, len = 0, pad = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		int v;

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		if (ch == '=') {
			pad++;
			continue;
		}
		if ((v = capture_base64_digit(ch)) < 0) {
			if (ch > 0x20 && ch < 0x7f)
				snprintf(why, whysize, "'%c' at character %zu",
				    (char)ch, i);
			else
				snprintf(why, whysize, "byte 0x%02x at "
				    "character %zu", ch, i);
			goto bad;
		}
		if (pad > 0) {
			snprintf(why, whysize, "data after the '=' padding "
			    "at character %zu", i);
			goto bad;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++q == 4) {
			o[len++] = (unsigned char)(acc >> 16);
			o[len++] = (unsigned char)(acc >> 8);
			o[len++] = (unsigned char)acc;
			acc = 0;
			q = 0;
		}
	}
	if (q == 1) {
		snprintf(why, whysize, "it ends with a lone digit (%zu digits "
		    "is not a whole number of bytes)", len / 3 * 4 + 1);
		goto bad;
	}
	if (pad > 0 && (q == 0 || q + pad != 4)) {
		snprintf(why, whysize, "wrong '=' padding at the end");
		goto bad;
	}
	if (q == 2)
		o[len++] = (unsigned char)(acc >> 4);
	else if (q == 3) {
		o[len++] = (unsigned char)(acc >> 10);
		o[len++] = (unsigned char)(acc >> 2);
	}
	*out = (char *)o;
	*outlen = len;
	return 0;
bad:
	free(o);
	return -1;
}

/*
 * A HAR 1.2 archive, the stream at its '{': each entry of log.entries is
 * one response, at "entry N".
 */
static void
capture_har(struct capture *c)
{
	struct har h;
	char pos[32];

	memset(&h, 0, sizeof h);
	h.c = c;
	h.base = stream_offset(c->s);
	h.s = jsonscan_new(capture_har_source, c);
	(void)jsonscan_getc(h.s);			/* '{' */
	capture_har_object(&h, 0);
	if (!h.stop && !c->failed) {
		jsonscan_ws(h.s);
		if (jsonscan_peek(h.s) >= 0) {
			capture_har_pos(&h, pos, sizeof pos);
			diag_report(c->d, DIAG_WARN, c->file, pos, "data after "
			    "the end of the HAR archive ignored");
		}
	}
	jsonscan_free(h.s);
	buf_free(&h.key);
	buf_free(&h.entry);
}
