/* digest.c: see digest.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * libcrypto's own SHA-256 calls, which OpenSSL 3 marks deprecated: they
 * allocate nothing and look up no provider. Through EVP, the first
 * digest of a run sets up libcrypto's default context, and when memory
 * runs out half-way there, libcrypto later crashes on what it left unset
 * rather than failing.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "digest.h"
#include "util.h"

#define DIGEST_BUFSIZE	(128 * 1024)

static int	digest_write_all(int, const unsigned char *, size_t);

static int
digest_write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
digest_fd(int fd, int copy_fd, char hex[DIGEST_HEX], uint64_t *size)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char *buf, md[SHA256_DIGEST_LENGTH];
	SHA256_CTX ctx;
	uint64_t total = 0;
	int rc = 0, err = 0;

	if (SHA256_Init(&ctx) != 1)
		fatal("cannot start a SHA-256 digest (libcrypto)");
	buf = xmalloc(DIGEST_BUFSIZE);
	for (;;) {
		ssize_t n = read(fd, buf, DIGEST_BUFSIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (SHA256_Update(&ctx, buf, (size_t)n) != 1)
			fatal("SHA-256 digest failed (libcrypto)");
		if (copy_fd >= 0 &&
		    digest_write_all(copy_fd, buf, (size_t)n) != 0) {
			err = errno != 0 ? errno : EIO;
			rc = -1;
			break;
		}
		total += (uint64_t)n;
	}
	if (SHA256_Final(md, &ctx) != 1)
		fatal("SHA-256 digest failed (libcrypto)");
	free(buf);
	for (unsigned i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		hex[2 * i] = xd[md[i] >> 4];
		hex[2 * i + 1] = xd[md[i] & 15];
	}
	hex[2 * SHA256_DIGEST_LENGTH] = '\0';
	*size = total;
	if (rc != 0)
		errno = err;
	return rc;
}

void
digest_bytes(const void *p, size_t n, unsigned char md[DIGEST_BYTES])
{
	SHA256_CTX ctx;

	if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, p, n) != 1 ||
	    SHA256_Final(md, &ctx) != 1)
		fatal("SHA-256 digest failed (libcrypto)");
}

int
digest_path(const char *path, char hex[DIGEST_HEX], uint64_t *size)
{
	int fd, rc, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = digest_fd(fd, -1, hex, size);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}
