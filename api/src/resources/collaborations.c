/*
 * The field tables of collaborations, their participants and updates,
 * and of reports.  Pure data (il.h only): the routes are in
 * http/routes.c; the meaning, authorization and invariants are checked
 * in sql/migrations/0007_collaborations.sql.
 */

#include "il.h"

static const char *const co_statuses[] = {
	"proposed", "seeking_partners", "active", "completed", "archived",
	NULL
};
static const char *const co_participant_statuses[] = {
	"pending", "approved", "declined", "left", NULL
};
static const char *const co_participant_moves[] = {
	"approved", "declined", "left", NULL
};
static const char *const co_roles[] = { "owner", "participant", NULL };
static const char *const co_subject_types[] = {
	"member", "event", "collaboration", "invitation", "message", NULL
};
static const char *const co_report_statuses[] = {
	"open", "resolved", NULL
};
static const char *const co_report_moves[] = { "resolved", NULL };

/* GET /v1/collaborations */
const struct field co_q_list[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_statuses },
	{ .name = "skill", .type = FT_STRING, .min = 1, .max = 40 },
	{ .name = "organization", .type = FT_STRING, .min = 1, .max = 64 },
	{ .name = "q", .type = FT_STRING, .min = 1, .max = 100 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/collaborations/{id}/participants */
const struct field co_q_participants[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_participant_statuses },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/reports */
const struct field co_q_reports[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_report_statuses },
	{ .name = "subject_type", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_subject_types },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* Collaborations: what create and patch share, then the read-only rest. */
#define CO_FIELDS(req) \
	{ .name = "title", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 200 }, \
	{ .name = "summary", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 4000 }, \
	{ .name = "skills_wanted", .type = FT_STRINGS, .min = 0, .max = 20, \
	    .item_max = 40 }, \
	{ .name = "organization", .type = FT_REF, .flags = FF_NULLABLE, \
	    .min = 1, .max = 64 }

#define CO_READONLY \
	READONLY("id"), READONLY("allowed_transitions"), \
	READONLY("created_by"), READONLY("owners"), \
	READONLY("partner_organizations"), READONLY("participant_count"), \
	READONLY("cost_totals"), READONLY("my_participation"), \
	READONLY("hidden"), READONLY("version"), READONLY("completed_at"), \
	READONLY("created_at"), READONLY("updated_at")

/* POST /v1/collaborations: a new collaboration is proposed. */
const struct field co_b_create[] = {
	CO_FIELDS(FF_REQUIRED),
	READONLY("status"),
	CO_READONLY,
	FIELDS_END
};

/* PATCH /v1/collaborations/{id} */
const struct field co_b_patch[] = {
	CO_FIELDS(0),
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_statuses },
	CO_READONLY,
	FIELDS_END
};

/* A cost share: amount up to 9999999999.99, an ISO 4217 code (SQL). */
static const struct field co_cost_share[] = {
	{ .name = "amount", .type = FT_DECIMAL, .flags = FF_REQUIRED,
	    .min = 1, .max = 13 },
	{ .name = "currency", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 3, .max = 3 },
	{ .name = "note", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 500 },
	FIELDS_END
};

#define CO_PARTICIPANT_READONLY \
	READONLY("id"), READONLY("collaboration_id"), READONLY("member"), \
	READONLY("created_at"), READONLY("updated_at"), READONLY("decided_at")

/* POST /v1/collaborations/{id}/participants: asking to take part. */
const struct field co_b_participant[] = {
	{ .name = "message", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 2000 },
	{ .name = "skills_offered", .type = FT_STRINGS, .min = 0, .max = 20,
	    .item_max = 40 },
	{ .name = "organization", .type = FT_REF, .flags = FF_NULLABLE,
	    .min = 1, .max = 64 },
	{ .name = "cost_share", .type = FT_OBJECT, .flags = FF_NULLABLE,
	    .sub = co_cost_share },
	READONLY("role"), READONLY("status"),
	CO_PARTICIPANT_READONLY,
	FIELDS_END
};

/* PATCH /v1/collaborations/{id}/participants/{pid} */
const struct field co_b_participant_patch[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_participant_moves },
	{ .name = "role", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_roles },
	{ .name = "message", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 2000 },
	{ .name = "skills_offered", .type = FT_STRINGS, .flags = FF_NULLABLE,
	    .min = 0, .max = 20, .item_max = 40 },
	{ .name = "cost_share", .type = FT_OBJECT, .flags = FF_NULLABLE,
	    .sub = co_cost_share },
	READONLY("organization"),
	CO_PARTICIPANT_READONLY,
	FIELDS_END
};

/* POST /v1/collaborations/{id}/updates */
const struct field co_b_update[] = {
	{ .name = "body", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 5000 },
	READONLY("id"), READONLY("author"), READONLY("created_at"),
	FIELDS_END
};

/* POST /v1/reports */
const struct field co_b_report[] = {
	{ .name = "subject_type", .type = FT_ENUM, .flags = FF_REQUIRED,
	    .min = 1, .max = 20, .values = co_subject_types },
	{ .name = "subject_id", .type = FT_INT, .flags = FF_REQUIRED,
	    .min = 1, .max = IL_ID_MAX },
	{ .name = "reason", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 2000 },
	FIELDS_END
};

/* PATCH /v1/reports/{id} */
const struct field co_b_report_patch[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = co_report_moves },
	{ .name = "hide_subject", .type = FT_BOOL },
	READONLY("id"), READONLY("subject"), READONLY("reason"),
	READONLY("reporter"), READONLY("subject_hidden"),
	READONLY("resolved_by"), READONLY("resolved_at"),
	READONLY("created_at"),
	FIELDS_END
};
