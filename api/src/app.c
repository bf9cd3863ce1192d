/*
 * The Kore application: start-up hooks, the seccomp additions this
 * glibc needs, and app_dispatch(), the single handler every route in
 * conf/interlibrary.conf points at.  Routing, method dispatch, CORS
 * preflight and input validation happen here so that every response,
 * errors included, goes through reply.c.
 */

#include <arpa/inet.h>
#include <sys/socket.h>

#include <kore/seccomp.h>
#include <kore/hooks.h>

#include <sodium.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void	app_onfree(struct http_request *);
static void	request_id_init(struct http_request *, struct il_req *);
static void	client_addr_init(struct http_request *, struct il_req *);
static int	body_init(struct http_request *, struct il_req *);
static int	method_bit(int);
static int	app_run(struct http_request *, struct il_req *);
static void	log_flush(void *, u_int64_t);

/* Hex of 8 random bytes, drawn when the worker starts. */
static char	request_id_prefix[17];

void
kore_parent_configure(int argc, char **argv)
{
	struct kore_server	*srv;
	char			opts[512];
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
	    "-c il.registration_window_seconds=%d",
	    il_cfg.session_idle_s, il_cfg.session_max_s,
	    il_cfg.login_fail_account, il_cfg.login_fail_addr,
	    il_cfg.login_window_s, il_cfg.register_per_addr,
	    il_cfg.register_window_s);
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
	u_int8_t	rnd[8];

	(void)setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
	(void)kore_timer_add(log_flush, 200, NULL, 0);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(request_id_prefix, sizeof(request_id_prefix), rnd,
	    sizeof(rnd));
	db_register(row_error);
}

void
kore_worker_teardown(void)
{
	(void)fflush(stdout);
}

static int
method_bit(int kore_method)
{
	/* Kore's method values are the same bits as IL_*. */
	return (kore_method == HTTP_METHOD_HEAD ? IL_GET : kore_method);
}

/*
 * Request ids need to be unique, not secret: a random prefix drawn once
 * per worker and a counter, so no system call per request.
 */
static void
request_id_init(struct http_request *req, struct il_req *st)
{
	static u_int64_t	counter;
	const char		*in;
	size_t			i, len;

	if (http_request_header(req, "x-request-id", &in)) {
		len = strlen(in);
		for (i = 0; i < len; i++) {
			if (!isalnum((unsigned char)in[i]) && in[i] != '-' &&
			    in[i] != '_' && in[i] != '.')
				break;
		}
		if (len >= 8 && len <= IL_REQUEST_ID_LEN && i == len) {
			memcpy(st->request_id, in, len + 1);
			return;
		}
	}
	(void)snprintf(st->request_id, sizeof(st->request_id), "%s%016llx",
	    request_id_prefix, (unsigned long long)++counter);
}

static void
client_addr_init(struct http_request *req, struct il_req *st)
{
	struct connection	*c = req->owner;
	const void		*src;
	int			af;

	(void)kore_strlcpy(st->client_addr, "127.0.0.1",
	    sizeof(st->client_addr));
	if (c == NULL)
		return;
	if (c->family == AF_INET) {
		af = AF_INET;
		src = &c->addr.ipv4.sin_addr;
	} else if (c->family == AF_INET6) {
		af = AF_INET6;
		src = &c->addr.ipv6.sin6_addr;
	} else {
		return;
	}
	if (inet_ntop(af, src, st->client_addr, sizeof(st->client_addr)) ==
	    NULL)
		(void)kore_strlcpy(st->client_addr, "127.0.0.1",
		    sizeof(st->client_addr));
}

static int
body_init(struct http_request *req, struct il_req *st)
{
	struct input_errors	errs;
	const struct endpoint	*ep = st->ep;
	const char		*ctype;
	char			*buf;
	ssize_t			n;
	size_t			len;
	int			ok;

	memset(&errs, 0, sizeof(errs));
	len = req->http_body_length;

	if (ep->body == NULL) {
		if (len > 0) {
			input_error_add(&errs, "body", "this endpoint takes "
			    "no request body");
			reply_invalid(req, &errs);
			return (-1);
		}
		return (0);
	}
	if (len == 0 && !(ep->flags & EP_JSON_BODY)) {
		st->body = json_object();
		return (0);
	}
	if (len > IL_BODY_MAX) {
		reply_problem(req, 413, "payload_too_large", "the request body "
		    "is larger than 65536 bytes", NULL);
		return (-1);
	}
	if (!http_request_header(req, "content-type", &ctype))
		ctype = "";
	ok = strncasecmp(ctype, "application/json", 16) == 0 &&
	    (ctype[16] == '\0' || ctype[16] == ';' || ctype[16] == ' ');
	if (!ok && (ep->flags & EP_MERGE_PATCH))
		ok = strncasecmp(ctype, "application/merge-patch+json", 28) ==
		    0 && (ctype[28] == '\0' || ctype[28] == ';' ||
		    ctype[28] == ' ');
	if (!ok) {
		reply_problem(req, 415, "unsupported_media_type",
		    (ep->flags & EP_MERGE_PATCH) ? "send the body as "
		    "application/json or application/merge-patch+json" :
		    "send the body as application/json", NULL);
		return (-1);
	}
	if (strcasestr(ctype, "charset=") != NULL &&
	    strcasestr(ctype, "charset=utf-8") == NULL) {
		reply_problem(req, 415, "unsupported_media_type",
		    "request bodies must be UTF-8", NULL);
		return (-1);
	}

	buf = kore_malloc(len + 1);
	n = http_body_read(req, buf, len);
	if (n < 0 || (size_t)n != len) {
		kore_free(buf);
		input_error_add(&errs, "body", "could not be read");
		reply_invalid(req, &errs);
		return (-1);
	}
	st->body = input_parse_body(buf, len, &errs);
	sodium_memzero(buf, len);
	kore_free(buf);
	if (st->body == NULL) {
		reply_invalid(req, &errs);
		return (-1);
	}
	if (input_check_object(st->body, ep->body,
	    (ep->flags & EP_MERGE_PATCH) ? IN_PATCH : 0, NULL, &errs) == -1) {
		reply_invalid(req, &errs);
		return (-1);
	}
	return (0);
}

int
app_dispatch(struct http_request *req)
{
	const struct endpoint	*ep;
	struct input_errors	errs;
	struct route_args	args;
	struct il_req		*st;
	size_t			i;
	int			allowed, bit, found;

	if (http_state_exists(req))
		return (app_run(req, http_state_get(req)));

	st = http_state_create(req, sizeof(*st), app_onfree);
	st->started = kore_time_ms();
	request_id_init(req, st);
	client_addr_init(req, st);
	st->phase = PH_DONE;

	bit = method_bit(req->method);
	allowed = 0;
	found = 0;
	ep = NULL;
	for (i = 0; i < endpoints_count; i++) {
		if (!router_match(endpoints[i].pattern, req->path, &args))
			continue;
		found = 1;
		allowed |= endpoints[i].method;
		if (endpoints[i].method == IL_GET)
			allowed |= IL_HEAD;
		if (ep == NULL && endpoints[i].method == bit) {
			ep = &endpoints[i];
			st->args = args;
		}
	}

	if (!found) {
		reply_problem(req, 404, "not_found", "there is no resource at "
		    "this path", NULL);
		return (KORE_RESULT_OK);
	}
	allowed |= IL_OPTIONS;
	if (req->method == HTTP_METHOD_OPTIONS) {
		reply_preflight(req, allowed);
		return (KORE_RESULT_OK);
	}
	if (ep == NULL) {
		reply_not_allowed(req, allowed);
		return (KORE_RESULT_OK);
	}
	st->ep = ep;

	if (auth_bearer(req, st) == -1)
		return (KORE_RESULT_OK);

	memset(&errs, 0, sizeof(errs));
	st->query = input_parse_query(req->query_string, ep->query, &errs);
	if (st->query == NULL) {
		reply_invalid(req, &errs);
		return (KORE_RESULT_OK);
	}
	if (body_init(req, st) == -1)
		return (KORE_RESULT_OK);

	if (ep->start != NULL)
		ep->start(req, st);
	else
		endpoint_generic(req, st);

	return (app_run(req, st));
}

/*
 * Run the request's database calls and tasks until it waits or is done;
 * a request that no step answered gets a 500.
 */
static int
app_run(struct http_request *req, struct il_req *st)
{
	if (db_run(req, st) == KORE_RESULT_RETRY)
		return (KORE_RESULT_RETRY);
	if (!st->replied) {
		kore_log(LOG_ERR, "request %s: no reply", st->request_id);
		reply_internal(req);
	}
	return (KORE_RESULT_OK);
}

/* May run several times for one request (kore-notes.md): idempotent. */
static void
app_onfree(struct http_request *req)
{
	struct il_req	*st;

	if ((st = http_state_get(req)) == NULL)
		return;
	pwhash_free(st);
	if (st->freed)
		return;
	if (st->task_started && !kore_task_finished(&st->task))
		return;
	st->freed = 1;
	db_free_params(st);
	if (st->query != NULL)
		json_decref(st->query);
	if (st->body != NULL)
		json_decref(st->body);
	st->query = st->body = NULL;
	if (st->saved != NULL) {
		sodium_memzero(st->saved, st->saved_len);
		kore_free(st->saved);
		st->saved = NULL;
	}
}
