/*
 * filter.h: the deprecated APIs' own query parameters, applied to merged
 * records with Glance's semantics (DESIGN.md section 4):
 *   id, name, status, visibility, container-format, disk-format,
 *   owner			equality
 *   size-min, size-max		inclusive bytes
 *   changes-since		updated_at strictly later (deleted included)
 *   min-ram, min-disk		equality, as Glance matched them
 *   property KEY=VALUE		Glance v1's property-KEY
 * A record whose field is null does not match a filter on that field.
 * Different filters combine with AND. An equality filter given several
 * values matches any of them (OR, as Glance v2's "in:" operator), and so
 * does --property for one KEY (AND across keys); a range filter given
 * twice must hold both times. Matching costs one hash lookup per
 * equality filter, however many values it has.
 *
 * Ownership: filter_add copies its arguments; filter_free(NULL) is a no-op.
 */
#ifndef IMGMETA_FILTER_H
#define IMGMETA_FILTER_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"

struct filter;

struct filter *filter_new(void);
void	filter_free(struct filter *);
/* name is the option's name without dashes ("size-min"). Returns -1 with
 * *why set (static text) when the name is unknown or the value is bad. */
int	filter_add(struct filter *, const char *name, const char *value,
	    const char **why);
/*
 * Adds each line of fp as a value of the filter name (--ids-from): blanks
 * around a value are ignored, blank lines and lines whose first non-blank
 * character is # skipped. 0 at the end of the file; -1 at a bad value,
 * with *lineno its line, *bad a copy of it (the caller frees it) and *why
 * set; -1 with *lineno 0 and *why NULL when fp cannot be read (errno).
 */
int	filter_add_lines(struct filter *, const char *name, FILE *,
	    size_t *lineno, char **bad, const char **why);
int	filter_empty(const struct filter *);
int	filter_match(const struct filter *, const struct record *);
/* Orders two canonical timestamps (fractions compared as numbers). */
int	filter_time_cmp(const char *, const char *);

#endif
