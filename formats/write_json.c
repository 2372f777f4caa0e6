/*
 * write_json.c: JSON Lines, one canonical record per line (the form of
 * record_to_json), UTF-8, gzip-compressed when asked.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "writer.h"

static enum rc	write_json_open(struct writer *, const char *);
static enum rc	write_json_write(struct writer *, const struct record *);
static enum rc	write_json_finish(struct writer *);
static void	write_json_free(struct writer *);
static int	write_json_dump(const char *, size_t, void *);

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
};

static enum rc
write_json_open(struct writer *w, const char *path)
{
	w->priv = output_open(path, w->opts.gzip, w->diag);
	return w->priv == NULL ? RC_FATAL : RC_OK;
}

/* jansson's dump callback: straight into the output. */
static int
write_json_dump(const char *p, size_t n, void *arg)
{
	return output_write(arg, p, n) == RC_OK ? 0 : -1;
}

static enum rc
write_json_write(struct writer *w, const struct record *rec)
{
	json_t *j = record_to_json(rec);
	int r;

	if (j == NULL)
		fatal("record %s is not representable as JSON", rec->f[F_ID]);
	r = json_dump_callback(j, write_json_dump, w->priv, JSON_COMPACT);
	json_decref(j);
	if (r != 0)
		return RC_FATAL;
	return output_write(w->priv, "\n", 1);
}

static enum rc
write_json_finish(struct writer *w)
{
	struct output *o = w->priv;

	w->priv = NULL;
	return output_commit(o);
}

static void
write_json_free(struct writer *w)
{
	output_abort(w->priv);
	w->priv = NULL;
}
