/*
 * main.c: the command line, the pipeline (inputs -> capture -> read ->
 * merge -> write), the messages on standard error and the exit status.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capture.h"
#include "compare.h"
#include "diag.h"
#include "digest.h"
#include "filter.h"
#include "input.h"
#include "merge.h"
#include "output.h"
#include "reader.h"
#include "work.h"
#include "writer.h"

/* Exit statuses, as documented in the man page. */
enum exit_status {
	EXIT_ALL_KEPT = 0,	/* every input read, every observation kept */
	EXIT_REJECTS = 1,	/* output written, something was rejected */
	EXIT_FATAL = 2		/* usage or fatal error: no output left */
};

#define MAIN_JOBS_MAX	8	/* -j's default, at most */

struct opts {
	const char	*output;	/* NULL: standard output */
	const char	*format;
	int		 gzip;
	int		 quiet;
	int		 strict;
	int		 progress;
	int		 csv_raw;
	int		 csv_spreadsheet;
	int		 csv_prop_columns;
	const char	*stats_json;
	int		 compare;	/* --compare OLD NEW */
	int		 all_fields;	/* --all-fields (compare) */
	const char	*glance_report;	/* --glance-report FILE */
	unsigned	 jobs;		/* -j: reading threads, 0 = cores */
	const char	*manifest;	/* --manifest FILE */
};

/* The digests of the files read so far in this run (not the duplicates),
 * an open-addressing table keyed by the digest: the first file of each. */
struct main_seen {
	char		(*sha256)[DIGEST_HEX];	/* "" = empty slot */
	char		**file;
	size_t		 n;
	size_t		 cap;		/* a power of two */
};

struct run {
	struct opts	 o;
	struct diag	 diag;
	struct merge	*merge;
	struct writer	 writer;
	struct filter	*filter;
	int		 writer_open;	/* hooks may be called */
	/* progress display */
	int		 progress;
	double		 t0;
	double		 last_draw;
	int		 drawn;
	uint64_t	 total_files;
	uint64_t	 total_bytes;
	struct stream	*cur;		/* the file being read */
	int		 hook_failed;	/* a writer hook failed in the sink */
	/* the inputs as evidence */
	struct main_seen seen;
	struct output	*manifest;	/* --manifest, being written */
	char		*in_file;	/* the file being read, once begun */
	char		 in_sha256[DIGEST_HEX];
	uint64_t	 in_size;
	struct diag_counts in0;		/* the counts when it began */
};

static void	usage(FILE *);
static void	main_sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static void	main_put_escaped(const char *);
static enum rc	main_emit(void *, struct record *);
static int	main_refused(struct run *, const struct record *);
static enum rc	main_response(void *, struct response *);
static enum rc	main_file(void *, const char *, struct stream *);
static enum rc	main_packed(void *, const char *, const char *, const void *,
		    size_t);
static enum rc	main_input_begin(void *, const char *, const char *,
		    uint64_t);
static void	main_input_end(void *);
static const char *main_seen_find(struct main_seen *, const char *,
		    const char *);
static void	main_seen_free(struct main_seen *);
static void	main_manifest_line(struct run *, const char *, const char *);
static enum rc	main_manifest_finish(struct run *, const char *);
static void	main_tick(void *);
static enum rc	main_write(void *, const struct record *);
static enum rc	main_observe(void *, const struct record *, int, int);
static void	main_conflict(void *, const struct conflict *);
static void	main_summary(struct run *, double);
static int	main_run(struct run *, int, char *[]);
static void	main_stats(struct run *, double);
static void	main_signal(int);
static void	main_exclude_temps(const char *);
static int	main_output_is_input(const char *, char *const *, size_t);
static double	main_now(void);
static void	main_progress(struct run *, int);
static void	main_progress_end(struct run *);
static int	main_compare(struct run *, int, char *[]);

static const char *progname = "imgmeta";

static void
usage(FILE *f)
{
	fprintf(f,
"usage: imgmeta [OPTIONS] INPUT...\n"
"Reads captured responses of the deprecated image-metadata APIs (Glance v1\n"
"HEAD headers, v1/v1.1 JSON lists, Nova v2.1 show/detail/list/metadata),\n"
"merges what they say about each image and writes one record per image.\n"
"INPUT is a file, a directory (walked recursively) or - (standard input).\n"
"\n"
"  -o, --output PATH   where to write; - is standard output (default)\n"
"  -f, --format FMT    json (the default), csv, xml, sqlite or glance; else\n"
"                      from PATH's ending: .jsonl .jsonl.gz .json.gz .ndjson\n"
"                      .csv .xml .db .sqlite .sqlite3 .glance.jsonl[.gz]\n"
"  -z, --gzip          gzip the output even where PATH doesn't end in .gz\n"
"  -j, --jobs N        read files on N threads (default: the number of\n"
"                      processors, at most 8); the output does not depend\n"
"                      on N\n"
"      --strict        any reject: exit 1 before anything is written\n"
"      --csv-raw       csv: no ' before cells a spreadsheet would run\n"
"      --csv-spreadsheet  csv: a byte order mark, and a ' before numbers\n"
"                      and dates a spreadsheet would change\n"
"      --properties columns|json\n"
"                      csv: one property.KEY column per key, or one\n"
"                      JSON object column (the default)\n"
"  -q, --quiet         no summary, warnings or conflicts; rejects still shown\n"
"      --stats-json FILE  the summary's counts as JSON\n"
"      --manifest FILE   the SHA-256 of every input and of the output, as\n"
"                      sha256sum -c checks them\n"
"      --glance-report FILE  glance: what the bodies cannot carry, and why\n"
"      --compare OLD NEW   compare two inventories (each merged on its own);\n"
"                      differences as JSON Lines; exit 0 same, 1 different\n"
"      --all-fields    compare every field, not only what Glance v2 sets\n"
"      --progress, --no-progress  a progress line on standard error\n"
"                      (default: on when standard error is a terminal)\n"
"filters on the merged records (the APIs' own query parameters; AND):\n"
"      --name NAME, --status S, --visibility V, --container-format F,\n"
"      --disk-format F     equality\n"
"      --size-min N, --size-max N  bytes, inclusive\n"
"      --changes-since TIME        updated_at strictly later\n"
"      --min-ram N, --min-disk N   equality (as Glance matched them)\n"
"      --property KEY=VALUE        repeatable\n"
"  -h, --help          this help\n"
"      --version       the version\n"
"\n"
"Exit status: 0 all kept, 1 written but something rejected, 2 error.\n"
"See imgmeta(1) and README.md.\n");
}

/* Prints a message, with control characters and bytes that are not
 * UTF-8 (a file name, a header from anywhere) made visible as \xNN. */
static void
main_put_escaped(const char *s)
{
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else if (c < 0x80)
			fputc(c, stderr);
		else if (strnlen(s, n) == n && utf8_valid(s, n)) {
			fwrite(s, 1, n, stderr);
			s += n;
			continue;
		} else
			fprintf(stderr, "\\x%02x", c);
		s++;
	}
}

static void
main_sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	struct run *r = arg;
	const char *label = "";

	/* kept by the writer (sqlite: the rejects and warnings tables)
	 * whether or not -q says them */
	if ((kind == DIAG_REJECT || kind == DIAG_NON2XX) && r->writer_open &&
	    r->writer.ops->reject != NULL &&
	    r->writer.ops->reject(&r->writer, file, pos, msg) != RC_OK)
		r->hook_failed = 1;
	if (kind == DIAG_WARN && r->writer_open &&
	    r->writer.ops->warn != NULL &&
	    r->writer.ops->warn(&r->writer, file, pos, msg) != RC_OK)
		r->hook_failed = 1;
	switch (kind) {
	case DIAG_NOTE:
	case DIAG_WARN:
	case DIAG_CONFLICT:
		if (r->o.quiet)
			return;
		label = kind == DIAG_WARN ? "warning: " :
		    kind == DIAG_CONFLICT ? "conflict: " : "";
		break;
	case DIAG_REJECT:
	case DIAG_NON2XX:
	case DIAG_ERROR:
		break;
	}
	main_progress_end(r);
	fprintf(stderr, "%s: ", progname);
	if (file != NULL) {
		main_put_escaped(file);
		fputc(':', stderr);
		if (pos != NULL) {
			main_put_escaped(pos);
			fputc(':', stderr);
		}
		fputc(' ', stderr);
	}
	fputs(label, stderr);
	main_put_escaped(msg);
	fputc('\n', stderr);
}

/*
 * One line on standard error, redrawn at most four times a second: files
 * and bytes read of the total (bytes of compressed files count as their
 * decompressed size, so the share is approximate), observations, records,
 * rate and time left. force draws now.
 */
static void
main_progress(struct run *r, int force)
{
	const struct diag_counts *n = &r->diag.n;
	double now, secs, rate, left = -1;
	uint64_t bytes;
	char eta[32] = "";

	if (!r->progress)
		return;
	now = main_now();
	if (!force && now - r->last_draw < 0.25)
		return;
	r->last_draw = now;
	secs = now - r->t0;
	bytes = n->bytes + (r->cur != NULL ? stream_offset(r->cur) : 0);
	rate = secs > 0 ? (double)bytes / secs : 0;
	if (rate > 0 && r->total_bytes > bytes)
		left = (double)(r->total_bytes - bytes) / rate;
	if (left >= 0)
		snprintf(eta, sizeof eta, ", %.0f s left", left);
	fprintf(stderr, "\r\033[K%s: %llu/%llu files, %.1f/%.1f MB, "
	    "%llu observations, %llu records, %.1f MB/s, %.0f s%s",
	    progname, (unsigned long long)n->inputs,
	    (unsigned long long)r->total_files, (double)bytes / 1e6,
	    (double)r->total_bytes / 1e6,
	    (unsigned long long)n->observations,
	    (unsigned long long)n->records, rate / 1e6, secs, eta);
	fflush(stderr);
	r->drawn = 1;
}

/* Erases the progress line, so that messages and the summary start on a
 * clean line. */
static void
main_progress_end(struct run *r)
{
	if (r->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		r->drawn = 0;
	}
}

static enum rc
main_emit(void *arg, struct record *obs)
{
	struct run *r = arg;

	main_progress(r, 0);
	if (main_refused(r, obs))
		return RC_OK;
	return merge_add(r->merge, obs, MERGE_RUN_CURRENT);
}

/* The writer's check hook refused the observation (it reported why):
 * rejected, not kept, so no longer counted as kept. */
static int
main_refused(struct run *r, const struct record *obs)
{
	if (r->writer.ops->check == NULL ||
	    r->writer.ops->check(&r->writer, obs) != RC_SKIP)
		return 0;
	r->diag.n.observations--;
	return 1;
}

static enum rc
main_response(void *arg, struct response *resp)
{
	struct run *r = arg;

	return read_response(resp, &r->diag, main_emit, r);
}

static enum rc
main_file(void *arg, const char *name, struct stream *s)
{
	struct run *r = arg;
	enum rc rc;

	r->cur = s;
	main_progress(r, 0);
	rc = main_input_begin(r, name, stream_sha256(s), stream_size(s));
	if (rc == RC_OK) {
		rc = capture_read(s, name, &r->diag, main_response, r);
		main_input_end(r);
	}
	r->cur = NULL;
	return rc == RC_FATAL ? RC_FATAL : RC_OK;
}

/*
 * The first file of these bytes in this run, else NULL (and file is
 * remembered as the first). The digest's first bytes are already
 * uniformly spread: they are the hash.
 */
static const char *
main_seen_find(struct main_seen *t, const char *sha256, const char *file)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct main_seen g = { 0 };

		g.cap = t->cap ? 2 * t->cap : 256;
		g.sha256 = xcalloc(g.cap, sizeof *g.sha256);
		g.file = xcalloc(g.cap, sizeof *g.file);
		for (i = 0; i < t->cap; i++)
			if (t->sha256[i][0] != '\0')
				(void)main_seen_find(&g, t->sha256[i],
				    t->file[i]);
		for (i = 0; i < t->cap; i++)
			free(t->file[i]);
		free(t->sha256);
		free(t->file);
		*t = g;
	}
	i = 0;
	for (int k = 0; k < 8; k++) {
		char c = sha256[k];

		i = i << 4 | (size_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	i &= t->cap - 1;
	for (; t->sha256[i][0] != '\0'; i = (i + 1) & (t->cap - 1))
		if (strcmp(t->sha256[i], sha256) == 0)
			return t->file[i];
	snprintf(t->sha256[i], DIGEST_HEX, "%s", sha256);
	t->file[i] = xstrdup(file);
	t->n++;
	return NULL;
}

static void
main_seen_free(struct main_seen *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->file[i]);
	free(t->sha256);
	free(t->file);
	memset(t, 0, sizeof *t);
}

/*
 * A file begins, its digest known: in the manifest; a duplicate of one
 * read earlier in this run or, as the writer knows, by an earlier run
 * into the same output, is said and not read (RC_SKIP).
 */
static enum rc
main_input_begin(void *arg, const char *name, const char *sha256,
    uint64_t size)
{
	struct run *r = arg;
	const char *earlier;

	if (sha256 == NULL)
		return RC_OK;
	main_manifest_line(r, sha256, name);
	earlier = main_seen_find(&r->seen, sha256, name);
	if (earlier == NULL && r->writer.ops->known != NULL)
		earlier = r->writer.ops->known(&r->writer, sha256);
	if (earlier != NULL) {
		struct writer_input in = {
			.file = name, .sha256 = sha256, .size = size,
			.same_as = earlier
		};

		r->diag.n.duplicates++;
		diag_report(&r->diag, DIAG_NOTE, name, NULL, "same content as "
		    "%s (sha256 %s): not read again", earlier, sha256);
		if (r->writer.ops->input != NULL &&
		    r->writer.ops->input(&r->writer, &in) != RC_OK)
			return RC_FATAL;
		return RC_SKIP;
	}
	free(r->in_file);
	r->in_file = xstrdup(name);
	snprintf(r->in_sha256, sizeof r->in_sha256, "%s", sha256);
	r->in_size = size;
	r->in0 = r->diag.n;
	return RC_OK;
}

/* The file begun last was read: what it yielded, to the writer. */
static void
main_input_end(void *arg)
{
	struct run *r = arg;
	const struct diag_counts *n = &r->diag.n, *o = &r->in0;
	struct writer_input in;

	if (r->in_file == NULL)
		return;
	in = (struct writer_input){
		.file = r->in_file, .sha256 = r->in_sha256,
		.size = r->in_size,
		.responses = n->responses - o->responses,
		.observations = n->observations - o->observations,
		.rejects = n->rejects - o->rejects,
		.warnings = n->warnings - o->warnings,
	};
	if (r->writer.ops->input != NULL &&
	    r->writer.ops->input(&r->writer, &in) != RC_OK)
		r->hook_failed = 1;
	free(r->in_file);
	r->in_file = NULL;
}

/*
 * A line of the manifest, as sha256sum prints it: a name with a
 * backslash, a newline or a carriage return has them escaped, and the
 * line starts with a backslash.
 */
static void
main_manifest_line(struct run *r, const char *sha256, const char *name)
{
	struct buf b = BUF_INIT;

	if (r->manifest == NULL)
		return;
	if (strpbrk(name, "\\\n\r") != NULL)
		buf_addc(&b, '\\');
	buf_printf(&b, "%s  ", sha256);
	for (const char *p = name; *p != '\0'; p++)
		if (*p == '\\')
			buf_addstr(&b, "\\\\");
		else if (*p == '\n')
			buf_addstr(&b, "\\n");
		else if (*p == '\r')
			buf_addstr(&b, "\\r");
		else
			buf_addc(&b, *p);
	buf_addc(&b, '\n');
	if (output_write(r->manifest, b.data, b.len) != RC_OK) {
		output_abort(r->manifest);
		r->manifest = NULL;
		r->hook_failed = 1;
	}
	buf_free(&b);
}

/* The output is in place: its digest ends the manifest, which is then
 * put in place too. */
static enum rc
main_manifest_finish(struct run *r, const char *path)
{
	char sha256[DIGEST_HEX];
	uint64_t size;
	struct output *o = r->manifest;

	if (o == NULL)
		return RC_OK;
	if (digest_path(path, sha256, &size) != 0) {
		diag_report(&r->diag, DIAG_ERROR, path, NULL, "cannot read "
		    "the output back for the manifest: %s", strerror(errno));
		output_abort(o);
		r->manifest = NULL;
		return RC_FATAL;
	}
	main_manifest_line(r, sha256, path);
	if (r->manifest == NULL)
		return RC_FATAL;
	r->manifest = NULL;
	return output_commit(o);
}

/* -j N > 1: an observation read on a worker thread, taken back in input
 * order (work.c), as main_emit takes one read on this thread. */
static enum rc
main_packed(void *arg, const char *id, const char *date, const void *packed,
    size_t len)
{
	struct run *r = arg;

	if (r->writer.ops->check != NULL) {
		struct record obs;
		int refused;

		if (merge_unpack(&obs, packed, len) != 0)
			fatal("a damaged observation was handed over");
		refused = main_refused(r, &obs);
		record_clear(&obs);
		if (refused)
			return RC_OK;
	}
	return merge_add_packed(r->merge, id, date, packed, len,
	    MERGE_RUN_CURRENT);
}

static void
main_tick(void *arg)
{
	main_progress(arg, 0);
}

static enum rc
main_write(void *arg, const struct record *rec)
{
	struct run *r = arg;
	enum rc rc;

	if (!filter_match(r->filter, rec)) {
		r->diag.n.filtered++;
		return RC_OK;
	}
	rc = r->writer.ops->write(&r->writer, rec);
	if (rc == RC_OK)
		r->diag.n.records++;
	main_progress(r, 0);
	return rc;
}

static enum rc
main_observe(void *arg, const struct record *obs, int run, int alone)
{
	struct run *r = arg;

	return r->writer.ops->observe(&r->writer, obs, run, alone);
}

static void
main_conflict(void *arg, const struct conflict *c)
{
	struct run *r = arg;

	if (r->writer.ops->conflict != NULL &&
	    r->writer.ops->conflict(&r->writer, c) != RC_OK)
		r->hook_failed = 1;
}

/* --stats-json: the summary's counts as one JSON object, for batch jobs. */
static void
main_stats(struct run *r, double secs)
{
	const struct diag_counts *n = &r->diag.n;
	struct output *o;
	json_t *j;
	char *text;

	j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}",
	    "inputs", (json_int_t)n->inputs,
	    "duplicates", (json_int_t)n->duplicates,
	    "bytes", (json_int_t)n->bytes,
	    "responses", (json_int_t)n->responses,
	    "observations", (json_int_t)n->observations,
	    "records", (json_int_t)n->records,
	    "filtered", (json_int_t)n->filtered,
	    "rejected", (json_int_t)n->rejects,
	    "non2xx", (json_int_t)n->non2xx,
	    "conflicts", (json_int_t)n->conflicts,
	    "warnings", (json_int_t)n->warnings,
	    "seconds", secs);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if ((o = output_open(r->o.stats_json, 0, &r->diag)) != NULL &&
	    output_write(o, text, strlen(text)) == RC_OK &&
	    output_write(o, "\n", 1) == RC_OK)
		(void)output_commit(o);
	else
		output_abort(o);
	free(text);
}

static void
main_summary(struct run *r, double secs)
{
	const struct diag_counts *n = &r->diag.n;
	char dup[48] = "";

	main_progress_end(r);
	if (r->o.stats_json != NULL)
		main_stats(r, secs);
	if (r->o.quiet)
		return;
	if (n->duplicates > 0)	/* said only when there are some */
		snprintf(dup, sizeof dup, ", %llu duplicates",
		    (unsigned long long)n->duplicates);
	fprintf(stderr, "%s: summary: %llu inputs, %llu responses, "
	    "%llu observations, %llu records written, %llu filtered, "
	    "%llu rejected, %llu conflicts%s, %.3f s\n", progname,
	    (unsigned long long)n->inputs, (unsigned long long)n->responses,
	    (unsigned long long)n->observations,
	    (unsigned long long)n->records, (unsigned long long)n->filtered,
	    (unsigned long long)n->rejects, (unsigned long long)n->conflicts,
	    dup, secs);
}

/* The output's temporary files (TARGET.tmp-XXXXXX: this run's, and any
 * a killed run left) and SQLite's files beside a database are not
 * inputs, should a directory walk meet them. */
static void
main_exclude_temps(const char *path)
{
	static const char *const ends[] = {
		".tmp-??????", "-wal", "-shm", "-journal"
	};

	for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
		char *pat = xasprintf("%s%s", path, ends[k]);
		glob_t g;

		if (glob(pat, GLOB_NOSORT | GLOB_NOESCAPE, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc; i++)
				input_exclude(g.gl_pathv[i], 1);
		globfree(&g);
		free(pat);
	}
}

/*
 * An output file that is also named as an input (the same file, whatever
 * the name or link) would be read, then replaced by the output: a
 * capture, or last night's inventory, would be lost. Says so and returns
 * 1. Standard input redirected from it counts too. Inside a directory
 * walk the output is skipped instead (input_exclude).
 */
static int
main_output_is_input(const char *out, char *const *in, size_t n)
{
	struct stat o, st;

	if (out == NULL || strcmp(out, "-") == 0 || stat(out, &o) != 0 ||
	    !S_ISREG(o.st_mode))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int std = strcmp(in[i], "-") == 0;

		if ((std ? fstat(STDIN_FILENO, &st) : stat(in[i], &st)) != 0 ||
		    st.st_dev != o.st_dev || st.st_ino != o.st_ino)
			continue;
		fprintf(stderr, "%s: ", progname);
		main_put_escaped(std ? "standard input" : in[i]);
		fprintf(stderr, ": is the output too: it would be read, then "
		    "replaced; write the output to another file\n");
		return 1;
	}
	return 0;
}

static void
main_signal(int sig)
{
	output_cleanup_signal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static double
main_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
main_run(struct run *r, int argc, char *argv[])
{
	enum { OPT_STRICT = 256, OPT_VERSION, OPT_PROGRESS, OPT_CSV_RAW, OPT_CSV_SHEET,
	    OPT_NO_PROGRESS,
	    OPT_PROPERTIES, OPT_STATS_JSON, OPT_FILTER, OPT_COMPARE,
	    OPT_ALL_FIELDS, OPT_GLANCE_REPORT, OPT_MANIFEST };
	static const struct option longopts[] = {
		{ "output",	required_argument, NULL, 'o' },
		{ "format",	required_argument, NULL, 'f' },
		{ "gzip",	no_argument,	   NULL, 'z' },
		{ "jobs",	required_argument, NULL, 'j' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "strict",	no_argument,	   NULL, OPT_STRICT },
		{ "version",	no_argument,	   NULL, OPT_VERSION },
		{ "csv-raw",	no_argument,	   NULL, OPT_CSV_RAW },
		{ "csv-spreadsheet", no_argument,  NULL, OPT_CSV_SHEET },
		{ "progress",	no_argument,	   NULL, OPT_PROGRESS },
		{ "no-progress", no_argument,	   NULL, OPT_NO_PROGRESS },
		{ "properties",	required_argument, NULL, OPT_PROPERTIES },
		{ "stats-json",	required_argument, NULL, OPT_STATS_JSON },
		{ "compare",	no_argument,	   NULL, OPT_COMPARE },
		{ "all-fields",	no_argument,	   NULL, OPT_ALL_FIELDS },
		{ "glance-report", required_argument, NULL, OPT_GLANCE_REPORT },
		{ "manifest",	required_argument, NULL, OPT_MANIFEST },
		{ "name",	required_argument, NULL, OPT_FILTER },
		{ "status",	required_argument, NULL, OPT_FILTER },
		{ "visibility",	required_argument, NULL, OPT_FILTER },
		{ "container-format", required_argument, NULL, OPT_FILTER },
		{ "disk-format", required_argument, NULL, OPT_FILTER },
		{ "size-min",	required_argument, NULL, OPT_FILTER },
		{ "size-max",	required_argument, NULL, OPT_FILTER },
		{ "changes-since", required_argument, NULL, OPT_FILTER },
		{ "min-ram",	required_argument, NULL, OPT_FILTER },
		{ "min-disk",	required_argument, NULL, OPT_FILTER },
		{ "property",	required_argument, NULL, OPT_FILTER },
		{ NULL,		0,		   NULL, 0 }
	};
	const struct writer_ops *ops;
	const char *path;
	double t0 = main_now();
	int c, gz = 0, status;
	enum rc rc;

	int li;

	while ((c = getopt_long(argc, argv, "o:f:zqhj:", longopts, &li)) != -1) {
		const char *why;

		switch (c) {
		case OPT_FILTER:
			if (filter_add(r->filter, longopts[li].name, optarg,
			    &why) != 0) {
				fprintf(stderr, "%s: --%s \"%s\": %s\n",
				    progname, longopts[li].name, optarg, why);
				return EXIT_FATAL;
			}
			break;
		case OPT_STATS_JSON:
			r->o.stats_json = optarg;
			break;
		case OPT_COMPARE:
			r->o.compare = 1;
			break;
		case OPT_ALL_FIELDS:
			r->o.all_fields = 1;
			break;
		case OPT_GLANCE_REPORT:
			r->o.glance_report = optarg;
			break;
		case OPT_MANIFEST:
			r->o.manifest = optarg;
			break;
		case 'o':
			r->o.output = optarg;
			break;
		case 'f':
			r->o.format = optarg;
			break;
		case 'z':
			r->o.gzip = 1;
			break;
		case 'j': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v < 1 || v > 1024 || optarg[0] == '-' ||
			    optarg[0] == '+') {
				fprintf(stderr, "%s: -j \"%s\": give a number "
				    "of threads from 1 to 1024\n", progname,
				    optarg);
				return EXIT_FATAL;
			}
			r->o.jobs = (unsigned)v;
			break;
		}
		case 'q':
			r->o.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_ALL_KEPT;
		case OPT_STRICT:
			r->o.strict = 1;
			break;
		case OPT_PROGRESS:
			r->o.progress = 1;
			break;
		case OPT_NO_PROGRESS:
			r->o.progress = -1;
			break;
		case OPT_CSV_RAW:
			r->o.csv_raw = 1;
			break;
		case OPT_CSV_SHEET:
			r->o.csv_spreadsheet = 1;
			break;
		case OPT_PROPERTIES:
			if (strcmp(optarg, "columns") == 0)
				r->o.csv_prop_columns = 1;
			else if (strcmp(optarg, "json") == 0)
				r->o.csv_prop_columns = 0;
			else {
				fprintf(stderr, "%s: --properties takes json "
				    "or columns, not \"%s\"\n", progname,
				    optarg);
				return EXIT_FATAL;
			}
			break;
		case OPT_VERSION:
			printf("imgmeta %s\n", PACKAGE_VERSION);
			return EXIT_ALL_KEPT;
		default:
			fprintf(stderr, "Try '%s --help' for more "
			    "information.\n", progname);
			return EXIT_FATAL;
		}
	}
	if (r->o.compare)
		return main_compare(r, argc - optind, argv + optind);
	if (optind == argc) {
		fprintf(stderr, "%s: no input given: name capture files or "
		    "directories, or - for standard input\n", progname);
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    progname);
		return EXIT_FATAL;
	}

	path = r->o.output != NULL ? r->o.output : "-";
	if (r->o.format != NULL) {
		if ((ops = writer_by_name(r->o.format)) == NULL) {
			fprintf(stderr, "%s: unknown format \"%s\": use one "
			    "of", progname, r->o.format);
			for (size_t i = 0; writers[i] != NULL; i++)
				fprintf(stderr, " %s", writers[i]->name);
			fputc('\n', stderr);
			return EXIT_FATAL;
		}
		(void)writer_by_path(path, &gz);
		if (writer_by_path(path, NULL) != ops)
			gz = 0;
	} else if (strcmp(path, "-") == 0)
		ops = writer_by_name("json");
	else if ((ops = writer_by_path(path, &gz)) == NULL) {
		fprintf(stderr, "%s: cannot tell the output format from the "
		    "name \"%s\": give -f FORMAT or a known ending (.jsonl, "
		    ".jsonl.gz, .json.gz, .csv, .xml, .db, .sqlite, "
		    ".glance.jsonl)\n", progname, path);
		return EXIT_FATAL;
	}
	if (r->o.glance_report != NULL && strcmp(ops->name, "glance") != 0) {
		fprintf(stderr, "%s: --glance-report goes with the glance "
		    "format (-f glance)\n", progname);
		return EXIT_FATAL;
	}
	if (r->o.manifest != NULL && strcmp(path, "-") == 0) {
		fprintf(stderr, "%s: --manifest needs -o PATH: it ends with the "
		    "output file's SHA-256\n", progname);
		return EXIT_FATAL;
	}
	if (strcmp(path, "-") == 0 && !ops->to_stdout) {
		fprintf(stderr, "%s: the %s format cannot be written to "
		    "standard output: give -o PATH\n", progname, ops->name);
		return EXIT_FATAL;
	}

	/* Refused before anything is written. An output that is added to
	 * (preload: SQLite) is not replaced, so naming it as an input loses
	 * nothing: the walk skips it (input_exclude). */
	if ((ops->preload == NULL && main_output_is_input(r->o.output,
	    argv + optind, (size_t)(argc - optind))) ||
	    main_output_is_input(r->o.stats_json, argv + optind,
	    (size_t)(argc - optind)) ||
	    main_output_is_input(r->o.glance_report, argv + optind,
	    (size_t)(argc - optind)))
		return EXIT_FATAL;

	diag_init(&r->diag, main_sink, r);
	r->t0 = t0;
	r->progress = !r->o.quiet && (r->o.progress > 0 ||
	    (r->o.progress == 0 && isatty(STDERR_FILENO)));
	if (r->progress)
		input_measure(argv + optind, (size_t)(argc - optind),
		    &r->total_files, &r->total_bytes);
	signal(SIGINT, main_signal);
	signal(SIGTERM, main_signal);
	signal(SIGHUP, main_signal);
	signal(SIGPIPE, SIG_IGN);

	if ((r->merge = merge_new(&r->diag)) == NULL)
		return EXIT_FATAL;
	merge_on_conflict(r->merge, main_conflict, r);
	r->writer.ops = ops;
	r->writer.diag = &r->diag;
	r->writer.opts.gzip = gz || r->o.gzip;
	r->writer.opts.csv_raw = r->o.csv_raw;
	r->writer.opts.csv_spreadsheet = r->o.csv_spreadsheet;
	r->writer.opts.csv_prop_columns = r->o.csv_prop_columns;
	r->writer.opts.glance_report = r->o.glance_report;
	/* By default one thread per processor, at most MAIN_JOBS_MAX: past
	 * that the main thread, storing what they read, is the limit, and
	 * each reading thread may hold about 5 MB of chunks waiting. */
	if (r->o.jobs == 0)
		r->o.jobs = work_cpus() < MAIN_JOBS_MAX ? work_cpus() :
		    MAIN_JOBS_MAX;
	r->writer.opts.threads = r->o.jobs;
	r->writer.run = (struct writer_run){
		.argc = argc,
		.argv = argv,
		.version = PACKAGE_VERSION,
		.counts = &r->diag.n,
	};
	/* Opened first, so that it sees every reject; nothing reaches the
	 * target before finish. */
	if (strcmp(path, "-") != 0)
		input_exclude(path, 0);
	if (ops->open(&r->writer, path) != RC_OK) {
		ops->free(&r->writer);	/* always called, even after failure */
		goto fatal;
	}
	if (strcmp(path, "-") != 0)
		main_exclude_temps(path);
	r->writer_open = 1;
	if (r->o.manifest != NULL) {
		input_exclude(r->o.manifest, 0);
		main_exclude_temps(r->o.manifest);
		if ((r->manifest = output_open(r->o.manifest, 0,
		    &r->diag)) == NULL)
			goto fatal;
	}
	if (r->o.jobs > 1) {
		const struct work_cbs cbs = {
			.obs = main_packed,
			.begin = main_input_begin,
			.end = main_input_end,
			.progress = main_tick,
		};

		rc = work_run(argv + optind, (size_t)(argc - optind),
		    r->o.jobs, &r->diag, &cbs, r);
	} else
		rc = input_walk(argv + optind, (size_t)(argc - optind),
		    &r->diag, main_file, r);
	if (rc == RC_FATAL || r->diag.n.errors > 0 || r->hook_failed)
		goto fatal;
	if (r->o.strict && r->diag.n.rejects > 0) {
		fprintf(stderr, "%s: --strict: %llu rejected, nothing "
		    "written\n", progname,
		    (unsigned long long)r->diag.n.rejects);
		ops->free(&r->writer);
		merge_free(r->merge);
		output_abort(r->manifest);
		r->manifest = NULL;
		main_summary(r, main_now() - t0);
		return EXIT_REJECTS;
	}
	rc = RC_OK;
	if (ops->preload != NULL)
		rc = ops->preload(&r->writer, r->merge);
	if (rc == RC_OK)
		rc = merge_fold(r->merge, main_write,
		    ops->observe != NULL ? main_observe : NULL, r);
	if (rc == RC_OK && !r->hook_failed)
		rc = ops->finish(&r->writer);
	else if (rc == RC_OK)
		rc = RC_FATAL;
	r->writer_open = 0;
	ops->free(&r->writer);
	if (rc == RC_OK)
		rc = main_manifest_finish(r, path);
	if (rc != RC_OK)
		goto fatal;
	merge_free(r->merge);
	main_summary(r, main_now() - t0);
	status = r->diag.n.rejects > 0 ? EXIT_REJECTS : EXIT_ALL_KEPT;
	return status;

fatal:
	if (r->writer_open) {
		r->writer_open = 0;
		ops->free(&r->writer);
	}
	output_abort(r->manifest);
	r->manifest = NULL;
	merge_free(r->merge);
	main_summary(r, main_now() - t0);
	return EXIT_FATAL;
}

/* --compare OLD NEW: the work is compare.c's; the summary is said here. */
static int
main_compare(struct run *r, int n, char *paths[])
{
	struct compare_opts co = { 0 };
	struct compare_counts c;
	enum compare_result res;
	double t0 = main_now();

	if (n != 2 || r->o.format != NULL || r->o.glance_report != NULL) {
		fprintf(stderr, "%s: --compare takes two inputs, OLD and NEW, "
		    "and no -f or --glance-report\n", progname);
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    progname);
		return EXIT_FATAL;
	}
	diag_init(&r->diag, main_sink, r);
	signal(SIGINT, main_signal);
	signal(SIGTERM, main_signal);
	signal(SIGHUP, main_signal);
	signal(SIGPIPE, SIG_IGN);
	co.output = r->o.output != NULL ? r->o.output : "-";
	co.gzip = r->o.gzip || (strlen(co.output) > 3 &&
	    strcmp(co.output + strlen(co.output) - 3, ".gz") == 0);
	co.all_fields = r->o.all_fields;
	co.strict = r->o.strict;
	co.filter = r->filter;
	res = compare_run(&co, paths[0], paths[1], &r->diag, &c);
	if (!r->o.quiet && res != COMPARE_ERROR)
		fprintf(stderr, "%s: summary: compare: %llu images in OLD, %llu in NEW: "
		    "%llu same, %llu different, %llu missing, %llu added "
		    "(%llu differences); %llu rejected, %llu conflicts, "
		    "%.3f s\n", progname,
		    (unsigned long long)c.old_images,
		    (unsigned long long)c.new_images,
		    (unsigned long long)c.same,
		    (unsigned long long)c.different,
		    (unsigned long long)c.missing,
		    (unsigned long long)c.added,
		    (unsigned long long)c.differences,
		    (unsigned long long)r->diag.n.rejects,
		    (unsigned long long)r->diag.n.conflicts, main_now() - t0);
	return (int)res;
}

int
main(int argc, char *argv[])
{
	struct run r = { 0 };
	int status;

	json_object_seed(0);	/* before any thread makes an object */
	json_arena_install();
	/* fatal() exits at once, from any thread: the output's temporary
	 * files go then too (a finished run has none left) */
	atexit(output_cleanup_signal);
	r.filter = filter_new();
	status = main_run(&r, argc, argv);
	main_seen_free(&r.seen);
	free(r.in_file);
	filter_free(r.filter);
	json_arena_release();
	return status;
}
