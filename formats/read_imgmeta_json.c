/*
 * read_imgmeta_json.c: imgmeta's own JSON Lines output (write_json.c),
 * plain or gzipped, read back as the observations it was folded from, so
 * that shards converted apart merge into what one run over everything
 * gives (README "Shards").
 *
 * Recognised by its first line: a JSON object whose first key is "id"
 * and that has a "sources" list of objects with "file" and "at". The
 * file is then read line by line (one line held at a time, at most
 * READ_IMGMETA_JSON_MAXLINE bytes), each line a record:
 *
 *  - a record of one source is its own observation: its fields, its
 *    properties and that source;
 *  - a record of several sources gives one observation per source, in
 *    the order of the list (the fold order): the record's id, what the
 *    source's "observation" says (non-null fields, "properties") and the
 *    source itself. Folded again, they must give the record, or the line
 *    is rejected (the line was edited, and it is not known which of the
 *    two to believe).
 *
 * Sources keep their file, position, Date and so on: the observations
 * are ordered among others as when they were first read. A line that
 * cannot be read is rejected as "FILE:line N: reason"; blank lines are
 * skipped; the rest of the file is read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "openstack.h"
#include "merge.h"

/* One line (one record), like one JSON item of a capture. */
#define READ_IMGMETA_JSON_MAXLINE	READ_MAX_ITEM
#define READ_IMGMETA_JSON_CHUNK		(64 * 1024)
/* A line buffer bigger than this is let go after its line. */
#define READ_IMGMETA_JSON_KEEP		(4 * 1024 * 1024)

/* The file being read. */
struct read_imgmeta_json {
	struct read_ctx	 ctx;		/* the engine's, pos: "line N" */
	char		 pos[32];
	struct buf	 line;
	int		 toolong;	/* the line is past the limit */
	uint64_t	 lineno;
	struct jv_doc	 doc;		/* the line's value */
};

static int	read_imgmeta_json_bid(struct stream *);
static enum rc	read_imgmeta_json_read(struct read_ctx *);
static enum rc	read_imgmeta_json_line(struct read_imgmeta_json *,
		    const char *, size_t);
static enum rc	read_imgmeta_json_record(struct read_imgmeta_json *,
		    const struct jv *);
static enum rc	read_imgmeta_json_said(struct read_imgmeta_json *,
		    const struct jv *, struct record *, const char *);
static enum rc	read_imgmeta_json_source(struct read_imgmeta_json *,
		    const struct jv *, struct record *, size_t, size_t);
static const char *read_imgmeta_json_differs(struct record *,
		    struct record *, struct buf *);

const struct reader_ops read_imgmeta_json_ops = {
	.name = "imgmeta_json",
	.describes = "imgmeta's own JSON Lines (shards)",
	.bid_file = read_imgmeta_json_bid,
	.read_file = read_imgmeta_json_read,
};

/*
 * The first line: '{' and the key "id" first (decided from the first
 * bytes, so that other files cost nothing), then the whole line must
 * parse and hold a "sources" list of objects with "file" and "at".
 */
static int
read_imgmeta_json_bid(struct stream *s)
{
	const char *p, *nl = NULL;
	size_t want = 64, len, i = 1;
	ssize_t n;
	json_t *j, *srcs, *e;
	int ok;

	if ((n = stream_peek(s, &p, want)) <= 0 || p[0] != '{')
		return 0;
	len = (size_t)n;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (len - i < 4 || memcmp(p + i, "\"id\"", 4) != 0)
		return 0;
	for (want = READ_IMGMETA_JSON_CHUNK;; want *= 2) {
		if (want > READ_IMGMETA_JSON_MAXLINE)
			want = READ_IMGMETA_JSON_MAXLINE;
		if ((n = stream_peek(s, &p, want)) <= 0)
			return 0;
		if ((nl = memchr(p, '\n', (size_t)n)) != NULL ||
		    (size_t)n < want)
			break;
		if (want == READ_IMGMETA_JSON_MAXLINE)
			return 0;
	}
	len = nl != NULL ? (size_t)(nl - p) : (size_t)n;
	if ((j = json_loadb(p, len, 0, NULL)) == NULL)
		return 0;
	srcs = json_object_get(j, "sources");
	ok = json_is_string(json_object_get(j, "id")) &&
	    json_array_size(srcs) > 0;
	json_array_foreach(srcs, i, e)
		if (json_object_get(e, "file") == NULL ||
		    json_object_get(e, "at") == NULL)
			ok = 0;
	json_decref(j);
	return ok ? 100 : 0;
}

/* The whole file, line by line. */
static enum rc
read_imgmeta_json_read(struct read_ctx *ctx)
{
	struct read_imgmeta_json r;
	char *chunk = xmalloc(READ_IMGMETA_JSON_CHUNK);
	const char *p, *nl;
	size_t left, take;
	ssize_t got;
	enum rc rc = RC_OK;

	memset(&r, 0, sizeof r);
	r.ctx = *ctx;
	r.ctx.pos = r.pos;
	r.line = (struct buf)BUF_INIT;
	r.doc = (struct jv_doc)JV_DOC_INIT;
	while (rc != RC_FATAL && (got = response_body_read(ctx->resp, chunk,
	    READ_IMGMETA_JSON_CHUNK)) > 0) {
		p = chunk;
		left = (size_t)got;
		while (left > 0 && rc != RC_FATAL) {
			nl = memchr(p, '\n', left);
			take = nl != NULL ? (size_t)(nl - p) : left;
			if (!r.toolong && r.line.len + take >
			    READ_IMGMETA_JSON_MAXLINE) {
				r.toolong = 1;
				buf_free(&r.line);
			}
			if (!r.toolong)
				buf_add(&r.line, p, take);
			p += take;
			left -= take;
			if (nl == NULL)
				break;
			p++;
			left--;
			rc = read_imgmeta_json_line(&r, r.line.data, r.line.len);
		}
	}
	/* The last line, without a line feed; a read error was reported. */
	if (rc != RC_FATAL && (r.line.len > 0 || r.toolong))
		rc = read_imgmeta_json_line(&r, r.line.data, r.line.len);
	buf_free(&r.line);
	jv_doc_free(&r.doc);
	free(chunk);
	return rc;
}

/* One line (its bytes in p, without the line feed), then the buffer is
 * made ready for the next. */

static enum rc
read_imgmeta_json_line(struct read_imgmeta_json *r, const char *p, size_t n)
{
	json_error_t err;
	const struct jv *j;
	enum rc rc = RC_OK;

	r->lineno++;
	snprintf(r->pos, sizeof r->pos, "line %llu",
	    (unsigned long long)r->lineno);
	if (r->toolong)
		rc = read_reject(&r->ctx, "line longer than %zu MiB: not read",
		    (size_t)READ_IMGMETA_JSON_MAXLINE >> 20);
	else if (ascii_blank(p, n))
		;
	else if ((j = jv_parse(&r->doc, p, n, 0, &err)) == NULL)
		rc = read_reject(&r->ctx, "invalid JSON: %s (column %d): "
		    "not read", err.text, err.column);
	else
		rc = read_imgmeta_json_record(r, j);
	r->toolong = 0;
	if (r->line.cap > READ_IMGMETA_JSON_KEEP)
		buf_free(&r->line);
	else
		buf_reset(&r->line);
	return rc;
}

/*
 * What an object says into rec: fields (not id) and "properties"; in a
 * record, "id" and "sources" are read apart. what is "" for the record,
 * else "source N's observation: " for messages.
 */
static enum rc
read_imgmeta_json_said(struct read_imgmeta_json *r, const struct jv *o,
    struct record *rec, const char *what)
{
	const char *key, *why = NULL;
	const struct jv *v, *pv;
	enum rc rc;
	char *shown;
	int f;

	if (!jv_is_object(o))
		return read_reject(&r->ctx, "%sis not a JSON object: the "
		    "record is not read", what);
	JV_FOREACH(o, v) {
		key = v->key;
		if (*what == '\0' && (strcmp(key, "id") == 0 ||
		    strcmp(key, "sources") == 0))
			continue;
		if ((f = field_lookup(key)) > F_ID) {
			if (record_set_json(rec, (enum field)f, v, &why) == 0)
				continue;
			shown = os_value_text(v);
			rc = read_reject(&r->ctx, "%sfield %s \"%s\": %s: the "
			    "record is not read", what, key, shown, why);
			free(shown);
			return rc;
		}
		if (strcmp(key, "properties") != 0)
			return read_reject(&r->ctx, "%s\"%s\" is not a field "
			    "of the record: the record is not read", what,
			    key);
		if (!jv_is_object(v))
			return read_reject(&r->ctx, "%s\"properties\" is not "
			    "an object: the record is not read", what);
		JV_FOREACH(v, pv)
			if (record_prop_set_json(rec, pv->key, pv, &why) != 0) {
				shown = os_cut_text(pv->key);
				rc = read_reject(&r->ctx, "%sproperty \"%s\": "
				    "%s: the record is not read", what, shown,
				    why);
				free(shown);
				return rc;
			}
	}
	return RC_OK;
}

/* Source i (of n) of the list, without its "observation", into rec. */
static enum rc
read_imgmeta_json_source(struct read_imgmeta_json *r, const struct jv *o,
    struct record *rec, size_t i, size_t n)
{
	struct source *src = record_add_source(rec);
	const struct jv *v;
	const char *key;
	char why[160];
	int k;

	if (!jv_is_object(o))
		return read_reject(&r->ctx, "source %zu of %zu is not a JSON "
		    "object: the record is not read", i + 1, n);
	JV_FOREACH(o, v) {
		key = v->key;
		if (strcmp(key, "observation") == 0)
			continue;
		for (k = 0; k < S__COUNT; k++)
			if (strcmp(source_field_name[k], key) == 0)
				break;
		if (k == S__COUNT)
			return read_reject(&r->ctx, "source %zu of %zu has "
			    "\"%s\", which is not a source field: the record "
			    "is not read", i + 1, n, key);
		if (jv_is_null(v))
			continue;
		if (!jv_is_text(v))
			return read_reject(&r->ctx, "source %zu of %zu: \"%s\" "
			    "is not a string: the record is not read", i + 1,
			    n, key);
		source_set(src, (enum source_field)k, v->u.s);
	}
	/* As a capture's reader would have made it. */
	if (source_check(src, why, sizeof why) != NULL)
		return read_reject(&r->ctx, "source %zu of %zu: %s: the record "
		    "is not read", i + 1, n, why);
	return RC_OK;
}

/* NULL when acc (folded) and rec hold the same fields and properties,
 * else what differs (in b). Both are sorted first. */
static const char *
read_imgmeta_json_differs(struct record *acc, struct record *rec,
    struct buf *b)
{
	record_sort(acc);
	record_sort(rec);
	for (int f = 0; f < F__COUNT; f++)
		if ((acc->f[f] == NULL) != (rec->f[f] == NULL) ||
		    (acc->f[f] != NULL && strcmp(acc->f[f], rec->f[f]) != 0)) {
			buf_printf(b, "field %s", field_info[f].name);
			return buf_cstr(b);
		}
	for (size_t i = 0; i < acc->nprops || i < rec->nprops; i++) {
		const struct prop *a = i < acc->nprops ? &acc->props[i] : NULL;
		const struct prop *p = i < rec->nprops ? &rec->props[i] : NULL;

		if (a == NULL || p == NULL || strcmp(a->key, p->key) != 0 ||
		    (a->value == NULL) != (p->value == NULL) ||
		    (a->value != NULL && strcmp(a->value, p->value) != 0)) {
			/* the first key the two lists do not share */
			char *k = os_cut_text(a == NULL ? p->key :
			    p == NULL ? a->key :
			    strcmp(a->key, p->key) > 0 ? p->key : a->key);

			buf_printf(b, "property \"%s\"", k);
			free(k);
			return buf_cstr(b);
		}
	}
	return NULL;
}

/* One record: its observations, checked, then emitted in list order. */
static enum rc
read_imgmeta_json_record(struct read_imgmeta_json *r, const struct jv *j)
{
	struct record rec, acc, *obs = NULL;
	struct diag quiet;
	struct buf what = BUF_INIT;
	const struct jv *srcs, *s;
	const char *why = NULL, *differs;
	size_t n = 0, i, nsaid = 0;
	enum rc rc = RC_OK;

	record_init(&rec);
	record_init(&acc);
	if (!jv_is_object(j)) {
		rc = read_reject(&r->ctx, "not an imgmeta record (the line is "
		    "not a JSON object): not read");
		goto out;
	}
	srcs = jv_get(j, "sources");
	if (record_set_json(&rec, F_ID, jv_get(j, "id"), &why) != 0 ||
	    rec.f[F_ID] == NULL || !jv_is_array(srcs) || srcs->len == 0) {
		rc = read_reject(&r->ctx, "not an imgmeta record (it needs an "
		    "\"id\" that is a UUID and a \"sources\" list): not read");
		goto out;
	}
	if ((rc = read_imgmeta_json_said(r, j, &rec, "")) != RC_OK)
		goto out;
	n = srcs->len;
	obs = xreallocarray(NULL, n, sizeof *obs);
	for (i = 0; i < n; i++)
		record_init(&obs[i]);
	JV_FOREACH(srcs, s)
		if (jv_get(s, "observation") != NULL)
			nsaid++;
	if (nsaid == 0 && n == 1) {
		/* One source: the record is its observation. */
		record_move(&obs[0], &rec);
		rc = read_imgmeta_json_source(r, srcs + 1, &obs[0], 0, 1);
		goto emit;
	}
	i = 0;
	JV_FOREACH(srcs, s) {
		const struct jv *said;

		record_set_raw(&obs[i], F_ID, rec.f[F_ID]);
		if ((said = jv_get(s, "observation")) == NULL) {
			rc = read_reject(&r->ctx, "source %zu of %zu has no "
			    "\"observation\" (what it said), so the record "
			    "cannot be taken apart into its observations (a "
			    "line written by an older imgmeta? convert its "
			    "captures again): not read", i + 1, n);
			goto out;
		}
		buf_reset(&what);
		buf_printf(&what, "source %zu of %zu: \"observation\": ", i + 1,
		    n);
		if ((rc = read_imgmeta_json_said(r, said, &obs[i],
		    buf_cstr(&what))) != RC_OK ||
		    (rc = read_imgmeta_json_source(r, s, &obs[i], i, n)) !=
		    RC_OK)
			goto out;
		i++;
	}
	/* Folded again, they must give the record. */
	diag_init(&quiet, NULL, NULL);
	for (i = 0; i < n; i++) {
		record_sort(&obs[i]);
		merge_fold_one(&acc, &obs[i], &quiet, NULL, NULL);
	}
	buf_reset(&what);
	if ((differs = read_imgmeta_json_differs(&acc, &rec, &what)) != NULL) {
		rc = read_reject(&r->ctx, "the observations of its sources do "
		    "not fold to the record (%s differs; was the line "
		    "edited?): not read", differs);
		goto out;
	}
emit:
	for (i = 0; rc == RC_OK && i < n; i++)
		if (read_emit(&r->ctx, &obs[i]) == RC_FATAL)
			rc = RC_FATAL;
out:
	for (i = 0; obs != NULL && i < n; i++)
		record_clear(&obs[i]);
	free(obs);
	record_clear(&rec);
	record_clear(&acc);
	buf_free(&what);
	return rc == RC_FATAL ? RC_FATAL : RC_OK;
}
