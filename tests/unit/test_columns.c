/* test_columns.c: -c/--columns names, one check per rule. */
#include "config.h"

#include "columns.h"
#include "t.h"

int
main(void)
{
	struct columns cols = { 0 };
	struct record r;

	T_INT(columns_add(&cols, "name,id,property.os,sources,properties"),
	    0, "fields, property.KEY, sources, properties");
	T_INT(cols.n, 5, "five columns");
	T_INT(cols.c[0].kind, COLUMN_FIELD, "name is a field");
	T_INT(cols.c[0].field, F_NAME, "name is F_NAME");
	T_INT(cols.c[1].field, F_ID, "in the order given");
	T_INT(cols.c[2].kind, COLUMN_PROPERTY, "property.os");
	T_STR(cols.c[2].key, "os", "its key");
	T_STR(cols.c[2].name, "property.os", "its header");
	T_INT(cols.c[3].kind, COLUMN_SOURCES, "sources");
	T_INT(cols.c[4].kind, COLUMN_PROPERTIES, "properties");

	T_INT(columns_add(&cols, "id,Name"), -1, "names are exact");
	T_INT(cols.n, 5, "a refused list adds none of its columns");
	T_OK(strncmp(cols.why, "no column \"Name\"; the columns are id, "
	    "name,", 38) == 0, "the message names it and lists the fields");
	T_INT(columns_add(&cols, "property."), -1, "property. without a key");
	T_STR(cols.why, "\"property.\" names no KEY", "why");
	T_INT(columns_add(&cols, "id,"), -1, "a trailing comma");
	T_STR(cols.why, "an empty column name", "why");
	T_INT(columns_add(&cols, "id,id"), 0, "a column twice");
	T_INT(cols.n, 7, "added after the others");

	record_init(&r);
	record_set_raw(&r, F_NAME, "cirros");
	record_prop_set(&r, "os", "linux");
	T_STR(columns_value(&cols.c[0], &r), "cirros", "a field's value");
	T_STR(columns_value(&cols.c[1], &r), NULL, "a null field");
	T_STR(columns_value(&cols.c[2], &r), "linux", "a property's value");
	record_clear(&r);
	columns_free(&cols);
	T_INT(cols.n, 0, "columns_free empties");

	columns_default(&cols);
	T_INT(cols.n, F__COUNT + 2, "default: every field, properties, "
	    "sources");
	T_STR(cols.c[F__COUNT].name, "properties", "then properties");
	T_STR(cols.c[F__COUNT + 1].name, "sources", "then sources");
	columns_free(&cols);
	return t_done();
}
