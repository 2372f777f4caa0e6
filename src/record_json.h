/*
 * record_json.h: the canonical record's JSON form (record.h).
 */
#ifndef IMGMETA_RECORD_JSON_H
#define IMGMETA_RECORD_JSON_H

#include <jansson.h>

#include "record.h"
#include "util.h"

/*
 * The canonical JSON form (one JSON Lines record of the json output): every
 * field in table order, null where null, ints as numbers, bools as
 * booleans, then "properties" (object, keys sorted) and "sources" (array of
 * objects with every source field, null where unknown).
 * record_json_read reads that form back (returns -1 with *why on error).
 */
json_t	*record_json_value(const struct record *);
/*
 * The same text json_dumps(record_json_value(r), JSON_COMPACT) gives, written
 * straight into b (appended) without building the JSON tree; and the
 * "properties" object alone, as JSON_COMPACT | JSON_SORT_KEYS gives it for
 * a record whose properties are sorted. -1 (b then holds a partial text)
 * where jansson would refuse: a string that is not UTF-8.
 */
int	 record_json_text(const struct record *, struct buf *b);
int	 record_json_props_text(const struct record *, struct buf *b);
/* record_json_text with, when extra is not NULL, a member extra_key whose
 * value is the JSON text extra[i] at the end of the i-th source object. */
int	 record_json_text_ex(const struct record *, const char *extra_key,
	    const char *const *extra, struct buf *b);
/* What an observation said, as the json output's "observation" shows it:
 * record_json_value's object without id, sources, null fields and, when it
 * has none, properties. */
int	 record_json_said_text(const struct record *, struct buf *b);
int	 record_json_read(struct record *, const struct jv *,
	    const char **why);

#endif
