/*
 * test_record_json.c: the record's canonical JSON form (record_json.c):
 * the jansson value, the text written straight into a buffer, and reading
 * it back. Each test is named for the behaviour it shows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "record.h"
#include "record_json.h"
#include "util.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

int	main(void);
static char	*dump(const json_t *);
static void	test_to_json_writes_canonical_form(void);
static void	test_to_json_does_not_reorder_properties(void);
static void	test_json_text_escapes_as_jansson_dumps(void);
static void	test_json_text_of_raw_ints_is_what_jansson_dumps(void);
static void	test_json_text_appends_at_any_length(void);
static void	test_from_json_round_trip_is_identical(void);
static void	test_from_json_rejects_malformed_and_keeps_record(void);

static char *
dump(const json_t *j)
{
	return j == NULL ? NULL : json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
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
	for (int k = 0; k < 9; k++) {
		/* a lead byte at the end, a bad lead, a bad continuation,
		 * an overlong '/', a UTF-16 surrogate, a 4-byte character
		 * cut short, a code point past U+10FFFF; a bad byte and a
		 * character cut short right after good characters */
		static const char *const name[] = {
			"caf\xe9", NULL, NULL, "/\xc0\xaf", "a\xed\xa0\x80" "b",
			"x\xf0\x9f\x98", "\xf4\x90\x80\x80",
			"\xc3\xa9\xe2\x82\xac\xff" "a", "\xc3\xa9\xe2\x82" "a"
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
		struct jv_doc d = JV_DOC_INIT;
		char *text, *text2;

		T_OK(in != NULL, "round trip input parses");
		record_init(&r);
		T_INT(record_json_read(&r, jv_from_json(&d, in), &why), 0,
		    "record_json_read");
		jv_doc_free(&d);
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
		struct jv_doc d = JV_DOC_INIT;

		T_OK(j != NULL, c[i].json);
		record_init(&r);
		record_prop_set(&r, "kept", "yes");
		T_INT(record_json_read(&r, jv_from_json(&d, j), &why), -1,
		    c[i].json);
		jv_doc_free(&d);
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
 */int
main(void)
{
	test_to_json_writes_canonical_form();
	test_to_json_does_not_reorder_properties();
	test_json_text_escapes_as_jansson_dumps();
	test_json_text_of_raw_ints_is_what_jansson_dumps();
	test_json_text_appends_at_any_length();
	test_from_json_round_trip_is_identical();
	test_from_json_rejects_malformed_and_keeps_record();
	return t_done();
}
