/*
 * jsonscan.h: a streaming JSON scanner. It reads a byte source through a
 * callback and cuts JSON values out of it as bytes, checking only the
 * structure (strings, brackets), never parsing: the caller hands what it
 * cut to jansson. A document of any size is read through a fixed buffer;
 * only the values the caller asks to copy are held.
 *
 * The source callback returns the number of bytes read, 0 at the end,
 * -1 on a read error (which the source reports itself; the scanner only
 * remembers it, see jsonscan_error).
 *
 * Ownership: jsonscan_free(NULL) does nothing. The scanner reads ahead of
 * what it has consumed, so the source is not positioned at the scanner's
 * offset.
 */
#ifndef IMGMETA_JSONSCAN_H
#define IMGMETA_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

typedef ssize_t (*jsonscan_read_fn)(void *arg, void *buf, size_t n);

enum jsonscan_rc {
	JSONSCAN_OK,
	JSONSCAN_EOF,		/* the data ended inside the value */
	JSONSCAN_SYNTAX,	/* not JSON where a value was expected */
	JSONSCAN_ERROR		/* the source failed */
};

struct jsonscan;

struct jsonscan *jsonscan_new(jsonscan_read_fn, void *arg);
void	 jsonscan_free(struct jsonscan *);

/* The next byte (0..255) without consuming it, or -1 at the end of the
 * data or on a read error. */
int	 jsonscan_peek(struct jsonscan *);
/* The next byte, consumed; -1 as jsonscan_peek. */
int	 jsonscan_getc(struct jsonscan *);
/* Consumes JSON whitespace. */
void	 jsonscan_ws(struct jsonscan *);
/* Was there a read error? */
int	 jsonscan_error(const struct jsonscan *);
/* Bytes consumed since jsonscan_new. */
uint64_t jsonscan_offset(const struct jsonscan *);

/*
 * Copies a JSON string (next byte: the opening quote) into out, quotes
 * and escapes as written; out may be NULL to skip it. Stops copying once
 * out holds limit bytes or more, but reads the string to its end.
 */
enum jsonscan_rc jsonscan_string(struct jsonscan *, struct buf *out,
	    size_t limit);
/*
 * Copies one JSON value (after whitespace) into out, as written (NULL:
 * skip it). Only strings and bracket nesting are checked. *toobig is set
 * when out reached limit bytes (it then holds a prefix of the value).
 */
enum jsonscan_rc jsonscan_value(struct jsonscan *, struct buf *out,
	    size_t limit, int *toobig);
/*
 * jsonscan_value without the copy where it can: an array or object that
 * fits in the scanner's buffer is left there, and *data and *len point
 * at it (valid until the scanner is next used); anything else is copied
 * into out as jsonscan_value does (out must not be NULL), and *data
 * points at what was added to out. *data is NULL when the result is not
 * JSONSCAN_OK (out then holds what was read of the value).
 */
enum jsonscan_rc jsonscan_value_ref(struct jsonscan *, struct buf *out,
	    size_t limit, int *toobig, const char **data, size_t *len);

#endif
