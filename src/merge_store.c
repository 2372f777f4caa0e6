/*
 * merge_store.c: the external sort that holds the merge's observations
 * (merge_store.h).
 *
 * It replaced a temporary SQLite table read back with ORDER BY: SQLite
 * copied each entry into its table and again into its sorter's files,
 * and sorted everything only when the fold asked for the first row; here
 * a run is sorted and written while the inputs are still being read, and
 * the iteration starts at once.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "merge_store.h"
#include "output.h"
#include "util.h"

#define MERGE_RUN_BYTES		(16u << 20)
/* The test suite's way to make a small input spill: run bytes (read by
 * merge_store_new). */
#define MERGE_RUN_BYTES_ENV	"IMGMETA_TEST_MERGE_RUN_BYTES"
/* the read buffer of each run on disk while merging: this much in all,
 * within these bounds each */
#define MERGE_READ_BYTES	(8u << 20)
#define MERGE_READ_MIN		(64u << 10)
#define MERGE_READ_MAX		(1u << 20)

/* An entry's place in the sort: its id's first bytes, its index. */
struct merge_store_key {
	uint64_t		 k;
	size_t			 i;
};

/* A sorted run on disk: where it starts in the scratch file, its bytes. */
struct merge_store_run {
	off_t			 off;
	off_t			 len;
};

/* One run being merged: the buffer's sorted entries, or a run on disk
 * read through buf. cur is its smallest entry not taken yet. */
struct merge_store_cursor {
	struct merge_store_ent	 cur;
	size_t			 order;		/* runs in input order */
	const struct merge_store_ent *ents;	/* the buffer's run */
	size_t			 i, n;
	off_t			 pos, end;	/* a run on disk */
	unsigned char		*buf;
	size_t			 cap, have, at;
};

struct merge_store {
	struct diag		*diag;
	unsigned char		*runbuf;	/* the run being filled */
	size_t			 runcap, runlen;
	size_t			 runmax;	/* MERGE_RUN_BYTES, or a test's */
	struct merge_store_ent	*ents;
	size_t			 nents, capents;
	FILE			*scratch;	/* the sorted runs; NULL: none */
	off_t			 scratchlen;
	struct merge_store_run	*runs;
	size_t			 nruns, capruns;
};

static size_t	merge_store_get_u32(const unsigned char *);
static void	merge_store_put_u32(unsigned char *, size_t);
static int	merge_store_parse(const unsigned char *, size_t,
		    struct merge_store_ent *);
static int	merge_store_cmp(const struct merge_store_ent *,
		    const struct merge_store_ent *);
static int	merge_store_sort_cmp(const void *, const void *);
static uint64_t	merge_store_prefix(const struct merge_store_ent *);
static void	merge_store_sort(struct merge_store *);
static enum rc	merge_store_spill(struct merge_store *);
static enum rc	merge_store_ioerr(struct merge_store *, const char *);
static int	merge_store_advance(struct merge_store *,
		    struct merge_store_cursor *);
static int	merge_store_before(const struct merge_store_cursor *,
		    const struct merge_store_cursor *);
static void	merge_store_sift(struct merge_store_cursor **, size_t, size_t);

struct merge_store *
merge_store_new(struct diag *d)
{
	struct merge_store *m = xcalloc(1, sizeof *m);
	const char *e = getenv(MERGE_RUN_BYTES_ENV);

	m->diag = d;
	m->runmax = MERGE_RUN_BYTES;
	if (e != NULL && *e != '\0')
		m->runmax = (size_t)strtoull(e, NULL, 10);
	return m;
}

void
merge_store_free(struct merge_store *m)
{
	if (m == NULL)
		return;
	if (m->scratch != NULL)
		fclose(m->scratch);
	free(m->runbuf);
	free(m->ents);
	free(m->runs);
	free(m);
}

/* Reads a length; returns -1 past the end or when it is malformed. */
int
merge_store_unvarint(const unsigned char **p, const unsigned char *end,
    size_t *n)
{
	size_t v = 0;

	for (int shift = 0; shift < 35; shift += 7) {
		unsigned char c;

		if (*p >= end)
			return -1;
		c = *(*p)++;
		v |= (size_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0) {
			*n = v;
			return v <= UINT32_MAX ? 0 : -1;
		}
	}
	return -1;
}

/*
 * An entry's stored form, in the run buffer and in a run on disk alike:
 * the length of what follows (4 bytes, low first); the id's length (a
 * varint, as in the packed form), the id and a NUL; the date as a string
 * of the packed form (0 for none); the run (a varint); the packed
 * observation, to the end.
 */
size_t
merge_store_varint(unsigned char *x, size_t n)
{
	size_t k = 0;

	do {
		x[k] = (unsigned char)(n & 0x7f);
		n >>= 7;
		if (n != 0)
			x[k] |= 0x80;
		k++;
	} while (n != 0);
	return k;
}

static size_t
merge_store_get_u32(const unsigned char *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
	    (size_t)p[3] << 24;
}

static void
merge_store_put_u32(unsigned char *p, size_t n)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(n >> (8 * i) & 0xff);
}

/* An entry from its stored form (after the length); -1 if damaged. */
static int
merge_store_parse(const unsigned char *p, size_t len,
    struct merge_store_ent *e)
{
	const unsigned char *end = p + len;
	size_t n;

	if (merge_store_unvarint(&p, end, &n) != 0 || (size_t)(end - p) < n + 1 ||
	    p[n] != '\0')
		return -1;
	e->id = (const char *)p;
	e->idlen = n;
	p += n + 1;
	if (merge_store_unvarint(&p, end, &n) != 0 || (n > 0 &&
	    (size_t)(end - p) < n - 1))
		return -1;
	e->date = n > 0 ? (const char *)p : NULL;
	e->datelen = n > 0 ? n - 1 : 0;
	p += e->datelen;
	if (merge_store_unvarint(&p, end, &n) != 0)
		return -1;
	e->run = (unsigned)n;
	e->data = p;
	e->len = (size_t)(end - p);
	return 0;
}

enum rc
merge_store_add(struct merge_store *m, const char *id, const char *date,
    const void *data, size_t len, int run)
{
	size_t idlen = strlen(id), datelen = date != NULL ? strlen(date) : 0;
	unsigned char x[5], *p;
	size_t need, body;
	struct merge_store_ent *e;

	if (run < 0)
		fatal("merge_store_add: negative run");
	if (idlen > UINT32_MAX / 4 || datelen > UINT32_MAX / 4 ||
	    len > UINT32_MAX / 4)
		fatal("observation too large for the merge store");
	body = merge_store_varint(x, idlen) + idlen + 1 +
	    merge_store_varint(x, date != NULL ? datelen + 1 : 0) + datelen +
	    merge_store_varint(x, (size_t)run) + len;
	need = 4 + body;
	if (m->runlen + need > m->runmax && m->nents > 0 &&
	    merge_store_spill(m) != RC_OK)
		return RC_FATAL;
	if (m->runlen + need > m->runcap) {
		/* grown (up to runmax, or to hold one larger entry): the
		 * entries point into it, so they are found again */
		size_t cap = m->runcap ? m->runcap : 64 << 10;

		while (cap < m->runlen + need)
			cap *= 2;
		if (cap > m->runmax && m->runlen + need <= m->runmax)
			cap = m->runmax;
		m->runbuf = xrealloc(m->runbuf, cap);
		m->runcap = cap;
		for (size_t i = 0; i < m->nents; i++) {
			e = &m->ents[i];
			if (merge_store_parse(m->runbuf + e->off + 4,
			    merge_store_get_u32(m->runbuf + e->off), e) != 0)
				fatal("merge store: damaged run buffer");
		}
	}
	p = m->runbuf + m->runlen;
	merge_store_put_u32(p, body);
	p += 4;
	p += merge_store_varint(p, idlen);
	memcpy(p, id, idlen + 1);
	p += idlen + 1;
	p += merge_store_varint(p, date != NULL ? datelen + 1 : 0);
	if (datelen > 0)
		memcpy(p, date, datelen);
	p += datelen;
	p += merge_store_varint(p, (size_t)run);
	if (len > 0)
		memcpy(p, data, len);
	if (m->nents == m->capents) {
		m->capents = m->capents ? 2 * m->capents : 1024;
		m->ents = xreallocarray(m->ents, m->capents, sizeof *m->ents);
	}
	e = &m->ents[m->nents];
	if (merge_store_parse(m->runbuf + m->runlen + 4, body, e) != 0)
		fatal("merge store: damaged run buffer");
	e->seq = m->nents++;
	e->off = m->runlen;
	m->runlen += need;
	return RC_OK;
}

/* The sort order: id (bytes, then length, as SQLite's BINARY collation
 * had it), date (none first), run. */
static int
merge_store_cmp(const struct merge_store_ent *a,
    const struct merge_store_ent *b)
{
	size_t n = a->idlen < b->idlen ? a->idlen : b->idlen;
	int c = memcmp(a->id, b->id, n);

	if (c != 0)
		return c;
	if (a->idlen != b->idlen)
		return a->idlen < b->idlen ? -1 : 1;
	if (a->date == NULL || b->date == NULL) {
		if (a->date != b->date)
			return a->date == NULL ? -1 : 1;
	} else {
		n = a->datelen < b->datelen ? a->datelen : b->datelen;
		if ((c = memcmp(a->date, b->date, n)) != 0)
			return c;
		if (a->datelen != b->datelen)
			return a->datelen < b->datelen ? -1 : 1;
	}
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	return 0;
}

/* Within a run, equal keys in input order. */
static int
merge_store_sort_cmp(const void *x, const void *y)
{
	const struct merge_store_ent *a = x, *b = y;
	int c = merge_store_cmp(a, b);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* An entry's id's first 8 bytes as a number that orders as they do
 * (big-endian, zeros past the id's end: an id has no NUL). */
static uint64_t
merge_store_prefix(const struct merge_store_ent *e)
{
	uint64_t k = 0;

	for (size_t i = 0; i < 8; i++)
		k = k << 8 | (i < e->idlen ? (unsigned char)e->id[i] : 0);
	return k;
}

/*
 * The buffer's entries in merge_store_sort_cmp's order: a radix sort of
 * the ids' first 8 bytes (stable, a byte a pass, no call per
 * comparison), then each run of entries whose first 8 bytes are equal
 * by the whole order, and the entries moved once into place.
 */
static void
merge_store_sort(struct merge_store *m)
{
	struct merge_store_key *k, *tmp, *t;
	size_t n = m->nents, i, j;

	if (n < 2)		/* ents is NULL before the first */
		return;
	k = xreallocarray(NULL, n, sizeof *k);
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	for (i = 0; i < n; i++) {
		k[i].k = merge_store_prefix(&m->ents[i]);
		k[i].i = i;
	}
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, at = 0, c;

		for (i = 0; i < n; i++)
			count[k[i].k >> shift & 0xff]++;
		if (count[k[0].k >> shift & 0xff] == n)
			continue;	/* one byte value: nothing moves */
		for (i = 0; i < 256; i++) {
			c = count[i];
			count[i] = at;
			at += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[k[i].k >> shift & 0xff]++] = k[i];
		t = k;
		k = tmp;
		tmp = t;
	}
	/* Into place, cycle by cycle: the entry at k[i].i goes to i (an
	 * entry in place has k[i].i == i). */
	for (i = 0; i < n; i++) {
		struct merge_store_ent e;
		size_t from;

		if (k[i].i == i)
			continue;
		e = m->ents[i];
		for (j = i; (from = k[j].i) != i; j = from) {
			m->ents[j] = m->ents[from];
			k[j].i = j;
		}
		m->ents[j] = e;
		k[j].i = j;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && k[j].k == k[i].k; j++)
			;
		if (j - i > 1)
			qsort(m->ents + i, j - i, sizeof *m->ents,
			    merge_store_sort_cmp);
	}
	free(k);
	free(tmp);
}

static enum rc
merge_store_ioerr(struct merge_store *m, const char *what)
{
	diag_report(m->diag, DIAG_ERROR, NULL, NULL, "merge store: %s: %s",
	    what, strerror(errno));
	return RC_FATAL;
}

/* The buffer, sorted, as one more run at the end of the scratch file;
 * the buffer is empty again. */
static enum rc
merge_store_spill(struct merge_store *m)
{
	struct merge_store_run *r;

	if (m->nents == 0)
		return RC_OK;
	if (m->scratch == NULL &&
	    (m->scratch = output_scratch("the merge store", m->diag)) == NULL)
		return RC_FATAL;
	merge_store_sort(m);
	if (m->nruns == m->capruns) {
		m->capruns = m->capruns ? 2 * m->capruns : 16;
		m->runs = xreallocarray(m->runs, m->capruns, sizeof *m->runs);
	}
	r = &m->runs[m->nruns];
	r->off = m->scratchlen;
	for (size_t i = 0; i < m->nents; i++) {
		const unsigned char *from = m->runbuf + m->ents[i].off;
		size_t n = 4 + merge_store_get_u32(from);

		if (fwrite(from, 1, n, m->scratch) != n)
			return merge_store_ioerr(m, "cannot write a temporary file");
		m->scratchlen += (off_t)n;
	}
	if (fflush(m->scratch) != 0)
		return merge_store_ioerr(m, "cannot write a temporary file");
	r->len = m->scratchlen - r->off;
	m->nruns++;
	m->nents = 0;
	m->runlen = 0;
	return RC_OK;
}

/*
 * The next entry of a cursor into c->cur: 1, or 0 at its end, -1 when the
 * scratch file cannot be read (reported). A run on disk is read through
 * c->buf, grown for an entry larger than it.
 */
static int
merge_store_advance(struct merge_store *m, struct merge_store_cursor *c)
{
	size_t need = 4;

	if (c->ents != NULL) {
		if (c->i == c->n)
			return 0;
		c->cur = c->ents[c->i++];
		return 1;
	}
	for (;;) {
		if (c->have - c->at >= 4) {
			need = 4 + merge_store_get_u32(c->buf + c->at);
			if (c->have - c->at >= need)
				break;
		}
		if (c->pos == c->end) {
			if (c->have == c->at)
				return 0;
			fatal("merge store: a run ends inside an entry");
		}
		if (c->at > 0) {
			memmove(c->buf, c->buf + c->at, c->have - c->at);
			c->have -= c->at;
			c->at = 0;
		}
		if (need > c->cap) {
			c->cap = need;
			c->buf = xrealloc(c->buf, c->cap);
		}
		while (c->have < c->cap && c->pos < c->end) {
			size_t want = c->cap - c->have;
			ssize_t got;

			if ((off_t)want > c->end - c->pos)
				want = (size_t)(c->end - c->pos);
			got = pread(fileno(m->scratch), c->buf + c->have, want,
			    c->pos);
			if (got <= 0) {
				if (got == 0)
					errno = EIO;
				merge_store_ioerr(m, "cannot read a temporary file");
				return -1;
			}
			c->have += (size_t)got;
			c->pos += got;
		}
	}
	if (merge_store_parse(c->buf + c->at + 4, need - 4, &c->cur) != 0)
		fatal("merge store holds a damaged entry");
	c->at += need;
	return 1;
}

/* Whether cursor a's entry comes before b's: by key, then by run order. */
static int
merge_store_before(const struct merge_store_cursor *a,
    const struct merge_store_cursor *b)
{
	int c = merge_store_cmp(&a->cur, &b->cur);

	return c != 0 ? c < 0 : a->order < b->order;
}

/* Restores the heap h[0..n) from position i down. */
static void
merge_store_sift(struct merge_store_cursor **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, best = i;
		struct merge_store_cursor *t;

		if (l < n && merge_store_before(h[l], h[best]))
			best = l;
		if (l + 1 < n && merge_store_before(h[l + 1], h[best]))
			best = l + 1;
		if (best == i)
			return;
		t = h[i];
		h[i] = h[best];
		h[best] = t;
		i = best;
	}
}

/* Every run, merged: the ones on disk in order, then the buffer, sorted
 * in place (what merge_add adds afterwards is sorted with it next time:
 * each entry keeps its input order in seq). */
enum rc
merge_store_iter_open(struct merge_store *m, struct merge_store_iter *it)
{
	size_t each = MERGE_READ_BYTES / (m->nruns + 1);

	if (each < MERGE_READ_MIN)
		each = MERGE_READ_MIN;
	if (each > MERGE_READ_MAX)
		each = MERGE_READ_MAX;
	memset(it, 0, sizeof *it);
	merge_store_sort(m);
	it->nc = m->nruns + 1;
	it->c = xcalloc(it->nc, sizeof *it->c);
	it->h = xcalloc(it->nc, sizeof *it->h);
	for (size_t i = 0; i < it->nc; i++) {
		struct merge_store_cursor *c = &it->c[i];
		int got;

		c->order = i;
		if (i < m->nruns) {
			c->pos = m->runs[i].off;
			c->end = m->runs[i].off + m->runs[i].len;
			c->cap = each;
			c->buf = xmalloc(each);
		} else {
			c->ents = m->ents;
			c->n = m->nents;
		}
		if ((got = merge_store_advance(m, c)) < 0)
			return RC_FATAL;
		if (got > 0)
			it->h[it->n++] = c;
	}
	for (size_t i = it->n / 2; i-- > 0;)
		merge_store_sift(it->h, it->n, i);
	return RC_OK;
}

/* The smallest entry not handed out yet into *e (valid until the next
 * call): 1, or 0 at the end, -1 on an error (reported). */
int
merge_store_iter_next(struct merge_store *m, struct merge_store_iter *it,
    const struct merge_store_ent **e)
{
	if (it->taken) {
		int got = merge_store_advance(m, it->h[0]);

		if (got < 0)
			return -1;
		if (got == 0)
			it->h[0] = it->h[--it->n];
		merge_store_sift(it->h, it->n, 0);
		it->taken = 0;
	}
	if (it->n == 0)
		return 0;
	*e = &it->h[0]->cur;
	it->taken = 1;
	return 1;
}

void
merge_store_iter_close(struct merge_store_iter *it)
{
	for (size_t i = 0; i < it->nc; i++)
		free(it->c[i].buf);
	free(it->c);
	free(it->h);
	memset(it, 0, sizeof *it);
}
