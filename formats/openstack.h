/*
 * openstack.h: what the OpenStack readers (read_glance_v1.c,
 * read_nova_v21.c) share: request URLs and links taken apart, UUIDs in
 * file names, field setters that turn a bad value into a reject that
 * names the field and the value, statuses, properties, request ids and
 * the source entry.
 *
 * Every function that can reject reports through read_reject (so the
 * message carries the file and the position) and returns RC_SKIP; the
 * caller then drops the observation.
 */
#ifndef IMGMETA_OPENSTACK_H
#define IMGMETA_OPENSTACK_H

#include <stddef.h>

#include "reader.h"

/* What a URL path names after its "images" segment. */
enum os_target {
	OS_T_NONE,		/* no "images" segment */
	OS_T_LIST,		/* .../images */
	OS_T_DETAIL,		/* .../images/detail */
	OS_T_IMAGE,		/* .../images/{id} */
	OS_T_METADATA,		/* .../images/{id}/metadata[/{key}] */
	OS_T_OTHER		/* .../images/{id}/anything else */
};

/*
 * A request URL or a link's href, taken apart. Accepts a full URL
 * ("https://host:8774/v2.1/{project}/images/detail?limit=2") or a path;
 * the query and fragment are ignored, segments are percent-decoded.
 * Strings are owned (os_url_free), NULL when absent.
 */
struct os_url {
	enum os_target	 target;
	char		*version;	/* "v1", "v1.1", "v2", "v2.1", ... */
	char		*project;	/* segment before "images" that is not
					   a version: /v2.1/{p}/images, /{p}/images */
	char		*image;		/* {id} as written */
	char		*key;		/* metadata key, .../metadata/{key} */
};

void	os_url_parse(const char *url, struct os_url *);
void	os_url_free(struct os_url *);
/* os_url_parse's project alone (NULL where it gives none). Caller frees. */
char	*os_url_project(const char *url);
/* The percent-decoded value of the query parameter name (the first one),
 * or NULL. Caller frees. */
char	*os_url_query(const char *url, const char *name);
/* A link as a URL to request: a path ("/v2/images?...") taken onto the
 * scheme and host of base when base has them, else the link as it is.
 * Caller frees. */
char	*os_url_resolve(const char *base, const char *link);
/*
 * A list page (reader_ops.read_page) of API api: the listing names of
 * the request URL and of the next link ("API detail" or "API list", NULL
 * when the URL names neither), the markers, and the next link as a URL
 * to capture; newest_first unless the next link asks for another order
 * (sort, sort_key, sort_dir). next may be NULL (a last page).
 */
void	os_page(struct read_ctx *, const char *api, const char *next,
	    struct page *);

/* A UUID's text length, 8-4-4-4-12. */
#define OS_UUID_LEN	36

/*
 * The distinct UUIDs (8-4-4-4-12 hex digits, any case, not inside a
 * longer run of hex digits) in s: returns how many (counting at most
 * max + 1) and stores the first max of them, lowercased, in found.
 */
size_t	os_find_uuids(const char *s, char found[][OS_UUID_LEN + 1],
	    size_t max);

/* A value for a message: a string as it is, anything else as compact
 * JSON, cut to a readable length. Caller frees. */
char	*os_value_text(const struct jv *);
char	*os_cut_text(const char *);

/*
 * Field setters. name is how the API called the field (a JSON key or a
 * header name), for the message: a value that breaks the field's type
 * is reported as `field NAME "VALUE": WHY` and gives RC_SKIP. JSON null
 * and a NULL text leave the field null.
 */
enum rc	os_set_json(struct read_ctx *, struct record *, enum field,
	    const char *name, const struct jv *);
enum rc	os_set_text(struct read_ctx *, struct record *, enum field,
	    const char *name, const char *text);
/* Their reject, for a reader's own setters: shown is the value as a
 * message quotes it (os_value_text, os_cut_text), and is freed. */
enum rc	os_set_reject(struct read_ctx *, const char *name, char *shown,
	    const char *why);
/* The image id: missing or null is "image has no id". */
enum rc	os_set_id_json(struct read_ctx *, struct record *, const char *name,
	    const struct jv *);
/*
 * How every reader of JSON items begins one: initialises rec and takes
 * the request URL apart into u (the caller clears rec and frees u
 * whatever this returns), then rejects an item that is not an object
 * and sets the id from its "id" member (os_set_id_json).
 */
enum rc	os_item_begin(struct read_ctx *, const struct jv *item,
	    struct record *, struct os_url *);
/*
 * Status: the API's own statuses first through map (the reader's
 * .statuses; may be NULL), then through norm_status; a status that maps
 * to nothing leaves the field null with a warning (the source keeps the
 * original). os_status_json also stores the status text as sent in *raw
 * (borrowed from the JSON value; NULL when absent).
 */
enum rc	os_status_text(struct read_ctx *, struct record *, const char *name,
	    const char *raw, const struct reader_status *map);
enum rc	os_status_json(struct read_ctx *, struct record *, const char *name,
	    const struct jv *, const struct reader_status *map,
	    const char **raw);
/*
 * Properties from a JSON object (properties, metadata, meta): every
 * value through record_prop_set_json. Absent or null: none. Anything
 * but an object is a reject.
 */
enum rc	os_props_json(struct read_ctx *, struct record *, const char *name,
	    const struct jv *);

/*
 * A header's value as UTF-8 text (caller frees): as sent when it is
 * valid UTF-8, else read as ISO-8859-1 with a warning naming the
 * header. A NUL inside the value gives NULL with *nul set.
 */
char	*os_header_text(struct read_ctx *, const struct header *, int *nul);
/* The first present, non-empty header of the two, as UTF-8 text (caller
 * frees), or NULL. */
char	*os_header_pick(struct read_ctx *, const char *first,
	    const char *second);

/* Adds the observation's source entry (read_source_init) and fills the
 * reader's part of it; any argument may be NULL. */
struct source *os_source(struct read_ctx *, struct record *, const char *api,
	    const char *call, const char *status, const char *request_id,
	    const char *project_id);

/*
 * How many of names (NULL-terminated, no name twice) are members of o
 * (0 when o is not an object): what counting the names os_get finds
 * gives, found by going through o's keys when it has few (a reader's
 * bid looks for dozens of names in every item of a dozen keys). names
 * is a static list: each thread keeps the lengths and first bytes of
 * the last few it was given, by their address.
 */
size_t	os_count_keys(const struct jv *o, const char *const *names);
/* "an object", "a string", ...: a JSON value's type for messages. */
const char *os_json_type(const struct jv *);

/*
 * Glance v2's tags in a record, which has no field for them: the property
 * OS_TAGS, its value the JSON text of the tags, an array of strings
 * sorted and without duplicates (["a","b"]). The Glance v2 reader keeps
 * them so (os_tags_text); the glance writer turns such a property back
 * into the body's tags (os_tags_parse). A "tags" property whose value is
 * anything else is an ordinary property.
 */
#define OS_TAGS	"tags"
/* The property's value for an array of strings without NUL (caller
 * frees); NULL when it is empty or not such an array. */
char	*os_tags_text(const struct jv *tags);
/* The tags a property's value holds (caller decrefs), or NULL when it is
 * not the JSON text of an array of strings without NUL. */
json_t	*os_tags_parse(const char *value);

#endif
