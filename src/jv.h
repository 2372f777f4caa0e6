/*
 * jv.h: a read-only view of one parsed JSON value: what the readers of
 * JSON items see (reader.h), whichever parser read it.
 *
 * A value and everything inside it lie in one array, depth first: a
 * container is followed by its members, each with its own subtree, so
 * the member after m is m + m->span (JV_FOREACH). An object's members
 * carry their keys; no key appears twice in one object. Strings and keys
 * are valid UTF-8 (both parsers refuse anything else, escapes of lone
 * surrogates included), end with a NUL and may hold one too (len, keylen
 * tell).
 *
 * jv_parse reads a value's text with simdjson (src/jv_simd.cc) and, where
 * simdjson refuses it or may read it otherwise than jansson does, with
 * jansson, so that what is accepted, and every value and message, are
 * jansson's json_loadb's with JSON_REJECT_DUPLICATES. A view lives in its jv_doc until the doc's next
 * jv_parse or jv_from_json, or jv_doc_free; nothing in it is the reader's
 * to keep or free.
 */
#ifndef IMGMETA_JV_H
#define IMGMETA_JV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

enum jv_type {
	JV_NULL,
	JV_FALSE,
	JV_TRUE,
	JV_INT,
	JV_REAL,
	JV_STRING,
	JV_ARRAY,
	JV_OBJECT
};

struct jv {
	const char	*key;		/* an object member's key, else NULL */
	union {
		const char	*s;	/* JV_STRING */
		int64_t		 i;	/* JV_INT */
		double		 d;	/* JV_REAL */
	} u;
	uint32_t	 len;		/* JV_STRING: bytes; JV_ARRAY,
					   JV_OBJECT: members */
	uint32_t	 keylen;
	uint32_t	 span;		/* this value's entries, itself
					   included */
	unsigned char	 type;		/* enum jv_type */
};

/* Every member m of the array or object c (c not NULL). */
#define JV_FOREACH(c, m) \
	for ((m) = (c) + 1; (m) < (c) + (c)->span; (m) += (m)->span)

struct jv_doc {
	struct jv	*v;
	size_t		 n;
	size_t		 cap;
	json_t		*held;		/* jansson's value the view points
					   into, when jansson read it */
};

#define JV_DOC_INIT	{ NULL, 0, 0, NULL }

void	jv_doc_free(struct jv_doc *);
/* Empties the doc (what it viewed is gone) and returns its next entry. */
void	jv_doc_reset(struct jv_doc *);
/* A new entry at the end (type JV_NULL, span 1): its index. */
size_t	jv_doc_push(struct jv_doc *);

/*
 * Reads text as jansson's json_loadb with flags | JSON_REJECT_DUPLICATES
 * does (flags: JSON_DECODE_ANY or 0): the value's view, or NULL with *err
 * as jansson sets it.
 */
const struct jv *jv_parse(struct jv_doc *, const char *text, size_t len,
	    int flags, json_error_t *err);
/* The view of a jansson value, which must outlive it. */
const struct jv *jv_from_json(struct jv_doc *, const json_t *);
/* A jansson value equal to v (the caller decrefs it). */
json_t	*jv_to_json(const struct jv *);

/* simdjson's part of jv_parse (jv_simd.cc): 1 when the view is built in
 * the emptied doc, 0 when jansson must read the text, -1 when memory ran
 * out. any: a value of any type may stand alone (JSON_DECODE_ANY), else
 * only an array or an object. */
int	jv_simd_parse(struct jv_doc *, const char *text, size_t len, int any);

/* What jv_parse keeps on the calling thread between calls: let go at the
 * thread's end (and the program's). */
void	jv_release(void);

/* An object member, NULL when o is NULL, not an object, or lacks it. */
const struct jv *jv_get(const struct jv *o, const char *key);

static inline int
jv_is(const struct jv *v, enum jv_type t)
{
	return v != NULL && v->type == t;
}

#define jv_is_null(v)		jv_is((v), JV_NULL)
#define jv_is_string(v)		jv_is((v), JV_STRING)
#define jv_is_object(v)		jv_is((v), JV_OBJECT)
#define jv_is_array(v)		jv_is((v), JV_ARRAY)
#define jv_is_true(v)		jv_is((v), JV_TRUE)
#define jv_is_int(v)		jv_is((v), JV_INT)
#define jv_is_real(v)		jv_is((v), JV_REAL)

static inline int
jv_is_boolean(const struct jv *v)
{
	return v != NULL && (v->type == JV_TRUE || v->type == JV_FALSE);
}

static inline int
jv_is_number(const struct jv *v)
{
	return v != NULL && (v->type == JV_INT || v->type == JV_REAL);
}

/* A string without a NUL in it. */
static inline int
jv_is_text(const struct jv *v)
{
	return jv_is_string(v) && strlen(v->u.s) == v->len;
}

#ifdef __cplusplus
}
#endif

#endif
