/* digest.c: see digest.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

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
	unsigned char *buf, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	uint64_t total = 0;
	int rc = 0, err = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
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
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			fatal("SHA-256 digest failed (libcrypto)");
		if (copy_fd >= 0 &&
		    digest_write_all(copy_fd, buf, (size_t)n) != 0) {
			err = errno != 0 ? errno : EIO;
			rc = -1;
			break;
		}
		total += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		fatal("SHA-256 digest failed (libcrypto)");
	EVP_MD_CTX_free(ctx);
	free(buf);
	for (unsigned i = 0; i < mdlen; i++) {
		hex[2 * i] = xd[md[i] >> 4];
		hex[2 * i + 1] = xd[md[i] & 15];
	}
	hex[2 * mdlen] = '\0';
	*size = total;
	if (rc != 0)
		errno = err;
	return rc;
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
