/*
 * merge_store.h: the merge's store of observations, an external sort.
 *
 * Each entry is an id, a date (or none), a run number and bytes the store
 * does not look into (merge.c's packed observation). Entries are kept in
 * a run buffer; a full buffer is sorted and written as one sorted run to
 * a scratch file (output_scratch: $TMPDIR, unlinked), so memory does not
 * grow with the number of entries. Iterating sorts what is still in the
 * buffer and merges it with the runs on disk, each read through a buffer
 * of its own, smallest key first: id (bytes, then length), then date
 * (none first), then run, then the order in which they were added. An
 * inventory that fits one buffer never touches the disk.
 */
#ifndef IMGMETA_MERGE_STORE_H
#define IMGMETA_MERGE_STORE_H

#include <stddef.h>

#include "diag.h"

struct merge_store;
struct merge_store_cursor;

/* One observation in the store, its fields parsed out of its stored
 * form: id (NUL-terminated), date (NULL for none), run, packed record. */
struct merge_store_ent {
	const char		*id;
	size_t			 idlen;
	const char		*date;
	size_t			 datelen;
	unsigned		 run;
	const unsigned char	*data;
	size_t			 len;
	size_t			 seq;		/* input order within its run */
	size_t			 off;		/* its stored form in the buffer */
};

/* The runs being merged: the cursors, and a heap of those not at their
 * end (h[0] the smallest); taken: h[0]'s entry was handed out, and the
 * cursor moves on at the next call. */
struct merge_store_iter {
	struct merge_store_cursor	*c;
	size_t			 nc;
	struct merge_store_cursor	**h;
	size_t			 n;
	int			 taken;
};

/* The run buffer's size is read from IMGMETA_TEST_MERGE_RUN_BYTES when
 * set (the test suite's way to make a small input spill). */
struct merge_store *merge_store_new(struct diag *);
void	 merge_store_free(struct merge_store *);		/* NULL ok */
/* Adds one entry (its bytes copied); RC_FATAL when a full buffer could
 * not be written out (reported). */
enum rc	 merge_store_add(struct merge_store *, const char *id,
	    const char *date, const void *data, size_t len, int run);
/* Every entry so far, in order: open (RC_FATAL reported; close it all
 * the same), then next gives each entry (valid until the next call): 1,
 * or 0 at the end, -1 on an error (reported). Entries added meanwhile
 * are seen by the next iteration. */
enum rc	 merge_store_iter_open(struct merge_store *, struct merge_store_iter *);
int	 merge_store_iter_next(struct merge_store *, struct merge_store_iter *,
	    const struct merge_store_ent **);
void	 merge_store_iter_close(struct merge_store_iter *);

/* The varint of the stored forms (7 bits a byte, low bits first, the high
 * bit set on all bytes but the last): writes n into x (5 bytes at most),
 * returns its length; reads one at *p (advanced), -1 past end or when it
 * is malformed or above UINT32_MAX. */
size_t	 merge_store_varint(unsigned char *x, size_t n);
int	 merge_store_unvarint(const unsigned char **p, const unsigned char *end,
	    size_t *n);

#endif
