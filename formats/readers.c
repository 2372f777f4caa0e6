/*
 * readers.c: the table of representations the engine reads. A new reader
 * is one line of READERS: X(NAME) for formats/read_NAME.c, which defines
 * read_NAME_ops. Order matters only between equal bids: the earlier wins.
 */
#include "config.h"

#include <stddef.h>

#include "reader.h"

#define READERS(X)		\
	X(glance_v1)		\
	X(glance_v2)		\
	X(nova_v21)		\
	X(imgmeta_json)		\
	X(imgmeta_sqlite)

#define READERS_EXTERN(name)	extern const struct reader_ops read_##name##_ops;
#define READERS_ENTRY(name)	&read_##name##_ops,

READERS(READERS_EXTERN)

const struct reader_ops *const readers[] = {
	READERS(READERS_ENTRY)
	NULL
};
