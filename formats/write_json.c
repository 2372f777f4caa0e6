/*
 * write_json.c: JSON Lines, one canonical record per line (the form of
 * record_json_value, written by record_json_text without building it),
 * UTF-8, gzip-compressed when asked.
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
#include "record_json.h"
#include "writer.h"

/* What makes a line's text (write_json_fmt_new), on any one thread. */
struct write_json_fmt {
	char		*cur_id;	/* whose observations these are */
	struct buf	 said;		/* each observation's object, NUL-ended */
	size_t		*said_at;	/* where each starts in said */
	size_t		 nsaid;
	size_t		 capsaid;
	const char	**texts;	/* write: the same as pointers */
};

struct write_json {
	struct output	*out;
	struct write_json_fmt fmt;	/* this thread's */
	struct buf	 line;
};

static enum rc	write_json_open(struct writer *, const char *);
static enum rc	write_json_write(struct writer *, const struct record *);
static enum rc	write_json_observe(struct writer *, const struct record *,
		    int, int);
static enum rc	write_json_finish(struct writer *);
static void	write_json_free(struct writer *);
static void	write_json_forget(struct write_json_fmt *);
static void	*write_json_fmt_new(struct writer *);
static void	write_json_fmt_clear(struct write_json_fmt *);
static void	write_json_fmt_free(void *);
static void	write_json_fmt_observe(void *, const struct record *, int);
static void	write_json_fmt_write(void *, const struct record *,
		    struct buf *);
static enum rc	write_json_put(struct writer *, const void *, size_t);

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
	.fmt_new = write_json_fmt_new,
	.fmt_free = write_json_fmt_free,
	.fmt_observe = write_json_fmt_observe,
	.fmt_write = write_json_fmt_write,
	.put = write_json_put,
};

static enum rc
write_json_open(struct writer *w, const char *path)
{
	struct write_json *j = xcalloc(1, sizeof *j);

	w->priv = j;
	j->out = output_open(path, w->opts.gzip, w->diag);
	if (j->out == NULL)
		return RC_FATAL;
	output_threads(j->out, w->opts.threads);
	return RC_OK;
}

static void
write_json_forget(struct write_json_fmt *j)
{
	buf_reset(&j->said);
	j->nsaid = 0;
	free(j->cur_id);
	j->cur_id = NULL;
}

static void *
write_json_fmt_new(struct writer *w)
{
	(void)w;
	return xcalloc(1, sizeof(struct write_json_fmt));
}

static void
write_json_fmt_clear(struct write_json_fmt *j)
{
	write_json_forget(j);
	buf_free(&j->said);
	free(j->said_at);
	free(j->texts);
	j->said_at = NULL;
	j->texts = NULL;
	j->capsaid = 0;
}

static void
write_json_fmt_free(void *arg)
{
	if (arg != NULL)
		write_json_fmt_clear(arg);
	free(arg);
}

/* What one observation said (record_json_said_text), kept until its
 * record is written; nothing for a record's only one (its line has no
 * "observation": the record is what it said). */
static void
write_json_fmt_observe(void *arg, const struct record *obs, int alone)
{
	struct write_json_fmt *j = arg;

	if (alone)
		return;
	if (j->cur_id == NULL || strcmp(j->cur_id, obs->f[F_ID]) != 0) {
		/* a new id (the last one was left out by a filter) */
		write_json_forget(j);
		j->cur_id = xstrdup(obs->f[F_ID]);
	}
	if (j->nsaid == j->capsaid) {
		j->capsaid = j->capsaid ? j->capsaid * 2 : 8;
		j->said_at = xreallocarray(j->said_at, j->capsaid,
		    sizeof *j->said_at);
		j->texts = xreallocarray(j->texts, j->capsaid,
		    sizeof *j->texts);
	}
	j->said_at[j->nsaid++] = j->said.len;
	if (record_json_said_text(obs, &j->said) != 0)
		fatal("observation of %s is not representable as JSON",
		    obs->f[F_ID]);
	buf_addc(&j->said, '\0');
}

/* A record's line, LF-ended, appended to out. */
static void
write_json_fmt_write(void *arg, const struct record *rec, struct buf *out)
{
	struct write_json_fmt *j = arg;
	const char *const *said = NULL;

	if (rec->nsrcs > 1) {
		if (j->cur_id == NULL || strcmp(j->cur_id, rec->f[F_ID]) != 0 ||
		    j->nsaid != rec->nsrcs)
			fatal("record %s written without its observations",
			    rec->f[F_ID]);
		for (size_t i = 0; i < j->nsaid; i++)
			j->texts[i] = j->said.data + j->said_at[i];
		said = j->texts;
	}
	if (record_json_text_ex(rec, "observation", said, out) != 0)
		fatal("record %s is not representable as JSON", rec->f[F_ID]);
	buf_addc(out, '\n');
	write_json_forget(j);
}

static enum rc
write_json_put(struct writer *w, const void *p, size_t n)
{
	struct write_json *j = w->priv;

	return output_write(j->out, p, n);
}

static enum rc
write_json_observe(struct writer *w, const struct record *obs, int run,
    int alone)
{
	struct write_json *j = w->priv;

	(void)run;
	write_json_fmt_observe(&j->fmt, obs, alone);
	return RC_OK;
}

static enum rc
write_json_write(struct writer *w, const struct record *rec)
{
	struct write_json *j = w->priv;

	buf_reset(&j->line);
	write_json_fmt_write(&j->fmt, rec, &j->line);
	return write_json_put(w, j->line.data, j->line.len);
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
	write_json_fmt_clear(&j->fmt);
	buf_free(&j->line);
	free(j);
	w->priv = NULL;
}
