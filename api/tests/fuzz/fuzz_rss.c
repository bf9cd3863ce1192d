/*
 * fuzz_rss.c: libFuzzer target for feed_render_rss() and
 * feed_render_rss_items().  Aborts when an output is not well-formed XML
 * made of allowed characters, or its item count differs from the event
 * count (see fuzz_check_rss()).  The items are the fuzzed events' fields
 * in other roles (prefix, guid, plain and HTML descriptions, categories).
 */

#include <string.h>

#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	items(struct fuzz_set *);

static void
items(struct fuzz_set *s)
{
	struct feed_channel	 ch;
	struct feed_item	 it[FUZZ_MAX_EVENTS];
	struct feed_buf		 b;
	const char		*msg;
	size_t			 i;
	int			 rc;

	memset(&ch, 0, sizeof(ch));
	ch.title = s->meta.title;
	ch.link = s->meta.web_url;
	ch.description = s->meta.description;
	ch.language = s->ev[0].timezone;
	ch.self_url = s->meta.self_url;
	ch.last_build = s->meta.now;
	memset(it, 0, sizeof(it));
	for (i = 0; i < s->n; i++) {
		it[i].title_prefix = s->ev[i].kind;
		it[i].title = s->ev[i].title;
		it[i].link = s->ev[i].online_url != NULL ?
		    s->ev[i].online_url : s->ev[i].url;
		it[i].guid = s->ev[i].venue != NULL ? s->ev[i].venue : "g";
		it[i].pub_date = s->ev[i].starts_at;
		it[i].description = s->ev[i].description;
		it[i].html = i % 2 ? FEED_ITEM_HTML : 0;
		it[i].categories = s->ev[i].tags;
		it[i].ncategories = s->ev[i].ntags;
	}

	feed_buf_init(&b);
	feed_buf_append(&b, "#", 1);
	rc = feed_render_rss_items(&b, &ch, it, s->n);
	if (rc == -1 && (!s->fuzzed_times || b.len != 1))
		fuzz_fail("rss items: unexpected failure");
	if (rc == 0 && (msg = fuzz_check_rss(b.data + 1, b.len - 1, s->n)) !=
	    NULL)
		fuzz_fail(msg);
	feed_buf_free(&b);
}

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
	items(&s);
	fuzz_set_free(&s);
	return (0);
}
