/*
 * columns.h: a record's columns by name, for the tabular outputs' -c
 * (--columns id,name,...), as `openstack image list -c` chooses them:
 *   a canonical field	by its name in field_info ("min_ram")
 *   properties		the whole map (the format says how: JSON text)
 *   sources		how many observations
 *   property.KEY	one property's value (KEY as it is, any bytes but
 *			a comma)
 * Names are exact (lower case). A column may be named twice.
 *
 * Ownership: columns_add copies what it keeps; columns_free frees it all
 * (the message too) and leaves an empty list.
 */
#ifndef IMGMETA_COLUMNS_H
#define IMGMETA_COLUMNS_H

#include <stddef.h>

#include "record.h"

enum column_kind {
	COLUMN_FIELD,
	COLUMN_PROPERTIES,
	COLUMN_SOURCES,
	COLUMN_PROPERTY
};

struct column {
	enum column_kind kind;
	enum field	 field;		/* COLUMN_FIELD */
	char		*name;		/* as given: the header's text */
	const char	*key;		/* COLUMN_PROPERTY: in name */
};

struct columns {
	struct column	*c;
	size_t		 n;
	char		*why;		/* what the last columns_add refused */
};

/* Every field in field_info order, then properties and sources: the
 * columns of a tabular output when -c is not given. */
void	columns_default(struct columns *);
/* Appends the comma-separated names of list. -1, adding none of them,
 * when one is not a column: cols->why then says which and lists the
 * valid names (valid until the next call or columns_free). */
int	columns_add(struct columns *, const char *list);
void	columns_free(struct columns *);
/* The value of a COLUMN_FIELD or COLUMN_PROPERTY column of rec, borrowed;
 * NULL when null or absent. */
const char *columns_value(const struct column *, const struct record *);

#endif
