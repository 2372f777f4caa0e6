/*
 * fuzz_capture.c: bytes as a capture file (plain or gzip) -> capture_read
 * -> read_response with every reader, as main.c runs them, minus the
 * merge and the writers. The file name holds a UUID, so that metadata
 * responses without a request line are read too.
 */
#include "config.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_capture_read(data, size, "11111111-1111-4111-8111-111111111111.json");
	return 0;
}
