/* readers.c: the table of representations the engine reads. */
#include "config.h"

#include <stddef.h>

#include "reader.h"

extern const struct reader_ops read_glance_v1_ops;
extern const struct reader_ops read_glance_v2_ops;
extern const struct reader_ops read_nova_v21_ops;
extern const struct reader_ops read_imgmeta_json_ops;
extern const struct reader_ops read_imgmeta_sqlite_ops;

const struct reader_ops *const readers[] = {
	&read_glance_v1_ops,
	&read_glance_v2_ops,
	&read_nova_v21_ops,
	&read_imgmeta_json_ops,
	&read_imgmeta_sqlite_ops,
	NULL
};
