/*
 * The Kore application's start-up: the parent reads the configuration
 * and sets Kore's globals, each worker registers the database and its
 * request ids, and the seccomp additions this glibc needs.  Requests
 * start in http/dispatch.c (app_dispatch()).
 */

#include <sys/types.h>

#include <kore/seccomp.h>
#include <kore/hooks.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>

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

static void	log_flush(void *, u_int64_t);

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

	n = snprintf(opts, sizeof(opts),
	    "-c statement_timeout=15000 "
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
 * The access log goes to stdout, one line a request.  A write(2) per
 * line would cost more than the request itself on the fast routes, so
 * stdout is block-buffered and flushed every 200 ms: a line reaches the
 * log within that time.
 */
static void
log_flush(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	(void)fflush(stdout);
}

void
kore_worker_configure(void)
{
	(void)setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
	(void)kore_timer_add(log_flush, 200, NULL, 0);
	dispatch_init();
	db_register(row_error);
	replica_init();
	notify_init();
}

void
kore_worker_teardown(void)
{
	(void)fflush(stdout);
}
