/*
 * write_glance.c: the "glance" output, the migration bridge. One line per
 * record: the JSON body of a Glance v2 POST /v2/images that recreates the
 * record's metadata in the replacement API:
 *
 *	id, name, visibility, protected, container_format, disk_format,
 *	min_ram, min_disk, tags, then each property as a top-level string
 *
 * (in that order, properties sorted by key; JSON Lines, gzip-compressed
 * when the path ends in .gz or with -z). A null field is left out, so
 * Glance applies its default.
 *
 * What the body cannot carry is left out and, with --glance-report FILE,
 * listed there: one JSON line per image that has anything to list,
 *
 *	{"id": ..., "name": ..., "values": [{"field": F, "value": V,
 *	 "kind": K, "reason": R[, "becomes": D]}, ...]}
 *
 * field is a record field or "properties.KEY"; kind is one of
 *	read-only	status, size, virtual_size, checksum, created_at,
 *			updated_at: Glance sets them itself
 *	not-settable	owner: the creating project owns the image
 *	reserved	deleted (when true), deleted_at, and properties whose
 *			name Glance v2 reserves: the base image schema's own
 *			names, location, deleted, deleted_at, os_glance_*
 *	null		a property whose value is null (values are strings)
 *	invalid		a value Glance refuses with 400: name or property
 *			name longer than 255 characters, min_ram or min_disk
 *			above 2^31-1, kernel_id or ramdisk_id that is not a
 *			UUID, cinder_encryption_key_deletion_policy outside
 *			its enum (Glance 25's schema-image.json), a tag longer
 *			than 255 characters
 *	quota		properties or tags past Glance's default quotas (128)
 *	default		visibility, protected, min_ram, min_disk null in the
 *			record: Glance sets its default, named by "becomes"
 *			(shared, false, 0, 0)
 * A property "tags" whose value is a JSON array of strings (the way
 * openstack.h's OS_TAGS keeps Glance v2's tags) becomes the body's tags.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openstack.h"
#include "output.h"
#include "record_json.h"
#include "writer.h"

#define WG_MAXLEN	255		/* Glance's maxLength, in characters */
#define WG_QUOTA	128		/* image_property_quota, image_tag_quota */
#define WG_RESERVED_NS	"os_glance_"

struct write_glance {
	struct output	*body;
	struct output	*report;	/* NULL without --glance-report */
	char		*report_path;	/* --glance-report FILE */
};

static struct write_glance *write_glance_state(struct writer *);
static enum rc	write_glance_option(struct writer *, const char *,
		    const char *, const char **);
static enum rc	write_glance_open(struct writer *, const char *);
static enum rc	write_glance_write(struct writer *, const struct record *);
static enum rc	write_glance_finish(struct writer *);
static void	write_glance_free(struct writer *);
static int	write_glance_dump(const char *, size_t, void *);
static enum rc	write_glance_line(struct output *, json_t *);
static int	write_glance_ends_gz(const char *);
static void	write_glance_note(json_t *, const char *, json_t *,
		    const char *, const char *);
static void	write_glance_field(json_t *, json_t *, const json_t *,
		    enum field);
static void	write_glance_prop(json_t *, json_t *, json_t *,
		    const struct prop *, size_t *);
static const char *write_glance_reserved(const char *);
static const char *write_glance_bad_value(const char *, const char *);
static int	write_glance_tags(json_t *, json_t *, const char *);
static size_t	write_glance_chars(const char *);
static int	write_glance_is_uuid(const char *);

static const char *const write_glance_suffixes[] = {
	".glance.jsonl", ".glance.jsonl.gz", NULL
};

static const struct writer_option write_glance_options[] = {
	{ "glance-report", "FILE", "what the bodies cannot carry, and why",
	    1, 0 },
	{ NULL, NULL, NULL, 0, 0 }
};

const struct writer_ops write_glance_ops = {
	.name = "glance",
	.suffixes = write_glance_suffixes,
	.to_stdout = 1,
	.options = write_glance_options,
	.option = write_glance_option,
	.open = write_glance_open,
	.write = write_glance_write,
	.finish = write_glance_finish,
	.free = write_glance_free,
};

/* Glance v2's base image schema (Glance 25, api/v2/images.py
 * get_base_properties) and the names its request deserializer reserves. */
static const char *const write_glance_base[] = {
	"id", "name", "status", "visibility", "protected", "os_hidden",
	"checksum", "os_hash_algo", "os_hash_value", "owner", "size",
	"virtual_size", "container_format", "disk_format", "created_at",
	"updated_at", "tags", "direct_url", "min_ram", "min_disk", "self",
	"file", "stores", "schema", "locations", NULL
};
static const char *const write_glance_reserved_names[] = {
	"location", "deleted", "deleted_at", NULL
};

/* What happens to each record field that is not in the body as is. */
static const struct write_glance_rule {
	enum field	 field;
	const char	*kind;
	const char	*reason;
} write_glance_rules[] = {
	{ F_STATUS, "read-only", "Glance sets the status itself (queued "
	    "until image data is uploaded)" },
	{ F_SIZE, "read-only", "Glance computes it from the uploaded image "
	    "data" },
	{ F_VIRTUAL_SIZE, "read-only", "Glance computes it from the uploaded "
	    "image data" },
	{ F_CHECKSUM, "read-only", "Glance computes it from the uploaded "
	    "image data" },
	{ F_OWNER, "not-settable", "the image belongs to the project that "
	    "creates it" },
	{ F_CREATED_AT, "read-only", "Glance sets the time stamps" },
	{ F_UPDATED_AT, "read-only", "Glance sets the time stamps" },
	{ F_DELETED, "reserved", "a created image is not deleted; Glance v2 "
	    "reserves \"deleted\"" },
	{ F_DELETED_AT, "reserved", "Glance v2 reserves \"deleted_at\"" },
};
#define WG_NRULES (sizeof write_glance_rules / sizeof write_glance_rules[0])

static int
write_glance_ends_gz(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

/* The writer's state, made by the first option or by open. */
static struct write_glance *
write_glance_state(struct writer *w)
{
	if (w->priv == NULL)
		w->priv = xcalloc(1, sizeof(struct write_glance));
	return w->priv;
}

static enum rc
write_glance_option(struct writer *w, const char *name, const char *value,
    const char **why)
{
	struct write_glance *g = write_glance_state(w);

	if (strcmp(name, "glance-report") != 0 || value == NULL) {
		*why = "is not an option of the glance format";
		return RC_FATAL;
	}
	free(g->report_path);
	g->report_path = xstrdup(value);
	return RC_OK;
}

static enum rc
write_glance_open(struct writer *w, const char *path)
{
	struct write_glance *g = write_glance_state(w);

	if ((g->body = output_open(path, w->opts.gzip, w->diag)) == NULL ||
	    (g->report_path != NULL && (g->report =
	    output_open(g->report_path,
	    write_glance_ends_gz(g->report_path), w->diag)) == NULL)) {
		/* main does not call free after a failed open */
		write_glance_free(w);
		return RC_FATAL;
	}
	output_threads(g->body, w->opts.threads);
	return RC_OK;
}

static int
write_glance_dump(const char *p, size_t n, void *arg)
{
	return output_write(arg, p, n) == RC_OK ? 0 : -1;
}

/* One compact JSON line; takes j. */
static enum rc
write_glance_line(struct output *o, json_t *j)
{
	int r = json_dump_callback(j, write_glance_dump, o, JSON_COMPACT);

	json_decref(j);
	if (r != 0)
		return RC_FATAL;
	return output_write(o, "\n", 1);
}

/* Characters (code points) of valid UTF-8 text. */
static size_t
write_glance_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Glance's UUID pattern: 8-4-4-4-12 hex digits, any case. */
static int
write_glance_is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i] != '\0'; i++) {
		char c = s[i];

		if (shape[i] == '-' ? c != '-' : !((c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* Adds {"field", "value", "kind", "reason"} to notes; takes value. */
static void
write_glance_note(json_t *notes, const char *field, json_t *value,
    const char *kind, const char *reason)
{
	json_t *n = json_object();

	json_object_set_new(n, "field", json_string(field));
	json_object_set_new(n, "value", value);
	json_object_set_new(n, "kind", json_string(kind));
	json_object_set_new(n, "reason", json_string(reason));
	json_array_append_new(notes, n);
}

/* A settable field: into the body, or a note. */
static void
write_glance_field(json_t *body, json_t *notes, const json_t *rec,
    enum field f)
{
	const char *name = field_info[f].name;
	json_t *v = json_object_get(rec, name), *n;

	if (json_is_null(v)) {
		switch (f) {
		case F_VISIBILITY:
			n = json_string("shared");
			break;
		case F_PROTECTED:
			n = json_false();
			break;
		case F_MIN_RAM:
		case F_MIN_DISK:
			n = json_integer(0);
			break;
		default:
			return;		/* null in Glance too */
		}
		write_glance_note(notes, name, json_null(), "default",
		    "null in the record: Glance sets its default");
		json_object_set_new(json_array_get(notes,
		    json_array_size(notes) - 1), "becomes", n);
		return;
	}
	if (f == F_NAME && write_glance_chars(json_string_value(v)) >
	    WG_MAXLEN) {
		write_glance_note(notes, name, json_incref(v), "invalid",
		    "longer than 255 characters: Glance refuses it (400)");
		return;
	}
	if ((f == F_MIN_RAM || f == F_MIN_DISK) && json_integer_value(v) >
	    2147483647) {
		write_glance_note(notes, name, json_incref(v), "invalid",
		    "above 2147483647: Glance refuses it (400)");
		return;
	}
	json_object_set(body, name, v);
}

/* Why a property name cannot be sent, or NULL. */
static const char *
write_glance_reserved(const char *key)
{
	for (size_t i = 0; write_glance_base[i] != NULL; i++)
		if (strcmp(write_glance_base[i], key) == 0)
			return "a field of Glance v2's image schema, not a "
			    "property name";
	for (size_t i = 0; write_glance_reserved_names[i] != NULL; i++)
		if (strcmp(write_glance_reserved_names[i], key) == 0)
			return "reserved by Glance v2 (403)";
	if (strncmp(key, WG_RESERVED_NS, sizeof WG_RESERVED_NS - 1) == 0)
		return "in Glance's reserved namespace os_glance_ (403)";
	return NULL;
}

/* Why Glance 25 (with its shipped schema-image.json) refuses a property
 * value, or NULL. */
static const char *
write_glance_bad_value(const char *key, const char *value)
{
	if ((strcmp(key, "kernel_id") == 0 || strcmp(key, "ramdisk_id") == 0)
	    && !write_glance_is_uuid(value))
		return "not a UUID, which Glance's schema-image.json requires "
		    "(400)";
	if (strcmp(key, "cinder_encryption_key_deletion_policy") == 0 &&
	    strcmp(value, "on_image_deletion") != 0 &&
	    strcmp(value, "do_not_delete") != 0)
		return "not on_image_deletion or do_not_delete, as Glance's "
		    "schema-image.json requires (400)";
	return NULL;
}

/* The property OS_TAGS as the body's tags: 0 when its value holds tags
 * (long tags and tags past the quota become notes), -1 when it does not. */
static int
write_glance_tags(json_t *body, json_t *notes, const char *value)
{
	json_t *a = os_tags_parse(value), *tags, *t;
	size_t i;

	if (a == NULL)
		return -1;
	tags = json_array();
	json_array_foreach(a, i, t) {
		if (write_glance_chars(json_string_value(t)) > WG_MAXLEN)
			write_glance_note(notes, "tags", json_incref(t),
			    "invalid", "a tag longer than 255 characters: "
			    "Glance refuses it (400)");
		else if (json_array_size(tags) == WG_QUOTA)
			write_glance_note(notes, "tags", json_incref(t),
			    "quota", "past Glance's default image_tag_quota "
			    "(128)");
		else
			json_array_append(tags, t);
	}
	json_object_set_new(body, "tags", tags);
	json_decref(a);
	return 0;
}

static void
write_glance_prop(json_t *body, json_t *notes, json_t *props_out,
    const struct prop *p, size_t *nsent)
{
	const char *why;
	char *field = xasprintf("properties.%s", p->key);

	if (strcmp(p->key, OS_TAGS) == 0 && p->value != NULL &&
	    write_glance_tags(body, notes, p->value) == 0)
		goto out;
	if ((why = write_glance_reserved(p->key)) != NULL)
		write_glance_note(notes, field, p->value == NULL ? json_null() :
		    json_string(p->value), "reserved", why);
	else if (p->value == NULL)
		write_glance_note(notes, field, json_null(), "null",
		    "Glance v2 property values are strings: a null cannot be "
		    "sent");
	else if (write_glance_chars(p->key) > WG_MAXLEN)
		write_glance_note(notes, field, json_string(p->value),
		    "invalid", "a property name longer than 255 characters: "
		    "Glance refuses it (400)");
	else if ((why = write_glance_bad_value(p->key, p->value)) != NULL)
		write_glance_note(notes, field, json_string(p->value),
		    "invalid", why);
	else if (*nsent == WG_QUOTA)
		write_glance_note(notes, field, json_string(p->value),
		    "quota", "past Glance's default image_property_quota "
		    "(128)");
	else {
		json_object_set_new(props_out, p->key, json_string(p->value));
		(*nsent)++;
	}
out:
	free(field);
}

static enum rc
write_glance_write(struct writer *w, const struct record *rec)
{
	static const enum field settable[] = {
		F_NAME, F_VISIBILITY, F_PROTECTED, F_CONTAINER_FORMAT,
		F_DISK_FORMAT, F_MIN_RAM, F_MIN_DISK
	};
	struct write_glance *g = w->priv;
	json_t *j, *body, *notes, *props, *line, *v;
	const char *key;
	size_t nsent = 0;
	enum rc rc;

	if ((j = record_json_value(rec)) == NULL)
		fatal("record %s is not representable as JSON", rec->f[F_ID]);
	body = json_object();
	notes = json_array();
	props = json_object();
	json_object_set(body, "id", json_object_get(j, "id"));
	for (size_t i = 0; i < sizeof settable / sizeof settable[0]; i++)
		write_glance_field(body, notes, j, settable[i]);
	for (size_t i = 0; i < WG_NRULES; i++) {
		const struct write_glance_rule *r = &write_glance_rules[i];

		v = json_object_get(j, field_info[r->field].name);
		if (json_is_null(v) || (r->field == F_DELETED &&
		    json_is_false(v)))
			continue;
		write_glance_note(notes, field_info[r->field].name,
		    json_incref(v), r->kind, r->reason);
	}
	for (size_t i = 0; i < rec->nprops; i++)
		write_glance_prop(body, notes, props, &rec->props[i], &nsent);
	if (json_object_get(body, "tags") == NULL)
		json_object_set_new(body, "tags", json_array());
	json_object_foreach(props, key, v)
		json_object_set(body, key, v);
	json_decref(props);

	rc = write_glance_line(g->body, body);
	if (rc == RC_OK && g->report != NULL && json_array_size(notes) > 0) {
		line = json_object();
		json_object_set(line, "id", json_object_get(j, "id"));
		json_object_set(line, "name", json_object_get(j, "name"));
		json_object_set(line, "values", notes);
		rc = write_glance_line(g->report, line);
	}
	json_decref(notes);
	json_decref(j);
	return rc;
}

static enum rc
write_glance_finish(struct writer *w)
{
	struct write_glance *g = w->priv;
	struct output *o = g->body;
	enum rc rc;

	g->body = NULL;
	if (g->report == NULL)
		return output_commit(o);
	/* the body without its report would look complete */
	rc = output_commit_both(o, g->report);
	g->report = NULL;
	return rc;
}

static void
write_glance_free(struct writer *w)
{
	struct write_glance *g = w->priv;

	if (g != NULL) {
		output_abort(g->body);
		output_abort(g->report);
		free(g->report_path);
		free(g);
	}
	w->priv = NULL;
}
