/*
 * response.c: the response type (response.h): its headers, looked up and
 * added, and its body, read through the capture that made it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"
#include "util.h"

const struct header *
response_header(const struct response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (ascii_casecmp(r->headers[i].name, name) == 0)
			return &r->headers[i];
	return NULL;
}

ssize_t
response_body_read(struct response *r, void *buf, size_t size)
{
	if (r->body == NULL)
		return 0;
	return r->body_read(r->body, buf, size);
}

void
response_set_pos(struct response *r, uint64_t offset)
{
	r->offset = offset;
	snprintf(r->pos, sizeof r->pos, "%llu", (unsigned long long)offset);
}

/* The list grows by doubling (its capacity is the next power of two), so
 * that a response of 200,000 header lines costs no more than linear
 * time. */
struct header *
response_header_slot(struct response *r)
{
	size_t n = r->nheaders;

	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
		r->headers = xreallocarray(r->headers, n == 0 ? 4 : n * 2,
		    sizeof *r->headers);
	return &r->headers[r->nheaders++];
}

void
response_clear(struct response *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->proto);
	free(r->method);
	free(r->url);
	memset(r, 0, sizeof *r);
}
