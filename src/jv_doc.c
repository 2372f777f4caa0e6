/*
 * jv_doc.c: where views live (jv.h): the array of a view's entries, used
 * by both of jv_parse's parsers (jv.c, jv_simd.cc).
 */
#include "config.h"

#include <stdlib.h>

#include "jv.h"
#include "util.h"

void
jv_doc_reset(struct jv_doc *d)
{
	d->n = 0;
	json_decref(d->held);
	d->held = NULL;
}

void
jv_doc_free(struct jv_doc *d)
{
	jv_doc_reset(d);
	free(d->v);
	d->v = NULL;
	d->cap = 0;
}

size_t
jv_doc_push(struct jv_doc *d)
{
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 64 : d->cap * 2;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	d->v[d->n] = (struct jv){ .type = JV_NULL, .span = 1 };
	return d->n++;
}
