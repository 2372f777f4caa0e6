/*
 * merge.c: groups observations by image id and folds them into records.
 *
 * The store is an external sort of our own. Each observation is kept as
 * one entry (its id, date and run, which order it, and its packed form)
 * in a run buffer of MERGE_RUN_BYTES; a full buffer is sorted and
 * written as one sorted run to a scratch file (output_scratch: $TMPDIR,
 * unlinked), so memory does not grow with the number of images. Folding
 * sorts what is still in the buffer and merges it with the runs on disk,
 * smallest key first, each run read through a buffer of its own: id,
 * then date (none first), then run, then input order. An inventory that
 * fits one buffer never touches the disk.
 *
 * It replaced a temporary SQLite table read back with ORDER BY: SQLite
 * copied each observation into its table and again into its sorter's
 * files, and sorted everything only when the fold asked for the first
 * row; here a run is sorted and written while the inputs are still being
 * read, and the fold starts at once.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "output.h"

#define MERGE_RUN_BYTES		(16u << 20)
/* The test suite's way to make a small input spill: run bytes (read by
 * merge_new). */
#define MERGE_RUN_BYTES_ENV	"IMGMETA_TEST_MERGE_RUN_BYTES"
/* the read buffer of each run on disk while merging: this much in all,
 * within these bounds each */
#define MERGE_READ_BYTES	(8u << 20)
#define MERGE_READ_MIN		(64u << 10)
#define MERGE_READ_MAX		(1u << 20)

/* One observation in the store, its fields parsed out of its stored
 * form: id (NUL-terminated), date (NULL for none), run, packed record. */
struct merge_ent {
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

/* A sorted run on disk: where it starts in the scratch file, its bytes. */
struct merge_run {
	off_t			 off;
	off_t			 len;
};

/* One run being merged: the buffer's sorted entries, or a run on disk
 * read through buf. cur is its smallest entry not taken yet. */
struct merge_cursor {
	struct merge_ent	 cur;
	size_t			 order;		/* runs in input order */
	const struct merge_ent	*ents;		/* the buffer's run */
	size_t			 i, n;
	off_t			 pos, end;	/* a run on disk */
	unsigned char		*buf;
	size_t			 cap, have, at;
};

/* The runs being merged: the cursors, and a heap of those not at their
 * end (h[0] the smallest); taken: h[0]'s entry was handed out, and the
 * cursor moves on at the next call. */
struct merge_iter {
	struct merge_cursor	*c;
	size_t			 nc;
	struct merge_cursor	**h;
	size_t			 n;
	int			 taken;
};

struct merge {
	struct diag		*diag;
	struct buf		 pack;		/* merge_add's observation */
	unsigned char		*runbuf;	/* the run being filled */
	size_t			 runcap, runlen;
	size_t			 runmax;	/* MERGE_RUN_BYTES, or a test's */
	struct merge_ent	*ents;
	size_t			 nents, capents;
	FILE			*scratch;	/* the sorted runs; NULL: none */
	off_t			 scratchlen;
	struct merge_run	*runs;
	size_t			 nruns, capruns;
	void			(*oncf)(void *, const struct conflict *);
	void			*oncf_arg;
};

static void	merge_pack_str(struct buf *, const char *);
static void	merge_pack_u32(struct buf *, size_t);
static int	merge_unpack_u32(const unsigned char **,
		    const unsigned char *, size_t *);
static size_t	merge_varint(unsigned char *, size_t);
static int	merge_parse(const unsigned char *, size_t, struct merge_ent *);
static int	merge_cmp(const struct merge_ent *, const struct merge_ent *);
static int	merge_sort_cmp(const void *, const void *);
static void	merge_sort(struct merge *);
static enum rc	merge_spill(struct merge *);
static enum rc	merge_ioerr(struct merge *, const char *);
static size_t	merge_get_u32(const unsigned char *);
static void	merge_put_u32(unsigned char *, size_t);
static int	merge_advance(struct merge *, struct merge_cursor *);
static int	merge_before(const struct merge_cursor *,
		    const struct merge_cursor *);
static void	merge_sift(struct merge_cursor **, size_t, size_t);
static enum rc	merge_iter_open(struct merge *, struct merge_iter *);
static int	merge_iter_next(struct merge *, struct merge_iter *,
		    const struct merge_ent **);
static void	merge_iter_close(struct merge_iter *);
static int	merge_new_id(struct buf *, int *, const struct merge_ent *);
static void	merge_conflict(struct record *, const char *, const char *,
		    const char *, size_t, const struct source *,
		    struct diag *, void (*)(void *, const struct conflict *),
		    void *);
static char	*merge_clip(const char *);
static void	merge_props(struct record *, const struct record *, size_t,
		    struct diag *, void (*)(void *, const struct conflict *),
		    void *);

struct merge *
merge_new(struct diag *d)
{
	struct merge *m = xcalloc(1, sizeof *m);
	const char *e = getenv(MERGE_RUN_BYTES_ENV);

	m->diag = d;
	m->runmax = MERGE_RUN_BYTES;
	if (e != NULL && *e != '\0')
		m->runmax = (size_t)strtoull(e, NULL, 10);
	return m;
}

void
merge_free(struct merge *m)
{
	if (m == NULL)
		return;
	if (m->scratch != NULL)
		fclose(m->scratch);
	free(m->runbuf);
	free(m->ents);
	free(m->runs);
	buf_free(&m->pack);
	free(m);
}

void
merge_on_conflict(struct merge *m, void (*cb)(void *, const struct conflict *),
    void *arg)
{
	m->oncf = cb;
	m->oncf_arg = arg;
}

/*
 * The stored form of an observation: every string as a length (0 = NULL,
 * else length + 1) and its bytes; fields in table order, then the number
 * of properties and each key and value, then the number of sources and
 * each source's fields. A length is a varint (7 bits a byte, low bits
 * first, the high bit set on all bytes but the last): most are one byte,
 * which keeps the store, and SQLite's sort of it, small. Cheaper than
 * JSON text both ways; it never leaves the process.
 */
static void
merge_pack_u32(struct buf *b, size_t n)
{
	unsigned char x[5];

	if (n > UINT32_MAX)
		fatal("observation too large for the merge store");
	buf_add(b, x, merge_varint(x, n));
}

static void
merge_pack_str(struct buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		merge_pack_u32(b, 0);
		return;
	}
	n = strlen(s);
	merge_pack_u32(b, n + 1);
	buf_add(b, s, n);
}

void
merge_pack(struct buf *b, const struct record *r)
{
	for (int f = 0; f < F__COUNT; f++)
		merge_pack_str(b, r->f[f]);
	merge_pack_u32(b, r->nprops);
	for (size_t i = 0; i < r->nprops; i++) {
		merge_pack_str(b, r->props[i].key);
		merge_pack_str(b, r->props[i].value);
	}
	merge_pack_u32(b, r->nsrcs);
	for (size_t i = 0; i < r->nsrcs; i++)
		for (int k = 0; k < S__COUNT; k++)
			merge_pack_str(b, r->srcs[i].v[k]);
}

/* Reads a length; returns -1 past the end or when it is malformed. */
static int
merge_unpack_u32(const unsigned char **p, const unsigned char *end,
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

int
merge_unpack(struct record *r, const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + len;
	struct buf tmp = BUF_INIT, key = BUF_INIT;
	size_t n, count;
	int ok = 0, isnull, knull;

#define UNPACK_STR(dst, isnull) do {					\
	if (merge_unpack_u32(&p, end, &n) != 0)				\
		goto out;						\
	(isnull) = n == 0;						\
	buf_reset(&(dst));						\
	if (n > 0) {							\
		if ((size_t)(end - p) < n - 1)				\
			goto out;					\
		buf_add(&(dst), p, n - 1);				\
		p += n - 1;						\
	}								\
} while (0)

	record_init(r);
	for (int f = 0; f < F__COUNT; f++) {
		UNPACK_STR(tmp, isnull);
		if (!isnull)
			record_set_raw(r, (enum field)f, tmp.data);
	}
	if (merge_unpack_u32(&p, end, &count) != 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		UNPACK_STR(key, knull);
		UNPACK_STR(tmp, isnull);
		if (knull)
			goto out;
		record_prop_set(r, key.data, isnull ? NULL : tmp.data);
	}
	if (merge_unpack_u32(&p, end, &count) != 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		struct source *src = record_add_source(r);

		for (int k = 0; k < S__COUNT; k++) {
			UNPACK_STR(tmp, isnull);
			if (!isnull)
				source_set(src, (enum source_field)k,
				    tmp.data);
		}
	}
	ok = p == end;
#undef UNPACK_STR
out:
	buf_free(&tmp);
	buf_free(&key);
	return ok ? 0 : -1;
}

enum rc
merge_add(struct merge *m, const struct record *obs, int run)
{
	if (obs->f[F_ID] == NULL || obs->nsrcs == 0)
		fatal("merge_add: observation without id or source");
	buf_reset(&m->pack);
	merge_pack(&m->pack, obs);
	return merge_add_packed(m, obs->f[F_ID], obs->srcs[0].v[S_DATE],
	    m->pack.data, m->pack.len, run);
}

/*
 * An entry's stored form, in the run buffer and in a run on disk alike:
 * the length of what follows (4 bytes, low first); the id's length (a
 * varint, as in the packed form), the id and a NUL; the date as a string
 * of the packed form (0 for none); the run (a varint); the packed
 * observation, to the end.
 */
static size_t
merge_varint(unsigned char *x, size_t n)
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
merge_get_u32(const unsigned char *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
	    (size_t)p[3] << 24;
}

static void
merge_put_u32(unsigned char *p, size_t n)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(n >> (8 * i) & 0xff);
}

/* An entry from its stored form (after the length); -1 if damaged. */
static int
merge_parse(const unsigned char *p, size_t len, struct merge_ent *e)
{
	const unsigned char *end = p + len;
	size_t n;

	if (merge_unpack_u32(&p, end, &n) != 0 || (size_t)(end - p) < n + 1 ||
	    p[n] != '\0')
		return -1;
	e->id = (const char *)p;
	e->idlen = n;
	p += n + 1;
	if (merge_unpack_u32(&p, end, &n) != 0 || (n > 0 &&
	    (size_t)(end - p) < n - 1))
		return -1;
	e->date = n > 0 ? (const char *)p : NULL;
	e->datelen = n > 0 ? n - 1 : 0;
	p += e->datelen;
	if (merge_unpack_u32(&p, end, &n) != 0)
		return -1;
	e->run = (unsigned)n;
	e->data = p;
	e->len = (size_t)(end - p);
	return 0;
}

enum rc
merge_add_packed(struct merge *m, const char *id, const char *date,
    const void *data, size_t len, int run)
{
	size_t idlen = strlen(id), datelen = date != NULL ? strlen(date) : 0;
	unsigned char x[5], *p;
	size_t need, body;
	struct merge_ent *e;

	if (run < 0)
		fatal("merge_add_packed: negative run");
	if (idlen > UINT32_MAX / 4 || datelen > UINT32_MAX / 4 ||
	    len > UINT32_MAX / 4)
		fatal("observation too large for the merge store");
	body = merge_varint(x, idlen) + idlen + 1 +
	    merge_varint(x, date != NULL ? datelen + 1 : 0) + datelen +
	    merge_varint(x, (size_t)run) + len;
	need = 4 + body;
	if (m->runlen + need > m->runmax && m->nents > 0 &&
	    merge_spill(m) != RC_OK)
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
			if (merge_parse(m->runbuf + e->off + 4,
			    merge_get_u32(m->runbuf + e->off), e) != 0)
				fatal("merge store: damaged run buffer");
		}
	}
	p = m->runbuf + m->runlen;
	merge_put_u32(p, body);
	p += 4;
	p += merge_varint(p, idlen);
	memcpy(p, id, idlen + 1);
	p += idlen + 1;
	p += merge_varint(p, date != NULL ? datelen + 1 : 0);
	if (datelen > 0)
		memcpy(p, date, datelen);
	p += datelen;
	p += merge_varint(p, (size_t)run);
	if (len > 0)
		memcpy(p, data, len);
	if (m->nents == m->capents) {
		m->capents = m->capents ? 2 * m->capents : 1024;
		m->ents = xreallocarray(m->ents, m->capents, sizeof *m->ents);
	}
	e = &m->ents[m->nents];
	if (merge_parse(m->runbuf + m->runlen + 4, body, e) != 0)
		fatal("merge store: damaged run buffer");
	e->seq = m->nents++;
	e->off = m->runlen;
	m->runlen += need;
	return RC_OK;
}

/* The sort order: id (bytes, then length, as SQLite's BINARY collation
 * had it), date (none first), run. */
static int
merge_cmp(const struct merge_ent *a, const struct merge_ent *b)
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
merge_sort_cmp(const void *x, const void *y)
{
	const struct merge_ent *a = x, *b = y;
	int c = merge_cmp(a, b);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
merge_sort(struct merge *m)
{
	if (m->nents > 1)	/* ents is NULL before the first */
		qsort(m->ents, m->nents, sizeof *m->ents, merge_sort_cmp);
}

static enum rc
merge_ioerr(struct merge *m, const char *what)
{
	diag_report(m->diag, DIAG_ERROR, NULL, NULL, "merge store: %s: %s",
	    what, strerror(errno));
	return RC_FATAL;
}

/* The buffer, sorted, as one more run at the end of the scratch file;
 * the buffer is empty again. */
static enum rc
merge_spill(struct merge *m)
{
	struct merge_run *r;

	if (m->nents == 0)
		return RC_OK;
	if (m->scratch == NULL &&
	    (m->scratch = output_scratch("the merge store", m->diag)) == NULL)
		return RC_FATAL;
	merge_sort(m);
	if (m->nruns == m->capruns) {
		m->capruns = m->capruns ? 2 * m->capruns : 16;
		m->runs = xreallocarray(m->runs, m->capruns, sizeof *m->runs);
	}
	r = &m->runs[m->nruns];
	r->off = m->scratchlen;
	for (size_t i = 0; i < m->nents; i++) {
		const unsigned char *from = m->runbuf + m->ents[i].off;
		size_t n = 4 + merge_get_u32(from);

		if (fwrite(from, 1, n, m->scratch) != n)
			return merge_ioerr(m, "cannot write a temporary file");
		m->scratchlen += (off_t)n;
	}
	if (fflush(m->scratch) != 0)
		return merge_ioerr(m, "cannot write a temporary file");
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
merge_advance(struct merge *m, struct merge_cursor *c)
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
			need = 4 + merge_get_u32(c->buf + c->at);
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
				merge_ioerr(m, "cannot read a temporary file");
				return -1;
			}
			c->have += (size_t)got;
			c->pos += got;
		}
	}
	if (merge_parse(c->buf + c->at + 4, need - 4, &c->cur) != 0)
		fatal("merge store holds a damaged entry");
	c->at += need;
	return 1;
}

/* Whether cursor a's entry comes before b's: by key, then by run order. */
static int
merge_before(const struct merge_cursor *a, const struct merge_cursor *b)
{
	int c = merge_cmp(&a->cur, &b->cur);

	return c != 0 ? c < 0 : a->order < b->order;
}

/* Restores the heap h[0..n) from position i down. */
static void
merge_sift(struct merge_cursor **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, best = i;
		struct merge_cursor *t;

		if (l < n && merge_before(h[l], h[best]))
			best = l;
		if (l + 1 < n && merge_before(h[l + 1], h[best]))
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
static enum rc
merge_iter_open(struct merge *m, struct merge_iter *it)
{
	size_t each = MERGE_READ_BYTES / (m->nruns + 1);

	if (each < MERGE_READ_MIN)
		each = MERGE_READ_MIN;
	if (each > MERGE_READ_MAX)
		each = MERGE_READ_MAX;
	memset(it, 0, sizeof *it);
	merge_sort(m);
	it->nc = m->nruns + 1;
	it->c = xcalloc(it->nc, sizeof *it->c);
	it->h = xcalloc(it->nc, sizeof *it->h);
	for (size_t i = 0; i < it->nc; i++) {
		struct merge_cursor *c = &it->c[i];
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
		if ((got = merge_advance(m, c)) < 0)
			return RC_FATAL;
		if (got > 0)
			it->h[it->n++] = c;
	}
	for (size_t i = it->n / 2; i-- > 0;)
		merge_sift(it->h, it->n, i);
	return RC_OK;
}

/* The smallest entry not handed out yet into *e (valid until the next
 * call): 1, or 0 at the end, -1 on an error (reported). */
static int
merge_iter_next(struct merge *m, struct merge_iter *it,
    const struct merge_ent **e)
{
	if (it->taken) {
		int got = merge_advance(m, it->h[0]);

		if (got < 0)
			return -1;
		if (got == 0)
			it->h[0] = it->h[--it->n];
		merge_sift(it->h, it->n, 0);
		it->taken = 0;
	}
	if (it->n == 0)
		return 0;
	*e = &it->h[0]->cur;
	it->taken = 1;
	return 1;
}

static void
merge_iter_close(struct merge_iter *it)
{
	for (size_t i = 0; i < it->nc; i++)
		free(it->c[i].buf);
	free(it->c);
	free(it->h);
	memset(it, 0, sizeof *it);
}

/* A value for a message: at most 120 bytes, cut on a UTF-8 boundary. */
static char *
merge_clip(const char *s)
{
	size_t n = strlen(s);

	if (n <= 120)
		return xstrdup(s);
	n = 120;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, s);
}

static void
merge_conflict(struct record *acc, const char *field, const char *oldv,
    const char *newv, size_t oldsrc, const struct source *newsrc,
    struct diag *d, void (*oncf)(void *, const struct conflict *), void *arg)
{
	const struct source *os = &acc->srcs[oldsrc];
	char *o = merge_clip(oldv), *n = merge_clip(newv);

	diag_report(d, DIAG_CONFLICT, newsrc->v[S_FILE], newsrc->v[S_AT],
	    "image %s: %s \"%s\" (from %s:%s) replaced by \"%s\"",
	    acc->f[F_ID], field, o, os->v[S_FILE] ? os->v[S_FILE] : "?",
	    os->v[S_AT] ? os->v[S_AT] : "?", n);
	free(o);
	free(n);
	if (oncf != NULL) {
		struct conflict c = {
			.id = acc->f[F_ID],
			.field = field,
			.old_value = oldv,
			.new_value = newv,
			.old_src = os,
			.new_src = newsrc,
		};
		oncf(arg, &c);
	}
}

/* Properties of obs (sorted) into acc (sorted), key by key. */
static void
merge_props(struct record *acc, const struct record *obs, size_t ni,
    struct diag *d, void (*oncf)(void *, const struct conflict *), void *arg)
{
	struct prop *out;
	size_t i = 0, j = 0, n = 0;

	if (obs->nprops == 0)
		return;
	out = xreallocarray(NULL, acc->nprops + obs->nprops, sizeof *out);
	while (i < acc->nprops || j < obs->nprops) {
		int cmp;

		if (i == acc->nprops)
			cmp = 1;
		else if (j == obs->nprops)
			cmp = -1;
		else
			cmp = strcmp(acc->props[i].key, obs->props[j].key);
		if (cmp < 0) {
			out[n++] = acc->props[i++];
			continue;
		}
		if (cmp > 0) {
			out[n].key = xstrdup(obs->props[j].key);
			out[n].value = xstrdup(obs->props[j].value);
			out[n++].src = ni;
			j++;
			continue;
		}
		out[n] = acc->props[i++];
		if (obs->props[j].value != NULL) {
			const char *nv = obs->props[j].value;

			if (out[n].value != NULL && strcmp(out[n].value, nv)) {
				char *f = xasprintf("properties.%s",
				    out[n].key);

				merge_conflict(acc, f, out[n].value, nv,
				    out[n].src, &acc->srcs[ni], d, oncf, arg);
				free(f);
			}
			free(out[n].value);
			out[n].value = xstrdup(nv);
			out[n].src = ni;
		}
		n++;
		j++;
	}
	free(acc->props);
	acc->props = out;
	acc->nprops = acc->capprops = n;
}

void
merge_fold_one(struct record *acc, const struct record *obs, struct diag *d,
    void (*oncf)(void *, const struct conflict *), void *arg)
{
	size_t ni = acc->nsrcs;

	for (size_t k = 0; k < obs->nsrcs; k++)
		source_copy(record_add_source(acc), &obs->srcs[k]);
	for (int f = 0; f < F__COUNT; f++) {
		const char *nv = obs->f[f];

		if (nv == NULL)
			continue;
		if (acc->f[f] != NULL) {
			if (strcmp(acc->f[f], nv) == 0)
				continue;
			merge_conflict(acc, field_info[f].name, acc->f[f], nv,
			    acc->fsrc[f], &acc->srcs[ni], d, oncf, arg);
		}
		record_set_raw(acc, (enum field)f, nv);
		acc->fsrc[f] = ni;
	}
	merge_props(acc, obs, ni, d, oncf, arg);
}

/* Whether e's id differs from the one in last (*any: last holds one);
 * if so, last and *any take e's. */
static int
merge_new_id(struct buf *last, int *any, const struct merge_ent *e)
{
	if (*any && last->len == e->idlen &&
	    memcmp(last->data, e->id, e->idlen) == 0)
		return 0;
	*any = 1;
	buf_reset(last);
	buf_add(last, e->id, e->idlen);
	return 1;
}

enum rc
merge_each_id(struct merge *m, enum rc (*cb)(void *, const char *), void *arg)
{
	struct merge_iter it;
	const struct merge_ent *e;
	struct buf last = BUF_INIT;
	enum rc rc;
	int got, any = 0;

	if ((rc = merge_iter_open(m, &it)) != RC_OK) {
		merge_iter_close(&it);
		return rc;
	}
	while ((got = merge_iter_next(m, &it, &e)) > 0)
		if (merge_new_id(&last, &any, e) &&
		    (rc = cb(arg, last.data)) == RC_FATAL)
			break;
	if (got < 0)
		rc = RC_FATAL;
	merge_iter_close(&it);
	buf_free(&last);
	return rc;
}

/* The record of an id is complete: obs_cb sees its first observation if
 * it has not yet (then its only one, which acc is), and cb the record. */
static enum rc
merge_fold_done(struct record *acc, int first, unsigned first_run,
    enum rc (*cb)(void *, const struct record *),
    enum rc (*obs_cb)(void *, const struct record *, int, int), void *arg)
{
	enum rc rc = RC_OK;

	if (first && obs_cb != NULL)
		rc = obs_cb(arg, acc, (int)first_run, 1);
	if (rc != RC_FATAL) {
		record_sort(acc);
		rc = cb(arg, acc);
	}
	record_clear(acc);
	return rc;
}

enum rc
merge_fold(struct merge *m, enum rc (*cb)(void *, const struct record *),
    enum rc (*obs_cb)(void *, const struct record *, int, int), void *arg)
{
	struct merge_iter it;
	const struct merge_ent *e;
	struct record acc, obs;
	struct buf id = BUF_INIT;
	enum rc rc;
	unsigned first_run = 0;
	int got, any = 0, first = 0;

	record_init(&acc);
	record_init(&obs);
	if ((rc = merge_iter_open(m, &it)) != RC_OK) {
		merge_iter_close(&it);
		return rc;
	}
	rc = RC_OK;
	while ((got = merge_iter_next(m, &it, &e)) > 0) {
		int had = any;

		if (merge_new_id(&id, &any, e) && had) {
			/* acc, the id before, is complete */
			rc = merge_fold_done(&acc, first, first_run, cb,
			    obs_cb, arg);
			first = 0;
			if (rc == RC_FATAL)
				break;
		}
		if (merge_unpack(&obs, e->data, e->len) != 0)
			fatal("merge store holds a damaged observation");
		record_sort(&obs);
		if (acc.nsrcs == 0 && obs.nsrcs == 1) {
			/* the first observation of an id: folding it into the
			 * empty record is taking it as it is (merge_unpack
			 * left every field's and property's source index at
			 * 0, its one source). obs_cb sees it when it is known
			 * whether another follows. */
			record_move(&acc, &obs);
			first = 1;
			first_run = e->run;
			continue;
		}
		if (first && obs_cb != NULL &&
		    (rc = obs_cb(arg, &acc, (int)first_run, 0)) == RC_FATAL) {
			record_clear(&obs);
			break;
		}
		first = 0;
		if (obs_cb != NULL && (rc = obs_cb(arg, &obs, (int)e->run,
		    0)) == RC_FATAL) {
			record_clear(&obs);
			break;
		}
		merge_fold_one(&acc, &obs, m->diag, m->oncf, m->oncf_arg);
		record_clear(&obs);
	}
	if (got < 0)
		rc = RC_FATAL;
	if (rc != RC_FATAL && any)
		rc = merge_fold_done(&acc, first, first_run, cb, obs_cb, arg);
	record_clear(&acc);
	record_clear(&obs);
	buf_free(&id);
	merge_iter_close(&it);
	return rc;
}
