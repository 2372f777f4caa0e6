/*
 * jsonscan.c: a streaming JSON scanner (see jsonscan.h). Strings and
 * scalars are cut out by copying runs of bytes between the bytes that
 * matter (quotes, backslashes), never byte by byte. An array or object
 * is walked in the buffer with a byte class table and left where it is
 * when it fits: the buffer slides to keep it whole (jsonscan_value_ref);
 * only one larger than the buffer is copied, a buffer at a time.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"

#define JSONSCAN_BUFSZ	65536

struct jsonscan {
	jsonscan_read_fn read;
	void		*arg;
	char		 buf[JSONSCAN_BUFSZ];
	size_t		 start;
	size_t		 end;
	uint64_t	 base;		/* bytes read before buf[0] */
	int		 eof;
	int		 error;		/* read error (reported by the source) */
};

/* Byte classes: what ends a run inside a string, outside one. */
#define JSONSCAN_C_STR		1	/* '"', '\\' */
#define JSONSCAN_C_STRUCT	2	/* '"', '{', '[', '}', ']' */

static const unsigned char jsonscan_class[256] = {
	['"'] = JSONSCAN_C_STR | JSONSCAN_C_STRUCT,
	['\\'] = JSONSCAN_C_STR,
	['{'] = JSONSCAN_C_STRUCT,
	['['] = JSONSCAN_C_STRUCT,
	['}'] = JSONSCAN_C_STRUCT,
	[']'] = JSONSCAN_C_STRUCT,
};

static int	jsonscan_fill(struct jsonscan *);
static size_t	jsonscan_strrun(const char *, size_t, size_t);
static int	jsonscan_more(struct jsonscan *);
static enum jsonscan_rc jsonscan_nested(struct jsonscan *, struct buf *,
		    size_t, int, const char **, size_t *);
static enum jsonscan_rc jsonscan_any(struct jsonscan *, struct buf *, size_t,
		    int *, int, const char **, size_t *);

struct jsonscan *
jsonscan_new(jsonscan_read_fn read, void *arg)
{
	struct jsonscan *s = xmalloc(sizeof *s);

	s->read = read;
	s->arg = arg;
	s->start = s->end = 0;
	s->base = 0;
	s->eof = s->error = 0;
	return s;
}

void
jsonscan_free(struct jsonscan *s)
{
	free(s);
}

/* Refills an empty buffer. Returns 0, or -1 at the end or on error. */
static int
jsonscan_fill(struct jsonscan *s)
{
	ssize_t n;

	if (s->eof)
		return -1;
	n = s->read(s->arg, s->buf, sizeof s->buf);
	if (n <= 0) {
		s->eof = 1;
		if (n < 0)
			s->error = 1;
		return -1;
	}
	s->base += s->end;
	s->start = 0;
	s->end = (size_t)n;
	return 0;
}

/* Reads more after the buffer's end (which is not at its size). Returns
 * 0, or -1 at the end or on error. */
static int
jsonscan_more(struct jsonscan *s)
{
	ssize_t n;

	if (s->eof)
		return -1;
	n = s->read(s->arg, s->buf + s->end, sizeof s->buf - s->end);
	if (n <= 0) {
		s->eof = 1;
		if (n < 0)
			s->error = 1;
		return -1;
	}
	s->end += (size_t)n;
	return 0;
}

int
jsonscan_peek(struct jsonscan *s)
{
	if (s->start == s->end && jsonscan_fill(s) < 0)
		return -1;
	return (unsigned char)s->buf[s->start];
}

int
jsonscan_getc(struct jsonscan *s)
{
	int c = jsonscan_peek(s);

	if (c >= 0)
		s->start++;
	return c;
}

void
jsonscan_ws(struct jsonscan *s)
{
	for (;;) {
		int c = jsonscan_peek(s);

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		s->start++;
	}
}

int
jsonscan_error(const struct jsonscan *s)
{
	return s->error;
}

uint64_t
jsonscan_offset(const struct jsonscan *s)
{
	return s->base + s->start;
}

enum jsonscan_rc
jsonscan_string(struct jsonscan *s, struct buf *out, size_t limit)
{
	int c = jsonscan_getc(s);

	if (c != '"')
		return JSONSCAN_SYNTAX;
	if (out != NULL && out->len < limit)
		buf_addc(out, '"');
	for (;;) {
		/* Copy the run of plain bytes up to a quote or backslash. */
		size_t i;

		if (jsonscan_peek(s) < 0)
			return s->error ? JSONSCAN_ERROR : JSONSCAN_EOF;
		for (i = s->start; i < s->end; i++)
			if (s->buf[i] == '"' || s->buf[i] == '\\')
				break;
		if (out != NULL && out->len < limit)
			buf_add(out, s->buf + s->start, i - s->start);
		s->start = i;
		if (i == s->end)
			continue;
		c = jsonscan_getc(s);
		if (out != NULL && out->len < limit)
			buf_addc(out, (char)c);
		if (c == '"')
			return JSONSCAN_OK;
		/* backslash: copy the escaped byte as is */
		c = jsonscan_getc(s);
		if (c < 0)
			return s->error ? JSONSCAN_ERROR : JSONSCAN_EOF;
		if (out != NULL && out->len < limit)
			buf_addc(out, (char)c);
	}
}

/*
 * The first quote or backslash in b[i..end), or end: eight bytes at a
 * time (a byte of q or e is 0 where x holds the byte looked for, and
 * (v - ones) & ~v & highs flags the 0 bytes of v), then a byte at a
 * time.
 */
static size_t
jsonscan_strrun(const char *b, size_t i, size_t end)
{
	const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
	const uint64_t quotes = ones * '"', backslashes = ones * '\\';

	while (end - i >= 8) {
		uint64_t x, q, e, m;

		memcpy(&x, b + i, sizeof x);
		q = x ^ quotes;
		e = x ^ backslashes;
		if ((m = (((q - ones) & ~q) | ((e - ones) & ~e)) & highs) != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* The lowest flag is the first such byte (a false
			 * one can only follow a true one). */
			return i + (size_t)__builtin_ctzll(m) / 8;
#else
			break;
#endif
		}
		i += 8;
	}
	while (i < end &&
	    !(jsonscan_class[(unsigned char)b[i]] & JSONSCAN_C_STR))
		i++;
	return i;
}

/*
 * An array or object (next byte: its opening bracket), checking strings
 * and bracket nesting. With keep (and out not NULL), while it fits in
 * the buffer it stays there: the buffer reads on after its end, and
 * moves it to its start when full; *data and *len then point at it
 * there. Otherwise (or when larger than the buffer) it is copied into
 * out a buffer at a time, as long as out holds less than limit bytes
 * (out NULL: dropped), and *data points into out (NULL when out is).
 * On an error, *data is NULL and out holds what was read of it.
 */
static enum jsonscan_rc
jsonscan_nested(struct jsonscan *s, struct buf *out, size_t limit, int keep,
    const char **data, size_t *len)
{
	const unsigned char *cls = jsonscan_class;
	const char *b = s->buf;
	char stack[64];
	size_t depth = 0, i, from, out0 = out != NULL ? out->len : 0;
	int instr = 0, esc = 0, spill = !keep || out == NULL;
	enum jsonscan_rc rc;

	*data = NULL;
	*len = 0;
	from = i = s->start;
	for (;;) {
		size_t end = s->end;

		while (i < end) {
			char c;

			if (esc) {
				/* the byte after a backslash, as it is */
				esc = 0;
				i++;
				continue;
			}
			if (instr) {
				i = jsonscan_strrun(b, i, end);
				if (i == end)
					break;
				if (b[i++] == '"')
					instr = 0;
				else
					esc = 1;
				continue;
			}
			while (i < end &&
			    !(cls[(unsigned char)b[i]] & JSONSCAN_C_STRUCT))
				i++;
			if (i == end)
				break;
			c = b[i];
			if (c == '"') {
				instr = 1;
				i++;
				continue;
			}
			if (c == '{' || c == '[') {
				/* Nesting deeper than the stack is not
				 * matched. */
				if (depth < sizeof stack)
					stack[depth] = c == '{' ? '}' : ']';
				depth++;
				i++;
				continue;
			}
			if (depth <= sizeof stack && stack[depth - 1] != c) {
				s->start = i;	/* left unread */
				rc = JSONSCAN_SYNTAX;
				goto fail;
			}
			i++;
			if (--depth > 0)
				continue;
			s->start = i;
			if (!spill) {
				*data = b + from;
				*len = i - from;
			} else if (out != NULL) {
				if (out->len < limit)
					buf_add(out, b + from, i - from);
				*data = out->data + out0;
				*len = out->len - out0;
			}
			return JSONSCAN_OK;
		}
		/* The buffer ends inside the value. */
		if (!spill && end == sizeof s->buf) {
			if (from == 0)
				spill = 1;	/* larger than the buffer */
			else {
				memmove(s->buf, s->buf + from, end - from);
				s->base += from;
				s->end -= from;
				i -= from;
				from = 0;
			}
		}
		if (spill) {
			if (out != NULL && out->len < limit)
				buf_add(out, b + from, end - from);
			s->start = from = i = end;
			if (jsonscan_fill(s) < 0)
				break;
			from = i = 0;
		} else if (jsonscan_more(s) < 0)
			break;
	}
	s->start = s->end;
	rc = s->error ? JSONSCAN_ERROR : JSONSCAN_EOF;
fail:
	if (out != NULL && out->len < limit && s->start > from)
		buf_add(out, b + from, s->start - from);
	return rc;
}

/* jsonscan_value and jsonscan_value_ref: keep says whether an array or
 * object may be left in the buffer. */
static enum jsonscan_rc
jsonscan_any(struct jsonscan *s, struct buf *out, size_t limit, int *toobig,
    int keep, const char **data, size_t *len)
{
	size_t out0 = out != NULL ? out->len : 0;
	enum jsonscan_rc rc;
	int c;

	*data = NULL;
	*len = 0;
	jsonscan_ws(s);
	c = jsonscan_peek(s);
	if (c < 0)
		return s->error ? JSONSCAN_ERROR : JSONSCAN_EOF;
	if (c == '{' || c == '[') {
		rc = jsonscan_nested(s, out, limit, keep, data, len);
		if (out != NULL && (rc == JSONSCAN_OK ? out0 + *len :
		    out->len) >= limit)
			*toobig = 1;
		return rc;
	}
	if (c == '"')
		rc = jsonscan_string(s, out, limit);
	else {
		/* A scalar: up to a separator, a run at a time. */
		size_t i, n = 0;

		while (jsonscan_peek(s) >= 0) {
			for (i = s->start; i < s->end; i++) {
				char b = s->buf[i];

				if (b == ',' || b == '}' || b == ']' ||
				    b == ' ' || b == '\t' || b == '\n' ||
				    b == '\r')
					break;
			}
			if (out != NULL && out->len < limit)
				buf_add(out, s->buf + s->start, i - s->start);
			n += i - s->start;
			s->start = i;
			if (i < s->end)
				break;
		}
		rc = n == 0 ? JSONSCAN_SYNTAX : JSONSCAN_OK;
	}
	if (out != NULL) {
		if (rc == JSONSCAN_OK) {
			*data = out->data + out0;
			*len = out->len - out0;
		}
		if (out->len >= limit)
			*toobig = 1;
	}
	return rc;
}

enum jsonscan_rc
jsonscan_value(struct jsonscan *s, struct buf *out, size_t limit,
    int *toobig)
{
	const char *data;
	size_t len;

	return jsonscan_any(s, out, limit, toobig, 0, &data, &len);
}

enum jsonscan_rc
jsonscan_value_ref(struct jsonscan *s, struct buf *out, size_t limit,
    int *toobig, const char **data, size_t *len)
{
	return jsonscan_any(s, out, limit, toobig, 1, data, len);
}
