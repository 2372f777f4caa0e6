/*
 * write_sqlite.c: the SQLite output, an inventory that runs keep feeding
 * (DESIGN.md section 5; the schema, with its documentation, is
 * formats/schema.sql, compiled in as formats/schema_sql.h).
 *
 * A run is one transaction. A new database is built under a temporary
 * name beside the target and renamed into place at finish, after it was
 * committed, switched to WAL, closed (which checkpoints and removes the
 * -wal and -shm files) and synced. Nothing but that one file exists
 * before the rename, and a failed run removes it, so it is built for
 * speed: no rollback journal, no syncs, plain INSERTs (there is nothing to
 * replace), and neither foreign keys nor CHECK constraints evaluated row
 * by row: every row written belongs to the image written just before it
 * and to this run, and every value is the canonical record's, which is
 * what the CHECKs describe (record.h; the tests run integrity_check and
 * foreign_key_check on the databases they make). An existing database
 * must carry imgmeta's application_id and a schema version this imgmeta
 * writes (IMGMETA_DB_OLDEST_VERSION on), or it is refused untouched; it
 * is written in place in one BEGIN IMMEDIATE ... COMMIT with every
 * constraint enforced, so a failed or killed run leaves it as it was.
 *
 * Merging into an existing database: image_sources keeps every
 * observation's canonical JSON (NULL for an image's only one, which is
 * its row: write_sqlite_observe) and run number. preload hands the stored
 * observations of every id this run saw back to the merge, with their own
 * run numbers, so that the fold sees them in the order of DESIGN.md
 * section 3; observe collects the folded observations (and the conflict
 * hook the disagreements) of one id, and write replaces that id's rows.
 * A record left out by a filter is never written, and its stored rows
 * stay as they were.
 *
 * Rows wait in a batch of up to WRITE_SQLITE_BATCH images and go in by up
 * to 1 << WRITE_SQLITE_ROWS_LOG rows a statement (statements prepared for
 * 1, 2, 4, ... rows of each table, as many as SQLite's limit on
 * parameters allows): a statement per row cost about as much again as
 * the rows themselves, and 128 rows a statement a quarter less than 32
 * (a million properties: 0.45 s against 0.63 s). A batch goes in table
 * by table, images first (whose rows the others reference), after the
 * DELETEs of its images' old rows when the database is not new. With -j above 1
 * (writer_opts.threads), a full batch is handed to a thread of its own,
 * which inserts it while the main thread folds and fills the next one
 * (one hand-over per batch; the connection is the thread's meanwhile,
 * and the main thread says the thread's error, if any, at the next
 * hand-over or at finish). The rows, and so the database, are the same.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "imgmeta_db.h"
#include "output.h"
#include "record_json.h"
#include "sqlite_wb.h"
#include "writer.h"

/* static const char write_sqlite_schema[], WRITE_SQLITE_APPLICATION_ID,
 * WRITE_SQLITE_USER_VERSION: made from formats/schema.sql by make. */
#include "formats/schema_sql.h"

/* The test suite's way to stop a run inside its transaction: while the
 * file this names exists, finish waits before COMMIT (at most a minute). */
#define WRITE_SQLITE_PAUSE_ENV	"IMGMETA_TEST_SQLITE_PAUSE"

/*
 * A new database's page size. At 4096 bytes an image_sources row (a
 * WITHOUT ROWID table, so an index b-tree, whose rows keep at most about
 * 1000 bytes on their page) with an observation of a dozen properties
 * spills onto an overflow page of its own, mostly empty: the file was
 * twice its size. At 8192, rows of up to about 2000 bytes stay whole; at
 * 16384, rows of up to about 4000, and the inserting thread takes about a
 * tenth less time than at 8192 for the same instructions (half as many
 * pages to find, split and write), for a file 2% larger (100k images:
 * 182 MB against 179).
 */
#define WRITE_SQLITE_PAGE_SIZE	"16384"

#define WRITE_SQLITE_ROWS_LOG	7
/* 512 images: with -j, a hand-over (a thread's wake-up, costly on a
 * virtual machine) per 64 images took a fifth of the inserting thread's
 * time */
#define WRITE_SQLITE_BATCH	512
#define WRITE_SQLITE_BATCH_TEXT	(4 << 20)	/* or this many bytes of text */

/* The tables a batch fills, in the order they are written. */
enum write_sqlite_tab {
	T_IMAGE,		/* insert (new database) or upsert */
	T_PROP,
	T_SOURCE,
	T_CONFLICT,
	T__COUNT
};

enum write_sqlite_st {
	ST_PROPS_DEL,		/* the DELETEs: existing database only */
	ST_SOURCES_DEL,
	ST_CONFLICTS_DEL,
	ST_REJECT,
	ST_INPUT,		/* the inputs as evidence */
	ST_KNOWN,
	ST_WARN,
	ST_PAGE,		/* the list pages */
	ST__COUNT
};

/*
 * The rows of a batch. Their text is in the batch's arena, by offset (the
 * arena moves as it grows) and length (bound as it is: SQLite need not
 * look for the NUL); offset 0 stands for NULL. id is the image's id.
 */
struct write_sqlite_str {
	size_t		 at;
	size_t		 len;
};

struct write_sqlite_img {
	struct write_sqlite_str f[F__COUNT];
	/* int and bool fields not NULL: the value bound (what strtoll
	 * reads of the text, or 1 for "true"), read on the main thread */
	sqlite3_int64	 num[F__COUNT];
	sqlite3_int64	 sources;
};

struct write_sqlite_prop {
	struct write_sqlite_str id;
	struct write_sqlite_str key;
	struct write_sqlite_str value;
};

struct write_sqlite_obs {
	struct write_sqlite_str id;
	sqlite3_int64	 seq;
	sqlite3_int64	 run;
	struct write_sqlite_str src[S__COUNT];
	struct write_sqlite_str json;	/* canonical JSON of the observation */
};

/* The source fields a conflict row keeps of each side. */
static const enum source_field write_sqlite_cf_src[] = { S_FILE, S_AT, S_API };
#define WRITE_SQLITE_CF_SRC	3

struct write_sqlite_cf {
	struct write_sqlite_str id;
	sqlite3_int64	 seq;
	struct write_sqlite_str field;
	struct write_sqlite_str old_value;
	struct write_sqlite_str new_value;
	struct write_sqlite_str old_src[WRITE_SQLITE_CF_SRC];
	struct write_sqlite_str new_src[WRITE_SQLITE_CF_SRC];
	sqlite3_int64	 run;
};

/* A growable array of rows. */
struct write_sqlite_rows {
	void		*v;
	size_t		 n;
	size_t		 cap;
};

struct write_sqlite_batch {
	struct buf		 text;
	struct write_sqlite_rows rows[T__COUNT];
};

struct write_sqlite {
	struct writer		*w;
	sqlite3			*db;
	char			*target;
	char			*tmp;		/* new database: built here */
	int			 wbfd;		/* tmp, for its writeback; -1 */
	int			 fresh;		/* a new database */
	/* schema version 2 on: an image's one observation is stored as
	 * NULL (it is the image's row) */
	int			 compact;
	char			*known;		/* write_sqlite_known's answer */
	int			 in_txn;
	sqlite3_int64		 run;		/* this run's id in runs */
	sqlite3_stmt		*st[ST__COUNT];
	/* ins[t][k] inserts 1 << k rows into table t, k <= maxk[t] */
	sqlite3_stmt		*ins[T__COUNT][WRITE_SQLITE_ROWS_LOG + 1];
	int			 maxk[T__COUNT];
	sqlite3_stmt		*seen;		/* preload */
	struct write_sqlite_batch b;	/* being filled */
	struct write_sqlite_batch tb;	/* the thread's */
	/* -j > 1: batches are flushed on a thread of their own while the
	 * main thread fills the next (one hand-over per batch) */
	int			 threaded, started, work, stop;
	enum rc			 trc;		/* the thread's */
	char			*terr;		/* its error, not said yet */
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* the id being folded (offset 0: none), and where the batch
	 * stood before its first observation (to drop them if it is left
	 * out by a filter) */
	struct write_sqlite_str	 cur_id;
	size_t			 mark_text;
	size_t			 mark_obs;
	size_t			 mark_cf;
};

static enum rc	write_sqlite_open(struct writer *, const char *);
static enum rc	write_sqlite_write(struct writer *, const struct record *);
static enum rc	write_sqlite_finish(struct writer *);
static void	write_sqlite_free(struct writer *);
static enum rc	write_sqlite_page(struct writer *, const struct page *,
		    enum page_next, const struct page *);
static enum rc	write_sqlite_reject(struct writer *, const char *,
		    const char *, const char *);
static enum rc	write_sqlite_conflict(struct writer *,
		    const struct conflict *);
static enum rc	write_sqlite_preload(struct writer *, struct merge *);
static enum rc	write_sqlite_observe(struct writer *, const struct record *,
		    int, int);
static const char *write_sqlite_known(struct writer *, const char *);
static enum rc	write_sqlite_input(struct writer *,
		    const struct writer_input *);
static enum rc	write_sqlite_warn(struct writer *, const char *,
		    const char *, const char *);
static enum rc	write_sqlite_upgrade(struct write_sqlite *, int);
static enum rc	write_sqlite_widen(struct write_sqlite *);
static int	write_sqlite_has(struct write_sqlite *, const char *,
		    const char *);
static int	write_sqlite_nullable(struct write_sqlite *);

static enum rc	write_sqlite_err(struct write_sqlite *, const char *);
static enum rc	write_sqlite_said(struct write_sqlite *);
static enum rc	write_sqlite_refuse(struct write_sqlite *, const char *, ...)
		    PRINTFLIKE(2, 3);
static enum rc	write_sqlite_exec(struct write_sqlite *, const char *,
		    const char *);
static enum rc	write_sqlite_step(struct write_sqlite *, sqlite3_stmt *,
		    const char *);
static enum rc	write_sqlite_open_new(struct write_sqlite *);
static enum rc	write_sqlite_open_existing(struct write_sqlite *);
static enum rc	write_sqlite_prepare(struct write_sqlite *);
static enum rc	write_sqlite_run_start(struct write_sqlite *);
static enum rc	write_sqlite_run_finish(struct write_sqlite *);
static enum rc	write_sqlite_seen(void *, const char *);
static inline void *write_sqlite_row(struct write_sqlite_rows *, size_t);
static enum rc	write_sqlite_flush(struct write_sqlite *);
static void	write_sqlite_writeback(struct write_sqlite *);
static enum rc	write_sqlite_insert(struct write_sqlite *,
		    enum write_sqlite_tab, struct write_sqlite_batch *);
static enum rc	write_sqlite_insert_step(struct write_sqlite *,
		    sqlite3_stmt *, const char *);
static int	write_sqlite_bind_row(enum write_sqlite_tab, size_t,
		    sqlite3_stmt *, int, const struct write_sqlite_batch *);
static void	write_sqlite_bind_str(sqlite3_stmt *, int,
		    const struct write_sqlite_batch *, struct write_sqlite_str);
static int	write_sqlite_is_cur(const struct write_sqlite *, const char *);
static sqlite3_int64 write_sqlite_int(const char *);
static enum rc	write_sqlite_commit_new(struct write_sqlite *);
static enum rc	write_sqlite_adopt(struct write_sqlite *);
static int	write_sqlite_empty(const char *);
static enum rc	write_sqlite_copy_rows(struct write_sqlite *,
		    const char *);
static void	write_sqlite_close(struct write_sqlite *);
static void	write_sqlite_forget(struct write_sqlite *);
static void	write_sqlite_remove_tmp(struct write_sqlite *);
static void	write_sqlite_now(char *, size_t);
static char	*write_sqlite_arguments(const struct writer_run *);
static void	write_sqlite_bind_text(sqlite3_stmt *, int, const char *);
static inline struct write_sqlite_str write_sqlite_keep(
		    struct write_sqlite *, const char *);
static void	write_sqlite_pause(void);

static const char *const write_sqlite_suffixes[] = {
	".db", ".sqlite", ".sqlite3", NULL
};

/* SQLite's own files beside a database. */
static const char *const write_sqlite_side_files[] = {
	"-wal", "-shm", "-journal", NULL
};

const struct writer_ops write_sqlite_ops = {
	.name = "sqlite",
	.suffixes = write_sqlite_suffixes,
	.to_stdout = 0,
	.side_files = write_sqlite_side_files,
	.open = write_sqlite_open,
	.write = write_sqlite_write,
	.finish = write_sqlite_finish,
	.free = write_sqlite_free,
	.reject = write_sqlite_reject,
	.conflict = write_sqlite_conflict,
	.preload = write_sqlite_preload,
	.observe = write_sqlite_observe,
	.known = write_sqlite_known,
	.input = write_sqlite_input,
	.warn = write_sqlite_warn,
	.page = write_sqlite_page,
};

static enum rc
write_sqlite_err(struct write_sqlite *s, const char *what)
{
	const char *why = s->db != NULL ? sqlite3_errmsg(s->db) :
	    "out of memory";
	int code = s->db != NULL ? sqlite3_errcode(s->db) & 0xff : 0;
	int sys = s->db != NULL ? sqlite3_system_errno(s->db) : 0;
	char *msg;

	/* SQLite's "disk I/O error" says which system error it was */
	if ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && sys != 0)
		msg = xasprintf("%s: %s (%s)", what, why, strerror(sys));
	else
		msg = xasprintf("%s: %s", what, why);
	/* on the flushing thread: kept, said by the main thread when it
	 * next hands a batch over or waits (write_sqlite_said) */
	if (s->started && pthread_equal(pthread_self(), s->th)) {
		if (s->terr == NULL)
			s->terr = msg;
		else
			free(msg);
		return RC_FATAL;
	}
	diag_report(s->w->diag, DIAG_ERROR, s->target, NULL, "%s", msg);
	free(msg);
	return RC_FATAL;
}

/* The flushing thread's error, said once, on the main thread (with the
 * mutex held or the thread idle). */
static enum rc
write_sqlite_said(struct write_sqlite *s)
{
	if (s->trc == RC_OK)
		return RC_OK;
	if (s->terr != NULL) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL, "%s",
		    s->terr);
		free(s->terr);
		s->terr = NULL;
	}
	return RC_FATAL;
}

/* An existing file that is not ours: say so, and leave it alone. */
static enum rc
write_sqlite_refuse(struct write_sqlite *s, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
	    "%s: not written; give -o a new file name, or the database of "
	    "an earlier imgmeta run to add to", why);
	free(why);
	return RC_FATAL;
}

static enum rc
write_sqlite_exec(struct write_sqlite *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return write_sqlite_err(s, what);
	return RC_OK;
}

/* Runs a prepared statement that returns no rows, and resets it. */
static enum rc
write_sqlite_step(struct write_sqlite *s, sqlite3_stmt *st, const char *what)
{
	enum rc rc = RC_OK;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = write_sqlite_err(s, what);	/* before reset: its message */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static void
write_sqlite_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "1970-01-01T00:00:00Z");
}

/* The command line as a JSON array (bytes that are not UTF-8 read as
 * ISO-8859-1, as header values are). */
static char *
write_sqlite_arguments(const struct writer_run *r)
{
	json_t *a = json_array();
	char *text;

	for (int i = 0; i < r->argc && r->argv != NULL; i++) {
		const char *arg = r->argv[i];
		size_t n = strlen(arg);

		if (utf8_valid(arg, n))
			json_array_append_new(a, json_stringn(arg, n));
		else {
			char *u = latin1_to_utf8(arg, n);

			json_array_append_new(a, json_string(u));
			free(u);
		}
	}
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (text == NULL)
		fatal("out of memory");
	return text;
}

static void
write_sqlite_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* A copy of v in the batch's text (offset 0 for NULL). */
static inline struct write_sqlite_str
write_sqlite_keep(struct write_sqlite *s, const char *v)
{
	struct write_sqlite_str t = { 0, 0 };

	if (v == NULL)
		return t;
	if (s->b.text.len == 0)
		buf_addc(&s->b.text, '\0');	/* offset 0 stands for NULL */
	t.at = s->b.text.len;
	t.len = strlen(v);
	buf_add(&s->b.text, v, t.len + 1);
	return t;
}

/* Whether id is the id being folded. */
static int
write_sqlite_is_cur(const struct write_sqlite *s, const char *id)
{
	return s->cur_id.at != 0 && strcmp(s->b.text.data + s->cur_id.at,
	    id) == 0;
}

/* An int field's value as SQLite gets it: what strtoll reads of the
 * canonical text (digits, at most 18 of them, read here at once). */
static sqlite3_int64
write_sqlite_int(const char *v)
{
	sqlite3_int64 n = 0;
	size_t i;

	for (i = 0; i < 18 && v[i] >= '0' && v[i] <= '9'; i++)
		n = n * 10 + (v[i] - '0');
	if (i == 0 || v[i] != '\0')
		n = strtoll(v, NULL, 10);	/* not canonical, or long */
	return n;
}

/* A new row at the end of r (size bytes each), zeroed (inline: a memset
 * of a size known where it is called, not a call). */
static inline void *
write_sqlite_row(struct write_sqlite_rows *r, size_t size)
{
	void *row;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xreallocarray(r->v, r->cap, size);
	}
	row = (char *)r->v + r->n++ * size;
	memset(row, 0, size);
	return row;
}

static enum rc
write_sqlite_open(struct writer *w, const char *path)
{
	struct write_sqlite *s = xcalloc(1, sizeof *s);
	struct stat sb;
	enum rc rc;

	s->w = w;
	s->wbfd = -1;
	s->target = xstrdup(path);
	s->threaded = w->opts.threads > 1;
	w->priv = s;
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode))
			rc = write_sqlite_refuse(s, "is not a regular file");
		else if (sb.st_size == 0)	/* touched, or mktemp'd */
			rc = write_sqlite_open_new(s);
		else
			rc = write_sqlite_open_existing(s);
	} else if (errno == ENOENT)
		rc = write_sqlite_open_new(s);
	else {
		diag_report(w->diag, DIAG_ERROR, path, NULL, "cannot look at "
		    "the output file: %s", strerror(errno));
		rc = RC_FATAL;
	}
	if (rc == RC_OK)
		rc = write_sqlite_prepare(s);
	if (rc == RC_OK)
		rc = write_sqlite_run_start(s);
	if (rc != RC_OK) {
		/* nothing is left open; a later free finds priv NULL */
		write_sqlite_free(w);
		return RC_FATAL;
	}
	return RC_OK;
}

/*
 * A new database: under a temporary name beside the target, built as the
 * top says (nothing but that one file exists until finish, and a failed
 * run or a signal's cleanup removes it, so there is nothing to roll back
 * to).
 */
static enum rc
write_sqlite_open_new(struct write_sqlite *s)
{
	mode_t um;

	if ((s->tmp = output_temp_path(s->target,
	    write_sqlite_side_files)) == NULL) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
		    "cannot create a file beside it: %s", strerror(errno));
		return RC_FATAL;
	}
	um = umask(0);
	umask(um);
	(void)chmod(s->tmp, 0666 & ~um);
	s->fresh = 1;
	s->compact = 1;
	/* with -j above 1, its pages are written out on a thread of their
	 * own (sqlite_wb.c) */
	if (sqlite3_open_v2(s->tmp, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, s->threaded ? sqlite_wb_vfs() : NULL) !=
	    SQLITE_OK)
		return write_sqlite_err(s, "cannot create the database");
	if (write_sqlite_exec(s, "PRAGMA page_size = "
	    WRITE_SQLITE_PAGE_SIZE ";"
	    "PRAGMA journal_mode = OFF;"
	    "PRAGMA synchronous = OFF;"
	    "PRAGMA foreign_keys = OFF;"
	    "PRAGMA ignore_check_constraints = ON;"
	    "BEGIN;", "cannot start the database") != RC_OK)
		return RC_FATAL;
	s->in_txn = 1;
	if (write_sqlite_exec(s, write_sqlite_schema,
	    "cannot create the schema") != RC_OK)
		return RC_FATAL;
	s->run = 1;
	return RC_OK;
}

/*
 * An existing file: SQLite's magic, imgmeta's application_id and a
 * schema version (user_version) from IMGMETA_DB_OLDEST_VERSION to this
 * schema's, or it is refused before anything is written.
 * Then one write transaction for the whole run (readers may go on reading
 * in WAL mode; a second writer waits a while, then gives up).
 */
static enum rc
write_sqlite_open_existing(struct write_sqlite *s)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	sqlite3_stmt *st;
	size_t n = 0;
	FILE *f;
	int app = 0, ver = 0, rc;

	if ((f = fopen(s->target, "rb")) == NULL) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
		    "cannot open the existing output: %s", strerror(errno));
		return RC_FATAL;
	}
	n = fread(head, 1, sizeof head, f);
	if (ferror(f)) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
		    "cannot read the existing output: %s", strerror(errno));
		fclose(f);
		return RC_FATAL;
	}
	fclose(f);
	if (n != sizeof head || memcmp(head, magic, sizeof magic) != 0)
		return write_sqlite_refuse(s, "exists and is not an SQLite "
		    "database");
	if (sqlite3_open_v2(s->target, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return write_sqlite_err(s, "cannot open the database");
	sqlite3_busy_timeout(s->db, 10000);
	rc = imgmeta_db_ids(s->db, &app, &ver);
	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return write_sqlite_refuse(s, "is not a readable SQLite "
		    "database (%s)", sqlite3_errstr(rc));
	if (rc != 0)
		return write_sqlite_err(s, "cannot read the database header");
	if (app != WRITE_SQLITE_APPLICATION_ID)
		return write_sqlite_refuse(s, "is an SQLite database, but not "
		    "imgmeta's (application_id %d, imgmeta's is %d)", app,
		    WRITE_SQLITE_APPLICATION_ID);
	if (ver < IMGMETA_DB_OLDEST_VERSION ||
	    ver > WRITE_SQLITE_USER_VERSION)
		return write_sqlite_refuse(s, "is an imgmeta database of "
		    "schema version %d (user_version), and this imgmeta "
		    "writes versions %d to %d", ver,
		    IMGMETA_DB_OLDEST_VERSION, WRITE_SQLITE_USER_VERSION);
	if (write_sqlite_exec(s, "PRAGMA foreign_keys = ON;"
	    "PRAGMA journal_mode = WAL;", "cannot set up the database") !=
	    RC_OK)
		return RC_FATAL;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		if (sqlite3_errcode(s->db) == SQLITE_BUSY)
			diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
			    "another run is writing into this database; try "
			    "again when it has finished");
		else
			write_sqlite_err(s, "cannot start a transaction");
		return RC_FATAL;
	}
	s->in_txn = 1;
	if (write_sqlite_upgrade(s, ver) != RC_OK)
		return RC_FATAL;
	if ((s->compact = write_sqlite_nullable(s)) < 0)
		return write_sqlite_err(s, "cannot read the database's schema");
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) + 1 "
	    "FROM runs", -1, &st, NULL) != SQLITE_OK)
		return write_sqlite_err(s, "cannot read the runs table");
	if (sqlite3_step(st) == SQLITE_ROW)
		s->run = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (s->run == 0)
		return write_sqlite_err(s, "cannot read the runs table");
	return RC_OK;
}

/* Whether the database has that table, or that column in a table: 1
 * or 0, or -1 when SQLite cannot say (out of memory, say, which may have
 * rolled the run's transaction back: the caller stops, reporting it). */
static int
write_sqlite_has(struct write_sqlite *s, const char *table,
    const char *column)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, column != NULL ?
	    "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2" :
	    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (column != NULL)
		sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Whether image_sources.observation may be NULL: not in a database made
 * as version 1 (NOT NULL), which keeps that table as it was when it is
 * brought to a later version, and so every observation's JSON. -1 when
 * SQLite cannot say (as write_sqlite_has).
 */
static int
write_sqlite_nullable(struct write_sqlite *s)
{
	sqlite3_stmt *st;
	int nullable = 0, rc;

	if (sqlite3_prepare_v2(s->db, "SELECT \"notnull\" FROM "
	    "pragma_table_info('image_sources') WHERE name = 'observation'",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nullable = sqlite3_column_int(st, 0) == 0;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? nullable : -1;
}

/*
 * A database of an older schema version brought to this one, in the
 * run's transaction (so a failed run leaves it at its version): version
 * 3's tables (schema.sql's "version 3" block), runs' duplicates column
 * and image_sources' sha256, each unless it is there already, then
 * version 4's wider visibility CHECK (write_sqlite_widen), then version
 * 5's pages table (the "version 5" block) unless it is there.
 */
static enum rc
write_sqlite_upgrade(struct write_sqlite *s, int ver)
{
	static const char v3[] = "cannot bring the database to schema "
	    "version 3", v5[] = "cannot bring the database to schema "
	    "version 5";
	int has;

	if (ver >= WRITE_SQLITE_USER_VERSION)
		return RC_OK;
	if ((has = write_sqlite_has(s, "runs", "duplicates")) < 0 ||
	    (!has && write_sqlite_exec(s, "ALTER TABLE runs ADD COLUMN "
	    "duplicates INTEGER", v3) != RC_OK))
		return has < 0 ? write_sqlite_err(s, v3) : RC_FATAL;
	if ((has = write_sqlite_has(s, "image_sources", "sha256")) < 0 ||
	    (!has && write_sqlite_exec(s, "ALTER TABLE image_sources ADD "
	    "COLUMN sha256 TEXT", v3) != RC_OK))
		return has < 0 ? write_sqlite_err(s, v3) : RC_FATAL;
	if ((has = write_sqlite_has(s, "inputs", NULL)) < 0 ||
	    (!has && write_sqlite_exec(s, write_sqlite_upgrade3, v3) !=
	    RC_OK))
		return has < 0 ? write_sqlite_err(s, v3) : RC_FATAL;
	if (write_sqlite_widen(s) != RC_OK)
		return RC_FATAL;
	if ((has = write_sqlite_has(s, "pages", NULL)) < 0 ||
	    (!has && write_sqlite_exec(s, write_sqlite_upgrade5, v5) !=
	    RC_OK))
		return has < 0 ? write_sqlite_err(s, v5) : RC_FATAL;
	return write_sqlite_exec(s, "PRAGMA user_version = 5", "cannot bring "
	    "the database to schema version 5");
}

/*
 * Version 4: versions 1 to 3 allow only public and private in
 * images.visibility; version 4 adds Glance v2's shared and community.
 * The CHECK is widened by editing the text of the images table's CREATE
 * TABLE, as SQLite documents for a change that leaves the rows on disk as
 * they are (writable_schema, then a new schema_version so that the
 * connection reads the schema again). An images table whose text is
 * neither imgmeta's old nor its new one is refused.
 */
static enum rc
write_sqlite_widen(struct write_sqlite *s)
{
	static const char old_check[] =
	    "CHECK (visibility IN ('public', 'private'))";
	static const char new_check[] =
	    "CHECK (visibility IN ('public', 'private',\n"
	    "\t\t\t    'shared', 'community'))";
	sqlite3_stmt *st;
	char *sql;
	int found = -1, schema = -1, step;
	enum rc rc;

	if (sqlite3_prepare_v2(s->db, "SELECT instr(sql, ?1) > 0, instr(sql, "
	    "?2) > 0 FROM sqlite_schema WHERE type = 'table' AND name = "
	    "'images'", -1, &st, NULL) != SQLITE_OK)
		return write_sqlite_err(s, "cannot read the schema");
	sqlite3_bind_text(st, 1, old_check, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, new_check, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		found = sqlite3_column_int(st, 0) ? 0 :
		    sqlite3_column_int(st, 1) ? 1 : -1;
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return write_sqlite_err(s, "cannot read the schema");
	if (found < 0)
		return write_sqlite_refuse(s, "is an imgmeta database whose "
		    "images table is not as imgmeta made it (its visibility "
		    "CHECK)");
	if (found == 1)
		return RC_OK;
	if (sqlite3_prepare_v2(s->db, "PRAGMA schema_version", -1, &st,
	    NULL) != SQLITE_OK)
		return write_sqlite_err(s, "cannot read the schema");
	if (sqlite3_step(st) == SQLITE_ROW)
		schema = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (schema < 0)
		return write_sqlite_err(s, "cannot read the schema");
	sql = sqlite3_mprintf("PRAGMA writable_schema = ON;"
	    "UPDATE sqlite_schema SET sql = replace(sql, %Q, %Q) "
	    "WHERE type = 'table' AND name = 'images';"
	    "PRAGMA schema_version = %d;"
	    "PRAGMA writable_schema = OFF;", old_check, new_check,
	    schema + 1);
	if (sql == NULL)
		fatal("out of memory");
	rc = write_sqlite_exec(s, sql, "cannot bring the database to schema "
	    "version 4");
	sqlite3_free(sql);
	return rc;
}

/* The statements of the run; the column lists follow field_info and
 * source_field_name, whose names are the schema's column names. */
static enum rc
write_sqlite_prepare(struct write_sqlite *s)
{
	struct buf b = BUF_INIT;
	const char *sql[ST__COUNT];
	char *head[T__COUNT], *tail = NULL;
	int ncol[T__COUNT];
	enum rc rc = RC_OK;

	buf_addstr(&b, "INSERT INTO images (");
	for (int f = 0; f < F__COUNT; f++)
		buf_printf(&b, "%s, ", field_info[f].name);
	buf_addstr(&b, "sources) VALUES ");
	head[T_IMAGE] = buf_detach(&b);
	ncol[T_IMAGE] = F__COUNT + 1;
	if (!s->fresh) {
		buf_addstr(&b, " ON CONFLICT (id) DO UPDATE SET ");
		for (int f = 1; f < F__COUNT; f++)
			buf_printf(&b, "%s = excluded.%s, ",
			    field_info[f].name, field_info[f].name);
		buf_addstr(&b, "sources = excluded.sources");
		tail = buf_detach(&b);
	}
	head[T_PROP] = xstrdup("INSERT INTO image_properties (image_id, key, "
	    "value) VALUES ");
	ncol[T_PROP] = 3;
	buf_addstr(&b, "INSERT INTO image_sources (image_id, seq, run");
	for (int f = 0; f < S__COUNT; f++)
		buf_printf(&b, ", %s", source_field_name[f]);
	buf_addstr(&b, ", observation) VALUES ");
	head[T_SOURCE] = buf_detach(&b);
	ncol[T_SOURCE] = 3 + S__COUNT + 1;
	head[T_CONFLICT] = xstrdup("INSERT INTO conflicts (image_id, seq, "
	    "field, old_value, new_value, old_file, old_at, old_api, "
	    "new_file, new_at, new_api, run) VALUES ");
	ncol[T_CONFLICT] = 12;

	for (int t = 0; t < T__COUNT && rc == RC_OK; t++) {
		int vars = sqlite3_limit(s->db, SQLITE_LIMIT_VARIABLE_NUMBER,
		    -1);

		s->maxk[t] = WRITE_SQLITE_ROWS_LOG;
		while (s->maxk[t] > 0 && (1 << s->maxk[t]) * ncol[t] > vars)
			s->maxk[t]--;
		for (int k = 0; k <= s->maxk[t] && rc == RC_OK; k++) {
			buf_reset(&b);
			buf_addstr(&b, head[t]);
			for (int r = 0; r < 1 << k; r++) {
				buf_addstr(&b, r ? ", (?" : "(?");
				for (int c = 1; c < ncol[t]; c++)
					buf_addstr(&b, ", ?");
				buf_addc(&b, ')');
			}
			if (t == T_IMAGE && tail != NULL)
				buf_addstr(&b, tail);
			if (sqlite3_prepare_v2(s->db, buf_cstr(&b), -1,
			    &s->ins[t][k], NULL) != SQLITE_OK)
				rc = write_sqlite_err(s, "cannot prepare a "
				    "statement (is the schema damaged?)");
		}
	}

	sql[ST_PROPS_DEL] = "DELETE FROM image_properties WHERE image_id = ?";
	sql[ST_SOURCES_DEL] = "DELETE FROM image_sources WHERE image_id = ?";
	sql[ST_CONFLICTS_DEL] = "DELETE FROM conflicts WHERE image_id = ?";
	sql[ST_REJECT] = "INSERT INTO rejects (run, file, position, reason) "
	    "VALUES (?, ?, ?, ?)";
	sql[ST_INPUT] = "INSERT INTO inputs (run, path, size, sha256, "
	    "duplicate_of, responses, observations, rejects, warnings) "
	    "VALUES (?, ?, ?, ?, (SELECT id FROM inputs WHERE sha256 = ?4 "
	    "AND duplicate_of IS NULL AND ?5 ORDER BY id LIMIT 1), ?, ?, ?, "
	    "?)";
	sql[ST_KNOWN] = "SELECT path FROM inputs WHERE sha256 = ? AND "
	    "duplicate_of IS NULL ORDER BY id LIMIT 1";
	sql[ST_WARN] = "INSERT INTO warnings (run, file, position, message) "
	    "VALUES (?, ?, ?, ?)";
	sql[ST_PAGE] = "INSERT INTO pages (run, file, position, api, url, "
	    "marker, images, first_image, last_image, next, next_url, "
	    "next_page, next_file, next_position) VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?)";
	if (s->fresh)	/* nothing to replace */
		sql[ST_PROPS_DEL] = sql[ST_SOURCES_DEL] =
		    sql[ST_CONFLICTS_DEL] = NULL;
	for (int i = 0; i < ST__COUNT && rc == RC_OK; i++)
		if (sql[i] != NULL && sqlite3_prepare_v2(s->db, sql[i], -1,
		    &s->st[i], NULL) != SQLITE_OK)
			rc = write_sqlite_err(s, "cannot prepare a statement "
			    "(is the schema damaged?)");
	for (int t = 0; t < T__COUNT; t++)
		free(head[t]);
	free(tail);
	buf_free(&b);
	return rc;
}

static enum rc
write_sqlite_run_start(struct write_sqlite *s)
{
	sqlite3_stmt *st;
	char now[32], *args;
	enum rc rc = RC_OK;

	write_sqlite_now(now, sizeof now);
	args = write_sqlite_arguments(&s->w->run);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (id, started, "
	    "version, arguments) VALUES (?, ?, ?, ?)", -1, &st, NULL) !=
	    SQLITE_OK) {
		free(args);
		return write_sqlite_err(s, "cannot record the run");
	}
	sqlite3_bind_int64(st, 1, s->run);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	write_sqlite_bind_text(st, 3, s->w->run.version != NULL ?
	    s->w->run.version : PACKAGE_VERSION);
	sqlite3_bind_text(st, 4, args, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = write_sqlite_err(s, "cannot record the run");
	sqlite3_finalize(st);
	free(args);
	return rc;
}

static enum rc
write_sqlite_run_finish(struct write_sqlite *s)
{
	static const struct diag_counts none;
	const struct diag_counts *n = s->w->run.counts != NULL ?
	    s->w->run.counts : &none;
	sqlite3_stmt *st;
	char now[32];
	enum rc rc = RC_OK;
	int i = 1;

	write_sqlite_now(now, sizeof now);
	if (sqlite3_prepare_v2(s->db, "UPDATE runs SET finished = ?, "
	    "inputs = ?, bytes = ?, responses = ?, observations = ?, "
	    "records = ?, filtered = ?, rejected = ?, non2xx = ?, "
	    "conflicts = ?, warnings = ?, duplicates = ? WHERE id = ?", -1,
	    &st, NULL) !=
	    SQLITE_OK)
		return write_sqlite_err(s, "cannot record the run");
	sqlite3_bind_text(st, i++, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->inputs);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->bytes);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->responses);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->observations);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->records);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->filtered);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->rejects);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->non2xx);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->conflicts);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->warnings);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)n->duplicates);
	sqlite3_bind_int64(st, i, s->run);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = write_sqlite_err(s, "cannot record the run");
	sqlite3_finalize(st);
	return rc;
}

static enum rc
write_sqlite_reject(struct writer *w, const char *file, const char *pos,
    const char *msg)
{
	struct write_sqlite *s = w->priv;
	sqlite3_stmt *st = s->st[ST_REJECT];

	sqlite3_bind_int64(st, 1, s->run);
	write_sqlite_bind_text(st, 2, file);
	write_sqlite_bind_text(st, 3, pos);
	write_sqlite_bind_text(st, 4, msg);
	return write_sqlite_step(s, st, "cannot record a reject");
}

static enum rc
write_sqlite_warn(struct writer *w, const char *file, const char *pos,
    const char *msg)
{
	struct write_sqlite *s = w->priv;
	sqlite3_stmt *st = s->st[ST_WARN];

	/* after the commit (the directory's sync): said, not recorded */
	if (st == NULL)
		return RC_OK;
	sqlite3_bind_int64(st, 1, s->run);
	write_sqlite_bind_text(st, 2, file);
	write_sqlite_bind_text(st, 3, pos);
	write_sqlite_bind_text(st, 4, msg);
	return write_sqlite_step(s, st, "cannot record a warning");
}

/* The first input read with these bytes, by this run or an earlier
 * one (a duplicate names it, and is not one itself). */
static const char *
write_sqlite_known(struct writer *w, const char *sha256)
{
	struct write_sqlite *s = w->priv;
	sqlite3_stmt *st = s->st[ST_KNOWN];

	free(s->known);
	s->known = NULL;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		s->known = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return s->known;
}

/* An input's row; a duplicate's duplicate_of, the first input of its
 * bytes, is found by the statement. */
static enum rc
write_sqlite_input(struct writer *w, const struct writer_input *in)
{
	struct write_sqlite *s = w->priv;
	sqlite3_stmt *st = s->st[ST_INPUT];
	int i = 1;

	sqlite3_bind_int64(st, i++, s->run);
	write_sqlite_bind_text(st, i++, in->file);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)in->size);
	write_sqlite_bind_text(st, i++, in->sha256);
	sqlite3_bind_int(st, i++, in->same_as != NULL);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)in->responses);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)in->observations);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)in->rejects);
	sqlite3_bind_int64(st, i, (sqlite3_int64)in->warnings);
	return write_sqlite_step(s, st, "cannot record an input");
}

/* A list page of the run, into the pages table. */
static enum rc
write_sqlite_page(struct writer *w, const struct page *p,
    enum page_next next, const struct page *found)
{
	struct write_sqlite *s = w->priv;
	sqlite3_stmt *st = s->st[ST_PAGE];

	sqlite3_bind_int64(st, 1, s->run);
	write_sqlite_bind_text(st, 2, p->v[PG_FILE]);
	write_sqlite_bind_text(st, 3, p->v[PG_POS]);
	write_sqlite_bind_text(st, 4, p->v[PG_API]);
	write_sqlite_bind_text(st, 5, p->v[PG_URL]);
	write_sqlite_bind_text(st, 6, p->v[PG_MARKER]);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)p->items);
	write_sqlite_bind_text(st, 8, p->v[PG_FIRST_ID]);
	write_sqlite_bind_text(st, 9, p->v[PG_LAST_ID]);
	write_sqlite_bind_text(st, 10, p->v[PG_NEXT]);
	write_sqlite_bind_text(st, 11, p->v[PG_NEXT_URL]);
	write_sqlite_bind_text(st, 12, pages_next_name(next));
	write_sqlite_bind_text(st, 13, found != NULL ? found->v[PG_FILE] :
	    NULL);
	write_sqlite_bind_text(st, 14, found != NULL ? found->v[PG_POS] :
	    NULL);
	return write_sqlite_step(s, st, "cannot record a page");
}

/* merge_each_id's callback: the ids this run saw, into a temp table. */
static enum rc
write_sqlite_seen(void *arg, const char *id)
{
	struct write_sqlite *s = arg;

	sqlite3_bind_text(s->seen, 1, id, -1, SQLITE_STATIC);
	return write_sqlite_step(s, s->seen, "cannot list the images seen");
}

/*
 * The observations stored for every id this run saw go back into the
 * merge with their own run numbers (1 .. this run - 1, all lower than
 * MERGE_RUN_CURRENT), in their stored order, which is their fold order:
 * the merge then orders them among the new ones by Date, run and input
 * order, as one run over everything would have.
 */
static enum rc
write_sqlite_preload(struct writer *w, struct merge *m)
{
	struct write_sqlite *s = w->priv;
	sqlite3_stmt *st = NULL;
	struct record obs;
	enum rc rc = RC_OK;
	char *expr, *q, err[JSON_ERROR_TEXT_LENGTH + 16];
	int step = SQLITE_DONE, k;

	if (s->fresh)
		return RC_OK;		/* a new database holds nothing yet */
	if (write_sqlite_exec(s, "CREATE TEMP TABLE write_sqlite_seen "
	    "(id TEXT PRIMARY KEY) WITHOUT ROWID",
	    "cannot make a temporary table") != RC_OK)
		return RC_FATAL;
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO "
	    "temp.write_sqlite_seen (id) VALUES (?)", -1, &s->seen, NULL) !=
	    SQLITE_OK)
		return write_sqlite_err(s, "cannot make a temporary table");
	rc = merge_each_id(m, write_sqlite_seen, s);
	sqlite3_finalize(s->seen);
	s->seen = NULL;
	if (rc != RC_OK)
		return RC_FATAL;
	expr = imgmeta_db_observation_sql(s->db);
	q = xasprintf("SELECT s.image_id, s.seq, s.run, %s "
	    "FROM image_sources s "
	    "JOIN temp.write_sqlite_seen t ON t.id = s.image_id "
	    "ORDER BY s.image_id, s.seq", expr);
	k = sqlite3_prepare_v2(s->db, q, -1, &st, NULL);
	free(q);
	free(expr);
	if (k != SQLITE_OK)
		return write_sqlite_err(s, "cannot read the stored sources");
	record_init(&obs);
	while (rc == RC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *text = (const char *)sqlite3_column_text(st, 3);
		sqlite3_int64 run = sqlite3_column_int64(st, 2);
		const char *why;

		why = imgmeta_db_observation_read(id, text, &obs, err,
		    sizeof err);
		if (why == NULL && (run < 1 || run >= s->run))
			why = "its run number is impossible";
		if (why != NULL) {
			diag_report(w->diag, DIAG_ERROR, s->target, NULL,
			    "image_sources of image %s, seq %lld: the stored "
			    "observation is damaged (%s)", id,
			    (long long)sqlite3_column_int64(st, 1), why);
			rc = RC_FATAL;
		} else
			rc = merge_add(m, &obs, (int)run);
		record_clear(&obs);
	}
	if (rc == RC_OK && step != SQLITE_DONE)
		rc = write_sqlite_err(s, "cannot read the stored sources");
	sqlite3_finalize(st);
	if (rc == RC_OK)
		rc = write_sqlite_exec(s, "DROP TABLE temp.write_sqlite_seen",
		    "cannot drop a temporary table");
	return rc;
}

/* Drops the observations and conflicts of an id that was not written
 * (left out by a filter): the batch is as it was before them. */
static void
write_sqlite_forget(struct write_sqlite *s)
{
	if (s->cur_id.at == 0)
		return;
	s->b.text.len = s->mark_text;
	if (s->b.text.data != NULL)
		s->b.text.data[s->b.text.len] = '\0';
	s->b.rows[T_SOURCE].n = s->mark_obs;
	s->b.rows[T_CONFLICT].n = s->mark_cf;
	s->cur_id.at = 0;
}

/*
 * An observation's row of image_sources. Its JSON is not stored when it
 * is the image's only one (schema version 2 on): it is then the image's
 * row and properties, NULL here (read back by imgmeta_db_observation_sql).
 * In a database of a million images of one source each, that JSON was
 * 40% of the file.
 */
static enum rc
write_sqlite_observe(struct writer *w, const struct record *obs, int run,
    int alone)
{
	struct write_sqlite *s = w->priv;
	struct write_sqlite_obs *o;

	if (!write_sqlite_is_cur(s, obs->f[F_ID])) {
		/* a new id (the last one was left out by a filter) */
		write_sqlite_forget(s);
		s->mark_text = s->b.text.len;
		s->mark_obs = s->b.rows[T_SOURCE].n;
		s->mark_cf = s->b.rows[T_CONFLICT].n;
		s->cur_id = write_sqlite_keep(s, obs->f[F_ID]);
	}
	o = write_sqlite_row(&s->b.rows[T_SOURCE], sizeof *o);
	o->id = s->cur_id;
	o->seq = (sqlite3_int64)(s->b.rows[T_SOURCE].n - 1 - s->mark_obs);
	o->run = run == MERGE_RUN_CURRENT ? s->run : run;
	for (int f = 0; f < S__COUNT && obs->nsrcs > 0; f++)
		o->src[f] = write_sqlite_keep(s, obs->srcs[0].v[f]);
	if (alone && s->compact) {
		o->json.at = o->json.len = 0;
		return RC_OK;
	}
	o->json.at = s->b.text.len;
	if (record_json_text(obs, &s->b.text) != 0)
		fatal("observation of %s is not representable as JSON",
		    obs->f[F_ID]);
	o->json.len = s->b.text.len - o->json.at;
	buf_addc(&s->b.text, '\0');
	return RC_OK;
}

static enum rc
write_sqlite_conflict(struct writer *w, const struct conflict *c)
{
	struct write_sqlite *s = w->priv;
	const struct write_sqlite_rows *obs = &s->b.rows[T_SOURCE];
	struct write_sqlite_cf *k;

	if (!write_sqlite_is_cur(s, c->id) || obs->n == s->mark_obs)
		return RC_OK;	/* not from a fold: nothing to keep */
	k = write_sqlite_row(&s->b.rows[T_CONFLICT], sizeof *k);
	k->id = s->cur_id;
	k->seq = (sqlite3_int64)(s->b.rows[T_CONFLICT].n - 1 - s->mark_cf);
	k->field = write_sqlite_keep(s, c->field);
	k->old_value = write_sqlite_keep(s, c->old_value);
	k->new_value = write_sqlite_keep(s, c->new_value);
	for (int i = 0; i < WRITE_SQLITE_CF_SRC; i++) {
		enum source_field f = write_sqlite_cf_src[i];

		if (c->old_src != NULL)
			k->old_src[i] = write_sqlite_keep(s, c->old_src->v[f]);
		if (c->new_src != NULL)
			k->new_src[i] = write_sqlite_keep(s, c->new_src->v[f]);
	}
	/* the observation being folded brought the new value */
	k->run = ((const struct write_sqlite_obs *)obs->v)[obs->n - 1].run;
	return RC_OK;
}

/* Text of the batch, by its length (SQLITE_STATIC: the batch stays as it
 * is until the statement has run), or NULL. */
static void
write_sqlite_bind_str(sqlite3_stmt *st, int col,
    const struct write_sqlite_batch *bb, struct write_sqlite_str t)
{
	if (t.at == 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, bb->text.data + t.at,
		    t.len <= INT_MAX ? (int)t.len : -1, SQLITE_STATIC);
}

/* Binds row i of table t to st from column col on; the next column. */
static int
write_sqlite_bind_row(enum write_sqlite_tab t, size_t i, sqlite3_stmt *st,
    int col, const struct write_sqlite_batch *bb)
{
	const struct write_sqlite_img *img;
	const struct write_sqlite_prop *p;
	const struct write_sqlite_obs *o;
	const struct write_sqlite_cf *k;

	switch (t) {
	case T_IMAGE:
		img = (const struct write_sqlite_img *)bb->rows[t].v + i;
		for (int f = 0; f < F__COUNT; f++, col++)
			if (img->f[f].at != 0 && (field_info[f].type ==
			    FT_INT || field_info[f].type == FT_BOOL))
				sqlite3_bind_int64(st, col, img->num[f]);
			else
				write_sqlite_bind_str(st, col, bb, img->f[f]);
		sqlite3_bind_int64(st, col++, img->sources);
		break;
	case T_PROP:
		p = (const struct write_sqlite_prop *)bb->rows[t].v + i;
		write_sqlite_bind_str(st, col++, bb, p->id);
		write_sqlite_bind_str(st, col++, bb, p->key);
		write_sqlite_bind_str(st, col++, bb, p->value);
		break;
	case T_SOURCE:
		o = (const struct write_sqlite_obs *)bb->rows[t].v + i;
		write_sqlite_bind_str(st, col++, bb, o->id);
		sqlite3_bind_int64(st, col++, o->seq);
		sqlite3_bind_int64(st, col++, o->run);
		for (int f = 0; f < S__COUNT; f++)
			write_sqlite_bind_str(st, col++, bb, o->src[f]);
		write_sqlite_bind_str(st, col++, bb, o->json);
		break;
	default:
		k = (const struct write_sqlite_cf *)bb->rows[t].v + i;
		write_sqlite_bind_str(st, col++, bb, k->id);
		sqlite3_bind_int64(st, col++, k->seq);
		write_sqlite_bind_str(st, col++, bb, k->field);
		write_sqlite_bind_str(st, col++, bb, k->old_value);
		write_sqlite_bind_str(st, col++, bb, k->new_value);
		for (int j = 0; j < WRITE_SQLITE_CF_SRC; j++)
			write_sqlite_bind_str(st, col++, bb, k->old_src[j]);
		for (int j = 0; j < WRITE_SQLITE_CF_SRC; j++)
			write_sqlite_bind_str(st, col++, bb, k->new_src[j]);
		sqlite3_bind_int64(st, col++, k->run);
		break;
	}
	return col;
}

/* write_sqlite_step for an INSERT of the batch, without clearing the
 * bindings: the next use binds every parameter again. */
static enum rc
write_sqlite_insert_step(struct write_sqlite *s, sqlite3_stmt *st,
    const char *what)
{
	enum rc rc = RC_OK;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = write_sqlite_err(s, what);	/* before reset: its message */
	sqlite3_reset(st);
	return rc;
}

/* The rows of table t in the batch, by up to 1 << WRITE_SQLITE_ROWS_LOG
 * a statement. */
static enum rc
write_sqlite_insert(struct write_sqlite *s, enum write_sqlite_tab t,
    struct write_sqlite_batch *bb)
{
	static const char *const what[T__COUNT] = {
		"cannot store an image", "cannot store a property",
		"cannot store a source", "cannot store a conflict"
	};
	size_t n = bb->rows[t].n;

	for (size_t i = 0; i < n; ) {
		int k = s->maxk[t], col = 1;
		sqlite3_stmt *st;

		while (((size_t)1 << k) > n - i)
			k--;
		st = s->ins[t][k];
		for (size_t end = i + ((size_t)1 << k); i < end; i++)
			col = write_sqlite_bind_row(t, i, st, col, bb);
		if (write_sqlite_insert_step(s, st, what[t]) != RC_OK)
			return RC_FATAL;
	}
	return RC_OK;
}

/* The batch into the database: the old rows of its images out (an
 * existing database), then its rows in, table by table; then empty. */
static enum rc
write_sqlite_flush_batch(struct write_sqlite *s, struct write_sqlite_batch *bb)
{
	static const char *const what[] = {
		"cannot replace the properties of an image",
		"cannot replace the sources of an image",
		"cannot replace the conflicts of an image"
	};
	const struct write_sqlite_img *img = bb->rows[T_IMAGE].v;
	enum rc rc = RC_OK;

	for (size_t i = 0; !s->fresh && i < bb->rows[T_IMAGE].n; i++)
		for (int d = ST_PROPS_DEL; d <= ST_CONFLICTS_DEL; d++) {
			write_sqlite_bind_str(s->st[d], 1, bb, img[i].f[F_ID]);
			if (write_sqlite_step(s, s->st[d], what[d]) != RC_OK)
				return RC_FATAL;
		}
	for (int t = 0; t < T__COUNT && rc == RC_OK; t++)
		rc = write_sqlite_insert(s, (enum write_sqlite_tab)t, bb);
	for (int t = 0; t < T__COUNT; t++)
		bb->rows[t].n = 0;
	buf_reset(&bb->text);
	return rc;
}

static void *
write_sqlite_thread(void *arg)
{
	struct write_sqlite *s = arg;
	enum rc rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->work && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->work)
			break;
		pthread_mutex_unlock(&s->mu);
		rc = write_sqlite_flush_batch(s, &s->tb);
		pthread_mutex_lock(&s->mu);
		if (rc != RC_OK)
			s->trc = rc;
		s->work = 0;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Waits until the thread is idle; its rc. */
static enum rc
write_sqlite_idle(struct write_sqlite *s)
{
	enum rc rc;

	if (!s->started)
		return RC_OK;
	pthread_mutex_lock(&s->mu);
	while (s->work)
		pthread_cond_wait(&s->cv, &s->mu);
	rc = write_sqlite_said(s);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static enum rc
write_sqlite_flush(struct write_sqlite *s)
{
	struct write_sqlite_batch t;

	if (!s->threaded) {
		if (write_sqlite_flush_batch(s, &s->b) != RC_OK)
			return RC_FATAL;
		write_sqlite_writeback(s);
		return RC_OK;
	}
	if (!s->started) {
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
		if (pthread_create(&s->th, NULL, write_sqlite_thread, s) != 0)
			fatal("cannot start a thread");
		s->started = 1;
	}
	pthread_mutex_lock(&s->mu);
	while (s->work)
		pthread_cond_wait(&s->cv, &s->mu);
	if (write_sqlite_said(s) != RC_OK) {
		pthread_mutex_unlock(&s->mu);
		return RC_FATAL;
	}
	t = s->tb;
	s->tb = s->b;
	s->b = t;
	s->work = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	write_sqlite_writeback(s);
	return RC_OK;
}

/*
 * A new database: what SQLite has written of it so far starts out to
 * disk (Linux's sync_file_range, which does not wait), batch after batch,
 * so that the fsync before the rename has little left to write: it took
 * 0.09 s for the 180 MB of the 100k bench corpus, the sqlite3 shell's
 * 0.03 s. Through a descriptor of our own; the pages are the file's.
 */
static void
write_sqlite_writeback(struct write_sqlite *s)
{
#ifdef HAVE_SYNC_FILE_RANGE
	if (!s->fresh)
		return;
	if (s->wbfd < 0 && (s->wbfd = open(s->tmp, O_RDONLY | O_CLOEXEC)) < 0)
		return;		/* only slower: the fsync does it all */
	(void)sync_file_range(s->wbfd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)s;
#endif
}

static void
write_sqlite_join(struct write_sqlite *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	s->started = 0;
}

static enum rc
write_sqlite_write(struct writer *w, const struct record *rec)
{
	struct write_sqlite *s = w->priv;
	const char *id = rec->f[F_ID];
	struct write_sqlite_img *img;

	if (!write_sqlite_is_cur(s, id)) {
		diag_report(w->diag, DIAG_ERROR, s->target, NULL, "internal "
		    "error: image %s written without its observations", id);
		return RC_FATAL;
	}
	img = write_sqlite_row(&s->b.rows[T_IMAGE], sizeof *img);
	img->f[F_ID] = s->cur_id;
	for (int f = 1; f < F__COUNT; f++) {
		const char *v = rec->f[f];

		img->f[f] = write_sqlite_keep(s, v);
		if (v == NULL)
			continue;
		if (field_info[f].type == FT_INT)
			img->num[f] = write_sqlite_int(v);
		else if (field_info[f].type == FT_BOOL)
			img->num[f] = strcmp(v, "true") == 0;
	}
	img->sources = (sqlite3_int64)rec->nsrcs;
	for (size_t i = 0; i < rec->nprops; i++) {
		struct write_sqlite_prop *p = write_sqlite_row(
		    &s->b.rows[T_PROP], sizeof *p);

		p->id = s->cur_id;
		p->key = write_sqlite_keep(s, rec->props[i].key);
		p->value = write_sqlite_keep(s, rec->props[i].value);
	}
	s->cur_id.at = 0;	/* in the batch now */
	if (s->b.rows[T_IMAGE].n >= WRITE_SQLITE_BATCH ||
	    s->b.text.len >= WRITE_SQLITE_BATCH_TEXT)
		return write_sqlite_flush(s);
	return RC_OK;
}

/* For the interrupted-run test: wait inside the transaction while the
 * file named by the environment exists. */
static void
write_sqlite_pause(void)
{
	const char *p = getenv(WRITE_SQLITE_PAUSE_ENV);
	int fd;

	if (p == NULL || *p == '\0')
		return;
	if ((fd = open(p, O_WRONLY | O_CREAT, 0666)) >= 0)
		close(fd);
	for (int i = 0; i < 600 && access(p, F_OK) == 0; i++)
		usleep(100000);
}

/*
 * The new database is complete: switch it to WAL (so that it is in WAL
 * mode from the start; done after the build, whose journal was in memory)
 * and close it, which checkpoints and removes the -wal and -shm files;
 * then sync it and rename it over the target.
 */
static enum rc
write_sqlite_commit_new(struct write_sqlite *s)
{
	char *wal;
	int fd, left;

	if (write_sqlite_exec(s, "PRAGMA journal_mode = WAL",
	    "cannot switch the database to WAL") != RC_OK)
		return RC_FATAL;
	write_sqlite_close(s);
	if (s->db != NULL)
		return write_sqlite_err(s, "cannot close the database");
	wal = xasprintf("%s-wal", s->tmp);
	left = access(wal, F_OK) == 0;
	free(wal);
	if (left) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
		    "the new database's write-ahead log was not folded back "
		    "into it on close");
		return RC_FATAL;
	}
	if ((fd = open(s->tmp, O_RDONLY)) < 0 ||
	    (fsync(fd) != 0 && errno != EINVAL)) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
		    "cannot write the new database: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return RC_FATAL;
	}
	close(fd);
	/* link, not rename: a database another run created meanwhile is
	 * never replaced. An empty file (counted as new) is replaced, and so
	 * is anything on a file system without hard links (there, and for
	 * two runs over one empty file, between the check and the rename a
	 * database could still appear and be replaced). */
	if (link(s->tmp, s->target) == 0)
		(void)unlink(s->tmp);
	else if (errno == EEXIST && !write_sqlite_empty(s->target))
		return write_sqlite_adopt(s);
	else if ((errno != EEXIST && errno != EPERM && errno != EOPNOTSUPP) ||
	    rename(s->tmp, s->target) != 0) {
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL,
		    "cannot put the new database into place: %s",
		    strerror(errno));
		return RC_FATAL;
	}
	output_forget_temp(s->tmp);
	free(s->tmp);
	s->tmp = NULL;
	(void)output_sync_dir(s->target, s->w->diag);
	return RC_OK;
}

/* 1 if path is an empty regular file. */
static int
write_sqlite_empty(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0;
}

/*
 * Another run created the target while this one built a new database:
 * this run is added to that one instead, as a run into an existing
 * database is (open, prepare, a row in runs), and the rows the run
 * already stored in the new one (rejects, warnings, inputs) are copied
 * over; then the new one is removed. RC_SKIP tells main to preload, fold
 * and finish again.
 */
static enum rc
write_sqlite_adopt(struct write_sqlite *s)
{
	enum rc rc;

	if (s->wbfd >= 0) {
		close(s->wbfd);
		s->wbfd = -1;
	}
	s->fresh = 0;
	s->stop = 0;		/* the batch thread may start again */
	rc = write_sqlite_open_existing(s);
	if (rc == RC_OK)
		rc = write_sqlite_prepare(s);
	if (rc == RC_OK)
		rc = write_sqlite_run_start(s);
	if (rc == RC_OK)
		rc = write_sqlite_copy_rows(s, s->tmp);
	write_sqlite_remove_tmp(s);
	if (rc != RC_OK)
		return RC_FATAL;
	/* said once the warnings table is this database's */
	diag_report(s->w->diag, DIAG_WARN, s->target, NULL, "another run "
	    "created the database meanwhile: this run is added to it");
	return RC_SKIP;
}

/* The rejects, warnings and inputs of the database at path (this run's
 * only), into this run's, through the statements that wrote them. */
static enum rc
write_sqlite_copy_rows(struct write_sqlite *s, const char *path)
{
	static const char *const q[] = {
		"SELECT file, position, reason FROM rejects ORDER BY id",
		"SELECT file, position, message FROM warnings ORDER BY id",
		"SELECT path, sha256, size, duplicate_of IS NOT NULL, "
		"responses, observations, rejects, warnings FROM inputs "
		"ORDER BY id",
	};
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum rc rc = RC_OK;
	int k = SQLITE_DONE;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		rc = RC_FATAL;
	for (size_t t = 0; t < sizeof q / sizeof q[0] && rc == RC_OK; t++) {
		if (sqlite3_prepare_v2(db, q[t], -1, &st, NULL) != SQLITE_OK) {
			rc = RC_FATAL;
			break;
		}
		while (rc == RC_OK && (k = sqlite3_step(st)) == SQLITE_ROW) {
			const char *c0 = (const char *)sqlite3_column_text(st, 0);
			const char *c1 = (const char *)sqlite3_column_text(st, 1);

			if (t == 0)
				rc = write_sqlite_reject(s->w, c0, c1,
				    (const char *)sqlite3_column_text(st, 2));
			else if (t == 1)
				rc = write_sqlite_warn(s->w, c0, c1,
				    (const char *)sqlite3_column_text(st, 2));
			else {
				struct writer_input in = {
					.file = c0,
					.sha256 = c1,
					.size = (uint64_t)sqlite3_column_int64(
					    st, 2),
					.same_as = sqlite3_column_int(st, 3) ?
					    c0 : NULL,
					.responses = (uint64_t)
					    sqlite3_column_int64(st, 4),
					.observations = (uint64_t)
					    sqlite3_column_int64(st, 5),
					.rejects = (uint64_t)
					    sqlite3_column_int64(st, 6),
					.warnings = (uint64_t)
					    sqlite3_column_int64(st, 7),
				};

				rc = write_sqlite_input(s->w, &in);
			}
		}
		if (rc == RC_OK && k != SQLITE_DONE)
			rc = RC_FATAL;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (rc != RC_OK && db != NULL && sqlite3_errcode(db) != SQLITE_OK)
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL, "cannot "
		    "read what this run stored in the database it built: %s",
		    sqlite3_errmsg(db));
	else if (db == NULL)
		diag_report(s->w->diag, DIAG_ERROR, s->target, NULL, "cannot "
		    "open the database this run built");
	sqlite3_close(db);
	return rc;
}

static enum rc
write_sqlite_finish(struct writer *w)
{
	struct write_sqlite *s = w->priv;

	write_sqlite_forget(s);
	if (write_sqlite_flush(s) != RC_OK || write_sqlite_idle(s) != RC_OK)
		return RC_FATAL;
	write_sqlite_join(s);
	if (write_sqlite_run_finish(s) != RC_OK)
		return RC_FATAL;
	write_sqlite_pause();
	if (write_sqlite_exec(s, "COMMIT", "cannot commit the run") != RC_OK)
		return RC_FATAL;
	s->in_txn = 0;
	if (s->tmp != NULL)
		return write_sqlite_commit_new(s);
	write_sqlite_close(s);
	if (s->db != NULL)
		diag_report(w->diag, DIAG_WARN, s->target, NULL,
		    "the run was committed, but closing the database "
		    "failed: %s", sqlite3_errmsg(s->db));
	return RC_OK;
}

/* Finalizes the statements and closes the database (rolling back an
 * open transaction); s->db stays set if SQLite refused to close. */
static void
write_sqlite_close(struct write_sqlite *s)
{
	for (int i = 0; i < ST__COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	for (int t = 0; t < T__COUNT; t++)
		for (int k = 0; k <= WRITE_SQLITE_ROWS_LOG; k++) {
			sqlite3_finalize(s->ins[t][k]);
			s->ins[t][k] = NULL;
		}
	sqlite3_finalize(s->seen);
	s->seen = NULL;
	if (s->db == NULL)
		return;
	if (s->in_txn) {
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_txn = 0;
	}
	if (sqlite3_close(s->db) == SQLITE_OK)
		s->db = NULL;
}

/* A new database that was not renamed into place, and its companions. */
static void
write_sqlite_remove_tmp(struct write_sqlite *s)
{
	static const char *const ext[] = { "-wal", "-shm", "-journal" };

	if (s->tmp == NULL)
		return;
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		char *p = xasprintf("%s%s", s->tmp, ext[i]);

		(void)unlink(p);
		free(p);
	}
	(void)unlink(s->tmp);
	output_forget_temp(s->tmp);
	free(s->tmp);
	s->tmp = NULL;
}

static void
write_sqlite_free(struct writer *w)
{
	struct write_sqlite *s = w->priv;

	if (s == NULL)
		return;
	write_sqlite_join(s);
	free(s->terr);
	free(s->known);
	buf_free(&s->b.text);
	buf_free(&s->tb.text);
	for (int t = 0; t < T__COUNT; t++) {
		free(s->b.rows[t].v);
		free(s->tb.rows[t].v);
	}
	write_sqlite_close(s);
	if (s->db != NULL) {
		(void)sqlite3_close_v2(s->db);
		s->db = NULL;
	}
	if (s->wbfd >= 0)
		close(s->wbfd);
	write_sqlite_remove_tmp(s);
	free(s->target);
	free(s);
	w->priv = NULL;
}
