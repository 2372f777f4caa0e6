/*
 * test_write_csv.c: the csv writer's rules (DESIGN.md section 5): libcsv
 * quoting, CRLF, null versus empty, the formula guard and --csv-raw,
 * integers in full, properties as JSON, --properties=columns.
 * Every expected row below is written by hand.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"
#include "t.h"
#include "tutil.h"

extern const struct writer_ops write_csv_ops;

#define ID_A "11111111-1111-4111-8111-111111111111"
#define ID_B "22222222-2222-4222-8222-222222222222"

/* The header's field columns, each followed by a comma. */
#define HEAD "\"id\",\"name\",\"status\",\"visibility\",\"protected\"," \
	"\"container_format\",\"disk_format\",\"size\",\"virtual_size\"," \
	"\"checksum\",\"min_ram\",\"min_disk\",\"owner\",\"created_at\"," \
	"\"updated_at\",\"deleted\",\"deleted_at\","
/* Fifteen null fields: status to deleted_at. */
#define NULLS15 ",,,,,,,,,,,,,,,"

static char dir[] = "/tmp/imgmeta-test-write-csv-XXXXXX";
static char path[256];

static void	rec(struct record *, const char *id, const char *name,
		    size_t nsrcs);
static char	*run(int raw, int columns, struct record *, size_t);

/* A record: id, name (may be NULL), nsrcs sources. */
static void
rec(struct record *r, const char *id, const char *name, size_t nsrcs)
{
	record_init(r);
	record_set_raw(r, F_ID, id);
	record_set_raw(r, F_NAME, name);
	for (size_t i = 0; i < nsrcs; i++)
		source_set(record_add_source(r), S_FILE, "f");
}

/* The bytes the writer gives for these records (sorted first). */
static char *
run(int raw, int columns, struct record *r, size_t n)
{
	struct writer w;
	struct diag d;
	const char *why;
	int ok = 1;

	diag_init(&d, NULL, NULL);
	memset(&w, 0, sizeof w);
	w.ops = &write_csv_ops;
	w.diag = &d;
	unlink(path);
	if ((raw && w.ops->option(&w, "csv-raw", NULL, &why) != RC_OK) ||
	    (columns && w.ops->option(&w, "properties", "columns",
	    &why) != RC_OK) || w.ops->open(&w, path) != RC_OK)
		ok = 0;
	for (size_t i = 0; ok && i < n; i++) {
		record_sort(&r[i]);
		if (w.ops->write(&w, &r[i]) != RC_OK)
			ok = 0;
	}
	if (ok && access(path, F_OK) == 0)
		ok = 0;		/* must not appear before finish */
	if (ok && w.ops->finish(&w) != RC_OK)
		ok = 0;
	w.ops->free(&w);
	for (size_t i = 0; i < n; i++)
		record_clear(&r[i]);
	return ok ? tu_slurp(path) : NULL;
}

int
main(void)
{
	struct record r[3];
	const char *why = NULL;
	char *s;

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof path, "%s/out.csv", dir);

	/* No records: the header alone. */
	s = run(0, 0, r, 0);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n",
	    "no records: header row only, CRLF");
	free(s);
	s = run(0, 1, r, 0);
	T_STR(s, HEAD "\"sources\"\r\n",
	    "no records, columns: no property columns");
	free(s);

	/* Nulls are bare empty fields; an empty string is "". */
	rec(&r[0], ID_A, NULL, 1);
	rec(&r[1], ID_B, "", 2);
	s = run(0, 0, r, 2);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",," NULLS15 "\"{}\",\"1\"\r\n"
	    "\"" ID_B "\",\"\"," NULLS15 "\"{}\",\"2\"\r\n",
	    "null is an empty field, empty string is \"\", sources counted");
	free(s);

	/* Quoting: commas, quotes, CR, LF, non-ASCII. */
	rec(&r[0], ID_A, "a,b \"c\"\r\nd\xc3\xa9\xe6\x97\xa5", 1);
	s = run(0, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"a,b \"\"c\"\"\r\nd\xc3\xa9\xe6\x97\xa5\","
	    NULLS15 "\"{}\",\"1\"\r\n",
	    "quotes doubled, commas and newlines inside quotes, UTF-8 kept");
	free(s);

	/* Formula guard on every leading =, +, -, @, tab, CR, LF, '. */
	rec(&r[0], ID_A, "=1+2", 1);
	record_set_raw(&r[0], F_OWNER, "+x");
	record_set_raw(&r[0], F_CONTAINER_FORMAT, "-x");
	record_set_raw(&r[0], F_DISK_FORMAT, "@x");
	record_prop_set(&r[0], "t", "\tx");
	record_prop_set(&r[0], "u", "\rx");
	s = run(0, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"'=1+2\",,,,\"'-x\",\"'@x\",,,,,,\"'+x\",,,,,"
	    "\"{\"\"t\"\":\"\"\\tx\"\",\"\"u\"\":\"\"\\rx\"\"}\",\"1\"\r\n",
	    "formula guard: leading ' before =, +, -, @");
	free(s);
	rec(&r[0], ID_A, "\tx", 1);
	record_set_raw(&r[0], F_OWNER, "\rx");
	record_set_raw(&r[0], F_DISK_FORMAT, "\nx");
	s = run(0, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"'\tx\",,,,,\"'\nx\",,,,,,\"'\rx\",,,,,\"{}\",\"1\"\r\n",
	    "formula guard: leading ' before tab, CR and LF");
	free(s);
	/* A leading ' gets one more, so that one ' stripped undoes it. */
	rec(&r[0], ID_A, "'=x", 1);
	record_set_raw(&r[0], F_CONTAINER_FORMAT, "'");
	record_set_raw(&r[0], F_OWNER, "a=b");
	record_set_raw(&r[0], F_DISK_FORMAT, " =x");
	s = run(0, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"''=x\",,,,\"''\",\" =x\",,,,,,\"a=b\",,,,,"
	    "\"{}\",\"1\"\r\n",
	    "a leading ' doubled; no guard unless the first character is one");
	free(s);

	/* --csv-raw: as is. */
	rec(&r[0], ID_A, "=1+2", 1);
	record_set_raw(&r[0], F_OWNER, "@x");
	s = run(1, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"=1+2\",,,,,,,,,,,\"@x\",,,,,\"{}\",\"1\"\r\n",
	    "--csv-raw: no guard");
	free(s);

	/* Integers in full, booleans, timestamps as in the record. */
	rec(&r[0], ID_A, "big", 3);
	T_INT(record_set(&r[0], F_SIZE, "9223372036854775807", &why), 0,
	    "2^63-1 is a size");
	T_INT(record_set(&r[0], F_VIRTUAL_SIZE, "9007199254740993", &why), 0,
	    "2^53+1 is a size");
	T_INT(record_set(&r[0], F_MIN_RAM, "2147483648", &why), 0,
	    "2^31 is a min_ram");
	record_set_raw(&r[0], F_PROTECTED, "false");
	record_set_raw(&r[0], F_DELETED, "true");
	record_set_raw(&r[0], F_CREATED_AT, "2016-05-22T06:04:20.425843Z");
	s = run(0, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"big\",,,\"false\",,,\"9223372036854775807\","
	    "\"9007199254740993\",,\"2147483648\",,,"
	    "\"2016-05-22T06:04:20.425843Z\",,\"true\",,\"{}\",\"3\"\r\n",
	    "64-bit integers in full, booleans true/false");
	free(s);

	/* Properties: compact JSON, keys sorted, null kept, UTF-8 kept. */
	rec(&r[0], ID_A, "p", 1);
	record_prop_set(&r[0], "z", "last");
	record_prop_set(&r[0], "a", NULL);
	record_prop_set(&r[0], "m", "say \"hi\", \xc3\xa9");
	s = run(0, 0, r, 1);
	T_STR(s, HEAD "\"properties\",\"sources\"\r\n"
	    "\"" ID_A "\",\"p\"," NULLS15
	    "\"{\"\"a\"\":null,\"\"m\"\":\"\"say \\\"\"hi\\\"\", \xc3\xa9\"\","
	    "\"\"z\"\":\"\"last\"\"}\",\"1\"\r\n",
	    "properties: compact JSON object text, keys sorted");
	free(s);

	/*
	 * --properties=columns: the keys of all records, sorted; empty where
	 * a record lacks the key or its value is null; the guard applies.
	 */
	rec(&r[0], ID_A, "one", 1);
	record_prop_set(&r[0], "os", "linux");
	record_prop_set(&r[0], "a", NULL);
	rec(&r[1], ID_B, "two", 2);
	record_prop_set(&r[1], "b", "=x");
	record_prop_set(&r[1], "os", "");
	rec(&r[2], "33333333-3333-4333-8333-333333333333", "three", 1);
	s = run(0, 1, r, 3);
	T_STR(s, HEAD "\"property.a\",\"property.b\",\"property.os\","
	    "\"sources\"\r\n"
	    "\"" ID_A "\",\"one\"," NULLS15 ",,\"linux\",\"1\"\r\n"
	    "\"" ID_B "\",\"two\"," NULLS15 ",\"'=x\",\"\",\"2\"\r\n"
	    "\"33333333-3333-4333-8333-333333333333\",\"three\"," NULLS15
	    ",,,\"1\"\r\n",
	    "--properties=columns: sorted keys of the whole output");
	free(s);
	rec(&r[0], ID_A, "one", 1);
	record_prop_set(&r[0], "k,\"q\"", "v");
	s = run(1, 1, r, 1);
	T_STR(s, HEAD "\"property.k,\"\"q\"\"\",\"sources\"\r\n"
	    "\"" ID_A "\",\"one\"," NULLS15 "\"v\",\"1\"\r\n",
	    "--properties=columns: a key with a comma and quotes is quoted");
	free(s);

	/* Many records and keys: the spool and the key set grow. */
	{
		struct record *m = xcalloc(300, sizeof *m);
		char id[40], key[16], *want, *p;
		int ok;

		for (int i = 0; i < 300; i++) {
			snprintf(id, sizeof id,
			    "00000000-0000-4000-8000-%012d", i);
			rec(&m[i], id, "n", 1);
			snprintf(key, sizeof key, "k%03d", i);
			record_prop_set(&m[i], key, "v");
		}
		s = run(0, 1, m, 300);
		/* row i: 300 property fields, "v" in the i-th */
		ok = s != NULL;
		p = s != NULL ? strchr(s, '\n') + 1 : NULL;
		for (int i = 0; ok && i < 300; i++) {
			struct buf b = BUF_INIT;

			buf_printf(&b, "\"00000000-0000-4000-8000-%012d\","
			    "\"n\"," NULLS15, i);
			for (int k = 0; k < 300; k++)
				buf_addstr(&b, k == i ? "\"v\"," : ",");
			buf_addstr(&b, "\"1\"\r\n");
			want = buf_detach(&b);
			ok = strncmp(p, want, strlen(want)) == 0;
			p += strlen(want);
			free(want);
		}
		T_OK(ok && *p == '\0', "300 records, 300 keys, in columns");
		T_OK(s != NULL && strstr(s, "\"property.k000\",") != NULL &&
		    strstr(s, "\"property.k299\",\"sources\"\r\n") != NULL,
		    "300 property columns in the header");
		free(s);
		free(m);
	}

	unlink(path);
	rmdir(dir);
	return t_done();
}
