/*
 * test_read_glance_v2.c: the Glance v2 reader (formats/read_glance_v2.c):
 * fields named like the record, every other key a property, tags kept as
 * the property "tags", shared/community visibility kept, links not
 * kept, the bid against the other readers. Wanted values by hand from
 * the OTC page's GET /v2/images/{id} example.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "treader.h"

extern const struct reader_ops read_glance_v1_ops;
extern const struct reader_ops read_glance_v2_ops;
extern const struct reader_ops read_nova_v21_ops;

#define GV2	(&read_glance_v2_ops)
#define IDBC	"bc6bed6e-ba3a-4447-afcc-449174a3eb52"
#define ID1	"11111111-1111-4111-8111-111111111111"

/* The OTC example of GET /v2/images/{id}, as published. */
static const char otc[] =
    "{\"schema\": \"/v2/schemas/image\", \"min_disk\": 100,"
    " \"created_at\": \"2018-09-06T14:03:27Z\","
    " \"__image_source_type\": \"uds\", \"container_format\": \"bare\","
    " \"file\": \"/v2/images/" IDBC "/file\","
    " \"updated_at\": \"2018-09-06T15:17:33Z\", \"protected\": true,"
    " \"checksum\": \"d41d8cd98f00b204e9800998ecf8427e\","
    " \"id\": \"" IDBC "\", \"__isregistered\": \"true\", \"min_ram\": 2048,"
    " \"__lazyloading\": \"true\","
    " \"owner\": \"1bed856811654c1cb661a6ca845ebc77\","
    " \"__os_type\": \"Linux\", \"__imagetype\": \"gold\","
    " \"visibility\": \"public\", \"virtual_env_type\": \"FusionCompute\","
    " \"tags\": [], \"__platform\": \"CentOS\", \"size\": 0,"
    " \"__os_bit\": \"64\", \"__os_version\": \"CentOS 7.3 64bit\","
    " \"name\": \"CentOS 7.3 64bit vivado\","
    " \"self\": \"/v2/images/" IDBC "\", \"disk_format\": \"zvhd2\","
    " \"virtual_size\": null, \"status\": \"active\"}";

int	main(void);
static void	test_show_every_field(void);
static void	test_list_item_and_call(void);
static void	test_tags_sorted_as_property(void);
static void	test_visibility_shared_community_kept(void);
static void	test_base_keys_not_properties(void);
static void	test_property_types(void);
static void	test_bad_values_reject(void);
static void	test_bids(void);

static void
test_show_every_field(void)
{
	struct treader tr;

	tr_init(&tr, "show.json", NULL);
	T_OK(tr_dispatch(&tr, "", 0, 0, otc) == GV2, "OTC show: glance_v2");
	T_INT(tr.rc, RC_OK, "OTC show: read ok");
	T_INT(tr.nobs, 1, "OTC show: one observation");
	T_INT(tr.nmsg, 0, "OTC show: nothing reported");
	T_STR(tr_field(&tr, 0, F_ID), IDBC, "id");
	T_STR(tr_field(&tr, 0, F_NAME), "CentOS 7.3 64bit vivado", "name");
	T_STR(tr_field(&tr, 0, F_STATUS), "active", "status");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "public", "visibility");
	T_STR(tr_field(&tr, 0, F_PROTECTED), "true", "protected");
	T_STR(tr_field(&tr, 0, F_CONTAINER_FORMAT), "bare", "container_format");
	T_STR(tr_field(&tr, 0, F_DISK_FORMAT), "zvhd2", "disk_format");
	T_STR(tr_field(&tr, 0, F_SIZE), "0", "size");
	T_STR(tr_field(&tr, 0, F_VIRTUAL_SIZE), NULL, "virtual_size null");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), "d41d8cd98f00b204e9800998ecf8427e",
	    "checksum");
	T_STR(tr_field(&tr, 0, F_MIN_RAM), "2048", "min_ram");
	T_STR(tr_field(&tr, 0, F_MIN_DISK), "100", "min_disk");
	T_STR(tr_field(&tr, 0, F_OWNER), "1bed856811654c1cb661a6ca845ebc77",
	    "owner");
	T_STR(tr_field(&tr, 0, F_CREATED_AT), "2018-09-06T14:03:27Z",
	    "created_at");
	T_STR(tr_field(&tr, 0, F_UPDATED_AT), "2018-09-06T15:17:33Z",
	    "updated_at");
	T_STR(tr_field(&tr, 0, F_DELETED), NULL, "deleted: v2 has none");
	T_STR(tr_field(&tr, 0, F_DELETED_AT), NULL, "deleted_at: none");
	T_INT(tr_nprops(&tr, 0), 9, "nine properties (tags [] is none)");
	T_STR(tr_prop(&tr, 0, "__image_source_type"), "uds", "prop uds");
	T_STR(tr_prop(&tr, 0, "__isregistered"), "true", "prop registered");
	T_STR(tr_prop(&tr, 0, "__lazyloading"), "true", "prop lazyloading");
	T_STR(tr_prop(&tr, 0, "__os_type"), "Linux", "prop os_type");
	T_STR(tr_prop(&tr, 0, "__imagetype"), "gold", "prop imagetype");
	T_STR(tr_prop(&tr, 0, "virtual_env_type"), "FusionCompute",
	    "prop virtual_env_type");
	T_STR(tr_prop(&tr, 0, "__platform"), "CentOS", "prop platform");
	T_STR(tr_prop(&tr, 0, "__os_bit"), "64", "prop os_bit");
	T_STR(tr_prop(&tr, 0, "__os_version"), "CentOS 7.3 64bit",
	    "prop os_version");
	T_STR(tr_prop(&tr, 0, "self"), "(absent)", "self not a property");
	T_STR(tr_prop(&tr, 0, "tags"), "(absent)", "empty tags: no property");
	T_STR(tr_src(&tr, 0, S_API), "v2", "source api");
	T_STR(tr_src(&tr, 0, S_CALL), "show", "source call");
	T_STR(tr_src(&tr, 0, S_AT), "0", "source at");
	T_STR(tr_src(&tr, 0, S_STATUS), "active", "source status");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), NULL, "no project_id");
	tr_free(&tr);
}

static void
test_list_item_and_call(void)
{
	struct treader tr;

	tr_init(&tr, "list.json", NULL);
	T_OK(tr_dispatch(&tr, "images", 1, 3, otc) == GV2,
	    "list item: glance_v2");
	T_STR(tr_src(&tr, 0, S_CALL), "list", "list item: call list");
	T_STR(tr_src(&tr, 0, S_AT), "0#/images/3", "list item: at");
	tr_free(&tr);

	/* The URL decides over the envelope. */
	tr_init(&tr, "x.json", "https://glance.example:9292/v2/images/" IDBC);
	tr_header(&tr, "X-Openstack-Request-Id", "req-1");
	(void)tr_dispatch(&tr, "", 0, 0, otc);
	T_STR(tr_src(&tr, 0, S_CALL), "show", "URL /v2/images/ID: show");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), "req-1", "request id");
	tr_free(&tr);
	tr_init(&tr, "x.json", "/v2/images?limit=2");
	(void)tr_dispatch(&tr, "images", 1, 0, otc);
	T_STR(tr_src(&tr, 0, S_CALL), "list", "URL /v2/images: list");
	tr_free(&tr);
}

static void
test_tags_sorted_as_property(void)
{
	struct treader tr;

	tr_init(&tr, "t.json", NULL);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"private\", \"tags\": [\"b\", \"a\", \"b\","
	    " \"\\u00e9\"]}");
	T_INT(tr.nobs, 1, "tags: one observation");
	T_STR(tr_prop(&tr, 0, "tags"), "[\"a\",\"b\",\"\xc3\xa9\"]",
	    "tags: sorted, no duplicates, JSON text");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"tags\": \"a\"}");
	T_INT(tr.nobs, 0, "tags not an array: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "field tags \"a\": is a string, "
	    "not an array of strings", "tags not an array: message");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"tags\": [1]}");
	T_INT(tr.nobs, 0, "tags [1]: rejected");
	tr_free(&tr);
}

static void
test_visibility_shared_community_kept(void)
{
	struct treader tr;

	tr_init(&tr, "v.json", NULL);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"shared\", \"name\": \"n\"}");
	T_INT(tr.nobs, 1, "shared: kept");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "shared", "shared: shared");
	T_STR(tr_field(&tr, 0, F_NAME), "n", "shared: the rest read");
	T_INT(tr_count(&tr, DIAG_WARN), 0, "shared: no warning");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"community\"}");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "community",
	    "community: community");
	T_INT(tr_count(&tr, DIAG_WARN), 0, "community: no warning");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"hidden\"}");
	T_INT(tr.nobs, 0, "hidden: rejected");
	T_INT(tr_count(&tr, DIAG_REJECT), 1, "hidden: reported");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"Private\"}");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "private", "Private: private");
	tr_free(&tr);
}

static void
test_base_keys_not_properties(void)
{
	struct treader tr;

	tr_init(&tr, "b.json", NULL);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"public\", \"os_hidden\": false,"
	    " \"os_hash_algo\": \"sha512\", \"os_hash_value\": \"ab\","
	    " \"direct_url\": \"file:///x\", \"locations\": [],"
	    " \"stores\": \"a,b\", \"schema\": \"/v2/schemas/image\","
	    " \"self\": \"/v2/images/" ID1 "\", \"file\": \"/f\"}");
	T_INT(tr.nobs, 1, "base keys: one observation");
	T_INT(tr_nprops(&tr, 0), 0, "base keys: no property");
	T_INT(tr.nmsg, 0, "base keys: nothing said");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"os_hidden\": true}");
	T_STR(tr_msg(&tr, DIAG_WARN, 0), "os_hidden is true: the record has "
	    "no place for it, the image is read as a listed one",
	    "os_hidden true: warning");
	tr_free(&tr);
}

static void
test_property_types(void)
{
	struct treader tr;

	tr_init(&tr, "p.json", NULL);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"public\", \"hw_x\": null, \"n\": 12,"
	    " \"b\": false, \"deleted\": \"odd\"}");
	T_STR(tr_prop(&tr, 0, "hw_x"), NULL, "null property kept as null");
	T_STR(tr_prop(&tr, 0, "n"), "12", "number property as JSON text");
	T_STR(tr_prop(&tr, 0, "b"), "false", "boolean property as JSON text");
	T_STR(tr_prop(&tr, 0, "deleted"), "odd",
	    "a key outside v2's base schema is a property");
	T_STR(tr_field(&tr, 0, F_DELETED), NULL, "deleted field stays null");
	tr_free(&tr);
}

static void
test_bad_values_reject(void)
{
	struct treader tr;

	tr_init(&tr, "r.json", NULL);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"public\", \"min_ram\": -1}");
	T_INT(tr.nobs, 0, "min_ram -1: rejected");
	T_INT(tr_count(&tr, DIAG_REJECT), 1, "min_ram -1: one reject");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"visibility\": "
	    "\"public\", \"name\": \"x\"}");
	T_INT(tr.nobs, 0, "no id: rejected");
	tr_reset(&tr);
	(void)tr_item(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"visibility\": \"public\", \"status\": \"weird\"}");
	T_INT(tr.nobs, 1, "unknown status: kept");
	T_STR(tr_field(&tr, 0, F_STATUS), NULL, "unknown status: null");
	T_STR(tr_src(&tr, 0, S_STATUS), "weird", "unknown status: in source");
	tr_free(&tr);
}

static void
test_bids(void)
{
	struct treader tr;

	tr_init(&tr, "x.json", NULL);
	T_OK(tr_bid(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"is_public\": true, \"visibility\": \"public\"}") == 0,
	    "is_public: no bid (Glance v1's)");
	T_OK(tr_bid(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"name\": \"n\", \"links\": [], \"minRam\": 0}") == 0,
	    "Nova item: no bid");
	T_OK(tr_bid(&tr, GV2, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"min_ram\": 0, \"container_format\": \"bare\"}") == 0,
	    "Glance v1 item without v2 keys: no bid");
	T_OK(tr_dispatch(&tr, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"min_ram\": 0, \"is_public\": true, \"properties\": {}}") ==
	    &read_glance_v1_ops, "Glance v1 item: glance_v1 wins");
	tr_reset(&tr);
	T_OK(tr_dispatch(&tr, "images", 1, 0, otc) == GV2,
	    "OTC list item: glance_v2 wins over the others");
	tr_reset(&tr);
	/* a property named "metadata" holding a string: still v2's */
	T_OK(tr_dispatch(&tr, "", 0, 0, "{\"id\": \"" ID1 "\","
	    " \"schema\": \"/v2/schemas/image\", \"metadata\": \"x\"}") == GV2,
	    "v2 body with a metadata string: glance_v2 wins over nova");
	tr_free(&tr);
}

int
main(void)
{
	test_show_every_field();
	test_list_item_and_call();
	test_tags_sorted_as_property();
	test_visibility_shared_community_kept();
	test_base_keys_not_properties();
	test_property_types();
	test_bad_values_reject();
	test_bids();
	return t_done();
}
