/*
 * The one asynchronous PostgreSQL path.  Every endpoint fills the
 * request state's parameters and calls db_call(); db_run() drives the
 * Kore async pgsql state machine (and password tasks, which share the
 * request's phases) until the request has been answered.
 *
 * Connections that break (PostgreSQL restarted) are reset before they go
 * back to the pool, so the API recovers without a restart; libpq's
 * connect_timeout (PGCONNECT_TIMEOUT, set at start) bounds how long a
 * reset or a new connection can hold the worker.
 */

#include <arpa/inet.h>

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#include "api.h"

#define DB_NAME		"db"

static void	db_connection_check(struct il_req *);
static void	db_connection_probe(struct il_req *);
static void	db_event(void *, int);
static void	link_header(struct http_request *, struct il_req *,
		    const char *);

/*
 * Kore 4.1 reads a connection whenever its socket becomes readable, even
 * when the request has not yet taken the result of the previous read.
 * PostgreSQL flushes an error at once and sends ReadyForQuery in a second
 * packet, so under load Kore could read that packet first, turning the
 * request's ERROR (or RESULT) into DONE and dropping the result: the
 * request then had nothing to answer with.  This wrapper leaves the bytes
 * in the socket while a result waits for the request; kore_pgsql_continue()
 * and kore_pgsql_cleanup() read them when the request is done with it.
 *
 * Kore's struct pgsql_job is private to pgsql.c; its first member is the
 * struct kore_pgsql pointer (Kore 4.1.0, the version Debian ships).
 */
static void
db_event(void *arg, int err)
{
	struct pgsql_conn	*conn = arg;
	struct kore_pgsql	*pgsql;

	if (!err && conn->job != NULL) {
		pgsql = *(struct kore_pgsql **)(void *)conn->job;
		if (pgsql->state == KORE_PGSQL_STATE_RESULT ||
		    pgsql->state == KORE_PGSQL_STATE_ERROR)
			return;
	}
	kore_pgsql_handle(arg, err);
}

void
db_register(void)
{
	if (!kore_pgsql_register(DB_NAME, il_cfg.database_url))
		fatal("cannot register the database");
}

void
db_param_len(struct il_req *st, const char *v, size_t len)
{
	if (st->nparams >= IL_MAX_PARAMS)
		fatal("db_param: too many parameters");
	st->pvals[st->nparams] = kore_malloc(len + 1);
	memcpy(st->pvals[st->nparams], v, len);
	st->pvals[st->nparams][len] = '\0';
	st->plens[st->nparams] = (int)len;
	st->pfmts[st->nparams] = 0;
	st->nparams++;
}

void
db_param_text(struct il_req *st, const char *v)
{
	if (v == NULL)
		db_param_null(st);
	else
		db_param_len(st, v, strlen(v));
}

void
db_param_null(struct il_req *st)
{
	if (st->nparams >= IL_MAX_PARAMS)
		fatal("db_param: too many parameters");
	st->pvals[st->nparams] = NULL;
	st->plens[st->nparams] = 0;
	st->pfmts[st->nparams] = 0;
	st->nparams++;
}

/* Binary bytea parameter. */
void
db_param_bytes(struct il_req *st, const u_int8_t *v, size_t len)
{
	db_param_len(st, (const char *)v, len);
	st->pfmts[st->nparams - 1] = 1;
}

/* Does not steal v; NULL gives SQL NULL. */
void
db_param_json(struct il_req *st, json_t *v)
{
	char		*s;

	if (v == NULL) {
		db_param_null(st);
		return;
	}
	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		fatal("db_param_json: json_dumps failed");
	db_param_len(st, s, strlen(s));
	free(s);
}

void
db_free_params(struct il_req *st)
{
	int		i;

	for (i = 0; i < st->nparams; i++) {
		if (st->pvals[i] != NULL) {
			sodium_memzero(st->pvals[i], (size_t)st->plens[i]);
			kore_free(st->pvals[i]);
			st->pvals[i] = NULL;
		}
	}
	st->nparams = 0;
}

/*
 * Start stmt with the parameters bound so far.  on_rows sees the result
 * (it may reply); next runs once the connection is back in the pool (it
 * may start another call or a task, or reply).
 */
void
db_call(struct http_request *req, struct il_req *st, const char *stmt,
    il_rows on_rows, il_step next)
{
	(void)req;
	st->stmt = stmt;
	st->on_rows = on_rows;
	st->next = next;
	st->phase = PH_DB_SETUP;
}

/*
 * Before a pooled connection is used: read whatever the server sent
 * while it was idle (PQconsumeInput never blocks: libpq's sockets are
 * non-blocking), so a connection PostgreSQL closed (a restart) shows as
 * bad and is reset now, instead of failing the request that draws it.
 */
static void
db_connection_probe(struct il_req *st)
{
	PGconn		*db = st->sql.conn->db;

	if (PQconsumeInput(db) && PQstatus(db) == CONNECTION_OK)
		return;
	kore_log(LOG_NOTICE, "database connection lost; resetting");
	PQreset(db);
}

static void
db_connection_check(struct il_req *st)
{
	if (st->sql.conn == NULL || st->sql.conn->db == NULL)
		return;
	if (PQstatus(st->sql.conn->db) == CONNECTION_BAD) {
		kore_log(LOG_NOTICE, "database connection lost; resetting");
		PQreset(st->sql.conn->db);
	}
}

void
db_error_reply(struct http_request *req, struct il_req *st)
{
	const struct sqlstate_map	*m;
	struct input_errors		errs;
	const char			*state, *msg, *hint, *col, *detail;
	int				retry;

	if (st->replied)
		return;

	if (st->sql.result == NULL ||
	    (state = PQresultErrorField(st->sql.result,
	    PG_DIAG_SQLSTATE)) == NULL) {
		kore_log(LOG_NOTICE, "request %s: database unavailable: %s",
		    st->request_id, st->sql.error ? st->sql.error : "?");
		reply_retry_after(req, 2);
		reply_problem(req, 503, "unavailable",
		    "the database is unavailable; retry shortly", NULL);
		return;
	}

	m = problem_for_sqlstate(state);
	msg = PQresultErrorField(st->sql.result, PG_DIAG_MESSAGE_PRIMARY);

	if (state[0] == 'I' && state[1] == 'L') {
		hint = PQresultErrorField(st->sql.result, PG_DIAG_MESSAGE_HINT);
		col = PQresultErrorField(st->sql.result, PG_DIAG_COLUMN_NAME);
		detail = PQresultErrorField(st->sql.result,
		    PG_DIAG_MESSAGE_DETAIL);
		memset(&errs, 0, sizeof(errs));
		if (col != NULL && *col != '\0')
			input_error_add(&errs, col, "%s", msg ? msg : "");
		if (m->status == 401)
			http_response_header(req, "WWW-Authenticate",
			    "Bearer error=\"invalid_token\"");
		if (m->status == 429 && detail != NULL) {
			retry = (int)kore_strtonum(detail, 10, 1, 86400,
			    &(int){0});
			reply_retry_after(req, retry);
		}
		reply_problem(req, m->status, hint && *hint ? hint : m->code,
		    msg, errs.n ? &errs : NULL);
		return;
	}

	/* Never send internals; log what an operator needs. */
	kore_log(LOG_NOTICE, "request %s: sql error %s: %s", st->request_id,
	    state, msg ? msg : "?");
	if (m->status == 503)
		reply_retry_after(req, 1);
	reply_problem(req, m->status, m->code, m->detail, NULL);
}

/* Append "k=v" (v percent-encoded, RFC 3986 unreserved kept) to b. */
void
db_qs_append(struct kore_buf *b, const char *k, const char *v)
{
	kore_buf_appendf(b, "%s%s=", b->offset ? "&" : "", k);
	for (; *v != '\0'; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' ||
		    *v == '.' || *v == '~')
			kore_buf_append(b, v, 1);
		else
			kore_buf_appendf(b, "%%%02X", (unsigned char)*v);
	}
}

static void
link_header(struct http_request *req, struct il_req *st, const char *cursor)
{
	struct kore_buf	*qs, *h;
	const char	*k;
	json_t		*v;
	char		*s, num[32];

	qs = kore_buf_alloc(256);
	json_object_foreach(st->query, k, v) {
		if (strcmp(k, "cursor") == 0)
			continue;
		if (json_is_string(v)) {
			db_qs_append(qs, k, json_string_value(v));
		} else if (json_is_integer(v)) {
			(void)snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			db_qs_append(qs, k, num);
		} else if (json_is_boolean(v)) {
			db_qs_append(qs, k, json_is_true(v) ? "true" : "false");
		}
	}
	db_qs_append(qs, "cursor", cursor);
	s = kore_buf_stringify(qs, NULL);
	h = kore_buf_alloc(512);
	kore_buf_appendf(h, "<%s%s?%s>; rel=\"next\"", il_cfg.public_api_url,
	    req->path, s);
	http_response_header(req, "Link", kore_buf_stringify(h, NULL));
	kore_buf_free(h);
	kore_buf_free(qs);
}

/*
 * The generic row: (status int, body text, location text,
 * next_cursor text, retry_after int).
 */
void
db_reply_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	const char	*body, *loc;
	char		url[512];
	int		status, err, n;
	size_t		len;

	if (PQntuples(res) != 1 || PQnfields(res) < 2) {
		kore_log(LOG_ERR, "request %s: unexpected result shape",
		    st->request_id);
		reply_problem(req, 500, "internal_error",
		    "an internal error occurred", NULL);
		return;
	}
	status = (int)kore_strtonum(PQgetvalue(res, 0, 0), 10, 100, 599, &err);
	if (err != KORE_RESULT_OK) {
		reply_problem(req, 500, "internal_error",
		    "an internal error occurred", NULL);
		return;
	}
	body = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
	len = body ? (size_t)PQgetlength(res, 0, 1) : 0;

	if (PQnfields(res) >= 3 && !PQgetisnull(res, 0, 2)) {
		loc = PQgetvalue(res, 0, 2);
		n = snprintf(url, sizeof(url), "%s%s", il_cfg.public_api_url,
		    loc);
		if (n > 0 && (size_t)n < sizeof(url))
			http_response_header(req, "Location", url);
	}
	if (PQnfields(res) >= 4 && !PQgetisnull(res, 0, 3) &&
	    st->query != NULL)
		link_header(req, st, PQgetvalue(res, 0, 3));
	if (PQnfields(res) >= 5 && !PQgetisnull(res, 0, 4))
		reply_retry_after(req, (int)kore_strtonum(PQgetvalue(res, 0, 4),
		    10, 1, 86400, &err));

	if (status == 204 || body == NULL) {
		reply_empty(req, status);
	} else if (status >= 400) {
		reply_body(req, status, "application/problem+json", body, len);
	} else if (st->ep != NULL && st->ep->content_type != NULL) {
		reply_body(req, status, st->ep->content_type, body, len);
	} else {
		reply_json(req, status, body, len);
	}
}

/*
 * Drive the request's phases until it waits (KORE_RESULT_RETRY) or has
 * been answered (KORE_RESULT_OK).
 */
int
db_run(struct http_request *req, struct il_req *st)
{
	const char	*vals[IL_MAX_PARAMS];
	il_step		step;
	u_int8_t	byte;
	int		i;

	for (;;) {
		switch (st->phase) {
		case PH_DB_SETUP:
			if (!st->sql_bound) {
				kore_pgsql_init(&st->sql);
				kore_pgsql_bind_request(&st->sql, req);
				st->sql_bound = 1;
			}
			if (!kore_pgsql_setup(&st->sql, DB_NAME,
			    KORE_PGSQL_ASYNC)) {
				/* Queued for a free connection. */
				if (st->sql.state == KORE_PGSQL_STATE_INIT)
					return (KORE_RESULT_RETRY);
				db_error_reply(req, st);
				kore_pgsql_cleanup(&st->sql);
				st->sql_bound = 0;
				st->phase = PH_DONE;
				break;
			}
			db_connection_probe(st);
			for (i = 0; i < st->nparams; i++)
				vals[i] = st->pvals[i];
			if (!kore_pgsql_query_param_fields(&st->sql, st->stmt,
			    0, st->nparams, vals, st->plens, st->pfmts)) {
				db_connection_check(st);
				db_error_reply(req, st);
				kore_pgsql_cleanup(&st->sql);
				st->sql_bound = 0;
				st->phase = PH_DONE;
				break;
			}
			st->sql.conn->evt.handle = db_event;
			st->phase = PH_DB_WAIT;
			break;
		case PH_DB_WAIT:
			switch (st->sql.state) {
			case KORE_PGSQL_STATE_WAIT:
				return (KORE_RESULT_RETRY);
			case KORE_PGSQL_STATE_RESULT:
				if (st->on_rows != NULL && !st->replied)
					st->on_rows(req, st, st->sql.result);
				kore_pgsql_continue(&st->sql);
				break;
			case KORE_PGSQL_STATE_ERROR:
				db_error_reply(req, st);
				st->next = NULL;
				/*
				 * An SQL error on a healthy connection: read on
				 * to ReadyForQuery like after a result, so the
				 * connection goes back to the pool without
				 * Kore's blocking cancel request.
				 */
				if (st->sql.conn != NULL && st->sql.result != NULL &&
				    PQstatus(st->sql.conn->db) == CONNECTION_OK) {
					kore_pgsql_continue(&st->sql);
					break;
				}
				db_connection_check(st);
				kore_pgsql_cleanup(&st->sql);
				st->sql_bound = 0;
				db_free_params(st);
				st->phase = PH_DONE;
				break;
			case KORE_PGSQL_STATE_COMPLETE:
				kore_pgsql_cleanup(&st->sql);
				st->sql_bound = 0;
				db_free_params(st);
				st->phase = PH_NEXT;
				break;
			default:
				kore_pgsql_continue(&st->sql);
				break;
			}
			break;
		case PH_NEXT:
			step = st->next;
			st->next = NULL;
			st->phase = PH_DONE;
			if (step != NULL && !st->replied)
				step(req, st);
			break;
		case PH_TASK:
			if (!kore_task_finished(&st->task))
				return (KORE_RESULT_RETRY);
			(void)kore_task_channel_read(&st->task, &byte,
			    sizeof(byte));
			pwhash_done(st);
			step = st->on_task;
			st->on_task = NULL;
			st->phase = PH_DONE;
			if (step != NULL)
				step(req, st);
			break;
		case PH_DONE:
			if (!st->replied) {
				kore_log(LOG_ERR, "request %s: no reply",
				    st->request_id);
				reply_problem(req, 500, "internal_error",
				    "an internal error occurred", NULL);
			}
			return (KORE_RESULT_OK);
		default:
			fatal("db_run: bad phase %d", st->phase);
		}
	}
}
