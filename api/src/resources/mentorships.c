/*
 * The field tables of the mentor list and suggestions, of mentorship
 * requests, status changes and check-ins.  Pure data (il.h only): the
 * routes are in http/routes.c; the meaning (who may do what, the status
 * machine, capacity, the open-request limit) is checked in
 * sql/migrations/0006_mentorships.sql, where the status machine is a
 * table and a trigger that no code path can bypass.
 */

#include "il.h"

/* Every status; a PATCH may name any (the machine answers 409). */
static const char *const mt_statuses[] = {
	"requested", "accepted", "declined", "withdrawn", "completed",
	"cancelled", NULL
};
static const char *const mt_roles[] = { "mentor", "mentee", NULL };

/* GET /v1/mentors */
const struct field mt_q_mentors[] = {
	{ .name = "topic", .type = FT_STRING, .min = 1, .max = 40 },
	{ .name = "city", .type = FT_STRING, .min = 1, .max = 80 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/mentors/suggestions: one ranked page, no cursor, at most 50. */
const struct field mt_q_suggestions[] = {
	{ .name = "limit", .type = FT_INT, .min = 1, .max = 50 },
	FIELDS_NEAR,
	FIELDS_END
};

/* GET /v1/mentorships */
const struct field mt_q_list[] = {
	{ .name = "role", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = mt_roles },
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = mt_statuses },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* What a mentorship shows but no body may set. */
#define MT_READONLY \
	READONLY("id"), READONLY("mentor"), READONLY("mentee"), \
	READONLY("role"), READONLY("status_reason"), \
	READONLY("allowed_statuses"), READONLY("sharing"), \
	READONLY("check_in_count"), READONLY("version"), \
	READONLY("created_at"), READONLY("updated_at"), READONLY("accepted_at"), \
	READONLY("ended_at")

#define MT_GOALS \
	{ .name = "goals", .type = FT_STRINGS, .min = 0, .max = 10, \
	    .item_max = 200 }

/* POST /v1/mentorships: a new mentorship is requested. */
const struct field mt_b_create[] = {
	{ .name = "mentor_id", .type = FT_INT, .flags = FF_REQUIRED,
	    .min = 1, .max = IL_ID_MAX },
	{ .name = "topic", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 40 },
	{ .name = "message", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 2000 },
	MT_GOALS,
	READONLY("status"),
	MT_READONLY,
	FIELDS_END
};

/* PATCH /v1/mentorships/{id}: what was asked for stays as asked. */
const struct field mt_b_patch[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = mt_statuses },
	{ .name = "reason", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 1000 },
	{ .name = "share_publicly", .type = FT_BOOL },
	READONLY("mentor_id"), READONLY("topic"), READONLY("message"),
	READONLY("goals"),
	MT_READONLY,
	FIELDS_END
};

/* POST /v1/mentorships/{id}/check-ins */
const struct field mt_b_check_in[] = {
	{ .name = "date", .type = FT_STRING, .min = 10, .max = 10 },
	{ .name = "note", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 4000 },
	MT_GOALS,
	READONLY("id"), READONLY("author"), READONLY("created_at"),
	FIELDS_END
};
