/*
 * fuzz_reader.c: one reader's JSON mapping (bid_item, read_item) on one
 * item, as the engine offers it. Built once per reader, with
 * FUZZ_READER set to the reader's name in formats/readers.c's table.
 *
 * Input: byte 0 chooses the envelope (low 3 bits: "", images, image,
 * metadata, meta; bit 4: the item is an element of an array), byte 1
 * the request URL the response had (none, detail, list, show,
 * metadata, metadata key, v1 detail, v1 list, v1 head, bad metadata,
 * v2 list, v2 show), the rest is the
 * item's JSON text.
 */
#include "config.h"

#include <stdio.h>

#include "fuzz.h"

#ifndef FUZZ_READER
#error "build with -DFUZZ_READER='\"name\"'"
#endif

static const char *const fuzz_envelopes[] = {
	"", "images", "image", "metadata", "meta"
};
#define FUZZ_NENV (sizeof fuzz_envelopes / sizeof fuzz_envelopes[0])

static const char *const fuzz_urls[] = {
	NULL,
	"/v2.1/p1/images/detail",
	"/v2.1/p1/images",
	"/v2.1/p1/images/22222222-2222-4222-8222-222222222222",
	"https://nova:8774/v2.1/p1/images/22222222-2222-4222-8222-222222222222/metadata",
	"/v2.1/p1/images/22222222-2222-4222-8222-222222222222/metadata/k%20ey",
	"/v1/images/detail",
	"/v1.1/images",
	"/v1/images/22222222-2222-4222-8222-222222222222",
	"/v2.1/p1/images/not-a-uuid/metadata",
	"/v2/images?limit=2&marker=22222222-2222-4222-8222-222222222222",
	"/v2/images/22222222-2222-4222-8222-222222222222",
};
#define FUZZ_NURL (sizeof fuzz_urls / sizeof fuzz_urls[0])

static const struct reader_ops *
fuzz_reader(void)
{
	for (size_t i = 0; readers[i] != NULL; i++)
		if (strcmp(readers[i]->name, FUZZ_READER) == 0)
			return readers[i];
	abort();
}

static int
fuzz_listed(const struct reader_ops *r, const char *env)
{
	if (*env == '\0')
		return 1;
	for (const char *const *e = r->envelopes; e != NULL && *e != NULL;
	    e++)
		if (strcmp(*e, env) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct reader_ops *r = fuzz_reader();
	struct response resp;
	struct read_ctx ctx;
	struct diag d;
	const char *env;
	char pos[128];
	struct jv_doc doc = JV_DOC_INIT;
	const struct jv *item;
	int in_list;

	if (size < 2 || r->bid_item == NULL)
		return 0;
	env = fuzz_envelopes[(data[0] & 7) % FUZZ_NENV];
	in_list = (data[0] >> 4) & 1;
	if (!fuzz_listed(r, env))
		return 0;
	item = jv_parse(&doc, (const char *)data + 2, size - 2,
	    JSON_DECODE_ANY, NULL);
	if (item == NULL) {
		jv_doc_free(&doc);
		return 0;
	}
	memset(&resp, 0, sizeof resp);
	resp.file = "33333333-3333-4333-8333-333333333333.metadata.json";
	snprintf(resp.pos, sizeof resp.pos, "0");
	resp.status = 200;
	resp.url = (char *)(uintptr_t)fuzz_urls[data[1] % FUZZ_NURL];
	diag_init(&d, fuzz_sink, NULL);
	snprintf(pos, sizeof pos, "0#/%s%s", env, in_list ? "/0" : "");
	ctx = (struct read_ctx){
		.resp = &resp,
		.diag = &d,
		.file = resp.file,
		.pos = pos,
		.envelope = env,
		.in_list = in_list,
		.index = 0,
		.date = NULL,
		.emit = fuzz_emit,
		.emit_arg = NULL,
	};
	if (r->bid_item(&ctx, item) > 0)
		(void)r->read_item(&ctx, item);
	jv_doc_free(&doc);
	return 0;
}
