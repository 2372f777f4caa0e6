/*
 * test_capture.c: the stream (buffering, gunzip), capture (files into
 * responses) and input (walking files and directories) modules.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "capture.h"
#include "diag.h"
#include "input.h"
#include "stream.h"
#include "util.h"

#include "t.h"

#define SAMPLES	"/work/shared/public-samples"
#define MAXGOT	16

/* What the callback saw of one response. */
struct got {
	int		 status;
	char		*proto, *method, *url;
	char		 pos[64];
	uint64_t	 offset;
	size_t		 nheaders;
	char		*headers;	/* "name=value\n" each */
	char		*body;
	size_t		 body_len;
	int		 body_rc;	/* last response_body_read result */
};

static struct got	got[MAXGOT];
static size_t		ngot;
static struct buf	msgs;		/* "KIND FILE:POS: message\n" each */
static struct diag	d;
static size_t		read_limit;	/* bytes of body the callback reads */
static int		fatal_after;	/* return RC_FATAL after this many */

/* Files seen by input_walk. */
static struct buf	walked;

static void	reset(void);
static const char *said(void);
static void	sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static enum rc	collect(void *, struct response *);
static enum rc	run(const char *, size_t);
static enum rc	runs(const char *);
static const char *hdr(size_t, const char *);
static char	*gzip_mem(const char *, size_t, size_t *);
static void	write_file(const char *, const void *, size_t);
static enum rc	walk_cb(void *, const char *, struct stream *);
static enum rc	walk_capture_cb(void *, const char *, struct stream *);

static void test_stream(void);
static void test_gzip(void);
static void test_bare(void);
static void test_http(void);
static void test_multi(void);
static void test_requests(void);
static void test_curl_v(void);
static void test_dump(void);
static void test_rejects(void);
static void test_limits(void);
static void test_callback(void);
static void test_input(void);
static void test_samples(void);
static void test_har(void);
static void test_har_layouts(void);
static void test_har_rejects(void);
static void test_har_big(void);

static void
reset(void)
{
	for (size_t i = 0; i < ngot; i++) {
		free(got[i].proto);
		free(got[i].method);
		free(got[i].url);
		free(got[i].headers);
		free(got[i].body);
	}
	memset(got, 0, sizeof got);
	ngot = 0;
	buf_reset(&msgs);
	diag_init(&d, sink, NULL);
	read_limit = SIZE_MAX;
	fatal_after = 0;
}

/* What was reported since the last reset. */
static const char *
said(void)
{
	return buf_cstr(&msgs);
}

static void
sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	static const char *const kinds[] = { "NOTE", "WARN", "REJECT",
	    "NON2XX", "CONFLICT", "ERROR" };

	(void)arg;
	buf_printf(&msgs, "%s %s:%s: %s\n", kinds[kind], file ? file : "-",
	    pos ? pos : "-", msg);
}

static enum rc
collect(void *arg, struct response *r)
{
	struct got *g;
	struct buf h = BUF_INIT, b = BUF_INIT;
	char chunk[1000];
	ssize_t n = 0;

	(void)arg;
	if (ngot == MAXGOT)
		return RC_OK;
	g = &got[ngot++];
	g->status = r->status;
	g->proto = xstrdup(r->proto);
	g->method = xstrdup(r->method);
	g->url = xstrdup(r->url);
	memcpy(g->pos, r->pos, sizeof g->pos);
	g->offset = r->offset;
	g->nheaders = r->nheaders;
	for (size_t i = 0; i < r->nheaders; i++)
		buf_printf(&h, "%s=%s\n", r->headers[i].name,
		    r->headers[i].value);
	g->headers = buf_detach(&h);
	while (b.len < read_limit) {
		size_t want = read_limit - b.len < sizeof chunk ?
		    read_limit - b.len : sizeof chunk;

		if ((n = response_body_read(r, chunk, want)) <= 0)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	g->body_rc = (int)n;
	g->body_len = b.len;
	g->body = buf_detach(&b);
	if (fatal_after > 0 && (int)ngot >= fatal_after)
		return RC_FATAL;
	return RC_OK;
}

static enum rc
run(const char *p, size_t n)
{
	struct stream *s = stream_open_mem(p, n);
	enum rc rc;

	reset();
	rc = capture_read(s, "f", &d, collect, NULL);
	stream_free(s);
	return rc;
}

static enum rc
runs(const char *p)
{
	return run(p, strlen(p));
}

static const char *
hdr(size_t i, const char *name)
{
	static char value[256];
	const char *p = got[i].headers, *nl;
	size_t len = strlen(name);

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (strncmp(p, name, len) == 0 && p[len] == '=') {
			snprintf(value, sizeof value, "%.*s",
			    (int)(nl - p - (ptrdiff_t)len - 1), p + len + 1);
			return value;
		}
		p = nl + 1;
	}
	return NULL;
}

/* One gzip member of p. */
static char *
gzip_mem(const char *p, size_t n, size_t *outlen)
{
	z_stream z;
	size_t cap = compressBound((uLong)n) + 64;
	char *out = xmalloc(cap);

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		fatal("deflateInit2");
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		fatal("deflate");
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) < 0)
		fatal("cannot write %s: %s", path, strerror(errno));
}

static void
test_stream(void)
{
	struct stream *s;
	const char *p;
	char b[8];
	ssize_t n;

	s = stream_open_mem("hello, world", 12);
	n = stream_peek(s, &p, 5);
	T_OK(n >= 5 && memcmp(p, "hello", 5) == 0,
	    "stream_peek shows bytes without consuming them");
	T_INT(stream_offset(s), 0, "peeking does not move the offset");
	stream_skip(s, 7);
	T_INT(stream_offset(s), 7, "stream_skip moves the offset");
	n = stream_read(s, b, sizeof b);
	T_INT(n, 5, "stream_read returns what is left");
	T_OK(memcmp(b, "world", 5) == 0, "stream_read gives the bytes");
	T_INT(stream_read(s, b, sizeof b), 0, "stream_read returns 0 at "
	    "the end");
	T_INT(stream_peek(s, &p, 4), 0, "stream_peek shows 0 bytes at the "
	    "end");
	T_STR(stream_error(s), NULL, "no error after a clean read");
	T_INT(stream_is_gzip(s), 0, "plain data is not gzip");
	stream_free(s);
	stream_free(NULL);

	/* A peek larger than the buffer grows it to the want. */
	{
		size_t big = 200 * 1024;
		char *data = xmalloc(big);

		for (size_t i = 0; i < big; i++)
			data[i] = (char)('a' + i % 26);
		s = stream_open_mem(data, big);
		stream_peek(s, &p, 10);
		stream_skip(s, 10);
		n = stream_peek(s, &p, big - 10);
		T_INT(n, big - 10, "stream_peek of 200 KiB shows 200 KiB");
		T_OK(n > 0 && p[0] == data[10] && p[big - 11] ==
		    data[big - 1], "stream_peek keeps the bytes in order");
		stream_free(s);
		free(data);
	}
}

static void
test_gzip(void)
{
	static const char text[] = "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n"
	    "{\"images\": []}\n";
	char *gz, *gz2, *cat, *bad;
	size_t gzlen, gz2len;
	struct stream *s;
	char b[256];
	ssize_t n;

	gz = gzip_mem(text, sizeof text - 1, &gzlen);
	s = stream_open_mem(gz, gzlen);
	n = stream_read(s, b, sizeof b);
	T_INT(n, sizeof text - 1, "a gzip stream is inflated");
	T_OK(n > 0 && memcmp(b, text, (size_t)n) == 0,
	    "inflated bytes are the original");
	T_INT(stream_is_gzip(s), 1, "gzip magic detected");
	T_INT(stream_offset(s), sizeof text - 1,
	    "offsets count decompressed bytes");
	T_INT(stream_read(s, b, sizeof b), 0, "end of a gzip stream");
	T_STR(stream_error(s), NULL, "a complete gzip stream has no error");
	stream_free(s);

	/* Concatenated members, as gzip -d reads them. */
	gz2 = gzip_mem("second\n", 7, &gz2len);
	cat = xmalloc(gzlen + gz2len + 5);
	memcpy(cat, gz, gzlen);
	memcpy(cat + gzlen, gz2, gz2len);
	s = stream_open_mem(cat, gzlen + gz2len);
	{
		struct buf all = BUF_INIT;

		while ((n = stream_read(s, b, 10)) > 0)
			buf_add(&all, b, (size_t)n);
		T_INT(all.len, sizeof text - 1 + 7,
		    "concatenated gzip members are all read");
		T_OK(all.len >= 7 && memcmp(all.data + all.len - 7,
		    "second\n", 7) == 0, "the second member follows the first");
		T_INT(n, 0, "concatenated members end cleanly");
		buf_free(&all);
	}
	stream_free(s);

	/* Zero padding after the last member is ignored. */
	memset(cat + gzlen + gz2len, 0, 5);
	s = stream_open_mem(cat, gzlen + gz2len + 5);
	while ((n = stream_read(s, b, sizeof b)) > 0)
		;
	T_INT(n, 0, "zero padding after gzip members is ignored");
	stream_free(s);

	/* Truncated: everything decodable first, then -1. */
	s = stream_open_mem(gz, gzlen - 10);
	{
		struct buf all = BUF_INIT;

		while ((n = stream_read(s, b, sizeof b)) > 0)
			buf_add(&all, b, (size_t)n);
		T_INT(n, -1, "a truncated gzip stream ends with -1");
		T_STR(stream_error(s), "truncated gzip stream",
		    "the error says the gzip stream is truncated");
		T_OK(all.len > 0 && memcmp(all.data, text, all.len) == 0,
		    "bytes before the truncation are delivered");
		buf_free(&all);
	}
	stream_free(s);

	/* Corrupt data. */
	bad = xmalloc(gzlen);
	memcpy(bad, gz, gzlen);
	bad[gzlen - 8] = (char)~bad[gzlen - 8];	/* the CRC-32 */
	s = stream_open_mem(bad, gzlen);
	while ((n = stream_read(s, b, sizeof b)) > 0)
		;
	T_INT(n, -1, "corrupt gzip data ends with -1");
	T_STR(stream_error(s), "corrupt gzip data: incorrect data check",
	    "the error says the gzip data is corrupt, with zlib's reason");
	stream_free(s);

	/* Through capture: a gzip capture is a capture. */
	T_INT(run(gz, gzlen), RC_OK, "a gzip capture is read");
	T_INT(ngot, 1, "a gzip capture gives its response");
	T_STR(got[0].body, "{\"images\": []}\n", "the gzip capture's body");

	/* A truncated gzip capture: reported, RC_SKIP. */
	T_INT(run(gz, gzlen - 10), RC_SKIP,
	    "a truncated gzip capture is not read to the end");
	T_OK(strstr(said(), "REJECT f:") != NULL &&
	    strstr(said(), "truncated gzip stream: the rest of the file "
	    "is not read") != NULL,
	    "a truncated gzip capture is reported as such");

	free(gz);
	free(gz2);
	free(cat);
	free(bad);
}

static void
test_bare(void)
{
	T_INT(runs("{\"images\": []}\n"), RC_OK, "bare JSON body read");
	T_INT(ngot, 1, "bare JSON body is one response");
	T_INT(got[0].status, 0, "a bare body has no status");
	T_STR(got[0].proto, NULL, "a bare body has no protocol");
	T_INT(got[0].nheaders, 0, "a bare body has no headers");
	T_STR(got[0].pos, "0", "a bare body is at offset 0");
	T_STR(got[0].body, "{\"images\": []}\n", "bare body is the file");
	T_INT(d.n.responses, 1, "a bare body counts as one response");

	runs("\xef\xbb\xbf\r\n\n  {\"image\": {}}");
	T_INT(ngot, 1, "bare JSON after a BOM and blank lines");
	T_STR(got[0].body, "{\"image\": {}}",
	    "the body starts at '{', the BOM and blanks excluded");

	runs("[1, 2]");
	T_STR(got[0].body, "[1, 2]", "a bare body may be a JSON array");

	runs("# captured by hand\n# second comment\n{\"meta\": {}}\n");
	T_STR(got[0].body, "{\"meta\": {}}\n", "leading # comments skipped");

	/* A bare body runs to the end, even past text that looks like a
	 * status line. */
	runs("{\"a\":\n\"x\"}\nHTTP/1.1 200 OK\n");
	T_INT(ngot, 1, "a bare body is never split");
}

static void
test_http(void)
{
	const char *p;

	p = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "X-Compute-Request-Id:   req-1  \r\n"
	    "\r\n"
	    "{\"image\": {\"id\": \"x\"}}\r\n";
	T_INT(runs(p), RC_OK, "curl -i capture read");
	T_INT(ngot, 1, "curl -i gives one response");
	T_INT(got[0].status, 200, "status from the status line");
	T_STR(got[0].proto, "HTTP/1.1", "protocol from the status line");
	T_STR(got[0].pos, "0", "the response is at offset 0");
	T_INT(got[0].nheaders, 2, "two headers");
	T_STR(hdr(0, "Content-Type"), "application/json",
	    "header value without CR");
	T_STR(hdr(0, "X-Compute-Request-Id"), "req-1",
	    "header value trimmed of blanks");
	T_STR(got[0].body, "{\"image\": {\"id\": \"x\"}}\r\n",
	    "body after the blank line, up to the end");
	T_STR(said(), "", "nothing reported for a clean capture");

	p = "HTTP/2 200 \n"
	    "content-type: application/json\n"
	    "x-openstack-request-id: req-2\n"
	    "\n"
	    "{}\n";
	runs(p);
	T_INT(got[0].status, 200, "HTTP/2 status line");
	T_STR(got[0].proto, "HTTP/2", "HTTP/2 protocol");
	T_STR(hdr(0, "x-openstack-request-id"), "req-2",
	    "lowercase header names kept as sent");
	{
		struct response r;
		/* response_header on a response built by hand. */
		struct header h[1] = { { (char *)(uintptr_t)"x-openstack-"
		    "request-id", (char *)(uintptr_t)"req-2", 5 } };

		memset(&r, 0, sizeof r);
		r.headers = h;
		r.nheaders = 1;
		T_OK(response_header(&r, "X-OpenStack-Request-ID") == &h[0],
		    "response_header matches names in any case");
		T_OK(response_header(&r, "Date") == NULL,
		    "response_header gives NULL for a missing header");
	}

	runs("HTTP/3 200\nx-image-meta-id: abc\n\n");
	T_INT(got[0].status, 200, "HTTP/3 status line without reason");
	T_STR(got[0].proto, "HTTP/3", "HTTP/3 protocol");
	T_STR(got[0].body, "", "a response with nothing after the blank "
	    "line has an empty body");
	T_INT(got[0].body_rc, 0, "the empty body reads as 0 at once");

	runs("HTTP/1.0 203 Non-Authoritative Information\n\n{}");
	T_INT(got[0].status, 203, "HTTP/1.0 and any 2xx status");

	/* Folded header lines. */
	runs("HTTP/1.1 200 OK\r\n"
	    "X-Image-Meta-Name: a long\r\n"
	    "   name\r\n"
	    "\tcontinued  \r\n"
	    "X-B: b\r\n\r\n");
	T_STR(hdr(0, "X-Image-Meta-Name"), "a long name continued",
	    "obs-fold continuation lines joined with one space");
	T_STR(hdr(0, "X-B"), "b", "the header after a folded one");

	/* Content-Length is not trusted either way. */
	runs("HTTP/1.1 200 OK\r\nContent-Length: 495\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{\"a\": 1}\n");
	T_INT(ngot, 2, "a Content-Length announcing a missing body does "
	    "not swallow the next response");
	T_STR(got[0].body, "", "the HEAD response's body is empty");
	T_STR(got[1].body, "{\"a\": 1}\n",
	    "a body longer than its Content-Length is read whole");

	/* A body without the blank line (documentation pages). */
	runs("HTTP/1.1 200 OK\nContent-Type: application/json\n"
	    "{\n  \"images\": []\n}\n");
	T_INT(got[0].nheaders, 1, "headers before a '{' line");
	T_STR(got[0].body, "{\n  \"images\": []\n}\n",
	    "a '{' line where a header is expected starts the body");

	runs("STATUS CODE 200\n{\"images\": []}\n");
	T_INT(ngot, 1, "the documentation form STATUS CODE 200");
	T_INT(got[0].status, 200, "STATUS CODE gives the status");
	T_STR(got[0].proto, NULL, "STATUS CODE has no protocol");
	T_STR(got[0].body, "{\"images\": []}\n",
	    "the body right after STATUS CODE");

	/* Interim responses. */
	runs("HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n{}");
	T_INT(ngot, 1, "100 Continue is skipped");
	T_INT(d.n.responses, 1, "an interim response is not counted");
	T_STR(got[0].pos, "25", "the final response is at its status line");
	T_STR(hdr(0, "X-A"), "1", "the final response's headers");
	T_STR(said(), "", "interim responses are skipped silently");

	runs("HTTP/1.1 200 Connection established\r\n\r\n"
	    "HTTP/2 200\r\nx-a: 2\r\n\r\n{}");
	T_INT(ngot, 1, "a proxy's 200 Connection established is skipped");
	T_STR(hdr(0, "x-a"), "2", "the server's response follows it");
}

static void
test_multi(void)
{
	const char *p;

	/* A loop of curl -sI >> file. */
	p = "HTTP/1.1 200 OK\r\nX-Image-Meta-Id: a\r\nContent-Length: 0\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nX-Image-Meta-Id: b\r\nContent-Length: 0\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nX-Image-Meta-Id: c\r\nContent-Length: 0\r\n\r\n";
	T_INT(runs(p), RC_OK, "curl -sI loop read");
	T_INT(ngot, 3, "three responses in one file");
	T_STR(hdr(0, "X-Image-Meta-Id"), "a", "first response's header");
	T_STR(hdr(2, "X-Image-Meta-Id"), "c", "third response's header");
	T_STR(got[1].pos, "58", "second response at its byte offset");
	T_STR(got[2].pos, "116", "third response at its byte offset");
	T_INT(d.n.responses, 3, "three responses counted");

	/* A body ends at the next status line. */
	runs("HTTP/1.1 200 OK\n\n{\"a\":\n1}\nHTTP/1.1 200 OK\n\n{}\n");
	T_INT(ngot, 2, "two responses with bodies");
	T_STR(got[0].body, "{\"a\":\n1}\n",
	    "a body runs up to the next status line");
	T_STR(got[1].body, "{}\n", "the second body");

	/* Non-2xx: reported, not delivered. */
	p = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n"
	    "{\"itemNotFound\": {\"code\": 404}}\r\n"
	    "HTTP/2 503\r\n\r\n"
	    "HTTP/1.1 200 OK\r\n\r\n{}";
	T_INT(runs(p), RC_OK, "a capture with error responses is read");
	T_INT(ngot, 1, "a 404 response is not delivered");
	T_STR(got[0].body, "{}", "the 200 after it is");
	T_INT(d.n.responses, 3, "non-2xx responses are counted");
	T_INT(d.n.non2xx, 2, "non-2xx responses are counted as such");
	T_OK(strstr(said(), "NON2XX f:0: HTTP 404 response (Not Found): "
	    "not an observation\n") != NULL,
	    "a 404 is reported at its offset with its reason");
	T_OK(strstr(said(), "NON2XX f:91: HTTP 503 response (Service "
	    "Unavailable): not an observation\n") != NULL,
	    "an HTTP/2 503 is reported with the standard reason");
}

static void
test_requests(void)
{
	const char *p;

	p = "GET /v2.1/p/images/x HTTP/1.1\r\n"
	    "Host: nova.example\r\n"
	    "Accept: */*\r\n"
	    "\r\n"
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "\r\n"
	    "{}\r\n";
	T_INT(runs(p), RC_OK, "request and response read");
	T_INT(ngot, 1, "a request line gives no response of its own");
	T_STR(got[0].method, "GET", "method from the request line");
	T_STR(got[0].url, "/v2.1/p/images/x", "URL from the request line");
	T_STR(hdr(0, "Host"), NULL, "request headers are not the response's");
	T_STR(hdr(0, "Content-Type"), "application/json",
	    "the response's own headers");
	T_STR(got[0].body, "{}\r\n", "the response's body");

	runs("GET https://nova.example/v2.1/p/images/x/metadata HTTP/2\n\n"
	    "HTTP/2 200\n\n{}\nGET /v2.1/p/images/y HTTP/2\n\n"
	    "HTTP/2 200\n\n{}\n");
	T_INT(ngot, 2, "two request/response pairs");
	T_STR(got[0].url, "https://nova.example/v2.1/p/images/x/metadata",
	    "an absolute URL as request target");
	T_STR(got[1].url, "/v2.1/p/images/y",
	    "a request line ends the previous body and names the next");

	/* Postman-style: request line, then the response's headers. */
	p = "HEAD /v1/images/06641866-f5b6-40af-8e5b-a6fa1437b6a1 HTTP/1.1\n"
	    "Content-Length: 0\n"
	    "X-Image-Meta-Id: 06641866-f5b6-40af-8e5b-a6fa1437b6a1\n";
	runs(p);
	T_INT(ngot, 1, "a request line with headers and no status line");
	T_INT(got[0].status, 0, "its status is unknown");
	T_STR(got[0].method, "HEAD", "its method");
	T_STR(got[0].url, "/v1/images/06641866-f5b6-40af-8e5b-a6fa1437b6a1",
	    "its URL");
	T_STR(hdr(0, "X-Image-Meta-Id"),
	    "06641866-f5b6-40af-8e5b-a6fa1437b6a1",
	    "the header block is the response's");
	T_STR(got[0].pos, "62", "at its first header line");

	runs("GET /v1/images/detail HTTP/1.1\n{\"images\": []}\n");
	T_INT(ngot, 1, "a request line followed by a body");
	T_STR(got[0].body, "{\"images\": []}\n", "the body after it");
	T_STR(got[0].method, "GET", "with the request's method");

	runs("GET /v1/images/detail HTTP/1.1\n\n");
	T_INT(ngot, 0, "a request line alone gives no response");
	T_OK(strstr(said(), "WARN f:-: a request line (GET "
	    "/v1/images/detail) has no response after it") != NULL,
	    "a request line with no response is warned about");
}

static void
test_curl_v(void)
{
	const char *p;

	p = "*   Trying 192.0.2.1:8774...\n"
	    "* Connected to nova.example (192.0.2.1) port 8774 (#0)\n"
	    "> GET /v2.1/p/images/x HTTP/1.1\r\n"
	    "> Host: nova.example:8774\r\n"
	    "> Accept: */*\r\n"
	    "> \r\n"
	    "* Mark bundle as not supporting multiuse\n"
	    "< HTTP/1.1 200 OK\r\n"
	    "< Content-Type: application/json\r\n"
	    "* some note\n"
	    "< Content-Length: 22\r\n"
	    "< \r\n"
	    "{ [22 bytes data]\n"
	    "{\"image\": {\"id\": \"x\"}}\n"
	    "* Connection #0 to host nova.example left intact\n"
	    "> HEAD /v1/images/y HTTP/1.1\n"
	    ">\n"
	    "< HTTP/1.1 404 Not Found\n"
	    "<\n";
	T_INT(runs(p), RC_OK, "curl -v capture read");
	T_INT(ngot, 1, "curl -v: the 2xx response");
	T_STR(got[0].method, "GET", "curl -v: method from the > line");
	T_STR(got[0].url, "/v2.1/p/images/x", "curl -v: URL from the > line");
	T_INT(got[0].status, 200, "curl -v: status from the < line");
	T_INT(got[0].nheaders, 2, "curl -v: < headers, * notes skipped");
	T_STR(hdr(0, "Content-Type"), "application/json",
	    "curl -v: header without the < prefix");
	T_STR(got[0].body, "{\"image\": {\"id\": \"x\"}}\n",
	    "curl -v: body without data marker lines, up to the * line");
	T_INT(d.n.responses, 2, "curl -v: both responses counted");
	T_OK(strstr(said(), "HTTP 404 response (Not Found)") != NULL,
	    "curl -v: the 404 reported");
}

static void
test_dump(void)
{
	runs("# from the API reference\n"
	    "X-Image-Meta-Id: 03bc0a8b\n"
	    "X-Image-Meta-Name: cirros\n");
	T_INT(ngot, 1, "a header dump is one response");
	T_INT(got[0].status, 0, "a header dump has no status");
	T_STR(got[0].proto, NULL, "nor a protocol");
	T_STR(got[0].pos, "25", "a header dump is at its first header line");
	T_STR(hdr(0, "X-Image-Meta-Name"), "cirros", "header dump values");
	T_STR(got[0].body, "", "a header dump without body");

	/* Raw bytes of header values are kept (the reader converts). */
	runs("X-Image-Meta-Name: caf\xe9\n");
	T_STR(hdr(0, "X-Image-Meta-Name"), "caf\xe9",
	    "Latin-1 header bytes kept as they are");
}

static void
test_rejects(void)
{
	T_INT(runs(""), RC_SKIP, "an empty file is rejected");
	T_STR(said(), "REJECT f:0: not a capture: the file is empty\n",
	    "an empty file is reported as such");
	T_INT(d.n.rejects, 1, "the reject is counted");

	T_INT(runs("  \n\r\n\t\n"), RC_SKIP, "a blank file is rejected");
	T_STR(said(), "REJECT f:0: not a capture: it holds nothing but "
	    "blank lines\n", "a blank file is reported as such");

	T_INT(runs("<!DOCTYPE html>\n<html><body>Login</body></html>\n"),
	    RC_SKIP, "an HTML page is rejected");
	T_STR(said(), "REJECT f:0: not a capture: expected a JSON body, "
	    "HTTP responses or a header dump (first line: "
	    "\"<!DOCTYPE html>\")\n", "the reason quotes the first line");
	T_INT(ngot, 0, "nothing delivered from an HTML page");

	T_INT(run("\x7f" "ELF\x01\x02\x00\x00garbage", 15), RC_SKIP,
	    "random bytes are rejected");
	T_STR(said(), "REJECT f:0: not a capture: expected a JSON body, "
	    "HTTP responses or a header dump (first line: \"?ELF??"
	    "??garbage\")\n", "non-printable bytes shown as '?'");

	T_INT(run("\xff\xfeH\0T\0", 6), RC_SKIP, "UTF-16 text is rejected");
	T_STR(said(), "REJECT f:0: not a capture: the file is UTF-16 text; "
	    "convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)\n",
	    "UTF-16 text is reported with the way to convert it");

	/* Text between responses: a warning, the rest still read. */
	runs("HTTP/1.1 100 Continue\n\nsome text\nmore text\n"
	    "HTTP/1.1 200 OK\n\n{}");
	T_INT(ngot, 1, "stray text does not stop the capture");
	T_STR(said(), "WARN f:23: text outside any response, ignored up "
	    "to the next response: \"some text\"\n",
	    "stray text is warned about once");
}

static void
test_limits(void)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "HTTP/1.1 200 OK\r\nX-Big: ");
	for (size_t i = 0; i < 8 * 1024 * 1024; i++)
		buf_addc(&b, 'x');
	buf_addstr(&b, "\r\n\r\n{\"lost\": 1}\nHTTP/1.1 200 OK\r\nX-A: 1"
	    "\r\n\r\n{}\n");
	T_INT(run(b.data, b.len), RC_OK, "a huge header line read past");
	T_INT(ngot, 1, "the response with a huge header line is rejected");
	T_STR(hdr(0, "X-A"), "1", "the next response is read");
	T_STR(said(), "REJECT f:0: header line longer than 8 MiB: this "
	    "response is not read\n", "a huge header line is reported");
	T_INT(d.n.responses, 2, "both responses counted");

	buf_reset(&b);
	buf_addstr(&b, "X-Image-Meta-Id: a\n");
	for (size_t i = 0; i < 200000; i++)
		buf_printf(&b, "X-H%zu: v\n", i);
	buf_addstr(&b, "\nHTTP/1.1 200 OK\n\n{}\n");
	run(b.data, b.len);
	T_INT(ngot, 1, "a response with more than 200000 headers rejected");
	T_STR(said(), "REJECT f:0: more than 200000 header lines: this "
	    "response is not read\n", "too many headers reported");

	/* A body with a line of 3 MiB streams through. */
	buf_reset(&b);
	buf_addstr(&b, "HTTP/1.1 200 OK\n\n{\"a\": \"");
	for (size_t i = 0; i < 3 * 1024 * 1024; i++)
		buf_addc(&b, 'y');
	buf_addstr(&b, "\"}\nHTTP/1.1 200 OK\n\n[]");
	run(b.data, b.len);
	T_INT(ngot, 2, "a body with a 3 MiB line");
	T_INT(got[0].body_len, 3 * 1024 * 1024 + 10,
	    "the long body line is delivered whole, in pieces");
	T_STR(got[1].body, "[]", "the response after a long body");
	buf_free(&b);
}

static void
test_callback(void)
{
	/* What the callback does not read is skipped. */
	read_limit = 3;
	{
		const char *p = "HTTP/1.1 200 OK\n\n{\"images\": [1, 2, 3]}\n"
		    "HTTP/1.1 200 OK\nX-B: 2\n\n{}\n";
		struct stream *s = stream_open_mem(p, strlen(p));

		reset();
		read_limit = 3;
		capture_read(s, "f", &d, collect, NULL);
		stream_free(s);
	}
	T_INT(ngot, 2, "a partly read body is skipped");
	T_STR(got[0].body, "{\"i", "the callback read what it wanted");
	T_STR(hdr(1, "X-B"), "2", "the next response is intact");

	/* RC_FATAL stops the capture. */
	{
		const char *p = "HTTP/1.1 200 OK\n\n{}\nHTTP/1.1 200 OK\n\n{}\n";
		struct stream *s = stream_open_mem(p, strlen(p));
		enum rc rc;

		reset();
		fatal_after = 1;
		rc = capture_read(s, "f", &d, collect, NULL);
		stream_free(s);
		T_INT(rc, RC_FATAL, "RC_FATAL from the callback is returned");
		T_INT(ngot, 1, "no response after RC_FATAL");
	}
}

static enum rc
walk_cb(void *arg, const char *name, struct stream *s)
{
	char b[64];

	(void)arg;
	buf_printf(&walked, "%s\n", name);
	while (stream_read(s, b, sizeof b) > 0)
		;
	return RC_OK;
}

static enum rc
walk_capture_cb(void *arg, const char *name, struct stream *s)
{
	(void)arg;
	return capture_read(s, name, &d, collect, NULL);
}

static void
test_input(void)
{
	char dir[] = "/tmp/test_capture.XXXXXX";
	char path[512], path2[512];
	char *paths[4];

	if (mkdtemp(dir) == NULL) {
		T_OK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/d", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/d/a", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/d/c", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/d/b.txt", dir);
	write_file(path, "{}", 2);
	snprintf(path, sizeof path, "%s/d/B.txt", dir);
	write_file(path, "{}\n", 3);
	snprintf(path, sizeof path, "%s/d/a/z.txt", dir);
	write_file(path, "{}", 2);
	snprintf(path, sizeof path, "%s/d/a/b.txt", dir);
	write_file(path, "{}", 2);
	snprintf(path, sizeof path, "%s/d/.hidden", dir);
	write_file(path, "x", 1);

	if (chdir(dir) < 0) {
		T_OK(0, "chdir");
		return;
	}
	reset();
	buf_reset(&walked);
	paths[0] = (char *)(uintptr_t)"d/";
	paths[1] = (char *)(uintptr_t)"d";
	T_INT(input_walk(paths, 2, &d, walk_cb, NULL), RC_OK,
	    "input_walk walks every input");
	T_STR(walked.data,
	    "d/B.txt\nd/a/b.txt\nd/a/z.txt\nd/b.txt\n"
	    "d/B.txt\nd/a/b.txt\nd/a/z.txt\nd/b.txt\n",
	    "directories walked recursively in byte order, names joined "
	    "with one '/', hidden entries skipped");
	T_INT(d.n.inputs, 8, "files read are counted");
	T_INT(d.n.bytes, 18, "bytes read are counted");

	/* An input that cannot be read is an error that stops the walk. */
	reset();
	buf_reset(&walked);
	paths[0] = (char *)(uintptr_t)"d/";
	paths[1] = (char *)(uintptr_t)"missing";
	paths[2] = (char *)(uintptr_t)"d";
	T_INT(input_walk(paths, 3, &d, walk_cb, NULL), RC_FATAL,
	    "input_walk stops at an input that cannot be read");
	T_STR(walked.data, "d/B.txt\nd/a/b.txt\nd/a/z.txt\nd/b.txt\n",
	    "the inputs before it were walked, none after");
	T_STR(said(), "ERROR missing:-: cannot read: No such file or "
	    "directory\n", "a missing input is an error");

	/* RC_FATAL from the callback stops the walk. */
	reset();
	fatal_after = 1;
	paths[0] = (char *)(uintptr_t)"d";
	T_INT(input_walk(paths, 1, &d, walk_capture_cb, NULL), RC_FATAL,
	    "RC_FATAL stops the walk");
	T_INT(d.n.inputs, 1, "no file read after RC_FATAL");

	/* A gzip file on disk. */
	{
		static const char text[] = "HTTP/1.1 200 OK\nX-Image-Meta-Id: "
		    "g\n\n";
		size_t gzlen;
		char *gz = gzip_mem(text, sizeof text - 1, &gzlen);

		write_file("capture.txt.gz", gz, gzlen);
		free(gz);
		reset();
		paths[0] = (char *)(uintptr_t)"capture.txt.gz";
		input_walk(paths, 1, &d, walk_capture_cb, NULL);
		T_INT(ngot, 1, "a gzip file is read as a capture");
		T_STR(hdr(0, "X-Image-Meta-Id"), "g", "its headers");
		T_INT(d.n.bytes, sizeof text - 1,
		    "bytes count the decompressed data");
	}

	/* "-" is standard input, left open. */
	{
		int saved = dup(0), fd;

		write_file("stdin.txt", "X-Image-Meta-Id: s\n", 19);
		fd = open("stdin.txt", O_RDONLY);
		dup2(fd, 0);
		close(fd);
		reset();
		paths[0] = (char *)(uintptr_t)"-";
		input_walk(paths, 1, &d, walk_capture_cb, NULL);
		T_INT(ngot, 1, "\"-\" reads standard input");
		T_STR(hdr(0, "X-Image-Meta-Id"), "s", "standard input's data");
		T_OK(fcntl(0, F_GETFD) != -1, "standard input is not closed");
		dup2(saved, 0);
		close(saved);
	}

	/* An empty file is read and rejected by capture. */
	write_file("empty", "", 0);
	reset();
	paths[0] = (char *)(uintptr_t)"empty";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_STR(said(), "REJECT empty:0: not a capture: the file is empty\n",
	    "an empty file is rejected by name");

	/* Clean up. */
	snprintf(path2, sizeof path2, "rm -rf '%s'", dir);
	if (chdir("/") < 0 || system(path2) != 0)
		T_OK(0, "cleanup");
}

static void
test_samples(void)
{
	char *paths[1];

	if (access(SAMPLES "/otc_v1_head_image_metadata.txt", R_OK) < 0) {
		T_OK(1, "# SKIP public samples not present");
		return;
	}
	reset();
	paths[0] = (char *)(uintptr_t)SAMPLES "/otc_v1_head_image_metadata.txt";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_INT(ngot, 1, "otc v1 head: one response");
	T_INT(got[0].status, 200, "otc v1 head: status 200");
	T_STR(hdr(0, "X-Image-Meta-Id"), "3c3d1d01-b48a-4639-8a88-08be3b9b5d78",
	    "otc v1 head: x-image-meta-id");
	T_STR(said(), "", "otc v1 head: nothing reported");

	reset();
	paths[0] = (char *)(uintptr_t)SAMPLES "/otc_v1.1_images_detail.txt";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_INT(ngot, 1, "otc v1.1 detail: one response");
	T_OK(got[0].body != NULL && got[0].body[0] == '{',
	    "otc v1.1 detail: headers then a body starting with '{'");
	T_STR(hdr(0, "Date"), "Mon, 23 May 2016 02:32:28 GMT",
	    "otc v1.1 detail: the last header before the body");

	reset();
	paths[0] = (char *)(uintptr_t)SAMPLES
	    "/openstack4j_issue775_v1_head_nonascii_name.txt";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_INT(ngot, 1, "openstack4j dump: one response");
	T_STR(got[0].method, "HEAD", "openstack4j dump: method HEAD");
	T_STR(got[0].url, "/v1/images/06641866-f5b6-40af-8e5b-a6fa1437b6a1",
	    "openstack4j dump: URL");
	T_STR(hdr(0, "X-Image-Meta-Id"), "06641866-f5b6-40af-8e5b-a6fa1437b6a1",
	    "openstack4j dump: the response's headers");
	T_STR(said(), "", "openstack4j dump: nothing reported");

	reset();
	paths[0] = (char *)(uintptr_t)SAMPLES
	    "/glance_v1_head_image_metadata_apiref.txt";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_INT(ngot, 1, "glance apiref header dump: one response");
	T_INT(got[0].nheaders, 16, "glance apiref header dump: 16 headers");

	reset();
	paths[0] = (char *)(uintptr_t)SAMPLES "/otc_v2_images_list.txt";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_INT(ngot, 1, "otc v2 list: STATUS CODE 200 page");
	T_OK(got[0].body != NULL && got[0].body[0] == '{',
	    "otc v2 list: the body follows STATUS CODE");

	reset();
	paths[0] = (char *)(uintptr_t)SAMPLES "/nova_v2.1_image-get-resp.json";
	input_walk(paths, 1, &d, walk_capture_cb, NULL);
	T_INT(ngot, 1, "nova show example: a bare body");
}

/*
 * HAR 1.2 archives, written by hand to the spec
 * (http://www.softwareishard.com/blog/har-12-spec/).
 */
#define HAR_HEAD	"{\"log\": {\"version\": \"1.2\", \"creator\": " \
			"{\"name\": \"hand\", \"version\": \"1\"}, \"entries\": ["
#define HAR_TAIL	"]}}"
#define HAR_REQ(m, u)	"\"request\": {\"method\": \"" m "\", \"url\": \"" \
			u "\", \"httpVersion\": \"HTTP/1.1\", \"cookies\": " \
			"[], \"headers\": [], \"queryString\": [], " \
			"\"headersSize\": -1, \"bodySize\": 0}"
#define HAR_TIMES	"\"startedDateTime\": \"2016-05-23T02:29:54.000Z\", " \
			"\"time\": 10, \"cache\": {}, \"timings\": " \
			"{\"send\": 0, \"wait\": 10, \"receive\": 0}"

static void
test_har(void)
{
	const char *p;

	p = HAR_HEAD
	    "{" HAR_TIMES ", " HAR_REQ("GET", "https://nova.example/v2.1/p/"
	    "images/x") ", \"response\": {\"status\": 200, \"statusText\": "
	    "\"OK\", \"httpVersion\": \"HTTP/1.1\", \"cookies\": [], "
	    "\"headers\": [{\"name\": \"Content-Type\", \"value\": "
	    "\"application/json\"}, {\"name\": \"X-Compute-Request-Id\", "
	    "\"value\": \" req-0 \"}], \"content\": {\"size\": 22, "
	    "\"mimeType\": \"application/json\", \"text\": \"{\\\"image\\\": "
	    "{\\\"id\\\": \\\"x\\\"}}\"}, \"redirectURL\": \"\", "
	    "\"headersSize\": -1, \"bodySize\": 22}},\n"
	    "{" HAR_TIMES ", " HAR_REQ("GET", "https://nova.example/v2.1/p/"
	    "images/x/metadata") ", \"response\": {\"status\": 200, "
	    "\"statusText\": \"OK\", \"httpVersion\": \"HTTP/1.1\", "
	    "\"cookies\": [], \"headers\": [], \"content\": {\"size\": 34, "
	    "\"mimeType\": \"application/json\", \"text\": "
	    /* {"metadata": {"os_type": "linux"}} */
	    "\"eyJtZXRhZGF0YSI6IHsib3NfdHlwZSI6ICJsaW51eCJ9fQ==\", "
	    "\"encoding\": \"base64\"}, \"redirectURL\": \"\", "
	    "\"headersSize\": -1, \"bodySize\": 34}}"
	    HAR_TAIL "\n";
	{
		char *har = xstrdup(p);
		const char *e1 = strstr(har, "},\n{");

		T_INT(runs(har), RC_OK, "HAR: an archive is read");
		T_INT(ngot, 2, "HAR: one response per entry");
		T_INT(d.n.responses, 2, "HAR: each entry counted");
		T_STR(said(), "", "HAR: nothing reported for a clean archive");
		T_STR(got[0].pos, "entry 0", "HAR: the first entry's position");
		T_STR(got[1].pos, "entry 1", "HAR: the second entry's "
		    "position");
		T_STR(got[0].method, "GET", "HAR: method from request.method");
		T_STR(got[0].url, "https://nova.example/v2.1/p/images/x",
		    "HAR: URL from request.url");
		T_INT(got[0].status, 200, "HAR: status from response.status");
		T_STR(got[0].proto, "HTTP/1.1", "HAR: protocol from "
		    "response.httpVersion");
		T_INT(got[0].nheaders, 2, "HAR: response.headers");
		T_STR(hdr(0, "X-Compute-Request-Id"), "req-0",
		    "HAR: a header value, trimmed of blanks");
		T_STR(got[0].body, "{\"image\": {\"id\": \"x\"}}",
		    "HAR: the body from content.text, unescaped");
		T_INT(got[0].body_rc, 0, "HAR: the body ends cleanly");
		T_STR(got[1].url, "https://nova.example/v2.1/p/images/x/"
		    "metadata", "HAR: the second entry's URL");
		T_STR(got[1].body, "{\"metadata\": {\"os_type\": \"linux\"}}",
		    "HAR: a base64 content.text is decoded");
		T_INT(got[1].nheaders, 0, "HAR: an empty header list");

		/* Offsets: where each entry's '{' is. */
		T_INT(got[0].offset, strlen(HAR_HEAD),
		    "HAR: the first entry's byte offset");
		T_INT(got[1].offset, e1 != NULL ? (size_t)(e1 - har) + 3 : 0,
		    "HAR: the second entry's byte offset");

		/* Read in small pieces by the callback. */
		reset();
		read_limit = 5;
		{
			struct stream *s = stream_open_mem(har, strlen(har));

			capture_read(s, "f", &d, collect, NULL);
			stream_free(s);
		}
		T_STR(got[1].body, "{\"met", "HAR: a body read in part");
		T_INT(ngot, 2, "HAR: a body read in part does not stop the "
		    "walk");

		/* With a BOM, blank lines and gzip. */
		{
			char *bom = xasprintf("\xef\xbb\xbf\n\n  %s", har);
			size_t gzlen;
			char *gz = gzip_mem(bom, strlen(bom), &gzlen);

			T_INT(runs(bom), RC_OK, "HAR: after a BOM and blanks");
			T_INT(ngot, 2, "HAR: after a BOM, both entries");
			T_INT(run(gz, gzlen), RC_OK, "HAR: gzip-compressed");
			T_STR(got[1].body, "{\"metadata\": {\"os_type\": "
			    "\"linux\"}}", "HAR: gzip-compressed, decoded");
			free(gz);
			free(bom);
		}
		free(har);
	}

	/* A 404 entry: reported with its index, not delivered. */
	p = HAR_HEAD
	    "{" HAR_REQ("GET", "/v2.1/p/images/gone") ", \"response\": "
	    "{\"status\": 404, \"statusText\": \"Not Found\", \"headers\": [], "
	    "\"content\": {\"size\": 10, \"mimeType\": \"application/json\", "
	    "\"text\": \"{\\\"itemNotFound\\\": {}}\"}}},"
	    "{" HAR_REQ("GET", "/v2.1/p/images/y") ", \"response\": "
	    "{\"status\": 200, \"statusText\": \"OK\", \"headers\": [], "
	    "\"content\": {\"size\": 2, \"mimeType\": \"application/json\", "
	    "\"text\": \"{}\"}}}"
	    HAR_TAIL;
	T_INT(runs(p), RC_OK, "HAR: an archive with a 404 entry is read");
	T_INT(ngot, 1, "HAR: the 404 entry is not delivered");
	T_STR(got[0].pos, "entry 1", "HAR: the entry after it is");
	T_INT(d.n.responses, 2, "HAR: the 404 entry is counted");
	T_INT(d.n.non2xx, 1, "HAR: as a non-2xx response");
	T_STR(said(), "NON2XX f:entry 0: HTTP 404 response (Not Found): not "
	    "an observation\n", "HAR: the 404 reported at its entry");

	/* HTTP/2: statusText is empty; the standard reason is used. */
	p = HAR_HEAD
	    "{" HAR_REQ("GET", "/v2.1/p/images/gone") ", \"response\": "
	    "{\"status\": 503, \"statusText\": \"\", \"httpVersion\": "
	    "\"h2\", \"headers\": [], \"content\": {}}}"
	    HAR_TAIL;
	runs(p);
	T_STR(said(), "NON2XX f:entry 0: HTTP 503 response (Service "
	    "Unavailable): not an observation\n",
	    "HAR: an empty statusText gives the standard reason");

	/* A v1 HEAD given only as a header list. */
	p = HAR_HEAD
	    "{" HAR_TIMES ", " HAR_REQ("HEAD", "http://glance.example:9292/"
	    "v1/images/06641866-f5b6-40af-8e5b-a6fa1437b6a1") ", "
	    "\"response\": {\"status\": 200, \"statusText\": \"OK\", "
	    "\"httpVersion\": \"HTTP/1.1\", \"cookies\": [], \"headers\": ["
	    "{\"name\": \"X-Image-Meta-Id\", \"value\": "
	    "\"06641866-f5b6-40af-8e5b-a6fa1437b6a1\"}, "
	    "{\"name\": \"X-Image-Meta-Name\", \"value\": \"caf\\u00e9\"}, "
	    "{\"name\": \"Content-Length\", \"value\": \"0\"}], "
	    "\"content\": {\"size\": 0, \"mimeType\": \"\"}, "
	    "\"redirectURL\": \"\", \"headersSize\": 160, \"bodySize\": 0}}"
	    HAR_TAIL;
	T_INT(runs(p), RC_OK, "HAR: a HEAD entry is read");
	T_INT(ngot, 1, "HAR: a HEAD entry is delivered");
	T_STR(got[0].method, "HEAD", "HAR: the HEAD method");
	T_INT(got[0].nheaders, 3, "HAR: the HEAD entry's headers");
	T_STR(hdr(0, "X-Image-Meta-Id"),
	    "06641866-f5b6-40af-8e5b-a6fa1437b6a1",
	    "HAR: X-Image-Meta-Id from the header list");
	T_STR(hdr(0, "X-Image-Meta-Name"), "caf\xc3\xa9",
	    "HAR: header values are UTF-8, JSON escapes decoded");
	T_STR(got[0].body, "", "HAR: content without text is an empty body");
	T_INT(got[0].body_rc, 0, "HAR: the empty body reads as 0 at once");
	T_STR(said(), "", "HAR: nothing reported for a HEAD entry");

	/* Not HARs: API bodies, and "log" not first. */
	runs("{\"images\": [], \"log\": {\"entries\": []}}");
	T_INT(ngot, 1, "a body whose first key is not \"log\" is a bare "
	    "body");
	T_STR(got[0].body, "{\"images\": [], \"log\": {\"entries\": []}}",
	    "the bare body is delivered whole");
	runs("{\"metadata\": {\"log\": \"x\"}}");
	T_INT(ngot, 1, "a metadata body with a \"log\" key is a bare body");
	runs("{ \"logs\": {}}");
	T_INT(ngot, 1, "a key \"logs\" is not \"log\"");
	T_STR(got[0].pos, "0", "and is a bare body at offset 0");

	/* An empty entries list: nothing, nothing said. */
	T_INT(runs(HAR_HEAD HAR_TAIL), RC_OK, "HAR: no entries");
	T_INT(ngot, 0, "HAR: no entries, no responses");
	T_STR(said(), "", "HAR: no entries, nothing said");
}

static void
test_har_layouts(void)
{
	const char *p;

	/* Chrome's DevTools export: pages first, _underscored keys,
	 * HTTP/2 lowercase headers, empty statusText, base64 bodies. */
	p = "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": "
	    "{\"name\": \"WebInspector\", \"version\": \"537.36\"},\n"
	    "    \"pages\": [{\"startedDateTime\": \"2024-01-01T00:00:00.000Z\","
	    " \"id\": \"page_1\", \"title\": \"https://horizon.example/\", "
	    "\"pageTimings\": {\"onContentLoad\": -1, \"onLoad\": -1}}],\n"
	    "    \"entries\": [\n      {\n"
	    "        \"_initiator\": {\"type\": \"script\", \"stack\": "
	    "{\"callFrames\": [{\"functionName\": \"f\", \"url\": \"x.js\", "
	    "\"lineNumber\": 1, \"columnNumber\": 2}]}},\n"
	    "        \"_priority\": \"High\",\n"
	    "        \"_resourceType\": \"xhr\",\n"
	    "        \"cache\": {},\n"
	    "        \"connection\": \"443\",\n"
	    "        \"pageref\": \"page_1\",\n"
	    "        \"request\": {\"method\": \"GET\", \"url\": "
	    "\"https://nova.example/v2.1/p/images/detail?limit=2\", "
	    "\"httpVersion\": \"http/2.0\", \"headers\": [{\"name\": "
	    "\":authority\", \"value\": \"nova.example\"}], \"queryString\": "
	    "[{\"name\": \"limit\", \"value\": \"2\"}], \"cookies\": [], "
	    "\"headersSize\": -1, \"bodySize\": 0},\n"
	    "        \"response\": {\"status\": 200, \"statusText\": \"\", "
	    "\"httpVersion\": \"http/2.0\", \"headers\": [{\"name\": "
	    "\"content-type\", \"value\": \"application/json\"}, {\"name\": "
	    "\"x-openstack-request-id\", \"value\": \"req-c\"}], "
	    "\"cookies\": [], \"content\": {\"size\": 14, \"mimeType\": "
	    "\"application/json\", \"compression\": 0, \"text\": "
	    "\"eyJpbWFnZXMiOiBbXX0=\", \"encoding\": \"base64\"}, "
	    "\"redirectURL\": \"\", \"headersSize\": -1, \"bodySize\": -1, "
	    "\"_transferSize\": 120, \"_error\": null, "
	    "\"_fetchedViaServiceWorker\": false},\n"
	    "        \"serverIPAddress\": \"192.0.2.1\",\n"
	    "        \"startedDateTime\": \"2024-01-01T00:00:00.000Z\",\n"
	    "        \"time\": 20.5,\n"
	    "        \"timings\": {\"blocked\": 1.2, \"dns\": -1, \"ssl\": -1, "
	    "\"connect\": -1, \"send\": 0.1, \"wait\": 18, \"receive\": 1.2, "
	    "\"_blocked_queueing\": 0.8},\n"
	    "        \"_fromCache\": \"disk\"\n"
	    "      },\n"
	    "      {\"_resourceType\": \"xhr\", \"request\": {\"method\": "
	    "\"GET\", \"url\": \"https://nova.example/v2.1/p/images/z\", "
	    "\"headers\": []}, \"response\": {\"status\": 0, \"statusText\": "
	    "\"\", \"httpVersion\": \"\", \"headers\": [], \"content\": "
	    "{\"size\": 0, \"mimeType\": \"x-unknown\"}, \"redirectURL\": \"\","
	    " \"headersSize\": -1, \"bodySize\": -1, \"_transferSize\": 0, "
	    "\"_error\": \"net::ERR_ABORTED\"}, \"timings\": {}}\n"
	    "    ]\n  }\n}\n";
	T_INT(runs(p), RC_OK, "Chrome HAR: read");
	T_INT(ngot, 1, "Chrome HAR: the answered entry is delivered");
	T_INT(d.n.responses, 2, "Chrome HAR: both entries counted");
	T_STR(got[0].url, "https://nova.example/v2.1/p/images/detail?limit=2",
	    "Chrome HAR: the URL with its query string");
	T_STR(got[0].proto, "http/2.0", "Chrome HAR: httpVersion as written");
	T_STR(hdr(0, "x-openstack-request-id"), "req-c",
	    "Chrome HAR: lowercase headers");
	T_STR(hdr(0, ":authority"), NULL,
	    "Chrome HAR: request headers are not the response's");
	T_STR(got[0].body, "{\"images\": []}", "Chrome HAR: base64 body");
	T_STR(said(), "REJECT f:entry 1: request was not answered "
	    "(status 0)\n", "Chrome HAR: an aborted request (status 0) is a "
	    "reject");
	T_INT(d.n.rejects, 1, "Chrome HAR: the aborted request counted as "
	    "a reject");

	/* Firefox's export: "browser", entries before pages, no
	 * headersSize/bodySize, content without text for HEAD and 204. */
	p = "{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": "
	    "\"Firefox\", \"version\": \"121.0\"}, \"browser\": {\"name\": "
	    "\"Firefox\", \"version\": \"121.0\"}, \"entries\": [\n"
	    "{\"pageref\": \"page_1\", \"startedDateTime\": "
	    "\"2024-01-01T00:00:00.000+00:00\", \"request\": {\"bodySize\": 0,"
	    " \"method\": \"HEAD\", \"url\": \"https://glance.example/v1/"
	    "images/a\", \"httpVersion\": \"HTTP/1.1\", \"headers\": [], "
	    "\"cookies\": [], \"queryString\": [], \"headersSize\": 300}, "
	    "\"response\": {\"status\": 200, \"statusText\": \"OK\", "
	    "\"httpVersion\": \"HTTP/1.1\", \"headers\": [{\"name\": "
	    "\"x-image-meta-id\", \"value\": \"a\"}], \"cookies\": [], "
	    "\"content\": {\"mimeType\": \"text/plain\", \"size\": 0}, "
	    "\"redirectURL\": \"\"}, \"cache\": {}, \"timings\": "
	    "{\"blocked\": 0, \"dns\": 0, \"connect\": 0, \"ssl\": 0, "
	    "\"send\": 0, \"wait\": 5, \"receive\": 0}, \"time\": 5, "
	    "\"_securityState\": \"secure\", \"serverIPAddress\": "
	    "\"192.0.2.2\", \"connection\": \"443\"},\n"
	    "{\"startedDateTime\": \"2024-01-01T00:00:01.000+00:00\", "
	    "\"request\": {\"method\": \"DELETE\", \"url\": \"https://"
	    "glance.example/v1/images/b\", \"headers\": []}, \"response\": "
	    "{\"status\": 204, \"statusText\": \"No Content\", \"headers\": "
	    "[], \"content\": {\"mimeType\": \"\", \"size\": 0}}, "
	    "\"timings\": {}, \"time\": 1},\n"
	    "{\"request\": {\"method\": \"GET\", \"url\": \"https://"
	    "nova.example/v2.1/p/images/c\", \"headers\": []}, \"response\": "
	    "{\"status\": 200, \"statusText\": \"OK\", \"headers\": [], "
	    "\"bodySize\": -1, \"headersSize\": -1, \"content\": "
	    "{\"mimeType\": \"application/json; charset=utf-8\", \"size\": 2, "
	    "\"text\": \"{}\"}}}\n"
	    "], \"pages\": [{\"startedDateTime\": \"2024-01-01T00:00:00.000"
	    "+00:00\", \"id\": \"page_1\", \"title\": \"x\", "
	    "\"pageTimings\": {}}]}}\n";
	T_INT(runs(p), RC_OK, "Firefox HAR: read");
	T_INT(ngot, 3, "Firefox HAR: every entry delivered");
	T_STR(got[0].method, "HEAD", "Firefox HAR: the HEAD entry");
	T_STR(hdr(0, "x-image-meta-id"), "a", "Firefox HAR: its header");
	T_STR(got[0].body, "", "Firefox HAR: content without text is empty");
	T_INT(got[1].status, 204, "Firefox HAR: a 204 entry");
	T_STR(got[1].body, "", "Firefox HAR: the 204 has an empty body");
	T_STR(got[2].body, "{}", "Firefox HAR: missing headersSize and "
	    "bodySize do not matter");
	T_STR(said(), "", "Firefox HAR: pages after entries are skipped "
	    "silently");
}

static void
test_har_rejects(void)
{
	const char *p;
	char *exp;

	/* entries not a list. */
	p = "{\"log\": {\"version\": \"1.2\", \"entries\": {\"a\": 1}}}";
	T_INT(runs(p), RC_SKIP, "HAR: entries not a list is rejected");
	exp = xasprintf("REJECT f:%zu: HAR archive: \"log.entries\" is not a "
	    "list: no entries read\n", (size_t)(strstr(p, "{\"a\"") - p));
	T_STR(said(), exp, "HAR: entries not a list is reported at the "
	    "value");
	T_INT(ngot, 0, "HAR: entries not a list gives no responses");
	free(exp);

	T_INT(runs("{\"log\": [1, 2]}"), RC_SKIP, "HAR: log not an object");
	T_STR(said(), "REJECT f:8: HAR archive: \"log\" is not an object: no "
	    "entries read\n", "HAR: log not an object is reported");

	T_INT(runs("{\"log\": {\"version\": \"1.2\"}}"), RC_SKIP,
	    "HAR: log without entries is rejected");
	T_STR(said(), "REJECT f:8: HAR archive: \"log\" has no \"entries\": "
	    "no responses in it\n", "HAR: log without entries is reported");

	/* Broken base64: that entry rejected, the next one read. */
	p = HAR_HEAD
	    "{\"request\": {\"method\": \"GET\", \"url\": \"/v2.1/p/images/x\"},"
	    " \"response\": {\"status\": 200, \"headers\": [], \"content\": "
	    "{\"text\": \"eyJp!bWFnZSI6IHt9fQ==\", \"encoding\": \"base64\"}}},"
	    "{\"response\": {\"status\": 200, \"headers\": [], \"content\": "
	    "{\"text\": \"eyJpbWFnZSI6IHt9fQ\", \"encoding\": \"base64\"}}},"
	    "{\"response\": {\"status\": 200, \"headers\": [], \"content\": "
	    "{\"text\": \"eyJpbWFn\\nZSI6IHt9fQ==\\n\", \"encoding\": "
	    "\"base64\"}}},"
	    "{\"response\": {\"status\": 200, \"headers\": [], \"content\": "
	    "{\"text\": \"eyJpbWFnZSI6IHt9fQ=x\", \"encoding\": \"base64\"}}},"
	    "{\"response\": {\"status\": 200, \"headers\": [], \"content\": "
	    "{\"text\": \"eyJpbWFnZSI6IHt9f\", \"encoding\": \"base64\"}}},"
	    "{\"response\": {\"status\": 200, \"headers\": [], \"content\": "
	    "{\"text\": \"e30=\", \"encoding\": \"gzip\"}}}"
	    HAR_TAIL;
	T_INT(runs(p), RC_OK, "HAR: an entry with broken base64 does not "
	    "stop the archive");
	T_INT(ngot, 2, "HAR: the entries with valid base64 are delivered");
	T_INT(d.n.responses, 6, "HAR: every entry counted");
	T_STR(got[0].pos, "entry 1", "HAR: the entry after broken base64");
	T_STR(got[0].body, "{\"image\": {}}", "HAR: base64 without padding");
	T_STR(got[1].body, "{\"image\": {}}", "HAR: base64 with line breaks");
	T_STR(said(),
	    "REJECT f:entry 0: content.text is not valid base64 (content."
	    "encoding is \"base64\"): '!' at character 4; this entry is not "
	    "read\n"
	    "REJECT f:entry 3: content.text is not valid base64 (content."
	    "encoding is \"base64\"): data after the '=' padding at character "
	    "19; this entry is not read\n"
	    "REJECT f:entry 4: content.text is not valid base64 (content."
	    "encoding is \"base64\"): it ends with a lone digit (17 digits "
	    "is not a whole number of bytes); this entry is not read\n"
	    "REJECT f:entry 5: content.encoding \"gzip\" is not supported "
	    "(only base64 is): this entry is not read\n",
	    "HAR: broken base64 and unknown encodings are rejected by entry");

	/* Entries that are not responses. */
	p = HAR_HEAD "1, {\"request\": {}}, {\"response\": {\"status\": "
	    "\"200\"}}, {\"response\": {\"status\": 200, \"content\": "
	    "{\"text\": tru}}}, {\"response\": {\"status\": 200.0, "
	    "\"headers\": [1, {\"name\": 2}, {\"name\": \"A\", \"value\": "
	    "\"1\"}], \"content\": null}}" HAR_TAIL;
	T_INT(runs(p), RC_OK, "HAR: odd entries are rejected one by one");
	T_INT(ngot, 1, "HAR: the last entry is read");
	T_STR(hdr(0, "A"), "1", "HAR: headers that are not name/value "
	    "strings are ignored");
	T_INT(got[0].nheaders, 1, "HAR: only the good header");
	T_STR(said(),
	    "REJECT f:entry 0: HAR entry is not an object: not read\n"
	    "REJECT f:entry 1: HAR entry has no \"response\" object: not "
	    "read\n"
	    "REJECT f:entry 2: HAR entry has no response status: not read\n"
	    "REJECT f:entry 3: invalid JSON in this HAR entry: invalid token "
	    "near 'tru' (line 1, column 52 of the entry)\n",
	    "HAR: each odd entry reported at its index");
	T_INT(d.n.responses, 5, "HAR: odd entries counted as responses");

	/* Truncated: entries before are kept. */
	p = HAR_HEAD "{\"response\": {\"status\": 200, \"content\": "
	    "{\"text\": \"{}\"}}}, {\"response\": {\"status\": 200, "
	    "\"content\": {\"text\": \"{\\\"ima";
	T_INT(runs(p), RC_SKIP, "HAR: a truncated archive is not read to the "
	    "end");
	T_INT(ngot, 1, "HAR: the entry before the truncation is kept");
	T_STR(said(), "REJECT f:entry 1: truncated JSON: the file ends inside "
	    "this entry; the rest of the HAR archive is not read\n",
	    "HAR: the truncation reported at its entry");

	p = HAR_HEAD "{\"response\": {\"status\": 200, \"content\": "
	    "{\"text\": \"{}\"}}} {\"response\": {}}" HAR_TAIL;
	T_INT(runs(p), RC_SKIP, "HAR: a missing comma is broken JSON");
	T_INT(ngot, 1, "HAR: the entry before it is kept");
	exp = xasprintf("REJECT f:%zu: invalid JSON after an entry; the rest "
	    "of the HAR archive is not read\n",
	    (size_t)(strstr(p, "} {") - p) + 3);
	T_STR(said(), exp, "HAR: broken JSON reported at its offset");
	free(exp);

	T_INT(runs("{\"log\": {\"entries\": []}}\ntrailing"), RC_OK,
	    "HAR: data after the archive");
	T_STR(said(), "WARN f:25: data after the end of the HAR archive "
	    "ignored\n", "HAR: data after the archive is warned about");
}

/* A body far larger than the scanner's buffer, base64 and plain. */
static void
test_har_big(void)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf har = BUF_INIT, want = BUF_INIT, enc = BUF_INIT;
	size_t n = 300 * 1024, i;

	for (i = 0; i < n; i++)
		buf_addc(&want, (char)('a' + i % 26));
	for (i = 0; i + 3 <= n; i += 3) {
		const unsigned char *q = (const unsigned char *)want.data + i;
		uint32_t v = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];

		buf_addc(&enc, b64[v >> 18 & 63]);
		buf_addc(&enc, b64[v >> 12 & 63]);
		buf_addc(&enc, b64[v >> 6 & 63]);
		buf_addc(&enc, b64[v & 63]);
	}
	buf_addstr(&har, HAR_HEAD);
	buf_printf(&har, "{\"response\": {\"status\": 200, \"content\": "
	    "{\"text\": \"%s\", \"encoding\": \"base64\"}}},", enc.data);
	buf_printf(&har, "{\"response\": {\"status\": 200, \"content\": "
	    "{\"text\": \"%s\"}}}", want.data);
	buf_addstr(&har, HAR_TAIL);
	T_INT(run(har.data, har.len), RC_OK, "HAR: entries of 300 KiB");
	T_INT(ngot, 2, "HAR: both big entries");
	T_INT(got[0].body_len, n, "HAR: a big base64 body, decoded");
	T_OK(got[0].body_len == n && memcmp(got[0].body, want.data, n) == 0,
	    "HAR: the big base64 body's bytes");
	T_INT(got[1].body_len, n, "HAR: a big plain body");
	T_OK(got[1].body_len == n && memcmp(got[1].body, want.data, n) == 0,
	    "HAR: the big plain body's bytes");
	T_STR(said(), "", "HAR: nothing reported for big entries");
	buf_free(&har);
	buf_free(&want);
	buf_free(&enc);
}

int main(void);

int
main(void)
{
	test_stream();
	test_gzip();
	test_bare();
	test_http();
	test_multi();
	test_requests();
	test_curl_v();
	test_dump();
	test_rejects();
	test_limits();
	test_callback();
	test_input();
	test_samples();
	test_har();
	test_har_layouts();
	test_har_rejects();
	test_har_big();
	reset();
	buf_free(&msgs);
	buf_free(&walked);
	return t_done();
}
