/*
 * Bearer tokens: reading the Authorization header, minting tokens, and
 * the one answer to a missing or bad token.
 *
 * A token is 32 bytes from randombytes_buf(), shown once as 43
 * characters of base64url; only its BLAKE2b-256 hash
 * (crypto_generichash) is kept or reaches the database.  Whether a
 * token is known, expired, revoked or allowed to write is decided in
 * SQL (api.auth()); this file checks its shape only.
 */

#include <sodium.h>

#include <string.h>

#include "api.h"

/*
 * Answer 401 for a missing or bad token.  challenge is the
 * WWW-Authenticate value (AUTH_BEARER, AUTH_INVALID_TOKEN) or NULL for
 * none; code and detail go into the problem body.
 */
void
auth_refuse(struct http_request *req, const char *challenge,
    const char *code, const char *detail)
{
	if (challenge != NULL)
		http_response_header(req, "WWW-Authenticate", challenge);
	reply_problem(req, 401, code, detail, NULL);
}

/*
 * Returns 0 when the request carries a token; otherwise answers 401
 * unauthorized (detail: what needs the token) and returns -1.
 */
int
auth_required(struct http_request *req, struct il_req *st,
    const char *detail)
{
	if (st->has_token)
		return (0);
	auth_refuse(req, AUTH_BEARER, "unauthorized", detail);
	return (-1);
}

/*
 * "Authorization: Bearer <43 base64url chars>".  The token itself is
 * hashed at once into st->token_hash and never stored or logged.  No
 * header: 0, and the request goes on anonymously.  Any other value:
 * answers 401 and returns -1.
 */
int
auth_bearer(struct http_request *req, struct il_req *st)
{
	const char	*hdr, *tok;
	u_int8_t	*raw;
	size_t		rawlen;

	if (!http_request_header(req, "authorization", &hdr))
		return (0);
	if (strncasecmp(hdr, "Bearer ", 7) != 0) {
		auth_refuse(req, AUTH_BEARER, "unauthorized",
		    "use \"Authorization: Bearer <token>\"");
		return (-1);
	}
	tok = hdr + 7;
	while (*tok == ' ')
		tok++;
	raw = NULL;
	if (strlen(tok) != AUTH_TOKEN_B64_LEN ||
	    !kore_base64url_decode(tok, &raw, &rawlen, KORE_BASE64_RAW) ||
	    rawlen != IL_TOKEN_BYTES) {
		if (raw != NULL)
			kore_free(raw);
		auth_refuse(req, AUTH_INVALID_TOKEN, "invalid_token",
		    "the bearer token is malformed, expired or revoked");
		return (-1);
	}
	crypto_generichash(st->token_hash, sizeof(st->token_hash), raw, rawlen,
	    NULL, 0);
	sodium_memzero(raw, rawlen);
	kore_free(raw);
	st->has_token = 1;
	return (0);
}

/*
 * A new token: out (outlen >= AUTH_TOKEN_B64_LEN + 1 bytes) receives the
 * base64url text, hash (IL_TOKEN_HASH_BYTES) its BLAKE2b-256 hash.
 */
void
auth_token_new(char *out, size_t outlen, u_int8_t *hash)
{
	u_int8_t	raw[IL_TOKEN_BYTES];

	if (outlen < AUTH_TOKEN_B64_LEN + 1)
		fatal("auth_token_new: buffer too small");
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, outlen, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_generichash(hash, IL_TOKEN_HASH_BYTES, raw, sizeof(raw), NULL,
	    0);
	sodium_memzero(raw, sizeof(raw));
}

/*
 * Wipe the secret string obj.key (a password the task has copied), then
 * drop it from obj.  Absent or not a string: only dropped.
 */
void
auth_forget(json_t *obj, const char *key)
{
	json_t		*v;

	if ((v = json_object_get(obj, key)) != NULL && json_is_string(v)) {
		sodium_memzero((char *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
	}
	json_object_del(obj, key);
}

/*
 * Replace the string obj.key (a token mailed to a member) by the hex
 * SHA-256 of its text, wiping the text: only the hash reaches the
 * database (api.email_token_new() stores the same hash).
 */
void
auth_hash_field(json_t *obj, const char *key)
{
	u_int8_t	hash[crypto_hash_sha256_BYTES];
	char		hex[crypto_hash_sha256_BYTES * 2 + 1];
	json_t		*v;

	if ((v = json_object_get(obj, key)) == NULL || !json_is_string(v))
		return;
	crypto_hash_sha256(hash, (const u_int8_t *)json_string_value(v),
	    json_string_length(v));
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	auth_forget(obj, key);
	json_object_set_new(obj, key, json_string(hex));
}

/*
 * Mint a token into the request's scratch (st->saved, wiped and freed
 * with the request): its text for the reply, its hash for the database.
 */
struct auth_minted *
auth_mint(struct il_req *st)
{
	struct auth_minted	*m;

	m = dispatch_scratch(st, sizeof(*m));
	auth_token_new(m->token, sizeof(m->token), m->hash);
	return (m);
}
