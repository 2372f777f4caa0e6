/*
 * pages.h: the pages of paged lists, and whether each next page is among
 * the inputs.
 *
 * A reader that knows a list call's paging (formats/: which key holds
 * the next link, which query parameter is the marker) describes each
 * list page it reads as a struct page; the engine (src/read.c) adds what
 * any list has (how many items, the first and last observation's id and
 * created_at) and reports it through diag_page. main.c collects the
 * pages in input order (whatever -j is: work.c replays them in place)
 * and, once every input is read, pages_decide tells for each page that
 * announces a next page whether that page is among the inputs:
 *
 *  - found: a page whose captured request URL has the next link's
 *    listing and marker; else a page of the same API captured without
 *    its request URL whose first image follows the marker image in the
 *    listing's order (newest created_at first, then the greater id; only
 *    where the reader says the listing is in that order);
 *  - unknown: not found, but a page of the same API was captured without
 *    its request URL and its place cannot be told (its first image, or
 *    the marker image, has no created_at, or the listing is in another
 *    order): it may be the next page;
 *  - missing: neither: no input can be the next page.
 *
 * The reader sets PG_API to PG_NEXT_MARKER (reader.h), the engine the
 * rest. Ownership: the strings of a struct page handed to diag_page are
 * borrowed for the call; pages_add copies them.
 */
#ifndef IMGMETA_PAGES_H
#define IMGMETA_PAGES_H

#include <stdint.h>

#include "diag.h"

/* A page's text facts; NULL when unknown or absent. */
enum page_str {
	PG_FILE,		/* the input, as given */
	PG_POS,			/* the response's position in it */
	PG_URL,			/* the request URL, when captured */
	PG_API,			/* "v2.1", "v2": pages of one API match */
	PG_LISTING,		/* which listing the request URL names
				   (reader's text, e.g. "v2.1 detail") */
	PG_MARKER,		/* the marker the page was requested with */
	PG_NEXT,		/* the next link as the page gives it */
	PG_NEXT_URL,		/* the URL to capture for the next page */
	PG_NEXT_LISTING,	/* the listing the next link names */
	PG_NEXT_MARKER,		/* the next link's marker */
	PG_FIRST_ID,		/* the first and last item's id and */
	PG_FIRST_CREATED,	/* created_at (the engine's) */
	PG_LAST_ID,
	PG_LAST_CREATED,
	PG__COUNT
};

struct page {
	const char	*v[PG__COUNT];
	uint64_t	 items;		/* observations the page gave */
	int		 newest_first;	/* listed by created_at, newest
					   first, then id (the default
					   order of Nova and Glance) */
};

enum page_next {
	PAGE_LAST,		/* no next link */
	PAGE_FOUND,
	PAGE_MISSING,
	PAGE_UNKNOWN
};

struct pages;

struct pages_counts {
	uint64_t	pages;		/* list pages read */
	uint64_t	with_next;	/* of which announce a next page */
	uint64_t	missing;
	uint64_t	unknown;
};

/* Called for each page, in input order, with its decision and, when
 * found, the page found (else NULL). */
typedef enum rc (*pages_cb)(void *arg, const struct page *,
    enum page_next, const struct page *found);

struct pages	*pages_new(void);
void		 pages_free(struct pages *);
void		 pages_add(struct pages *, const struct page *);
/*
 * Decides every page's next page; reports each missing one through d,
 * as a warning, or as a reject when strict; then hands every page to cb
 * (may be NULL). Returns RC_FATAL when cb did.
 */
enum rc		 pages_decide(struct pages *, struct diag *, int strict,
		    pages_cb cb, void *arg);
const struct pages_counts *pages_counts(const struct pages *);
/* The name of a decision: "found", "missing", "unknown", or NULL. */
const char	*pages_next_name(enum page_next);

#endif
