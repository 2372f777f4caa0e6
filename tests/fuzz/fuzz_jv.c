/*
 * fuzz_jv.c: jv_parse (src/jv.h) against jansson alone on any text: the
 * two accept the same texts (with JSON_DECODE_ANY and without), and their
 * views hold the same values, keys and order. jv_parse reads with
 * simdjson first, so this is what keeps its fast path from taking a text
 * that jansson refuses, or reading one otherwise.
 *
 * Input: byte 0's low bit chooses JSON_DECODE_ANY; the rest is the text.
 */
#include "config.h"

#include "fuzz.h"
#include "jv.h"

static void
fuzz_jv_same(const struct jv *a, const struct jv *b)
{
	const struct jv *x, *y;

	if (a->type != b->type || a->len != b->len || a->span != b->span ||
	    (a->key == NULL) != (b->key == NULL) ||
	    (a->key != NULL && (a->keylen != b->keylen ||
	    memcmp(a->key, b->key, a->keylen) != 0)))
		abort();
	switch (a->type) {
	case JV_STRING:
		if (memcmp(a->u.s, b->u.s, a->len) != 0 || a->u.s[a->len] != 0)
			abort();
		break;
	case JV_INT:
		if (a->u.i != b->u.i)
			abort();
		break;
	case JV_REAL:
		/* bit for bit: -0.0 is not 0.0 */
		if (memcmp(&a->u.d, &b->u.d, sizeof a->u.d) != 0)
			abort();
		break;
	case JV_ARRAY:
	case JV_OBJECT:
		for (x = a + 1, y = b + 1; x < a + a->span; x += x->span,
		    y += y->span)
			fuzz_jv_same(x, y);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jv_doc fast = JV_DOC_INIT, slow = JV_DOC_INIT;
	const struct jv *a, *b = NULL;
	json_error_t err;
	json_t *j;
	int flags;

	if (size < 1)
		return 0;
	flags = (data[0] & 1) ? JSON_DECODE_ANY : 0;
	a = jv_parse(&fast, (const char *)data + 1, size - 1, flags, &err);
	j = json_loadb((const char *)data + 1, size - 1, flags |
	    JSON_REJECT_DUPLICATES, &err);
	if (j != NULL)
		b = jv_from_json(&slow, j);
	if ((a == NULL) != (b == NULL))
		abort();
	if (a != NULL)
		fuzz_jv_same(a, b);
	jv_doc_free(&fast);
	jv_doc_free(&slow);
	json_decref(j);
	return 0;
}
