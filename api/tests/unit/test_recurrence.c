/*
 * Unit tests for recurrence.c: the RRULE subset and its expansion into
 * local times (the API tests compare expansions with python-dateutil).
 */

#include <string.h>

#include "il.h"
#include "unit.h"

/* The message of the one error of a refused rule, or NULL if accepted. */
static const char *
refused(const char *rule)
{
	static struct input_errors	errs;
	json_t				*plan;

	memset(&errs, 0, sizeof(errs));
	plan = recurrence_expand(rule, "2026-03-03T18:00:00", &errs);
	if (plan != NULL) {
		json_decref(plan);
		return (NULL);
	}
	if (errs.n != 1 || strcmp(errs.e[0].field, "recurrence") != 0)
		return ("(no error naming recurrence)");
	return (errs.e[0].message);
}

/* Starts of rule from dtstart, joined by ' ', into buf. */
static const char *
starts(const char *rule, const char *dtstart, char *buf, size_t len)
{
	struct input_errors	errs;
	json_t			*plan, *v;
	size_t			i;

	memset(&errs, 0, sizeof(errs));
	buf[0] = '\0';
	if ((plan = recurrence_expand(rule, dtstart, &errs)) == NULL)
		return ("(refused)");
	json_array_foreach(json_object_get(plan, "starts"), i, v) {
		if (i > 0)
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, json_string_value(v), len - strlen(buf) - 1);
	}
	json_decref(plan);
	return (buf);
}

static int
contains(const char *s, const char *part)
{
	return (s != NULL && strstr(s, part) != NULL);
}

int
main(void)
{
	struct input_errors	errs;
	json_t			*plan;
	char			buf[8192];

	/* Accepted, with the RRULE: prefix and lower case. */
	CHECK(refused("FREQ=MONTHLY;BYDAY=2TU;COUNT=10") == NULL);
	CHECK(refused("rrule:freq=weekly;byday=tu,th;count=4") == NULL);
	CHECK(refused("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231") == NULL);
	CHECK(refused("FREQ=DAILY;UNTIL=20260401T000000Z") == NULL);
	CHECK(refused("FREQ=WEEKLY;INTERVAL=2") == NULL);

	/* Refused, naming the part. */
	CHECK(contains(refused("FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO"),
	    "BYSETPOS is not supported"));
	CHECK(contains(refused("FREQ=SECONDLY"), "FREQ=SECONDLY"));
	CHECK(contains(refused("FREQ=HOURLY;COUNT=3"), "FREQ=HOURLY"));
	CHECK(contains(refused("BYDAY=MO"), "FREQ is required"));
	CHECK(contains(refused("FREQ=WEEKLY;BYDAY=2TU"), "numbered day"));
	CHECK(contains(refused("FREQ=MONTHLY;BYDAY=XX"), "BYDAY"));
	CHECK(contains(refused("FREQ=MONTHLY;BYDAY=6TU"), "BYDAY"));
	CHECK(contains(refused("FREQ=MONTHLY;BYMONTHDAY=32"), "BYMONTHDAY"));
	CHECK(contains(refused("FREQ=WEEKLY;BYMONTHDAY=3"), "BYMONTHDAY"));
	CHECK(contains(refused("FREQ=DAILY;COUNT=201"), "COUNT"));
	CHECK(contains(refused("FREQ=DAILY;COUNT=0"), "COUNT"));
	CHECK(contains(refused("FREQ=YEARLY;COUNT=5"), "COUNT=5"));
	CHECK(contains(refused("FREQ=DAILY;COUNT=3;UNTIL=20261231"),
	    "COUNT and UNTIL"));
	CHECK(contains(refused("FREQ=DAILY;UNTIL=20290101"), "UNTIL"));
	CHECK(contains(refused("FREQ=DAILY;UNTIL=20260230"), "UNTIL"));
	CHECK(contains(refused("FREQ=DAILY;UNTIL=20260301T120000"), "UNTIL"));
	CHECK(contains(refused("FREQ=DAILY;UNTIL=20260101"), "no occurrence"));
	CHECK(contains(refused("FREQ=DAILY;UNTIL=20271231"), "200"));
	CHECK(contains(refused("FREQ=DAILY;FREQ=WEEKLY"), "twice"));
	CHECK(contains(refused("FREQ=DAILY;WKST=MO"), "WKST"));
	CHECK(contains(refused("FREQ=DAILY;X-NAME=1"), "not an RRULE part"));
	CHECK(contains(refused("FREQ=DAILY;COUNT"), "NAME=VALUE"));
	CHECK(contains(refused(""), "RRULE value"));
	CHECK(contains(refused("FREQ=DAILY;INTERVAL=0"), "INTERVAL"));

	/* Expansions. */
	CHECK_STR(starts("FREQ=MONTHLY;COUNT=4", "2026-01-31T18:00:00",
	    buf, sizeof(buf)), "2026-01-31T18:00:00 2026-03-31T18:00:00 "
	    "2026-05-31T18:00:00 2026-07-31T18:00:00");
	CHECK_STR(starts("FREQ=WEEKLY;BYDAY=TU;COUNT=2", "2026-03-02T18:00:00",
	    buf, sizeof(buf)), "2026-03-03T18:00:00 2026-03-10T18:00:00");
	CHECK_STR(starts("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260531",
	    "2026-03-01T09:30:00", buf, sizeof(buf)), "2026-03-27T09:30:00 "
	    "2026-04-24T09:30:00 2026-05-29T09:30:00");

	/* Open-ended: 200 at most, not complete; rule stored upper case. */
	memset(&errs, 0, sizeof(errs));
	plan = recurrence_expand("RRULE:freq=daily", "2026-03-03T18:00:00",
	    &errs);
	CHECK(plan != NULL);
	if (plan != NULL) {
		CHECK(json_array_size(json_object_get(plan, "starts")) == 200);
		CHECK(json_is_false(json_object_get(plan, "complete")));
		CHECK_STR(json_string_value(json_object_get(plan, "rule")),
		    "FREQ=DAILY");
		json_decref(plan);
	}
	/* Weekly without an end: two years, then the horizon. */
	memset(&errs, 0, sizeof(errs));
	plan = recurrence_expand("FREQ=WEEKLY", "2026-03-03T18:00:00", &errs);
	CHECK(plan != NULL);
	if (plan != NULL) {
		CHECK(json_array_size(json_object_get(plan, "starts")) == 105);
		json_decref(plan);
	}
	memset(&errs, 0, sizeof(errs));
	CHECK(recurrence_expand("FREQ=DAILY", "2026-02-30T18:00:00",
	    &errs) == NULL);
	CHECK(errs.n == 1 && strcmp(errs.e[0].field, "starts_at") == 0);

	/*
	 * The rolling window: from a start years back, the starts after now,
	 * aligned on the rule's first start (every other Tuesday), two years
	 * of them, then the first one past the window.
	 */
	memset(&errs, 0, sizeof(errs));
	plan = recurrence_window("FREQ=WEEKLY;INTERVAL=2", "2020-01-07T18:00:00",
	    "2026-03-04T12:00:00", &errs);
	CHECK(plan != NULL);
	if (plan != NULL) {
		json_t	*st = json_object_get(plan, "starts");

		CHECK(json_array_size(st) == 52);
		CHECK_STR(json_string_value(json_array_get(st, 0)),
		    "2026-03-10T18:00:00");
		CHECK_STR(json_string_value(json_array_get(st, 51)),
		    "2028-02-22T18:00:00");
		CHECK_STR(json_string_value(json_object_get(plan, "next")),
		    "2028-03-07T18:00:00");
		json_decref(plan);
	}
	/* Daily: 200 ahead at most; a start at now itself is not after it. */
	memset(&errs, 0, sizeof(errs));
	plan = recurrence_window("FREQ=DAILY", "2026-01-01T09:00:00",
	    "2026-03-04T09:00:00", &errs);
	CHECK(plan != NULL);
	if (plan != NULL) {
		json_t	*st = json_object_get(plan, "starts");

		CHECK(json_array_size(st) == 200);
		CHECK_STR(json_string_value(json_array_get(st, 0)),
		    "2026-03-05T09:00:00");
		CHECK_STR(json_string_value(json_object_get(plan, "next")),
		    "2026-09-21T09:00:00");
		json_decref(plan);
	}
	/* A rule that has ended: no starts, no next. */
	memset(&errs, 0, sizeof(errs));
	plan = recurrence_window("FREQ=DAILY;COUNT=3", "2026-01-01T09:00:00",
	    "2026-03-04T09:00:00", &errs);
	CHECK(plan != NULL && json_array_size(json_object_get(plan,
	    "starts")) == 0 && json_is_null(json_object_get(plan, "next")));
	json_decref(plan);
	memset(&errs, 0, sizeof(errs));
	CHECK(recurrence_window("FREQ=DAILY", "2026-01-01T09:00:00",
	    "2026-03-04", &errs) == NULL);

	return (unit_done("recurrence"));
}
