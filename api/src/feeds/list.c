/*
 * GET /v1/events for anonymous callers goes through the feeds cache
 * (feeds/cache.c), with the same bounds and invalidation: it is the
 * busiest public read (library websites, the landing page).  A caller
 * with a token gets the generic call: the list then carries their own
 * RSVPs.
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

static void	list_rows(struct http_request *, struct il_req *,
		    PGresult *);

/* GET /v1/events: from the cache or the generic call when anonymous. */
void
list_start(struct http_request *req, struct il_req *st)
{
	struct feeds_pending	*p;

	if (st->has_token) {
		call_generic(req, st);
		return;
	}
	p = cache_pending(st, "", FEEDS_JSON);
	if (cache_serve(req, st, p))
		return;
	call_bind_standard(st);
	db_call(req, st, st->ep->sql, list_rows, NULL);
}

/* Answer the list row, then keep a 200 with its ETag and Link header. */
static void
list_rows(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct feeds_pending	*p = (struct feeds_pending *)st->saved;
	struct http_header	*hdr;
	struct kore_buf		*b;
	const char		*link;
	char			etag[REPLY_ETAG_LEN], *body;
	size_t			len;

	row_reply(req, st, res);
	if (!cache_wants(p) || row_status(res) != 200)
		return;
	b = kore_buf_alloc(8192);
	if (row_body(res, b) == -1 || b->offset == 0) {
		kore_buf_free(b);
		return;
	}
	link = NULL;
	TAILQ_FOREACH(hdr, &req->resp_headers, list) {
		if (strcmp(hdr->header, "Link") == 0)
			link = hdr->value;
	}
	len = b->offset;
	if ((body = malloc(len)) == NULL)
		fatal("feeds: out of memory");
	memcpy(body, b->data, len);
	kore_buf_free(b);
	reply_etag(body, len, etag);
	cache_store(p, body, len, etag, link, 0);
}
