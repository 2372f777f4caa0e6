/*
 * input.c: walks the inputs named on the command line: files, directories
 * (recursively, entries in byte order of their names) and "-" for
 * standard input. Each file is opened as a stream and handed to the
 * callback. An input that cannot be read (missing, an I/O error, no file
 * descriptor left) is an error that ends the walk: the run cannot say
 * what it held, so it must not write an output as if it had read it.
 *
 * In a directory, entries whose names start with '.' (".git", editor
 * swap files) and entries that are neither regular files nor directories
 * are skipped, the latter with a warning; a FIFO or device named on the
 * command line itself is read (so that "imgmeta <(zcat x.gz)" works).
 * A directory reached again through a symbolic link is skipped with a
 * warning instead of looping, a symbolic link in a directory that points
 * nowhere with a warning, and a directory named on the command line in
 * which the walk finds no file is a warning too.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "input.h"
#include "output.h"
#include "util.h"

/* A directory being walked, to notice loops. */
struct input_dir {
	dev_t			 dev;
	ino_t			 ino;
	const struct input_dir	*up;
};

struct input {
	struct diag	*d;
	input_cb	 cb;
	void		*arg;
	int		 measure;	/* input_measure: stat, don't read */
	input_list_cb	 list;		/* input_list: name the files only */
	uint64_t	 files;
	uint64_t	 bytes;
	uint64_t	 found;		/* files met by the walk */
};

static enum rc	input_cannot(struct diag *, const char *, const char *,
		    int);
static int	input_digest(const char *, int, int, struct diag *,
		    char[DIGEST_HEX], uint64_t *);
static int	input_excluded(const struct stat *);
static enum rc	input_file(struct input *, const char *, int);
static int	input_namecmp(const void *, const void *);
static enum rc	input_dir(struct input *, const char *, const struct stat *,
		    const struct input_dir *);
static enum rc	input_path(struct input *, const char *, int,
		    const struct input_dir *);
static enum rc	input_paths(struct input *, char *const *, size_t);

/* input_exclude's files: set before any walk, read only afterwards. */
static struct {
	dev_t	dev;
	ino_t	ino;
	int	quiet;
} input_ex[INPUT_EXCLUDE_MAX];
static size_t input_nex;

void
input_exclude(const char *path, int quiet)
{
	struct stat st;

	if (input_nex < INPUT_EXCLUDE_MAX && stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		input_ex[input_nex].dev = st.st_dev;
		input_ex[input_nex].ino = st.st_ino;
		input_ex[input_nex].quiet = quiet;
		input_nex++;
	}
}

/* 0: not excluded; 1: excluded; 2: excluded quietly. */
static int
input_excluded(const struct stat *st)
{
	for (size_t i = 0; i < input_nex; i++)
		if (input_ex[i].dev == st->st_dev &&
		    input_ex[i].ino == st->st_ino)
			return input_ex[i].quiet ? 2 : 1;
	return 0;
}

/* An input that cannot be read: an error (exit 2), not a reject. */
static enum rc
input_cannot(struct diag *d, const char *name, const char *pos, int err)
{
	diag_report(d, DIAG_ERROR, name, pos, "cannot read: %s",
	    strerror(err));
	return RC_FATAL;
}

/* One file of the walk: measured, listed or read. */
static enum rc
input_file(struct input *in, const char *name, int std)
{
	in->found++;
	if (in->measure) {
		struct stat st;

		in->files++;
		if (!std && stat(name, &st) == 0 && S_ISREG(st.st_mode))
			in->bytes += (uint64_t)st.st_size;
		return RC_OK;
	}
	if (in->list != NULL)
		return in->list(in->arg, name, std);
	return input_read_file(name, std, in->d, in->cb, in->arg);
}

/*
 * The SHA-256 and size of the file's bytes, taken before it is read, so
 * that a file already read (main.c) need not be: a regular file is read
 * once for them and then from where it started; anything else (standard
 * input, a pipe) is copied while they are taken to a scratch file, which
 * is then read instead. Returns the descriptor to read (fd, or the
 * copy's, fd then closed when close_fd), or -1 after reporting (an
 * error: the run stops, as for a file that cannot be read).
 */
static int
input_digest(const char *name, int fd, int close_fd, struct diag *d,
    char sha256[DIGEST_HEX], uint64_t *size)
{
	struct stat st;
	off_t at;
	FILE *copy;
	int cfd;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (at = lseek(fd, 0, SEEK_CUR)) >= 0) {
		if (digest_fd(fd, -1, sha256, size) != 0) {
			/* where the read failed, as a read while parsing
			 * would have said */
			char pos[32];

			snprintf(pos, sizeof pos, "%llu",
			    (unsigned long long)*size);
			(void)input_cannot(d, name, pos, errno);
			return -1;
		}
		if (lseek(fd, at, SEEK_SET) < 0) {
			(void)input_cannot(d, name, NULL, errno);
			return -1;
		}
		return fd;
	}
	if ((copy = output_scratch("a copy of standard input or a pipe",
	    d)) == NULL)
		return -1;
	if ((cfd = dup(fileno(copy))) < 0 ||
	    digest_fd(fd, cfd, sha256, size) != 0 ||
	    lseek(cfd, 0, SEEK_SET) < 0) {
		(void)input_cannot(d, name, NULL, errno);
		if (cfd >= 0)
			close(cfd);
		fclose(copy);
		return -1;
	}
	fclose(copy);
	if (close_fd)
		close(fd);
	return cfd;
}

enum rc
input_read_file(const char *name, int std, struct diag *d, input_cb cb,
    void *arg)
{
	char sha256[DIGEST_HEX];
	struct stream *s;
	uint64_t size;
	enum rc rc;
	int fd, rfd;

	if (std)
		fd = STDIN_FILENO;
	else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return input_cannot(d, name, NULL, errno);
	if ((rfd = input_digest(name, fd, !std, d, sha256, &size)) < 0) {
		if (!std)
			close(fd);
		return RC_FATAL;
	}
	s = stream_open_fd(rfd, !std || rfd != fd);
	stream_set_digest(s, sha256, size);
	d->n.inputs++;
	rc = cb(arg, name, s);
	d->n.bytes += stream_offset(s);
	if (stream_errno(s) != 0 && rc != RC_FATAL) {
		char pos[32];

		snprintf(pos, sizeof pos, "%llu",
		    (unsigned long long)stream_offset(s));
		rc = input_cannot(d, name, pos, stream_errno(s));
	}
	stream_free(s);
	return rc;
}

static int
input_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks a directory: its entries sorted by strcmp of their names. */
static enum rc
input_dir(struct input *in, const char *name, const struct stat *st,
    const struct input_dir *up)
{
	struct input_dir self = { st->st_dev, st->st_ino, up };
	const struct input_dir *u;
	struct dirent *de;
	DIR *dir;
	char **names = NULL;
	size_t n = 0, i, len;
	enum rc rc = RC_OK;
	int err;

	for (u = up; u != NULL; u = u->up)
		if (u->dev == st->st_dev && u->ino == st->st_ino) {
			diag_report(in->d, DIAG_WARN, name, NULL,
			    "directory loop (a link to a directory above), "
			    "skipped");
			return RC_OK;
		}
	if ((dir = opendir(name)) == NULL)
		return input_cannot(in->d, name, NULL, errno);
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	err = errno;
	closedir(dir);
	if (err != 0)
		rc = input_cannot(in->d, name, NULL, err);
	if (n > 0 && rc != RC_FATAL)
		qsort(names, n, sizeof *names, input_namecmp);

	len = strlen(name);
	for (i = 0; i < n; i++) {
		char *path;

		if (rc != RC_FATAL) {
			path = len > 0 && name[len - 1] == '/' ?
			    xasprintf("%s%s", name, names[i]) :
			    xasprintf("%s/%s", name, names[i]);
			if (input_path(in, path, 0, &self) == RC_FATAL)
				rc = RC_FATAL;
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* One path: named on the command line (top) or found in a directory. */
static enum rc
input_path(struct input *in, const char *name, int top,
    const struct input_dir *up)
{
	struct stat st;
	uint64_t found;
	enum rc rc;
	int ex;

	if (top && strcmp(name, "-") == 0)
		return input_file(in, name, 1);
	if (stat(name, &st) < 0) {
		int err = errno;

		if (!top && err == ENOENT && lstat(name, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			diag_report(in->d, DIAG_WARN, name, NULL, "a symbolic "
			    "link to nothing, skipped");
			return RC_OK;
		}
		return input_cannot(in->d, name, NULL, err);
	}
	if (S_ISDIR(st.st_mode)) {
		found = in->found;
		rc = input_dir(in, name, &st, up);
		if (rc != RC_FATAL && top && in->found == found)
			diag_report(in->d, DIAG_WARN, name, NULL,
			    "no files in this directory");
		return rc;
	}
	if (S_ISREG(st.st_mode) && (ex = input_excluded(&st)) != 0) {
		if (ex == 1)
			diag_report(in->d, DIAG_WARN, name, NULL, "this run's "
			    "output: not read as an input");
		return RC_OK;
	}
	if (S_ISREG(st.st_mode) ||
	    (top && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))))
		return input_file(in, name, 0);
	diag_report(in->d, DIAG_WARN, name, NULL,
	    "not a regular file or a directory, skipped");
	return RC_OK;
}

/* Every path named on the command line, in order: walk, list or
 * measure, as in says. */
static enum rc
input_paths(struct input *in, char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (input_path(in, paths[i], 1, NULL) == RC_FATAL)
			return RC_FATAL;
	return RC_OK;
}

enum rc
input_walk(char *const *paths, size_t n, struct diag *d, input_cb cb,
    void *arg)
{
	struct input in = { .d = d, .cb = cb, .arg = arg };

	return input_paths(&in, paths, n);
}

enum rc
input_list(char *const *paths, size_t n, struct diag *d, input_list_cb cb,
    void *arg)
{
	struct input in = { .d = d, .list = cb, .arg = arg };

	return input_paths(&in, paths, n);
}

void
input_measure(char *const *paths, size_t n, uint64_t *files, uint64_t *bytes)
{
	struct diag quiet;
	struct input in = { .d = &quiet, .measure = 1 };

	diag_init(&quiet, NULL, NULL);
	(void)input_paths(&in, paths, n);
	*files = in.files;
	*bytes = in.bytes;
}
