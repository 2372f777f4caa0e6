/*
 * record_json.c: the record's canonical JSON form (record_json.h), as a
 * jansson value, as text written straight into a buffer, and read back.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_json.h"
#include "util.h"

static json_t	*record_json_nullable(const char *);
static inline void record_json_room(struct buf *, size_t);
static inline void record_json_put(struct buf *, const void *, size_t);
static inline void record_json_putc(struct buf *, char);
static int	 record_json_end(struct buf *, int);
static int	 record_json_str(struct buf *, const char *);
static int	 record_json_props(const struct record *, struct buf *);
static void	 record_json_int(struct buf *, const char *);
static int	 record_json_field(struct buf *, enum field, const char *);
static void	 record_json_key(struct buf *, const char *);
static int	 record_json_record(const struct record *, const char *,
		    const char *const *, struct buf *);
static int	 record_json_read_sources(struct record *, const struct jv *,
		    const char **);

/* A JSON string, or null for NULL; NULL if s is not valid UTF-8. */
static json_t *
record_json_nullable(const char *s)
{
	return s == NULL ? json_null() : json_string(s);
}

/*
 * Returns NULL only if the record holds text that is not valid UTF-8,
 * which the setters never store (record_set_raw and record_prop_set do
 * not check).
 */
json_t *
record_json_value(const struct record *r)
{
	json_t *o, *props, *srcs, *v;

	o = json_object();
	for (int i = 0; i < F__COUNT; i++) {
		const char *t = r->f[i];

		if (t == NULL)
			v = json_null();
		else if (field_info[i].type == FT_INT)
			v = json_integer(strtoll(t, NULL, 10));
		else if (field_info[i].type == FT_BOOL)
			v = json_boolean(strcmp(t, "true") == 0);
		else
			v = json_string(t);
		if (json_object_set_new(o, field_info[i].name, v) == -1)
			goto fail;
	}

	props = json_object();
	if (json_object_set_new(o, "properties", props) == -1)
		goto fail;
	for (size_t i = 0; i < r->nprops; i++)
		if (json_object_set_new(props, r->props[i].key,
		    record_json_nullable(r->props[i].value)) == -1)
			goto fail;

	srcs = json_array();
	if (json_object_set_new(o, "sources", srcs) == -1)
		goto fail;
	for (size_t i = 0; i < r->nsrcs; i++) {
		json_t *so = json_object();

		if (json_array_append_new(srcs, so) == -1)
			goto fail;
		for (int j = 0; j < S__COUNT; j++)
			if (json_object_set_new(so, source_field_name[j],
			    record_json_nullable(r->srcs[i].v[j])) == -1)
				goto fail;
	}
	return o;

fail:
	json_decref(o);
	return NULL;
}

/*
 * The JSON text, written straight into the buffer's memory (struct buf's
 * data, len and cap, util.h): record_json_room makes room for n more bytes
 * and the NUL after them, so that a key or a run of plain characters is
 * one memcpy and a character one store, without the NUL buf_add writes
 * after each (a buf_add call each was two fifths of a SQLite run's fold
 * and write). The exported functions end the text with its NUL
 * (record_json_end), a partial text included.
 */
static inline void
record_json_room(struct buf *b, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
}

static inline void
record_json_put(struct buf *b, const void *p, size_t n)
{
	record_json_room(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void
record_json_putc(struct buf *b, char c)
{
	record_json_room(b, 1);
	b->data[b->len++] = c;
}

static int
record_json_end(struct buf *b, int rc)
{
	record_json_room(b, 0);
	b->data[b->len] = '\0';
	return rc;
}

/* A JSON string as jansson's dump writes it: ", \\, \\b \\f \\n \\r \\t
 * escaped by name, other control characters as \\u00XX (upper case hex),
 * everything else (UTF-8 included) as it is; NULL is null. */
static int
record_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *run;

	if (s == NULL) {
		record_json_put(b, "null", 4);
		return 0;
	}
	/* one pass: runs of plain bytes are copied whole, each multi-byte
	 * character is checked where it stands */
	record_json_putc(b, '"');
	for (run = p;;) {
		unsigned char c;
		char *esc;

		while ((c = *p) >= 0x20 && c < 0x80 && c != '"' && c != '\\')
			p++;
		if (c >= 0x80) {
			size_t len = c >= 0xc2 && c <= 0xdf ? 2 :
			    c >= 0xe0 && c <= 0xef ? 3 :
			    c >= 0xf0 && c <= 0xf4 ? 4 : 0;

			if (len == 0)
				return -1;
			/* the continuation bytes, never past the NUL */
			for (size_t i = 1; i < len; i++)
				if ((p[i] & 0xc0) != 0x80)
					return -1;
			if (!utf8_valid((const char *)p, len))
				return -1;
			p += len;
			continue;
		}
		/* the run, and room for the escape and the closing quote */
		record_json_room(b, (size_t)(p - run) + 7);
		memcpy(b->data + b->len, run, (size_t)(p - run));
		b->len += (size_t)(p - run);
		if (c == '\0')
			break;
		run = ++p;
		esc = b->data + b->len;
		esc[0] = '\\';
		b->len += 2;
		switch (c) {
		case '"':	esc[1] = '"'; break;
		case '\\':	esc[1] = '\\'; break;
		case '\b':	esc[1] = 'b'; break;
		case '\f':	esc[1] = 'f'; break;
		case '\n':	esc[1] = 'n'; break;
		case '\r':	esc[1] = 'r'; break;
		case '\t':	esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			b->len += 4;
		}
	}
	b->data[b->len++] = '"';
	return 0;
}

/* The properties object, without the NUL. */
static int
record_json_props(const struct record *r, struct buf *b)
{
	record_json_putc(b, '{');
	for (size_t i = 0; i < r->nprops; i++) {
		if (i > 0)
			record_json_putc(b, ',');
		if (record_json_str(b, r->props[i].key) != 0)
			return -1;
		record_json_putc(b, ':');
		if (record_json_str(b, r->props[i].value) != 0)
			return -1;
	}
	record_json_putc(b, '}');
	return 0;
}

int
record_json_props_text(const struct record *r, struct buf *b)
{
	return record_json_end(b, record_json_props(r, b));
}

/* The canonical text of an int field, as json_integer(strtoll()) dumps
 * it: the text itself (digits, no leading zero, at most 18 of them: it
 * fits), or, for what record_set_raw stored unchecked, what strtoll reads
 * of it. */
static void
record_json_int(struct buf *b, const char *t)
{
	char num[32];
	size_t n = 0;

	while (n <= 18 && t[n] >= '0' && t[n] <= '9')
		n++;
	if (t[n] == '\0' && n > 0 && n <= 18 && (t[0] != '0' || n == 1)) {
		record_json_put(b, t, n);
		return;
	}
	snprintf(num, sizeof num, "%lld", strtoll(t, NULL, 10));
	record_json_put(b, num, strlen(num));
}

/* A field's value as record_json_value gives it. */
static int
record_json_field(struct buf *b, enum field f, const char *t)
{
	if (t == NULL)
		record_json_put(b, "null", 4);
	else if (field_info[f].type == FT_INT)
		record_json_int(b, t);
	else if (field_info[f].type == FT_BOOL) {
		if (strcmp(t, "true") == 0)
			record_json_put(b, "true", 4);
		else
			record_json_put(b, "false", 5);
	} else
		return record_json_str(b, t);
	return 0;
}

/* "key": (names of fields and source fields: nothing to escape) */
static void
record_json_key(struct buf *b, const char *key)
{
	size_t n = strlen(key);
	char *p;

	record_json_room(b, n + 3);
	p = b->data + b->len;
	p[0] = '"';
	memcpy(p + 1, key, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	b->len += n + 3;
}

static int
record_json_record(const struct record *r, const char *extra_key,
    const char *const *extra, struct buf *b)
{
	record_json_putc(b, '{');
	for (int i = 0; i < F__COUNT; i++) {
		if (i > 0)
			record_json_putc(b, ',');
		record_json_key(b, field_info[i].name);
		if (record_json_field(b, (enum field)i, r->f[i]) != 0)
			return -1;
	}
	record_json_put(b, ",\"properties\":", 14);
	/* record_json_value keeps the properties in their order, as the
	 * record's sorted order is what the output shows */
	if (record_json_props(r, b) != 0)
		return -1;
	record_json_put(b, ",\"sources\":[", 12);
	for (size_t i = 0; i < r->nsrcs; i++) {
		if (i > 0)
			record_json_putc(b, ',');
		record_json_putc(b, '{');
		for (int j = 0; j < S__COUNT; j++) {
			if (j > 0)
				record_json_putc(b, ',');
			record_json_key(b, source_field_name[j]);
			if (record_json_str(b, r->srcs[i].v[j]) != 0)
				return -1;
		}
		if (extra != NULL) {
			record_json_putc(b, ',');
			record_json_key(b, extra_key);
			record_json_put(b, extra[i], strlen(extra[i]));
		}
		record_json_putc(b, '}');
	}
	record_json_put(b, "]}", 2);
	return 0;
}

int
record_json_text_ex(const struct record *r, const char *extra_key,
    const char *const *extra, struct buf *b)
{
	return record_json_end(b, record_json_record(r, extra_key, extra, b));
}

int
record_json_text(const struct record *r, struct buf *b)
{
	return record_json_text_ex(r, NULL, NULL, b);
}

int
record_json_said_text(const struct record *r, struct buf *b)
{
	int first = 1, rc = 0;

	record_json_putc(b, '{');
	for (int i = 0; i < F__COUNT && rc == 0; i++) {
		if (i == F_ID || r->f[i] == NULL)
			continue;
		if (!first)
			record_json_putc(b, ',');
		first = 0;
		record_json_key(b, field_info[i].name);
		rc = record_json_field(b, (enum field)i, r->f[i]);
	}
	if (rc == 0 && r->nprops > 0) {
		if (!first)
			record_json_putc(b, ',');
		record_json_key(b, "properties");
		rc = record_json_props(r, b);
	}
	if (rc == 0)
		record_json_putc(b, '}');
	return record_json_end(b, rc);
}

static int
record_json_read_sources(struct record *r, const struct jv *a,
    const char **why)
{
	const struct jv *e, *v;

	if (!jv_is_array(a)) {
		*why = "has \"sources\" that is not an array";
		return -1;
	}
	JV_FOREACH(a, e) {
		struct source *s;

		if (!jv_is_object(e)) {
			*why = "has a source that is not an object";
			return -1;
		}
		s = record_add_source(r);
		JV_FOREACH(e, v) {
			int f;

			for (f = 0; f < S__COUNT; f++)
				if (strcmp(source_field_name[f], v->key) == 0)
					break;
			if (f == S__COUNT) {
				*why = "has a source with an unknown member";
				return -1;
			}
			if (jv_is_null(v))
				continue;
			if (!jv_is_text(v)) {
				*why = "has a source value that is not a string";
				return -1;
			}
			source_set(s, f, v->u.s);
		}
	}
	return 0;
}

/*
 * Reads the form record_json_value writes. Missing members are null; an
 * unknown member is an error. r is replaced only on success.
 */
int
record_json_read(struct record *r, const struct jv *o, const char **why)
{
	const struct jv *v, *pv;
	struct record t;
	int f;

	if (!jv_is_object(o)) {
		*why = "is not a JSON object";
		return -1;
	}
	record_init(&t);
	JV_FOREACH(o, v) {
		if ((f = field_lookup(v->key)) != -1) {
			if (record_set_json(&t, f, v, why) == -1)
				goto fail;
		} else if (strcmp(v->key, "properties") == 0) {
			if (!jv_is_object(v)) {
				*why = "has \"properties\" that is not an object";
				goto fail;
			}
			JV_FOREACH(v, pv)
				if (record_prop_set_json(&t, pv->key, pv,
				    why) == -1)
					goto fail;
		} else if (strcmp(v->key, "sources") == 0) {
			if (record_json_read_sources(&t, v, why) == -1)
				goto fail;
		} else {
			*why = "has an unknown member";
			goto fail;
		}
	}
	record_move(r, &t);
	return 0;

fail:
	record_clear(&t);
	return -1;
}
