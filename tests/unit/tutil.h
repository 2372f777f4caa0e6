/*
 * tutil.h: helpers that several unit tests share: a file read whole, and
 * an observation built from field=value pairs.
 */
#ifndef IMGMETA_TUTIL_H
#define IMGMETA_TUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "util.h"

/* The whole of file p as a string (caller frees), or NULL when it cannot
 * be opened. */
static inline char *
tu_slurp(const char *p)
{
	FILE *f = fopen(p, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_add(&b, "", 0);
	return buf_detach(&b);
}

/*
 * An observation in r (initialised here): the id, one source (file, at
 * "0", api and call unless NULL, date), then the pairs in ap up to a
 * NULL name: a field's name and its value, or "p:KEY" and a property's.
 */
static inline void
tu_obs(struct record *r, const char *id, const char *file, const char *api,
    const char *call, const char *date, va_list ap)
{
	struct source *s;
	const char *k, *v;

	record_init(r);
	record_set_raw(r, F_ID, id);
	s = record_add_source(r);
	source_set(s, S_FILE, file);
	source_set(s, S_AT, "0");
	if (api != NULL)
		source_set(s, S_API, api);
	if (call != NULL)
		source_set(s, S_CALL, call);
	source_set(s, S_DATE, date);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (strncmp(k, "p:", 2) == 0)
			record_prop_set(r, k + 2, v);
		else
			record_set_raw(r, (enum field)field_lookup(k), v);
	}
}

/* tu_obs for a Glance v1 HEAD observation. */
static inline void
tu_head_obs(struct record *r, const char *id, const char *file,
    const char *date, ...)
{
	va_list ap;

	va_start(ap, date);
	tu_obs(r, id, file, "v1", "head", date, ap);
	va_end(ap);
}

#endif
