/*
 * pages.c: collects the list pages of a run and decides, once every
 * input is read, whether each next page is among them (see pages.h).
 *
 * The pages are few (one per list response) and small, so they are kept
 * in an array; the decision compares every page announcing a next page
 * with every page, which is quadratic in pages, not in images.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pages.h"

struct pages_entry {
	struct page		 p;		/* strings owned */
	enum page_next		 next;
	size_t			 found;		/* index, when PAGE_FOUND */
};

struct pages {
	struct pages_entry	*e;
	size_t			 n;
	size_t			 cap;
	struct pages_counts	 c;
};

static int	pages_eq(const char *, const char *);
static int	pages_time_cmp(const char *, const char *);
static int	pages_follows(const struct page *, const struct page *);
static enum page_next pages_find(const struct pages *, size_t, size_t *);

struct pages *
pages_new(void)
{
	return xcalloc(1, sizeof(struct pages));
}

void
pages_free(struct pages *ps)
{
	if (ps == NULL)
		return;
	for (size_t i = 0; i < ps->n; i++)
		for (int k = 0; k < PG__COUNT; k++)
			free((char *)(uintptr_t)ps->e[i].p.v[k]);
	free(ps->e);
	free(ps);
}

void
pages_add(struct pages *ps, const struct page *p)
{
	struct pages_entry *e;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->e = xreallocarray(ps->e, ps->cap, sizeof *ps->e);
	}
	e = &ps->e[ps->n++];
	memset(e, 0, sizeof *e);
	e->p.items = p->items;
	e->p.newest_first = p->newest_first;
	for (int k = 0; k < PG__COUNT; k++)
		e->p.v[k] = p->v[k] != NULL ? xstrdup(p->v[k]) : NULL;
	ps->c.pages++;
	if (p->v[PG_NEXT] != NULL)
		ps->c.with_next++;
}

static int
pages_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Compares two canonical timestamps (RFC 3339 UTC, "...:SS[.fraction]Z"):
 * the whole seconds as text, then the fractions as decimals, since
 * ".5Z" sorts before "Z" as bytes.
 */
static int
pages_time_cmp(const char *a, const char *b)
{
	size_t na = strcspn(a, ".Z"), nb = strcspn(b, ".Z");
	const char *fa, *fb;
	int c;

	if (na != nb)
		return na < nb ? -1 : 1;
	if ((c = strncmp(a, b, na)) != 0)
		return c;
	fa = a[na] == '.' ? a + na + 1 : "";
	fb = b[nb] == '.' ? b + nb + 1 : "";
	/* the fractions digit by digit, a digit past the end being 0 */
	while ((*fa >= '0' && *fa <= '9') || (*fb >= '0' && *fb <= '9')) {
		char da = *fa >= '0' && *fa <= '9' ? *fa++ : '0';
		char db = *fb >= '0' && *fb <= '9' ? *fb++ : '0';

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

/*
 * Does q's first image follow p's marker image (p's last image) in a
 * listing ordered newest created_at first, then by the greater id?
 * 1 yes, 0 no, -1 cannot be told.
 */
static int
pages_follows(const struct page *p, const struct page *q)
{
	const char *mc = p->v[PG_LAST_CREATED], *qc = q->v[PG_FIRST_CREATED];
	int c;

	if (!p->newest_first || !q->newest_first ||
	    !pages_eq(p->v[PG_LAST_ID], p->v[PG_NEXT_MARKER]) || mc == NULL ||
	    qc == NULL || q->v[PG_FIRST_ID] == NULL)
		return -1;
	if ((c = pages_time_cmp(qc, mc)) != 0)
		return c < 0;
	return strcmp(q->v[PG_FIRST_ID], p->v[PG_NEXT_MARKER]) < 0;
}

/* The decision for page i (which has a next link); *found is the page
 * found. */
static enum page_next
pages_find(const struct pages *ps, size_t i, size_t *found)
{
	const struct page *p = &ps->e[i].p;
	int unknown = 0;

	for (size_t k = 0; k < ps->n; k++) {
		const struct page *q = &ps->e[k].p;

		if (k != i && q->v[PG_URL] != NULL &&
		    pages_eq(q->v[PG_MARKER], p->v[PG_NEXT_MARKER]) &&
		    pages_eq(q->v[PG_LISTING], p->v[PG_NEXT_LISTING])) {
			*found = k;
			return PAGE_FOUND;
		}
	}
	for (size_t k = 0; k < ps->n; k++) {
		const struct page *q = &ps->e[k].p;

		if (k == i || q->v[PG_URL] != NULL ||
		    !pages_eq(q->v[PG_API], p->v[PG_API]))
			continue;
		switch (pages_follows(p, q)) {
		case 1:
			*found = k;
			return PAGE_FOUND;
		case -1:
			unknown = 1;
			break;
		default:
			break;
		}
	}
	return unknown ? PAGE_UNKNOWN : PAGE_MISSING;
}

enum rc
pages_decide(struct pages *ps, struct diag *d, int strict, pages_cb cb,
    void *arg)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct pages_entry *e = &ps->e[i];
		const char *url;

		if (e->p.v[PG_NEXT] == NULL) {
			e->next = PAGE_LAST;
			continue;
		}
		e->next = pages_find(ps, i, &e->found);
		if (e->next == PAGE_UNKNOWN)
			ps->c.unknown++;
		if (e->next != PAGE_MISSING)
			continue;
		ps->c.missing++;
		url = e->p.v[PG_NEXT_URL] != NULL ? e->p.v[PG_NEXT_URL] :
		    e->p.v[PG_NEXT];
		diag_report(d, strict ? DIAG_REJECT : DIAG_WARN,
		    e->p.v[PG_FILE], e->p.v[PG_POS], "the next page of this "
		    "list is not among the inputs: capture %s", url);
	}
	for (size_t i = 0; cb != NULL && i < ps->n; i++) {
		const struct pages_entry *e = &ps->e[i];

		if (cb(arg, &e->p, e->next, e->next == PAGE_FOUND ?
		    &ps->e[e->found].p : NULL) == RC_FATAL)
			return RC_FATAL;
	}
	return RC_OK;
}

const struct pages_counts *
pages_counts(const struct pages *ps)
{
	return &ps->c;
}

const char *
pages_next_name(enum page_next n)
{
	switch (n) {
	case PAGE_FOUND:
		return "found";
	case PAGE_MISSING:
		return "missing";
	case PAGE_UNKNOWN:
		return "unknown";
	case PAGE_LAST:
		break;
	}
	return NULL;
}
