/*
 * write_csv.c: RFC 4180 CSV, one row per record, quoted by libcsv.
 *
 * A header row, then one row per record in the order the engine gives
 * (by id); every row, the header too, ends in CRLF. Columns: the canonical
 * fields in field_info order, then "properties" (the properties as a
 * compact JSON object, keys sorted; {} when none) and "sources" (the number
 * of observations); with -c/--columns, those it names in its order
 * (columns.h), property.KEY (one property's value) among them.
 *
 * A value is written as libcsv's csv_write quotes it: between double
 * quotes, a double quote doubled. A null is an empty field with no quotes
 * at all, so that it differs from an empty string (""); parsers that do
 * not care read both as empty. Booleans are true/false, integers and
 * timestamps their canonical text. A value whose first character would
 * make a spreadsheet run it as a formula (=, +, -, @, tab, CR, LF) gets a
 * leading ' unless opts.csv_raw; so does a value already starting with ',
 * so that the guard can be undone without doubt: strip exactly one
 * leading ' from every cell that starts with one.
 *
 * With opts.csv_spreadsheet (--csv-spreadsheet), for a spreadsheet opened
 * by double-click: the file starts with a UTF-8 byte order mark, which
 * LibreOffice and Excel take as the character set, and a value a
 * spreadsheet would read as a number, date or time and show otherwise
 * gets the same leading ' (write_csv_numeric says which). LibreOffice's
 * default CSV import shows a cell's text as it is, a leading ' too; it
 * does not evaluate formulas, so a ="..." form would show as typed, and a
 * leading tab or invisible character would change the value unseen. The
 * ' stays one rule: strip one leading ' to undo either guard.
 *
 * With --properties=columns the properties column (wherever -c puts it)
 * is replaced by one "property.KEY" column per key seen in the whole
 * output, sorted bytewise; a record without the key, or whose value for
 * it is null, has an empty field there. The header needs every key before
 * the first row, so rows are spooled to an unlinked temporary file (in
 * $TMPDIR, else /tmp) while the set of keys is collected; finish writes
 * the header and the rows. Memory holds one row and the set of distinct
 * keys, never every record.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "columns.h"
#include "output.h"
#include "record_json.h"
#include "writer.h"

/* What makes a row's text (write_csv_fmt_new): the writer's settings,
 * read only, and buffers of its own. */
struct write_csv_fmt {
	const struct write_csv *st;
	struct buf	 tmp;		/* a value with its guard */
	struct buf	 props;		/* the properties' JSON */
	char		*cell;		/* csv_write's output */
	size_t		 cellcap;
};

struct write_csv {
	struct output	*out;
	int		 raw;		/* --csv-raw: no formula guard */
	int		 sheet;		/* --csv-spreadsheet */
	int		 columns;	/* --properties=columns */
	struct columns	 cols;		/* -c, else every column */
	size_t		 nexpand;	/* properties columns in cols, when
					   --properties=columns: spooled */
	int		 header_done;
	struct buf	 row;		/* the row being built */
	struct write_csv_fmt fmt;	/* this thread's */
	/* --properties=columns */
	FILE		*spool;
	struct strset	 keys;		/* the property keys seen */
	struct buf	 rd;		/* spool reading buffer */
	/* one spooled record, unspooling: its segments, then each
	 * property's key and value, all in rd */
	struct write_csv_piece {
		size_t	 off;
		size_t	 len;
		size_t	 cells;		/* a segment's */
	}		*piece;
	size_t		 npiece;
};

static struct write_csv *write_csv_state(struct writer *);
static enum rc	write_csv_option(struct writer *, const char *, const char *,
		    const char **);
static enum rc	write_csv_open(struct writer *, const char *);
static enum rc	write_csv_write(struct writer *, const struct record *);
static enum rc	write_csv_finish(struct writer *);
static void	write_csv_free(struct writer *);
static int	write_csv_numeric(const char *);
static void	write_csv_cell(struct write_csv_fmt *, struct buf *,
		    const char *, int);
static void	write_csv_col(struct write_csv_fmt *, struct buf *,
		    const struct column *, const struct record *);
static void	write_csv_header(struct write_csv *, struct buf *, char **,
		    size_t);
static const char *write_csv_props_json(struct write_csv_fmt *,
		    const struct record *);
static void	*write_csv_fmt_new(struct writer *);
static void	write_csv_fmt_clear(struct write_csv_fmt *);
static void	write_csv_fmt_free(void *);
static void	write_csv_fmt_write(void *, const struct record *,
		    struct buf *);
static enum rc	write_csv_put(struct writer *, const void *, size_t);
static enum rc	write_csv_spool_open(struct writer *);
static enum rc	write_csv_spool_put(struct writer *, const void *, size_t);
static enum rc	write_csv_spool_putsize(struct writer *, size_t);
static enum rc	write_csv_spool_get(struct writer *, void *, size_t);
static enum rc	write_csv_spool_getsize(struct writer *, size_t *);
static enum rc	write_csv_spool_getbuf(struct writer *, struct buf *, size_t);
static enum rc	write_csv_spool_fail(struct writer *, const char *);
static enum rc	write_csv_spool_row(struct writer *, const struct record *);
static enum rc	write_csv_unspool(struct writer *);
static enum rc	write_csv_unspool_row(struct writer *);
static enum rc	write_csv_unspool_piece(struct writer *, size_t, size_t);
static int	write_csv_key_cmp(const void *, const void *);

static const char *const write_csv_suffixes[] = { ".csv", NULL };

static const struct writer_option write_csv_options[] = {
	{ "csv-raw", NULL, "no ' before cells a spreadsheet would run", 0,
	    0 },
	{ "csv-spreadsheet", NULL, "a byte order mark, and a ' before numbers "
	    "and dates a spreadsheet would change", 0, 0 },
	{ "properties", "columns|json", "one property.KEY column per key, or "
	    "one JSON object column (the default)", 0, 0 },
	{ "columns", "LIST", "only these columns, in this order: fields, "
	    "properties, sources, property.KEY (a,b,...)", 0, 'c' },
	{ NULL, NULL, NULL, 0, 0 }
};

const struct writer_ops write_csv_ops = {
	.name = "csv",
	.suffixes = write_csv_suffixes,
	.to_stdout = 1,
	.options = write_csv_options,
	.option = write_csv_option,
	.open = write_csv_open,
	.write = write_csv_write,
	.finish = write_csv_finish,
	.free = write_csv_free,
	.fmt_new = write_csv_fmt_new,
	.fmt_free = write_csv_fmt_free,
	.fmt_write = write_csv_fmt_write,
	.put = write_csv_put,
};

/* The writer's state, made by the first option or by open. */
static struct write_csv *
write_csv_state(struct writer *w)
{
	struct write_csv *st = w->priv;

	if (st == NULL) {
		w->priv = st = xcalloc(1, sizeof *st);
		st->fmt.st = st;
	}
	return st;
}

static enum rc
write_csv_option(struct writer *w, const char *name, const char *value,
    const char **why)
{
	struct write_csv *st = write_csv_state(w);

	if (strcmp(name, "csv-raw") == 0)
		st->raw = 1;
	else if (strcmp(name, "csv-spreadsheet") == 0)
		st->sheet = 1;
	else if (strcmp(name, "properties") == 0 &&
	    strcmp(value, "columns") == 0)
		st->columns = 1;
	else if (strcmp(name, "properties") == 0 &&
	    strcmp(value, "json") == 0)
		st->columns = 0;
	else if (strcmp(name, "columns") == 0) {
		if (columns_add(&st->cols, value) != 0) {
			*why = st->cols.why;
			return RC_FATAL;
		}
	} else {
		*why = "takes json or columns";
		return RC_FATAL;
	}
	return RC_OK;
}

static enum rc
write_csv_open(struct writer *w, const char *path)
{
	struct write_csv *st = write_csv_state(w);

	if (st->cols.n == 0)
		columns_default(&st->cols);
	for (size_t i = 0; st->columns && i < st->cols.n; i++)
		st->nexpand += st->cols.c[i].kind == COLUMN_PROPERTIES;
	/* Nothing is written before the first row: --strict may stop the
	 * run first, and standard output must then stay empty. */
	if ((st->nexpand > 0 && write_csv_spool_open(w) != RC_OK) ||
	    (st->out = output_open(path, w->opts.gzip, w->diag)) == NULL) {
		/* the engine may not call free after a failed open */
		write_csv_free(w);
		return RC_FATAL;
	}
	output_threads(st->out, w->opts.threads);
	return RC_OK;
}

/*
 * Whether a spreadsheet would take v for a number, date or time and show
 * it otherwise: v has a digit, and only digits, spaces and the characters
 * of numbers, dates and times in any locale (. , + - / : % $ ( ) e E),
 * except a plain integer of 1 to 15 digits without a leading zero, which a
 * spreadsheet shows as it is (a double holds it exactly) and may add up.
 * So leading zeros, numbers over 15 digits (2^53 has 16), all-digit
 * checksums, 1e5, 1.5, 2024-01-02, 12:30 and 50% are guarded; timestamps
 * with T and Z are not (LibreOffice keeps them as text).
 */
static int
write_csv_numeric(const char *v)
{
	size_t n = strlen(v), digits = strspn(v, "0123456789");

	if (digits == n && n >= 1 && n <= 15 && (n == 1 || v[0] != '0'))
		return 0;
	return strpbrk(v, "0123456789") != NULL &&
	    strspn(v, "0123456789 .,+-/:%$()eE") == n;
}

/*
 * Appends one field to row: nothing for a null, else the value as
 * csv_write quotes it, with the guards when guard is set.
 */
static void
write_csv_cell(struct write_csv_fmt *f, struct buf *row, const char *v,
    int guard)
{
	const struct write_csv *st = f->st;
	const char *p = v;
	size_t n, need;

	if (v == NULL)
		return;
	n = strlen(v);
	if (guard && !st->raw && v[0] != '\0' &&
	    (strchr("=+-@\t\r\n'", v[0]) != NULL ||
	    (st->sheet && write_csv_numeric(v)))) {
		buf_reset(&f->tmp);
		buf_addc(&f->tmp, '\'');
		buf_add(&f->tmp, v, n);
		p = f->tmp.data;
		n = f->tmp.len;
	}
	/* csv_write quotes every cell and doubles the quotes inside: a
	 * cell without one is the value between quotes */
	if (memchr(p, '"', n) == NULL) {
		buf_addc(row, '"');
		buf_add(row, p, n);
		buf_addc(row, '"');
		return;
	}
	/* at most every byte doubled, and the two quotes: written once */
	if (n > (SIZE_MAX - 2) / 2)
		fatal("out of memory (a cell of %zu bytes)", n);
	if (2 * n + 2 > f->cellcap) {
		f->cellcap = 2 * n + 2;
		f->cell = xrealloc(f->cell, f->cellcap);
	}
	if ((need = csv_write(f->cell, f->cellcap, p, n)) > f->cellcap)
		fatal("csv_write gave an unexpected length");
	buf_add(row, f->cell, need);
}

/* One column's field of rec (not an expanded properties column). */
static void
write_csv_col(struct write_csv_fmt *f, struct buf *row,
    const struct column *c, const struct record *rec)
{
	char n[U64_TEXT];

	switch (c->kind) {
	case COLUMN_FIELD:
	case COLUMN_PROPERTY:
		write_csv_cell(f, row, columns_value(c, rec), 1);
		break;
	case COLUMN_PROPERTIES:
		write_csv_cell(f, row, write_csv_props_json(f, rec), 1);
		break;
	case COLUMN_SOURCES:
		write_csv_cell(f, row, u64_text(n, rec->nsrcs), 1);
		break;
	}
}

/* The header row into row (emptied first): keys are what an expanded
 * properties column stands for. */
static void
write_csv_header(struct write_csv *st, struct buf *row, char **keys,
    size_t nkeys)
{
	size_t ncells = 0;
	char *name;

	buf_reset(row);
	if (st->sheet)
		buf_add(row, "\xef\xbb\xbf", 3);	/* the BOM */
	for (size_t i = 0; i < st->cols.n; i++) {
		const struct column *c = &st->cols.c[i];

		if (st->nexpand > 0 && c->kind == COLUMN_PROPERTIES) {
			for (size_t k = 0; k < nkeys; k++) {
				if (ncells++ > 0)
					buf_addc(row, ',');
				name = xasprintf("property.%s", keys[k]);
				write_csv_cell(&st->fmt, row, name, 0);
				free(name);
			}
			continue;
		}
		if (ncells++ > 0)
			buf_addc(row, ',');
		write_csv_cell(&st->fmt, row, c->name, 0);
	}
	buf_add(row, "\r\n", 2);
	st->header_done = 1;
}

/* The properties as compact JSON, keys sorted, into f->props. */
static const char *
write_csv_props_json(struct write_csv_fmt *f, const struct record *rec)
{
	buf_reset(&f->props);
	if (record_json_props_text(rec, &f->props) != 0)
		fatal("the properties of %s are not representable as JSON",
		    rec->f[F_ID]);
	return buf_cstr(&f->props);
}

/* A formatter for the fold's threads; none when rows are spooled. */
static void *
write_csv_fmt_new(struct writer *w)
{
	struct write_csv *st = w->priv;
	struct write_csv_fmt *f;

	if (st->nexpand > 0)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->st = st;
	return f;
}

static void
write_csv_fmt_clear(struct write_csv_fmt *f)
{
	buf_free(&f->tmp);
	buf_free(&f->props);
	free(f->cell);
	f->cell = NULL;
	f->cellcap = 0;
}

static void
write_csv_fmt_free(void *arg)
{
	if (arg != NULL)
		write_csv_fmt_clear(arg);
	free(arg);
}

/* A record's row, CRLF-ended, appended to out. */
static void
write_csv_fmt_write(void *arg, const struct record *rec, struct buf *out)
{
	struct write_csv_fmt *f = arg;
	const struct columns *cols = &f->st->cols;

	for (size_t i = 0; i < cols->n; i++) {
		if (i > 0)
			buf_addc(out, ',');
		write_csv_col(f, out, &cols->c[i], rec);
	}
	buf_add(out, "\r\n", 2);
}

/* Rows made by write_csv_fmt_write, after the header before the first. */
static enum rc
write_csv_put(struct writer *w, const void *p, size_t n)
{
	struct write_csv *st = w->priv;

	if (!st->header_done) {
		struct buf h = BUF_INIT;
		enum rc rc;

		write_csv_header(st, &h, NULL, 0);
		rc = output_write(st->out, h.data, h.len);
		buf_free(&h);
		if (rc != RC_OK)
			return rc;
	}
	return output_write(st->out, p, n);
}

static enum rc
write_csv_write(struct writer *w, const struct record *rec)
{
	struct write_csv *st = w->priv;

	if (st->nexpand > 0)
		return write_csv_spool_row(w, rec);
	buf_reset(&st->row);
	write_csv_fmt_write(&st->fmt, rec, &st->row);
	return write_csv_put(w, st->row.data, st->row.len);
}

static enum rc
write_csv_finish(struct writer *w)
{
	struct write_csv *st = w->priv;
	struct output *o;
	enum rc rc;

	if (st->nexpand > 0) {
		if ((rc = write_csv_unspool(w)) != RC_OK)
			return rc;
	} else if (!st->header_done &&
	    (rc = write_csv_put(w, NULL, 0)) != RC_OK)
		return rc;
	o = st->out;
	st->out = NULL;
	return output_commit(o);
}

static void
write_csv_free(struct writer *w)
{
	struct write_csv *st = w->priv;

	if (st == NULL)
		return;
	output_abort(st->out);
	if (st->spool != NULL)
		fclose(st->spool);
	strset_free(&st->keys);
	buf_free(&st->row);
	write_csv_fmt_clear(&st->fmt);
	buf_free(&st->rd);
	free(st->piece);
	columns_free(&st->cols);
	free(st);
	w->priv = NULL;
}

/*
 * The spool (--properties=columns). Per record: the row's cells between
 * the expanded properties columns, nexpand + 1 segments, each as its
 * number of cells and its text (the cells rendered, joined by commas);
 * then the number of properties and for each its key and its rendered
 * field (empty for null). Sizes are written as size_t: the file never
 * leaves this process.
 */
static enum rc
write_csv_spool_open(struct writer *w)
{
	struct write_csv *st = w->priv;

	st->spool = output_scratch("--properties=columns", w->diag);
	return st->spool != NULL ? RC_OK : RC_FATAL;
}

static enum rc
write_csv_spool_fail(struct writer *w, const char *what)
{
	struct write_csv *st = w->priv;

	diag_report(w->diag, DIAG_ERROR, NULL, NULL,
	    "cannot %s the temporary file for --properties=columns: %s",
	    what, st->spool != NULL && feof(st->spool) ? "truncated" :
	    strerror(errno));
	return RC_FATAL;
}

static enum rc
write_csv_spool_put(struct writer *w, const void *p, size_t n)
{
	struct write_csv *st = w->priv;

	if (n > 0 && fwrite(p, 1, n, st->spool) != n)
		return write_csv_spool_fail(w, "write");
	return RC_OK;
}

static enum rc
write_csv_spool_putsize(struct writer *w, size_t n)
{
	return write_csv_spool_put(w, &n, sizeof n);
}

static enum rc
write_csv_spool_get(struct writer *w, void *p, size_t n)
{
	struct write_csv *st = w->priv;

	if (n > 0 && fread(p, 1, n, st->spool) != n)
		return write_csv_spool_fail(w, "read");
	return RC_OK;
}

static enum rc
write_csv_spool_getsize(struct writer *w, size_t *n)
{
	return write_csv_spool_get(w, n, sizeof *n);
}

/* Appends n bytes of the spool to b. */
static enum rc
write_csv_spool_getbuf(struct writer *w, struct buf *b, size_t n)
{
	char chunk[4096];
	size_t m;

	while (n > 0) {
		m = n < sizeof chunk ? n : sizeof chunk;
		if (write_csv_spool_get(w, chunk, m) != RC_OK)
			return RC_FATAL;
		buf_add(b, chunk, m);
		n -= m;
	}
	return RC_OK;
}

static enum rc
write_csv_spool_row(struct writer *w, const struct record *rec)
{
	struct write_csv *st = w->priv;
	const struct prop *p;
	size_t i = 0, klen;

	for (size_t seg = 0; seg <= st->nexpand; seg++) {
		size_t ncells = 0;

		buf_reset(&st->row);
		for (; i < st->cols.n; i++) {
			const struct column *c = &st->cols.c[i];

			if (c->kind == COLUMN_PROPERTIES) {
				i++;
				break;
			}
			if (ncells++ > 0)
				buf_addc(&st->row, ',');
			write_csv_col(&st->fmt, &st->row, c, rec);
		}
		if (write_csv_spool_putsize(w, ncells) != RC_OK ||
		    write_csv_spool_putsize(w, st->row.len) != RC_OK ||
		    write_csv_spool_put(w, st->row.data, st->row.len) != RC_OK)
			return RC_FATAL;
	}
	if (write_csv_spool_putsize(w, rec->nprops) != RC_OK)
		return RC_FATAL;
	for (i = 0; i < rec->nprops; i++) {
		p = &rec->props[i];
		strset_add(&st->keys, p->key);
		klen = strlen(p->key);
		buf_reset(&st->row);
		write_csv_cell(&st->fmt, &st->row, p->value, 1);
		if (write_csv_spool_putsize(w, klen) != RC_OK ||
		    write_csv_spool_put(w, p->key, klen) != RC_OK ||
		    write_csv_spool_putsize(w, st->row.len) != RC_OK ||
		    write_csv_spool_put(w, st->row.data, st->row.len) != RC_OK)
			return RC_FATAL;
	}
	return RC_OK;
}

/* The header with the sorted keys, then every spooled row. */
static enum rc
write_csv_unspool(struct writer *w)
{
	struct write_csv *st = w->priv;
	enum rc rc;
	int c;

	/* Compact the hash set into a sorted array (no longer a set). */
	for (size_t i = 0, j = 0; i < st->keys.cap; i++)
		if (st->keys.slot[i] != NULL) {
			st->keys.slot[j] = st->keys.slot[i];
			if (j++ != i)
				st->keys.slot[i] = NULL;
		}
	if (st->keys.n > 0)
		qsort(st->keys.slot, st->keys.n, sizeof *st->keys.slot,
		    write_csv_key_cmp);
	write_csv_header(st, &st->row, st->keys.slot, st->keys.n);
	if ((rc = output_write(st->out, st->row.data, st->row.len)) != RC_OK)
		return rc;

	if (fflush(st->spool) != 0)
		return write_csv_spool_fail(w, "write");
	rewind(st->spool);
	while ((c = getc(st->spool)) != EOF) {
		ungetc(c, st->spool);
		if ((rc = write_csv_unspool_row(w)) != RC_OK)
			return rc;
	}
	if (ferror(st->spool))
		return write_csv_spool_fail(w, "read");
	return RC_OK;
}

/* The next piece of a spooled record, appended to rd. */
static enum rc
write_csv_unspool_piece(struct writer *w, size_t i, size_t cells)
{
	struct write_csv *st = w->priv;
	size_t len;

	if (i >= st->npiece) {
		st->npiece = 2 * i + 8;
		st->piece = xreallocarray(st->piece, st->npiece,
		    sizeof *st->piece);
	}
	if (write_csv_spool_getsize(w, &len) != RC_OK)
		return RC_FATAL;
	st->piece[i] = (struct write_csv_piece){ st->rd.len, len, cells };
	return write_csv_spool_getbuf(w, &st->rd, len);
}

/*
 * One spooled record into a row: its segments, and between two of them
 * the properties column expanded, a field per key of the whole output.
 */
static enum rc
write_csv_unspool_row(struct writer *w)
{
	struct write_csv *st = w->priv;
	size_t nseg = st->nexpand + 1, nprops, cells, ncells = 0;
	const struct write_csv_piece *pc;

	buf_reset(&st->rd);
	for (size_t i = 0; i < nseg; i++)
		if (write_csv_spool_getsize(w, &cells) != RC_OK ||
		    write_csv_unspool_piece(w, i, cells) != RC_OK)
			return RC_FATAL;
	if (write_csv_spool_getsize(w, &nprops) != RC_OK)
		return RC_FATAL;
	for (size_t i = 0; i < 2 * nprops; i++)
		if (write_csv_unspool_piece(w, nseg + i, 0) != RC_OK)
			return RC_FATAL;

	buf_reset(&st->row);
	for (size_t seg = 0; seg < nseg; seg++) {
		size_t j = 0;

		pc = &st->piece[seg];
		if (pc->cells > 0) {
			if (ncells > 0)
				buf_addc(&st->row, ',');
			if (pc->len > 0)
				buf_add(&st->row, st->rd.data + pc->off,
				    pc->len);
			ncells += pc->cells;
		}
		if (seg + 1 == nseg)
			break;
		/* the keys in order; this record's, sorted too, among them */
		for (size_t k = 0; k < st->keys.n; k++) {
			if (ncells++ > 0)
				buf_addc(&st->row, ',');
			if (j == nprops)
				continue;
			pc = &st->piece[nseg + 2 * j];
			if (strlen(st->keys.slot[k]) == pc->len &&
			    memcmp(st->keys.slot[k], st->rd.data + pc->off,
			    pc->len) == 0) {
				if (pc[1].len > 0)
					buf_add(&st->row, st->rd.data +
					    pc[1].off, pc[1].len);
				j++;
			}
		}
		if (j != nprops)
			fatal("csv spool holds a key not in the set");
	}
	buf_add(&st->row, "\r\n", 2);
	return output_write(st->out, st->row.data, st->row.len);
}

static int
write_csv_key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
