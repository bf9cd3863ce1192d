/*
 * The field tables of events, RSVPs, attendance and invitations, and of
 * the event feeds, which take the filters of GET /v1/events.  Pure data
 * (il.h only): the routes are in http/routes.c, the meaning in
 * sql/migrations/0004_events.sql and 0005_feeds.sql.
 */

#include "il.h"

/* The length of a calendar key: 32 bytes of base64url. */
#define EV_KEY_LEN	43

static const char *const event_kinds[] = {
	"social", "meetup", "training", "tour", "advocacy", "celebration",
	"conference", NULL
};
static const char *const rsvp_responses[] = {
	"going", "maybe", "not_going", NULL
};
static const char *const rsvp_statuses[] = {
	"going", "waitlisted", "maybe", "not_going", NULL
};
static const char *const invitation_answers[] = {
	"accepted", "declined", "reported_spam", NULL
};
static const char *const invitation_statuses[] = {
	"pending", "accepted", "declined", "reported_spam", NULL
};

/* The filters of GET /v1/events, which the feeds take too. */
#define EV_FILTER_TIMES \
	{ .name = "from", .type = FT_TIME, .min = 20, .max = 40 }, \
	{ .name = "to", .type = FT_TIME, .min = 20, .max = 40 }
#define EV_FILTER_ORG \
	{ .name = "organization", .type = FT_STRING, .min = 1, .max = 64 }
#define EV_FILTER_WORDS \
	{ .name = "kind", .type = FT_ENUM, .min = 1, .max = 20, \
	    .values = event_kinds }, \
	{ .name = "city", .type = FT_STRING, .min = 1, .max = 80 }, \
	{ .name = "tag", .type = FT_STRING, .min = 1, .max = 40 }, \
	{ .name = "q", .type = FT_STRING, .min = 1, .max = 100 }

static const char *const list_collapses[] = {
	"series", NULL
};

/* GET /v1/events */
const struct field ev_q_list[] = {
	EV_FILTER_TIMES,
	EV_FILTER_ORG,
	EV_FILTER_WORDS,
	FIELDS_NEAR,
	{ .name = "collapse", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = list_collapses },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/events.{ics,rss,json}: no paging (a feed is one document). */
const struct field ev_q_feed[] = {
	EV_FILTER_ORG,
	EV_FILTER_TIMES,
	EV_FILTER_WORDS,
	FIELDS_END
};

/* GET /v1/organizations/{org}/events.{ics,rss,json} */
const struct field ev_q_feed_org[] = {
	EV_FILTER_TIMES,
	EV_FILTER_WORDS,
	FIELDS_END
};

/* GET /v1/me/calendar.ics */
const struct field ev_q_calendar[] = {
	{ .name = "key", .type = FT_SECRET, .flags = FF_REQUIRED,
	    .min = EV_KEY_LEN, .max = EV_KEY_LEN },
	FIELDS_END
};

static const char *const series_scopes[] = {
	"this", "following", "all", NULL
};

/* PATCH /v1/events/{id} and POST .../cancel: which occurrences of a series. */
const struct field ev_q_scope[] = {
	{ .name = "scope", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = series_scopes },
	FIELDS_END
};

/* GET /v1/events/{id}/rsvps */
const struct field ev_q_rsvps[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = rsvp_statuses },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/me/events */
static const char *const my_event_times[] = { "upcoming", "past", NULL };
static const char *const my_event_relations[] = {
	"going", "waitlisted", "organizing", "invited", NULL
};
const struct field ev_q_mine[] = {
	{ .name = "when", .type = FT_ENUM, .min = 1, .max = 10,
	    .values = my_event_times },
	{ .name = "relation", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = my_event_relations },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* GET /v1/me/invitations */
const struct field ev_q_invitations[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = invitation_statuses },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* Event bodies: what create and patch share, then the read-only rest. */
#define EV_FIELDS(req) \
	{ .name = "title", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 200 }, \
	{ .name = "description", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 10000 }, \
	{ .name = "kind", .type = FT_ENUM, .flags = (req), \
	    .min = 1, .max = 20, .values = event_kinds }, \
	{ .name = "tags", .type = FT_STRINGS, .min = 0, .max = 10, \
	    .item_max = 40 }, \
	{ .name = "starts_at", .type = FT_TIME, .flags = (req), \
	    .min = 20, .max = 40 }, \
	{ .name = "ends_at", .type = FT_TIME, .flags = (req), \
	    .min = 20, .max = 40 }, \
	{ .name = "timezone", .type = FT_STRING, .flags = (req), \
	    .min = 1, .max = 64 }, \
	{ .name = "venue", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 200 }, \
	{ .name = "address", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 300 }, \
	{ .name = "city", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 80 }, \
	FIELDS_POSITION("latitude", "longitude"), \
	{ .name = "online_url", .type = FT_URL, .flags = FF_NULLABLE, \
	    .min = 0, .max = 500 }, \
	{ .name = "accessibility_notes", .type = FT_STRING, \
	    .flags = FF_NULLABLE, .min = 0, .max = 2000 }, \
	{ .name = "capacity", .type = FT_INT, .flags = FF_NULLABLE, \
	    .min = 1, .max = 100000 }, \
	{ .name = "guest_limit", .type = FT_INT, .min = 0, .max = 20 }, \
	{ .name = "organization", .type = FT_REF, .flags = FF_NULLABLE, \
	    .min = 1, .max = 64 }, \
	{ .name = "organizers", .type = FT_INTS, .flags = FF_NULLABLE, \
	    .min = 0, .max = 20 }, \
	{ .name = "target", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 300 }, \
	{ .name = "talking_points", .type = FT_STRING, .flags = FF_NULLABLE, \
	    .min = 0, .max = 10000 }

#define EV_READONLY \
	READONLY("id"), READONLY("status"), READONLY("cancel_reason"), \
	READONLY("cancelled_at"), READONLY("going_count"), \
	READONLY("waitlist_count"), READONLY("places_taken"), \
	READONLY("places_left"), READONLY("pledged_count"), \
	READONLY("attended_count"), READONLY("sequence"), \
	READONLY("version"), READONLY("my_rsvp"), READONLY("created_at"), \
	READONLY("updated_at"), READONLY("series_id")

/*
 * POST /v1/events: a recap is written after the event; "recurrence" (an
 * RRULE value) makes a series (resources/series.c).
 */
const struct field ev_b_create[] = {
	EV_FIELDS(FF_REQUIRED),
	{ .name = "recurrence", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 1, .max = RECUR_RULE_MAX },
	READONLY("recap"),
	EV_READONLY,
	FIELDS_END
};

/* PATCH /v1/events/{id} */
const struct field ev_b_patch[] = {
	EV_FIELDS(0),
	{ .name = "recap", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 10000 },
	READONLY("recurrence"),
	EV_READONLY,
	FIELDS_END
};

/* POST /v1/events/{id}/cancel */
const struct field ev_b_cancel[] = {
	{ .name = "reason", .type = FT_STRING, .flags = FF_NULLABLE,
	    .min = 0, .max = 1000 },
	FIELDS_END
};

/* PUT /v1/events/{id}/rsvp */
const struct field ev_b_rsvp[] = {
	{ .name = "response", .type = FT_ENUM, .flags = FF_REQUIRED,
	    .min = 1, .max = 20, .values = rsvp_responses },
	{ .name = "guests", .type = FT_INT, .min = 0, .max = 20 },
	{ .name = "series", .type = FT_BOOL },
	READONLY("status"), READONLY("waitlist_position"),
	FIELDS_END
};

/* POST /v1/events/{id}/attendance */
static const struct field ev_attendance_record[] = {
	{ .name = "member_id", .type = FT_INT, .flags = FF_REQUIRED,
	    .min = 1, .max = IL_ID_MAX },
	{ .name = "attended", .type = FT_BOOL, .flags = FF_REQUIRED },
	FIELDS_END
};

const struct field ev_b_attendance[] = {
	{ .name = "records", .type = FT_OBJECTS, .flags = FF_REQUIRED,
	    .min = 1, .max = 500, .sub = ev_attendance_record },
	FIELDS_END
};

/*
 * POST /v1/events/{id}/invitations: members, addresses, or both; 1 to 50
 * in all and each address's form are checked in SQL (api.event_invite).
 */
const struct field ev_b_invite[] = {
	{ .name = "member_ids", .type = FT_INTS, .min = 1, .max = 50 },
	{ .name = "emails", .type = FT_STRINGS, .min = 1, .max = 50,
	    .item_max = 254 },
	FIELDS_END
};

/* PATCH /v1/me/invitations/{id} */
const struct field ev_b_invitation[] = {
	{ .name = "status", .type = FT_ENUM, .min = 1, .max = 20,
	    .values = invitation_answers },
	READONLY("id"), READONLY("event"), READONLY("sender"),
	READONLY("reason"), READONLY("rsvp"), READONLY("created_at"),
	READONLY("responded_at"),
	FIELDS_END
};
