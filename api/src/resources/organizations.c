/*
 * The field tables of organizations and their memberships.  Pure data
 * (il.h only): the routes are in http/routes.c, the meaning in
 * sql/migrations/0003_organizations.sql.
 */

#include "il.h"

static const char *const org_kinds[] = {
	"public_library", "academic_library", "school_library",
	"special_library", "association", "other", NULL
};
static const char *const org_roles[] = { "admin", "member", NULL };
static const char *const membership_status[] = { "active", NULL };
static const char *const membership_filter[] = {
	"active", "pending", NULL
};

/* GET /v1/organizations */
const struct field org_q_list[] = {
	{ .name = "q", .type = FT_STRING, .min = 1, .max = 100 },
	{ .name = "city", .type = FT_STRING, .min = 1, .max = 80 },
	{ .name = "kind", .type = FT_ENUM, .min = 1, .max = 40,
	    .values = org_kinds },
	{ .name = "archived", .type = FT_BOOL },
	FIELDS_NEAR,
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/organizations/{org}/members */
const struct field org_q_members[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = membership_filter },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* What create and patch share (required when creating), and the rest. */
#define ORG_FIELDS(req) \
	{ .name = "name", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 120 }, \
	{ .name = "slug", .type = FT_STRING, .min = 1, .max = 64 }, \
	{ .name = "kind", .type = FT_ENUM, .flags = (req), \
	    .min = 1, .max = 40, .values = org_kinds }, \
	{ .name = "city", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 80 }, \
	{ .name = "website", .type = FT_URL, .flags = FF_NULLABLE, \
	    .min = 0, .max = 300 }, \
	{ .name = "description", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 4000 }, \
	FIELDS_POSITION("latitude", "longitude")

#define ORG_READONLY \
	READONLY("id"), READONLY("member_count"), READONLY("membership"), \
	READONLY("version"), READONLY("created_at"), READONLY("updated_at")

/* POST /v1/organizations: a new organization is never archived. */
const struct field org_b_create[] = {
	ORG_FIELDS(FF_REQUIRED),
	READONLY("archived"),
	ORG_READONLY,
	FIELDS_END
};

/* PATCH /v1/organizations/{org} */
const struct field org_b_patch[] = {
	ORG_FIELDS(0),
	{ .name = "archived", .type = FT_BOOL },
	ORG_READONLY,
	FIELDS_END
};

/* POST /v1/organizations/{org}/members */
const struct field org_b_member_add[] = {
	{ .name = "member_id", .type = FT_INT, .min = 1, .max = IL_ID_MAX },
	{ .name = "role", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = org_roles },
	FIELDS_END
};

/* PATCH /v1/organizations/{org}/members/{member_id} */
const struct field org_b_member_patch[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = membership_status },
	{ .name = "role", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = org_roles },
	READONLY("member"), READONLY("created_at"),
	FIELDS_END
};
