/* util.c: allocation wrappers, growable buffers, ASCII and UTF-8 helpers. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A short text (dates, numbers: most of them) is formatted once, on the
 * stack, and copied; only a longer one is formatted again. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char small[128], *p;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("vsnprintf failed");
	p = xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* Who says a fatal error (fatal_on): main.c prints it. */
static void (*volatile util_fatal_say)(const char *);

void
fatal_on(void (*say)(const char *))
{
	util_fatal_say = say;
}

void
fatal(const char *fmt, ...)
{
	/* no allocation: out of memory comes here too */
	static char msg[1024];
	void (*say)(const char *) = util_fatal_say;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (say != NULL)
		say(msg);
	exit(2);
}

void
buf_grow(struct buf *b, size_t more)
{
	size_t need;

	if (more > SIZE_MAX - b->len - 1)
		fatal("buffer too large");
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Formats into the buffer's spare room; only a text that does not fit
 * is formatted twice. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->cap - b->len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vsnprintf failed");
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *
buf_cstr(struct buf *b)
{
	return b->data == NULL ? "" : b->data;
}

void
buf_put_u32(struct buf *b, size_t n)
{
	uint32_t x;

	if (n > UINT32_MAX)
		fatal("more than 4 GiB to hand over between threads");
	x = (uint32_t)n;
	buf_add(b, &x, sizeof x);
}

void
buf_put_str(struct buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		buf_put_u32(b, 0);
		return;
	}
	n = strlen(s);
	buf_put_u32(b, n + 1);
	buf_add(b, s, n + 1);
}

size_t
buf_get_u32(const char **p)
{
	uint32_t x;

	memcpy(&x, *p, sizeof x);
	*p += sizeof x;
	return x;
}

const char *
buf_get_str(const char **p)
{
	size_t n = buf_get_u32(p);
	const char *s = *p;

	if (n == 0)
		return NULL;
	*p += n;
	return s;
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		int ca = ascii_lower((unsigned char)*a);
		int cb = ascii_lower((unsigned char)*b);

		if (ca != cb)
			return ca - cb;
		if (ca == '\0')
			break;
	}
	return 0;
}

int
ascii_casecmp(const char *a, const char *b)
{
	return ascii_ncasecmp(a, b, SIZE_MAX);
}

int
ascii_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

const char *
u64_text(char buf[U64_TEXT], uint64_t n)
{
	char *p = buf + U64_TEXT;

	*--p = '\0';
	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	return p;
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c;
		size_t len;
		unsigned min, cp;
		uint64_t w;

		/* ASCII 8 bytes at a time: most text is */
		while (end - p >= 8) {
			memcpy(&w, p, 8);
			if ((w & UINT64_C(0x8080808080808080)) != 0)
				break;
			p += 8;
		}
		if (p == end)
			break;
		if ((c = *p) < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2; min = 0x80; cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3; min = 0x800; cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4; min = 0x10000; cp = c & 0x07;
		} else
			return 0;
		if ((size_t)(end - p) < len)
			return 0;
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += len;
	}
	return 1;
}

char *
latin1_to_utf8(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80)
			buf_addc(&b, (char)c);
		else {
			buf_addc(&b, (char)(0xc0 | (c >> 6)));
			buf_addc(&b, (char)(0x80 | (c & 0x3f)));
		}
	}
	return buf_detach(&b);
}

/* FNV-1a, 64 bits. */
static uint64_t
strset_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int
strset_has(const struct strset *set, const char *s)
{
	size_t mask = set->cap - 1, i;

	if (set->cap == 0)
		return 0;
	for (i = strset_hash(s) & mask; set->slot[i] != NULL;
	    i = (i + 1) & mask)
		if (strcmp(set->slot[i], s) == 0)
			return 1;
	return 0;
}

int
strset_add(struct strset *set, const char *s)
{
	size_t i, mask;

	if (strset_has(set, s))
		return 0;
	if (2 * (set->n + 1) > set->cap) {
		size_t ncap = set->cap == 0 ? 16 : 2 * set->cap;
		char **ns = xcalloc(ncap, sizeof *ns);

		for (size_t j = 0; j < set->cap; j++) {
			if (set->slot[j] == NULL)
				continue;
			i = strset_hash(set->slot[j]) & (ncap - 1);
			while (ns[i] != NULL)
				i = (i + 1) & (ncap - 1);
			ns[i] = set->slot[j];
		}
		free(set->slot);
		set->slot = ns;
		set->cap = ncap;
	}
	mask = set->cap - 1;
	for (i = strset_hash(s) & mask; set->slot[i] != NULL;
	    i = (i + 1) & mask)
		;
	set->slot[i] = xstrdup(s);
	set->n++;
	return 1;
}

void
strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	*set = (struct strset)STRSET_INIT;
}
