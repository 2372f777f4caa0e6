/*
 * test_write_glance.c: the glance writer (formats/write_glance.c): the
 * POST /v2/images body (field order, nulls left out, tags, properties
 * as top-level strings) and the --glance-report lines (read-only,
 * not-settable, reserved, null, invalid, quota, default). Every expected
 * line is written by hand from the rules in write_glance.c's comment.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"
#include "t.h"
#include "tutil.h"

extern const struct writer_ops write_glance_ops;

#define ID_A "11111111-1111-4111-8111-111111111111"
#define ID_B "22222222-2222-4222-8222-222222222222"

static char dir[] = "/tmp/imgmeta-test-write-glance-XXXXXX";
static char path[256], report[256];

int	main(void);
static void	rec(struct record *, const char *id, const char *name);
static int	run(struct record *, size_t, int with_report);
static void	test_full_record(void);
static void	test_nulls_and_defaults(void);
static void	test_properties_reserved_null_invalid(void);
static void	test_tags(void);
static void	test_limits(void);
static void	test_no_report_without_option(void);

static void
rec(struct record *r, const char *id, const char *name)
{
	record_init(r);
	record_set_raw(r, F_ID, id);
	record_set_raw(r, F_NAME, name);
	source_set(record_add_source(r), S_FILE, "f");
}

/* Writes the records (sorted first) to path, and report when asked;
 * 1 on success. */
static int
run(struct record *r, size_t n, int with_report)
{
	struct writer w;
	struct diag d;
	const char *why;
	int ok = 1;

	diag_init(&d, NULL, NULL);
	memset(&w, 0, sizeof w);
	w.ops = &write_glance_ops;
	w.diag = &d;
	unlink(path);
	unlink(report);
	if (with_report && w.ops->option(&w, "glance-report", report,
	    &why) != RC_OK) {
		w.ops->free(&w);
		return 0;
	}
	if (w.ops->open(&w, path) != RC_OK)
		return 0;
	for (size_t i = 0; ok && i < n; i++) {
		record_sort(&r[i]);
		if (w.ops->write(&w, &r[i]) != RC_OK)
			ok = 0;
	}
	if (ok && (access(path, F_OK) == 0 || access(report, F_OK) == 0))
		ok = 0;		/* nothing before finish */
	if (ok && w.ops->finish(&w) != RC_OK)
		ok = 0;
	w.ops->free(&w);
	for (size_t i = 0; i < n; i++)
		record_clear(&r[i]);
	return ok;
}

static void
test_full_record(void)
{
	struct record r[1];
	char *s;

	rec(&r[0], ID_A, "cirros");
	record_set_raw(&r[0], F_STATUS, "active");
	record_set_raw(&r[0], F_VISIBILITY, "public");
	record_set_raw(&r[0], F_PROTECTED, "false");
	record_set_raw(&r[0], F_CONTAINER_FORMAT, "bare");
	record_set_raw(&r[0], F_DISK_FORMAT, "qcow2");
	record_set_raw(&r[0], F_SIZE, "13167616");
	record_set_raw(&r[0], F_CHECKSUM, "64d7c1cd2b6f60c92c14662941cb7913");
	record_set_raw(&r[0], F_MIN_RAM, "512");
	record_set_raw(&r[0], F_MIN_DISK, "1");
	record_set_raw(&r[0], F_OWNER, "o1");
	record_set_raw(&r[0], F_CREATED_AT, "2016-05-22T06:04:20.425843Z");
	record_set_raw(&r[0], F_DELETED, "false");
	record_prop_set(&r[0], "hw_disk_bus", "scsi");
	record_prop_set(&r[0], "architecture", "x86_64");
	T_OK(run(r, 1, 1), "full record: written");
	s = tu_slurp(path);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":\"cirros\",\"visibility\":"
	    "\"public\",\"protected\":false,\"container_format\":\"bare\","
	    "\"disk_format\":\"qcow2\",\"min_ram\":512,\"min_disk\":1,"
	    "\"tags\":[],\"architecture\":\"x86_64\",\"hw_disk_bus\":\"scsi\"}\n",
	    "full record: body in order, properties sorted, top level");
	free(s);
	s = tu_slurp(report);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":\"cirros\",\"values\":["
	    "{\"field\":\"status\",\"value\":\"active\",\"kind\":\"read-only\","
	    "\"reason\":\"Glance sets the status itself (queued until image "
	    "data is uploaded)\"},"
	    "{\"field\":\"size\",\"value\":13167616,\"kind\":\"read-only\","
	    "\"reason\":\"Glance computes it from the uploaded image data\"},"
	    "{\"field\":\"checksum\",\"value\":\"64d7c1cd2b6f60c92c14662941cb"
	    "7913\",\"kind\":\"read-only\",\"reason\":\"Glance computes it "
	    "from the uploaded image data\"},"
	    "{\"field\":\"owner\",\"value\":\"o1\",\"kind\":\"not-settable\","
	    "\"reason\":\"the image belongs to the project that creates it\"},"
	    "{\"field\":\"created_at\",\"value\":\"2016-05-22T06:04:20.425843Z"
	    "\",\"kind\":\"read-only\",\"reason\":\"Glance sets the time "
	    "stamps\"}]}\n",
	    "full record: report lists read-only and not-settable values, "
	    "not deleted=false");
	free(s);
}

static void
test_nulls_and_defaults(void)
{
	struct record r[2];
	char *s;

	rec(&r[0], ID_A, NULL);
	rec(&r[1], ID_B, "b");
	record_set_raw(&r[1], F_VISIBILITY, "private");
	record_set_raw(&r[1], F_PROTECTED, "true");
	record_set_raw(&r[1], F_MIN_RAM, "0");
	record_set_raw(&r[1], F_MIN_DISK, "0");
	T_OK(run(r, 2, 1), "nulls: written");
	s = tu_slurp(path);
	T_STR(s, "{\"id\":\"" ID_A "\",\"tags\":[]}\n"
	    "{\"id\":\"" ID_B "\",\"name\":\"b\",\"visibility\":\"private\","
	    "\"protected\":true,\"min_ram\":0,\"min_disk\":0,\"tags\":[]}\n",
	    "nulls: left out of the body");
	free(s);
	s = tu_slurp(report);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":null,\"values\":["
	    "{\"field\":\"visibility\",\"value\":null,\"kind\":\"default\","
	    "\"reason\":\"null in the record: Glance sets its default\","
	    "\"becomes\":\"shared\"},"
	    "{\"field\":\"protected\",\"value\":null,\"kind\":\"default\","
	    "\"reason\":\"null in the record: Glance sets its default\","
	    "\"becomes\":false},"
	    "{\"field\":\"min_ram\",\"value\":null,\"kind\":\"default\","
	    "\"reason\":\"null in the record: Glance sets its default\","
	    "\"becomes\":0},"
	    "{\"field\":\"min_disk\",\"value\":null,\"kind\":\"default\","
	    "\"reason\":\"null in the record: Glance sets its default\","
	    "\"becomes\":0}]}\n",
	    "nulls: defaults reported; nothing for a record with all set");
	free(s);
}

static void
test_properties_reserved_null_invalid(void)
{
	struct record r[1];
	char *s;

	rec(&r[0], ID_A, "p");
	record_set_raw(&r[0], F_VISIBILITY, "private");
	record_set_raw(&r[0], F_PROTECTED, "false");
	record_set_raw(&r[0], F_MIN_RAM, "0");
	record_set_raw(&r[0], F_MIN_DISK, "0");
	record_set_raw(&r[0], F_DELETED, "true");
	record_set_raw(&r[0], F_DELETED_AT, "2020-01-01T00:00:00Z");
	record_prop_set(&r[0], "os_glance_x", "1");
	record_prop_set(&r[0], "name", "shadow");
	record_prop_set(&r[0], "location", "file:///x");
	record_prop_set(&r[0], "ramdisk_id", NULL);
	record_prop_set(&r[0], "kernel_id", "nokernel");
	record_prop_set(&r[0], "cinder_encryption_key_deletion_policy",
	    "never");
	record_prop_set(&r[0], "ok", "v");
	T_OK(run(r, 1, 1), "properties: written");
	s = tu_slurp(path);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":\"p\",\"visibility\":"
	    "\"private\",\"protected\":false,\"min_ram\":0,\"min_disk\":0,"
	    "\"tags\":[],\"ok\":\"v\"}\n",
	    "properties: only the sendable one in the body");
	free(s);
	s = tu_slurp(report);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":\"p\",\"values\":["
	    "{\"field\":\"deleted\",\"value\":true,\"kind\":\"reserved\","
	    "\"reason\":\"a created image is not deleted; Glance v2 reserves "
	    "\\\"deleted\\\"\"},"
	    "{\"field\":\"deleted_at\",\"value\":\"2020-01-01T00:00:00Z\","
	    "\"kind\":\"reserved\",\"reason\":\"Glance v2 reserves "
	    "\\\"deleted_at\\\"\"},"
	    "{\"field\":\"properties.cinder_encryption_key_deletion_policy\","
	    "\"value\":\"never\",\"kind\":\"invalid\",\"reason\":\"not "
	    "on_image_deletion or do_not_delete, as Glance's schema-image.json "
	    "requires (400)\"},"
	    "{\"field\":\"properties.kernel_id\",\"value\":\"nokernel\","
	    "\"kind\":\"invalid\",\"reason\":\"not a UUID, which Glance's "
	    "schema-image.json requires (400)\"},"
	    "{\"field\":\"properties.location\",\"value\":\"file:///x\","
	    "\"kind\":\"reserved\",\"reason\":\"reserved by Glance v2 (403)\"},"
	    "{\"field\":\"properties.name\",\"value\":\"shadow\",\"kind\":"
	    "\"reserved\",\"reason\":\"a field of Glance v2's image schema, "
	    "not a property name\"},"
	    "{\"field\":\"properties.os_glance_x\",\"value\":\"1\",\"kind\":"
	    "\"reserved\",\"reason\":\"in Glance's reserved namespace "
	    "os_glance_ (403)\"},"
	    "{\"field\":\"properties.ramdisk_id\",\"value\":null,\"kind\":"
	    "\"null\",\"reason\":\"Glance v2 property values are strings: a "
	    "null cannot be sent\"}]}\n",
	    "properties: reserved, invalid and null reported in key order");
	free(s);
}

static void
test_tags(void)
{
	struct record r[2];
	char *s;

	rec(&r[0], ID_A, "t");
	record_set_raw(&r[0], F_VISIBILITY, "private");
	record_set_raw(&r[0], F_PROTECTED, "false");
	record_set_raw(&r[0], F_MIN_RAM, "0");
	record_set_raw(&r[0], F_MIN_DISK, "0");
	record_prop_set(&r[0], "tags", "[\"a\",\"b\"]");
	record_prop_set(&r[0], "a", "1");
	rec(&r[1], ID_B, "u");
	record_set_raw(&r[1], F_VISIBILITY, "private");
	record_set_raw(&r[1], F_PROTECTED, "false");
	record_set_raw(&r[1], F_MIN_RAM, "0");
	record_set_raw(&r[1], F_MIN_DISK, "0");
	record_prop_set(&r[1], "tags", "web,prod");
	T_OK(run(r, 2, 1), "tags: written");
	s = tu_slurp(path);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":\"t\",\"visibility\":"
	    "\"private\",\"protected\":false,\"min_ram\":0,\"min_disk\":0,"
	    "\"tags\":[\"a\",\"b\"],\"a\":\"1\"}\n"
	    "{\"id\":\"" ID_B "\",\"name\":\"u\",\"visibility\":"
	    "\"private\",\"protected\":false,\"min_ram\":0,\"min_disk\":0,"
	    "\"tags\":[]}\n",
	    "tags: a JSON array becomes the body's tags, other text does not");
	free(s);
	s = tu_slurp(report);
	T_STR(s, "{\"id\":\"" ID_B "\",\"name\":\"u\",\"values\":["
	    "{\"field\":\"properties.tags\",\"value\":\"web,prod\",\"kind\":"
	    "\"reserved\",\"reason\":\"a field of Glance v2's image schema, "
	    "not a property name\"}]}\n",
	    "tags: a property tags that is not a tag list is reported");
	free(s);
}

static void
test_limits(void)
{
	struct record r[1];
	struct buf name = BUF_INIT, key = BUF_INIT;
	char *s, *want;

	/* 255 two-byte characters are fine; 256 are not. */
	for (int i = 0; i < 256; i++)
		buf_addstr(&name, "\xc3\xa9");
	for (int i = 0; i < 256; i++)
		buf_addc(&key, 'k');
	rec(&r[0], ID_A, buf_cstr(&name));
	record_set_raw(&r[0], F_VISIBILITY, "private");
	record_set_raw(&r[0], F_PROTECTED, "false");
	record_set_raw(&r[0], F_MIN_RAM, "2147483648");
	record_set_raw(&r[0], F_MIN_DISK, "2147483647");
	record_prop_set(&r[0], buf_cstr(&key), "v");
	T_OK(run(r, 1, 1), "limits: written");
	s = tu_slurp(path);
	T_STR(s, "{\"id\":\"" ID_A "\",\"visibility\":\"private\","
	    "\"protected\":false,\"min_disk\":2147483647,\"tags\":[]}\n",
	    "limits: long name, big min_ram and long key left out");
	free(s);
	s = tu_slurp(report);
	want = xasprintf("{\"id\":\"" ID_A "\",\"name\":\"%s\",\"values\":["
	    "{\"field\":\"name\",\"value\":\"%s\",\"kind\":\"invalid\","
	    "\"reason\":\"longer than 255 characters: Glance refuses it "
	    "(400)\"},"
	    "{\"field\":\"min_ram\",\"value\":2147483648,\"kind\":\"invalid\","
	    "\"reason\":\"above 2147483647: Glance refuses it (400)\"},"
	    "{\"field\":\"properties.%s\",\"value\":\"v\",\"kind\":"
	    "\"invalid\",\"reason\":\"a property name longer than 255 "
	    "characters: Glance refuses it (400)\"}]}\n", buf_cstr(&name),
	    buf_cstr(&name), buf_cstr(&key));
	T_STR(s, want, "limits: each reported as invalid");
	free(want);
	free(s);

	/* 129 properties: the 129th (in key order) is past the quota. */
	rec(&r[0], ID_A, "q");
	record_set_raw(&r[0], F_VISIBILITY, "private");
	record_set_raw(&r[0], F_PROTECTED, "false");
	record_set_raw(&r[0], F_MIN_RAM, "0");
	record_set_raw(&r[0], F_MIN_DISK, "0");
	for (int i = 0; i < 129; i++) {
		char k[16];

		snprintf(k, sizeof k, "p%03d", i);
		record_prop_set(&r[0], k, "v");
	}
	T_OK(run(r, 1, 1), "quota: written");
	s = tu_slurp(report);
	T_STR(s, "{\"id\":\"" ID_A "\",\"name\":\"q\",\"values\":["
	    "{\"field\":\"properties.p128\",\"value\":\"v\",\"kind\":"
	    "\"quota\",\"reason\":\"past Glance's default "
	    "image_property_quota (128)\"}]}\n",
	    "quota: the 129th property reported");
	free(s);
	s = tu_slurp(path);
	T_OK(s != NULL && strstr(s, "\"p127\":\"v\"}") != NULL,
	    "quota: the 128th property sent");
	free(s);
	buf_free(&name);
	buf_free(&key);
}

static void
test_no_report_without_option(void)
{
	struct record r[1];

	rec(&r[0], ID_A, NULL);
	T_OK(run(r, 1, 0), "no --glance-report: written");
	T_OK(access(report, F_OK) != 0, "no --glance-report: no report file");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof path, "%s/out.glance.jsonl", dir);
	snprintf(report, sizeof report, "%s/report.jsonl", dir);
	test_full_record();
	test_nulls_and_defaults();
	test_properties_reserved_null_invalid();
	test_tags();
	test_limits();
	test_no_report_without_option();
	unlink(path);
	unlink(report);
	rmdir(dir);
	return t_done();
}
