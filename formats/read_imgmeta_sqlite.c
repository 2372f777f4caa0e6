/*
 * read_imgmeta_sqlite.c: imgmeta's own SQLite output (write_sqlite.c,
 * schema.sql) read back as the observations it holds, so that shards
 * converted apart merge into what one run over everything gives (README
 * "Shards").
 *
 * Recognised by SQLite's magic ("SQLite format 3\0"). SQLite reads a
 * database in place, so it must be a regular file named by its path: on
 * standard input, through a pipe or gzip-compressed it is rejected with
 * what to do instead. It is opened read-only (a WAL database's -wal
 * file is read, never folded into it: the shard's files keep their
 * bytes; a -shm file SQLite needs may be left beside them; a WAL
 * database without a -wal file, which nothing writes, is read as an
 * immutable file, so that SQLite makes neither), defensive
 * and with its schema untrusted, and must carry imgmeta's application_id
 * and a schema version (user_version) from IMGMETA_DB_OLDEST_VERSION to
 * this schema's, as write_sqlite.c asks of a database it writes into;
 * another is rejected untouched. Its
 * image_sources, images and image_properties must be tables (a view in
 * their place could compute rows without end).
 *
 * Every row of image_sources is one observation: its "observation"
 * column holds the observation's canonical JSON (id, fields, properties,
 * one source), or is NULL where the image has that one observation, which
 * is then its row in images and its image_properties
 * (imgmeta_db_observation_sql); read in the order of (image_id, seq),
 * which is the fold order of each image, one row at a time. The
 * observations become this run's (their runs of that database are not
 * kept: the runs, rejects and conflicts tables are not read; the
 * conflicts are found again by the fold). A row that cannot be read is
 * rejected as "FILE:image ID seq N: reason".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "imgmeta_db.h"
#include "openstack.h"

/* WRITE_SQLITE_APPLICATION_ID, WRITE_SQLITE_USER_VERSION: made from
 * formats/schema.sql by make (with the schema text, not used here). */
#include "formats/schema_sql.h"

#define READ_IMGMETA_SQLITE_MAGIC	"SQLite format 3"	/* and a NUL */
#define READ_IMGMETA_SQLITE_BUSY_MS	10000

static int	read_imgmeta_sqlite_bid(struct stream *);
static enum rc	read_imgmeta_sqlite_read(struct read_ctx *);
static int	read_imgmeta_sqlite_open(const char *, int, sqlite3 **, int *,
		    int *);
static const char *read_imgmeta_sqlite_tables(sqlite3 *, char *, size_t);
static int	read_imgmeta_sqlite_at_rest(const char *);
static int	read_imgmeta_sqlite_is_wal(const char *);
static enum rc	read_imgmeta_sqlite_row(struct read_ctx *, sqlite3_stmt *);

const struct reader_ops read_imgmeta_sqlite_ops = {
	.name = "imgmeta_sqlite",
	.describes = "imgmeta's own SQLite databases (shards)",
	.bid_file = read_imgmeta_sqlite_bid,
	.read_file = read_imgmeta_sqlite_read,
};

static int
read_imgmeta_sqlite_bid(struct stream *s)
{
	const char *p;

	if (stream_peek(s, &p, sizeof READ_IMGMETA_SQLITE_MAGIC) <
	    (ssize_t)sizeof READ_IMGMETA_SQLITE_MAGIC)
		return 0;
	return memcmp(p, READ_IMGMETA_SQLITE_MAGIC,
	    sizeof READ_IMGMETA_SQLITE_MAGIC) == 0 ? 100 : 0;
}

/*
 * Opens the database and reads its application_id and user_version:
 * 0, or an SQLite error code (*db may be open all the same). It is
 * opened read-only (mode=ro: nothing written, a WAL database's -wal file
 * not folded into it), or with immutable as a file that nothing
 * changes; defensive (no writes to the schema or to the file's bytes
 * through SQL) and with the schema untrusted (the views and triggers a
 * crafted file holds cannot call functions with side effects).
 */
static int
read_imgmeta_sqlite_open(const char *file, int immutable, sqlite3 **db,
    int *app, int *ver)
{
	struct buf uri = BUF_INIT;
	int k;

	/* A URI: the path's bytes outside [A-Za-z0-9/._~-] percent-encoded. */
	buf_addstr(&uri, "file:");
	for (const char *p = file; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("/._~-", ch) != NULL)
			buf_addc(&uri, (char)ch);
		else
			buf_printf(&uri, "%%%02X", ch);
	}
	buf_addstr(&uri, immutable ? "?immutable=1" : "?mode=ro");
	k = sqlite3_open_v2(buf_cstr(&uri), db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL);
	buf_free(&uri);
	if (k != SQLITE_OK)
		return k;
	sqlite3_busy_timeout(*db, READ_IMGMETA_SQLITE_BUSY_MS);
	if ((k = sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL)) != SQLITE_OK ||
	    (k = sqlite3_db_config(*db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL)) != SQLITE_OK ||
	    (k = sqlite3_exec(*db, "PRAGMA query_only = 1", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return k;
	return imgmeta_db_ids(*db, app, ver);
}

/*
 * The tables read (image_sources, images, image_properties) are tables:
 * NULL, or what is wrong, in buf. A view in their place (a file crafted
 * to look like imgmeta's) could compute rows without end.
 */
static const char *
read_imgmeta_sqlite_tables(sqlite3 *db, char *buf, size_t size)
{
	static const char *const tables[] = {
		"image_sources", "images", "image_properties"
	};
	sqlite3_stmt *st = NULL;
	const char *why = NULL;
	int k;

	/* A virtual table is a "table" with no pages of its own. */
	if (sqlite3_prepare_v2(db, "SELECT type, rootpage FROM "
	    "main.sqlite_master WHERE name = ?1 AND type <> 'trigger'", -1,
	    &st, NULL) != SQLITE_OK) {
		snprintf(buf, size, "cannot read its schema: %s",
		    sqlite3_errmsg(db));
		return buf;
	}
	for (size_t i = 0; why == NULL && i < sizeof tables /
	    sizeof tables[0]; i++) {
		const char *type;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
		if ((k = sqlite3_step(st)) == SQLITE_DONE)
			snprintf(buf, size, "it has no %s table", tables[i]);
		else if (k != SQLITE_ROW)
			snprintf(buf, size, "cannot read its schema: %s",
			    sqlite3_errmsg(db));
		else if ((type = (const char *)sqlite3_column_text(st, 0)) ==
		    NULL || strcmp(type, "table") != 0 ||
		    sqlite3_column_int64(st, 1) <= 0)
			snprintf(buf, size, "its %s is a %s, not a table",
			    tables[i], type == NULL ? "NULL" :
			    strcmp(type, "table") == 0 ? "virtual table" : type);
		else
			continue;
		why = buf;
	}
	sqlite3_finalize(st);
	return why;
}

/* No FILE-wal beside it: nothing is being written into it, everything
 * is in the file itself. */
static int
read_imgmeta_sqlite_at_rest(const char *file)
{
	struct stat sb;
	char *wal = xasprintf("%s-wal", file);
	int rest = stat(wal, &sb) != 0 && errno == ENOENT;

	free(wal);
	return rest;
}

/* The file's header says WAL mode (its read and write versions, bytes
 * 18 and 19, are 2). */
static int
read_imgmeta_sqlite_is_wal(const char *file)
{
	unsigned char h[20];
	int fd, wal = 0;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h)
		wal = h[18] == 2 && h[19] == 2;
	close(fd);
	return wal;
}

/* One row of image_sources: (image_id, seq, observation). */
static enum rc
read_imgmeta_sqlite_row(struct read_ctx *ctx, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const char *text = (const char *)sqlite3_column_text(st, 2);
	const char *why;
	struct record obs;
	char *pos, err[JSON_ERROR_TEXT_LENGTH + 16];
	enum rc rc;

	pos = xasprintf("image %s seq %lld", id != NULL ? id : "NULL",
	    (long long)sqlite3_column_int64(st, 1));
	ctx->pos = pos;
	record_init(&obs);
	why = imgmeta_db_observation_read(id, text, &obs, err, sizeof err);
	if (why != NULL)
		rc = read_reject(ctx, "the stored observation is damaged "
		    "(%s): not read", why);
	else
		rc = read_emit(ctx, &obs);
	record_clear(&obs);
	ctx->pos = "0";
	free(pos);
	return rc;
}

static enum rc
read_imgmeta_sqlite_read(struct read_ctx *ctx)
{
	const char *file = ctx->file;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	const char *why;
	char *obs, *q, buf[160];
	int app = 0, ver = 0, k, step, rest, immutable;
	enum rc rc = RC_OK;

	ctx->pos = "0";
	if (strcmp(file, "-") == 0)
		return read_reject(ctx, "an SQLite database on standard input "
		    "cannot be read (SQLite reads a database in place): name "
		    "the file instead");
	if (ctx->resp->compressed)
		return read_reject(ctx, "a gzip-compressed SQLite database "
		    "cannot be read (SQLite reads a database in place): "
		    "gunzip it first");
	if (stat(file, &sb) != 0)
		return read_reject(ctx, "cannot read the SQLite database: %s",
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return read_reject(ctx, "an SQLite database must be a regular "
		    "file named by its path (SQLite reads it in place), not a "
		    "pipe or a device");
	/* A WAL database at rest is read as the file that it is: read-only,
	 * SQLite would make a -wal and a -shm file beside it and leave
	 * them. */
	rest = read_imgmeta_sqlite_at_rest(file);
	immutable = rest && read_imgmeta_sqlite_is_wal(file);
	if ((k = read_imgmeta_sqlite_open(file, immutable, &db, &app,
	    &ver)) != 0 && !immutable && rest &&
	    ((k & 0xff) == SQLITE_READONLY || (k & 0xff) == SQLITE_CANTOPEN)) {
		/* A database that no one writes, where SQLite cannot make
		 * what it needs (a write-protected directory). */
		sqlite3_close(db);
		db = NULL;
		k = read_imgmeta_sqlite_open(file, 1, &db, &app, &ver);
	}
	if (k != 0) {
		rc = read_reject(ctx, "cannot read the SQLite database: %s",
		    db != NULL && sqlite3_errcode(db) != SQLITE_OK ?
		    sqlite3_errmsg(db) : sqlite3_errstr(k));
		goto out;
	}
	if (app != WRITE_SQLITE_APPLICATION_ID) {
		rc = read_reject(ctx, "an SQLite database, but not imgmeta's "
		    "(application_id %d, imgmeta's is %d): not read", app,
		    WRITE_SQLITE_APPLICATION_ID);
		goto out;
	}
	if (ver < IMGMETA_DB_OLDEST_VERSION ||
	    ver > WRITE_SQLITE_USER_VERSION) {
		rc = read_reject(ctx, "an imgmeta database of schema version "
		    "%d (user_version), and this imgmeta reads versions %d to "
		    "%d: not read", ver, IMGMETA_DB_OLDEST_VERSION,
		    WRITE_SQLITE_USER_VERSION);
		goto out;
	}
	if ((why = read_imgmeta_sqlite_tables(db, buf, sizeof buf)) != NULL) {
		rc = read_reject(ctx, "%s (a database imgmeta did not write "
		    "as it is): not read", why);
		goto out;
	}
	obs = imgmeta_db_observation_sql(db);
	q = xasprintf("SELECT s.image_id, s.seq, %s FROM image_sources s "
	    "ORDER BY s.image_id, s.seq", obs);
	k = sqlite3_prepare_v2(db, q, -1, &st, NULL);
	free(q);
	free(obs);
	if (k != SQLITE_OK) {
		rc = read_reject(ctx, "cannot read its image_sources: %s",
		    sqlite3_errmsg(db));
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = read_imgmeta_sqlite_row(ctx, st)) == RC_FATAL)
			goto out;
	rc = RC_OK;
	if (step != SQLITE_DONE)
		rc = read_reject(ctx, "cannot read on in image_sources (%s): "
		    "the rest of the database is not read",
		    sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
