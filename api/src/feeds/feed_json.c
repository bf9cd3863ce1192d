/*
 * feed_json.c: events as a JSON Feed 1.1 document, built with jansson.
 *
 * Every string is sanitized first (bad UTF-8 becomes U+FFFD, controls
 * other than TAB, LF and CR are dropped), since jansson refuses
 * invalid UTF-8.  The document is serialized straight into the output
 * buffer, so no memory from jansson's allocator reaches the caller.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feed.h"

#define JSONFEED_VERSION	"https://jsonfeed.org/version/1.1"

static json_t	*jf_str(const char *);
static json_t	*jf_time(const char *);
static void	 jf_set(json_t *, const char *, json_t *, int *);
static void	 jf_push(json_t *, json_t *, int *);
static json_t	*jf_item(const struct feed_meta *, const struct feed_event *,
		    int *);
static int	 jf_write(const char *, size_t, void *);

/*
 * A new JSON string holding sanitized s, json_null() when s is NULL,
 * or NULL when jansson fails.
 */
static json_t *
jf_str(const char *s)
{
	json_t	*j;
	char	*clean;

	if (s == NULL)
		return (json_null());
	clean = feed_utf8_sanitize(s);
	j = json_string(clean);
	free(clean);
	return (j);
}

/* RFC 3339 in UTC, or NULL (value passed feed_check()). */
static json_t *
jf_time(const char *s)
{
	char	 buf[FEED_TIME_RFC3339_LEN];

	if (feed_time_rfc3339(s, buf, sizeof(buf)) == -1)
		return (NULL);
	return (json_string(buf));
}

/* Set obj.key to v, stealing v (even NULL); on failure set *err. */
static void
jf_set(json_t *obj, const char *key, json_t *v, int *err)
{
	if (json_object_set_new(obj, key, v) == -1)
		*err = 1;
}

/* Append v to array arr, stealing v (even NULL); on failure set *err. */
static void
jf_push(json_t *arr, json_t *v, int *err)
{
	if (json_array_append_new(arr, v) == -1)
		*err = 1;
}

static json_t *
jf_item(const struct feed_meta *meta, const struct feed_event *e, int *err)
{
	json_t		*item, *tags, *ext, *author, *authors;
	struct feed_buf	 b;
	const char	**cats;
	size_t		 i, ncats;

	if ((item = json_object()) == NULL) {
		*err = 1;
		return (NULL);
	}

	feed_buf_init(&b);
	feed_buf_appendf(&b, "event-%lld@%s", e->id, meta->uid_domain);
	jf_set(item, "id", jf_str(b.data), err);
	jf_set(item, "url", jf_str(e->url), err);

	feed_buf_truncate(&b, 0);
	if (feed_is_cancelled(e))
		feed_buf_appendf(&b, "Cancelled: ");
	feed_buf_append(&b, e->title, strlen(e->title));
	jf_set(item, "title", jf_str(b.data), err);

	feed_buf_truncate(&b, 0);
	feed_event_text(&b, e, FEED_TEXT_WHEN);
	jf_set(item, "content_text", jf_str(b.data), err);
	feed_buf_free(&b);

	jf_set(item, "date_published", jf_time(e->created_at), err);
	jf_set(item, "date_modified", jf_time(e->updated_at), err);

	if ((tags = json_array()) == NULL)
		*err = 1;
	else {
		cats = feed_calloc(1 + e->ntags, sizeof(*cats));
		ncats = feed_categories(e, cats);
		for (i = 0; i < ncats; i++)
			jf_push(tags, jf_str(cats[i]), err);
		free(cats);
	}
	jf_set(item, "tags", tags, err);

	if (e->organization != NULL && *e->organization != '\0') {
		authors = json_array();
		author = json_object();
		if (author != NULL)
			jf_set(author, "name", jf_str(e->organization), err);
		if (authors != NULL)
			jf_push(authors, author, err);
		else {
			json_decref(author);
			*err = 1;
		}
		jf_set(item, "authors", authors, err);
	}

	if ((ext = json_object()) == NULL)
		*err = 1;
	else {
		jf_set(ext, "starts_at", jf_time(e->starts_at), err);
		jf_set(ext, "ends_at", jf_time(e->ends_at), err);
		jf_set(ext, "timezone", jf_str(e->timezone), err);
		jf_set(ext, "status", jf_str(feed_is_cancelled(e) ?
		    "cancelled" : "scheduled"), err);
		jf_set(ext, "kind", jf_str(e->kind), err);
		jf_set(ext, "venue", jf_str(e->venue), err);
		jf_set(ext, "address", jf_str(e->address), err);
		jf_set(ext, "city", jf_str(e->city), err);
		jf_set(ext, "online_url", jf_str(e->online_url), err);
		jf_set(ext, "organization", jf_str(e->organization), err);
		jf_set(ext, "cancel_reason", jf_str(e->cancel_reason), err);
		jf_set(ext, "sequence", json_integer(e->sequence), err);
		jf_set(ext, "latitude", e->has_geo ?
		    json_real(e->latitude) : json_null(), err);
		jf_set(ext, "longitude", e->has_geo ?
		    json_real(e->longitude) : json_null(), err);
	}
	jf_set(item, "_interlibrary", ext, err);
	return (item);
}

/* json_dump_callback() sink: append to the struct feed_buf in data. */
static int
jf_write(const char *p, size_t len, void *data)
{
	feed_buf_append(data, p, len);
	return (0);
}

/*
 * Append to out a JSON Feed 1.1 document (compact, valid UTF-8) with
 * one item per event of ev[0..n-1]; each item carries an
 * "_interlibrary" extension object (starts_at, ends_at, timezone,
 * status, kind, venue, address, city, online_url, organization,
 * cancel_reason, sequence, latitude, longitude; missing values are
 * null).  The caller keeps ownership of everything passed.  Returns 0,
 * or -1 when feed_check() rejects the arguments, out is NULL or jansson
 * fails; out is then left unchanged.
 */
int
feed_render_json(struct feed_buf *out, const struct feed_meta *meta,
    const struct feed_event *ev, size_t n)
{
	json_t	*root, *items;
	size_t	 i, mark;
	int	 err;

	if (out == NULL || feed_check(meta, ev, n) == -1)
		return (-1);
	if ((root = json_object()) == NULL)
		return (-1);

	err = 0;
	jf_set(root, "version", json_string(JSONFEED_VERSION), &err);
	jf_set(root, "title", jf_str(meta->title), &err);
	jf_set(root, "home_page_url", jf_str(meta->web_url), &err);
	jf_set(root, "feed_url", jf_str(meta->self_url), &err);
	if (meta->description != NULL)
		jf_set(root, "description", jf_str(meta->description), &err);

	if ((items = json_array()) == NULL)
		err = 1;
	for (i = 0; items != NULL && i < n && !err; i++)
		jf_push(items, jf_item(meta, &ev[i], &err), &err);
	jf_set(root, "items", items, &err);

	if (err) {
		json_decref(root);
		return (-1);
	}

	mark = out->len;
	if (json_dump_callback(root, jf_write, out, JSON_COMPACT) == -1) {
		json_decref(root);
		feed_buf_truncate(out, mark);
		return (-1);
	}
	json_decref(root);
	return (0);
}
