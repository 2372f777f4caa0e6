/*
 * test_pages.c: the decision of src/pages.c, whether each list page's
 * next page is among the inputs: by the request URL's marker and
 * listing, else by the first image following the marker image in the
 * listing's order (created_at to the fraction, then id), unknown where a
 * page without request URL cannot be placed, missing otherwise (a
 * warning, or a reject when strict).
 */
#include "config.h"

#include <stdlib.h>

#include "pages.h"
#include "t.h"

#define A	"aaaaaaaa-0000-4000-8000-000000000001"
#define B	"aaaaaaaa-0000-4000-8000-000000000002"
#define C	"aaaaaaaa-0000-4000-8000-000000000003"

static char	 msgs[2048];
static enum page_next got[8];
static char	 got_found[8][16];	/* the file of the page found */
static int	 ngot;

static void	sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static enum rc	cb(void *, const struct page *, enum page_next,
		    const struct page *);
static struct page first_page(const char *url);
static struct page page_of(const char *file, const char *url,
		    const char *marker, const char *first,
		    const char *created);
static void	decide(struct page *, size_t, int);
static void	test_found_by_marker(void);
static void	test_marker_of_another_listing(void);
static void	test_found_by_content(void);
static void	test_content_times_and_ids(void);
static void	test_unknown_and_missing(void);
static void	test_strict_reject(void);

static void
sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	size_t n = strlen(msgs);

	(void)arg;
	snprintf(msgs + n, sizeof msgs - n, "%s%s:%s: %s\n",
	    kind == DIAG_WARN ? "warning " : kind == DIAG_REJECT ?
	    "reject " : "", file, pos, msg);
}

static enum rc
cb(void *arg, const struct page *p, enum page_next next,
    const struct page *found)
{
	(void)arg;
	(void)p;
	if (ngot < 8) {
		got[ngot] = next;
		snprintf(got_found[ngot], sizeof got_found[ngot], "%s",
		    found != NULL ? found->v[PG_FILE] : "");
		ngot++;
	}
	return RC_OK;
}

/* Page 1 of a v2.1 detail listing: A and B, next marker B. */
static struct page
first_page(const char *url)
{
	struct page p = { 0 };

	p.v[PG_FILE] = "p1";
	p.v[PG_POS] = "0";
	p.v[PG_URL] = url;
	p.v[PG_API] = "v2.1";
	p.v[PG_LISTING] = url != NULL ? "v2.1 detail" : NULL;
	p.v[PG_NEXT] = "http://n/v2.1/p/images/detail?marker=" B;
	p.v[PG_NEXT_URL] = p.v[PG_NEXT];
	p.v[PG_NEXT_LISTING] = "v2.1 detail";
	p.v[PG_NEXT_MARKER] = B;
	p.v[PG_FIRST_ID] = A;
	p.v[PG_FIRST_CREATED] = "2020-01-03T00:00:00Z";
	p.v[PG_LAST_ID] = B;
	p.v[PG_LAST_CREATED] = "2020-01-02T00:00:00Z";
	p.items = 2;
	p.newest_first = 1;
	return p;
}

/* A last page: one image, requested with marker (url) or not. */
static struct page
page_of(const char *file, const char *url, const char *marker,
    const char *first, const char *created)
{
	struct page p = { 0 };

	p.v[PG_FILE] = file;
	p.v[PG_POS] = "0";
	p.v[PG_URL] = url;
	p.v[PG_API] = "v2.1";
	p.v[PG_LISTING] = url != NULL ? "v2.1 detail" : NULL;
	p.v[PG_MARKER] = marker;
	p.v[PG_FIRST_ID] = p.v[PG_LAST_ID] = first;
	p.v[PG_FIRST_CREATED] = p.v[PG_LAST_CREATED] = created;
	p.items = first != NULL;
	p.newest_first = 1;
	return p;
}

static void
decide(struct page *p, size_t n, int strict)
{
	struct pages *ps = pages_new();
	struct diag d;

	diag_init(&d, sink, NULL);
	msgs[0] = '\0';
	ngot = 0;
	for (size_t i = 0; i < n; i++)
		pages_add(ps, &p[i]);
	T_INT(pages_decide(ps, &d, strict, cb, NULL), RC_OK, "decide");
	T_INT(pages_counts(ps)->pages, n, "pages counted");
	pages_free(ps);
}

static void
test_found_by_marker(void)
{
	struct page p[2];

	p[0] = first_page("/v2.1/p/images/detail?limit=2");
	p[1] = page_of("p2", "/v2.1/p/images/detail?marker=" B, B, C, NULL);
	decide(p, 2, 0);
	T_INT(got[0], PAGE_FOUND, "marker: found");
	T_STR(got_found[0], "p2", "marker: the page found");
	T_INT(got[1], PAGE_LAST, "marker: the last page has no next");
	T_STR(msgs, "", "marker: nothing said");
}

static void
test_marker_of_another_listing(void)
{
	struct page p[2];

	p[0] = first_page("/v2.1/p/images/detail?limit=2");
	p[1] = page_of("p2", "/v2.1/p/images?marker=" B, B, C, NULL);
	p[1].v[PG_LISTING] = "v2.1 list";
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, "list page with the marker: missing");
	T_STR(msgs, "warning p1:0: the next page of this list is not among "
	    "the inputs: capture http://n/v2.1/p/images/detail?marker=" B
	    "\n", "list page with the marker: the warning");
}

static void
test_found_by_content(void)
{
	struct page p[2];

	p[0] = first_page(NULL);
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-01T00:00:00Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_FOUND, "older first image: found");
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-04T00:00:00Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, "newer first image: missing");
	p[1] = page_of("p2", NULL, NULL, B, "2020-01-02T00:00:00Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, "starts with the marker image: missing");
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-01T00:00:00Z");
	p[1].v[PG_API] = "v2";
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, "another API's page: missing");
	p[0].newest_first = 0;
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-01T00:00:00Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_UNKNOWN, "another order: unknown");
}

static void
test_content_times_and_ids(void)
{
	struct page p[2];

	p[0] = first_page(NULL);
	p[0].v[PG_LAST_CREATED] = "2020-01-02T00:00:00Z";
	/* .5 is later than .0 though "." sorts before "Z" */
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-02T00:00:00.5Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, "half a second later: missing");
	p[0].v[PG_LAST_CREATED] = "2020-01-02T00:00:00.25Z";
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-02T00:00:00.250Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, ".25 and .250, the greater id: missing");
	p[1] = page_of("p2", NULL, NULL, A, "2020-01-02T00:00:00.250Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_FOUND, ".25 and .250, the lesser id: found");
	p[1] = page_of("p2", NULL, NULL, C, "2020-01-02T00:00:00.2Z");
	decide(p, 2, 0);
	T_INT(got[0], PAGE_FOUND, ".2 before .25: found");
}

static void
test_unknown_and_missing(void)
{
	struct page p[3];

	p[0] = first_page("/v2.1/p/images/detail?limit=2");
	decide(p, 1, 0);
	T_INT(got[0], PAGE_MISSING, "alone: missing");
	p[1] = page_of("p2", NULL, NULL, C, NULL);
	decide(p, 2, 0);
	T_INT(got[0], PAGE_UNKNOWN, "an undated page without URL: unknown");
	T_STR(msgs, "", "unknown: nothing said");
	p[1] = page_of("p2", NULL, NULL, NULL, NULL);
	decide(p, 2, 0);
	T_INT(got[0], PAGE_UNKNOWN, "an empty page without URL: unknown");
	p[1] = page_of("p2", "/v2.1/p/images/detail?marker=" A, A, C, NULL);
	decide(p, 2, 0);
	T_INT(got[0], PAGE_MISSING, "another marker: missing");
}

static void
test_strict_reject(void)
{
	struct page p[1];

	p[0] = first_page(NULL);
	decide(p, 1, 1);
	T_STR(msgs, "reject p1:0: the next page of this list is not among "
	    "the inputs: capture http://n/v2.1/p/images/detail?marker=" B
	    "\n", "strict: a reject");
}

int
main(void)
{
	test_found_by_marker();
	test_marker_of_another_listing();
	test_found_by_content();
	test_content_times_and_ids();
	test_unknown_and_missing();
	test_strict_reject();
	return t_done();
}
