/*
 * util.h: allocation wrappers that never return NULL, a growable byte
 * buffer, and fatal() for the impossible.
 */
#ifndef IMGMETA_UTIL_H
#define IMGMETA_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTFLIKE(f, a)
#endif

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);			/* xstrdup(NULL) is NULL */
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) PRINTFLIKE(1, 2);
char	*xvasprintf(const char *, va_list) PRINTFLIKE(1, 0);
/* The impossible, or out of memory: the message (without "imgmeta: fatal:")
 * goes to the function fatal_on installed, which says it (main.c prints
 * it; modules never print), and the process exits with status 2. */
_Noreturn void fatal(const char *, ...) PRINTFLIKE(1, 2);
void	fatal_on(void (*say)(const char *msg));

/* Growable buffer. data is always NUL-terminated after any add (the NUL is
 * not counted in len), so a buffer holding text can be used as a string. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }

/* Makes room for more bytes and the NUL (the slow path of buf_add). */
void	 buf_grow(struct buf *, size_t more);
static inline void buf_add(struct buf *, const void *, size_t);
static inline void buf_addc(struct buf *, char);
void	 buf_addstr(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
void	 buf_free(struct buf *);
char	*buf_detach(struct buf *);		/* caller frees; buffer empty */
const char *buf_cstr(struct buf *);		/* "" when empty */
/*
 * Data handed between this process's threads (work.c, fold.c): a length
 * in native order, and a string as its length + 1 (0 for NULL), its
 * bytes and a NUL, so that it can be used where it lies. The getters
 * read at *p and advance it.
 */
void	 buf_put_u32(struct buf *, size_t);
void	 buf_put_str(struct buf *, const char *);
size_t	 buf_get_u32(const char **p);
const char *buf_get_str(const char **p);

/* Inline: the reading threads add to buffers for every byte run they
 * copy. The room check is len + n + 1 <= cap, written without overflow
 * (cap > len whenever data is not NULL; cap == 0 makes it grow). */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n >= b->cap - b->len)
		buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap - b->len <= 1)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/*
 * A set of strings (open addressing, FNV-1a): strset_add copies s in when
 * it is not there yet (returns 1, else 0); slot has cap entries (a power
 * of two, or 0), NULL where empty; strset_free frees the strings too.
 */
struct strset {
	char	**slot;
	size_t	  n;
	size_t	  cap;
};
#define STRSET_INIT	{ NULL, 0, 0 }
int	 strset_has(const struct strset *, const char *);
int	 strset_add(struct strset *, const char *s);
void	 strset_free(struct strset *);

/* ASCII helpers, independent of locale. */
int	 ascii_casecmp(const char *, const char *);
int	 ascii_ncasecmp(const char *, const char *, size_t);
int	 ascii_blank(const char *, size_t);	/* only spaces, tabs, CRs */
/* n in decimal, without printf: the digits' start in buf, which ends
 * them with a NUL. */
#define U64_TEXT	21
const char *u64_text(char buf[U64_TEXT], uint64_t n);
int	 utf8_valid(const char *, size_t);	/* 1 if valid UTF-8 */
char	*latin1_to_utf8(const char *, size_t);	/* caller frees */

#endif
