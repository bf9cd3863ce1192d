/*
 * The Kore application's start-up: the parent reads the configuration
 * and sets Kore's globals, each worker registers the database and its
 * request ids, and the seccomp additions this glibc needs.  Requests
 * start in http/dispatch.c (app_dispatch()).
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <sched.h>

#include <kore/seccomp.h>
#include <kore/hooks.h>

#include <sodium.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"

/*
 * Debian 12's glibc needs these (shared/design/kore-notes.md):
 * newfstatat for libpq's ~/.pgpass check and localtime(); clone3 must
 * fail with ENOSYS so pthread_create falls back to clone; rseq for new
 * task threads.
 */
KORE_SECCOMP_FILTER("interlibrary",
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(mremap),	/* realloc of large blocks (libpq, feeds) */
	/* libpq over TCP tries TLS first: OpenSSL lists directories. */
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(getrandom),
	KORE_SYSCALL_ALLOW(madvise),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	KORE_SYSCALL_ALLOW(sched_yield),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(sysinfo),
);

/* Connections spread over the workers: see accept_turn(). */
#define ACCEPT_BATCH	2
#define ACCEPT_TICK	5
#define ACCEPT_SLACK	2
#define ACCEPT_STALE	100

struct accept_share {
	u_int32_t	held;
	u_int64_t	at;		/* kore_time_ms() of held; 0: never */
	char		pad[48];	/* one cache line per worker */
};

static u_int32_t		accept_max;	/* the configured limit */
static struct accept_share	*accept_share;	/* [il_cfg.workers] */

static void	log_flush(void *, u_int64_t);
static void	log_write(void);
static void	accept_turn(void *, u_int64_t);

void
kore_parent_configure(int argc, char **argv)
{
	struct kore_server	*srv;
	char			opts[1024];
	int			n;

	(void)argc;
	(void)argv;

	config_load();
	if (sodium_init() == -1)
		fatal("sodium_init failed");
	pwhash_init();

	/*
	 * jit=off: a statement whose plan PostgreSQL estimates above
	 * jit_above_cost (a generic plan's guesses, once the data grows) is
	 * compiled with LLVM at every execution, tens of milliseconds for a
	 * read that takes one; nothing the API runs is long enough to gain.
	 */
	n = snprintf(opts, sizeof(opts),
	    "-c statement_timeout=15000 -c jit=off "
	    "-c il.session_idle_seconds=%d -c il.session_max_seconds=%d "
	    "-c il.login_fails_account=%d -c il.login_fails_address=%d "
	    "-c il.login_window_seconds=%d -c il.registrations_address=%d "
	    "-c il.registration_window_seconds=%d "
	    "-c il.password_resets_address=%d -c il.password_resets_client=%d "
	    "-c il.password_reset_window_seconds=%d "
	    "-c il.public_api_url=%s -c il.public_web_url=%s",
	    il_cfg.session_idle_s, il_cfg.session_max_s,
	    il_cfg.login_fail_account, il_cfg.login_fail_addr,
	    il_cfg.login_window_s, il_cfg.register_per_addr,
	    il_cfg.register_window_s, il_cfg.resets_per_addr,
	    il_cfg.resets_per_client, il_cfg.reset_window_s,
	    il_cfg.public_api_url,
	    il_cfg.public_web_url);
	if (n < 0 || (size_t)n >= sizeof(opts))
		fatal("configuration: database options too long");
	if (setenv("PGOPTIONS", opts, 1) == -1 ||
	    setenv("PGCONNECT_TIMEOUT", "3", 1) == -1 ||
	    setenv("PGAPPNAME", "interlibrary-api", 1) == -1)
		fatal("setenv: %s", errno_s);

	worker_count = (u_int8_t)il_cfg.workers;
	cache_shared_init();
	if (il_cfg.workers > 1) {
		accept_share = mmap(NULL, sizeof(*accept_share) *
		    (size_t)il_cfg.workers, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (accept_share == MAP_FAILED)
			fatal("mmap: %s", errno_s);
	}
	pgsql_conn_max = (u_int16_t)il_cfg.db_pool;
	pgsql_queue_limit = (u_int32_t)il_cfg.db_queue;
	kore_task_threads = (u_int16_t)il_cfg.hash_threads;
	http_body_max = 1024 * 1024;

	if ((srv = kore_server_lookup("default")) == NULL)
		fatal("configuration: no server \"default\" in the conf file");
	if (!kore_server_bind(srv, il_cfg.listen, il_cfg.port, NULL))
		fatal("cannot listen on %s port %s", il_cfg.listen,
		    il_cfg.port);

	kore_log(LOG_NOTICE, "interlibrary: %d workers, %d database "
	    "connections and %d hash threads per worker, listening on %s:%s",
	    il_cfg.workers, il_cfg.db_pool, il_cfg.hash_threads,
	    il_cfg.listen, il_cfg.port);
}

/*
 * The access log: one line a request on stdout, "[wrk N]: access ...",
 * as kore_log() prints its lines.  A write(2) per line would cost more
 * than the request itself on the fast routes, so each worker formats
 * its lines once into log_buf and writes them every 200 ms (log_flush)
 * or when the buffer is full: a line reaches the log within 200 ms.
 * Only whole lines are written, at most PIPE_BUF bytes at a time, so
 * the workers sharing stdout (a file or a pipe) never split each
 * other's lines; a stdio buffer flushed when full did, and kore_log()
 * formatted every line twice.  Kore's own messages still go through
 * stdio (line-buffered by scripts/api.sh), flushed by the same timer.
 */
#define LOG_BUF		(64 * 1024)
#define LOG_LINE_MAX	1024

static char	log_buf[LOG_BUF];
static size_t	log_len;
static char	log_prefix[32];

void
app_log(const char *fmt, ...)
{
	va_list		args;
	size_t		room;
	int		n, m;

	if (LOG_BUF - log_len < LOG_LINE_MAX)
		log_write();
	room = LOG_LINE_MAX - 1;	/* one byte for the newline */
	n = snprintf(log_buf + log_len, room, "%s: ", log_prefix);
	if (n < 0 || (size_t)n >= room)
		return;
	va_start(args, fmt);
	m = vsnprintf(log_buf + log_len + n, room - n, fmt, args);
	va_end(args);
	if (m < 0)
		return;
	if ((size_t)m >= room - n)
		m = (int)(room - n - 1);	/* truncated */
	log_buf[log_len + n + m] = '\n';
	log_len += n + m + 1;
}

static void
log_write(void)
{
	const char	*nl;
	size_t		off, len;
	ssize_t		w;

	for (off = 0; off < log_len; off += (size_t)w) {
		len = log_len - off;
		if (len > PIPE_BUF) {
			nl = memrchr(log_buf + off, '\n', PIPE_BUF);
			len = nl != NULL ? (size_t)(nl - (log_buf + off)) + 1 :
			    PIPE_BUF;
		}
		if ((w = write(STDOUT_FILENO, log_buf + off, len)) <= 0) {
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			break;		/* nowhere to log to: drop the lines */
		}
	}
	log_len = 0;
}

static void
log_flush(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	(void)fflush(stdout);
	log_write();
}

/*
 * Connections spread over the workers.  Kore 4.1 hands its accept lock
 * on only when the worker holding it is full (worker_max_connections
 * open, or http_request_limit requests under way), so one worker took
 * every connection of a burst while the others idled until it was
 * saturated; worker_accept_threshold only caps how many it accepts per
 * turn of its loop.  So at every tick (ACCEPT_TICK ms) a worker's limit
 * is set to ACCEPT_BATCH more than it holds (at most the configured
 * limit): once it has the lock, it accepts that many, Kore
 * releases the lock at its next turn and tells every worker, and another
 * worker takes it.  A worker that is "full" this way can take the lock
 * again after its next tick; connections arriving
 * meanwhile wait in the listen backlog, as they do while a worker is
 * busy.
 *
 * Turns alone still left the split to the scheduler: a worker that got
 * the CPU more often during a burst took more turns, and kept those
 * connections (a client's keep-alive connections stay where they
 * landed).  With 64 connections split 45/19, each worker's 4 database
 * connections served very different queues, and the busier worker's
 * requests waited ten times longer (p99 0.7 s against 60 ms).  So each
 * worker also publishes how many connections it holds (accept_share,
 * memory the parent maps before the workers start) and takes no turn
 * while it holds more than ACCEPT_SLACK over the fewest another worker
 * holds.  A worker that has not published for ACCEPT_STALE ms (stuck,
 * or gone) does not count: the others then accept without it.  And a
 * worker holding the lock with more connections than another ends its
 * turn at its next tick: the limit it had when it took the lock was
 * counted from what it held then, and a worker that kept the lock while
 * a client's connections closed took the client's next 8 connections
 * all at once.
 */
static void
accept_turn(void *arg, u_int64_t now)
{
	struct accept_share	*me;
	u_int32_t		held, least;
	int			i;

	(void)arg;

	held = worker_active_connections;
	me = &accept_share[worker->id - 1];
	me->held = held;
	__atomic_store_n(&me->at, now, __ATOMIC_RELEASE);

	least = UINT32_MAX;
	for (i = 0; i < il_cfg.workers; i++) {
		if (&accept_share[i] == me ||
		    now - __atomic_load_n(&accept_share[i].at,
		    __ATOMIC_ACQUIRE) > ACCEPT_STALE)
			continue;
		if (accept_share[i].held < least)
			least = accept_share[i].held;
	}

	/*
	 * Full, or over its share: no turn.  Holding the lock with more
	 * than another worker: the turn is over (Kore hands the lock on at
	 * the next turn of the loop, as the worker is "full").  Otherwise
	 * ACCEPT_BATCH more, counted from what it holds now, so that a
	 * worker that kept the lock while its connections closed does not
	 * take a whole burst.
	 */
	if (held >= accept_max)
		worker_max_connections = accept_max;
	else if (least != UINT32_MAX && (held > least + ACCEPT_SLACK ||
	    (worker->has_lock && held > least)))
		worker_max_connections = held;
	else
		worker_max_connections = held + MIN(accept_max - held,
		    ACCEPT_BATCH);
}

void
kore_worker_configure(void)
{
	(void)snprintf(log_prefix, sizeof(log_prefix), "%s",
	    kore_worker_name(worker->id));
	(void)kore_timer_add(log_flush, 200, NULL, 0);
	if (accept_share != NULL && worker->id >= 1 &&
	    worker->id <= il_cfg.workers) {
		accept_max = worker_max_connections;
		accept_turn(NULL, kore_time_ms());
		(void)kore_timer_add(accept_turn, ACCEPT_TICK, NULL, 0);
	}
	dispatch_init();
	db_register(row_error);
	replica_init();
	notify_init();
}

void
kore_worker_teardown(void)
{
	(void)fflush(stdout);
	log_write();
}
