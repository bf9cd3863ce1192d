/* Unit tests for input.c: bodies, field specs, query strings. */

#include <stdlib.h>

#include "il.h"
#include "unit.h"

static const char *const colors[] = { "red", "green", NULL };

static const struct field sub[] = {
	{ "on", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	{ "n", FT_INT, FF_NULLABLE, 0, 10, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field rec[] = {
	{ "member_id", FT_INT, FF_REQUIRED, 1, 1000, NULL, NULL, 0 },
	{ "attended", FT_BOOL, FF_REQUIRED, 0, 0, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field spec[] = {
	{ "records", FT_OBJECTS, 0, 1, 2, NULL, rec, 0 },
	{ "org", FT_REF, FF_NULLABLE, 3, 64, NULL, NULL, 0 },
	{ "name", FT_STRING, FF_REQUIRED, 1, 5, NULL, NULL, 0 },
	{ "email", FT_EMAIL, 0, 3, 254, NULL, NULL, 0 },
	{ "site", FT_URL, FF_NULLABLE, 0, 100, NULL, NULL, 0 },
	{ "color", FT_ENUM, 0, 1, 10, colors, NULL, 0 },
	{ "tags", FT_STRINGS, 0, 0, 2, NULL, NULL, 3 },
	{ "ids", FT_INTS, 0, 1, 3, NULL, NULL, 0 },
	{ "at", FT_TIME, 0, 1, 40, NULL, NULL, 0 },
	{ "amount", FT_DECIMAL, 0, 1, 20, NULL, NULL, 0 },
	{ "opt", FT_OBJECT, FF_NULLABLE, 0, 0, NULL, sub, 0 },
	{ "id", FT_INT, FF_READONLY, 0, 0, NULL, NULL, 0 },
	{ "lat", FT_NUMBER, FF_NULLABLE, -90, 90, NULL, NULL, 0 },
	FIELDS_END
};

static const struct field qspec[] = {
	{ "q", FT_STRING, 0, 1, 10, NULL, NULL, 0 },
	{ "color", FT_ENUM, 0, 1, 10, colors, NULL, 0 },
	{ "flag", FT_BOOL, 0, 0, 0, NULL, NULL, 0 },
	{ "limit", FT_INT, 0, 1, 100, NULL, NULL, 0 },
	FIELDS_END
};

/* Returns the number of errors for body text against spec. */
static int
errors_for(const char *text, int flags, const char *field)
{
	struct input_errors	errs;
	json_t			*v;
	int			i, found;

	memset(&errs, 0, sizeof(errs));
	if ((v = input_parse_body(text, strlen(text), &errs)) != NULL) {
		(void)input_check_object(v, spec, flags, NULL, &errs);
		json_decref(v);
	}
	if (field == NULL)
		return (errs.n);
	for (found = 0, i = 0; i < errs.n; i++)
		if (strcmp(errs.e[i].field, field) == 0)
			found = 1;
	return (found ? errs.n : -1);
}

static int
query_errors(const char *qs, const char *field, json_t **out)
{
	struct input_errors	errs;
	json_t			*v;
	int			i, found;

	memset(&errs, 0, sizeof(errs));
	v = input_parse_query(qs, qspec, &errs);
	if (out != NULL)
		*out = v;
	else if (v != NULL)
		json_decref(v);
	if (field == NULL)
		return (errs.n);
	for (found = 0, i = 0; i < errs.n; i++)
		if (strcmp(errs.e[i].field, field) == 0)
			found = 1;
	return (found ? errs.n : -1);
}

int
main(void)
{
	char		buf[64];
	json_t		*q;

	/* Bodies. */
	CHECK(errors_for("{\"name\": \"ab\"}", 0, NULL) == 0);
	/* Numbers: integer or not, within min..max, or null. */
	CHECK(errors_for("{\"name\": \"a\", \"lat\": 39.8}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": -90}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": 90.0}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": null}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": 90.0001}", 0, "lat") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": -91}", 0, "lat") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": 1e300}", 0, "lat") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": \"39.8\"}", 0, "lat") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"lat\": true}", 0, "lat") == 1);
	CHECK(errors_for("{}", 0, "name") == 1);
	CHECK(errors_for("{}", IN_PATCH, NULL) == 0);
	CHECK(errors_for("{\"name\": \"abcdef\"}", 0, "name") == 1);
	CHECK(errors_for("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
	    0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"\"}", 0, "name") == 1);
	CHECK(errors_for("{\"name\": 5}", 0, "name") == 1);
	CHECK(errors_for("{\"name\": null}", 0, "name") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"x\": 1}", 0, "x") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"id\": 1}", 0, "id") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"name\": \"b\"}", 0, "body") == 1);
	CHECK(errors_for("{\"name\": ", 0, "body") == 1);
	CHECK(errors_for("[]", 0, "body") == 1);
	CHECK(errors_for("", 0, "body") == 1);
	CHECK(errors_for("{\"name\": \"a\\u0000b\"}", 0, "body") == 1);
	CHECK(errors_for("{\"name\": \"\xff\"}", 0, "body") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"email\": \"a@b.c\"}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"email\": \"ab.c\"}", 0, "email") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"email\": \"a@b\"}", 0, "email") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"email\": \"a b@c.d\"}", 0,
	    "email") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"site\": null}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"site\": \"https://x.org/a\"}", 0,
	    NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"site\": \"javascript:alert(1)\"}",
	    0, "site") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"site\": \"http://\"}", 0,
	    "site") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"site\": \"https://@\"}", 0,
	    "site") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"site\": \"http://[::1\"}", 0,
	    "site") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"site\": "
	    "\"https://x.org:99999/\"}", 0, "site") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"color\": \"blue\"}", 0,
	    "color") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"color\": \"red\"}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"tags\": [\"ab\", \"cd\"]}", 0,
	    NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"tags\": [\"ab\", \"cd\", \"e\"]}", 0,
	    "tags") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"tags\": [\"abcd\"]}", 0,
	    "tags[0]") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"tags\": [1]}", 0, "tags[0]") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"tags\": \"ab\"}", 0, "tags") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"ids\": [1, 2]}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"ids\": []}", 0, "ids") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"ids\": [0]}", 0, "ids[0]") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"ids\": [1.5]}", 0, "ids[0]") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"at\": \"2026-12-05T18:00:00Z\"}",
	    0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"at\": \"2026-12-05\"}", 0,
	    "at") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"amount\": \"500.00\"}", 0,
	    NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"amount\": \"-5\"}", 0,
	    "amount") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"amount\": \"1.234\"}", 0,
	    "amount") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"opt\": {\"on\": true, \"n\": 3}}",
	    0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"opt\": {\"n\": 11}}", 0,
	    "opt.n") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"opt\": {\"zz\": 1}}", 0,
	    "opt.zz") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"opt\": null}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": 1, \"email\": 2, \"color\": 3}", 0,
	    NULL) == 3);
	CHECK(errors_for("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,"
	    "\"g\":1,\"h\":1,\"i\":1,\"j\":1}", 0, NULL) == IL_ERRORS_MAX);

	/* Arrays of objects: each item against the sub spec, whole. */
	CHECK(errors_for("{\"name\": \"a\", \"records\": [{\"member_id\": 1, "
	    "\"attended\": true}]}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"records\": []}", 0,
	    "records") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"records\": [1]}", 0,
	    "records[0]") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"records\": [{\"member_id\": 1}]}",
	    IN_PATCH, "records[0].attended") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"records\": [{\"member_id\": 1, "
	    "\"attended\": true}, {\"member_id\": 0, \"attended\": true}]}", 0,
	    "records[1].member_id") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"records\": [{}, {}, {}]}", 0,
	    "records") == 1);
	/* References: an id or a slug. */
	CHECK(errors_for("{\"name\": \"a\", \"org\": 5}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"org\": \"central\"}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"org\": null}", 0, NULL) == 0);
	CHECK(errors_for("{\"name\": \"a\", \"org\": 0}", 0, "org") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"org\": \"ab\"}", 0, "org") == 1);
	CHECK(errors_for("{\"name\": \"a\", \"org\": true}", 0, "org") == 1);

	/* Query strings. */
	CHECK(query_errors(NULL, NULL, &q) == 0);
	CHECK(q != NULL && json_integer_value(json_object_get(q, "limit")) == 20);
	json_decref(q);
	CHECK(query_errors("q=caf%C3%A9+bar&limit=5&flag=true", NULL, &q) == 0);
	CHECK_STR(json_string_value(json_object_get(q, "q")), "caf\xc3\xa9 bar");
	CHECK(json_integer_value(json_object_get(q, "limit")) == 5);
	CHECK(json_is_true(json_object_get(q, "flag")));
	json_decref(q);
	CHECK(query_errors("limit=0", "limit", NULL) == 1);
	CHECK(query_errors("limit=101", "limit", NULL) == 1);
	CHECK(query_errors("limit=abc", "limit", NULL) == 1);
	CHECK(query_errors("limit=", "limit", NULL) == 1);
	CHECK(query_errors("limit=1e2", "limit", NULL) == 1);
	CHECK(query_errors("limit=99999999999999999999", "limit", NULL) == 1);
	CHECK(query_errors("limit=5&limit=6", "limit", NULL) == 1);
	CHECK(query_errors("nope=1", "nope", NULL) == 1);
	CHECK(query_errors("access_token=x", "access_token", NULL) == 1);
	CHECK(query_errors("color=blue", "color", NULL) == 1);
	CHECK(query_errors("flag=yes", "flag", NULL) == 1);
	CHECK(query_errors("q=%zz", "query", NULL) == 1);
	CHECK(query_errors("q=%00", "query", NULL) == 1);
	CHECK(query_errors("q=%ff", "q", NULL) == 1);
	CHECK(query_errors("q=abcdefghijk", "q", NULL) == 1);
	CHECK(query_errors("q=", "q", NULL) == 1);
	CHECK(query_errors("&&&", NULL, NULL) == 0);

	/* Helpers. */
	CHECK(input_utf8_len("abc", 3) == 3);
	CHECK(input_utf8_len("\xc3\xa9", 2) == 1);
	CHECK(input_utf8_len("\xf0\x9f\x93\x9a", 4) == 1);
	CHECK(input_utf8_len("\xc3", 1) == -1);
	CHECK(input_utf8_len("\xc0\xaf", 2) == -1);
	CHECK(input_utf8_len("\xed\xa0\x80", 3) == -1);
	CHECK(input_utf8_len("\xf4\x90\x80\x80", 4) == -1);
	CHECK(input_is_rfc3339("2026-12-05T18:00:00Z"));
	CHECK(input_is_rfc3339("2026-12-05T18:00:00.123+01:00"));
	CHECK(input_is_rfc3339("2026-12-05t18:00:00-05:30"));
	CHECK(!input_is_rfc3339("2026-12-05T18:00:00"));
	CHECK(!input_is_rfc3339("2026-13-05T18:00:00Z"));
	CHECK(!input_is_rfc3339("2026-12-05T24:00:00Z"));
	CHECK(!input_is_rfc3339("2026-12-05 18:00:00Z"));
	CHECK(!input_is_rfc3339(""));
	CHECK(!input_is_rfc3339("2026-12-05T18:00:00Zjunk"));
	/* URLs: libcurl's parser, http(s) with a host. */
	CHECK(input_is_url("https://x.org"));
	CHECK(input_is_url("https://x.org/a?b=c#d"));
	CHECK(input_is_url("http://library.example:8080/events/1"));
	CHECK(input_is_url("http://[::1]:8080/a"));
	CHECK(input_is_url("https://meet.example.org/abc-def_1"));
	CHECK(input_is_url("https://user@x.org/"));
	CHECK(input_is_url("https://b\xc3\xbc" "cher.example/"));
	CHECK(input_is_url("https://x.org:65535/"));
	CHECK(!input_is_url("https://@"));
	CHECK(!input_is_url("http://[::1"));
	CHECK(!input_is_url("https://x.org:99999/"));
	CHECK(!input_is_url("https://x.org:0/"));
	CHECK(!input_is_url("https://x.org:port/"));
	CHECK(!input_is_url("http://"));
	CHECK(!input_is_url("https://:443/"));
	CHECK(!input_is_url("https:/x.org"));
	CHECK(!input_is_url("https:///x.org"));
	CHECK(!input_is_url("https:x.org"));
	CHECK(!input_is_url("HTTPS://x.org"));
	CHECK(!input_is_url("ftp://x.org"));
	CHECK(!input_is_url("javascript:alert(1)"));
	CHECK(!input_is_url("x.org"));
	CHECK(!input_is_url(""));
	CHECK(!input_is_url("https://x.org/a b"));
	CHECK(!input_is_url("https://ex ample.org/"));
	CHECK(!input_is_url("https://x.org/\x01"));
	CHECK(!input_is_url("https://x.org\\evil.example/"));
	CHECK(!input_is_url("https://x%00.org/"));
	(void)snprintf(buf, sizeof(buf), "a%%20b+c");
	CHECK(input_urldecode(buf) == 0);
	CHECK_STR(buf, "a b c");
	(void)snprintf(buf, sizeof(buf), "bad%%2");
	CHECK(input_urldecode(buf) == -1);

	return (unit_done("input"));
}
