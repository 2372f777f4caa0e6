/*
 * capture_har.c: HAR 1.2 archives. A file that is a JSON object with a
 * top-level key "log" is one. It is streamed with the JSON scanner
 * (jsonscan.h): log.entries is walked and each entry is cut out alone (at
 * most CAPTURE_MAXENTRY bytes) and parsed with jansson, so one entry is
 * held at a time, never the archive. Each entry is one response at "entry
 * N", its body taken from response.content.text (base64-decoded when
 * content.encoding says so) and served from memory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture_int.h"
#include "jsonscan.h"

/* Limits (README "Limits"), as those in capture_int.h. */
#define CAPTURE_MAXENTRY	((size_t)512 << 20) /* one HAR entry */
#define CAPTURE_MAXKEY		(64 * 1024)	/* a HAR key, as written */
#define CAPTURE_KEEPENTRY	(4 * 1024 * 1024) /* entry buffer kept */

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

/* An entry's bytes in memory, as a jsonscan source. */
struct capture_har_bytes {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

/* An entry's content, the body of its response: borrowed bytes. */
struct capture_har_body {
	const char	*mem;
	size_t		 memlen;
	size_t		 mempos;
};

static ssize_t	capture_har_source(void *, void *, size_t);
static void	capture_har_pos(struct har *, char *, size_t);
static void	capture_har_broken(struct har *, enum jsonscan_rc,
		    const char *, const char *);
static int	capture_har_key(struct har *);
static int	capture_har_next(struct har *, int, const char *);
static void	capture_har_object(struct har *, int);
static ssize_t	capture_har_mem(void *, void *, size_t);
static enum jsonscan_rc capture_har_cut_entry(struct jsonscan *,
		    struct buf *);
static void	capture_har_entries(struct har *);
static void	capture_har_entry(struct har *, uint64_t);
static int	capture_har_response(struct capture *, struct response *,
		    json_t *, struct capture_har_body *, char **,
		    const char **);
static ssize_t	capture_har_body_read(void *, void *, size_t);
static int	capture_har_base64_digit(unsigned char);
static int	capture_har_base64(const char *, size_t, char **, size_t *,
		    char *, size_t);

/*
 * Is the stream, at a '{', a HAR archive: a JSON object with a top-level
 * key "log", first or after a "comment" and custom fields ("_...", HAR
 * 1.2), within what the stream holds? Nothing is consumed.
 */
int
capture_har_is(struct capture *c)
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
		capture_io_failed(c);
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
 * reported by capture_io_failed already.
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

/* An entry's bytes in memory, as a jsonscan source. */
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

/* Walks log.entries, its '[' consumed: one entry at a time. */
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
	struct capture_har_body body = { NULL, 0, 0 };
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
	if (capture_har_response(c, &r, e, &body, &decoded, &reason) == 0) {
		r.body_read = capture_har_body_read;
		r.body = &body;
		capture_io_dispatch(c, &r, reason);
	} else {
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
    struct capture_har_body *body, char **decoded, const char **reason)
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
		if (capture_har_base64(json_string_value(text),
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
	return 0;
}

/* A response's body_read (response.h) for an entry: its content, from
 * memory. */
static ssize_t
capture_har_body_read(void *arg, void *buf, size_t size)
{
	struct capture_har_body *b = arg;
	size_t take;

	take = b->memlen - b->mempos < size ? b->memlen - b->mempos : size;
	if (take > 0)
		memcpy(buf, b->mem + b->mempos, take);
	b->mempos += take;
	return (ssize_t)take;
}

/* The value of a base64 digit (RFC 4648, section 4), or -1. */
static int
capture_har_base64_digit(unsigned char ch)
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
capture_har_base64(const char *p, size_t n, char **out, size_t *outlen,
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
		if ((v = capture_har_base64_digit(ch)) < 0) {
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
void
capture_har_read(struct capture *c)
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
