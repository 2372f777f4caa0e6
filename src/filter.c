/* filter.c: query-parameter filters on merged records (see filter.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "filter.h"
#include "norm.h"
#include "reader.h"
#include "util.h"

enum filter_op {
	FOP_EQ,		/* field equals one of the values */
	FOP_MIN,	/* int field >= value */
	FOP_MAX,	/* int field <= value */
	FOP_AFTER,	/* time field > value */
	FOP_PROP	/* property key equals one of the values */
};

/*
 * One term: every term must hold (AND). The values given to one
 * equality filter (or to one property KEY) again make one term that any
 * of them satisfies (OR); a range filter given twice is two terms.
 */
struct filter_term {
	enum filter_op	 op;
	enum field	 field;
	char		*key;		/* FOP_PROP */
	char		*value;		/* FOP_MIN, FOP_MAX, FOP_AFTER */
	struct strset	 any;		/* FOP_EQ, FOP_PROP: canonical;
					   a list of 100 000 ids costs one
					   lookup per record */
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
	{ "id",			F_ID,			FOP_EQ },
	{ "name",		F_NAME,			FOP_EQ },
	{ "status",		F_STATUS,		FOP_EQ },
	{ "visibility",		F_VISIBILITY,		FOP_EQ },
	{ "container-format",	F_CONTAINER_FORMAT,	FOP_EQ },
	{ "disk-format",	F_DISK_FORMAT,		FOP_EQ },
	{ "owner",		F_OWNER,		FOP_EQ },
	{ "size-min",		F_SIZE,			FOP_MIN },
	{ "size-max",		F_SIZE,			FOP_MAX },
	{ "changes-since",	F_UPDATED_AT,		FOP_AFTER },
	{ "min-ram",		F_MIN_RAM,		FOP_EQ },
	{ "min-disk",		F_MIN_DISK,		FOP_EQ },
	{ "property",		F_ID,			FOP_PROP },
};

static int	filter_int_cmp(const char *, const char *);
static struct filter_term *filter_term(struct filter *, enum filter_op,
		    enum field, const char *);

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
		strset_free(&f->t[i].any);
	}
	free(f->t);
	free(f);
}

int
filter_empty(const struct filter *f)
{
	return f == NULL || f->n == 0;
}

/* The term that takes one more value of an equality filter (or of one
 * property key), made when it is the first. */
static struct filter_term *
filter_term(struct filter *f, enum filter_op op, enum field field,
    const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->t[i].op == op && f->t[i].field == field &&
		    (key == NULL || strcmp(f->t[i].key, key) == 0))
			return &f->t[i];
	f->t = xreallocarray(f->t, f->n + 1, sizeof *f->t);
	f->t[f->n] = (struct filter_term){ .op = op, .field = field,
	    .key = key != NULL ? xstrdup(key) : NULL };
	return &f->t[f->n++];
}

int
filter_add(struct filter *f, const char *name, const char *value,
    const char **why)
{
	enum filter_op op;
	enum field field;
	char *v = NULL;
	size_t i;

	for (i = 0; i < sizeof filter_names / sizeof filter_names[0]; i++)
		if (strcmp(filter_names[i].name, name) == 0)
			break;
	if (i == sizeof filter_names / sizeof filter_names[0]) {
		*why = "is not a filter";
		return -1;
	}
	op = filter_names[i].op;
	field = filter_names[i].field;
	if (op == FOP_PROP) {
		const char *eq = strchr(value, '=');
		char *key;

		if (eq == NULL || eq == value) {
			*why = "is not KEY=VALUE";
			return -1;
		}
		key = xstrndup(value, (size_t)(eq - value));
		strset_add(&filter_term(f, op, field, key)->any, eq + 1);
		free(key);
		return 0;
	}
	if (field_info[field].type == FT_STRING)
		v = xstrdup(value);
	else if (field_info[field].type == FT_UUID) {
		if (norm_uuid(value, &v, why) != 0)
			return -1;
	} else if (field == F_STATUS) {
		/* Glance's values, or an API's own, mapped. */
		if (norm_status(read_status(value), &v, why) != 0 ||
		    v == NULL) {
			*why = "is not an image status (queued, saving, "
			    "uploading, importing, active, deactivated, killed, "
			    "deleted, pending_delete)";
			return -1;
		}
	} else if (field == F_VISIBILITY) {
		if (norm_visibility(value, &v, why) != 0)
			return -1;
	} else if (field_info[field].type == FT_INT) {
		if (norm_int(value, &v, why) != 0)
			return -1;
	} else if (field_info[field].type == FT_TIME) {
		if (norm_time(value, &v, why) != 0)
			return -1;
	}
	if (op == FOP_EQ) {
		strset_add(&filter_term(f, op, field, NULL)->any, v);
		free(v);
	} else {
		f->t = xreallocarray(f->t, f->n + 1, sizeof *f->t);
		f->t[f->n++] = (struct filter_term){ .op = op,
		    .field = field, .value = v };
	}
	return 0;
}

int
filter_add_lines(struct filter *f, const char *name, FILE *fp,
    size_t *lineno, char **bad, const char **why)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	*lineno = 0;
	*bad = NULL;
	errno = 0;
	while ((len = getline(&line, &cap, fp)) != -1) {
		char *v = line, *e = line + len;

		++*lineno;
		while (e > v && strchr(" \t\r\n", e[-1]) != NULL)
			e--;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		if (v == e || *v == '#')
			continue;
		*e = '\0';
		if (memchr(v, '\0', (size_t)(e - v)) != NULL) {
			*why = "holds a NUL byte";
			rc = -1;
		} else if (filter_add(f, name, v, why) != 0)
			rc = -1;
		if (rc != 0) {
			*bad = xstrdup(v);
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		*lineno = 0;
		*why = NULL;
		rc = -1;
	}
	free(line);
	return rc;
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

			v = p != NULL ? p->value : NULL;
		}
		if (v == NULL)
			return 0;
		switch (t->op) {
		case FOP_EQ:
		case FOP_PROP:
			if (!strset_has(&t->any, v))
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
		}
	}
	return 1;
}
