/*
 * read.c: the "read" stage. Decides which reader gets a response and, for
 * JSON bodies, streams the body item by item: the top-level object is
 * scanned here (strings, nesting and separators only), and each item under
 * an envelope key is cut out as bytes and parsed alone (jv_parse: a view,
 * jv.h), so a page of a million images costs one image of memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"
#include "norm.h"
#include "reader.h"

/* What read_response knows while it walks one response. */
struct walk {
	struct response	*resp;
	struct diag	*diag;
	char		*date;		/* Date header as RFC 3339, or NULL */
	enum rc		(*emit)(void *, struct record *);
	void		*emit_arg;
	struct buf	 item;		/* bytes of the current item, when
					   not left in the scanner */
	const char	*data;		/* the current item's bytes */
	size_t		 len;
	struct buf	 pos;		/* position text of the current item */
	size_t		 poskey;	/* pos's length before "/index" */
	int		 fatal;
	/* the page, when the body is a list (pages.h) */
	int		 in_list;	/* the current item is a list's */
	int		 listed;	/* the body has a list envelope */
	const struct reader_ops *page_reader;	/* of the first item */
	json_t		*paging;	/* the values of page keys */
	struct jv_doc	 doc;		/* the view of the current item */
	uint64_t	 items;
	char		*first[2];	/* id, created_at of the first */
	char		*last[2];	/* and of the last observation */
};

static ssize_t	walk_source(void *, void *, size_t);
static int	envelope_known(const char *);
static const struct reader_held *walk_held(const char *);
static int	walk_envelope_earlier(size_t, const char *const *);
static char	*walk_envelopes_text(void);
static char	*walk_headers_text(void);
static int	page_key_known(const char *);
static enum rc	walk_emit(void *, struct record *);
static void	walk_page(struct walk *);
static void	walk_free(struct walk *);
static void	walk_pos(struct walk *, const char *, int, size_t);
static void	walk_pos_index(struct walk *, size_t);
static enum rc	walk_item(struct walk *, const char *, int, size_t,
		    const struct jv *);
static const char *walk_json_why(const json_error_t *);
static enum rc	walk_parse_item(struct walk *, const char *, int, size_t);
static enum rc	walk_json(struct walk *);
static void	walk_ctx(struct walk *, struct read_ctx *, const char *, int,
		    size_t);
static char	*keys_text(const struct jv *);
static const char *read_limits(const struct record *, char *, size_t);

/* The scanner's byte source: the response body. */
static ssize_t
walk_source(void *arg, void *buf, size_t n)
{
	return response_body_read(arg, buf, n);
}

static int
envelope_known(const char *key)
{
	for (size_t i = 0; readers[i] != NULL; i++) {
		const char *const *e = readers[i]->envelopes;

		for (; e != NULL && *e != NULL; e++)
			if (strcmp(*e, key) == 0)
				return 1;
	}
	return 0;
}

static int
page_key_known(const char *key)
{
	for (size_t i = 0; readers[i] != NULL; i++) {
		const char *const *e = readers[i]->page_keys;

		for (; e != NULL && *e != NULL; e++)
			if (strcmp(*e, key) == 0)
				return 1;
	}
	return 0;
}

/* Every observation passes here: a list item's id and created_at are
 * kept for the page (the first, and the latest as the last). */
static enum rc
walk_emit(void *arg, struct record *obs)
{
	struct walk *w = arg;

	if (w->in_list) {
		int k = w->items++ == 0 ? 0 : 1;
		char **v = k == 0 ? w->first : w->last;

		free(v[0]);
		free(v[1]);
		v[0] = obs->f[F_ID] != NULL ? xstrdup(obs->f[F_ID]) : NULL;
		v[1] = obs->f[F_CREATED_AT] != NULL ?
		    xstrdup(obs->f[F_CREATED_AT]) : NULL;
	}
	return w->emit(w->emit_arg, obs);
}

/*
 * The end of a list body: the page, when a reader knows its API, is
 * reported (reader.h).
 */
static void
walk_page(struct walk *w)
{
	const struct reader_ops *r = w->page_reader;
	const struct jv *paging;
	struct read_ctx ctx;
	struct page p = { 0 };
	int claimed = 0;

	walk_pos(w, NULL, 0, 0);
	walk_ctx(w, &ctx, "", 0, 0);
	if (w->paging == NULL)
		w->paging = json_object();
	paging = jv_from_json(&w->doc, w->paging);
	if (r != NULL && r->read_page != NULL)
		claimed = r->read_page(&ctx, paging, 1, &p);
	for (size_t i = 0; r == NULL && !claimed && readers[i] != NULL; i++)
		if (readers[i]->read_page != NULL)
			claimed = readers[i]->read_page(&ctx, paging, 0, &p);
	if (!claimed)
		return;
	p.v[PG_FILE] = w->resp->file;
	p.v[PG_POS] = w->resp->pos;
	p.v[PG_URL] = w->resp->url;
	p.items = w->items;
	p.v[PG_FIRST_ID] = w->first[0];
	p.v[PG_FIRST_CREATED] = w->first[1];
	/* a page of one item: that item is also its last */
	p.v[PG_LAST_ID] = w->items > 1 ? w->last[0] : w->first[0];
	p.v[PG_LAST_CREATED] = w->items > 1 ? w->last[1] : w->first[1];
	diag_page(w->diag, &p);
	for (int k = PG_API; k <= PG_NEXT_MARKER; k++)
		free((char *)(uintptr_t)p.v[k]);
}

static void
walk_free(struct walk *w)
{
	free(w->date);
	buf_free(&w->item);
	buf_free(&w->pos);
	json_decref(w->paging);
	jv_doc_free(&w->doc);
	for (int k = 0; k < 2; k++) {
		free(w->first[k]);
		free(w->last[k]);
	}
}

/* The envelope of a body that holds nothing else (reader_ops.held), as
 * the first reader that holds it declares it; NULL for other keys. */
static const struct reader_held *
walk_held(const char *key)
{
	for (size_t i = 0; readers[i] != NULL; i++) {
		const struct reader_held *h = readers[i]->held;

		for (; h != NULL && h->key != NULL; h++)
			if (strcmp(h->key, key) == 0)
				return h;
	}
	return NULL;
}

/* Is e, an envelope of readers[i], listed before it in table order? */
static int
walk_envelope_earlier(size_t i, const char *const *e)
{
	for (size_t j = 0; j <= i; j++) {
		const char *const *f = readers[j]->envelopes;

		for (; f != NULL && *f != NULL && f != e; f++)
			if (strcmp(*f, *e) == 0)
				return 1;
	}
	return 0;
}

/* Every reader's envelopes for messages, each once, in table order:
 * "\"a\", \"b\"". */
static char *
walk_envelopes_text(void)
{
	struct buf b = BUF_INIT;
	size_t n = 0;

	for (size_t i = 0; readers[i] != NULL; i++) {
		const char *const *e = readers[i]->envelopes;

		for (; e != NULL && *e != NULL; e++)
			if (!walk_envelope_earlier(i, e))
				buf_printf(&b, "%s\"%s\"", n++ ? ", " : "", *e);
	}
	return buf_detach(&b);
}

/* What the readers of headers-only responses look for, for messages:
 * " and no X, Y or Z" (reader_ops.headers), or "" when none does. */
static char *
walk_headers_text(void)
{
	struct buf b = BUF_INIT;
	size_t n = 0, k = 0;

	for (size_t i = 0; readers[i] != NULL; i++)
		n += readers[i]->headers != NULL;
	for (size_t i = 0; readers[i] != NULL; i++) {
		if (readers[i]->headers == NULL)
			continue;
		buf_printf(&b, "%s%s", k == 0 ? " and no " : k + 1 == n ?
		    " or " : ", ", readers[i]->headers);
		k++;
	}
	return buf_detach(&b);
}

/* Position of an item: "OFFSET#/key/index", JSON Pointer escaped. */
static void
walk_pos(struct walk *w, const char *key, int in_list, size_t index)
{
	buf_reset(&w->pos);
	buf_addstr(&w->pos, w->resp->pos);
	w->poskey = w->pos.len;
	if (key == NULL || *key == '\0')
		return;
	buf_add(&w->pos, "#/", 2);
	for (const char *p = key; *p != '\0'; p++) {
		if (*p == '~')
			buf_add(&w->pos, "~0", 2);
		else if (*p == '/')
			buf_add(&w->pos, "~1", 2);
		else
			buf_addc(&w->pos, *p);
	}
	w->poskey = w->pos.len;
	if (in_list)
		walk_pos_index(w, index);
}

/* The position of the next item of the same list: walk_pos with another
 * index (after walk_pos with in_list). */
static void
walk_pos_index(struct walk *w, size_t index)
{
	char digits[U64_TEXT];
	const char *p = u64_text(digits, index);

	w->pos.len = w->poskey;
	buf_addc(&w->pos, '/');
	buf_addstr(&w->pos, p);
}

static void
walk_ctx(struct walk *w, struct read_ctx *ctx, const char *key, int in_list,
    size_t index)
{
	*ctx = (struct read_ctx){
		.resp = w->resp,
		.diag = w->diag,
		.file = w->resp->file,
		.pos = buf_cstr(&w->pos),
		.envelope = key,
		.in_list = in_list,
		.index = index,
		.date = w->date,
		.emit = walk_emit,
		.emit_arg = w,
	};
	w->in_list = in_list;
}

/* A list of an object's keys for messages: "a", "b", ... (at most 8). */
static char *
keys_text(const struct jv *obj)
{
	struct buf b = BUF_INIT;
	const struct jv *m;
	size_t n = 0;

	JV_FOREACH(obj, m) {
		if (n == 8) {
			buf_addstr(&b, ", ...");
			break;
		}
		buf_printf(&b, "%s\"%s\"", n ? ", " : "", m->key);
		n++;
	}
	if (n == 0)
		buf_addstr(&b, "none");
	return buf_detach(&b);
}

/* Offers one parsed item to the readers of its envelope. */
static enum rc
walk_item(struct walk *w, const char *key, int in_list, size_t index,
    const struct jv *item)
{
	const struct reader_ops *best = NULL;
	struct read_ctx ctx;
	int bid, best_bid = 0;
	enum rc rc;

	walk_ctx(w, &ctx, key, in_list, index);
	for (size_t i = 0; readers[i] != NULL; i++) {
		const struct reader_ops *r = readers[i];
		const char *const *e = r->envelopes;
		int listed = *key == '\0';

		if (r->bid_item == NULL)
			continue;
		for (; !listed && e != NULL && *e != NULL; e++)
			listed = strcmp(*e, key) == 0;
		if (!listed)
			continue;
		bid = r->bid_item(&ctx, item);
		if (bid > best_bid) {
			best_bid = bid;
			best = r;
		}
	}
	if (best == NULL) {
		char *keys;

		if (!jv_is_object(item))
			return read_reject(&ctx, "item under \"%s\" is not an "
			    "object: not an image of a known call", key);
		keys = keys_text(item);
		if (*key == '\0') {
			char *envs = walk_envelopes_text();

			rc = read_reject(&ctx, "JSON body is not a response "
			    "of a known call: it has none of the keys %s "
			    "(its keys: %s)", envs, keys);
			free(envs);
		} else
			rc = read_reject(&ctx, "item under \"%s\" is not an "
			    "image of a known call (its keys: %s)", key, keys);
		free(keys);
		return rc;
	}
	if (in_list && w->page_reader == NULL)
		w->page_reader = best;
	return best->read_item(&ctx, item);
}

/*
 * What jansson refuses in valid JSON, or in JSON that a record could
 * only keep by cutting or choosing: a reason for the message, or NULL
 * for plain syntax errors (jansson's own text is clear then).
 */
static const char *
walk_json_why(const json_error_t *err)
{
	switch (json_error_code(err)) {
	case json_error_null_character:
		return "a string holds \\u0000 (a NUL character), which "
		    "would cut it short";
	case json_error_null_byte_in_key:
		return "a key holds \\u0000 (a NUL character), which would "
		    "cut it short";
	case json_error_duplicate_key:
		return "a key appears twice in one object, so which value "
		    "holds is ambiguous";
	case json_error_numeric_overflow:
		return "a number too big to read (integers up to 2^63-1, "
		    "fractions up to about 1.8e308; send bigger ones as "
		    "strings)";
	case json_error_stack_overflow:
		return "nested deeper than 2048 arrays or objects";
	default:
		return NULL;
	}
}

static enum rc
walk_parse_item(struct walk *w, const char *key, int in_list, size_t index)
{
	const struct jv *item;
	json_error_t err;
	enum rc rc;

	/* w->pos is the item's already */
	item = jv_parse(&w->doc, w->data, w->len, JSON_DECODE_ANY, &err);
	if (item == NULL) {
		struct read_ctx ctx;
		const char *why = walk_json_why(&err), *near;

		walk_ctx(w, &ctx, key, in_list, index);
		if (why == NULL)
			return read_reject(&ctx, "invalid JSON: %s (line %d, "
			    "column %d of the item)", err.text, err.line,
			    err.column);
		near = strstr(err.text, " near '");
		return read_reject(&ctx, "%s (%s%sline %d, column %d of the "
		    "item): the image is rejected", why, near != NULL ?
		    near + 6 : "", near != NULL ? ", " : "", err.line,
		    err.column);
	}
	rc = walk_item(w, key, in_list, index, item);
	if (rc == RC_FATAL)
		w->fatal = 1;
	return rc;
}

/* Reports a structural problem of the body at the current item. */
static enum rc
walk_broken(struct walk *w, enum jsonscan_rc src, const char *where)
{
	if (src == JSONSCAN_ERROR)
		return RC_SKIP;		/* reported by capture */
	diag_report(w->diag, DIAG_REJECT, w->resp->file, buf_cstr(&w->pos),
	    "%s %s; the rest of this response is not read",
	    src == JSONSCAN_EOF ? "truncated JSON: the body ends" :
	    "invalid JSON", where);
	return RC_SKIP;
}

static enum rc
walk_json(struct walk *w)
{
	struct jsonscan *s = jsonscan_new(walk_source, w->resp);
	json_t *rest = json_object();
	struct buf key = BUF_INIT, held = BUF_INIT;
	enum jsonscan_rc src;
	int c, toobig, found = 0, nulkey, others = 0;
	const struct reader_held *heldby = NULL;
	enum rc rc = RC_OK;

	walk_pos(w, NULL, 0, 0);

	jsonscan_ws(s);
	/* A UTF-8 byte order mark. */
	if (jsonscan_peek(s) == 0xef) {
		(void)jsonscan_getc(s);
		if (jsonscan_getc(s) != 0xbb || jsonscan_getc(s) != 0xbf) {
			rc = walk_broken(w, JSONSCAN_SYNTAX, "at the start");
			goto out;
		}
		jsonscan_ws(s);
	}
	c = jsonscan_peek(s);
	if (c < 0) {
		if (!jsonscan_error(s)) {
			char *hdrs = walk_headers_text();

			diag_report(w->diag, DIAG_REJECT, w->resp->file,
			    w->resp->pos, "response has no body%s: not a "
			    "response of a known call", hdrs);
			free(hdrs);
		}
		rc = RC_SKIP;
		goto out;
	}
	if (c != '{') {
		char head[24];
		size_t n = 0;

		while (n < sizeof head - 1 && (c = jsonscan_getc(s)) >= 0 &&
		    c != '\n' && c != '\r')
			head[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		head[n] = '\0';
		diag_report(w->diag, DIAG_REJECT, w->resp->file,
		    w->resp->pos, "body is not a JSON object (it starts with "
		    "\"%s\"): not a response of a known call", head);
		rc = RC_SKIP;
		goto out;
	}
	(void)jsonscan_getc(s);
	for (;;) {
		json_t *k;

		jsonscan_ws(s);
		c = jsonscan_peek(s);
		if (c == '}' && !found && json_object_size(rest) == 0)
			break;
		buf_reset(&key);
		if ((src = jsonscan_string(s, &key, READ_MAX_OTHER)) != JSONSCAN_OK) {
			rc = walk_broken(w, src, "where a key was expected");
			goto out;
		}
		walk_pos(w, NULL, 0, 0);
		k = json_loadb(key.data, key.len, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, NULL);
		if (!json_is_string(k)) {
			json_decref(k);
			rc = walk_broken(w, JSONSCAN_SYNTAX, "in a key");
			goto out;
		}
		nulkey = strlen(json_string_value(k)) != json_string_length(k);
		buf_reset(&key);
		buf_addstr(&key, json_string_value(k));
		json_decref(k);
		jsonscan_ws(s);
		if (jsonscan_getc(s) != ':') {
			rc = walk_broken(w, jsonscan_peek(s) < 0 ? JSONSCAN_EOF :
			    JSONSCAN_SYNTAX, "after a key");
			goto out;
		}
		jsonscan_ws(s);
		c = jsonscan_peek(s);
		if (nulkey) {
			/* Not an envelope, and not keepable: reported, its
			 * value skipped. */
			others++;
			diag_report(w->diag, DIAG_REJECT, w->resp->file,
			    buf_cstr(&w->pos), "a top-level key holds \\u0000 "
			    "(a NUL character): its value is not read");
			if ((src = jsonscan_value(s, NULL, 0, &toobig)) !=
			    JSONSCAN_OK) {
				rc = walk_broken(w, src, "inside this value");
				goto out;
			}
		} else if (envelope_known(key.data) && c == '[') {
			size_t index = 0;

			found = 1;
			w->listed = 1;
			(void)jsonscan_getc(s);
			jsonscan_ws(s);
			if (jsonscan_peek(s) == ']')
				(void)jsonscan_getc(s);
			else for (walk_pos(w, key.data, 1, 0);;) {
				walk_pos_index(w, index);
				buf_reset(&w->item);
				toobig = 0;
				src = jsonscan_value_ref(s, &w->item,
				    READ_MAX_ITEM, &toobig, &w->data, &w->len);
				if (src != JSONSCAN_OK) {
					rc = walk_broken(w, src,
					    "inside this item");
					goto out;
				}
				if (toobig)
					diag_report(w->diag, DIAG_REJECT,
					    w->resp->file, buf_cstr(&w->pos),
					    "item is larger than %zu MiB",
					    READ_MAX_ITEM >> 20);
				else
					(void)walk_parse_item(w, key.data, 1,
					    index);
				if (w->fatal) {
					rc = RC_FATAL;
					goto out;
				}
				index++;
				jsonscan_ws(s);
				c = jsonscan_getc(s);
				if (c == ']')
					break;
				if (c != ',') {
					walk_pos_index(w, index);
					rc = walk_broken(w, c < 0 ? JSONSCAN_EOF :
					    JSONSCAN_SYNTAX, "after an item");
					goto out;
				}
			}
		} else if (envelope_known(key.data) && c == '{') {
			/* a held item is copied, and read at the end of the
			 * body, when it is known whether others came */
			const struct reader_held *hold = heldby == NULL ?
			    walk_held(key.data) : NULL;

			walk_pos(w, key.data, 0, 0);
			buf_reset(&w->item);
			toobig = 0;
			src = hold ? jsonscan_value(s, &held, READ_MAX_ITEM,
			    &toobig) : jsonscan_value_ref(s, &w->item,
			    READ_MAX_ITEM, &toobig, &w->data, &w->len);
			if (src != JSONSCAN_OK) {
				rc = walk_broken(w, src, "inside this item");
				goto out;
			}
			if (toobig)
				diag_report(w->diag, DIAG_REJECT,
				    w->resp->file, buf_cstr(&w->pos),
				    "item is larger than %zu MiB",
				    READ_MAX_ITEM >> 20);
			if (hold) {
				if (toobig)
					buf_reset(&held);
				heldby = hold;
				json_object_set_new(rest, key.data,
				    json_null());
			} else {
				found = 1;
				if (!toobig)
					(void)walk_parse_item(w, key.data, 0,
					    0);
			}
			if (w->fatal) {
				rc = RC_FATAL;
				goto out;
			}
		} else {
			/* Another key: kept, in case the body has no
			 * envelope and is offered whole; a page key's
			 * value is kept for the page wherever it stands. */
			int pk = page_key_known(key.data);
			json_t *v;

			others++;
			walk_pos(w, key.data, 0, 0);
			buf_reset(&w->item);
			toobig = 0;
			src = jsonscan_value(s, found && !pk ? NULL : &w->item,
			    READ_MAX_OTHER, &toobig);
			if (src != JSONSCAN_OK) {
				rc = walk_broken(w, src, "inside this value");
				goto out;
			}
			if (pk && !toobig && (v = json_loadb(w->item.data,
			    w->item.len, JSON_DECODE_ANY, NULL)) != NULL) {
				if (w->paging == NULL)
					w->paging = json_object();
				json_object_set_new(w->paging, key.data, v);
			}
			if (!found && !toobig) {
				json_error_t err;
				const char *why;

				v = json_loadb(w->item.data, w->item.len,
				    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
				    &err);
				if (v != NULL)
					json_object_set_new(rest, key.data, v);
				else if ((why = walk_json_why(&err)) != NULL)
					/* Well-formed, but not held: this
					 * value alone is rejected. */
					diag_report(w->diag, DIAG_REJECT,
					    w->resp->file, buf_cstr(&w->pos),
					    "%s (line %d, column %d of the "
					    "value): this value is not read",
					    why, err.line, err.column);
				else {
					rc = walk_broken(w, JSONSCAN_SYNTAX,
					    "inside this value");
					goto out;
				}
			}
		}
		jsonscan_ws(s);
		c = jsonscan_getc(s);
		if (c == '}')
			break;
		if (c != ',') {
			walk_pos(w, NULL, 0, 0);
			rc = walk_broken(w, c < 0 ? JSONSCAN_EOF : JSONSCAN_SYNTAX,
			    "between top-level keys");
			goto out;
		}
	}
	jsonscan_ws(s);
	if (jsonscan_peek(s) >= 0) {
		walk_pos(w, NULL, 0, 0);
		diag_report(w->diag, DIAG_WARN, w->resp->file,
		    buf_cstr(&w->pos), "data after the end of the JSON body "
		    "ignored");
	}
	if (heldby != NULL && !found && others > 0) {
		char *keys = keys_text(jv_from_json(&w->doc, rest));

		walk_pos(w, NULL, 0, 0);
		diag_report(w->diag, DIAG_REJECT, w->resp->file,
		    buf_cstr(&w->pos), "JSON body is not a response of a known "
		    "call: it has \"%s\" beside other keys (its keys: %s), "
		    "where %s has \"%s\" alone%s%s%s", heldby->key, keys,
		    heldby->what, heldby->key, heldby->hint != NULL ? " (" : "",
		    heldby->hint != NULL ? heldby->hint : "",
		    heldby->hint != NULL ? ")" : "");
		free(keys);
		rc = RC_SKIP;
	} else if (heldby != NULL) {
		if (held.len > 0) {
			walk_pos(w, heldby->key, 0, 0);
			w->data = held.data;
			w->len = held.len;
			(void)walk_parse_item(w, heldby->key, 0, 0);
			if (w->fatal)
				rc = RC_FATAL;
		}
	} else if (!found) {
		walk_pos(w, NULL, 0, 0);
		rc = walk_item(w, "", 0, 0, jv_from_json(&w->doc, rest));
	}
	if (w->listed && rc != RC_FATAL)
		walk_page(w);
out:
	json_decref(rest);
	buf_free(&held);
	buf_free(&key);
	jsonscan_free(s);
	return rc;
}

const char *
read_status(const char *sent)
{
	for (size_t i = 0; readers[i] != NULL; i++) {
		const struct reader_status *m = readers[i]->statuses;

		for (; m != NULL && m->sent != NULL; m++)
			if (strcmp(sent, m->sent) == 0)
				return m->status;
	}
	return sent;
}

const struct reader_ops *
read_file_bid(struct stream *s)
{
	const struct reader_ops *best = NULL;
	int bid, best_bid = 0;

	for (size_t i = 0; readers[i] != NULL; i++) {
		if (readers[i]->bid_file == NULL)
			continue;
		bid = readers[i]->bid_file(s);
		if (bid > best_bid) {
			best_bid = bid;
			best = readers[i];
		}
	}
	return best;
}

enum rc
read_response(struct response *resp, struct diag *d,
    enum rc (*emit)(void *, struct record *), void *emit_arg)
{
	const struct reader_ops *best = NULL;
	const struct header *h;
	struct walk w = { 0 };
	int bid, best_bid = 0;
	const char *why;
	enum rc rc;

	w.resp = resp;
	w.diag = d;
	w.emit = emit;
	w.emit_arg = emit_arg;
	if ((h = response_header(resp, "Date")) != NULL &&
	    norm_http_date(h->value, &w.date, &why) != 0)
		diag_report(d, DIAG_WARN, resp->file, resp->pos,
		    "Date header \"%s\" %s; the response is ordered as "
		    "undated", h->value, why);
	if (!utf8_valid(resp->file, strlen(resp->file)))
		diag_report(d, DIAG_WARN, resp->file, resp->pos, "the file "
		    "name is not valid UTF-8: the record's source reads it as "
		    "ISO-8859-1");
	if (resp->url != NULL && !utf8_valid(resp->url, strlen(resp->url)))
		diag_report(d, DIAG_WARN, resp->file, resp->pos, "the request "
		    "URL is not valid UTF-8: the record's source reads it as "
		    "ISO-8859-1");

	if (resp->reader != NULL) {
		struct read_ctx ctx;

		/* A whole file: its reader sets the positions. */
		walk_pos(&w, NULL, 0, 0);
		walk_ctx(&w, &ctx, "", 0, 0);
		rc = resp->reader->read_file(&ctx);
		walk_free(&w);
		return rc == RC_FATAL ? RC_FATAL : RC_OK;
	}
	for (size_t i = 0; readers[i] != NULL; i++) {
		if (readers[i]->bid_headers == NULL)
			continue;
		bid = readers[i]->bid_headers(resp);
		if (bid > best_bid) {
			best_bid = bid;
			best = readers[i];
		}
	}
	if (best != NULL) {
		struct read_ctx ctx;

		walk_pos(&w, NULL, 0, 0);
		walk_ctx(&w, &ctx, "", 0, 0);
		rc = best->read_headers(&ctx);
	} else
		rc = walk_json(&w);
	walk_free(&w);
	return rc == RC_FATAL ? RC_FATAL : RC_OK;
}

struct source *
read_source_init(struct read_ctx *ctx, struct record *rec)
{
	struct source *src = record_add_source(rec);

	record_source_set(rec, src, S_FILE, ctx->file);
	record_source_set(rec, src, S_AT, ctx->pos);
	record_source_set(rec, src, S_DATE, ctx->date);
	record_source_set(rec, src, S_URL, ctx->resp->url);
	record_source_set(rec, src, S_SHA256, ctx->resp->sha256);
	return src;
}

/* The limits of one observation (reader.h): NULL, or why it is past
 * them, in buf. */
static const char *
read_limits(const struct record *rec, char *buf, size_t size)
{
	size_t n;

	if (rec->nprops > READ_MAX_PROPS) {
		snprintf(buf, size, "it has %zu properties, more than the %d "
		    "one image may hold", rec->nprops, READ_MAX_PROPS);
		return buf;
	}
	for (int f = 0; f < F__COUNT; f++)
		if (rec->f[f] != NULL &&
		    (n = strlen(rec->f[f])) > READ_MAX_STRING) {
			snprintf(buf, size, "its %s is %zu bytes long, more "
			    "than the %zu MiB a value may hold",
			    field_info[f].name, n, READ_MAX_STRING >> 20);
			return buf;
		}
	for (size_t i = 0; i < rec->nprops; i++) {
		const struct prop *p = &rec->props[i];

		if ((n = strlen(p->key)) > READ_MAX_STRING ||
		    (p->value != NULL &&
		    (n = strlen(p->value)) > READ_MAX_STRING)) {
			snprintf(buf, size, "a property %s is %zu bytes long, "
			    "more than the %zu MiB a value may hold",
			    strlen(p->key) > READ_MAX_STRING ? "key" : "value",
			    n, READ_MAX_STRING >> 20);
			return buf;
		}
	}
	return NULL;
}

enum rc
read_emit(struct read_ctx *ctx, struct record *rec)
{
	const char *why;
	char buf[160];
	enum rc rc;

	if ((why = read_limits(rec, buf, sizeof buf)) != NULL) {
		record_clear(rec);
		return read_reject(ctx, "%s: the image is rejected", why);
	}
	ctx->diag->n.observations++;
	rc = ctx->emit(ctx->emit_arg, rec);
	record_clear(rec);
	return rc;
}

enum rc
read_reject(struct read_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(ctx->diag, DIAG_REJECT, ctx->file, ctx->pos, fmt, ap);
	va_end(ap);
	return RC_SKIP;
}

void
read_warn(struct read_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(ctx->diag, DIAG_WARN, ctx->file, ctx->pos, fmt, ap);
	va_end(ap);
}
