/*
 * test_util.c: the growable buffer, xasprintf, the ASCII helpers and the
 * UTF-8 check and ISO-8859-1 conversion that header values go through.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "t.h"
#include "util.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

int	main(void);
static void	test_buf_starts_empty_and_reads_as_empty_string(void);
static void	test_buf_add_keeps_bytes_and_a_trailing_nul(void);
static void	test_buf_grows_past_many_doublings(void);
static void	test_buf_printf_appends(void);
static void	test_buf_reset_keeps_memory(void);
static void	test_buf_detach_hands_over_and_empties(void);
static void	test_xasprintf_formats_any_length(void);
static void	test_xstrdup_null_and_xstrndup(void);
static void	test_ascii_casecmp_ignores_ascii_case_only(void);
static void	test_ascii_ncasecmp_stops_at_n(void);
static void	test_utf8_valid_accepts_only_shortest_forms(void);
static void	test_latin1_to_utf8_keeps_every_byte(void);
static void	test_u64_text_is_decimal(void);

static void
test_buf_starts_empty_and_reads_as_empty_string(void)
{
	struct buf b = BUF_INIT;

	T_STR(buf_cstr(&b), "", "empty buffer reads as \"\"");
	T_INT(b.len, 0, "empty buffer length");
	buf_free(&b);
	buf_free(&b);
	T_OK(b.data == NULL, "buf_free twice is harmless");
}

static void
test_buf_add_keeps_bytes_and_a_trailing_nul(void)
{
	struct buf b = BUF_INIT;

	buf_add(&b, "ab\0cd", 5);
	T_INT(b.len, 5, "buf_add counts embedded NULs");
	T_OK(memcmp(b.data, "ab\0cd", 6) == 0, "bytes and trailing NUL");
	buf_addc(&b, 'e');
	buf_addstr(&b, "fg");
	T_INT(b.len, 8, "length after addc and addstr");
	T_OK(memcmp(b.data, "ab\0cdefg", 9) == 0, "appended in order");
	buf_add(&b, NULL, 0);
	T_INT(b.len, 8, "adding nothing adds nothing");
	buf_free(&b);

	buf_add(&b, "", 0);
	T_OK(b.data != NULL && b.data[0] == '\0',
	    "adding nothing to an empty buffer gives a string");
	buf_free(&b);
}

static void
test_buf_grows_past_many_doublings(void)
{
	struct buf b = BUF_INIT;
	int ok = 1;

	for (int i = 0; i < 100000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	T_INT(b.len, 100000, "100,000 bytes added one by one");
	T_OK(b.cap > b.len, "room for the NUL");
	for (size_t i = 0; i < b.len && ok; i++)
		ok = b.data[i] == 'a' + (int)(i % 26);
	T_OK(ok && b.data[b.len] == '\0', "every byte kept");
	buf_free(&b);
}

static void
test_buf_printf_appends(void)
{
	struct buf b = BUF_INIT;
	char big[5000];

	buf_addstr(&b, "x=");
	buf_printf(&b, "%d, %s", 42, "y");
	T_STR(buf_cstr(&b), "x=42, y", "buf_printf appends");
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "%s!", big);
	T_INT(b.len, 7 + 4999 + 1, "buf_printf of a long string");
	T_INT(b.data[b.len - 1], '!', "last byte");
	buf_free(&b);
}

static void
test_buf_reset_keeps_memory(void)
{
	struct buf b = BUF_INIT;
	char *p;

	buf_addstr(&b, "hello");
	p = b.data;
	buf_reset(&b);
	T_INT(b.len, 0, "reset empties");
	T_STR(buf_cstr(&b), "", "reset buffer reads as \"\"");
	T_OK(b.data == p, "reset keeps the memory");
	buf_addstr(&b, "hi");
	T_STR(buf_cstr(&b), "hi", "usable after reset");
	buf_free(&b);

	buf_reset(&b);
	T_STR(buf_cstr(&b), "", "reset of a never-used buffer");
}

static void
test_buf_detach_hands_over_and_empties(void)
{
	struct buf b = BUF_INIT;
	char *s;

	buf_addstr(&b, "owned");
	s = buf_detach(&b);
	T_STR(s, "owned", "detached string");
	T_OK(b.data == NULL && b.len == 0 && b.cap == 0,
	    "buffer empty after detach");
	free(s);
	s = buf_detach(&b);
	T_STR(s, "", "detaching an empty buffer gives \"\"");
	free(s);
}

static void
test_xasprintf_formats_any_length(void)
{
	static const struct {
		int		 n;
		const char	*s;
		const char	*want;
	} c[] = {
		{ 0, "", "0:" },
		{ -1, "x", "-1:x" },
		{ 2147483647, "caf\xc3\xa9", "2147483647:caf\xc3\xa9" },
	};
	char *p, big[3000];

	for (size_t i = 0; i < NITEMS(c); i++) {
		p = xasprintf("%d:%s", c[i].n, c[i].s);
		T_STR(p, c[i].want, "xasprintf");
		free(p);
	}
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	p = xasprintf("<%s>", big);
	T_INT(strlen(p), sizeof big + 1, "xasprintf of 3,000 bytes");
	T_OK(p[0] == '<' && p[sizeof big] == '>', "long result intact");
	free(p);
	p = xasprintf("%s", "");
	T_STR(p, "", "xasprintf of nothing");
	free(p);
}

static void
test_xstrdup_null_and_xstrndup(void)
{
	char *p;

	T_OK(xstrdup(NULL) == NULL, "xstrdup(NULL) is NULL");
	p = xstrdup("abc");
	T_STR(p, "abc", "xstrdup");
	free(p);
	p = xstrndup("abcdef", 3);
	T_STR(p, "abc", "xstrndup stops at n");
	free(p);
}

static void
test_ascii_casecmp_ignores_ascii_case_only(void)
{
	static const struct {
		const char	*a;
		const char	*b;
		int		 sign;
	} c[] = {
		{ "X-Image-Meta-Id", "x-image-meta-id", 0 },
		{ "CONTENT-TYPE", "content-type", 0 },
		{ "", "", 0 },
		{ "a", "", 1 },
		{ "", "a", -1 },
		{ "abc", "abd", -1 },
		{ "ABD", "abc", 1 },
		{ "abc", "ab", 1 },
		{ "[", "{", -1 },	/* not folded: '[' is not '{' */
		{ "@", "`", -1 },
		{ "\xc3\x89", "\xc3\xa9", -1 },	/* no folding beyond ASCII */
		{ "\xe9", "e", 1 },		/* bytes compare unsigned */
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		int r = ascii_casecmp(c[i].a, c[i].b);
		char what[128];

		snprintf(what, sizeof what, "ascii_casecmp(\"%s\", \"%s\")",
		    c[i].a, c[i].b);
		T_INT(r < 0 ? -1 : r > 0, c[i].sign, what);
	}
}

static void
test_ascii_ncasecmp_stops_at_n(void)
{
	T_INT(ascii_ncasecmp("X-Image-Meta-Name", "x-image-meta-", 13), 0,
	    "prefix compare");
	T_OK(ascii_ncasecmp("X-Image-Meta-Name", "x-image-meta-", 14) > 0,
	    "one byte past the prefix");
	T_INT(ascii_ncasecmp("abc", "xyz", 0), 0, "n = 0 compares nothing");
	T_INT(ascii_ncasecmp("ab", "AB", 10), 0, "stops at the NUL");
}

static void
test_utf8_valid_accepts_only_shortest_forms(void)
{
	static const struct {
		const char	*s;
		size_t		 n;
		int		 valid;
		const char	*what;
	} c[] = {
		{ "", 0, 1, "empty" },
		{ "ascii", 5, 1, "ASCII" },
		{ "a\0b", 3, 1, "NUL is ASCII" },
		{ "caf\xc3\xa9", 5, 1, "2 bytes" },
		{ "\xe2\x82\xac", 3, 1, "3 bytes (euro)" },
		{ "\xf0\x9f\x90\xa7", 4, 1, "4 bytes (penguin)" },
		{ "\xc2\x80", 2, 1, "U+0080" },
		{ "\xdf\xbf", 2, 1, "U+07FF" },
		{ "\xe0\xa0\x80", 3, 1, "U+0800" },
		{ "\xed\x9f\xbf", 3, 1, "U+D7FF" },
		{ "\xee\x80\x80", 3, 1, "U+E000" },
		{ "\xef\xbf\xbf", 3, 1, "U+FFFF" },
		{ "\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF" },
		{ "caf\xe9", 4, 0, "ISO-8859-1 e-acute" },
		{ "\x80", 1, 0, "lone continuation" },
		{ "\xbf", 1, 0, "lone continuation (last)" },
		{ "\xc0\x80", 2, 0, "overlong NUL" },
		{ "\xc1\xbf", 2, 0, "overlong 2 bytes" },
		{ "\xe0\x9f\xbf", 3, 0, "overlong 3 bytes" },
		{ "\xf0\x8f\xbf\xbf", 4, 0, "overlong 4 bytes" },
		{ "\xed\xa0\x80", 3, 0, "surrogate U+D800" },
		{ "\xed\xbf\xbf", 3, 0, "surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", 4, 0, "past U+10FFFF" },
		{ "\xf5\x80\x80\x80", 4, 0, "lead byte F5" },
		{ "\xff", 1, 0, "byte FF" },
		{ "\xfe", 1, 0, "byte FE" },
		{ "\xc3", 1, 0, "truncated 2 bytes" },
		{ "\xe2\x82", 2, 0, "truncated 3 bytes" },
		{ "\xf0\x9f\x90", 3, 0, "truncated 4 bytes" },
		{ "\xc3(", 2, 0, "bad continuation" },
		{ "\xe2\x28\xa1", 3, 0, "bad second of 3" },
		{ "\xe2\x82\x28", 3, 0, "bad third of 3" },
		/* n, not the NUL, bounds the check. */
		{ "caf\xc3\xa9", 4, 0, "n cuts a sequence" },
		{ "ok\xff", 2, 1, "n stops before a bad byte" },
		/* ASCII is taken 8 bytes at a time: what comes after */
		{ "abcdefgh", 8, 1, "8 bytes of ASCII" },
		{ "abcdefghijklmnopq", 17, 1, "17 bytes of ASCII" },
		{ "abcdefg\xff", 8, 0, "a bad 8th byte" },
		{ "abcdefgh\xff", 9, 0, "a bad 9th byte" },
		{ "abcdefghijklmnop\xff", 17, 0, "a bad 17th byte" },
		{ "abcdefgh\xff", 8, 1, "n stops before a bad 9th byte" },
		{ "abcdefghijk\xed\xa0\x80xyzxyzxyz", 20, 0,
		  "a surrogate after 11 bytes of ASCII" },
		{ "abcdefghijk\xc3\xa9xyzxyzxyz\xe2\x82\xac", 25, 1,
		  "ASCII, 2 bytes, ASCII, 3 bytes" },
		{ "abcdefghijklmno\xc3", 16, 0, "truncated after 15 bytes" },
	};

	for (size_t i = 0; i < NITEMS(c); i++)
		T_INT(utf8_valid(c[i].s, c[i].n), c[i].valid, c[i].what);
}

static void
test_latin1_to_utf8_keeps_every_byte(void)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*want;
	} c[] = {
		{ "", 0, "" },
		{ "plain", 5, "plain" },
		{ "caf\xe9", 4, "caf\xc3\xa9" },
		{ "\x80", 1, "\xc2\x80" },
		{ "\xa0\xbf", 2, "\xc2\xa0\xc2\xbf" },
		{ "\xc0\xff", 2, "\xc3\x80\xc3\xbf" },
		{ "M\xfcller", 6, "M\xc3\xbcller" },
		{ "ab\xe9xyz", 3, "ab\xc3\xa9" },	/* only n bytes */
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		char *p = latin1_to_utf8(c[i].in, c[i].n);

		T_STR(p, c[i].want, "latin1_to_utf8");
		T_INT(utf8_valid(p, strlen(p)), 1, "result is valid UTF-8");
		free(p);
	}
}

static void
test_u64_text_is_decimal(void)
{
	char b[U64_TEXT];

	T_STR(u64_text(b, 0), "0", "u64_text 0");
	T_STR(u64_text(b, 7), "7", "u64_text 7");
	T_STR(u64_text(b, 10), "10", "u64_text 10");
	T_STR(u64_text(b, 5525268766u), "5525268766", "u64_text a size");
	T_STR(u64_text(b, UINT64_MAX), "18446744073709551615",
	    "u64_text the largest");
}

int
main(void)
{
	test_buf_starts_empty_and_reads_as_empty_string();
	test_buf_add_keeps_bytes_and_a_trailing_nul();
	test_buf_grows_past_many_doublings();
	test_buf_printf_appends();
	test_buf_reset_keeps_memory();
	test_buf_detach_hands_over_and_empties();
	test_xasprintf_formats_any_length();
	test_xstrdup_null_and_xstrndup();
	test_ascii_casecmp_ignores_ascii_case_only();
	test_ascii_ncasecmp_stops_at_n();
	test_utf8_valid_accepts_only_shortest_forms();
	test_latin1_to_utf8_keeps_every_byte();
	test_u64_text_is_decimal();
	return t_done();
}
