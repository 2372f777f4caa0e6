/*
 * tutil.h: helpers that several unit tests share: a file read whole.
 */
#ifndef IMGMETA_TUTIL_H
#define IMGMETA_TUTIL_H

#include <stdio.h>

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

#endif
