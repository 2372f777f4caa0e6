/*
 * record.c: the canonical image record (record.h): the field table, the
 * normalising setters, properties and sources. The mapping rules the
 * setters apply are norm.c's; the record's JSON form is record_json.c's.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
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
#define WHY_NEGATIVE	NORM_WHY_NEGATIVE
#define WHY_FRACTION	NORM_WHY_FRACTION
#define WHY_UTF8	"is not valid UTF-8"
#define WHY_NUL		"contains a NUL character"
#define WHY_JSON_TEXT	"cannot be written as JSON text"

/*
 * A pooled record's blocks (record_init_pooled), newest first; the chain
 * ends in one of the two ends, which hold nothing (cap 0) and say whether
 * properties are pooled too. A string is copied into the newest block
 * while it has room, else into a new one twice its size.
 */
struct record_pool {
	struct record_pool	*next;
	size_t			 cap, len;
	int			 props;		/* properties pooled too */
	char			 data[];
};

#define RECORD_POOL_FIRST	960
/* record_sort's keys kept on the stack (more are allocated) */
#define RECORD_SORT_STACK	96

static struct record_pool record_pool_end = { NULL, 0, 0, 1 };
static struct record_pool record_pool_end_apart = { NULL, 0, 0, 0 };

static char	*record_str(struct record *, const char *, size_t);
static int	 record_pooled(const struct record *, const char *);
static void	 record_str_free(struct record *, char *);
static void	 record_field_put(struct record *, enum field, char *);
static int	 record_set_text(struct record *, enum field, const char *, int,
		    const char **);
static const char *record_type_why(const struct jv *, enum field_type);
static int	 record_real_precision(double);
static int	 record_precision(const struct jv *);
static void	 record_prop_free(struct record *, struct prop *);
struct record_sortkey;
static uint64_t	 record_sortkey(const char *);
static void	 record_prop_msort(struct record_sortkey *,
		    struct record_sortkey *, size_t);

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
record_init_pooled(struct record *r, int props)
{
	record_init(r);
	r->pool = props ? &record_pool_end : &record_pool_end_apart;
}

/* A copy of the n bytes at s and a NUL: r's to free (record_str_free). */
static char *
record_str(struct record *r, const char *s, size_t n)
{
	struct record_pool *b = r->pool;
	char *p;

	if (b == NULL)
		return xstrndup(s, n);
	if (b->cap - b->len <= n) {
		size_t cap = b->cap ? 2 * b->cap : RECORD_POOL_FIRST;

		if (cap <= n)
			cap = n + 1;
		if (cap > SIZE_MAX - sizeof *b)
			fatal("out of memory");
		b = xmalloc(sizeof *b + cap);
		b->next = r->pool;
		b->cap = cap;
		b->len = 0;
		b->props = r->pool->props;
		r->pool = b;
	}
	p = b->data + b->len;
	memcpy(p, s, n);
	p[n] = '\0';
	b->len += n + 1;
	return p;
}

/* Is p inside one of r's blocks? */
static int
record_pooled(const struct record *r, const char *p)
{
	for (const struct record_pool *b = r->pool; b != NULL; b = b->next)
		if ((uintptr_t)p - (uintptr_t)b->data < b->cap)
			return 1;
	return 0;
}

/* Frees a string of r: one in a block goes with the block. */
static void
record_str_free(struct record *r, char *p)
{
	if (p != NULL && (r->pool == NULL || !record_pooled(r, p)))
		free(p);
}

void
record_clear(struct record *r)
{
	struct record_pool *b, *next;

	if (r == NULL)
		return;
	for (int i = 0; i < F__COUNT; i++)
		record_str_free(r, r->f[i]);
	for (size_t i = 0; i < r->nprops; i++)
		record_prop_free(r, &r->props[i]);
	free(r->props);
	for (size_t i = 0; i < r->nsrcs; i++)
		for (int k = 0; k < S__COUNT; k++)
			record_str_free(r, r->srcs[i].v[k]);
	free(r->srcs);
	for (b = r->pool; b != NULL && b->cap > 0; b = next) {
		next = b->next;
		free(b);
	}
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

/* Replaces field f with v (r's: a malloc, or record_str's; may be
 * NULL). */
static void
record_field_put(struct record *r, enum field f, char *v)
{
	record_str_free(r, r->f[f]);
	r->f[f] = v;
}

void
record_set_raw(struct record *r, enum field f, const char *canonical)
{
	record_field_put(r, f, canonical != NULL ?
	    record_str(r, canonical, strlen(canonical)) : NULL);
}

void
record_set_rawn(struct record *r, enum field f, const char *canonical,
    size_t n)
{
	record_field_put(r, f, record_str(r, canonical, n));
}

int
record_set(struct record *r, enum field f, const char *text,
    const char **why)
{
	return record_set_text(r, f, text, 0, why);
}

/* record_set; valid: text is known to be valid UTF-8 (a jv's string). */
static int
record_set_text(struct record *r, enum field f, const char *text, int valid,
    const char **why)
{
	char *out = NULL;
	int rv;

	if (text == NULL)
		return 0;
	switch (field_info[f].type) {
	case FT_STRING: {
		size_t n = strlen(text);

		if (!valid && !utf8_valid(text, n)) {
			*why = WHY_UTF8;
			return -1;
		}
		out = record_str(r, text, n);
		rv = 0;
		break;
	}
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
		record_field_put(r, f, out);
	return 0;
}

/*
 * The reason for a JSON value of the wrong type: "is an object, not a
 * string". Strings are accepted by every field type.
 */
static const char *
record_type_why(const struct jv *v, enum field_type t)
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

	if (jv_is_object(v))
		have = 0;
	else if (jv_is_array(v))
		have = 1;
	else if (jv_is_number(v))
		have = 2;
	else
		have = 3;
	want = t == FT_INT ? 1 : t == FT_BOOL ? 2 : 0;
	return why[have][want];
}

int
record_set_json(struct record *r, enum field f, const struct jv *v,
    const char **why)
{
	enum field_type t = field_info[f].type;

	if (v == NULL || jv_is_null(v))
		return 0;
	if (jv_is_string(v)) {
		if (!jv_is_text(v)) {
			*why = WHY_NUL;
			return -1;
		}
		return record_set_text(r, f, v->u.s, 1, why);
	}
	if (t == FT_INT && jv_is_int(v)) {
		char digits[U64_TEXT];

		if (v->u.i < 0) {
			*why = WHY_NEGATIVE;
			return -1;
		}
		/* without printf: the size and minimums of every image */
		record_set_raw(r, f, u64_text(digits, (uint64_t)v->u.i));
		return 0;
	}
	if (t == FT_INT && jv_is_real(v)) {
		*why = v->u.d < 0 ? WHY_NEGATIVE : WHY_FRACTION;
		return -1;
	}
	if (t == FT_BOOL && jv_is_boolean(v)) {
		record_set_raw(r, f, jv_is_true(v) ? "true" : "false");
		return 0;
	}
	*why = record_type_why(v, t);
	return -1;
}

/*
 * Properties. record_prop_set appends, so that an image with many
 * properties is read in linear time; record_sort orders them and drops
 * all but the last value of a key, and record_prop_get scans from the end
 * so that the last value wins before sorting too.
 */

static void
record_prop_free(struct record *r, struct prop *p)
{
	record_str_free(r, p->key);
	record_str_free(r, p->value);
	p->key = p->value = NULL;
}

void
record_prop_set(struct record *r, const char *key, const char *value)
{
	record_prop_setn(r, key, strlen(key), value,
	    value != NULL ? strlen(value) : 0);
}

void
record_prop_setn(struct record *r, const char *key, size_t keylen,
    const char *value, size_t len)
{
	struct prop *p;

	if (r->nprops == r->capprops) {
		r->capprops = r->capprops == 0 ? 8 : r->capprops * 2;
		r->props = xreallocarray(r->props, r->capprops,
		    sizeof *r->props);
	}
	p = &r->props[r->nprops++];
	if (r->pool != NULL && !r->pool->props) {
		p->key = xstrndup(key, keylen);
		p->value = value != NULL ? xstrndup(value, len) : NULL;
	} else {
		p->key = record_str(r, key, keylen);
		p->value = value != NULL ? record_str(r, value, len) : NULL;
	}
	p->src = 0;
}

/*
 * The fewest significant digits that print d so that it reads back, and
 * without an exponent where one was not needed (1000.0, not 1e3).
 */
static int
record_real_precision(double d)
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
record_precision(const struct jv *v)
{
	const struct jv *e;
	int p = 1, q;

	if (jv_is_real(v))
		return record_real_precision(v->u.d);
	if (jv_is_array(v) || jv_is_object(v)) {
		JV_FOREACH(v, e) {
			if ((q = record_precision(e)) > p)
				p = q;
		}
	}
	return p;
}

int
record_prop_set_json(struct record *r, const char *key, const struct jv *v,
    const char **why)
{
	json_t *j;
	char *s;

	if (v == NULL || jv_is_null(v)) {
		record_prop_set(r, key, NULL);
		return 0;
	}
	if (jv_is_string(v)) {
		if (!jv_is_text(v)) {
			*why = WHY_NUL;
			return -1;
		}
		/* valid UTF-8 already (jv.h) */
		record_prop_setn(r, key, strlen(key), v->u.s, v->len);
		return 0;
	}
	/* Not a string: its JSON text, as jansson writes it. */
	j = jv_to_json(v);
	s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT |
	    JSON_REAL_PRECISION(record_precision(v)));
	json_decref(j);
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

/* A property's place in the sort: its key's first 8 bytes as a number
 * that orders as they do (big-endian, zeros past the key's end), and the
 * property. */
struct record_sortkey {
	uint64_t		 k;
	struct prop		*p;
};

static uint64_t
record_sortkey(const char *key)
{
	uint64_t k = 0;

	for (int i = 0; i < 8; i++) {
		k <<= 8;
		if (*key != '\0')
			k |= (unsigned char)*key++;
	}
	return k;
}

/* strcmp's order of two keys, their first 8 bytes first. */
static inline int
record_sortkey_cmp(const struct record_sortkey *a,
    const struct record_sortkey *b)
{
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	/* equal first 8 bytes: a key shorter than 8 (its last byte here
	 * is 0) is equal to the other (no key holds a NUL) */
	if ((a->k & 0xff) == 0)
		return 0;
	return strcmp(a->p->key + 8, b->p->key + 8);
}

/* Stable merge sort of a[0..n), using tmp[0..n). */
static void
record_prop_msort(struct record_sortkey *a, struct record_sortkey *tmp,
    size_t n)
{
	size_t h = n / 2, i, j, k;

	if (n < 2)
		return;
	record_prop_msort(a, tmp, h);
	record_prop_msort(a + h, tmp, n - h);
	if (record_sortkey_cmp(&a[h - 1], &a[h]) <= 0)
		return;			/* already in order */
	memcpy(tmp, a, h * sizeof *a);
	for (i = 0, j = h, k = 0; i < h && j < n; k++) {
		/* Ties take the left (earlier) one: stable. */
		if (record_sortkey_cmp(&tmp[i], &a[j]) <= 0)
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
	struct record_sortkey stack[RECORD_SORT_STACK], *a = stack;
	struct prop *sorted;
	size_t i, n = r->nprops;

	if (n < 2)
		return;
	/* the keys, and the merge sort's room after them */
	if (n + n / 2 + 1 > RECORD_SORT_STACK)
		a = xreallocarray(NULL, n + n / 2 + 1, sizeof *a);
	for (i = 0; i < n; i++) {
		a[i].k = record_sortkey(r->props[i].key);
		a[i].p = &r->props[i];
	}
	for (i = 1; i < n; i++)
		if (record_sortkey_cmp(&a[i - 1], &a[i]) >= 0)
			break;
	if (i < n) {
		record_prop_msort(a, a + n, n);
		sorted = xreallocarray(NULL, n, sizeof *sorted);
		/* Of each run of one key, keep the last: it was set last. */
		for (i = 0, n = 0; i < r->nprops; i++) {
			if (i + 1 < r->nprops &&
			    record_sortkey_cmp(&a[i], &a[i + 1]) == 0)
				record_prop_free(r, a[i].p);
			else
				sorted[n++] = *a[i].p;
		}
		free(r->props);
		r->props = sorted;
		r->nprops = n;
		r->capprops = r->nprops;
	}
	if (a != stack)
		free(a);
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
record_source_set(struct record *r, struct source *s, enum source_field f,
    const char *v)
{
	size_t n = v != NULL ? strlen(v) : 0;
	char *p = v == NULL ? NULL : utf8_valid(v, n) ? record_str(r, v, n) :
	    latin1_to_utf8(v, n);

	record_str_free(r, s->v[f]);
	s->v[f] = p;
}

void
record_source_setn(struct record *r, struct source *s, enum source_field f,
    const char *v, size_t n)
{
	record_str_free(r, s->v[f]);
	s->v[f] = record_str(r, v, n);
}

void
source_set_rawn(struct source *s, enum source_field f, const char *v,
    size_t n)
{
	free(s->v[f]);
	s->v[f] = xstrndup(v, n);
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
