/*
 * Event feeds: GET /v1/events.{ics,rss,json}, the same per organization
 * at /v1/organizations/{org}/events.{ics,rss,json}, one event as
 * /v1/events/{id}.ics, and the personal calendar /v1/me/calendar.ics
 * with its key (POST/DELETE /v1/me/calendar-key).  The SQL functions of
 * sql/migrations/0005_feeds.sql return one jsonb document; this file
 * parses it into struct feed_event and renders it with the pure-C
 * renderers (feed_ics.c, feed_rss.c, feed_json.c).
 *
 * The cache, and how stale a feed can be.
 *
 *   Each worker keeps the rendered bytes of the public feeds it served
 *   (the three formats, all filters, per organization, single events)
 *   keyed by (route, path argument, normalized query string), so a
 *   repeated request neither queries nor renders: it is answered in
 *   feeds_start() before any database work.  Memory is bounded:
 *   FEEDS_CACHE_ENTRIES entries and FEEDS_CACHE_BYTES bytes per worker,
 *   the least recently used entry evicted first; a feed larger than
 *   FEEDS_ENTRY_MAX is rendered but not kept.
 *
 *   Entries expire FEEDS_TTL_MS (4 s) after their query was sent, so
 *   any change, made through any worker of any API instance or in SQL
 *   directly, shows in every feed within 5 s (4 s plus the time the
 *   query and the reply take); the feed window ("30 days ago to one
 *   year ahead") moves with time the same way.
 *
 *   Endpoints whose success changes what feeds show (events created,
 *   edited, cancelled; organizations renamed or deleted) are flagged
 *   EP_INVALIDATES_FEEDS: their result row goes through
 *   feeds_write_row(), which empties this worker's cache before the
 *   reply is sent (so the worker that made a change serves the new feed
 *   at once: the row of a single-statement call arrives after its
 *   commit) and broadcasts a Kore worker message (KORE_MSG_WORKER_ALL)
 *   so the other workers of this instance empty theirs within
 *   milliseconds.  A generation counter, bumped on every invalidation,
 *   keeps a query that was already running during an invalidation from
 *   storing its (possibly older) result.
 *
 *   Rendering is deterministic: DTSTAMP and lastBuildDate are the latest
 *   updated_at of the feed's events (midnight UTC today for an empty
 *   feed), not the wall clock, so every worker renders the same bytes
 *   for the same data and the strong ETag (reply.c) holds across
 *   workers, instances and cache refreshes.
 *
 *   The personal calendar is not cached (it depends on the key, and a
 *   rotated or revoked key must stop working at once).
 *
 * Memory: feed_buf and jansson use libc malloc (free() them); the cache
 * keeps feed_buf data as is, so its bodies and keys are libc memory too.
 * Request scratch (struct feeds_pending, the minted key) is kore_malloc
 * memory in st->saved, wiped and freed with the request.
 */

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "feed.h"

#define FEEDS_SQL	"SELECT api.feed_events($1, $2)::text"
#define FEED_ONE_SQL	"SELECT api.feed_event($1::bigint)::text"
#define FEED_CAL_SQL	"SELECT api.feed_calendar($1)::text"
#define KEY_CREATE_SQL	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.calendar_key_create($1, $2)"

#define FEEDS_TTL_MS		4000
#define FEEDS_CACHE_ENTRIES	64
#define FEEDS_CACHE_BYTES	(16 * 1024 * 1024)
#define FEEDS_ENTRY_MAX		(4 * 1024 * 1024)
#define FEEDS_REFRESH_MIN	60
#define FEEDS_URL_MAX		256
#define FEEDS_MSG_INVALIDATE	(KORE_MSG_APP_BASE + 17)

#define KEY_B64_LEN		43

enum feeds_format { FMT_ICS, FMT_RSS, FMT_JSON };

struct feeds_entry {
	char		*key;		/* malloc; NULL: free slot */
	char		*body;		/* malloc (feed_buf data) */
	size_t		len;
	char		etag[REPLY_ETAG_LEN];	/* of body, computed once */
	char		*link;		/* malloc; the Link header, or NULL */
	u_int64_t	born;		/* ms: when its query was sent */
	u_int64_t	used;		/* LRU tick */
};

/* Request scratch in st->saved. */
struct feeds_pending {
	u_int64_t	gen;		/* feeds_gen when the query was sent */
	u_int64_t	born;
	int		format;
	int		cache;		/* keep the result */
	char		token[KEY_B64_LEN + 1];		/* a minted key */
	u_int8_t	hash[IL_TOKEN_HASH_BYTES];
	char		key[];		/* the cache key */
};

static const char *const feed_kinds[] = {
	"social", "meetup", "training", "tour", "advocacy", "celebration",
	"conference", NULL
};

/* The filters of GET /v1/events, without limit and cursor. */
#define FEEDS_FILTERS \
	{ "from", FT_TIME, 0, 20, 40, NULL, NULL, 0 }, \
	{ "to", FT_TIME, 0, 20, 40, NULL, NULL, 0 }, \
	{ "kind", FT_ENUM, 0, 1, 20, feed_kinds, NULL, 0 }, \
	{ "city", FT_STRING, 0, 1, 80, NULL, NULL, 0 }, \
	{ "tag", FT_STRING, 0, 1, 40, NULL, NULL, 0 }, \
	{ "q", FT_STRING, 0, 1, 100, NULL, NULL, 0 }

const struct field feeds_q[] = {
	{ "organization", FT_STRING, 0, 1, 64, NULL, NULL, 0 },
	FEEDS_FILTERS,
	FIELDS_END
};

const struct field feeds_q_org[] = {
	FEEDS_FILTERS,
	FIELDS_END
};

const struct field feeds_q_calendar[] = {
	{ "key", FT_SECRET, FF_REQUIRED, KEY_B64_LEN, KEY_B64_LEN, NULL, NULL,
	    0 },
	FIELDS_END
};

static struct feeds_entry	feeds_cache[FEEDS_CACHE_ENTRIES];
static size_t			feeds_cache_bytes;
static u_int64_t		feeds_tick;
static u_int64_t		feeds_gen;
static int			feeds_msg_ready;

static void	feeds_msg_init(void);
static void	feeds_msg(struct kore_msg *, const void *);
static void	cache_drop(struct feeds_entry *);
static struct feeds_entry *cache_find(const char *);
static void	cache_store(const char *, char *, size_t, const char *,
		    const char *, u_int64_t);
static void	list_rows(struct http_request *, struct il_req *,
		    PGresult *);
static char	*canonical_query(struct il_req *);
static struct feeds_pending *pending_new(struct il_req *, const char *,
		    int, int);
static int	format_of(const char *);
static int	serve_cached(struct http_request *, struct il_req *,
		    struct feeds_pending *);
static void	feeds_rows(struct http_request *, struct il_req *,
		    PGresult *);
static int	render(struct http_request *, struct il_req *, json_t *,
		    int, struct feed_buf *);
static const char *jstr(json_t *, const char *);
static const char *uid_domain(void);
static void	today(char *, size_t);
static void	key_row(struct http_request *, struct il_req *, PGresult *);
static void	internal_error(struct http_request *, struct il_req *,
		    const char *);

/* Worker messages ------------------------------------------------------- */

/*
 * Register the invalidation message in this worker.  Called before the
 * worker first uses its cache, so no broadcast can be missed by a cache
 * that holds anything.  Unregister first: after a module reload the old
 * callback pointer would dangle.
 */
static void
feeds_msg_init(void)
{
	if (feeds_msg_ready)
		return;
	kore_msg_unregister(FEEDS_MSG_INVALIDATE);
	if (!kore_msg_register(FEEDS_MSG_INVALIDATE, feeds_msg))
		fatal("feeds: cannot register the invalidation message");
	feeds_msg_ready = 1;
}

static void
feeds_msg(struct kore_msg *msg, const void *data)
{
	(void)data;
	if (worker != NULL && msg->src == worker->id)
		return;		/* our own broadcast: already done */
	feeds_invalidate(0);
}

/*
 * Empty this worker's feed cache and, when broadcast is set, tell the
 * other workers of this instance to empty theirs.
 */
void
feeds_invalidate(int broadcast)
{
	size_t		i;

	feeds_gen++;
	for (i = 0; i < FEEDS_CACHE_ENTRIES; i++)
		cache_drop(&feeds_cache[i]);
	if (broadcast && worker != NULL)
		kore_msg_send(KORE_MSG_WORKER_ALL, FEEDS_MSG_INVALIDATE, NULL,
		    0);
}

/*
 * The result row of an EP_INVALIDATES_FEEDS endpoint: a 2xx empties the
 * feed caches first, then the row is answered as usual.
 */
void
feeds_write_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	int		status;

	status = row_status(res);
	if (status >= 200 && status < 300)
		feeds_invalidate(1);
	row_reply(req, st, res);
}

/* The cache -------------------------------------------------------------- */

static void
cache_drop(struct feeds_entry *e)
{
	if (e->key == NULL)
		return;
	feeds_cache_bytes -= e->len + strlen(e->key);
	free(e->key);
	free(e->body);
	free(e->link);
	memset(e, 0, sizeof(*e));
}

/* The live entry for key, or NULL (an expired one is dropped). */
static struct feeds_entry *
cache_find(const char *key)
{
	struct feeds_entry	*e;
	u_int64_t		now;
	size_t			i;

	now = kore_time_ms();
	for (i = 0; i < FEEDS_CACHE_ENTRIES; i++) {
		e = &feeds_cache[i];
		if (e->key == NULL || strcmp(e->key, key) != 0)
			continue;
		if (now - e->born >= FEEDS_TTL_MS) {
			cache_drop(e);
			return (NULL);
		}
		e->used = ++feeds_tick;
		return (e);
	}
	return (NULL);
}

/*
 * Keep body (malloc memory of len bytes; the cache takes it) under key,
 * evicting least recently used entries until both bounds hold.  A body
 * over FEEDS_ENTRY_MAX is freed instead.
 */
static void
cache_store(const char *key, char *body, size_t len, const char *etag,
    const char *link, u_int64_t born)
{
	struct feeds_entry	*e, *slot, *lru;
	size_t			i, need;

	need = len + strlen(key);
	if (len > FEEDS_ENTRY_MAX) {
		free(body);
		return;
	}
	for (i = 0; i < FEEDS_CACHE_ENTRIES; i++) {
		if (feeds_cache[i].key != NULL &&
		    strcmp(feeds_cache[i].key, key) == 0)
			cache_drop(&feeds_cache[i]);
	}
	for (;;) {
		slot = lru = NULL;
		for (i = 0; i < FEEDS_CACHE_ENTRIES; i++) {
			e = &feeds_cache[i];
			if (e->key == NULL) {
				if (slot == NULL)
					slot = e;
			} else if (lru == NULL || e->used < lru->used) {
				lru = e;
			}
		}
		if (slot != NULL && feeds_cache_bytes + need <=
		    FEEDS_CACHE_BYTES)
			break;
		if (lru == NULL) {
			free(body);	/* not reached: need < the byte cap */
			return;
		}
		cache_drop(lru);
	}
	if ((slot->key = strdup(key)) == NULL)
		fatal("feeds: out of memory");
	slot->body = body;
	slot->len = len;
	if (link != NULL && (slot->link = strdup(link)) == NULL)
		fatal("feeds: out of memory");
	(void)kore_strlcpy(slot->etag, etag, sizeof(slot->etag));
	slot->born = born;
	slot->used = ++feeds_tick;
	feeds_cache_bytes += need;
}

/* Requests --------------------------------------------------------------- */

/*
 * The validated query string in the order of the row's field spec,
 * percent-encoded (kore_malloc: kore_free it): two requests that mean
 * the same give the same text.
 */
static char *
canonical_query(struct il_req *st)
{
	const struct field	*f;
	struct kore_buf		*b;
	char			*s;

	b = kore_buf_alloc(128);
	for (f = st->ep->query; f != NULL && f->name != NULL; f++)
		url_qs_value(b, f->name, json_object_get(st->query, f->name));
	s = kore_strdup(kore_buf_stringify(b, NULL));
	kore_buf_free(b);
	return (s);
}

static struct feeds_pending *
pending_new(struct il_req *st, const char *key, int format, int cache)
{
	struct feeds_pending	*p;
	size_t			len;

	if (st->saved != NULL) {
		sodium_memzero(st->saved, st->saved_len);
		kore_free(st->saved);
	}
	len = sizeof(*p) + strlen(key) + 1;
	p = kore_calloc(1, len);
	p->gen = feeds_gen;
	p->born = kore_time_ms();
	p->format = format;
	p->cache = cache;
	memcpy(p->key, key, strlen(key) + 1);
	st->saved = (char *)p;
	st->saved_len = len;
	return (p);
}

static int
format_of(const char *pattern)
{
	const char	*dot;

	if ((dot = strrchr(pattern, '.')) != NULL) {
		if (strcmp(dot, ".rss") == 0)
			return (FMT_RSS);
		if (strcmp(dot, ".json") == 0)
			return (FMT_JSON);
	}
	return (FMT_ICS);
}

/* Answer from the cache when it holds p->key; returns 1 when it did. */
static int
serve_cached(struct http_request *req, struct il_req *st,
    struct feeds_pending *p)
{
	struct feeds_entry	*e;

	feeds_msg_init();
	if ((e = cache_find(p->key)) == NULL)
		return (0);
	if (e->link != NULL)
		http_response_header(req, "Link", e->link);
	reply_body_etag(req, 200, st->ep->content_type != NULL ?
	    st->ep->content_type : "application/json; charset=utf-8",
	    e->body, e->len, e->etag);
	return (1);
}

/*
 * GET /v1/events for anonymous callers goes through the same cache as
 * the feeds, with the same bounds and invalidation: it is the busiest
 * public read (library websites, the landing page).  A caller with a
 * token gets the generic call: the list then carries their own RSVPs.
 */
void
feeds_list_start(struct http_request *req, struct il_req *st)
{
	struct feeds_pending	*p;
	struct kore_buf		*k;
	char			*qs;

	if (st->has_token) {
		endpoint_generic(req, st);
		return;
	}
	qs = canonical_query(st);
	k = kore_buf_alloc(256);
	kore_buf_appendf(k, "%s\n\n%s", st->ep->pattern, qs);
	p = pending_new(st, kore_buf_stringify(k, NULL), FMT_JSON, 1);
	kore_buf_free(k);
	kore_free(qs);
	if (serve_cached(req, st, p))
		return;
	endpoint_bind_standard(st);
	db_call(req, st, st->ep->sql, list_rows, NULL);
}

/* Answer the list row, then keep a 200 with its ETag and Link header. */
static void
list_rows(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct feeds_pending	*p = (struct feeds_pending *)st->saved;
	struct http_header	*hdr;
	const char		*link;
	char			etag[REPLY_ETAG_LEN], *body;
	size_t			len;

	row_reply(req, st, res);
	if (p == NULL || !p->cache || p->gen != feeds_gen ||
	    row_status(res) != 200 || PQnfields(res) < 2 ||
	    PQgetisnull(res, 0, 1))
		return;
	link = NULL;
	TAILQ_FOREACH(hdr, &req->resp_headers, list) {
		if (strcmp(hdr->header, "Link") == 0)
			link = hdr->value;
	}
	len = (size_t)PQgetlength(res, 0, 1);
	if ((body = malloc(len)) == NULL)
		fatal("feeds: out of memory");
	memcpy(body, PQgetvalue(res, 0, 1), len);
	reply_etag(body, len, etag);
	cache_store(p->key, body, len, etag, link, p->born);
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
	struct kore_buf		*k;
	json_t			*args;
	char			*qs;

	qs = canonical_query(st);
	k = kore_buf_alloc(256);
	kore_buf_appendf(k, "%s\n%s\n%s", st->ep->pattern,
	    st->args.n > 0 ? st->args.values[0] : "", qs);
	p = pending_new(st, kore_buf_stringify(k, NULL),
	    format_of(st->ep->pattern), 1);
	kore_buf_free(k);
	kore_free(qs);
	if (serve_cached(req, st, p))
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
	struct kore_buf		*k;
	const char		*seg;
	char			id[24];
	size_t			len, i;

	seg = st->args.values[0];
	len = strlen(seg);
	if (len < 5 || len - 4 > 18 || strcmp(seg + len - 4, ".ics") != 0 ||
	    seg[0] == '0') {
		reply_problem(req, 404, "not_found", "there is no resource at "
		    "this path", NULL);
		return;
	}
	for (i = 0; i < len - 4; i++) {
		if (seg[i] < '0' || seg[i] > '9') {
			reply_problem(req, 404, "not_found", "there is no "
			    "resource at this path", NULL);
			return;
		}
	}
	memcpy(id, seg, len - 4);
	id[len - 4] = '\0';

	k = kore_buf_alloc(64);
	kore_buf_appendf(k, "%s\n%s\n", st->ep->pattern, id);
	p = pending_new(st, kore_buf_stringify(k, NULL), FMT_ICS, 1);
	kore_buf_free(k);
	if (serve_cached(req, st, p))
		return;
	db_param_text(st, id);
	db_call(req, st, FEED_ONE_SQL, feeds_rows, NULL);
}

/*
 * GET /v1/me/calendar.ics?key=...: the key (43 characters of base64url,
 * 32 bytes) is hashed here; only the hash reaches the database.  The
 * access log prints the path only, never the key.
 */
void
feeds_calendar_start(struct http_request *req, struct il_req *st)
{
	struct feeds_pending	*p;
	struct input_errors	errs;
	const char		*key;
	u_int8_t		raw[IL_TOKEN_BYTES + 1];
	size_t			rawlen;

	p = pending_new(st, "", FMT_ICS, 0);
	key = json_string_value(json_object_get(st->query, "key"));
	if (key == NULL || sodium_base642bin(raw, sizeof(raw), key,
	    strlen(key), NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen != IL_TOKEN_BYTES) {
		memset(&errs, 0, sizeof(errs));
		input_error_add(&errs, "key", "is not a calendar key");
		reply_invalid(req, &errs);
		return;
	}
	crypto_generichash(p->hash, sizeof(p->hash), raw, rawlen, NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	db_param_bytes(st, p->hash, sizeof(p->hash));
	db_call(req, st, FEED_CAL_SQL, feeds_rows, NULL);
}

/* Rendering -------------------------------------------------------------- */

static void
internal_error(struct http_request *req, struct il_req *st, const char *why)
{
	kore_log(LOG_ERR, "request %s: feed: %s", st->request_id, why);
	reply_internal(req);
}

/* The string value of obj.key, or NULL when absent, null or not a string. */
static const char *
jstr(json_t *obj, const char *key)
{
	return (json_string_value(json_object_get(obj, key)));
}

/* The host of PUBLIC_WEB_URL: the stable domain part of every UID. */
static const char *
uid_domain(void)
{
	static char	host[128];
	const char	*p;
	size_t		n;

	if (host[0] != '\0')
		return (host);
	p = strstr(il_cfg.public_web_url, "://");
	p = p != NULL ? p + 3 : il_cfg.public_web_url;
	n = strcspn(p, ":/?#");
	if (n == 0 || n >= sizeof(host))
		(void)kore_strlcpy(host, "interlibrary", sizeof(host));
	else {
		memcpy(host, p, n);
		host[n] = '\0';
	}
	return (host);
}

/* Midnight UTC today, RFC 3339: the date of a feed with no events. */
static void
today(char *buf, size_t len)
{
	struct tm	tm;
	time_t		now;

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT00:00:00Z", &tm) == 0)
		(void)kore_strlcpy(buf, "1970-01-01T00:00:00Z", len);
}

/*
 * Render the document doc (see 0005_feeds.sql) in format into out.
 * Returns 0, or -1 after answering 500.  Every string handed to the
 * renderer points into doc, the URL block or the tag block.
 */
static int
render(struct http_request *req, struct il_req *st, json_t *doc, int format,
    struct feed_buf *out)
{
	struct feed_meta	meta;
	struct feed_event	*ev;
	const char		**tags;
	json_t			*events, *e, *t;
	char			*urls, *qs, web[FEEDS_URL_MAX], self[1024];
	char			now[FEED_TIME_RFC3339_LEN];
	const char		*path, *upd, *latest, *ctype;
	size_t			n, i, j, ntags, ti;
	int			rc, len;

	events = json_object_get(doc, "events");
	if (!json_is_array(events) || (path = jstr(doc, "web_path")) == NULL ||
	    jstr(doc, "title") == NULL) {
		internal_error(req, st, "unexpected document shape");
		return (-1);
	}
	n = json_array_size(events);
	ntags = 0;
	json_array_foreach(events, i, e)
		ntags += json_array_size(json_object_get(e, "tags"));

	ev = kore_calloc(n + 1, sizeof(*ev));
	tags = kore_calloc(ntags + 1, sizeof(*tags));
	urls = kore_calloc(n + 1, FEEDS_URL_MAX);

	latest = NULL;
	ti = 0;
	json_array_foreach(events, i, e) {
		ev[i].id = json_integer_value(json_object_get(e, "id"));
		ev[i].title = jstr(e, "title");
		ev[i].description = jstr(e, "description");
		ev[i].kind = jstr(e, "kind");
		ev[i].status = jstr(e, "status");
		ev[i].cancel_reason = jstr(e, "cancel_reason");
		ev[i].starts_at = jstr(e, "starts_at");
		ev[i].ends_at = jstr(e, "ends_at");
		ev[i].timezone = jstr(e, "timezone");
		ev[i].venue = jstr(e, "venue");
		ev[i].address = jstr(e, "address");
		ev[i].city = jstr(e, "city");
		ev[i].online_url = jstr(e, "online_url");
		ev[i].organization = jstr(e, "organization");
		ev[i].created_at = jstr(e, "created_at");
		ev[i].updated_at = upd = jstr(e, "updated_at");
		ev[i].sequence = (int)json_integer_value(json_object_get(e,
		    "sequence"));
		ev[i].tags = &tags[ti];
		json_array_foreach(json_object_get(e, "tags"), j, t) {
			if (json_is_string(t))
				tags[ti + ev[i].ntags++] = json_string_value(t);
		}
		ti += ev[i].ntags;
		len = snprintf(&urls[i * FEEDS_URL_MAX], FEEDS_URL_MAX,
		    "%s/#/events/%lld", il_cfg.public_web_url, ev[i].id);
		if (len < 0 || len >= FEEDS_URL_MAX)
			urls[i * FEEDS_URL_MAX] = '\0';
		ev[i].url = &urls[i * FEEDS_URL_MAX];
		/* api.ts() text: fixed width, so strcmp orders it. */
		if (upd != NULL && (latest == NULL || strcmp(upd, latest) > 0))
			latest = upd;
	}

	if (latest != NULL)
		(void)kore_strlcpy(now, latest, sizeof(now));
	else
		today(now, sizeof(now));
	len = snprintf(web, sizeof(web), "%s%s", il_cfg.public_web_url, path);
	if (len < 0 || (size_t)len >= sizeof(web))
		web[0] = '\0';
	qs = canonical_query(st);
	len = snprintf(self, sizeof(self), "%s%s%s%s", il_cfg.public_api_url,
	    req->path, *qs != '\0' ? "?" : "", qs);
	if (len < 0 || (size_t)len >= sizeof(self))
		(void)snprintf(self, sizeof(self), "%s%s",
		    il_cfg.public_api_url, req->path);
	kore_free(qs);

	memset(&meta, 0, sizeof(meta));
	meta.title = jstr(doc, "title");
	meta.description = jstr(doc, "description");
	meta.web_url = web;
	meta.self_url = self;
	meta.uid_domain = uid_domain();
	meta.now = now;
	meta.refresh_minutes = FEEDS_REFRESH_MIN;

	switch (format) {
	case FMT_RSS:
		rc = feed_render_rss(out, &meta, ev, n);
		ctype = "rss";
		break;
	case FMT_JSON:
		rc = feed_render_json(out, &meta, ev, n);
		ctype = "json";
		break;
	default:
		rc = feed_render_ics(out, &meta, ev, n);
		ctype = "ics";
		break;
	}
	kore_free(urls);
	kore_free(tags);
	kore_free(ev);
	if (rc == -1) {
		internal_error(req, st, ctype);
		return (-1);
	}
	return (0);
}

/*
 * The one-column result of a feed function: parse, render, answer, and
 * keep the bytes when the request may be cached and no invalidation
 * happened while its query ran.
 */
static void
feeds_rows(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct feeds_pending	*p = (struct feeds_pending *)st->saved;
	struct feed_buf		out;
	char			etag[REPLY_ETAG_LEN];
	json_error_t		jerr;
	json_t			*doc;

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
	if (render(req, st, doc, p->format, &out) == -1) {
		json_decref(doc);
		feed_buf_free(&out);
		return;
	}
	json_decref(doc);

	reply_etag(out.data, out.len, etag);
	reply_body_etag(req, 200, st->ep->content_type, out.data, out.len,
	    etag);
	if (p->cache && p->gen == feeds_gen) {
		cache_store(p->key, out.data, out.len, etag, NULL, p->born);
		feed_buf_init(&out);	/* the cache owns the bytes */
	}
	feed_buf_free(&out);
}

/* Calendar keys ---------------------------------------------------------- */

static void
key_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct feeds_pending	*p = (struct feeds_pending *)st->saved;
	json_t			*body;
	const char		*host;
	char			url[512];
	int			n;

	if (p == NULL || row_status(res) != 201) {
		row_reply(req, st, res);
		return;
	}
	if ((body = json_loads(PQgetvalue(res, 0, 1), 0, NULL)) == NULL) {
		internal_error(req, st, "calendar key body");
		return;
	}
	json_object_set_new(body, "key", json_string(p->token));
	n = snprintf(url, sizeof(url), "%s/v1/me/calendar.ics?key=%s",
	    il_cfg.public_api_url, p->token);
	if (n > 0 && (size_t)n < sizeof(url))
		json_object_set_new(body, "url", json_string(url));
	host = strstr(il_cfg.public_api_url, "://");
	host = host != NULL ? host + 3 : il_cfg.public_api_url;
	n = snprintf(url, sizeof(url), "webcal://%s/v1/me/calendar.ics?key=%s",
	    host, p->token);
	if (n > 0 && (size_t)n < sizeof(url))
		json_object_set_new(body, "webcal_url", json_string(url));
	row_location(req, "/v1/me/calendar.ics");
	reply_jsonv(req, 201, body);
}

/*
 * POST /v1/me/calendar-key: mint a key (shown once, in the reply), store
 * its hash, replacing any earlier key.
 */
void
feeds_key_create(struct http_request *req, struct il_req *st)
{
	struct feeds_pending	*p;

	if (auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	p = pending_new(st, "", FMT_ICS, 0);
	auth_token_new(p->token, sizeof(p->token), p->hash);
	db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	db_param_bytes(st, p->hash, sizeof(p->hash));
	db_call(req, st, KEY_CREATE_SQL, key_row, NULL);
}
