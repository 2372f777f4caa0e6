/* columns.c: a record's columns by name (see columns.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "util.h"

#define COLUMNS_PROPERTY	"property."

static void	columns_push(struct columns *, enum column_kind, enum field,
		    const char *, size_t);
static int	columns_one(struct columns *, const char *, size_t);
static void	columns_refuse(struct columns *, const char *, size_t,
		    const char *);

static void
columns_push(struct columns *cols, enum column_kind kind, enum field field,
    const char *name, size_t len)
{
	struct column *c;

	cols->c = xreallocarray(cols->c, cols->n + 1, sizeof *cols->c);
	c = &cols->c[cols->n++];
	c->kind = kind;
	c->field = field;
	c->name = xstrndup(name, len);
	c->key = kind == COLUMN_PROPERTY ?
	    c->name + strlen(COLUMNS_PROPERTY) : NULL;
}

void
columns_default(struct columns *cols)
{
	for (size_t i = 0; i < F__COUNT; i++)
		columns_push(cols, COLUMN_FIELD, (enum field)i,
		    field_info[i].name, strlen(field_info[i].name));
	columns_push(cols, COLUMN_PROPERTIES, F_ID, "properties", 10);
	columns_push(cols, COLUMN_SOURCES, F_ID, "sources", 7);
}

/* The message for a name that is not a column: it, and the valid ones. */
static void
columns_refuse(struct columns *cols, const char *name, size_t len,
    const char *why)
{
	struct buf b = BUF_INIT;

	free(cols->why);
	if (why != NULL) {
		buf_printf(&b, "\"%.*s\" %s", (int)len, name, why);
		cols->why = xstrdup(buf_cstr(&b));
		buf_free(&b);
		return;
	}
	buf_printf(&b, "no column \"%.*s\"; the columns are", (int)len, name);
	for (size_t i = 0; i < F__COUNT; i++)
		buf_printf(&b, " %s,", field_info[i].name);
	buf_addstr(&b, " properties, sources, " COLUMNS_PROPERTY "KEY");
	cols->why = xstrdup(buf_cstr(&b));
	buf_free(&b);
}

/* One name of a list (len bytes): appended, or -1 with cols->why set. */
static int
columns_one(struct columns *cols, const char *name, size_t len)
{
	size_t plen = strlen(COLUMNS_PROPERTY);

	for (size_t i = 0; i < F__COUNT; i++)
		if (strlen(field_info[i].name) == len &&
		    memcmp(field_info[i].name, name, len) == 0) {
			columns_push(cols, COLUMN_FIELD, (enum field)i, name,
			    len);
			return 0;
		}
	if (len == 10 && memcmp(name, "properties", len) == 0)
		columns_push(cols, COLUMN_PROPERTIES, F_ID, name, len);
	else if (len == 7 && memcmp(name, "sources", len) == 0)
		columns_push(cols, COLUMN_SOURCES, F_ID, name, len);
	else if (len >= plen && memcmp(name, COLUMNS_PROPERTY, plen) == 0) {
		if (len == plen) {
			columns_refuse(cols, name, len, "names no KEY");
			return -1;
		}
		columns_push(cols, COLUMN_PROPERTY, F_ID, name, len);
	} else {
		columns_refuse(cols, name, len, NULL);
		return -1;
	}
	return 0;
}

int
columns_add(struct columns *cols, const char *list)
{
	size_t n0 = cols->n;

	for (const char *p = list;; ) {
		size_t len = strcspn(p, ",");

		if (len == 0) {
			free(cols->why);
			cols->why = xstrdup("an empty column name");
			break;
		}
		if (columns_one(cols, p, len) != 0)
			break;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
	while (cols->n > n0)
		free(cols->c[--cols->n].name);
	return -1;
}

void
columns_free(struct columns *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		free(cols->c[i].name);
	free(cols->c);
	free(cols->why);
	*cols = (struct columns){ 0 };
}

const char *
columns_value(const struct column *c, const struct record *rec)
{
	const struct prop *p;

	switch (c->kind) {
	case COLUMN_FIELD:
		return rec->f[c->field];
	case COLUMN_PROPERTY:
		p = record_prop_get(rec, c->key);
		return p != NULL ? p->value : NULL;
	case COLUMN_PROPERTIES:
	case COLUMN_SOURCES:
		break;
	}
	return NULL;
}
