/*
 * Field tables several routes share: no fields at all, and a list's
 * paging alone.  Pure data (il.h only).
 */

#include "il.h"

/* A route that takes no query parameters. */
const struct field q_none[] = {
	FIELDS_END
};

/* A list with no filters: limit and cursor. */
const struct field q_list[] = {
	FIELDS_LIST_PAGE,
	FIELDS_END
};

/* A body that may be absent or {}, and holds nothing. */
const struct field b_empty[] = {
	FIELDS_END
};
