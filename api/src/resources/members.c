/*
 * The field tables of members, sessions and the caller's own account
 * (profile, password, tokens, notifications).  Pure data (il.h only):
 * the routes are in http/routes.c, the flows that hash passwords or
 * mint tokens in auth/, the meaning in sql/migrations/0002_members.sql.
 */

#include "il.h"

static const char *const visibility_values[] = {
	"public", "members", "private", NULL
};
static const char *const invitation_values[] = {
	"anyone", "met", "organizations", "nobody", NULL
};
static const char *const scope_values[] = { "read", "write", NULL };
static const char *const mentoring_values[] = { "available", NULL };

/* GET /v1/members */
const struct field mb_q_list[] = {
	{ .name = "q", .type = FT_STRING, .min = 1, .max = 100 },
	{ .name = "skill", .type = FT_STRING, .min = 1, .max = 40 },
	{ .name = "interest", .type = FT_STRING, .min = 1, .max = 40 },
	{ .name = "city", .type = FT_STRING, .min = 1, .max = 80 },
	{ .name = "organization", .type = FT_STRING, .min = 1, .max = 64 },
	{ .name = "mentoring", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = mentoring_values },
	FIELDS_NEAR,
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/me/notifications */
const struct field mb_q_notifications[] = {
	{ .name = "unread", .type = FT_BOOL },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* POST /v1/members */
const struct field mb_b_register[] = {
	{ .name = "email", .type = FT_EMAIL, .flags = FF_REQUIRED,
	    .min = 3, .max = 254 },
	{ .name = "password", .type = FT_SECRET, .flags = FF_REQUIRED,
	    .min = IL_PASSWORD_MIN, .max = IL_PASSWORD_MAX },
	{ .name = "display_name", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 80 },
	/* An email invitation's token (hashed before SQL sees it). */
	{ .name = "invitation", .type = FT_SECRET, .min = IL_MAIL_TOKEN_LEN,
	    .max = IL_MAIL_TOKEN_LEN },
	FIELDS_END
};

/* POST /v1/sessions: any stored password may be tried, new or old. */
const struct field mb_b_login[] = {
	{ .name = "email", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 254 },
	{ .name = "password", .type = FT_SECRET, .flags = FF_REQUIRED,
	    .min = 1, .max = IL_PASSWORD_MAX },
	FIELDS_END
};

/* PATCH /v1/me: mentoring and visibility are nested objects. */
static const struct field mb_mentoring[] = {
	{ .name = "available", .type = FT_BOOL },
	{ .name = "topics", .type = FT_STRINGS, .flags = FF_NULLABLE,
	    .min = 0, .max = 10, .item_max = 40 },
	{ .name = "capacity", .type = FT_INT, .flags = FF_NULLABLE,
	    .min = 0, .max = 10 },
	FIELDS_END
};

static const struct field mb_visibility[] = {
	{ .name = "about", .type = FT_ENUM, .flags = FF_NULLABLE,
	    .min = 1, .max = 20, .values = visibility_values },
	{ .name = "affiliations", .type = FT_ENUM, .flags = FF_NULLABLE,
	    .min = 1, .max = 20, .values = visibility_values },
	{ .name = "mentoring", .type = FT_ENUM, .flags = FF_NULLABLE,
	    .min = 1, .max = 20, .values = visibility_values },
	FIELDS_END
};

const struct field mb_b_me[] = {
	{ .name = "display_name", .type = FT_STRING, .min = 1, .max = 80 },
	{ .name = "pronouns", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 40 },
	{ .name = "title", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 120 },
	{ .name = "bio", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 2000 },
	{ .name = "city", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 80 },
	{ .name = "skills", .type = FT_STRINGS, .flags = FF_NULLABLE,
	    .min = 0, .max = 20, .item_max = 40 },
	{ .name = "interests", .type = FT_STRINGS, .flags = FF_NULLABLE,
	    .min = 0, .max = 20, .item_max = 40 },
	{ .name = "mentoring", .type = FT_OBJECT, .flags = FF_NULLABLE,
	    .sub = mb_mentoring },
	{ .name = "visibility", .type = FT_OBJECT, .flags = FF_NULLABLE,
	    .sub = mb_visibility },
	{ .name = "invitations", .type = FT_ENUM, .flags = FF_NULLABLE,
	    .min = 1, .max = 20, .values = invitation_values },
	FIELDS_POSITION("home_latitude", "home_longitude"),
	READONLY("id"), READONLY("email"), READONLY("email_verified"),
	READONLY("role"), READONLY("suspended"), READONLY("affiliations"),
	READONLY("version"), READONLY("created_at"), READONLY("updated_at"),
	FIELDS_END
};

/* PUT /v1/me/password */
const struct field mb_b_password[] = {
	{ .name = "current_password", .type = FT_SECRET,
	    .flags = FF_REQUIRED, .min = 1, .max = IL_PASSWORD_MAX },
	{ .name = "new_password", .type = FT_SECRET, .flags = FF_REQUIRED,
	    .min = IL_PASSWORD_MIN, .max = IL_PASSWORD_MAX },
	FIELDS_END
};

/* POST /v1/me/tokens */
const struct field mb_b_token[] = {
	{ .name = "name", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 80 },
	{ .name = "scope", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = scope_values },
	{ .name = "expires_in_days", .type = FT_INT, .min = 1, .max = 365 },
	FIELDS_END
};

/*
 * The single-use tokens mailed for verification and password reset:
 * 43 characters (32 random bytes, base64url).  Routes flagged
 * EP_HASH_TOKEN hand SQL the SHA-256 of "token", never the token.
 */
#define MB_MAIL_TOKEN \
	{ .name = "token", .type = FT_SECRET, .flags = FF_REQUIRED, \
	    .min = IL_MAIL_TOKEN_LEN, .max = IL_MAIL_TOKEN_LEN }

/* POST /v1/email-verification */
const struct field mb_b_verify[] = {
	MB_MAIL_TOKEN,
	FIELDS_END
};

/* POST /v1/password-resets */
const struct field mb_b_reset[] = {
	{ .name = "email", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 254 },
	FIELDS_END
};

/* POST /v1/password-resets/confirm */
const struct field mb_b_reset_confirm[] = {
	MB_MAIL_TOKEN,
	{ .name = "password", .type = FT_SECRET, .flags = FF_REQUIRED,
	    .min = IL_PASSWORD_MIN, .max = IL_PASSWORD_MAX },
	FIELDS_END
};

/* PATCH /v1/me/email-preferences */
const struct field mb_b_email_prefs[] = {
	{ .name = "invitations", .type = FT_BOOL },
	{ .name = "reminders", .type = FT_BOOL },
	{ .name = "changes", .type = FT_BOOL },
	{ .name = "digest", .type = FT_BOOL },
	{ .name = "mentorship", .type = FT_BOOL },
	{ .name = "collaboration", .type = FT_BOOL },
	{ .name = "messages", .type = FT_BOOL },
	READONLY("email"), READONLY("email_verified"),
	READONLY("address_rejected"),
	FIELDS_END
};

/* GET and POST /v1/unsubscribe: the signed link of a mail's footer. */
const struct field mb_q_unsubscribe[] = {
	{ .name = "token", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 200 },
	FIELDS_END
};

/* PATCH /v1/me/notifications/{id} */
const struct field mb_b_notification[] = {
	{ .name = "read", .type = FT_BOOL },
	READONLY("id"),
	FIELDS_END
};
