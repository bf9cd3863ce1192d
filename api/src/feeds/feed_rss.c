/*
 * feed_rss.c: RSS 2.0 channels: the events of a feed, or any items (the
 * community activity), through the same writer.
 *
 * Text goes through rss_text(), which writes valid UTF-8 made only of
 * XML 1.0 characters and escapes the five markup characters.  Event
 * descriptions are HTML (readers render them so): the event text is
 * HTML-escaped first, then the HTML is XML-escaped, so "<script>" in a
 * description reaches the reader's HTML view as text (FEED_ITEM_HTML).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

#define RSS_ONELINE	0x01	/* TAB, CR and LF become spaces */
#define RSS_HTML	0x02	/* newlines become <br> (HTML output) */

static void	rss_text(struct feed_buf *, const char *, int);
static void	rss_elem(struct feed_buf *, const char *, const char *, int);
static void	rss_elem_time(struct feed_buf *, const char *, const char *);
static void	rss_open(struct feed_buf *, const struct feed_channel *, int);
static void	rss_close(struct feed_buf *);
static void	rss_item(struct feed_buf *, const struct feed_item *);
static void	rss_event(struct feed_buf *, const struct feed_meta *,
		    const struct feed_event *);
static int	rss_time_ok(const char *);

/*
 * Append s escaped for XML text or attribute values: &, <, >, " and '
 * become entities; characters XML 1.0 forbids and C1 controls are
 * dropped; bad UTF-8 becomes U+FFFD.  Flags: see RSS_ONELINE and
 * RSS_HTML.  A NULL s appends nothing.
 */
static void
rss_text(struct feed_buf *out, const char *s, int flags)
{
	const unsigned char	*p;
	size_t			 len, n;
	uint32_t		 cp;

	if (s == NULL)
		return;
	p = (const unsigned char *)s;
	len = strlen(s);
	while (len > 0) {
		n = feed_utf8_decode(p, len, &cp);
		if (cp == '\r' && len > 1 && p[1] == '\n')
			n = 2;
		p += n;
		len -= n;

		if (feed_utf8_is_dropped(cp))
			continue;
		switch (cp) {
		case '&':
			feed_buf_append(out, "&amp;", 5);
			break;
		case '<':
			feed_buf_append(out, "&lt;", 4);
			break;
		case '>':
			feed_buf_append(out, "&gt;", 4);
			break;
		case '"':
			feed_buf_append(out, "&quot;", 6);
			break;
		case '\'':
			feed_buf_append(out, "&apos;", 6);
			break;
		case '\t':
			feed_buf_append(out, (flags & RSS_ONELINE) ? " " : "\t",
			    1);
			break;
		case '\r':
		case '\n':
			if (flags & RSS_ONELINE)
				feed_buf_append(out, " ", 1);
			else if (flags & RSS_HTML)
				feed_buf_append(out, "<br>\n", 5);
			else
				feed_buf_append(out, "\n", 1);
			break;
		default:
			feed_utf8_encode(out, cp);
			break;
		}
	}
}

/* <name>escaped text</name> and a newline. */
static void
rss_elem(struct feed_buf *out, const char *name, const char *s, int flags)
{
	feed_buf_appendf(out, "<%s>", name);
	rss_text(out, s, flags);
	feed_buf_appendf(out, "</%s>\n", name);
}

/* An RFC 822 date element; value passed the renderer's checks. */
static void
rss_elem_time(struct feed_buf *out, const char *name, const char *value)
{
	char	 date[FEED_TIME_RFC822_LEN];

	if (feed_time_rfc822(value, date, sizeof(date)) == -1)
		return;		/* not reached: checked before */
	rss_elem(out, name, date, 0);
}

/*
 * The XML declaration, <rss>, <channel> and the channel's elements; geo:
 * also declare the W3C Basic Geo namespace (events' <geo:lat>).
 */
static void
rss_open(struct feed_buf *out, const struct feed_channel *ch, int geo)
{
	feed_buf_appendf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" "
	    "xmlns:atom=\"http://www.w3.org/2005/Atom\"%s>\n<channel>\n",
	    geo ? " xmlns:geo=\"http://www.w3.org/2003/01/geo/wgs84_pos#\"" :
	    "");
	rss_elem(out, "title", ch->title, RSS_ONELINE);
	rss_elem(out, "link", ch->link, RSS_ONELINE);
	rss_elem(out, "description", ch->description != NULL &&
	    *ch->description != '\0' ? ch->description : ch->title, 0);
	if (ch->language != NULL)
		rss_elem(out, "language", ch->language, RSS_ONELINE);
	feed_buf_appendf(out, "<atom:link href=\"");
	rss_text(out, ch->self_url, RSS_ONELINE);
	feed_buf_appendf(out, "\" rel=\"self\" "
	    "type=\"application/rss+xml\"/>\n");
	rss_elem_time(out, "lastBuildDate", ch->last_build);
	if (ch->ttl > 0)
		feed_buf_appendf(out, "<ttl>%d</ttl>\n", ch->ttl);
	if (ch->generator != NULL)
		rss_elem(out, "generator", ch->generator, 0);
}

static void
rss_close(struct feed_buf *out)
{
	feed_buf_appendf(out, "</channel>\n</rss>\n");
}

static void
rss_item(struct feed_buf *out, const struct feed_item *it)
{
	struct feed_buf	 html;
	size_t		 i;

	feed_buf_appendf(out, "<item>\n<title>");
	rss_text(out, it->title_prefix, RSS_ONELINE);
	rss_text(out, it->title, RSS_ONELINE);
	feed_buf_appendf(out, "</title>\n");
	rss_elem(out, "link", it->link, RSS_ONELINE);
	feed_buf_appendf(out, "<guid isPermaLink=\"false\">");
	rss_text(out, it->guid, RSS_ONELINE);
	feed_buf_appendf(out, "</guid>\n");
	rss_elem_time(out, "pubDate", it->pub_date);

	if (it->description != NULL && (it->html & FEED_ITEM_HTML)) {
		feed_buf_init(&html);
		feed_buf_append(&html, "<p>", 3);
		rss_text(&html, it->description, RSS_HTML);
		feed_buf_append(&html, "</p>", 4);
		rss_elem(out, "description", html.data, 0);
		feed_buf_free(&html);
	} else if (it->description != NULL)
		rss_elem(out, "description", it->description, 0);

	for (i = 0; i < it->ncategories; i++) {
		if (*it->categories[i] != '\0')
			rss_elem(out, "category", it->categories[i],
			    RSS_ONELINE);
	}
	if (it->has_geo && feed_geo_ok(it->latitude, it->longitude))
		feed_buf_appendf(out, "<geo:lat>%.6f</geo:lat>\n"
		    "<geo:long>%.6f</geo:long>\n", it->latitude,
		    it->longitude);
	feed_buf_appendf(out, "</item>\n");
}

/*
 * One event as an item: "Cancelled: " before a cancelled event's title,
 * the event text (with When and Where) as its HTML description, its
 * categories (feed_categories()).
 */
static void
rss_event(struct feed_buf *out, const struct feed_meta *meta,
    const struct feed_event *e)
{
	struct feed_item	 it;
	struct feed_buf		 guid, text;
	const char		**cats;

	feed_buf_init(&guid);
	feed_buf_appendf(&guid, "event-%lld@", e->id);
	feed_buf_append(&guid, meta->uid_domain, strlen(meta->uid_domain));
	feed_buf_init(&text);
	feed_buf_append(&text, "", 0);
	feed_event_text(&text, e, FEED_TEXT_WHEN);
	cats = feed_calloc(1 + e->ntags, sizeof(*cats));

	memset(&it, 0, sizeof(it));
	it.title_prefix = feed_is_cancelled(e) ? "Cancelled: " : NULL;
	it.title = e->title;
	it.link = e->url;
	it.guid = guid.data;
	it.pub_date = e->created_at;
	it.description = text.data;
	it.html = FEED_ITEM_HTML;
	it.categories = cats;
	it.ncategories = feed_categories(e, cats);
	it.has_geo = e->has_geo;
	it.latitude = e->latitude;
	it.longitude = e->longitude;
	rss_item(out, &it);

	free(cats);
	feed_buf_free(&text);
	feed_buf_free(&guid);
}

/*
 * Append to out an RSS 2.0 document (UTF-8, XML 1.0 well-formed) with
 * one <item> per event of ev[0..n-1].  The caller keeps ownership of
 * everything passed.  Returns 0, or -1 when feed_check() rejects the
 * arguments or out is NULL; out is then left unchanged.
 */
int
feed_render_rss(struct feed_buf *out, const struct feed_meta *meta,
    const struct feed_event *ev, size_t n)
{
	struct feed_channel	 ch;
	size_t			 i;

	if (out == NULL || feed_check(meta, ev, n) == -1)
		return (-1);

	memset(&ch, 0, sizeof(ch));
	ch.title = meta->title;
	ch.link = meta->web_url;
	ch.description = meta->description;
	ch.self_url = meta->self_url;
	ch.last_build = meta->now;
	ch.ttl = meta->refresh_minutes;
	ch.generator = "Interlibrary";

	rss_open(out, &ch, 1);
	for (i = 0; i < n; i++)
		rss_event(out, meta, &ev[i]);
	rss_close(out);
	return (0);
}

/* 0 when a timestamp is given and parses, -1 otherwise. */
static int
rss_time_ok(const char *s)
{
	struct feed_time	 t;

	return (feed_time_parse(s, &t));
}

/*
 * Append to out an RSS 2.0 document (UTF-8, XML 1.0 well-formed) of the
 * channel ch with one <item> per item of it[0..n-1], in that order.  The
 * caller keeps ownership of everything passed.  Returns 0, or -1 when
 * out is NULL, ch lacks title, link, self_url or a valid last_build, ttl
 * is negative, it is NULL while n > 0, or an item lacks title, link, guid
 * or a valid pub_date or has a NULL category; out is then left
 * unchanged.
 */
int
feed_render_rss_items(struct feed_buf *out, const struct feed_channel *ch,
    const struct feed_item *it, size_t n)
{
	size_t		 i, j;

	if (out == NULL || ch == NULL || ch->title == NULL ||
	    ch->link == NULL || ch->self_url == NULL ||
	    rss_time_ok(ch->last_build) == -1 || ch->ttl < 0 ||
	    (it == NULL && n > 0))
		return (-1);
	for (i = 0; i < n; i++) {
		if (it[i].title == NULL || it[i].link == NULL ||
		    it[i].guid == NULL || rss_time_ok(it[i].pub_date) == -1 ||
		    (it[i].ncategories > 0 && it[i].categories == NULL))
			return (-1);
		for (j = 0; j < it[i].ncategories; j++) {
			if (it[i].categories[j] == NULL)
				return (-1);
		}
	}

	rss_open(out, ch, 0);
	for (i = 0; i < n; i++)
		rss_item(out, &it[i]);
	rss_close(out);
	return (0);
}
