/*
 * compare.c: imgmeta --compare OLD NEW (see compare.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compare.h"
#include "compare_table.h"
#include "output.h"
#include "pipeline.h"
#include "record_json.h"
#include "writer.h"

/* One side while it is read, merged and spilled. */
struct compare_side {
	const struct compare_opts *o;
	struct diag	*diag;
	FILE		*tmp;		/* canonical JSON, one record a line */
	uint64_t	 images;
};

/* Where the differences go: the report (JSON Lines) or the table's
 * rows; and each field's count of images. */
struct compare_report {
	struct output		*out;
	struct compare_table	*table;		/* NULL: JSON Lines */
	json_t			*fields;	/* name -> images */
};

/* The fields a Glance v2 POST /v2/images sets. */
static const enum field compare_settable[] = {
	F_NAME, F_VISIBILITY, F_PROTECTED, F_CONTAINER_FORMAT, F_DISK_FORMAT,
	F_MIN_RAM, F_MIN_DISK
};
#define COMPARE_NSETTABLE \
	(sizeof compare_settable / sizeof compare_settable[0])

static enum rc	compare_side_open(struct writer *, const char *);
static enum rc	compare_side_write(struct writer *, const struct record *);
static enum rc	compare_side_finish(struct writer *);
static void	compare_side_free(struct writer *);
static enum rc	compare_tmp_error(struct diag *, const char *);
static enum rc	compare_side_read(struct compare_side *, const char *);
static json_t	*compare_next(FILE *, struct diag *, int *);
static char	*compare_cell(json_t *);
static enum rc	compare_emit(struct compare_report *, const char *, json_t *,
		    const char *, const char *, json_t *, json_t *);
static enum rc	compare_pair(struct compare_report *,
		    const struct compare_opts *, json_t *, json_t *,
		    uint64_t *);
static enum rc	compare_props(struct compare_report *, const char *,
		    json_t *, json_t *, json_t *, uint64_t *);
static int	compare_fieldcmp(const void *, const void *);
static void	compare_fields(struct compare_counts *, json_t *);
static int	compare_keycmp(const void *, const void *);

/* The side's writer: the pipeline's records into the side's temporary
 * file. */
static enum rc
compare_side_open(struct writer *w, const char *path)
{
	struct compare_side *s = w->priv;

	(void)path;
	return (s->tmp = output_scratch("--compare", s->diag)) == NULL ?
	    RC_FATAL : RC_OK;
}

/* A merged record, without its sources, as one line of the side's
 * temporary file. */
static enum rc
compare_side_write(struct writer *w, const struct record *rec)
{
	struct compare_side *s = w->priv;
	json_t *j;
	int r;

	if ((j = record_json_value(rec)) == NULL)
		fatal("record %s is not representable as JSON", rec->f[F_ID]);
	json_object_del(j, "sources");
	r = json_dumpf(j, s->tmp, JSON_COMPACT);
	json_decref(j);
	if (r != 0 || fputc('\n', s->tmp) == EOF)
		return compare_tmp_error(s->diag, "write");
	s->images++;
	return RC_OK;
}

/* Read back from the start when both sides are in. */
static enum rc
compare_side_finish(struct writer *w)
{
	struct compare_side *s = w->priv;

	if (fflush(s->tmp) != 0 || fseek(s->tmp, 0, SEEK_SET) != 0)
		return compare_tmp_error(s->diag, "write");
	return RC_OK;
}

/* The file stays open for the comparison (compare_run closes it). */
static void
compare_side_free(struct writer *w)
{
	(void)w;
}

static const struct writer_ops compare_side_ops = {
	.name = "compare",
	.open = compare_side_open,
	.write = compare_side_write,
	.finish = compare_side_finish,
	.free = compare_side_free,
};

static enum rc
compare_tmp_error(struct diag *d, const char *what)
{
	diag_report(d, DIAG_ERROR, NULL, NULL, "cannot %s a temporary file: "
	    "%s", what, strerror(errno));
	return RC_FATAL;
}

/* Reads and merges one side into its temporary file: the pipeline, with
 * the side's writer. */
static enum rc
compare_side_read(struct compare_side *s, const char *path)
{
	char *paths[1];
	struct writer w = { .ops = &compare_side_ops, .diag = s->diag,
	    .priv = s };
	struct pipeline_opts po = { 0 };

	paths[0] = (char *)(uintptr_t)path;
	po.inputs = paths;
	po.ninputs = 1;
	po.jobs = s->o->jobs;
	po.filter = s->o->filter;
	/* the report's path: a walk of the side skips it, as a run skips
	 * its own output */
	return pipeline_run(&po, &w, s->o->output) == PIPELINE_OK ? RC_OK :
	    RC_FATAL;
}

/* The next record of a side, NULL at the end (*err set on an error). */
static json_t *
compare_next(FILE *f, struct diag *d, int *err)
{
	char *line = NULL;
	size_t cap = 0;
	json_t *j = NULL;

	if (getline(&line, &cap, f) > 0) {
		if ((j = json_loads(line, 0, NULL)) == NULL) {
			diag_report(d, DIAG_ERROR, NULL, NULL, "temporary file "
			    "damaged");
			*err = 1;
		}
	} else if (ferror(f)) {
		diag_report(d, DIAG_ERROR, NULL, NULL, "cannot read a "
		    "temporary file: %s", strerror(errno));
		*err = 1;
	}
	free(line);
	return j;
}

/* A value as a table cell: a string as it is, anything else as JSON;
 * NULL (the side lacks it): "(absent)". */
static char *
compare_cell(json_t *v)
{
	char *text;

	if (v == NULL)
		return xstrdup("(absent)");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		fatal("compare: a value is not representable as JSON");
	return text;
}

/*
 * One difference. field NULL: the whole image is only in OLD (change
 * "missing") or only in NEW ("added"), name its name. Else the field
 * differs: ov and nv its values, NULL where a side lacks it; the field
 * is counted.
 */
static enum rc
compare_emit(struct compare_report *r, const char *id, json_t *name,
    const char *change, const char *field, json_t *ov, json_t *nv)
{
	enum rc rc;

	if (field != NULL) {
		json_t *n = json_object_get(r->fields, field);

		json_object_set_new(r->fields, field, json_integer(n == NULL ?
		    1 : json_integer_value(n) + 1));
	}
	if (r->table != NULL) {
		const char *cells[COMPARE_TABLE_COLUMNS];
		char *o = NULL, *n = NULL;

		cells[0] = id;
		cells[1] = json_is_string(name) ? json_string_value(name) : "";
		if (field == NULL) {
			int gone = strcmp(change, "missing") == 0;

			cells[2] = "(image)";
			cells[3] = gone ? "present" : "(absent)";
			cells[4] = gone ? "(absent)" : "present";
		} else {
			cells[2] = field;
			cells[3] = o = compare_cell(ov);
			cells[4] = n = compare_cell(nv);
		}
		rc = compare_table_row(r->table, cells);
		free(o);
		free(n);
	} else {
		json_t *j = json_object();
		char *text;

		json_object_set_new(j, "id", json_string(id));
		json_object_set_new(j, "change", json_string(change));
		if (field == NULL)
			json_object_set(j, "name", name);
		else
			json_object_set_new(j, "field", json_string(field));
		if (field != NULL && ov != NULL)
			json_object_set(j, "old", ov);
		if (field != NULL && nv != NULL)
			json_object_set(j, "new", nv);
		if ((text = json_dumps(j, JSON_COMPACT)) == NULL)
			fatal("compare: a report line is not representable "
			    "as JSON");
		json_decref(j);
		rc = output_write(r->out, text, strlen(text));
		free(text);
		if (rc == RC_OK)
			rc = output_write(r->out, "\n", 1);
	}
	return rc;
}

static int
compare_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Property by property, in key order. */
static enum rc
compare_props(struct compare_report *r, const char *id, json_t *name,
    json_t *po, json_t *pn, uint64_t *n)
{
	size_t nk = json_object_size(po) + json_object_size(pn), k = 0;
	const char **keys = xcalloc(nk + 1, sizeof *keys), *key;
	enum rc rc = RC_OK;
	json_t *v;

	json_object_foreach(po, key, v)
		keys[k++] = key;
	json_object_foreach(pn, key, v)
		keys[k++] = key;
	qsort(keys, k, sizeof *keys, compare_keycmp);
	for (size_t i = 0; i < k && rc == RC_OK; i++) {
		json_t *ov, *nv;
		char *field;

		if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
			continue;
		ov = json_object_get(po, keys[i]);
		nv = json_object_get(pn, keys[i]);
		if (ov != NULL && nv != NULL && json_equal(ov, nv))
			continue;
		field = xasprintf("properties.%s", keys[i]);
		(*n)++;
		rc = compare_emit(r, id, name, ov == NULL ? "added" :
		    nv == NULL ? "missing" : "different", field, ov, nv);
		free(field);
	}
	free(keys);
	return rc;
}

/* One image in both: field by field, then its properties. */
static enum rc
compare_pair(struct compare_report *r, const struct compare_opts *o,
    json_t *a, json_t *b, uint64_t *n)
{
	const char *id = json_string_value(json_object_get(a, "id"));
	json_t *name = json_object_get(a, "name");
	size_t nf = o->all_fields ? F__COUNT : COMPARE_NSETTABLE;
	enum rc rc = RC_OK;

	for (size_t i = 0; i < nf && rc == RC_OK; i++) {
		enum field f = o->all_fields ? (enum field)i :
		    compare_settable[i];
		const char *fname = field_info[f].name;
		json_t *ov = json_object_get(a, fname);
		json_t *nv = json_object_get(b, fname);

		if (f == F_ID || json_equal(ov, nv))
			continue;
		(*n)++;
		rc = compare_emit(r, id, name, "different", fname, ov, nv);
	}
	if (rc == RC_OK)
		rc = compare_props(r, id, name, json_object_get(a,
		    "properties"), json_object_get(b, "properties"), n);
	return rc;
}

/* Most images first, then by name. */
static int
compare_fieldcmp(const void *x, const void *y)
{
	const struct compare_field *a = x, *b = y;

	if (a->images != b->images)
		return a->images > b->images ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The field counts, sorted, into c. */
static void
compare_fields(struct compare_counts *c, json_t *fields)
{
	const char *key;
	json_t *v;

	c->fields = xcalloc(json_object_size(fields) + 1, sizeof *c->fields);
	json_object_foreach(fields, key, v) {
		c->fields[c->nfields].name = xstrdup(key);
		c->fields[c->nfields++].images =
		    (uint64_t)json_integer_value(v);
	}
	qsort(c->fields, c->nfields, sizeof *c->fields, compare_fieldcmp);
}

void
compare_counts_free(struct compare_counts *c)
{
	for (size_t i = 0; i < c->nfields; i++)
		free(c->fields[i].name);
	free(c->fields);
	c->fields = NULL;
	c->nfields = 0;
}

enum compare_result
compare_run(const struct compare_opts *o, const char *old_path,
    const char *new_path, struct diag *d, struct compare_counts *c)
{
	struct compare_side s[2];
	struct compare_report r = { 0 };
	json_t *a = NULL, *b = NULL;
	enum compare_result res = COMPARE_ERROR;
	enum rc rc = RC_OK;
	int err = 0;

	memset(c, 0, sizeof *c);
	memset(s, 0, sizeof s);
	r.fields = json_object();
	for (int i = 0; i < 2; i++) {
		uint64_t before = d->n.conflicts;

		s[i].o = o;
		s[i].diag = d;
		if (compare_side_read(&s[i], i == 0 ? old_path : new_path) !=
		    RC_OK)
			goto out;
		*(i == 0 ? &c->old_conflicts : &c->new_conflicts) =
		    d->n.conflicts - before;
	}
	c->old_images = s[0].images;
	c->new_images = s[1].images;
	if (o->strict && d->n.rejects > 0) {
		diag_report(d, DIAG_ERROR, NULL, NULL, "--strict: %llu "
		    "rejected, no comparison written",
		    (unsigned long long)d->n.rejects);
		goto out;
	}
	if ((r.out = output_open(o->output, o->gzip, d)) == NULL ||
	    (o->table && (r.table = compare_table_new(d)) == NULL))
		goto out;
	a = compare_next(s[0].tmp, d, &err);
	b = compare_next(s[1].tmp, d, &err);
	while (!err && rc == RC_OK && (a != NULL || b != NULL)) {
		const char *ia = a ? json_string_value(json_object_get(a,
		    "id")) : NULL;
		const char *ib = b ? json_string_value(json_object_get(b,
		    "id")) : NULL;
		int cmp = ia == NULL ? 1 : ib == NULL ? -1 : strcmp(ia, ib);

		if (cmp < 0) {
			c->missing++;
			c->differences++;
			rc = compare_emit(&r, ia, json_object_get(a, "name"),
			    "missing", NULL, NULL, NULL);
			json_decref(a);
			a = compare_next(s[0].tmp, d, &err);
		} else if (cmp > 0) {
			c->added++;
			c->differences++;
			rc = compare_emit(&r, ib, json_object_get(b, "name"),
			    "added", NULL, NULL, NULL);
			json_decref(b);
			b = compare_next(s[1].tmp, d, &err);
		} else {
			uint64_t before = c->differences;

			rc = compare_pair(&r, o, a, b, &c->differences);
			if (c->differences == before)
				c->same++;
			else
				c->different++;
			json_decref(a);
			json_decref(b);
			a = compare_next(s[0].tmp, d, &err);
			b = compare_next(s[1].tmp, d, &err);
		}
	}
	if (err || rc != RC_OK || (r.table != NULL &&
	    compare_table_write(r.table, r.out) != RC_OK))
		goto out;
	rc = output_commit(r.out);
	r.out = NULL;
	if (rc != RC_OK)
		goto out;
	res = c->differences > 0 ? COMPARE_DIFFER : COMPARE_SAME;
out:
	compare_fields(c, r.fields);
	json_decref(r.fields);
	json_decref(a);
	json_decref(b);
	output_abort(r.out);
	compare_table_free(r.table);
	for (int i = 0; i < 2; i++)
		if (s[i].tmp != NULL)
			fclose(s[i].tmp);
	return res;
}
