/*
 * Print the route table and every field table as JSON, for the test
 * that compares them with openapi.yaml (tests/contract/).  Built by
 * "make dump-routes" from http/routes.c (with -DIL_FIELDS_ONLY: no
 * Kore) and the resources' field tables, which are pure data.
 *
 *	{ "routes": [ { "method": "GET", "path": "/v1/events",
 *	    "flags": ["auth", ...], "query": [field...],
 *	    "body": [field...] or null }, ... ],
 *	  "recurrence": { "rule_max", "count_max", "years_max" } }
 *
 * A field is { "name", "type" ("string", "email", ...), "flags"
 * ("required", "nullable", "readonly"), "min", "max", "values",
 * "item_max", "fields" (FT_OBJECT, FT_OBJECTS) }; a read-only field has
 * its name and flags only, since the API refuses it whatever its value.
 * "recurrence" holds the bounds of a rule that live inside its string
 * (recurrence.c), which openapi.yaml states as x-count-maximum and
 * x-years-maximum.
 */

#include <stdio.h>
#include <stdlib.h>

#include "il.h"

static const char	*type_name(int);
static const char	*method_name(int);
static json_t		*flag_names(int, const char *const *, const int *);
static json_t		*fields_json(const struct field *);

static const char *
type_name(int type)
{
	static const char *const names[] = {
		[FT_STRING] = "string", [FT_EMAIL] = "email",
		[FT_URL] = "url", [FT_INT] = "int", [FT_BOOL] = "bool",
		[FT_ENUM] = "enum", [FT_STRINGS] = "strings",
		[FT_OBJECT] = "object", [FT_INTS] = "ints",
		[FT_TIME] = "time", [FT_DECIMAL] = "decimal",
		[FT_SECRET] = "secret", [FT_OBJECTS] = "objects",
		[FT_REF] = "ref", [FT_NUMBER] = "number",
	};

	if (type < 0 || (size_t)type >= sizeof(names) / sizeof(names[0]) ||
	    names[type] == NULL)
		return ("unknown");
	return (names[type]);
}

static const char *
method_name(int method)
{
	switch (method) {
	case IL_GET:
		return ("GET");
	case IL_POST:
		return ("POST");
	case IL_PUT:
		return ("PUT");
	case IL_PATCH:
		return ("PATCH");
	case IL_DELETE:
		return ("DELETE");
	default:
		return ("unknown");
	}
}

/* The names of the bits set in flags, from names[i] for bits[i]. */
static json_t *
flag_names(int flags, const char *const *names, const int *bits)
{
	json_t		*a;
	size_t		i;

	a = json_array();
	for (i = 0; names[i] != NULL; i++) {
		if (flags & bits[i])
			json_array_append_new(a, json_string(names[i]));
	}
	return (a);
}

static json_t *
fields_json(const struct field *f)
{
	static const char *const names[] = {
		"required", "nullable", "readonly", NULL
	};
	static const int bits[] = { FF_REQUIRED, FF_NULLABLE, FF_READONLY };
	json_t		*a, *o, *v;
	size_t		i;

	a = json_array();
	for (; f != NULL && f->name != NULL; f++) {
		o = json_object();
		json_object_set_new(o, "name", json_string(f->name));
		json_object_set_new(o, "flags", flag_names(f->flags, names,
		    bits));
		json_array_append_new(a, o);
		if (f->flags & FF_READONLY)
			continue;
		json_object_set_new(o, "type", json_string(type_name(f->type)));
		json_object_set_new(o, "min", json_integer(f->min));
		json_object_set_new(o, "max", json_integer(f->max));
		json_object_set_new(o, "item_max", json_integer(f->item_max));
		if (f->values != NULL) {
			v = json_array();
			for (i = 0; f->values[i] != NULL; i++)
				json_array_append_new(v,
				    json_string(f->values[i]));
			json_object_set_new(o, "values", v);
		}
		if (f->sub != NULL)
			json_object_set_new(o, "fields", fields_json(f->sub));
	}
	return (a);
}

int
main(void)
{
	static const char *const names[] = {
		"auth", "feed", "json_body", "merge_patch", "no_store",
		"invalidates_feeds", "hash_token", "any_body", "private", NULL
	};
	static const int bits[] = {
		EP_AUTH, EP_FEED, EP_JSON_BODY, EP_MERGE_PATCH, EP_NO_STORE,
		EP_INVALIDATES_FEEDS, EP_HASH_TOKEN, EP_ANY_BODY, EP_PRIVATE
	};
	const struct endpoint	*r;
	json_t			*doc, *list, *o;
	size_t			i;

	doc = json_object();
	list = json_array();
	for (i = 0; i < routes_count; i++) {
		r = &routes[i];
		o = json_object();
		json_object_set_new(o, "method",
		    json_string(method_name(r->method)));
		json_object_set_new(o, "path", json_string(r->path));
		json_object_set_new(o, "flags", flag_names(r->flags, names,
		    bits));
		json_object_set_new(o, "query", fields_json(r->query));
		json_object_set_new(o, "body", r->body != NULL ?
		    fields_json(r->body) : json_null());
		json_array_append_new(list, o);
	}
	json_object_set_new(doc, "routes", list);
	json_object_set_new(doc, "recurrence", json_pack("{s:i, s:i, s:i}",
	    "rule_max", RECUR_RULE_MAX, "count_max", RECUR_MAX_COUNT,
	    "years_max", RECUR_MAX_YEARS));
	if (json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) ==
	    -1 || putchar('\n') == EOF || fflush(stdout) == EOF)
		return (1);
	json_decref(doc);
	return (0);
}
