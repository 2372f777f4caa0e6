/*
 * writer.h: how an output format plugs into the engine. One file in
 * formats/ per format, listed in the writers[] table (formats/writers.c).
 *
 * The engine calls open once, write for each record in id order, then
 * finish; free is always called, even after a failure. A failed writer
 * leaves no output file behind (see output.h for the temporary-file and
 * rename helper). Functions return RC_OK or RC_FATAL (reported).
 */
#ifndef IMGMETA_WRITER_H
#define IMGMETA_WRITER_H

#include "diag.h"
#include "merge.h"
#include "pages.h"
#include "record.h"

struct writer;

/*
 * An option of a format's own, given as --NAME or --NAME=ARG: the engine
 * lists it in --help and hands it to the format's option hook before
 * open. Given with another format, it is a usage error.
 */
struct writer_option {
	const char	*name;		/* "csv-raw" */
	const char	*arg;		/* "FILE", "columns|json"; NULL: a flag */
	const char	*help;		/* its line in --help */
	int		 output;	/* ARG names a file the format writes */
	int		 short_name;	/* 'c' for -c too, or 0; formats that
					   share an option name share it */
};

/* One input file as the writer's input hook sees it. */
struct writer_input {
	const char	*file;		/* as given on the command line */
	const char	*sha256;	/* of its bytes as read: 64 lowercase
					   hex digits, as sha256sum prints */
	uint64_t	 size;		/* its bytes (compressed, if gzip) */
	const char	*same_as;	/* a duplicate: the file read earlier
					   with these bytes (this run or an
					   earlier one), else NULL */
	/* what it yielded (0 for a duplicate) */
	uint64_t	 responses;
	uint64_t	 observations;	/* kept */
	uint64_t	 rejects;	/* responses and observations */
	uint64_t	 warnings;
};

struct writer_ops {
	const char		*name;		/* "json" */
	const char *const	*suffixes;	/* path endings that select it */
	int			 to_stdout;	/* may write to "-" */
	/* Endings of the files the format keeps beside its output (sqlite:
	 * "-wal"), which directory walks skip; NULL-terminated, or NULL. */
	const char *const	*side_files;
	/* The format's own options (ending with a NULL name), or NULL; option
	 * takes each one given, before open (value NULL for a flag): RC_OK,
	 * or RC_FATAL with *why saying what is wrong with the value (static,
	 * or the format's own until free). The state it keeps is the
	 * format's (priv), freed by free. Formats may offer an option of
	 * the same name (csv's and tsv's --columns): the one of the format
	 * in use takes it. */
	const struct writer_option *options;
	enum rc	(*option)(struct writer *, const char *name, const char *value,
		    const char **why);
	enum rc	(*open)(struct writer *, const char *path);
	enum rc	(*write)(struct writer *, const struct record *);
	/* flush, commit, rename; RC_SKIP: the output appeared while a new
	 * one was built (sqlite), and the writer now adds to it: preload,
	 * fold and finish again */
	enum rc	(*finish)(struct writer *);
	void	(*free)(struct writer *);
	/*
	 * Optional hooks, NULL when unused (sqlite uses them all):
	 * reject and conflict see every reject and conflict of the run
	 * (rejects arrive while inputs are read, after open); preload runs
	 * after all inputs are read and before the fold, and may add older
	 * observations to the merge (merge_add with their own run number,
	 * lower than MERGE_RUN_CURRENT) for the ids this run saw
	 * (merge_each_id); observe sees each observation of a record, in
	 * fold order, just before write sees the record; alone says it is
	 * the record's only one (which the record then is).
	 */
	enum rc	(*reject)(struct writer *, const char *file, const char *pos,
		    const char *msg);
	enum rc	(*conflict)(struct writer *, const struct conflict *);
	enum rc	(*preload)(struct writer *, struct merge *);
	enum rc	(*observe)(struct writer *, const struct record *obs, int run,
		    int alone);
	/*
	 * Optional: sees each observation as it is read, before the merge;
	 * RC_SKIP rejects that observation (reported by the writer), for a
	 * value the format cannot carry at all (xml: control characters).
	 */
	enum rc	(*check)(struct writer *, const struct record *obs);
	/*
	 * Optional: the inputs as evidence. known asks whether an earlier
	 * run into the same output read a file of these bytes (sqlite:
	 * its inputs table): that file's path (borrowed until the next
	 * call), else NULL; a file it names is not read again. input sees
	 * every input file of the run once, in input order, after what it
	 * yielded was read (a duplicate at once, with same_as set and
	 * nothing yielded); warn sees every warning, -q or not.
	 */
	const char *(*known)(struct writer *, const char *sha256);
	enum rc	(*input)(struct writer *, const struct writer_input *);
	enum rc	(*warn)(struct writer *, const char *file, const char *pos,
		    const char *msg);
	/*
	 * Optional: sees each list page of the run (pages.h), in input
	 * order, once all inputs are read and before preload: whether its
	 * next page is among the inputs (PAGE_LAST: it has no next link)
	 * and, when found, that page.
	 */
	enum rc	(*page)(struct writer *, const struct page *,
		    enum page_next, const struct page *found);
	/*
	 * Optional, for a format whose observe and write only append text
	 * to its output (csv, tsv, json): the fold may then make that text
	 * on several threads (fold.h). fmt_new gives a formatter of the
	 * opened writer, or NULL when this run's text cannot be made apart
	 * (csv's --properties=columns); fmt_observe (NULL when the format
	 * has no observe) and fmt_write do what observe and write do, but
	 * append the text to out, touching nothing but their formatter, on
	 * whichever thread holds it; fmt_free frees one (NULL ok). put
	 * writes text so made, record by record in fold order, as write
	 * would have written it.
	 */
	void	*(*fmt_new)(struct writer *);
	void	 (*fmt_free)(void *);
	void	 (*fmt_observe)(void *, const struct record *obs, int alone);
	void	 (*fmt_write)(void *, const struct record *, struct buf *out);
	enum rc	 (*put)(struct writer *, const void *, size_t);
};

struct writer_opts {
	int	gzip;		/* -z: compress (json) */
	unsigned threads;	/* -j: a writer may use a thread when > 1 */
};

/* What a writer may record about the run (sqlite's runs table). */
struct writer_run {
	int			 argc;
	char *const		*argv;
	const char		*version;
	const struct diag_counts *counts;	/* live; final at finish */
	int			 ninputs;
	char *const		*inputs;	/* the operands: files, dirs, - */
};

struct writer {
	const struct writer_ops	*ops;
	struct diag		*diag;
	struct writer_opts	 opts;
	struct writer_run	 run;
	void			*priv;		/* the format's own state */
};

/* formats/writers.c: NULL-terminated; the first is the default (standard
 * output without -f). */
extern const struct writer_ops *const writers[];

const struct writer_ops *writer_by_name(const char *);
/* By the path's ending; sets *gzip when the ending says .gz. */
const struct writer_ops *writer_by_path(const char *, int *gzip);
/* The length of the longest of the writers' suffixes that the path ends
 * in (compared ignoring ASCII case), with *ops its writer; 0 and NULL
 * when none. */
size_t	writer_ending(const char *, const struct writer_ops **ops);

#endif
