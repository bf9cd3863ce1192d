/*
 * fuzz_json.c: libFuzzer target for feed_render_json().  Aborts when
 * json_loads() rejects the output, the item count differs from the
 * event count, or an item title is not the sanitized event title.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	*title_check(const char *, const struct fuzz_set *);

/* Each item title must be "Cancelled: " if so, then the clean title. */
static const char *
title_check(const char *p, const struct fuzz_set *s)
{
	json_t		*root, *items;
	json_error_t	 err;
	const char	*got, *msg;
	char		*want;
	size_t		 i, pre;

	if ((root = json_loads(p, 0, &err)) == NULL)
		return ("json: json_loads failed");
	items = json_object_get(root, "items");
	msg = NULL;
	for (i = 0; i < s->n && msg == NULL; i++) {
		got = json_string_value(json_object_get(
		    json_array_get(items, i), "title"));
		want = feed_utf8_sanitize(s->ev[i].title);
		pre = feed_is_cancelled(&s->ev[i]) ? strlen("Cancelled: ") : 0;
		if (got == NULL || strlen(got) < pre ||
		    strncmp(got, "Cancelled: ", pre) != 0 ||
		    strcmp(got + pre, want) != 0)
			msg = "json: title does not round-trip";
		free(want);
	}
	json_decref(root);
	return (msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_set	 s;
	struct feed_buf	 b;
	const char	*msg;

	fuzz_set_build(&s, data, size);
	if (fuzz_render(&s, &b, feed_render_json, "json") == 0 &&
	    ((msg = fuzz_check_json(b.data + 1, b.len - 1, s.n)) != NULL ||
	    (msg = title_check(b.data + 1, &s)) != NULL))
		fuzz_fail(msg);
	feed_buf_free(&b);
	fuzz_set_free(&s);
	return (0);
}
