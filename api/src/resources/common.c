/*
 * Field tables several routes share: a list's paging alone, and an
 * empty body.  Pure data (il.h only).  (A route without query
 * parameters or without a body has no table: see http/routes.c.)
 */

#include "il.h"

/* A list with no filters: limit and cursor. */
const struct field q_list[] = {
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* A body that may be absent or {}, and holds nothing. */
const struct field b_empty[] = {
	FIELDS_END
};
