/*
 * fuzz_ics.c: libFuzzer target for feed_render_ics().  Aborts when the
 * output breaks an iCalendar invariant (see fuzz_check_ics()) or when a
 * SUMMARY does not unescape to exactly the sanitized title.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_set	 s;
	struct feed_buf	 b;
	const char	*msg;
	char		*got, *want;
	size_t		 i;

	fuzz_set_build(&s, data, size);
	feed_buf_init(&b);
	feed_buf_append(&b, "#", 1);	/* renderers append */

	if (feed_render_ics(&b, &s.meta, s.ev, s.n) == -1) {
		/* Only bad timestamps may fail, and leave b as it was. */
		if (!s.fuzzed_times ||
		    feed_check(&s.meta, s.ev, s.n) != -1 || b.len != 1) {
			fprintf(stderr, "ics: unexpected failure\n");
			abort();
		}
		goto done;
	}
	if ((msg = fuzz_check_ics(b.data + 1, b.len - 1, s.n)) != NULL) {
		fprintf(stderr, "%s\n", msg);
		abort();
	}
	for (i = 0; i < s.n; i++) {
		got = fuzz_ics_value(b.data + 1, b.len - 1, "SUMMARY", i);
		want = fuzz_ics_expect(s.ev[i].title);
		if (got == NULL || strcmp(got, want) != 0) {
			fprintf(stderr, "ics: SUMMARY %zu does not round-trip\n",
			    i);
			abort();
		}
		free(got);
		free(want);
	}
done:
	feed_buf_free(&b);
	fuzz_set_free(&s);
	return (0);
}
