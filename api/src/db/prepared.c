/*
 * Statements as named prepared statements, one set per connection.
 *
 * Sent as text (PQsendQueryParams), each statement is parsed, analysed
 * and planned again on every call.  That costs little for one call but
 * is the same work each time: for the signed-in list, PostgreSQL spent
 * about a fifth more CPU per call sent that way than prepared (pgbench
 * -M extended against -M prepared, the API's own statement).  Kore 4.1
 * has no prepared-statement call, so this file keeps the bookkeeping:
 *
 *  - every statement text the API sends is a constant of the route
 *    table or of a resource file, so its address names it: the first
 *    call of a statement in this worker gives it a number, and it is
 *    prepared as "il<number>";
 *  - each connection remembers which of those numbers its session has
 *    prepared, with the session's backend process id: a connection
 *    reset (db.c) or replaced by Kore has another backend, so it starts
 *    with none;
 *  - a statement is prepared on a connection the first time it runs
 *    there, with PQprepare: one round trip that waits, like Kore's own
 *    connect the first time a connection is used, and at most once per
 *    statement and connection for the connection's life;
 *  - a statement that cannot be prepared (its connection broke, or an
 *    error such as a function that does not exist) is sent as text, as
 *    before, so its failure reaches the request the usual way.
 *
 * PostgreSQL replans a prepared statement itself when what it uses
 * changes (a function replaced by a migration).  One change it refuses:
 * a statement whose result columns changed type fails with 0A000, and
 * one the session lost fails with 26000.  Both fail before running, so
 * db.c resets the connection (its new session has no prepared
 * statements) and sends the statement again (prepared_stale()).
 */

#include <string.h>

#include "api.h"

/* Statements one worker may prepare, and connections it may hold. */
#define PREP_STMTS	256
#define PREP_CONNS	64

struct prep_conn {
	PGconn		*db;
	int		pid;
	u_int8_t	done[PREP_STMTS / 8];
};

static const char	*prep_sql[PREP_STMTS];
static int		prep_count;
static struct prep_conn	prep_conns[PREP_CONNS];

/* The number of statement sql, given one on its first call; -1: full. */
static int
prepared_number(const char *sql)
{
	int		i;

	for (i = 0; i < prep_count; i++) {
		if (prep_sql[i] == sql)
			return (i);
	}
	if (prep_count == PREP_STMTS)
		return (-1);
	prep_sql[prep_count] = sql;
	return (prep_count++);
}

/*
 * What connection db's session has prepared.  A connection Kore closed
 * leaves its entry behind; when none is free, one is taken in turn (its
 * connection, if still open, then finds its statements there already:
 * prepared_send()).
 */
static struct prep_conn *
prepared_conn(PGconn *db)
{
	static int		next;
	struct prep_conn	*c, *slot;
	int			pid, i;

	pid = PQbackendPID(db);
	slot = NULL;
	for (i = 0; i < PREP_CONNS; i++) {
		c = &prep_conns[i];
		if (c->db == db) {
			if (c->pid != pid) {
				memset(c->done, 0, sizeof(c->done));
				c->pid = pid;
			}
			return (c);
		}
		if (c->db == NULL && slot == NULL)
			slot = c;
	}
	if (slot == NULL) {
		slot = &prep_conns[next];
		next = (next + 1) % PREP_CONNS;
	}
	slot->db = db;
	slot->pid = pid;
	memset(slot->done, 0, sizeof(slot->done));
	return (slot);
}

/*
 * Prepare statement number n as name on db: 1 when it is (or already
 * was: 42P05, a session whose entry was taken for another), 0 if not.
 */
static int
prepared_make(PGconn *db, const char *name, const char *sql, int nparams)
{
	PGresult	*res;
	const char	*state;
	int		ok;

	res = PQprepare(db, name, sql, nparams, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok && (state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL)
		ok = strcmp(state, "42P05") == 0;
	PQclear(res);
	return (ok);
}

/* Forget what db's session prepared (db.c, before it resets db). */
void
prepared_forget(PGconn *db)
{
	int		i;

	for (i = 0; i < PREP_CONNS; i++) {
		if (prep_conns[i].db == db) {
			memset(&prep_conns[i], 0, sizeof(prep_conns[i]));
			return;
		}
	}
}

/*
 * Send st's statement with vals on its connection, prepared there first
 * when it is not yet: 1 when it is on its way (Kore waits for the result
 * as for any statement), 0 when it could not be sent (st->sql.error).
 */
int
prepared_send(struct il_req *st, const char **vals)
{
	struct kore_pgsql	*sql = &st->sql;
	PGconn			*db = sql->conn->db;
	struct prep_conn	*c;
	char			name[16];
	int			n, fd;

	if ((n = prepared_number(st->stmt)) == -1)
		goto as_text;
	c = prepared_conn(db);
	(void)snprintf(name, sizeof(name), "il%d", n);
	if (!(c->done[n / 8] & (1 << (n % 8)))) {
		if (!prepared_make(db, name, st->stmt, st->nparams))
			goto as_text;
		c->done[n / 8] |= (u_int8_t)(1 << (n % 8));
	}
	if (!PQsendQueryPrepared(db, name, st->nparams, vals, st->plens,
	    st->pfmts, 0)) {
		kore_free(sql->error);
		sql->error = kore_strdup(PQerrorMessage(db));
		sql->state = KORE_PGSQL_STATE_ERROR;
		return (0);
	}
	/* What kore_pgsql_query_param_fields() does once it has sent. */
	if ((fd = PQsocket(db)) < 0)
		fatal("prepared_send: no socket on an open connection");
	kore_platform_schedule_read(fd, sql->conn);
	sql->state = KORE_PGSQL_STATE_WAIT;
	sql->flags |= KORE_PGSQL_SCHEDULED;
	if (sql->req != NULL)
		http_request_sleep(sql->req);
	return (1);

as_text:
	return (kore_pgsql_query_param_fields(sql, st->stmt, 0, st->nparams,
	    vals, st->plens, st->pfmts));
}

/*
 * Whether the failed statement failed because of its preparation
 * (module comment): it did not run, and a new session runs it afresh.
 * 0A000 is also what SQL raises for a feature it lacks; the API's own
 * functions never do, and such a statement would only fail once more.
 */
int
prepared_stale(PGresult *res)
{
	const char	*state;

	if (res == NULL ||
	    (state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) == NULL)
		return (0);
	return (strcmp(state, "26000") == 0 || strcmp(state, "0A000") == 0);
}
