/*
 * Event feeds: GET /v1/events.{ics,rss,json}, the same per organization
 * at /v1/organizations/{org}/events.{ics,rss,json} and one event as
 * /v1/events/{id}.ics, from the cache (feeds/cache.c) or queried,
 * rendered, kept and answered; and the rendering of every feed
 * document, the personal calendar's (feeds/calendar.c) included.  The
 * SQL functions of sql/api/feeds.sql return one jsonb document; this
 * file parses it into struct feed_event and renders it with the pure-C
 * renderers (feed_ics.c, feed_rss.c, feed_json.c).
 *
 * Rendering is deterministic: DTSTAMP and lastBuildDate are the latest
 * updated_at of the feed's events (midnight UTC today for an empty
 * feed), not the wall clock, so every worker renders the same bytes for
 * the same data and the strong ETag (reply.c) holds across workers,
 * instances and cache refreshes.  The same time is the feed's
 * Last-Modified (last_modified()).
 *
 * Memory: feed_buf and jansson use libc malloc (free() them); the cache
 * keeps feed_buf data as is.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "feed.h"

#define FEEDS_SQL	"SELECT api.feed_events($1, $2)::text"
#define FEED_ONE_SQL	"SELECT api.feed_event($1::bigint)::text"

#define FEEDS_REFRESH_MIN	60

/*
 * A change's time is a validator only once no write that could still
 * stamp an earlier time is running: updated_at is its transaction's
 * start (now()), a statement may run for statement_timeout (15 s, see
 * app.c), and Last-Modified has whole seconds.  A feed changed less than
 * this long ago sends no Last-Modified (its ETag still holds).
 */
#define FEEDS_LASTMOD_SETTLE	60

static int	format_of(const char *);
static int	render(struct http_request *, struct il_req *, json_t *,
		    int, struct feed_buf *, time_t *);
static time_t	last_modified(struct il_req *, const char *);
static void	internal_error(struct http_request *, struct il_req *,
		    const char *);

static int
format_of(const char *pattern)
{
	const char	*dot;

	if ((dot = strrchr(pattern, '.')) != NULL) {
		if (strcmp(dot, ".rss") == 0)
			return (FEEDS_RSS);
		if (strcmp(dot, ".json") == 0)
			return (FEEDS_JSON);
	}
	return (FEEDS_ICS);
}

/*
 * GET /v1/events.{ics,rss,json} and
 * GET /v1/organizations/{org}/events.{ics,rss,json}: from the cache, or
 * query, render, keep and answer.  The bearer token, if any, plays no
 * part: feeds are public.
 */
void
feeds_start(struct http_request *req, struct il_req *st)
{
	struct feeds_pending	*p;
	json_t			*args;

	p = cache_pending(st, st->args.n > 0 ? st->args.values[0] : "",
	    format_of(st->ep->path));
	if (cache_serve(req, st, p))
		return;

	args = json_object();
	if (st->args.n > 0)
		json_object_set_new(args, "org",
		    json_string(st->args.values[0]));
	db_param_json(st, args);
	json_decref(args);
	db_param_json(st, st->query);
	db_call(req, st, FEEDS_SQL, feeds_rows, NULL);
}

/*
 * GET /v1/events/{id}.ics, routed as /v1/events/{event_ics}: the
 * segment must be an event id followed by ".ics".
 */
void
feeds_event_start(struct http_request *req, struct il_req *st)
{
	struct feeds_pending	*p;
	const char		*seg;
	char			id[24];
	size_t			len, i;

	seg = st->args.values[0];
	len = strlen(seg);
	if (len < 5 || len - 4 > 18 || strcmp(seg + len - 4, ".ics") != 0 ||
	    seg[0] == '0') {
		reply_not_found(req);
		return;
	}
	for (i = 0; i < len - 4; i++) {
		if (seg[i] < '0' || seg[i] > '9') {
			reply_not_found(req);
			return;
		}
	}
	memcpy(id, seg, len - 4);
	id[len - 4] = '\0';

	p = cache_pending(st, id, FEEDS_ICS);
	if (cache_serve(req, st, p))
		return;
	db_param_text(st, id);
	db_call(req, st, FEED_ONE_SQL, feeds_rows, NULL);
}

/* Rendering -------------------------------------------------------------- */

static void
internal_error(struct http_request *req, struct il_req *st, const char *why)
{
	kore_log(LOG_ERR, "request %s: feed: %s", st->request_id, why);
	reply_internal(req);
}

/*
 * A feed's Last-Modified: the latest updated_at of its events (latest, or
 * NULL for an empty feed, which has none), once it is
 * FEEDS_LASTMOD_SETTLE seconds old.  The personal calendar has none
 * (EP_PRIVATE): it also changes when its owner's RSVPs do, which no
 * event's updated_at tells; its ETag is exact.  Returns 0 for none.
 */
static time_t
last_modified(struct il_req *st, const char *latest)
{
	struct feed_time	t;
	struct tm		tm;
	time_t			when;

	if (latest == NULL || (st->ep->flags & EP_PRIVATE) ||
	    feed_time_parse(latest, &t) == -1)
		return (0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t.year - 1900;
	tm.tm_mon = t.mon - 1;
	tm.tm_mday = t.day;
	tm.tm_hour = t.hour;
	tm.tm_min = t.min;
	tm.tm_sec = t.sec;
	when = timegm(&tm);
	if (when <= 0 || when > time(NULL) - FEEDS_LASTMOD_SETTLE)
		return (0);
	return (when);
}

/*
 * Render the document doc (see sql/api/feeds.sql) in format into out
 * (feed_doc.c), and give its Last-Modified time (0: none) in *lastmod.
 * Returns 0, or -1 after answering 500.
 */
static int
render(struct http_request *req, struct il_req *st, json_t *doc, int format,
    struct feed_buf *out, time_t *lastmod)
{
	struct feed_doc_urls	urls;
	const char		*latest;
	char			*qs, self[1024];
	int			len, doc_format;

	qs = url_query(st->ep->query, st->query);
	len = snprintf(self, sizeof(self), "%s%s%s%s", il_cfg.public_api_url,
	    req->path, *qs != '\0' ? "?" : "", qs);
	if (len < 0 || (size_t)len >= sizeof(self))
		(void)snprintf(self, sizeof(self), "%s%s",
		    il_cfg.public_api_url, req->path);
	kore_free(qs);

	urls.web_base = il_cfg.public_web_url;
	urls.self_url = self;
	urls.refresh_minutes = FEEDS_REFRESH_MIN;
	switch (format) {
	case FEEDS_RSS:
		doc_format = FEED_DOC_RSS;
		break;
	case FEEDS_JSON:
		doc_format = FEED_DOC_JSON;
		break;
	default:
		doc_format = FEED_DOC_ICS;
		break;
	}
	if (feed_doc_render(out, doc, doc_format, &urls, &latest) == -1) {
		internal_error(req, st, "cannot render the document");
		return (-1);
	}
	*lastmod = last_modified(st, latest);
	return (0);
}

/*
 * The one-column result of a feed function: parse, render, answer, and
 * keep the bytes when the request may be cached and no invalidation
 * happened while its query ran.
 */
void
feeds_rows(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct feeds_pending	*p = (struct feeds_pending *)st->saved;
	struct feed_buf		out;
	char			etag[REPLY_ETAG_LEN];
	json_error_t		jerr;
	json_t			*doc;
	time_t			lastmod;

	if (p == NULL || PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    PQgetisnull(res, 0, 0)) {
		internal_error(req, st, "unexpected result shape");
		return;
	}
	doc = json_loadb(PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0), 0, &jerr);
	if (doc == NULL) {
		internal_error(req, st, jerr.text);
		return;
	}
	feed_buf_init(&out);
	if (render(req, st, doc, p->format, &out, &lastmod) == -1) {
		json_decref(doc);
		feed_buf_free(&out);
		return;
	}
	json_decref(doc);

	reply_etag(out.data, out.len, etag);
	reply_body_etag(req, 200, st->ep->content_type, out.data, out.len,
	    etag, lastmod);
	if (cache_wants(p)) {
		cache_store(p, out.data, out.len, etag, NULL, lastmod);
		feed_buf_init(&out);	/* the cache owns the bytes */
	}
	feed_buf_free(&out);
}
