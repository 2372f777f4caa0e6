/*
 * writer.h: how an output format plugs into the engine. One file in
 * formats/ per format, listed in the writers[] table (formats/writers.c).
 *
 * The engine calls open once, write for each record in id order, then
 * finish; free is always called, even after a failure. A failed writer
 * leaves no output file behind (see output.h for the temporary-file and
 * rename helper). Functions return RC_OK or RC_FATAL (reported).
 */
#ifndef IMGMETA_WRITER_H
#define IMGMETA_WRITER_H

#include "diag.h"
#include "record.h"

struct writer;

struct writer_ops {
	const char		*name;		/* "json" */
	const char *const	*suffixes;	/* path endings that select it */
	int			 to_stdout;	/* may write to "-" */
	enum rc	(*open)(struct writer *, const char *path);
	enum rc	(*write)(struct writer *, const struct record *);
	enum rc	(*finish)(struct writer *);	/* flush, commit, rename */
	void	(*free)(struct writer *);
};

struct writer_opts {
	int	gzip;		/* -z: compress (json) */
	int	csv_raw;	/* --csv-raw */
};

struct writer {
	const struct writer_ops	*ops;
	struct diag		*diag;
	struct writer_opts	 opts;
	void			*priv;		/* the format's own state */
};

/* formats/writers.c: NULL-terminated. */
extern const struct writer_ops *const writers[];

const struct writer_ops *writer_by_name(const char *);
/* By the path's ending; sets *gzip when the ending says .gz. */
const struct writer_ops *writer_by_path(const char *, int *gzip);

#endif
