/*
 * The generic SQL call: every route without a custom start (and some
 * starts, for part of their work) binds the five standard parameters
 * and calls the route's SQL function, whose one row row_reply()
 * (http/row.c) answers, or cache_write_row() for a route whose success
 * changes what feeds show.
 */

#include <string.h>

#include "api.h"

/*
 * $1 token hash, $2 path args, $3 query, $4 body, $5 client address.
 * The path args carry the request's If-Match header as "if_match" when
 * it has one (no path parameter has that name): the writes that honour
 * it compare it with the resource's version (sql/api/foundation.sql,
 * api.if_match).
 */
void
call_bind_standard(struct il_req *st)
{
	json_t		*args;
	char		name[32];
	int		i;

	if (st->has_token)
		db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	else
		db_param_null(st);

	args = json_object();
	for (i = 0; i < st->args.n; i++) {
		if (st->args.lens[i] >= sizeof(name))
			continue;
		memcpy(name, st->args.names[i], st->args.lens[i]);
		name[st->args.lens[i]] = '\0';
		json_object_set_new(args, name,
		    json_string(st->args.values[i]));
	}
	if (st->if_match != NULL)
		json_object_set_new(args, "if_match",
		    json_string(st->if_match));
	db_param_json(st, args);
	json_decref(args);
	db_param_json(st, st->query);
	db_param_json(st, st->body);
	db_param_text(st, st->client_addr);
}

/*
 * The generic call of st->ep->sql: 401 first when the route needs a
 * token and there is none, else bind the standard parameters and call;
 * the row is answered by row_reply(), or by cache_write_row() for a
 * route flagged EP_INVALIDATES_FEEDS.
 */
void
call_generic(struct http_request *req, struct il_req *st)
{
	if ((st->ep->flags & EP_AUTH) &&
	    auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	call_bind_standard(st);
	db_call(req, st, st->ep->sql, (st->ep->flags & EP_INVALIDATES_FEEDS) ?
	    cache_write_row : row_reply, NULL);
}
