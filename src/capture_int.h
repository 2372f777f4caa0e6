/*
 * capture_int.h: what the capture files share; the rest of the program
 * uses capture.h.
 *
 * The files form layers, each using only those below it:
 *
 *	capture.c	a file -> responses: which framing applies
 *	capture_http.c	HTTP framing (curl's outputs, header dumps)
 *	capture_har.c	HAR archives
 *	capture_io.c	the capture's lines and bodies, read through the
 *			stream, and each response handed to the callback
 *	response.c	the response type
 */
#ifndef IMGMETA_CAPTURE_INT_H
#define IMGMETA_CAPTURE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture.h"
#include "util.h"

#define CAPTURE_LOOKAHEAD	(16 * 1024)	/* to classify a line */
/* Limits (README "Limits"): far above anything real (a 4 MiB value and
 * READ_MAX_PROPS property headers fit), low enough that a hostile file
 * cannot exhaust memory. More in capture_http.c and capture_har.c. */
#define CAPTURE_MAXLINE		(8 * 1024 * 1024) /* one header line */
#define CAPTURE_MAXHEADERS	200000		/* header lines */

/* A line made visible by stream_peek, not consumed; valid until the next
 * stream call. */
struct view {
	const char	*p;
	size_t		 len;		/* without CR LF */
	size_t		 size;		/* with the LF, if complete */
	int		 complete;	/* the whole line is visible */
};

struct capture {
	struct stream	*s;
	const char	*file;
	struct diag	*d;
	capture_cb	 cb;
	void		*arg;
	struct buf	 line;		/* the last line read, no CR LF */
	char		*method;	/* of the next response */
	char		*url;
	int		 seen;		/* something recognised */
	int		 failed;	/* stream error reported */
	int		 junk;		/* within ignored lines */
	enum rc		 rc;
};

/* A body read from the stream by capture_io_body_read: up to the end of
 * the file, or, with linestart (HTTP), up to a line that linestart, called
 * at each line start, says ends it (returning 1; 0 to read the line, -1
 * on a stream error). */
struct capture_body {
	struct capture	*c;
	int		(*linestart)(struct capture_body *);
	int		 bol;		/* at the beginning of a line */
	int		 done;
	int		 error;
};

/* capture_io.c */
int	 capture_io_peekline(struct capture *, struct view *);
int	 capture_io_getline(struct capture *, int);
void	 capture_io_failed(struct capture *);
void	 capture_io_dispatch(struct capture *, struct response *,
	    const char *);
ssize_t	 capture_io_body_read(void *, void *, size_t);

/* capture_http.c */
void	 capture_http_read(struct capture *);

/* capture_har.c */
int	 capture_har_is(struct capture *);
void	 capture_har_read(struct capture *);

#endif
