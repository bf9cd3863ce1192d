/*
 * Database answers into HTTP answers.  The database layer (db/db.c)
 * hands back result rows and errors; this file alone turns them into a
 * status, headers (Location, Link, Retry-After, RateLimit-*) and a body,
 * then answers through reply.c.
 *
 * The generic row, returned by every api.<name>() function the route
 * table calls:
 *
 *	(status int, body text, location text, next_cursor text,
 *	 retry_after int, data text, etag text)
 *
 * etag is the version tag of a write's answer ('"v7"', for If-Match): it
 * becomes the ETag header of a non-GET answer.  A GET's ETag is the hash
 * of its body, which reply.c computes (for If-None-Match).
 *
 * A list's row carries its page in data, a JSON array the database
 * serialized once, and the page's envelope (next_cursor, ...) in body:
 * row_body() puts them together.
 *
 * SQL errors map to problem+json through problem.c's one table; the
 * schema's own errors (SQLSTATE "IL" + status) carry their code in
 * HINT, their field in COLUMN and a Retry-After in DETAIL.
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

static void	row_link(struct http_request *, struct il_req *,
		    const char *);
static int	row_key_order(const void *, const void *);

/*
 * The status in the first column of a one-row result, or -1 when the
 * result has another shape or the status is not 100..599.
 */
int
row_status(PGresult *res)
{
	int		status, err;

	if (PQntuples(res) != 1 || PQnfields(res) < 1 ||
	    PQgetisnull(res, 0, 0))
		return (-1);
	status = (int)kore_strtonum(PQgetvalue(res, 0, 0), 10, 100, 599, &err);
	return (err == KORE_RESULT_OK ? status : -1);
}

/* Location: PUBLIC_API_URL + path, unless that does not fit. */
void
row_location(struct http_request *req, const char *path)
{
	char		url[512];

	if (url_api(url, sizeof(url), path) == 0)
		http_response_header(req, "Location", url);
}

/*
 * Link: <next page>; rel="next": this request's URL with its validated
 * query and cursor replaced.
 */
static void
row_link(struct http_request *req, struct il_req *st, const char *cursor)
{
	struct kore_buf	*qs, *h;
	const char	*k;
	json_t		*v;
	char		*s;

	qs = kore_buf_alloc(256);
	json_object_foreach(st->query, k, v) {
		if (strcmp(k, "cursor") != 0)
			url_qs_value(qs, k, v);
	}
	url_qs_append(qs, "cursor", cursor);
	s = kore_buf_stringify(qs, NULL);
	h = kore_buf_alloc(512);
	kore_buf_appendf(h, "<%s%s?%s>; rel=\"next\"", il_cfg.public_api_url,
	    req->path, s);
	http_response_header(req, "Link", kore_buf_stringify(h, NULL));
	kore_buf_free(h);
	kore_buf_free(qs);
}

/* PostgreSQL's jsonb order of object keys: shorter first, then bytewise. */
static int
row_key_order(const void *a, const void *b)
{
	const char	*x = *(const char *const *)a;
	const char	*y = *(const char *const *)b;
	size_t		lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return (lx < ly ? -1 : 1);
	return (memcmp(x, y, lx));
}

/*
 * The body of the generic row res into b: its body column, or for a
 * list its envelope (the body column, a JSON object) with the member
 * "data" (the column named data, when set) added, printed as PostgreSQL prints a jsonb
 * document: keys in jsonb's order, ", " and ": " between items, so a
 * page reads byte for byte as when the database built all of it.
 * Returns 0 (b empty when there is no body), or -1 when the envelope is
 * not a JSON object (b then holds nothing useful).
 */
int
row_body(PGresult *res, struct kore_buf *b)
{
	const char	*keys[16], *k;
	json_t		*env, *v;
	char		*s;
	size_t		n, i;
	int		data;

	if (PQnfields(res) < 2 || PQgetisnull(res, 0, 1))
		return (0);
	data = PQfnumber(res, "data");
	if (data < 0 || PQgetisnull(res, 0, data)) {
		kore_buf_append(b, PQgetvalue(res, 0, 1),
		    (size_t)PQgetlength(res, 0, 1));
		return (0);
	}
	env = json_loadb(PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1),
	    0, NULL);
	if (!json_is_object(env) || json_object_get(env, "data") != NULL ||
	    json_object_size(env) >= sizeof(keys) / sizeof(keys[0])) {
		json_decref(env);
		return (-1);
	}
	n = 0;
	keys[n++] = "data";
	json_object_foreach(env, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(keys[0]), row_key_order);
	kore_buf_append(b, "{", 1);
	for (i = 0; i < n; i++) {
		/* Keys are the functions' own words: no escaping needed. */
		kore_buf_appendf(b, "%s\"%s\": ", i ? ", " : "", keys[i]);
		if (strcmp(keys[i], "data") == 0) {
			kore_buf_append(b, PQgetvalue(res, 0, data),
			    (size_t)PQgetlength(res, 0, data));
			continue;
		}
		s = json_dumps(json_object_get(env, keys[i]), JSON_ENCODE_ANY);
		if (s == NULL) {
			json_decref(env);
			return (-1);
		}
		kore_buf_appendf(b, "%s", s);
		free(s);
	}
	kore_buf_append(b, "}", 1);
	json_decref(env);
	return (0);
}

/*
 * Answer the generic row: its status, Location, Link (when there is a
 * next page), Retry-After, and its body (row_body()) as problem+json
 * (4xx, 5xx), as the route's content type, or as JSON.
 */
void
row_reply(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct kore_buf	*b;
	const char	*body;
	int		status, err, etag;
	size_t		len;

	if (PQntuples(res) != 1 || PQnfields(res) < 2) {
		kore_log(LOG_ERR, "request %s: unexpected result shape",
		    st->request_id);
		reply_internal(req);
		return;
	}
	if ((status = row_status(res)) == -1) {
		reply_internal(req);
		return;
	}
	b = kore_buf_alloc(4096);
	if (row_body(res, b) == -1) {
		kore_log(LOG_ERR, "request %s: a list's envelope is not an object",
		    st->request_id);
		kore_buf_free(b);
		reply_internal(req);
		return;
	}
	body = b->offset > 0 ? (const char *)b->data : NULL;
	len = b->offset;

	if (PQnfields(res) >= 3 && !PQgetisnull(res, 0, 2))
		row_location(req, PQgetvalue(res, 0, 2));
	if (PQnfields(res) >= 4 && !PQgetisnull(res, 0, 3) &&
	    st->query != NULL)
		row_link(req, st, PQgetvalue(res, 0, 3));
	if (PQnfields(res) >= 5 && !PQgetisnull(res, 0, 4))
		reply_retry_after(req, (int)kore_strtonum(PQgetvalue(res, 0, 4),
		    10, 1, 86400, &err));
	etag = PQfnumber(res, "etag");
	if (etag >= 0 && !PQgetisnull(res, 0, etag) && status < 300 &&
	    req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		http_response_header(req, "ETag", PQgetvalue(res, 0, etag));

	if (status == 204 || body == NULL) {
		reply_empty(req, status);
	} else if (status >= 400) {
		reply_body(req, status, "application/problem+json", body, len);
	} else if (st->ep != NULL && st->ep->content_type != NULL) {
		reply_body(req, status, st->ep->content_type, body, len);
	} else {
		reply_json(req, status, body, len);
	}
	kore_buf_free(b);
}

/*
 * RateLimit-Limit and RateLimit-Remaining from columns col and col + 1
 * of a begin step's row (registration, login), when both are set.
 */
void
row_rate_headers(struct http_request *req, PGresult *res, int col)
{
	if (PQnfields(res) < col + 2 || PQgetisnull(res, 0, col) ||
	    PQgetisnull(res, 0, col + 1))
		return;
	http_response_header(req, "RateLimit-Limit", PQgetvalue(res, 0, col));
	http_response_header(req, "RateLimit-Remaining",
	    PQgetvalue(res, 0, col + 1));
}

/*
 * A query failed: res is its error result, or NULL when there was none
 * (no connection: why says what libpq said).  Answers problem+json; a
 * 5xx never carries SQL or internals, which go to the log instead.
 * Does nothing when the request has been answered already.
 */
void
row_error(struct http_request *req, struct il_req *st, PGresult *res,
    const char *why)
{
	const struct sqlstate_map	*m;
	struct input_errors		errs;
	const char			*state, *msg, *hint, *code, *col;
	const char			*detail;
	int				retry;

	if (st->replied)
		return;

	if (res == NULL ||
	    (state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) == NULL) {
		kore_log(LOG_NOTICE, "request %s: database unavailable: %s",
		    st->request_id, why ? why : "?");
		reply_retry_after(req, 2);
		reply_problem(req, 503, "unavailable",
		    "the database is unavailable; retry shortly", NULL);
		return;
	}

	m = problem_for_sqlstate(state);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (state[0] == 'I' && state[1] == 'L') {
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		code = hint != NULL && *hint != '\0' ? hint : m->code;
		if (m->status == 401) {
			/* About the token (api.auth()): it names no field. */
			auth_refuse(req, AUTH_INVALID_TOKEN, code, msg);
			return;
		}
		col = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		memset(&errs, 0, sizeof(errs));
		if (col != NULL && *col != '\0')
			input_error_add(&errs, col, "%s", msg ? msg : "");
		if (m->status == 429 && detail != NULL) {
			retry = (int)kore_strtonum(detail, 10, 1, 86400,
			    &(int){0});
			reply_retry_after(req, retry);
		}
		reply_problem(req, m->status, code, msg, errs.n ? &errs : NULL);
		return;
	}

	/* Never send internals; log what an operator needs. */
	kore_log(LOG_NOTICE, "request %s: sql error %s: %s", st->request_id,
	    state, msg ? msg : "?");
	if (m->status == 503)
		reply_retry_after(req, 1);
	reply_problem(req, m->status, m->code, m->detail, NULL);
}
