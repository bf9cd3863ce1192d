/*
 * The API as data: one row a route, with the SQL function it calls and
 * the query and body fields it accepts (lengths documented in
 * openapi.yaml come from here).  Rows without a custom start run the
 * generic call: validate, bind the five standard parameters, call, and
 * forward the row through row_reply().
 */

#include <string.h>

#include "api.h"

#define CALL(fn)	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api." fn "($1, $2, $3, $4, $5)"

static const char *const visibility_values[] = {
	"public", "members", "private", NULL
};
static const char *const invitation_values[] = {
	"anyone", "met", "organizations", "nobody", NULL
};
static const char *const scope_values[] = { "read", "write", NULL };
static const char *const mentoring_values[] = { "available", NULL };
static const char *const org_kinds[] = {
	"public_library", "academic_library", "school_library",
	"special_library", "association", "other", NULL
};
static const char *const org_roles[] = { "admin", "member", NULL };
static const char *const membership_status[] = { "active", NULL };
static const char *const membership_filter[] = { "active", "pending", NULL };

/* Query strings. */
const struct field q_list[] = {
	FIELDS_LIST_PAGE,
	FIELDS_END
};

static const struct field q_none[] = {
	FIELDS_END
};

static const struct field q_members[] = {
	{ "q", FT_STRING, 0, 1, 100, NULL, NULL, 0 },
	{ "skill", FT_STRING, 0, 1, 40, NULL, NULL, 0 },
	{ "interest", FT_STRING, 0, 1, 40, NULL, NULL, 0 },
	{ "city", FT_STRING, 0, 1, 80, NULL, NULL, 0 },
	{ "organization", FT_STRING, 0, 1, 64, NULL, NULL, 0 },
	{ "mentoring", FT_ENUM, 0, 1, 20, mentoring_values, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

static const struct field q_orgs[] = {
	{ "q", FT_STRING, 0, 1, 100, NULL, NULL, 0 },
	{ "city", FT_STRING, 0, 1, 80, NULL, NULL, 0 },
	{ "kind", FT_ENUM, 0, 1, 40, org_kinds, NULL, 0 },
	{ "archived", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

static const struct field q_org_members[] = {
	{ "status", FT_ENUM, 0, 1, 20, membership_filter, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

static const struct field q_notifications[] = {
	{ "unread", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* Bodies. */
static const struct field b_empty[] = {
	FIELDS_END
};

static const struct field b_register[] = {
	{ "email", FT_EMAIL, FF_REQUIRED, 3, 254, NULL, NULL, 0 },
	{ "password", FT_SECRET, FF_REQUIRED, IL_PASSWORD_MIN,
	    IL_PASSWORD_MAX, NULL, NULL, 0 },
	{ "display_name", FT_STRING, FF_REQUIRED, 1, 80, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field b_login[] = {
	{ "email", FT_STRING, FF_REQUIRED, 1, 254, NULL, NULL, 0 },
	{ "password", FT_SECRET, FF_REQUIRED, 1, IL_PASSWORD_MAX, NULL, NULL,
	    0 },
	FIELDS_END
};

static const struct field b_mentoring[] = {
	{ "available", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	{ "topics", FT_STRINGS, FF_NULLABLE, 0, 10, NULL, NULL, 40 },
	{ "capacity", FT_INT, FF_NULLABLE, 0, 10, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field b_visibility[] = {
	{ "about", FT_ENUM, FF_NULLABLE, 1, 20, visibility_values, NULL, 0 },
	{ "affiliations", FT_ENUM, FF_NULLABLE, 1, 20, visibility_values,
	    NULL, 0 },
	{ "mentoring", FT_ENUM, FF_NULLABLE, 1, 20, visibility_values, NULL,
	    0 },
	FIELDS_END
};

static const struct field b_me[] = {
	{ "display_name", FT_STRING, 0, 1, 80, NULL, NULL, 0 },
	{ "pronouns", FT_STRING, FF_NULLABLE, 0, 40, NULL, NULL, 0 },
	{ "title", FT_STRING, FF_NULLABLE, 0, 120, NULL, NULL, 0 },
	{ "bio", FT_STRING, FF_NULLABLE, 0, 2000, NULL, NULL, 0 },
	{ "city", FT_STRING, FF_NULLABLE, 0, 80, NULL, NULL, 0 },
	{ "skills", FT_STRINGS, FF_NULLABLE, 0, 20, NULL, NULL, 40 },
	{ "interests", FT_STRINGS, FF_NULLABLE, 0, 20, NULL, NULL, 40 },
	{ "mentoring", FT_OBJECT, FF_NULLABLE, 0, 0, NULL, b_mentoring, 0 },
	{ "visibility", FT_OBJECT, FF_NULLABLE, 0, 0, NULL, b_visibility, 0 },
	{ "invitations", FT_ENUM, FF_NULLABLE, 1, 20, invitation_values, NULL,
	    0 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "email", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "email_verified", FT_BOOL, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "role", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "suspended", FT_BOOL, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "affiliations", FT_STRINGS, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "updated_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field b_password[] = {
	{ "current_password", FT_SECRET, FF_REQUIRED, 1, IL_PASSWORD_MAX,
	    NULL, NULL, 0 },
	{ "new_password", FT_SECRET, FF_REQUIRED, IL_PASSWORD_MIN,
	    IL_PASSWORD_MAX, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field b_token[] = {
	{ "name", FT_STRING, FF_REQUIRED, 1, 80, NULL, NULL, 0 },
	{ "scope", FT_ENUM, 0, 1, 10, scope_values, NULL, 0 },
	{ "expires_in_days", FT_INT, 0, 1, 365, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field b_notification[] = {
	{ "read", FT_BOOL, FF_REQUIRED, 0, 0, NULL, NULL, 0 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

#define ORG_READONLY \
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "member_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "membership", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "updated_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }

static const struct field b_org_create[] = {
	{ "name", FT_STRING, FF_REQUIRED, 1, 120, NULL, NULL, 0 },
	{ "slug", FT_STRING, 0, 1, 64, NULL, NULL, 0 },
	{ "kind", FT_ENUM, FF_REQUIRED, 1, 40, org_kinds, NULL, 0 },
	{ "city", FT_STRING, FF_REQUIRED, 1, 80, NULL, NULL, 0 },
	{ "website", FT_URL, FF_NULLABLE, 0, 300, NULL, NULL, 0 },
	{ "description", FT_STRING, FF_NULLABLE, 0, 4000, NULL, NULL, 0 },
	{ "archived", FT_BOOL, FF_READONLY, 0, 0, NULL, NULL, 0 },
	ORG_READONLY,
	FIELDS_END
};

static const struct field b_org_patch[] = {
	{ "name", FT_STRING, 0, 1, 120, NULL, NULL, 0 },
	{ "slug", FT_STRING, 0, 1, 64, NULL, NULL, 0 },
	{ "kind", FT_ENUM, 0, 1, 40, org_kinds, NULL, 0 },
	{ "city", FT_STRING, 0, 1, 80, NULL, NULL, 0 },
	{ "website", FT_URL, FF_NULLABLE, 0, 300, NULL, NULL, 0 },
	{ "description", FT_STRING, FF_NULLABLE, 0, 4000, NULL, NULL, 0 },
	{ "archived", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	ORG_READONLY,
	FIELDS_END
};

static const struct field b_org_member_add[] = {
	{ "member_id", FT_INT, 0, 1, 999999999999999999LL, NULL, NULL, 0 },
	{ "role", FT_ENUM, 0, 1, 10, org_roles, NULL, 0 },
	FIELDS_END
};

static const struct field b_org_member_patch[] = {
	{ "status", FT_ENUM, 0, 1, 10, membership_status, NULL, 0 },
	{ "role", FT_ENUM, 0, 1, 10, org_roles, NULL, 0 },
	{ "member", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

#define PATCH_BODY	(EP_JSON_BODY | EP_MERGE_PATCH)

const struct endpoint endpoints[] = {
	{ IL_GET, "/healthz", NULL, q_none, NULL, EP_NO_STORE,
	    health_live, NULL },
	{ IL_GET, "/readyz", NULL, q_none, NULL, EP_NO_STORE,
	    health_ready, NULL },

	/* Members and sessions. */
	{ IL_POST, "/v1/members", NULL, q_none, b_register, EP_JSON_BODY,
	    members_register, NULL },
	{ IL_GET, "/v1/members", CALL("members_list"), q_members, NULL,
	    EP_AUTH, NULL, NULL },
	{ IL_GET, "/v1/members/{id}", CALL("member_get"), q_none, NULL, 0,
	    NULL, NULL },
	{ IL_POST, "/v1/members/{id}/suspend", CALL("member_suspend"),
	    q_none, b_empty, EP_AUTH, NULL, NULL },
	{ IL_POST, "/v1/members/{id}/unsuspend", CALL("member_unsuspend"),
	    q_none, b_empty, EP_AUTH, NULL, NULL },
	{ IL_POST, "/v1/sessions", NULL, q_none, b_login, EP_JSON_BODY,
	    sessions_login, NULL },
	{ IL_GET, "/v1/sessions", CALL("sessions_list"), q_none, NULL,
	    EP_AUTH, NULL, NULL },
	{ IL_DELETE, "/v1/sessions/current", CALL("session_delete"), q_none,
	    NULL, EP_AUTH, NULL, NULL },
	{ IL_DELETE, "/v1/sessions/{id}", CALL("session_delete"), q_none,
	    NULL, EP_AUTH, NULL, NULL },
	{ IL_GET, "/v1/me", CALL("me_get"), q_none, NULL, EP_AUTH, NULL,
	    NULL },
	{ IL_PATCH, "/v1/me", CALL("me_patch"), q_none, b_me,
	    EP_AUTH | PATCH_BODY, NULL, NULL },
	{ IL_DELETE, "/v1/me", CALL("me_delete"), q_none, NULL, EP_AUTH,
	    NULL, NULL },
	{ IL_PUT, "/v1/me/password", NULL, q_none, b_password,
	    EP_AUTH | EP_JSON_BODY, members_password, NULL },
	{ IL_GET, "/v1/me/export", CALL("me_export"), q_none, NULL, EP_AUTH,
	    NULL, NULL },
	{ IL_GET, "/v1/me/tokens", CALL("tokens_list"), q_none, NULL,
	    EP_AUTH, NULL, NULL },
	{ IL_POST, "/v1/me/tokens", NULL, q_none, b_token,
	    EP_AUTH | EP_JSON_BODY, sessions_token_create, NULL },
	{ IL_DELETE, "/v1/me/tokens/{id}", CALL("token_delete"), q_none,
	    NULL, EP_AUTH, NULL, NULL },
	{ IL_GET, "/v1/me/notifications", CALL("notifications_list"),
	    q_notifications, NULL, EP_AUTH, NULL, NULL },
	{ IL_PATCH, "/v1/me/notifications/{id}", CALL("notification_patch"),
	    q_none, b_notification, EP_AUTH | PATCH_BODY, NULL, NULL },

	/* Organizations. */
	{ IL_GET, "/v1/organizations", CALL("orgs_list"), q_orgs, NULL, 0,
	    NULL, NULL },
	{ IL_POST, "/v1/organizations", CALL("org_create"), q_none,
	    b_org_create, EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_GET, "/v1/organizations/{org}", CALL("org_get"), q_none, NULL,
	    0, NULL, NULL },
	{ IL_PATCH, "/v1/organizations/{org}", CALL("org_patch"), q_none,
	    b_org_patch, EP_AUTH | PATCH_BODY | EP_INVALIDATES_FEEDS, NULL,
	    NULL },
	{ IL_DELETE, "/v1/organizations/{org}", CALL("org_delete"), q_none,
	    NULL, EP_AUTH | EP_INVALIDATES_FEEDS, NULL, NULL },
	{ IL_GET, "/v1/organizations/{org}/members", CALL("org_members_list"),
	    q_org_members, NULL, 0, NULL, NULL },
	{ IL_POST, "/v1/organizations/{org}/members", CALL("org_member_add"),
	    q_none, b_org_member_add, EP_AUTH, NULL, NULL },
	{ IL_PATCH, "/v1/organizations/{org}/members/{member_id}",
	    CALL("org_member_patch"), q_none, b_org_member_patch,
	    EP_AUTH | PATCH_BODY, NULL, NULL },
	{ IL_DELETE, "/v1/organizations/{org}/members/{member_id}",
	    CALL("org_member_delete"), q_none, NULL, EP_AUTH, NULL, NULL },

	/* Events. */
	{ IL_GET, "/v1/events", CALL("events_list"), ev_q_list, NULL, 0,
	    list_start, NULL },
	{ IL_POST, "/v1/events", CALL("event_create"), q_none, ev_b_create,
	    EP_AUTH | EP_JSON_BODY | EP_INVALIDATES_FEEDS, NULL, NULL },
	{ IL_GET, "/v1/events/{id}", CALL("event_get"), q_none, NULL, 0,
	    NULL, NULL },
	{ IL_PATCH, "/v1/events/{id}", CALL("event_patch"), q_none,
	    ev_b_patch, EP_AUTH | PATCH_BODY | EP_INVALIDATES_FEEDS, NULL,
	    NULL },
	{ IL_POST, "/v1/events/{id}/cancel", CALL("event_cancel"), q_none,
	    ev_b_cancel, EP_AUTH | EP_INVALIDATES_FEEDS, NULL, NULL },
	{ IL_PUT, "/v1/events/{id}/rsvp", CALL("rsvp_put"), q_none, ev_b_rsvp,
	    EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_DELETE, "/v1/events/{id}/rsvp", CALL("rsvp_delete"), q_none,
	    NULL, EP_AUTH, NULL, NULL },
	{ IL_GET, "/v1/events/{id}/rsvps", CALL("event_rsvps"), ev_q_rsvps,
	    NULL, 0, ev_rsvps_start, NULL },
	{ IL_POST, "/v1/events/{id}/attendance", CALL("event_attendance"),
	    q_none, ev_b_attendance, EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_POST, "/v1/events/{id}/invitations", CALL("event_invite"),
	    q_none, ev_b_invite, EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_GET, "/v1/me/invitations", CALL("invitations_list"),
	    ev_q_invitations, NULL, EP_AUTH, NULL, NULL },
	{ IL_PATCH, "/v1/me/invitations/{id}", CALL("invitation_patch"),
	    q_none, ev_b_invitation, EP_AUTH | PATCH_BODY, NULL, NULL },

	/* Feeds. */
	{ IL_GET, "/v1/events.ics", NULL, feeds_q, NULL, EP_FEED,
	    feeds_start, "text/calendar; charset=utf-8" },
	{ IL_GET, "/v1/events.rss", NULL, feeds_q, NULL, EP_FEED,
	    feeds_start, "application/rss+xml; charset=utf-8" },
	{ IL_GET, "/v1/events.json", NULL, feeds_q, NULL, EP_FEED,
	    feeds_start, "application/feed+json; charset=utf-8" },
	{ IL_GET, "/v1/organizations/{org}/events.ics", NULL, feeds_q_org,
	    NULL, EP_FEED, feeds_start, "text/calendar; charset=utf-8" },
	{ IL_GET, "/v1/organizations/{org}/events.rss", NULL, feeds_q_org,
	    NULL, EP_FEED, feeds_start, "application/rss+xml; charset=utf-8" },
	{ IL_GET, "/v1/organizations/{org}/events.json", NULL, feeds_q_org,
	    NULL, EP_FEED, feeds_start,
	    "application/feed+json; charset=utf-8" },
	{ IL_GET, "/v1/events/{event_ics}", NULL, q_none, NULL, EP_FEED,
	    feeds_event_start, "text/calendar; charset=utf-8" },
	{ IL_GET, "/v1/me/calendar.ics", NULL, feeds_q_calendar, NULL,
	    EP_NO_STORE, calendar_start, "text/calendar; charset=utf-8" },
	{ IL_POST, "/v1/me/calendar-key", NULL, q_none, b_empty, EP_AUTH,
	    calendar_key_create, NULL },
	{ IL_DELETE, "/v1/me/calendar-key", CALL("calendar_key_delete"),
	    q_none, NULL, EP_AUTH, NULL, NULL },

	/* Mentorships. */
	{ IL_GET, "/v1/mentors", CALL("mentors_list"), mt_q_mentors, NULL,
	    EP_AUTH, NULL, NULL },
	{ IL_GET, "/v1/mentors/suggestions", CALL("mentor_suggestions"),
	    mt_q_suggestions, NULL, EP_AUTH, NULL, NULL },
	{ IL_GET, "/v1/mentorships", CALL("mentorships_list"), mt_q_list,
	    NULL, EP_AUTH, NULL, NULL },
	{ IL_POST, "/v1/mentorships", CALL("mentorship_create"), q_none,
	    mt_b_create, EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_GET, "/v1/mentorships/{id}", CALL("mentorship_get"), q_none,
	    NULL, EP_AUTH, NULL, NULL },
	{ IL_PATCH, "/v1/mentorships/{id}", CALL("mentorship_patch"), q_none,
	    mt_b_patch, EP_AUTH | PATCH_BODY, NULL, NULL },
	{ IL_GET, "/v1/mentorships/{id}/check-ins", CALL("check_ins_list"),
	    mt_q_check_ins, NULL, EP_AUTH, NULL, NULL },
	{ IL_POST, "/v1/mentorships/{id}/check-ins", CALL("check_in_create"),
	    q_none, mt_b_check_in, EP_AUTH | EP_JSON_BODY, NULL, NULL },

	/* Collaborations, activity, reports. */
	{ IL_GET, "/v1/collaborations", CALL("collaborations_list"),
	    co_q_list, NULL, 0, NULL, NULL },
	{ IL_POST, "/v1/collaborations", CALL("collaboration_create"), q_none,
	    co_b_create, EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_GET, "/v1/collaborations/{id}", CALL("collaboration_get"),
	    q_none, NULL, 0, NULL, NULL },
	{ IL_PATCH, "/v1/collaborations/{id}", CALL("collaboration_patch"),
	    q_none, co_b_patch, EP_AUTH | PATCH_BODY, NULL, NULL },
	{ IL_GET, "/v1/collaborations/{id}/participants",
	    CALL("collaboration_participants"), co_q_participants, NULL, 0,
	    NULL, NULL },
	{ IL_POST, "/v1/collaborations/{id}/participants",
	    CALL("participant_create"), q_none, co_b_participant,
	    EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_PATCH, "/v1/collaborations/{id}/participants/{pid}",
	    CALL("participant_patch"), q_none, co_b_participant_patch,
	    EP_AUTH | PATCH_BODY, NULL, NULL },
	{ IL_GET, "/v1/collaborations/{id}/updates",
	    CALL("collaboration_updates"), q_list, NULL, 0, NULL, NULL },
	{ IL_POST, "/v1/collaborations/{id}/updates",
	    CALL("collaboration_update_create"), q_none, co_b_update,
	    EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_GET, "/v1/activity", CALL("activity_list"), q_list, NULL, 0,
	    NULL, NULL },
	{ IL_GET, "/v1/activity.rss", NULL, q_none, NULL, EP_FEED,
	    co_activity_rss_start, "application/rss+xml; charset=utf-8" },
	{ IL_POST, "/v1/reports", CALL("report_create"), q_none, co_b_report,
	    EP_AUTH | EP_JSON_BODY, NULL, NULL },
	{ IL_GET, "/v1/reports", CALL("reports_list"), co_q_reports, NULL,
	    EP_AUTH, NULL, NULL },
	{ IL_PATCH, "/v1/reports/{id}", CALL("report_patch"), q_none,
	    co_b_report_patch, EP_AUTH | PATCH_BODY | EP_INVALIDATES_FEEDS,
	    NULL, NULL },
};

const size_t	endpoints_count = sizeof(endpoints) / sizeof(endpoints[0]);

/* $1 token hash, $2 path args, $3 query, $4 body, $5 client address. */
void
call_bind_standard(struct il_req *st)
{
	json_t		*args;
	char		name[32];
	int		i;

	if (st->has_token)
		db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	else
		db_param_null(st);

	args = json_object();
	for (i = 0; i < st->args.n; i++) {
		if (st->args.lens[i] >= sizeof(name))
			continue;
		memcpy(name, st->args.names[i], st->args.lens[i]);
		name[st->args.lens[i]] = '\0';
		json_object_set_new(args, name,
		    json_string(st->args.values[i]));
	}
	db_param_json(st, args);
	json_decref(args);
	db_param_json(st, st->query);
	db_param_json(st, st->body);
	db_param_text(st, st->client_addr);
}

void
call_generic(struct http_request *req, struct il_req *st)
{
	if ((st->ep->flags & EP_AUTH) &&
	    auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	call_bind_standard(st);
	db_call(req, st, st->ep->sql, (st->ep->flags & EP_INVALIDATES_FEEDS) ?
	    cache_write_row : row_reply, NULL);
}
