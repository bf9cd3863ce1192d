/*
 * GET /v1/activity.rss: the community activity feed.  Its SQL function
 * (api.activity_rss, sql/api/activity.sql) returns the items as a JSON
 * document, like the event feeds' functions; this file turns them into
 * RSS items (a title prefix per kind, links into the web app, a guid per
 * item) and renders them with the feeds' RSS renderer
 * (feeds/feed_rss.c), the one place that writes RSS.
 *
 * Memory: feed_buf and jansson use libc malloc (free() them).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "feeds/feed.h"

#define ACTIVITY_RSS	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.activity_rss($1, $2, $3, $4, $5)"

#define ACTIVITY_URL_MAX	256
#define ACTIVITY_GUID_MAX	96

/* The title of an item starts with what its kind says. */
static const struct {
	const char	*kind;
	const char	*prefix;
} activity_prefixes[] = {
	{ "event_created",		"New event: " },
	{ "event_recap",		"Recap: " },
	{ "collaboration_created",	"New collaboration: " },
	{ "collaboration_completed",	"Completed: " },
	{ "collaboration_update",	"Update: " },
	{ "mentorship_completed",	"Mentorship completed: " },
};

static const char *prefix_of(const char *);
static void	link_of(char *, size_t, json_t *);
static int	render(json_t *, struct feed_buf *);
static void	activity_rows(struct http_request *, struct il_req *,
		    PGresult *);

/* The standard five parameters; the row is rendered by activity_rows(). */
void
activity_rss_start(struct http_request *req, struct il_req *st)
{
	call_bind_standard(st);
	db_call(req, st, ACTIVITY_RSS, activity_rows, NULL);
}

static const char *
prefix_of(const char *kind)
{
	size_t		i;

	for (i = 0; kind != NULL && i < sizeof(activity_prefixes) /
	    sizeof(activity_prefixes[0]); i++) {
		if (strcmp(activity_prefixes[i].kind, kind) == 0)
			return (activity_prefixes[i].prefix);
	}
	return (NULL);
}

/*
 * The web app's page of an item's subject: the event, collaboration or
 * member (a thank-you note's recipient), else the activity page.  buf holds "" when it does not fit.
 */
static void
link_of(char *buf, size_t len, json_t *item)
{
	const char	*type;
	long long	id;
	int		n;

	type = json_string_value(json_object_get(item, "subject_type"));
	id = json_integer_value(json_object_get(item, "subject_id"));
	if (type != NULL && strcmp(type, "event") == 0)
		n = snprintf(buf, len, "%s/#/events/%lld",
		    il_cfg.public_web_url, id);
	else if (type != NULL && strcmp(type, "collaboration") == 0)
		n = snprintf(buf, len, "%s/#/collaborations/%lld",
		    il_cfg.public_web_url, id);
	else if (type != NULL && strcmp(type, "member") == 0)
		n = snprintf(buf, len, "%s/#/members/%lld",
		    il_cfg.public_web_url, id);
	else
		n = snprintf(buf, len, "%s/#/activity", il_cfg.public_web_url);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

/*
 * Render the document doc (see api.activity_rss) into out.  Returns 0,
 * or -1 when it has another shape or the renderer refuses it.  Every
 * string handed to the renderer points into doc or the link and guid
 * blocks.
 */
static int
render(json_t *doc, struct feed_buf *out)
{
	struct feed_channel	ch;
	struct feed_item	*it;
	json_t			*items, *item;
	const char		**cats;
	char			*links, *guids, web[ACTIVITY_URL_MAX];
	char			self[ACTIVITY_URL_MAX];
	const char		*text;
	size_t			n, i;
	int			rc, len;

	items = json_object_get(doc, "items");
	if (!json_is_array(items))
		return (-1);
	n = json_array_size(items);
	it = kore_calloc(n + 1, sizeof(*it));
	cats = kore_calloc(n + 1, sizeof(*cats));
	links = kore_calloc(n + 1, ACTIVITY_URL_MAX);
	guids = kore_calloc(n + 1, ACTIVITY_GUID_MAX);

	json_array_foreach(items, i, item) {
		link_of(&links[i * ACTIVITY_URL_MAX], ACTIVITY_URL_MAX, item);
		len = snprintf(&guids[i * ACTIVITY_GUID_MAX], ACTIVITY_GUID_MAX,
		    "interlibrary:activity:%s:%lld",
		    json_string_value(json_object_get(item, "kind")) != NULL ?
		    json_string_value(json_object_get(item, "kind")) : "",
		    json_integer_value(json_object_get(item, "id")));
		if (len < 0 || len >= ACTIVITY_GUID_MAX)
			guids[i * ACTIVITY_GUID_MAX] = '\0';
		it[i].title_prefix = prefix_of(json_string_value(
		    json_object_get(item, "kind")));
		it[i].title = json_string_value(json_object_get(item, "title"));
		it[i].link = &links[i * ACTIVITY_URL_MAX];
		it[i].guid = &guids[i * ACTIVITY_GUID_MAX];
		it[i].pub_date = json_string_value(json_object_get(item, "at"));
		text = json_string_value(json_object_get(item, "text"));
		it[i].description = text != NULL ? text : "";
		cats[i] = json_string_value(json_object_get(item, "kind"));
		it[i].categories = &cats[i];
		it[i].ncategories = cats[i] != NULL;
	}

	len = snprintf(web, sizeof(web), "%s/", il_cfg.public_web_url);
	if (len < 0 || (size_t)len >= sizeof(web))
		web[0] = '\0';
	len = snprintf(self, sizeof(self), "%s/v1/activity.rss",
	    il_cfg.public_api_url);
	if (len < 0 || (size_t)len >= sizeof(self))
		self[0] = '\0';
	memset(&ch, 0, sizeof(ch));
	ch.title = json_string_value(json_object_get(doc, "title"));
	ch.description = json_string_value(json_object_get(doc,
	    "description"));
	ch.link = web;
	ch.language = "en";
	ch.self_url = self;
	ch.last_build = json_string_value(json_object_get(doc, "updated"));
	if (ch.last_build == NULL)
		ch.last_build = "1970-01-01T00:00:00Z";

	rc = feed_render_rss_items(out, &ch, it, n);
	kore_free(guids);
	kore_free(links);
	kore_free(cats);
	kore_free(it);
	return (rc);
}

/*
 * The row of api.activity_rss: a 200's body is rendered and answered
 * with the route's content type (reply.c adds the ETag and answers
 * If-None-Match); anything else is answered as usual.
 */
static void
activity_rows(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct feed_buf	out;
	json_error_t	jerr;
	json_t		*doc;

	if (row_status(res) != 200 || PQnfields(res) < 2 ||
	    PQgetisnull(res, 0, 1)) {
		row_reply(req, st, res);
		return;
	}
	doc = json_loadb(PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1),
	    0, &jerr);
	if (doc == NULL) {
		kore_log(LOG_ERR, "request %s: activity feed: %s",
		    st->request_id, jerr.text);
		reply_internal(req);
		return;
	}
	feed_buf_init(&out);
	if (render(doc, &out) == -1) {
		json_decref(doc);
		feed_buf_free(&out);
		kore_log(LOG_ERR, "request %s: activity feed: unexpected "
		    "document", st->request_id);
		reply_internal(req);
		return;
	}
	json_decref(doc);
	reply_body(req, 200, st->ep->content_type, out.data, out.len);
	feed_buf_free(&out);
}
