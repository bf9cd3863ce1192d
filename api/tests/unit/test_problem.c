/* Unit tests for problem.c: the SQLSTATE table and problem bodies. */

#include <stdlib.h>

#include "il.h"
#include "unit.h"

int
main(void)
{
	const struct sqlstate_map	*m;
	struct input_errors		errs;
	json_t				*v;
	char				*s;

	CHECK(problem_for_sqlstate("IL404")->status == 404);
	CHECK(problem_for_sqlstate("IL429")->status == 429);
	m = problem_for_sqlstate("IL412");
	CHECK(m->status == 412);
	CHECK(strcmp(m->code, "precondition_failed") == 0);
	CHECK(strcmp(problem_title(412), "Precondition Failed") == 0);
	CHECK(problem_for_sqlstate("23505")->status == 409);
	CHECK(problem_for_sqlstate("23503")->status == 409);
	CHECK(problem_for_sqlstate("40001")->status == 503);
	CHECK(problem_for_sqlstate("22P02")->status == 400);
	CHECK(problem_for_sqlstate("08006")->status == 503);
	m = problem_for_sqlstate("42883");
	CHECK(m->status == 500);
	CHECK(strstr(m->detail, "internal") != NULL);
	CHECK(problem_for_sqlstate(NULL)->status == 500);
	CHECK(problem_for_sqlstate("4")->status == 500);
	CHECK(problem_for_sqlstate("IL4041")->status == 500);

	memset(&errs, 0, sizeof(errs));
	input_error_add(&errs, "email", "must be an email address");
	s = problem_body(400, "validation_failed", "email must be an email",
	    &errs);
	v = json_loads(s, 0, NULL);
	CHECK(v != NULL);
	CHECK(json_integer_value(json_object_get(v, "status")) == 400);
	CHECK_STR(json_string_value(json_object_get(v, "code")),
	    "validation_failed");
	CHECK_STR(json_string_value(json_object_get(v, "title")),
	    "Bad Request");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(v, "errors"), 0), "field")), "email");
	CHECK(strncmp(json_string_value(json_object_get(v, "type")),
	    "https://", 8) == 0);
	json_decref(v);
	free(s);

	/* Invalid UTF-8 in a detail never makes an invalid body. */
	s = problem_body(404, "not_found", "bad \xff byte", NULL);
	v = json_loads(s, 0, NULL);
	CHECK(v != NULL);
	CHECK(json_array_size(json_object_get(v, "errors")) == 0);
	json_decref(v);
	free(s);

	return (unit_done("problem"));
}
