/*
 * Interlibrary API: declarations that need Kore.  Pure code is in il.h.
 */

#ifndef IL_API_H
#define IL_API_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/tasks.h>

#include "il.h"

struct il_req;

typedef void	(*il_step)(struct http_request *, struct il_req *);
typedef void	(*il_rows)(struct http_request *, struct il_req *,
		    PGresult *);
typedef void	(*il_fail)(struct http_request *, struct il_req *,
		    PGresult *, const char *);

/* Endpoint flags. */
#define EP_AUTH		0x0001	/* needs a bearer token (SQL checks it too) */
#define EP_FEED		0x0002	/* public cacheable feed */
#define EP_JSON_BODY	0x0004	/* takes a JSON body (spec in body) */
#define EP_MERGE_PATCH	0x0008	/* body is a merge patch */
#define EP_NO_STORE	0x0010	/* never cacheable even when anonymous */
#define EP_INVALIDATES_FEEDS 0x0020	/* a success changes what feeds show */

/*
 * One row a route: the handler is either the generic SQL call (sql set)
 * or a custom flow (start set).  The generic call runs
 *   sql($1 token hash, $2 path args, $3 query, $4 body, $5 client address)
 * whose single row is (status, body, location, next_cursor, etag_extra).
 */
struct endpoint {
	int			method;
	const char		*pattern;
	const char		*sql;
	const struct field	*query;
	const struct field	*body;
	int			flags;
	void			(*start)(struct http_request *,
				    struct il_req *);
	const char		*content_type;	/* NULL: JSON */
};

/* Phases of the per-request state machine (db.c). */
#define PH_START	0
#define PH_DB_SETUP	1
#define PH_DB_WAIT	2
#define PH_NEXT		3
#define PH_TASK		4
#define PH_DONE		5

struct pw_job;

struct il_req {
	char			request_id[IL_REQUEST_ID_LEN + 1];
	u_int64_t		started;	/* ms, first pass */
	const struct endpoint	*ep;
	struct route_args	args;
	int			phase;
	int			replied;
	int			freed;

	/* Caller identity as the request claims it. */
	int			has_token;
	u_int8_t		token_hash[IL_TOKEN_HASH_BYTES];
	char			client_addr[64];

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

	/* A password task (pwhash.c). */
	struct kore_task	task;
	int			task_started;
	int			task_counted;
	il_step			on_task;
	struct pw_job		*pw;

	/* Scratch for multi-step flows. */
	long long		member_id;
	char			*saved;		/* wiped on free */
	size_t			saved_len;
};

/* config.c */
struct il_config {
	const char	*database_url;
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
};
extern struct il_config	il_cfg;
void	config_load(void);

/* http/dispatch.c */
void	dispatch_init(void);
void	*dispatch_scratch(struct il_req *, size_t);
int	app_dispatch(struct http_request *);

/* reply.c: the only code that sends responses. */
void	reply_json(struct http_request *, int, const char *, size_t);
void	reply_jsonv(struct http_request *, int, json_t *);
#define REPLY_ETAG_LEN	35
void	reply_etag(const void *, size_t, char *);
void	reply_body(struct http_request *, int, const char *, const char *,
	    size_t);
void	reply_body_etag(struct http_request *, int, const char *,
	    const char *, size_t, const char *);
void	reply_empty(struct http_request *, int);
void	reply_internal(struct http_request *);
void	reply_not_found(struct http_request *);
void	reply_problem(struct http_request *, int, const char *, const char *,
	    const struct input_errors *);
void	reply_invalid(struct http_request *, const struct input_errors *);
void	reply_retry_after(struct http_request *, int);
void	reply_preflight(struct http_request *, int);
void	reply_not_allowed(struct http_request *, int);

/* http/url.c */
int	url_api(char *, size_t, const char *);
void	url_qs_append(struct kore_buf *, const char *, const char *);
void	url_qs_value(struct kore_buf *, const char *, json_t *);
char	*url_query(const struct field *, json_t *);

/* http/row.c: database answers into HTTP answers. */
int	row_status(PGresult *);
void	row_location(struct http_request *, const char *);
void	row_reply(struct http_request *, struct il_req *, PGresult *);
void	row_rate_headers(struct http_request *, PGresult *, int);
void	row_error(struct http_request *, struct il_req *, PGresult *,
	    const char *);

/* db.c */
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

/* endpoints.c */
extern const struct endpoint	endpoints[];
extern const size_t		endpoints_count;
void	call_generic(struct http_request *, struct il_req *);
void	call_bind_standard(struct il_req *);

/* auth/auth.c: bearer tokens, and the one answer to a missing or bad one. */
#define AUTH_TOKEN_B64_LEN	43
#define AUTH_BEARER		"Bearer"
#define AUTH_INVALID_TOKEN	"Bearer error=\"invalid_token\""
#define AUTH_LOGIN_FIRST	"log in first: this needs " \
				"\"Authorization: Bearer <token>\""
void	auth_refuse(struct http_request *, const char *, const char *,
	    const char *);
int	auth_required(struct http_request *, struct il_req *, const char *);
int	auth_bearer(struct http_request *, struct il_req *);
void	auth_token_new(char *, size_t, u_int8_t *);
void	auth_forget(json_t *, const char *);
struct auth_minted {		/* a new token, in st->saved */
	char		token[AUTH_TOKEN_B64_LEN + 1];
	u_int8_t	hash[IL_TOKEN_HASH_BYTES];
};
struct auth_minted *auth_mint(struct il_req *);

/* pwhash.c */
void	pwhash_busy(struct http_request *);
void	pwhash_init(void);
int	pwhash_start(struct http_request *, struct il_req *, const char *,
	    size_t, const char *, const char *, size_t, il_step);
int	pwhash_ok(struct il_req *);
const char *pwhash_result(struct il_req *);
void	pwhash_done(struct il_req *);
void	pwhash_free(struct il_req *);
extern char	pwhash_dummy[];

/* health.c */
void	health_live(struct http_request *, struct il_req *);
void	health_ready(struct http_request *, struct il_req *);

/* members.c */
void	members_register(struct http_request *, struct il_req *);
void	members_password(struct http_request *, struct il_req *);

/* sessions.c */
void	sessions_login(struct http_request *, struct il_req *);
void	sessions_token_create(struct http_request *, struct il_req *);

/* events.c */
extern const struct field	ev_q_list[];
extern const struct field	ev_q_rsvps[];
extern const struct field	ev_q_invitations[];
extern const struct field	ev_b_create[];
extern const struct field	ev_b_patch[];
extern const struct field	ev_b_cancel[];
extern const struct field	ev_b_rsvp[];
extern const struct field	ev_b_attendance[];
extern const struct field	ev_b_invite[];
extern const struct field	ev_b_invitation[];
void	ev_rsvps_start(struct http_request *, struct il_req *);

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
	    const char *);
void	cache_invalidate(int);
void	cache_write_row(struct http_request *, struct il_req *, PGresult *);

/* feeds/feeds.c */
extern const struct field	feeds_q[];
extern const struct field	feeds_q_org[];
extern const struct field	feeds_q_calendar[];
void	feeds_start(struct http_request *, struct il_req *);
void	feeds_event_start(struct http_request *, struct il_req *);
void	feeds_rows(struct http_request *, struct il_req *, PGresult *);

/* feeds/list.c */
void	list_start(struct http_request *, struct il_req *);

/* feeds/calendar.c */
void	calendar_start(struct http_request *, struct il_req *);
void	calendar_key_create(struct http_request *, struct il_req *);

/* mentorships.c */
extern const struct field	mt_q_mentors[];
extern const struct field	mt_q_suggestions[];
extern const struct field	mt_q_list[];
extern const struct field	mt_q_check_ins[];
extern const struct field	mt_b_create[];
extern const struct field	mt_b_patch[];
extern const struct field	mt_b_check_in[];

/* collaborations.c */
extern const struct field	co_q_list[];
extern const struct field	co_q_participants[];
extern const struct field	co_q_reports[];
extern const struct field	co_b_create[];
extern const struct field	co_b_patch[];
extern const struct field	co_b_participant[];
extern const struct field	co_b_participant_patch[];
extern const struct field	co_b_update[];
extern const struct field	co_b_report[];
extern const struct field	co_b_report_patch[];
void	co_activity_rss_start(struct http_request *, struct il_req *);

/* Field specs shared by endpoint rows. */
extern const struct field	q_list[];

#endif /* !IL_API_H */
