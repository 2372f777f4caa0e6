/*
 * read_imgmeta_sqlite.c: imgmeta's own SQLite output (write_sqlite.c,
 * schema.sql) read back as the observations it holds, so that shards
 * converted apart merge into what one run over everything gives (README
 * "Shards").
 *
 * Recognised by SQLite's magic ("SQLite format 3\0"). SQLite reads a
 * database in place, so it must be a regular file named by its path: on
 * standard input, through a pipe or gzip-compressed it is rejected with
 * what to do instead. It is opened with PRAGMA query_only (read-write
 * where the file allows it, so that closing it removes the -wal and -shm
 * files that reading a WAL database makes, as a read-only connection
 * would not; nothing is ever written) and must carry imgmeta's
 * application_id and a schema version (user_version) from
 * IMGMETA_DB_OLDEST_VERSION to this schema's, as write_sqlite.c asks of a
 * database it writes into; another is rejected untouched.
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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
static int	read_imgmeta_sqlite_at_rest(const char *);
static enum rc	read_imgmeta_sqlite_row(struct read_ctx *, sqlite3_stmt *);

const struct reader_ops read_imgmeta_sqlite_ops = {
	.name = "imgmeta_sqlite",
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
 * opened read-write where the file allows (SQLite falls back to
 * read-only for a write-protected file) with PRAGMA query_only; with
 * immutable, read-only as a file that nothing changes.
 */
static int
read_imgmeta_sqlite_open(const char *file, int immutable, sqlite3 **db,
    int *app, int *ver)
{
	struct buf uri = BUF_INIT;
	int k;

	if (immutable) {
		/* A URI: the path's bytes outside [A-Za-z0-9/._~-]
		 * percent-encoded. */
		buf_addstr(&uri, "file:");
		for (const char *p = file; *p != '\0'; p++) {
			unsigned char ch = (unsigned char)*p;

			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' &&
			    ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			    strchr("/._~-", ch) != NULL)
				buf_addc(&uri, (char)ch);
			else
				buf_printf(&uri, "%%%02X", ch);
		}
		buf_addstr(&uri, "?immutable=1");
		k = sqlite3_open_v2(buf_cstr(&uri), db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI, NULL);
		buf_free(&uri);
	} else
		k = sqlite3_open_v2(file, db, SQLITE_OPEN_READWRITE, NULL);
	if (k != SQLITE_OK)
		return k;
	sqlite3_busy_timeout(*db, READ_IMGMETA_SQLITE_BUSY_MS);
	if ((k = sqlite3_exec(*db, "PRAGMA query_only = 1", NULL, NULL,
	    NULL)) == SQLITE_OK)
		k = imgmeta_db_ids(*db, app, ver);
	return k;
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
	char *obs, *q;
	int app = 0, ver = 0, k, step;
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
	if ((k = read_imgmeta_sqlite_open(file, 0, &db, &app, &ver)) != 0 &&
	    ((k & 0xff) == SQLITE_READONLY || (k & 0xff) == SQLITE_CANTOPEN) &&
	    read_imgmeta_sqlite_at_rest(file)) {
		/* A WAL database that no one writes, where its -shm file
		 * cannot be made (a write-protected directory). */
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
	obs = imgmeta_db_observation_sql();
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
