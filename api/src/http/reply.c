/*
 * The reply funnel: every response the application sends goes through
 * reply_send(), which adds the headers the contract promises on every
 * response (X-Request-Id, CORS, nosniff, caching), answers conditional
 * GETs with 304 (If-None-Match against the ETag; If-Modified-Since
 * against Last-Modified when the body has one and the request no
 * If-None-Match, RFC 9110 13.2.2) and writes the access log line.
 */

#include <sodium.h>
#include <xxhash.h>

#include <stdio.h>
#include <string.h>

#include "api.h"

#define CORS_ALLOW_HEADERS	"Authorization, Content-Type, If-None-Match, " \
				"If-Modified-Since, If-Match, Accept, " \
				"X-Request-Id"
#define CORS_EXPOSE_HEADERS	"ETag, Link, Location, Retry-After, " \
				"RateLimit-Limit, RateLimit-Remaining, " \
				"X-Request-Id"

static void	reply_send(struct http_request *, int, const char *,
		    const void *, size_t, const char *, time_t);
static int	etag_matches(const char *, const char *);
static int	not_modified(struct http_request *, const char *, time_t);
static void	access_log(struct http_request *, int, size_t);

static int
etag_matches(const char *header, const char *etag)
{
	const char	*p;
	size_t		len;

	len = strlen(etag);
	for (p = header; *p != '\0';) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return (1);
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, len) == 0 &&
		    (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return (1);
		while (*p != '\0' && *p != ',')
			p++;
	}
	return (0);
}

/*
 * Whether a GET's answer is unchanged for the client: its If-None-Match
 * names etag or, only when it sent none, its If-Modified-Since is at or
 * after last_modified (0: the body has none).  An If-Modified-Since that
 * is not an IMF-fixdate is ignored.
 */
static int
not_modified(struct http_request *req, const char *etag, time_t last_modified)
{
	const char	*v;
	time_t		since;

	if (http_request_header(req, "if-none-match", &v))
		return (etag_matches(v, etag));
	if (last_modified > 0 &&
	    http_request_header(req, "if-modified-since", &v) &&
	    httpdate_parse(v, &since) == 0)
		return (last_modified <= since);
	return (0);
}

static void
access_log(struct http_request *req, int status, size_t len)
{
	struct il_req	*st;
	u_int64_t	ms;

	st = http_state_get(req);
	if (st != NULL && st->started != 0)
		ms = kore_time_ms() - st->started;
	else
		ms = req->total + (kore_time_ms() - req->start);
	/* The path only: query strings may carry calendar keys. */
	app_log("access method=%s path=%s status=%d bytes=%zu "
	    "ms=%llu request_id=%s%s%s", http_method_text(req->method),
	    req->path, status, len, (unsigned long long)ms,
	    st != NULL ? st->request_id : "-",
	    st != NULL && st->cache_status != NULL ? " cache=" : "",
	    st != NULL && st->cache_status != NULL ? st->cache_status : "");
}

/*
 * The strong ETag of a body: its 128-bit XXH3 in hex, quoted, into out
 * (REPLY_ETAG_LEN bytes, NUL included).  Every 200 answer to a GET has
 * one, hashed from its bytes: a validator needs no cryptographic hash
 * (no secret is involved, and a client only compares the tag it was
 * given), and BLAKE2b, used before, was a sixth of a worker's time on a
 * signed-in list of 25 KB (perf, bench/events.sh); XXH3 hashes it about
 * ten times faster.
 */
void
reply_etag(const void *body, size_t len, char *out)
{
	XXH128_canonical_t	hash;

	XXH128_canonicalFromHash(&hash, XXH3_128bits(body, len));
	out[0] = '"';
	sodium_bin2hex(out + 1, REPLY_ETAG_LEN - 2, hash.digest,
	    sizeof(hash.digest));
	out[REPLY_ETAG_LEN - 2] = '"';
	out[REPLY_ETAG_LEN - 1] = '\0';
}

/*
 * known_etag: the body's ETag when the caller has it already, else NULL;
 * last_modified: when the body last changed, 0 when it has no such time
 * (Last-Modified is then not sent).
 */
static void
reply_send(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len, const char *known_etag,
    time_t last_modified)
{
	struct il_req		*st;
	char			etag[REPLY_ETAG_LEN], date[HTTPDATE_LEN];
	int			cacheable, feed;

	st = http_state_get(req);
	if (st != NULL) {
		if (st->replied) {
			kore_log(LOG_ERR, "double reply for request %s",
			    st->request_id);
			return;
		}
		st->replied = 1;
		http_response_header(req, "X-Request-Id", st->request_id);
	}

	http_response_header(req, "Access-Control-Allow-Origin", "*");
	http_response_header(req, "Access-Control-Expose-Headers",
	    CORS_EXPOSE_HEADERS);
	http_response_header(req, "X-Content-Type-Options", "nosniff");
	http_response_header(req, "Vary", "Authorization, Accept");

	feed = st != NULL && st->ep != NULL && (st->ep->flags & EP_FEED);
	cacheable = (req->method == HTTP_METHOD_GET ||
	    req->method == HTTP_METHOD_HEAD) && status == 200;

	if (!cacheable || (st != NULL && (st->has_token ||
	    (st->ep != NULL && (st->ep->flags & EP_NO_STORE))))) {
		http_response_header(req, "Cache-Control",
		    "private, no-store");
	} else if (st != NULL && st->ep != NULL &&
	    (st->ep->flags & EP_PRIVATE)) {
		/* A calendar app keeps it, and revalidates it with its ETag. */
		http_response_header(req, "Cache-Control", "private, no-cache");
	} else if (feed) {
		http_response_header(req, "Cache-Control",
		    "public, max-age=60");
	} else {
		http_response_header(req, "Cache-Control", "no-cache");
	}

	if (cacheable) {
		if (known_etag != NULL)
			(void)kore_strlcpy(etag, known_etag, sizeof(etag));
		else
			reply_etag(body, len, etag);
		http_response_header(req, "ETag", etag);
		if (last_modified > 0 &&
		    httpdate_format(last_modified, date, sizeof(date)) == 0)
			http_response_header(req, "Last-Modified", date);
		else
			last_modified = 0;
		if (not_modified(req, etag, last_modified)) {
			req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
			http_response(req, HTTP_STATUS_NOT_MODIFIED, NULL, 0);
			access_log(req, 304, 0);
			return;
		}
	}

	if (ctype != NULL)
		http_response_header(req, "Content-Type", ctype);
	http_response(req, status, body, len);
	access_log(req, status, len);
}

void
reply_body(struct http_request *req, int status, const char *ctype,
    const char *body, size_t len)
{
	reply_send(req, status, ctype, body, len, NULL, 0);
}

/*
 * As reply_body() with the body's ETag (reply_etag()) already known, and
 * its Last-Modified time (0: none; If-Modified-Since is then ignored).
 */
void
reply_body_etag(struct http_request *req, int status, const char *ctype,
    const char *body, size_t len, const char *etag, time_t last_modified)
{
	reply_send(req, status, ctype, body, len, etag, last_modified);
}

void
reply_json(struct http_request *req, int status, const char *body,
    size_t len)
{
	reply_send(req, status, "application/json; charset=utf-8", body, len,
	    NULL, 0);
}

/* Steals the reference to v. */
void
reply_jsonv(struct http_request *req, int status, json_t *v)
{
	char		*s;

	if ((s = json_dumps(v, JSON_COMPACT)) == NULL) {
		json_decref(v);
		reply_internal(req);
		return;
	}
	json_decref(v);
	reply_json(req, status, s, strlen(s));
	free(s);
}

void
reply_empty(struct http_request *req, int status)
{
	reply_send(req, status, NULL, NULL, 0, NULL, 0);
}

/* 500 internal_error: says nothing about the cause (log it first). */
void
reply_internal(struct http_request *req)
{
	reply_problem(req, 500, "internal_error", "an internal error occurred",
	    NULL);
}

/* 404 not_found, as for a path no route matches. */
void
reply_not_found(struct http_request *req)
{
	reply_problem(req, 404, "not_found", "there is no resource at this "
	    "path", NULL);
}

void
reply_problem(struct http_request *req, int status, const char *code,
    const char *detail, const struct input_errors *errs)
{
	char		*body;

	if ((body = problem_body(status, code, detail, errs)) == NULL) {
		reply_send(req, 500, NULL, NULL, 0, NULL, 0);
		return;
	}
	reply_send(req, status, "application/problem+json", body,
	    strlen(body), NULL, 0);
	free(body);
}

void
reply_invalid(struct http_request *req, const struct input_errors *errs)
{
	char		detail[256];

	if (errs->n > 0) {
		(void)snprintf(detail, sizeof(detail), "%s %s%s",
		    errs->e[0].field, errs->e[0].message,
		    errs->n > 1 ? " (and more: see errors)" : "");
	} else {
		(void)snprintf(detail, sizeof(detail), "the request is not "
		    "valid");
	}
	reply_problem(req, 400, "validation_failed", detail, errs);
}

void
reply_retry_after(struct http_request *req, int seconds)
{
	char		buf[16];

	if (seconds < 1)
		seconds = 1;
	(void)snprintf(buf, sizeof(buf), "%d", seconds);
	http_response_header(req, "Retry-After", buf);
}

void
reply_preflight(struct http_request *req, int allowed)
{
	char		allow[96];

	(void)router_allow(allowed, allow, sizeof(allow));
	http_response_header(req, "Access-Control-Allow-Methods", allow);
	http_response_header(req, "Access-Control-Allow-Headers",
	    CORS_ALLOW_HEADERS);
	http_response_header(req, "Access-Control-Max-Age", "86400");
	http_response_header(req, "Allow", allow);
	reply_send(req, 204, NULL, NULL, 0, NULL, 0);
}

void
reply_not_allowed(struct http_request *req, int allowed)
{
	char		allow[96], detail[160];

	(void)router_allow(allowed, allow, sizeof(allow));
	http_response_header(req, "Allow", allow);
	(void)snprintf(detail, sizeof(detail), "%s is not allowed here; "
	    "allowed: %s", http_method_text(req->method), allow);
	reply_problem(req, 405, "method_not_allowed", detail, NULL);
}
