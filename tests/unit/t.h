/*
 * t.h: a small TAP producer for the unit tests. Every check prints
 * "ok N - what" or "not ok N - file:line: what: got X, want Y".
 * Call t_done() at the end of main; it prints the plan and returns the
 * exit status.
 */
#ifndef IMGMETA_T_H
#define IMGMETA_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int t_n, t_failed;

/* A fatal error in the code under test is said on standard error. */
static void
t_fatal(const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "fatal: %s\n", msg);
}

__attribute__((constructor)) static void
t_init(void)
{
	fatal_on(t_fatal);
}

static inline void
t_result(int ok, const char *file, int line, const char *what,
    const char *got, const char *want)
{
	t_n++;
	if (ok) {
		printf("ok %d - %s\n", t_n, what);
		return;
	}
	t_failed++;
	printf("not ok %d - %s:%d: %s: got %s%s%s, want %s%s%s\n", t_n, file,
	    line, what, got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
	    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
}

/* Strings, either may be NULL (equal when both NULL). */
#define T_STR(got, want, what) do {					\
	const char *t_g = (got), *t_w = (want);				\
	int t_ok = (t_g == NULL || t_w == NULL) ? t_g == t_w :		\
	    strcmp(t_g, t_w) == 0;					\
	t_result(t_ok, __FILE__, __LINE__, (what), t_g, t_w);		\
} while (0)

#define T_INT(got, want, what) do {					\
	long long t_g = (long long)(got), t_w = (long long)(want);	\
	char t_bg[32], t_bw[32];					\
	snprintf(t_bg, sizeof t_bg, "%lld", t_g);			\
	snprintf(t_bw, sizeof t_bw, "%lld", t_w);			\
	t_result(t_g == t_w, __FILE__, __LINE__, (what), t_bg, t_bw);	\
} while (0)

#define T_OK(cond, what) \
	t_result(!!(cond), __FILE__, __LINE__, (what), "false", "true")

static inline int
t_done(void)
{
	printf("1..%d\n", t_n);
	return t_failed ? 1 : 0;
}

#endif
