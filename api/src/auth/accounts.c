/*
 * Registration, password changes and password resets: the member flows
 * that hash a password, so they run as query -> task -> query instead
 * of the generic single call.
 */

#include <string.h>

#include "api.h"

#define REGISTER_BEGIN	"SELECT status, body::text, NULL, NULL, retry_after, " \
			"rl_limit, rl_remaining FROM api.register_begin($1, $2)"
#define REGISTER	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.register($1, $2)"
#define PASSWORD_BEGIN	"SELECT member_id, password_hash " \
			"FROM api.password_begin($1)"
#define PASSWORD_FINISH	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.password_finish($1, $2, $3)"
#define RESET_CHECK	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.password_reset_check($1)"
#define RESET_FINISH	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.password_reset_finish($1, $2)"

static void	register_checked(struct http_request *, struct il_req *,
		    PGresult *);
static void	register_hash(struct http_request *, struct il_req *);
static void	register_insert(struct http_request *, struct il_req *);
static void	password_row(struct http_request *, struct il_req *,
		    PGresult *);
static void	password_verify(struct http_request *, struct il_req *);
static void	password_store(struct http_request *, struct il_req *);
static void	reset_checked(struct http_request *, struct il_req *,
		    PGresult *);
static void	reset_hash(struct http_request *, struct il_req *);
static void	reset_store(struct http_request *, struct il_req *);

/*
 * POST /v1/members: throttle and check the email (register_begin), hash
 * the password in a task, then insert (register).  An email invitation's
 * token reaches SQL as its SHA-256 only.
 */
void
accounts_register(struct http_request *req, struct il_req *st)
{
	auth_hash_field(st->body, "invitation");
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "email")));
	db_param_text(st, st->client_addr);
	db_call(req, st, REGISTER_BEGIN, register_checked, register_hash);
}

static void
register_checked(struct http_request *req, struct il_req *st, PGresult *res)
{
	if (PQntuples(res) != 1)
		return;
	row_rate_headers(req, res, 5);
	/* A refusal (429, 409) is answered now; 200 goes on to hashing. */
	if (strcmp(PQgetvalue(res, 0, 0), "200") != 0)
		row_reply(req, st, res);
}

static void
register_hash(struct http_request *req, struct il_req *st)
{
	json_t		*pw;

	pw = json_object_get(st->body, "password");
	if (pwhash_start(req, st, json_string_value(pw),
	    json_string_length(pw), NULL, NULL, 0, register_insert) == -1) {
		pwhash_busy(req);
		return;
	}
	auth_forget(st->body, "password");
}

static void
register_insert(struct http_request *req, struct il_req *st)
{
	const char	*hash;

	if (pwhash_unanswered(req, st))
		return;
	if ((hash = pwhash_result(st)) == NULL) {
		reply_internal(req);
		return;
	}
	db_param_json(st, st->body);
	db_param_text(st, hash);
	pwhash_free(st);
	db_call(req, st, REGISTER, row_reply, NULL);
}

/*
 * PUT /v1/me/password: the stored hash (password_begin), verify the
 * current password and hash the new one in a task, then store
 * (password_finish).
 */
void
accounts_password(struct http_request *req, struct il_req *st)
{
	if (auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	db_call(req, st, PASSWORD_BEGIN, password_row, password_verify);
}

static void
password_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	(void)req;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 1)) {
		st->saved = kore_strdup(PQgetvalue(res, 0, 1));
		st->saved_len = strlen(st->saved);
	}
}

static void
password_verify(struct http_request *req, struct il_req *st)
{
	json_t		*cur, *new;

	if (st->saved == NULL) {
		reply_internal(req);
		return;
	}
	cur = json_object_get(st->body, "current_password");
	new = json_object_get(st->body, "new_password");
	if (pwhash_start(req, st, json_string_value(cur),
	    json_string_length(cur), st->saved, json_string_value(new),
	    json_string_length(new), password_store) == -1) {
		pwhash_busy(req);
		return;
	}
	auth_forget(st->body, "current_password");
	auth_forget(st->body, "new_password");
}

static void
password_store(struct http_request *req, struct il_req *st)
{
	const char	*hash;

	if (pwhash_unanswered(req, st))
		return;
	hash = pwhash_result(st);
	db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	db_param_text(st, hash != NULL ? "true" : "false");
	db_param_text(st, hash);
	pwhash_free(st);
	db_call(req, st, PASSWORD_FINISH, row_reply, NULL);
}

/*
 * POST /v1/password-resets/confirm {token, password}: is the link good
 * (password_reset_check: a 400 answers now), hash the new password in a
 * task, then use the link, store the hash and end every session
 * (password_reset_finish, 204).  "token" is already its SHA-256 hex
 * (EP_HASH_TOKEN).
 */
void
accounts_reset(struct http_request *req, struct il_req *st)
{
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "token")));
	db_call(req, st, RESET_CHECK, reset_checked, reset_hash);
}

static void
reset_checked(struct http_request *req, struct il_req *st, PGresult *res)
{
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "200") != 0)
		row_reply(req, st, res);
}

static void
reset_hash(struct http_request *req, struct il_req *st)
{
	json_t		*pw;

	pw = json_object_get(st->body, "password");
	if (pwhash_start(req, st, json_string_value(pw),
	    json_string_length(pw), NULL, NULL, 0, reset_store) == -1) {
		pwhash_busy(req);
		return;
	}
	auth_forget(st->body, "password");
}

static void
reset_store(struct http_request *req, struct il_req *st)
{
	const char	*hash;

	if (pwhash_unanswered(req, st))
		return;
	if ((hash = pwhash_result(st)) == NULL) {
		reply_internal(req);
		return;
	}
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "token")));
	db_param_text(st, hash);
	pwhash_free(st);
	db_call(req, st, RESET_FINISH, row_reply, NULL);
}
