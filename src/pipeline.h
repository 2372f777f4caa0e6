/*
 * pipeline.h: the one pipeline of DESIGN.md section 6,
 *
 *	inputs -> capture -> read -> merge -> filter -> writer
 *
 * run by the program (main.c), by each side of --compare (compare.c) and
 * by the tests. The caller sets up the writer (ops, diag, opts, run) and
 * the diag's sink (the messages it prints); the pipeline opens the writer,
 * reads the inputs on opts.jobs threads, hands every reject, warning and
 * conflict to the writer's hooks as well as to the sink, folds the
 * observations in id order, filters the records, writes them and
 * finishes (or frees) the writer. The counts are the diag's.
 *
 * Inputs are evidence: each file's SHA-256 and size are known before it
 * is read (stream_sha256). A file whose bytes were read before, earlier
 * in this run or (as the writer's known hook says) by an earlier run into
 * the same output, is said (a note) and counted as a duplicate, and adds
 * nothing. The writer's input hook sees every file once, with what it
 * yielded.
 *
 * In steps, for a caller that has observations rather than files (a unit
 * test): pipeline_new, pipeline_open, pipeline_add and/or pipeline_read,
 * pipeline_finish, pipeline_free. pipeline_run does them all.
 */
#ifndef IMGMETA_PIPELINE_H
#define IMGMETA_PIPELINE_H

#include <stddef.h>

#include "diag.h"
#include "filter.h"
#include "record.h"
#include "stream.h"
#include "writer.h"

struct pipeline_opts {
	char *const	*inputs;	/* files, directories, "-" */
	size_t		 ninputs;
	unsigned	 jobs;		/* reading threads; 0 or 1: this one */
	int		 strict;	/* a reject: nothing written */
	const struct filter *filter;	/* may be NULL: every record */
	/* --manifest: every input's SHA-256, then the output's, as
	 * sha256sum -c checks them (NULL: none; needs a path to write) */
	const char	*manifest;
	/* Called now and then while reading and writing (may be NULL):
	 * cur is the file being read on this thread, or NULL. */
	void		(*tick)(void *arg, struct stream *cur);
	void		*tick_arg;
};

enum pipeline_result {
	PIPELINE_OK = 0,	/* written (the diag counts the rejects) */
	PIPELINE_STRICT,	/* strict, and something was rejected:
				   nothing written */
	PIPELINE_FATAL		/* reported; no output left behind */
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_opts *, struct writer *);
/* Opens the writer at path ("-": standard output). */
enum rc	 pipeline_open(struct pipeline *, const char *path);
/* Reads opts.inputs. */
enum rc	 pipeline_read(struct pipeline *);
/* One observation as a reader gives it (the record is left unchanged). */
enum rc	 pipeline_add(struct pipeline *, const struct record *obs);
/* Folds, filters, writes and finishes the writer. */
enum pipeline_result pipeline_finish(struct pipeline *);
/* Frees the writer too if it is still open (nothing written); NULL ok. */
void	 pipeline_free(struct pipeline *);

enum pipeline_result pipeline_run(const struct pipeline_opts *,
	    struct writer *, const char *path);

#endif
