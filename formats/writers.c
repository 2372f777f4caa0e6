/*
 * writers.c: the table of output formats. A new writer is one line of
 * WRITERS: X(NAME) for formats/write_NAME.c, which defines
 * write_NAME_ops. The first is the default (standard output without -f);
 * --help lists them in this order.
 */
#include "config.h"

#include <stddef.h>

#include "writer.h"

#define WRITERS(X)		\
	X(json)			\
	X(sqlite)		\
	X(xml)			\
	X(csv)			\
	X(glance)		\
	X(tsv)			\
	X(html)

#define WRITERS_EXTERN(name)	extern const struct writer_ops write_##name##_ops;
#define WRITERS_ENTRY(name)	&write_##name##_ops,

WRITERS(WRITERS_EXTERN)

const struct writer_ops *const writers[] = {
	WRITERS(WRITERS_ENTRY)
	NULL
};
