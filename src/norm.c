/*
 * norm.c: the mapping rules of DESIGN.md section 3, one function each:
 * booleans, integers, timestamps, HTTP dates, UUIDs, checksums, statuses
 * and visibility (norm.h).
 *
 * Every norm_* function is pure: it reads the text an API sent and either
 * allocates the canonical text or names, with a static phrase, what is
 * wrong with the value. Nothing here depends on the locale or on TZ.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "util.h"

/* Reasons, completing "FIELD \"VALUE\": ...". */
#define WHY_BOOL	"is not a boolean"
#define WHY_INT		"is not a whole non-negative number"
#define WHY_NEGATIVE	NORM_WHY_NEGATIVE
#define WHY_FRACTION	NORM_WHY_FRACTION
#define WHY_TOO_BIG	"is too big for 64 bits"
#define WHY_TIME	"is not an RFC 3339 timestamp"
#define WHY_HTTP_DATE	"is not an HTTP date"
#define WHY_UUID	"is not a UUID"
#define WHY_MD5		"is not an MD5 checksum"
#define WHY_VISIBILITY	"is not public, private, shared or community"

/* A broken-down UTC (or local, before conversion) time. */
struct norm_tm {
	int	year, mon, day, hour, min, sec;
};

static int	 norm_is_digit(int);
static int	 norm_digits(const char *, size_t, int *);
static int	 norm_is_leap(int);
static int	 norm_month_days(int, int);
static int64_t	 norm_days_from_civil(int, int, int);
static void	 norm_civil_from_days(int64_t, int *, int *, int *);
static int	 norm_time_valid(const struct norm_tm *);
static int	 norm_month_lookup(const char *);
static int	 norm_wday_lookup(const char *, size_t, int);
static int	 norm_parse_hms(const char *, struct norm_tm *);
static int	 norm_hex(const char *, const char *, char **);
static int	 norm_status_index(const char *, const char **);

static int
norm_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly n decimal digits at s into *v; 0 if they aren't digits. */
static int
norm_digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!norm_is_digit((unsigned char)s[i]))
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

int
norm_bool(const char *s, char **out, const char **why)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (ascii_casecmp(s, yes[i]) == 0) {
			*out = xstrdup("true");
			return 0;
		}
		if (ascii_casecmp(s, no[i]) == 0) {
			*out = xstrdup("false");
			return 0;
		}
	}
	*why = WHY_BOOL;
	return -1;
}

/*
 * Whole, non-negative, 64-bit decimal digits. A value that reads as some
 * other number gets a reason that says why it is not one of ours.
 */
int
norm_int(const char *s, char **out, const char **why)
{
	static const char max[] = "9223372036854775807";
	const char *p = s, *d;
	size_t n;
	int neg = 0, nonzero = 0, frac = 0, expo = 0;

	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	/* Check the shape of a decimal number: digits [.digits] [e[+-]digits]. */
	for (d = p; norm_is_digit((unsigned char)*p); p++)
		nonzero |= *p != '0';
	n = (size_t)(p - d);
	if (*p == '.') {
		const char *f = ++p;

		for (; norm_is_digit((unsigned char)*p); p++) {
			nonzero |= *p != '0';
			frac = 1;
		}
		if (p == f && n == 0)
			goto bad;
		frac = 1;
	} else if (n == 0)
		goto bad;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!norm_is_digit((unsigned char)*p))
			goto bad;
		while (norm_is_digit((unsigned char)*p))
			p++;
		expo = 1;
	}
	if (*p != '\0')
		goto bad;
	if (neg && nonzero) {
		*why = WHY_NEGATIVE;
		return -1;
	}
	if (frac) {
		*why = WHY_FRACTION;
		return -1;
	}
	if (d != s || expo)
		goto bad;		/* a sign, or an exponent */

	while (n > 1 && *d == '0') {
		d++;
		n--;
	}
	if (n > sizeof max - 1 ||
	    (n == sizeof max - 1 && memcmp(d, max, n) > 0)) {
		*why = WHY_TOO_BIG;
		return -1;
	}
	*out = xstrndup(d, n);
	return 0;

bad:
	*why = WHY_INT;
	return -1;
}

static int
norm_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
norm_month_days(int y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && norm_is_leap(y) ? 29 : days[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date. Years are counted
 * from March, so that the leap day is the last day of its year; an era is
 * 400 years (146097 days).
 */
static int64_t
norm_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse of norm_days_from_civil. */
static void
norm_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
norm_time_valid(const struct norm_tm *t)
{
	return t->mon >= 1 && t->mon <= 12 && t->day >= 1 &&
	    t->day <= norm_month_days(t->year, t->mon) && t->hour <= 23 &&
	    t->min <= 59 && t->sec <= 60;
}

/* "HH:MM:SS" at s. */
static int
norm_parse_hms(const char *s, struct norm_tm *t)
{
	return norm_digits(s, 2, &t->hour) && s[2] == ':' &&
	    norm_digits(s + 3, 2, &t->min) && s[5] == ':' &&
	    norm_digits(s + 6, 2, &t->sec);
}

/*
 * RFC 3339 date-time, with the leniencies Glance and Nova need: no zone
 * means UTC, a space may stand for 'T', and "+HHMM" is read like "+HH:MM".
 */
int
norm_time(const char *s, char **out, const char **why)
{
	struct norm_tm t;
	const char *p, *frac = NULL;
	size_t nfrac = 0;
	int off = 0, oh, om;

	if (!norm_digits(s, 4, &t.year) || s[4] != '-' ||
	    !norm_digits(s + 5, 2, &t.mon) || s[7] != '-' ||
	    !norm_digits(s + 8, 2, &t.day) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !norm_parse_hms(s + 11, &t))
		goto bad;
	p = s + 19;
	if (*p == '.') {
		frac = ++p;
		while (norm_is_digit((unsigned char)*p))
			p++;
		nfrac = (size_t)(p - frac);
		if (nfrac == 0)
			goto bad;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if (*p == '+' || *p == '-') {
		if (!norm_digits(p + 1, 2, &oh))
			goto bad;
		if (p[3] == ':' && norm_digits(p + 4, 2, &om) && p[6] == '\0')
			;
		else if (norm_digits(p + 3, 2, &om) && p[5] == '\0')
			;
		else
			goto bad;
		if (oh > 23 || om > 59)
			goto bad;
		off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
	} else if (*p != '\0')
		goto bad;
	if (!norm_time_valid(&t))
		goto bad;

	if (off != 0) {
		/* Local time minus the offset is UTC; seconds are unchanged. */
		int64_t m = norm_days_from_civil(t.year, t.mon, t.day) * 1440 +
		    t.hour * 60 + t.min - off;
		int64_t days = m >= 0 ? m / 1440 : -((-m + 1439) / 1440);

		m -= days * 1440;
		norm_civil_from_days(days, &t.year, &t.mon, &t.day);
		t.hour = (int)(m / 60);
		t.min = (int)(m % 60);
		if (t.year < 0 || t.year > 9999)
			goto bad;
	}
	{
		/* YYYY-MM-DDTHH:MM:SS[.frac]Z, without printf: every
		 * timestamp of every observation comes through here */
		char *o = *out = xmalloc(21 + (frac != NULL ? nfrac + 1 : 0));
		const int v[6] = { t.year, t.mon, t.day, t.hour, t.min, t.sec };
		static const char sep[6] = { '-', '-', 'T', ':', ':', 0 };

		*o++ = (char)('0' + t.year / 1000);
		*o++ = (char)('0' + t.year / 100 % 10);
		for (int i = 0; i < 6; i++) {
			*o++ = (char)('0' + v[i] / 10 % 10);
			*o++ = (char)('0' + v[i] % 10);
			if (sep[i] != 0)
				*o++ = sep[i];
		}
		if (frac != NULL) {
			*o++ = '.';
			memcpy(o, frac, nfrac);
			o += nfrac;
		}
		*o++ = 'Z';
		*o = '\0';
	}
	return 0;

bad:
	*why = WHY_TIME;
	return -1;
}

static int
norm_month_lookup(const char *s)
{
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};

	for (int i = 0; i < 12; i++)
		if (ascii_ncasecmp(s, mon[i], 3) == 0)
			return i + 1;
	return 0;
}

/*
 * The length of the day name at s: n letters, either the 3-letter name or,
 * when full is set, the full name ("Monday"). 0 if there is none.
 */
static int
norm_wday_lookup(const char *s, size_t n, int full)
{
	static const char *const day[] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
		"Saturday", "Sunday"
	};

	for (int i = 0; i < 7; i++) {
		size_t len = full ? strlen(day[i]) : 3;

		if (len == n && ascii_ncasecmp(s, day[i], n) == 0)
			return 1;
	}
	return 0;
}

/*
 * The three forms of RFC 9110 section 5.6.7 (IMF-fixdate, RFC 850,
 * asctime). Names are matched without regard to case, and the day of the
 * week is not checked against the date.
 */
int
norm_http_date(const char *s, char **out, const char **why)
{
	struct norm_tm t;
	const char *comma = strchr(s, ',');
	const char *p;
	int n;

	if (comma != NULL && norm_wday_lookup(s, (size_t)(comma - s), 0) &&
	    comma[1] == ' ') {
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". */
		p = comma + 2;
		n = norm_is_digit((unsigned char)p[0]) &&
		    norm_is_digit((unsigned char)p[1]) ? 2 : 1;
		if (!norm_digits(p, (size_t)n, &t.day) || p[n] != ' ')
			goto bad;
		p += n + 1;
		if ((t.mon = norm_month_lookup(p)) == 0 || p[3] != ' ' ||
		    !norm_digits(p + 4, 4, &t.year) || p[8] != ' ' ||
		    !norm_parse_hms(p + 9, &t) || p[17] != ' ' ||
		    ascii_casecmp(p + 18, "GMT") != 0)
			goto bad;
	} else if (comma != NULL &&
	    norm_wday_lookup(s, (size_t)(comma - s), 1) && comma[1] == ' ') {
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". */
		p = comma + 2;
		if (!norm_digits(p, 2, &t.day) || p[2] != '-' ||
		    (t.mon = norm_month_lookup(p + 3)) == 0 || p[6] != '-' ||
		    !norm_digits(p + 7, 2, &t.year) || p[9] != ' ' ||
		    !norm_parse_hms(p + 10, &t) || p[18] != ' ' ||
		    ascii_casecmp(p + 19, "GMT") != 0)
			goto bad;
		t.year += t.year >= 70 ? 1900 : 2000;
	} else if (comma == NULL && norm_wday_lookup(s, 3, 0) && s[3] == ' ') {
		/* asctime: "Sun Nov  6 08:49:37 1994". */
		p = s + 4;
		if ((t.mon = norm_month_lookup(p)) == 0 || p[3] != ' ')
			goto bad;
		p += 4;
		if (p[0] == ' ') {
			if (!norm_digits(p + 1, 1, &t.day))
				goto bad;
		} else if (!norm_digits(p, 2, &t.day))
			goto bad;
		if (p[2] != ' ' || !norm_parse_hms(p + 3, &t) || p[11] != ' ' ||
		    !norm_digits(p + 12, 4, &t.year) || p[16] != '\0')
			goto bad;
	} else
		goto bad;
	if (!norm_time_valid(&t))
		goto bad;
	*out = xasprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.mon,
	    t.day, t.hour, t.min, t.sec);
	return 0;

bad:
	*why = WHY_HTTP_DATE;
	return -1;
}

/* Lowercases s if it matches pattern, where 'x' is a hex digit. */
static int
norm_hex(const char *s, const char *pattern, char **out)
{
	size_t n = strlen(pattern), i;
	char *p = xmalloc(n + 1);

	/* checked and lowered in one pass, stopping at s's end */
	for (i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i];

		if (pattern[i] != 'x') {
			if (c != (unsigned char)pattern[i])
				break;
		} else if (c - '0' > 9) {
			c |= 0x20;		/* 'A'-'F' to 'a'-'f' */
			if (c - 'a' > 5)
				break;
		}
		p[i] = (char)c;
	}
	if (i < n || s[n] != '\0') {
		free(p);
		return -1;
	}
	p[n] = '\0';
	*out = p;
	return 0;
}

int
norm_uuid(const char *s, char **out, const char **why)
{
	if (norm_hex(s, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", out) == -1) {
		*why = WHY_UUID;
		return -1;
	}
	return 0;
}

int
norm_md5(const char *s, char **out, const char **why)
{
	if (norm_hex(s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", out) == -1) {
		*why = WHY_MD5;
		return -1;
	}
	return 0;
}

/* Glance's statuses, and whether each says the image is deleted. */
static const struct {
	const char	*status;
	const char	*deleted;
} statuses[] = {
	{ "queued",		"false" },
	{ "saving",		"false" },
	{ "uploading",		"false" },
	{ "importing",		"false" },
	{ "active",		"false" },
	{ "deactivated",	"false" },
	{ "killed",		"false" },
	{ "deleted",		"true" },
	{ "pending_delete",	"true" },
};

/* The index in statuses[] of s, or -1. */
static int
norm_status_index(const char *s, const char **deleted)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		if (strcmp(s, statuses[i].status) == 0) {
			if (deleted != NULL)
				*deleted = statuses[i].deleted;
			return (int)i;
		}
	}
	return -1;
}

int
norm_status(const char *s, char **out, const char **why)
{
	int i;

	(void)why;
	*out = NULL;
	if (s != NULL && (i = norm_status_index(s, NULL)) != -1)
		*out = xstrdup(statuses[i].status);
	return 0;
}

const char *
norm_status_deleted(const char *status)
{
	const char *deleted = NULL;

	if (status != NULL)
		(void)norm_status_index(status, &deleted);
	return deleted;
}

int
norm_visibility(const char *s, char **out, const char **why)
{
	static const char *const values[] = {
		"public", "private", "shared", "community"
	};

	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		if (ascii_casecmp(s, values[i]) == 0) {
			*out = xstrdup(values[i]);
			return 0;
		}
	*why = WHY_VISIBILITY;
	return -1;
}
