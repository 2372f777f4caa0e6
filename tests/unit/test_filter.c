/* test_filter.c: the query-parameter filters, one check per rule. */
#include "config.h"

#include <stdlib.h>

#include "filter.h"
#include "t.h"

static struct record r;

static int	match_n(const char *const *);
static void	lines(void);
static void	many_ids(void);

/* The filters name, value, name, value... (NULL-ended) against r. */
static int
match_n(const char *const *nv)
{
	struct filter *f = filter_new();
	const char *why;
	int m;

	for (; nv[0] != NULL; nv += 2)
		if (filter_add(f, nv[0], nv[1], &why) != 0) {
			filter_free(f);
			return -1;
		}
	m = filter_match(f, &r);
	filter_free(f);
	return m;
}

/* filter_add_lines: --ids-from's file. */
static void
lines(void)
{
	static char good[] = "# the first two\n"
	    "\n"
	    "  3C3D1D01-B48A-4639-8A88-08BE3B9B5D78 \r\n"
	    "\t# an indented comment\n"
	    "00000000-0000-4000-8000-000000000000";	/* no last newline */
	static char bad[] = "00000000-0000-4000-8000-000000000000\n"
	    "#\n"
	    "cirros\n";
	struct filter *f = filter_new();
	const char *why = NULL;
	size_t line;
	char *v;
	FILE *fp;

	fp = fmemopen(good, sizeof good - 1, "r");
	T_INT(filter_add_lines(f, "id", fp, &line, &v, &why), 0,
	    "ids: comments, blank lines, blanks, CRLF, no last newline");
	fclose(fp);
	T_INT(filter_match(f, &r), 1, "ids: an upper-case id matches");
	filter_free(f);

	f = filter_new();
	fp = fmemopen(bad, sizeof bad - 1, "r");
	T_INT(filter_add_lines(f, "id", fp, &line, &v, &why), -1,
	    "ids: a line that is not an id is an error");
	fclose(fp);
	T_INT(line, 3, "ids: the bad value's line");
	T_STR(v, "cirros", "ids: the bad value");
	T_STR(why, "is not a UUID", "ids: why");
	free(v);
	filter_free(f);
}

/*
 * 100 000 ids and as many records: one lookup each. A filter that
 * scanned its values per record would take 10^10 comparisons here and
 * time the test out.
 */
static void
many_ids(void)
{
	struct filter *f = filter_new();
	struct record rec;
	const char *why;
	char id[40];
	size_t hits = 0;

	for (unsigned i = 0; i < 100000; i++) {
		snprintf(id, sizeof id, "00000000-0000-4000-8000-%012u",
		    2 * i);
		if (filter_add(f, "id", id, &why) != 0)
			break;
	}
	record_init(&rec);
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(id, sizeof id, "00000000-0000-4000-8000-%012u", i);
		record_set_raw(&rec, F_ID, id);
		hits += (size_t)filter_match(f, &rec);
	}
	record_clear(&rec);
	filter_free(f);
	T_INT(hits, 50000, "100 000 ids against 100 000 records");
}

static int
match1(const char *name, const char *value)
{
	struct filter *f = filter_new();
	const char *why;
	int m;

	if (filter_add(f, name, value, &why) != 0) {
		filter_free(f);
		return -1;
	}
	m = filter_match(f, &r);
	filter_free(f);
	return m;
}

int
main(void)
{
	struct filter *f;
	const char *why;

	record_init(&r);
	record_set_raw(&r, F_ID, "3c3d1d01-b48a-4639-8a88-08be3b9b5d78");
	record_set_raw(&r, F_NAME, "cirros");
	record_set_raw(&r, F_STATUS, "active");
	record_set_raw(&r, F_VISIBILITY, "public");
	record_set_raw(&r, F_DISK_FORMAT, "qcow2");
	record_set_raw(&r, F_SIZE, "13167616");
	record_set_raw(&r, F_MIN_RAM, "512");
	record_set_raw(&r, F_UPDATED_AT, "2016-05-22T06:04:22.719791Z");
	record_prop_set(&r, "hw_disk_bus", "scsi");
	record_prop_set(&r, "nullprop", NULL);

	T_INT(match1("name", "cirros"), 1, "--name matches the exact name");
	T_INT(match1("name", "Cirros"), 0, "--name is exact (case counts)");
	T_INT(match1("status", "active"), 1, "--status active");
	T_INT(match1("status", "ACTIVE"), 1, "--status takes Nova's ACTIVE too");
	T_INT(match1("status", "bogus"), -1, "--status bogus is a usage error");
	T_INT(match1("visibility", "private"), 0, "--visibility private");
	T_INT(match1("visibility", "everyone"), -1, "--visibility bad value");
	T_INT(match1("disk-format", "qcow2"), 1, "--disk-format equality");
	T_INT(match1("container-format", "bare"), 0,
	    "a null field never matches");
	T_INT(match1("size-min", "13167616"), 1, "--size-min is inclusive");
	T_INT(match1("size-min", "13167617"), 0, "--size-min one above");
	T_INT(match1("size-max", "13167616"), 1, "--size-max is inclusive");
	T_INT(match1("size-max", "999"), 0, "--size-max below (fewer digits)");
	T_INT(match1("size-max", "99999999999999999999"), -1,
	    "--size-max too big is a usage error");
	T_INT(match1("size-min", "1k"), -1, "--size-min not a number");
	T_INT(match1("min-ram", "512"), 1, "--min-ram equality");
	T_INT(match1("min-ram", "256"), 0, "--min-ram is equality, not minimum");
	T_INT(match1("min-disk", "0"), 0, "--min-disk on a null field");
	T_INT(match1("changes-since", "2016-05-22T06:04:22Z"), 1,
	    "--changes-since: a fraction later is later");
	T_INT(match1("changes-since", "2016-05-22T06:04:22.719791Z"), 0,
	    "--changes-since is strictly later");
	T_INT(match1("changes-since", "2016-05-22T08:00:00+02:00"), 1,
	    "--changes-since takes a zone offset");
	T_INT(match1("changes-since", "yesterday"), -1,
	    "--changes-since not a time is a usage error");
	T_INT(match1("property", "hw_disk_bus=scsi"), 1, "--property K=V");
	T_INT(match1("property", "hw_disk_bus=ide"), 0, "--property other V");
	T_INT(match1("property", "nullprop="), 0,
	    "--property on a null value does not match");
	T_INT(match1("property", "novalue"), -1, "--property without =");

	/* Several filters combine with AND. */
	f = filter_new();
	filter_add(f, "name", "cirros", &why);
	filter_add(f, "size-min", "1", &why);
	T_INT(filter_match(f, &r), 1, "two matching filters: match");
	filter_add(f, "status", "killed", &why);
	T_INT(filter_match(f, &r), 0, "one failing filter: no match (AND)");
	filter_free(f);

	/* One filter given again: any of its values (OR). */
	T_INT(match_n((const char *[]){ "name", "x", "name", "cirros",
	    NULL }), 1, "--name x --name cirros: OR");
	T_INT(match_n((const char *[]){ "name", "x", "name", "y", NULL }), 0,
	    "--name x --name y: neither");
	T_INT(match_n((const char *[]){ "name", "x", "name", "cirros",
	    "status", "killed", NULL }), 0, "OR within, AND across");
	T_INT(match_n((const char *[]){ "status", "queued", "status",
	    "ACTIVE", NULL }), 1, "--status twice, Nova's spelling mapped");
	T_INT(match_n((const char *[]){ "min-ram", "0", "min-ram", "512",
	    NULL }), 1, "--min-ram twice: OR");
	T_INT(match_n((const char *[]){ "id",
	    "3C3D1D01-B48A-4639-8A88-08BE3B9B5D78", NULL }), 1,
	    "--id: upper case matches");
	T_INT(match_n((const char *[]){ "id", "cirros", NULL }), -1,
	    "--id not a UUID is a usage error");
	T_INT(match_n((const char *[]){ "property", "hw_disk_bus=ide",
	    "property", "hw_disk_bus=scsi", NULL }), 1,
	    "--property one KEY twice: OR");
	T_INT(match_n((const char *[]){ "property", "hw_disk_bus=scsi",
	    "property", "os=linux", NULL }), 0,
	    "--property two keys: AND");
	T_INT(match_n((const char *[]){ "size-min", "1", "size-min",
	    "20000000", NULL }), 0, "a range filter twice: both hold");
	lines();
	many_ids();

	T_INT(filter_time_cmp("2016-01-01T00:00:00.5Z",
	    "2016-01-01T00:00:00.50Z"), 0, "fractions compare as numbers");

	record_clear(&r);
	return t_done();
}
