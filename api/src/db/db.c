/*
 * The one asynchronous PostgreSQL path.  Every endpoint fills the
 * request state's parameters and calls db_call(); db_run() drives the
 * Kore async pgsql state machine (and password tasks, which share the
 * request's phases) until the request has nothing left to run.
 *
 * This layer hands results back and never answers a request: a result
 * goes to the call's on_rows step, a failed query to the hook given to
 * db_register() (row_error() in http/row.c, which alone turns rows and
 * SQL errors into statuses, headers and bodies).
 *
 * Connections break (PostgreSQL restarted, a session ended by an
 * administrator or by idle_session_timeout) while they wait in the pool.
 * A broken connection is reset when it is next drawn (db_connection_probe)
 * or, when that could not tell (the server's goodbye arrived but not yet
 * its end of file), the statement fails in a way that shows it never ran:
 * then the connection is reset and the statement sent again, once
 * (db_retry).  A statement that may have run is never sent twice.  libpq's
 * connect_timeout (PGCONNECT_TIMEOUT, set at start) bounds how long a
 * reset can hold the worker; a statement resets its connection at most
 * once.
 *
 * With a replica (DATABASE_REPLICA_URL, db/replica.c), an anonymous GET
 * of the API (no token, not a private or no-store route) runs there when
 * replica_usable() says so and one of its pool connections is free (so a
 * read never queues for the replica: Kore wakes one waiter per released
 * connection, whatever its database).  When it cannot be set up or sent
 * there, or fails there before any result for a reason of the replica's
 * (connection, recovery conflict, read-only transaction), the same
 * statement runs on the primary: reads are safe to repeat.
 */

#include <sodium.h>

#include <string.h>

#include "api.h"

#define DB_NAME		"db"

static void	db_connection_probe(struct il_req *);
static void	db_connection_reset(struct il_req *);
static void	db_connection_lost(struct il_req *);
static void	db_lost_result(struct il_req *);
static int	db_never_ran(struct il_req *);
static int	db_send(struct il_req *);
static void	db_retry(struct il_req *);
static void	db_event(void *, int);
static void	db_failed(struct http_request *, struct il_req *);
static void	db_cleanup(struct il_req *);
static int	db_replica_wanted(struct il_req *);
static int	db_replica_retry(struct il_req *);

/* Replica connections held by requests of this worker (db_replica). */
static int	db_replica_held;

/* Answers a failed query (row_error() in the http layer). */
static il_fail	db_fail;

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
 * An error on the socket (the server reset the connection) while a
 * statement waits is read like data: Kore would otherwise free the
 * connection at once, dropping what the server said before it went (the
 * FATAL that shows the statement never ran, see db_never_ran()).  The read
 * fails, and the request sees KORE_PGSQL_STATE_ERROR on a connection whose
 * socket libpq has closed.
 *
 * Kore's struct pgsql_job is private to pgsql.c; its first member is the
 * struct kore_pgsql pointer (Kore 4.1.0, the version Debian ships).
 */
static void
db_event(void *arg, int err)
{
	struct pgsql_conn	*conn = arg;
	struct kore_pgsql	*pgsql;

	if (conn->job != NULL) {
		pgsql = *(struct kore_pgsql **)(void *)conn->job;
		if (!err && (pgsql->state == KORE_PGSQL_STATE_RESULT ||
		    pgsql->state == KORE_PGSQL_STATE_ERROR))
			return;
		if (err && pgsql->state == KORE_PGSQL_STATE_WAIT) {
			conn->evt.flags |= KORE_EVENT_READ;
			err = 0;
		}
	}
	kore_pgsql_handle(arg, err);
}

/*
 * Register the database in this worker.  on_fail answers every query
 * that fails (db.c itself never answers a request).
 */
void
db_register(il_fail on_fail)
{
	db_fail = on_fail;
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
	st->db_reset = 0;
	st->db_answered = 0;
	st->db_fallback = 0;
	st->phase = PH_DB_SETUP;
}

/*
 * Reset the request's connection (blocking, for at most connect_timeout)
 * and note that this statement did.  The connection must not be
 * scheduled: its socket, open or not, is then in no event set.
 */
static void
db_connection_reset(struct il_req *st)
{
	kore_log(LOG_NOTICE, "database connection lost; resetting");
	st->db_reset = 1;
	prepared_forget(st->sql.conn->db);
	PQreset(st->sql.conn->db);
}

/*
 * Before a pooled connection is used: read whatever the server sent
 * while it was idle (PQconsumeInput never blocks: libpq's sockets are
 * non-blocking), so a connection PostgreSQL closed (a restart) shows as
 * bad and is reset now, instead of failing the request that draws it.
 * One read may take the server's goodbye (FATAL 57P01) but not yet its
 * end of file: the statement then fails as db_never_ran() recognises.
 */
static void
db_connection_probe(struct il_req *st)
{
	PGconn		*db = st->sql.conn->db;

	if (PQconsumeInput(db) && PQstatus(db) == CONNECTION_OK)
		return;
	db_connection_reset(st);
}

/*
 * The statement failed and its connection is gone: libpq closed the
 * socket, which also took it out of Kore's event set, so keep Kore from
 * unscheduling a socket that is no longer there (a fatal error).  The
 * connection goes back to the pool, and the next statement to draw it
 * resets it (db_connection_probe()).
 */
static void
db_connection_lost(struct il_req *st)
{
	if (st->sql.conn != NULL && PQsocket(st->sql.conn->db) < 0)
		st->sql.flags &= ~KORE_PGSQL_SCHEDULED;
}

/*
 * A read that failed leaves what the server said last unparsed: take it
 * as the statement's error result (PQgetResult does not block on a
 * closed connection), so that its SQLSTATE is known.
 */
static void
db_lost_result(struct il_req *st)
{
	if (st->sql.result != NULL || st->sql.conn == NULL ||
	    PQstatus(st->sql.conn->db) != CONNECTION_BAD)
		return;
	st->sql.result = PQgetResult(st->sql.conn->db);
}

/*
 * Whether the failed statement certainly did not run, so that sending it
 * again cannot run it twice: its first answer, before any result, is the
 * server ending the session (severity FATAL; SQLSTATE 57P01 shutdown or
 * termination, 57P02 crash shutdown, 57P05 idle session timeout), and the
 * connection is gone.  A pooled connection that the server ended while
 * idle answers the next statement with that goodbye.  A session ended
 * while the statement ran rolled it back: a statement commits at the Sync
 * that follows its result, and the server flushes its output in order,
 * so a committed statement's result arrives before any FATAL.  A
 * connection lost without a word from the server is not retried: the
 * statement may have committed just before.
 */
static int
db_never_ran(struct il_req *st)
{
	const char	*state, *severity;

	if (st->sql.result == NULL || st->sql.conn == NULL ||
	    PQstatus(st->sql.conn->db) != CONNECTION_BAD)
		return (0);
	state = PQresultErrorField(st->sql.result, PG_DIAG_SQLSTATE);
	severity = PQresultErrorField(st->sql.result,
	    PG_DIAG_SEVERITY_NONLOCALIZED);
	if (state == NULL || severity == NULL ||
	    strcmp(severity, "FATAL") != 0)
		return (0);
	return (strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P05") == 0);
}

/*
 * Send the statement on the request's connection: 0 when it is on its
 * way (state WAIT), -1 when it could not be sent (state ERROR).  A
 * connection found broken when sending (nothing was sent) is reset and
 * the statement sent again, unless this statement reset it already.
 */
static int
db_send(struct il_req *st)
{
	const char	*vals[IL_MAX_PARAMS];
	int		i;

	for (i = 0; i < st->nparams; i++)
		vals[i] = st->pvals[i];
	if (prepared_send(st, vals))
		return (0);
	if (st->db_reset || PQstatus(st->sql.conn->db) == CONNECTION_OK)
		return (-1);
	kore_free(st->sql.error);
	st->sql.error = NULL;
	st->sql.state = KORE_PGSQL_STATE_INIT;
	db_connection_reset(st);
	if (prepared_send(st, vals))
		return (0);
	return (-1);
}

/*
 * The statement never ran (db_never_ran(), or prepared_stale(): its
 * session's prepared statement was gone or out of date): forget the
 * failure, reset the connection and send the statement again on it.
 */
static void
db_retry(struct il_req *st)
{
	PGresult	*res;
	int		fd;

	kore_log(LOG_NOTICE, "the statement did not run (%s); sending it "
	    "again on a new session", PQstatus(st->sql.conn->db) ==
	    CONNECTION_OK ? "its prepared statement is out of date" :
	    "the database ended the session");
	if (st->sql.flags & KORE_PGSQL_SCHEDULED) {
		if ((fd = PQsocket(st->sql.conn->db)) >= 0)
			kore_platform_disable_read(fd);
		st->sql.flags &= ~KORE_PGSQL_SCHEDULED;
	}
	PQclear(st->sql.result);
	st->sql.result = NULL;
	while ((res = PQgetResult(st->sql.conn->db)) != NULL)
		PQclear(res);
	kore_free(st->sql.error);
	st->sql.error = NULL;
	st->sql.state = KORE_PGSQL_STATE_INIT;
	db_connection_reset(st);
	st->phase = PH_DB_SEND;
}

/*
 * Whether this call should run on the replica: an anonymous read of the
 * API, the replica usable, and a replica connection free.
 */
static int
db_replica_wanted(struct il_req *st)
{
	if (il_cfg.replica_url == NULL || st->has_token || st->ep == NULL)
		return (0);
	if (st->ep->method != IL_GET || strncmp(st->ep->path, "/v1/", 4) != 0 ||
	    (st->ep->flags & (EP_AUTH | EP_NO_STORE | EP_PRIVATE)))
		return (0);
	return (db_replica_held < il_cfg.db_pool && replica_usable());
}

/*
 * Whether a statement that failed on the replica before any result
 * should run again on the primary: the connection is gone, or the
 * replica refused for a reason of its own (class 08 connection, 57
 * operator intervention, 25006 read-only transaction, 40001 a recovery
 * conflict).
 */
static int
db_replica_retry(struct il_req *st)
{
	const char	*state;

	if (!st->db_replica || st->db_answered)
		return (0);
	if (st->sql.conn == NULL || PQstatus(st->sql.conn->db) != CONNECTION_OK ||
	    st->sql.result == NULL)
		return (1);
	state = PQresultErrorField(st->sql.result, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return (1);
	return (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
	    strcmp(state, "25006") == 0 || strcmp(state, "40001") == 0);
}

/* Give the request's connection back to its pool. */
static void
db_cleanup(struct il_req *st)
{
	kore_pgsql_cleanup(&st->sql);
	st->sql_bound = 0;
	db_release(st);
}

/*
 * Forget that the request holds a replica connection (Kore releases it
 * with the request: dispatch_onfree()).  Idempotent.
 */
void
db_release(struct il_req *st)
{
	if (st->db_replica) {
		st->db_replica = 0;
		db_replica_held--;
	}
}

/* A query failed: hand its error result (or none) to the caller's hook. */
static void
db_failed(struct http_request *req, struct il_req *st)
{
	db_fail(req, st, st->sql.result, st->sql.error);
}

/*
 * Drive the request's phases until it waits (KORE_RESULT_RETRY) or has
 * nothing left to do (KORE_RESULT_OK: the caller answers a request that
 * no step answered).
 */
int
db_run(struct http_request *req, struct il_req *st)
{
	il_step		step;
	u_int8_t	byte;

	for (;;) {
		switch (st->phase) {
		case PH_DB_SETUP:
			if (!st->sql_bound) {
				kore_pgsql_init(&st->sql);
				kore_pgsql_bind_request(&st->sql, req);
				st->sql_bound = 1;
				if (!st->db_fallback && db_replica_wanted(st)) {
					st->db_replica = 1;
					db_replica_held++;
				}
			}
			if (!kore_pgsql_setup(&st->sql, st->db_replica ?
			    REPLICA_DB : DB_NAME, KORE_PGSQL_ASYNC)) {
				/* Queued for a free connection. */
				if (st->sql.state == KORE_PGSQL_STATE_INIT)
					return (KORE_RESULT_RETRY);
				if (st->db_replica) {
					replica_failed();
					db_cleanup(st);
					st->db_fallback = 1;
					break;
				}
				db_failed(req, st);
				db_cleanup(st);
				st->phase = PH_DONE;
				break;
			}
			db_connection_probe(st);
			st->phase = PH_DB_SEND;
			break;
		case PH_DB_SEND:
			if (db_send(st) == -1) {
				if (db_replica_retry(st)) {
					replica_failed();
					db_connection_lost(st);
					db_cleanup(st);
					st->db_fallback = 1;
					st->db_reset = 0;
					st->phase = PH_DB_SETUP;
					break;
				}
				db_failed(req, st);
				db_cleanup(st);
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
				st->db_answered = 1;
				if (st->on_rows != NULL && !st->replied)
					st->on_rows(req, st, st->sql.result);
				kore_pgsql_continue(&st->sql);
				break;
			case KORE_PGSQL_STATE_ERROR:
				db_lost_result(st);
				if (db_replica_retry(st)) {
					replica_failed();
					st->db_fallback = 1;
					st->db_reset = 0;
					if (st->sql.conn != NULL &&
					    st->sql.result != NULL &&
					    PQstatus(st->sql.conn->db) ==
					    CONNECTION_OK) {
						/* Read on to ReadyForQuery. */
						kore_pgsql_continue(&st->sql);
						break;
					}
					db_connection_lost(st);
					db_cleanup(st);
					st->phase = PH_DB_SETUP;
					break;
				}
				if (!st->db_answered && !st->db_reset &&
				    (db_never_ran(st) || (st->sql.conn != NULL &&
				    prepared_stale(st->sql.result)))) {
					db_retry(st);
					break;
				}
				db_failed(req, st);
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
				db_connection_lost(st);
				db_cleanup(st);
				db_free_params(st);
				st->phase = PH_DONE;
				break;
			case KORE_PGSQL_STATE_COMPLETE:
				if (st->db_fallback && st->db_replica) {
					/* Failed on the replica: again. */
					db_cleanup(st);
					st->phase = PH_DB_SETUP;
					break;
				}
				db_cleanup(st);
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
		case PH_SLEEP:
			if (req->flags & HTTP_REQUEST_SLEEPING)
				return (KORE_RESULT_RETRY);
			st->phase = PH_NEXT;
			break;
		case PH_DONE:
			return (KORE_RESULT_OK);
		default:
			fatal("db_run: bad phase %d", st->phase);
		}
	}
}
