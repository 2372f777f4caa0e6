/*
 * test_merge_store.c: the merge store's order (DESIGN.md section 3:
 * oldest first by Date, then run, then input order) when it holds its
 * observations in memory and when it spills them to sorted runs on disk,
 * many runs, an observation larger than the buffer, ids that share their
 * first bytes or are shorter than 8, ids listed and more
 * observations added afterwards, and a scratch directory it cannot use.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "t.h"
#include "tutil.h"

#define NOBS	400
#define NIDS	37

static char msgs[4096];

static void
sink(void *arg, enum diag_kind k, const char *file, const char *pos,
    const char *msg)
{
	(void)arg;
	(void)k;
	snprintf(msgs + strlen(msgs), sizeof msgs - strlen(msgs),
	    "%s:%s: %s\n", file ? file : "", pos ? pos : "", msg);
}

/* One observation of the test's list: what decides its place. */
struct spec {
	char		 id[40];
	char		 date[32];	/* "" for none */
	int		 run;
	int		 seq;		/* input order */
	size_t		 big;		/* a property of this many bytes */
};

static struct spec specs[NOBS];

/* A small deterministic generator. */
static unsigned
rnd(void)
{
	static unsigned x = 12345;

	x = x * 1103515245u + 12345u;
	return x >> 8;
}

static void
make_specs(void)
{
	static const int runs[] = { 0, 3, 1, MERGE_RUN_CURRENT };

	for (int i = 0; i < NOBS; i++) {
		struct spec *s = &specs[i];
		unsigned k = rnd() % NIDS, d = rnd() % 5;

		/* ids of two lengths share a prefix: "...-0" and "...-05";
		 * the last three are shorter than the 8 bytes the store
		 * sorts by first, and prefixes of the others: "0", "00",
		 * "000" */
		if (k >= NIDS - 3)
			snprintf(s->id, sizeof s->id, "%.*s",
			    (int)(k - (NIDS - 3) + 1), "000");
		else
			snprintf(s->id, sizeof s->id,
			    "0000000%u-aaaa-4bbb-8ccc-%u", k % 10, k);
		if (d == 0)
			s->date[0] = '\0';
		else
			snprintf(s->date, sizeof s->date,
			    "2020-01-0%uT00:00:00Z", d);
		s->run = runs[rnd() % 4];
		s->seq = i;
		s->big = i % 97 == 5 ? 100000 : 0;	/* > a run's read buffer */
	}
}

/* The order the store must give, worked out here on its own. */
static int
spec_cmp(const void *x, const void *y)
{
	const struct spec *a = x, *b = y;
	int c = strcmp(a->id, b->id);

	if (c != 0)
		return c;
	if ((a->date[0] == '\0') != (b->date[0] == '\0'))
		return a->date[0] == '\0' ? -1 : 1;
	if ((c = strcmp(a->date, b->date)) != 0)
		return c;
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	return a->seq - b->seq;
}

struct seen {
	struct buf	 obs;		/* "seq/run " per observation */
	struct buf	 ids;		/* the folded records' ids */
	struct buf	 eachid;	/* merge_each_id's ids */
	int		 records;
};

static enum rc
on_obs(void *arg, const struct record *o, int run, int alone)
{
	struct seen *s = arg;

	(void)alone;	/* test_merge checks it */
	buf_printf(&s->obs, "%s/%d ", o->srcs[0].v[S_AT], run);
	return RC_OK;
}

static enum rc
on_rec(void *arg, const struct record *r)
{
	struct seen *s = arg;

	buf_printf(&s->ids, "%s %zu\n", r->f[F_ID], r->nsrcs);
	s->records++;
	return RC_OK;
}

static enum rc
on_id(void *arg, const char *id)
{
	struct seen *s = arg;

	buf_printf(&s->eachid, "%s\n", id);
	return RC_OK;
}

static enum rc
add(struct merge *m, int i)
{
	const struct spec *sp = &specs[i];
	struct record r;
	char at[16];
	enum rc rc;

	record_init(&r);
	record_set_raw(&r, F_ID, sp->id);
	snprintf(at, sizeof at, "%d", sp->seq);
	source_set(record_add_source(&r), S_AT, at);
	if (sp->date[0] != '\0')
		source_set(&r.srcs[0], S_DATE, sp->date);
	source_set(&r.srcs[0], S_FILE, "f");
	if (sp->big > 0) {
		char *v = xmalloc(sp->big + 1);

		memset(v, 'x', sp->big);
		v[sp->big] = '\0';
		record_prop_set(&r, "big", v);
		free(v);
	}
	rc = merge_add(m, &r, sp->run);
	record_clear(&r);
	return rc;
}

/* All observations, in a store whose runs hold run_bytes (0: default);
 * ids listed after the first half when each_id is set. */
static void
fill(struct seen *s, size_t run_bytes, int each_id, struct diag *d)
{
	struct merge *m;
	int failed = 0;
	char env[32];

	/* the run size the store reads at merge_new, as jobs.test sets it */
	snprintf(env, sizeof env, "%zu", run_bytes);
	if (run_bytes > 0)
		setenv("IMGMETA_TEST_MERGE_RUN_BYTES", env, 1);
	else
		unsetenv("IMGMETA_TEST_MERGE_RUN_BYTES");
	m = merge_new(d);

	memset(s, 0, sizeof *s);
	for (int i = 0; i < NOBS; i++) {
		if (each_id && i == NOBS / 2)
			T_OK(merge_each_id(m, on_id, s) == RC_OK,
			    "ids listed halfway");
		failed += add(m, i) != RC_OK;
	}
	T_INT(failed, 0, "every observation stored");
	T_OK(merge_fold(m, on_rec, on_obs, s) == RC_OK, "folded");
	merge_free(m);
}

static void
seen_free(struct seen *s)
{
	buf_free(&s->obs);
	buf_free(&s->ids);
	buf_free(&s->eachid);
}

int
main(void)
{
	struct diag d;
	struct spec sorted[NOBS];
	struct buf want = BUF_INIT, wantids = BUF_INIT, half = BUF_INIT;
	struct seen s;
	static const size_t sizes[] = { 0, 1, 700, 4096, 1 << 20 };
	int nids = 0;

	diag_init(&d, sink, NULL);
	make_specs();
	memcpy(sorted, specs, sizeof sorted);
	qsort(sorted, NOBS, sizeof sorted[0], spec_cmp);
	for (int i = 0; i < NOBS; i++) {
		buf_printf(&want, "%d/%d ", sorted[i].seq, sorted[i].run);
		if (i == 0 || strcmp(sorted[i].id, sorted[i - 1].id) != 0)
			nids++;
	}
	/* the records: each id once, with its number of observations */
	for (int i = 0, n = 0; i < NOBS; i++) {
		n++;
		if (i + 1 == NOBS || strcmp(sorted[i].id, sorted[i + 1].id)) {
			buf_printf(&wantids, "%s %d\n", sorted[i].id, n);
			n = 0;
		}
	}
	/* the ids of the first half, in order */
	qsort(specs, NOBS / 2, sizeof specs[0], spec_cmp);
	for (int i = 0; i < NOBS / 2; i++)
		if (i == 0 || strcmp(specs[i].id, specs[i - 1].id) != 0)
			buf_printf(&half, "%s\n", specs[i].id);
	/* back to input order for adding */
	for (int i = 0; i < NOBS; i++)
		specs[sorted[i].seq] = sorted[i];

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		char what[64];

		snprintf(what, sizeof what, "runs of %zu bytes", sizes[k]);
		fill(&s, sizes[k], 0, &d);
		T_STR(buf_cstr(&s.obs), buf_cstr(&want), what);
		T_STR(buf_cstr(&s.ids), buf_cstr(&wantids), what);
		T_INT(s.records, nids, what);
		seen_free(&s);

		snprintf(what, sizeof what, "runs of %zu bytes, ids listed "
		    "halfway", sizes[k]);
		fill(&s, sizes[k], 1, &d);
		T_STR(buf_cstr(&s.eachid), buf_cstr(&half), what);
		T_STR(buf_cstr(&s.obs), buf_cstr(&want), what);
		seen_free(&s);
	}
	T_STR(msgs, "", "no messages");

	/* a scratch directory that cannot be used: said, and fatal */
	{
		struct merge *m;
		struct record r;
		enum rc rc = RC_OK;

		setenv("TMPDIR", "/nonexistent/imgmeta-test", 1);
		setenv("IMGMETA_TEST_MERGE_RUN_BYTES", "1", 1);
		m = merge_new(&d);
		for (int i = 0; i < 3 && rc == RC_OK; i++) {
			tu_head_obs(&r, specs[i].id, "f", NULL, NULL);
			rc = merge_add(m, &r, 0);
			record_clear(&r);
		}
		T_INT(rc, RC_FATAL, "unusable TMPDIR: fatal");
		T_OK(strstr(msgs, "cannot make a temporary file in "
		    "/nonexistent/imgmeta-test for the merge store") != NULL,
		    "unusable TMPDIR: said");
		merge_free(m);
	}
	buf_free(&want);
	buf_free(&wantids);
	buf_free(&half);
	return t_done();
}
