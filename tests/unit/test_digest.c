/*
 * test_digest.c: the SHA-256 of a file's bytes, against the FIPS 180-2
 * examples, and the copy digest_fd makes of what it reads.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "t.h"
#include "util.h"

int	main(void);
static void	test_digest_fips_examples(void);
static void	test_digest_copies_what_it_reads(void);
static void	test_digest_missing_file(void);
static char	*test_digest_file(const char *, size_t);

static char tdir[] = "/tmp/test_digest.XXXXXX";

/* A file in the test directory holding n bytes of text. */
static char *
test_digest_file(const char *text, size_t n)
{
	static int k;
	char *p = xasprintf("%s/f%d", tdir, k++);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		abort();
	close(fd);
	return p;
}

static void
test_digest_fips_examples(void)
{
	char hex[DIGEST_HEX], *p;
	uint64_t size = 99;

	p = test_digest_file("abc", 3);
	T_INT(digest_path(p, hex, &size), 0, "abc: read");
	T_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "abc: FIPS 180-2's digest");
	T_INT(size, 3, "abc: size");
	free(p);
	p = test_digest_file("", 0);
	T_INT(digest_path(p, hex, &size), 0, "empty: read");
	T_STR(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855", "empty: its digest");
	T_INT(size, 0, "empty: size 0");
	free(p);
}

static void
test_digest_copies_what_it_reads(void)
{
	char hex[DIGEST_HEX], back[16] = "", *src, *dst;
	uint64_t size = 0;
	int in, out;

	src = test_digest_file("abc", 3);
	dst = test_digest_file("", 0);
	in = open(src, O_RDONLY);
	out = open(dst, O_RDWR);
	T_INT(digest_fd(in, out, hex, &size), 0, "copy: read");
	T_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "copy: the digest");
	T_INT(pread(out, back, sizeof back - 1, 0), 3, "copy: three bytes");
	T_STR(back, "abc", "copy: the bytes read");
	close(in);
	close(out);
	free(src);
	free(dst);
}

static void
test_digest_missing_file(void)
{
	char hex[DIGEST_HEX], *p = xasprintf("%s/none", tdir);
	uint64_t size;

	T_INT(digest_path(p, hex, &size), -1, "missing: -1");
	free(p);
}

int
main(void)
{
	char *cmd;

	if (mkdtemp(tdir) == NULL)
		return 99;
	test_digest_fips_examples();
	test_digest_copies_what_it_reads();
	test_digest_missing_file();
	cmd = xasprintf("rm -rf '%s'", tdir);
	if (system(cmd) != 0)
		t_result(0, __FILE__, __LINE__, "cleanup", "failed", "done");
	free(cmd);
	return t_done();
}
