/*
 * test_read_glance_v1.c: the Glance v1 reader (formats/read_glance_v1.c),
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
extern const struct reader_ops read_glance_v2_ops;

#define GV1	(&read_glance_v1_ops)

/* Seed 000: the response headers of HEAD /v1/images/{id}, as printed. */
static const char seed000[] =
    "Content-Type: text/html; charset=UTF-8\n"
    "Content-Length: 0\n"
    "X-Image-Meta-Id: 3c3d1d01-b48a-4639-8a88-08be3b9b5d78\n"
    "X-Image-Meta-Deleted: False\n"
    "X-Image-Meta-Container_format: bare\n"
    "X-Image-Meta-Checksum: 64d7c1cd2b6f60c92c14662941cb7913\n"
    "X-Image-Meta-Protected: False\n"
    "X-Image-Meta-Min_disk: 0\n"
    "X-Image-Meta-Created_at: 2016-05-22T06:04:20.425843\n"
    "X-Image-Meta-Size: 13167616\n"
    "X-Image-Meta-Status: active\n"
    "X-Image-Meta-Is_public: True\n"
    "X-Image-Meta-Min_ram: 0\n"
    "X-Image-Meta-Owner: 23f4cb75768d4febb39542ef6fe169f3\n"
    "X-Image-Meta-Updated_at: 2016-05-22T06:04:22.719791\n"
    "X-Image-Meta-Disk_format: qcow2\n"
    "X-Image-Meta-Name: cirros\n"
    "Etag: 64d7c1cd2b6f60c92c14662941cb7913\n"
    "X-Openstack-Request-Id: req-7123ca83-da23-4f4e-9ed6-accd3707d333\n"
    "Date: Mon, 23 May 2016 02:29:54 GMT\n";

/* Seed 001: the item of GET /v1.1/images/detail. */
static const char seed001[] =
    "{\"status\": \"active\", \"deleted_at\": null, \"name\": \"cirros\","
    " \"deleted\": false, \"container_format\": \"bare\","
    " \"created_at\": \"2016-05-22T06:04:20.425843\","
    " \"disk_format\": \"qcow2\","
    " \"updated_at\": \"2016-05-22T06:04:22.719791\", \"min_disk\": 0,"
    " \"protected\": false,"
    " \"id\": \"3c3d1d01-b48a-4639-8a88-08be3b9b5d78\", \"min_ram\": 0,"
    " \"checksum\": \"64d7c1cd2b6f60c92c14662941cb7913\","
    " \"owner\": \"23f4cb75768d4febb39542ef6fe169f3\", \"is_public\": true,"
    " \"virtual_size\": null, \"properties\": {}, \"size\": 13167616}";

/* The brief list item of GET /v1/images (Glance's api-ref sample). */
static const char brief[] =
    "{\"checksum\": \"eb9139e4942121f22bbc2afc0400b2a4\","
    " \"container_format\": \"ovf\", \"disk_format\": \"vmdk\","
    " \"id\": \"008cc101-c3ee-40dd-8477-cd8d99dcbf3d\", \"name\": \"Harry\","
    " \"size\": 25165824}";

#define ID3C	"3c3d1d01-b48a-4639-8a88-08be3b9b5d78"
#define ID1	"11111111-1111-4111-8111-111111111111"

int	main(void);
static void	check_cirros(struct treader *, const char *);
static void	head_one(struct treader *, const char *, const char *);
static void	item_one(struct treader *, const char *, const char *);
static void	test_head_seed000_every_field(void);
static void	test_head_bid_needs_the_id_header(void);
static void	test_head_names_any_case_dash_is_underscore(void);
static void	test_head_property_keys_lowercased(void);
static void	test_head_none_and_empty_are_null(void);
static void	test_head_latin1_value_read_with_warning(void);
static void	test_head_etag_is_the_checksum_fallback(void);
static void	test_head_is_public_maps_to_visibility(void);
static void	test_head_unknown_header_warned(void);
static void	test_head_url_id_differs_warned(void);
static void	test_head_request_id_compute_fallback(void);
static void	test_head_bad_value_rejects(void);
static void	test_head_without_id_rejects(void);
static void	test_json_seed001_every_field(void);
static void	test_json_brief_list_item(void);
static void	test_json_api_and_call_from_url(void);
static void	test_json_is_public_maps_to_visibility(void);
static void	test_json_properties_kept_as_text(void);
static void	test_json_properties_not_object_rejects(void);
static void	test_json_bad_value_rejects(void);
static void	test_json_without_id_rejects(void);
static void	test_json_unknown_status_null_with_warning(void);
static void	test_json_deleted_image(void);
static void	test_json_not_an_object(void);
static void	test_json_glance_v2_not_claimed(void);
static void	test_json_bids_only_on_glance_v1(void);

/* The canonical record of the seeds' cirros image (seed 000 and 001
 * tables): everything but the source. */
static void
check_cirros(struct treader *tr, const char *what)
{
	char w[160];

#define F(f, want) do {							\
	snprintf(w, sizeof w, "%s: %s", what, field_info[f].name);	\
	T_STR(tr_field(tr, 0, f), want, w);				\
} while (0)
	F(F_ID, ID3C);
	F(F_NAME, "cirros");
	F(F_STATUS, "active");
	F(F_VISIBILITY, "public");
	F(F_PROTECTED, "false");
	F(F_CONTAINER_FORMAT, "bare");
	F(F_DISK_FORMAT, "qcow2");
	F(F_SIZE, "13167616");
	F(F_VIRTUAL_SIZE, NULL);
	F(F_CHECKSUM, "64d7c1cd2b6f60c92c14662941cb7913");
	F(F_MIN_RAM, "0");
	F(F_MIN_DISK, "0");
	F(F_OWNER, "23f4cb75768d4febb39542ef6fe169f3");
	F(F_CREATED_AT, "2016-05-22T06:04:20.425843Z");
	F(F_UPDATED_AT, "2016-05-22T06:04:22.719791Z");
	F(F_DELETED, "false");
	F(F_DELETED_AT, NULL);
#undef F
	snprintf(w, sizeof w, "%s: no properties", what);
	T_INT(tr_nprops(tr, 0), 0, w);
}

/* Reads a header block; the caller checks and frees. */
static void
head_one(struct treader *tr, const char *url, const char *block)
{
	tr_init(tr, "head.txt", url);
	tr_headers(tr, block);
	(void)tr_read_headers(tr, GV1);
}

/* Reads one item of {"images": [...]} at index 0. */
static void
item_one(struct treader *tr, const char *url, const char *json)
{
	tr_init(tr, "detail.json", url);
	(void)tr_item(tr, GV1, "images", 1, 0, json);
}

static void
test_head_seed000_every_field(void)
{
	struct treader tr;

	tr_init(&tr, "seed000.txt", NULL);
	tr_headers(&tr, seed000);
	tr_set_date(&tr, "2016-05-23T02:29:54Z");
	T_OK(tr_read_headers(&tr, GV1) > 0, "seed 000: bids on its headers");
	T_INT(tr.rc, RC_OK, "seed 000: read ok");
	T_INT(tr.nobs, 1, "seed 000: one observation");
	T_INT(tr.diag.n.observations, 1, "seed 000: counted");
	T_INT(tr.nmsg, 0, "seed 000: nothing reported");
	check_cirros(&tr, "seed 000");
	T_STR(tr_src(&tr, 0, S_FILE), "seed000.txt", "seed 000: source file");
	T_STR(tr_src(&tr, 0, S_AT), "0", "seed 000: source at");
	T_STR(tr_src(&tr, 0, S_API), "v1", "seed 000: source api");
	T_STR(tr_src(&tr, 0, S_CALL), "head", "seed 000: source call");
	T_STR(tr_src(&tr, 0, S_DATE), "2016-05-23T02:29:54Z",
	    "seed 000: source date");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID),
	    "req-7123ca83-da23-4f4e-9ed6-accd3707d333",
	    "seed 000: source request_id");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), NULL, "seed 000: no project_id");
	T_STR(tr_src(&tr, 0, S_STATUS), "active", "seed 000: source status");
	T_STR(tr_src(&tr, 0, S_URL), NULL, "seed 000: no url");
	tr_free(&tr);

	/* With its request line the api still is v1, the URL is kept. */
	tr_init(&tr, "seed000.txt",
	    "https://ims.example/v1/images/3c3d1d01-b48a-4639-8a88-08be3b9b5d78");
	tr_headers(&tr, seed000);
	(void)tr_read_headers(&tr, GV1);
	T_INT(tr.nobs, 1, "seed 000 with URL: one observation");
	T_INT(tr.nmsg, 0, "seed 000 with URL: ids agree, nothing said");
	T_STR(tr_src(&tr, 0, S_API), "v1", "seed 000 with URL: api");
	T_STR(tr_src(&tr, 0, S_URL),
	    "https://ims.example/v1/images/3c3d1d01-b48a-4639-8a88-08be3b9b5d78",
	    "seed 000 with URL: url");
	tr_free(&tr);
}

static void
test_head_bid_needs_the_id_header(void)
{
	struct treader tr;

	tr_init(&tr, "h.txt", NULL);
	tr_headers(&tr, "X-Image-Meta-Name: x\nContent-Length: 0\n");
	T_INT(tr_read_headers(&tr, GV1), 0, "no X-Image-Meta-Id: no bid");
	T_INT(tr.nobs, 0, "no X-Image-Meta-Id: nothing read");
	tr_free(&tr);

	tr_init(&tr, "h.txt", NULL);
	tr_headers(&tr, "x-image-meta-id: " ID1 "\n");
	T_OK(tr_read_headers(&tr, GV1) > 0, "x-image-meta-id: bids");
	T_INT(tr.nobs, 1, "x-image-meta-id: read");
	tr_free(&tr);

	tr_init(&tr, "h.txt", NULL);
	tr_headers(&tr, "X-IMAGE-META-ID: " ID1 "\n");
	T_OK(tr_read_headers(&tr, GV1) > 0, "X-IMAGE-META-ID: bids");
	tr_free(&tr);
}

static void
test_head_names_any_case_dash_is_underscore(void)
{
	struct treader tr;

	head_one(&tr, NULL,
	    "x-image-meta-id: " ID1 "\n"
	    "x-image-meta-is-public: false\n"
	    "X-IMAGE-META-DISK-FORMAT: raw\n"
	    "x-image-meta-container-format: bare\n"
	    "X-Image-Meta-Min-Ram: 512\n"
	    "x-image-meta-min_disk: 1\n"
	    "X-Image-Meta-Virtual-Size: 2048\n"
	    "x-image-meta-created-at: 2016-05-22 06:04:20\n"
	    "X-Image-Meta-Deleted-At: None\n");
	T_INT(tr.nobs, 1, "dashes: one observation");
	T_INT(tr.nmsg, 0, "dashes: nothing reported");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "private", "is-public");
	T_STR(tr_field(&tr, 0, F_DISK_FORMAT), "raw", "DISK-FORMAT");
	T_STR(tr_field(&tr, 0, F_CONTAINER_FORMAT), "bare", "container-format");
	T_STR(tr_field(&tr, 0, F_MIN_RAM), "512", "Min-Ram");
	T_STR(tr_field(&tr, 0, F_MIN_DISK), "1", "min_disk");
	T_STR(tr_field(&tr, 0, F_VIRTUAL_SIZE), "2048", "Virtual-Size");
	T_STR(tr_field(&tr, 0, F_CREATED_AT), "2016-05-22T06:04:20Z",
	    "created-at");
	T_STR(tr_field(&tr, 0, F_DELETED_AT), NULL, "Deleted-At None");
	tr_free(&tr);
}

static void
test_head_property_keys_lowercased(void)
{
	struct treader tr;

	/* The openstack4j capture's capitalisation, and dashes. */
	head_one(&tr, NULL,
	    "X-Image-Meta-Id: " ID1 "\n"
	    "X-Image-Meta-Property-Hw_qemu_guest_agent: yes\n"
	    "X-Image-Meta-Property-Hw-Disk-Bus: scsi\n"
	    "x-image-meta-property-Os_Distro: Ubuntu\n"
	    "X-IMAGE-META-PROPERTY-KERNEL-ID: nokernel\n");
	T_INT(tr.nobs, 1, "property keys: one observation");
	T_INT(tr.nmsg, 0, "property keys: nothing reported");
	T_INT(tr_nprops(&tr, 0), 4, "property keys: four properties");
	T_STR(tr_prop(&tr, 0, "hw_qemu_guest_agent"), "yes",
	    "Property-Hw_qemu_guest_agent is hw_qemu_guest_agent");
	T_STR(tr_prop(&tr, 0, "hw_disk_bus"), "scsi",
	    "Property-Hw-Disk-Bus is hw_disk_bus");
	T_STR(tr_prop(&tr, 0, "os_distro"), "Ubuntu",
	    "property-Os_Distro is os_distro, value as sent");
	T_STR(tr_prop(&tr, 0, "kernel_id"), "nokernel",
	    "PROPERTY-KERNEL-ID is kernel_id");
	tr_free(&tr);
}

static void
test_head_none_and_empty_are_null(void)
{
	struct treader tr;

	head_one(&tr, NULL,
	    "X-Image-Meta-Id: " ID1 "\n"
	    "X-Image-Meta-Name: nulls\n"
	    "X-Image-Meta-Status: None\n"
	    "X-Image-Meta-Virtual_size: None\n"
	    "X-Image-Meta-Deleted_at:\n"
	    "X-Image-Meta-Owner: \n"
	    "X-Image-Meta-Checksum: None\n"
	    "X-Image-Meta-Property-Foo: None\n"
	    "X-Image-Meta-Property-Bar:\n"
	    "X-Image-Meta-Property-None_ok: none\n");
	T_INT(tr.nobs, 1, "None: one observation");
	T_INT(tr.nmsg, 0, "None: nothing reported");
	T_STR(tr_field(&tr, 0, F_NAME), "nulls", "None: name");
	T_STR(tr_field(&tr, 0, F_STATUS), NULL, "Status None is null");
	T_STR(tr_src(&tr, 0, S_STATUS), NULL, "Status None: no source status");
	T_STR(tr_field(&tr, 0, F_VIRTUAL_SIZE), NULL, "Virtual_size None");
	T_STR(tr_field(&tr, 0, F_DELETED_AT), NULL, "empty Deleted_at");
	T_STR(tr_field(&tr, 0, F_OWNER), NULL, "blank Owner");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), NULL, "Checksum None, no ETag");
	T_STR(tr_prop(&tr, 0, "foo"), NULL, "Property-Foo None: null value");
	T_STR(tr_prop(&tr, 0, "bar"), NULL, "empty Property-Bar: null value");
	T_STR(tr_prop(&tr, 0, "none_ok"), "none",
	    "lowercase none is a value");
	T_INT(tr_nprops(&tr, 0), 3, "None: properties kept with null values");
	tr_free(&tr);
}

static void
test_head_latin1_value_read_with_warning(void)
{
	struct treader tr;

	tr_init(&tr, "head.txt", NULL);
	tr_header(&tr, "X-Image-Meta-Id", ID1);
	tr_header_n(&tr, "X-Image-Meta-Name", "caf\xe9", 4);
	tr_header_n(&tr, "X-Image-Meta-Property-Note", "\xb5s", 2);
	(void)tr_read_headers(&tr, GV1);
	T_INT(tr.nobs, 1, "latin1: one observation");
	T_STR(tr_field(&tr, 0, F_NAME), "caf\xc3\xa9", "latin1: name caf\\xe9");
	T_STR(tr_prop(&tr, 0, "note"), "\xc2\xb5s", "latin1: property");
	T_INT(tr_count(&tr, DIAG_WARN), 2, "latin1: one warning a header");
	T_STR(tr_msg(&tr, DIAG_WARN, 0),
	    "header X-Image-Meta-Name is not valid UTF-8: read as ISO-8859-1",
	    "latin1: warning names the header");
	T_STR(tr_msg_pos(&tr, DIAG_WARN, 0), "0", "latin1: warning position");
	T_INT(tr_count(&tr, DIAG_REJECT), 0, "latin1: no reject");
	tr_free(&tr);

	/* Valid UTF-8 (even mojibake, as openstack4j's capture) is kept. */
	tr_init(&tr, "head.txt", NULL);
	tr_header(&tr, "X-Image-Meta-Id", ID1);
	tr_header(&tr, "X-Image-Meta-Name", "\xc3\xa5\xc2\xb3");
	(void)tr_read_headers(&tr, GV1);
	T_STR(tr_field(&tr, 0, F_NAME), "\xc3\xa5\xc2\xb3",
	    "UTF-8 name bytes kept");
	T_INT(tr.nmsg, 0, "UTF-8 name: no warning");
	tr_free(&tr);
}

static void
test_head_etag_is_the_checksum_fallback(void)
{
	struct treader tr;

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "ETag: 64d7c1cd2b6f60c92c14662941cb7913\n");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), "64d7c1cd2b6f60c92c14662941cb7913",
	    "ETag is the checksum");
	tr_free(&tr);

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "Etag: \"64D7C1CD2B6F60C92C14662941CB7913\"\n");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), "64d7c1cd2b6f60c92c14662941cb7913",
	    "quoted ETag, quotes stripped, lowercased");
	tr_free(&tr);

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "ETag: \"5d41402abc4b2a76b9719d911017c592-3\"\n");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), NULL, "ETag not an MD5: unused");
	T_INT(tr.nmsg, 0, "ETag not an MD5: nothing said");
	tr_free(&tr);

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "X-Image-Meta-Checksum: 8a40c862b5735975d82605c1dd395796\n"
	    "ETag: 64d7c1cd2b6f60c92c14662941cb7913\n");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), "8a40c862b5735975d82605c1dd395796",
	    "X-Image-Meta-Checksum wins over the ETag");
	tr_free(&tr);
}

static void
test_head_is_public_maps_to_visibility(void)
{
	static const struct {
		const char *sent, *want;
	} cases[] = {
		{ "True", "public" }, { "False", "private" },
		{ "true", "public" }, { "FALSE", "private" },
		{ "1", "public" }, { "0", "private" },
		{ "yes", "public" }, { "off", "private" },
	};
	struct treader tr;
	char block[160], what[80];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(block, sizeof block, "X-Image-Meta-Id: " ID1
		    "\nX-Image-Meta-Is_public: %s\n", cases[i].sent);
		head_one(&tr, NULL, block);
		snprintf(what, sizeof what, "Is_public %s", cases[i].sent);
		T_STR(tr_field(&tr, 0, F_VISIBILITY), cases[i].want, what);
		tr_free(&tr);
	}
	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "X-Image-Meta-Is_public: maybe\n");
	T_INT(tr.nobs, 0, "Is_public maybe: no observation");
	T_INT(tr.rc, RC_SKIP, "Is_public maybe: skipped");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "field X-Image-Meta-Is_public \"maybe\": is not a boolean",
	    "Is_public maybe: reject message");
	tr_free(&tr);
}

static void
test_head_unknown_header_warned(void)
{
	struct treader tr;

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "X-Image-Meta-Foo: bar\n"
	    "X-Image-Meta-Location: swift+https://u:secret@swift/x\n"
	    "X-Other: 1\n");
	T_INT(tr.nobs, 1, "unknown header: observation kept");
	T_INT(tr_count(&tr, DIAG_WARN), 1, "unknown header: one warning");
	T_STR(tr_msg(&tr, DIAG_WARN, 0),
	    "unknown header X-Image-Meta-Foo ignored",
	    "unknown header: warning text");
	T_INT(tr_nprops(&tr, 0), 0, "unknown header: not a property");
	tr_free(&tr);
}

static void
test_head_url_id_differs_warned(void)
{
	struct treader tr;

	head_one(&tr, "/v1/images/22222222-2222-4222-8222-222222222222",
	    "X-Image-Meta-Id: " ID1 "\n");
	T_INT(tr.nobs, 1, "URL id differs: observation kept");
	T_STR(tr_field(&tr, 0, F_ID), ID1, "URL id differs: header id kept");
	T_INT(tr_count(&tr, DIAG_WARN), 1, "URL id differs: one warning");
	T_STR(tr_msg(&tr, DIAG_WARN, 0),
	    "the request URL names image 22222222-2222-4222-8222-222222222222 "
	    "but X-Image-Meta-Id is " ID1 ": the header's id is kept",
	    "URL id differs: warning text");
	T_STR(tr_src(&tr, 0, S_URL),
	    "/v1/images/22222222-2222-4222-8222-222222222222",
	    "URL id differs: url kept");
	tr_free(&tr);

	head_one(&tr, "/v1/images/11111111-1111-4111-8111-111111111111",
	    "X-Image-Meta-Id: 11111111-1111-4111-8111-111111111111\n");
	T_INT(tr.nmsg, 0, "URL id agrees: nothing said");
	tr_free(&tr);

	head_one(&tr, "/v1.1/images/" ID1, "X-Image-Meta-Id: " ID1 "\n");
	T_STR(tr_src(&tr, 0, S_API), "v1.1", "HEAD /v1.1/: api v1.1");
	tr_free(&tr);
}

static void
test_head_request_id_compute_fallback(void)
{
	struct treader tr;

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "X-Compute-Request-Id: req-compute\n");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), "req-compute",
	    "X-Compute-Request-Id when no X-Openstack-Request-Id");
	tr_free(&tr);

	head_one(&tr, NULL, "X-Image-Meta-Id: " ID1 "\n"
	    "X-Compute-Request-Id: req-compute\n"
	    "x-openstack-request-id: req-openstack\n");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID), "req-openstack",
	    "X-Openstack-Request-Id first");
	tr_free(&tr);
}

static void
test_head_bad_value_rejects(void)
{
	static const struct {
		const char *header, *msg;
	} cases[] = {
		{ "X-Image-Meta-Size: -5",
		  "field X-Image-Meta-Size \"-5\": is negative" },
		{ "X-Image-Meta-Min_ram: lots",
		  "field X-Image-Meta-Min_ram \"lots\": is not a whole "
		  "non-negative number" },
		{ "X-Image-Meta-Deleted: perhaps",
		  "field X-Image-Meta-Deleted \"perhaps\": is not a boolean" },
		{ "X-Image-Meta-Created_at: yesterday",
		  "field X-Image-Meta-Created_at \"yesterday\": is not an "
		  "RFC 3339 timestamp" },
		{ "X-Image-Meta-Checksum: abc",
		  "field X-Image-Meta-Checksum \"abc\": is not an MD5 "
		  "checksum" },
	};
	struct treader tr;
	char block[200];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(block, sizeof block, "X-Image-Meta-Id: " ID1
		    "\nX-Image-Meta-Name: bad\n%s\n", cases[i].header);
		head_one(&tr, NULL, block);
		T_INT(tr.nobs, 0, cases[i].header);
		T_INT(tr.diag.n.rejects, 1, cases[i].header);
		T_INT(tr.rc, RC_SKIP, cases[i].header);
		T_STR(tr_msg(&tr, DIAG_REJECT, 0), cases[i].msg,
		    cases[i].header);
		tr_free(&tr);
	}
}

static void
test_head_without_id_rejects(void)
{
	struct treader tr;

	head_one(&tr, NULL, "X-Image-Meta-Id: None\nX-Image-Meta-Name: x\n");
	T_INT(tr.nobs, 0, "Id None: no observation");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "image has no id (X-Image-Meta-Id is empty)", "Id None: reject");
	tr_free(&tr);

	head_one(&tr, NULL, "X-Image-Meta-Id: 42\n");
	T_INT(tr.nobs, 0, "Id 42: no observation");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "field X-Image-Meta-Id \"42\": is not a UUID", "Id 42: reject");
	tr_free(&tr);
}

static void
test_json_seed001_every_field(void)
{
	struct treader tr;

	tr_init(&tr, "seed001.txt", NULL);
	tr_header(&tr, "X-Openstack-Request-Id",
	    "req-68327dda-8078-41fe-b091-01a09ec073da");
	tr_set_date(&tr, "2016-05-23T02:32:28Z");
	T_OK(tr_item(&tr, GV1, "images", 1, 0, seed001) > 0,
	    "seed 001: bids on its item");
	T_INT(tr.rc, RC_OK, "seed 001: read ok");
	T_INT(tr.nobs, 1, "seed 001: one observation");
	T_INT(tr.nmsg, 0, "seed 001: nothing reported");
	check_cirros(&tr, "seed 001");
	T_STR(tr_src(&tr, 0, S_FILE), "seed001.txt", "seed 001: source file");
	T_STR(tr_src(&tr, 0, S_AT), "0#/images/0", "seed 001: source at");
	T_STR(tr_src(&tr, 0, S_API), "v1.1", "seed 001: api v1.1 (detail)");
	T_STR(tr_src(&tr, 0, S_CALL), "detail", "seed 001: call");
	T_STR(tr_src(&tr, 0, S_DATE), "2016-05-23T02:32:28Z",
	    "seed 001: source date");
	T_STR(tr_src(&tr, 0, S_REQUEST_ID),
	    "req-68327dda-8078-41fe-b091-01a09ec073da",
	    "seed 001: source request_id");
	T_STR(tr_src(&tr, 0, S_PROJECT_ID), NULL, "seed 001: no project_id");
	T_STR(tr_src(&tr, 0, S_STATUS), "active", "seed 001: source status");
	T_STR(tr_src(&tr, 0, S_URL), NULL, "seed 001: no url");
	tr_free(&tr);
}

static void
test_json_brief_list_item(void)
{
	struct treader tr;

	item_one(&tr, NULL, brief);
	T_OK(tr.bid > 0, "brief: bid");
	T_INT(tr.nobs, 1, "brief: one observation");
	T_STR(tr_field(&tr, 0, F_ID), "008cc101-c3ee-40dd-8477-cd8d99dcbf3d",
	    "brief: id");
	T_STR(tr_field(&tr, 0, F_NAME), "Harry", "brief: name");
	T_STR(tr_field(&tr, 0, F_CONTAINER_FORMAT), "ovf", "brief: container");
	T_STR(tr_field(&tr, 0, F_DISK_FORMAT), "vmdk", "brief: disk");
	T_STR(tr_field(&tr, 0, F_SIZE), "25165824", "brief: size");
	T_STR(tr_field(&tr, 0, F_CHECKSUM), "eb9139e4942121f22bbc2afc0400b2a4",
	    "brief: checksum");
	T_STR(tr_field(&tr, 0, F_STATUS), NULL, "brief: no status");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), NULL, "brief: no visibility");
	T_STR(tr_field(&tr, 0, F_MIN_RAM), NULL, "brief: no min_ram");
	T_STR(tr_src(&tr, 0, S_API), "v1", "brief: api v1");
	T_STR(tr_src(&tr, 0, S_CALL), "list", "brief: call list");
	T_STR(tr_src(&tr, 0, S_STATUS), NULL, "brief: no source status");
	tr_free(&tr);
}

static void
test_json_api_and_call_from_url(void)
{
	struct treader tr;

	item_one(&tr, "/v1/images/detail", seed001);
	T_STR(tr_src(&tr, 0, S_API), "v1", "GET /v1/images/detail: api v1");
	T_STR(tr_src(&tr, 0, S_CALL), "detail", "GET /v1/images/detail: call");
	tr_free(&tr);

	item_one(&tr, "https://ims.example/v1.1/images/detail?disk_format=qcow2",
	    seed001);
	T_STR(tr_src(&tr, 0, S_API), "v1.1", "GET /v1.1/images/detail: api");
	T_STR(tr_src(&tr, 0, S_CALL), "detail", "GET /v1.1/images/detail: call");
	tr_free(&tr);

	item_one(&tr, "http://glance:9292/v1/images?limit=2", brief);
	T_STR(tr_src(&tr, 0, S_API), "v1", "GET /v1/images: api");
	T_STR(tr_src(&tr, 0, S_CALL), "list", "GET /v1/images: call");
	T_STR(tr_src(&tr, 0, S_URL), "http://glance:9292/v1/images?limit=2",
	    "GET /v1/images: url");
	tr_free(&tr);

	item_one(&tr, "/v1.1/images", brief);
	T_STR(tr_src(&tr, 0, S_API), "v1.1", "GET /v1.1/images: api");
	T_STR(tr_src(&tr, 0, S_CALL), "list", "GET /v1.1/images: call");
	tr_free(&tr);
}

static void
test_json_is_public_maps_to_visibility(void)
{
	struct treader tr;

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": false}");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "private", "is_public false");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": true}");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "public", "is_public true");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": \"True\"}");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), "public", "is_public \"True\"");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": null}");
	T_INT(tr.nobs, 1, "is_public null: observation");
	T_STR(tr_field(&tr, 0, F_VISIBILITY), NULL, "is_public null: null");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": 1}");
	T_INT(tr.nobs, 0, "is_public 1: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "field is_public \"1\": is a number, not a boolean",
	    "is_public 1: message");
	tr_free(&tr);
}

static void
test_json_properties_kept_as_text(void)
{
	struct treader tr;

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": true,"
	    " \"properties\": {\"s\": \"x\", \"n\": 1, \"f\": 1.5,"
	    " \"b\": true, \"z\": null, \"e\": \"\", \"o\": {\"k\": [1]},"
	    " \"one\": \"1\"}}");
	T_INT(tr.nobs, 1, "properties: one observation");
	T_INT(tr.nmsg, 0, "properties: nothing reported");
	T_INT(tr_nprops(&tr, 0), 8, "properties: all eight kept");
	T_STR(tr_prop(&tr, 0, "s"), "x", "string property exact");
	T_STR(tr_prop(&tr, 0, "n"), "1", "number property 1 is the text 1");
	T_STR(tr_prop(&tr, 0, "f"), "1.5", "real property as JSON text");
	T_STR(tr_prop(&tr, 0, "b"), "true", "boolean property as JSON text");
	T_STR(tr_prop(&tr, 0, "z"), NULL, "JSON null kept as null");
	T_STR(tr_prop(&tr, 0, "e"), "", "empty string kept");
	T_STR(tr_prop(&tr, 0, "o"), "{\"k\":[1]}", "object as compact JSON");
	T_STR(tr_prop(&tr, 0, "one"), "1", "string \"1\" kept");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": true,"
	    " \"properties\": null}");
	T_INT(tr.nobs, 1, "properties null: observation");
	T_INT(tr_nprops(&tr, 0), 0, "properties null: none");
	tr_free(&tr);
}

static void
test_json_properties_not_object_rejects(void)
{
	struct treader tr;

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": true,"
	    " \"properties\": [\"a\"]}");
	T_INT(tr.nobs, 0, "properties array: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "field properties \"[\"a\"]\": is an array, not an object of "
	    "key-value pairs", "properties array: message");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"is_public\": true,"
	    " \"properties\": \"k=v\"}");
	T_INT(tr.nobs, 0, "properties string: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0),
	    "field properties \"k=v\": is a string, not an object of "
	    "key-value pairs", "properties string: message");
	tr_free(&tr);
}

static void
test_json_bad_value_rejects(void)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "\"size\": \"-5\"", "field size \"-5\": is negative" },
		{ "\"size\": -5", "field size \"-5\": is negative" },
		{ "\"min_ram\": 1.5", "field min_ram \"1.5\": is not a whole "
		  "number" },
		{ "\"min_disk\": \"x\"", "field min_disk \"x\": is not a whole "
		  "non-negative number" },
		{ "\"protected\": \"perhaps\"", "field protected \"perhaps\": "
		  "is not a boolean" },
		{ "\"created_at\": \"yesterday\"", "field created_at "
		  "\"yesterday\": is not an RFC 3339 timestamp" },
		{ "\"checksum\": \"xyz\"", "field checksum \"xyz\": is not an "
		  "MD5 checksum" },
		{ "\"name\": [\"a\"]", "field name \"[\"a\"]\": is an array, "
		  "not a string" },
		{ "\"status\": 3", "field status \"3\": is a number, not a "
		  "string" },
	};
	struct treader tr;
	char json[200];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(json, sizeof json, "{\"id\": \"" ID1 "\","
		    " \"is_public\": true, %s}", cases[i].json);
		item_one(&tr, NULL, json);
		T_INT(tr.nobs, 0, cases[i].json);
		T_INT(tr.rc, RC_SKIP, cases[i].json);
		T_INT(tr.diag.n.rejects, 1, cases[i].json);
		T_STR(tr_msg(&tr, DIAG_REJECT, 0), cases[i].msg,
		    cases[i].json);
		T_STR(tr_msg_pos(&tr, DIAG_REJECT, 0), "0#/images/0",
		    cases[i].json);
		tr_free(&tr);
	}
}

static void
test_json_without_id_rejects(void)
{
	struct treader tr;

	item_one(&tr, NULL, "{\"name\": \"x\", \"is_public\": true}");
	T_INT(tr.nobs, 0, "no id: rejected");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "image has no id", "no id: message");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": null, \"is_public\": true}");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "image has no id", "id null");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"abc\", \"is_public\": true}");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "field id \"abc\": is not a UUID",
	    "id abc");
	tr_free(&tr);
}

static void
test_json_unknown_status_null_with_warning(void)
{
	struct treader tr;

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"status\": \"weird\","
	    " \"is_public\": true}");
	T_INT(tr.nobs, 1, "status weird: observation kept");
	T_STR(tr_field(&tr, 0, F_STATUS), NULL, "status weird: null");
	T_STR(tr_src(&tr, 0, S_STATUS), "weird", "status weird: in source");
	T_INT(tr_count(&tr, DIAG_WARN), 1, "status weird: one warning");
	T_STR(tr_msg(&tr, DIAG_WARN, 0), "status \"weird\" maps to no Glance "
	    "status: the record's status is left null, the source keeps it",
	    "status weird: warning text");
	tr_free(&tr);

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"status\": \"deactivated\","
	    " \"is_public\": true}");
	T_STR(tr_field(&tr, 0, F_STATUS), "deactivated", "status deactivated");
	T_INT(tr.nmsg, 0, "status deactivated: nothing said");
	tr_free(&tr);
}

static void
test_json_deleted_image(void)
{
	struct treader tr;

	item_one(&tr, NULL, "{\"id\": \"" ID1 "\", \"status\": \"deleted\","
	    " \"deleted\": true, \"deleted_at\": \"2016-05-22T07:00:00+02:00\","
	    " \"is_public\": false, \"foo\": 1}");
	T_INT(tr.nobs, 1, "deleted: observation");
	T_INT(tr.nmsg, 0, "deleted: other keys ignored silently");
	T_STR(tr_field(&tr, 0, F_STATUS), "deleted", "deleted: status");
	T_STR(tr_field(&tr, 0, F_DELETED), "true", "deleted: deleted");
	T_STR(tr_field(&tr, 0, F_DELETED_AT), "2016-05-22T05:00:00Z",
	    "deleted: deleted_at in UTC");
	T_INT(tr_nprops(&tr, 0), 0, "deleted: foo is not a property");
	tr_free(&tr);
}

static void
test_json_not_an_object(void)
{
	struct treader tr;
	struct read_ctx ctx;
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *s = tr_parse(&d,
	    "\"3c3d1d01-b48a-4639-8a88-08be3b9b5d78\"");

	tr_init(&tr, "detail.json", NULL);
	T_INT(tr_bid(&tr, GV1, "images", 1, 0, "\"x\""), 0,
	    "string item: no bid");
	T_OK(tr_dispatch(&tr, "images", 1, 0, "\"x\"") == NULL,
	    "string item: no reader bids (the engine rejects it)");
	tr_ctx(&tr, &ctx, "images", 1, 0);
	T_INT(GV1->read_item(&ctx, s), RC_SKIP, "string item read: skipped");
	T_STR(tr_msg(&tr, DIAG_REJECT, 0), "image is a string, not an object",
	    "string item read: message");
	T_INT(tr.nobs, 0, "string item: nothing emitted");
	jv_doc_free(&d);
	tr_free(&tr);
}

static void
test_json_glance_v2_not_claimed(void)
{
	struct treader tr;
	const struct reader_ops *r;
	static const char v2item[] =
	    "{\"schema\": \"/v2/schemas/image\", \"id\": \"" ID1 "\","
	    " \"visibility\": \"public\", \"min_ram\": 0, \"disk_format\": "
	    "\"raw\", \"self\": \"/v2/images/" ID1 "\"}";

	tr_init(&tr, "v2.json", NULL);
	T_INT(tr_bid(&tr, GV1, "images", 1, 0, v2item), 0,
	    "Glance v2 item: glance_v1 does not bid");
	r = tr_dispatch(&tr, "images", 1, 0, v2item);
	T_OK(r == &read_glance_v2_ops, "Glance v2 item: glance_v2 reads it");
	T_INT(tr.nobs, 1, "Glance v2 item: one observation");
	T_INT(tr_count(&tr, DIAG_REJECT), 0, "Glance v2 item: no reject");
	tr_reset(&tr);
	/* A Glance v2 show: the body itself, offered with envelope "". */
	r = tr_dispatch(&tr, "", 0, 0, "{\"schema\": \"/v2/schemas/image\","
	    " \"id\": \"" ID1 "\", \"visibility\": \"private\"}");
	T_OK(r == &read_glance_v2_ops, "Glance v2 body: glance_v2 reads it");
	T_INT(tr.nobs, 1, "Glance v2 body: one observation");
	tr_free(&tr);
}

static void
test_json_bids_only_on_glance_v1(void)
{
	struct treader tr;

	tr_init(&tr, "x.json", NULL);
	T_INT(tr_bid(&tr, GV1, "images", 1, 0, "{\"...\": \"...\"}"), 0,
	    "placeholder item: no bid");
	T_OK(tr_dispatch(&tr, "images", 1, 0, "{\"...\": \"...\"}") == NULL,
	    "placeholder item: nobody reads it");
	T_INT(tr_bid(&tr, GV1, "images", 1, 0, "{\"id\": \"" ID1 "\","
	    " \"name\": \"n\", \"links\": [], \"minRam\": 0}"), 0,
	    "Nova item: no bid");
	T_INT(tr_bid(&tr, GV1, "", 0, 0, seed001), 0,
	    "bare image without an envelope: no bid");
	T_OK(tr_dispatch(&tr, "images", 1, 0, seed001) == GV1,
	    "seed 001 item: glance_v1 wins");
	T_OK(tr_dispatch(&tr, "images", 1, 0, brief) == GV1,
	    "brief item: glance_v1 wins");
	tr_free(&tr);
}

int
main(void)
{
	test_head_seed000_every_field();
	test_head_bid_needs_the_id_header();
	test_head_names_any_case_dash_is_underscore();
	test_head_property_keys_lowercased();
	test_head_none_and_empty_are_null();
	test_head_latin1_value_read_with_warning();
	test_head_etag_is_the_checksum_fallback();
	test_head_is_public_maps_to_visibility();
	test_head_unknown_header_warned();
	test_head_url_id_differs_warned();
	test_head_request_id_compute_fallback();
	test_head_bad_value_rejects();
	test_head_without_id_rejects();
	test_json_seed001_every_field();
	test_json_brief_list_item();
	test_json_api_and_call_from_url();
	test_json_is_public_maps_to_visibility();
	test_json_properties_kept_as_text();
	test_json_properties_not_object_rejects();
	test_json_bad_value_rejects();
	test_json_without_id_rejects();
	test_json_unknown_status_null_with_warning();
	test_json_deleted_image();
	test_json_not_an_object();
	test_json_glance_v2_not_claimed();
	test_json_bids_only_on_glance_v1();
	return t_done();
}
