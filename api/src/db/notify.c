/*
 * The cache's notification connection: one libpq connection per worker,
 * outside Kore's pool (whose connections cannot receive notifications),
 * that LISTENs on NOTIFY_CHANNEL.  PostgreSQL notifies that channel when a
 * transaction that changed what the public feeds show commits
 * (sql/migrations/0070_cache_notify.sql), whichever node made it, and
 * every worker of every node empties its cache (feeds/cache.c).
 *
 *   Connecting never blocks the worker: PQconnectStartParams, then
 *   PQconnectPoll from a Kore timer every NOTIFY_TICK_MS.  Once LISTEN
 *   succeeded, the socket is in Kore's event set (level-triggered read):
 *   a notification is handled as soon as it arrives, not on the next tick.
 *
 *   A connection that breaks (PostgreSQL restarted, the session ended) or
 *   stops answering (the liveness query sent every NOTIFY_PING_MS is not
 *   answered within NOTIFY_PING_TIMEOUT_MS) is dropped: the cache is
 *   emptied and switched off, so the worker answers live from the
 *   database until LISTEN succeeds again, retried with a backoff from
 *   NOTIFY_BACKOFF_MIN to NOTIFY_BACKOFF_MAX ms.  A change committed
 *   while this worker was not listening is therefore never served stale.
 *
 *   The liveness query also reads the primary's WAL position, which the
 *   replica check compares with the replica's (db/replica.c).
 */

#include <poll.h>
#include <string.h>

#include "api.h"

#define NOTIFY_TICK_MS		100
#define NOTIFY_PING_MS		1000
#define NOTIFY_PING_TIMEOUT_MS	3000
#define NOTIFY_CONNECT_MS	5000
#define NOTIFY_BACKOFF_MIN	100
#define NOTIFY_BACKOFF_MAX	5000

#define NOTIFY_LISTEN	"LISTEN " NOTIFY_CHANNEL
#define NOTIFY_PING	"SELECT pg_current_wal_lsn()::text"

enum notify_state { NS_DOWN, NS_CONNECTING, NS_LISTENING, NS_UP };

static struct kore_event	notify_evt;
static PGconn			*notify_conn;
static int			notify_fd = -1;	/* in Kore's event set */
static enum notify_state	notify_state;
static u_int64_t		notify_next_try;
static u_int64_t		notify_backoff;
static u_int64_t		notify_started;	/* connect began */
static u_int64_t		notify_ping_sent;	/* 0: none waiting */
static u_int64_t		notify_ping_last;
static char			notify_lsn[32];	/* the primary's, or "" */
static u_int64_t		notify_lsn_at;	/* when it was read */
static PostgresPollingStatusType notify_want;	/* what PQconnectPoll waits for */

static void	notify_tick(void *, u_int64_t);
static void	notify_event(void *, int);
static void	notify_lost(const char *);
static void	notify_connect(u_int64_t);
static void	notify_poll(u_int64_t);
static void	notify_read(void);

/*
 * Start listening in this worker (kore_worker_configure()).  The first
 * connection is started on the first tick.
 */
void
notify_init(void)
{
	notify_evt.type = KORE_TYPE_PGSQL_CONN;
	notify_evt.flags = 0;
	notify_evt.handle = notify_event;
	notify_state = NS_DOWN;
	notify_backoff = NOTIFY_BACKOFF_MIN;
	notify_next_try = 0;
	(void)kore_timer_add(notify_tick, NOTIFY_TICK_MS, NULL, 0);
}

/*
 * The primary's WAL position at the last liveness answer (static
 * storage, valid until the next call), and in *at when it was read; NULL
 * when this worker is not listening.
 */
const char *
notify_primary_lsn(u_int64_t *at)
{
	if (notify_state != NS_UP || notify_lsn[0] == '\0')
		return (NULL);
	*at = notify_lsn_at;
	return (notify_lsn);
}

/*
 * Drop the connection (why: for the log), empty and switch off the
 * cache, and schedule the next attempt after the backoff.  libpq closes
 * the socket itself when it reads the server's end of file; a closed
 * socket has left the event set already and must not be removed again.
 */
static void
notify_lost(const char *why)
{
	u_int64_t	now;

	if (notify_fd != -1) {
		if (notify_conn != NULL && PQsocket(notify_conn) == notify_fd)
			kore_platform_disable_read(notify_fd);
		notify_fd = -1;
	}
	if (notify_state == NS_UP) {
		kore_log(LOG_NOTICE, "cache: notification connection lost "
		    "(%s); serving uncached until it is back", why);
	}
	if (notify_conn != NULL)
		PQfinish(notify_conn);
	notify_conn = NULL;
	notify_state = NS_DOWN;
	notify_ping_sent = 0;
	notify_lsn[0] = '\0';
	cache_listening(0);

	now = kore_time_ms();
	notify_next_try = now + notify_backoff;
	notify_backoff *= 2;
	if (notify_backoff > NOTIFY_BACKOFF_MAX)
		notify_backoff = NOTIFY_BACKOFF_MAX;
}

static void
notify_connect(u_int64_t now)
{
	const char *const	keys[] = { "dbname", "application_name",
				    "keepalives_idle", "keepalives_interval",
				    "keepalives_count", NULL };
	const char *const	vals[] = { il_cfg.database_url,
				    "interlibrary-api-listen", "10", "2", "3",
				    NULL };

	notify_conn = PQconnectStartParams(keys, vals, 1);
	if (notify_conn == NULL || PQstatus(notify_conn) == CONNECTION_BAD) {
		notify_lost("cannot start a connection");
		return;
	}
	notify_state = NS_CONNECTING;
	notify_started = now;
	notify_want = PGRES_POLLING_WRITING;
}

/*
 * Call PQconnectPoll only once the socket is ready for what it last
 * asked (libpq takes a writable socket as a finished connect()): poll()
 * with no timeout.  Returns the new status, or want when not ready yet.
 */
PostgresPollingStatusType
notify_connect_step(PGconn *conn, PostgresPollingStatusType want)
{
	struct pollfd	pfd;

	pfd.fd = PQsocket(conn);
	pfd.events = want == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	pfd.revents = 0;
	if (pfd.fd >= 0 && poll(&pfd, 1, 0) == 0)
		return (want);
	return (PQconnectPoll(conn));
}

/* One step of the connection; once it is up, send LISTEN. */
static void
notify_poll(u_int64_t now)
{
	PostgresPollingStatusType	r;

	r = notify_connect_step(notify_conn, notify_want);
	notify_want = r;
	if (r == PGRES_POLLING_FAILED) {
		notify_lost("connect failed");
		return;
	}
	if (r != PGRES_POLLING_OK) {
		if (now - notify_started > NOTIFY_CONNECT_MS)
			notify_lost("connect timed out");
		return;
	}
	if (PQsetnonblocking(notify_conn, 1) == -1 ||
	    !PQsendQuery(notify_conn, NOTIFY_LISTEN)) {
		notify_lost("cannot send LISTEN");
		return;
	}
	(void)PQflush(notify_conn);
	notify_fd = PQsocket(notify_conn);
	kore_platform_event_level_read(notify_fd, &notify_evt);
	notify_state = NS_LISTENING;
	notify_ping_sent = now;		/* LISTEN's answer counts as one */
}

static void
notify_tick(void *arg, u_int64_t now)
{
	(void)arg;
	switch (notify_state) {
	case NS_DOWN:
		if (now >= notify_next_try)
			notify_connect(now);
		break;
	case NS_CONNECTING:
		notify_poll(now);
		break;
	case NS_LISTENING:
	case NS_UP:
		if (PQflush(notify_conn) == -1) {
			notify_lost("write failed");
			break;
		}
		if (notify_ping_sent != 0) {
			if (now - notify_ping_sent > NOTIFY_PING_TIMEOUT_MS)
				notify_lost("no answer");
			break;
		}
		if (now - notify_ping_last < NOTIFY_PING_MS)
			break;
		if (!PQsendQuery(notify_conn, NOTIFY_PING)) {
			notify_lost("cannot send");
			break;
		}
		(void)PQflush(notify_conn);
		notify_ping_sent = now;
		break;
	}
}

/* Read what arrived: query results, then notifications. */
static void
notify_read(void)
{
	PGresult	*res;
	PGnotify	*n;
	int		failed;

	if (!PQconsumeInput(notify_conn)) {
		notify_lost("read failed");
		return;
	}
	failed = 0;
	while (!PQisBusy(notify_conn) &&
	    (res = PQgetResult(notify_conn)) != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_COMMAND_OK:		/* LISTEN */
			if (notify_state == NS_LISTENING) {
				notify_state = NS_UP;
				notify_backoff = NOTIFY_BACKOFF_MIN;
				cache_listening(1);
				kore_log(LOG_NOTICE, "cache: listening on %s",
				    NOTIFY_CHANNEL);
			}
			notify_ping_sent = 0;
			notify_ping_last = kore_time_ms();
			break;
		case PGRES_TUPLES_OK:		/* the liveness query */
			if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
				(void)kore_strlcpy(notify_lsn,
				    PQgetvalue(res, 0, 0), sizeof(notify_lsn));
				notify_lsn_at = kore_time_ms();
			}
			notify_ping_sent = 0;
			notify_ping_last = kore_time_ms();
			break;
		default:
			failed = 1;
			break;
		}
		PQclear(res);
	}
	while ((n = PQnotifies(notify_conn)) != NULL) {
		if (notify_state == NS_UP)
			cache_notified(n->extra);
		PQfreemem(n);
	}
	if (failed)
		notify_lost("query failed");
	else if (PQstatus(notify_conn) == CONNECTION_BAD)
		notify_lost("connection closed");
}

static void
notify_event(void *arg, int err)
{
	(void)arg;
	notify_evt.flags &= ~KORE_EVENT_READ;
	if (notify_conn == NULL)
		return;
	notify_read();
	if (err && notify_conn != NULL)
		notify_lost("connection closed");
}
