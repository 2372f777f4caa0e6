/*
 * digest.h: SHA-256 of a file's bytes (OpenSSL's libcrypto), as
 * sha256sum prints it: 64 lowercase hex digits.
 */
#ifndef IMGMETA_DIGEST_H
#define IMGMETA_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_HEX	65	/* 64 hex digits and a NUL */
#define DIGEST_BYTES	32	/* a SHA-256 */

/*
 * Reads fd to its end and puts the SHA-256 of what it read in hex and
 * its length in *size. With copy_fd >= 0, every byte read is also
 * written there (standard input, kept aside to be read again). Returns
 * 0, or -1 with errno set (a read or write error).
 */
int	digest_fd(int fd, int copy_fd, char hex[DIGEST_HEX], uint64_t *size);
/* The same for the file at path: 0, or -1 with errno set. */
int	digest_path(const char *path, char hex[DIGEST_HEX], uint64_t *size);
/* The SHA-256 of the n bytes at p. */
void	digest_bytes(const void *p, size_t n, unsigned char md[DIGEST_BYTES]);

#endif
