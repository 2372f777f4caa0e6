/*
 * diag.h: diagnostics and counts.
 *
 * Modules never print. They report through a struct diag, which counts the
 * report by kind and hands it to a sink that main.c installs (and prints as
 * "imgmeta: FILE:POSITION: message"). Functions that can fail return an
 * enum rc; the message explaining a failure has been reported already.
 */
#ifndef IMGMETA_DIAG_H
#define IMGMETA_DIAG_H

#include <stdint.h>
#include "util.h"

/* Graded return codes. */
enum rc {
	RC_OK = 0,
	RC_WARN = 1,	/* done, with a warning reported */
	RC_SKIP = 2,	/* this observation/response rejected, go on */
	RC_FATAL = 3	/* stop the run (exit 2) */
};

enum diag_kind {
	DIAG_NOTE,	/* informational, not counted */
	DIAG_WARN,	/* kept the data, but something was odd */
	DIAG_REJECT,	/* an observation or a response was not kept */
	DIAG_NON2XX,	/* a response with a status other than 2xx */
	DIAG_CONFLICT,	/* two sources disagree on a value */
	DIAG_ERROR	/* fatal: the run stops (exit 2) */
};

struct diag_counts {
	uint64_t inputs;	/* files read */
	uint64_t duplicates;	/* of which the same bytes as one read
				   earlier (this run or one before): not
				   read again */
	uint64_t bytes;		/* bytes read (after decompression) */
	uint64_t responses;	/* responses found in captures */
	uint64_t observations;	/* observations kept */
	uint64_t records;	/* records written */
	uint64_t filtered;	/* records left out by filters */
	uint64_t rejects;	/* DIAG_REJECT + DIAG_NON2XX */
	uint64_t non2xx;	/* DIAG_NON2XX alone */
	uint64_t conflicts;
	uint64_t warnings;
	uint64_t errors;
	/* list pages (pages.h), decided once every input is read */
	uint64_t pages;		/* list pages read */
	uint64_t pages_next;	/* of which announce a next page */
	uint64_t pages_missing;	/* whose next page is not an input */
	uint64_t pages_unknown;	/* whose next page cannot be told */
};

typedef void (*diag_sink)(void *arg, enum diag_kind, const char *file,
    const char *pos, const char *msg);

/* A list page a reader read (pages.h): a fact, not a message, that
 * travels with the messages in input order. */
struct page;
typedef void (*diag_page_sink)(void *arg, const struct page *);

struct diag {
	struct diag_counts	 n;
	diag_sink		 sink;		/* may be NULL: only count */
	void			*sink_arg;
	diag_page_sink		 page_sink;	/* may be NULL: dropped */
	void			*page_arg;
};

void	diag_init(struct diag *, diag_sink, void *);
/* file and pos may be NULL. */
void	diag_report(struct diag *, enum diag_kind, const char *file,
	    const char *pos, const char *fmt, ...) PRINTFLIKE(5, 6);
void	diag_vreport(struct diag *, enum diag_kind, const char *file,
	    const char *pos, const char *fmt, va_list) PRINTFLIKE(5, 0);
/* Adds the counts n to to. */
void	diag_counts_add(struct diag_counts *to, const struct diag_counts *n);
/* A report kept to be said later by another thread (work.c, fold.c),
 * appended to b as a sink sees it; diag_say_kept hands the one at *p
 * (advanced) to d's sink, uncounted: the counts travel apart. */
void	diag_keep(struct buf *b, enum diag_kind, const char *file,
	    const char *pos, const char *msg);
void	diag_say_kept(struct diag *d, const char **p);
/* Hands a page to the page sink, if any (diag_init sets none). */
void	diag_page(struct diag *, const struct page *);

#endif
