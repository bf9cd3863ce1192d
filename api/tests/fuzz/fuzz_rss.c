/*
 * fuzz_rss.c: libFuzzer target for feed_render_rss().  Aborts when the
 * output is not well-formed XML made of allowed characters, or its
 * item count differs from the event count (see fuzz_check_rss()).
 */

#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_set	 s;
	struct feed_buf	 b;
	const char	*msg;

	fuzz_set_build(&s, data, size);
	feed_buf_init(&b);
	feed_buf_append(&b, "#", 1);	/* renderers append */

	if (feed_render_rss(&b, &s.meta, s.ev, s.n) == -1) {
		if (!s.fuzzed_times ||
		    feed_check(&s.meta, s.ev, s.n) != -1 || b.len != 1) {
			fprintf(stderr, "rss: unexpected failure\n");
			abort();
		}
	} else if ((msg = fuzz_check_rss(b.data + 1, b.len - 1, s.n)) !=
	    NULL) {
		fprintf(stderr, "%s\n", msg);
		abort();
	}
	feed_buf_free(&b);
	fuzz_set_free(&s);
	return (0);
}
