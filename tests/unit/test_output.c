/* test_output.c: outputs are complete or absent; gzip is deterministic. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
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

/* Writes n bytes of data as gzip to path, in pieces of chunk bytes,
 * deflated on threads threads; returns the file's bytes (*len). */
static unsigned char *
gz_file(const char *path, const unsigned char *data, size_t n,
    unsigned threads, size_t chunk, size_t *len)
{
	struct diag d;
	struct output *o;
	unsigned char *buf;
	struct stat st;
	int fd;

	diag_init(&d, NULL, NULL);
	o = output_open(path, 1, &d);
	output_threads(o, threads);
	for (size_t at = 0; at < n; at += chunk)
		output_write(o, data + at, n - at < chunk ? n - at : chunk);
	if (output_commit(o) != RC_OK || stat(path, &st) != 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	fd = open(path, O_RDONLY);
	*len = buf != NULL && fd >= 0 ? (size_t)read(fd, buf, (size_t)st.st_size)
	    : 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* 1 when gz (len bytes) is one gzip member that decodes to data (n). */
static int
gz_decodes_to(unsigned char *gz, size_t len, const unsigned char *data,
    size_t n)
{
	unsigned char *out = malloc(n + 1);
	z_stream z;
	int ok;

	memset(&z, 0, sizeof z);
	inflateInit2(&z, 16 + MAX_WBITS);
	z.next_in = gz;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)n + 1;
	ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.avail_in == 0 &&
	    z.total_out == n && memcmp(out, data, n) == 0;
	inflateEnd(&z);
	free(out);
	return ok;
}

/*
 * gzip of more than a block (1 MiB, deflated apart and joined, on
 * threads or not; -j 1024 deflates on 16): one member that decodes to
 * the bytes, the very same bytes whatever the number of threads and
 * however the writes were cut, and compressed across the blocks (each
 * primed with the 32 KiB before it).
 */
static void
test_gzip_blocks(const char *dir)
{
	static const size_t sizes[] = { 0, 1, (1u << 20) - 1, 1u << 20,
	    (1u << 20) + 1, (7u << 20) / 2 };
	static const unsigned threads[] = { 1, 2, 5, 1024 };
	size_t max = (7u << 20) / 2, len, len1;
	unsigned char *data = malloc(max), *gz, *gz1;
	unsigned long x = 12345;
	char path[256], what[128];

	/* text that compresses, as records do */
	for (size_t i = 0; i < max; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (i % 64 == 63) ? '\n' : "abcdefgh0123"[(x >> 16) % 12];
	}
	snprintf(path, sizeof path, "%s/blocks.gz", dir);
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		gz1 = gz_file(path, data, sizes[s], 1, 65536, &len1);
		snprintf(what, sizeof what, "gzip of %zu bytes: decodes",
		    sizes[s]);
		T_OK(gz1 != NULL && gz_decodes_to(gz1, len1, data, sizes[s]),
		    what);
		for (size_t t = 0; t < sizeof threads / sizeof threads[0];
		    t++) {
			gz = gz_file(path, data, sizes[s], threads[t],
			    t == 0 ? 7777 : 65536, &len);
			snprintf(what, sizeof what, "gzip of %zu bytes, %u "
			    "threads, other pieces: the same bytes", sizes[s],
			    threads[t]);
			T_OK(gz != NULL && gz1 != NULL && len == len1 &&
			    memcmp(gz, gz1, len) == 0, what);
			free(gz);
		}
		free(gz1);
	}

	/* 2 MiB of one 20 KiB piece that does not compress, repeated: the
	 * second block finds it in its dictionary (the rest of each block is
	 * deflate's matches of at most 258 bytes, some 8 KiB a block) */
	for (size_t i = 0; i < 20480; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 16);
	}
	for (size_t i = 20480; i < (2u << 20); i++)
		data[i] = data[i - 20480];
	gz = gz_file(path, data, 2u << 20, 2, 65536, &len);
	T_OK(gz != NULL && gz_decodes_to(gz, len, data, 2u << 20),
	    "repeated piece: decodes");
	/* deflated apart, each block would hold its own copy: 40 KiB */
	T_OK(len < 2 * 20480, "repeated piece: stored once, the second "
	    "block primed with the first's end");
	free(gz);
	unlink(path);
	free(data);
}

/*
 * The threads' hook for test_gzip_ring_full: holds the thread that takes
 * the first block until every other block the ring holds is deflated and
 * a thread then finds nothing to take. A thread taking a block that
 * another still deflates fails the test at once (the run would go on
 * with the block's slot refilled under that thread, or hang).
 */
static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 busy[64];	/* threads deflating each slot */
	size_t		 taken;		/* blocks taken */
	size_t		 others;	/* blocks deflated besides the first */
	size_t		 held;		/* the first block's slot */
	size_t		 blocks;	/* the blocks written, the last too */
	size_t		 nslots;	/* the ring's */
	int		 released;
} race = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

static void
race_hook(enum output_gz_event ev, size_t slot, size_t nslots)
{
	size_t full = nslots < race.blocks ? nslots : race.blocks;

	if (slot >= sizeof race.busy / sizeof race.busy[0])
		return;
	pthread_mutex_lock(&race.mu);
	race.nslots = nslots;
	if (ev == OUTPUT_GZ_TAKEN) {
		if (race.busy[slot] > 0) {
			T_OK(0, "gzip: no thread takes a block that another "
			    "thread is deflating");
			fflush(stdout);
			_exit(t_done());
		}
		race.busy[slot]++;
		if (race.taken++ == 0) {
			race.held = slot;
			while (!race.released)
				pthread_cond_wait(&race.cv, &race.mu);
		}
	} else if (ev == OUTPUT_GZ_DEFLATED) {
		race.busy[slot]--;
		if (!race.released && slot != race.held)
			race.others++;
	} else if (race.taken > 0 && race.others + 1 >= full) {
		race.released = 1;
		pthread_cond_broadcast(&race.cv);
	}
	pthread_mutex_unlock(&race.mu);
}

/*
 * gzip on 2 threads with the ring full: the caller waits for the oldest
 * block, which one thread still deflates, while the other thread has
 * deflated every other block. That thread must wait for work, not take
 * the oldest block again; the output is the one thread's output.
 */
static void
test_gzip_ring_full(const char *dir)
{
	size_t n = (8u << 20) + 1000, len, len1;
	unsigned char *data = malloc(n), *gz, *gz1;
	unsigned long x = 54321;
	char path[256];

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (i % 80 == 79) ? '\n' : "{}:,\"idnameabc0123"[(x >> 16) %
		    18];
	}
	snprintf(path, sizeof path, "%s/ring.gz", dir);
	gz1 = gz_file(path, data, n, 1, 65536, &len1);
	race.blocks = (n + (1u << 20) - 1) >> 20;
	output_gz_hook = race_hook;
	gz = gz_file(path, data, n, 2, 65536, &len);
	output_gz_hook = NULL;
	T_OK(race.nslots > 1 && race.nslots < race.blocks, "gzip, 2 threads: "
	    "more blocks written than the ring holds");
	T_OK(race.released, "gzip, ring full: the first block was held until "
	    "the other blocks were deflated");
	T_OK(gz != NULL && gz_decodes_to(gz, len, data, n),
	    "gzip, ring full, first block held: decodes");
	T_OK(gz != NULL && gz1 != NULL && len == len1 &&
	    memcmp(gz, gz1, len) == 0, "gzip, ring full, first block held: "
	    "the same bytes as on one thread");
	free(gz);
	free(gz1);
	unlink(path);
	free(data);
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

	test_gzip_blocks(dir);
	test_gzip_ring_full(dir);

	snprintf(path, sizeof path, "%s/out.txt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a.gz", dir);
	unlink(path);
	rmdir(dir);
	return t_done();
}
