/*
 * read_glance_v1.c: Glance v1 (DESIGN.md sections 2 and 3).
 *
 *  - HEAD /v1/images/{id}: the image as X-Image-Meta-* response headers
 *    (call "head"). Header names are case-insensitive and, after
 *    "X-Image-Meta-", '-' means '_'; X-Image-Meta-Property-{key} is a
 *    property. An empty value or "None" is null.
 *  - GET /v1/images (brief list, call "list"), GET /v1/images/detail and
 *    GET /v1.1/images/detail (call "detail"): {"images": [...]} whose
 *    items carry Glance v1's snake_case keys.
 *
 * A Glance v1 image has no key but its attributes and "properties": the
 * bid on an item is how many of its keys are Glance v1's, less how many
 * are not (see read_glance_v1_bid_item).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "openstack.h"

#define GV1_PREFIX	"X-Image-Meta-"
#define GV1_PREFIX_LEN	(sizeof GV1_PREFIX - 1)
#define GV1_PROPERTY	"property_"
#define GV1_PROPERTY_LEN (sizeof GV1_PROPERTY - 1)

/* Glance v1's image attributes: header suffix and JSON key alike. */
static const struct read_glance_v1_field {
	const char	*key;
	enum field	 field;
	int		 detail;	/* not in the brief list (GET /v1/images) */
} read_glance_v1_fields[] = {
	{ "id",			F_ID,			0 },
	{ "name",		F_NAME,			0 },
	{ "status",		F_STATUS,		1 },
	{ "is_public",		F_VISIBILITY,		1 },
	{ "protected",		F_PROTECTED,		1 },
	{ "container_format",	F_CONTAINER_FORMAT,	0 },
	{ "disk_format",	F_DISK_FORMAT,		0 },
	{ "size",		F_SIZE,			0 },
	{ "virtual_size",	F_VIRTUAL_SIZE,		1 },
	{ "checksum",		F_CHECKSUM,		0 },
	{ "min_ram",		F_MIN_RAM,		1 },
	{ "min_disk",		F_MIN_DISK,		1 },
	{ "owner",		F_OWNER,		1 },
	{ "created_at",		F_CREATED_AT,		1 },
	{ "updated_at",		F_UPDATED_AT,		1 },
	{ "deleted",		F_DELETED,		1 },
	{ "deleted_at",		F_DELETED_AT,		1 },
};
#define GV1_NFIELDS \
	(sizeof read_glance_v1_fields / sizeof read_glance_v1_fields[0])

/* X-Image-Meta-* headers Glance v1 sends that are not image fields:
 * ignored without a warning (a location may hold credentials). */
static const char *const read_glance_v1_quiet[] = { "location", NULL };

/* Every key a Glance v1 image object has: its attributes and the
 * properties object. */
static const char *const read_glance_v1_keys[] = {
	"id", "name", "status", "is_public", "protected", "container_format",
	"disk_format", "size", "virtual_size", "checksum", "min_ram",
	"min_disk", "owner", "created_at", "updated_at", "deleted",
	"deleted_at", "properties", NULL
};

/* What a Glance v1 item bids on: its fields but id, name and status
 * (Nova's are camelCase, or have those three too), and properties. */
static const char *const read_glance_v1_bidkeys[] = {
	"is_public", "protected", "container_format", "disk_format", "size",
	"virtual_size", "checksum", "min_ram", "min_disk", "owner",
	"created_at", "updated_at", "deleted", "deleted_at", "properties",
	NULL
};

static const char *const read_glance_v1_envelopes[] = {
	"images", "image", NULL
};

static int	read_glance_v1_bid_headers(const struct response *);
static enum rc	read_glance_v1_read_headers(struct read_ctx *);
static int	read_glance_v1_bid_item(const struct read_ctx *,
		    const struct jv *);
static enum rc	read_glance_v1_read_item(struct read_ctx *, const struct jv *);
static const struct read_glance_v1_field *read_glance_v1_lookup(
		    const char *);
static char	*read_glance_v1_key(const char *);
static enum rc	read_glance_v1_public(struct read_ctx *, struct record *,
		    const char *, const char *);
static enum rc	read_glance_v1_public_json(struct read_ctx *,
		    struct record *, const char *, const struct jv *);
static void	read_glance_v1_etag(struct read_ctx *, struct record *);
static enum rc	read_glance_v1_twice(struct read_ctx *, const char *);
static int	read_glance_v1_propcmp(const void *, const void *);
static const char *read_glance_v1_twice_prop(const struct record *);
static const char *read_glance_v1_api(const struct os_url *, int);

const struct reader_ops read_glance_v1_ops = {
	.name = "glance_v1",
	.describes = "Glance v1: HEAD headers, v1 and v1.1 JSON lists",
	.envelopes = read_glance_v1_envelopes,
	.headers = "X-Image-Meta headers",
	.bid_headers = read_glance_v1_bid_headers,
	.read_headers = read_glance_v1_read_headers,
	.bid_item = read_glance_v1_bid_item,
	.read_item = read_glance_v1_read_item,
};

static const struct read_glance_v1_field *
read_glance_v1_lookup(const char *key)
{
	for (size_t i = 0; i < GV1_NFIELDS; i++)
		if (strcmp(read_glance_v1_fields[i].key, key) == 0)
			return &read_glance_v1_fields[i];
	return NULL;
}

/* The part of a header name after the prefix, as Glance v1 read it:
 * lowercase, '-' as '_'. */
static char *
read_glance_v1_key(const char *s)
{
	char *k = xstrdup(s);

	for (char *p = k; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == '-')
			*p = '_';
	}
	return k;
}

/* is_public: a boolean in any spelling; true is public, false private. */
static enum rc
read_glance_v1_public(struct read_ctx *ctx, struct record *rec,
    const char *name, const char *text)
{
	const char *why = NULL;
	char *out = NULL;

	if (norm_bool(text, &out, &why) == 0) {
		record_set_raw(rec, F_VISIBILITY,
		    strcmp(out, "true") == 0 ? "public" : "private");
		free(out);
		return RC_OK;
	}
	return os_set_reject(ctx, name, os_cut_text(text), why);
}

static enum rc
read_glance_v1_public_json(struct read_ctx *ctx, struct record *rec,
    const char *name, const struct jv *v)
{
	char *text;
	enum rc rc;

	if (v == NULL || jv_is_null(v))
		return RC_OK;
	if (jv_is_boolean(v))
		return read_glance_v1_public(ctx, rec, name,
		    jv_is_true(v) ? "true" : "false");
	if (jv_is_text(v))
		return read_glance_v1_public(ctx, rec, name, v->u.s);
	text = os_value_text(v);
	rc = read_reject(ctx, "field %s \"%s\": is %s, not a boolean", name,
	    text, os_json_type(v));
	free(text);
	return rc;
}

/* No X-Image-Meta-Checksum: the ETag, when it is an MD5 (Glance v1 sends
 * the image's checksum as its ETag). */
static void
read_glance_v1_etag(struct read_ctx *ctx, struct record *rec)
{
	const struct header *h;
	const char *why = NULL;
	char *tag, *out = NULL;
	size_t n;

	if (rec->f[F_CHECKSUM] != NULL ||
	    (h = response_header(ctx->resp, "ETag")) == NULL)
		return;
	tag = h->value;
	if (strncmp(tag, "W/", 2) == 0)
		tag += 2;
	n = strlen(tag);
	if (n >= 2 && tag[0] == '"' && tag[n - 1] == '"') {
		tag++;
		n -= 2;
	}
	tag = xstrndup(tag, n);
	if (norm_md5(tag, &out, &why) == 0)
		record_set_raw(rec, F_CHECKSUM, out);
	free(out);
	free(tag);
}

/* The source's api: the URL's version when it is Glance v1's, else v1.1
 * for a detail (the seeds' call) and v1 for the brief list and HEAD. */
static const char *
read_glance_v1_api(const struct os_url *u, int detail)
{
	if (u->version != NULL && strcmp(u->version, "v1") == 0)
		return "v1";
	if (u->version != NULL && strcmp(u->version, "v1.1") == 0)
		return "v1.1";
	return detail ? "v1.1" : "v1";
}

static enum rc
read_glance_v1_twice(struct read_ctx *ctx, const char *name)
{
	return read_reject(ctx, "header %s is given twice with different "
	    "values, so which one holds is ambiguous: the image is rejected",
	    name);
}

static int
read_glance_v1_propcmp(const void *a, const void *b)
{
	const struct prop *p = *(const struct prop *const *)a;
	const struct prop *q = *(const struct prop *const *)b;
	int k = strcmp(p->key, q->key);

	if (k != 0)
		return k;
	return strcmp(p->value != NULL ? p->value : "",
	    q->value != NULL ? q->value : "");
}

/* A property key that two headers gave different values (headers are
 * case-insensitive, so Property-A and property-a are one), or NULL. */
static const char *
read_glance_v1_twice_prop(const struct record *rec)
{
	const struct prop **v;
	const char *twice = NULL;

	if (rec->nprops < 2)
		return NULL;
	v = xreallocarray(NULL, rec->nprops, sizeof *v);
	for (size_t i = 0; i < rec->nprops; i++)
		v[i] = &rec->props[i];
	qsort(v, rec->nprops, sizeof *v, read_glance_v1_propcmp);
	for (size_t i = 1; i < rec->nprops && twice == NULL; i++)
		if (strcmp(v[i - 1]->key, v[i]->key) == 0 &&
		    read_glance_v1_propcmp(&v[i - 1], &v[i]) != 0)
			twice = v[i]->key;
	free(v);
	return twice;
}

static int
read_glance_v1_bid_headers(const struct response *resp)
{
	return response_header(resp, "X-Image-Meta-Id") != NULL ? 10 : 0;
}

static enum rc
read_glance_v1_read_headers(struct read_ctx *ctx)
{
	const struct read_glance_v1_field *fd;
	struct record rec;
	struct os_url u;
	char *status = NULL, *reqid = NULL, *key = NULL, *text = NULL;
	const char *why = NULL;
	char *urlid = NULL, *seen[F__COUNT] = { NULL };
	const char *twice;
	enum rc rc = RC_OK;
	int nul;

	record_init_pooled(&rec, 1);
	os_url_parse(ctx->resp->url, &u);
	for (size_t i = 0; i < ctx->resp->nheaders; i++) {
		const struct header *h = &ctx->resp->headers[i];
		int null;

		if (ascii_ncasecmp(h->name, GV1_PREFIX, GV1_PREFIX_LEN) != 0)
			continue;
		free(key);
		free(text);
		key = read_glance_v1_key(h->name + GV1_PREFIX_LEN);
		text = os_header_text(ctx, h, &nul);
		if (nul) {
			rc = read_reject(ctx, "header %s contains a NUL "
			    "character", h->name);
			goto out;
		}
		null = *text == '\0' || strcmp(text, "None") == 0;
		if (strncmp(key, GV1_PROPERTY, GV1_PROPERTY_LEN) == 0) {
			const char *pk = key + GV1_PROPERTY_LEN;

			if (*pk == '\0')
				read_warn(ctx, "header %s names no property "
				    "key: ignored", h->name);
			else if (!utf8_valid(pk, strlen(pk))) {
				/* As values: no byte dropped. */
				char *lk = latin1_to_utf8(pk, strlen(pk));

				read_warn(ctx, "header %s is not valid UTF-8: "
				    "its property key read as ISO-8859-1",
				    h->name);
				record_prop_set(&rec, lk, null ? NULL : text);
				free(lk);
			} else
				record_prop_set(&rec, pk, null ? NULL : text);
			continue;
		}
		if ((fd = read_glance_v1_lookup(key)) == NULL) {
			size_t q;

			for (q = 0; read_glance_v1_quiet[q] != NULL; q++)
				if (strcmp(read_glance_v1_quiet[q], key) == 0)
					break;
			if (read_glance_v1_quiet[q] == NULL)
				read_warn(ctx, "unknown header %s ignored",
				    h->name);
			continue;
		}
		/* The same header twice (any case, - or _) with another
		 * value: which one the API meant is not known. */
		if (seen[fd->field] != NULL && strcmp(seen[fd->field],
		    text) != 0) {
			rc = read_glance_v1_twice(ctx, h->name);
			goto out;
		}
		free(seen[fd->field]);
		seen[fd->field] = xstrdup(text);
		if (null)
			continue;
		switch (fd->field) {
		case F_STATUS:
			free(status);
			status = xstrdup(text);
			rc = os_status_text(ctx, &rec, h->name, text, NULL);
			break;
		case F_VISIBILITY:
			rc = read_glance_v1_public(ctx, &rec, h->name, text);
			break;
		default:
			rc = os_set_text(ctx, &rec, fd->field, h->name, text);
			break;
		}
		if (rc != RC_OK)
			goto out;
	}
	if (rec.f[F_ID] == NULL) {
		rc = read_reject(ctx, "image has no id (X-Image-Meta-Id is "
		    "empty)");
		goto out;
	}
	if ((twice = read_glance_v1_twice_prop(&rec)) != NULL) {
		rc = read_reject(ctx, "property %s is given twice with "
		    "different values, so which one holds is ambiguous: the "
		    "image is rejected", twice);
		goto out;
	}
	read_glance_v1_etag(ctx, &rec);
	if (u.image != NULL && norm_uuid(u.image, &urlid, &why) == 0 &&
	    strcmp(urlid, rec.f[F_ID]) != 0)
		read_warn(ctx, "the request URL names image %s but "
		    "X-Image-Meta-Id is %s: the header's id is kept", urlid,
		    rec.f[F_ID]);
	reqid = os_header_pick(ctx, "X-Openstack-Request-Id",
	    "X-Compute-Request-Id");
	os_source(ctx, &rec, read_glance_v1_api(&u, 0), "head", status,
	    reqid, NULL);
	rc = read_emit(ctx, &rec);
out:
	for (size_t i = 0; i < F__COUNT; i++)
		free(seen[i]);
	record_clear(&rec);
	os_url_free(&u);
	free(urlid);
	free(status);
	free(reqid);
	free(key);
	free(text);
	return rc;
}

/*
 * How sure this reader is that an item is a Glance v1 image: the keys
 * it bids on that the item has, less the item's keys that a Glance v1
 * image never has; nothing when that leaves none. Glance v1 always
 * sends an envelope, so a bare object gets no bid.
 */
static int
read_glance_v1_bid_item(const struct read_ctx *ctx, const struct jv *item)
{
	size_t own, foreign;

	if (!jv_is_object(item) || *ctx->envelope == '\0')
		return 0;
	own = os_count_keys(item, read_glance_v1_bidkeys);
	foreign = item->len - os_count_keys(item, read_glance_v1_keys);
	return own > foreign ? (int)(own - foreign) : 0;
}

static enum rc
read_glance_v1_read_item(struct read_ctx *ctx, const struct jv *item)
{
	const char *status = NULL, *call;
	struct record rec;
	struct os_url u;
	char *reqid = NULL;
	enum rc rc;
	int detail = 0;

	if ((rc = os_item_begin(ctx, item, &rec, &u)) != RC_OK)
		goto out;
	for (size_t i = 0; i < GV1_NFIELDS; i++) {
		const struct read_glance_v1_field *fd =
		    &read_glance_v1_fields[i];
		const struct jv *v = jv_get(item, fd->key);

		if (v == NULL)
			continue;
		detail |= fd->detail;
		switch (fd->field) {
		case F_ID:
			continue;
		case F_STATUS:
			rc = os_status_json(ctx, &rec, fd->key, v, NULL,
			    &status);
			break;
		case F_VISIBILITY:
			rc = read_glance_v1_public_json(ctx, &rec, fd->key, v);
			break;
		default:
			rc = os_set_json(ctx, &rec, fd->field, fd->key, v);
			break;
		}
		if (rc != RC_OK)
			goto out;
	}
	if (jv_get(item, "properties") != NULL)
		detail = 1;
	if ((rc = os_props_json(ctx, &rec, "properties",
	    jv_get(item, "properties"))) != RC_OK)
		goto out;
	if (u.target == OS_T_LIST)
		call = "list";
	else if (u.target == OS_T_DETAIL)
		call = "detail";
	else
		call = detail ? "detail" : "list";
	reqid = os_header_pick(ctx, "X-Openstack-Request-Id",
	    "X-Compute-Request-Id");
	os_source(ctx, &rec, read_glance_v1_api(&u, strcmp(call, "detail") ==
	    0), call, status, reqid, NULL);
	rc = read_emit(ctx, &rec);
out:
	record_clear(&rec);
	os_url_free(&u);
	free(reqid);
	return rc;
}
