/*
 * test_jsonscan.c: cutting values out of a stream, whatever the sizes the
 * source reads in: values across the scanner's buffer, larger than it,
 * left in it (jsonscan_value_ref) or copied, broken ones, and offsets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"
#include "t.h"

/* A source reading a string at most step bytes at a time (0: as many as
 * asked), failing at fail (when not SIZE_MAX). */
struct src {
	const char	*p;
	size_t		 len;
	size_t		 at;
	size_t		 step;
	size_t		 fail;
};

static ssize_t	src_read(void *, void *, size_t);
static char	*doc_items(size_t, size_t, size_t *);
static void	test_items(size_t, size_t, int);
static void	test_broken(void);
static void	test_limit(void);
static void	test_scalars(void);

static ssize_t
src_read(void *arg, void *buf, size_t n)
{
	struct src *s = arg;

	if (s->at >= s->fail)
		return -1;
	if (s->step > 0 && n > s->step)
		n = s->step;
	if (n > s->len - s->at)
		n = s->len - s->at;
	memcpy(buf, s->p + s->at, n);
	s->at += n;
	return (ssize_t)n;
}

/*
 * "[ITEM, ITEM, ...]" of n objects, the i-th about size bytes, with
 * strings holding brackets, escaped quotes and backslashes, and bytes
 * past 0x7f. *len is the
 * document's length.
 */
static char *
doc_items(size_t n, size_t size, size_t *len)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		size_t start = b.len;

		buf_printf(&b, "%s{\"id\": %zu, \"s\": \"a]}\\\"[{\\\\\", "
		    "\"u\": \"\xc3\xa9\xff\xa2\\\"\\\\\x80\x7f\", "
		    "\"l\": [1, {\"x\": [[]]}, \"\\\\\"], \"pad\": \"", i ? ", " :
		    "", i);
		while (b.len - start < size + i % 7)
			buf_addc(&b, (char)('a' + b.len % 26));
		buf_add(&b, "\"}", 2);
	}
	buf_addc(&b, ']');
	*len = b.len;
	return buf_detach(&b);
}

/* Each item of doc_items(n, size) read back, by both calls, reading
 * step bytes at a time. */
static void
test_items(size_t n, size_t size, int step)
{
	size_t len, at = 1;
	char *doc = doc_items(n, size, &len), what[80];
	struct src src = { doc, len, 0, (size_t)step, SIZE_MAX };
	struct src src2 = src;
	struct jsonscan *s = jsonscan_new(src_read, &src);
	struct jsonscan *s2 = jsonscan_new(src_read, &src2);
	struct buf out = BUF_INIT, out2 = BUF_INIT;
	size_t bad = 0, badoff = 0, badref = 0, kept = 0;

	snprintf(what, sizeof what, "%zu items of %zu bytes, read %d at a "
	    "time", n, size, step);
	T_INT(jsonscan_getc(s), '[', what);
	T_INT(jsonscan_getc(s2), '[', what);
	for (size_t i = 0; i < n; i++) {
		const char *data;
		size_t dlen, end;
		int toobig = 0, toobig2 = 0;

		/* The item's end: its "}" and the comma or "]" after. */
		end = at;
		while (doc[end] == ' ' || doc[end] == ',')
			end++;
		at = end;
		end = strstr(doc + at, "\"}") - doc + 2;
		buf_reset(&out);
		buf_reset(&out2);
		if (jsonscan_value(s, &out, 1 << 30, &toobig) != JSONSCAN_OK ||
		    toobig || out.len != end - at ||
		    memcmp(out.data, doc + at, out.len) != 0)
			bad++;
		if (jsonscan_offset(s) != end)
			badoff++;
		if (jsonscan_value_ref(s2, &out2, 1 << 30, &toobig2, &data,
		    &dlen) != JSONSCAN_OK || toobig2 || dlen != end - at ||
		    memcmp(data, doc + at, dlen) != 0 ||
		    jsonscan_offset(s2) != end)
			badref++;
		if (out2.len == 0)
			kept++;
		(void)jsonscan_getc(s);
		(void)jsonscan_getc(s2);
		at = end + 1;
	}
	T_INT(bad, 0, "jsonscan_value: items cut as written");
	T_INT(badoff, 0, "jsonscan_value: offset after each item");
	T_INT(badref, 0, "jsonscan_value_ref: items cut as written");
	T_OK(size >= 65536 ? kept == 0 : kept == n,
	    "jsonscan_value_ref: items that fit are left in the buffer");
	T_INT(jsonscan_peek(s), -1, "the end after the last item");
	T_INT(jsonscan_peek(s2), -1, "the end after the last item (ref)");
	T_INT(jsonscan_offset(s2), len, "offset at the end");
	buf_free(&out);
	buf_free(&out2);
	jsonscan_free(s);
	jsonscan_free(s2);
	free(doc);
}

static void
test_broken(void)
{
	static const struct {
		const char	*doc;
		enum jsonscan_rc rc;
		size_t		 offset;	/* after the call */
	} cases[] = {
		{ "{\"a\": [1, 2}", JSONSCAN_SYNTAX, 11 },
		{ "[{\"a\": 1]", JSONSCAN_SYNTAX, 8 },
		{ "{\"a\": [1, 2]", JSONSCAN_EOF, 12 },
		{ "{\"a\": \"x\\", JSONSCAN_EOF, 9 },
		{ "{\"a\": \"x}", JSONSCAN_EOF, 9 },
		{ "{\"a\": \"x\\\"}\"}", JSONSCAN_OK, 13 },
		{ "", JSONSCAN_EOF, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int ref = 0; ref < 2; ref++) {
			struct src src = { cases[i].doc, strlen(cases[i].doc),
			    0, 3, SIZE_MAX };
			struct jsonscan *s = jsonscan_new(src_read, &src);
			struct buf out = BUF_INIT;
			const char *data = NULL;
			size_t len;
			enum jsonscan_rc rc;
			int toobig = 0;

			rc = ref ? jsonscan_value_ref(s, &out, 1 << 20, &toobig,
			    &data, &len) : jsonscan_value(s, &out, 1 << 20,
			    &toobig);
			T_INT(rc, cases[i].rc, cases[i].doc);
			T_INT(jsonscan_offset(s), cases[i].offset,
			    "offset after it");
			if (ref && rc != JSONSCAN_OK)
				T_OK(data == NULL, "no data on an error");
			if (rc != JSONSCAN_OK)
				T_INT(out.len, cases[i].offset,
				    "out holds what was read");
			buf_free(&out);
			jsonscan_free(s);
		}
	}
	{
		/* A read error inside a value. */
		const char *doc = "[1, 2, 3, 4, 5]";
		struct src src = { doc, strlen(doc), 0, 2, 6 };
		struct jsonscan *s = jsonscan_new(src_read, &src);
		struct buf out = BUF_INIT;
		const char *data;
		size_t len;
		int toobig = 0;

		T_INT(jsonscan_value_ref(s, &out, 100, &toobig, &data, &len),
		    JSONSCAN_ERROR, "read error inside a value");
		T_INT(jsonscan_error(s), 1, "the error is remembered");
		buf_free(&out);
		jsonscan_free(s);
	}
}

/* Values at or past the limit are toobig, by both calls. */
static void
test_limit(void)
{
	size_t len;
	char *doc = doc_items(1, 100000, &len);

	for (int ref = 0; ref < 2; ref++) {
		size_t limits[] = { 10, 1000, len - 2, len - 1, len };

		for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
			struct src src = { doc + 1, len - 2, 0, 0, SIZE_MAX };
			struct jsonscan *s = jsonscan_new(src_read, &src);
			struct buf out = BUF_INIT;
			const char *data;
			size_t dlen;
			int toobig = 0;
			char what[64];

			snprintf(what, sizeof what, "%zu bytes, limit %zu%s",
			    len - 2, limits[k], ref ? " (ref)" : "");
			T_INT(ref ? jsonscan_value_ref(s, &out, limits[k],
			    &toobig, &data, &dlen) : jsonscan_value(s, &out,
			    limits[k], &toobig), JSONSCAN_OK, what);
			T_INT(toobig, limits[k] <= len - 2, what);
			T_INT(jsonscan_offset(s), len - 2, what);
			buf_free(&out);
			jsonscan_free(s);
		}
	}
	{
		/* Small enough to stay in the buffer, still past the limit. */
		const char *small = "{\"a\": [1, 2, 3]}";
		struct src src = { small, strlen(small), 0, 0, SIZE_MAX };
		struct jsonscan *s = jsonscan_new(src_read, &src);
		struct buf out = BUF_INIT;
		const char *data;
		size_t dlen;
		int toobig = 0;

		T_INT(jsonscan_value_ref(s, &out, 5, &toobig, &data, &dlen),
		    JSONSCAN_OK, "a small value past a small limit");
		T_INT(toobig, 1, "is toobig");
		buf_free(&out);
		jsonscan_free(s);
	}
	free(doc);
}

static void
test_scalars(void)
{
	const char *doc = " \"a\\\"b\" , 12.5e3 ,true]";
	struct src src = { doc, strlen(doc), 0, 1, SIZE_MAX };
	struct jsonscan *s = jsonscan_new(src_read, &src);
	struct buf out = BUF_INIT;
	const char *data;
	size_t len;
	int toobig = 0;

	T_INT(jsonscan_value_ref(s, &out, 100, &toobig, &data, &len),
	    JSONSCAN_OK, "a string");
	T_OK(len == 6 && memcmp(data, "\"a\\\"b\"", 6) == 0,
	    "a string, as written, in out");
	T_INT(out.len, 6, "a string is copied");
	jsonscan_ws(s);
	T_INT(jsonscan_getc(s), ',', "after the string");
	buf_reset(&out);
	T_INT(jsonscan_value_ref(s, &out, 100, &toobig, &data, &len),
	    JSONSCAN_OK, "a number");
	T_OK(len == 6 && memcmp(data, "12.5e3", 6) == 0, "a number, as "
	    "written");
	jsonscan_ws(s);
	(void)jsonscan_getc(s);
	buf_reset(&out);
	T_INT(jsonscan_value(s, &out, 100, &toobig), JSONSCAN_OK, "true");
	T_STR(out.data, "true", "true, as written");
	T_INT(jsonscan_value(s, &out, 100, &toobig), JSONSCAN_SYNTAX,
	    "a closing bracket is no value");
	T_INT(toobig, 0, "nothing was too big");
	buf_free(&out);
	jsonscan_free(s);
}

int
main(void)
{
	static const int steps[] = { 0, 1, 7, 4096, 65535 };

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		test_items(2000, 100, steps[i]);
		test_items(50, 3000, steps[i]);
		test_items(3, 70000, steps[i]);
	}
	test_items(1, 65534, 0);
	test_items(1, 200000, 1000);
	test_broken();
	test_limit();
	test_scalars();
	return t_done();
}
