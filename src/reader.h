/*
 * reader.h: how a representation of an image plugs into the engine.
 *
 * The engine (src/read.c) hands each response to the readers in the
 * readers[] table (formats/readers.c):
 *
 *  - If the response carries headers a reader recognises (bid_headers > 0),
 *    the highest bidder reads it from its headers.
 *  - Otherwise the body must be a JSON object. The engine streams it: for
 *    every top-level key that some reader lists in .envelopes, the value is
 *    split into items (each element of an array, or the value itself when
 *    it is an object) and each item is parsed alone, so a page of a million
 *    images is never held whole. For each item, the readers that list that
 *    envelope bid (bid_item); the highest bidder reads it. When the body
 *    has no envelope key at all, the whole object is offered once with
 *    envelope "". An envelope a reader lists in .held is a whole
 *    response's: its item is read at the end of the body, and only when
 *    the body holds nothing else.
 *
 * Before a file is split into responses, the readers that read whole
 * files (bid_file; imgmeta's own outputs) look at its first bytes; the
 * highest bidder gets the whole file as one response (capture's
 * resp->reader) and reads it itself with read_file: through
 * response_body_read, or by opening resp->file when it needs a path.
 *
 * A list body (an envelope holding an array) is also a page of a paged
 * list. The values of the top-level keys that some reader lists in
 * .page_keys (its API's paging keys) are gathered into one object,
 * wherever they stand in the body. At the end of the body the page is
 * offered to read_page: the reader of its first item, else (an empty
 * page) each reader in turn. A reader that knows the call's paging says
 * which API and listing the page and its next link belong to and which
 * markers they carry; the engine adds the file, position, request URL
 * and the first and last item's id and created_at, and reports the page
 * through diag_page (src/pages.h says what is decided from it).
 *
 * A reader turns what it reads into observations: it fills a struct record
 * (one source; see record_add_source) and hands it to read_emit(). Problems
 * are reported through ctx->diag with ctx->file and ctx->pos; a reader
 * returns RC_OK, RC_SKIP (this item rejected, reported) or RC_FATAL.
 */
#ifndef IMGMETA_READER_H
#define IMGMETA_READER_H

#include "diag.h"
#include "jv.h"
#include "pages.h"
#include "record.h"
#include "response.h"
#include "stream.h"

struct read_ctx {
	struct response	*resp;
	struct diag	*diag;
	const char	*file;		/* resp->file */
	const char	*pos;		/* "OFFSET#/images/3": for messages and
					   the source's "at" */
	const char	*envelope;	/* "images", "image", ..., or "" */
	int		 in_list;	/* item is an element of an array */
	size_t		 index;		/* its index in that array */
	const char	*date;		/* the Date header as RFC 3339, or NULL */
	/* set by the engine: where observations go */
	enum rc		(*emit)(void *arg, struct record *obs);
	void		*emit_arg;
};

/*
 * An envelope whose object is the whole response ({"metadata": {...}}):
 * the engine reads its item at the end of the body, and only when no
 * other key came, since an item of another call may hold the same key.
 * what and hint word the reject of a body that has the key beside others:
 * "... where WHAT has "KEY" alone (HINT)"; hint may be NULL.
 */
struct reader_held {
	const char	*key;
	const char	*what;		/* "a metadata response" */
	const char	*hint;		/* what the body may be instead */
};

/* A status as an API sends it and the Glance status it stands for. */
struct reader_status {
	const char	*sent;
	const char	*status;
};

struct reader_ops {
	const char		*name;		/* "glance_v1" */
	const char		*describes;	/* what it reads, for --help */
	const char *const	*envelopes;	/* NULL-terminated, or NULL */
	/* Envelopes (also in .envelopes) held to the end of the body;
	 * ending with a NULL key, or NULL. */
	const struct reader_held *held;
	/* The API's own statuses, ending with a NULL sent; NULL when it
	 * sends Glance's. The reader maps them (os_status_json); the
	 * filters accept them too (read_status). */
	const struct reader_status *statuses;
	/* Headers-only representations; both NULL when not used. headers
	 * names what bid_headers looks for, for the reject of a response
	 * with no body and none of them: "X-Image-Meta headers". */
	const char	*headers;
	int	(*bid_headers)(const struct response *);
	enum rc	(*read_headers)(struct read_ctx *);
	/* JSON items, as views (jv.h); both NULL when not used. */
	int	(*bid_item)(const struct read_ctx *, const struct jv *item);
	enum rc	(*read_item)(struct read_ctx *, const struct jv *item);
	/*
	 * Whole files in a format of their own; both NULL when not used.
	 * bid_file may stream_peek as far as it needs (bounded) but must
	 * not consume; it runs on every input, so it decides from the first
	 * bytes whenever it can. read_file sets ctx->pos itself for each
	 * position it reports or emits from ("line 3").
	 */
	int	(*bid_file)(struct stream *);
	enum rc	(*read_file)(struct read_ctx *);
	/*
	 * Paged lists; both NULL when not used. read_page gets the
	 * gathered paging values (an object, maybe empty), whether it read
	 * the page's first item (mine), and returns 1 when the page is one
	 * of its API's lists, having set p->v[PG_API]
	 * to p->v[PG_NEXT_MARKER] (each allocated; the engine frees them;
	 * PG_NEXT NULL when the page has no next link) and newest_first;
	 * else 0, setting nothing.
	 */
	const char *const	*page_keys;
	int	(*read_page)(struct read_ctx *, const struct jv *paging,
		    int mine, struct page *p);
};

/* formats/readers.c: NULL-terminated. */
extern const struct reader_ops *const readers[];

/*
 * The engine: reads one response (from capture_read's callback), handing
 * each observation to emit (which takes the record's contents). Returns
 * RC_FATAL only when emit did; rejects are reported and counted.
 */
enum rc	read_response(struct response *, struct diag *,
	    enum rc (*emit)(void *, struct record *), void *emit_arg);

/* A status as some reader's API sends it, as the Glance status it stands
 * for; any other text as it is. */
const char *read_status(const char *sent);

/* The reader that bids highest on a whole file (bid_file), or NULL:
 * capture_read asks before it splits a file into responses. */
const struct reader_ops *read_file_bid(struct stream *);

/* Limits on what one item may hold, so a hostile file cannot exhaust
 * memory; far above anything real (README "Limits"). read_emit rejects
 * an observation past READ_MAX_STRING or READ_MAX_PROPS. */
#define READ_MAX_ITEM	((size_t)256 << 20)	/* bytes of one JSON item */
#define READ_MAX_OTHER	((size_t)16 << 20)	/* a non-envelope value */
#define READ_MAX_STRING	((size_t)4 << 20)	/* bytes of one field value,
						   property key or value */
#define READ_MAX_PROPS	100000			/* properties of one image */

/*
 * Helpers for readers.
 * read_source_init adds the record's source entry, filled with what the
 * engine knows: file, at (ctx->pos), date, url. The reader fills api, call,
 * status, request_id, project_id.
 * read_emit hands the observation over (the record is left empty), or
 * rejects it when it is past READ_MAX_STRING or READ_MAX_PROPS.
 */
struct source *read_source_init(struct read_ctx *, struct record *);
enum rc	read_emit(struct read_ctx *, struct record *);
/* Reports "FILE:POS: MSG" as a reject and returns RC_SKIP. */
enum rc	read_reject(struct read_ctx *, const char *fmt, ...) PRINTFLIKE(2, 3);
void	read_warn(struct read_ctx *, const char *fmt, ...) PRINTFLIKE(2, 3);

#endif
