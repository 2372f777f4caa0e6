/* test_output.c: outputs are complete or absent; gzip is deterministic. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "output.h"
#include "t.h"

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static size_t
slurp(const char *path, unsigned char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, cap);
	close(fd);
	return n < 0 ? 0 : (size_t)n;
}

int
main(void)
{
	char dir[] = "/tmp/imgmeta-test-output-XXXXXX", path[256];
	unsigned char a[4096], b[4096], plain[64];
	struct output *o;
	struct diag d;
	size_t na, nb;
	uLongf nplain = sizeof plain;
	z_stream z;

	diag_init(&d, NULL, NULL);
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof path, "%s/out.txt", dir);

	/* Plain output appears only on commit. */
	o = output_open(path, 0, &d);
	T_OK(o != NULL, "output_open on a writable directory");
	output_write(o, "hello\n", 6);
	T_OK(access(path, F_OK) != 0, "the target is absent before commit");
	T_INT(output_commit(o), RC_OK, "commit succeeds");
	T_INT(slurp(path, a, sizeof a), 6, "the target holds what was written");
	T_INT(count_entries(dir), 1, "no temporary file is left after commit");

	/* Abort leaves the old target untouched and no temporary. */
	o = output_open(path, 0, &d);
	output_write(o, "other", 5);
	output_abort(o);
	T_INT(slurp(path, a, sizeof a), 6, "abort keeps the previous file");
	T_INT(count_entries(dir), 1, "abort removes the temporary file");

	/* gzip: same bytes in, same bytes out; no time stamp; decodes. */
	snprintf(path, sizeof path, "%s/a.gz", dir);
	o = output_open(path, 1, &d);
	output_write(o, "{\"id\":1}\n", 9);
	output_commit(o);
	na = slurp(path, a, sizeof a);
	sleep(1);
	o = output_open(path, 1, &d);
	output_write(o, "{\"id\":1}\n", 9);
	output_commit(o);
	nb = slurp(path, b, sizeof b);
	T_OK(na > 18 && na == nb && memcmp(a, b, na) == 0,
	    "two gzip runs a second apart give identical bytes");
	T_OK(a[0] == 0x1f && a[1] == 0x8b, "gzip magic bytes");
	T_OK(a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0,
	    "gzip header time stamp is zero");
	T_INT(a[3], 0, "gzip header carries no name");
	memset(&z, 0, sizeof z);
	inflateInit2(&z, 16 + MAX_WBITS);
	z.next_in = a;
	z.avail_in = (uInt)na;
	z.next_out = plain;
	z.avail_out = (uInt)nplain;
	T_INT(inflate(&z, Z_FINISH), Z_STREAM_END, "gzip output decodes");
	T_INT(z.total_out, 9, "gzip output decodes to the bytes written");
	inflateEnd(&z);

	/* An unwritable place: RC_FATAL through the diag, nothing left. */
	snprintf(path, sizeof path, "%s/no/such/dir/out.jsonl", dir);
	o = output_open(path, 0, &d);
	T_OK(o == NULL, "output_open fails where no file can be made");
	T_INT(d.n.errors, 1, "the failure is reported as an error");

	/* A full disk (/dev/full as the target's content): the write or
	 * the commit fails, and the error is reported. */
	if (access("/dev/full", W_OK) == 0) {
		int fd = dup(STDOUT_FILENO), full = open("/dev/full", O_WRONLY);
		enum rc rc;

		dup2(full, STDOUT_FILENO);
		diag_init(&d, NULL, NULL);
		o = output_open("-", 0, &d);
		output_write(o, "x", 1);
		rc = output_commit(o);
		dup2(fd, STDOUT_FILENO);
		close(fd);
		close(full);
		T_INT(rc, RC_FATAL, "a full standard output is a fatal error");
		T_INT(d.n.errors, 1, "and it is reported once");
	}

	snprintf(path, sizeof path, "%s/out.txt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a.gz", dir);
	unlink(path);
	rmdir(dir);
	return t_done();
}
