/*
 * capture.c: splits a capture file into responses (DESIGN.md section 1):
 * tells what the file is and hands it to the framing that reads it.
 *
 * The readers that read whole files (reader.h, bid_file: imgmeta's own
 * JSON Lines and SQLite outputs) look first at the file's bytes (gzip is
 * undone by the stream); a file one of them claims is one response,
 * handed over whole. Data compressed by another program, and UTF-16 and
 * UTF-32 text, are refused with what to run. After a UTF-8 BOM, blank
 * lines and '#' comments, a '{' that opens an object with a top-level key
 * "log" is a HAR archive (capture_har.c); another '{' or '[' is a bare
 * body, one response of the rest of the file; anything else is HTTP
 * framing (capture_http.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"
#include "reader.h"

static void	capture_rest(struct capture *, const struct reader_ops *);
static char	*capture_packed(struct stream *, const char *);

/* The rest of the file as one response, status unknown: a bare body, or
 * (reader set) a file that reader claimed whole, for its read_file. */
static void
capture_rest(struct capture *c, const struct reader_ops *reader)
{
	struct response r;
	struct capture_body body = { .c = c };
	char scratch[8192];

	memset(&r, 0, sizeof r);
	response_set_pos(&r, 0);
	r.file = c->file;
	r.sha256 = stream_sha256(c->s);
	r.body_read = capture_io_body_read;
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
		if ((k = capture_io_peekline(&c, &v)) <= 0)
			break;
		if (v.complete && ascii_blank(v.p, v.len)) {
			if (capture_io_getline(&c, 0) < 0)
				break;
		} else if (v.p[0] == '#') {
			comments = 1;
			if (capture_io_getline(&c, 0) < 0)
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
	if (n > 0 && *p == '{' && capture_har_is(&c)) {
		capture_har_read(&c);
		goto out;
	}
	if (n > 0 && (*p == '{' || *p == '[')) {
		capture_rest(&c, NULL);
		goto out;
	}
	capture_http_read(&c);
out:
	free(c.method);
	free(c.url);
	buf_free(&c.line);
	if (c.rc == RC_FATAL)
		return RC_FATAL;
	return c.failed || c.rc == RC_SKIP ? RC_SKIP : RC_OK;
}
