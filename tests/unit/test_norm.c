/*
 * test_norm.c: the mapping rules of DESIGN.md section 3 (norm.c). Each
 * test is named for the behaviour it shows; most are tables of what an
 * API sent and the canonical text, or why not.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "norm.h"
#include "util.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/* One row of a mapping table: want is the canonical text, or NULL and why. */
struct norm_case {
	const char	*in;
	const char	*want;
	const char	*why;
};

typedef int (*norm_fn)(const char *, char **, const char **);

int	main(void);
static void	check_norm(const char *, norm_fn, const struct norm_case *,
		    size_t);
static void	test_bool_accepts_glance_spellings_in_any_case(void);
static void	test_int_is_whole_non_negative_64bit_decimal(void);
static void	test_time_is_rfc3339_converted_to_utc(void);
static void	test_http_date_accepts_the_three_http_forms(void);
static void	test_uuid_is_lowercased_and_checked(void);
static void	test_md5_is_lowercased_and_checked(void);
static void	test_status_keeps_glance_maps_nova_else_null(void);
static void	test_status_deleted_follows_status(void);
static void	test_visibility_four_values(void);

static void
check_norm(const char *name, norm_fn fn, const struct norm_case *c,
    size_t n)
{
	char what[256];

	for (size_t i = 0; i < n; i++) {
		char *out = NULL;
		const char *why = NULL;
		int rv = fn(c[i].in, &out, &why);

		snprintf(what, sizeof what, "%s(\"%s\")", name, c[i].in);
		if (c[i].want != NULL) {
			T_INT(rv, 0, what);
			T_STR(out, c[i].want, what);
		} else {
			T_INT(rv, -1, what);
			T_STR(why, c[i].why, what);
		}
		free(out);
	}
}

static void
test_bool_accepts_glance_spellings_in_any_case(void)
{
	static const struct norm_case c[] = {
		{ "True", "true", NULL }, { "False", "false", NULL },
		{ "true", "true", NULL }, { "FALSE", "false", NULL },
		{ "tRuE", "true", NULL }, { "1", "true", NULL },
		{ "0", "false", NULL }, { "yes", "true", NULL },
		{ "No", "false", NULL }, { "ON", "true", NULL },
		{ "off", "false", NULL },
		{ "", NULL, "is not a boolean" },
		{ "None", NULL, "is not a boolean" },
		{ "t", NULL, "is not a boolean" },
		{ "2", NULL, "is not a boolean" },
		{ "01", NULL, "is not a boolean" },
		{ " true", NULL, "is not a boolean" },
		{ "true ", NULL, "is not a boolean" },
		{ "truex", NULL, "is not a boolean" },
		{ "y", NULL, "is not a boolean" },
	};

	check_norm("norm_bool", norm_bool, c, NITEMS(c));
}

static void
test_int_is_whole_non_negative_64bit_decimal(void)
{
	static const struct norm_case c[] = {
		{ "74185822", "74185822", NULL },
		{ "0", "0", NULL },
		{ "000", "0", NULL },
		{ "007", "7", NULL },
		{ "9223372036854775807", "9223372036854775807", NULL },
		{ "0009223372036854775807", "9223372036854775807", NULL },
		{ "9223372036854775808", NULL, "is too big for 64 bits" },
		{ "18446744073709551616", NULL, "is too big for 64 bits" },
		{ "99999999999999999999999", NULL, "is too big for 64 bits" },
		{ "-1", NULL, "is negative" },
		{ "-007", NULL, "is negative" },
		{ "-0.5", NULL, "is negative" },
		{ "1.5", NULL, "is not a whole number" },
		{ "2.0", NULL, "is not a whole number" },
		{ ".5", NULL, "is not a whole number" },
		{ "", NULL, "is not a whole non-negative number" },
		{ "1e3", NULL, "is not a whole non-negative number" },
		{ "+5", NULL, "is not a whole non-negative number" },
		{ "-0", NULL, "is not a whole non-negative number" },
		{ "-", NULL, "is not a whole non-negative number" },
		{ ".", NULL, "is not a whole non-negative number" },
		{ " 5", NULL, "is not a whole non-negative number" },
		{ "5 ", NULL, "is not a whole non-negative number" },
		{ "0x10", NULL, "is not a whole non-negative number" },
		{ "1,000", NULL, "is not a whole non-negative number" },
		{ "None", NULL, "is not a whole non-negative number" },
		{ "1e", NULL, "is not a whole non-negative number" },
	};

	check_norm("norm_int", norm_int, c, NITEMS(c));
}

static void
test_time_is_rfc3339_converted_to_utc(void)
{
	static const char *const bad = "is not an RFC 3339 timestamp";
	static const struct norm_case c[] = {
		/* Glance v1 prints no zone: UTC. */
		{ "2016-05-22T06:04:20.425843", "2016-05-22T06:04:20.425843Z",
		  NULL },
		{ "2016-05-22T06:04:20", "2016-05-22T06:04:20Z", NULL },
		{ "2016-05-22T06:04:20Z", "2016-05-22T06:04:20Z", NULL },
		{ "2016-05-22t06:04:20z", "2016-05-22T06:04:20Z", NULL },
		{ "2016-05-22 06:04:20", "2016-05-22T06:04:20Z", NULL },
		/* Fractions are kept exactly, never invented or trimmed. */
		{ "2016-05-22T06:04:20.000000Z", "2016-05-22T06:04:20.000000Z",
		  NULL },
		{ "2016-05-22T06:04:20.1Z", "2016-05-22T06:04:20.1Z", NULL },
		{ "2016-05-22T06:04:20.123456789012+01:00",
		  "2016-05-22T05:04:20.123456789012Z", NULL },
		/* Offsets, with carries across days, months and years. */
		{ "2016-05-22T08:04:20+02:00", "2016-05-22T06:04:20Z", NULL },
		{ "2016-05-22T08:04:20+0200", "2016-05-22T06:04:20Z", NULL },
		{ "2016-05-22T06:04:20+00:00", "2016-05-22T06:04:20Z", NULL },
		{ "2016-05-22T06:04:20-00:00", "2016-05-22T06:04:20Z", NULL },
		{ "2015-12-31T23:30:00-01:00", "2016-01-01T00:30:00Z", NULL },
		{ "2016-01-01T00:30:00+01:00", "2015-12-31T23:30:00Z", NULL },
		{ "2016-03-01T01:00:00+02:00", "2016-02-29T23:00:00Z", NULL },
		{ "2015-03-01T01:00:00+02:00", "2015-02-28T23:00:00Z", NULL },
		{ "2016-02-28T23:00:00-01:00", "2016-02-29T00:00:00Z", NULL },
		{ "2100-03-01T00:00:00+00:01", "2100-02-28T23:59:00Z", NULL },
		{ "2000-03-01T00:00:00+00:01", "2000-02-29T23:59:00Z", NULL },
		{ "2016-04-30T22:15:00-05:45", "2016-05-01T04:00:00Z", NULL },
		{ "2016-05-22T05:30:00+05:30", "2016-05-22T00:00:00Z", NULL },
		{ "1970-01-01T00:00:00+00:01", "1969-12-31T23:59:00Z", NULL },
		{ "2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z", NULL },
		{ "2016-12-31T23:59:60-01:00", "2017-01-01T00:59:60Z", NULL },
		{ "2016-02-29T00:00:00Z", "2016-02-29T00:00:00Z", NULL },
		{ "2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z", NULL },
		{ "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", NULL },
		{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", NULL },
		/* Ranges. */
		{ "2015-02-29T00:00:00Z", NULL, bad },
		{ "1900-02-29T00:00:00Z", NULL, bad },
		{ "2016-04-31T00:00:00Z", NULL, bad },
		{ "2016-00-10T00:00:00Z", NULL, bad },
		{ "2016-13-10T00:00:00Z", NULL, bad },
		{ "2016-01-00T00:00:00Z", NULL, bad },
		{ "2016-01-32T00:00:00Z", NULL, bad },
		{ "2016-01-01T24:00:00Z", NULL, bad },
		{ "2016-01-01T00:60:00Z", NULL, bad },
		{ "2016-01-01T00:00:61Z", NULL, bad },
		{ "2016-01-01T00:00:00+24:00", NULL, bad },
		{ "2016-01-01T00:00:00+01:60", NULL, bad },
		{ "9999-12-31T23:59:59-01:00", NULL, bad },
		{ "0000-01-01T00:00:00+01:00", NULL, bad },
		/* Shapes. */
		{ "", NULL, bad },
		{ "2016-05-22", NULL, bad },
		{ "2016-05-22T06:04", NULL, bad },
		{ "2016-05-22T06:04:20.", NULL, bad },
		{ "2016-05-22T06:04:20.Z", NULL, bad },
		{ "2016-5-22T06:04:20Z", NULL, bad },
		{ "16-05-22T06:04:20Z", NULL, bad },
		{ "2016-05-22_06:04:20Z", NULL, bad },
		{ "2016-05-22  06:04:20Z", NULL, bad },
		{ "2016-05-22T06:04:20ZZ", NULL, bad },
		{ "2016-05-22T06:04:20Z ", NULL, bad },
		{ " 2016-05-22T06:04:20Z", NULL, bad },
		{ "2016-05-22T06:04:20+02", NULL, bad },
		{ "2016-05-22T06:04:20+2:00", NULL, bad },
		{ "2016-05-22T06:04:20+02:0", NULL, bad },
		{ "2016-05-22T06:04:20+02:000", NULL, bad },
		{ "2016-05-22T06:04:20 UTC", NULL, bad },
		{ "2016-05-22T06:04:20,5Z", NULL, bad },
		{ "Mon, 23 May 2016 02:29:54 GMT", NULL, bad },
		{ "1463897060", NULL, bad },
	};

	check_norm("norm_time", norm_time, c, NITEMS(c));
}

static void
test_http_date_accepts_the_three_http_forms(void)
{
	static const char *const bad = "is not an HTTP date";
	static const struct norm_case c[] = {
		{ "Mon, 23 May 2016 02:29:54 GMT", "2016-05-23T02:29:54Z",
		  NULL },
		{ "Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z",
		  NULL },
		{ "Sun, 6 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z", NULL },
		{ "sun, 06 nov 1994 08:49:37 gmt", "1994-11-06T08:49:37Z",
		  NULL },
		{ "Monday, 23-May-16 02:29:54 GMT", "2016-05-23T02:29:54Z",
		  NULL },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z",
		  NULL },
		{ "Thursday, 01-Jan-70 00:00:00 GMT", "1970-01-01T00:00:00Z",
		  NULL },
		{ "Wednesday, 31-Dec-69 23:59:59 GMT", "2069-12-31T23:59:59Z",
		  NULL },
		{ "Mon May 23 02:29:54 2016", "2016-05-23T02:29:54Z", NULL },
		{ "Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z", NULL },
		{ "Mon, 29 Feb 2016 00:00:00 GMT", "2016-02-29T00:00:00Z",
		  NULL },
		{ "Sun, 01 Mar 2015 00:00:00 GMT", "2015-03-01T00:00:00Z",
		  NULL },
		{ "", NULL, bad },
		{ "Mon,", NULL, bad },
		{ "Mon, ", NULL, bad },
		{ "Sun, 29 Feb 2015 00:00:00 GMT", NULL, bad },
		{ "Mon, 23 Mai 2016 02:29:54 GMT", NULL, bad },
		{ "Mon, 23 May 2016 24:29:54 GMT", NULL, bad },
		{ "Mon, 23 May 2016 02:29:54 UTC", NULL, bad },
		{ "Mon, 23 May 2016 02:29:54 +0000", NULL, bad },
		{ "Mon, 23 May 2016 02:29:54", NULL, bad },
		{ "Mon, 23 May 2016 02:29:54 GMT ", NULL, bad },
		{ "Mon, 23 May 16 02:29:54 GMT", NULL, bad },
		{ "Mon 23 May 2016 02:29:54 GMT", NULL, bad },
		{ "Xyz, 23 May 2016 02:29:54 GMT", NULL, bad },
		{ "Monday, 23 May 2016 02:29:54 GMT", NULL, bad },
		{ "Mon, 23-May-16 02:29:54 GMT", NULL, bad },
		{ "Monday, 23-May-2016 02:29:54 GMT", NULL, bad },
		{ "Mon May 23 02:29:54 16", NULL, bad },
		{ "Mon May 23 02:29:54 2016 GMT", NULL, bad },
		{ "Sun Nov 6 08:49:37 1994", NULL, bad },
		{ "2016-05-23T02:29:54Z", NULL, bad },
	};

	check_norm("norm_http_date", norm_http_date, c, NITEMS(c));
}

static void
test_uuid_is_lowercased_and_checked(void)
{
	static const char *const bad = "is not a UUID";
	static const struct norm_case c[] = {
		{ "70a599e0-31e7-49b7-b260-868f441e862b",
		  "70a599e0-31e7-49b7-b260-868f441e862b", NULL },
		{ "70A599E0-31E7-49B7-B260-868F441E862B",
		  "70a599e0-31e7-49b7-b260-868f441e862b", NULL },
		{ "00000000-0000-0000-0000-000000000000",
		  "00000000-0000-0000-0000-000000000000", NULL },
		{ "../../etc/passwd", NULL, bad },
		{ "", NULL, bad },
		{ "70a599e031e749b7b260868f441e862b", NULL, bad },
		{ "{70a599e0-31e7-49b7-b260-868f441e862b}", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862bb", NULL, bad },
		{ "70a599e0-31e7-49b7-b260_868f441e862b", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862g", NULL, bad },
		{ "70a599e031e7-49b7-b260--868f441e862b", NULL, bad },
		{ " 70a599e0-31e7-49b7-b260-868f441e862", NULL, bad },
		/* mixed case; the bytes next to the hex letters' ranges, in
		 * either case, and a byte past ASCII */
		{ "70a599E0-31e7-49B7-b260-868F441e862b",
		  "70a599e0-31e7-49b7-b260-868f441e862b", NULL },
		{ "70a599e0-31e7-49b7-b260-868f441e862G", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862@", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862`", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862/", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e862:", NULL, bad },
		{ "70a599e0-31e7-49b7-b260-868f441e86\xc3\xa1", NULL, bad },
	};

	check_norm("norm_uuid", norm_uuid, c, NITEMS(c));
}

static void
test_md5_is_lowercased_and_checked(void)
{
	static const char *const bad = "is not an MD5 checksum";
	static const struct norm_case c[] = {
		{ "c352f4e7121c6eae958bc1570324f17e",
		  "c352f4e7121c6eae958bc1570324f17e", NULL },
		{ "C352F4E7121C6EAE958BC1570324F17E",
		  "c352f4e7121c6eae958bc1570324f17e", NULL },
		{ "", NULL, bad },
		{ "c352f4e7121c6eae958bc1570324f17", NULL, bad },
		{ "c352f4e7121c6eae958bc1570324f17e0", NULL, bad },
		{ "\"c352f4e7121c6eae958bc1570324f17e\"", NULL, bad },
		{ "c352f4e7121c6eae958bc1570324f17z", NULL, bad },
		{ "c352f4e7-121c-6eae-958b-c1570324f17e", NULL, bad },
	};

	check_norm("norm_md5", norm_md5, c, NITEMS(c));
}

static void
test_status_keeps_glance_maps_nova_else_null(void)
{
	static const struct norm_case c[] = {
		{ "queued", "queued", NULL }, { "saving", "saving", NULL },
		{ "uploading", "uploading", NULL },
		{ "importing", "importing", NULL },
		{ "active", "active", NULL },
		{ "deactivated", "deactivated", NULL },
		{ "killed", "killed", NULL }, { "deleted", "deleted", NULL },
		{ "pending_delete", "pending_delete", NULL },
		/* Anything else is null, not an error; Nova's own statuses
		 * are its reader's to map (test_read_nova_v21). */
		{ "ACTIVE", NULL, NULL }, { "DELETED", NULL, NULL },
		{ "UNKNOWN", NULL, NULL }, { "Active", NULL, NULL },
		{ "", NULL, NULL }, { "QUEUED", NULL, NULL },
		{ "error", NULL, NULL }, { "active ", NULL, NULL },
	};
	char what[128];

	for (size_t i = 0; i < NITEMS(c); i++) {
		static char sentinel;
		char *out = &sentinel;		/* must be overwritten */
		const char *why = NULL;

		snprintf(what, sizeof what, "norm_status(\"%s\")", c[i].in);
		T_INT(norm_status(c[i].in, &out, &why), 0, what);
		T_STR(out, c[i].want, what);
		T_STR(why, NULL, what);
		if (out != &sentinel)
			free(out);
	}
}

static void
test_status_deleted_follows_status(void)
{
	static const struct {
		const char	*status;
		const char	*deleted;
	} c[] = {
		{ "active", "false" }, { "queued", "false" },
		{ "saving", "false" },
		{ "killed", "false" },
		/* Glance's own deleted states are deleted. */
		{ "deleted", "true" }, { "pending_delete", "true" },
		{ "UNKNOWN", NULL }, { "Deleted", NULL }, { "", NULL },
		{ "DELETED", NULL },
		{ NULL, NULL },
	};

	for (size_t i = 0; i < NITEMS(c); i++)
		T_STR(norm_status_deleted(c[i].status), c[i].deleted,
		    c[i].status != NULL ? c[i].status :
		    "norm_status_deleted(NULL)");
}

static void
test_visibility_four_values(void)
{
	static const char *const bad =
	    "is not public, private, shared or community";
	static const struct norm_case c[] = {
		{ "public", "public", NULL }, { "private", "private", NULL },
		{ "PUBLIC", "public", NULL }, { "Private", "private", NULL },
		{ "shared", "shared", NULL }, { "Community", "community", NULL },
		{ "hidden", NULL, bad },
		{ "", NULL, bad }, { "True", NULL, bad },
		{ "public ", NULL, bad },
	};

	check_norm("norm_visibility", norm_visibility, c, NITEMS(c));
}
int
main(void)
{
	test_bool_accepts_glance_spellings_in_any_case();
	test_int_is_whole_non_negative_64bit_decimal();
	test_time_is_rfc3339_converted_to_utc();
	test_http_date_accepts_the_three_http_forms();
	test_uuid_is_lowercased_and_checked();
	test_md5_is_lowercased_and_checked();
	test_status_keeps_glance_maps_nova_else_null();
	test_status_deleted_follows_status();
	test_visibility_four_values();
	return t_done();
}
