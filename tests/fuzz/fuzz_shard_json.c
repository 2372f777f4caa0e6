/*
 * fuzz_shard_json.c: bytes as a shard in imgmeta's JSON Lines output ->
 * capture_read, which hands a file whose first line is an imgmeta record
 * to read_imgmeta_json.c whole -> every observation checked by
 * fuzz_emit. Seeded with JSON Lines outputs (samples/expected.jsonl and
 * the shard inputs of tests/cases/).
 */
#include "config.h"

#include "capture.h"
#include "fuzz.h"
#include "stream.h"

static enum rc
fuzz_response(void *arg, struct response *resp)
{
	return read_response(resp, arg, fuzz_emit, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	struct stream *s;

	diag_init(&d, fuzz_sink, NULL);
	s = stream_open_mem(data, size);
	(void)capture_read(s, "shard.jsonl", &d, fuzz_response, &d);
	stream_free(s);
	return 0;
}
