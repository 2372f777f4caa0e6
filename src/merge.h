/*
 * merge.h: groups observations by image id and folds them into records
 * (DESIGN.md section 3, "Merge").
 *
 * Observations are stored in sorted runs (in a scratch file in $TMPDIR
 * when they outgrow a buffer of 16 MiB), so the number of images is not
 * bounded by memory. merge_fold reads them back in id order; the
 * observations of one id are taken oldest first: by Date (none before
 * any), then run, then input order (the order of merge_add). A later
 * observation overwrites the fields it carries; a null never erases a
 * value; properties merge key by key. Two different
 * non-null values are a conflict: the later wins and the conflict is
 * reported (DIAG_CONFLICT) naming the field, both values and both sources.
 */
#ifndef IMGMETA_MERGE_H
#define IMGMETA_MERGE_H

#include "diag.h"
#include "record.h"

struct merge;

struct conflict {
	const char		*id;
	const char		*field;		/* field name or "properties.KEY" */
	const char		*old_value;
	const char		*new_value;
	const struct source	*old_src;
	const struct source	*new_src;
};

/* The run number of this run's observations; earlier runs (kept in an
 * existing SQLite output) have smaller numbers and come first. */
#define MERGE_RUN_CURRENT	(1 << 30)

struct merge *merge_new(struct diag *);
void	 merge_free(struct merge *);
/* Stores one observation (must have an id and one source); run orders
 * batches (0 for this run's inputs). The record is left unchanged. */
enum rc	 merge_add(struct merge *, const struct record *obs, int run);
/*
 * The same in two steps, so that the packing can happen on another
 * thread: merge_pack appends the stored form of obs to a buffer, and
 * merge_add_packed stores such a form with obs's id and its source's
 * date. merge_unpack turns a stored form back into a record (initialises
 * it); -1 when it is damaged.
 */
void	 merge_pack(struct buf *, const struct record *obs);
enum rc	 merge_add_packed(struct merge *, const char *id, const char *date,
	    const void *packed, size_t len, int run);
int	 merge_unpack(struct record *, const void *packed, size_t len);
/* Optional: called for each conflict, besides the report. */
void	 merge_on_conflict(struct merge *,
	    void (*)(void *, const struct conflict *), void *);
/* Calls cb(arg, id) once for each distinct id stored so far, in id order. */
enum rc	 merge_each_id(struct merge *, enum rc (*cb)(void *, const char *),
	    void *arg);
/* Calls cb with each merged record in id order (properties sorted).
 * obs_cb (may be NULL) first sees each observation of that record, in
 * fold order, with its run; alone is 1 when it is the record's only one
 * (the record is then that observation). */
enum rc	 merge_fold(struct merge *,
	    enum rc (*cb)(void *arg, const struct record *),
	    enum rc (*obs_cb)(void *arg, const struct record *obs, int run,
		int alone),
	    void *arg);
/* One observation as the store holds it: packed (merge_pack), the run
 * it was added with, and its id (as merge_each gives it; merge_fold_id
 * does not read it). */
struct merge_obs {
	const void		*data;
	size_t			 len;
	unsigned		 run;
	const char		*id;
};
/* Every observation in fold order (id, then date, then run, then the
 * order of adding): cb sees each, valid until the next, with newid set
 * when its id is not the one before's (the first's is new). */
enum rc	 merge_each(struct merge *, enum rc (*cb)(void *arg, int newid,
	    const struct merge_obs *), void *arg);
/* The fold of one id's n observations, in fold order, on any thread:
 * obs_cb sees each (alone: the record's only one), conflicts go to d
 * and oncf (may be NULL), cb sees the record. merge_fold folds each id
 * the same way as merge_each gives its observations, with the merge's
 * diag and conflict hook. */
enum rc	 merge_fold_id(const struct merge_obs *, size_t n, struct diag *d,
	    void (*oncf)(void *, const struct conflict *), void *oncf_arg,
	    enum rc (*cb)(void *arg, const struct record *),
	    enum rc (*obs_cb)(void *arg, const struct record *obs, int run,
		int alone),
	    void *arg);
/* Folds a list of observations already in order: the merge rule alone,
 * for unit tests and for merge_fold. */
void	 merge_fold_one(struct record *acc, const struct record *obs,
	    struct diag *, void (*oncf)(void *, const struct conflict *),
	    void *oncf_arg);

#endif
