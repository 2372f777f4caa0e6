/*
 * fuzz_har.c: bytes as a HAR archive -> capture_read (the HAR walk with
 * the JSON scanner, each entry's response, base64 bodies) -> read_response
 * with every reader. Seeded with the HAR inputs of tests/cases/; the
 * bytes go through the same path as any capture, so an input that stops
 * being a HAR archive is read as what it then is.
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
	(void)capture_read(s, "export.har", &d, fuzz_response, &d);
	stream_free(s);
	return 0;
}
