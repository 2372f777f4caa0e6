/* filter.c: query-parameter filters on merged records (see filter.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "norm.h"
#include "reader.h"
#include "util.h"

enum filter_op {
	FOP_EQ,		/* field equals value */
	FOP_MIN,	/* int field >= value */
	FOP_MAX,	/* int field <= value */
	FOP_AFTER,	/* time field > value */
	FOP_PROP	/* property key equals value */
};

struct filter_term {
	enum filter_op	 op;
	enum field	 field;
	char		*key;		/* FOP_PROP */
	char		*value;		/* canonical */
};

struct filter {
	struct filter_term	*t;
	size_t			 n;
};

static const struct {
	const char	*name;
	enum field	 field;
	enum filter_op	 op;
} filter_names[] = {
	{ "name",		F_NAME,			FOP_EQ },
	{ "status",		F_STATUS,		FOP_EQ },
	{ "visibility",		F_VISIBILITY,		FOP_EQ },
	{ "container-format",	F_CONTAINER_FORMAT,	FOP_EQ },
	{ "disk-format",	F_DISK_FORMAT,		FOP_EQ },
	{ "size-min",		F_SIZE,			FOP_MIN },
	{ "size-max",		F_SIZE,			FOP_MAX },
	{ "changes-since",	F_UPDATED_AT,		FOP_AFTER },
	{ "min-ram",		F_MIN_RAM,		FOP_EQ },
	{ "min-disk",		F_MIN_DISK,		FOP_EQ },
	{ "property",		F_ID,			FOP_PROP },
};

static int	filter_int_cmp(const char *, const char *);

struct filter *
filter_new(void)
{
	return xcalloc(1, sizeof(struct filter));
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->t[i].key);
		free(f->t[i].value);
	}
	free(f->t);
	free(f);
}

int
filter_empty(const struct filter *f)
{
	return f == NULL || f->n == 0;
}

int
filter_add(struct filter *f, const char *name, const char *value,
    const char **why)
{
	struct filter_term t = { 0 };
	size_t i;

	for (i = 0; i < sizeof filter_names / sizeof filter_names[0]; i++)
		if (strcmp(filter_names[i].name, name) == 0)
			break;
	if (i == sizeof filter_names / sizeof filter_names[0]) {
		*why = "is not a filter";
		return -1;
	}
	t.op = filter_names[i].op;
	t.field = filter_names[i].field;
	if (t.op == FOP_PROP) {
		const char *eq = strchr(value, '=');

		if (eq == NULL || eq == value) {
			*why = "is not KEY=VALUE";
			return -1;
		}
		t.key = xstrndup(value, (size_t)(eq - value));
		t.value = xstrdup(eq + 1);
	} else if (field_info[t.field].type == FT_STRING)
		t.value = xstrdup(value);
	else if (t.field == F_STATUS) {
		/* Glance's values, or an API's own, mapped. */
		if (norm_status(read_status(value), &t.value, why) != 0 ||
		    t.value == NULL) {
			*why = "is not an image status (queued, saving, "
			    "uploading, importing, active, deactivated, killed, "
			    "deleted, pending_delete)";
			return -1;
		}
	} else if (t.field == F_VISIBILITY) {
		if (norm_visibility(value, &t.value, why) != 0)
			return -1;
	} else if (field_info[t.field].type == FT_INT) {
		if (norm_int(value, &t.value, why) != 0)
			return -1;
	} else if (field_info[t.field].type == FT_TIME) {
		if (norm_time(value, &t.value, why) != 0)
			return -1;
	}
	f->t = xreallocarray(f->t, f->n + 1, sizeof *f->t);
	f->t[f->n++] = t;
	return 0;
}

/* Canonical integers: no sign, no leading zeros. */
static int
filter_int_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

int
filter_time_cmp(const char *a, const char *b)
{
	/* "YYYY-MM-DDTHH:MM:SS" then optional ".digits", then "Z". */
	int c = strncmp(a, b, 19);
	const char *fa, *fb;

	if (c != 0 || strlen(a) < 19 || strlen(b) < 19)
		return c;
	fa = a[19] == '.' ? a + 20 : "";
	fb = b[19] == '.' ? b + 20 : "";
	for (;;) {
		int da = *fa >= '0' && *fa <= '9' ? *fa++ : '0';
		int db = *fb >= '0' && *fb <= '9' ? *fb++ : '0';

		if (da != db)
			return da < db ? -1 : 1;
		if (!(*fa >= '0' && *fa <= '9') && !(*fb >= '0' && *fb <= '9'))
			return 0;
	}
}

int
filter_match(const struct filter *f, const struct record *r)
{
	for (size_t i = 0; f != NULL && i < f->n; i++) {
		const struct filter_term *t = &f->t[i];
		const char *v = r->f[t->field];

		if (t->op == FOP_PROP) {
			const struct prop *p = record_prop_get(r, t->key);

			if (p == NULL || p->value == NULL ||
			    strcmp(p->value, t->value) != 0)
				return 0;
			continue;
		}
		if (v == NULL)
			return 0;
		switch (t->op) {
		case FOP_EQ:
			if (strcmp(v, t->value) != 0)
				return 0;
			break;
		case FOP_MIN:
			if (filter_int_cmp(v, t->value) < 0)
				return 0;
			break;
		case FOP_MAX:
			if (filter_int_cmp(v, t->value) > 0)
				return 0;
			break;
		case FOP_AFTER:
			if (filter_time_cmp(v, t->value) <= 0)
				return 0;
			break;
		case FOP_PROP:
			break;
		}
	}
	return 1;
}
