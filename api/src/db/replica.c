/*
 * The optional read replica (DATABASE_REPLICA_URL): whether this worker
 * may send an anonymous read there now.
 *
 *   The replica is a second database of Kore's pool (REPLICA_DB), used by
 *   db/db.c for anonymous GETs only; everything else, and every request
 *   with a token, uses the primary.  Each worker checks the replica once
 *   a REPLICA_CHECK_MS over a libpq connection of its own, outside the
 *   pool and never blocking (PQconnectStartParams and PQconnectPoll from
 *   a Kore timer), with one query: is it in recovery, has it replayed
 *   the primary's WAL position (the last one db/notify.c read, at most
 *   about a second old), and how long ago was the last transaction it
 *   replayed committed.  It is fresh when it has replayed that position
 *   or its last replayed commit is at most REPLICA_MAX_LAG_MS old (a
 *   replica of an idle primary replays nothing and stays fresh).
 *
 *   Reads go to the primary when the replica is not fresh, when its last
 *   good answer is older than REPLICA_STALE_MS (down or not answering),
 *   when a read on it failed (replica_failed(), until the next good
 *   check), and after a cache invalidation until it has replayed a WAL
 *   position read after the invalidation (replica_invalidated()), so that
 *   a worker never caches data older than a change it was told of.
 */

#include <string.h>

#include "api.h"

#define REPLICA_TICK_MS		100
#define REPLICA_CHECK_MS	1000
#define REPLICA_ANSWER_MS	2000
#define REPLICA_STALE_MS	3000
#define REPLICA_CONNECT_MS	5000
#define REPLICA_BACKOFF_MAX	5000

#define REPLICA_CHECK \
	"SELECT coalesce(NOT pg_is_in_recovery() OR " \
	"    pg_last_wal_replay_lsn() >= $1::pg_lsn OR " \
	"    extract(epoch FROM now() - pg_last_xact_replay_timestamp()) " \
	"    * 1000 <= $2::float8, false), " \
	"  coalesce(NOT pg_is_in_recovery() OR " \
	"    pg_last_wal_replay_lsn() >= $1::pg_lsn, false)"

enum replica_state { RS_DOWN, RS_CONNECTING, RS_IDLE, RS_WAITING };

static PGconn			*replica_conn;
static enum replica_state	replica_state;
static u_int64_t		replica_next;	/* next attempt or check */
static u_int64_t		replica_backoff;
static u_int64_t		replica_started;	/* connect or query */
static u_int64_t		replica_good;	/* last fresh answer, 0: none */
static int			replica_fresh;
static int			replica_hold;	/* since an invalidation */
static u_int64_t		replica_hold_since;
static u_int64_t		replica_check_lsn_at;	/* of the LSN sent */
static PostgresPollingStatusType replica_want;	/* while connecting */

static void	replica_tick(void *, u_int64_t);
static void	replica_lost(const char *);
static void	replica_send(u_int64_t);
static void	replica_read(u_int64_t);

/*
 * Register the replica in this worker (kore_worker_configure()); nothing
 * without DATABASE_REPLICA_URL.
 */
void
replica_init(void)
{
	if (il_cfg.replica_url == NULL)
		return;
	if (!kore_pgsql_register(REPLICA_DB, il_cfg.replica_url))
		fatal("cannot register the replica database");
	replica_state = RS_DOWN;
	replica_backoff = REPLICA_TICK_MS;
	(void)kore_timer_add(replica_tick, REPLICA_TICK_MS, NULL, 0);
}

/* Whether an anonymous read may go to the replica now. */
int
replica_usable(void)
{
	if (il_cfg.replica_url == NULL || !replica_fresh || replica_hold)
		return (0);
	return (kore_time_ms() - replica_good <= REPLICA_STALE_MS);
}

/* A read on the replica failed: the primary until the next good check. */
void
replica_failed(void)
{
	if (replica_fresh)
		kore_log(LOG_NOTICE, "replica: a read failed; reading from "
		    "the primary until it answers again");
	replica_fresh = 0;
}

/* The cache was emptied: the primary until the replica has caught up. */
void
replica_invalidated(void)
{
	if (il_cfg.replica_url == NULL)
		return;
	replica_hold = 1;
	replica_hold_since = kore_time_ms();
}

static void
replica_lost(const char *why)
{
	if (replica_fresh || replica_state == RS_IDLE ||
	    replica_state == RS_WAITING)
		kore_log(LOG_NOTICE, "replica: %s; reading from the primary",
		    why);
	if (replica_conn != NULL)
		PQfinish(replica_conn);
	replica_conn = NULL;
	replica_fresh = 0;
	replica_state = RS_DOWN;
	replica_next = kore_time_ms() + replica_backoff;
	replica_backoff *= 2;
	if (replica_backoff > REPLICA_BACKOFF_MAX)
		replica_backoff = REPLICA_BACKOFF_MAX;
}

static void
replica_send(u_int64_t now)
{
	const char	*vals[2];
	const char	*lsn;
	char		lag[16];
	u_int64_t	at;

	lsn = notify_primary_lsn(&at);
	(void)snprintf(lag, sizeof(lag), "%d", il_cfg.replica_max_lag_ms);
	vals[0] = lsn;
	vals[1] = lag;
	replica_check_lsn_at = lsn != NULL ? at : 0;
	if (!PQsendQueryParams(replica_conn, REPLICA_CHECK, 2, NULL, vals,
	    NULL, NULL, 0)) {
		replica_lost("cannot send its check");
		return;
	}
	(void)PQflush(replica_conn);
	replica_state = RS_WAITING;
	replica_started = now;
}

static void
replica_read(u_int64_t now)
{
	PGresult	*res;
	int		ok, fresh, caught_up;

	if (!PQconsumeInput(replica_conn)) {
		replica_lost("connection lost");
		return;
	}
	if (PQisBusy(replica_conn)) {
		if (now - replica_started > REPLICA_ANSWER_MS)
			replica_lost("no answer to its check");
		return;
	}
	ok = fresh = caught_up = 0;
	while ((res = PQgetResult(replica_conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_TUPLES_OK &&
		    PQntuples(res) == 1 && PQnfields(res) == 2) {
			ok = 1;
			fresh = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
			caught_up = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		}
		PQclear(res);
	}
	if (!ok) {
		replica_lost("its check failed");
		return;
	}
	if (fresh && !replica_fresh)
		kore_log(LOG_NOTICE, "replica: fresh; anonymous reads use it");
	else if (!fresh && replica_fresh)
		kore_log(LOG_NOTICE, "replica: lags more than %d ms; reading "
		    "from the primary", il_cfg.replica_max_lag_ms);
	replica_fresh = fresh;
	if (fresh)
		replica_good = now;
	if (caught_up && replica_check_lsn_at > replica_hold_since)
		replica_hold = 0;
	replica_backoff = REPLICA_TICK_MS;
	replica_state = RS_IDLE;
	replica_next = replica_started + REPLICA_CHECK_MS;
}

static void
replica_tick(void *arg, u_int64_t now)
{
	const char *const	keys[] = { "dbname", "application_name",
				    "keepalives_idle", "keepalives_interval",
				    "keepalives_count", NULL };
	const char *const	vals[] = { il_cfg.replica_url,
				    "interlibrary-api-replica-check", "10",
				    "2", "3", NULL };
	PostgresPollingStatusType	r;

	(void)arg;
	switch (replica_state) {
	case RS_DOWN:
		if (now < replica_next)
			break;
		replica_conn = PQconnectStartParams(keys, vals, 1);
		if (replica_conn == NULL ||
		    PQstatus(replica_conn) == CONNECTION_BAD) {
			replica_lost("cannot connect");
			break;
		}
		replica_state = RS_CONNECTING;
		replica_started = now;
		replica_want = PGRES_POLLING_WRITING;
		break;
	case RS_CONNECTING:
		r = notify_connect_step(replica_conn, replica_want);
		replica_want = r;
		if (r == PGRES_POLLING_FAILED) {
			replica_lost("cannot connect");
		} else if (r == PGRES_POLLING_OK) {
			if (PQsetnonblocking(replica_conn, 1) == -1)
				replica_lost("cannot connect");
			else
				replica_send(now);
		} else if (now - replica_started > REPLICA_CONNECT_MS) {
			replica_lost("connect timed out");
		}
		break;
	case RS_IDLE:
		if (now >= replica_next)
			replica_send(now);
		break;
	case RS_WAITING:
		replica_read(now);
		break;
	}
}
