/*
 * GET /v1/activity.rss: the community activity feed, whose SQL builds
 * the RSS document with PostgreSQL's XML functions (which escape text)
 * and needs the public URLs as two more parameters.
 */

#include "api.h"

/*
 * The RSS document comes back as a JSON string in body: #>> '{}' gives
 * its text (and a problem object's text on errors).
 */
#define ACTIVITY_RSS	"SELECT status, body #>> '{}', location, " \
			"next_cursor, retry_after FROM api.activity_rss(" \
			"$1, $2, $3, $4, $5, $6, $7)"

/*
 * The standard five parameters, then PUBLIC_WEB_URL and PUBLIC_API_URL
 * for the links; the row is answered by row_reply() with the route's
 * content type.
 */
void
activity_rss_start(struct http_request *req, struct il_req *st)
{
	call_bind_standard(st);
	db_param_text(st, il_cfg.public_web_url);
	db_param_text(st, il_cfg.public_api_url);
	db_call(req, st, ACTIVITY_RSS, row_reply, NULL);
}
