/*
 * output.h: an output byte stream that is either complete or absent.
 *
 * output_open("-") writes to standard output. Any other path is written to
 * a temporary file in the same directory, which output_commit renames into
 * place after a flush and fsync; output_abort (or a fatal signal) removes
 * it. With gzip set, the bytes are compressed as a gzip member whose header
 * carries no time stamp and no name, so equal input gives equal bytes
 * (whatever output_threads says: it only says how many threads deflate).
 *
 * Errors (open, write, close, rename) are reported through the diag as
 * DIAG_ERROR naming the path, and return RC_FATAL.
 */
#ifndef IMGMETA_OUTPUT_H
#define IMGMETA_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

struct output;

/* A temporary file is the target's name and this ending (mkstemp's
 * template), and matches the target's name and OUTPUT_TEMP_GLOB. */
#define OUTPUT_TEMP_TEMPLATE	".tmp-XXXXXX"
#define OUTPUT_TEMP_GLOB	".tmp-??????"

struct output *output_open(const char *path, int gzip, struct diag *);
/* gzip: deflate on n threads of their own when n > 1 (before the first
 * write; the bytes are the same). */
void	 output_threads(struct output *, unsigned n);
enum rc	 output_write(struct output *, const void *, size_t);
enum rc	 output_commit(struct output *);	/* frees */
/* Two outputs of one run, both or neither: both written and synced
 * before either is renamed; if the second rename fails, the first
 * target is removed again. Frees both. */
enum rc	 output_commit_both(struct output *, struct output *);
void	 output_abort(struct output *);		/* frees; NULL ok */
/* Removes every temporary file not yet committed (and SQLite's -wal,
 * -shm and -journal beside it); async-signal-safe, and called at exit,
 * so that a fatal error leaves none behind either. */
void	 output_cleanup_signal(void);
/* Syncs the directory of a file just renamed into place, so that the
 * rename survives a power cut. A failure is a warning (the file is in
 * place): RC_WARN. */
enum rc	 output_sync_dir(const char *target, struct diag *);
/* Temporary path beside a target, for writers that make their own file
 * (sqlite): registered so that output_cleanup_signal removes it, and the
 * files named by it and each ending in side (NULL-terminated, or NULL;
 * kept, not copied), which the format may have made beside it. */
char	*output_temp_path(const char *target, const char *const *side);
/* A scratch file for what a run must keep aside (csv columns, compare):
 * created in $TMPDIR (else /tmp) and unlinked at once, open for reading
 * and writing. NULL after reporting (DIAG_ERROR, naming the directory
 * and what it was for). */
FILE	*output_scratch(const char *what, struct diag *);
void	 output_forget_temp(const char *tmp);

/* For tests: when set (before output_open), called by the gzip threads as
 * they go, so that a test can hold one and force an interleaving. slot is
 * the ring slot (of nslots) the thread took or finished. */
enum output_gz_event {
	OUTPUT_GZ_TAKEN,	/* a thread is about to deflate slot */
	OUTPUT_GZ_DEFLATED,	/* and has deflated it, not yet said done */
	OUTPUT_GZ_IDLE		/* a thread finds nothing to take and waits;
				   the ring's lock is held: do not block */
};
extern void (*output_gz_hook)(enum output_gz_event, size_t slot,
    size_t nslots);

#endif
