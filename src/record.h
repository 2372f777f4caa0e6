/*
 * record.h: the canonical image record (DESIGN.md section 3).
 *
 * One struct serves as an observation (what one response says about one
 * image: exactly one source) and as a merged record (one or more sources).
 * Every field is held as its canonical text, NULL meaning "no source said":
 *   string	as sent (valid UTF-8)
 *   uuid	lowercase 8-4-4-4-12
 *   md5	32 lowercase hex digits
 *   int	decimal digits, no sign, no leading zeros, fits int64
 *   bool	"true" or "false"
 *   time	RFC 3339 UTC ending in 'Z', fraction kept as written
 *   status	one of Glance's statuses (see norm_status, norm.h)
 *   visibility "public", "private" (v1's is_public), "shared" or
 *		"community" (Glance v2's own)
 * Writers look at field_info[].type to print a value as a JSON number or
 * boolean, a SQL integer, and so on.
 *
 * Ownership: a record owns every string it holds. Setters copy their
 * arguments. record_clear() frees the contents and leaves an empty record;
 * record_clear(NULL) does nothing. A record begun with record_init_pooled
 * (a reader's observation, an unpacked one) copies what it is given into
 * blocks of its own, freed all at once by record_clear, rather than into
 * a malloc each: its strings are record.c's to replace and free, nobody
 * else's, except its property keys and values when they are apart.
 */
#ifndef IMGMETA_RECORD_H
#define IMGMETA_RECORD_H

#include <stddef.h>
#include "jv.h"
#include "util.h"

enum field_type {
	FT_STRING,
	FT_UUID,
	FT_MD5,
	FT_INT,
	FT_BOOL,
	FT_TIME,
	FT_STATUS,
	FT_VISIBILITY
};

/* In the order of the DESIGN.md table; outputs use this order. */
enum field {
	F_ID,
	F_NAME,
	F_STATUS,
	F_VISIBILITY,
	F_PROTECTED,
	F_CONTAINER_FORMAT,
	F_DISK_FORMAT,
	F_SIZE,
	F_VIRTUAL_SIZE,
	F_CHECKSUM,
	F_MIN_RAM,
	F_MIN_DISK,
	F_OWNER,
	F_CREATED_AT,
	F_UPDATED_AT,
	F_DELETED,
	F_DELETED_AT,
	F__COUNT
};

struct field_info {
	const char	*name;		/* "container_format" */
	enum field_type	 type;
};
extern const struct field_info field_info[F__COUNT];
int	field_lookup(const char *name);		/* enum field, or -1 */

/* Fields of a source entry, in output order. */
enum source_field {
	S_FILE,		/* input file as given on the command line */
	S_AT,		/* position: "OFFSET" or "OFFSET#/json/pointer" */
	S_API,		/* "v1", "v1.1", "v2.1" */
	S_CALL,		/* "head", "detail", "list", "show", "metadata" */
	S_DATE,		/* response Date header as RFC 3339 UTC */
	S_REQUEST_ID,
	S_PROJECT_ID,
	S_STATUS,	/* the status exactly as the API sent it */
	S_URL,		/* request URL, when the capture has it */
	S_SHA256,	/* SHA-256 of the input file's bytes, as sha256sum
			   prints it (stream_sha256) */
	S__COUNT
};
extern const char *const source_field_name[S__COUNT];

struct source {
	char	*v[S__COUNT];		/* owned; NULL = unknown */
};

struct prop {
	char	*key;			/* owned */
	char	*value;			/* owned; NULL = JSON null */
	size_t	 src;			/* merged records: index in srcs of the
					   source that gave the value */
};

struct record {
	char		*f[F__COUNT];	/* owned canonical text; NULL = null */
	struct prop	*props;		/* sorted by key after record_sort */
	size_t		 nprops;
	size_t		 capprops;
	struct source	*srcs;
	size_t		 nsrcs;
	size_t		 capsrcs;
	size_t		 fsrc[F__COUNT]; /* merged records: index in srcs of
					   the source that gave each field */
	struct record_pool *pool;	/* record_init_pooled's blocks, or
					   NULL: a malloc a string */
};

void	record_init(struct record *);
/* An empty record whose setters copy into blocks it frees at once;
 * props 0: property keys and values apart, a malloc each (merge.c
 * replaces and frees those of the records it folds). */
void	record_init_pooled(struct record *, int props);
void	record_clear(struct record *);
/* dst cleared first; src left empty */
void	record_move(struct record *dst, struct record *src);

/*
 * Normalising setters (the rules are norm.h's). text is what the API
 * sent; NULL leaves the field null. On a value that breaks the field's
 * type, the field is left as it was and -1 is returned with *why set to
 * a static phrase that completes
 * "FIELD \"VALUE\": ..." (e.g. "is not a whole non-negative 64-bit number").
 */
int	record_set(struct record *, enum field, const char *text,
	    const char **why);
/* The same from a JSON value: null leaves the field null; strings go
 * through record_set; integers are accepted for int fields, true/false
 * for bool fields; anything else is a type error. */
int	record_set_json(struct record *, enum field, const struct jv *,
	    const char **why);
/* Stores canonical text as is, no checks (for merge and re-reading);
 * the n bytes at canonical. */
void	record_set_raw(struct record *, enum field, const char *canonical);
void	record_set_rawn(struct record *, enum field, const char *canonical,
	    size_t n);

/* Properties: set replaces an existing key (value NULL = JSON null). */
void	record_prop_set(struct record *, const char *key, const char *value);
/* The same from keylen and len bytes (value NULL: JSON null). */
void	record_prop_setn(struct record *, const char *key, size_t keylen,
	    const char *value, size_t len);
/* JSON value: string kept exactly, null -> NULL, anything else its
 * compact JSON text. Returns -1 with *why if the text cannot be made. */
int	record_prop_set_json(struct record *, const char *key,
	    const struct jv *, const char **why);
const struct prop *record_prop_get(const struct record *, const char *key);
void	record_sort(struct record *);	/* properties by key (bytewise) */

/* Sources: record_add_source returns a new, empty entry to fill. */
struct source *record_add_source(struct record *);
void	source_set(struct source *, enum source_field, const char *);
/* The same for a source of r (record_add_source's), copied as r copies
 * its strings; setn: the n bytes at v, as source_set_rawn. */
void	record_source_set(struct record *r, struct source *,
	    enum source_field, const char *);
void	record_source_setn(struct record *r, struct source *,
	    enum source_field, const char *v, size_t n);
/* The n bytes at v, as they are (valid UTF-8 already: for re-reading). */
void	source_set_rawn(struct source *, enum source_field, const char *v,
	    size_t n);
void	source_copy(struct source *dst, const struct source *src);
void	source_clear(struct source *);
/* NULL when the source holds what imgmeta writes into one (a shard's
 * sources are read back, README "Shards"), else why not, in buf (size
 * bytes): a phrase such as "date \"x\" is not ..." or "api is missing". */
const char *source_check(const struct source *, char *buf, size_t size);

#endif
