/*
 * Liveness and readiness.  /readyz runs a query through the same pool
 * and state machine as every endpoint, so it turns 503 when the pool
 * cannot reach PostgreSQL and 200 again once the pool has recovered.
 */

#include "api.h"

#define READY_SQL	"SELECT status, body::text FROM api.ready()"

void
health_live(struct http_request *req, struct il_req *st)
{
	static const char	body[] = "{\"status\":\"ok\"}";

	(void)st;
	reply_json(req, 200, body, sizeof(body) - 1);
}

void
health_ready(struct http_request *req, struct il_req *st)
{
	db_call(req, st, READY_SQL, row_reply, NULL);
}
