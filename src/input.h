/*
 * input.h: walks the inputs named on the command line. A file is opened
 * as a stream; a directory is walked recursively with its entries in byte
 * order of their names (so runs are reproducible); "-" is standard input.
 * Names are given to the callback as the user wrote them, joined with the
 * path inside a directory ("samples/" + "v1/head.txt" gives
 * "samples/v1/head.txt"). An input that cannot be read (missing, an I/O
 * error, no descriptor left) is reported as an error (DIAG_ERROR) and ends
 * the walk with RC_FATAL. The stream a file is handed over in carries the
 * SHA-256 and size of the file's bytes (stream_sha256), taken before it
 * is read: standard input and pipes are copied to a scratch file
 * (output_scratch) meanwhile and read from there.
 */
#ifndef IMGMETA_INPUT_H
#define IMGMETA_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "stream.h"

typedef enum rc (*input_cb)(void *arg, const char *name, struct stream *);

/* Stops early when cb returns RC_FATAL or an input cannot be read
 * (RC_FATAL returned). */
enum rc	input_walk(char *const *paths, size_t n, struct diag *, input_cb,
	    void *arg);

/*
 * The same walk in two steps, for reading files on several threads:
 * input_list names each file the walk would read, in the same order and
 * with the same reports about directories (std is 1 for "-"), and
 * input_read_file reads one of them as input_walk would (a file that
 * cannot be opened or read is reported as an error: RC_FATAL).
 */
typedef enum rc (*input_list_cb)(void *arg, const char *name, int std);
enum rc	input_list(char *const *paths, size_t n, struct diag *,
	    input_list_cb, void *arg);
enum rc	input_read_file(const char *name, int std, struct diag *, input_cb,
	    void *arg);

/*
 * Files the walks skip with a warning instead of reading: this run's own
 * output (an existing SQLite inventory, last night's JSON Lines) and its
 * temporary files (skipped quietly: their names are random), when they
 * lie among the inputs. Call before walking
 * (before threads start); a path that does not exist is ignored. At most
 * INPUT_EXCLUDE_MAX; later ones are ignored.
 */
#define INPUT_EXCLUDE_MAX	16
void	input_exclude(const char *path, int quiet);

/* What input_walk would read: the number of files and their total size
 * (standard input counts as a file of unknown size), without reading
 * them or reporting anything; for the progress display. */
void	input_measure(char *const *paths, size_t n, uint64_t *files,
	    uint64_t *bytes);

#endif
