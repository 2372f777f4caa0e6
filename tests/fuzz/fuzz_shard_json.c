/*
 * fuzz_shard_json.c: bytes as a shard in imgmeta's JSON Lines output ->
 * capture_read, which hands a file whose first line is an imgmeta record
 * to read_imgmeta_json.c whole -> every observation checked by
 * fuzz_emit. Seeded with JSON Lines outputs (samples/expected.jsonl and
 * the shard inputs of tests/cases/).
 */
#include "config.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_capture_read(data, size, "shard.jsonl");
	return 0;
}
