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
static enum rc	compare_line(struct output *, json_t *);
static json_t	*compare_change(const char *, const char *, const char *);
static enum rc	compare_pair(struct output *, const struct compare_opts *,
		    json_t *, json_t *, uint64_t *);
static enum rc	compare_props(struct output *, const char *, json_t *,
		    json_t *, uint64_t *);
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

/* One report line; takes j. */
static enum rc
compare_line(struct output *out, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	enum rc rc;

	json_decref(j);
	if (text == NULL)
		fatal("compare: a report line is not representable as JSON");
	rc = output_write(out, text, strlen(text));
	free(text);
	return rc == RC_OK ? output_write(out, "\n", 1) : rc;
}

static json_t *
compare_change(const char *id, const char *change, const char *field)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(id));
	json_object_set_new(j, "change", json_string(change));
	if (field != NULL)
		json_object_set_new(j, "field", json_string(field));
	return j;
}

static int
compare_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Property by property, in key order. */
static enum rc
compare_props(struct output *out, const char *id, json_t *po, json_t *pn,
    uint64_t *n)
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
		json_t *ov, *nv, *j;
		char *field;

		if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
			continue;
		ov = json_object_get(po, keys[i]);
		nv = json_object_get(pn, keys[i]);
		if (ov != NULL && nv != NULL && json_equal(ov, nv))
			continue;
		field = xasprintf("properties.%s", keys[i]);
		j = compare_change(id, ov == NULL ? "added" : nv == NULL ?
		    "missing" : "different", field);
		free(field);
		if (ov != NULL)
			json_object_set(j, "old", ov);
		if (nv != NULL)
			json_object_set(j, "new", nv);
		(*n)++;
		rc = compare_line(out, j);
	}
	free(keys);
	return rc;
}

/* One image in both: field by field, then its properties. */
static enum rc
compare_pair(struct output *out, const struct compare_opts *o, json_t *a,
    json_t *b, uint64_t *n)
{
	const char *id = json_string_value(json_object_get(a, "id"));
	size_t nf = o->all_fields ? F__COUNT : COMPARE_NSETTABLE;
	enum rc rc = RC_OK;

	for (size_t i = 0; i < nf && rc == RC_OK; i++) {
		enum field f = o->all_fields ? (enum field)i :
		    compare_settable[i];
		const char *name = field_info[f].name;
		json_t *ov = json_object_get(a, name);
		json_t *nv = json_object_get(b, name), *j;

		if (f == F_ID || json_equal(ov, nv))
			continue;
		j = compare_change(id, "different", name);
		json_object_set(j, "old", ov);
		json_object_set(j, "new", nv);
		(*n)++;
		rc = compare_line(out, j);
	}
	if (rc == RC_OK)
		rc = compare_props(out, id, json_object_get(a, "properties"),
		    json_object_get(b, "properties"), n);
	return rc;
}

enum compare_result
compare_run(const struct compare_opts *o, const char *old_path,
    const char *new_path, struct diag *d, struct compare_counts *c)
{
	struct compare_side s[2];
	struct output *out = NULL;
	json_t *a = NULL, *b = NULL;
	enum compare_result res = COMPARE_ERROR;
	enum rc rc = RC_OK;
	int err = 0;

	memset(c, 0, sizeof *c);
	memset(s, 0, sizeof s);
	for (int i = 0; i < 2; i++) {
		s[i].o = o;
		s[i].diag = d;
		if (compare_side_read(&s[i], i == 0 ? old_path : new_path) !=
		    RC_OK)
			goto out;
	}
	c->old_images = s[0].images;
	c->new_images = s[1].images;
	if (o->strict && d->n.rejects > 0) {
		diag_report(d, DIAG_ERROR, NULL, NULL, "--strict: %llu "
		    "rejected, no comparison written",
		    (unsigned long long)d->n.rejects);
		goto out;
	}
	if ((out = output_open(o->output, o->gzip, d)) == NULL)
		goto out;
	a = compare_next(s[0].tmp, d, &err);
	b = compare_next(s[1].tmp, d, &err);
	while (!err && rc == RC_OK && (a != NULL || b != NULL)) {
		const char *ia = a ? json_string_value(json_object_get(a,
		    "id")) : NULL;
		const char *ib = b ? json_string_value(json_object_get(b,
		    "id")) : NULL;
		int cmp = ia == NULL ? 1 : ib == NULL ? -1 : strcmp(ia, ib);
		json_t *j;

		if (cmp < 0) {
			j = compare_change(ia, "missing", NULL);
			json_object_set(j, "name", json_object_get(a, "name"));
			c->missing++;
			c->differences++;
			rc = compare_line(out, j);
			json_decref(a);
			a = compare_next(s[0].tmp, d, &err);
		} else if (cmp > 0) {
			j = compare_change(ib, "added", NULL);
			json_object_set(j, "name", json_object_get(b, "name"));
			c->added++;
			c->differences++;
			rc = compare_line(out, j);
			json_decref(b);
			b = compare_next(s[1].tmp, d, &err);
		} else {
			uint64_t before = c->differences;

			rc = compare_pair(out, o, a, b, &c->differences);
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
	if (err || rc != RC_OK)
		goto out;
	if (output_commit(out) != RC_OK) {
		out = NULL;
		goto out;
	}
	out = NULL;
	res = c->differences > 0 ? COMPARE_DIFFER : COMPARE_SAME;
out:
	json_decref(a);
	json_decref(b);
	output_abort(out);
	for (int i = 0; i < 2; i++)
		if (s[i].tmp != NULL)
			fclose(s[i].tmp);
	return res;
}
