/*
 * POST /v1/events: the generic call of api.event_create, or, when the
 * body has a "recurrence", a series: ask SQL for the local time of
 * "starts_at" in the event's time zone (api.series_local_start), expand
 * the rule from it with libical (recurrence.c), then create the series
 * and its occurrences (api.series_create, given the local start times),
 * so SQL stays the one place that writes.
 */

#include <string.h>

#include "api.h"

#define SERIES_LOCAL	"SELECT api.series_local_start($1, $2)"
#define SERIES_CREATE	"SELECT status, body::text, location, next_cursor, " \
			"retry_after, data::text, etag " \
			"FROM api.series_create($1, $2, $3, $4, $5, $6)"

static const char *series_rule(struct il_req *);
static void	series_local_row(struct http_request *, struct il_req *,
		    PGresult *);
static void	series_expand(struct http_request *, struct il_req *);

/* The body's rule, or NULL when the event does not repeat. */
static const char *
series_rule(struct il_req *st)
{
	return (json_string_value(json_object_get(st->body, "recurrence")));
}

/* POST /v1/events */
void
series_event_create(struct http_request *req, struct il_req *st)
{
	struct input_errors	errs;

	if (series_rule(st) == NULL) {
		call_generic(req, st);
		return;
	}
	if (auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	memset(&errs, 0, sizeof(errs));
	if (recurrence_check(series_rule(st), &errs) == -1) {
		reply_invalid(req, &errs);
		return;
	}
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "starts_at")));
	db_param_text(st, json_string_value(json_object_get(st->body,
	    "timezone")));
	db_call(req, st, SERIES_LOCAL, series_local_row, series_expand);
}

/* Keep the local start in st->saved for series_expand(). */
static void
series_local_row(struct http_request *req, struct il_req *st,
    PGresult *res)
{
	char		*local;

	if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    PQgetisnull(res, 0, 0) ||
	    PQgetlength(res, 0, 0) != RECUR_LOCAL_LEN - 1) {
		reply_internal(req);
		return;
	}
	local = dispatch_scratch(st, RECUR_LOCAL_LEN);
	memcpy(local, PQgetvalue(res, 0, 0), RECUR_LOCAL_LEN - 1);
}

static void
series_expand(struct http_request *req, struct il_req *st)
{
	struct input_errors	errs;
	json_t			*plan;

	memset(&errs, 0, sizeof(errs));
	if (st->saved == NULL) {
		reply_internal(req);
		return;
	}
	if ((plan = recurrence_expand(series_rule(st), st->saved,
	    &errs)) == NULL) {
		reply_invalid(req, &errs);
		return;
	}
	call_bind_standard(st);
	db_param_json(st, plan);
	json_decref(plan);
	db_call(req, st, SERIES_CREATE, cache_write_row, NULL);
}
