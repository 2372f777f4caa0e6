/*
 * pipeline.c: inputs -> capture -> read -> merge -> filter -> writer
 * (pipeline.h).
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "digest.h"
#include "fold.h"
#include "input.h"
#include "merge.h"
#include "output.h"
#include "pages.h"
#include "pipeline.h"
#include "reader.h"
#include "work.h"

/* The digests of the files read so far in this run (not the duplicates),
 * an open-addressing table keyed by the digest: the first file of each. */
struct pipeline_seen {
	char		(*sha256)[DIGEST_HEX];	/* "" = empty slot */
	char		**file;
	size_t		 n;
	size_t		 cap;		/* a power of two */
};

struct pipeline {
	struct pipeline_opts	 o;
	struct writer		*w;
	struct diag		*diag;
	diag_sink		 sink;		/* the caller's */
	void			*sink_arg;
	struct merge		*merge;
	const char		*path;		/* the writer's */
	int			 open;		/* the writer's hooks may run */
	int			 hook_failed;	/* a hook failed in the sink */
	struct stream		*cur;		/* the file being read */
	/* the inputs as evidence */
	struct pipeline_seen	 seen;
	struct output		*manifest;	/* being written */
	char			*in_file;	/* being read, once begun */
	char			 in_sha256[DIGEST_HEX];
	uint64_t		 in_size;
	struct diag_counts	 in0;		/* the counts when it began */
	struct pages		*pages;		/* the list pages read */
};

static void	pipeline_sink(void *, enum diag_kind, const char *,
		    const char *, const char *);
static void	pipeline_tick(struct pipeline *);
static void	pipeline_work_tick(void *);
static int	pipeline_refused(struct pipeline *, const struct record *);
static enum rc	pipeline_emit(void *, struct record *);
static enum rc	pipeline_response(void *, struct response *);
static enum rc	pipeline_file(void *, const char *, struct stream *);
static enum rc	pipeline_packed(void *, const char *, const char *,
		    const void *, size_t);
static enum rc	pipeline_write(void *, const struct record *);
static enum rc	pipeline_observe(void *, const struct record *, int, int);
static void	pipeline_conflict(void *, const struct conflict *);
static void	pipeline_page(void *, const struct page *);
static enum rc	pipeline_page_write(void *, const struct page *,
		    enum page_next, const struct page *);
static enum rc	pipeline_pages(struct pipeline *);
static const char *pipeline_seen_find(struct pipeline_seen *, const char *,
		    const char *);
static void	pipeline_seen_free(struct pipeline_seen *);
static enum rc	pipeline_input_begin(void *, const char *, const char *,
		    uint64_t);
static void	pipeline_input_end(void *);
static void	pipeline_manifest_line(struct pipeline *, const char *,
		    const char *);
static enum rc	pipeline_manifest_finish(struct pipeline *, const char *);
static void	pipeline_exclude_glob(const char *, const char *);
static void	pipeline_exclude(const struct writer_ops *, const char *);

struct pipeline *
pipeline_new(const struct pipeline_opts *o, struct writer *w)
{
	struct pipeline *p = xcalloc(1, sizeof *p);

	p->o = *o;
	if (p->o.jobs == 0)
		p->o.jobs = 1;
	p->w = w;
	p->diag = w->diag;
	/* Every message reaches the writer's hooks too (pipeline_sink). */
	p->sink = p->diag->sink;
	p->sink_arg = p->diag->sink_arg;
	p->diag->sink = pipeline_sink;
	p->diag->sink_arg = p;
	/* the list pages the readers report (pages.h), in input order */
	p->pages = pages_new();
	p->diag->page_sink = pipeline_page;
	p->diag->page_arg = p;
	p->merge = merge_new(p->diag);
	merge_on_conflict(p->merge, pipeline_conflict, p);
	return p;
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	if (p->open) {
		p->open = 0;
		p->w->ops->free(p->w);
	}
	merge_free(p->merge);
	output_abort(p->manifest);
	pipeline_seen_free(&p->seen);
	free(p->in_file);
	pages_free(p->pages);
	p->diag->sink = p->sink;
	p->diag->sink_arg = p->sink_arg;
	p->diag->page_sink = NULL;
	p->diag->page_arg = NULL;
	free(p);
}

static void
pipeline_sink(void *arg, enum diag_kind kind, const char *file,
    const char *pos, const char *msg)
{
	struct pipeline *p = arg;
	const struct writer_ops *ops = p->w->ops;

	if (p->sink != NULL)
		p->sink(p->sink_arg, kind, file, pos, msg);
	if (!p->open)
		return;
	/* kept by the writer (sqlite: the rejects and warnings tables),
	 * whether or not the sink says them */
	if ((kind == DIAG_REJECT || kind == DIAG_NON2XX) &&
	    ops->reject != NULL &&
	    ops->reject(p->w, file, pos, msg) != RC_OK)
		p->hook_failed = 1;
	if (kind == DIAG_WARN && ops->warn != NULL &&
	    ops->warn(p->w, file, pos, msg) != RC_OK)
		p->hook_failed = 1;
}

static void
pipeline_tick(struct pipeline *p)
{
	if (p->o.tick != NULL)
		p->o.tick(p->o.tick_arg, p->cur);
}

static void
pipeline_work_tick(void *arg)
{
	pipeline_tick(arg);
}

/*
 * The first file of these bytes in this run, else NULL (and file is
 * remembered as the first). The digest's first bytes are already
 * uniformly spread: they are the hash.
 */
static const char *
pipeline_seen_find(struct pipeline_seen *t, const char *sha256,
    const char *file)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct pipeline_seen g = { 0 };

		g.cap = t->cap ? 2 * t->cap : 256;
		g.sha256 = xcalloc(g.cap, sizeof *g.sha256);
		g.file = xcalloc(g.cap, sizeof *g.file);
		for (i = 0; i < t->cap; i++)
			if (t->sha256[i][0] != '\0')
				(void)pipeline_seen_find(&g, t->sha256[i],
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
pipeline_seen_free(struct pipeline_seen *t)
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
pipeline_input_begin(void *arg, const char *name, const char *sha256,
    uint64_t size)
{
	struct pipeline *p = arg;
	const char *earlier;

	if (sha256 == NULL)
		return RC_OK;
	pipeline_manifest_line(p, sha256, name);
	earlier = pipeline_seen_find(&p->seen, sha256, name);
	if (earlier == NULL && p->w->ops->known != NULL)
		earlier = p->w->ops->known(p->w, sha256);
	if (earlier != NULL) {
		struct writer_input in = {
			.file = name, .sha256 = sha256, .size = size,
			.same_as = earlier
		};

		p->diag->n.duplicates++;
		diag_report(p->diag, DIAG_NOTE, name, NULL, "same content as "
		    "%s (sha256 %s): not read again", earlier, sha256);
		if (p->w->ops->input != NULL &&
		    p->w->ops->input(p->w, &in) != RC_OK)
			return RC_FATAL;
		return RC_SKIP;
	}
	free(p->in_file);
	p->in_file = xstrdup(name);
	snprintf(p->in_sha256, sizeof p->in_sha256, "%s", sha256);
	p->in_size = size;
	p->in0 = p->diag->n;
	return RC_OK;
}

/* The file begun last was read: what it yielded, to the writer. */
static void
pipeline_input_end(void *arg)
{
	struct pipeline *p = arg;
	const struct diag_counts *n = &p->diag->n, *o = &p->in0;
	struct writer_input in;

	if (p->in_file == NULL)
		return;
	in = (struct writer_input){
		.file = p->in_file, .sha256 = p->in_sha256,
		.size = p->in_size,
		.responses = n->responses - o->responses,
		.observations = n->observations - o->observations,
		.rejects = n->rejects - o->rejects,
		.warnings = n->warnings - o->warnings,
	};
	if (p->w->ops->input != NULL && p->w->ops->input(p->w, &in) != RC_OK)
		p->hook_failed = 1;
	free(p->in_file);
	p->in_file = NULL;
}

/*
 * A line of the manifest, as sha256sum prints it: a name with a
 * backslash, a newline or a carriage return has them escaped, and the
 * line starts with a backslash.
 */
static void
pipeline_manifest_line(struct pipeline *p, const char *sha256,
    const char *name)
{
	struct buf b = BUF_INIT;

	if (p->manifest == NULL)
		return;
	if (strpbrk(name, "\\\n\r") != NULL)
		buf_addc(&b, '\\');
	buf_printf(&b, "%s  ", sha256);
	for (const char *c = name; *c != '\0'; c++)
		if (*c == '\\')
			buf_addstr(&b, "\\\\");
		else if (*c == '\n')
			buf_addstr(&b, "\\n");
		else if (*c == '\r')
			buf_addstr(&b, "\\r");
		else
			buf_addc(&b, *c);
	buf_addc(&b, '\n');
	if (output_write(p->manifest, b.data, b.len) != RC_OK) {
		output_abort(p->manifest);
		p->manifest = NULL;
		p->hook_failed = 1;
	}
	buf_free(&b);
}

/* The output is in place: its digest ends the manifest, which is then
 * put in place too. */
static enum rc
pipeline_manifest_finish(struct pipeline *p, const char *path)
{
	char sha256[DIGEST_HEX];
	uint64_t size;
	struct output *o = p->manifest;

	if (o == NULL)
		return p->o.manifest != NULL ? RC_FATAL : RC_OK;
	if (digest_path(path, sha256, &size) != 0) {
		diag_report(p->diag, DIAG_ERROR, path, NULL, "cannot read "
		    "the output back for the manifest: %s", strerror(errno));
		output_abort(o);
		p->manifest = NULL;
		return RC_FATAL;
	}
	pipeline_manifest_line(p, sha256, path);
	if (p->manifest == NULL)
		return RC_FATAL;
	p->manifest = NULL;
	return output_commit(o);
}

/* path + end, and every file that matches it, quietly excluded. */
static void
pipeline_exclude_glob(const char *path, const char *end)
{
	char *pat = xasprintf("%s%s", path, end);
	glob_t g;

	if (glob(pat, GLOB_NOSORT | GLOB_NOESCAPE, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			input_exclude(g.gl_pathv[i], 1);
	globfree(&g);
	free(pat);
}

/*
 * The output's own files are not inputs, should a directory walk meet
 * them: its temporary files (this run's, and any a killed run left) and
 * the side files its format keeps beside it.
 */
static void
pipeline_exclude(const struct writer_ops *ops, const char *path)
{
	pipeline_exclude_glob(path, OUTPUT_TEMP_GLOB);
	for (size_t i = 0; ops->side_files != NULL &&
	    ops->side_files[i] != NULL; i++)
		pipeline_exclude_glob(path, ops->side_files[i]);
}

enum rc
pipeline_open(struct pipeline *p, const char *path)
{
	const struct writer_ops *ops = p->w->ops;

	p->path = path;
	/* Opened first, so that it sees every reject; nothing reaches the
	 * target before finish. */
	if (strcmp(path, "-") != 0)
		input_exclude(path, 0);
	if (ops->open(p->w, path) != RC_OK) {
		ops->free(p->w);	/* always called, even after failure */
		return RC_FATAL;
	}
	p->open = 1;
	if (strcmp(path, "-") != 0)
		pipeline_exclude(ops, path);
	if (p->o.manifest != NULL) {
		input_exclude(p->o.manifest, 0);
		pipeline_exclude_glob(p->o.manifest, OUTPUT_TEMP_GLOB);
		if ((p->manifest = output_open(p->o.manifest, 0,
		    p->diag)) == NULL)
			return RC_FATAL;
	}
	return RC_OK;
}

/* The writer's check hook refused the observation (it reported why):
 * rejected, not kept, so no longer counted as kept. */
static int
pipeline_refused(struct pipeline *p, const struct record *obs)
{
	if (p->w->ops->check == NULL || p->w->ops->check(p->w, obs) != RC_SKIP)
		return 0;
	p->diag->n.observations--;
	return 1;
}

enum rc
pipeline_add(struct pipeline *p, const struct record *obs)
{
	pipeline_tick(p);
	if (pipeline_refused(p, obs))
		return RC_OK;
	return merge_add(p->merge, obs, MERGE_RUN_CURRENT);
}

static enum rc
pipeline_emit(void *arg, struct record *obs)
{
	return pipeline_add(arg, obs);
}

static enum rc
pipeline_response(void *arg, struct response *resp)
{
	struct pipeline *p = arg;

	return read_response(resp, p->diag, pipeline_emit, p);
}

static enum rc
pipeline_file(void *arg, const char *name, struct stream *s)
{
	struct pipeline *p = arg;
	enum rc rc;

	p->cur = s;
	pipeline_tick(p);
	rc = pipeline_input_begin(p, name, stream_sha256(s), stream_size(s));
	if (rc == RC_OK) {
		rc = capture_read(s, name, p->diag, pipeline_response, p);
		pipeline_input_end(p);
	}
	p->cur = NULL;
	return rc == RC_FATAL ? RC_FATAL : RC_OK;
}

/* jobs > 1: an observation read on a worker thread, taken back in input
 * order (work.c), as pipeline_emit takes one read on this thread. */
static enum rc
pipeline_packed(void *arg, const char *id, const char *date,
    const void *packed, size_t len)
{
	struct pipeline *p = arg;

	if (p->w->ops->check != NULL) {
		struct record obs;
		int refused;

		if (merge_unpack(&obs, packed, len) != 0)
			fatal("a damaged observation was handed over");
		refused = pipeline_refused(p, &obs);
		record_clear(&obs);
		if (refused)
			return RC_OK;
	}
	return merge_add_packed(p->merge, id, date, packed, len,
	    MERGE_RUN_CURRENT);
}

enum rc
pipeline_read(struct pipeline *p)
{
	enum rc rc;

	if (p->o.jobs > 1) {
		const struct work_cbs cbs = {
			.obs = pipeline_packed,
			.begin = pipeline_input_begin,
			.end = pipeline_input_end,
			.progress = pipeline_work_tick,
		};

		rc = work_run(p->o.inputs, p->o.ninputs, p->o.jobs, p->diag,
		    &cbs, p);
	} else
		rc = input_walk(p->o.inputs, p->o.ninputs, p->diag,
		    pipeline_file, p);
	return rc == RC_FATAL || p->diag->n.errors > 0 || p->hook_failed ?
	    RC_FATAL : RC_OK;
}

static enum rc
pipeline_write(void *arg, const struct record *rec)
{
	struct pipeline *p = arg;
	enum rc rc;

	if (p->o.filter != NULL && !filter_match(p->o.filter, rec)) {
		p->diag->n.filtered++;
		return RC_OK;
	}
	rc = p->w->ops->write(p->w, rec);
	if (rc == RC_OK)
		p->diag->n.records++;
	pipeline_tick(p);
	return rc;
}

static enum rc
pipeline_observe(void *arg, const struct record *obs, int run, int alone)
{
	struct pipeline *p = arg;

	return p->w->ops->observe(p->w, obs, run, alone);
}

static void
pipeline_conflict(void *arg, const struct conflict *c)
{
	struct pipeline *p = arg;

	if (p->open && p->w->ops->conflict != NULL &&
	    p->w->ops->conflict(p->w, c) != RC_OK)
		p->hook_failed = 1;
}

/* A list page read (in input order, whatever -j is). */
static void
pipeline_page(void *arg, const struct page *pg)
{
	struct pipeline *p = arg;

	pages_add(p->pages, pg);
}

static enum rc
pipeline_page_write(void *arg, const struct page *pg, enum page_next next,
    const struct page *found)
{
	struct pipeline *p = arg;

	return p->w->ops->page(p->w, pg, next, found);
}

/*
 * Every input read: whether each list page's next page is among them (a
 * missing one is a warning, or a reject with --strict), the counts into
 * the diag's, and every page to the writer's page hook.
 */
static enum rc
pipeline_pages(struct pipeline *p)
{
	const struct pages_counts *c;
	enum rc rc;

	rc = pages_decide(p->pages, p->diag, p->o.strict,
	    p->open && p->w->ops->page != NULL ? pipeline_page_write : NULL,
	    p);
	c = pages_counts(p->pages);
	p->diag->n.pages = c->pages;
	p->diag->n.pages_next = c->with_next;
	p->diag->n.pages_missing = c->missing;
	p->diag->n.pages_unknown = c->unknown;
	return rc;
}

enum pipeline_result
pipeline_finish(struct pipeline *p)
{
	const struct writer_ops *ops = p->w->ops;
	enum rc rc = RC_OK;

	if (p->diag->n.errors > 0 || p->hook_failed)
		return PIPELINE_FATAL;
	if (pipeline_pages(p) != RC_OK || p->diag->n.errors > 0 ||
	    p->hook_failed)
		return PIPELINE_FATAL;
	if (p->o.strict && p->diag->n.rejects > 0)
		return PIPELINE_STRICT;
	do {
		rc = RC_OK;
		if (ops->preload != NULL)
			rc = ops->preload(p->w, p->merge);
		if (rc == RC_OK) {
			/* on -j threads when the writer can, else here */
			rc = RC_SKIP;
			if (p->o.jobs > 1)
				rc = fold_run(p->merge, p->o.jobs, p->w,
				    p->o.filter, p->diag, pipeline_work_tick,
				    p);
			if (rc == RC_SKIP)
				rc = merge_fold(p->merge, pipeline_write,
				    ops->observe != NULL ? pipeline_observe :
				    NULL, p);
		}
		if (rc == RC_OK && p->hook_failed)
			rc = RC_FATAL;
		if (rc == RC_OK)
			rc = ops->finish(p->w);
		if (rc == RC_SKIP) {
			/* the output appeared meanwhile; the writer now adds
			 * to it: fold again, counted afresh */
			p->diag->n.records = 0;
			p->diag->n.filtered = 0;
			p->diag->n.conflicts = 0;
		}
	} while (rc == RC_SKIP);
	p->open = 0;
	ops->free(p->w);
	if (rc == RC_OK)
		rc = pipeline_manifest_finish(p, p->path);
	return rc == RC_OK ? PIPELINE_OK : PIPELINE_FATAL;
}

enum pipeline_result
pipeline_run(const struct pipeline_opts *o, struct writer *w,
    const char *path)
{
	struct pipeline *p = pipeline_new(o, w);
	enum pipeline_result res = PIPELINE_FATAL;

	if (pipeline_open(p, path) == RC_OK && pipeline_read(p) == RC_OK)
		res = pipeline_finish(p);
	pipeline_free(p);
	return res;
}
