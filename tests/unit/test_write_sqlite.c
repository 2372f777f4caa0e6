/*
 * test_write_sqlite.c: the SQLite writer through its ops, called as main.c
 * calls them (open, reject, preload, observe and write per record in fold
 * order, finish, free), and the database read back with SQLite.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "imgmeta_db.h"
#include "filter.h"
#include "pipeline.h"
#include "record_json.h"
#include "writer.h"
#include "t.h"
#include "tutil.h"

#define ID_A "3c3d1d01-b48a-4639-8a88-08be3b9b5d78"
#define ID_B "17a1890b-0fa4-485e-8505-14e294017988"

extern const struct writer_ops write_sqlite_ops;

/* The file of the reject that every run reports. */
#define RUN_REJECT_FILE	"bad.txt"

static char msgs[8192];
static char dir[256];

static void	sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static enum rc	run(const char *, struct record *, int, const char *, int);
static char	*q(const char *, const char *);
static int	nfiles(void);
static char	*slurp(const char *, size_t *);
static char	*path(const char *);
static char	*rebuilt(const char *, const char *, int);

static void
sink(void *arg, enum diag_kind k, const char *file, const char *pos,
    const char *msg)
{
	(void)arg;
	if (k == DIAG_CONFLICT)
		return;		/* reported by merge.c, tested there */
	if (file != NULL && strcmp(file, RUN_REJECT_FILE) == 0)
		return;		/* run's own reject, for the rejects table */
	snprintf(msgs + strlen(msgs), sizeof msgs - strlen(msgs),
	    "%s:%s: %s\n", file ? file : "-", pos ? pos : "-", msg);
}

/*
 * One run into file: the n observations and one reject, through the
 * program's pipeline; name, when not NULL, keeps only the records of that
 * name (--name); finish 0 stops before finish (a failed run).
 */
static enum rc
run(const char *file, struct record *o, int n, const char *name, int finish)
{
	static char a0[] = "imgmeta", a1[] = "-o", a2[] = "x.db";
	static char *argv[] = { a0, a1, a2, NULL };
	struct pipeline_opts po = { 0 };
	struct filter *f = filter_new();
	struct pipeline *p;
	struct writer w;
	struct diag d;
	const char *why;
	enum rc rc;

	memset(&w, 0, sizeof w);
	diag_init(&d, sink, NULL);
	if (name != NULL && filter_add(f, "name", name, &why) != 0)
		fatal("filter: %s", why);
	po.filter = f;
	w.ops = &write_sqlite_ops;
	w.diag = &d;
	w.run = (struct writer_run){ .argc = 3, .argv = argv,
	    .version = "test", .counts = &d.n };
	p = pipeline_new(&po, &w);
	if ((rc = pipeline_open(p, file)) == RC_OK) {
		diag_report(&d, DIAG_REJECT, RUN_REJECT_FILE, "7", "a reject");
		for (int i = 0; i < n && rc == RC_OK; i++)
			rc = pipeline_add(p, &o[i]);
		if (rc == RC_OK && finish)
			rc = pipeline_finish(p) == PIPELINE_OK ? RC_OK :
			    RC_FATAL;
		else
			rc = RC_FATAL;
	}
	pipeline_free(p);
	filter_free(f);
	return rc;
}

/* The rows of a query as "a|b;c|d" (NULL as "-"), or "ERROR: ...".
 * Read-write, so that closing removes the -wal and -shm files that a
 * read-only connection to a WAL database would leave. */
static char *
q(const char *file, const char *sql)
{
	static char out[4096];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	out[0] = '\0';
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n > 0)
			n += (size_t)snprintf(out + n, sizeof out - n, ";");
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			n += (size_t)snprintf(out + n, sizeof out - n, "%s%s",
			    i ? "|" : "", v ? v : "-");
		}
	}
	if (rc != SQLITE_DONE)
		snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* Entries in the test directory. */
static int
nfiles(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static char *
slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *p = xmalloc(1 << 20);

	*len = f != NULL ? fread(p, 1, 1 << 20, f) : 0;
	if (f != NULL)
		fclose(f);
	return p;
}

/*
 * The observation (image id, seq) as the readers of a database see it
 * (imgmeta_db_observation_sql, then imgmeta_db_observation_read), written
 * again as json_dumps(record_json_value(), JSON_COMPACT), or "ERROR: ...".
 */
static char *
rebuilt(const char *file, const char *id, int seq)
{
	static char out[4096];
	char *expr, *sql, err[256];
	const char *why = "no row";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct record r;

	record_init(&r);
	if (sqlite3_open(file, &db) != SQLITE_OK)
		expr = xstrdup("NULL");
	else
		expr = imgmeta_db_observation_sql(db);
	sql = xasprintf("SELECT %s FROM image_sources s WHERE s.image_id = "
	    "?1 AND s.seq = ?2", expr);
	if (db == NULL ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		why = sqlite3_errmsg(db);
	else {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, seq);
		if (sqlite3_step(st) == SQLITE_ROW)
			why = imgmeta_db_observation_read(id,
			    (const char *)sqlite3_column_text(st, 0), &r, err,
			    sizeof err);
	}
	if (why != NULL)
		snprintf(out, sizeof out, "ERROR: %s", why);
	else {
		json_t *j;
		char *text;

		record_sort(&r);
		j = record_json_value(&r);
		text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		snprintf(out, sizeof out, "%s", text);
		free(text);
	}
	record_clear(&r);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sql);
	free(expr);
	return out;
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

int
main(void)
{
	struct record o[4];
	char *db = NULL, *f = NULL, *before, *after;
	size_t nb, na;
	const char *tmp = getenv("TMPDIR");
	FILE *fp;

	snprintf(dir, sizeof dir, "%s/test_write_sqlite.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp");

	T_OK(writer_by_name("sqlite") == &write_sqlite_ops, "by name");
	T_OK(writer_by_path("x.db", NULL) == &write_sqlite_ops, ".db");
	T_OK(writer_by_path("x.sqlite", NULL) == &write_sqlite_ops, ".sqlite");
	T_OK(writer_by_path("x.sqlite3", NULL) == &write_sqlite_ops,
	    ".sqlite3");
	T_INT(write_sqlite_ops.to_stdout, 0, "not to standard output");

	/* a new database */
	db = path("inv.db");
	tu_head_obs(&o[0], ID_A, "a.txt", "2016-05-23T02:29:54Z", "name", "old",
	    "size", "13167616", "protected", "false", "visibility", "public",
	    "p:k", "1", NULL);
	tu_head_obs(&o[1], ID_A, "b.txt", "2016-05-24T00:00:00Z", "name", "new",
	    "p:k", "2", "p:nul", NULL, NULL);
	tu_head_obs(&o[2], ID_B, "c.txt", NULL, "status", "active", NULL);
	T_INT(run(db, o, 3, NULL, 1), RC_OK, "new: run");
	T_STR(msgs, "", "new: no message");
	T_INT(nfiles(), 1, "new: only the database in the directory");
	T_STR(q(db, "PRAGMA journal_mode"), "wal", "new: WAL");
	T_STR(q(db, "PRAGMA user_version"), "5", "new: user_version");
	T_STR(q(db, "PRAGMA application_id"), "1229801293",
	    "new: application_id");
	T_STR(q(db, "SELECT id, name, typeof(size), size, protected, "
	    "visibility, status, sources FROM images"),
	    ID_B "|-|null|-|-|-|active|1;"
	    ID_A "|new|integer|13167616|0|public|-|2", "new: images");
	T_STR(q(db, "SELECT * FROM image_properties"),
	    ID_A "|k|2;" ID_A "|nul|-", "new: image_properties");
	T_STR(q(db, "SELECT image_id, seq, run, file, at, api, call, date "
	    "FROM image_sources ORDER BY image_id, seq"),
	    ID_B "|0|1|c.txt|0|v1|head|-;"
	    ID_A "|0|1|a.txt|0|v1|head|2016-05-23T02:29:54Z;"
	    ID_A "|1|1|b.txt|0|v1|head|2016-05-24T00:00:00Z",
	    "new: image_sources");
	T_STR(q(db, "SELECT json_extract(observation, '$.name') FROM "
	    "image_sources WHERE image_id = '" ID_A "' ORDER BY seq"),
	    "old;new", "new: each source keeps its observation");
	T_STR(q(db, "SELECT image_id, seq, observation IS NULL FROM "
	    "image_sources ORDER BY image_id, seq"),
	    ID_B "|0|1;" ID_A "|0|0;" ID_A "|1|0",
	    "new: no JSON for an image's one observation (its row says it)");
	T_STR(q(db, "SELECT field, old_value, new_value, old_file, new_file, "
	    "run FROM conflicts ORDER BY seq"),
	    "name|old|new|a.txt|b.txt|1;properties.k|1|2|a.txt|b.txt|1",
	    "new: conflicts");
	T_STR(q(db, "SELECT * FROM rejects"), "1|1|bad.txt|7|a reject",
	    "new: rejects");
	T_STR(q(db, "SELECT id, finished IS NOT NULL, version, arguments, "
	    "observations, rejected FROM runs"),
	    "1|1|test|[\"imgmeta\",\"-o\",\"x.db\"]|0|1",
	    "new: runs (its one reject counted)");
	T_STR(q(db, "SELECT * FROM property_disagreements"),
	    ID_A "|new|k|2|1|1", "view property_disagreements");
	T_STR(q(db, "SELECT id, api FROM images_single_api"),
	    ID_B "|v1;" ID_A "|v1", "view images_single_api");
	T_STR(q(db, "PRAGMA foreign_key_check"), "", "new: foreign keys hold");
	T_STR(q(db, "PRAGMA integrity_check"), "ok", "new: integrity_check");
	for (int i = 0; i < 3; i++)
		record_clear(&o[i]);

	/* each stored observation is its canonical JSON, the very bytes of
	 * json_dumps(record_json_value(), JSON_COMPACT), whatever its text
	 * holds; an image's one observation is NULL, and what
	 * imgmeta_db_observation_sql makes of its rows reads back as the
	 * same record */
	f = path("json.db");
	tu_head_obs(&o[0], ID_A, "dir/\"q\"\\b.txt", "2016-05-23T02:29:54.25Z",
	    "name", "tab\t \"q\" back\\slash /slash nl\n cr\r bs\b ff\f "
	    "\x01 \x1f \x7f \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "size", "0", "virtual_size", "9223372036854775807",
	    "min_ram", "512", "protected", "true", "deleted", "false",
	    "checksum", "0123456789abcdef0123456789abcdef",
	    "p:", "empty key", "p:k\"ey\x02\\", "v\\al\n", "p:null", NULL,
	    "p:\xc3\xa9", "", NULL);
	source_set(&o[0].srcs[0], S_REQUEST_ID, "req-\"1\"");
	source_set(&o[0].srcs[0], S_PROJECT_ID, "\xe2\x82\xac");
	source_set(&o[0].srcs[0], S_STATUS, "ACTIVE\x7f");
	source_set(&o[0].srcs[0], S_URL, "http://h/v2.1/p/images/x?a=1&b=\\");
	tu_head_obs(&o[1], ID_B, "c.txt", NULL, NULL);
	/* A seen again later: its first observation, o[0], is stored */
	tu_head_obs(&o[2], ID_A, "later.txt", "2017-01-01T00:00:00Z", NULL);
	T_INT(run(f, o, 3, NULL, 1), RC_OK, "json: run");
	T_STR(q(f, "SELECT image_id, seq, observation IS NULL FROM "
	    "image_sources ORDER BY image_id, seq"),
	    ID_B "|0|1;" ID_A "|0|0;" ID_A "|1|0",
	    "json: NULL for B's one observation, JSON for A's two");
	for (int i = 0; i < 2; i++) {
		json_t *j;
		char *want, *sql;

		record_sort(&o[i]);	/* as the fold hands it over */
		j = record_json_value(&o[i]);
		want = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (i == 0) {
			sql = xasprintf("SELECT observation FROM "
			    "image_sources WHERE image_id = '%s' AND seq = 0",
			    o[i].f[F_ID]);
			T_STR(q(f, sql), want,
			    "json: observation as json_dumps");
			free(sql);
		}
		T_STR(rebuilt(f, o[i].f[F_ID], 0), want,
		    "json: imgmeta_db_observation_sql reads it back");
		free(want);
	}
	unlink(f);
	free(f);
	/* the same, A's rich observation the only one */
	f = path("json1.db");
	T_INT(run(f, o, 1, NULL, 1), RC_OK, "json alone: run");
	T_STR(q(f, "SELECT observation IS NULL FROM image_sources"), "1",
	    "json alone: NULL");
	{
		json_t *j = record_json_value(&o[0]);
		char *want = json_dumps(j, JSON_COMPACT);

		json_decref(j);
		T_STR(rebuilt(f, ID_A, 0), want, "json alone: made again from "
		    "images and image_properties, every value as it was");
		free(want);
	}
	for (int i = 0; i < 3; i++)
		record_clear(&o[i]);
	T_STR(q(f, "SELECT typeof(size), size, virtual_size, min_ram, "
	    "protected, deleted FROM images WHERE id = '" ID_A "'"),
	    "integer|0|9223372036854775807|512|1|0",
	    "json: int and bool columns as integers");
	unlink(f);
	free(f);

	/* an int column holds what strtoll reads of the text, canonical or
	 * not (record_set_raw stores it unchecked) */
	f = path("int.db");
	tu_head_obs(&o[0], ID_A, "a.txt", NULL, NULL);
	record_set_raw(&o[0], F_SIZE, "007");
	record_set_raw(&o[0], F_VIRTUAL_SIZE, "99999999999999999999");
	record_set_raw(&o[0], F_MIN_RAM, "12abc");
	record_set_raw(&o[0], F_MIN_DISK, "-5");
	T_INT(run(f, o, 1, NULL, 1), RC_OK, "raw ints: run");
	T_STR(q(f, "SELECT size, virtual_size, min_ram, min_disk FROM "
	    "images"), "7|9223372036854775807|12|-5",
	    "raw ints: as strtoll reads them");
	record_clear(&o[0]);
	unlink(f);
	free(f);

	/* images of 0 to 70 properties, every one stored, a null as NULL */
	f = path("props.db");
	{
		static const int np[] = { 0, 1, 3, 31, 32, 33, 64, 70 };
		struct record p[8];
		char id[40], k[16], v[16], *want, *sql;
		struct buf b = BUF_INIT;

		for (int i = 0; i < 8; i++) {
			snprintf(id, sizeof id,
			    "00000000-0000-4000-8000-%012d", np[i]);
			tu_head_obs(&p[i], id, "p.txt", NULL, "name", "n", NULL);
			for (int j = 0; j < np[i]; j++) {
				snprintf(k, sizeof k, "k%03d", j);
				snprintf(v, sizeof v, "v%d", j);
				record_prop_set(&p[i], k, j == 2 ? NULL : v);
			}
		}
		T_INT(run(f, p, 8, NULL, 1), RC_OK, "props: run");
		for (int i = 0; i < 8; i++) {
			buf_reset(&b);
			for (int j = 0; j < np[i]; j++)
				if (j == 2)
					buf_addstr(&b, ",k002=-");
				else
					buf_printf(&b, "%sk%03d=v%d",
					    j ? "," : "", j, j);
			want = xstrdup(np[i] ? buf_cstr(&b) : "-");
			sql = xasprintf("SELECT group_concat(key || '=' || "
			    "coalesce(value, '-'), ',') FROM (SELECT key, "
			    "value FROM image_properties WHERE image_id = "
			    "'%s' ORDER BY key)", p[i].f[F_ID]);
			T_STR(q(f, sql), want, "props: all of them");
			free(sql);
			free(want);
			record_clear(&p[i]);
		}
		buf_free(&b);
	}
	unlink(f);
	free(f);

	/* a second run: an older observation of A goes first in the fold */
	tu_head_obs(&o[0], ID_A, "d.txt", "2016-01-01T00:00:00Z", "name", "oldest",
	    "owner", "me", NULL);
	T_INT(run(db, o, 1, NULL, 1), RC_OK, "second run");
	T_STR(msgs, "", "second run: no message");
	T_STR(q(db, "SELECT name, owner, sources FROM images WHERE id = '"
	    ID_A "'"), "new|me|3", "second run: refolded");
	T_STR(q(db, "SELECT seq, run, file FROM image_sources WHERE "
	    "image_id = '" ID_A "' ORDER BY seq"),
	    "0|2|d.txt;1|1|a.txt;2|1|b.txt", "second run: sources in fold order");
	T_STR(q(db, "SELECT field, old_value, new_value, run FROM conflicts "
	    "WHERE image_id = '" ID_A "' ORDER BY seq"),
	    "name|oldest|old|1;name|old|new|1;properties.k|1|2|1",
	    "second run: conflicts of the refold");
	T_STR(q(db, "SELECT count(*) FROM image_sources WHERE image_id = '"
	    ID_B "'"), "1", "second run: B not seen, untouched");
	T_STR(q(db, "SELECT group_concat(id) FROM runs"), "1,2",
	    "second run: runs 1, 2");
	T_STR(q(db, "SELECT run, count(*) FROM rejects GROUP BY run"),
	    "1|1;2|1", "second run: its reject");
	record_clear(&o[0]);

	/* a failed run and a filtered record leave the rows as they were */
	before = slurp(db, &nb);
	tu_head_obs(&o[0], ID_A, "e.txt", NULL, "name", "never", NULL);
	T_INT(run(db, o, 1, NULL, 0), RC_FATAL, "failed run");
	after = slurp(db, &na);
	T_OK(na == nb && memcmp(before, after, na) == 0,
	    "failed run: same bytes");
	T_INT(nfiles(), 1, "failed run: nothing beside the database");
	free(after);
	T_INT(run(db, o, 1, "not never", 1), RC_OK, "filtered run");
	T_STR(q(db, "SELECT name, sources FROM images WHERE id = '" ID_A "'"),
	    "new|3", "filtered run: image as it was");
	T_STR(q(db, "SELECT count(*) FROM image_sources WHERE image_id = '"
	    ID_A "'"), "3", "filtered run: sources as they were");
	T_STR(q(db, "SELECT id, records, filtered FROM runs WHERE id = 3"),
	    "3|0|1", "filtered run: recorded, its record filtered");
	record_clear(&o[0]);
	free(before);

	/* a failed run into a new database leaves nothing */
	f = path("never.db");
	tu_head_obs(&o[0], ID_A, "e.txt", NULL, "name", "never", NULL);
	T_INT(run(f, o, 1, NULL, 0), RC_FATAL, "failed new run");
	T_OK(access(f, F_OK) != 0, "failed new run: no database");
	T_INT(nfiles(), 1, "failed new run: no temporary file");
	free(f);

	/* an empty file is a new database */
	f = path("empty.db");
	fclose(fopen(f, "w"));
	T_INT(run(f, o, 1, NULL, 1), RC_OK, "empty file");
	T_STR(q(f, "SELECT name FROM images"), "never", "empty file: written");
	unlink(f);
	free(f);
	record_clear(&o[0]);

	/* a database of schema version 1 (observation NOT NULL) is brought
	 * to version 3, its image_sources kept: every observation's JSON
	 * stored */
	f = path("v1.db");
	T_INT(run(f, o, 0, NULL, 1), RC_OK, "v1: an empty database");
	{
		sqlite3 *x;

		sqlite3_open(f, &x);
		sqlite3_exec(x, "PRAGMA writable_schema = ON; UPDATE "
		    "sqlite_schema SET sql = replace(sql, 'observation\tTEXT,',"
		    " 'observation\tTEXT NOT NULL,') WHERE name = "
		    "'image_sources'; PRAGMA writable_schema = OFF; "
		    "PRAGMA user_version = 1", NULL, NULL, NULL);
		sqlite3_close(x);
	}
	T_OK(strstr(q(f, "SELECT sql FROM sqlite_schema WHERE name = "
	    "'image_sources'"), "observation\tTEXT NOT NULL,") != NULL,
	    "v1: observation NOT NULL, as version 1 had it");
	tu_head_obs(&o[0], ID_A, "a.txt", NULL, "name", "one", "p:k", "1", NULL);
	tu_head_obs(&o[1], ID_B, "b.txt", NULL, "name", "b", NULL);
	tu_head_obs(&o[2], ID_A, "c.txt", NULL, "name", "two", NULL);
	msgs[0] = '\0';
	T_INT(run(f, o, 3, NULL, 1), RC_OK, "v1: written into");
	T_STR(msgs, "", "v1: no message");
	T_STR(q(f, "PRAGMA user_version"), "5", "v1: now version 5");
	T_STR(q(f, "SELECT image_id, seq, json_extract(observation, "
	    "'$.name') FROM image_sources ORDER BY image_id, seq"),
	    ID_B "|0|b;" ID_A "|0|one;" ID_A "|1|two",
	    "v1: the JSON of every observation, one or several");
	T_STR(q(f, "PRAGMA integrity_check"), "ok", "v1: integrity_check");
	for (int i = 0; i < 3; i++)
		record_clear(&o[i]);
	unlink(f);
	free(f);

	/* a database of schema version 2 (no inputs, no warnings, runs
	 * without duplicates) is brought to version 3 in the run */
	f = path("v2.db");
	T_INT(run(f, o, 0, NULL, 1), RC_OK, "v2: an empty database");
	{
		sqlite3 *x;

		sqlite3_open(f, &x);
		sqlite3_exec(x, "DROP TABLE inputs; DROP TABLE warnings; "
		    "ALTER TABLE runs DROP COLUMN duplicates; "
		    "ALTER TABLE image_sources DROP COLUMN sha256; "
		    "PRAGMA user_version = 2", NULL, NULL, NULL);
		sqlite3_close(x);
	}
	T_STR(q(f, "SELECT count(*) FROM sqlite_schema WHERE name IN "
	    "('inputs', 'warnings') UNION ALL SELECT count(*) FROM "
	    "pragma_table_info('image_sources') WHERE name = 'sha256'"),
	    "0;0", "v2: made without version 3's");
	tu_head_obs(&o[0], ID_A, "a.txt", NULL, "name", "one", NULL);
	msgs[0] = '\0';
	T_INT(run(f, o, 1, NULL, 1), RC_OK, "v2: written into");
	T_STR(msgs, "", "v2: no message");
	T_STR(q(f, "PRAGMA user_version"), "5", "v2: now version 5");
	T_STR(q(f, "SELECT id, duplicates FROM runs"), "1|-;2|0",
	    "v2: runs has duplicates");
	T_STR(q(f, "SELECT (SELECT count(*) FROM inputs), (SELECT count(*) "
	    "FROM warnings)"), "0|0", "v2: inputs and warnings made");
	T_STR(q(f, "SELECT count(*) FROM pages"), "0",
	    "v2: pages made (version 5)");
	T_STR(q(f, "SELECT observation IS NULL FROM image_sources"), "1",
	    "v2: an image's one observation is its row, as before");
	T_STR(q(f, "SELECT count(*) FROM pragma_table_info('image_sources') "
	    "WHERE name = 'sha256'"), "1", "v2: image_sources has sha256");
	T_STR(q(f, "PRAGMA integrity_check"), "ok", "v2: integrity_check");
	record_clear(&o[0]);
	unlink(f);
	free(f);

	/* refused, untouched */
	tu_head_obs(&o[0], ID_A, "e.txt", NULL, "name", "never", NULL);
	f = path("text.db");
	fp = fopen(f, "w");
	fputs("id,name\n", fp);
	fclose(fp);
	msgs[0] = '\0';
	T_INT(run(f, o, 1, NULL, 1), RC_FATAL, "not SQLite: refused");
	T_OK(strstr(msgs, "text.db:-: exists and is not an SQLite database")
	    != NULL, "not SQLite: says so");
	before = slurp(f, &nb);
	T_OK(nb == 8 && memcmp(before, "id,name\n", 8) == 0,
	    "not SQLite: untouched");
	free(before);
	unlink(f);
	free(f);

	f = path("other.db");
	{
		sqlite3 *x;

		sqlite3_open(f, &x);
		sqlite3_exec(x, "CREATE TABLE t (a); PRAGMA user_version = 1",
		    NULL, NULL, NULL);
		sqlite3_close(x);
	}
	before = slurp(f, &nb);
	msgs[0] = '\0';
	T_INT(run(f, o, 1, NULL, 1), RC_FATAL, "not imgmeta's: refused");
	T_OK(strstr(msgs, "not imgmeta's (application_id 0") != NULL,
	    "not imgmeta's: says so");
	after = slurp(f, &na);
	T_OK(na == nb && memcmp(before, after, na) == 0,
	    "not imgmeta's: untouched");
	free(before);
	free(after);
	unlink(f);
	free(f);

	{
		sqlite3 *x;

		sqlite3_open(db, &x);
		sqlite3_exec(x, "PRAGMA user_version = 7", NULL, NULL, NULL);
		sqlite3_close(x);
	}
	before = slurp(db, &nb);
	msgs[0] = '\0';
	T_INT(run(db, o, 1, NULL, 1), RC_FATAL, "user_version 7: refused");
	T_OK(strstr(msgs, "schema version 7") != NULL,
	    "user_version 7: says so");
	after = slurp(db, &na);
	T_OK(na == nb && memcmp(before, after, na) == 0,
	    "user_version 7: untouched");
	free(before);
	free(after);

	/* a damaged stored observation stops the run */
	{
		sqlite3 *x;

		sqlite3_open(db, &x);
		sqlite3_exec(x, "PRAGMA user_version = 2; UPDATE image_sources"
		    " SET observation = '{' WHERE seq = 0", NULL, NULL, NULL);
		sqlite3_close(x);
	}
	msgs[0] = '\0';
	T_INT(run(db, o, 1, NULL, 1), RC_FATAL, "damaged: refused");
	T_OK(strstr(msgs, "seq 0: the stored observation is damaged "
	    "(invalid JSON: ") != NULL, "damaged: says where and why");
	T_STR(q(db, "SELECT max(id) FROM runs"), "3", "damaged: rolled back");
	record_clear(&o[0]);

	unlink(db);
	free(db);
	rmdir(dir);
	return t_done();
}
