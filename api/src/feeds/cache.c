/*
 * The public feeds cache, and how stale a feed can be.
 *
 *   Each worker keeps the rendered bytes of the public feeds it served
 *   (the three formats, all filters, per organization, single events)
 *   and of anonymous GET /v1/events pages (feeds/list.c), keyed by
 *   (route, path argument, normalized query string), so a repeated
 *   request neither queries nor renders: cache_serve() answers it before
 *   any database work.  Memory is bounded: CACHE_ENTRIES entries and
 *   CACHE_BYTES bytes per worker, the least recently used entry evicted
 *   first; a body larger than CACHE_ENTRY_MAX is answered but not kept.
 *
 *   Entries expire CACHE_TTL_MS (4 s) after their query was sent, so
 *   any change, made through any worker of any API instance or in SQL
 *   directly, shows in every feed within 5 s (4 s plus the time the
 *   query and the reply take); the feed window ("30 days ago to one
 *   year ahead") moves with time the same way.  An expired entry is
 *   refreshed by one request at a time: the first request after expiry
 *   queries, and the others are answered from the expired entry until
 *   its new bytes are kept, for at most CACHE_STALE_MS more (then the
 *   next request queries too, and an entry that old is dropped), so the
 *   connections of a busy worker do not all miss and query at once.
 *
 *   A key with no entry at all (never kept, dropped, or emptied by an
 *   invalidation) is queried once per worker too: the first request
 *   that misses starts a flight for it, and the others that miss while
 *   that query runs sleep until it is done (cache_flight_end(), when the
 *   first request is freed), then look again and are answered from the
 *   entry it kept.  Without this, every connection that asked during the
 *   query sent the same query, rendered the same bytes and waited for
 *   the database on the pool (after a start, an invalidation, or a quiet
 *   spell longer than an entry's life): the slowest answers of a busy
 *   feed.  A request waits once at most: when the flight kept nothing
 *   (an error, or an invalidation came first) it queries on its own.
 *   The access log says how each cached route was answered: cache=hit,
 *   cache=wait (after a flight) or cache=miss (queried).
 *
 *   Every worker of every node is told of a change by PostgreSQL: a
 *   transaction that changes events, organizations or series notifies
 *   channel NOTIFY_CHANNEL when it commits (a statement trigger,
 *   sql/migrations/0070_cache_notify.sql), and each worker's notification
 *   connection (db/notify.c) empties its cache (cache_notified()) as soon
 *   as the notification arrives: within milliseconds on a healthy
 *   network, measured by tests/api/cache-nodes.test.mjs.  A worker
 *   without that connection keeps nothing (cache_listening(0)): it
 *   answers live from the database until it listens again, so a change
 *   it could not hear of is never served from its cache.
 *
 *   Routes whose success changes what feeds show (events created,
 *   edited, cancelled; organizations renamed or deleted) are flagged
 *   EP_INVALIDATES_FEEDS: their result row goes through
 *   cache_write_row(), which also empties this worker's cache before the
 *   reply is sent, so the worker that made a change serves the new feed
 *   at once (the row of a single-statement call arrives after its
 *   commit), without waiting for its own notification.  It also bumps a
 *   counter the workers of this node share (cache_shared, mapped by the
 *   parent before they start): another worker compares it with the value
 *   it last saw before it answers from or keeps into its cache, and
 *   empties its cache when it moved, so a client whose next request
 *   lands on another worker of the same node (workers share connections
 *   out evenly) sees its change at once too.  A generation
 *   counter, bumped on every invalidation, keeps a query that was
 *   already running during an invalidation from storing its (possibly
 *   older) result (cache_wants()).
 *
 *   Reads from a replica (db/replica.c) may lag the primary: after an
 *   invalidation a worker reads from the primary until the replica has
 *   replayed past it (replica_usable()), so an entry it keeps is never
 *   older than the notification that emptied the cache.
 *
 *   Rendering is deterministic (feeds/feeds.c), so every worker renders
 *   the same bytes for the same data and the strong ETag (reply.c) holds
 *   across workers, instances and cache refreshes.
 *
 *   The personal calendar is not cached (it depends on the key, and a
 *   rotated or revoked key must stop working at once).
 *
 * Memory: the cache keeps bodies as libc malloc memory (feed_buf data,
 * or a copy of a list page); keys and Link values are strdup()ed.
 * Request scratch (struct feeds_pending) is kore_malloc memory in
 * st->saved, freed with the request.
 */

#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "api.h"

#define CACHE_TTL_MS		4000
#define CACHE_STALE_MS		1000
#define CACHE_ENTRIES		64
#define CACHE_BYTES		(16 * 1024 * 1024)
#define CACHE_ENTRY_MAX		(4 * 1024 * 1024)
#define CACHE_FLIGHTS		16

struct cache_entry {
	char		*key;		/* malloc; NULL: free slot */
	char		*body;		/* malloc */
	size_t		len;
	char		etag[REPLY_ETAG_LEN];	/* of body, computed once */
	char		*link;		/* malloc; the Link header, or NULL */
	time_t		lastmod;	/* Last-Modified, 0: none */
	u_int64_t	born;		/* ms: when its query was sent */
	u_int64_t	used;		/* LRU tick */
	u_int64_t	refreshing;	/* ms: when a refresh began, 0: none */
};

static struct cache_entry	cache[CACHE_ENTRIES];
static size_t			cache_bytes;
static u_int64_t		cache_tick;
static u_int64_t		cache_gen;
static int			cache_live;	/* listening: may keep entries */

/*
 * A query under way for a key with no entry (see the top of this file):
 * the request that sent it, and those that sleep until it is done.
 */
struct cache_flight {
	char			*key;		/* malloc; NULL: free slot */
	u_int64_t		gen;		/* cache_gen when it began */
	struct http_request	*fetcher;
	struct http_request	**waiters;	/* kore_malloc */
	size_t			nwaiters;
	size_t			cap;
};

static struct cache_flight	flights[CACHE_FLIGHTS];

/* Writes through any worker of this node (see the top of this file). */
static u_int64_t		*cache_shared;
static u_int64_t		cache_shared_seen;

static void	cache_drop(struct cache_entry *);
static void	cache_sync(void);
static struct cache_entry *cache_find(const char *);
static int	cache_flight_join(struct http_request *, struct il_req *,
		    const char *);
static void	cache_flight_retry(struct http_request *, struct il_req *);
static void	cache_flight_tick(void *, u_int64_t);

/*
 * In the parent, before the workers start: the counter they share.
 */
void
cache_shared_init(void)
{
	cache_shared = mmap(NULL, sizeof(*cache_shared),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cache_shared == MAP_FAILED)
		fatal("feeds cache: mmap: %s", errno_s);
}

/* Empty this worker's cache when another worker of the node wrote. */
static void
cache_sync(void)
{
	u_int64_t	now;

	now = __atomic_load_n(cache_shared, __ATOMIC_ACQUIRE);
	if (now != cache_shared_seen) {
		cache_shared_seen = now;
		cache_invalidate();
	}
}

/* Invalidation ---------------------------------------------------------- */

/* Empty this worker's cache. */
void
cache_invalidate(void)
{
	size_t		i;

	cache_gen++;
	for (i = 0; i < CACHE_ENTRIES; i++)
		cache_drop(&cache[i]);
	replica_invalidated();
}

/*
 * A notification on NOTIFY_CHANNEL (db/notify.c).  The payload names what
 * to drop; "feeds", the only one sent today, is every entry, as is any
 * payload this version does not know.
 */
void
cache_notified(const char *payload)
{
	(void)payload;
	cache_invalidate();
}

/*
 * Whether this worker hears of changes (db/notify.c): while not, the
 * cache is empty and keeps nothing.  Either way the cache is emptied.
 */
void
cache_listening(int up)
{
	cache_live = up;
	cache_invalidate();
}

/*
 * The result row of an EP_INVALIDATES_FEEDS route: a 2xx empties the
 * caches first, then the row is answered as usual.
 */
void
cache_write_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	int		status;

	status = row_status(res);
	if (status >= 200 && status < 300) {
		cache_shared_seen = __atomic_add_fetch(cache_shared, 1,
		    __ATOMIC_RELEASE);
		cache_invalidate();
	}
	row_reply(req, st, res);
}

/* Entries ---------------------------------------------------------------- */

static void
cache_drop(struct cache_entry *e)
{
	if (e->key == NULL)
		return;
	cache_bytes -= e->len + strlen(e->key);
	free(e->key);
	free(e->body);
	free(e->link);
	memset(e, 0, sizeof(*e));
}

/*
 * The entry to answer key with, or NULL: the caller queries.  An expired
 * entry is answered while another request refreshes it (see the top of
 * this file); the first request after expiry, and any once the refresh
 * has taken CACHE_STALE_MS, gets NULL and refreshes; past its TTL plus
 * CACHE_STALE_MS the entry is dropped.
 */
static struct cache_entry *
cache_find(const char *key)
{
	struct cache_entry	*e;
	u_int64_t		now;
	size_t			i;

	now = kore_time_ms();
	for (i = 0; i < CACHE_ENTRIES; i++) {
		e = &cache[i];
		if (e->key == NULL || strcmp(e->key, key) != 0)
			continue;
		if (now - e->born >= CACHE_TTL_MS + CACHE_STALE_MS) {
			cache_drop(e);
			return (NULL);
		}
		if (now - e->born >= CACHE_TTL_MS && (e->refreshing == 0 ||
		    now - e->refreshing >= CACHE_STALE_MS)) {
			e->refreshing = now;
			return (NULL);
		}
		e->used = ++cache_tick;
		return (e);
	}
	return (NULL);
}

/*
 * Keep body (malloc memory of len bytes; the cache takes it) under
 * p->key, with its ETag, Link header (or NULL) and Last-Modified time
 * (or 0), evicting least recently used entries until both bounds hold.
 * A body over CACHE_ENTRY_MAX is freed instead.  Call only when
 * cache_wants(p).
 */
void
cache_store(struct feeds_pending *p, char *body, size_t len,
    const char *etag, const char *link, time_t lastmod)
{
	struct cache_entry	*e, *slot, *lru;
	size_t			i, need;

	need = len + strlen(p->key);
	if (len > CACHE_ENTRY_MAX) {
		free(body);
		return;
	}
	for (i = 0; i < CACHE_ENTRIES; i++) {
		if (cache[i].key != NULL && strcmp(cache[i].key, p->key) == 0)
			cache_drop(&cache[i]);
	}
	for (;;) {
		slot = lru = NULL;
		for (i = 0; i < CACHE_ENTRIES; i++) {
			e = &cache[i];
			if (e->key == NULL) {
				if (slot == NULL)
					slot = e;
			} else if (lru == NULL || e->used < lru->used) {
				lru = e;
			}
		}
		if (slot != NULL && cache_bytes + need <= CACHE_BYTES)
			break;
		if (lru == NULL) {
			free(body);	/* not reached: need < the byte cap */
			return;
		}
		cache_drop(lru);
	}
	if ((slot->key = strdup(p->key)) == NULL)
		fatal("feeds: out of memory");
	slot->body = body;
	slot->len = len;
	if (link != NULL && (slot->link = strdup(link)) == NULL)
		fatal("feeds: out of memory");
	(void)kore_strlcpy(slot->etag, etag, sizeof(slot->etag));
	slot->lastmod = lastmod;
	slot->born = p->born;
	slot->used = ++cache_tick;
	cache_bytes += need;
}

/* Requests --------------------------------------------------------------- */

/*
 * The request's scratch (st->saved, replacing what was there): the
 * output format and, when arg is not NULL, the cache key (route, arg,
 * the validated query in spec order) under which to look up and keep
 * the answer.  arg NULL: nothing is cached.
 */
struct feeds_pending *
cache_pending(struct il_req *st, const char *arg, int format)
{
	struct feeds_pending	*p;
	struct kore_buf		*k;
	char			*qs;
	size_t			len;

	k = kore_buf_alloc(256);
	if (arg != NULL) {
		qs = url_query(st->ep->query, st->query);
		kore_buf_appendf(k, "%s\n%s\n%s", st->ep->path, arg, qs);
		kore_free(qs);
	}
	len = sizeof(*p) + k->offset + 1;
	p = dispatch_scratch(st, len);
	p->gen = cache_gen;
	p->born = kore_time_ms();
	p->format = format;
	p->cache = arg != NULL;
	memcpy(p->key, k->data, k->offset);
	p->key[k->offset] = '\0';
	kore_buf_free(k);
	return (p);
}

/*
 * Whether the answer of p's request may be kept: it is cacheable and no
 * invalidation happened since its query was sent.
 */
int
cache_wants(const struct feeds_pending *p)
{
	if (p == NULL || !p->cache || !cache_live)
		return (0);
	cache_sync();
	return (p->gen == cache_gen);
}

/*
 * Answer from the cache when it holds p's key, with the route's content
 * type (JSON when it has none); returns 1 when it did, 0 otherwise.
 */
int
cache_serve(struct http_request *req, struct il_req *st,
    struct feeds_pending *p)
{
	struct cache_entry	*e;

	if (!p->cache || !cache_live)
		return (0);
	cache_sync();
	if ((e = cache_find(p->key)) == NULL) {
		if (cache_flight_join(req, st, p->key))
			return (1);
		st->cache_status = "miss";
		return (0);
	}
	st->cache_status = st->cache_waited ? "wait" : "hit";
	if (e->link != NULL)
		http_response_header(req, "Link", e->link);
	reply_body_etag(req, 200, st->ep->content_type != NULL ?
	    st->ep->content_type : "application/json; charset=utf-8",
	    e->body, e->len, e->etag, e->lastmod);
	return (1);
}

/* Flights ---------------------------------------------------------------- */

/*
 * A miss on key: sleep until the flight of key is done (returns 1), or
 * start that flight and query (returns 0).  A request that waited once
 * queries (returns 0), as does one for which no slot is free.
 */
static int
cache_flight_join(struct http_request *req, struct il_req *st,
    const char *key)
{
	struct cache_flight	*f, *slot;
	size_t			i;

	if (st->cache_waited)
		return (0);
	slot = NULL;
	for (i = 0; i < CACHE_FLIGHTS; i++) {
		f = &flights[i];
		if (f->key == NULL) {
			if (slot == NULL)
				slot = f;
			continue;
		}
		if (f->gen != cache_gen || strcmp(f->key, key) != 0 ||
		    f->fetcher == req)
			continue;
		if (f->nwaiters == f->cap) {
			f->cap = f->cap == 0 ? 16 : f->cap * 2;
			f->waiters = kore_realloc(f->waiters,
			    f->cap * sizeof(*f->waiters));
		}
		f->waiters[f->nwaiters++] = req;
		st->cache_waited = 1;
		st->next = cache_flight_retry;
		st->phase = PH_SLEEP;
		http_request_sleep(req);
		return (1);
	}
	if (slot != NULL) {
		if ((slot->key = strdup(key)) == NULL)
			fatal("feeds: out of memory");
		slot->gen = cache_gen;
		slot->fetcher = req;
	}
	return (0);
}

/* Woken after a flight: start the route again (it looks up the cache). */
static void
cache_flight_retry(struct http_request *req, struct il_req *st)
{
	st->ep->start(req, st);
}

/*
 * Waiters woken inside http_process() after its pass has gone by run
 * at the worker's next turn: a timer due now keeps that turn's wait
 * for events from blocking.
 */
static void
cache_flight_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
}

/*
 * The request req is freed (dispatch.c; it may be called more than once
 * for one request): it no longer waits, and a flight it sent is done,
 * its waiters woken.
 */
void
cache_flight_end(struct http_request *req)
{
	struct cache_flight	*f;
	size_t			i, j;
	int			woke;

	woke = 0;
	for (i = 0; i < CACHE_FLIGHTS; i++) {
		f = &flights[i];
		if (f->key == NULL)
			continue;
		if (f->fetcher != req) {
			for (j = 0; j < f->nwaiters; j++) {
				if (f->waiters[j] == req) {
					f->waiters[j] =
					    f->waiters[--f->nwaiters];
					break;
				}
			}
			continue;
		}
		for (j = 0; j < f->nwaiters; j++)
			http_request_wakeup(f->waiters[j]);
		woke |= f->nwaiters > 0;
		free(f->key);
		kore_free(f->waiters);
		memset(f, 0, sizeof(*f));
	}
	if (woke)
		(void)kore_timer_add(cache_flight_tick, 0, NULL,
		    KORE_TIMER_ONESHOT);
}
