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

struct write_tsv {
	struct output	*out;
	int		 header_done;
	struct columns	 cols;		/* -c, else every column */
	struct buf	 line;		/* the line being built */
	struct buf	 props;		/* the properties' JSON */
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
};

/* The writer's state, made by the first option or by open. */
static struct write_tsv *
write_tsv_state(struct writer *w)
{
	if (w->priv == NULL)
		w->priv = xcalloc(1, sizeof(struct write_tsv));
	return w->priv;
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
	buf_reset(&st->line);
	for (size_t i = 0; i < st->cols.n; i++) {
		if (i > 0)
			buf_addc(&st->line, '\t');
		write_tsv_field(&st->line, st->cols.c[i].name);
	}
	buf_addc(&st->line, '\n');
	st->header_done = 1;
	return output_write(st->out, st->line.data, st->line.len);
}

static enum rc
write_tsv_write(struct writer *w, const struct record *rec)
{
	struct write_tsv *st = w->priv;
	char n[U64_TEXT];
	enum rc rc;

	if (!st->header_done && (rc = write_tsv_header(st)) != RC_OK)
		return rc;
	buf_reset(&st->line);
	for (size_t i = 0; i < st->cols.n; i++) {
		const struct column *c = &st->cols.c[i];

		if (i > 0)
			buf_addc(&st->line, '\t');
		switch (c->kind) {
		case COLUMN_FIELD:
		case COLUMN_PROPERTY:
			write_tsv_field(&st->line, columns_value(c, rec));
			break;
		case COLUMN_PROPERTIES:
			buf_reset(&st->props);
			if (record_json_props_text(rec, &st->props) != 0)
				fatal("the properties of %s are not "
				    "representable as JSON", rec->f[F_ID]);
			write_tsv_field(&st->line, buf_cstr(&st->props));
			break;
		case COLUMN_SOURCES:
			buf_addstr(&st->line, u64_text(n, rec->nsrcs));
			break;
		}
	}
	buf_addc(&st->line, '\n');
	return output_write(st->out, st->line.data, st->line.len);
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
	buf_free(&st->props);
	columns_free(&st->cols);
	free(st);
	w->priv = NULL;
}
