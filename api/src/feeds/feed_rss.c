/*
 * feed_rss.c: events as an RSS 2.0 channel.
 *
 * Text goes through rss_text(), which writes valid UTF-8 made only of
 * XML 1.0 characters and escapes the five markup characters.  Item
 * descriptions are HTML (readers render them so): the event text is
 * HTML-escaped first, then the HTML is XML-escaped, so "<script>" in a
 * description reaches the reader's HTML view as text.
 */

#include <stdio.h>
#include <string.h>

#include "feed.h"

#define RSS_ONELINE	0x01	/* TAB, CR and LF become spaces */
#define RSS_HTML	0x02	/* newlines become <br> (HTML output) */

static void	rss_text(struct feed_buf *, const char *, int);
static void	rss_elem(struct feed_buf *, const char *, const char *, int);
static void	rss_elem_time(struct feed_buf *, const char *, const char *);
static void	rss_item(struct feed_buf *, const struct feed_meta *,
		    const struct feed_event *);

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

/* An RFC 822 date element; value passed feed_check(). */
static void
rss_elem_time(struct feed_buf *out, const char *name, const char *value)
{
	char	 date[FEED_TIME_RFC822_LEN];

	if (feed_time_rfc822(value, date, sizeof(date)) == -1)
		return;		/* not reached: checked before */
	rss_elem(out, name, date, 0);
}

static void
rss_item(struct feed_buf *out, const struct feed_meta *meta,
    const struct feed_event *e)
{
	struct feed_buf	 text, html;
	size_t		 i;

	feed_buf_appendf(out, "<item>\n<title>");
	if (feed_is_cancelled(e))
		feed_buf_appendf(out, "Cancelled: ");
	rss_text(out, e->title, RSS_ONELINE);
	feed_buf_appendf(out, "</title>\n");
	rss_elem(out, "link", e->url, RSS_ONELINE);

	feed_buf_appendf(out, "<guid isPermaLink=\"false\">event-%lld@",
	    e->id);
	rss_text(out, meta->uid_domain, RSS_ONELINE);
	feed_buf_appendf(out, "</guid>\n");
	rss_elem_time(out, "pubDate", e->created_at);

	feed_buf_init(&text);
	feed_buf_init(&html);
	feed_event_text(&text, e, FEED_TEXT_WHEN);
	feed_buf_append(&html, "<p>", 3);
	rss_text(&html, text.data, RSS_HTML);
	feed_buf_append(&html, "</p>", 4);
	rss_elem(out, "description", html.data, 0);
	feed_buf_free(&html);
	feed_buf_free(&text);

	if (e->kind != NULL && *e->kind != '\0')
		rss_elem(out, "category", e->kind, RSS_ONELINE);
	for (i = 0; i < e->ntags; i++) {
		if (*e->tags[i] != '\0')
			rss_elem(out, "category", e->tags[i], RSS_ONELINE);
	}
	feed_buf_appendf(out, "</item>\n");
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
	size_t	 i;

	if (out == NULL || feed_check(meta, ev, n) == -1)
		return (-1);

	feed_buf_appendf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" "
	    "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
	rss_elem(out, "title", meta->title, RSS_ONELINE);
	rss_elem(out, "link", meta->web_url, RSS_ONELINE);
	rss_elem(out, "description", meta->description != NULL &&
	    *meta->description != '\0' ? meta->description : meta->title, 0);
	feed_buf_appendf(out, "<atom:link href=\"");
	rss_text(out, meta->self_url, RSS_ONELINE);
	feed_buf_appendf(out, "\" rel=\"self\" "
	    "type=\"application/rss+xml\"/>\n");
	rss_elem_time(out, "lastBuildDate", meta->now);
	feed_buf_appendf(out, "<ttl>%d</ttl>\n", meta->refresh_minutes);
	rss_elem(out, "generator", "Interlibrary", 0);

	for (i = 0; i < n; i++)
		rss_item(out, meta, &ev[i]);

	feed_buf_appendf(out, "</channel>\n</rss>\n");
	return (0);
}
