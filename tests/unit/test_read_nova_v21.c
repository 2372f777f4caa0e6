/*
 * test_read_nova_v21.c: the Nova v2.1 reader (formats/read_nova_v21.c),
 * one test per mapping rule of DESIGN.md sections 2 and 3. The seeds'
 * own examples are the inputs; the wanted values come from the seeds'
 * tables, by hand.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "treader.h"

extern const struct reader_ops read_glance_v1_ops;
extern const struct reader_ops read_nova_v21_ops;

#define NOVA	(&read_nova_v21_ops)

#define ID17	"17a1890b-0fa4-485e-8505-14e294017988"
#define IDEE	"ee10f19c-503c-44af-af2f-73d5e42f7a17"
#define ID1	"11111111-1111-4111-8111-111111111111"
#define P9C	"9c53a566cb3443ab910cf0daebca90c4"
#define P719	"719e9483f42d4784a089862ac4c3e8d0"
#define PD9	"d9ebe43510414ef590a4aa158605329e"

/* Seed 002: the object under "image" of GET /v2.1/{project}/images/{id}. */
static const char seed002[] =
    "{\"status\": \"ACTIVE\", \"updated\": \"2015-12-27T02:52:25Z\","
    " \"name\": \"cirror\", \"links\": ["
    "{\"href\": \"https://compute.localdomain.com:8001/v2/" P719
    "/images/" ID17 "\", \"rel\": \"self\"},"
    "{\"href\": \"https://compute.localdomain.com:8001/" P719
    "/images/" ID17 "\", \"rel\": \"bookmark\"},"
    "{\"href\": \"https://https://image.az2.dc1.domainname.com:443/" P719
    "/images/" ID17 "\", \"type\": \"application/vnd.openstack.image\","
    " \"rel\": \"alternate\"}],"
    " \"created\": \"2015-12-27T02:52:24Z\", \"minDisk\": 0,"
    " \"progress\": 100, \"minRam\": 0, \"metadata\": {"
    "\"__os_version\": \"CentOS 4.4 32bit\", \"file_format\": \"img\","
    " \"file_name\": \"**.img\", \"describe\": \"\","
    " \"__os_type\": \"Linux\", \"virtual_env_type\": \"KVM\","
    " \"hw_disk_bus\": \"scsi\"},"
    " \"id\": \"" ID17 "\", \"OS-EXT-IMG-SIZE:size\": 13167616}";

#define SEED002_URL "https://{endpoint}/v2.1/" P9C "/images/" ID17

/* Seed 003: the object under "metadata". */
static const char seed003[] =
    "{\"__os_version\": \"Suse Linux Enterprise 12.2 64bit\","
    " \"__image_source_type\": \"uds\", \"__imagetype\": \"gold\","
    " \"__os_bit\": \"64\", \"__os_type\": \"Suse\","
    " \"__isregistered\": \"true\","
    " \"__image_location\": \"192.168.80.11:5080:pcsimsbeta:"
    "suse12.2-addx710-05-11\", \"virtual_env_type\": \"Ironic\","
    " \"__platform\": \"Suse\", \"__support_o3s\": \"true\"}";

#define SEED003_URL "https://{endpoint}/v2.1/" P9C "/images/" ID17 "/metadata"

/* Seed 004: the one object that its example prints under "image". */
static const char seed004[] =
    "{\"OS-EXT-IMG-SIZE:size\": 20578304,"
    " \"created\": \"2014-02-10T17:05:01Z\", \"id\": \"" IDEE "\","
    " \"links\": ["
    "{\"href\": \"http://xxx/v2/" PD9 "/images/" IDEE "\", \"rel\": \"self\"},"
    "{\"href\": \"http://xxx/" PD9 "/images/" IDEE "\", \"rel\": \"bookmark\"},"
    "{\"href\": \"http://xxx/" PD9 "/images/" IDEE "\", \"rel\": \"alternate\","
    " \"type\": \"application/vnd.openstack.image\"}],"
    " \"metadata\": {\"clean_attempts\": \"3\","
    " \"image_location\": \"snapshot\", \"image_state\": \"available\","
    " \"image_type\": \"snapshot\", \"instance_type_ephemeral_gb\": \"0\","
    " \"instance_type_flavorid\": \"6\", \"instance_type_id\": \"7\","
    " \"instance_type_memory_mb\": \"256\","
    " \"instance_type_name\": \"wj.ssd\", \"instance_type_root_gb\": \"2\","
    " \"instance_type_rxtx_factor\": \"1.0\", \"instance_type_swap\": \"0\","
    " \"instance_type_vcpus\": \"1\","
    " \"instance_uuid\": \"b600b5b1-ed8c-4814-aefa-8b903c894c20\","
    " \"os_type\": \"None\", \"owner_id\": \"" PD9 "\","
    " \"user_id\": \"74fe4ff0674b434b8a274077d8106c5b\"},"
    " \"minDisk\": 2, \"minRam\": 0, \"name\": \"image1\", \"progress\": 100,"
    " \"server\": {\"id\": \"b600b5b1-ed8c-4814-aefa-8b903c894c20\","
    " \"links\": [{\"href\": \"http://xxx/v2/" PD9 "/servers/"
    "b600b5b1-ed8c-4814-aefa-8b903c894c20\", \"rel\": \"self\"},"
    "{\"href\": \"http://xxx/" PD9 "/servers/"
    "b600b5b1-ed8c-4814-aefa-8b903c894c20\", \"rel\": \"bookmark\"}]},"
    " \"status\": \"ACTIVE\", \"updated\": \"2014-02-10T17:05:07Z\"}";

/* A small image whose status, size, metadata and server a test sets. */
#define SMALL(extra) \
    "{\"id\": \"" ID1 "\", \"name\": \"small\", \"minRam\": 0," \
    " \"minDisk\": 0, \"links\": [{\"href\": \"http://nova/v2/" P9C \
    "/images/" ID1 "\", \"rel\": \"self\"}]" extra "}"

/* The same without minDisk, which a test sets (a key twice in one object
 * is a reject). */
#define SMALL_RAM(extra) \
    "{\"id\": \"" ID1 "\", \"name\": \"small\", \"minRam\": 0," \
    " \"links\": [{\"href\": \"http://nova/v2/" P9C \
    "/images/" ID1 "\", \"rel\": \"self\"}]" extra "}"

int	main(void);
static void	one(struct treader *, const char *, const char *, const char *,
		    int, const char *);
static void	test_show_seed002_every_field(void);
static void	test_show_seed002_with_its_request_url(void);
static void	test_metadata_seed003_id_from_url(void);
static void	test_metadata_id_from_file_name(void);
static void	test_metadata_without_id_rejects(void);
static void	test_metadata_two_uuids_in_file_name_rejects(void);
static void	test_meta_single_key(void);
static void	test_metadata_values_as_text(void);
static void	test_metadata_not_an_object_rejects(void);
static void	test_detail_seed004_single_object(void);
static void	test_detail_list_item(void);
static void	test_brief_list_item(void);
static void	test_status_mapping(void);
static void	test_size_as_string(void);
static void	test_server_id_is_instance_uuid(void);
static void	test_project_id_from_url_and_links(void);
static void	test_request_id(void);
static void	test_bad_value_rejects(void);
static void	test_without_id_rejects(void);
static void	test_not_an_object(void);
static void	test_envelope_of_wrong_type(void);
static void	test_bids(void);
static void	test_key_twice_at_any_size(void);

/* Reads one item with the nova reader. */
static void
one(struct treader *tr, const char *file, const char *url,
    const char *envelope, int in_list, const char *json)
{
	tr_init(tr, file, url);
	(void)tr_item(tr, NOVA, envelope, in_list, 0, json);
}

static void
test_show_seed002_every_field(void)
{
	struct treader tr;

	one(&tr, "seed002.json", NULL, "image", 0, seed002);
	T_OK(tr.bid > 0, "seed 002: bid");
	T_INT(tr.rc, RC_OK, "seed 002: read ok");
	T_INT(tr.nobs, 1, "seed 002: one observation");
	T_INT(tr.diag.n.observations, 1, "seed 002: counted");
	T_INT(tr.nmsg, 0, "seed 002: nothing reported");
	T_STR(tr_field(&tr, 0, F_ID), ID17, "seed 002: id");
	T_STR(tr_field(&tr, 0, F_NAME), "cirror", "seed 002: name");
	T_STR(tr_field(&tr, 0, F_STATUS), "active", "seed 002: ACTIVE");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), NULL, "seed 002: visibility");
	T_STR(tr_field(&tr, 0, F_PROTECTED), NULL, "seed 002: protected");
	T_STR(tr_field(&tr, 0, F_CONTAINER_FORMAT), NULL,
	    "seed 002: container_format");
	T_STR(tr_field(&tr, 0, F_DISK_FORMAT), NULL, "seed 002: disk_format");
	T_STR(tr_field(&tr, 0, F_SIZE), "13167616", "seed 002: size");
	T_STR(tr_field(&tr, 0, F_VIRTUAL_SIZE), NULL, "seed 002: virtual_size");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), NULL, "seed 002: checksum");
	T_STR(tr_field(&tr, 0, F_MIN_RAM), "0", "seed 002: minRam");
	T_STR(tr_field(&tr, 0, F_MIN_DISK), "0", "seed 002: minDisk");
	T_STR(tr_field(&tr, 0, F_OWNER), NULL, "seed 002: owner");
	T_STR(tr_field(&tr, 0, F_CREATED_AT), "2015-12-27T02:52:24Z",
	    "seed 002: created");
	T_STR(tr_field(&tr, 0, F_UPDATED_AT), "2015-12-27T02:52:25Z",
	    "seed 002: updated");
	T_STR(tr_field(&tr, 0, F_DELETED), "false", "seed 002: deleted");
	T_STR(tr_field(&tr, 0, F_DELETED_AT), NULL, "seed 002: deleted_at");
	T_INT(tr_nprops(&tr, 0), 7, "seed 002: seven properties");
	T_STR(tr_prop(&tr, 0, "__os_version"), "CentOS 4.4 32bit",
	    "seed 002: __os_version");
	T_STR(tr_prop(&tr, 0, "file_format"), "img", "seed 002: file_format");
	T_STR(tr_prop(&tr, 0, "file_name"), "**.img", "seed 002: file_name");
	T_STR(tr_prop(&tr, 0, "describe"), "", "seed 002: describe");
	T_STR(tr_prop(&tr, 0, "__os_type"), "Linux", "seed 002: __os_type");
	T_STR(tr_prop(&tr, 0, "virtual_env_type"), "KVM",
	    "seed 002: virtual_env_type");
	T_STR(tr_prop(&tr, 0, "hw_disk_bus"), "scsi", "seed 002: hw_disk_bus");
	T_STR(tr_src(&tr, 0, S_FILE), "seed002.json", "seed 002: file");
	T_STR(tr_src(&tr, 0, S_AT), "0#/image", "seed 002: at");
	T_STR(tr_src(&tr, 0, S_API), "v2.1", "seed 002: api");
	T_STR(tr_src(&tr, 0, S_CALL), "show", "seed 002: call");
	T_STR(tr_src(&tr, 0, S_DATE), NULL, "seed 002: date");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), NULL, "seed 002: request_id");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), P719,
	    "seed 002: project_id from the self link");
	T_STR(tr_src(&tr, 0, S_STATUS), "ACTIVE", "seed 002: source status");
	T_STR(tr_src(&tr, 0, S_URL), NULL, "seed 002: url");
	tr_free(&tr);
}

static void
test_show_seed002_with_its_request_url(void)
{
	struct treader tr;

	one(&tr, "seed002.txt", SEED002_URL, "image", 0, seed002);
	T_INT(tr.nobs, 1, "seed 002 + URL: one observation");
	T_STR(tr_src(&tr, 0, S_CALL), "show", "seed 002 + URL: call show");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), P9C,
	    "seed 002 + URL: project_id from the URL");
	T_STR(tr_src(&tr, 0, S_URL), SEED002_URL, "seed 002 + URL: url");
	tr_free(&tr);
}

static void
test_metadata_seed003_id_from_url(void)
{
	struct treader tr;

	tr_init(&tr, "seed003.txt", SEED003_URL);
	tr_header(&tr, "X-Compute-Request-Id", "req-meta");
	T_OK(tr_item(&tr, NOVA, "metadata", 0, 0, seed003) > 0,
	    "seed 003: bid");
	T_INT(tr.nobs, 1, "seed 003: one observation");
	T_INT(tr.nmsg, 0, "seed 003: nothing reported");
	T_STR(tr_field(&tr, 0, F_ID), ID17, "seed 003: id from the URL");
	for (int f = F_NAME; f < F__COUNT; f++)
		T_STR(tr_field(&tr, 0, (enum field)f), NULL,
		    field_info[f].name);
	T_INT(tr_nprops(&tr, 0), 10, "seed 003: ten properties");
	T_STR(tr_prop(&tr, 0, "__os_version"),
	    "Suse Linux Enterprise 12.2 64bit", "seed 003: __os_version");
	T_STR(tr_prop(&tr, 0, "__image_source_type"), "uds",
	    "seed 003: __image_source_type");
	T_STR(tr_prop(&tr, 0, "__imagetype"), "gold", "seed 003: __imagetype");
	T_STR(tr_prop(&tr, 0, "__os_bit"), "64", "seed 003: __os_bit");
	T_STR(tr_prop(&tr, 0, "__os_type"), "Suse", "seed 003: __os_type");
	T_STR(tr_prop(&tr, 0, "__isregistered"), "true",
	    "seed 003: __isregistered");
	T_STR(tr_prop(&tr, 0, "__image_location"),
	    "192.168.80.11:5080:pcsimsbeta:suse12.2-addx710-05-11",
	    "seed 003: __image_location");
	T_STR(tr_prop(&tr, 0, "virtual_env_type"), "Ironic",
	    "seed 003: virtual_env_type");
	T_STR(tr_prop(&tr, 0, "__platform"), "Suse", "seed 003: __platform");
	T_STR(tr_prop(&tr, 0, "__support_o3s"), "true",
	    "seed 003: __support_o3s");
	T_STR(tr_src(&tr, 0, S_AT), "0#/metadata", "seed 003: at");
	T_STR(tr_src(&tr, 0, S_API), "v2.1", "seed 003: api");
	T_STR(tr_src(&tr, 0, S_CALL), "metadata", "seed 003: call");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), P9C, "seed 003: project_id");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), "req-meta", "seed 003: request_id");
	T_STR(tr_src(&tr, 0, S_STATUS), NULL, "seed 003: no status");
	T_STR(tr_src(&tr, 0, S_URL), SEED003_URL, "seed 003: url");
	tr_free(&tr);

	/* The URL wins over a UUID in the file name. */
	one(&tr, "meta-" ID1 ".txt", SEED003_URL, "metadata", 0, seed003);
	T_STR(tr_field(&tr, 0, F_ID), ID17, "URL id wins over the file name");
	tr_free(&tr);

	one(&tr, "m.txt", "/v2.1/" P9C "/images/not-a-uuid/metadata",
	    "metadata", 0, seed003);
	T_INT(tr.nobs, 0, "URL id not a UUID: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "metadata response: image id "
	    "\"not-a-uuid\" of its request URL is not a UUID",
	    "URL id not a UUID: message");
	tr_free(&tr);
}

static void
test_metadata_id_from_file_name(void)
{
	struct treader tr;

	one(&tr, "caps/v2.1-metadata-17A1890B-0FA4-485E-8505-14E294017988.json",
	    NULL, "metadata", 0, seed003);
	T_INT(tr.nobs, 1, "file name: one observation");
	T_INT(tr.nmsg, 0, "file name: nothing reported");
	T_STR(tr_field(&tr, 0, F_ID), ID17, "file name: id, lowercased");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), NULL, "file name: no project_id");
	T_STR(tr_src(&tr, 0, S_CALL), "metadata", "file name: call");
	tr_free(&tr);

	/* The same UUID twice, in two cases, is one UUID. */
	one(&tr, ID17 "/metadata-17A1890B-0FA4-485E-8505-14E294017988.json",
	    NULL, "metadata", 0, seed003);
	T_INT(tr.nobs, 1, "one UUID twice: read");
	T_STR(tr_field(&tr, 0, F_ID), ID17, "one UUID twice: id");
	tr_free(&tr);

	/* A URL without an image id leaves the file name to say. */
	one(&tr, "m-" ID1 ".json", "/v2.1/" P9C "/images", "metadata", 0,
	    seed003);
	T_STR(tr_field(&tr, 0, F_ID), ID1, "URL names no image: file name");
	tr_free(&tr);
}

static void
test_metadata_without_id_rejects(void)
{
	struct treader tr;

	one(&tr, "metadata.json", NULL, "metadata", 0, seed003);
	T_INT(tr.nobs, 0, "no id: no observation");
	T_INT(tr.rc, RC_SKIP, "no id: skipped");
	T_INT(tr.diag.n.rejects, 1, "no id: one reject");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "metadata response has no image "
	    "id: capture it with its request line (curl -v, or a HAR "
	    "export), or put the image's UUID in the file name",
	    "no id: message says how to fix the capture");
	T_STR(tr_msg_pos(&tr, DIAG_REJECT, 0), "0#/metadata", "no id: position");
	tr_free(&tr);

	/* Not a UUID: too long a run of hex digits. */
	one(&tr, "x-17a1890b-0fa4-485e-8505-14e2940179880.json", NULL,
	    "metadata", 0, seed003);
	T_INT(tr.nobs, 0, "UUID-like run too long: no id");
	tr_free(&tr);
}

static void
test_metadata_two_uuids_in_file_name_rejects(void)
{
	struct treader tr;

	one(&tr, "copy-" ID17 "-to-" ID1 ".json", NULL, "metadata", 0,
	    seed003);
	T_INT(tr.nobs, 0, "two UUIDs: no observation");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "metadata response has no image "
	    "id, and its file name holds two different UUIDs (" ID17 ", " ID1
	    "): capture it with its request line (curl -v, or a HAR export), "
	    "or leave only the image's UUID in the file name",
	    "two UUIDs: message");
	tr_free(&tr);

	one(&tr, ID17 "-" ID1 "-22222222-2222-4222-8222-222222222222.json",
	    NULL, "meta", 0, "{\"k\": \"v\"}");
	T_INT(tr.nobs, 0, "three UUIDs: no observation");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "metadata response has no image "
	    "id, and its file name holds more than two different UUIDs (" ID17
	    ", " ID1 ", ...): capture it with its request line (curl -v, or a "
	    "HAR export), or leave only the image's UUID in the file name",
	    "three UUIDs: message");
	tr_free(&tr);
}

static void
test_meta_single_key(void)
{
	struct treader tr;
	const char *url = "/v2.1/" P9C "/images/" ID1 "/metadata/kernel_id";

	one(&tr, "key.txt", url, "meta", 0, "{\"kernel_id\": \"nokernel\"}");
	T_INT(tr.nobs, 1, "meta: one observation");
	T_STR(tr_field(&tr, 0, F_ID), ID1, "meta: id from the URL");
	T_INT(tr_nprops(&tr, 0), 1, "meta: one property");
	T_STR(tr_prop(&tr, 0, "kernel_id"), "nokernel", "meta: the key");
	T_STR(tr_src(&tr, 0, S_CALL), "metadata", "meta: call metadata");
	T_STR(tr_src(&tr, 0, S_AT), "0#/meta", "meta: at");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), P9C, "meta: project_id");
	tr_free(&tr);

	one(&tr, "meta-" ID1 ".json", NULL, "meta", 0,
	    "{\"kernel_id\": \"nokernel\"}");
	T_STR(tr_field(&tr, 0, F_ID), ID1, "meta: id from the file name");
	tr_free(&tr);

	one(&tr, "meta.json", NULL, "meta", 0, "{\"kernel_id\": \"nokernel\"}");
	T_INT(tr.nobs, 0, "meta without id: rejected");
	T_INT(tr_count(&tr, DIAG_REJECT), 1, "meta without id: one reject");
	tr_free(&tr);
}

static void
test_metadata_values_as_text(void)
{
	struct treader tr;

	one(&tr, "m-" ID1 ".json", NULL, "metadata", 0,
	    "{\"n\": 1, \"z\": null, \"b\": false, \"s\": \"1\"}");
	T_INT(tr.nobs, 1, "value types: observation");
	T_STR(tr_prop(&tr, 0, "n"), "1", "number property 1 is the text 1");
	T_STR(tr_prop(&tr, 0, "z"), NULL, "JSON null kept as null");
	T_STR(tr_prop(&tr, 0, "b"), "false", "boolean as JSON text");
	T_STR(tr_prop(&tr, 0, "s"), "1", "string kept");
	T_INT(tr_nprops(&tr, 0), 4, "value types: four properties");
	tr_free(&tr);

	one(&tr, "m-" ID1 ".json", NULL, "metadata", 0, "{}");
	T_INT(tr.nobs, 1, "empty metadata: an observation");
	T_INT(tr_nprops(&tr, 0), 0, "empty metadata: no properties");
	tr_free(&tr);
}

static void
test_metadata_not_an_object_rejects(void)
{
	struct treader tr;

	one(&tr, "m-" ID1 ".json", NULL, "metadata", 1, "{\"k\": \"v\"}");
	T_INT(tr.nobs, 0, "metadata array: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "\"metadata\" holds an array, not "
	    "an object of key-value pairs", "metadata array: message");
	tr_free(&tr);

	one(&tr, "m-" ID1 ".json", NULL, "meta", 0, "\"k=v\"");
	T_INT(tr.nobs, 0, "meta string: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "\"meta\" holds a string, not an "
	    "object of key-value pairs", "meta string: message");
	tr_free(&tr);
}

static void
test_detail_seed004_single_object(void)
{
	struct treader tr;

	/* As printed, with no URL: one object under "image" is a show. */
	one(&tr, "seed004.json", NULL, "image", 0, seed004);
	T_INT(tr.nobs, 1, "seed 004: one observation");
	T_INT(tr.nmsg, 0, "seed 004: nothing reported");
	T_STR(tr_field(&tr, 0, F_ID), IDEE, "seed 004: id");
	T_STR(tr_field(&tr, 0, F_NAME), "image1", "seed 004: name");
	T_STR(tr_field(&tr, 0, F_STATUS), "active", "seed 004: status");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), NULL, "seed 004: visibility");
	T_STR(tr_field(&tr, 0, F_PROTECTED), NULL, "seed 004: protected");
	T_STR(tr_field(&tr, 0, F_CONTAINER_FORMAT), NULL,
	    "seed 004: container_format");
	T_STR(tr_field(&tr, 0, F_DISK_FORMAT), NULL, "seed 004: disk_format");
	T_STR(tr_field(&tr, 0, F_SIZE), "20578304", "seed 004: size");
	T_STR(tr_field(&tr, 0, F_VIRTUAL_SIZE), NULL, "seed 004: virtual_size");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), NULL, "seed 004: checksum");
	T_STR(tr_field(&tr, 0, F_MIN_RAM), "0", "seed 004: minRam");
	T_STR(tr_field(&tr, 0, F_MIN_DISK), "2", "seed 004: minDisk");
	T_STR(tr_field(&tr, 0, F_OWNER), NULL, "seed 004: owner");
	T_STR(tr_field(&tr, 0, F_CREATED_AT), "2014-02-10T17:05:01Z",
	    "seed 004: created");
	T_STR(tr_field(&tr, 0, F_UPDATED_AT), "2014-02-10T17:05:07Z",
	    "seed 004: updated");
	T_STR(tr_field(&tr, 0, F_DELETED), "false", "seed 004: deleted");
	T_STR(tr_field(&tr, 0, F_DELETED_AT), NULL, "seed 004: deleted_at");
	T_INT(tr_nprops(&tr, 0), 17, "seed 004: seventeen properties");
	T_STR(tr_prop(&tr, 0, "clean_attempts"), "3", "seed 004: clean_attempts");
	T_STR(tr_prop(&tr, 0, "image_type"), "snapshot", "seed 004: image_type");
	T_STR(tr_prop(&tr, 0, "instance_type_rxtx_factor"), "1.0",
	    "seed 004: instance_type_rxtx_factor");
	T_STR(tr_prop(&tr, 0, "instance_uuid"),
	    "b600b5b1-ed8c-4814-aefa-8b903c894c20", "seed 004: instance_uuid");
	T_STR(tr_prop(&tr, 0, "os_type"), "None",
	    "seed 004: os_type \"None\" is a value in JSON");
	T_STR(tr_prop(&tr, 0, "owner_id"), PD9, "seed 004: owner_id");
	T_STR(tr_prop(&tr, 0, "user_id"), "74fe4ff0674b434b8a274077d8106c5b",
	    "seed 004: user_id");
	T_STR(tr_src(&tr, 0, S_AT), "0#/image", "seed 004: at");
	T_STR(tr_src(&tr, 0, S_API), "v2.1", "seed 004: api");
	T_STR(tr_src(&tr, 0, S_CALL), "show", "seed 004: call show (no URL)");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), PD9, "seed 004: project_id");
	T_STR(tr_src(&tr, 0, S_STATUS), "ACTIVE", "seed 004: source status");
	tr_free(&tr);

	/* With its request line the call is the detail it was. */
	one(&tr, "seed004.txt", "https://{endpoint}/v2.1/" P9C "/images/detail",
	    "image", 0, seed004);
	T_INT(tr.nobs, 1, "seed 004 + URL: one observation");
	T_STR(tr_src(&tr, 0, S_CALL), "detail", "seed 004 + URL: call detail");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), P9C, "seed 004 + URL: project_id");
	tr_free(&tr);
}

static void
test_detail_list_item(void)
{
	struct treader tr;

	one(&tr, "detail.json", NULL, "images", 1, seed004);
	T_INT(tr.nobs, 1, "detail item: one observation");
	T_STR(tr_src(&tr, 0, S_CALL), "detail", "detail item: call detail");
	T_STR(tr_src(&tr, 0, S_AT), "0#/images/0", "detail item: at");
	tr_free(&tr);
}

static void
test_brief_list_item(void)
{
	struct treader tr;

	one(&tr, "list.json", NULL, "images", 1, "{\"id\": \"" IDEE "\","
	    " \"links\": [{\"href\": \"http://xxx/v2/" PD9 "/images/" IDEE "\","
	    " \"rel\": \"self\"}], \"name\": \"image1\"}");
	T_OK(tr.bid > 0, "brief: bid");
	T_INT(tr.nobs, 1, "brief: one observation");
	T_STR(tr_field(&tr, 0, F_ID), IDEE, "brief: id");
	T_STR(tr_field(&tr, 0, F_NAME), "image1", "brief: name");
	T_STR(tr_field(&tr, 0, F_STATUS), NULL, "brief: no status");
	T_STR(tr_field(&tr, 0, F_DELETED), NULL, "brief: no deleted");
	T_STR(tr_field(&tr, 0, F_SIZE), NULL, "brief: no size");
	T_INT(tr_nprops(&tr, 0), 0, "brief: no properties");
	T_STR(tr_src(&tr, 0, S_CALL), "list", "brief: call list");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), PD9, "brief: project_id");
	T_STR(tr_src(&tr, 0, S_STATUS), NULL, "brief: no source status");
	tr_free(&tr);

	one(&tr, "list.txt", "/v2.1/" P9C "/images?limit=1", "images", 1,
	    SMALL(""));
	T_STR(tr_src(&tr, 0, S_CALL), "list", "GET /images: call list");
	tr_free(&tr);
}

static void
test_status_mapping(void)
{
	static const struct {
		const char *sent, *status, *deleted;
	} cases[] = {
		{ "ACTIVE", "active", "false" },
		{ "SAVING", "saving", "false" },
		{ "DELETED", "deleted", "true" },
		{ "ERROR", "killed", "false" },
		{ "SHELVED", NULL, NULL },
		{ "UNKNOWN", NULL, NULL },
	};
	struct treader tr;
	char json[400], what[80], warn[200];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(json, sizeof json, SMALL(", \"status\": \"%s\""),
		    cases[i].sent);
		one(&tr, "d.json", NULL, "images", 1, json);
		snprintf(what, sizeof what, "%s: observation", cases[i].sent);
		T_INT(tr.nobs, 1, what);
		snprintf(what, sizeof what, "%s: status", cases[i].sent);
		T_STR(tr_field(&tr, 0, F_STATUS), cases[i].status, what);
		snprintf(what, sizeof what, "%s: deleted", cases[i].sent);
		T_STR(tr_field(&tr, 0, F_DELETED), cases[i].deleted, what);
		snprintf(what, sizeof what, "%s: source keeps it",
		    cases[i].sent);
		T_STR(tr_src(&tr, 0, S_STATUS), cases[i].sent, what);
		/* the filters (--status) accept Nova's spelling too */
		snprintf(what, sizeof what, "read_status(\"%s\")",
		    cases[i].sent);
		T_STR(read_status(cases[i].sent), cases[i].status != NULL ?
		    cases[i].status : cases[i].sent, what);
		snprintf(what, sizeof what, "%s: warnings", cases[i].sent);
		T_INT(tr_count(&tr, DIAG_WARN), cases[i].status ? 0 : 1, what);
		if (cases[i].status == NULL) {
			snprintf(warn, sizeof warn, "status \"%s\" maps to no "
			    "Glance status: the record's status is left "
			    "null, the source keeps it", cases[i].sent);
			snprintf(what, sizeof what, "%s: warning text",
			    cases[i].sent);
			T_STR(tr_msg(&tr, DIAG_WARN, 0), warn, what);
		}
		tr_free(&tr);
	}
}

static void
test_size_as_string(void)
{
	struct treader tr;

	one(&tr, "d.json", NULL, "images", 1,
	    SMALL(", \"OS-EXT-IMG-SIZE:size\": \"74185822\""));
	T_INT(tr.nobs, 1, "string size: observation");
	T_STR(tr_field(&tr, 0, F_SIZE), "74185822", "string size \"74185822\"");
	tr_free(&tr);

	one(&tr, "d.json", NULL, "images", 1,
	    SMALL(", \"OS-EXT-IMG-SIZE:size\": 74185822"));
	T_STR(tr_field(&tr, 0, F_SIZE), "74185822", "number size 74185822");
	tr_free(&tr);
}

static void
test_server_id_is_instance_uuid(void)
{
	struct treader tr;

	one(&tr, "s.json", NULL, "image", 0, SMALL(", \"metadata\": "
	    "{\"image_type\": \"snapshot\"}, \"server\": {\"id\": "
	    "\"b600b5b1-ed8c-4814-aefa-8b903c894c20\", \"links\": []}"));
	T_INT(tr_nprops(&tr, 0), 2, "server.id: two properties");
	T_STR(tr_prop(&tr, 0, "instance_uuid"),
	    "b600b5b1-ed8c-4814-aefa-8b903c894c20",
	    "server.id is instance_uuid when metadata lacks it");
	tr_free(&tr);

	one(&tr, "s.json", NULL, "image", 0, SMALL(", \"metadata\": "
	    "{\"instance_uuid\": \"given\"}, \"server\": {\"id\": "
	    "\"b600b5b1-ed8c-4814-aefa-8b903c894c20\"}"));
	T_INT(tr_nprops(&tr, 0), 1, "metadata instance_uuid: one property");
	T_STR(tr_prop(&tr, 0, "instance_uuid"), "given",
	    "metadata's instance_uuid wins over server.id");
	tr_free(&tr);

	one(&tr, "s.json", NULL, "image", 0,
	    SMALL(", \"server\": {\"id\": \"b600b5b1\"}"));
	T_STR(tr_prop(&tr, 0, "instance_uuid"), "b600b5b1",
	    "server.id without metadata");
	tr_free(&tr);
}

static void
test_project_id_from_url_and_links(void)
{
	struct treader tr;

	/* The URL first. */
	one(&tr, "p.txt", "https://nova:8774/v2.1/abc123/images/" ID1,
	    "image", 0, SMALL(""));
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), "abc123", "project from the URL");
	T_STR(tr_src(&tr, 0, S_CALL), "show", "GET /images/{id}: call show");
	tr_free(&tr);

	/* A URL without a project (microversion 2.18): from the links. */
	one(&tr, "p.txt", "/compute/v2.1/images/detail", "images", 1,
	    SMALL(""));
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), P9C, "URL without project: links");
	T_STR(tr_src(&tr, 0, S_CALL), "detail", "URL detail: call detail");
	tr_free(&tr);

	/* A bookmark link alone. */
	one(&tr, "p.json", NULL, "images", 1, "{\"id\": \"" ID1 "\", "
	    "\"minRam\": 0, \"links\": [{\"href\": \"http://glance/images/" ID1
	    "\", \"rel\": \"alternate\"}, {\"href\": \"http://nova/bookmarkp/"
	    "images/" ID1 "\", \"rel\": \"bookmark\"}]}");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), "bookmarkp",
	    "project from the bookmark link");
	tr_free(&tr);

	/* Only Glance's alternate link: no project. */
	one(&tr, "p.json", NULL, "images", 1, "{\"id\": \"" ID1 "\", "
	    "\"minRam\": 0, \"links\": [{\"href\": \"http://glance/p/images/"
	    ID1 "\", \"rel\": \"alternate\"}]}");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), NULL, "alternate link: no project");
	tr_free(&tr);
}

static void
test_request_id(void)
{
	struct treader tr;

	tr_init(&tr, "r.txt", NULL);
	tr_header(&tr, "X-Openstack-Request-Id", "req-os");
	(void)tr_item(&tr, NOVA, "image", 0, 0, SMALL(""));
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), "req-os",
	    "X-Openstack-Request-Id when no X-Compute-Request-Id");
	tr_free(&tr);

	tr_init(&tr, "r.txt", NULL);
	tr_header(&tr, "X-Openstack-Request-Id", "req-os");
	tr_header(&tr, "x-compute-request-id", "req-compute");
	(void)tr_item(&tr, NOVA, "image", 0, 0, SMALL(""));
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), "req-compute",
	    "X-Compute-Request-Id first");
	tr_free(&tr);
}

static void
test_bad_value_rejects(void)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ ", \"OS-EXT-IMG-SIZE:size\": \"-5\"",
		  "field OS-EXT-IMG-SIZE:size \"-5\": is negative" },
		{ ", \"minDisk\": \"abc\"",
		  "field minDisk \"abc\": is not a whole non-negative number" },
		{ ", \"created\": \"soon\"",
		  "field created \"soon\": is not an RFC 3339 timestamp" },
		{ ", \"status\": true",
		  "field status \"true\": is a boolean, not a string" },
		{ ", \"metadata\": \"k=v\"",
		  "field metadata \"k=v\": is a string, not an object of "
		  "key-value pairs" },
	};
	struct treader tr;
	char json[400];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(json, sizeof json, SMALL_RAM("%s"), cases[i].json);
		one(&tr, "bad.json", NULL, "images", 1, json);
		T_INT(tr.nobs, 0, cases[i].json);
		T_INT(tr.rc, RC_SKIP, cases[i].json);
		T_INT(tr.diag.n.rejects, 1, cases[i].json);
		T_STR(tr_msg(&tr, DIAG_REJECT, 0), cases[i].msg,
		    cases[i].json);
		tr_free(&tr);
	}
}

static void
test_without_id_rejects(void)
{
	struct treader tr;

	one(&tr, "n.json", NULL, "images", 1, "{\"name\": \"x\", \"minRam\": 0}");
	T_INT(tr.nobs, 0, "no id: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "image has no id", "no id: message");
	tr_free(&tr);
}

static void
test_not_an_object(void)
{
	struct treader tr;
	struct read_ctx ctx;
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *s = tr_parse(&d, "\"x\"");

	tr_init(&tr, "n.json", NULL);
	T_INT(tr_bid(&tr, NOVA, "images", 1, 0, "\"x\""), 0,
	    "string item: no bid");
	tr_ctx(&tr, &ctx, "image", 0, 0);
	T_INT(NOVA->read_item(&ctx, s), RC_SKIP, "string image: skipped");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "image is a string, not an object",
	    "string image: message");
	jv_doc_free(&d);
	tr_free(&tr);
}

static void
test_envelope_of_wrong_type(void)
{
	struct treader tr;
	const struct reader_ops *r;

	tr_init(&tr, "w.json", NULL);
	r = tr_dispatch(&tr, "", 0, 0, "{\"image\": null}");
	T_OK(r == NOVA, "{\"image\": null}: claimed by nova");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "\"image\" holds null (null), not an image object",
	    "{\"image\": null}: message");
	tr_reset(&tr);
	r = tr_dispatch(&tr, "", 0, 0, "{\"metadata\": \"x\"}");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "\"metadata\" holds a string (x), not an object of key-value pairs",
	    "{\"metadata\": \"x\"}: message");
	tr_reset(&tr);
	r = tr_dispatch(&tr, "", 0, 0, "{\"servers\": []}");
	T_OK(r == NULL, "{\"servers\": []}: nobody claims it");
	tr_free(&tr);
}

static void
test_bids(void)
{
	struct treader tr;

	tr_init(&tr, "b.json", NULL);
	T_OK(tr_dispatch(&tr, "image", 0, 0, seed002) == NOVA,
	    "seed 002: nova wins");
	T_OK(tr_dispatch(&tr, "images", 1, 0, seed004) == NOVA,
	    "seed 004 as a list item: nova wins");
	T_OK(tr_dispatch(&tr, "metadata", 0, 0, seed003) == NOVA,
	    "seed 003: nova wins");
	T_INT(tr_bid(&tr, NOVA, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"is_public\": true, \"min_ram\": 0}"), 0,
	    "Glance v1 item: no nova bid");
	T_INT(tr_bid(&tr, NOVA, "", 0, 0, seed002), 0,
	    "bare image without an envelope: no bid");
	tr_free(&tr);
}

int
main(void)
{
	test_show_seed002_every_field();
	test_show_seed002_with_its_request_url();
	test_metadata_seed003_id_from_url();
	test_metadata_id_from_file_name();
	test_metadata_without_id_rejects();
	test_metadata_two_uuids_in_file_name_rejects();
	test_meta_single_key();
	test_metadata_values_as_text();
	test_metadata_not_an_object_rejects();
	test_detail_seed004_single_object();
	test_detail_list_item();
	test_brief_list_item();
	test_status_mapping();
	test_size_as_string();
	test_server_id_is_instance_uuid();
	test_project_id_from_url_and_links();
	test_request_id();
	test_bad_value_rejects();
	test_without_id_rejects();
	test_not_an_object();
	test_envelope_of_wrong_type();
	test_bids();
	test_key_twice_at_any_size();
	return t_done();
}

/* A metadata object of n keys, "k0" to "k{n-1}", with key "k{twice}"
 * given again at the end when twice < n. */
static char *
metadata_text(size_t n, size_t twice)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "{\"id\": \"" ID1 "\", \"metadata\": {");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\"k%zu\": \"v\"", i ? ", " : "", i);
	if (twice < n)
		buf_printf(&b, ", \"k%zu\": \"w\"", twice);
	buf_addstr(&b, "}}");
	return buf_detach(&b);
}

/* A key twice in one object is refused as jansson refuses it, in small
 * objects and large ones alike; the same keys once each are read. */
static void
test_key_twice_at_any_size(void)
{
	static const size_t sizes[] = { 2, 8, 9, 20, 127, 128, 129, 300 };
	struct jv_doc d = JV_DOC_INIT;
	json_error_t err;
	char what[64];

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		size_t twice[] = { 0, n / 2, n - 1 };
		const struct jv *v;
		char *text = metadata_text(n, n);

		v = jv_parse(&d, text, strlen(text), JSON_DECODE_ANY, &err);
		snprintf(what, sizeof what, "%zu keys once each: read", n);
		T_OK(v != NULL && jv_get(v, "metadata") != NULL &&
		    jv_get(v, "metadata")->len == n, what);
		free(text);
		for (size_t k = 0; k < 3; k++) {
			text = metadata_text(n, twice[k]);
			v = jv_parse(&d, text, strlen(text), JSON_DECODE_ANY,
			    &err);
			snprintf(what, sizeof what, "%zu keys, k%zu twice: "
			    "refused", n, twice[k]);
			T_OK(v == NULL && json_error_code(&err) ==
			    json_error_duplicate_key, what);
			free(text);
		}
	}
	jv_doc_free(&d);
}
