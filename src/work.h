/*
 * work.h: reads the inputs on several threads (-j N), with the result of
 * reading them on one.
 *
 * The inputs are listed first (input_list: the walk's own reports are
 * kept in their place). N worker threads then take the files in that
 * order and read them (capture, read), each with its own struct diag:
 * observations are packed (merge_pack) and reports kept as text, in
 * chunks of a few hundred kilobytes. The calling thread takes the chunks
 * back strictly in input order and, for each entry in turn, hands the
 * observation to obs(), the report to the diag's sink or the list page
 * to its page sink (diag_page), and adds the
 * chunk's counts to the diag. What the caller sees (observations, the
 * order of messages, counts) is what reading the files one after another
 * on one thread would give, so outputs are identical; only time differs.
 *
 * Memory is bounded: a worker waits when the file it reads has a few
 * chunks waiting, and workers stay within a window of files ahead of
 * the one the caller is taking.
 */
#ifndef IMGMETA_WORK_H
#define IMGMETA_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* One observation in the stored form of merge_pack, with its id and the
 * date of its (only) source (NULL when none). */
typedef enum rc (*work_obs_cb)(void *arg, const char *id, const char *date,
    const void *packed, size_t len);

/*
 * A file begins, once its digest is known (stream_sha256, stream_size),
 * before anything it says: RC_SKIP drops everything it would say (a
 * duplicate), RC_FATAL stops the run. It ends (called only when it
 * began and was not dropped) after the last thing it says.
 */
typedef enum rc (*work_begin_cb)(void *arg, const char *name,
    const char *sha256, uint64_t size);
typedef void (*work_end_cb)(void *arg);

struct work_cbs {
	work_obs_cb	 obs;
	work_begin_cb	 begin;		/* may be NULL */
	work_end_cb	 end;		/* may be NULL */
	void		(*progress)(void *);	/* may be NULL */
};

/*
 * Reads the inputs (as input_walk would) on nthreads worker threads
 * (at least 1), calling cbs in input order; progress is called after
 * each chunk.
 * Returns RC_FATAL when a reader or obs() stopped the run (at that point
 * of the input order, as one thread would have), else RC_OK.
 */
enum rc	work_run(char *const *paths, size_t n, unsigned nthreads,
	    struct diag *, const struct work_cbs *, void *arg);

/* The number of processors online (at least 1): the default of -j. */
unsigned work_cpus(void);

#endif
