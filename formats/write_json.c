/*
 * write_json.c: JSON Lines, one canonical record per line (the form of
 * record_to_json), UTF-8, gzip-compressed when asked.
 *
 * A record of more than one source carries, in each source entry, what
 * that observation said: "observation", an object of its non-null
 * fields but id (typed as in the record) and, when it has any, its
 * "properties" (null values kept). A later run reads the line back as
 * those observations and folds them again exactly (read_imgmeta_json.c);
 * a record of one source is its own observation and carries no such key.
 * The observations of the record being written are collected by the
 * observe hook, in fold order, which is the order of the sources.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "writer.h"

struct write_json {
	struct output	*out;
	char		*cur_id;	/* whose observations these are */
	json_t		*said;		/* array: each observation's object */
};

static enum rc	write_json_open(struct writer *, const char *);
static enum rc	write_json_write(struct writer *, const struct record *);
static enum rc	write_json_observe(struct writer *, const struct record *,
		    int);
static enum rc	write_json_finish(struct writer *);
static void	write_json_free(struct writer *);
static int	write_json_dump(const char *, size_t, void *);
static json_t	*write_json_said(const struct record *);
static void	write_json_forget(struct write_json *);

static const char *const write_json_suffixes[] = {
	".jsonl", ".jsonl.gz", ".json.gz", ".ndjson", ".ndjson.gz", NULL
};

const struct writer_ops write_json_ops = {
	.name = "json",
	.suffixes = write_json_suffixes,
	.to_stdout = 1,
	.open = write_json_open,
	.write = write_json_write,
	.finish = write_json_finish,
	.free = write_json_free,
	.observe = write_json_observe,
};

static enum rc
write_json_open(struct writer *w, const char *path)
{
	struct write_json *j = xcalloc(1, sizeof *j);

	w->priv = j;
	j->said = json_array();
	j->out = output_open(path, w->opts.gzip, w->diag);
	return j->out == NULL ? RC_FATAL : RC_OK;
}

/* jansson's dump callback: straight into the output. */
static int
write_json_dump(const char *p, size_t n, void *arg)
{
	return output_write(arg, p, n) == RC_OK ? 0 : -1;
}

/* What one observation said: record_to_json's form without id, sources,
 * null fields and, when it has none, properties. */
static json_t *
write_json_said(const struct record *obs)
{
	json_t *j = record_to_json(obs), *v;
	const char *key;
	void *tmp;

	if (j == NULL)
		fatal("observation of %s is not representable as JSON",
		    obs->f[F_ID]);
	json_object_del(j, "id");
	json_object_del(j, "sources");
	json_object_foreach_safe(j, tmp, key, v)
		if (json_is_null(v) || (strcmp(key, "properties") == 0 &&
		    json_object_size(v) == 0))
			json_object_del(j, key);
	return j;
}

static void
write_json_forget(struct write_json *j)
{
	json_array_clear(j->said);
	free(j->cur_id);
	j->cur_id = NULL;
}

static enum rc
write_json_observe(struct writer *w, const struct record *obs, int run)
{
	struct write_json *j = w->priv;

	(void)run;
	if (j->cur_id == NULL || strcmp(j->cur_id, obs->f[F_ID]) != 0) {
		/* a new id (the last one was left out by a filter) */
		write_json_forget(j);
		j->cur_id = xstrdup(obs->f[F_ID]);
	}
	json_array_append_new(j->said, write_json_said(obs));
	return RC_OK;
}

static enum rc
write_json_write(struct writer *w, const struct record *rec)
{
	struct write_json *j = w->priv;
	json_t *o = record_to_json(rec), *srcs;
	int r;

	if (o == NULL)
		fatal("record %s is not representable as JSON", rec->f[F_ID]);
	if (rec->nsrcs > 1) {
		if (j->cur_id == NULL || strcmp(j->cur_id, rec->f[F_ID]) != 0 ||
		    json_array_size(j->said) != rec->nsrcs)
			fatal("record %s written without its observations",
			    rec->f[F_ID]);
		srcs = json_object_get(o, "sources");
		for (size_t i = 0; i < rec->nsrcs; i++)
			json_object_set(json_array_get(srcs, i),
			    "observation", json_array_get(j->said, i));
	}
	write_json_forget(j);
	r = json_dump_callback(o, write_json_dump, j->out, JSON_COMPACT);
	json_decref(o);
	if (r != 0)
		return RC_FATAL;
	return output_write(j->out, "\n", 1);
}

static enum rc
write_json_finish(struct writer *w)
{
	struct write_json *j = w->priv;
	struct output *o = j->out;

	j->out = NULL;
	return output_commit(o);
}

static void
write_json_free(struct writer *w)
{
	struct write_json *j = w->priv;

	if (j == NULL)
		return;
	output_abort(j->out);
	write_json_forget(j);
	json_decref(j->said);
	free(j);
	w->priv = NULL;
}
