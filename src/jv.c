/*
 * jv.c: views of parsed JSON values (jv.h): the doc, jansson's side of
 * jv_parse, and lookups.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jv.h"
#include "util.h"

static size_t	jv_add_json(struct jv_doc *, const json_t *, const char *);

/* The view of j (and what it holds) at the end of d: its index. */
static size_t
jv_add_json(struct jv_doc *d, const json_t *j, const char *key)
{
	size_t i = jv_doc_push(d), n = 0;
	json_t *o = (json_t *)(uintptr_t)j, *m;
	const char *k;
	struct jv *v;

	d->v[i].key = key;
	d->v[i].keylen = key != NULL ? (uint32_t)strlen(key) : 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		d->v[i].type = JV_OBJECT;
		json_object_foreach(o, k, m) {
			jv_add_json(d, m, k);
			n++;
		}
		break;
	case JSON_ARRAY:
		d->v[i].type = JV_ARRAY;
		for (n = 0; n < json_array_size(j); n++)
			jv_add_json(d, json_array_get(j, n), NULL);
		break;
	case JSON_STRING:
		d->v[i].type = JV_STRING;
		d->v[i].u.s = json_string_value(j);
		d->v[i].len = (uint32_t)json_string_length(j);
		break;
	case JSON_INTEGER:
		d->v[i].type = JV_INT;
		d->v[i].u.i = json_integer_value(j);
		break;
	case JSON_REAL:
		d->v[i].type = JV_REAL;
		d->v[i].u.d = json_real_value(j);
		break;
	case JSON_TRUE:
		d->v[i].type = JV_TRUE;
		break;
	case JSON_FALSE:
		d->v[i].type = JV_FALSE;
		break;
	default:
		break;
	}
	v = &d->v[i];
	if (v->type == JV_ARRAY || v->type == JV_OBJECT) {
		v->len = (uint32_t)n;
		v->span = (uint32_t)(d->n - i);
	}
	return i;
}

const struct jv *
jv_from_json(struct jv_doc *d, const json_t *j)
{
	jv_doc_reset(d);
	jv_add_json(d, j, NULL);
	return &d->v[0];
}

const struct jv *
jv_parse(struct jv_doc *d, const char *text, size_t len, int flags,
    json_error_t *err)
{
	json_t *j;
	int rv = jv_simd_parse(d, text, len, (flags & JSON_DECODE_ANY) != 0);

	if (rv == -1)
		fatal("out of memory (simdjson)");
	if (rv == 1)
		return &d->v[0];
	j = json_loadb(text, len, flags | JSON_REJECT_DUPLICATES, err);
	if (j == NULL) {
		jv_doc_reset(d);
		return NULL;
	}
	jv_from_json(d, j);
	d->held = j;
	return &d->v[0];
}

json_t *
jv_to_json(const struct jv *v)
{
	const struct jv *m;
	json_t *j;

	switch (v->type) {
	case JV_OBJECT:
		j = json_object();
		JV_FOREACH(v, m)
			json_object_set_new_nocheck(j, m->key, jv_to_json(m));
		return j;
	case JV_ARRAY:
		j = json_array();
		JV_FOREACH(v, m)
			json_array_append_new(j, jv_to_json(m));
		return j;
	case JV_STRING:
		return json_stringn_nocheck(v->u.s, v->len);
	case JV_INT:
		return json_integer(v->u.i);
	case JV_REAL:
		return json_real(v->u.d);
	case JV_TRUE:
		return json_true();
	case JV_FALSE:
		return json_false();
	default:
		return json_null();
	}
}

const struct jv *
jv_get(const struct jv *o, const char *key)
{
	const struct jv *m;

	if (!jv_is_object(o))
		return NULL;
	JV_FOREACH(o, m)
		if (m->key[0] == key[0] && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}
