/*
 * Mentorships: the field specs of the mentor list and suggestions, of
 * mentorship requests, status changes and check-ins.  The rows are in
 * endpoints.c; the meaning (who may do what, the status machine,
 * capacity, the open-request limit) is checked in
 * sql/migrations/0006_mentorships.sql, where the status machine is a
 * table and a trigger that no code path can bypass.
 */

#include "api.h"

#define MT_ID_MAX	999999999999999999LL

/* Every status; a PATCH may name any (the machine answers 409). */
static const char *const mt_statuses[] = {
	"requested", "accepted", "declined", "withdrawn", "completed",
	"cancelled", NULL
};
static const char *const mt_roles[] = { "mentor", "mentee", NULL };

/* Query strings. */
const struct field mt_q_mentors[] = {
	{ "topic", FT_STRING, 0, 1, 40, NULL, NULL, 0 },
	{ "city", FT_STRING, 0, 1, 80, NULL, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* Suggestions are one ranked page: no cursor, at most 50. */
const struct field mt_q_suggestions[] = {
	{ "limit", FT_INT, 0, 1, 50, NULL, NULL, 0 },
	FIELDS_END
};

const struct field mt_q_list[] = {
	{ "role", FT_ENUM, 0, 1, 10, mt_roles, NULL, 0 },
	{ "status", FT_ENUM, 0, 1, 20, mt_statuses, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

const struct field mt_q_check_ins[] = {
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* What a mentorship shows but no body may set. */
#define MT_READONLY \
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "mentor", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "mentee", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "role", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "status_reason", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "allowed_statuses", FT_STRINGS, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "sharing", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "check_in_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "updated_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "accepted_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "ended_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }

/* POST /v1/mentorships */
const struct field mt_b_create[] = {
	{ "mentor_id", FT_INT, FF_REQUIRED, 1, MT_ID_MAX, NULL, NULL, 0 },
	{ "topic", FT_STRING, FF_REQUIRED, 1, 40, NULL, NULL, 0 },
	{ "message", FT_STRING, FF_REQUIRED, 1, 2000, NULL, NULL, 0 },
	{ "goals", FT_STRINGS, 0, 0, 10, NULL, NULL, 200 },
	{ "status", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	MT_READONLY,
	FIELDS_END
};

/* PATCH /v1/mentorships/{id} */
const struct field mt_b_patch[] = {
	{ "status", FT_ENUM, 0, 1, 20, mt_statuses, NULL, 0 },
	{ "reason", FT_STRING, FF_NULLABLE, 0, 1000, NULL, NULL, 0 },
	{ "share_publicly", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	{ "mentor_id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "topic", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "message", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "goals", FT_STRINGS, FF_READONLY, 0, 0, NULL, NULL, 0 },
	MT_READONLY,
	FIELDS_END
};

/* POST /v1/mentorships/{id}/check-ins */
const struct field mt_b_check_in[] = {
	{ "date", FT_STRING, 0, 10, 10, NULL, NULL, 0 },
	{ "note", FT_STRING, FF_REQUIRED, 1, 4000, NULL, NULL, 0 },
	{ "goals", FT_STRINGS, 0, 0, 10, NULL, NULL, 200 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "author", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};
