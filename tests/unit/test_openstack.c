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

/* Keys the objects are made of: names, near misses and others. */
static const char *const pool[] = {
	"schema", "self", "file", "size", "status", "s", "visibility",
	"tags", "properties", "minRam", "sch", "selfie", "", "Size",
	"minram", "id", "name", "statuses", "t", "x_1", "x_2", "x_3", "x_4",
	"x_5", "x_6", "x_7", "x_8", "x_9", "x_10", "x_11", "x_12", "x_13",
	"x_14", "x_15", "x_16", "x_17", "x_18", "x_19", "x_20", "x_21",
	"x_22", "x_23", "x_24", "x_25"
};
#define NPOOL	(sizeof pool / sizeof pool[0])

static void
test_count_keys(void)
{
	unsigned seed = 1;
	size_t bad = 0, big = 0, small = 0;

	T_INT(os_count_keys(NULL, names), 0, "NULL: none");
	{
		json_t *a = json_pack("[s]", "schema");

		T_INT(os_count_keys(a, names), 0, "an array: none");
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
			if (os_get(o, names[i]) != NULL)
				want++;
		if (os_count_keys(o, names) != want)
			bad++;
		if (json_object_size(o) > 20)
			big++;
		else
			small++;
		json_decref(o);
	}
	T_INT(bad, 0, "os_count_keys counts what os_get finds");
	T_OK(big > 100 && small > 100, "both ways are tried");
}

static void
test_tags(void)
{
	json_t *a = json_loads("[\"b\", \"a\", \"b\", \"\"]", 0, NULL);
	char *text = os_tags_text(a);

	T_STR(text, "[\"\",\"a\",\"b\"]", "tags text: sorted, each once");
	free(text);
	json_decref(a);
	a = json_array();
	T_STR(os_tags_text(a), NULL, "tags text: none for no tags");
	json_array_append_new(a, json_integer(1));
	T_STR(os_tags_text(a), NULL, "tags text: none for a number");
	json_decref(a);
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
