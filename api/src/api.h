/*
 * Interlibrary API: the Kore half of the project header.  Pure code
 * (router, input validation, problem bodies, the route table and the
 * field tables) is declared in il.h, included here.
 *
 * How a request flows, by folder:
 *
 *   http/dispatch.c   app_dispatch(): request id, route (http/routes.c),
 *                     CORS preflight, bearer token (auth/auth.c), query
 *                     and body validation (http/input*.c), then the
 *                     route's start or the generic call
 *   resources/, feeds/, auth/
 *                     starts: bind parameters, call SQL (or a password
 *                     task), turn special rows into answers
 *   db/db.c           one async pgsql state machine for every call; it
 *                     hands rows back and never answers; db/prepared.c
 *                     sends each statement prepared
 *   http/row.c        rows and SQL errors into statuses and headers
 *   http/reply.c      the only code that sends a response
 *
 * Prototypes are grouped by the file that defines them.
 */

#ifndef IL_API_H
#define IL_API_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/tasks.h>

#include "il.h"

typedef void	(*il_step)(struct http_request *, struct il_req *);
typedef void	(*il_rows)(struct http_request *, struct il_req *,
		    PGresult *);
typedef void	(*il_fail)(struct http_request *, struct il_req *,
		    PGresult *, const char *);

/* Phases of the per-request state machine (db/db.c). */
#define PH_DB_SETUP	1
#define PH_DB_SEND	2
#define PH_DB_WAIT	3
#define PH_NEXT		4
#define PH_TASK		5
#define PH_DONE		6
#define PH_SLEEP	7	/* asleep until woken, then st->next */

struct pw_job;

/* The per-request state (http_state_create() in dispatch.c). */
struct il_req {
	char			request_id[IL_REQUEST_ID_LEN + 1];
	u_int64_t		started;	/* ms, first pass */
	const struct endpoint	*ep;		/* the matched route */
	struct route_args	args;
	int			phase;
	int			replied;
	int			freed;

	/* Caller identity as the request claims it. */
	int			has_token;
	u_int8_t		token_hash[IL_TOKEN_HASH_BYTES];
	char			client_addr[64];
	/* The If-Match header (Kore's copy, lives as long as req), or NULL. */
	const char		*if_match;

	/* Validated inputs. */
	json_t			*query;
	json_t			*body;

	/* The database call. */
	struct kore_pgsql	sql;
	int			sql_bound;
	const char		*stmt;
	int			nparams;
	char			*pvals[IL_MAX_PARAMS];
	int			plens[IL_MAX_PARAMS];
	int			pfmts[IL_MAX_PARAMS];
	il_rows			on_rows;
	il_step			next;
	int			db_reset;	/* its connection was reset */
	int			db_answered;	/* a result arrived */
	int			db_replica;	/* this call runs on the replica */
	int			db_fallback;	/* then again on the primary */

	/* A password task (auth/pwhash.c). */
	struct kore_task	task;
	int			task_started;
	int			task_counted;
	il_step			on_task;
	struct pw_job		*pw;

	/* The feeds cache (feeds/cache.c). */
	const char		*cache_status;	/* access log; NULL: none */
	int			cache_waited;	/* slept for a flight */

	/* Scratch for multi-step flows. */
	long long		member_id;
	long long		attempt_id;	/* a login's failure record */
	char			*saved;		/* wiped on free */
	size_t			saved_len;
};

/* config.c */
#define IL_PROXIES_MAX	8

struct il_config {
	const char	*database_url;
	const char	*replica_url;	/* NULL: no replica */
	const char	*trusted_proxies;	/* NULL: none (TRUSTED_PROXIES) */
	int		replica_max_lag_ms;
	const char	*listen;
	const char	*port;
	int		workers;
	int		db_pool;
	int		db_queue;
	int		hash_threads;
	int		hash_queue;
	const char	*public_api_url;
	const char	*public_web_url;
	int		session_idle_s;
	int		session_max_s;
	int		login_fail_account;
	int		login_fail_addr;
	int		login_window_s;
	int		register_per_addr;
	int		register_window_s;
	int		resets_per_addr;
	int		resets_per_client;
	int		reset_window_s;
};
extern struct il_config	il_cfg;
void	config_load(void);

/* app.c: the access log (one line a request; see there). */
void	app_log(const char *, ...) __attribute__((format(printf, 1, 2)));

/* http/dispatch.c: the one Kore handler. */
void	dispatch_init(void);
int	app_dispatch(struct http_request *);
void	*dispatch_scratch(struct il_req *, size_t);

/* http/sendq.c: a connection's answers leave in one writev(2). */
void	sendq_use(struct connection *);

/* http/reply.c: the only code that sends responses. */
#define REPLY_ETAG_LEN	35
void	reply_etag(const void *, size_t, char *);
void	reply_json(struct http_request *, int, const char *, size_t);
void	reply_jsonv(struct http_request *, int, json_t *);
void	reply_body(struct http_request *, int, const char *, const char *,
	    size_t);
void	reply_body_etag(struct http_request *, int, const char *,
	    const char *, size_t, const char *, time_t);
void	reply_empty(struct http_request *, int);
void	reply_internal(struct http_request *);
void	reply_not_found(struct http_request *);
void	reply_problem(struct http_request *, int, const char *, const char *,
	    const struct input_errors *);
void	reply_invalid(struct http_request *, const struct input_errors *);
void	reply_retry_after(struct http_request *, int);
void	reply_preflight(struct http_request *, int);
void	reply_not_allowed(struct http_request *, int);

/* http/row.c: database answers into HTTP answers. */
int	row_status(PGresult *);
void	row_location(struct http_request *, const char *);
int	row_body(PGresult *, struct kore_buf *);
void	row_reply(struct http_request *, struct il_req *, PGresult *);
void	row_rate_headers(struct http_request *, PGresult *, int);
void	row_error(struct http_request *, struct il_req *, PGresult *,
	    const char *);

/* http/url.c: the URLs and query strings the API makes. */
int	url_api(char *, size_t, const char *);
void	url_qs_append(struct kore_buf *, const char *, const char *);
void	url_qs_value(struct kore_buf *, const char *, json_t *);
char	*url_query(const struct field *, json_t *);

/* db/db.c: the one asynchronous PostgreSQL path. */
void	db_register(il_fail);
void	db_param_text(struct il_req *, const char *);
void	db_param_len(struct il_req *, const char *, size_t);
void	db_param_null(struct il_req *);
void	db_param_json(struct il_req *, json_t *);
void	db_param_bytes(struct il_req *, const u_int8_t *, size_t);
void	db_call(struct http_request *, struct il_req *, const char *,
	    il_rows, il_step);
int	db_run(struct http_request *, struct il_req *);
void	db_free_params(struct il_req *);
void	db_release(struct il_req *);

/* db/prepared.c: statements prepared once per connection. */
int	prepared_send(struct il_req *, const char **);
void	prepared_forget(PGconn *);
int	prepared_stale(PGresult *);

/* db/notify.c: the cache's notification connection (LISTEN). */
#define NOTIFY_CHANNEL	"il_cache"
void	notify_init(void);
const char *notify_primary_lsn(u_int64_t *);
PostgresPollingStatusType notify_connect_step(PGconn *,
	    PostgresPollingStatusType);

/* db/replica.c: whether anonymous reads may use the replica. */
#define REPLICA_DB	"replica"
void	replica_init(void);
int	replica_usable(void);
void	replica_failed(void);
void	replica_invalidated(void);

/* auth/auth.c: bearer tokens, and the one answer to a missing or bad one. */
#define AUTH_TOKEN_B64_LEN	43
#define AUTH_BEARER		"Bearer"
#define AUTH_INVALID_TOKEN	"Bearer error=\"invalid_token\""
#define AUTH_LOGIN_FIRST	"log in first: this needs " \
				"\"Authorization: Bearer <token>\""
struct auth_minted {		/* a new token, in st->saved */
	char		token[AUTH_TOKEN_B64_LEN + 1];
	u_int8_t	hash[IL_TOKEN_HASH_BYTES];
};
void	auth_refuse(struct http_request *, const char *, const char *,
	    const char *);
int	auth_required(struct http_request *, struct il_req *, const char *);
int	auth_bearer(struct http_request *, struct il_req *);
void	auth_token_new(char *, size_t, u_int8_t *);
struct auth_minted *auth_mint(struct il_req *);
void	auth_forget(json_t *, const char *);
void	auth_hash_field(json_t *, const char *);

/* auth/pwhash.c: Argon2id in Kore tasks, bounded. */
extern char	pwhash_dummy[];
void	pwhash_init(void);
int	pwhash_start(struct http_request *, struct il_req *, const char *,
	    size_t, const char *, const char *, size_t, il_step);
void	pwhash_busy(struct http_request *);
int	pwhash_answered(struct il_req *);
void	pwhash_unavailable(struct http_request *);
int	pwhash_unanswered(struct http_request *, struct il_req *);
int	pwhash_ok(struct il_req *);
const char *pwhash_result(struct il_req *);
void	pwhash_done(struct il_req *);
void	pwhash_free(struct il_req *);

/* auth/accounts.c: registration, password changes and resets. */
void	accounts_register(struct http_request *, struct il_req *);
void	accounts_password(struct http_request *, struct il_req *);
void	accounts_reset(struct http_request *, struct il_req *);

/* auth/sessions.c: logging in and personal access tokens. */
void	sessions_login(struct http_request *, struct il_req *);
void	sessions_token_create(struct http_request *, struct il_req *);

/* resources/call.c: the generic SQL call. */
void	call_generic(struct http_request *, struct il_req *);
void	call_bind_standard(struct il_req *);

/* resources/health.c */
void	health_live(struct http_request *, struct il_req *);
void	health_ready(struct http_request *, struct il_req *);

/* resources/rsvps.c */
void	rsvps_start(struct http_request *, struct il_req *);

/* resources/series.c: POST /v1/events, a single event or a series. */
void	series_event_create(struct http_request *, struct il_req *);

/* resources/activity.c */
void	activity_rss_start(struct http_request *, struct il_req *);

/* feeds/cache.c: the public feeds cache (the design is at its top). */
enum feeds_format { FEEDS_ICS, FEEDS_RSS, FEEDS_JSON };
struct feeds_pending {		/* a feed request's scratch, in st->saved */
	u_int64_t	gen;		/* cache generation at query time */
	u_int64_t	born;		/* ms: when the query was sent */
	int		format;		/* enum feeds_format */
	int		cache;		/* look up and keep under key */
	char		key[];
};
struct feeds_pending *cache_pending(struct il_req *, const char *, int);
int	cache_serve(struct http_request *, struct il_req *,
	    struct feeds_pending *);
int	cache_wants(const struct feeds_pending *);
void	cache_store(struct feeds_pending *, char *, size_t, const char *,
	    const char *, time_t);
void	cache_shared_init(void);
void	cache_invalidate(void);
void	cache_notified(const char *);
void	cache_listening(int);
void	cache_write_row(struct http_request *, struct il_req *, PGresult *);
void	cache_flight_end(struct http_request *);

/* feeds/feeds.c: the public event feeds and feed rendering. */
void	feeds_start(struct http_request *, struct il_req *);
void	feeds_event_start(struct http_request *, struct il_req *);
void	feeds_rows(struct http_request *, struct il_req *, PGresult *);

/* feeds/list.c: anonymous GET /v1/events through the cache. */
void	list_start(struct http_request *, struct il_req *);

/* feeds/calendar.c: the personal calendar and its key. */
void	calendar_start(struct http_request *, struct il_req *);
void	calendar_key_create(struct http_request *, struct il_req *);

#endif /* !IL_API_H */
