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
	if (fuzz_render(&s, &b, feed_render_ics, "ics") == -1)
		goto done;
	if ((msg = fuzz_check_ics(b.data + 1, b.len - 1, s.n)) != NULL)
		fuzz_fail(msg);
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
