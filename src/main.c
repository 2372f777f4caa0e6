/*
 * main.c: the command line: options, the writer and the pipeline they
 * choose (pipeline.c), the messages on standard error, the exit status.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "compare.h"
#include "complete.h"
#include "diag.h"
#include "filter.h"
#include "input.h"
#include "output.h"
#include "pipeline.h"
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
#define MAIN_FMT_OPTS_MAX 64	/* the formats' own options, in all */
#define MAIN_COMPARE_FIELDS 10	/* on --compare's summary line, at most */

/* getopt_long's values of the long options without a short one. */
enum main_opt {
	OPT_STRICT = 256, OPT_VERSION, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_STATS_JSON, OPT_FILTER, OPT_COMPARE, OPT_ALL_FIELDS,
	OPT_MANIFEST, OPT_FORMAT_OWN, OPT_FORCE_FORMAT, OPT_IDS_FROM,
	OPT_COMPARE_FORMAT
};

struct opts {
	const char	*output;	/* NULL: standard output */
	const char	*format;
	int		 force_format;	/* --force-format */
	int		 gzip;
	int		 quiet;
	int		 strict;
	int		 progress;
	const char	*stats_json;
	int		 compare;	/* --compare OLD NEW */
	int		 all_fields;	/* --all-fields (compare) */
	const char	*compare_format; /* --compare-format: jsonl, table */
	unsigned	 jobs;		/* -j: reading threads, 0 = cores */
	const char	*manifest;	/* --manifest FILE */
	char		**ids_from;	/* --ids-from FILE, read after the
					   options (main_ids_from) */
	size_t		 nids_from;
	/* the formats' own options given, in order (main_fmt_opts) */
	struct main_given {
		size_t		 k;		/* in main_fmt_opts */
		const char	*value;
	}		*given;
	size_t		 ngiven;
};

/* Every format's own options, as the writers[] table lists them. */
struct main_fmt_opt {
	const struct writer_ops		*ops;
	const struct writer_option	*opt;
};

struct run {
	struct opts	 o;
	struct diag	 diag;
	struct writer	 writer;
	struct filter	*filter;
	/* progress display */
	int		 progress;
	double		 t0;
	double		 last_draw;
	int		 drawn;
	uint64_t	 total_files;
	uint64_t	 total_bytes;
	struct stream	*cur;		/* the file being read (tick) */
};

static void	usage(FILE *);
static void	main_usage_line(FILE *, const char *, const char *);
static int	main_options(struct run *, int, char *[], const struct option *,
		    const char *);
static void	main_fmt_opts_list(void);
static size_t	main_fmt_named(const char *, const struct writer_ops *);
static void	main_fmt_formats(FILE *, const char *, const char *);
static int	main_given_is_input(struct run *, char *const *, size_t);
static void	main_sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static void	main_put_escaped(const char *);
static void	main_summary(struct run *, double);
static int	main_run(struct run *, int, char *[]);
static void	main_stats(struct run *, double, const struct compare_counts *);
static void	main_compare_summary(struct run *, const struct compare_counts *,
		    double);
static void	main_signal(int);
static void	main_fatal(const char *);
static int	main_output_is_input(const char *, char *const *, size_t);
static int	main_ids_from(struct run *, const char *);
static int	main_stdin_twice(const struct run *, char *const *, size_t);
static int	main_filters(struct run *, char *const *, size_t);
static int	main_ending_other(const struct run *,
		    const struct writer_ops *, const char *);
static double	main_now(void);
static void	main_progress(struct run *, int);
static void	main_tick(void *, struct stream *);
static unsigned	main_jobs(struct run *);
static void	main_progress_end(struct run *);
static int	main_compare(struct run *, int, char *[]);
static int	main_completion(const char *, const struct option *);

static const char *progname = "imgmeta";
static struct main_fmt_opt main_fmt_opts[MAIN_FMT_OPTS_MAX];
static size_t main_nfmt_opts;

/* One option's line of --help: its name, then its text from column 22,
 * wrapped before column 79. */
static void
main_usage_line(FILE *f, const char *left, const char *text)
{
	int col = fprintf(f, "%s", left);

	if (col > 20) {		/* no room: the text on the next line */
		fputc('\n', f);
		col = 0;
	}
	while (*text != '\0') {
		size_t n = strcspn(text, " ");

		if (col >= 22 && col + 1 + (int)n > 78) {
			fputc('\n', f);
			col = 0;
		}
		if (col < 22)
			col += fprintf(f, "%*s", 22 - col, "");
		else
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", (int)n, text);
		text += n;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

static void
usage(FILE *f)
{
	struct buf b = BUF_INIT;

	fputs("usage: imgmeta [OPTIONS] INPUT...\n"
	    "Reads captured responses of deprecated image-metadata APIs:\n", f);
	for (size_t i = 0; readers[i] != NULL; i++)
		if (readers[i]->describes != NULL)
			fprintf(f, "  %s\n", readers[i]->describes);
	fputs("merges what they say about each image and writes one record "
	    "per image.\n"
	    "INPUT is a file, a directory (walked recursively) or - "
	    "(standard input).\n\n", f);
	main_usage_line(f, "  -o, --output PATH", "where to write; - is "
	    "standard output (default)");
	for (size_t i = 0; writers[i] != NULL; i++)
		buf_printf(&b, "%s%s%s", writers[i]->name, i == 0 ?
		    " (the default)" : "", writers[i + 1] == NULL ? "" :
		    writers[i + 2] == NULL ? " or " : ", ");
	buf_addstr(&b, "; else from PATH's ending:");
	for (size_t i = 0; writers[i] != NULL; i++)
		for (const char *const *e = writers[i]->suffixes;
		    e != NULL && *e != NULL; e++)
			buf_printf(&b, " %s", *e);
	main_usage_line(f, "  -f, --format FMT", buf_cstr(&b));
	buf_free(&b);
	fputs(
"      --force-format  write -f's format even to a PATH whose ending\n"
"                      another format claims\n"
"  -z, --gzip          gzip the output even where PATH doesn't end in .gz\n"
"  -j, --jobs N        read files, and fold where the format can, on N\n"
"                      threads (default: the number of processors, at most\n"
"                      8); the output does not depend on N\n"
"      --strict        any reject: exit 1 before anything is written\n"
"  -q, --quiet         no summary, warnings or conflicts; rejects still shown\n"
"                      (--compare: its summary is still said)\n"
"      --stats-json FILE  the summary's counts as JSON\n"
"      --manifest FILE   the SHA-256 of every input and of the output, as\n"
"                      sha256sum -c checks them\n"
"      --compare OLD NEW   compare two inventories (each merged on its own);\n"
"                      differences as JSON Lines; exit 0 same, 1 different;\n"
"                      a summary on standard error, even with -q\n"
"      --compare-format F  jsonl (the default) or table: one line per\n"
"                      difference, in columns, for a terminal\n"
"      --all-fields    compare every field, not only what Glance v2 sets\n"
"      --progress, --no-progress  a progress line on standard error\n"
"                      (default: on when standard error is a terminal)\n"
"options of one format:\n", f);
	/* an option that several formats offer: once, with their names */
	main_fmt_opts_list();
	for (size_t k = 0; k < main_nfmt_opts; k++) {
		const struct writer_option *o = main_fmt_opts[k].opt;
		char *left, *text;

		if (main_fmt_named(o->name, NULL) != k)
			continue;
		buf_reset(&b);
		for (size_t j = k; j < main_nfmt_opts; j++)
			if (strcmp(main_fmt_opts[j].opt->name, o->name) == 0)
				buf_printf(&b, "%s%s", j > k ? ", " : "",
				    main_fmt_opts[j].ops->name);
		left = o->short_name != 0 ? xasprintf("  -%c, --%s%s%s",
		    o->short_name, o->name, o->arg != NULL ? " " : "",
		    o->arg != NULL ? o->arg : "") : xasprintf("      --%s%s%s",
		    o->name, o->arg != NULL ? " " : "", o->arg != NULL ?
		    o->arg : "");
		text = xasprintf("%s: %s", buf_cstr(&b), o->help);
		main_usage_line(f, left, text);
		free(left);
		free(text);
	}
	buf_free(&b);
	fputs(
"filters on the merged records (the APIs' own query parameters): different\n"
"filters must all hold (AND); one given again matches any of its values (OR)\n"
"      --id ID, --name NAME, --status S, --visibility V,\n"
"      --container-format F, --disk-format F, --owner PROJECT   equality\n"
"      --ids-from FILE     the ids in FILE, one a line (- standard input;\n"
"                          blank lines and # comments skipped), as --id\n"
"      --size-min N, --size-max N  bytes, inclusive\n"
"      --changes-since TIME        updated_at strictly later\n"
"      --min-ram N, --min-disk N   equality (as Glance matched them)\n"
"      --property KEY=VALUE        OR for one KEY, AND across keys\n"
"  -h, --help          this help\n"
"      --version       the version\n"
"\n"
"Exit status: 0 all kept, 1 written but something rejected, 2 error.\n"
"See imgmeta(1) and README.md.\n", f);
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

/* The pipeline's tick: cur is the file being read on this thread. */
static void
main_tick(void *arg, struct stream *cur)
{
	struct run *r = arg;

	r->cur = cur;
	main_progress(r, 0);
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

/* --stats-json: the summary's counts as one JSON object, for batch jobs;
 * with c, --compare's as "compare" too. */
static void
main_stats(struct run *r, double secs, const struct compare_counts *c)
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
	/* the list pages (pages.h), always */
	json_object_set_new(j, "pages", json_integer((json_int_t)n->pages));
	json_object_set_new(j, "next_pages_missing",
	    json_integer((json_int_t)n->pages_missing));
	json_object_set_new(j, "next_pages_unknown",
	    json_integer((json_int_t)n->pages_unknown));
	if (c != NULL) {
		json_t *cj, *fields = json_array();

		for (size_t i = 0; i < c->nfields; i++)
			json_array_append_new(fields, json_pack("{s:s,s:I}",
			    "field", c->fields[i].name,
			    "count", (json_int_t)c->fields[i].images));
		cj = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
		    "old_images", (json_int_t)c->old_images,
		    "new_images", (json_int_t)c->new_images,
		    "same", (json_int_t)c->same,
		    "different", (json_int_t)c->different,
		    "missing", (json_int_t)c->missing,
		    "added", (json_int_t)c->added,
		    "differences", (json_int_t)c->differences,
		    "old_conflicts", (json_int_t)c->old_conflicts,
		    "new_conflicts", (json_int_t)c->new_conflicts,
		    "fields", fields);
		json_object_set_new(j, "compare", cj);
	}
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
	char dup[48] = "", pages[128] = "";

	main_progress_end(r);
	if (r->o.stats_json != NULL)
		main_stats(r, secs, NULL);
	if (r->o.quiet)
		return;
	if (n->duplicates > 0)	/* said only when there are some */
		snprintf(dup, sizeof dup, ", %llu duplicates",
		    (unsigned long long)n->duplicates);
	/* said when paging is in play: some page announces a next page */
	if (n->pages_next > 0)
		snprintf(pages, sizeof pages, ", pages: %llu, next pages "
		    "missing: %llu, unknown: %llu",
		    (unsigned long long)n->pages,
		    (unsigned long long)n->pages_missing,
		    (unsigned long long)n->pages_unknown);
	fprintf(stderr, "%s: summary: %llu inputs, %llu responses, "
	    "%llu observations, %llu records written, %llu filtered, "
	    "%llu rejected, %llu conflicts%s%s, %.3f s\n", progname,
	    (unsigned long long)n->inputs, (unsigned long long)n->responses,
	    (unsigned long long)n->observations,
	    (unsigned long long)n->records, (unsigned long long)n->filtered,
	    (unsigned long long)n->rejects, (unsigned long long)n->conflicts,
	    dup, pages, secs);
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

/*
 * --ids-from FILE: the ids in FILE (- standard input) join --id's. A
 * file that cannot be read, or a line that is not an id, is a usage
 * error: the run would otherwise select other images than meant.
 */
static int
main_ids_from(struct run *r, const char *path)
{
	int std = strcmp(path, "-") == 0;
	FILE *fp = std ? stdin : fopen(path, "r");
	const char *why = NULL;
	size_t line;
	char *bad;
	int rc;

	if (fp == NULL) {
		fprintf(stderr, "%s: ", progname);
		main_put_escaped(path);
		fprintf(stderr, ": cannot read the --ids-from file: %s\n",
		    strerror(errno));
		return -1;
	}
	rc = filter_add_lines(r->filter, "id", fp, &line, &bad, &why);
	if (rc != 0) {
		int err = errno;

		fprintf(stderr, "%s: ", progname);
		main_put_escaped(std ? "standard input" : path);
		if (line == 0)
			fprintf(stderr, ": cannot read the --ids-from file: "
			    "%s\n", strerror(err));
		else {
			fprintf(stderr, ":%zu: --ids-from \"", line);
			main_put_escaped(bad);
			fprintf(stderr, "\": %s\n", why);
		}
		free(bad);
	}
	if (!std)
		fclose(fp);
	return rc;
}

/* --ids-from - with an input - too: both would read standard input. */
static int
main_stdin_twice(const struct run *r, char *const *in, size_t n)
{
	int ids = 0;

	for (size_t i = 0; i < r->o.nids_from; i++)
		ids += strcmp(r->o.ids_from[i], "-") == 0;
	for (size_t i = 0; ids > 0 && i < n; i++)
		if (strcmp(in[i], "-") == 0) {
			fprintf(stderr, "%s: --ids-from - and the input - both "
			    "read standard input: give one of them a file\n",
			    progname);
			return 1;
		}
	if (ids > 1) {
		fprintf(stderr, "%s: --ids-from - given twice: standard input "
		    "can be read once\n", progname);
		return 1;
	}
	return 0;
}

/* The --ids-from files, once the inputs are known (in: n of them). */
static int
main_filters(struct run *r, char *const *in, size_t n)
{
	if (main_stdin_twice(r, in, n))
		return -1;
	for (size_t i = 0; i < r->o.nids_from; i++)
		if (main_ids_from(r, r->o.ids_from[i]) != 0)
			return -1;
	return 0;
}

/*
 * -f FMT with an output path whose ending another format claims (-f xml
 * -o inventory.csv) is most likely a slip: says so, with the path the
 * format's own ending gives, and returns 1, unless --force-format. An
 * ending no format claims (.out, .txt) goes with any -f.
 */
static int
main_ending_other(const struct run *r, const struct writer_ops *ops,
    const char *path)
{
	const struct writer_ops *other;
	size_t len = writer_ending(path, &other), stem;

	if (r->o.force_format || other == NULL || other == ops)
		return 0;
	stem = strlen(path) - len;
	fprintf(stderr, "%s: -f %s but ", progname, ops->name);
	main_put_escaped(path);
	fprintf(stderr, " ends in ");
	main_put_escaped(path + stem);
	fprintf(stderr, " (%s); use ", other->name);
	if (ops->suffixes != NULL && ops->suffixes[0] != NULL) {
		char *alt = xasprintf("%.*s%s", (int)stem, path,
		    ops->suffixes[0]);

		fprintf(stderr, "-o ");
		main_put_escaped(alt);
		fprintf(stderr, ", or ");
		free(alt);
	}
	fprintf(stderr, "--force-format to write %s there\n", ops->name);
	return 1;
}

/* main_output_is_input for every file a format's own option names. */
static int
main_given_is_input(struct run *r, char *const *in, size_t n)
{
	for (size_t i = 0; i < r->o.ngiven; i++)
		if (main_fmt_opts[r->o.given[i].k].opt->output &&
		    main_output_is_input(r->o.given[i].value, in, n))
			return 1;
	return 0;
}

/*
 * fatal(): said, the temporary files removed, and out at once with
 * _exit: it may come from any thread, and exit() would run the
 * libraries' clean-ups while the other threads still use them.
 */
static void
main_fatal(const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "%s: fatal: %s\n", progname, msg);
	output_cleanup_signal();
	_exit(EXIT_FATAL);
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

/*
 * The command line's options into r->o (lo: the fixed ones, nfixed of
 * them, then the formats' own). -1 to go on, else the exit status.
 */
static int
main_options(struct run *r, int argc, char *argv[], const struct option *lo,
    const char *shortopts)
{
	int c, li;

	while ((c = getopt_long(argc, argv, shortopts, lo, &li)) != -1) {
		const char *why;

		switch (c) {
		case OPT_FILTER:
			if (filter_add(r->filter, lo[li].name, optarg,
			    &why) != 0) {
				fprintf(stderr, "%s: --%s \"%s\": %s\n",
				    progname, lo[li].name, optarg, why);
				return EXIT_FATAL;
			}
			break;
		case OPT_IDS_FROM:
			r->o.ids_from = xreallocarray(r->o.ids_from,
			    r->o.nids_from + 1, sizeof *r->o.ids_from);
			r->o.ids_from[r->o.nids_from++] = optarg;
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
		case OPT_COMPARE_FORMAT:
			if (strcmp(optarg, "jsonl") != 0 &&
			    strcmp(optarg, "table") != 0) {
				fprintf(stderr, "%s: --compare-format \"%s\": "
				    "use jsonl or table\n", progname, optarg);
				return EXIT_FATAL;
			}
			r->o.compare_format = optarg;
			break;
		case OPT_FORMAT_OWN:
			r->o.given = xreallocarray(r->o.given, r->o.ngiven + 1,
			    sizeof *r->o.given);
			r->o.given[r->o.ngiven++] = (struct main_given){
				.k = main_fmt_named(lo[li].name, NULL),
				.value = optarg
			};
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
		case OPT_FORCE_FORMAT:
			r->o.force_format = 1;
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
		case OPT_VERSION:
			printf("imgmeta %s\n", PACKAGE_VERSION);
			return EXIT_ALL_KEPT;
		default: {
			size_t k;

			/* a format's own option with a letter (-c) */
			for (k = 0; k < main_nfmt_opts; k++)
				if (c == main_fmt_opts[k].opt->short_name)
					break;
			if (c != '?' && k < main_nfmt_opts) {
				r->o.given = xreallocarray(r->o.given,
				    r->o.ngiven + 1, sizeof *r->o.given);
				r->o.given[r->o.ngiven++] = (struct main_given){
					.k = k, .value = optarg
				};
				break;
			}
			fprintf(stderr, "Try '%s --help' for more "
			    "information.\n", progname);
			return EXIT_FATAL;
		}
		}
	}
	return -1;
}

/* main_fmt_opts: every option of every format in writers[]. */
static void
main_fmt_opts_list(void)
{
	main_nfmt_opts = 0;
	for (size_t i = 0; writers[i] != NULL; i++)
		for (const struct writer_option *o = writers[i]->options;
		    o != NULL && o->name != NULL; o++) {
			if (main_nfmt_opts == MAIN_FMT_OPTS_MAX)
				fatal("more than %d format options",
				    MAIN_FMT_OPTS_MAX);
			main_fmt_opts[main_nfmt_opts++] =
			    (struct main_fmt_opt){ writers[i], o };
		}
}

/* The first of main_fmt_opts named name (of ops, unless NULL), else
 * main_nfmt_opts. */
static size_t
main_fmt_named(const char *name, const struct writer_ops *ops)
{
	size_t k;

	for (k = 0; k < main_nfmt_opts; k++)
		if (strcmp(main_fmt_opts[k].opt->name, name) == 0 &&
		    (ops == NULL || main_fmt_opts[k].ops == ops))
			break;
	return k;
}

/* The formats offering the option name, between "the " and " format",
 * then the -f that choose them, as "(-f csv or -f tsv)". */
static void
main_fmt_formats(FILE *f, const char *name, const char *sep)
{
	size_t n = 0, i = 0;

	for (size_t k = 0; k < main_nfmt_opts; k++)
		n += strcmp(main_fmt_opts[k].opt->name, name) == 0;
	for (size_t k = 0; k < main_nfmt_opts; k++)
		if (strcmp(main_fmt_opts[k].opt->name, name) == 0)
			fprintf(f, "%s%s%s", i++ == 0 ? "" : i == n ? " or " :
			    ", ", sep, main_fmt_opts[k].ops->name);
}

/* The completion script for shell, from getopt_long's table lo. */
static int
main_completion(const char *shell, const struct option *lo)
{
	char *script = complete_script(shell, lo, "format");

	if (script == NULL) {
		fprintf(stderr, "%s: --completion \"%s\": give bash or zsh\n",
		    progname, shell);
		return EXIT_FATAL;
	}
	fputs(script, stdout);
	free(script);
	return EXIT_ALL_KEPT;
}

static int
main_run(struct run *r, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "output",	required_argument, NULL, 'o' },
		{ "format",	required_argument, NULL, 'f' },
		{ "force-format", no_argument,	   NULL, OPT_FORCE_FORMAT },
		{ "gzip",	no_argument,	   NULL, 'z' },
		{ "jobs",	required_argument, NULL, 'j' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "strict",	no_argument,	   NULL, OPT_STRICT },
		{ "version",	no_argument,	   NULL, OPT_VERSION },
		{ "progress",	no_argument,	   NULL, OPT_PROGRESS },
		{ "no-progress", no_argument,	   NULL, OPT_NO_PROGRESS },
		{ "stats-json",	required_argument, NULL, OPT_STATS_JSON },
		{ "compare",	no_argument,	   NULL, OPT_COMPARE },
		{ "all-fields",	no_argument,	   NULL, OPT_ALL_FIELDS },
		{ "compare-format", required_argument, NULL, OPT_COMPARE_FORMAT },
		{ "manifest",	required_argument, NULL, OPT_MANIFEST },
		{ "id",		required_argument, NULL, OPT_FILTER },
		{ "ids-from",	required_argument, NULL, OPT_IDS_FROM },
		{ "name",	required_argument, NULL, OPT_FILTER },
		{ "status",	required_argument, NULL, OPT_FILTER },
		{ "visibility",	required_argument, NULL, OPT_FILTER },
		{ "container-format", required_argument, NULL, OPT_FILTER },
		{ "disk-format", required_argument, NULL, OPT_FILTER },
		{ "owner",	required_argument, NULL, OPT_FILTER },
		{ "size-min",	required_argument, NULL, OPT_FILTER },
		{ "size-max",	required_argument, NULL, OPT_FILTER },
		{ "changes-since", required_argument, NULL, OPT_FILTER },
		{ "min-ram",	required_argument, NULL, OPT_FILTER },
		{ "min-disk",	required_argument, NULL, OPT_FILTER },
		{ "property",	required_argument, NULL, OPT_FILTER },
		{ NULL,		0,		   NULL, 0 }
	};
	const size_t nfixed = sizeof longopts / sizeof longopts[0] - 1;
	const struct writer_ops *ops;
	const char *path;
	double t0 = main_now();
	struct pipeline_opts po = { 0 };
	enum pipeline_result res;
	struct option *lo;
	char shortopts[32] = "o:f:zqhj:";
	int gz = 0, status;

	/* the fixed options, then every format's own, once by name (the
	 * format in use takes it); with its letter, if it has one */
	main_fmt_opts_list();
	lo = xcalloc(nfixed + main_nfmt_opts + 1, sizeof *lo);
	memcpy(lo, longopts, nfixed * sizeof *lo);
	for (size_t k = 0, n = nfixed; k < main_nfmt_opts; k++) {
		const struct writer_option *o = main_fmt_opts[k].opt;

		if (main_fmt_named(o->name, NULL) != k)
			continue;
		if (o->short_name != 0 && strchr(shortopts, o->short_name) ==
		    NULL) {
			size_t len = strlen(shortopts);

			if (len + 3 > sizeof shortopts)
				fatal("too many short options");
			shortopts[len] = (char)o->short_name;
			shortopts[len + 1] = o->arg != NULL ? ':' : '\0';
			shortopts[len + 2] = '\0';
		} else if (o->short_name != 0)
			fatal("-%c is taken: --%s cannot have it",
			    o->short_name, o->name);
		lo[n++] = (struct option){
			.name = o->name,
			.has_arg = o->arg != NULL ? required_argument :
			    no_argument,
			.val = o->short_name != 0 ? o->short_name :
			    OPT_FORMAT_OWN,
		};
	}
	/* imgmeta --completion SHELL, alone (not in --help): the script
	 * that make install installs, made from this table */
	if (argc == 3 && strcmp(argv[1], "--completion") == 0) {
		status = main_completion(argv[2], lo);
		free(lo);
		return status;
	}
	status = main_options(r, argc, argv, lo, shortopts);
	free(lo);
	if (status >= 0)
		return status;
	if (main_filters(r, argv + optind, (size_t)(argc - optind)) != 0)
		return EXIT_FATAL;
	if (r->o.compare)
		return main_compare(r, argc - optind, argv + optind);
	if (r->o.compare_format != NULL) {
		fprintf(stderr, "%s: --compare-format goes with --compare\n",
		    progname);
		return EXIT_FATAL;
	}
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
		if (main_ending_other(r, ops, path))
			return EXIT_FATAL;
		(void)writer_by_path(path, &gz);
		if (writer_by_path(path, NULL) != ops)
			gz = 0;
	} else if (strcmp(path, "-") == 0)
		ops = writers[0];
	else if ((ops = writer_by_path(path, &gz)) == NULL) {
		fprintf(stderr, "%s: cannot tell the output format from the "
		    "name \"%s\": give -f FORMAT or a known ending (",
		    progname, path);
		for (size_t i = 0, n = 0; writers[i] != NULL; i++)
			for (const char *const *e = writers[i]->suffixes;
			    e != NULL && *e != NULL; e++)
				fprintf(stderr, "%s%s", n++ ? ", " : "", *e);
		fputs(")\n", stderr);
		return EXIT_FATAL;
	}
	for (size_t i = 0; i < r->o.ngiven; i++) {
		const char *name = main_fmt_opts[r->o.given[i].k].opt->name;
		size_t k = main_fmt_named(name, ops);

		if (k == main_nfmt_opts) {
			fprintf(stderr, "%s: --%s goes with the ", progname,
			    name);
			main_fmt_formats(stderr, name, "");
			fprintf(stderr, " format (");
			main_fmt_formats(stderr, name, "-f ");
			fprintf(stderr, ")\n");
			return EXIT_FATAL;
		}
		r->o.given[i].k = k;
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
	    main_given_is_input(r, argv + optind, (size_t)(argc - optind)))
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

	r->writer.ops = ops;
	r->writer.diag = &r->diag;
	r->writer.opts.gzip = gz || r->o.gzip;
	r->writer.opts.threads = main_jobs(r);
	r->writer.run = (struct writer_run){
		.argc = argc,
		.argv = argv,
		.version = PACKAGE_VERSION,
		.counts = &r->diag.n,
		.ninputs = argc - optind,
		.inputs = argv + optind,
	};
	/* the format's own options, last: its state is freed only by a
	 * run (pipeline_run frees the writer) or here */
	for (size_t i = 0; i < r->o.ngiven; i++) {
		const struct writer_option *o =
		    main_fmt_opts[r->o.given[i].k].opt;
		const char *v = r->o.given[i].value, *why = NULL;

		if (ops->option(&r->writer, o->name, v, &why) != RC_OK) {
			fprintf(stderr, "%s: --%s%s%s%s: %s\n", progname,
			    o->name, v != NULL ? " \"" : "", v != NULL ? v :
			    "", v != NULL ? "\"" : "", why);
			ops->free(&r->writer);
			return EXIT_FATAL;
		}
	}
	po.inputs = argv + optind;
	po.ninputs = (size_t)(argc - optind);
	po.jobs = main_jobs(r);
	po.strict = r->o.strict;
	po.filter = r->filter;
	po.manifest = r->o.manifest;
	po.tick = main_tick;
	po.tick_arg = r;
	res = pipeline_run(&po, &r->writer, path);
	if (res == PIPELINE_STRICT)
		fprintf(stderr, "%s: --strict: %llu rejected, nothing "
		    "written\n", progname,
		    (unsigned long long)r->diag.n.rejects);
	main_summary(r, main_now() - t0);
	if (res == PIPELINE_FATAL)
		return EXIT_FATAL;
	return r->diag.n.rejects > 0 ? EXIT_REJECTS : EXIT_ALL_KEPT;
}

/* -j: by default one thread per processor, at most MAIN_JOBS_MAX: past
 * that the main thread, storing what they read, is the limit, and each
 * reading thread may hold about 5 MB of chunks waiting. */
static unsigned
main_jobs(struct run *r)
{
	if (r->o.jobs == 0)
		r->o.jobs = work_cpus() < MAIN_JOBS_MAX ? work_cpus() :
		    MAIN_JOBS_MAX;
	return r->o.jobs;
}

/*
 * --compare's summary, said even with -q: it is what the comparison
 * found. The conflicts inside OLD and NEW are counted there (printed
 * before, unless -q). Then the fields that differ, most first, each
 * with the number of images it differs in (--stats-json has them all).
 */
static void
main_compare_summary(struct run *r, const struct compare_counts *c,
    double secs)
{
	if (r->o.stats_json != NULL)
		main_stats(r, secs, c);
	fprintf(stderr, "%s: summary: compare: %llu images in OLD, %llu in "
	    "NEW: %llu same, %llu different, %llu missing, %llu added "
	    "(%llu differences); %llu rejected, %llu conflicts in OLD, "
	    "%llu in NEW, %.3f s\n", progname,
	    (unsigned long long)c->old_images,
	    (unsigned long long)c->new_images,
	    (unsigned long long)c->same,
	    (unsigned long long)c->different,
	    (unsigned long long)c->missing,
	    (unsigned long long)c->added,
	    (unsigned long long)c->differences,
	    (unsigned long long)r->diag.n.rejects,
	    (unsigned long long)c->old_conflicts,
	    (unsigned long long)c->new_conflicts, secs);
	if (c->nfields == 0)
		return;
	fprintf(stderr, "%s: summary: compare: fields that differ (images):",
	    progname);
	for (size_t i = 0; i < c->nfields && i < MAIN_COMPARE_FIELDS; i++) {
		fputs(i > 0 ? ", " : " ", stderr);
		main_put_escaped(c->fields[i].name);
		fprintf(stderr, " %llu", (unsigned long long)c->fields[i].images);
	}
	if (c->nfields > MAIN_COMPARE_FIELDS)
		fprintf(stderr, ", and %zu more", c->nfields -
		    MAIN_COMPARE_FIELDS);
	fputc('\n', stderr);
}

/* --compare OLD NEW: the work is compare.c's; the summary is said here. */
static int
main_compare(struct run *r, int n, char *paths[])
{
	struct compare_opts co = { 0 };
	struct compare_counts c;
	enum compare_result res;
	double t0 = main_now();

	if (n != 2 || r->o.format != NULL || r->o.ngiven > 0) {
		/* the report is compare's own: no format, no format's option
		 * (those that name a file listed) */
		fprintf(stderr, "%s: --compare takes two inputs, OLD and NEW, "
		    "and no -f", progname);
		for (size_t k = 0; k < main_nfmt_opts; k++)
			if (main_fmt_opts[k].opt->output)
				fprintf(stderr, " or --%s",
				    main_fmt_opts[k].opt->name);
		fputc('\n', stderr);
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    progname);
		return EXIT_FATAL;
	}
	/* the report replaces its file: not OLD or NEW (refused before
	 * anything is read) */
	if (main_output_is_input(r->o.output, paths, 2) ||
	    main_output_is_input(r->o.stats_json, paths, 2))
		return EXIT_FATAL;
	diag_init(&r->diag, main_sink, r);
	signal(SIGINT, main_signal);
	signal(SIGTERM, main_signal);
	signal(SIGHUP, main_signal);
	signal(SIGPIPE, SIG_IGN);
	co.output = r->o.output != NULL ? r->o.output : "-";
	co.gzip = r->o.gzip || (strlen(co.output) > 3 &&
	    strcmp(co.output + strlen(co.output) - 3, ".gz") == 0);
	co.all_fields = r->o.all_fields;
	co.table = r->o.compare_format != NULL &&
	    strcmp(r->o.compare_format, "table") == 0;
	co.strict = r->o.strict;
	co.filter = r->filter;
	co.jobs = main_jobs(r);
	res = compare_run(&co, paths[0], paths[1], &r->diag, &c);
	if (res != COMPARE_ERROR)
		main_compare_summary(r, &c, main_now() - t0);
	compare_counts_free(&c);
	return (int)res;
}

int
main(int argc, char *argv[])
{
	struct run r = { 0 };
	int status;

	fatal_on(main_fatal);
	json_object_seed(0);	/* before any thread makes an object */
	/* jansson out of memory: fatal, as everywhere else */
	json_set_alloc_funcs(xmalloc, free);
	/* fatal() exits at once, from any thread: the output's temporary
	 * files go then too (a finished run has none left) */
	atexit(output_cleanup_signal);
	r.filter = filter_new();
	status = main_run(&r, argc, argv);
	filter_free(r.filter);
	free(r.o.given);
	free(r.o.ids_from);
	jv_release();
	return status;
}
