/*
 * fold.h: the fold on several threads, for a writer whose text can be
 * made apart from its output (writer.h: fmt_new, fmt_write, put).
 *
 * The calling thread reads the merge's observations in fold order
 * (merge_each) and hands them, whole ids at a time, in chunks to worker
 * threads. A worker folds each id of its chunk (merge_fold_id), filters
 * the record and makes its text with a formatter of its own, keeping in
 * the chunk, in their place, the conflicts it reports. The calling
 * thread takes the chunks back in order, says the conflicts, hands the
 * text to the writer's put and counts records, filtered records and
 * conflicts: the output, the messages and their order, and the counts
 * are what the fold on one thread gives. Memory holds a few chunks per
 * thread.
 */
#ifndef IMGMETA_FOLD_H
#define IMGMETA_FOLD_H

#include "diag.h"
#include "filter.h"
#include "merge.h"
#include "writer.h"

/*
 * Folds, filters (filter may be NULL) and writes every record on
 * nthreads workers, calling tick (may be NULL) after each chunk. RC_SKIP
 * when the writer cannot make its text apart in this run (nothing
 * done: fold on one thread), RC_FATAL when a write failed (reported),
 * else RC_OK.
 */
enum rc	fold_run(struct merge *, unsigned nthreads, struct writer *,
	    const struct filter *, struct diag *, void (*tick)(void *),
	    void *tick_arg);

#endif
