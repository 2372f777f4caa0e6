/*
 * record.c: the canonical image record and the mapping rules of
 * DESIGN.md section 3 (booleans, integers, timestamps, UUIDs, checksums,
 * statuses, visibility), and the record's canonical JSON form.
 *
 * Every norm_* function is pure: it reads the text an API sent and either
 * allocates the canonical text or names, with a static phrase, what is
 * wrong with the value. Nothing here depends on the locale or on TZ.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "util.h"

const struct field_info field_info[F__COUNT] = {
	[F_ID] =		{ "id",			FT_UUID },
	[F_NAME] =		{ "name",		FT_STRING },
	[F_STATUS] =		{ "status",		FT_STATUS },
	[F_VISIBILITY] =	{ "visibility",		FT_VISIBILITY },
	[F_PROTECTED] =		{ "protected",		FT_BOOL },
	[F_CONTAINER_FORMAT] =	{ "container_format",	FT_STRING },
	[F_DISK_FORMAT] =	{ "disk_format",	FT_STRING },
	[F_SIZE] =		{ "size",		FT_INT },
	[F_VIRTUAL_SIZE] =	{ "virtual_size",	FT_INT },
	[F_CHECKSUM] =		{ "checksum",		FT_MD5 },
	[F_MIN_RAM] =		{ "min_ram",		FT_INT },
	[F_MIN_DISK] =		{ "min_disk",		FT_INT },
	[F_OWNER] =		{ "owner",		FT_STRING },
	[F_CREATED_AT] =	{ "created_at",		FT_TIME },
	[F_UPDATED_AT] =	{ "updated_at",		FT_TIME },
	[F_DELETED] =		{ "deleted",		FT_BOOL },
	[F_DELETED_AT] =	{ "deleted_at",		FT_TIME },
};

const char *const source_field_name[S__COUNT] = {
	[S_FILE] =		"file",
	[S_AT] =		"at",
	[S_API] =		"api",
	[S_CALL] =		"call",
	[S_DATE] =		"date",
	[S_REQUEST_ID] =	"request_id",
	[S_PROJECT_ID] =	"project_id",
	[S_STATUS] =		"status",
	[S_URL] =		"url",
	[S_SHA256] =		"sha256",
};

/* Reasons, completing "FIELD \"VALUE\": ...". */
#define WHY_BOOL	"is not a boolean"
#define WHY_INT		"is not a whole non-negative number"
#define WHY_NEGATIVE	"is negative"
#define WHY_FRACTION	"is not a whole number"
#define WHY_TOO_BIG	"is too big for 64 bits"
#define WHY_TIME	"is not an RFC 3339 timestamp"
#define WHY_HTTP_DATE	"is not an HTTP date"
#define WHY_UUID	"is not a UUID"
#define WHY_MD5		"is not an MD5 checksum"
#define WHY_VISIBILITY	"is not public, private, shared or community"
#define WHY_UTF8	"is not valid UTF-8"
#define WHY_NUL		"contains a NUL character"
#define WHY_JSON_TEXT	"cannot be written as JSON text"

/* A broken-down UTC (or local, before conversion) time. */
struct tm_utc {
	int	year, mon, day, hour, min, sec;
};

static int	 is_digit(int);
static int	 is_xdigit(int);
static int	 digits(const char *, size_t, int *);
static int	 is_leap(int);
static int	 month_days(int, int);
static int64_t	 days_from_civil(int, int, int);
static void	 civil_from_days(int64_t, int *, int *, int *);
static int	 time_valid(const struct tm_utc *);
static int	 month_lookup(const char *);
static int	 wday_lookup(const char *, size_t, int);
static int	 parse_hms(const char *, struct tm_utc *);
static int	 norm_hex(const char *, const char *, char **);
static int	 status_index(const char *, const char **);
static void	 field_put(struct record *, enum field, char *);
static const char *json_type_why(const json_t *, enum field_type);
static json_t	*json_unconst(const json_t *);
static int	 real_precision(double);
static int	 json_precision(const json_t *);
static void	 prop_free(struct prop *);
static void	 prop_msort(struct prop *, struct prop *, size_t);
static json_t	*json_text(const char *);
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
static int	 sources_from_json(struct record *, const json_t *,
		    const char **);

/*
 * Fields.
 */

int
field_lookup(const char *name)
{
	for (int i = 0; i < F__COUNT; i++)
		if (strcmp(field_info[i].name, name) == 0)
			return i;
	return -1;
}

void
record_init(struct record *r)
{
	memset(r, 0, sizeof *r);
}

void
record_clear(struct record *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < F__COUNT; i++)
		free(r->f[i]);
	for (size_t i = 0; i < r->nprops; i++)
		prop_free(&r->props[i]);
	free(r->props);
	for (size_t i = 0; i < r->nsrcs; i++)
		source_clear(&r->srcs[i]);
	free(r->srcs);
	record_init(r);
}

void
record_move(struct record *dst, struct record *src)
{
	if (dst == src)
		return;
	record_clear(dst);
	*dst = *src;
	record_init(src);
}

/* Replaces field f with v (owned, may be NULL). */
static void
field_put(struct record *r, enum field f, char *v)
{
	free(r->f[f]);
	r->f[f] = v;
}

void
record_set_raw(struct record *r, enum field f, const char *canonical)
{
	field_put(r, f, xstrdup(canonical));
}

int
record_set(struct record *r, enum field f, const char *text,
    const char **why)
{
	char *out = NULL;
	int rv;

	if (text == NULL)
		return 0;
	switch (field_info[f].type) {
	case FT_STRING:
		if (!utf8_valid(text, strlen(text))) {
			*why = WHY_UTF8;
			return -1;
		}
		out = xstrdup(text);
		rv = 0;
		break;
	case FT_UUID:
		rv = norm_uuid(text, &out, why);
		break;
	case FT_MD5:
		rv = norm_md5(text, &out, why);
		break;
	case FT_INT:
		rv = norm_int(text, &out, why);
		break;
	case FT_BOOL:
		rv = norm_bool(text, &out, why);
		break;
	case FT_TIME:
		rv = norm_time(text, &out, why);
		break;
	case FT_STATUS:
		rv = norm_status(text, &out, why);
		break;
	case FT_VISIBILITY:
		rv = norm_visibility(text, &out, why);
		break;
	default:
		fatal("record_set: field %d has no type", (int)f);
	}
	if (rv == -1)
		return -1;
	/* An unmapped status is null: it leaves the field as it was. */
	if (out != NULL)
		field_put(r, f, out);
	return 0;
}

/*
 * The reason for a JSON value of the wrong type: "is an object, not a
 * string". Strings are accepted by every field type.
 */
static const char *
json_type_why(const json_t *v, enum field_type t)
{
	static const char *const why[][3] = {
		/* wanted: string, number, boolean */
		{ "is an object, not a string", "is an object, not a number",
		  "is an object, not a boolean" },
		{ "is an array, not a string", "is an array, not a number",
		  "is an array, not a boolean" },
		{ "is a number, not a string", "is a number, not a number",
		  "is a number, not a boolean" },
		{ "is a boolean, not a string", "is a boolean, not a number",
		  "is a boolean, not a boolean" },
	};
	int have, want;

	if (json_is_object(v))
		have = 0;
	else if (json_is_array(v))
		have = 1;
	else if (json_is_number(v))
		have = 2;
	else
		have = 3;
	want = t == FT_INT ? 1 : t == FT_BOOL ? 2 : 0;
	return why[have][want];
}

int
record_set_json(struct record *r, enum field f, const json_t *v,
    const char **why)
{
	enum field_type t = field_info[f].type;
	json_int_t n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (strlen(s) != json_string_length(v)) {
			*why = WHY_NUL;
			return -1;
		}
		return record_set(r, f, s, why);
	}
	if (t == FT_INT && json_is_integer(v)) {
		char digits[U64_TEXT];

		n = json_integer_value(v);
		if (n < 0) {
			*why = WHY_NEGATIVE;
			return -1;
		}
		/* without printf: the size and minimums of every image */
		field_put(r, f, xstrdup(u64_text(digits, (uint64_t)n)));
		return 0;
	}
	if (t == FT_INT && json_is_real(v)) {
		*why = json_real_value(v) < 0 ? WHY_NEGATIVE : WHY_FRACTION;
		return -1;
	}
	if (t == FT_BOOL && json_is_boolean(v)) {
		field_put(r, f, xstrdup(json_is_true(v) ? "true" : "false"));
		return 0;
	}
	*why = json_type_why(v, t);
	return -1;
}

/*
 * Properties. record_prop_set appends, so that an image with many
 * properties is read in linear time; record_sort orders them and drops
 * all but the last value of a key, and record_prop_get scans from the end
 * so that the last value wins before sorting too.
 */

static void
prop_free(struct prop *p)
{
	free(p->key);
	free(p->value);
	p->key = p->value = NULL;
}

void
record_prop_set(struct record *r, const char *key, const char *value)
{
	struct prop *p;

	if (r->nprops == r->capprops) {
		r->capprops = r->capprops == 0 ? 8 : r->capprops * 2;
		r->props = xreallocarray(r->props, r->capprops,
		    sizeof *r->props);
	}
	p = &r->props[r->nprops++];
	p->key = xstrdup(key);
	p->value = xstrdup(value);
	p->src = 0;
}

/* jansson's API takes non-const pointers even where it only reads. */
static json_t *
json_unconst(const json_t *v)
{
	return (json_t *)(uintptr_t)v;
}

/*
 * The fewest significant digits that print d so that it reads back, and
 * without an exponent where one was not needed (1000.0, not 1e3).
 */
static int
real_precision(double d)
{
	char s[64];
	int p;

	for (p = 1; p < 17; p++) {
		snprintf(s, sizeof s, "%.*g", p, d);
		if (strtod(s, NULL) == d &&
		    (strchr(s, 'e') == NULL || (d < 1 && d > -1)))
			break;
	}
	return p;
}

/*
 * The precision that prints every real in v so that it reads back with
 * no noise digits (0.1 rather than jansson's default 0.10000000000000001).
 */
static int
json_precision(const json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;
	int p = 1, q;

	if (json_is_real(v))
		return real_precision(json_real_value(v));
	if (json_is_array(v)) {
		json_array_foreach(json_unconst(v), i, e) {
			if ((q = json_precision(e)) > p)
				p = q;
		}
	} else if (json_is_object(v)) {
		json_object_foreach(json_unconst(v), key, e) {
			if ((q = json_precision(e)) > p)
				p = q;
		}
	}
	return p;
}

int
record_prop_set_json(struct record *r, const char *key, const json_t *v,
    const char **why)
{
	char *s;

	if (v == NULL || json_is_null(v)) {
		record_prop_set(r, key, NULL);
		return 0;
	}
	if (json_is_string(v)) {
		const char *t = json_string_value(v);
		size_t n = json_string_length(v);

		if (strlen(t) != n) {
			*why = WHY_NUL;
			return -1;
		}
		if (!utf8_valid(t, n)) {
			*why = WHY_UTF8;
			return -1;
		}
		record_prop_set(r, key, t);
		return 0;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
	    JSON_REAL_PRECISION(json_precision(v)));
	if (s == NULL) {
		*why = WHY_JSON_TEXT;
		return -1;
	}
	record_prop_set(r, key, s);
	free(s);
	return 0;
}

const struct prop *
record_prop_get(const struct record *r, const char *key)
{
	for (size_t i = r->nprops; i > 0; i--)
		if (strcmp(r->props[i - 1].key, key) == 0)
			return &r->props[i - 1];
	return NULL;
}

/* Stable merge sort of a[0..n) by key, using tmp[0..n). */
static void
prop_msort(struct prop *a, struct prop *tmp, size_t n)
{
	size_t h = n / 2, i, j, k;

	if (n < 2)
		return;
	prop_msort(a, tmp, h);
	prop_msort(a + h, tmp, n - h);
	if (strcmp(a[h - 1].key, a[h].key) <= 0)
		return;			/* already in order */
	memcpy(tmp, a, h * sizeof *a);
	for (i = 0, j = h, k = 0; i < h && j < n; k++) {
		/* Ties take the left (earlier) one: stable. */
		if (strcmp(tmp[i].key, a[j].key) <= 0)
			a[k] = tmp[i++];
		else
			a[k] = a[j++];
	}
	while (i < h)
		a[k++] = tmp[i++];
}

void
record_sort(struct record *r)
{
	struct prop *tmp;
	size_t i, n;

	for (i = 1; i < r->nprops; i++)
		if (strcmp(r->props[i - 1].key, r->props[i].key) >= 0)
			break;
	if (i >= r->nprops)
		return;			/* sorted, no duplicates */
	tmp = xreallocarray(NULL, r->nprops / 2 + 1, sizeof *tmp);
	prop_msort(r->props, tmp, r->nprops);
	free(tmp);

	/* Of each run of one key, keep the last: it was set last. */
	for (i = 0, n = 0; i < r->nprops; i++) {
		if (i + 1 < r->nprops &&
		    strcmp(r->props[i].key, r->props[i + 1].key) == 0)
			prop_free(&r->props[i]);
		else
			r->props[n++] = r->props[i];
	}
	r->nprops = n;
}

/*
 * Sources.
 */

struct source *
record_add_source(struct record *r)
{
	struct source *s;

	if (r->nsrcs == r->capsrcs) {
		r->capsrcs = r->capsrcs == 0 ? 4 : r->capsrcs * 2;
		r->srcs = xreallocarray(r->srcs, r->capsrcs, sizeof *r->srcs);
	}
	s = &r->srcs[r->nsrcs++];
	memset(s, 0, sizeof *s);
	return s;
}

/* A source's text is valid UTF-8 like the rest of the record: bytes that
 * are not (a file name, a request URL from anywhere) are read as
 * ISO-8859-1, so that none is dropped (read.c warns). */
void
source_set(struct source *s, enum source_field f, const char *v)
{
	char *p = v == NULL || utf8_valid(v, strlen(v)) ? xstrdup(v) :
	    latin1_to_utf8(v, strlen(v));

	free(s->v[f]);
	s->v[f] = p;
}

void
source_copy(struct source *dst, const struct source *src)
{
	if (dst == src)
		return;
	for (int i = 0; i < S__COUNT; i++)
		source_set(dst, i, src->v[i]);
}

/*
 * What imgmeta itself writes into a source (read_source_init, os_source):
 * file, at, api and call always; an api and a call as the XSD has them
 * (a reader's API name, one of the calls); a date as norm_time writes it.
 */
const char *
source_check(const struct source *s, char *buf, size_t size)
{
	static const char *const calls[] = {
		"head", "detail", "list", "show", "metadata", NULL
	};
	static const enum source_field needed[] = {
		S_FILE, S_AT, S_API, S_CALL
	};
	const char *const *list, *v, *why = NULL;
	char *norm = NULL;
	int f = -1, cut;

	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		if (s->v[needed[i]] == NULL) {
			snprintf(buf, size, "%s is missing",
			    source_field_name[needed[i]]);
			return buf;
		}
	v = s->v[S_API];
	if (!((*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9')) ||
	    v[strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789._-")] != '\0') {
		f = S_API;
		why = "is not an API's name (lower-case letters, digits, "
		    "'.', '_' and '-')";
	} else {
		for (list = calls; *list != NULL &&
		    strcmp(*list, s->v[S_CALL]) != 0; list++)
			;
		if (*list == NULL) {
			f = S_CALL;
			why = "is not one of head, detail, list, show, metadata";
		}
	}
	if (f == -1 && (v = s->v[S_DATE]) != NULL &&
	    (norm_time(v, &norm, &why) != 0 || strcmp(norm, v) != 0)) {
		f = S_DATE;
		why = "is not an RFC 3339 date and time in UTC, as imgmeta "
		    "writes it";
	}
	free(norm);
	if (f == -1 && (v = s->v[S_SHA256]) != NULL &&
	    (strlen(v) != 64 || v[strspn(v, "0123456789abcdef")] != '\0')) {
		f = S_SHA256;
		why = "is not a SHA-256 (64 lowercase hexadecimal digits)";
	}
	if (f == -1)
		return NULL;
	/* The value quoted, cut before a UTF-8 continuation byte. */
	v = s->v[f];
	cut = (int)strlen(v);
	if (cut > 40) {
		cut = 40;
		while (cut > 0 && ((unsigned char)v[cut] & 0xc0) == 0x80)
			cut--;
	}
	snprintf(buf, size, "%s \"%.*s%s\" %s", source_field_name[f], cut,
	    v, v[cut] != '\0' ? "..." : "", why);
	return buf;
}

void
source_clear(struct source *s)
{
	for (int i = 0; i < S__COUNT; i++) {
		free(s->v[i]);
		s->v[i] = NULL;
	}
}

/*
 * The canonical JSON form.
 */

/* A JSON string, or null for NULL; NULL if s is not valid UTF-8. */
static json_t *
json_text(const char *s)
{
	return s == NULL ? json_null() : json_string(s);
}

/*
 * Returns NULL only if the record holds text that is not valid UTF-8,
 * which the setters never store (record_set_raw and record_prop_set do
 * not check).
 */
json_t *
record_to_json(const struct record *r)
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
		    json_text(r->props[i].value)) == -1)
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
			    json_text(r->srcs[i].v[j])) == -1)
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
record_props_json_text(const struct record *r, struct buf *b)
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

	while (n <= 18 && is_digit((unsigned char)t[n]))
		n++;
	if (t[n] == '\0' && n > 0 && n <= 18 && (t[0] != '0' || n == 1)) {
		record_json_put(b, t, n);
		return;
	}
	snprintf(num, sizeof num, "%lld", strtoll(t, NULL, 10));
	record_json_put(b, num, strlen(num));
}

/* A field's value as record_to_json gives it. */
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
	/* record_to_json keeps the properties in their order, as the
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
record_said_json_text(const struct record *r, struct buf *b)
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
sources_from_json(struct record *r, const json_t *a, const char **why)
{
	const char *key;
	json_t *e, *v;
	size_t i;

	if (!json_is_array(a)) {
		*why = "has \"sources\" that is not an array";
		return -1;
	}
	json_array_foreach(json_unconst(a), i, e) {
		struct source *s;

		if (!json_is_object(e)) {
			*why = "has a source that is not an object";
			return -1;
		}
		s = record_add_source(r);
		json_object_foreach(e, key, v) {
			int f;

			for (f = 0; f < S__COUNT; f++)
				if (strcmp(source_field_name[f], key) == 0)
					break;
			if (f == S__COUNT) {
				*why = "has a source with an unknown member";
				return -1;
			}
			if (json_is_null(v))
				continue;
			if (!json_is_string(v) ||
			    strlen(json_string_value(v)) !=
			    json_string_length(v)) {
				*why = "has a source value that is not a string";
				return -1;
			}
			source_set(s, f, json_string_value(v));
		}
	}
	return 0;
}

/*
 * Reads the form record_to_json writes. Missing members are null; an
 * unknown member is an error. r is replaced only on success.
 */
int
record_from_json(struct record *r, const json_t *o, const char **why)
{
	struct record t;
	const char *key, *pkey;
	json_t *v, *pv;
	int f;

	if (!json_is_object(o)) {
		*why = "is not a JSON object";
		return -1;
	}
	record_init(&t);
	json_object_foreach(json_unconst(o), key, v) {
		if ((f = field_lookup(key)) != -1) {
			if (record_set_json(&t, f, v, why) == -1)
				goto fail;
		} else if (strcmp(key, "properties") == 0) {
			if (!json_is_object(v)) {
				*why = "has \"properties\" that is not an object";
				goto fail;
			}
			json_object_foreach(v, pkey, pv)
				if (record_prop_set_json(&t, pkey, pv, why) == -1)
					goto fail;
		} else if (strcmp(key, "sources") == 0) {
			if (sources_from_json(&t, v, why) == -1)
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

/*
 * Mapping rules.
 */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_xdigit(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Reads exactly n decimal digits at s into *v; 0 if they aren't digits. */
static int
digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

int
norm_bool(const char *s, char **out, const char **why)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (ascii_casecmp(s, yes[i]) == 0) {
			*out = xstrdup("true");
			return 0;
		}
		if (ascii_casecmp(s, no[i]) == 0) {
			*out = xstrdup("false");
			return 0;
		}
	}
	*why = WHY_BOOL;
	return -1;
}

/*
 * Whole, non-negative, 64-bit decimal digits. A value that reads as some
 * other number gets a reason that says why it is not one of ours.
 */
int
norm_int(const char *s, char **out, const char **why)
{
	static const char max[] = "9223372036854775807";
	const char *p = s, *d;
	size_t n;
	int neg = 0, nonzero = 0, frac = 0, expo = 0;

	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	/* Check the shape of a decimal number: digits [.digits] [e[+-]digits]. */
	for (d = p; is_digit((unsigned char)*p); p++)
		nonzero |= *p != '0';
	n = (size_t)(p - d);
	if (*p == '.') {
		const char *f = ++p;

		for (; is_digit((unsigned char)*p); p++) {
			nonzero |= *p != '0';
			frac = 1;
		}
		if (p == f && n == 0)
			goto bad;
		frac = 1;
	} else if (n == 0)
		goto bad;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!is_digit((unsigned char)*p))
			goto bad;
		while (is_digit((unsigned char)*p))
			p++;
		expo = 1;
	}
	if (*p != '\0')
		goto bad;
	if (neg && nonzero) {
		*why = WHY_NEGATIVE;
		return -1;
	}
	if (frac) {
		*why = WHY_FRACTION;
		return -1;
	}
	if (d != s || expo)
		goto bad;		/* a sign, or an exponent */

	while (n > 1 && *d == '0') {
		d++;
		n--;
	}
	if (n > sizeof max - 1 ||
	    (n == sizeof max - 1 && memcmp(d, max, n) > 0)) {
		*why = WHY_TOO_BIG;
		return -1;
	}
	*out = xstrndup(d, n);
	return 0;

bad:
	*why = WHY_INT;
	return -1;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date. Years are counted
 * from March, so that the leap day is the last day of its year; an era is
 * 400 years (146097 days).
 */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
time_valid(const struct tm_utc *t)
{
	return t->mon >= 1 && t->mon <= 12 && t->day >= 1 &&
	    t->day <= month_days(t->year, t->mon) && t->hour <= 23 &&
	    t->min <= 59 && t->sec <= 60;
}

/* "HH:MM:SS" at s. */
static int
parse_hms(const char *s, struct tm_utc *t)
{
	return digits(s, 2, &t->hour) && s[2] == ':' &&
	    digits(s + 3, 2, &t->min) && s[5] == ':' &&
	    digits(s + 6, 2, &t->sec);
}

/*
 * RFC 3339 date-time, with the leniencies Glance and Nova need: no zone
 * means UTC, a space may stand for 'T', and "+HHMM" is read like "+HH:MM".
 */
int
norm_time(const char *s, char **out, const char **why)
{
	struct tm_utc t;
	const char *p, *frac = NULL;
	size_t nfrac = 0;
	int off = 0, oh, om;

	if (!digits(s, 4, &t.year) || s[4] != '-' ||
	    !digits(s + 5, 2, &t.mon) || s[7] != '-' ||
	    !digits(s + 8, 2, &t.day) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !parse_hms(s + 11, &t))
		goto bad;
	p = s + 19;
	if (*p == '.') {
		frac = ++p;
		while (is_digit((unsigned char)*p))
			p++;
		nfrac = (size_t)(p - frac);
		if (nfrac == 0)
			goto bad;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if (*p == '+' || *p == '-') {
		if (!digits(p + 1, 2, &oh))
			goto bad;
		if (p[3] == ':' && digits(p + 4, 2, &om) && p[6] == '\0')
			;
		else if (digits(p + 3, 2, &om) && p[5] == '\0')
			;
		else
			goto bad;
		if (oh > 23 || om > 59)
			goto bad;
		off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
	} else if (*p != '\0')
		goto bad;
	if (!time_valid(&t))
		goto bad;

	if (off != 0) {
		/* Local time minus the offset is UTC; seconds are unchanged. */
		int64_t m = days_from_civil(t.year, t.mon, t.day) * 1440 +
		    t.hour * 60 + t.min - off;
		int64_t days = m >= 0 ? m / 1440 : -((-m + 1439) / 1440);

		m -= days * 1440;
		civil_from_days(days, &t.year, &t.mon, &t.day);
		t.hour = (int)(m / 60);
		t.min = (int)(m % 60);
		if (t.year < 0 || t.year > 9999)
			goto bad;
	}
	{
		/* YYYY-MM-DDTHH:MM:SS[.frac]Z, without printf: every
		 * timestamp of every observation comes through here */
		char *o = *out = xmalloc(21 + (frac != NULL ? nfrac + 1 : 0));
		const int v[6] = { t.year, t.mon, t.day, t.hour, t.min, t.sec };
		static const char sep[6] = { '-', '-', 'T', ':', ':', 0 };

		*o++ = (char)('0' + t.year / 1000);
		*o++ = (char)('0' + t.year / 100 % 10);
		for (int i = 0; i < 6; i++) {
			*o++ = (char)('0' + v[i] / 10 % 10);
			*o++ = (char)('0' + v[i] % 10);
			if (sep[i] != 0)
				*o++ = sep[i];
		}
		if (frac != NULL) {
			*o++ = '.';
			memcpy(o, frac, nfrac);
			o += nfrac;
		}
		*o++ = 'Z';
		*o = '\0';
	}
	return 0;

bad:
	*why = WHY_TIME;
	return -1;
}

static int
month_lookup(const char *s)
{
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};

	for (int i = 0; i < 12; i++)
		if (ascii_ncasecmp(s, mon[i], 3) == 0)
			return i + 1;
	return 0;
}

/*
 * The length of the day name at s: n letters, either the 3-letter name or,
 * when full is set, the full name ("Monday"). 0 if there is none.
 */
static int
wday_lookup(const char *s, size_t n, int full)
{
	static const char *const day[] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
		"Saturday", "Sunday"
	};

	for (int i = 0; i < 7; i++) {
		size_t len = full ? strlen(day[i]) : 3;

		if (len == n && ascii_ncasecmp(s, day[i], n) == 0)
			return 1;
	}
	return 0;
}

/*
 * The three forms of RFC 9110 section 5.6.7 (IMF-fixdate, RFC 850,
 * asctime). Names are matched without regard to case, and the day of the
 * week is not checked against the date.
 */
int
norm_http_date(const char *s, char **out, const char **why)
{
	struct tm_utc t;
	const char *comma = strchr(s, ',');
	const char *p;
	int n;

	if (comma != NULL && wday_lookup(s, (size_t)(comma - s), 0) &&
	    comma[1] == ' ') {
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". */
		p = comma + 2;
		n = is_digit((unsigned char)p[0]) &&
		    is_digit((unsigned char)p[1]) ? 2 : 1;
		if (!digits(p, (size_t)n, &t.day) || p[n] != ' ')
			goto bad;
		p += n + 1;
		if ((t.mon = month_lookup(p)) == 0 || p[3] != ' ' ||
		    !digits(p + 4, 4, &t.year) || p[8] != ' ' ||
		    !parse_hms(p + 9, &t) || p[17] != ' ' ||
		    ascii_casecmp(p + 18, "GMT") != 0)
			goto bad;
	} else if (comma != NULL && wday_lookup(s, (size_t)(comma - s), 1) &&
	    comma[1] == ' ') {
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". */
		p = comma + 2;
		if (!digits(p, 2, &t.day) || p[2] != '-' ||
		    (t.mon = month_lookup(p + 3)) == 0 || p[6] != '-' ||
		    !digits(p + 7, 2, &t.year) || p[9] != ' ' ||
		    !parse_hms(p + 10, &t) || p[18] != ' ' ||
		    ascii_casecmp(p + 19, "GMT") != 0)
			goto bad;
		t.year += t.year >= 70 ? 1900 : 2000;
	} else if (comma == NULL && wday_lookup(s, 3, 0) && s[3] == ' ') {
		/* asctime: "Sun Nov  6 08:49:37 1994". */
		p = s + 4;
		if ((t.mon = month_lookup(p)) == 0 || p[3] != ' ')
			goto bad;
		p += 4;
		if (p[0] == ' ') {
			if (!digits(p + 1, 1, &t.day))
				goto bad;
		} else if (!digits(p, 2, &t.day))
			goto bad;
		if (p[2] != ' ' || !parse_hms(p + 3, &t) || p[11] != ' ' ||
		    !digits(p + 12, 4, &t.year) || p[16] != '\0')
			goto bad;
	} else
		goto bad;
	if (!time_valid(&t))
		goto bad;
	*out = xasprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.mon,
	    t.day, t.hour, t.min, t.sec);
	return 0;

bad:
	*why = WHY_HTTP_DATE;
	return -1;
}

/* Lowercases s if it matches pattern, where 'x' is a hex digit. */
static int
norm_hex(const char *s, const char *pattern, char **out)
{
	size_t n = strlen(pattern);
	char *p;

	if (strlen(s) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (pattern[i] == 'x' ? !is_xdigit((unsigned char)s[i]) :
		    s[i] != pattern[i])
			return -1;
	}
	p = xstrdup(s);
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'F')
			p[i] = (char)(p[i] - 'A' + 'a');
	*out = p;
	return 0;
}

int
norm_uuid(const char *s, char **out, const char **why)
{
	if (norm_hex(s, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", out) == -1) {
		*why = WHY_UUID;
		return -1;
	}
	return 0;
}

int
norm_md5(const char *s, char **out, const char **why)
{
	if (norm_hex(s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", out) == -1) {
		*why = WHY_MD5;
		return -1;
	}
	return 0;
}

/* Glance's statuses, and whether each says the image is deleted. */
static const struct {
	const char	*status;
	const char	*deleted;
} statuses[] = {
	{ "queued",		"false" },
	{ "saving",		"false" },
	{ "uploading",		"false" },
	{ "importing",		"false" },
	{ "active",		"false" },
	{ "deactivated",	"false" },
	{ "killed",		"false" },
	{ "deleted",		"true" },
	{ "pending_delete",	"true" },
};

/* The index in statuses[] of s, or -1. */
static int
status_index(const char *s, const char **deleted)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		if (strcmp(s, statuses[i].status) == 0) {
			if (deleted != NULL)
				*deleted = statuses[i].deleted;
			return (int)i;
		}
	}
	return -1;
}

int
norm_status(const char *s, char **out, const char **why)
{
	int i;

	(void)why;
	*out = NULL;
	if (s != NULL && (i = status_index(s, NULL)) != -1)
		*out = xstrdup(statuses[i].status);
	return 0;
}

const char *
status_deleted(const char *status)
{
	const char *deleted = NULL;

	if (status != NULL)
		(void)status_index(status, &deleted);
	return deleted;
}

int
norm_visibility(const char *s, char **out, const char **why)
{
	static const char *const values[] = {
		"public", "private", "shared", "community"
	};

	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		if (ascii_casecmp(s, values[i]) == 0) {
			*out = xstrdup(values[i]);
			return 0;
		}
	*why = WHY_VISIBILITY;
	return -1;
}
