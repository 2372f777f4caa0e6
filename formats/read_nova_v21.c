/*
 * read_nova_v21.c: Nova's image proxy API v2.1 (DESIGN.md sections 2
 * and 3).
 *
 *  - GET /v2.1/{project_id}/images/{image_id}: {"image": {...}}, "show";
 *  - GET /v2.1/{project_id}/images/detail: {"images": [...]}, "detail"
 *    (the seeds print it as one object under "image": read as a show
 *    unless the request URL says detail);
 *  - GET /v2.1/{project_id}/images: {"images": [...]} of id, name and
 *    links only, "list";
 *  - GET /v2.1/{project_id}/images/{image_id}/metadata: {"metadata":
 *    {...}}, and .../metadata/{key}: {"meta": {...}}, "metadata". The
 *    body has no image id: it comes from the request URL, else from the
 *    one UUID in the capture's file name.
 *
 * A detail or list page may end with "images_links", whose rel "next"
 * link (href with a marker query parameter) is the next page.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "openstack.h"

#define NOVA_API	"v2.1"
#define NOVA_SIZE	"OS-EXT-IMG-SIZE:size"

static const char *const read_nova_v21_envelopes[] = {
	"images", "image", "metadata", "meta", NULL
};

/*
 * The metadata calls' envelopes: the body holds nothing else. An image
 * object without its {"image": ...} envelope has a "metadata" key too,
 * and is not a metadata response: the engine reads them at the end of
 * the body, and only when no other key came.
 */
static const char read_nova_v21_held_hint[] =
    "an image object without its {\"image\": ...} envelope?";
static const struct reader_held read_nova_v21_held[] = {
	{ "metadata", "a metadata response", read_nova_v21_held_hint },
	{ "meta", "a metadata response", read_nova_v21_held_hint },
	{ NULL, NULL, NULL }
};

static const char *const read_nova_v21_page_keys[] = { "images_links", NULL };

/* Keys that only Nova's image objects have. */
static const char *const read_nova_v21_keys[] = {
	"minRam", "minDisk", "links", NOVA_SIZE, "metadata", "progress",
	"server", "created", "updated", NULL
};

/* Nova's image keys and the fields they give; id, status and metadata
 * are read apart. */
static const struct read_nova_v21_field {
	const char	*key;
	enum field	 field;
} read_nova_v21_fields[] = {
	{ "name",	F_NAME },
	{ NOVA_SIZE,	F_SIZE },
	{ "minRam",	F_MIN_RAM },
	{ "minDisk",	F_MIN_DISK },
	{ "created",	F_CREATED_AT },
	{ "updated",	F_UPDATED_AT },
};

/* Nova's own statuses: its API maps Glance's to ACTIVE, SAVING, DELETED,
 * ERROR or UNKNOWN; UNKNOWN and anything else map to null. */
static const struct reader_status read_nova_v21_statuses[] = {
	{ "ACTIVE",	"active" },
	{ "SAVING",	"saving" },
	{ "DELETED",	"deleted" },
	{ "ERROR",	"killed" },
	{ NULL,		NULL }
};

static const char read_nova_v21_fix[] =
    "capture it with its request line (curl -v, or a HAR export), or put "
    "the image's UUID in the file name";

static int	read_nova_v21_bid_item(const struct read_ctx *,
		    const struct jv *);
static enum rc	read_nova_v21_read_item(struct read_ctx *, const struct jv *);
static enum rc	read_nova_v21_image(struct read_ctx *, const struct jv *);
static enum rc	read_nova_v21_metadata(struct read_ctx *, const struct jv *);
static const char *read_nova_v21_misfit(const struct jv *);
static int	read_nova_v21_brief(const struct jv *);
static char	*read_nova_v21_link_project(const struct jv *);
static enum rc	read_nova_v21_meta_id(struct read_ctx *, struct record *,
		    const struct os_url *);
static int	read_nova_v21_read_page(struct read_ctx *, const struct jv *,
		    int, struct page *);

const struct reader_ops read_nova_v21_ops = {
	.name = "nova_v21",
	.describes = "Nova v2.1: image show, detail, list and metadata",
	.envelopes = read_nova_v21_envelopes,
	.held = read_nova_v21_held,
	.statuses = read_nova_v21_statuses,
	.bid_headers = NULL,
	.read_headers = NULL,
	.bid_item = read_nova_v21_bid_item,
	.read_item = read_nova_v21_read_item,
	.page_keys = read_nova_v21_page_keys,
	.read_page = read_nova_v21_read_page,
};

/* A page of v2.1 detail or list: its items were ours, or it has
 * images_links, or its request URL names a v2.1 listing. */
static int
read_nova_v21_read_page(struct read_ctx *ctx, const struct jv *paging,
    int mine, struct page *p)
{
	const struct jv *links = jv_get(paging, "images_links");
	const char *next = NULL;
	struct os_url u;
	int ours;

	os_url_parse(ctx->resp->url, &u);
	ours = mine || links != NULL || (u.version != NULL &&
	    strcmp(u.version, NOVA_API) == 0 && (u.target == OS_T_DETAIL ||
	    u.target == OS_T_LIST));
	os_url_free(&u);
	if (!ours)
		return 0;
	if (jv_is_array(links)) {
		const struct jv *l;

		JV_FOREACH(links, l) {
			const struct jv *rel = jv_get(l, "rel");
			const struct jv *href = jv_get(l, "href");

			if (jv_is_string(rel) && jv_is_string(href) &&
			    strcmp(rel->u.s, "next") == 0) {
				next = href->u.s;
				break;
			}
		}
	}
	os_page(ctx, NOVA_API, next, p);
	return 1;
}

/*
 * A body without an envelope that still has one of our envelope keys,
 * holding neither an object nor an array ({"image": null}): the key, to
 * reject the body with the reason. NULL otherwise.
 */
static const char *
read_nova_v21_misfit(const struct jv *o)
{
	for (size_t i = 0; read_nova_v21_envelopes[i] != NULL; i++) {
		const struct jv *v = jv_get(o, read_nova_v21_envelopes[i]);

		if (v != NULL && !jv_is_object(v) && !jv_is_array(v))
			return read_nova_v21_envelopes[i];
	}
	return NULL;
}

/* A brief list item: nothing but id, name and links. */
static int
read_nova_v21_brief(const struct jv *o)
{
	const struct jv *m;

	JV_FOREACH(o, m) {
		if (strcmp(m->key, "id") != 0 && strcmp(m->key, "name") != 0 &&
		    strcmp(m->key, "links") != 0)
			return 0;
	}
	return 1;
}

static int
read_nova_v21_bid_item(const struct read_ctx *ctx, const struct jv *item)
{
	const char *env = ctx->envelope;

	if (strcmp(env, "metadata") == 0 || strcmp(env, "meta") == 0)
		return 10;
	if (!jv_is_object(item))
		return 0;
	if (*env == '\0')
		return read_nova_v21_misfit(item) != NULL ? 1 : 0;
	return (int)os_count_keys(item, read_nova_v21_keys);
}

static enum rc
read_nova_v21_read_item(struct read_ctx *ctx, const struct jv *item)
{
	const char *env = ctx->envelope, *key;

	if (strcmp(env, "metadata") == 0 || strcmp(env, "meta") == 0)
		return read_nova_v21_metadata(ctx, item);
	if (*env == '\0' && (key = read_nova_v21_misfit(item)) != NULL) {
		const struct jv *v = jv_get(item, key);
		char *text = os_value_text(v);
		enum rc rc;

		rc = read_reject(ctx, "\"%s\" holds %s (%s), not %s", key,
		    os_json_type(v), text, strcmp(key, "images") == 0 ?
		    "an array of images" : strcmp(key, "image") == 0 ?
		    "an image object" : "an object of key-value pairs");
		free(text);
		return rc;
	}
	return read_nova_v21_image(ctx, item);
}

/* The project of a self or bookmark link (/v2/{project}/images/{id},
 * /{project}/images/{id}); NULL when none says. */
static char *
read_nova_v21_link_project(const struct jv *links)
{
	static const char *const rels[] = { "self", "bookmark" };
	char *project = NULL;

	if (!jv_is_array(links))
		return NULL;
	for (size_t r = 0; r < 2 && project == NULL; r++) {
		const struct jv *l;

		JV_FOREACH(links, l) {
			const struct jv *rel = jv_get(l, "rel");
			const struct jv *href = jv_get(l, "href");

			if (!jv_is_string(rel) || !jv_is_string(href) ||
			    strcmp(rel->u.s, rels[r]) != 0)
				continue;
			project = os_url_project(href->u.s);
			if (project != NULL)
				break;
		}
	}
	return project;
}

static enum rc
read_nova_v21_image(struct read_ctx *ctx, const struct jv *item)
{
	const struct jv *meta, *server;
	const char *status = NULL, *deleted, *call;
	char *reqid = NULL, *project = NULL;
	struct record rec;
	struct os_url u;
	enum rc rc;

	if ((rc = os_item_begin(ctx, item, &rec, &u)) != RC_OK)
		goto out;
	for (size_t i = 0; i < sizeof read_nova_v21_fields /
	    sizeof read_nova_v21_fields[0]; i++) {
		const struct read_nova_v21_field *fd = &read_nova_v21_fields[i];

		if ((rc = os_set_json(ctx, &rec, fd->field, fd->key,
		    jv_get(item, fd->key))) != RC_OK)
			goto out;
	}
	if ((rc = os_status_json(ctx, &rec, "status", jv_get(item, "status"),
	    read_nova_v21_statuses, &status)) != RC_OK)
		goto out;
	if ((deleted = norm_status_deleted(rec.f[F_STATUS])) != NULL)
		record_set_raw(&rec, F_DELETED, deleted);
	meta = jv_get(item, "metadata");
	if ((rc = os_props_json(ctx, &rec, "metadata", meta)) != RC_OK)
		goto out;
	/* A snapshot's server: its id is the instance_uuid property that
	 * Glance holds, unless the metadata gives that already. */
	server = jv_get(item, "server");
	if (jv_is_string(jv_get(server, "id")) &&
	    jv_get(meta, "instance_uuid") == NULL)
		record_prop_set(&rec, "instance_uuid",
		    jv_get(server, "id")->u.s);

	switch (u.target) {
	case OS_T_DETAIL:
		call = "detail";
		break;
	case OS_T_LIST:
		call = "list";
		break;
	case OS_T_IMAGE:
		call = "show";
		break;
	default:
		if (strcmp(ctx->envelope, "images") == 0)
			call = read_nova_v21_brief(item) ? "list" : "detail";
		else
			call = "show";
		break;
	}
	project = u.project != NULL ? xstrdup(u.project) :
	    read_nova_v21_link_project(jv_get(item, "links"));
	reqid = os_header_pick(ctx, "X-Compute-Request-Id",
	    "X-Openstack-Request-Id");
	os_source(ctx, &rec, NOVA_API, call, status, reqid, project);
	rc = read_emit(ctx, &rec);
out:
	record_clear(&rec);
	os_url_free(&u);
	free(reqid);
	free(project);
	return rc;
}

/* The image id of a metadata response: the request URL's, else the one
 * UUID in the file name. */
static enum rc
read_nova_v21_meta_id(struct read_ctx *ctx, struct record *rec,
    const struct os_url *u)
{
	char found[2][OS_UUID_LEN + 1];
	size_t n;

	if (u->image != NULL) {
		const char *why = NULL;
		char *id = NULL, *cut;
		enum rc rc;

		if (norm_uuid(u->image, &id, &why) == 0) {
			record_set_raw(rec, F_ID, id);
			free(id);
			return RC_OK;
		}
		cut = os_cut_text(u->image);
		rc = read_reject(ctx, "metadata response: image id \"%s\" of "
		    "its request URL %s", cut, why);
		free(cut);
		return rc;
	}
	n = os_find_uuids(ctx->file, found, 2);
	if (n == 1) {
		record_set_raw(rec, F_ID, found[0]);
		return RC_OK;
	}
	if (n == 0)
		return read_reject(ctx, "metadata response has no image id: "
		    "%s", read_nova_v21_fix);
	return read_reject(ctx, "metadata response has no image id, and its "
	    "file name holds %s different UUIDs (%s, %s%s): capture it with "
	    "its request line (curl -v, or a HAR export), or leave only the "
	    "image's UUID in the file name", n > 2 ? "more than two" : "two",
	    found[0], found[1], n > 2 ? ", ..." : "");
}

static enum rc
read_nova_v21_metadata(struct read_ctx *ctx, const struct jv *item)
{
	struct record rec;
	struct os_url u;
	char *reqid = NULL;
	enum rc rc;

	if (ctx->in_list || !jv_is_object(item))
		return read_reject(ctx, "\"%s\" holds %s, not an object of "
		    "key-value pairs", ctx->envelope, ctx->in_list ?
		    "an array" : os_json_type(item));
	record_init_pooled(&rec, 1);
	os_url_parse(ctx->resp->url, &u);
	if ((rc = read_nova_v21_meta_id(ctx, &rec, &u)) != RC_OK)
		goto out;
	if ((rc = os_props_json(ctx, &rec, ctx->envelope, item)) != RC_OK)
		goto out;
	reqid = os_header_pick(ctx, "X-Compute-Request-Id",
	    "X-Openstack-Request-Id");
	os_source(ctx, &rec, NOVA_API, "metadata", NULL, reqid, u.project);
	rc = read_emit(ctx, &rec);
out:
	record_clear(&rec);
	os_url_free(&u);
	free(reqid);
	return rc;
}
