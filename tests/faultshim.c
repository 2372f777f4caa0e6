/*
 * faultshim.c: an LD_PRELOAD library that makes one call of the program
 * fail, so that tests/faults.test can walk every error path of a run.
 *
 * Calls are counted by family, from the moment main starts (what the
 * dynamic loader and the start-up code did before is not counted):
 *
 *   open     open, open64, openat, openat64, their _FORTIFY_SOURCE forms,
 *            creat, fopen, fopen64, mkstemp, mkostemp (glibc's stdio and
 *            mkstemp open files without going through open)
 *   read     read, pread, pread64, readv, fread
 *   write    write, pwrite, pwrite64, writev, fwrite, and fflush of a
 *            stream that holds unwritten bytes
 *   fsync    fsync, fdatasync
 *   rename   rename, renameat, renameat2
 *   link     link, linkat
 *   close    close, fclose
 *   thread   pthread_create
 *   malloc   malloc, calloc, realloc (not to size 0), posix_memalign,
 *            aligned_alloc
 *
 * Environment:
 *   FAULT_FUNC    the family that fails
 *   FAULT_N       the Nth call of that family fails (counting from 1), and
 *                 only that one; 0 or unset: nothing fails (counting only)
 *   FAULT_ERRNO   what it fails with: a number or a name (EIO, ENOSPC,
 *                 EMFILE, ENOMEM, ...); default EIO (malloc: ENOMEM,
 *                 thread: EAGAIN)
 *   FAULT_DIR     an absolute directory: file calls count only when the
 *                 path (for an fd, what /proc/self/fd says it is) is that
 *                 directory or under it, so that the calls libc and the
 *                 libraries make on their own files (locale, time zone,
 *                 /proc) do not move N from one run to the next
 *   FAULT_REPORT  a file: "fired FAMILY N CALL PATH" is appended when the
 *                 fault fires, and "count FAMILY N" for every family at
 *                 exit (not after a crash or _exit)
 *   FAULT_NOSYNC  1: fsync and fdatasync that do not fail return 0 without
 *                 syncing (a test is not about durability; each one costs
 *                 tens of milliseconds on a disk)
 *
 * A failing fread, fwrite or fflush sets the stream's error flag, as a
 * failing write underneath would. Not for a sanitized program's malloc:
 * the allocator of AddressSanitizer must not be bypassed; tests build
 * this file a second time with FAULT_NO_MALLOC for that.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum faultshim_family {
	FS_OPEN, FS_READ, FS_WRITE, FS_FSYNC, FS_RENAME, FS_LINK, FS_CLOSE,
	FS_THREAD, FS_MALLOC, FS_NFAMILIES
};

static const char *const faultshim_names[FS_NFAMILIES] = {
	"open", "read", "write", "fsync", "rename", "link", "close", "thread",
	"malloc"
};

static struct {
	int		 ready;		/* the environment was read */
	int		 armed;		/* main has started */
	int		 family;	/* the family that fails, or -1 */
	unsigned long	 n;		/* its call that fails, or 0 */
	int		 err;
	int		 nosync;
	char		 dir[4096];
	size_t		 dirlen;
	char		 report[4096];
	unsigned long	 count[FS_NFAMILIES];
} faultshim;

/* The real functions, found with dlsym(RTLD_NEXT) on first use. */
#define FS_REAL(type, name, args) \
	static type (*real_##name) args
FS_REAL(int, open, (const char *, int, ...));
FS_REAL(int, open64, (const char *, int, ...));
FS_REAL(int, openat, (int, const char *, int, ...));
FS_REAL(int, openat64, (int, const char *, int, ...));
FS_REAL(int, __open_2, (const char *, int));
FS_REAL(int, __open64_2, (const char *, int));
FS_REAL(int, __openat_2, (int, const char *, int));
FS_REAL(int, __openat64_2, (int, const char *, int));
FS_REAL(int, creat, (const char *, mode_t));
FS_REAL(FILE *, fopen, (const char *, const char *));
FS_REAL(FILE *, fopen64, (const char *, const char *));
FS_REAL(int, mkstemp, (char *));
FS_REAL(int, mkostemp, (char *, int));
FS_REAL(ssize_t, read, (int, void *, size_t));
FS_REAL(ssize_t, pread, (int, void *, size_t, off_t));
FS_REAL(ssize_t, pread64, (int, void *, size_t, off64_t));
FS_REAL(ssize_t, readv, (int, const struct iovec *, int));
FS_REAL(size_t, fread, (void *, size_t, size_t, FILE *));
FS_REAL(ssize_t, write, (int, const void *, size_t));
FS_REAL(ssize_t, pwrite, (int, const void *, size_t, off_t));
FS_REAL(ssize_t, pwrite64, (int, const void *, size_t, off64_t));
FS_REAL(ssize_t, writev, (int, const struct iovec *, int));
FS_REAL(size_t, fwrite, (const void *, size_t, size_t, FILE *));
FS_REAL(int, fflush, (FILE *));
FS_REAL(int, fsync, (int));
FS_REAL(int, fdatasync, (int));
FS_REAL(int, rename, (const char *, const char *));
FS_REAL(int, renameat, (int, const char *, int, const char *));
FS_REAL(int, renameat2, (int, const char *, int, const char *, unsigned));
FS_REAL(int, link, (const char *, const char *));
FS_REAL(int, linkat, (int, const char *, int, const char *, int));
FS_REAL(int, close, (int));
FS_REAL(int, fclose, (FILE *));
FS_REAL(int, pthread_create, (pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *));
FS_REAL(int, __libc_start_main, (int (*)(int, char **, char **), int,
    char **, void (*)(void), void (*)(void), void (*)(void), void *));

#define FS_RESOLVE(name) do {						\
	if (__atomic_load_n(&real_##name, __ATOMIC_ACQUIRE) == NULL)	\
		__atomic_store_n(&real_##name,				\
		    (__typeof__(real_##name))dlsym(RTLD_NEXT, #name),	\
		    __ATOMIC_RELEASE);					\
} while (0)

#ifndef FAULT_NO_MALLOC
/* glibc's allocator under its own names: no dlsym (which allocates) */
extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	*__libc_memalign(size_t, size_t);
#endif

static void	faultshim_init(void);
static int	faultshim_errno(const char *);
static int	faultshim_under(const char *);
static int	faultshim_under_at(int, const char *);
static int	faultshim_fd_under(int, char *, size_t);
static int	faultshim_hit(int, const char *, const char *);
static void	faultshim_say(const char *, size_t);
static void	faultshim_fail_stream(FILE *);
static int	faultshim_main(int, char **, char **);

static int (*faultshim_real_main)(int, char **, char **);

static int
faultshim_errno(const char *s)
{
	static const struct { const char *name; int e; } names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EMFILE", EMFILE },
		{ "ENFILE", ENFILE }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
		{ "EPERM", EPERM }, { "EROFS", EROFS }, { "EDQUOT", EDQUOT },
		{ "EINTR", EINTR }, { "EXDEV", EXDEV }, { "ENOENT", ENOENT },
		{ "EFBIG", EFBIG }, { "EAGAIN", EAGAIN }, { "EINVAL", EINVAL },
	};

	if (s[0] >= '0' && s[0] <= '9')
		return atoi(s);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].e;
	return EIO;
}

/* Reads the environment once; also called from the wrappers, since other
 * libraries' constructors may run before this one. */
static void
faultshim_init(void)
{
	const char *s;

	if (__atomic_load_n(&faultshim.ready, __ATOMIC_ACQUIRE))
		return;
	faultshim.family = -1;
	if ((s = getenv("FAULT_FUNC")) != NULL)
		for (int i = 0; i < FS_NFAMILIES; i++)
			if (strcmp(s, faultshim_names[i]) == 0)
				faultshim.family = i;
	if ((s = getenv("FAULT_N")) != NULL)
		faultshim.n = strtoul(s, NULL, 10);
	faultshim.err = faultshim.family == FS_MALLOC ? ENOMEM :
	    faultshim.family == FS_THREAD ? EAGAIN : EIO;
	if ((s = getenv("FAULT_ERRNO")) != NULL && *s != '\0')
		faultshim.err = faultshim_errno(s);
	faultshim.nosync = (s = getenv("FAULT_NOSYNC")) != NULL &&
	    strcmp(s, "1") == 0;
	if ((s = getenv("FAULT_DIR")) != NULL && strlen(s) < sizeof faultshim.dir) {
		strcpy(faultshim.dir, s);
		faultshim.dirlen = strlen(s);
		while (faultshim.dirlen > 1 &&
		    faultshim.dir[faultshim.dirlen - 1] == '/')
			faultshim.dir[--faultshim.dirlen] = '\0';
	}
	if ((s = getenv("FAULT_REPORT")) != NULL &&
	    strlen(s) < sizeof faultshim.report)
		strcpy(faultshim.report, s);
	__atomic_store_n(&faultshim.ready, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void
faultshim_constructor(void)
{
	faultshim_init();
}

/* Appends a line to FAULT_REPORT with the real calls (uncounted). */
static void
faultshim_say(const char *line, size_t len)
{
	int fd;

	if (faultshim.report[0] == '\0')
		return;
	FS_RESOLVE(open);
	FS_RESOLVE(write);
	FS_RESOLVE(close);
	if ((fd = real_open(faultshim.report,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) < 0)
		return;
	(void)!real_write(fd, line, len);
	real_close(fd);
}

__attribute__((destructor)) static void
faultshim_destructor(void)
{
	char line[128];
	int saved = errno;

	if (!faultshim.armed)
		return;
	for (int i = 0; i < FS_NFAMILIES; i++) {
		int k = snprintf(line, sizeof line, "count %s %lu\n",
		    faultshim_names[i], __atomic_load_n(&faultshim.count[i],
		    __ATOMIC_RELAXED));

		faultshim_say(line, (size_t)k);
	}
	errno = saved;
}

/* Whether PATH (made absolute against the working directory) is
 * FAULT_DIR or under it; everything is when FAULT_DIR is unset. */
static int
faultshim_under(const char *path)
{
	char buf[8192];

	if (faultshim.dirlen == 0)
		return 1;
	if (path == NULL)
		return 0;
	if (path[0] != '/') {
		size_t k;

		if (getcwd(buf, sizeof buf - 1) == NULL)
			return 0;
		k = strlen(buf);
		if (snprintf(buf + k, sizeof buf - k, "/%s", path) >=
		    (int)(sizeof buf - k))
			return 0;
		path = buf;
	}
	return strncmp(path, faultshim.dir, faultshim.dirlen) == 0 &&
	    (path[faultshim.dirlen] == '\0' || path[faultshim.dirlen] == '/' ||
	    faultshim.dirlen == 1);
}

/* Whether FD's file is under FAULT_DIR; PATH (PATHSZ bytes) gets its
 * name as /proc/self/fd says it, for the report. */
static int
faultshim_fd_under(int fd, char *path, size_t pathsz)
{
	char link[64];
	ssize_t k;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if (fd < 0 || (k = readlink(link, path, pathsz - 1)) <= 0) {
		snprintf(path, pathsz, "fd:%d", fd);
		return faultshim.dirlen == 0;
	}
	path[k] = '\0';
	return faultshim_under(path);
}

static int
faultshim_under_at(int dirfd, const char *path)
{
	char link[64], dir[4096], full[8192];
	ssize_t k;

	if (faultshim.dirlen == 0 || path == NULL || path[0] == '/' ||
	    dirfd == AT_FDCWD)
		return faultshim_under(path);
	snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	if ((k = readlink(link, dir, sizeof dir - 1)) <= 0)
		return 0;
	dir[k] = '\0';
	snprintf(full, sizeof full, "%s/%s", dir, path);
	return faultshim_under(full);
}

/*
 * Counts one call of FAMILY (the caller has checked that it concerns a
 * path that counts) and says whether it is the one that fails; if so,
 * errno is set and the report says which call it was.
 */
static int
faultshim_hit(int family, const char *call, const char *what)
{
	unsigned long k;
	char line[4200];
	int len;

	faultshim_init();
	if (!__atomic_load_n(&faultshim.armed, __ATOMIC_ACQUIRE))
		return 0;
	k = __atomic_add_fetch(&faultshim.count[family], 1, __ATOMIC_RELAXED);
	if (family != faultshim.family || k != faultshim.n)
		return 0;
	len = snprintf(line, sizeof line, "fired %s %lu %s %s\n",
	    faultshim_names[family], k, call, what != NULL ? what : "-");
	if (len > 0)
		faultshim_say(line, (size_t)len < sizeof line ? (size_t)len :
		    sizeof line - 1);
	errno = faultshim.err;
	return 1;
}

/* Whether a file call on PATH or FD is to be counted at all: only when
 * main runs, the family is counted (FAULT_N 0 counts all families) and
 * the file is under FAULT_DIR. The path check costs a system call, so it
 * comes last. */
static int
faultshim_wants(int family)
{
	faultshim_init();
	return __atomic_load_n(&faultshim.armed, __ATOMIC_ACQUIRE) &&
	    (faultshim.n == 0 || faultshim.family == family);
}

static int
faultshim_path_hit(int family, const char *call, const char *path)
{
	return faultshim_wants(family) && faultshim_under(path) &&
	    faultshim_hit(family, call, path);
}

static int
faultshim_at_hit(int family, const char *call, int dirfd, const char *path)
{
	return faultshim_wants(family) && faultshim_under_at(dirfd, path) &&
	    faultshim_hit(family, call, path);
}

static int
faultshim_fd_hit(int family, const char *call, int fd)
{
	char path[4096];

	return faultshim_wants(family) &&
	    faultshim_fd_under(fd, path, sizeof path) &&
	    faultshim_hit(family, call, path);
}

static int
faultshim_stream_hit(int family, const char *call, FILE *f)
{
	return f != NULL && faultshim_fd_hit(family, call, fileno(f));
}

/* The stream's error flag, as a failed write or read underneath sets it
 * (glibc's FILE layout: _IO_ERR_SEEN in _flags). */
static void
faultshim_fail_stream(FILE *f)
{
	f->_flags |= 0x0020;
}

/* main: arms the counters, so that nothing before main is counted. */
static int
faultshim_main(int argc, char **argv, char **envp)
{
	faultshim_init();
	__atomic_store_n(&faultshim.armed, 1, __ATOMIC_RELEASE);
	return faultshim_real_main(argc, argv, envp);
}

int	__libc_start_main(int (*)(int, char **, char **), int, char **,
	    void (*)(void), void (*)(void), void (*)(void), void *);

int
__libc_start_main(int (*main)(int, char **, char **), int argc,
    char **argv, void (*init)(void), void (*fini)(void),
    void (*rtld_fini)(void), void *stack_end)
{
	FS_RESOLVE(__libc_start_main);
	faultshim_real_main = main;
	return real___libc_start_main(faultshim_main, argc, argv, init, fini,
	    rtld_fini, stack_end);
}

/* open and its kin: the mode is there only with O_CREAT or O_TMPFILE. */
#define FS_MODE(flags, mode) do {					\
	if ((flags) & (O_CREAT | O_TMPFILE)) {				\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = (mode_t)va_arg(ap, int);				\
		va_end(ap);						\
	}								\
} while (0)

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	FS_MODE(flags, mode);
	if (faultshim_path_hit(FS_OPEN, "open", path))
		return -1;
	FS_RESOLVE(open);
	return real_open(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	FS_MODE(flags, mode);
	if (faultshim_path_hit(FS_OPEN, "open64", path))
		return -1;
	FS_RESOLVE(open64);
	return real_open64(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	FS_MODE(flags, mode);
	if (faultshim_at_hit(FS_OPEN, "openat", dirfd, path))
		return -1;
	FS_RESOLVE(openat);
	return real_openat(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	FS_MODE(flags, mode);
	if (faultshim_at_hit(FS_OPEN, "openat64", dirfd, path))
		return -1;
	FS_RESOLVE(openat64);
	return real_openat64(dirfd, path, flags, mode);
}

int	__open_2(const char *, int);
int	__open64_2(const char *, int);
int	__openat_2(int, const char *, int);
int	__openat64_2(int, const char *, int);

int
__open_2(const char *path, int flags)
{
	if (faultshim_path_hit(FS_OPEN, "open", path))
		return -1;
	FS_RESOLVE(__open_2);
	return real___open_2(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	if (faultshim_path_hit(FS_OPEN, "open64", path))
		return -1;
	FS_RESOLVE(__open64_2);
	return real___open64_2(path, flags);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	if (faultshim_at_hit(FS_OPEN, "openat", dirfd, path))
		return -1;
	FS_RESOLVE(__openat_2);
	return real___openat_2(dirfd, path, flags);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	if (faultshim_at_hit(FS_OPEN, "openat64", dirfd, path))
		return -1;
	FS_RESOLVE(__openat64_2);
	return real___openat64_2(dirfd, path, flags);
}

int
creat(const char *path, mode_t mode)
{
	if (faultshim_path_hit(FS_OPEN, "creat", path))
		return -1;
	FS_RESOLVE(creat);
	return real_creat(path, mode);
}

FILE *
fopen(const char *path, const char *mode)
{
	if (faultshim_path_hit(FS_OPEN, "fopen", path))
		return NULL;
	FS_RESOLVE(fopen);
	return real_fopen(path, mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	if (faultshim_path_hit(FS_OPEN, "fopen64", path))
		return NULL;
	FS_RESOLVE(fopen64);
	return real_fopen64(path, mode);
}

int
mkstemp(char *tmpl)
{
	if (faultshim_path_hit(FS_OPEN, "mkstemp", tmpl))
		return -1;
	FS_RESOLVE(mkstemp);
	return real_mkstemp(tmpl);
}

int
mkostemp(char *tmpl, int flags)
{
	if (faultshim_path_hit(FS_OPEN, "mkostemp", tmpl))
		return -1;
	FS_RESOLVE(mkostemp);
	return real_mkostemp(tmpl, flags);
}

ssize_t
read(int fd, void *buf, size_t n)
{
	if (faultshim_fd_hit(FS_READ, "read", fd))
		return -1;
	FS_RESOLVE(read);
	return real_read(fd, buf, n);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	if (faultshim_fd_hit(FS_READ, "pread", fd))
		return -1;
	FS_RESOLVE(pread);
	return real_pread(fd, buf, n, off);
}

ssize_t
pread64(int fd, void *buf, size_t n, off64_t off)
{
	if (faultshim_fd_hit(FS_READ, "pread64", fd))
		return -1;
	FS_RESOLVE(pread64);
	return real_pread64(fd, buf, n, off);
}

ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	if (faultshim_fd_hit(FS_READ, "readv", fd))
		return -1;
	FS_RESOLVE(readv);
	return real_readv(fd, iov, n);
}

size_t
fread(void *buf, size_t size, size_t n, FILE *f)
{
	if (faultshim_stream_hit(FS_READ, "fread", f)) {
		faultshim_fail_stream(f);
		return 0;
	}
	FS_RESOLVE(fread);
	return real_fread(buf, size, n, f);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (faultshim_fd_hit(FS_WRITE, "write", fd))
		return -1;
	FS_RESOLVE(write);
	return real_write(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (faultshim_fd_hit(FS_WRITE, "pwrite", fd))
		return -1;
	FS_RESOLVE(pwrite);
	return real_pwrite(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	if (faultshim_fd_hit(FS_WRITE, "pwrite64", fd))
		return -1;
	FS_RESOLVE(pwrite64);
	return real_pwrite64(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (faultshim_fd_hit(FS_WRITE, "writev", fd))
		return -1;
	FS_RESOLVE(writev);
	return real_writev(fd, iov, n);
}

size_t
fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
	if (size > 0 && n > 0 && faultshim_stream_hit(FS_WRITE, "fwrite", f)) {
		faultshim_fail_stream(f);
		return 0;
	}
	FS_RESOLVE(fwrite);
	return real_fwrite(buf, size, n, f);
}

int
fflush(FILE *f)
{
	if (f != NULL && __fpending(f) > 0 &&
	    faultshim_stream_hit(FS_WRITE, "fflush", f)) {
		faultshim_fail_stream(f);
		return EOF;
	}
	FS_RESOLVE(fflush);
	return real_fflush(f);
}

int
fsync(int fd)
{
	if (faultshim_fd_hit(FS_FSYNC, "fsync", fd))
		return -1;
	if (faultshim.nosync)
		return 0;
	FS_RESOLVE(fsync);
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	if (faultshim_fd_hit(FS_FSYNC, "fdatasync", fd))
		return -1;
	if (faultshim.nosync)
		return 0;
	FS_RESOLVE(fdatasync);
	return real_fdatasync(fd);
}

int
rename(const char *from, const char *to)
{
	if (faultshim_wants(FS_RENAME) &&
	    (faultshim_under(from) || faultshim_under(to)) &&
	    faultshim_hit(FS_RENAME, "rename", to))
		return -1;
	FS_RESOLVE(rename);
	return real_rename(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	if (faultshim_wants(FS_RENAME) &&
	    (faultshim_under_at(fromfd, from) || faultshim_under_at(tofd, to)) &&
	    faultshim_hit(FS_RENAME, "renameat", to))
		return -1;
	FS_RESOLVE(renameat);
	return real_renameat(fromfd, from, tofd, to);
}

int	renameat2(int, const char *, int, const char *, unsigned);

int
renameat2(int fromfd, const char *from, int tofd, const char *to,
    unsigned flags)
{
	if (faultshim_wants(FS_RENAME) &&
	    (faultshim_under_at(fromfd, from) || faultshim_under_at(tofd, to)) &&
	    faultshim_hit(FS_RENAME, "renameat2", to))
		return -1;
	FS_RESOLVE(renameat2);
	return real_renameat2(fromfd, from, tofd, to, flags);
}

int
link(const char *from, const char *to)
{
	if (faultshim_wants(FS_LINK) &&
	    (faultshim_under(from) || faultshim_under(to)) &&
	    faultshim_hit(FS_LINK, "link", to))
		return -1;
	FS_RESOLVE(link);
	return real_link(from, to);
}

int
linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	if (faultshim_wants(FS_LINK) &&
	    (faultshim_under_at(fromfd, from) || faultshim_under_at(tofd, to)) &&
	    faultshim_hit(FS_LINK, "linkat", to))
		return -1;
	FS_RESOLVE(linkat);
	return real_linkat(fromfd, from, tofd, to, flags);
}

/* close: a failing close still closes the descriptor, as Linux's does. */
int
close(int fd)
{
	int fail = faultshim_fd_hit(FS_CLOSE, "close", fd);
	int e = errno;

	FS_RESOLVE(close);
	if (fail) {
		real_close(fd);
		errno = e;
		return -1;
	}
	return real_close(fd);
}

int
fclose(FILE *f)
{
	int fail = faultshim_stream_hit(FS_CLOSE, "fclose", f);
	int e = errno;

	FS_RESOLVE(fclose);
	if (fail) {
		real_fclose(f);
		errno = e;
		return EOF;
	}
	return real_fclose(f);
}

/* pthread_create returns the error instead of setting errno. */
int
pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	if (faultshim_wants(FS_THREAD) &&
	    faultshim_hit(FS_THREAD, "pthread_create", NULL))
		return errno;
	FS_RESOLVE(pthread_create);
	return real_pthread_create(t, attr, fn, arg);
}

#ifndef FAULT_NO_MALLOC
static int
faultshim_malloc_hit(const char *call)
{
	return faultshim_wants(FS_MALLOC) &&
	    faultshim_hit(FS_MALLOC, call, NULL);
}

void *
malloc(size_t n)
{
	if (faultshim_malloc_hit("malloc"))
		return NULL;
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	if (faultshim_malloc_hit("calloc"))
		return NULL;
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (n > 0 && faultshim_malloc_hit("realloc"))
		return NULL;
	return __libc_realloc(p, n);
}

int
posix_memalign(void **p, size_t align, size_t n)
{
	void *q;

	if (faultshim_malloc_hit("posix_memalign"))
		return ENOMEM;
	if ((q = __libc_memalign(align, n)) == NULL)
		return ENOMEM;
	*p = q;
	return 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	if (faultshim_malloc_hit("aligned_alloc"))
		return NULL;
	return __libc_memalign(align, n);
}
#endif
