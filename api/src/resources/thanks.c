/*
 * The field tables of thank-you notes and of the caller's milestones.
 * Pure data (il.h only): the routes are in http/routes.c; the link a
 * thanker must have to what they name, consent and sharing are checked
 * in sql/api/thanks.sql.
 */

#include "il.h"

static const char *const th_roles[] = { "received", "given", NULL };

/* GET /v1/me/thanks */
const struct field th_q_mine[] = {
	{ .name = "role", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = th_roles },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* POST /v1/members/{id}/thanks: at most one of the three ids. */
const struct field th_b_create[] = {
	{ .name = "text", .type = FT_STRING, .flags = FF_REQUIRED,
	    .min = 1, .max = 1000 },
	{ .name = "event_id", .type = FT_INT, .min = 1, .max = IL_ID_MAX },
	{ .name = "mentorship_id", .type = FT_INT, .min = 1,
	    .max = IL_ID_MAX },
	{ .name = "collaboration_id", .type = FT_INT, .min = 1,
	    .max = IL_ID_MAX },
	{ .name = "share_publicly", .type = FT_BOOL },
	FIELDS_END
};

/* PATCH /v1/thanks/{id}: the caller's own consent. */
const struct field th_b_patch[] = {
	{ .name = "share_publicly", .type = FT_BOOL },
	READONLY("id"), READONLY("from"), READONLY("to"), READONLY("text"),
	READONLY("about"), READONLY("sharing"), READONLY("created_at"),
	FIELDS_END
};

/* PATCH /v1/me/milestones: opt in or out of showing them. */
const struct field th_b_milestones[] = {
	{ .name = "show_on_profile", .type = FT_BOOL },
	READONLY("milestones"),
	FIELDS_END
};
