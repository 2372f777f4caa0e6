/*
 * fuzz.h: what the libFuzzer targets (tests/fuzz/fuzz_*.c) share: an
 * emit callback that checks every observation the way the rest of the
 * pipeline relies on it (canonical JSON form made and read back), and a
 * diagnostics sink that checks every message is text.
 *
 * A broken invariant calls abort(), which libFuzzer reports as a crash
 * with the input that caused it.
 */
#ifndef IMGMETA_FUZZ_H
#define IMGMETA_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture.h"
#include "diag.h"
#include "reader.h"
#include "record.h"
#include "record_json.h"
#include "stream.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A fatal error in the code under test is said before the exit, which
 * libFuzzer reports as a finding. */
static void
fuzz_fatal(const char *msg)
{
	fprintf(stderr, "imgmeta: fatal: %s\n", msg);
}

__attribute__((constructor)) static void
fuzz_init(void)
{
	fatal_on(fuzz_fatal);
}

static void
fuzz_sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	(void)arg;
	(void)kind;
	(void)file;
	/* a position and a reason, both text */
	if (msg == NULL || *msg == '\0' || (pos != NULL && strlen(pos) > 4096))
		abort();
}

/* An observation: one source, an id that is a UUID, every text valid
 * UTF-8, and a canonical JSON form that reads back. */
static enum rc
fuzz_emit(void *arg, struct record *obs)
{
	struct record back;
	struct jv_doc d = JV_DOC_INIT;
	const struct jv *v;
	const char *why = NULL;
	json_t *j;
	char *text;

	(void)arg;
	if (obs->nsrcs != 1 || obs->f[F_ID] == NULL ||
	    strlen(obs->f[F_ID]) != 36)
		abort();
	record_sort(obs);
	if ((j = record_json_value(obs)) == NULL)
		abort();
	if ((text = json_dumps(j, JSON_COMPACT)) == NULL)
		abort();
	record_init(&back);
	v = jv_parse(&d, text, strlen(text), 0, NULL);
	if (v == NULL || record_json_read(&back, v, &why) != 0)
		abort();
	record_clear(&back);
	jv_doc_free(&d);
	free(text);
	json_decref(j);
	return RC_OK;
}

/* capture_read's callback: every response through every reader. */
static inline enum rc
fuzz_response(void *arg, struct response *resp)
{
	return read_response(resp, arg, fuzz_emit, NULL);
}

/* The bytes as a capture file of that name, as imgmeta reads one. */
static inline void
fuzz_capture_read(const uint8_t *data, size_t size, const char *name)
{
	struct diag d;
	struct stream *s;

	diag_init(&d, fuzz_sink, NULL);
	s = stream_open_mem(data, size);
	(void)capture_read(s, name, &d, fuzz_response, &d);
	stream_free(s);
}

#endif
