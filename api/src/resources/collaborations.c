/*
 * Collaborations, the community activity feed and reports: the field
 * specs of their bodies and queries (the rows are in endpoints.c; the
 * meaning, authorization and invariants are checked in
 * sql/migrations/0007_collaborations.sql), and the one custom flow,
 * GET /v1/activity.rss, whose SQL builds the RSS document with
 * PostgreSQL's XML functions (which escape text) and needs the public
 * URLs as two more parameters.
 */

#include "api.h"

#define CO_ID_MAX	999999999999999999LL

/*
 * The RSS document comes back as a JSON string in body: #>> '{}' gives
 * its text (and a problem object's text on errors).
 */
#define CO_ACTIVITY_RSS	"SELECT status, body #>> '{}', location, " \
			"next_cursor, retry_after FROM api.activity_rss(" \
			"$1, $2, $3, $4, $5, $6, $7)"

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
	"member", "event", "collaboration", "invitation", NULL
};
static const char *const co_report_statuses[] = { "open", "resolved", NULL };
static const char *const co_report_moves[] = { "resolved", NULL };

/* Query strings. */
const struct field co_q_list[] = {
	{ "status", FT_ENUM, 0, 1, 20, co_statuses, NULL, 0 },
	{ "skill", FT_STRING, 0, 1, 40, NULL, NULL, 0 },
	{ "organization", FT_STRING, 0, 1, 64, NULL, NULL, 0 },
	{ "q", FT_STRING, 0, 1, 100, NULL, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

const struct field co_q_participants[] = {
	{ "status", FT_ENUM, 0, 1, 20, co_participant_statuses, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

const struct field co_q_reports[] = {
	{ "status", FT_ENUM, 0, 1, 20, co_report_statuses, NULL, 0 },
	{ "subject_type", FT_ENUM, 0, 1, 20, co_subject_types, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* Collaborations: what create and patch share, then the read-only rest. */
#define CO_FIELDS(req) \
	{ "title", FT_STRING, req, 1, 200, NULL, NULL, 0 }, \
	{ "summary", FT_STRING, req, 1, 4000, NULL, NULL, 0 }, \
	{ "skills_wanted", FT_STRINGS, 0, 0, 20, NULL, NULL, 40 }, \
	{ "organization", FT_REF, FF_NULLABLE, 1, 64, NULL, NULL, 0 }

#define CO_READONLY \
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "allowed_transitions", FT_STRINGS, FF_READONLY, 0, 0, NULL, NULL, \
	    0 }, \
	{ "created_by", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "owners", FT_OBJECTS, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "partner_organizations", FT_OBJECTS, FF_READONLY, 0, 0, NULL, \
	    NULL, 0 }, \
	{ "participant_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "cost_totals", FT_OBJECTS, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "my_participation", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "hidden", FT_BOOL, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "completed_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "updated_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }

/* New collaborations are proposed: status is read-only when creating. */
const struct field co_b_create[] = {
	CO_FIELDS(FF_REQUIRED),
	{ "status", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	CO_READONLY,
	FIELDS_END
};

const struct field co_b_patch[] = {
	CO_FIELDS(0),
	{ "status", FT_ENUM, 0, 1, 20, co_statuses, NULL, 0 },
	CO_READONLY,
	FIELDS_END
};

/* A cost share: amount up to 9999999999.99, an ISO 4217 code (SQL). */
static const struct field co_cost_share[] = {
	{ "amount", FT_DECIMAL, FF_REQUIRED, 1, 13, NULL, NULL, 0 },
	{ "currency", FT_STRING, FF_REQUIRED, 3, 3, NULL, NULL, 0 },
	{ "note", FT_STRING, FF_NULLABLE, 0, 500, NULL, NULL, 0 },
	FIELDS_END
};

#define CO_PARTICIPANT_READONLY \
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "collaboration_id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "member", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "updated_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "decided_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }

const struct field co_b_participant[] = {
	{ "message", FT_STRING, FF_REQUIRED, 1, 2000, NULL, NULL, 0 },
	{ "skills_offered", FT_STRINGS, 0, 0, 20, NULL, NULL, 40 },
	{ "organization", FT_REF, FF_NULLABLE, 1, 64, NULL, NULL, 0 },
	{ "cost_share", FT_OBJECT, FF_NULLABLE, 0, 0, NULL, co_cost_share,
	    0 },
	{ "role", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "status", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	CO_PARTICIPANT_READONLY,
	FIELDS_END
};

const struct field co_b_participant_patch[] = {
	{ "status", FT_ENUM, 0, 1, 20, co_participant_moves, NULL, 0 },
	{ "role", FT_ENUM, 0, 1, 20, co_roles, NULL, 0 },
	{ "message", FT_STRING, FF_NULLABLE, 0, 2000, NULL, NULL, 0 },
	{ "skills_offered", FT_STRINGS, FF_NULLABLE, 0, 20, NULL, NULL, 40 },
	{ "cost_share", FT_OBJECT, FF_NULLABLE, 0, 0, NULL, co_cost_share,
	    0 },
	{ "organization", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	CO_PARTICIPANT_READONLY,
	FIELDS_END
};

const struct field co_b_update[] = {
	{ "body", FT_STRING, FF_REQUIRED, 1, 5000, NULL, NULL, 0 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "author", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

const struct field co_b_report[] = {
	{ "subject_type", FT_ENUM, FF_REQUIRED, 1, 20, co_subject_types, NULL,
	    0 },
	{ "subject_id", FT_INT, FF_REQUIRED, 1, CO_ID_MAX, NULL, NULL, 0 },
	{ "reason", FT_STRING, FF_REQUIRED, 1, 2000, NULL, NULL, 0 },
	FIELDS_END
};

const struct field co_b_report_patch[] = {
	{ "status", FT_ENUM, 0, 1, 20, co_report_moves, NULL, 0 },
	{ "hide_subject", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "subject", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "reason", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "reporter", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "subject_hidden", FT_BOOL, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "resolved_by", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "resolved_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

/*
 * GET /v1/activity.rss: the standard five parameters, then
 * PUBLIC_WEB_URL and PUBLIC_API_URL for the links; the row is answered
 * by row_reply() with the endpoint's content type.
 */
void
co_activity_rss_start(struct http_request *req, struct il_req *st)
{
	call_bind_standard(st);
	db_param_text(st, il_cfg.public_web_url);
	db_param_text(st, il_cfg.public_api_url);
	db_call(req, st, CO_ACTIVITY_RSS, row_reply, NULL);
}
