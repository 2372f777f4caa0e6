/*
 * read.c: the "read" stage. Decides which reader gets a response and, for
 * JSON bodies, streams the body item by item: the top-level object is
 * scanned here (strings, nesting and separators only), and each item under
 * an envelope key is cut out as bytes and parsed alone with jansson, so a
 * page of a million images costs one image of memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define SCAN_BUFSZ	65536

/* A byte scanner over a response body. */
struct scan {
	struct response	*resp;
	char		 buf[SCAN_BUFSZ];
	size_t		 start;
	size_t		 end;
	int		 eof;
	int		 error;		/* read error (reported by capture) */
};

/* What read_response knows while it walks one response. */
struct walk {
	struct response	*resp;
	struct diag	*diag;
	char		*date;		/* Date header as RFC 3339, or NULL */
	enum rc		(*emit)(void *, struct record *);
	void		*emit_arg;
	struct buf	 item;		/* bytes of the current item */
	struct buf	 pos;		/* position text of the current item */
	int		 fatal;
};

enum scan_rc {
	SCAN_OK,
	SCAN_EOF,	/* the body ended inside the value */
	SCAN_SYNTAX,	/* not JSON where a value was expected */
	SCAN_ERROR	/* read error */
};

static int	scan_peek(struct scan *);
static int	scan_getc(struct scan *);
static void	scan_ws(struct scan *);
static enum scan_rc scan_string(struct scan *, struct buf *, size_t);
static enum scan_rc scan_value(struct scan *, struct buf *, size_t, int *);
static int	envelope_known(const char *);
static void	walk_pos(struct walk *, const char *, int, size_t);
static enum rc	walk_item(struct walk *, const char *, int, size_t,
		    json_t *);
static enum rc	walk_parse_item(struct walk *, const char *, int, size_t);
static enum rc	walk_json(struct walk *);
static void	walk_ctx(struct walk *, struct read_ctx *, const char *, int,
		    size_t);
static char	*keys_text(json_t *);

static int
scan_peek(struct scan *s)
{
	if (s->start == s->end) {
		ssize_t n;

		if (s->eof)
			return -1;
		n = response_body_read(s->resp, s->buf, sizeof s->buf);
		if (n <= 0) {
			s->eof = 1;
			if (n < 0)
				s->error = 1;
			return -1;
		}
		s->start = 0;
		s->end = (size_t)n;
	}
	return (unsigned char)s->buf[s->start];
}

static int
scan_getc(struct scan *s)
{
	int c = scan_peek(s);

	if (c >= 0)
		s->start++;
	return c;
}

static void
scan_ws(struct scan *s)
{
	for (;;) {
		int c = scan_peek(s);

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		s->start++;
	}
}

/*
 * Copies a JSON string (the opening quote not yet read) into out, quotes
 * included; out may be NULL to skip. Stops copying past limit bytes.
 */
static enum scan_rc
scan_string(struct scan *s, struct buf *out, size_t limit)
{
	int c = scan_getc(s);

	if (c != '"')
		return SCAN_SYNTAX;
	if (out != NULL && out->len < limit)
		buf_addc(out, '"');
	for (;;) {
		/* Copy the run of plain bytes up to a quote or backslash. */
		size_t i;

		if (scan_peek(s) < 0)
			return s->error ? SCAN_ERROR : SCAN_EOF;
		for (i = s->start; i < s->end; i++)
			if (s->buf[i] == '"' || s->buf[i] == '\\')
				break;
		if (out != NULL && out->len < limit)
			buf_add(out, s->buf + s->start, i - s->start);
		s->start = i;
		if (i == s->end)
			continue;
		c = scan_getc(s);
		if (out != NULL && out->len < limit)
			buf_addc(out, (char)c);
		if (c == '"')
			return SCAN_OK;
		/* backslash: copy the escaped byte as is */
		c = scan_getc(s);
		if (c < 0)
			return s->error ? SCAN_ERROR : SCAN_EOF;
		if (out != NULL && out->len < limit)
			buf_addc(out, (char)c);
	}
}

/*
 * Copies one JSON value into out (NULL: skip it). Only the structure is
 * checked here (strings, brackets); jansson checks the rest. *toobig is
 * set when the value is longer than limit (out then holds a prefix).
 */
static enum scan_rc
scan_value(struct scan *s, struct buf *out, size_t limit, int *toobig)
{
	char stack[64];
	size_t depth = 0, deep = 0;
	enum scan_rc rc;
	int c;

	scan_ws(s);
	c = scan_peek(s);
	if (c < 0)
		return s->error ? SCAN_ERROR : SCAN_EOF;
	if (c == '"') {
		rc = scan_string(s, out, limit);
		goto done;
	}
	if (c != '{' && c != '[') {
		/* A scalar: up to a separator. */
		size_t n = 0;

		while ((c = scan_peek(s)) >= 0 && c != ',' && c != '}' &&
		    c != ']' && c != ' ' && c != '\t' && c != '\n' &&
		    c != '\r') {
			if (out != NULL && out->len < limit)
				buf_addc(out, (char)c);
			s->start++;
			n++;
		}
		rc = n == 0 ? SCAN_SYNTAX : SCAN_OK;
		goto done;
	}
	for (;;) {
		size_t i;

		c = scan_peek(s);
		if (c < 0) {
			rc = s->error ? SCAN_ERROR : SCAN_EOF;
			goto done;
		}
		if (c == '"') {
			if ((rc = scan_string(s, out, limit)) != SCAN_OK)
				goto done;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth < sizeof stack)
				stack[depth] = c == '{' ? '}' : ']';
			else
				deep++;
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0) {
				rc = SCAN_SYNTAX;
				goto done;
			}
			if (depth <= sizeof stack && stack[depth - 1] != c) {
				rc = SCAN_SYNTAX;
				goto done;
			}
			depth--;
			if (out != NULL && out->len < limit)
				buf_addc(out, (char)c);
			s->start++;
			if (depth == 0) {
				rc = SCAN_OK;
				goto done;
			}
			continue;
		}
		/* A run of bytes without quotes or brackets. */
		for (i = s->start + 1; i < s->end; i++) {
			char b = s->buf[i];

			if (b == '"' || b == '{' || b == '[' || b == '}' ||
			    b == ']')
				break;
		}
		if (out != NULL && out->len < limit)
			buf_add(out, s->buf + s->start, i - s->start);
		s->start = i;
	}
done:
	(void)deep;
	if (out != NULL && out->len >= limit)
		*toobig = 1;
	return rc;
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

/* Position of an item: "OFFSET#/key/index", JSON Pointer escaped. */
static void
walk_pos(struct walk *w, const char *key, int in_list, size_t index)
{
	buf_reset(&w->pos);
	buf_addstr(&w->pos, w->resp->pos);
	if (key == NULL || *key == '\0')
		return;
	buf_addstr(&w->pos, "#/");
	for (const char *p = key; *p != '\0'; p++) {
		if (*p == '~')
			buf_addstr(&w->pos, "~0");
		else if (*p == '/')
			buf_addstr(&w->pos, "~1");
		else
			buf_addc(&w->pos, *p);
	}
	if (in_list)
		buf_printf(&w->pos, "/%zu", index);
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
		.emit = w->emit,
		.emit_arg = w->emit_arg,
	};
}

/* A list of an object's keys for messages: "a", "b", ... (at most 8). */
static char *
keys_text(json_t *obj)
{
	struct buf b = BUF_INIT;
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach(obj, k, v) {
		if (n == 8) {
			buf_addstr(&b, ", ...");
			break;
		}
		buf_printf(&b, "%s\"%s\"", n ? ", " : "", k);
		n++;
	}
	(void)v;
	if (n == 0)
		buf_addstr(&b, "none");
	return buf_detach(&b);
}

/* Offers one parsed item to the readers of its envelope. */
static enum rc
walk_item(struct walk *w, const char *key, int in_list, size_t index,
    json_t *item)
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

		if (!json_is_object(item))
			return read_reject(&ctx, "item under \"%s\" is not an "
			    "object: not an image of a known call", key);
		keys = keys_text(item);
		if (*key == '\0')
			rc = read_reject(&ctx, "JSON body is not a response "
			    "of a known call: it has none of the keys "
			    "\"images\", \"image\", \"metadata\", \"meta\" "
			    "(its keys: %s)", keys);
		else
			rc = read_reject(&ctx, "item under \"%s\" is not an "
			    "image of a known call (its keys: %s)", key, keys);
		free(keys);
		return rc;
	}
	return best->read_item(&ctx, item);
}

static enum rc
walk_parse_item(struct walk *w, const char *key, int in_list, size_t index)
{
	json_error_t err;
	json_t *item;
	enum rc rc;

	walk_pos(w, key, in_list, index);
	item = json_loadb(w->item.data, w->item.len, JSON_DECODE_ANY, &err);
	if (item == NULL) {
		struct read_ctx ctx;

		walk_ctx(w, &ctx, key, in_list, index);
		return read_reject(&ctx, "invalid JSON: %s (line %d, column "
		    "%d of the item)", err.text, err.line, err.column);
	}
	rc = walk_item(w, key, in_list, index, item);
	json_decref(item);
	if (rc == RC_FATAL)
		w->fatal = 1;
	return rc;
}

/* Reports a structural problem of the body at the current item. */
static enum rc
walk_broken(struct walk *w, enum scan_rc src, const char *where)
{
	if (src == SCAN_ERROR)
		return RC_SKIP;		/* reported by capture */
	diag_report(w->diag, DIAG_REJECT, w->resp->file, buf_cstr(&w->pos),
	    "%s %s; the rest of this response is not read",
	    src == SCAN_EOF ? "truncated JSON: the body ends" :
	    "invalid JSON", where);
	return RC_SKIP;
}

static enum rc
walk_json(struct walk *w)
{
	struct scan *s = xmalloc(sizeof *s);
	json_t *rest = json_object();
	struct buf key = BUF_INIT;
	enum scan_rc src;
	int c, toobig, found = 0;
	enum rc rc = RC_OK;

	s->resp = w->resp;
	s->start = s->end = 0;
	s->eof = s->error = 0;
	walk_pos(w, NULL, 0, 0);

	scan_ws(s);
	/* A UTF-8 byte order mark. */
	if (scan_peek(s) == 0xef) {
		s->start++;
		if (scan_getc(s) != 0xbb || scan_getc(s) != 0xbf) {
			rc = walk_broken(w, SCAN_SYNTAX, "at the start");
			goto out;
		}
		scan_ws(s);
	}
	c = scan_peek(s);
	if (c < 0) {
		if (!s->error)
			diag_report(w->diag, DIAG_REJECT, w->resp->file,
			    w->resp->pos, "response has no body and no "
			    "X-Image-Meta headers: not a response of a known "
			    "call");
		rc = RC_SKIP;
		goto out;
	}
	if (c != '{') {
		char head[24];
		size_t n = 0;

		while (n < sizeof head - 1 && (c = scan_getc(s)) >= 0 &&
		    c != '\n' && c != '\r')
			head[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		head[n] = '\0';
		diag_report(w->diag, DIAG_REJECT, w->resp->file,
		    w->resp->pos, "body is not a JSON object (it starts with "
		    "\"%s\"): not a response of a known call", head);
		rc = RC_SKIP;
		goto out;
	}
	s->start++;
	for (;;) {
		json_t *k;

		scan_ws(s);
		c = scan_peek(s);
		if (c == '}' && !found && json_object_size(rest) == 0)
			break;
		buf_reset(&key);
		if ((src = scan_string(s, &key, READ_MAX_OTHER)) != SCAN_OK) {
			rc = walk_broken(w, src, "where a key was expected");
			goto out;
		}
		k = json_loadb(key.data, key.len, JSON_DECODE_ANY, NULL);
		if (!json_is_string(k)) {
			json_decref(k);
			rc = walk_broken(w, SCAN_SYNTAX, "in a key");
			goto out;
		}
		buf_reset(&key);
		buf_addstr(&key, json_string_value(k));
		json_decref(k);
		scan_ws(s);
		if (scan_getc(s) != ':') {
			rc = walk_broken(w, scan_peek(s) < 0 ? SCAN_EOF :
			    SCAN_SYNTAX, "after a key");
			goto out;
		}
		scan_ws(s);
		c = scan_peek(s);
		if (envelope_known(key.data) && c == '[') {
			size_t index = 0;

			found = 1;
			s->start++;
			scan_ws(s);
			if (scan_peek(s) == ']')
				s->start++;
			else for (;;) {
				walk_pos(w, key.data, 1, index);
				buf_reset(&w->item);
				toobig = 0;
				src = scan_value(s, &w->item, READ_MAX_ITEM,
				    &toobig);
				if (src != SCAN_OK) {
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
				scan_ws(s);
				c = scan_getc(s);
				if (c == ']')
					break;
				if (c != ',') {
					walk_pos(w, key.data, 1, index);
					rc = walk_broken(w, c < 0 ? SCAN_EOF :
					    SCAN_SYNTAX, "after an item");
					goto out;
				}
			}
		} else if (envelope_known(key.data) && c == '{') {
			found = 1;
			walk_pos(w, key.data, 0, 0);
			buf_reset(&w->item);
			toobig = 0;
			src = scan_value(s, &w->item, READ_MAX_ITEM, &toobig);
			if (src != SCAN_OK) {
				rc = walk_broken(w, src, "inside this item");
				goto out;
			}
			if (toobig)
				diag_report(w->diag, DIAG_REJECT,
				    w->resp->file, buf_cstr(&w->pos),
				    "item is larger than %zu MiB",
				    READ_MAX_ITEM >> 20);
			else
				(void)walk_parse_item(w, key.data, 0, 0);
			if (w->fatal) {
				rc = RC_FATAL;
				goto out;
			}
		} else {
			/* Another key: kept, in case the body has no
			 * envelope and is offered whole. */
			json_t *v;

			walk_pos(w, key.data, 0, 0);
			buf_reset(&w->item);
			toobig = 0;
			src = scan_value(s, found ? NULL : &w->item,
			    READ_MAX_OTHER, &toobig);
			if (src != SCAN_OK) {
				rc = walk_broken(w, src, "inside this value");
				goto out;
			}
			if (!found && !toobig) {
				v = json_loadb(w->item.data, w->item.len,
				    JSON_DECODE_ANY, NULL);
				if (v == NULL) {
					rc = walk_broken(w, SCAN_SYNTAX,
					    "inside this value");
					goto out;
				}
				json_object_set_new(rest, key.data, v);
			}
		}
		scan_ws(s);
		c = scan_getc(s);
		if (c == '}')
			break;
		if (c != ',') {
			walk_pos(w, NULL, 0, 0);
			rc = walk_broken(w, c < 0 ? SCAN_EOF : SCAN_SYNTAX,
			    "between top-level keys");
			goto out;
		}
	}
	scan_ws(s);
	if (scan_peek(s) >= 0) {
		walk_pos(w, NULL, 0, 0);
		diag_report(w->diag, DIAG_WARN, w->resp->file,
		    buf_cstr(&w->pos), "data after the end of the JSON body "
		    "ignored");
	}
	if (!found) {
		walk_pos(w, NULL, 0, 0);
		rc = walk_item(w, "", 0, 0, rest);
	}
out:
	json_decref(rest);
	buf_free(&key);
	free(s);
	return rc;
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
	free(w.date);
	buf_free(&w.item);
	buf_free(&w.pos);
	return rc == RC_FATAL ? RC_FATAL : RC_OK;
}

struct source *
read_source_init(struct read_ctx *ctx, struct record *rec)
{
	struct source *src = record_add_source(rec);

	source_set(src, S_FILE, ctx->file);
	source_set(src, S_AT, ctx->pos);
	source_set(src, S_DATE, ctx->date);
	source_set(src, S_URL, ctx->resp->url);
	return src;
}

enum rc
read_emit(struct read_ctx *ctx, struct record *rec)
{
	enum rc rc;

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
