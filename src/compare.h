/*
 * compare.h: imgmeta --compare OLD NEW. Each side is read and merged on
 * its own (the usual pipeline, the filters applied to the merged
 * records), then the two sets of records are matched by id and compared
 * field by field and property by property.
 *
 * The report is JSON Lines, one line per difference, in id order:
 *	{"id": ID, "change": "missing", "name": N}	only in OLD
 *	{"id": ID, "change": "added", "name": N}	only in NEW
 *	{"id": ID, "change": "different", "field": F, "old": V, "new": V}
 *	{"id": ID, "change": "missing", "field": "properties.K", "old": V}
 *	{"id": ID, "change": "added", "field": "properties.K", "new": V}
 * Values are typed as in the json output. With table set, the same
 * differences as a table for a terminal instead (compare_table.h): ID,
 * NAME, FIELD, OLD, NEW; FIELD "(image)" for an image only in OLD or
 * only in NEW ("present" and "(absent)"), "(absent)" for a property one
 * side lacks. Compared are the fields a
 * Glance v2 POST /v2/images can set (name, visibility, protected,
 * container_format, disk_format, min_ram, min_disk) and every property
 * (tags included, as the property "tags"); with all_fields, every field
 * of the record but the sources.
 *
 * Both sides wait in anonymous temporary files (one canonical JSON line
 * per record, in id order), so memory does not grow with the number of
 * images.
 */
#ifndef IMGMETA_COMPARE_H
#define IMGMETA_COMPARE_H

#include <stdint.h>

#include "diag.h"
#include "filter.h"

struct compare_opts {
	const char	*output;	/* "-": standard output */
	int		 gzip;
	int		 all_fields;
	int		 table;		/* --compare-format table */
	int		 strict;	/* a reject: error, no report */
	unsigned	 jobs;		/* reading threads (-j) */
	const struct filter *filter;	/* may be NULL */
};

struct compare_counts {
	uint64_t	old_images;
	uint64_t	new_images;
	uint64_t	same;		/* in both, no difference */
	uint64_t	different;	/* in both, some difference */
	uint64_t	missing;	/* only in OLD */
	uint64_t	added;		/* only in NEW */
	uint64_t	differences;	/* report lines */
	uint64_t	old_conflicts;	/* inside OLD, as it was merged */
	uint64_t	new_conflicts;	/* inside NEW */
	/* every field that differs in some image in both, with the number
	 * of such images, most first (then by name); owned, freed by
	 * compare_counts_free */
	struct compare_field {
		char		*name;	/* "min_ram", "properties.K" */
		uint64_t	 images;
	}		*fields;
	size_t		 nfields;
};

enum compare_result {
	COMPARE_SAME = 0,
	COMPARE_DIFFER = 1,
	COMPARE_ERROR = 2	/* fatal (reported); no report left behind */
};

/* Fills the counts (compare_counts_free them), even on an error. */
enum compare_result compare_run(const struct compare_opts *,
	    const char *old_path, const char *new_path, struct diag *,
	    struct compare_counts *);
void	compare_counts_free(struct compare_counts *);

#endif
