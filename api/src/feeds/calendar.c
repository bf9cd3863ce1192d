/*
 * The personal calendar: GET /v1/me/calendar.ics?key=... (the events a
 * member is going to, rendered by feeds/feeds.c, never cached) and its
 * key, POST /v1/me/calendar-key (DELETE is a generic call).  A key is a
 * token like any other (auth_mint()): shown once, only its hash is
 * stored, and the access log prints the path only, never the key.
 */

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#include "api.h"

#define FEED_CAL_SQL	"SELECT api.feed_calendar($1)::text"
#define KEY_CREATE_SQL	"SELECT status, body::text, location, next_cursor, " \
			"retry_after FROM api.calendar_key_create($1, $2)"

static void	key_row(struct http_request *, struct il_req *, PGresult *);

/*
 * GET /v1/me/calendar.ics?key=...: the key (43 characters of base64url,
 * 32 bytes) is hashed here; only the hash reaches the database.
 */
void
calendar_start(struct http_request *req, struct il_req *st)
{
	struct input_errors	errs;
	const char		*key;
	u_int8_t		raw[IL_TOKEN_BYTES + 1];
	u_int8_t		hash[IL_TOKEN_HASH_BYTES];
	size_t			rawlen;

	(void)cache_pending(st, NULL, FEEDS_ICS);
	key = json_string_value(json_object_get(st->query, "key"));
	if (key == NULL || sodium_base642bin(raw, sizeof(raw), key,
	    strlen(key), NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen != IL_TOKEN_BYTES) {
		memset(&errs, 0, sizeof(errs));
		input_error_add(&errs, "key", "is not a calendar key");
		reply_invalid(req, &errs);
		return;
	}
	crypto_generichash(hash, sizeof(hash), raw, rawlen, NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	db_param_bytes(st, hash, sizeof(hash));
	sodium_memzero(hash, sizeof(hash));
	db_call(req, st, FEED_CAL_SQL, feeds_rows, NULL);
}

/*
 * POST /v1/me/calendar-key: mint a key (shown once, in the reply), store
 * its hash, replacing any earlier key.
 */
void
calendar_key_create(struct http_request *req, struct il_req *st)
{
	struct auth_minted	*m;

	if (auth_required(req, st, AUTH_LOGIN_FIRST) == -1)
		return;
	m = auth_mint(st);
	db_param_bytes(st, st->token_hash, sizeof(st->token_hash));
	db_param_bytes(st, m->hash, sizeof(m->hash));
	db_call(req, st, KEY_CREATE_SQL, key_row, NULL);
}

/* The 201 row gets the key and its two URLs; anything else as usual. */
static void
key_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	struct auth_minted	*m = (struct auth_minted *)st->saved;
	json_t			*body;
	const char		*host;
	char			url[512];
	int			n;

	if (m == NULL || row_status(res) != 201) {
		row_reply(req, st, res);
		return;
	}
	if ((body = json_loads(PQgetvalue(res, 0, 1), 0, NULL)) == NULL) {
		kore_log(LOG_ERR, "request %s: feed: calendar key body",
		    st->request_id);
		reply_internal(req);
		return;
	}
	json_object_set_new(body, "key", json_string(m->token));
	n = snprintf(url, sizeof(url), "%s/v1/me/calendar.ics?key=%s",
	    il_cfg.public_api_url, m->token);
	if (n > 0 && (size_t)n < sizeof(url))
		json_object_set_new(body, "url", json_string(url));
	host = strstr(il_cfg.public_api_url, "://");
	host = host != NULL ? host + 3 : il_cfg.public_api_url;
	n = snprintf(url, sizeof(url), "webcal://%s/v1/me/calendar.ics?key=%s",
	    host, m->token);
	if (n > 0 && (size_t)n < sizeof(url))
		json_object_set_new(body, "webcal_url", json_string(url));
	row_location(req, "/v1/me/calendar.ics");
	reply_jsonv(req, 201, body);
}
