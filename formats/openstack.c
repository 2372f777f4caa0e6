/*
 * openstack.c: helpers shared by the OpenStack readers (openstack.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openstack.h"

/* Longest value a message quotes, in bytes. */
#define OS_MSG_VALUE	120
/* Path segments of a URL looked at. */
#define OS_URL_MAXSEG	64
/* os_count_keys: the lists of names each thread keeps in the form it
 * looks them up in (the readers' bids have 4), and their most names. */
#define OS_NAMES_SEEN	8
#define OS_NAMES_MAX	32

static int	os_is_hex(int);
static int	os_hexval(int);
static int	os_is_version(const char *);
static char	*os_segment(const char *, size_t);
static int	os_uuid_at(const char *, size_t);
static size_t	os_url_split(const char *, const char *[], size_t []);
static size_t	os_url_images(const char *const [], const size_t [], size_t);
static int	os_listed(const char *const *, const char *);

static int
os_is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
os_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* "v1", "v1.1", "v2.1": an API version segment. */
static int
os_is_version(const char *s)
{
	const char *p = s + 1;

	if (s[0] != 'v' || *p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* A path segment, percent-decoded when that gives valid UTF-8 without
 * NUL, else as written. */
static char *
os_segment(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	if (memchr(s, '%', n) == NULL)
		return xstrndup(s, n);	/* nothing to decode */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    os_is_hex((unsigned char)s[i + 1]) &&
		    os_is_hex((unsigned char)s[i + 2])) {
			buf_addc(&b, (char)(os_hexval((unsigned char)s[i + 1])
			    * 16 + os_hexval((unsigned char)s[i + 2])));
			i += 2;
		} else
			buf_addc(&b, s[i]);
	}
	if (b.len == 0 || memchr(b.data, '\0', b.len) != NULL ||
	    !utf8_valid(b.data, b.len)) {
		buf_free(&b);
		return xstrndup(s, n);
	}
	return buf_detach(&b);
}

/* The non-empty segments of a URL's path (after "scheme://host[:port]",
 * before the query or fragment), at most OS_URL_MAXSEG: how many. */
static size_t
os_url_split(const char *url, const char *seg[], size_t len[])
{
	const char *p, *end;
	size_t n = 0;

	if ((p = strstr(url, "://")) != NULL &&
	    strcspn(url, "/?#") > (size_t)(p - url))
		p = p + 3 + strcspn(p + 3, "/?#");
	else
		p = url;
	end = p + strcspn(p, "?#");
	while (p < end && n < OS_URL_MAXSEG) {
		const char *q = p;

		while (q < end && *q != '/')
			q++;
		if (q > p) {
			seg[n] = p;
			len[n] = (size_t)(q - p);
			n++;
		}
		p = q + 1;
	}
	return n;
}

/* The index of the "images" segment, n when there is none. */
static size_t
os_url_images(const char *const seg[], const size_t len[], size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (len[k] == 6 && memcmp(seg[k], "images", 6) == 0)
			break;
	return k;
}

void
os_url_parse(const char *url, struct os_url *u)
{
	const char *seg[OS_URL_MAXSEG];
	size_t len[OS_URL_MAXSEG], n, k;

	*u = (struct os_url){ .target = OS_T_NONE };
	if (url == NULL)
		return;
	n = os_url_split(url, seg, len);
	if ((k = os_url_images(seg, len, n)) == n)
		return;
	if (k >= 1) {
		char *s = os_segment(seg[k - 1], len[k - 1]);

		if (os_is_version(s))
			u->version = s;
		else {
			u->project = s;
			if (k >= 2) {
				s = os_segment(seg[k - 2], len[k - 2]);
				if (os_is_version(s))
					u->version = s;
				else
					free(s);
			}
		}
	}
	if (k + 1 == n) {
		u->target = OS_T_LIST;
		return;
	}
	if (k + 2 == n && len[k + 1] == 6 &&
	    memcmp(seg[k + 1], "detail", 6) == 0) {
		u->target = OS_T_DETAIL;
		return;
	}
	u->image = os_segment(seg[k + 1], len[k + 1]);
	if (k + 2 == n)
		u->target = OS_T_IMAGE;
	else if (len[k + 2] == 8 && memcmp(seg[k + 2], "metadata", 8) == 0 &&
	    k + 4 >= n) {
		u->target = OS_T_METADATA;
		if (k + 4 == n)
			u->key = os_segment(seg[k + 3], len[k + 3]);
	} else
		u->target = OS_T_OTHER;
}

char *
os_url_query(const char *url, const char *name)
{
	const char *p, *end;
	size_t n = strlen(name);

	if (url == NULL || (p = strchr(url, '?')) == NULL)
		return NULL;
	end = p + strcspn(p, "#");
	for (p++; p < end; ) {
		size_t len = strcspn(p, "&#");

		if (len > n && p[n] == '=' && memcmp(p, name, n) == 0)
			return os_segment(p + n + 1, len - n - 1);
		p += len + (p[len] == '&');
	}
	return NULL;
}

char *
os_url_resolve(const char *base, const char *link)
{
	const char *p;

	if (link[0] == '/' && link[1] != '/' && base != NULL &&
	    (p = strstr(base, "://")) != NULL &&
	    strcspn(base, "/?#") > (size_t)(p - base)) {
		p += 3 + strcspn(p + 3, "/?#");
		return xasprintf("%.*s%s", (int)(p - base), base, link);
	}
	return xstrdup(link);
}

/* "API detail" or "API list" for a URL naming a listing, else NULL. */
static char *
os_page_listing(const char *api, const char *url)
{
	struct os_url u;
	char *s = NULL;

	os_url_parse(url, &u);
	if (u.target == OS_T_DETAIL || u.target == OS_T_LIST)
		s = xasprintf("%s %s", api, u.target == OS_T_DETAIL ?
		    "detail" : "list");
	os_url_free(&u);
	return s;
}

void
os_page(struct read_ctx *ctx, const char *api, const char *next,
    struct page *p)
{
	static const char *const orders[] = { "sort", "sort_key", "sort_dir" };
	const char *url = ctx->resp->url;

	p->v[PG_API] = xstrdup(api);
	p->v[PG_LISTING] = os_page_listing(api, url);
	p->v[PG_MARKER] = os_url_query(url, "marker");
	p->newest_first = 1;
	if (next == NULL)
		return;
	p->v[PG_NEXT] = xstrdup(next);
	p->v[PG_NEXT_URL] = os_url_resolve(url, next);
	p->v[PG_NEXT_LISTING] = os_page_listing(api, next);
	p->v[PG_NEXT_MARKER] = os_url_query(next, "marker");
	for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
		char *o = os_url_query(next, orders[i]);

		if (o != NULL)
			p->newest_first = 0;
		free(o);
	}
}

char *
os_url_project(const char *url)
{
	const char *seg[OS_URL_MAXSEG];
	size_t len[OS_URL_MAXSEG], n, k;
	char *s;

	if (url == NULL)
		return NULL;
	n = os_url_split(url, seg, len);
	if ((k = os_url_images(seg, len, n)) == n || k == 0)
		return NULL;
	s = os_segment(seg[k - 1], len[k - 1]);
	if (os_is_version(s)) {
		free(s);
		return NULL;
	}
	return s;
}

void
os_url_free(struct os_url *u)
{
	free(u->version);
	free(u->project);
	free(u->image);
	free(u->key);
	*u = (struct os_url){ .target = OS_T_NONE };
}

/* 1 if a UUID starts at s[i] (and is not part of a longer hex run). */
static int
os_uuid_at(const char *s, size_t i)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (i > 0 && os_is_hex((unsigned char)s[i - 1]))
		return 0;
	for (size_t j = 0; j < OS_UUID_LEN; j++) {
		int c = (unsigned char)s[i + j];

		if (c == '\0')
			return 0;
		if (shape[j] == '-' ? c != '-' : !os_is_hex(c))
			return 0;
	}
	return !os_is_hex((unsigned char)s[i + OS_UUID_LEN]);
}

size_t
os_find_uuids(const char *s, char found[][OS_UUID_LEN + 1], size_t max)
{
	size_t n = 0, i, j;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char u[OS_UUID_LEN + 1];

		if (!os_uuid_at(s, i))
			continue;
		for (j = 0; j < OS_UUID_LEN; j++) {
			int c = (unsigned char)s[i + j];

			u[j] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
		}
		u[OS_UUID_LEN] = '\0';
		i += OS_UUID_LEN - 1;
		for (j = 0; j < n; j++)
			if (strcmp(found[j], u) == 0)
				break;
		if (j < n)
			continue;		/* seen already */
		if (n == max)
			return max + 1;
		memcpy(found[n++], u, sizeof u);
	}
	return n;
}

char *
os_cut_text(const char *s)
{
	size_t n;

	if (s == NULL)
		return xstrdup("null");
	if ((n = strlen(s)) <= OS_MSG_VALUE)
		return xstrdup(s);
	/* Cut before a UTF-8 continuation byte, never inside a character. */
	n = OS_MSG_VALUE;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, s);
}

char *
os_value_text(const struct jv *v)
{
	char *dump, *text;
	json_t *j;

	if (jv_is_string(v))
		return os_cut_text(v->u.s);
	j = jv_to_json(v);
	dump = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (dump == NULL)
		return xstrdup("?");
	text = os_cut_text(dump);
	free(dump);
	return text;
}

enum rc
os_set_reject(struct read_ctx *ctx, const char *name, char *shown,
    const char *why)
{
	enum rc rc;

	rc = read_reject(ctx, "field %s \"%s\": %s", name, shown, why);
	free(shown);
	return rc;
}

enum rc
os_set_json(struct read_ctx *ctx, struct record *rec, enum field f,
    const char *name, const struct jv *v)
{
	const char *why = NULL;

	if (record_set_json(rec, f, v, &why) == 0)
		return RC_OK;
	return os_set_reject(ctx, name, os_value_text(v), why);
}

enum rc
os_set_text(struct read_ctx *ctx, struct record *rec, enum field f,
    const char *name, const char *text)
{
	const char *why = NULL;

	if (record_set(rec, f, text, &why) == 0)
		return RC_OK;
	return os_set_reject(ctx, name, os_cut_text(text), why);
}

enum rc
os_set_id_json(struct read_ctx *ctx, struct record *rec, const char *name,
    const struct jv *v)
{
	if (v == NULL || jv_is_null(v) || (jv_is_string(v) && v->len == 0))
		return read_reject(ctx, "image has no id");
	return os_set_json(ctx, rec, F_ID, name, v);
}

enum rc
os_item_begin(struct read_ctx *ctx, const struct jv *item,
    struct record *rec, struct os_url *u)
{
	record_init_pooled(rec, 1);
	os_url_parse(ctx->resp->url, u);
	if (!jv_is_object(item))
		return read_reject(ctx, "image is %s, not an object",
		    os_json_type(item));
	return os_set_id_json(ctx, rec, "id", jv_get(item, "id"));
}

enum rc
os_status_text(struct read_ctx *ctx, struct record *rec, const char *name,
    const char *raw, const struct reader_status *map)
{
	const char *text = raw;
	enum rc rc;

	if (raw == NULL)
		return RC_OK;
	for (; map != NULL && map->sent != NULL; map++) {
		if (strcmp(raw, map->sent) == 0) {
			text = map->status;
			break;
		}
	}
	if ((rc = os_set_text(ctx, rec, F_STATUS, name, text)) != RC_OK)
		return rc;
	if (rec->f[F_STATUS] == NULL) {
		char *cut = os_cut_text(raw);

		read_warn(ctx, "%s \"%s\" maps to no Glance status: the "
		    "record's status is left null, the source keeps it", name,
		    cut);
		free(cut);
	}
	return RC_OK;
}

enum rc
os_status_json(struct read_ctx *ctx, struct record *rec, const char *name,
    const struct jv *v, const struct reader_status *map,
    const char **raw)
{
	*raw = NULL;
	if (v == NULL || jv_is_null(v))
		return RC_OK;
	if (!jv_is_text(v))
		return os_set_json(ctx, rec, F_STATUS, name, v);
	*raw = v->u.s;
	return os_status_text(ctx, rec, name, *raw, map);
}

enum rc
os_props_json(struct read_ctx *ctx, struct record *rec, const char *name,
    const struct jv *obj)
{
	const struct jv *v;
	const char *why = NULL;

	if (obj == NULL || jv_is_null(obj))
		return RC_OK;
	if (!jv_is_object(obj)) {
		char *text = os_value_text(obj);
		enum rc rc;

		rc = read_reject(ctx, "field %s \"%s\": is %s, not an object "
		    "of key-value pairs", name, text, os_json_type(obj));
		free(text);
		return rc;
	}
	JV_FOREACH(obj, v) {
		if (record_prop_set_json(rec, v->key, v, &why) != 0) {
			char *text = os_value_text(v);

			read_reject(ctx, "%s key %s \"%s\": %s", name, v->key,
			    text, why);
			free(text);
			return RC_SKIP;
		}
	}
	return RC_OK;
}

char *
os_header_text(struct read_ctx *ctx, const struct header *h, int *nul)
{
	*nul = 0;
	if (strlen(h->value) != h->value_len) {
		*nul = 1;
		return NULL;
	}
	if (utf8_valid(h->value, h->value_len))
		return xstrdup(h->value);
	read_warn(ctx, "header %s is not valid UTF-8: read as ISO-8859-1",
	    h->name);
	return latin1_to_utf8(h->value, h->value_len);
}

char *
os_header_pick(struct read_ctx *ctx, const char *first, const char *second)
{
	const char *names[2] = { first, second };
	const struct header *h;
	char *text;
	int nul;

	for (size_t i = 0; i < 2; i++) {
		if (names[i] == NULL ||
		    (h = response_header(ctx->resp, names[i])) == NULL ||
		    h->value_len == 0)
			continue;
		if ((text = os_header_text(ctx, h, &nul)) != NULL)
			return text;
	}
	return NULL;
}

struct source *
os_source(struct read_ctx *ctx, struct record *rec, const char *api,
    const char *call, const char *status, const char *request_id,
    const char *project_id)
{
	struct source *src = read_source_init(ctx, rec);

	record_source_set(rec, src, S_API, api);
	record_source_set(rec, src, S_CALL, call);
	record_source_set(rec, src, S_STATUS, status);
	record_source_set(rec, src, S_REQUEST_ID, request_id);
	record_source_set(rec, src, S_PROJECT_ID, project_id);
	return src;
}

/* A list of names as os_count_keys looks them up: which first bytes
 * and which lengths (under 64) they have, and each one's length. */
struct os_names {
	const char *const *names;
	uint64_t	 first[4];
	uint64_t	 lens;
	size_t		 n;
	unsigned char	 len[OS_NAMES_MAX];
};

/* The lists a thread looked up last, the newest at next - 1. */
static _Thread_local struct os_names os_names_seen[OS_NAMES_SEEN];
static _Thread_local size_t os_names_next;

/* The lookup form of names: NULL when it has too many, or too long. */
static const struct os_names *
os_names_of(const char *const *names)
{
	struct os_names *l;
	size_t i, n;

	for (i = 0; i < OS_NAMES_SEEN; i++)
		if (os_names_seen[i].names == names)
			return &os_names_seen[i];
	for (n = 0; names[n] != NULL; n++)
		if (n == OS_NAMES_MAX || strlen(names[n]) >= 64)
			return NULL;
	l = &os_names_seen[os_names_next++ % OS_NAMES_SEEN];
	memset(l, 0, sizeof *l);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)names[i][0];

		l->first[c >> 6] |= (uint64_t)1 << (c & 63);
		l->len[i] = (unsigned char)strlen(names[i]);
		l->lens |= (uint64_t)1 << l->len[i];
	}
	l->n = n;
	l->names = names;
	return l;
}

/* Is key (keylen bytes, no NUL) one of names (non-empty)? */
static int
os_listed(const char *const *names, const char *key)
{
	for (; *names != NULL; names++)
		if ((*names)[0] == key[0] && (*names)[1] == key[1] &&
		    strcmp(*names, key) == 0)
			return 1;
	return 0;
}

size_t
os_count_keys(const struct jv *o, const char *const *names)
{
	const struct os_names *l;
	const struct jv *m;
	size_t n = 0;

	if (!jv_is_object(o))
		return 0;
	/* keys are unique, with no NUL in them */
	if ((l = os_names_of(names)) == NULL) {
		JV_FOREACH(o, m)
			n += os_listed(names, m->key);
		return n;
	}
	JV_FOREACH(o, m) {
		unsigned char c = (unsigned char)m->key[0];

		if (m->keylen >= 64 || !(l->lens >> m->keylen & 1) ||
		    !(l->first[c >> 6] >> (c & 63) & 1))
			continue;
		for (size_t i = 0; i < l->n; i++)
			if (l->len[i] == m->keylen &&
			    l->names[i][0] == m->key[0] &&
			    memcmp(l->names[i], m->key, m->keylen) == 0) {
				n++;
				break;
			}
	}
	return n;
}

const char *
os_json_type(const struct jv *v)
{
	switch (v->type) {
	case JV_OBJECT:
		return "an object";
	case JV_ARRAY:
		return "an array";
	case JV_STRING:
		return "a string";
	case JV_INT:
	case JV_REAL:
		return "a number";
	case JV_TRUE:
	case JV_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int
os_tags_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An array of strings without NUL? */
static int
os_tags_valid(const struct jv *a)
{
	const struct jv *t;

	if (!jv_is_array(a))
		return 0;
	JV_FOREACH(a, t)
		if (!jv_is_text(t))
			return 0;
	return 1;
}

char *
os_tags_text(const struct jv *tags)
{
	const struct jv *t;
	const char **v;
	json_t *out;
	char *text;
	size_t n = 0, i, k;

	if (!os_tags_valid(tags) || tags->len == 0)
		return NULL;
	v = xcalloc(tags->len, sizeof *v);
	JV_FOREACH(tags, t)
		v[n++] = t->u.s;
	qsort(v, n, sizeof *v, os_tags_cmp);
	out = json_array();
	for (i = 0, k = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[k]) != 0) {
			json_array_append_new(out, json_string(v[i]));
			k = i;
		}
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	free(v);
	return text;
}

json_t *
os_tags_parse(const char *value)
{
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *a = jv_parse(&d, value, strlen(value), JSON_DECODE_ANY,
	    NULL);
	json_t *j = os_tags_valid(a) ? jv_to_json(a) : NULL;

	jv_doc_free(&d);
	return j;
}
