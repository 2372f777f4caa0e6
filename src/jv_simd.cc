/*
 * jv_simd.cc: jv_parse's fast part (jv.h): a JSON text read by simdjson's
 * DOM parser into a view. The one C++ file: simdjson is a C++ library.
 *
 * It returns 0 (and jansson reads the text) wherever simdjson refuses the
 * text or may read it otherwise than jansson with JSON_DECODE_ANY |
 * JSON_REJECT_DUPLICATES does: an error of any kind (jansson then says
 * what it is), an integer above 2^63-1 (jansson refuses it; simdjson
 * takes it as unsigned), a NUL in a string or key (jansson refuses it), a
 * key twice in one object (refused), and nesting deeper than simdjson's
 * 1024 levels (jansson allows 2048). Object members keep their order.
 */
#include "config.h"

#include <cstdlib>
#include <cstring>
#include <new>

#define SIMDJSON_EXCEPTIONS 0	/* its error codes; its library may
					   still throw std::bad_alloc */
#include <simdjson.h>

#include "jv.h"

namespace {

/*
 * One parser and one padded copy of the text per thread, reused, and let
 * go by jv_release. Plain pointers: a thread_local object with a
 * destructor would have the C library register it at the thread's first
 * parse, which aborts the program when memory runs out.
 */
thread_local simdjson::dom::parser *jv_simd_parser;
thread_local char *jv_simd_text;
thread_local size_t jv_simd_cap;

/*
 * simdjson picks its implementation (the CPU's best, or the one
 * SIMDJSON_FORCE_IMPLEMENTATION names) at its first use, and allocates
 * as it does, inside functions that may not throw: memory running out
 * there would end the program (std::terminate) rather than be said. It
 * is picked as the program starts instead, asking the implementation's
 * name. (Without UBSan's vptr check: the object is the library's, whose
 * type information it cannot always read, with no descriptor left.)
 */
#if defined(__GNUC__)
__attribute__((no_sanitize("vptr")))
#endif
bool
jv_simd_pick(void)
{
	return !simdjson::get_active_implementation()->name().empty();
}

const bool jv_simd_picked = jv_simd_pick();

/* Past this many bytes, a thread's parser and copy are let go after the
 * parse, so that one large item does not hold memory for the run. */
constexpr size_t JV_SIMD_KEEP = (size_t)1 << 20;

/* Members of one object compared pairwise up to this many; more are
 * looked up in a hash table. */
constexpr size_t JV_SIMD_PAIRWISE = 8;

/* A hash table's slots kept on the stack (more are allocated). */
constexpr size_t JV_SIMD_SLOTS = 256;

/* FNV-1a of a key's bytes. */
uint32_t
jv_simd_keyhash(const char *k, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

/* Does the object at index o of d have a key twice? */
bool
jv_simd_dupkey(const struct jv_doc *d, size_t o)
{
	const struct jv *c = &d->v[o], *m, *k;
	const struct jv *stack[JV_SIMD_SLOTS], **slot = stack;
	size_t size = 16;

	if (c->len < 2)
		return false;
	if (c->len <= JV_SIMD_PAIRWISE) {
		JV_FOREACH(c, m)
			for (k = c + 1; k < m; k += k->span)
				if (k->keylen == m->keylen &&
				    memcmp(k->key, m->key, m->keylen) == 0)
					return true;
		return false;
	}
	/* open addressing, at most half full */
	while (size < 2 * (size_t)c->len)
		size *= 2;
	if (size > JV_SIMD_SLOTS && (slot = static_cast<const struct jv **>(
	    malloc(size * sizeof *slot))) == nullptr)
		return true;		/* jansson will say */
	memset(slot, 0, size * sizeof *slot);
	JV_FOREACH(c, m) {
		size_t i = jv_simd_keyhash(m->key, m->keylen) & (size - 1);

		for (; slot[i] != nullptr; i = (i + 1) & (size - 1)) {
			k = slot[i];
			if (k->keylen == m->keylen &&
			    memcmp(k->key, m->key, m->keylen) == 0) {
				if (slot != stack)
					free(slot);
				return true;
			}
		}
		slot[i] = m;
	}
	if (slot != stack)
		free(slot);
	return false;
}

/* jv_doc_push, without the call while there is room. */
inline size_t
jv_simd_push(struct jv_doc *d)
{
	if (d->n == d->cap)
		return jv_doc_push(d);
	d->v[d->n] = jv();
	d->v[d->n].type = JV_NULL;
	d->v[d->n].span = 1;
	return d->n++;
}

/* The view of e at the end of d, under key (NULL outside objects).
 * nul: a string or key may hold a NUL (the text has "\u0000"). */
bool
jv_simd_add(struct jv_doc *d, simdjson::dom::element e, const char *key,
    size_t keylen, bool nul)
{
	size_t i = jv_simd_push(d), n = 0;
	struct jv *v = &d->v[i];

	v->key = key;
	v->keylen = (uint32_t)keylen;
	if (nul && key != nullptr && memchr(key, '\0', keylen) != nullptr)
		return false;
	switch (e.type()) {
	case simdjson::dom::element_type::ARRAY: {
		simdjson::dom::array a;

		v->type = JV_ARRAY;
		if (e.get_array().get(a) != simdjson::SUCCESS)
			return false;
		for (simdjson::dom::element m : a) {
			if (!jv_simd_add(d, m, nullptr, 0, nul))
				return false;
			n++;
		}
		break;
	}
	case simdjson::dom::element_type::OBJECT: {
		simdjson::dom::object o;

		v->type = JV_OBJECT;
		if (e.get_object().get(o) != simdjson::SUCCESS)
			return false;
		for (auto it = o.begin(); it != o.end(); ++it) {
			if (!jv_simd_add(d, it.value(), it.key_c_str(),
			    it.key_length(), nul))
				return false;
			n++;
		}
		break;
	}
	case simdjson::dom::element_type::INT64:
		v->type = JV_INT;
		if (e.get_int64().get(v->u.i) != simdjson::SUCCESS)
			return false;
		break;
	case simdjson::dom::element_type::DOUBLE:
		v->type = JV_REAL;
		if (e.get_double().get(v->u.d) != simdjson::SUCCESS)
			return false;
		break;
	case simdjson::dom::element_type::STRING: {
		size_t len;

		v->type = JV_STRING;
		if (e.get_c_str().get(v->u.s) != simdjson::SUCCESS ||
		    e.get_string_length().get(len) != simdjson::SUCCESS ||
		    (nul && memchr(v->u.s, '\0', len) != nullptr))
			return false;
		v->len = (uint32_t)len;
		break;
	}
	case simdjson::dom::element_type::BOOL: {
		bool b;

		if (e.get_bool().get(b) != simdjson::SUCCESS)
			return false;
		v->type = b ? JV_TRUE : JV_FALSE;
		break;
	}
	case simdjson::dom::element_type::NULL_VALUE:
		v->type = JV_NULL;
		break;
	default:			/* UINT64: above 2^63-1 */
		return false;
	}
	v = &d->v[i];			/* d->v may have moved */
	if (v->type == JV_ARRAY || v->type == JV_OBJECT) {
		v->len = (uint32_t)n;
		v->span = (uint32_t)(d->n - i);
		if (v->type == JV_OBJECT && jv_simd_dupkey(d, i))
			return false;
	}
	return true;
}

/* May a string or key of the text hold a NUL? Only the escape \u0000
 * makes one: simdjson refuses a NUL byte in a string. */
bool
jv_simd_nul(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while ((p = static_cast<const char *>(memchr(p, '\\',
	    (size_t)(end - p)))) != nullptr) {
		if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
			return true;
		p += p + 1 < end ? 2 : 1;	/* past what it escapes */
	}
	return false;
}

/* jv_simd_parse's work; may throw (simdjson's library allocates with
 * new). */
int
jv_simd_parse_text(struct jv_doc *d, const char *text, size_t len, int any)
{
	simdjson::dom::element root;
	simdjson::error_code err;
	bool ok;

	jv_doc_reset(d);
	if (len <= JV_SIMD_KEEP && jv_simd_cap > JV_SIMD_KEEP)
		jv_release();	/* after a large text: what it took */
	if (jv_simd_parser == nullptr &&
	    (jv_simd_parser = new (std::nothrow) simdjson::dom::parser()) ==
	    nullptr)
		return 0;
	if (len + simdjson::SIMDJSON_PADDING > jv_simd_cap) {
		size_t cap = len + simdjson::SIMDJSON_PADDING;
		char *p = static_cast<char *>(realloc(jv_simd_text, cap));

		if (p == nullptr)
			return 0;
		jv_simd_text = p;
		jv_simd_cap = cap;
	}
	memcpy(jv_simd_text, text, len);
	memset(jv_simd_text + len, ' ', simdjson::SIMDJSON_PADDING);
	err = jv_simd_parser->parse(jv_simd_text, len, false).get(root);
	if (err == simdjson::MEMALLOC) {
		/* what the parser could not allocate may be left unset in
		 * it: it goes, and the caller says memory ran out */
		jv_doc_reset(d);
		jv_release();
		return -1;
	}
	ok = err == simdjson::SUCCESS && (any || root.is_array() ||
	    root.is_object()) && jv_simd_add(d, root, nullptr, 0,
	    jv_simd_nul(text, len));
	if (!ok)
		jv_doc_reset(d);
	return ok ? 1 : 0;
}

} /* namespace */

/* No exception leaves for the C code: out of memory inside simdjson's
 * library (std::bad_alloc) is said as such; anything else leaves the
 * text to jansson. */
extern "C" int
jv_simd_parse(struct jv_doc *d, const char *text, size_t len, int any)
{
	try {
		return jv_simd_parse_text(d, text, len, any);
	} catch (const std::bad_alloc &) {
		jv_doc_reset(d);
		jv_release();
		return -1;
	} catch (...) {
		jv_doc_reset(d);
		jv_release();
		return 0;
	}
}

extern "C" void
jv_release(void)
{
	delete jv_simd_parser;
	jv_simd_parser = nullptr;
	free(jv_simd_text);
	jv_simd_text = nullptr;
	jv_simd_cap = 0;
}
