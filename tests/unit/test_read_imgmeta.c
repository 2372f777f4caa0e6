/*
 * test_read_imgmeta.c: imgmeta's own outputs read back as inputs
 * (formats/read_imgmeta_json.c, formats/read_imgmeta_sqlite.c, and the
 * "observation" key of formats/write_json.c): files are written through
 * the writers' ops as main.c calls them and read through capture_read
 * and read_response as main.c reads any input.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "capture.h"
#include "pipeline.h"
#include "reader.h"
#include "stream.h"
#include "writer.h"

#include "t.h"
#include "tutil.h"

#define MAXOBS	16

extern const struct writer_ops write_json_ops;
extern const struct writer_ops write_sqlite_ops;
extern const struct reader_ops read_imgmeta_json_ops;
extern const struct reader_ops read_imgmeta_sqlite_ops;

#define ID1	"11111111-1111-4111-8111-111111111111"
#define ID2	"22222222-2222-4222-8222-222222222222"
/* A source's "at" and what every source has beside it (source_check). */
#define AT0	"\"at\":\"0\",\"api\":\"v1\",\"call\":\"head\""

static struct record	got[MAXOBS];	/* observations read */
static size_t		ngot;
static struct buf	msgs;		/* "FILE:POS: message\n" each */
static char		tmpdir[] = "/tmp/test_read_imgmeta.XXXXXX";

static void
sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	(void)arg;
	if (kind == DIAG_CONFLICT)
		return;
	buf_printf(&msgs, "%s:%s: %s\n", file ? file : "-", pos ? pos : "-",
	    msg);
}

static enum rc
emit(void *arg, struct record *obs)
{
	(void)arg;
	if (ngot == MAXOBS)
		return RC_FATAL;
	record_init(&got[ngot]);
	record_move(&got[ngot++], obs);
	return RC_OK;
}

static enum rc
response(void *arg, struct response *r)
{
	return read_response(r, arg, emit, NULL);
}

static void
forget(void)
{
	for (size_t i = 0; i < ngot; i++)
		record_clear(&got[i]);
	ngot = 0;
	buf_reset(&msgs);
}

/* Reads bytes (n of them) as the file name says, as main.c reads an
 * input: into got[] and msgs. */
static void
read_mem(const char *name, const char *p, size_t n)
{
	struct stream *s = stream_open_mem(p, n);
	struct diag d;

	forget();
	diag_init(&d, sink, NULL);
	(void)capture_read(s, name, &d, response, &d);
	stream_free(s);
}

static void
read_path(const char *path)
{
	struct stream *s;
	struct diag d;
	int fd = open(path, O_RDONLY);

	forget();
	if (fd < 0) {
		buf_printf(&msgs, "cannot open %s\n", path);
		return;
	}
	diag_init(&d, sink, NULL);
	s = stream_open_fd(fd, 1);
	(void)capture_read(s, path, &d, response, &d);
	stream_free(s);
}

/* One run of the observations into path with the writer ops: the
 * program's pipeline, fed observations instead of files. */
static enum rc
write_out(const struct writer_ops *ops, const char *path, struct record *o,
    size_t n)
{
	static char a0[] = "imgmeta", a1[] = "-o", a2[] = "x";
	static char *argv[] = { a0, a1, a2, NULL };
	struct pipeline_opts po = { 0 };
	struct pipeline *p;
	struct writer w;
	struct diag d;
	enum rc rc;

	memset(&w, 0, sizeof w);
	diag_init(&d, NULL, NULL);
	w.ops = ops;
	w.diag = &d;
	w.run = (struct writer_run){ .argc = 3, .argv = argv,
	    .version = "test", .counts = &d.n };
	p = pipeline_new(&po, &w);
	if ((rc = pipeline_open(p, path)) == RC_OK) {
		for (size_t i = 0; i < n && rc == RC_OK; i++)
			rc = pipeline_add(p, &o[i]);
		if (rc == RC_OK && pipeline_finish(p) != PIPELINE_OK)
			rc = RC_FATAL;
	}
	pipeline_free(p);
	return rc;
}

/* Do a and b say the same (fields, properties, sources)? */
static int
same(struct record *a, struct record *b)
{
	record_sort(a);
	record_sort(b);
	for (int f = 0; f < F__COUNT; f++)
		if ((a->f[f] == NULL) != (b->f[f] == NULL) ||
		    (a->f[f] != NULL && strcmp(a->f[f], b->f[f]) != 0))
			return 0;
	if (a->nprops != b->nprops || a->nsrcs != b->nsrcs)
		return 0;
	for (size_t i = 0; i < a->nprops; i++)
		if (strcmp(a->props[i].key, b->props[i].key) != 0 ||
		    (a->props[i].value == NULL) != (b->props[i].value == NULL) ||
		    (a->props[i].value != NULL &&
		    strcmp(a->props[i].value, b->props[i].value) != 0))
			return 0;
	for (size_t i = 0; i < a->nsrcs; i++)
		for (int k = 0; k < S__COUNT; k++)
			if ((a->srcs[i].v[k] == NULL) !=
			    (b->srcs[i].v[k] == NULL) ||
			    (a->srcs[i].v[k] != NULL &&
			    strcmp(a->srcs[i].v[k], b->srcs[i].v[k]) != 0))
				return 0;
	return 1;
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* The observations of the round trips: ID1 seen three times (one
 * undated, two dated, disagreeing on name and a property, a null
 * property), ID2 once. Their fold order: c (undated), a, b. */
static void
make_obs(struct record *o)
{
	tu_head_obs(&o[0], ID1, "a.txt", "2016-05-23T02:29:54Z", "name", "first",
	    "size", "5", "p:k", "1", "p:gone", NULL, NULL);
	tu_head_obs(&o[1], ID1, "b.txt", "2016-05-23T03:00:00Z", "name", "second",
	    "protected", "true", "p:k", "2", NULL);
	tu_head_obs(&o[2], ID1, "c.txt", NULL, "min_ram", "0", NULL);
	tu_head_obs(&o[3], ID2, "d.txt", NULL, "name", "alone", "p:x", "y", NULL);
}

static void
test_bid(void)
{
	static const char rec[] = "{\"id\":\"" ID1 "\",\"sources\":"
	    "[{\"file\":\"a\",\"at\":\"0\"}]}\nrest";
	static const char sq[] = "SQLite format 3\0\x10\0\x02\x02";
	struct stream *s;
	const char *p;

	s = stream_open_mem(rec, sizeof rec - 1);
	T_INT(read_imgmeta_json_ops.bid_file(s), 100, "json: a record");
	T_INT(stream_peek(s, &p, 1), (long long)(sizeof rec - 1),
	    "json: the bid consumes nothing");
	T_INT(read_imgmeta_sqlite_ops.bid_file(s), 0, "sqlite: not a db");
	stream_free(s);
#define BID(text, want, what) do {					\
	s = stream_open_mem(text, sizeof text - 1);			\
	T_INT(read_imgmeta_json_ops.bid_file(s), want, what);		\
	stream_free(s);							\
} while (0)
	BID("{\"images\": [{\"id\": \"x\"}]}", 0, "json: a page");
	BID("{\"id\": \"" ID1 "\", \"name\": \"x\"}", 0,
	    "json: a Glance v2 show (no sources)");
	BID("{\"id\":\"" ID1 "\",\"sources\":[]}\n", 0,
	    "json: no sources");
	BID("{\"id\":\"" ID1 "\",\"sources\":[{\"file\":\"a\"}]}\n", 0,
	    "json: a source without at");
	BID("{\"id\":\"" ID1 "\",\"sources\":[{\"file\":\"a\",\"at\":\"0\"}]}",
	    100, "json: one line, no line feed");
	BID("{\"id\":\"" ID1 "\",\"sources\":[{\"file\":\"a\",\"at\":\"0\"}]}"
	    "\n{", 100, "json: a broken second line does not matter");
#undef BID
	s = stream_open_mem(sq, sizeof sq - 1);
	T_INT(read_imgmeta_sqlite_ops.bid_file(s), 100, "sqlite: the magic");
	T_INT(read_imgmeta_json_ops.bid_file(s), 0, "json: not a record");
	stream_free(s);
	s = stream_open_mem("SQLite format 3x", 16);
	T_INT(read_imgmeta_sqlite_ops.bid_file(s), 0,
	    "sqlite: the magic needs its NUL");
	stream_free(s);
}


/* Reads an output of make_obs's four observations back: nothing said,
 * the four in fold order (c, a, b of ID1, then ID2's, which is also its
 * record). */
static void
read_back_four(const char *file, struct record *o)
{
	read_path(file);
	T_STR(buf_cstr(&msgs), "", "read back: nothing said");
	T_INT(ngot, 4, "read back: four observations");
	if (ngot == 4) {
		T_OK(same(&got[0], &o[2]), "ID1's first: c");
		T_OK(same(&got[1], &o[0]), "ID1's second: a");
		T_OK(same(&got[2], &o[1]), "ID1's third: b");
		T_OK(same(&got[3], &o[3]), "ID2: the record is the observation");
	}
}

static void
test_json_round_trip(void)
{
	struct record o[4];
	char *file = path("x.jsonl"), *text;
	json_t *j;

	make_obs(o);
	T_INT(write_out(&write_json_ops, file, o, 4), RC_OK, "json written");
	text = tu_slurp(file);
	T_OK(text != NULL && strchr(text, '\n') != NULL &&
	    strchr(strchr(text, '\n') + 1, '\n') != NULL, "two lines");
	/* line 1: ID1, three sources, each with what it said */
	j = text != NULL ? json_loadb(text, (size_t)(strchr(text, '\n') - text),
	    0, NULL) : NULL;
	{
		json_t *srcs = json_object_get(j, "sources");
		char *s0 = json_dumps(json_object_get(json_array_get(srcs, 0),
		    "observation"), JSON_COMPACT);
		char *s1 = json_dumps(json_object_get(json_array_get(srcs, 1),
		    "observation"), JSON_COMPACT);

		T_INT(json_array_size(srcs), 3, "ID1: three sources");
		T_STR(json_string_value(json_object_get(json_array_get(srcs,
		    0), "file")), "c.txt", "ID1: the undated one first");
		T_STR(s0, "{\"min_ram\":0}",
		    "observation: non-null fields only, no empty properties");
		T_STR(s1, "{\"name\":\"first\",\"size\":5,\"properties\":"
		    "{\"gone\":null,\"k\":\"1\"}}",
		    "observation: typed fields, properties with null kept");
		free(s0);
		free(s1);
	}
	json_decref(j);
	T_OK(text != NULL && strstr(strchr(text, '\n') + 1, "observation") ==
	    NULL, "ID2: one source, no observation key");

	read_back_four(file, o);

	for (int i = 0; i < 4; i++)
		record_clear(&o[i]);
	free(text);
	free(file);
}

static void
test_json_lines(void)
{
	static const char one[] = "{\"id\":\"" ID1 "\",\"name\":\"n\","
	    "\"size\":7,\"properties\":{\"k\":null},\"sources\":[{\"file\":"
	    "\"cap.txt\",\"at\":\"9#/images/2\",\"api\":\"v1.1\",\"call\":"
	    "\"detail\",\"date\":\"2016-05-23T02:29:54Z\",\"url\":null}]}";
	static const char two_said[] = "{\"id\":\"" ID2 "\",\"name\":\"b\","
	    "\"properties\":{\"k\":\"2\"},\"sources\":["
	    "{\"file\":\"a\"," AT0 ",\"observation\":{\"name\":\"a\","
	    "\"properties\":{\"k\":\"1\"}}},"
	    "{\"file\":\"b\"," AT0 ",\"observation\":{\"name\":\"b\","
	    "\"properties\":{\"k\":\"2\"}}}]}";
	struct buf in = BUF_INIT;

	/* a record of one source is its observation */
	buf_printf(&in, "%s\n", one);
	read_mem("x.jsonl", in.data, in.len);
	T_INT(ngot, 1, "one source: one observation");
	T_STR(buf_cstr(&msgs), "", "one source: nothing said");
	if (ngot == 1) {
		T_STR(got[0].f[F_ID], ID1, "its id");
		T_STR(got[0].f[F_NAME], "n", "its name");
		T_STR(got[0].f[F_SIZE], "7", "its size");
		T_INT(got[0].nprops, 1, "its null property");
		T_OK(got[0].nprops == 1 && got[0].props[0].value == NULL,
		    "the null property stays null");
		T_INT(got[0].nsrcs, 1, "one source");
		T_STR(got[0].srcs[0].v[S_FILE], "cap.txt",
		    "the source keeps the capture's file");
		T_STR(got[0].srcs[0].v[S_AT], "9#/images/2", "and position");
		T_STR(got[0].srcs[0].v[S_DATE], "2016-05-23T02:29:54Z",
		    "and Date");
		T_STR(got[0].srcs[0].v[S_CALL], "detail", "and call");
	}

	/* several: one each, in list order */
	buf_reset(&in);
	buf_printf(&in, "%s\n", two_said);
	read_mem("x.jsonl", in.data, in.len);
	T_INT(ngot, 2, "two sources: two observations");
	T_STR(buf_cstr(&msgs), "", "two sources: nothing said");
	if (ngot == 2) {
		T_STR(got[0].f[F_ID], ID2, "the first has the record's id");
		T_STR(got[0].f[F_NAME], "a", "the first said a");
		T_STR(got[0].srcs[0].v[S_FILE], "a", "from a");
		T_STR(got[1].f[F_NAME], "b", "the second said b");
		T_INT(got[1].nprops, 1, "and its property");
	}

	/* bad lines: each rejected at its line, the rest read */
	buf_reset(&in);
	buf_printf(&in, "%s\n\n   \n", one);			/* 1-3 */
	buf_printf(&in, "{\"id\":\"" ID1 "\",\n");		/* 4 */
	buf_printf(&in, "[1,2]\n");				/* 5 */
	buf_printf(&in, "{\"name\":\"x\",\"sources\":[{}]}\n");	/* 6 */
	buf_printf(&in, "{\"id\":\"" ID2 "\",\"name\":\"b\",\"sources\":["
	    "{\"file\":\"a\"," AT0 "},{\"file\":\"b\"," AT0 "}]}\n");
	/* 8: edited after it was written */
	buf_printf(&in, "{\"id\":\"" ID2 "\",\"name\":\"EDITED\","
	    "\"properties\":{\"k\":\"2\"},\"sources\":["
	    "{\"file\":\"a\"," AT0 ",\"observation\":{\"name\":\"a\","
	    "\"properties\":{\"k\":\"1\"}}},"
	    "{\"file\":\"b\"," AT0 ",\"observation\":{\"name\":\"b\","
	    "\"properties\":{\"k\":\"2\"}}}]}\n");
	/* 9: a property edited */
	buf_printf(&in, "{\"id\":\"" ID2 "\",\"name\":\"b\","
	    "\"properties\":{\"k\":\"3\"},\"sources\":["
	    "{\"file\":\"a\"," AT0 ",\"observation\":{\"name\":\"a\"}},"
	    "{\"file\":\"b\"," AT0 ",\"observation\":{\"name\":\"b\","
	    "\"properties\":{\"k\":\"2\"}}}]}\n");
	buf_printf(&in, "{\"id\":\"" ID1 "\",\"size\":-1,\"sources\":["
	    "{\"file\":\"a\"," AT0 "}]}\n");		/* 10 */
	buf_printf(&in, "{\"id\":\"" ID1 "\",\"sources\":[{\"file\":\"a\","
	    "" AT0 ",\"extra\":\"x\"}]}\n");		/* 11 */
	buf_printf(&in, "{\"id\":\"" ID1 "\",\"sources\":[{\"file\":\"a\","
	    "" AT0 ",\"observation\":{\"colour\":\"red\"}}]}\n"); /* 12 */
	buf_printf(&in, "%s", two_said);			/* 13, no LF */
	read_mem("bad.jsonl", in.data, in.len);
	T_STR(buf_cstr(&msgs),
	    "bad.jsonl:line 4: invalid JSON: string or '}' expected near end "
	    "of file (column 45): not read\n"
	    "bad.jsonl:line 5: not an imgmeta record (the line is not a JSON "
	    "object): not read\n"
	    "bad.jsonl:line 6: not an imgmeta record (it needs an \"id\" that "
	    "is a UUID and a \"sources\" list): not read\n"
	    "bad.jsonl:line 7: source 1 of 2 has no \"observation\" (what it "
	    "said), so the record cannot be taken apart into its observations "
	    "(a line written by an older imgmeta? convert its captures "
	    "again): not read\n"
	    "bad.jsonl:line 8: the observations of its sources do not fold to "
	    "the record (field name differs; was the line edited?): not read\n"
	    "bad.jsonl:line 9: the observations of its sources do not fold to "
	    "the record (property \"k\" differs; was the line edited?): not "
	    "read\n"
	    "bad.jsonl:line 10: field size \"-1\": is negative: the record is "
	    "not read\n"
	    "bad.jsonl:line 11: source 1 of 1 has \"extra\", which is not a "
	    "source field: the record is not read\n"
	    "bad.jsonl:line 12: source 1 of 1: \"observation\": \"colour\" is "
	    "not a field of the record: the record is not read\n",
	    "bad lines: each rejected where it is");
	T_INT(ngot, 3, "bad lines: the good ones read (lines 1 and 13)");
	T_STR(ngot == 3 ? got[2].f[F_NAME] : NULL, "b",
	    "the last line without a line feed");
	buf_free(&in);
}

/* One SQL statement on a database. */
static void
sql(const char *file, const char *stmt)
{
	sqlite3 *db;

	if (sqlite3_open(file, &db) != SQLITE_OK ||
	    sqlite3_exec(db, stmt, NULL, NULL, NULL) != SQLITE_OK)
		printf("# %s: %s\n", stmt, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void
test_sqlite(void)
{
	struct record o[4];
	char *file = path("x.db"), *other = path("foreign.db");
	char *want;

	make_obs(o);
	T_INT(write_out(&write_sqlite_ops, file, o, 4), RC_OK,
	    "sqlite written");
	read_back_four(file, o);
	want = xasprintf("%s-wal", file);
	T_OK(access(want, F_OK) != 0, "no -wal file left beside it");
	free(want);

	/* a damaged row: rejected at its image and seq, the rest read */
	sql(file, "UPDATE image_sources SET observation = '{\"id\": 1}' "
	    "WHERE image_id = '" ID1 "' AND seq = 1");
	read_path(file);
	want = xasprintf("%s:image " ID1 " seq 1: the stored observation is "
	    "damaged (is a number, not a string): not read\n", file);
	T_STR(buf_cstr(&msgs), want, "damaged row: rejected where it is");
	free(want);
	T_INT(ngot, 3, "damaged row: the other three read");

	/* ID2's one observation is its images row (NULL in image_sources):
	 * without that row there is nothing to read */
	sql(file, "DELETE FROM images WHERE id = '" ID2 "'");
	read_path(file);
	want = xasprintf("%s:image " ID1 " seq 1: the stored observation is "
	    "damaged (is a number, not a string): not read\n"
	    "%s:image " ID2 " seq 0: the stored observation is damaged (it "
	    "is NULL, and images has no row for the image): not read\n",
	    file, file);
	T_STR(buf_cstr(&msgs), want, "no images row: rejected where it is");
	free(want);
	T_INT(ngot, 2, "no images row: the other two read");

	/* standard input */
	read_mem("-", "SQLite format 3\0rest", 20);
	T_STR(buf_cstr(&msgs), "-:0: an SQLite database on standard input "
	    "cannot be read (SQLite reads a database in place): name the file "
	    "instead\n", "standard input: rejected");

	/* not imgmeta's, another schema version */
	sql(other, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
	read_path(other);
	want = xasprintf("%s:0: an SQLite database, but not imgmeta's "
	    "(application_id 0, imgmeta's is 1229801293): not read\n", other);
	T_STR(buf_cstr(&msgs), want, "a foreign database: rejected");
	free(want);
	T_INT(ngot, 0, "a foreign database: nothing read");
	sql(file, "PRAGMA user_version = 7");
	read_path(file);
	want = xasprintf("%s:0: an imgmeta database of schema version 7 "
	    "(user_version), and this imgmeta reads versions 1 to 5: not "
	    "read\n",
	    file);
	T_STR(buf_cstr(&msgs), want, "another schema version: rejected");
	free(want);

	for (int i = 0; i < 4; i++)
		record_clear(&o[i]);
	free(file);
	free(other);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_bid();
	test_json_round_trip();
	test_json_lines();
	test_sqlite();
	forget();
	buf_free(&msgs);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
		free(cmd);
	}
	return t_done();
}
