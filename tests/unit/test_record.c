/*
 * test_record.c: the canonical record and the mapping rules of DESIGN.md
 * section 3. Each test is named for the behaviour it shows; most are
 * tables of what an API sent and what the record holds, or why not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "t.h"
#include "record.h"
#include "record_json.h"
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
static char	*dump(const json_t *);
static void	test_field_info_lists_fields_in_table_order(void);
static void	test_field_lookup_finds_names_and_only_names(void);
static void	test_source_fields_in_output_order(void);
static void	test_bool_accepts_glance_spellings_in_any_case(void);
static void	test_int_is_whole_non_negative_64bit_decimal(void);
static void	test_time_is_rfc3339_converted_to_utc(void);
static void	test_http_date_accepts_the_three_http_forms(void);
static void	test_uuid_is_lowercased_and_checked(void);
static void	test_md5_is_lowercased_and_checked(void);
static void	test_status_keeps_glance_maps_nova_else_null(void);
static void	test_status_deleted_follows_status(void);
static void	test_visibility_four_values(void);
static void	test_set_dispatches_on_field_type(void);
static void	test_set_keeps_old_value_on_error(void);
static void	test_set_null_text_changes_nothing(void);
static void	test_set_unmapped_status_changes_nothing(void);
static void	test_set_string_must_be_utf8(void);
static void	test_set_raw_stores_as_is(void);
static void	test_set_json_accepts_the_field_types_json_form(void);
static void	test_prop_later_value_wins_before_and_after_sort(void);
static void	test_prop_sort_is_bytewise_and_keeps_last_source(void);
static void	test_prop_twenty_thousand_properties(void);
static void	test_prop_set_json_keeps_strings_dumps_the_rest(void);
static void	test_sources_grow_copy_and_clear(void);
static void	test_move_leaves_source_empty(void);
static void	test_clear_null_and_twice_is_harmless(void);
static void	test_to_json_writes_canonical_form(void);
static void	test_to_json_does_not_reorder_properties(void);
static void	test_json_text_escapes_as_jansson_dumps(void);
static void	test_json_text_of_raw_ints_is_what_jansson_dumps(void);
static void	test_json_text_appends_at_any_length(void);
static void	test_from_json_round_trip_is_identical(void);
static void	test_from_json_rejects_malformed_and_keeps_record(void);

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

static char *
dump(const json_t *j)
{
	return j == NULL ? NULL : json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void
test_field_info_lists_fields_in_table_order(void)
{
	static const struct {
		const char	*name;
		enum field_type	 type;
	} want[F__COUNT] = {
		{ "id", FT_UUID }, { "name", FT_STRING },
		{ "status", FT_STATUS }, { "visibility", FT_VISIBILITY },
		{ "protected", FT_BOOL }, { "container_format", FT_STRING },
		{ "disk_format", FT_STRING }, { "size", FT_INT },
		{ "virtual_size", FT_INT }, { "checksum", FT_MD5 },
		{ "min_ram", FT_INT }, { "min_disk", FT_INT },
		{ "owner", FT_STRING }, { "created_at", FT_TIME },
		{ "updated_at", FT_TIME }, { "deleted", FT_BOOL },
		{ "deleted_at", FT_TIME },
	};

	for (int i = 0; i < F__COUNT; i++) {
		T_STR(field_info[i].name, want[i].name, "field name in order");
		T_INT(field_info[i].type, want[i].type, want[i].name);
	}
}

static void
test_field_lookup_finds_names_and_only_names(void)
{
	for (int i = 0; i < F__COUNT; i++)
		T_INT(field_lookup(field_info[i].name), i, field_info[i].name);
	T_INT(field_lookup("ID"), -1, "field_lookup is case-sensitive");
	T_INT(field_lookup("minRam"), -1, "API names are not field names");
	T_INT(field_lookup(""), -1, "field_lookup(\"\")");
	T_INT(field_lookup("properties"), -1, "properties is not a field");
}

static void
test_source_fields_in_output_order(void)
{
	static const char *const want[S__COUNT] = {
		"file", "at", "api", "call", "date", "request_id",
		"project_id", "status", "url", "sha256"
	};

	for (int i = 0; i < S__COUNT; i++)
		T_STR(source_field_name[i], want[i], "source field in order");
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

static void
test_set_dispatches_on_field_type(void)
{
	static const struct {
		enum field	 f;
		const char	*in;
		const char	*want;
		const char	*why;
	} c[] = {
		{ F_ID, "70A599E0-31E7-49B7-B260-868F441E862B",
		  "70a599e0-31e7-49b7-b260-868f441e862b", NULL },
		{ F_ID, "../../etc/passwd", NULL, "is not a UUID" },
		{ F_NAME, "cirros-0.3.4-x86_64-uec", "cirros-0.3.4-x86_64-uec",
		  NULL },
		{ F_NAME, "", "", NULL },
		{ F_NAME, " Ubuntu 16.04 ", " Ubuntu 16.04 ", NULL },
		{ F_STATUS, "active", "active", NULL },
		{ F_VISIBILITY, "Public", "public", NULL },
		{ F_VISIBILITY, "True", NULL,
		    "is not public, private, shared or community" },
		{ F_PROTECTED, "False", "false", NULL },
		{ F_PROTECTED, "maybe", NULL, "is not a boolean" },
		{ F_CONTAINER_FORMAT, "ami", "ami", NULL },
		{ F_DISK_FORMAT, "QCOW2", "QCOW2", NULL },
		{ F_SIZE, "25165824", "25165824", NULL },
		{ F_SIZE, "-1", NULL, "is negative" },
		{ F_VIRTUAL_SIZE, "1.5", NULL, "is not a whole number" },
		{ F_CHECKSUM, "EEE1E7A8AB4A0B3AB8E3C7B6AB0A4B25",
		  "eee1e7a8ab4a0b3ab8e3c7b6ab0a4b25", NULL },
		{ F_CHECKSUM, "eee1", NULL, "is not an MD5 checksum" },
		{ F_MIN_RAM, "0512", "512", NULL },
		{ F_MIN_DISK, "18446744073709551616", NULL,
		  "is too big for 64 bits" },
		{ F_OWNER, "b8c3ba4ca3ce4e6cbc1d3a4cd7eb2a2d",
		  "b8c3ba4ca3ce4e6cbc1d3a4cd7eb2a2d", NULL },
		{ F_CREATED_AT, "2016-05-22T06:04:20.425843",
		  "2016-05-22T06:04:20.425843Z", NULL },
		{ F_UPDATED_AT, "2016-05-22 06:04:20+02:00",
		  "2016-05-22T04:04:20Z", NULL },
		{ F_DELETED, "0", "false", NULL },
		{ F_DELETED_AT, "yesterday", NULL,
		  "is not an RFC 3339 timestamp" },
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		struct record r;
		const char *why = NULL;
		char what[256];

		snprintf(what, sizeof what, "record_set(%s, \"%s\")",
		    field_info[c[i].f].name, c[i].in);
		record_init(&r);
		T_INT(record_set(&r, c[i].f, c[i].in, &why),
		    c[i].want != NULL ? 0 : -1, what);
		T_STR(r.f[c[i].f], c[i].want, what);
		T_STR(why, c[i].why, what);
		record_clear(&r);
	}
}

static void
test_set_keeps_old_value_on_error(void)
{
	static const struct {
		enum field	 f;
		const char	*good;
		const char	*bad;
	} c[] = {
		{ F_ID, "70a599e0-31e7-49b7-b260-868f441e862b", "x" },
		{ F_NAME, "cirros", "caf\xe9" },
		{ F_STATUS, "active", NULL },
		{ F_VISIBILITY, "public", "hidden" },
		{ F_PROTECTED, "true", "maybe" },
		{ F_SIZE, "25165824", "-1" },
		{ F_CHECKSUM, "eee1e7a8ab4a0b3ab8e3c7b6ab0a4b25", "nope" },
		{ F_CREATED_AT, "2016-05-22T06:04:20Z", "2016-02-30T00:00:00Z" },
	};
	struct record r;
	const char *why;

	record_init(&r);
	for (size_t i = 0; i < NITEMS(c); i++) {
		const char *name = field_info[c[i].f].name;

		T_INT(record_set(&r, c[i].f, c[i].good, &why), 0, name);
		if (c[i].bad == NULL)
			continue;
		T_INT(record_set(&r, c[i].f, c[i].bad, &why), -1, name);
		T_STR(r.f[c[i].f], c[i].good, "old value kept after error");
	}
	record_clear(&r);
}

static void
test_set_null_text_changes_nothing(void)
{
	struct record r;
	const char *why = "untouched";

	record_init(&r);
	T_INT(record_set(&r, F_NAME, NULL, &why), 0, "set NULL on null");
	T_STR(r.f[F_NAME], NULL, "null stays null");
	record_set(&r, F_NAME, "cirros", &why);
	record_set(&r, F_SIZE, "1", &why);
	T_INT(record_set(&r, F_NAME, NULL, &why), 0, "set NULL on string");
	T_INT(record_set(&r, F_SIZE, NULL, &why), 0, "set NULL on int");
	T_STR(r.f[F_NAME], "cirros", "NULL does not erase a string");
	T_STR(r.f[F_SIZE], "1", "NULL does not erase an int");
	T_STR(why, "untouched", "no reason given for NULL");
	record_clear(&r);
}

static void
test_set_unmapped_status_changes_nothing(void)
{
	struct record r;
	const char *why = NULL;

	record_init(&r);
	T_INT(record_set(&r, F_STATUS, "UNKNOWN", &why), 0,
	    "unmapped status is not an error");
	T_STR(r.f[F_STATUS], NULL, "unmapped status is null");
	record_set(&r, F_STATUS, "active", &why);
	T_INT(record_set(&r, F_STATUS, "UNKNOWN", &why), 0,
	    "unmapped status over a value");
	T_STR(r.f[F_STATUS], "active", "unmapped status erases nothing");
	T_STR(why, NULL, "no reason for an unmapped status");
	record_clear(&r);
}

static void
test_set_string_must_be_utf8(void)
{
	static const struct {
		const char	*in;
		int		 ok;
	} c[] = {
		{ "caf\xc3\xa9", 1 }, { "\xe2\x82\xac 5", 1 },
		{ "\xf0\x9f\x90\xa7", 1 }, { "plain", 1 },
		{ "caf\xe9", 0 }, { "\xc0\xaf", 0 }, { "\xed\xa0\x80", 0 },
		{ "\xff", 0 }, { "\xe2\x82", 0 },
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		struct record r;
		const char *why = NULL;

		record_init(&r);
		T_INT(record_set(&r, F_OWNER, c[i].in, &why),
		    c[i].ok ? 0 : -1, "UTF-8 check of a string field");
		T_STR(r.f[F_OWNER], c[i].ok ? c[i].in : NULL,
		    "string field value");
		T_STR(why, c[i].ok ? NULL : "is not valid UTF-8",
		    "string field reason");
		record_clear(&r);
	}
}

static void
test_set_raw_stores_as_is(void)
{
	struct record r;

	record_init(&r);
	record_set_raw(&r, F_SIZE, "12");
	T_STR(r.f[F_SIZE], "12", "raw int");
	record_set_raw(&r, F_STATUS, "whatever");
	T_STR(r.f[F_STATUS], "whatever", "raw stores without checks");
	record_set_raw(&r, F_SIZE, NULL);
	T_STR(r.f[F_SIZE], NULL, "raw NULL clears");
	record_clear(&r);
}

static void
test_set_json_accepts_the_field_types_json_form(void)
{
	static const struct {
		enum field	 f;
		const char	*json;
		const char	*want;
		const char	*why;
	} c[] = {
		{ F_SIZE, "25165824", "25165824", NULL },
		{ F_SIZE, "\"74185822\"", "74185822", NULL },
		{ F_SIZE, "0", "0", NULL },
		{ F_SIZE, "9223372036854775807", "9223372036854775807", NULL },
		{ F_SIZE, "-1", NULL, "is negative" },
		{ F_SIZE, "\"-1\"", NULL, "is negative" },
		{ F_SIZE, "1.5", NULL, "is not a whole number" },
		{ F_SIZE, "2.0", NULL, "is not a whole number" },
		{ F_SIZE, "1e3", NULL, "is not a whole number" },
		{ F_SIZE, "-2.5", NULL, "is negative" },
		{ F_SIZE, "\"18446744073709551616\"", NULL,
		  "is too big for 64 bits" },
		{ F_SIZE, "true", NULL, "is a boolean, not a number" },
		{ F_SIZE, "{}", NULL, "is an object, not a number" },
		{ F_SIZE, "[1]", NULL, "is an array, not a number" },
		{ F_PROTECTED, "true", "true", NULL },
		{ F_PROTECTED, "false", "false", NULL },
		{ F_PROTECTED, "\"True\"", "true", NULL },
		{ F_PROTECTED, "1", NULL, "is a number, not a boolean" },
		{ F_PROTECTED, "[]", NULL, "is an array, not a boolean" },
		{ F_NAME, "\"cirros\"", "cirros", NULL },
		{ F_NAME, "\"caf\\u00e9\"", "caf\xc3\xa9", NULL },
		{ F_NAME, "\"a\\u0000b\"", NULL, "contains a NUL character" },
		{ F_NAME, "12", NULL, "is a number, not a string" },
		{ F_NAME, "1.5", NULL, "is a number, not a string" },
		{ F_NAME, "true", NULL, "is a boolean, not a string" },
		{ F_NAME, "{\"a\":1}", NULL, "is an object, not a string" },
		{ F_NAME, "[\"a\"]", NULL, "is an array, not a string" },
		{ F_ID, "\"70A599E0-31E7-49B7-B260-868F441E862B\"",
		  "70a599e0-31e7-49b7-b260-868f441e862b", NULL },
		{ F_ID, "42", NULL, "is a number, not a string" },
		{ F_STATUS, "\"deleted\"", "deleted", NULL },
		{ F_STATUS, "\"UNKNOWN\"", NULL, NULL },
		{ F_CREATED_AT, "\"2016-05-22T06:04:20Z\"",
		  "2016-05-22T06:04:20Z", NULL },
		{ F_CREATED_AT, "1463897060", NULL,
		  "is a number, not a string" },
		{ F_VISIBILITY, "false", NULL, "is a boolean, not a string" },
		{ F_CHECKSUM, "null", NULL, NULL },
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		struct record r;
		json_error_t err;
		json_t *j = json_loads(c[i].json, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, &err);
		const char *why = NULL;
		char what[256];

		snprintf(what, sizeof what, "record_set_json(%s, %s)",
		    field_info[c[i].f].name, c[i].json);
		T_OK(j != NULL, c[i].json);
		record_init(&r);
		T_INT(record_set_json(&r, c[i].f, j, &why),
		    c[i].why == NULL ? 0 : -1, what);
		T_STR(r.f[c[i].f], c[i].want, what);
		T_STR(why, c[i].why, what);
		record_clear(&r);
		json_decref(j);
	}
}

static void
test_prop_later_value_wins_before_and_after_sort(void)
{
	struct record r;
	const struct prop *p;

	record_init(&r);
	record_prop_set(&r, "os_distro", "ubuntu");
	record_prop_set(&r, "hw_disk_bus", "scsi");
	record_prop_set(&r, "os_distro", "debian");
	record_prop_set(&r, "kernel_id", NULL);
	p = record_prop_get(&r, "os_distro");
	T_OK(p != NULL, "get before sort finds the key");
	T_STR(p != NULL ? p->value : NULL, "debian", "later value wins");
	p = record_prop_get(&r, "kernel_id");
	T_OK(p != NULL, "a null property is present");
	T_STR(p != NULL ? p->value : "x", NULL, "a null property is null");
	T_OK(record_prop_get(&r, "absent") == NULL, "absent key");

	record_sort(&r);
	T_INT(r.nprops, 3, "sort drops the earlier duplicate");
	p = record_prop_get(&r, "os_distro");
	T_STR(p != NULL ? p->value : NULL, "debian", "later value wins");
	T_STR(r.props[0].key, "hw_disk_bus", "sorted 0");
	T_STR(r.props[1].key, "kernel_id", "sorted 1");
	T_STR(r.props[2].key, "os_distro", "sorted 2");
	T_OK(record_prop_get(&r, "absent") == NULL, "absent key, sorted");

	/* Setting after a sort still wins. */
	record_prop_set(&r, "hw_disk_bus", "virtio");
	p = record_prop_get(&r, "hw_disk_bus");
	T_STR(p != NULL ? p->value : NULL, "virtio", "set after sort wins");
	record_sort(&r);
	T_INT(r.nprops, 3, "re-sort drops the duplicate");
	T_STR(r.props[0].value, "virtio", "re-sort keeps the last value");
	record_clear(&r);
}

static void
test_prop_sort_is_bytewise_and_keeps_last_source(void)
{
	static const struct {
		const char	*key;
		const char	*value;
		size_t		 src;
	} in[] = {
		{ "b", "1", 0 }, { "a", "2", 0 }, { "\xc3\xa9", "3", 1 },
		{ "B", "4", 1 }, { "b", "5", 2 }, { "a_b", "6", 2 },
		{ "a", "7", 3 }, { "", "8", 3 }, { "b", "9", 4 },
		{ "a-b", "10", 4 },
	};
	static const struct {
		const char	*key;
		const char	*value;
		size_t		 src;
	} want[] = {
		{ "", "8", 3 }, { "B", "4", 1 }, { "a", "7", 3 },
		{ "a-b", "10", 4 }, { "a_b", "6", 2 }, { "b", "9", 4 },
		{ "\xc3\xa9", "3", 1 },
	};
	struct record r;

	record_init(&r);
	for (size_t i = 0; i < NITEMS(in); i++) {
		record_prop_set(&r, in[i].key, in[i].value);
		r.props[r.nprops - 1].src = in[i].src;
	}
	record_sort(&r);
	T_INT(r.nprops, NITEMS(want), "one entry per key");
	for (size_t i = 0; i < NITEMS(want) && i < r.nprops; i++) {
		T_STR(r.props[i].key, want[i].key, "bytewise key order");
		T_STR(r.props[i].value, want[i].value, "last value kept");
		T_INT(r.props[i].src, want[i].src, "last value's source kept");
	}
	record_clear(&r);
}

static void
test_prop_twenty_thousand_properties(void)
{
	enum { N = 20000 };
	struct record r;
	char key[32], val[32];
	int ok = 1;

	record_init(&r);
	/* Descending keys, each set twice: the worst case for naive code. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = N - 1; i >= 0; i--) {
			snprintf(key, sizeof key, "k%05d", i);
			snprintf(val, sizeof val, "%d-%d", i, pass);
			record_prop_set(&r, key, val);
		}
	T_INT(r.nprops, 2 * N, "set appends");
	record_sort(&r);
	T_INT(r.nprops, N, "sort leaves one entry per key");
	for (int i = 0; i < N && ok; i++) {
		snprintf(key, sizeof key, "k%05d", i);
		snprintf(val, sizeof val, "%d-1", i);
		ok = strcmp(r.props[i].key, key) == 0 &&
		    strcmp(r.props[i].value, val) == 0;
	}
	T_OK(ok, "20,000 keys sorted, each with its last value");
	record_clear(&r);
}

static void
test_prop_set_json_keeps_strings_dumps_the_rest(void)
{
	static const struct {
		const char	*json;
		const char	*want;
		int		 rv;
	} c[] = {
		{ "\"virtio\"", "virtio", 0 },
		{ "\"\"", "", 0 },
		{ "\" 007 \"", " 007 ", 0 },
		{ "\"caf\\u00e9\"", "caf\xc3\xa9", 0 },
		{ "null", NULL, 0 },
		{ "1", "1", 0 },
		{ "-42", "-42", 0 },
		{ "true", "true", 0 },
		{ "false", "false", 0 },
		{ "1.5", "1.5", 0 },
		{ "0.1", "0.1", 0 },
		{ "2.0", "2.0", 0 },
		{ "1e3", "1000.0", 0 },
		{ "{\"a\": [1, true, null], \"b\": \"x\"}",
		  "{\"a\":[1,true,null],\"b\":\"x\"}", 0 },
		{ "100.0", "100.0", 0 },
		{ "1e20", "1e20", 0 },
		{ "0.00001", "1e-5", 0 },
		{ "-0.5", "-0.5", 0 },
		{ "3.141592653589793", "3.141592653589793", 0 },
		{ "[0.1, 0.25]", "[0.1,0.25]", 0 },
		{ "[]", "[]", 0 },
		{ "\"a\\u0000b\"", NULL, -1 },
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		struct record r;
		json_error_t err;
		json_t *j = json_loads(c[i].json, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, &err);
		const struct prop *p;
		const char *why = NULL;

		T_OK(j != NULL, c[i].json);
		record_init(&r);
		T_INT(record_prop_set_json(&r, "k", j, &why), c[i].rv,
		    c[i].json);
		p = record_prop_get(&r, "k");
		if (c[i].rv == 0) {
			T_OK(p != NULL, c[i].json);
			T_STR(p != NULL ? p->value : "absent", c[i].want,
			    c[i].json);
		} else {
			T_OK(p == NULL, "no property on error");
			T_STR(why, "contains a NUL character", c[i].json);
		}
		record_clear(&r);
		json_decref(j);
	}
}

static void
test_sources_grow_copy_and_clear(void)
{
	struct record r;
	struct source *s, copy;
	char file[32];

	record_init(&r);
	for (int i = 0; i < 100; i++) {
		s = record_add_source(&r);
		for (int j = 0; j < S__COUNT; j++)
			T_OK(i % 25 != 0 || s->v[j] == NULL,
			    "a new source is empty");
		snprintf(file, sizeof file, "f%d.json", i);
		source_set(s, S_FILE, file);
	}
	T_INT(r.nsrcs, 100, "100 sources");
	T_STR(r.srcs[0].v[S_FILE], "f0.json", "first source kept");
	T_STR(r.srcs[99].v[S_FILE], "f99.json", "last source kept");

	s = &r.srcs[0];
	source_set(s, S_STATUS, "ACTIVE");
	source_set(s, S_STATUS, "DELETED");
	T_STR(s->v[S_STATUS], "DELETED", "source_set replaces");
	source_set(s, S_STATUS, NULL);
	T_STR(s->v[S_STATUS], NULL, "source_set NULL clears");

	memset(&copy, 0, sizeof copy);
	source_set(&copy, S_URL, "http://old");
	source_set(s, S_API, "v2.1");
	source_copy(&copy, s);
	T_STR(copy.v[S_FILE], "f0.json", "copy has file");
	T_STR(copy.v[S_API], "v2.1", "copy has api");
	T_STR(copy.v[S_URL], NULL, "copy replaces what dst had");
	T_OK(copy.v[S_FILE] != s->v[S_FILE], "copy is deep");
	source_clear(&copy);
	for (int j = 0; j < S__COUNT; j++)
		T_STR(copy.v[j], NULL, "source_clear empties");
	source_clear(&copy);
	record_clear(&r);
}

static void
test_move_leaves_source_empty(void)
{
	struct record a, b;
	const char *why;

	record_init(&a);
	record_init(&b);
	record_set(&a, F_NAME, "a", &why);
	record_prop_set(&a, "k", "v");
	source_set(record_add_source(&a), S_FILE, "a.json");
	record_set(&b, F_NAME, "b", &why);
	record_prop_set(&b, "old", "x");

	record_move(&b, &a);
	T_STR(b.f[F_NAME], "a", "dst has src's fields");
	T_INT(b.nprops, 1, "dst has src's properties only");
	T_STR(b.props[0].key, "k", "dst property");
	T_INT(b.nsrcs, 1, "dst has src's sources");
	T_STR(a.f[F_NAME], NULL, "src left empty: fields");
	T_INT(a.nprops, 0, "src left empty: properties");
	T_INT(a.nsrcs, 0, "src left empty: sources");
	T_OK(a.props == NULL && a.srcs == NULL, "src holds no memory");
	record_move(&b, &b);
	T_STR(b.f[F_NAME], "a", "move onto itself changes nothing");
	record_clear(&a);
	record_clear(&b);
}

static void
test_clear_null_and_twice_is_harmless(void)
{
	struct record r;
	const char *why;

	record_clear(NULL);
	record_init(&r);
	for (int i = 0; i < F__COUNT; i++)
		T_STR(r.f[i], NULL, "record_init: fields null");
	T_OK(r.nprops == 0 && r.nsrcs == 0 && r.props == NULL &&
	    r.srcs == NULL, "record_init: no properties or sources");
	record_set(&r, F_NAME, "x", &why);
	record_prop_set(&r, "k", "v");
	record_add_source(&r);
	record_clear(&r);
	T_OK(r.f[F_NAME] == NULL && r.nprops == 0 && r.nsrcs == 0,
	    "record_clear leaves an empty record");
	record_clear(&r);
	T_OK(1, "record_clear twice and record_clear(NULL)");
}

static void
test_to_json_writes_canonical_form(void)
{
	static const char want[] =
	    "{\"id\":\"70a599e0-31e7-49b7-b260-868f441e862b\","
	    "\"name\":\"cirros\","
	    "\"status\":\"active\","
	    "\"visibility\":\"public\","
	    "\"protected\":false,"
	    "\"container_format\":\"ami\","
	    "\"disk_format\":\"ami\","
	    "\"size\":25165824,"
	    "\"virtual_size\":null,"
	    "\"checksum\":\"eb9139e4942121f22bbc2afc0400b2a4\","
	    "\"min_ram\":0,"
	    "\"min_disk\":0,"
	    "\"owner\":null,"
	    "\"created_at\":\"2016-05-22T06:04:20.425843Z\","
	    "\"updated_at\":null,"
	    "\"deleted\":false,"
	    "\"deleted_at\":null,"
	    "\"properties\":{\"kernel_id\":null,\"os_distro\":\"cirros\"},"
	    "\"sources\":[{\"file\":\"detail.json\",\"at\":\"0#/images/3\","
	    "\"api\":\"v1.1\",\"call\":\"detail\",\"date\":null,"
	    "\"request_id\":null,\"project_id\":null,\"status\":\"active\","
	    "\"url\":null,\"sha256\":null}]}";
	struct record r;
	struct source *s;
	const char *why;
	json_t *j;
	char *text;

	record_init(&r);
	record_set(&r, F_ID, "70a599e0-31e7-49b7-b260-868f441e862b", &why);
	record_set(&r, F_NAME, "cirros", &why);
	record_set(&r, F_STATUS, "active", &why);
	record_set(&r, F_VISIBILITY, "public", &why);
	record_set(&r, F_PROTECTED, "False", &why);
	record_set(&r, F_CONTAINER_FORMAT, "ami", &why);
	record_set(&r, F_DISK_FORMAT, "ami", &why);
	record_set(&r, F_SIZE, "25165824", &why);
	record_set(&r, F_CHECKSUM, "eb9139e4942121f22bbc2afc0400b2a4", &why);
	record_set(&r, F_MIN_RAM, "0", &why);
	record_set(&r, F_MIN_DISK, "0", &why);
	record_set(&r, F_CREATED_AT, "2016-05-22T06:04:20.425843", &why);
	record_set(&r, F_DELETED, "False", &why);
	record_prop_set(&r, "os_distro", "cirros");
	record_prop_set(&r, "kernel_id", NULL);
	record_sort(&r);
	s = record_add_source(&r);
	source_set(s, S_FILE, "detail.json");
	source_set(s, S_AT, "0#/images/3");
	source_set(s, S_API, "v1.1");
	source_set(s, S_CALL, "detail");
	source_set(s, S_STATUS, "active");

	j = record_json_value(&r);
	text = dump(j);
	T_STR(text, want, "record_json_value, compact");
	free(text);
	json_decref(j);
	{
		struct buf b = BUF_INIT;

		T_INT(record_json_text(&r, &b), 0, "record_json_text");
		T_STR(buf_cstr(&b), want, "record_json_text: the same text");
		buf_free(&b);
	}

	/* An empty record: every field null, no properties, no sources. */
	record_clear(&r);
	j = record_json_value(&r);
	text = dump(j);
	T_STR(text,
	    "{\"id\":null,\"name\":null,\"status\":null,\"visibility\":null,"
	    "\"protected\":null,\"container_format\":null,"
	    "\"disk_format\":null,\"size\":null,\"virtual_size\":null,"
	    "\"checksum\":null,\"min_ram\":null,\"min_disk\":null,"
	    "\"owner\":null,\"created_at\":null,\"updated_at\":null,"
	    "\"deleted\":null,\"deleted_at\":null,\"properties\":{},"
	    "\"sources\":[]}", "record_json_value of an empty record");
	free(text);
	json_decref(j);

	/* The largest size is a JSON integer, not a rounded real. */
	record_set(&r, F_SIZE, "9223372036854775807", &why);
	j = record_json_value(&r);
	text = dump(json_object_get(j, "size"));
	T_STR(text, "9223372036854775807", "INT64_MAX size");
	free(text);
	json_decref(j);
	record_clear(&r);
}

static void
test_to_json_does_not_reorder_properties(void)
{
	struct record r;
	json_t *j;
	char *text;

	record_init(&r);
	record_prop_set(&r, "z", "1");
	record_prop_set(&r, "a", "2");
	j = record_json_value(&r);
	text = dump(json_object_get(j, "properties"));
	T_STR(text, "{\"z\":\"1\",\"a\":\"2\"}", "properties in record order");
	T_STR(r.props[0].key, "z", "record_json_value leaves the record as is");
	free(text);
	json_decref(j);
	record_clear(&r);
}

static void
test_from_json_round_trip_is_identical(void)
{
	static const char *const lines[] = {
	    "{\"id\":\"70a599e0-31e7-49b7-b260-868f441e862b\",\"name\":\"caf\\u00e9\","
	    "\"status\":\"pending_delete\",\"visibility\":\"private\","
	    "\"protected\":true,\"container_format\":\"bare\","
	    "\"disk_format\":\"qcow2\",\"size\":9223372036854775807,"
	    "\"virtual_size\":0,\"checksum\":\"eb9139e4942121f22bbc2afc0400b2a4\","
	    "\"min_ram\":512,\"min_disk\":1,\"owner\":\"\","
	    "\"created_at\":\"2016-05-22T06:04:20.425843Z\","
	    "\"updated_at\":\"2016-05-22T06:04:20.100Z\",\"deleted\":true,"
	    "\"deleted_at\":\"2016-12-31T23:59:60Z\","
	    "\"properties\":{\"\":\"\",\"a\":null,\"b\":\"1.5\"},"
	    "\"sources\":[{\"file\":\"a.json\",\"at\":\"0#/image\",\"api\":\"v2.1\","
	    "\"call\":\"show\",\"date\":\"2016-05-23T02:29:54Z\","
	    "\"request_id\":\"req-1\",\"project_id\":\"p\",\"status\":\"ACTIVE\","
	    "\"url\":\"http://x/v2.1/p/images/1\",\"sha256\":null},"
	    "{\"file\":\"-\",\"at\":null,"
	    "\"api\":null,\"call\":null,\"date\":null,\"request_id\":null,"
	    "\"project_id\":null,\"status\":null,\"url\":null,"
	    "\"sha256\":null}]}",
	    "{\"id\":null,\"name\":null,\"status\":null,\"visibility\":null,"
	    "\"protected\":null,\"container_format\":null,"
	    "\"disk_format\":null,\"size\":null,\"virtual_size\":null,"
	    "\"checksum\":null,\"min_ram\":null,\"min_disk\":null,"
	    "\"owner\":null,\"created_at\":null,\"updated_at\":null,"
	    "\"deleted\":null,\"deleted_at\":null,\"properties\":{},"
	    "\"sources\":[]}",
	};

	for (size_t i = 0; i < NITEMS(lines); i++) {
		struct record r;
		json_error_t err;
		json_t *in = json_loads(lines[i], 0, &err), *out;
		const char *why = NULL;
		char *text, *text2;

		T_OK(in != NULL, "round trip input parses");
		record_init(&r);
		T_INT(record_json_read(&r, in, &why), 0, "record_json_read");
		T_STR(why, NULL, "no reason on success");
		out = record_json_value(&r);
		text = dump(out);
		text2 = dump(in);
		T_STR(text, text2, "JSON -> record -> JSON is identical");
		free(text);
		free(text2);
		json_decref(out);
		json_decref(in);
		record_clear(&r);
	}
}

static void
test_from_json_rejects_malformed_and_keeps_record(void)
{
	static const struct {
		const char	*json;
		const char	*why;
	} c[] = {
		{ "[]", "is not a JSON object" },
		{ "\"x\"", "is not a JSON object" },
		{ "{\"id\":\"nope\"}", "is not a UUID" },
		{ "{\"size\":-1}", "is negative" },
		{ "{\"size\":\"x\"}", "is not a whole non-negative number" },
		{ "{\"protected\":\"maybe\"}", "is not a boolean" },
		{ "{\"colour\":\"red\"}", "has an unknown member" },
		{ "{\"properties\":[]}",
		  "has \"properties\" that is not an object" },
		{ "{\"sources\":{}}", "has \"sources\" that is not an array" },
		{ "{\"sources\":[1]}", "has a source that is not an object" },
		{ "{\"sources\":[{\"file\":1}]}",
		  "has a source value that is not a string" },
		{ "{\"sources\":[{\"colour\":\"red\"}]}",
		  "has a source with an unknown member" },
	};

	for (size_t i = 0; i < NITEMS(c); i++) {
		struct record r;
		json_error_t err;
		json_t *j = json_loads(c[i].json, JSON_DECODE_ANY, &err);
		const char *why = NULL;

		T_OK(j != NULL, c[i].json);
		record_init(&r);
		record_prop_set(&r, "kept", "yes");
		T_INT(record_json_read(&r, j, &why), -1, c[i].json);
		T_STR(why, c[i].why, c[i].json);
		T_OK(r.nprops == 1 && r.f[F_ID] == NULL,
		    "record unchanged after a failed read");
		record_clear(&r);
		json_decref(j);
	}
}

/*
 * record_json_text and record_json_props_text write what jansson's dump
 * writes: every byte 0x01-0x7f in a value, a key and a source field,
 * multi-byte UTF-8, the empty string, a 64-bit size; and refuse what
 * jansson refuses (a string that is not UTF-8).
 */
static void
test_json_text_escapes_as_jansson_dumps(void)
{
	char all[128], what[64];
	struct record r;
	struct buf b = BUF_INIT;
	const char *why;
	json_t *j, *props;
	char *want;

	for (int c = 1; c < 128; c++)
		all[c - 1] = (char)c;
	all[127] = '\0';
	record_init(&r);
	record_set(&r, F_ID, "70a599e0-31e7-49b7-b260-868f441e862b", &why);
	record_set(&r, F_NAME, all, &why);
	record_set(&r, F_OWNER, "", &why);
	record_set(&r, F_SIZE, "18446744073709551615", &why);
	record_set(&r, F_VIRTUAL_SIZE, "9223372036854775807", &why);
	record_set(&r, F_PROTECTED, "yes", &why);
	record_prop_set(&r, all, "\u00e9\u65e5\U0001f600 \x1f\x7f\"\\/");
	record_prop_set(&r, "", "");
	record_prop_set(&r, "null", NULL);
	record_sort(&r);
	source_set(record_add_source(&r), S_FILE, all);
	source_set(record_add_source(&r), S_AT, "1#/images/0");

	j = record_json_value(&r);
	want = dump(j);
	T_OK(want != NULL, "jansson dumps the record");
	T_INT(record_json_text(&r, &b), 0, "record_json_text, every byte");
	T_STR(buf_cstr(&b), want, "record_json_text: as jansson dumps it");
	free(want);
	/* what one observation said: no id, no sources, no nulls */
	{
		json_t *said = json_deep_copy(j), *v;
		const char *key;
		void *tmp;
		struct record e;

		json_object_del(said, "id");
		json_object_del(said, "sources");
		json_object_foreach_safe(said, tmp, key, v)
			if (json_is_null(v))
				json_object_del(said, key);
		want = dump(said);
		buf_reset(&b);
		T_INT(record_json_said_text(&r, &b), 0, "record_json_said_text");
		T_STR(buf_cstr(&b), want, "record_json_said_text: the record "
		    "without id, sources and nulls");
		free(want);
		json_decref(said);
		record_init(&e);
		buf_reset(&b);
		record_json_said_text(&e, &b);
		T_STR(buf_cstr(&b), "{}", "record_json_said_text: said nothing");
		record_set_raw(&e, F_NAME, "n");
		source_set(record_add_source(&e), S_FILE, "f");
		source_set(record_add_source(&e), S_FILE, "g");
		buf_reset(&b);
		record_json_text_ex(&e, "observation",
		    (const char *const[]){ "{}", "{\"name\":\"n\"}" }, &b);
		T_OK(strstr(b.data, "\"sha256\":null,\"observation\":{}},"
		    "{\"file\":\"g\"") != NULL && strstr(b.data,
		    "\"sha256\":null,\"observation\":{\"name\":\"n\"}}]}") !=
		    NULL,
		    "record_json_text_ex: the extra member ends each source");
		record_clear(&e);
	}
	props = json_object_get(j, "properties");
	want = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
	buf_reset(&b);
	T_INT(record_json_props_text(&r, &b), 0, "record_json_props_text");
	T_STR(buf_cstr(&b), want, "record_json_props_text: as jansson dumps "
	    "the properties, keys sorted");
	free(want);
	json_decref(j);

	/* not UTF-8, in a field, a key, a value: refused (source_set
	 * turns what is not UTF-8 into UTF-8 already) */
	for (int k = 0; k < 7; k++) {
		/* a lead byte at the end, a bad lead, a bad continuation,
		 * an overlong '/', a UTF-16 surrogate, a 4-byte character
		 * cut short, a code point past U+10FFFF */
		static const char *const name[] = {
			"caf\xe9", NULL, NULL, "/\xc0\xaf", "a\xed\xa0\x80" "b",
			"x\xf0\x9f\x98", "\xf4\x90\x80\x80"
		};
		struct record bad;

		record_init(&bad);
		record_set_raw(&bad, F_ID, "70a599e0-31e7-49b7-b260-868f441e862b");
		if (k == 1)
			record_prop_set(&bad, "k\xff", "v");
		else if (k == 2)
			record_prop_set(&bad, "k", "\xc3(");
		else
			record_set_raw(&bad, F_NAME, name[k]);
		snprintf(what, sizeof what, "not UTF-8 (%d): refused", k);
		buf_reset(&b);
		T_INT(record_json_text(&bad, &b), -1, what);
		j = record_json_value(&bad);
		T_OK(j == NULL, "jansson refuses it too");
		json_decref(j);
		record_clear(&bad);
	}
	buf_free(&b);
	record_clear(&r);
}

/* record_json_text copies a canonical int as it is; what record_set_raw
 * stored unchecked is what strtoll reads of it, as record_json_value has it */
static void
test_json_text_of_raw_ints_is_what_jansson_dumps(void)
{
	static const char *const raw[] = {
		"0", "7", "1174333969", "999999999999999999",
		"1000000000000000000", "9223372036854775807",
		"9223372036854775808", "99999999999999999999", "007", "00",
		"", "-5", "+5", "12abc", "abc", " 3"
	};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < NITEMS(raw); i++) {
		struct record r;
		json_t *j;
		char *want, what[80];

		record_init(&r);
		record_set_raw(&r, F_SIZE, raw[i]);
		record_set_raw(&r, F_MIN_RAM, raw[i]);
		j = record_json_value(&r);
		want = dump(j);
		buf_reset(&b);
		snprintf(what, sizeof what, "raw int \"%s\": as jansson "
		    "dumps it", raw[i]);
		T_INT(record_json_text(&r, &b), 0, what);
		T_STR(buf_cstr(&b), want, what);
		free(want);
		json_decref(j);
		record_clear(&r);
	}
	buf_free(&b);
}

/* Appended to a buffer already holding 0 to 300 bytes (every place the
 * buffer may have to grow), each text is the same, NUL-terminated, and
 * leaves what was there before as it was. */
static void
test_json_text_appends_at_any_length(void)
{
	struct record r;
	struct buf want = BUF_INIT, said = BUF_INIT, props = BUF_INIT;
	int ok = 1;

	record_init(&r);
	record_set_raw(&r, F_ID, "70a599e0-31e7-49b7-b260-868f441e862b");
	record_set_raw(&r, F_NAME, "tab\there \"q\" \xc3\xa9\x01");
	record_set_raw(&r, F_SIZE, "1174333969");
	record_set_raw(&r, F_DELETED, "false");
	record_prop_set(&r, "k", "v\\");
	source_set(record_add_source(&r), S_FILE, "f.json");
	record_json_text(&r, &want);
	record_json_said_text(&r, &said);
	record_json_props_text(&r, &props);
	for (size_t pre = 0; pre <= 300 && ok; pre++) {
		const struct buf *const wants[] = { &want, &said, &props };

		for (int k = 0; k < 3 && ok; k++) {
			struct buf b = BUF_INIT;
			int rc;

			for (size_t i = 0; i < pre; i++)
				buf_addc(&b, (char)('a' + i % 26));
			rc = k == 0 ? record_json_text(&r, &b) : k == 1 ?
			    record_json_said_text(&r, &b) :
			    record_json_props_text(&r, &b);
			ok = rc == 0 && b.len == pre + wants[k]->len &&
			    strlen(b.data) == b.len &&
			    memcmp(b.data + pre, wants[k]->data,
			    wants[k]->len) == 0;
			for (size_t i = 0; i < pre && ok; i++)
				ok = b.data[i] == (char)('a' + i % 26);
			buf_free(&b);
		}
	}
	T_OK(ok, "json texts appended after 0 to 300 bytes: the same text, "
	    "NUL-terminated, the bytes before kept");
	buf_free(&want);
	buf_free(&said);
	buf_free(&props);
	record_clear(&r);
}

int
main(void)
{
	test_field_info_lists_fields_in_table_order();
	test_field_lookup_finds_names_and_only_names();
	test_source_fields_in_output_order();
	test_bool_accepts_glance_spellings_in_any_case();
	test_int_is_whole_non_negative_64bit_decimal();
	test_time_is_rfc3339_converted_to_utc();
	test_http_date_accepts_the_three_http_forms();
	test_uuid_is_lowercased_and_checked();
	test_md5_is_lowercased_and_checked();
	test_status_keeps_glance_maps_nova_else_null();
	test_status_deleted_follows_status();
	test_visibility_four_values();
	test_set_dispatches_on_field_type();
	test_set_keeps_old_value_on_error();
	test_set_null_text_changes_nothing();
	test_set_unmapped_status_changes_nothing();
	test_set_string_must_be_utf8();
	test_set_raw_stores_as_is();
	test_set_json_accepts_the_field_types_json_form();
	test_prop_later_value_wins_before_and_after_sort();
	test_prop_sort_is_bytewise_and_keeps_last_source();
	test_prop_twenty_thousand_properties();
	test_prop_set_json_keeps_strings_dumps_the_rest();
	test_sources_grow_copy_and_clear();
	test_move_leaves_source_empty();
	test_clear_null_and_twice_is_harmless();
	test_to_json_writes_canonical_form();
	test_to_json_does_not_reorder_properties();
	test_json_text_escapes_as_jansson_dumps();
	test_json_text_of_raw_ints_is_what_jansson_dumps();
	test_json_text_appends_at_any_length();
	test_from_json_round_trip_is_identical();
	test_from_json_rejects_malformed_and_keeps_record();
	return t_done();
}
