/*
 * jsonscan.c: a streaming JSON scanner (see jsonscan.h). Values are cut
 * out by copying runs of bytes between the bytes that matter (quotes,
 * backslashes, brackets), never byte by byte.
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

static int	jsonscan_fill(struct jsonscan *);

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

enum jsonscan_rc
jsonscan_value(struct jsonscan *s, struct buf *out, size_t limit,
    int *toobig)
{
	char stack[64];
	size_t depth = 0;
	enum jsonscan_rc rc;
	int c;

	jsonscan_ws(s);
	c = jsonscan_peek(s);
	if (c < 0)
		return s->error ? JSONSCAN_ERROR : JSONSCAN_EOF;
	if (c == '"') {
		rc = jsonscan_string(s, out, limit);
		goto done;
	}
	if (c != '{' && c != '[') {
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
		goto done;
	}
	for (;;) {
		size_t i;

		c = jsonscan_peek(s);
		if (c < 0) {
			rc = s->error ? JSONSCAN_ERROR : JSONSCAN_EOF;
			goto done;
		}
		if (c == '"') {
			if ((rc = jsonscan_string(s, out, limit)) !=
			    JSONSCAN_OK)
				goto done;
			continue;
		}
		if (c == '{' || c == '[') {
			/* Nesting deeper than the stack is not matched. */
			if (depth < sizeof stack)
				stack[depth] = c == '{' ? '}' : ']';
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0) {
				rc = JSONSCAN_SYNTAX;
				goto done;
			}
			if (depth <= sizeof stack && stack[depth - 1] != c) {
				rc = JSONSCAN_SYNTAX;
				goto done;
			}
			depth--;
			if (out != NULL && out->len < limit)
				buf_addc(out, (char)c);
			s->start++;
			if (depth == 0) {
				rc = JSONSCAN_OK;
				goto done;
			}
			continue;
		}
		/* A run of bytes without quotes or brackets (after the
		 * opening bracket, if that was c). */
		for (i = s->start + 1; i < s->end; i++) {
			char b = s->buf[i];

			if (b == '"' || b == '{' || b == '[' || b == '}' ||
			    b == ']')
				break;
		}
		if (out != NULL && out->len < limit)
			buf_add(out, s->buf + s->start, i - s->start);
		s->start = i;
	}
done:
	if (out != NULL && out->len >= limit)
		*toobig = 1;
	return rc;
}
