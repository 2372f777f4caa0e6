/*
 * treader.h: a harness for reader unit tests. It builds a fake struct
 * response (file, url, headers; no body), a read_ctx for one item given
 * as JSON text, runs a reader's bid and read, and keeps what came out:
 * the observations emitted (moved into tr->obs) and every message
 * reported (kind, position, text), counted like main would.
 *
 *	struct treader tr;
 *
 *	tr_init(&tr, "detail.json", NULL);
 *	tr_item(&tr, &read_glance_v1_ops, "images", 0, "{\"id\": ...}");
 *	T_INT(tr.nobs, 1, "one observation");
 *	T_STR(tr_field(&tr, 0, F_NAME), "cirros", "name");
 *	tr_free(&tr);
 */
#ifndef IMGMETA_TREADER_H
#define IMGMETA_TREADER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reader.h"

#define TR_MAX_HEADERS	64
#define TR_MAX_OBS	32
#define TR_MAX_MSGS	64

struct tr_msg {
	enum diag_kind	 kind;
	char		*pos;
	char		*text;
};

struct treader {
	struct response	 resp;
	struct header	 hdr[TR_MAX_HEADERS];
	char		*date;		/* the ctx's date, or NULL */
	char		 pos[128];	/* the ctx's position */
	struct diag	 diag;
	struct record	 obs[TR_MAX_OBS];
	size_t		 nobs;
	struct tr_msg	 msg[TR_MAX_MSGS];
	size_t		 nmsg;
	int		 bid;		/* the last bid */
	enum rc		 rc;		/* the last read's return */
};

static inline void
tr_sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *text)
{
	struct treader *tr = arg;

	(void)file;
	if (tr->nmsg == TR_MAX_MSGS)
		return;
	tr->msg[tr->nmsg].kind = kind;
	tr->msg[tr->nmsg].pos = xstrdup(pos);
	tr->msg[tr->nmsg].text = xstrdup(text);
	tr->nmsg++;
}

static inline enum rc
tr_emit(void *arg, struct record *obs)
{
	struct treader *tr = arg;

	if (tr->nobs == TR_MAX_OBS)
		return RC_FATAL;
	record_init(&tr->obs[tr->nobs]);
	record_move(&tr->obs[tr->nobs], obs);
	tr->nobs++;
	return RC_OK;
}

/* A response of file (as given on the command line) and url (NULL:
 * unknown), at offset 0, with no headers yet. */
static inline void
tr_init(struct treader *tr, const char *file, const char *url)
{
	memset(tr, 0, sizeof *tr);
	tr->resp.file = file;
	snprintf(tr->resp.pos, sizeof tr->resp.pos, "0");
	tr->resp.status = 200;
	tr->resp.url = xstrdup(url);
	tr->resp.headers = tr->hdr;
	diag_init(&tr->diag, tr_sink, tr);
	for (size_t i = 0; i < TR_MAX_OBS; i++)
		record_init(&tr->obs[i]);
}

/* Drops what was emitted and reported, keeping the response. */
static inline void
tr_reset(struct treader *tr)
{
	for (size_t i = 0; i < tr->nobs; i++)
		record_clear(&tr->obs[i]);
	for (size_t i = 0; i < tr->nmsg; i++) {
		free(tr->msg[i].pos);
		free(tr->msg[i].text);
	}
	tr->nobs = tr->nmsg = 0;
	diag_init(&tr->diag, tr_sink, tr);
}

static inline void
tr_free(struct treader *tr)
{
	tr_reset(tr);
	for (size_t i = 0; i < tr->resp.nheaders; i++) {
		free(tr->hdr[i].name);
		free(tr->hdr[i].value);
	}
	free(tr->resp.url);
	free(tr->date);
}

/* A header whose value is n raw bytes (they may not be UTF-8). */
static inline void
tr_header_n(struct treader *tr, const char *name, const char *value,
    size_t n)
{
	struct header *h;

	if (tr->resp.nheaders == TR_MAX_HEADERS)
		return;
	h = &tr->hdr[tr->resp.nheaders++];
	h->name = xstrdup(name);
	h->value = xstrndup(value, n);
	h->value_len = n;
}

static inline void
tr_header(struct treader *tr, const char *name, const char *value)
{
	tr_header_n(tr, name, value, strlen(value));
}

/* Headers as a capture prints them, "Name: value" one a line; blanks
 * around the value are dropped as capture does. */
static inline void
tr_headers(struct treader *tr, const char *block)
{
	const char *p = block;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n'), *colon, *v, *e;
		char *name;

		if (eol == NULL)
			eol = p + strlen(p);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL) {
			name = xstrndup(p, (size_t)(colon - p));
			for (v = colon + 1; v < eol && (*v == ' ' ||
			    *v == '\t'); v++)
				;
			for (e = eol; e > v && (e[-1] == ' ' || e[-1] == '\t' ||
			    e[-1] == '\r'); e--)
				;
			tr_header_n(tr, name, v, (size_t)(e - v));
			free(name);
		}
		p = *eol == '\0' ? eol : eol + 1;
	}
}

static inline void
tr_set_date(struct treader *tr, const char *rfc3339)
{
	free(tr->date);
	tr->date = xstrdup(rfc3339);
}

static inline void
tr_ctx(struct treader *tr, struct read_ctx *ctx, const char *envelope,
    int in_list, size_t index)
{
	if (envelope == NULL || *envelope == '\0')
		snprintf(tr->pos, sizeof tr->pos, "%s", tr->resp.pos);
	else if (in_list)
		snprintf(tr->pos, sizeof tr->pos, "%s#/%s/%zu", tr->resp.pos,
		    envelope, index);
	else
		snprintf(tr->pos, sizeof tr->pos, "%s#/%s", tr->resp.pos,
		    envelope);
	*ctx = (struct read_ctx){
		.resp = &tr->resp,
		.diag = &tr->diag,
		.file = tr->resp.file,
		.pos = tr->pos,
		.envelope = envelope == NULL ? "" : envelope,
		.in_list = in_list,
		.index = index,
		.date = tr->date,
		.emit = tr_emit,
		.emit_arg = tr,
	};
}

/* The reader's bid on the response's headers; when it bids, it reads
 * them. Returns the bid. */
static inline int
tr_read_headers(struct treader *tr, const struct reader_ops *r)
{
	struct read_ctx ctx;

	tr->bid = r->bid_headers(&tr->resp);
	tr->rc = RC_OK;
	if (tr->bid > 0) {
		tr_ctx(tr, &ctx, "", 0, 0);
		tr->rc = r->read_headers(&ctx);
	}
	return tr->bid;
}

/* The item's view, as the engine parses it, in d. */
static inline const struct jv *
tr_parse(struct jv_doc *d, const char *json)
{
	json_error_t err;
	const struct jv *v = jv_parse(d, json, strlen(json), JSON_DECODE_ANY,
	    &err);

	if (v == NULL) {
		fprintf(stderr, "treader: bad test JSON: %s (line %d, column "
		    "%d)\n", err.text, err.line, err.column);
		exit(99);
	}
	return v;
}

/* A reader's bid on one item (JSON text) under envelope. in_list: the
 * item is element index of an array (position "0#/images/INDEX"). */
static inline int
tr_bid(struct treader *tr, const struct reader_ops *r, const char *envelope,
    int in_list, size_t index, const char *json)
{
	struct read_ctx ctx;
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *item = tr_parse(&d, json);

	tr_ctx(tr, &ctx, envelope, in_list, index);
	tr->bid = r->bid_item(&ctx, item);
	jv_doc_free(&d);
	return tr->bid;
}

/* The reader bids on the item and, when it bids, reads it. Returns the
 * bid; the read's return is in tr->rc. */
static inline int
tr_item(struct treader *tr, const struct reader_ops *r, const char *envelope,
    int in_list, size_t index, const char *json)
{
	struct read_ctx ctx;
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *item = tr_parse(&d, json);

	tr_ctx(tr, &ctx, envelope, in_list, index);
	tr->bid = r->bid_item(&ctx, item);
	tr->rc = RC_OK;
	if (tr->bid > 0)
		tr->rc = r->read_item(&ctx, item);
	jv_doc_free(&d);
	return tr->bid;
}

/* As the engine does: every reader of readers[] that lists envelope
 * (all of them for "") bids; the highest reads. Returns the winner, or
 * NULL when none bid (nothing is read then). */
static inline const struct reader_ops *
tr_dispatch(struct treader *tr, const char *envelope, int in_list,
    size_t index, const char *json)
{
	const struct reader_ops *best = NULL;
	struct read_ctx ctx;
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *item = tr_parse(&d, json);
	int best_bid = 0;

	tr_ctx(tr, &ctx, envelope, in_list, index);
	for (size_t i = 0; readers[i] != NULL; i++) {
		const struct reader_ops *r = readers[i];
		const char *const *e = r->envelopes;
		int listed = *ctx.envelope == '\0', bid;

		if (r->bid_item == NULL)
			continue;
		for (; !listed && e != NULL && *e != NULL; e++)
			listed = strcmp(*e, ctx.envelope) == 0;
		if (!listed)
			continue;
		if ((bid = r->bid_item(&ctx, item)) > best_bid) {
			best_bid = bid;
			best = r;
		}
	}
	tr->bid = best_bid;
	tr->rc = RC_OK;
	if (best != NULL)
		tr->rc = best->read_item(&ctx, item);
	jv_doc_free(&d);
	return best;
}

/* What the i-th observation holds; NULL past the end. */
static inline const char *
tr_field(const struct treader *tr, size_t i, enum field f)
{
	return i < tr->nobs ? tr->obs[i].f[f] : NULL;
}

static inline const char *
tr_src(const struct treader *tr, size_t i, enum source_field f)
{
	if (i >= tr->nobs || tr->obs[i].nsrcs != 1)
		return NULL;
	return tr->obs[i].srcs[0].v[f];
}

/* A property's value; "(absent)" when the key is not there, NULL for a
 * property whose value is null. */
static inline const char *
tr_prop(const struct treader *tr, size_t i, const char *key)
{
	const struct prop *p;

	if (i >= tr->nobs || (p = record_prop_get(&tr->obs[i], key)) == NULL)
		return "(absent)";
	return p->value;
}

/* How many properties the i-th observation has (distinct keys). */
static inline size_t
tr_nprops(struct treader *tr, size_t i)
{
	if (i >= tr->nobs)
		return 0;
	record_sort(&tr->obs[i]);
	return tr->obs[i].nprops;
}

/* How many messages of a kind were reported. */
static inline size_t
tr_count(const struct treader *tr, enum diag_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < tr->nmsg; i++)
		n += tr->msg[i].kind == kind;
	return n;
}

/* The text of the n-th message of a kind, or NULL. */
static inline const char *
tr_msg(const struct treader *tr, enum diag_kind kind, size_t n)
{
	for (size_t i = 0; i < tr->nmsg; i++)
		if (tr->msg[i].kind == kind && n-- == 0)
			return tr->msg[i].text;
	return NULL;
}

/* The position of the n-th message of a kind, or NULL. */
static inline const char *
tr_msg_pos(const struct treader *tr, enum diag_kind kind, size_t n)
{
	for (size_t i = 0; i < tr->nmsg; i++)
		if (tr->msg[i].kind == kind && n-- == 0)
			return tr->msg[i].pos;
	return NULL;
}

#endif
