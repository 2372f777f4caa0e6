/* test_merge.c: the merge rule (DESIGN.md section 3, "Merge"). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "record_json.h"
#include "t.h"
#include "tutil.h"

#define ID_A "3c3d1d01-b48a-4639-8a88-08be3b9b5d78"
#define ID_B "17a1890b-0fa4-485e-8505-14e294017988"

static char msgs[4096];

static void
sink(void *arg, enum diag_kind k, const char *file, const char *pos,
    const char *msg)
{
	(void)arg;
	snprintf(msgs + strlen(msgs), sizeof msgs - strlen(msgs),
	    "%s%s:%s: %s\n", k == DIAG_CONFLICT ? "conflict " : "", file,
	    pos, msg);
}

/* An observation: id, file, date, then field=value pairs ("p:" props). */
static void
obs(struct record *r, const char *id, const char *file, const char *date,
    ...)
{
	va_list ap;

	va_start(ap, date);
	tu_obs(r, id, file, NULL, NULL, date, ap);
	va_end(ap);
}

struct got {
	int		n;
	char		ids[4][40];
	struct record	rec[4];
};

static enum rc
collect(void *arg, const struct record *r)
{
	struct got *g = arg;
	struct jv_doc d = JV_DOC_INIT;
	json_t *j;
	const char *why;

	if (g->n < 4) {
		snprintf(g->ids[g->n], sizeof g->ids[0], "%s", r->f[F_ID]);
		/* keep a copy through the JSON form */
		j = record_json_value(r);
		record_init(&g->rec[g->n]);
		record_json_read(&g->rec[g->n], jv_from_json(&d, j), &why);
		jv_doc_free(&d);
		json_decref(j);
	}
	g->n++;
	return RC_OK;
}

static void
run(struct record *o, int n, struct got *g, struct diag *d)
{
	struct merge *m = merge_new(d);

	memset(g, 0, sizeof *g);
	for (int i = 0; i < n; i++) {
		merge_add(m, &o[i], 0);
		record_clear(&o[i]);
	}
	merge_fold(m, collect, NULL, g);
	merge_free(m);
}

static void
got_free(struct got *g)
{
	for (int i = 0; i < g->n && i < 4; i++)
		record_clear(&g->rec[i]);
}

/* The order obs_cb and cb are called in, as "obs FILE RUN[ alone]" and
 * "rec ID-prefix NSOURCES" lines. */
static enum rc
trace_obs(void *arg, const struct record *o, int run, int alone)
{
	buf_printf(arg, "obs %s %d%s%s\n", o->srcs[0].v[S_FILE], run,
	    alone ? " alone" : "", o->nsrcs == 1 ? "" : " (not one source)");
	return RC_OK;
}

static enum rc
trace_rec(void *arg, const struct record *r)
{
	buf_printf(arg, "rec %.8s %zu\n", r->f[F_ID], r->nsrcs);
	return RC_OK;
}

/*
 * obs_cb sees each observation of a record, in fold order, before cb sees
 * the record; alone marks an image's only observation, and only that.
 */
static void
test_obs_order(void)
{
	static const char *const ids[] = {
		"00000000-0000-4000-8000-000000000001",	/* one */
		"00000000-0000-4000-8000-000000000002",	/* three */
		"00000000-0000-4000-8000-000000000003",	/* one */
		"00000000-0000-4000-8000-000000000004",	/* two */
	};
	static const int which[] = { 1, 0, 3, 1, 2, 3, 1 };
	struct record o;
	struct diag d;
	struct merge *m;
	struct buf b = BUF_INIT;
	char file[16];

	diag_init(&d, NULL, NULL);
	m = merge_new(&d);
	for (int i = 0; i < 7; i++) {
		snprintf(file, sizeof file, "f%d", i);
		obs(&o, ids[which[i]], file, NULL, "name", file, NULL);
		merge_add(m, &o, i < 5 ? 2 : 1);
		record_clear(&o);
	}
	T_INT(merge_fold(m, trace_rec, trace_obs, &b), RC_OK, "obs order: fold");
	T_STR(buf_cstr(&b),
	    "obs f1 2 alone\n" "rec 00000000 1\n"
	    "obs f6 1\n" "obs f0 2\n" "obs f3 2\n" "rec 00000000 3\n"
	    "obs f4 2 alone\n" "rec 00000000 1\n"
	    "obs f5 1\n" "obs f2 2\n" "rec 00000000 2\n",
	    "obs order: fold order, alone only for an image's only one, each "
	    "before its record");
	merge_free(m);
	buf_free(&b);
}

int
main(void)
{
	struct record o[4];
	struct diag d;
	struct got g;
	const struct prop *p;

	test_obs_order();

	/* Later observation wins a field; the disagreement is a conflict
	 * naming the field, both values and both sources. */
	msgs[0] = '\0';
	diag_init(&d, sink, NULL);
	obs(&o[0], ID_A, "a.txt", NULL, "name", "old", "size", "1", NULL);
	obs(&o[1], ID_A, "b.txt", NULL, "name", "new", NULL);
	run(o, 2, &g, &d);
	T_INT(g.n, 1, "two observations of one id make one record");
	T_STR(g.rec[0].f[F_NAME], "new", "the later observation wins");
	T_STR(g.rec[0].f[F_SIZE], "1", "a field only the earlier gave stays");
	T_INT(d.n.conflicts, 1, "a different value is one conflict");
	T_STR(msgs, "conflict b.txt:0: image " ID_A ": name \"old\" (from "
	    "a.txt:0) replaced by \"new\"\n", "the conflict message");
	T_INT(g.rec[0].nsrcs, 2, "the record lists both sources");
	T_STR(g.rec[0].srcs[0].v[S_FILE], "a.txt", "sources oldest first");
	got_free(&g);

	/* A null never erases; equal values are no conflict. */
	msgs[0] = '\0';
	diag_init(&d, sink, NULL);
	obs(&o[0], ID_A, "a.txt", NULL, "name", "x", "owner", "o1", NULL);
	obs(&o[1], ID_A, "b.txt", NULL, "name", "x", NULL);
	run(o, 2, &g, &d);
	T_STR(g.rec[0].f[F_OWNER], "o1", "a null does not erase a value");
	T_INT(d.n.conflicts, 0, "equal values are not a conflict");
	got_free(&g);

	/* Properties merge key by key; a null property value never erases
	 * one; a different value is a conflict on properties.KEY. */
	msgs[0] = '\0';
	diag_init(&d, sink, NULL);
	obs(&o[0], ID_A, "a.txt", NULL, "p:k1", "v1", "p:k2", "v2",
	    "p:k3", NULL, NULL);
	obs(&o[1], ID_A, "b.txt", NULL, "p:k2", NULL, "p:k1", "w1",
	    "p:k4", "v4", "p:k3", "v3", NULL);
	run(o, 2, &g, &d);
	T_INT(g.rec[0].nprops, 4, "properties are the union of keys");
	p = record_prop_get(&g.rec[0], "k1");
	T_STR(p ? p->value : "absent", "w1", "a later property value wins");
	p = record_prop_get(&g.rec[0], "k2");
	T_STR(p ? p->value : "absent", "v2", "a null property keeps the value");
	p = record_prop_get(&g.rec[0], "k3");
	T_STR(p ? p->value : "absent", "v3", "a value replaces a null property");
	T_INT(d.n.conflicts, 1, "only k1 is a conflict");
	T_OK(strstr(msgs, "properties.k1 \"v1\"") != NULL,
	    "the conflict names properties.k1");
	T_STR(g.rec[0].props[0].key, "k1", "properties sorted by key");
	T_STR(g.rec[0].props[3].key, "k4", "properties sorted by key (last)");
	got_free(&g);

	/* Order: by Date first, whatever the input order; undated before
	 * dated; input order last. */
	msgs[0] = '\0';
	diag_init(&d, sink, NULL);
	obs(&o[0], ID_A, "late.txt", "2016-05-23T02:32:28Z", "name", "late",
	    NULL);
	obs(&o[1], ID_A, "early.txt", "2016-05-23T02:29:54Z", "name", "early",
	    NULL);
	obs(&o[2], ID_A, "undated.txt", NULL, "name", "undated", NULL);
	obs(&o[3], ID_A, "undated2.txt", NULL, "name", "undated2", NULL);
	run(o, 4, &g, &d);
	T_STR(g.rec[0].f[F_NAME], "late", "the latest Date wins, given first");
	T_STR(g.rec[0].srcs[0].v[S_FILE], "undated.txt",
	    "undated observations come first");
	T_STR(g.rec[0].srcs[1].v[S_FILE], "undated2.txt",
	    "then input order among the undated");
	T_STR(g.rec[0].srcs[2].v[S_FILE], "early.txt", "then dated, oldest");
	T_INT(d.n.conflicts, 3, "each change of name is a conflict");
	got_free(&g);

	/* Records come out in id order, whatever the input order. */
	diag_init(&d, NULL, NULL);
	obs(&o[0], ID_A, "a.txt", NULL, NULL);
	obs(&o[1], ID_B, "b.txt", NULL, NULL);
	run(o, 2, &g, &d);
	T_INT(g.n, 2, "two ids, two records");
	T_STR(g.ids[0], ID_B, "records sorted by id (first)");
	T_STR(g.ids[1], ID_A, "records sorted by id (second)");
	got_free(&g);

	return t_done();
}
