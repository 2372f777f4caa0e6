/*
 * merge.c: groups observations by image id and folds them into records
 * (merge.h): an observation's packed form, the merge rule and the fold.
 * The observations are kept, in order, by merge_store.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "merge_store.h"

struct merge {
	struct diag		*diag;
	struct buf		 pack;		/* merge_add's observation */
	struct merge_store	*store;
	void			(*oncf)(void *, const struct conflict *);
	void			*oncf_arg;
};

static void	merge_pack_str(struct buf *, const char *);
static void	merge_pack_u32(struct buf *, size_t);
static int	merge_new_id(struct buf *, int *,
		    const struct merge_store_ent *);
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

	m->diag = d;
	m->store = merge_store_new(d);
	return m;
}

void
merge_free(struct merge *m)
{
	if (m == NULL)
		return;
	merge_store_free(m->store);
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

enum rc
merge_add_packed(struct merge *m, const char *id, const char *date,
    const void *packed, size_t len, int run)
{
	return merge_store_add(m->store, id, date, packed, len, run);
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
	if (n > UINT32_MAX)
		fatal("observation too large for the merge store");
	if (5 >= b->cap - b->len)
		buf_grow(b, 5);
	/* most lengths take one byte */
	if (n < 0x80)
		b->data[b->len++] = (char)n;
	else
		b->len += merge_store_varint((unsigned char *)b->data + b->len,
		    n);
	b->data[b->len] = '\0';
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
	if (n >= b->cap - b->len)
		buf_grow(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
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

int
merge_unpack(struct record *r, const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + len;
	const char *s, *k;
	size_t n, kn, count;
	int ok = 0, isnull, knull;

	/* a string's bytes at p: s and n (isnull when it was NULL); a
	 * length under 128, most, is its one byte */
#define UNPACK_STR(s, n, isnull) do {					\
	if (p < end && *p < 0x80)					\
		(n) = *p++;						\
	else if (merge_store_unvarint(&p, end, &(n)) != 0)		\
		goto out;						\
	(isnull) = (n) == 0;						\
	(s) = (const char *)p;						\
	if ((n) > 0) {							\
		if ((size_t)(end - p) < (n) - 1)			\
			goto out;					\
		p += --(n);						\
	}								\
} while (0)

	/* fields and sources in the record's blocks; its properties a
	 * malloc each, as merge_props replaces them */
	record_init_pooled(r, 0);
	for (int f = 0; f < F__COUNT; f++) {
		UNPACK_STR(s, n, isnull);
		if (!isnull)
			record_set_rawn(r, (enum field)f, s, n);
	}
	if (merge_store_unvarint(&p, end, &count) != 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		UNPACK_STR(k, kn, knull);
		UNPACK_STR(s, n, isnull);
		if (knull)
			goto out;
		record_prop_setn(r, k, kn, isnull ? NULL : s, n);
	}
	if (merge_store_unvarint(&p, end, &count) != 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		struct source *src = record_add_source(r);

		for (int j = 0; j < S__COUNT; j++) {
			UNPACK_STR(s, n, isnull);
			if (!isnull)
				record_source_setn(r, src,
				    (enum source_field)j, s, n);
		}
	}
	ok = p == end;
#undef UNPACK_STR
out:
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
merge_new_id(struct buf *last, int *any, const struct merge_store_ent *e)
{
	if (*any && last->len == e->idlen &&
	    memcmp(last->data, e->id, e->idlen) == 0)
		return 0;
	*any = 1;
	buf_reset(last);
	buf_add(last, e->id, e->idlen);
	return 1;
}

/* merge_each_id's callback and its argument. */
struct merge_each_id_state {
	enum rc			(*cb)(void *, const char *);
	void			*arg;
};

static enum rc
merge_each_id_obs(void *arg, int newid, const struct merge_obs *o)
{
	struct merge_each_id_state *st = arg;

	return newid ? st->cb(st->arg, o->id) : RC_OK;
}

enum rc
merge_each_id(struct merge *m, enum rc (*cb)(void *, const char *), void *arg)
{
	struct merge_each_id_state st = { cb, arg };

	return merge_each(m, merge_each_id_obs, &st);
}

/* One id being folded: the record so far, and whether it is still its
 * first observation alone (obs_cb has not seen it yet). */
struct merge_acc {
	struct record		 acc;
	int			 first;
	unsigned		 first_run;
};

/*
 * One more observation of the id, in fold order, unpacked at once (o's
 * bytes need not outlive the call); RC_FATAL when obs_cb stopped the run.
 */
static enum rc
merge_acc_add(struct merge_acc *a, const struct merge_obs *o, struct diag *d,
    void (*oncf)(void *, const struct conflict *), void *oncf_arg,
    enum rc (*obs_cb)(void *, const struct record *, int, int), void *arg)
{
	struct record obs;
	enum rc rc = RC_OK;

	if (merge_unpack(&obs, o->data, o->len) != 0)
		fatal("merge store holds a damaged observation");
	record_sort(&obs);
	if (a->acc.nsrcs == 0 && obs.nsrcs == 1) {
		/* the first observation of an id: folding it into the empty
		 * record is taking it as it is (merge_unpack left every
		 * field's and property's source index at 0, its one source).
		 * obs_cb sees it when it is known whether another follows. */
		record_move(&a->acc, &obs);
		a->first = 1;
		a->first_run = o->run;
		return RC_OK;
	}
	if (a->first && obs_cb != NULL &&
	    (rc = obs_cb(arg, &a->acc, (int)a->first_run, 0)) == RC_FATAL) {
		record_clear(&obs);
		return rc;
	}
	a->first = 0;
	if (obs_cb != NULL &&
	    (rc = obs_cb(arg, &obs, (int)o->run, 0)) == RC_FATAL) {
		record_clear(&obs);
		return rc;
	}
	merge_fold_one(&a->acc, &obs, d, oncf, oncf_arg);
	record_clear(&obs);
	return rc;
}

/* The id is complete (unless rc says the run stopped): obs_cb sees its
 * first observation if it has not yet (then its only one, which the
 * record is), and cb the record. a is empty again. */
static enum rc
merge_acc_done(struct merge_acc *a, enum rc rc,
    enum rc (*cb)(void *, const struct record *),
    enum rc (*obs_cb)(void *, const struct record *, int, int), void *arg)
{
	if (rc != RC_FATAL && a->acc.nsrcs > 0) {
		if (a->first && obs_cb != NULL)
			rc = obs_cb(arg, &a->acc, (int)a->first_run, 1);
		if (rc != RC_FATAL) {
			record_sort(&a->acc);
			rc = cb(arg, &a->acc);
		}
	}
	record_clear(&a->acc);
	a->first = 0;
	return rc;
}

enum rc
merge_fold_id(const struct merge_obs *o, size_t n, struct diag *d,
    void (*oncf)(void *, const struct conflict *), void *oncf_arg,
    enum rc (*cb)(void *, const struct record *),
    enum rc (*obs_cb)(void *, const struct record *, int, int), void *arg)
{
	struct merge_acc a = { .first = 0 };
	enum rc rc = RC_OK;

	record_init(&a.acc);
	for (size_t i = 0; i < n && rc != RC_FATAL; i++)
		rc = merge_acc_add(&a, &o[i], d, oncf, oncf_arg, obs_cb, arg);
	return merge_acc_done(&a, rc, cb, obs_cb, arg);
}

enum rc
merge_each(struct merge *m, enum rc (*cb)(void *, int,
    const struct merge_obs *), void *arg)
{
	struct merge_store_iter it;
	const struct merge_store_ent *e;
	struct buf last = BUF_INIT;
	enum rc rc;
	int got, any = 0;

	if ((rc = merge_store_iter_open(m->store, &it)) != RC_OK) {
		merge_store_iter_close(&it);
		return rc;
	}
	while ((got = merge_store_iter_next(m->store, &it, &e)) > 0) {
		struct merge_obs o = { e->data, e->len, e->run, e->id };

		if ((rc = cb(arg, merge_new_id(&last, &any, e), &o)) ==
		    RC_FATAL)
			break;
	}
	if (got < 0)
		rc = RC_FATAL;
	merge_store_iter_close(&it);
	buf_free(&last);
	return rc;
}

/* The fold on this thread, an observation at a time as the store gives
 * them. */
struct merge_fold_state {
	struct merge		*m;
	enum rc			(*cb)(void *, const struct record *);
	enum rc			(*obs_cb)(void *, const struct record *, int,
				    int);
	void			*arg;
	struct merge_acc	 a;
};

static enum rc
merge_fold_obs(void *arg, int newid, const struct merge_obs *o)
{
	struct merge_fold_state *st = arg;
	struct merge *m = st->m;
	enum rc rc;

	/* the id before is complete */
	if (newid && (rc = merge_acc_done(&st->a, RC_OK, st->cb, st->obs_cb,
	    st->arg)) == RC_FATAL)
		return rc;
	return merge_acc_add(&st->a, o, m->diag, m->oncf, m->oncf_arg,
	    st->obs_cb, st->arg);
}

enum rc
merge_fold(struct merge *m, enum rc (*cb)(void *, const struct record *),
    enum rc (*obs_cb)(void *, const struct record *, int, int), void *arg)
{
	struct merge_fold_state st = {
		.m = m, .cb = cb, .obs_cb = obs_cb, .arg = arg
	};

	record_init(&st.a.acc);
	return merge_acc_done(&st.a, merge_each(m, merge_fold_obs, &st), cb,
	    obs_cb, arg);
}
