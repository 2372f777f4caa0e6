/*
 * fold.c: the fold on several threads (fold.h).
 *
 * One mutex guards the chunks: a list in fold order of those handed out
 * and not yet taken back, and the first of them no worker has taken.
 * "work" wakes the workers (a chunk was queued, or the run stops),
 * "done" wakes the caller (a chunk was folded).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

#define FOLD_CHUNK	(128 * 1024)	/* observations' bytes a chunk */
/* The test suite's way to make a small fold hand out many chunks:
 * bytes a chunk (read by fold_run). */
#define FOLD_CHUNK_ENV	"IMGMETA_TEST_FOLD_BYTES"
#define FOLD_AHEAD	3		/* chunks a thread not taken back */

/* Entries of a chunk's result: a tag, then its fields. */
#define FOLD_REC	'R'	/* a record's text: its length, its bytes */
#define FOLD_OUT	'F'	/* a record the filter left out */
#define FOLD_MSG	'M'	/* a report (diag_keep) */

struct fold_chunk {
	struct fold_chunk	*next;
	/* for each id: the number of its observations; for each: its run,
	 * its length and its bytes */
	struct buf		 in;
	struct buf		 out;	/* the result, in order */
	struct diag_counts	 n;	/* counted while folding it */
	int			 done;
};

struct fold {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;
	pthread_cond_t		 done;
	struct fold_chunk	*head;	/* the oldest not taken back */
	struct fold_chunk	*tail;
	struct fold_chunk	*todo;	/* the first no worker took */
	size_t			 nchunks;
	int			 stop;
	const struct writer_ops	*ops;
	const struct filter	*filter;
};

struct fold_thread {
	struct fold		*f;
	pthread_t		 tid;
	void			*fmt;	/* the writer's formatter */
	struct diag		 diag;
	struct fold_chunk	*c;	/* being folded */
	struct merge_obs	*o;	/* one id's observations */
	size_t			 capo;
};

/* The calling thread's side. */
struct fold_run {
	struct fold		*f;
	struct fold_chunk	*c;	/* being filled */
	size_t			 count;	/* where the id's count is in c->in */
	size_t			 limit;	/* chunks handed out at most */
	size_t			 bytes;	/* FOLD_CHUNK, or a test's */
	struct writer		*w;
	struct diag		*d;
	void			(*tick)(void *);
	void			*tick_arg;
};

static void	fold_sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static enum rc	fold_write(void *, const struct record *);
static enum rc	fold_observe(void *, const struct record *, int, int);
static void	fold_chunk(struct fold_thread *, struct fold_chunk *);
static void	*fold_main(void *);
static enum rc	fold_replay(struct fold_run *, struct fold_chunk *);
static enum rc	fold_take(struct fold_run *, int);
static enum rc	fold_hand(struct fold_run *);
static enum rc	fold_gather(void *, int, const struct merge_obs *);
static void	fold_chunk_free(struct fold_chunk *);

static void
fold_sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	struct fold_thread *t = arg;

	buf_addc(&t->c->out, FOLD_MSG);
	diag_keep(&t->c->out, kind, file, pos, msg);
}

/* A record, filtered, its text made (as pipeline_write would write it). */
static enum rc
fold_write(void *arg, const struct record *rec)
{
	struct fold_thread *t = arg;
	struct buf *out = &t->c->out;
	size_t at;
	uint32_t len;

	if (t->f->filter != NULL && !filter_match(t->f->filter, rec)) {
		buf_addc(out, FOLD_OUT);
		return RC_OK;
	}
	buf_addc(out, FOLD_REC);
	at = out->len;
	buf_put_u32(out, 0);
	t->f->ops->fmt_write(t->fmt, rec, out);
	if (out->len - at - sizeof len > UINT32_MAX)
		fatal("a record's text of more than 4 GiB");
	len = (uint32_t)(out->len - at - sizeof len);
	memcpy(out->data + at, &len, sizeof len);
	return RC_OK;
}

static enum rc
fold_observe(void *arg, const struct record *obs, int run, int alone)
{
	struct fold_thread *t = arg;

	(void)run;
	t->f->ops->fmt_observe(t->fmt, obs, alone);
	return RC_OK;
}

/* Every id of a chunk, folded into its result. */
static void
fold_chunk(struct fold_thread *t, struct fold_chunk *c)
{
	static const struct diag_counts zero;
	const char *p = c->in.data, *end = p + c->in.len;

	t->c = c;
	while (p < end) {
		size_t n = buf_get_u32(&p);

		if (n > t->capo) {
			t->capo = n;
			t->o = xreallocarray(t->o, t->capo, sizeof *t->o);
		}
		for (size_t i = 0; i < n; i++) {
			t->o[i].run = (unsigned)buf_get_u32(&p);
			t->o[i].len = buf_get_u32(&p);
			t->o[i].data = p;
			t->o[i].id = NULL;
			p += t->o[i].len;
		}
		/* a worker's callbacks never fail */
		(void)merge_fold_id(t->o, n, &t->diag, NULL, NULL, fold_write,
		    t->f->ops->fmt_observe != NULL ? fold_observe : NULL, t);
	}
	c->n = t->diag.n;
	t->diag.n = zero;
	buf_free(&c->in);
	t->c = NULL;
}

static void *
fold_main(void *arg)
{
	struct fold_thread *t = arg;
	struct fold *f = t->f;

	diag_init(&t->diag, fold_sink, t);
	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct fold_chunk *c;

		while (!f->stop && f->todo == NULL)
			pthread_cond_wait(&f->work, &f->mu);
		if (f->stop)
			break;
		c = f->todo;
		f->todo = c->next;
		pthread_mutex_unlock(&f->mu);
		fold_chunk(t, c);
		pthread_mutex_lock(&f->mu);
		c->done = 1;
		pthread_cond_signal(&f->done);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* What a chunk says, in order: its counts, then each report said, each
 * record's text put (counted once it is) and each filtered one counted. */
static enum rc
fold_replay(struct fold_run *r, struct fold_chunk *c)
{
	const char *p = c->out.data, *end = p + c->out.len;
	struct diag *d = r->d;

	diag_counts_add(&d->n, &c->n);
	while (p < end) {
		char tag = *p++;

		if (tag == FOLD_REC) {
			size_t len = buf_get_u32(&p);

			if (r->w->ops->put(r->w, p, len) != RC_OK)
				return RC_FATAL;
			p += len;
			d->n.records++;
		} else if (tag == FOLD_OUT)
			d->n.filtered++;
		else
			diag_say_kept(d, &p);
	}
	return RC_OK;
}

/*
 * Takes back the folded chunks at the head of the list, in order: all of
 * them with all, else those done, and as many more as it takes to leave
 * no more than the limit handed out.
 */
static enum rc
fold_take(struct fold_run *r, int all)
{
	struct fold *f = r->f;
	enum rc rc = RC_OK;

	pthread_mutex_lock(&f->mu);
	while (f->head != NULL && rc == RC_OK) {
		struct fold_chunk *c = f->head;

		if (!c->done) {
			if (!all && f->nchunks <= r->limit)
				break;
			pthread_cond_wait(&f->done, &f->mu);
			continue;
		}
		if ((f->head = c->next) == NULL)
			f->tail = NULL;
		f->nchunks--;
		pthread_mutex_unlock(&f->mu);
		rc = fold_replay(r, c);
		fold_chunk_free(c);
		if (r->tick != NULL)
			r->tick(r->tick_arg);
		pthread_mutex_lock(&f->mu);
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

/* The chunk being filled, to the workers. */
static enum rc
fold_hand(struct fold_run *r)
{
	struct fold *f = r->f;
	struct fold_chunk *c = r->c;

	if (c == NULL)
		return RC_OK;
	r->c = NULL;
	pthread_mutex_lock(&f->mu);
	if (f->tail != NULL)
		f->tail->next = c;
	else
		f->head = c;
	f->tail = c;
	if (f->todo == NULL)
		f->todo = c;
	f->nchunks++;
	pthread_cond_signal(&f->work);
	pthread_mutex_unlock(&f->mu);
	return fold_take(r, 0);
}

/* One observation, copied into the chunk being filled; a chunk is handed
 * out between two ids once it is large enough. */
static enum rc
fold_gather(void *arg, int newid, const struct merge_obs *o)
{
	struct fold_run *r = arg;
	struct buf *in;
	uint32_t n;

	if (newid) {
		if (r->c != NULL && r->c->in.len >= r->bytes &&
		    fold_hand(r) != RC_OK)
			return RC_FATAL;
		if (r->c == NULL)
			r->c = xcalloc(1, sizeof *r->c);
		r->count = r->c->in.len;
		buf_put_u32(&r->c->in, 0);
	}
	in = &r->c->in;
	memcpy(&n, in->data + r->count, sizeof n);
	n++;
	memcpy(in->data + r->count, &n, sizeof n);
	buf_put_u32(in, o->run);
	buf_put_u32(in, o->len);
	buf_add(in, o->data, o->len);
	return RC_OK;
}

static void
fold_chunk_free(struct fold_chunk *c)
{
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

enum rc
fold_run(struct merge *m, unsigned nthreads, struct writer *w,
    const struct filter *filter, struct diag *d, void (*tick)(void *),
    void *tick_arg)
{
	const struct writer_ops *ops = w->ops;
	struct fold f = { .ops = ops, .filter = filter };
	struct fold_run r = {
		.f = &f, .w = w, .d = d, .tick = tick, .tick_arg = tick_arg
	};
	struct fold_thread *th;
	const char *e;
	unsigned k;
	enum rc rc;

	/* conflicts would reach the writer's hook from the workers */
	if (nthreads < 1 || ops->fmt_new == NULL || ops->fmt_write == NULL ||
	    ops->put == NULL || ops->conflict != NULL ||
	    (ops->observe != NULL && ops->fmt_observe == NULL))
		return RC_SKIP;
	th = xcalloc(nthreads, sizeof *th);
	for (k = 0; k < nthreads; k++)
		if ((th[k].fmt = ops->fmt_new(w)) == NULL)
			break;
	if (k < nthreads) {
		while (k-- > 0)
			ops->fmt_free(th[k].fmt);
		free(th);
		return RC_SKIP;
	}
	r.limit = (size_t)nthreads * FOLD_AHEAD;
	r.bytes = FOLD_CHUNK;
	if ((e = getenv(FOLD_CHUNK_ENV)) != NULL && *e != '\0')
		r.bytes = (size_t)strtoull(e, NULL, 10);
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.work, NULL);
	pthread_cond_init(&f.done, NULL);
	for (k = 0; k < nthreads; k++) {
		th[k].f = &f;
		if (pthread_create(&th[k].tid, NULL, fold_main, &th[k]) != 0)
			fatal("cannot start a thread");
	}

	rc = merge_each(m, fold_gather, &r);
	if (rc != RC_FATAL)
		rc = fold_hand(&r);
	if (rc != RC_FATAL)
		rc = fold_take(&r, 1);

	pthread_mutex_lock(&f.mu);
	f.stop = 1;
	pthread_cond_broadcast(&f.work);
	pthread_mutex_unlock(&f.mu);
	for (k = 0; k < nthreads; k++) {
		pthread_join(th[k].tid, NULL);
		ops->fmt_free(th[k].fmt);
		free(th[k].o);
	}
	free(th);
	while (f.head != NULL) {
		struct fold_chunk *c = f.head;

		f.head = c->next;
		fold_chunk_free(c);
	}
	if (r.c != NULL)
		fold_chunk_free(r.c);
	pthread_cond_destroy(&f.done);
	pthread_cond_destroy(&f.work);
	pthread_mutex_destroy(&f.mu);
	return rc == RC_FATAL ? RC_FATAL : RC_OK;
}
