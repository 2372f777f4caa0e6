/* writers.c: the table of output formats. */
#include "config.h"

#include <stddef.h>

#include "writer.h"

extern const struct writer_ops write_json_ops;
extern const struct writer_ops write_sqlite_ops;
extern const struct writer_ops write_xml_ops;
extern const struct writer_ops write_csv_ops;
extern const struct writer_ops write_glance_ops;
extern const struct writer_ops write_html_ops;

const struct writer_ops *const writers[] = {
	&write_json_ops,
	&write_sqlite_ops,
	&write_xml_ops,
	&write_csv_ops,
	&write_glance_ops,
	&write_html_ops,
	NULL
};
