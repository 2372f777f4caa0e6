/*
 * fuzz_har.c: bytes as a HAR archive -> capture_read (the HAR walk with
 * the JSON scanner, each entry's response, base64 bodies) -> read_response
 * with every reader. Seeded with the HAR inputs of tests/cases/; the
 * bytes go through the same path as any capture, so an input that stops
 * being a HAR archive is read as what it then is.
 */
#include "config.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_capture_read(data, size, "export.har");
	return 0;
}
