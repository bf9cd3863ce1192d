/*
 * fuzz_rss.c: libFuzzer target for feed_render_rss().  Aborts when the
 * output is not well-formed XML made of allowed characters, or its
 * item count differs from the event count (see fuzz_check_rss()).
 */

#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_set	 s;
	struct feed_buf	 b;
	const char	*msg;

	fuzz_set_build(&s, data, size);
	if (fuzz_render(&s, &b, feed_render_rss, "rss") == 0 &&
	    (msg = fuzz_check_rss(b.data + 1, b.len - 1, s.n)) != NULL)
		fuzz_fail(msg);
	feed_buf_free(&b);
	fuzz_set_free(&s);
	return (0);
}
