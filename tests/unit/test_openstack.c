/*
 * test_openstack.c: helpers of formats/openstack.c that the readers'
 * bids lean on: os_count_keys counts the same whether it looks the names
 * up or goes through the object's keys; and how a record keeps Glance
 * v2's tags, which the Glance v2 reader writes and the glance writer
 * reads back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "openstack.h"
#include "t.h"

static void	test_count_keys(void);
static void	test_tags(void);

static const char *const names[] = {
	"schema", "self", "file", "size", "status", "s", "visibility",
	"tags", "properties", "minRam", NULL
};

/* A list os_count_keys goes through as it is: a name of 64 bytes. */
static const char *const long_names[] = {
	"schema", "x_3",
	"a_name_of_sixty_four_bytes_is_longer_than_the_lengths_looked_up_",
	NULL
};

/* Keys the objects are made of: names, near misses and others. */
static const char *const pool[] = {
	"schema", "self", "file", "size", "status", "s", "visibility",
	"tags", "properties", "minRam", "sch", "selfie", "", "Size",
	"minram", "id", "name", "statuses", "t", "x_1", "x_2", "x_3", "x_4",
	"x_5", "x_6", "x_7", "x_8", "x_9", "x_10", "x_11", "x_12", "x_13",
	"x_14", "x_15", "x_16", "x_17", "x_18", "x_19", "x_20", "x_21",
	"x_22", "x_23", "x_24", "x_25",
	"a_name_of_sixty_four_bytes_is_longer_than_the_lengths_looked_up_",
	"a_name_of_sixty_four_bytes_is_longer_than_the_lengths_looked_up"
};
#define NPOOL	(sizeof pool / sizeof pool[0])

static void
test_count_keys(void)
{
	struct jv_doc d = JV_DOC_INIT;
	unsigned seed = 1;
	size_t bad = 0;

	T_INT(os_count_keys(NULL, names), 0, "NULL: none");
	{
		json_t *a = json_pack("[s]", "schema");

		T_INT(os_count_keys(jv_from_json(&d, a), names), 0,
		    "an array: none");
		json_decref(a);
	}
	for (int round = 0; round < 2000; round++) {
		json_t *o = json_object();
		size_t nkeys, want = 0;

		seed = seed * 1103515245u + 12345u;
		nkeys = (seed >> 8) % (NPOOL + 1);
		for (size_t k = 0; k < nkeys; k++) {
			seed = seed * 1103515245u + 12345u;
			json_object_set_new(o, pool[(seed >> 8) % NPOOL],
			    json_null());
		}
		for (size_t i = 0; names[i] != NULL; i++)
			if (json_object_get(o, names[i]) != NULL)
				want++;
		if (os_count_keys(jv_from_json(&d, o), names) != want)
			bad++;
		want = 0;
		for (size_t i = 0; long_names[i] != NULL; i++)
			if (json_object_get(o, long_names[i]) != NULL)
				want++;
		if (os_count_keys(jv_from_json(&d, o), long_names) != want)
			bad++;
		json_decref(o);
	}
	T_INT(bad, 0, "os_count_keys counts what a lookup finds");
	jv_doc_free(&d);
}

static void
test_tags(void)
{
	struct jv_doc d = JV_DOC_INIT;
	json_error_t err;
	const char *const texts[] = { "[\"b\", \"a\", \"b\", \"\"]", "[]",
	    "[1]" };
	char *text = os_tags_text(jv_parse(&d, texts[0], strlen(texts[0]), 0,
	    &err));
	json_t *a;

	T_STR(text, "[\"\",\"a\",\"b\"]", "tags text: sorted, each once");
	free(text);
	T_STR(os_tags_text(jv_parse(&d, texts[1], strlen(texts[1]), 0, &err)),
	    NULL, "tags text: none for no tags");
	T_STR(os_tags_text(jv_parse(&d, texts[2], strlen(texts[2]), 0, &err)),
	    NULL, "tags text: none for a number");
	jv_doc_free(&d);
	a = os_tags_parse("[\"b\",\"a\"]");
	T_INT(json_array_size(a), 2, "tags parsed: both");
	T_STR(json_string_value(json_array_get(a, 0)), "b",
	    "tags parsed: in the value's order");
	json_decref(a);
	T_OK(os_tags_parse("[\"a\",1]") == NULL, "tags parsed: not a number");
	T_OK(os_tags_parse("\"a\"") == NULL, "tags parsed: not a string");
	T_OK(os_tags_parse("[\"a\\u0000b\"]") == NULL,
	    "tags parsed: not a tag with a NUL");
	T_OK(os_tags_parse("[") == NULL, "tags parsed: not broken JSON");
}

int
main(void)
{
	test_count_keys();
	test_tags();
	return t_done();
}
