/*
 * read_glance_v2.c: Glance v2, the replacement API, read so that an
 * inventory taken from it can be compared with one from the deprecated
 * calls (imgmeta --compare).
 *
 *  - GET /v2/images: {"images": [...], "first": ..., "next": ...,
 *    "schema": ...}, each item an image (call "list");
 *  - GET /v2/images/{id}: the image object itself, with no envelope
 *    (call "show").
 *
 * Glance v2 names its fields like the canonical record, so they map one
 * to one: id, name, status, visibility (public, private, and Glance v2's
 * own shared and community), protected, container_format, disk_format,
 * size, virtual_size, checksum, min_ram, min_disk, owner, created_at,
 * updated_at. Every key that is not a field of Glance v2's
 * base image schema is a property (Glance v2 flattens properties to the
 * top level). The rest of the base schema:
 *  - tags: the record has no field for them; a non-empty list is kept as
 *    the property "tags", as openstack.h's OS_TAGS says (the glance
 *    writer turns it back into the body's tags);
 *  - os_hidden, os_hash_algo, os_hash_value, direct_url, locations,
 *    stores, self, file, schema: not kept (a warning when os_hidden is
 *    true, since a hidden image is then read as a plain one).
 * Glance v2 has no deleted or deleted_at: they stay null.
 *
 * A list page's "next" (a path with a marker query parameter, beside
 * "images") is the next page.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openstack.h"

#define GV2_API		"v2"

static const char *const read_glance_v2_envelopes[] = { "images", NULL };
static const char *const read_glance_v2_page_keys[] = { "next", NULL };

/* Glance v2's image keys that are record fields; id and status are
 * read apart. */
static const struct read_glance_v2_field {
	const char	*key;
	enum field	 field;
} read_glance_v2_fields[] = {
	{ "name",		F_NAME },
	{ "visibility",		F_VISIBILITY },
	{ "protected",		F_PROTECTED },
	{ "container_format",	F_CONTAINER_FORMAT },
	{ "disk_format",	F_DISK_FORMAT },
	{ "size",		F_SIZE },
	{ "virtual_size",	F_VIRTUAL_SIZE },
	{ "checksum",		F_CHECKSUM },
	{ "min_ram",		F_MIN_RAM },
	{ "min_disk",		F_MIN_DISK },
	{ "owner",		F_OWNER },
	{ "created_at",		F_CREATED_AT },
	{ "updated_at",		F_UPDATED_AT },
};
#define GV2_NFIELDS \
	(sizeof read_glance_v2_fields / sizeof read_glance_v2_fields[0])

/* Base schema keys that are neither fields nor properties. */
static const char *const read_glance_v2_skip[] = {
	"id", "status", "tags", "os_hidden", "os_hash_algo",
	"os_hash_value", "direct_url", "locations", "stores", "self", "file",
	"schema", NULL
};

/* Keys of Glance v2's base schema that its predecessors' images lack:
 * what the bid looks for. */
static const char *const read_glance_v2_marks[] = {
	"schema", "self", "file", "visibility", "tags", "os_hidden",
	"os_hash_algo", "os_hash_value", "direct_url", "locations", "stores",
	NULL
};

/*
 * What Glance v2 replaced, so that an image of its own never has it: the
 * boolean is_public (by visibility), and properties as one object (they
 * are flattened to the top level; a "properties" that is not an object
 * can be one of them).
 */
#define GV2_RETIRED_PUBLIC	"is_public"
#define GV2_RETIRED_PROPS	"properties"

static int	read_glance_v2_bid_item(const struct read_ctx *,
		    const struct jv *);
static enum rc	read_glance_v2_read_item(struct read_ctx *, const struct jv *);
static int	read_glance_v2_in(const char *const *, const char *);
static enum rc	read_glance_v2_tags(struct read_ctx *, struct record *,
		    const struct jv *);
static int	read_glance_v2_read_page(struct read_ctx *, const struct jv *,
		    int, struct page *);

const struct reader_ops read_glance_v2_ops = {
	.name = "glance_v2",
	.describes = "Glance v2 (the replacement API): image lists and images",
	.envelopes = read_glance_v2_envelopes,
	.bid_headers = NULL,
	.read_headers = NULL,
	.bid_item = read_glance_v2_bid_item,
	.read_item = read_glance_v2_read_item,
	.page_keys = read_glance_v2_page_keys,
	.read_page = read_glance_v2_read_page,
};

/* A page of GET /v2/images: its items were ours, or it has a "next"
 * string, or its request URL is a v2 listing. */
static int
read_glance_v2_read_page(struct read_ctx *ctx, const struct jv *paging,
    int mine, struct page *p)
{
	const struct jv *next = jv_get(paging, "next");
	struct os_url u;
	int ours;

	os_url_parse(ctx->resp->url, &u);
	ours = mine || jv_is_string(next) || (u.version != NULL &&
	    strcmp(u.version, GV2_API) == 0 && u.target == OS_T_LIST);
	os_url_free(&u);
	if (!ours)
		return 0;
	os_page(ctx, GV2_API, jv_is_string(next) ? next->u.s :
	    NULL, p);
	return 1;
}

static int
read_glance_v2_in(const char *const *list, const char *key)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

/*
 * How sure this reader is that an item is a Glance v2 image: nothing when
 * it has none of the marks, or has what Glance v2 replaced; else 20 and
 * one more for each mark. A mark is a key that only Glance v2 sends, so
 * one is surer than any count of keys that images of several APIs share.
 */
static int
read_glance_v2_bid_item(const struct read_ctx *ctx, const struct jv *item)
{
	int n;

	(void)ctx;
	if (!jv_is_object(item) || jv_get(item, GV2_RETIRED_PUBLIC) != NULL ||
	    jv_is_object(jv_get(item, GV2_RETIRED_PROPS)))
		return 0;
	n = (int)os_count_keys(item, read_glance_v2_marks);
	return n > 0 ? 20 + n : 0;
}

/* tags: an array of strings, kept as the property OS_TAGS. */
static enum rc
read_glance_v2_tags(struct read_ctx *ctx, struct record *rec,
    const struct jv *v)
{
	const struct jv *t;
	char *text;

	if (v == NULL || jv_is_null(v))
		return RC_OK;
	if (!jv_is_array(v)) {
		text = os_value_text(v);
		read_reject(ctx, "field tags \"%s\": is %s, not an array of "
		    "strings", text, os_json_type(v));
		free(text);
		return RC_SKIP;
	}
	if (v->len == 0)
		return RC_OK;
	JV_FOREACH(v, t) {
		if (!jv_is_text(t)) {
			text = os_value_text(v);
			read_reject(ctx, "field tags \"%s\": is not an array "
			    "of strings", text);
			free(text);
			return RC_SKIP;
		}
	}
	text = os_tags_text(v);
	record_prop_set(rec, OS_TAGS, text);
	free(text);
	return RC_OK;
}

static enum rc
read_glance_v2_read_item(struct read_ctx *ctx, const struct jv *item)
{
	const char *status = NULL, *call, *key, *why = NULL;
	struct record rec;
	struct os_url u;
	char *reqid = NULL;
	const struct jv *v;
	enum rc rc;

	if ((rc = os_item_begin(ctx, item, &rec, &u)) != RC_OK)
		goto out;
	if ((rc = os_status_json(ctx, &rec, "status", jv_get(item, "status"),
	    NULL, &status)) != RC_OK)
		goto out;
	for (size_t i = 0; i < GV2_NFIELDS; i++) {
		const struct read_glance_v2_field *fd =
		    &read_glance_v2_fields[i];

		if ((rc = os_set_json(ctx, &rec, fd->field, fd->key,
		    jv_get(item, fd->key))) != RC_OK)
			goto out;
	}
	if ((rc = read_glance_v2_tags(ctx, &rec, jv_get(item, "tags"))) !=
	    RC_OK)
		goto out;
	if (jv_is_true(jv_get(item, "os_hidden")))
		read_warn(ctx, "os_hidden is true: the record has no place "
		    "for it, the image is read as a listed one");
	JV_FOREACH(item, v) {
		int field = 0;

		key = v->key;
		for (size_t i = 0; i < GV2_NFIELDS && !field; i++)
			field = strcmp(read_glance_v2_fields[i].key, key) == 0;
		if (field || read_glance_v2_in(read_glance_v2_skip, key))
			continue;
		if (record_prop_set_json(&rec, key, v, &why) != 0) {
			char *text = os_value_text(v);

			rc = read_reject(ctx, "property %s \"%s\": %s", key,
			    text, why);
			free(text);
			goto out;
		}
	}
	if (u.target == OS_T_LIST)
		call = "list";
	else if (u.target == OS_T_IMAGE)
		call = "show";
	else
		call = *ctx->envelope == '\0' ? "show" : "list";
	reqid = os_header_pick(ctx, "X-Openstack-Request-Id",
	    "X-Compute-Request-Id");
	os_source(ctx, &rec, GV2_API, call, status, reqid, NULL);
	rc = read_emit(ctx, &rec);
out:
	record_clear(&rec);
	os_url_free(&u);
	free(reqid);
	return rc;
}
