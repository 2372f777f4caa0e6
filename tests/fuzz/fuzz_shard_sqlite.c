/*
 * fuzz_shard_sqlite.c: bytes as a shard in imgmeta's SQLite output.
 * SQLite reads a database in place, so the bytes are written to a file
 * of this process's own ($TMPDIR or /tmp, removed with its -wal, -shm and
 * -journal files after each input), which is then read as main.c reads
 * a named file: capture_read -> read_imgmeta_sqlite.c -> every
 * observation checked by fuzz_emit. Seeded with databases imgmeta wrote
 * (tests/fuzz/seeds.py), in small pages.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "capture.h"
#include "fuzz.h"
#include "stream.h"

static void
fuzz_remove(const char *path)
{
	static const char *const side[] = { "", "-wal", "-shm", "-journal" };
	char p[4096];

	for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, side[i]);
		(void)unlink(p);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4096];
	const char *tmp;
	struct diag d;
	struct stream *s;
	size_t off = 0;
	ssize_t n;
	int fd;

	if (path[0] == '\0') {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		snprintf(path, sizeof path, "%s/fuzz-shard-%ld.db", tmp,
		    (long)getpid());
	}
	fuzz_remove(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		abort();
	for (; off < size; off += (size_t)n)
		if ((n = write(fd, data + off, size - off)) <= 0)
			abort();
	if (close(fd) != 0 || (fd = open(path, O_RDONLY)) == -1)
		abort();
	diag_init(&d, fuzz_sink, NULL);
	s = stream_open_fd(fd, 1);
	(void)capture_read(s, path, &d, fuzz_response, &d);
	stream_free(s);
	fuzz_remove(path);
	return 0;
}
