/* test_filter.c: the query-parameter filters, one check per rule. */
#include "config.h"

#include "filter.h"
#include "t.h"

static struct record r;

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

	T_INT(filter_time_cmp("2016-01-01T00:00:00.5Z",
	    "2016-01-01T00:00:00.50Z"), 0, "fractions compare as numbers");

	record_clear(&r);
	return t_done();
}
