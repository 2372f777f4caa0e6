/*
 * fuzz_capture.c: bytes as a capture file (plain or gzip) -> capture_read
 * -> read_response with every reader, as main.c runs them, minus the
 * merge and the writers. The file name holds a UUID, so that metadata
 * responses without a request line are read too.
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
	(void)capture_read(s, "11111111-1111-4111-8111-111111111111.json",
	    &d, fuzz_response, &d);
	stream_free(s);
	return 0;
}
