/*
 * Events: the field specs of event, RSVP, attendance and invitation
 * bodies and queries (the rows are in endpoints.c; the meaning is
 * checked in sql/migrations/0004_events.sql), and the one custom flow,
 * GET /v1/events/{id}/rsvps, which gives organizers a CSV export when
 * the Accept header prefers text/csv.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define RSVPS_CSV	"SELECT api.event_rsvps_csv($1, $2, $3, $4, $5)"
#define CSV_TYPE	"text/csv; charset=utf-8"

#define EV_ID_MAX	999999999999999999LL

static double	accept_q(const char *, size_t);
static int	accept_prefers_csv(const char *);
static void	rsvps_csv_row(struct http_request *, struct il_req *,
		    PGresult *);

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

/* Query strings. */
const struct field ev_q_list[] = {
	{ "from", FT_TIME, 0, 20, 40, NULL, NULL, 0 },
	{ "to", FT_TIME, 0, 20, 40, NULL, NULL, 0 },
	{ "organization", FT_STRING, 0, 1, 64, NULL, NULL, 0 },
	{ "kind", FT_ENUM, 0, 1, 20, event_kinds, NULL, 0 },
	{ "city", FT_STRING, 0, 1, 80, NULL, NULL, 0 },
	{ "tag", FT_STRING, 0, 1, 40, NULL, NULL, 0 },
	{ "q", FT_STRING, 0, 1, 100, NULL, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

const struct field ev_q_rsvps[] = {
	{ "status", FT_ENUM, 0, 1, 20, rsvp_statuses, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

const struct field ev_q_invitations[] = {
	{ "status", FT_ENUM, 0, 1, 20, invitation_statuses, NULL, 0 },
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* Event bodies: what create and patch share, then the read-only rest. */
#define EV_FIELDS(req) \
	{ "title", FT_STRING, req, 1, 200, NULL, NULL, 0 }, \
	{ "description", FT_STRING, FF_NULLABLE, 0, 10000, NULL, NULL, 0 }, \
	{ "kind", FT_ENUM, req, 1, 20, event_kinds, NULL, 0 }, \
	{ "tags", FT_STRINGS, 0, 0, 10, NULL, NULL, 40 }, \
	{ "starts_at", FT_TIME, req, 20, 40, NULL, NULL, 0 }, \
	{ "ends_at", FT_TIME, req, 20, 40, NULL, NULL, 0 }, \
	{ "timezone", FT_STRING, req, 1, 64, NULL, NULL, 0 }, \
	{ "venue", FT_STRING, FF_NULLABLE, 0, 200, NULL, NULL, 0 }, \
	{ "address", FT_STRING, FF_NULLABLE, 0, 300, NULL, NULL, 0 }, \
	{ "city", FT_STRING, FF_NULLABLE, 0, 80, NULL, NULL, 0 }, \
	{ "online_url", FT_URL, FF_NULLABLE, 0, 500, NULL, NULL, 0 }, \
	{ "accessibility_notes", FT_STRING, FF_NULLABLE, 0, 2000, NULL, \
	    NULL, 0 }, \
	{ "capacity", FT_INT, FF_NULLABLE, 1, 100000, NULL, NULL, 0 }, \
	{ "guest_limit", FT_INT, 0, 0, 20, NULL, NULL, 0 }, \
	{ "organization", FT_REF, FF_NULLABLE, 1, 64, NULL, NULL, 0 }, \
	{ "organizers", FT_INTS, FF_NULLABLE, 0, 20, NULL, NULL, 0 }, \
	{ "target", FT_STRING, FF_NULLABLE, 0, 300, NULL, NULL, 0 }, \
	{ "talking_points", FT_STRING, FF_NULLABLE, 0, 10000, NULL, NULL, 0 }

#define EV_READONLY \
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "status", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "cancel_reason", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "cancelled_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "going_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "waitlist_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "places_taken", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "places_left", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "pledged_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "attended_count", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "sequence", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "my_rsvp", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }, \
	{ "updated_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 }

/* A recap is written after the event: read-only when creating. */
const struct field ev_b_create[] = {
	EV_FIELDS(FF_REQUIRED),
	{ "recap", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	EV_READONLY,
	FIELDS_END
};

const struct field ev_b_patch[] = {
	EV_FIELDS(0),
	{ "recap", FT_STRING, FF_NULLABLE, 0, 10000, NULL, NULL, 0 },
	EV_READONLY,
	FIELDS_END
};

const struct field ev_b_cancel[] = {
	{ "reason", FT_STRING, FF_NULLABLE, 0, 1000, NULL, NULL, 0 },
	FIELDS_END
};

const struct field ev_b_rsvp[] = {
	{ "response", FT_ENUM, FF_REQUIRED, 1, 20, rsvp_responses, NULL, 0 },
	{ "guests", FT_INT, 0, 0, 20, NULL, NULL, 0 },
	{ "status", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "waitlist_position", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field ev_attendance_record[] = {
	{ "member_id", FT_INT, FF_REQUIRED, 1, EV_ID_MAX, NULL, NULL, 0 },
	{ "attended", FT_BOOL, FF_REQUIRED, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

const struct field ev_b_attendance[] = {
	{ "records", FT_OBJECTS, FF_REQUIRED, 1, 500, NULL,
	    ev_attendance_record, 0 },
	FIELDS_END
};

const struct field ev_b_invite[] = {
	{ "member_ids", FT_INTS, FF_REQUIRED, 1, 50, NULL, NULL, 0 },
	FIELDS_END
};

const struct field ev_b_invitation[] = {
	{ "status", FT_ENUM, FF_REQUIRED, 1, 20, invitation_answers, NULL,
	    0 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "event", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "sender", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "reason", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "rsvp", FT_OBJECT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "created_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "responded_at", FT_STRING, FF_READONLY, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

/*
 * The q value (0..1) of the media range of len bytes at item, which
 * starts after the type: ";q=0.5;level=1".  Missing or malformed: 1.
 */
static double
accept_q(const char *item, size_t len)
{
	const char	*p, *end;
	char		num[8];
	size_t		n;
	double		q;

	end = item + len;
	for (p = item; p < end; p++) {
		if (*p != ';')
			continue;
		p++;
		while (p < end && *p == ' ')
			p++;
		if (end - p < 2 || tolower((unsigned char)p[0]) != 'q' ||
		    p[1] != '=')
			continue;
		p += 2;
		for (n = 0; p + n < end && n < sizeof(num) - 1 &&
		    (isdigit((unsigned char)p[n]) || p[n] == '.'); n++)
			num[n] = p[n];
		num[n] = '\0';
		if (n == 0)
			return (1.0);
		q = strtod(num, NULL);
		return (q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q));
	}
	return (1.0);
}

/*
 * Whether an Accept header asks for CSV: text/csv is listed with q > 0
 * and at least the q of application/json.  Wildcards never pick CSV.
 */
static int
accept_prefers_csv(const char *accept)
{
	const char	*item, *next, *type_end;
	size_t		len, tlen;
	double		csv, json;

	csv = json = -1.0;
	for (item = accept; *item != '\0'; item = next) {
		while (*item == ' ' || *item == ',')
			item++;
		if (*item == '\0')
			break;
		if ((next = strchr(item, ',')) == NULL)
			next = item + strlen(item);
		len = (size_t)(next - item);
		if ((type_end = memchr(item, ';', len)) == NULL)
			type_end = next;
		tlen = (size_t)(type_end - item);
		while (tlen > 0 && item[tlen - 1] == ' ')
			tlen--;
		if (tlen == 8 && strncasecmp(item, "text/csv", 8) == 0)
			csv = accept_q(type_end, (size_t)(next - type_end));
		else if (tlen == 16 &&
		    strncasecmp(item, "application/json", 16) == 0)
			json = accept_q(type_end, (size_t)(next - type_end));
	}
	return (csv > 0.0 && csv >= json);
}

static void
rsvps_csv_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	char		disp[96];
	int		n;

	if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    PQgetisnull(res, 0, 0)) {
		reply_internal(req);
		return;
	}
	n = snprintf(disp, sizeof(disp),
	    "attachment; filename=\"event-%s-rsvps.csv\"",
	    st->args.values[0]);
	if (n > 0 && (size_t)n < sizeof(disp))
		http_response_header(req, "Content-Disposition", disp);
	reply_body(req, 200, CSV_TYPE, PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0));
}

/*
 * GET /v1/events/{id}/rsvps: JSON through the row's SQL, or, when the
 * Accept header prefers text/csv, the organizers' CSV export (which
 * needs a token: 401 here, 403 from SQL for non-organizers).
 */
void
ev_rsvps_start(struct http_request *req, struct il_req *st)
{
	const char	*accept;

	if (!http_request_header(req, "accept", &accept) ||
	    !accept_prefers_csv(accept)) {
		call_generic(req, st);
		return;
	}
	if (auth_required(req, st, "log in first: the CSV export is for "
	    "the event's organizers") == -1)
		return;
	call_bind_standard(st);
	db_call(req, st, RSVPS_CSV, rsvps_csv_row, NULL);
}
