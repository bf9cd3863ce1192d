/*
 * Logging in and personal access tokens: the flows that mint a token
 * (auth_token_new(): shown once, only its hash reaches the database).
 *
 * Login runs query -> task -> query: throttles and the stored hash, then
 * Argon2id verification in a task (against a dummy hash with the current
 * parameters when the email is unknown, so both failures cost the same
 * and answer the same bytes), then the session or the counted failure.
 */

#include <sodium.h>

#include <string.h>

#include "api.h"

#define LOGIN_BEGIN	"SELECT status, body::text, retry_after, member_id, " \
			"password_hash, rl_limit, rl_remaining, attempt " \
			"FROM api.login_begin($1, $2)"
#define LOGIN_UNDO	"SELECT api.login_undo($1)"
#define LOGIN_FINISH	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.login_finish($1, $2, $3, $4, $5, " \
			"$6, $7)"
#define TOKEN_CREATE	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.token_create($1, $2, $3, $4)"


static void	login_row(struct http_request *, struct il_req *, PGresult *);
static void	login_verify(struct http_request *, struct il_req *);
static void	login_finish(struct http_request *, struct il_req *);
static void	login_undo(struct http_request *, struct il_req *, il_step);
static void	login_busy(struct http_request *, struct il_req *);
static void	login_lost(struct http_request *, struct il_req *);
static void	reply_with_token(struct http_request *, struct il_req *,
		    PGresult *);

static void
reply_with_token(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct auth_minted	*m = (struct auth_minted *)st->saved;
	json_t			*body;

	if (row_status(res) != 201 || m == NULL) {
		row_reply(req, st, res);
		return;
	}
	if ((body = json_loads(PQgetvalue(res, 0, 1), 0, NULL)) == NULL) {
		reply_internal(req);
		return;
	}
	json_object_set_new(body, "token", json_string(m->token));
	if (!PQgetisnull(res, 0, 2))
		row_location(req, PQgetvalue(res, 0, 2));
	reply_jsonv(req, 201, body);
}

/* POST /v1/sessions: see the top of this file. */
void
sessions_login(struct http_request *req, struct il_req *st)
{
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "email")));
	db_param_text(st, st->client_addr);
	db_call(req, st, LOGIN_BEGIN, login_row, login_verify);
}

static void
login_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	int		err;

	if (PQntuples(res) != 1)
		return;
	row_rate_headers(req, res, 5);
	if (strcmp(PQgetvalue(res, 0, 0), "200") != 0) {
		if (!PQgetisnull(res, 0, 2))
			reply_retry_after(req, (int)kore_strtonum(
			    PQgetvalue(res, 0, 2), 10, 1, 86400, &err));
		reply_body(req, (int)kore_strtonum(PQgetvalue(res, 0, 0), 10,
		    400, 599, &err), "application/problem+json",
		    PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
		return;
	}
	st->member_id = 0;
	if (!PQgetisnull(res, 0, 3)) {
		st->member_id = kore_strtonum(PQgetvalue(res, 0, 3), 10, 1,
		    LLONG_MAX, &err);
		if (err != KORE_RESULT_OK)
			st->member_id = 0;
	}
	st->attempt_id = kore_strtonum64(PQgetvalue(res, 0, 7), 1, &err);
	if (err != KORE_RESULT_OK)
		st->attempt_id = 0;
	if (st->member_id > 0 && !PQgetisnull(res, 0, 4)) {
		st->saved = kore_strdup(PQgetvalue(res, 0, 4));
		st->saved_len = strlen(st->saved);
	}
}

static void
login_verify(struct http_request *req, struct il_req *st)
{
	json_t		*pw;
	const char	*hash;

	/* Unknown email: verify against the dummy hash all the same. */
	hash = st->saved != NULL ? st->saved : pwhash_dummy;
	pw = json_object_get(st->body, "password");
	if (pwhash_start(req, st, json_string_value(pw),
	    json_string_length(pw), hash, NULL, 0, login_finish) == -1) {
		login_undo(req, st, login_busy);
		return;
	}
	auth_forget(st->body, "password");
	if (st->saved != NULL) {
		kore_free(st->saved);
		st->saved = NULL;
		st->saved_len = 0;
	}
}

static void
login_finish(struct http_request *req, struct il_req *st)
{
	struct auth_minted	*m;
	const char		*agent;
	char			id[32];
	int			ok;

	if (!pwhash_answered(st)) {
		login_undo(req, st, login_lost);
		return;
	}
	ok = pwhash_ok(st) && st->member_id > 0;
	m = auth_mint(st);
	if (st->member_id > 0) {
		(void)snprintf(id, sizeof(id), "%lld", st->member_id);
		db_param_text(st, id);
	} else {
		db_param_null(st);
	}
	db_param_text(st, ok ? "true" : "false");
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "email")));
	db_param_text(st, st->client_addr);
	db_param_bytes(st, m->hash, sizeof(m->hash));
	db_param_text(st, ok ? pwhash_result(st) : NULL);
	if (!http_request_header(req, "user-agent", &agent))
		agent = NULL;
	db_param_text(st, agent);
	pwhash_free(st);
	db_call(req, st, LOGIN_FINISH, reply_with_token, NULL);
}

/*
 * The password was not checked (the hashing queue was full, or the
 * hasher lost the job): no verdict, so the failure login_begin recorded
 * goes (api.login_undo), then reply answers 503.
 */
static void
login_undo(struct http_request *req, struct il_req *st, il_step reply)
{
	char	id[32];

	(void)snprintf(id, sizeof(id), "%lld", st->attempt_id);
	db_param_text(st, id);
	pwhash_free(st);
	db_call(req, st, LOGIN_UNDO, NULL, reply);
}

static void
login_busy(struct http_request *req, struct il_req *st)
{
	(void)st;
	pwhash_busy(req);
}

static void
login_lost(struct http_request *req, struct il_req *st)
{
	(void)st;
	pwhash_unavailable(req);
}

/* POST /v1/me/tokens: mint a personal access token, store its hash. */
void
sessions_token_create(struct http_request *req, struct il_req *st)
{
	struct auth_minted	*m;

	if (auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	m = auth_mint(st);
	db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	db_param_json(st, st->body);
	db_param_bytes(st, m->hash, sizeof(m->hash));
	db_param_text(st, st->client_addr);
	db_call(req, st, TOKEN_CREATE, reply_with_token, NULL);
}
