/*
 * RFC 9457 problem bodies and the one SQLSTATE -> HTTP table.  Pure code.
 *
 * The schema raises its own errors with SQLSTATEs "IL" + status
 * ("IL404"), the stable code in HINT, the field in COLUMN and the detail
 * in the message (see sql/migrations/0001_foundation.sql, api.fail()).
 * Everything else maps through the table below; anything unknown is a
 * 500 whose detail says nothing about the cause.
 */

#include <stdio.h>
#include <string.h>

#include "il.h"

static const struct sqlstate_map	sqlstates[] = {
	/* Our own, raised by api.fail(). */
	{ "IL400", 400, "validation_failed", NULL },
	{ "IL401", 401, "unauthorized", NULL },
	{ "IL403", 403, "forbidden", NULL },
	{ "IL404", 404, "not_found", NULL },
	{ "IL409", 409, "conflict", NULL },
	{ "IL410", 410, "gone", NULL },
	{ "IL412", 412, "precondition_failed", NULL },
	{ "IL413", 413, "payload_too_large", NULL },
	{ "IL422", 422, "unprocessable", NULL },
	{ "IL429", 429, "rate_limited", NULL },
	{ "IL503", 503, "unavailable", NULL },
	/* Integrity constraints: the schema is the last line of defence. */
	{ "23505", 409, "conflict", "the request conflicts with an existing "
	    "record" },
	{ "23503", 409, "conflict", "the request refers to a record that does "
	    "not exist or is still referenced" },
	{ "23514", 400, "validation_failed", "a value is out of range" },
	{ "23502", 400, "validation_failed", "a required value is missing" },
	{ "23P01", 409, "conflict", "the request conflicts with an existing "
	    "record" },
	/* Serialization and deadlocks: the client may retry. */
	{ "40001", 503, "retry", "the request conflicted with a concurrent "
	    "change; retry it" },
	{ "40P01", 503, "retry", "the request conflicted with a concurrent "
	    "change; retry it" },
	{ "55P03", 503, "retry", "the record is busy; retry it" },
	/* Data exceptions: bad input that slipped past validation. */
	{ "22", 400, "validation_failed", "a value is not valid" },
	/* Connection and resource problems. */
	{ "08", 503, "unavailable", "the database is unavailable" },
	{ "53", 503, "unavailable", "the database is overloaded" },
	{ "57", 503, "unavailable", "the database is unavailable" },
	{ NULL, 500, "internal_error", "an internal error occurred" }
};

const struct sqlstate_map *
problem_for_sqlstate(const char *state)
{
	const struct sqlstate_map	*m;

	if (state == NULL || strlen(state) != 5)
		return (&sqlstates[sizeof(sqlstates) / sizeof(sqlstates[0]) - 1]);
	for (m = sqlstates; m->prefix != NULL; m++) {
		if (strncmp(state, m->prefix, strlen(m->prefix)) == 0)
			return (m);
	}
	return (m);
}

/* The titles of the statuses the API answers with (RFC 9110 names). */
static const struct {
	int		status;
	const char	*title;
} titles[] = {
	{ 400, "Bad Request" },		{ 401, "Unauthorized" },
	{ 403, "Forbidden" },		{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },	{ 406, "Not Acceptable" },
	{ 409, "Conflict" },		{ 410, "Gone" },
	{ 411, "Length Required" },	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },	{ 503, "Service Unavailable" },
};

const char *
problem_title(int status)
{
	size_t		i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		if (titles[i].status == status)
			return (titles[i].title);
	}
	return (status >= 500 ? "Internal Server Error" : "Error");
}

char *
problem_body(int status, const char *code, const char *detail,
    const struct input_errors *errs)
{
	json_t		*o, *arr, *e;
	char		type[128], *out;
	int		i;

	o = json_object();
	(void)snprintf(type, sizeof(type),
	    "https://interlibrary.example/problems/%s", code);
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "title", json_string(problem_title(status)));
	json_object_set_new(o, "status", json_integer(status));
	if (detail == NULL || json_object_set_new(o, "detail",
	    json_string(detail)) == -1)
		json_object_set_new(o, "detail",
		    json_string(problem_title(status)));
	json_object_set_new(o, "code", json_string(code));
	arr = json_array();
	for (i = 0; errs != NULL && i < errs->n; i++) {
		e = json_object();
		json_object_set_new(e, "field", json_string(errs->e[i].field));
		json_object_set_new(e, "message",
		    json_string(errs->e[i].message));
		if (json_object_get(e, "field") == NULL)
			json_object_set_new(e, "field", json_string("body"));
		if (json_object_get(e, "message") == NULL)
			json_object_set_new(e, "message",
			    json_string("is not valid"));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "errors", arr);
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return (out);
}
