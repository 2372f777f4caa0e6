/*
 * work.c: reads the inputs on several threads, delivering what they say
 * in input order (see work.h).
 *
 * One mutex guards the jobs; "more" wakes the caller (a chunk was queued
 * or a job finished), "room" wakes the workers (a chunk was taken, the
 * caller moved on to the next job, or the run stops).
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "input.h"
#include "merge.h"
#include "reader.h"
#include "work.h"

#define WORK_CHUNK	(256 * 1024)	/* bytes: a chunk is handed over */
#define WORK_QUEUE	4		/* chunks one job may have waiting */
#define WORK_AHEAD	4		/* jobs per thread ahead of the caller */

/* Entries of a chunk: a tag, then its fields. */
#define WORK_OBS	'O'	/* id, date, packed observation */
#define WORK_MSG	'M'	/* kind, file, pos, message */
#define WORK_INPUT	'I'	/* name, sha256, size: a file begins */
#define WORK_PAGE	'P'	/* a list page: items, newest_first, the
				   strings (pages.h) */

struct work_chunk {
	struct work_chunk	*next;
	struct buf		 data;
	struct diag_counts	 n;	/* counted while it was made */
};

/* A file to read, or (name NULL) a report of the walk itself. */
struct work_job {
	char			*name;
	int			 std;
	enum diag_kind		 kind;
	char			*file;
	char			*pos;
	char			*msg;
	struct work_chunk	*head;
	struct work_chunk	*tail;
	unsigned		 nchunks;
	int			 done;
	enum rc			 rc;
	int			 begun;	/* its WORK_INPUT was taken */
	int			 drop;	/* a duplicate: nothing more taken */
};

struct work {
	pthread_mutex_t		 mu;
	pthread_cond_t		 more;
	pthread_cond_t		 room;
	struct work_job		*jobs;
	size_t			 njobs;
	size_t			 capjobs;
	size_t			 next;	/* the next job a worker takes */
	size_t			 cur;	/* the job the caller takes from */
	size_t			 window;
	int			 stop;
};

struct work_thread {
	struct work		*w;
	pthread_t		 tid;
	struct work_job		*job;
	struct diag		 diag;
	struct work_chunk	*chunk;
	enum rc			 rc;	/* of the file just read */
};

static enum rc	work_list(void *, const char *, int);
static void	work_list_sink(void *, enum diag_kind, const char *,
		    const char *, const char *);
static struct work_chunk *work_chunk(struct work_thread *);
static int	work_flush(struct work_thread *, int);
static void	work_sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static enum rc	work_emit(void *, struct record *);
static void	work_page(void *, const struct page *);
static enum rc	work_response(void *, struct response *);
static enum rc	work_file(void *, const char *, struct stream *);
static void	*work_main(void *);
static enum rc	work_replay(struct work_chunk *, struct work_job *,
		    struct diag *, const struct work_cbs *, void *);

unsigned
work_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static struct work_job *
work_job_add(struct work *w)
{
	if (w->njobs == w->capjobs) {
		w->capjobs = w->capjobs ? w->capjobs * 2 : 64;
		w->jobs = xreallocarray(w->jobs, w->capjobs, sizeof *w->jobs);
	}
	memset(&w->jobs[w->njobs], 0, sizeof w->jobs[0]);
	return &w->jobs[w->njobs++];
}

static enum rc
work_list(void *arg, const char *name, int std)
{
	struct work_job *j = work_job_add(arg);

	j->name = xstrdup(name);
	j->std = std;
	return RC_OK;
}

/* A report of the walk: kept as a job of its own, said in its place. */
static void
work_list_sink(void *arg, enum diag_kind kind, const char *file,
    const char *pos, const char *msg)
{
	struct work_job *j = work_job_add(arg);

	j->kind = kind;
	j->file = xstrdup(file);
	j->pos = xstrdup(pos);
	j->msg = xstrdup(msg);
	j->done = 1;
}

static struct work_chunk *
work_chunk(struct work_thread *t)
{
	if (t->chunk == NULL)
		t->chunk = xcalloc(1, sizeof *t->chunk);
	return t->chunk;
}

/*
 * Hands the chunk being made (with the counts so far) to the caller; with
 * last, marks the job done with t->rc. Waits while the job has WORK_QUEUE
 * chunks waiting. Returns 1 when the run stops or the caller dropped the
 * job (a duplicate: reading it further is of no use).
 */
static int
work_flush(struct work_thread *t, int last)
{
	static const struct diag_counts zero;
	struct work *w = t->w;
	struct work_job *j = t->job;
	struct work_chunk *c = t->chunk;
	int stop;

	if (c == NULL && memcmp(&t->diag.n, &zero, sizeof zero) != 0)
		c = work_chunk(t);
	if (c != NULL) {
		c->n = t->diag.n;
		t->diag.n = zero;
		t->chunk = NULL;
	}
	pthread_mutex_lock(&w->mu);
	if (c != NULL) {
		if (j->tail != NULL)
			j->tail->next = c;
		else
			j->head = c;
		j->tail = c;
		j->nchunks++;
	}
	if (last) {
		j->rc = j->drop ? RC_OK : t->rc;
		j->done = 1;
	}
	pthread_cond_signal(&w->more);
	while (!last && !w->stop && !j->drop && j->nchunks >= WORK_QUEUE)
		pthread_cond_wait(&w->room, &w->mu);
	stop = w->stop || j->drop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

static void
work_sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	struct work_thread *t = arg;
	struct buf *b = &work_chunk(t)->data;

	buf_addc(b, WORK_MSG);
	diag_keep(b, kind, file, pos, msg);
}

static enum rc
work_emit(void *arg, struct record *obs)
{
	struct work_thread *t = arg;
	struct buf *b = &work_chunk(t)->data;
	size_t at;
	uint32_t len;

	if (obs->f[F_ID] == NULL || obs->nsrcs == 0)
		fatal("work_emit: observation without id or source");
	record_sort(obs);	/* here, on this thread, not in the fold */
	buf_addc(b, WORK_OBS);
	buf_put_str(b, obs->f[F_ID]);
	buf_put_str(b, obs->srcs[0].v[S_DATE]);
	at = b->len;
	buf_put_u32(b, 0);
	merge_pack(b, obs);
	if (b->len - at - sizeof len > UINT32_MAX)
		fatal("observation too large to hand over");
	len = (uint32_t)(b->len - at - sizeof len);
	memcpy(b->data + at, &len, sizeof len);
	if (b->len >= WORK_CHUNK && work_flush(t, 0))
		return RC_FATAL;
	return RC_OK;
}

/* A list page, kept in its place among the observations and messages. */
static void
work_page(void *arg, const struct page *pg)
{
	struct work_thread *t = arg;
	struct buf *b = &work_chunk(t)->data;

	buf_addc(b, WORK_PAGE);
	buf_add(b, &pg->items, sizeof pg->items);
	buf_addc(b, (char)pg->newest_first);
	for (int k = 0; k < PG__COUNT; k++)
		buf_put_str(b, pg->v[k]);
}

static enum rc
work_response(void *arg, struct response *resp)
{
	struct work_thread *t = arg;

	return read_response(resp, &t->diag, work_emit, t);
}

/* A file: its digest first, handed over in a chunk of its own (with
 * the count of the file), so that the caller may drop the rest. */
static enum rc
work_file(void *arg, const char *name, struct stream *s)
{
	struct work_thread *t = arg;
	struct buf *b = &work_chunk(t)->data;
	uint64_t size = stream_size(s);

	buf_addc(b, WORK_INPUT);
	buf_put_str(b, name);
	buf_put_str(b, stream_sha256(s));
	buf_add(b, &size, sizeof size);
	if (work_flush(t, 0))
		return RC_FATAL;
	return capture_read(s, name, &t->diag, work_response, t) == RC_FATAL ?
	    RC_FATAL : RC_OK;
}

static void *
work_main(void *arg)
{
	struct work_thread *t = arg;
	struct work *w = t->w;

	diag_init(&t->diag, work_sink, t);
	t->diag.page_sink = work_page;
	t->diag.page_arg = t;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct work_job *j;

		while (w->next < w->njobs && w->jobs[w->next].name == NULL)
			w->next++;
		if (w->stop || w->next >= w->njobs)
			break;
		if (w->next >= w->cur + w->window) {
			pthread_cond_wait(&w->room, &w->mu);
			continue;
		}
		j = &w->jobs[w->next++];
		pthread_mutex_unlock(&w->mu);
		t->job = j;
		t->rc = input_read_file(j->name, j->std, &t->diag, work_file,
		    t);
		(void)work_flush(t, 1);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	free(t->chunk);
	jv_release();
	return NULL;
}

/* What one chunk says, in order: its counts first (so that a caller
 * taking an observation back sees it counted), then each entry; nothing
 * of a job dropped. RC_SKIP: begin said to drop the job. */
static enum rc
work_replay(struct work_chunk *c, struct work_job *j, struct diag *d,
    const struct work_cbs *cbs, void *arg)
{
	const char *p = c->data.data, *end = p + c->data.len;

	if (j->drop)
		return RC_OK;
	diag_counts_add(&d->n, &c->n);
	while (p < end) {
		char tag = *p++;

		if (tag == WORK_OBS) {
			const char *id = buf_get_str(&p);
			const char *date = buf_get_str(&p);
			size_t len = buf_get_u32(&p);

			if (cbs->obs(arg, id, date, p, len) == RC_FATAL)
				return RC_FATAL;
			p += len;
		} else if (tag == WORK_INPUT) {
			const char *name = buf_get_str(&p);
			const char *sha256 = buf_get_str(&p);
			uint64_t size;
			enum rc rc = RC_OK;

			memcpy(&size, p, sizeof size);
			p += sizeof size;
			if (cbs->begin != NULL)
				rc = cbs->begin(arg, name, sha256, size);
			if (rc == RC_FATAL)
				return RC_FATAL;
			if (rc == RC_SKIP)
				return RC_SKIP;	/* the caller drops the job */
			j->begun = 1;
		} else if (tag == WORK_PAGE) {
			struct page pg;

			memcpy(&pg.items, p, sizeof pg.items);
			p += sizeof pg.items;
			pg.newest_first = *p++;
			for (int k = 0; k < PG__COUNT; k++)
				pg.v[k] = buf_get_str(&p);
			diag_page(d, &pg);
		} else
			diag_say_kept(d, &p);
	}
	return RC_OK;
}

enum rc
work_run(char *const *paths, size_t n, unsigned nthreads, struct diag *d,
    const struct work_cbs *cbs, void *arg)
{
	struct work w = { 0 };
	struct work_thread *th;
	struct diag ld;
	size_t nfiles = 0, i;
	unsigned nth = 0;
	enum rc rc = RC_OK, listed;

	diag_init(&ld, work_list_sink, &w);
	/* RC_FATAL: an input cannot be read; what the walk said up to it is
	 * said, and no file is read */
	listed = input_list(paths, n, &ld, work_list, &w);
	for (i = 0; i < w.njobs && listed != RC_FATAL; i++)
		nfiles += w.jobs[i].name != NULL;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > nfiles)
		nthreads = nfiles > 0 ? (unsigned)nfiles : 1;
	w.window = (size_t)nthreads * WORK_AHEAD;
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.more, NULL);
	pthread_cond_init(&w.room, NULL);
	th = xcalloc(nthreads, sizeof *th);
	for (nth = 0; nth < nthreads && nfiles > 0; nth++) {
		th[nth].w = &w;
		if (pthread_create(&th[nth].tid, NULL, work_main, &th[nth]) != 0)
			fatal("cannot start a thread");
	}

	for (i = 0; i < w.njobs && rc != RC_FATAL; i++) {
		struct work_job *j = &w.jobs[i];

		pthread_mutex_lock(&w.mu);
		w.cur = i;
		pthread_cond_broadcast(&w.room);
		if (j->name == NULL || listed == RC_FATAL) {
			pthread_mutex_unlock(&w.mu);
			if (j->name == NULL)
				diag_report(d, j->kind, j->file, j->pos, "%s",
				    j->msg);
			continue;
		}
		for (;;) {
			struct work_chunk *c;
			enum rc rrc;

			while (j->head == NULL && !j->done)
				pthread_cond_wait(&w.more, &w.mu);
			if ((c = j->head) == NULL)
				break;
			if ((j->head = c->next) == NULL)
				j->tail = NULL;
			j->nchunks--;
			pthread_cond_broadcast(&w.room);
			pthread_mutex_unlock(&w.mu);
			rrc = work_replay(c, j, d, cbs, arg);
			if (rrc == RC_FATAL)
				rc = RC_FATAL;
			buf_free(&c->data);
			free(c);
			if (cbs->progress != NULL)
				cbs->progress(arg);
			pthread_mutex_lock(&w.mu);
			if (rrc == RC_SKIP) {
				/* the worker stops at its next chunk */
				j->drop = 1;
				pthread_cond_broadcast(&w.room);
			}
			if (rc == RC_FATAL)
				break;
		}
		if (j->rc == RC_FATAL)
			rc = RC_FATAL;
		pthread_mutex_unlock(&w.mu);
		if (rc != RC_FATAL && j->begun && !j->drop && cbs->end != NULL)
			cbs->end(arg);
	}

	if (listed == RC_FATAL)
		rc = RC_FATAL;
	pthread_mutex_lock(&w.mu);
	w.stop = 1;
	pthread_cond_broadcast(&w.room);
	pthread_mutex_unlock(&w.mu);
	for (unsigned k = 0; k < nth; k++)
		pthread_join(th[k].tid, NULL);
	free(th);
	for (i = 0; i < w.njobs; i++) {
		struct work_job *j = &w.jobs[i];

		while (j->head != NULL) {
			struct work_chunk *c = j->head;

			j->head = c->next;
			buf_free(&c->data);
			free(c);
		}
		free(j->name);
		free(j->file);
		free(j->pos);
		free(j->msg);
	}
	free(w.jobs);
	pthread_cond_destroy(&w.room);
	pthread_cond_destroy(&w.more);
	pthread_mutex_destroy(&w.mu);
	return rc;
}
