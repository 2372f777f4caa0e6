/*
 * test_record.c: the canonical record (record.c): the field table, the
 * normalising setters, properties and sources. Each test is named for the
 * behaviour it shows; most are tables of what an API sent and what the
 * record holds, or why not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "record.h"
#include "util.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

int	main(void);
static void	test_field_info_lists_fields_in_table_order(void);
static void	test_field_lookup_finds_names_and_only_names(void);
static void	test_source_fields_in_output_order(void);
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
static void	test_pooled_record_holds_what_a_plain_one_does(void);

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
		struct jv_doc d = JV_DOC_INIT;
		char what[256];

		snprintf(what, sizeof what, "record_set_json(%s, %s)",
		    field_info[c[i].f].name, c[i].json);
		T_OK(j != NULL, c[i].json);
		record_init(&r);
		T_INT(record_set_json(&r, c[i].f, jv_from_json(&d, j), &why),
		    c[i].why == NULL ? 0 : -1, what);
		T_STR(r.f[c[i].f], c[i].want, what);
		T_STR(why, c[i].why, what);
		record_clear(&r);
		jv_doc_free(&d);
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
		/* keys that share their first 8 bytes or more, keys that end
		 * within them, high bytes there and after */
		{ "instance_uuid", "11", 5 }, { "instance", "12", 5 },
		{ "instanc", "13", 5 }, { "instance_type", "14", 5 },
		{ "instance\xff", "15", 6 }, { "instance_uuid", "16", 6 },
		{ "instanc\xc3", "17", 6 }, { "instance", "18", 7 },
	};
	static const struct {
		const char	*key;
		const char	*value;
		size_t		 src;
	} want[] = {
		{ "", "8", 3 }, { "B", "4", 1 }, { "a", "7", 3 },
		{ "a-b", "10", 4 }, { "a_b", "6", 2 }, { "b", "9", 4 },
		{ "instanc", "13", 5 }, { "instance", "18", 7 },
		{ "instance_type", "14", 5 }, { "instance_uuid", "16", 6 },
		{ "instance\xff", "15", 6 }, { "instanc\xc3", "17", 6 },
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
		struct jv_doc d = JV_DOC_INIT;

		T_OK(j != NULL, c[i].json);
		record_init(&r);
		T_INT(record_prop_set_json(&r, "k", jv_from_json(&d, j), &why),
		    c[i].rv, c[i].json);
		jv_doc_free(&d);
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
int
main(void)
{
	test_field_info_lists_fields_in_table_order();
	test_field_lookup_finds_names_and_only_names();
	test_source_fields_in_output_order();
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
	test_pooled_record_holds_what_a_plain_one_does();
	return t_done();
}

/* A pooled record (a reader's, an unpacked one) takes the same values as
 * a plain one: replaced, dropped by the sort, moved and cleared, with
 * strings longer than a block and more than one block's worth (the
 * sanitizer build sees any string freed that was not malloc's); with its
 * properties apart, their values are malloc's, as merge.c takes them. */
static void
test_pooled_record_holds_what_a_plain_one_does(void)
{
	for (int props = 0; props < 2; props++) {
		struct record r, m;
		struct source *s;
		const char *why = NULL;
		char key[16], *big;
		size_t n = 5000;

		record_init_pooled(&r, props);
		T_INT(record_set(&r, F_NAME, "first", &why), 0, "name set");
		T_INT(record_set(&r, F_NAME, "second", &why), 0,
		    "name replaced");
		T_STR(r.f[F_NAME], "second", "the later name holds");
		T_INT(record_set(&r, F_ID,
		    "6E1B32AC-1F6A-4A58-9F8B-4D2A27E4B1C0", &why), 0,
		    "id set");
		record_set_raw(&r, F_ID, "6e1b32ac-1f6a-4a58-9f8b-4d2a27e4b1c0");
		T_STR(r.f[F_ID], "6e1b32ac-1f6a-4a58-9f8b-4d2a27e4b1c0",
		    "a normalised id replaced");
		record_set_raw(&r, F_OWNER, NULL);
		T_STR(r.f[F_OWNER], NULL, "a raw NULL leaves the field null");
		big = xmalloc(n + 1);
		memset(big, 'x', n);
		big[n] = '\0';
		for (int i = 0; i < 300; i++) {
			snprintf(key, sizeof key, "k%03d", i % 150);
			record_prop_set(&r, key, i == 299 ? big : key);
		}
		s = record_add_source(&r);
		record_source_set(&r, s, S_FILE, "caf\xe9.json");
		record_source_set(&r, s, S_FILE, "b.json");
		record_source_set(&r, s, S_URL, "http://x/caf\xe9");
		record_source_set(&r, s, S_AT, big);
		record_source_setn(&r, s, S_API, "v2.1x", 4);
		record_sort(&r);
		T_INT(r.nprops, 150, "duplicates dropped");
		T_STR(r.props[149].key, "k149", "the last key");
		T_STR(r.props[149].value, big, "its later, long value");
		T_STR(r.props[0].value, "k000", "the first key's value");
		if (!props) {
			/* as merge_props replaces a value */
			free(r.props[0].value);
			r.props[0].value = xstrdup("new");
		}
		T_STR(r.srcs[0].v[S_FILE], "b.json", "a source's field replaced");
		T_STR(r.srcs[0].v[S_URL], "http://x/caf\xc3\xa9",
		    "a source's bytes that are not UTF-8 read as ISO-8859-1");
		T_STR(r.srcs[0].v[S_AT], big, "a source's long field");
		T_STR(r.srcs[0].v[S_API], "v2.1", "a source's n bytes");

		record_init(&m);
		record_prop_set(&m, "old", "x");
		record_move(&m, &r);
		T_STR(m.f[F_NAME], "second", "moved: its fields");
		T_INT(m.nprops, 150, "moved: its properties");
		T_OK(r.pool == NULL, "the moved-from record is a plain one again");
		record_set_raw(&m, F_NAME, "third");
		T_STR(m.f[F_NAME], "third", "moved: still set");
		record_clear(&m);
		T_OK(m.pool == NULL && m.f[F_NAME] == NULL, "cleared");
		record_clear(&r);
		free(big);
	}
}
