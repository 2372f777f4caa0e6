/*
 * compare_table.c: --compare-format table (see compare_table.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "compare_table.h"
#include "util.h"

struct compare_table {
	struct diag	*diag;
	FILE		*rows;	/* cells tab-separated, rows by newlines */
	size_t		 width[COMPARE_TABLE_COLUMNS];	/* characters */
	uint64_t	 nrows;
};

static const char *const compare_table_header[COMPARE_TABLE_COLUMNS] = {
	"ID", "NAME", "FIELD", "OLD", "NEW"
};

static size_t	compare_table_cap(size_t);
static size_t	compare_table_width(const char *, size_t);
static size_t	compare_table_cell(struct buf *, const char *, size_t);
static enum rc	compare_table_error(struct compare_table *, const char *);
static enum rc	compare_table_line(struct compare_table *, struct output *,
		    struct buf *, char *);

/* The widest a column may be: an image id (a UUID) is never cut. */
static size_t
compare_table_cap(size_t col)
{
	return col == 0 ? 36 : COMPARE_TABLE_WIDTH;
}

/* Characters of a UTF-8 string: the bytes that start one. */
static size_t
compare_table_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/*
 * s as a cell into b: control characters (C0, DEL, and C1 as UTF-8) as
 * \xNN, then cut to cap characters, an ellipsis the last one. Returns
 * the cell's width in characters.
 */
static size_t
compare_table_cell(struct buf *b, const char *s, size_t cap)
{
	struct buf e = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t w, n = 0;

	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			buf_printf(&e, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf_printf(&e, "\\x%02x\\x%02x", p[0], p[1]);
			p++;
		} else
			buf_addc(&e, (char)*p);
	w = compare_table_width(e.data != NULL ? e.data : "", e.len);
	if (w <= cap) {
		buf_add(b, buf_cstr(&e), e.len);
		buf_free(&e);
		return w;
	}
	/* the bytes of the first cap - 1 characters */
	for (size_t c = 0; n < e.len; n++)
		if (((unsigned char)e.data[n] & 0xc0) != 0x80 && c++ == cap - 1)
			break;
	buf_add(b, e.data, n);
	buf_addstr(b, "\xe2\x80\xa6");
	buf_free(&e);
	return cap;
}

static enum rc
compare_table_error(struct compare_table *t, const char *what)
{
	diag_report(t->diag, DIAG_ERROR, NULL, NULL, "cannot %s a temporary "
	    "file: %s", what, strerror(errno));
	return RC_FATAL;
}

struct compare_table *
compare_table_new(struct diag *d)
{
	struct compare_table *t = xcalloc(1, sizeof *t);

	t->diag = d;
	if ((t->rows = output_scratch("--compare-format table", d)) ==
	    NULL) {
		free(t);
		return NULL;
	}
	for (size_t i = 0; i < COMPARE_TABLE_COLUMNS; i++)
		t->width[i] = strlen(compare_table_header[i]);
	return t;
}

enum rc
compare_table_row(struct compare_table *t, const char *const *cells)
{
	struct buf b = BUF_INIT;
	enum rc rc = RC_OK;

	for (size_t i = 0; i < COMPARE_TABLE_COLUMNS; i++) {
		size_t w;

		if (i > 0)
			buf_addc(&b, '\t');
		w = compare_table_cell(&b, cells[i] != NULL ? cells[i] : "",
		    compare_table_cap(i));
		if (w > t->width[i])
			t->width[i] = w;
	}
	buf_addc(&b, '\n');
	if (fwrite(buf_cstr(&b), 1, b.len, t->rows) != b.len)
		rc = compare_table_error(t, "write");
	buf_free(&b);
	t->nrows++;
	return rc;
}

/* One row read back (cells tab-separated, no newline), padded. */
static enum rc
compare_table_line(struct compare_table *t, struct output *out,
    struct buf *b, char *row)
{
	buf_reset(b);
	for (size_t i = 0; i < COMPARE_TABLE_COLUMNS; i++) {
		char *tab = strchr(row, '\t');
		size_t len = tab != NULL ? (size_t)(tab - row) : strlen(row);

		buf_add(b, row, len);
		if (i + 1 < COMPARE_TABLE_COLUMNS)	/* no trailing blanks */
			for (size_t w = compare_table_width(row, len);
			    w < t->width[i] + 2; w++)
				buf_addc(b, ' ');
		row += len + (tab != NULL);
	}
	buf_addc(b, '\n');
	return output_write(out, buf_cstr(b), b->len);
}

enum rc
compare_table_write(struct compare_table *t, struct output *out)
{
	struct buf b = BUF_INIT;
	char *line = NULL, *head;
	size_t cap = 0;
	ssize_t n;
	enum rc rc;

	if (t->nrows == 0)
		return RC_OK;
	if (fflush(t->rows) != 0 || fseek(t->rows, 0, SEEK_SET) != 0)
		return compare_table_error(t, "write");
	head = xasprintf("%s\t%s\t%s\t%s\t%s", compare_table_header[0],
	    compare_table_header[1], compare_table_header[2],
	    compare_table_header[3], compare_table_header[4]);
	rc = compare_table_line(t, out, &b, head);
	free(head);
	while (rc == RC_OK && (n = getline(&line, &cap, t->rows)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		rc = compare_table_line(t, out, &b, line);
	}
	if (rc == RC_OK && ferror(t->rows))
		rc = compare_table_error(t, "read");
	free(line);
	buf_free(&b);
	return rc;
}

void
compare_table_free(struct compare_table *t)
{
	if (t == NULL)
		return;
	if (t->rows != NULL)
		fclose(t->rows);
	free(t);
}
