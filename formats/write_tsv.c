/*
 * write_tsv.c: tab-separated values, one line per record, in the "linear
 * TSV" convention (PostgreSQL COPY's text format, the IANA
 * text/tab-separated-values note): every line is one record and every
 * tab separates two fields, so that cut, awk, sort and join read it.
 *
 * A header row, then one line per record in the order the engine gives
 * (by id); every line, the header too, ends in LF. Columns, as CSV's:
 * the canonical fields in field_info order, then "properties" (the
 * properties as a compact JSON object, keys sorted; {} when none) and
 * "sources" (the number of observations); with -c/--columns, those it
 * names in its order (columns.h), property.KEY among them.
 *
 * A null is an empty field; so is an empty string (TSV has no quotes to
 * tell them apart). Booleans are true/false, integers and timestamps
 * their canonical text. Inside a value, tab, line feed, carriage return
 * and backslash are written \t, \n, \r and \\; every other byte,
 * non-ASCII UTF-8 included, is written as it is. Reading a field back
 * is the reverse: \t, \n, \r, \\ to the byte they stand for.
 *
 * gzip-compressed when the path ends in .gz or with -z (output.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "output.h"
#include "record_json.h"
#include "writer.h"

/* What makes a line's text (write_tsv_fmt_new): the columns, read only,
 * and a buffer of its own. */
struct write_tsv_fmt {
	const struct columns *cols;
	struct buf	 props;		/* the properties' JSON */
};

struct write_tsv {
	struct output	*out;
	int		 header_done;
	struct columns	 cols;		/* -c, else every column */
	struct buf	 line;		/* the line being built */
	struct write_tsv_fmt fmt;	/* this thread's */
};

static struct write_tsv *write_tsv_state(struct writer *);
static enum rc	write_tsv_option(struct writer *, const char *, const char *,
		    const char **);
static enum rc	write_tsv_open(struct writer *, const char *);
static enum rc	write_tsv_write(struct writer *, const struct record *);
static enum rc	write_tsv_finish(struct writer *);
static void	write_tsv_free(struct writer *);
static void	write_tsv_field(struct buf *, const char *);
static enum rc	write_tsv_header(struct write_tsv *);
static void	*write_tsv_fmt_new(struct writer *);
static void	write_tsv_fmt_free(void *);
static void	write_tsv_fmt_write(void *, const struct record *,
		    struct buf *);
static enum rc	write_tsv_put(struct writer *, const void *, size_t);

static const char *const write_tsv_suffixes[] = { ".tsv", ".tsv.gz", NULL };

static const struct writer_option write_tsv_options[] = {
	{ "columns", "LIST", "only these columns, in this order: fields, "
	    "properties, sources, property.KEY (a,b,...)", 0, 'c' },
	{ NULL, NULL, NULL, 0, 0 }
};

const struct writer_ops write_tsv_ops = {
	.name = "tsv",
	.suffixes = write_tsv_suffixes,
	.to_stdout = 1,
	.options = write_tsv_options,
	.option = write_tsv_option,
	.open = write_tsv_open,
	.write = write_tsv_write,
	.finish = write_tsv_finish,
	.free = write_tsv_free,
	.fmt_new = write_tsv_fmt_new,
	.fmt_free = write_tsv_fmt_free,
	.fmt_write = write_tsv_fmt_write,
	.put = write_tsv_put,
};

/* The writer's state, made by the first option or by open. */
static struct write_tsv *
write_tsv_state(struct writer *w)
{
	struct write_tsv *st = w->priv;

	if (st == NULL) {
		w->priv = st = xcalloc(1, sizeof *st);
		st->fmt.cols = &st->cols;
	}
	return st;
}

static enum rc
write_tsv_option(struct writer *w, const char *name, const char *value,
    const char **why)
{
	struct write_tsv *st = write_tsv_state(w);

	if (strcmp(name, "columns") != 0 || value == NULL) {
		*why = "is not an option of tsv";
		return RC_FATAL;
	}
	if (columns_add(&st->cols, value) != 0) {
		*why = st->cols.why;
		return RC_FATAL;
	}
	return RC_OK;
}

static enum rc
write_tsv_open(struct writer *w, const char *path)
{
	struct write_tsv *st = write_tsv_state(w);

	if (st->cols.n == 0)
		columns_default(&st->cols);
	/* Nothing is written before the first line: --strict may stop the
	 * run first, and standard output must then stay empty. */
	st->out = output_open(path, w->opts.gzip, w->diag);
	if (st->out == NULL)
		return RC_FATAL;
	output_threads(st->out, w->opts.threads);
	return RC_OK;
}

/* Appends v escaped (nothing for a null), without a separator. */
static void
write_tsv_field(struct buf *b, const char *v)
{
	const char *run, *esc;

	if (v == NULL)
		return;
	for (run = v; *v != '\0'; v++) {
		switch (*v) {
		case '\t':
			esc = "\\t";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\\':
			esc = "\\\\";
			break;
		default:
			continue;
		}
		buf_add(b, run, (size_t)(v - run));
		buf_add(b, esc, 2);
		run = v + 1;
	}
	buf_add(b, run, (size_t)(v - run));
}

/* The header line, written once, before the first record's. */
static enum rc
write_tsv_header(struct write_tsv *st)
{
	struct buf h = BUF_INIT;
	enum rc rc;

	for (size_t i = 0; i < st->cols.n; i++) {
		if (i > 0)
			buf_addc(&h, '\t');
		write_tsv_field(&h, st->cols.c[i].name);
	}
	buf_addc(&h, '\n');
	st->header_done = 1;
	rc = output_write(st->out, h.data, h.len);
	buf_free(&h);
	return rc;
}

static void *
write_tsv_fmt_new(struct writer *w)
{
	struct write_tsv *st = w->priv;
	struct write_tsv_fmt *f = xcalloc(1, sizeof *f);

	f->cols = &st->cols;
	return f;
}

static void
write_tsv_fmt_free(void *arg)
{
	struct write_tsv_fmt *f = arg;

	if (f != NULL)
		buf_free(&f->props);
	free(f);
}

/* A record's line, LF-ended, appended to out. */
static void
write_tsv_fmt_write(void *arg, const struct record *rec, struct buf *out)
{
	struct write_tsv_fmt *f = arg;
	char n[U64_TEXT];

	for (size_t i = 0; i < f->cols->n; i++) {
		const struct column *c = &f->cols->c[i];

		if (i > 0)
			buf_addc(out, '\t');
		switch (c->kind) {
		case COLUMN_FIELD:
		case COLUMN_PROPERTY:
			write_tsv_field(out, columns_value(c, rec));
			break;
		case COLUMN_PROPERTIES:
			buf_reset(&f->props);
			if (record_json_props_text(rec, &f->props) != 0)
				fatal("the properties of %s are not "
				    "representable as JSON", rec->f[F_ID]);
			write_tsv_field(out, buf_cstr(&f->props));
			break;
		case COLUMN_SOURCES:
			buf_addstr(out, u64_text(n, rec->nsrcs));
			break;
		}
	}
	buf_addc(out, '\n');
}

/* Lines made by write_tsv_fmt_write, after the header before the
 * first. */
static enum rc
write_tsv_put(struct writer *w, const void *p, size_t n)
{
	struct write_tsv *st = w->priv;
	enum rc rc;

	if (!st->header_done && (rc = write_tsv_header(st)) != RC_OK)
		return rc;
	return output_write(st->out, p, n);
}

static enum rc
write_tsv_write(struct writer *w, const struct record *rec)
{
	struct write_tsv *st = w->priv;

	buf_reset(&st->line);
	write_tsv_fmt_write(&st->fmt, rec, &st->line);
	return write_tsv_put(w, st->line.data, st->line.len);
}

static enum rc
write_tsv_finish(struct writer *w)
{
	struct write_tsv *st = w->priv;
	struct output *o;
	enum rc rc;

	if (!st->header_done && (rc = write_tsv_header(st)) != RC_OK)
		return rc;
	o = st->out;
	st->out = NULL;
	return output_commit(o);
}

static void
write_tsv_free(struct writer *w)
{
	struct write_tsv *st = w->priv;

	if (st == NULL)
		return;
	output_abort(st->out);
	buf_free(&st->line);
	buf_free(&st->fmt.props);
	columns_free(&st->cols);
	free(st);
	w->priv = NULL;
}
