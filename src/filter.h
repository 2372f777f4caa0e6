/*
 * filter.h: the deprecated APIs' own query parameters, applied to merged
 * records with Glance's semantics (DESIGN.md section 4):
 *   name, status, visibility, container-format, disk-format	equality
 *   size-min, size-max						inclusive bytes
 *   changes-since		updated_at strictly later (deleted included)
 *   min-ram, min-disk		equality, as Glance matched them
 *   property KEY=VALUE		Glance v1's property-KEY; repeatable
 * A record whose field is null does not match a filter on that field.
 * Several filters combine with AND.
 *
 * Ownership: filter_add copies its arguments; filter_free(NULL) is a no-op.
 */
#ifndef IMGMETA_FILTER_H
#define IMGMETA_FILTER_H

#include "record.h"

struct filter;

struct filter *filter_new(void);
void	filter_free(struct filter *);
/* name is the option's name without dashes ("size-min"). Returns -1 with
 * *why set (static text) when the name is unknown or the value is bad. */
int	filter_add(struct filter *, const char *name, const char *value,
	    const char **why);
int	filter_empty(const struct filter *);
int	filter_match(const struct filter *, const struct record *);
/* Orders two canonical timestamps (fractions compared as numbers). */
int	filter_time_cmp(const char *, const char *);

#endif
