/*
 * app_dispatch(), the one handler every path in conf/interlibrary.conf
 * goes to.  It gives the request an id, matches the route table
 * (routes.c; 404, 405 with Allow, and every CORS preflight are answered
 * here), reads the bearer token (auth/auth.c), validates the query
 * string and body against the route's field tables (input.c), then
 * starts the route: its custom start, or the generic SQL call
 * (resources/call.c).  Kore calls it again each time the request's
 * database call or task moves on (db/db.c).  Every answer goes through
 * reply.c.
 */

#include <arpa/inet.h>
#include <sys/socket.h>

#include <sodium.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

static void	dispatch_onfree(struct http_request *);
static void	request_id_init(struct http_request *, struct il_req *);
static void	client_addr_init(struct http_request *, struct il_req *);
static void	client_addr_forwarded(struct http_request *, struct il_req *);
static int	addr_normal(const char *, char *, size_t);

/* TRUSTED_PROXIES, each as inet_ntop writes it. */
static char	proxies[IL_PROXIES_MAX][INET6_ADDRSTRLEN];
static size_t	nproxies;
static int	media_is(const char *, const char *);
static int	body_init(struct http_request *, struct il_req *);
static int	method_bit(int);
static int	route_find(struct http_request *, struct il_req *);
static int	dispatch_run(struct http_request *, struct il_req *);

/* Hex of 8 random bytes, drawn when the worker starts. */
static char	request_id_prefix[17];

/* Called once in each worker, before its first request. */
void
dispatch_init(void)
{
	char		item[INET6_ADDRSTRLEN];
	const char	*p, *end;
	u_int8_t	rnd[8];
	size_t		len;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(request_id_prefix, sizeof(request_id_prefix), rnd,
	    sizeof(rnd));

	/* TRUSTED_PROXIES, checked by config.c: each in inet_ntop's form. */
	for (p = il_cfg.trusted_proxies; p != NULL && *p != '\0' &&
	    nproxies < IL_PROXIES_MAX; p = *end ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len >= sizeof(item))
			continue;
		memcpy(item, p, len);
		item[len] = '\0';
		if (addr_normal(item, proxies[nproxies],
		    sizeof(proxies[nproxies])) == 0)
			nproxies++;
	}
}

/*
 * The text form inet_ntop gives address s (IPv4 or IPv6, surrounding
 * blanks ignored) into out: 0, or -1 when s is no address.
 */
static int
addr_normal(const char *s, char *out, size_t outlen)
{
	char		buf[INET6_ADDRSTRLEN];
	u_int8_t	bin[sizeof(struct in6_addr)];
	size_t		len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strcspn(s, " \t");
	if (len == 0 || len >= sizeof(buf) || s[len + strspn(s + len, " \t")])
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		return (inet_ntop(AF_INET, bin, out, outlen) ? 0 : -1);
	if (inet_pton(AF_INET6, buf, bin) == 1)
		return (inet_ntop(AF_INET6, bin, out, outlen) ? 0 : -1);
	return (-1);
}

static int
method_bit(int kore_method)
{
	/* Kore's method values are the same bits as IL_*. */
	return (kore_method == HTTP_METHOD_HEAD ? IL_GET : kore_method);
}

/*
 * The first route with the request's path and method goes into st->ep
 * (NULL when none has the method), its path arguments into st->args.
 * Returns the methods the path allows (HEAD with GET), 0 when no route
 * has this path.
 */
static int
route_find(struct http_request *req, struct il_req *st)
{
	struct route_args	args;
	size_t			i;
	int			allowed, bit;

	bit = method_bit(req->method);
	allowed = 0;
	st->ep = NULL;
	for (i = 0; i < routes_count; i++) {
		if (!router_match(routes[i].path, req->path, &args))
			continue;
		allowed |= routes[i].method;
		if (routes[i].method == IL_GET)
			allowed |= IL_HEAD;
		if (st->ep == NULL && routes[i].method == bit) {
			st->ep = &routes[i];
			st->args = args;
		}
	}
	return (allowed);
}

/*
 * Request ids need to be unique, not secret: a random prefix drawn once
 * per worker and a counter, so no system call per request.
 */
static void
request_id_init(struct http_request *req, struct il_req *st)
{
	static u_int64_t	counter;
	const char		*in;
	size_t			i, len;

	if (http_request_header(req, "x-request-id", &in)) {
		len = strlen(in);
		for (i = 0; i < len; i++) {
			if (!isalnum((unsigned char)in[i]) && in[i] != '-' &&
			    in[i] != '_' && in[i] != '.')
				break;
		}
		if (len >= 8 && len <= IL_REQUEST_ID_LEN && i == len) {
			memcpy(st->request_id, in, len + 1);
			return;
		}
	}
	(void)snprintf(st->request_id, sizeof(st->request_id), "%s%016llx",
	    request_id_prefix, (unsigned long long)++counter);
}

static void
client_addr_init(struct http_request *req, struct il_req *st)
{
	struct connection	*c = req->owner;
	const void		*src;
	int			af;

	(void)kore_strlcpy(st->client_addr, "127.0.0.1",
	    sizeof(st->client_addr));
	if (c == NULL)
		return;
	if (c->family == AF_INET) {
		af = AF_INET;
		src = &c->addr.ipv4.sin_addr;
	} else if (c->family == AF_INET6) {
		af = AF_INET6;
		src = &c->addr.ipv6.sin6_addr;
	} else {
		return;
	}
	if (inet_ntop(af, src, st->client_addr, sizeof(st->client_addr)) ==
	    NULL) {
		(void)kore_strlcpy(st->client_addr, "127.0.0.1",
		    sizeof(st->client_addr));
		return;
	}
	client_addr_forwarded(req, st);
}

/*
 * Behind a balancer (TRUSTED_PROXIES), the client is the one the
 * balancer saw: the last address of X-Forwarded-For, which the balancer
 * appends to whatever the client sent (nginx's
 * $proxy_add_x_forwarded_for), so a client cannot choose it.  From any
 * other peer the header is ignored, and so is a last entry that is no
 * address.  Per-address limits (logins, registrations, resets) then
 * count each client, not the balancer.
 */
static void
client_addr_forwarded(struct http_request *req, struct il_req *st)
{
	const char	*xff, *last;
	char		addr[INET6_ADDRSTRLEN];
	size_t		i;

	for (i = 0; i < nproxies; i++) {
		if (strcmp(st->client_addr, proxies[i]) == 0)
			break;
	}
	if (i == nproxies ||
	    !http_request_header(req, "x-forwarded-for", &xff))
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	if (addr_normal(last, addr, sizeof(addr)) == 0)
		(void)kore_strlcpy(st->client_addr, addr,
		    sizeof(st->client_addr));
}

/* Whether the Content-Type ctype is type, with or without parameters. */
static int
media_is(const char *ctype, const char *type)
{
	size_t		len;

	len = strlen(type);
	return (strncasecmp(ctype, type, len) == 0 && (ctype[len] == '\0' ||
	    ctype[len] == ';' || ctype[len] == ' '));
}

/*
 * Read and check the body against the route's body fields into
 * st->body: a route without body fields takes none; one that is not
 * EP_JSON_BODY may be sent without one (then {}).  Answers and returns
 * -1 on any problem (400, 413, 415).
 */
static int
body_init(struct http_request *req, struct il_req *st)
{
	struct input_errors	errs;
	const struct endpoint	*ep = st->ep;
	const char		*ctype;
	char			*buf;
	ssize_t			n;
	size_t			len;

	memset(&errs, 0, sizeof(errs));
	len = req->http_body_length;

	if (ep->flags & EP_ANY_BODY) {
		st->body = json_object();
		return (0);
	}
	if (ep->body == NULL) {
		if (len > 0) {
			input_error_add(&errs, "body", "this endpoint takes "
			    "no request body");
			reply_invalid(req, &errs);
			return (-1);
		}
		return (0);
	}
	if (len == 0 && !(ep->flags & EP_JSON_BODY)) {
		st->body = json_object();
		return (0);
	}
	if (len > IL_BODY_MAX) {
		reply_problem(req, 413, "payload_too_large", "the request body "
		    "is larger than 65536 bytes", NULL);
		return (-1);
	}
	if (!http_request_header(req, "content-type", &ctype))
		ctype = "";
	if (!media_is(ctype, "application/json") &&
	    (!(ep->flags & EP_MERGE_PATCH) ||
	    !media_is(ctype, "application/merge-patch+json"))) {
		reply_problem(req, 415, "unsupported_media_type",
		    (ep->flags & EP_MERGE_PATCH) ? "send the body as "
		    "application/json or application/merge-patch+json" :
		    "send the body as application/json", NULL);
		return (-1);
	}
	if (strcasestr(ctype, "charset=") != NULL &&
	    strcasestr(ctype, "charset=utf-8") == NULL) {
		reply_problem(req, 415, "unsupported_media_type",
		    "request bodies must be UTF-8", NULL);
		return (-1);
	}

	buf = kore_malloc(len + 1);
	n = http_body_read(req, buf, len);
	if (n < 0 || (size_t)n != len) {
		kore_free(buf);
		input_error_add(&errs, "body", "could not be read");
		reply_invalid(req, &errs);
		return (-1);
	}
	st->body = input_parse_body(buf, len, &errs);
	sodium_memzero(buf, len);
	kore_free(buf);
	if (st->body == NULL) {
		reply_invalid(req, &errs);
		return (-1);
	}
	if (input_check_object(st->body, ep->body,
	    (ep->flags & EP_MERGE_PATCH) ? IN_PATCH : 0, NULL, &errs) == -1) {
		reply_invalid(req, &errs);
		return (-1);
	}
	return (0);
}

/*
 * Kore's handler for every path.  First call: set up the request state,
 * route, validate and start the route.  Later calls (the request's
 * database call or task moved on): run it further.  Always answers
 * before returning KORE_RESULT_OK (RETRY while it waits).
 */
int
app_dispatch(struct http_request *req)
{
	const struct endpoint	*ep;
	struct input_errors	errs;
	struct il_req		*st;
	int			allowed;

	if (http_state_exists(req))
		return (dispatch_run(req, http_state_get(req)));

	sendq_use(req->owner);
	st = http_state_create(req, sizeof(*st), dispatch_onfree);
	st->started = kore_time_ms();
	request_id_init(req, st);
	client_addr_init(req, st);
	if (!http_request_header(req, "if-match", &st->if_match))
		st->if_match = NULL;
	st->phase = PH_DONE;

	if ((allowed = route_find(req, st)) == 0) {
		reply_not_found(req);
		return (KORE_RESULT_OK);
	}
	allowed |= IL_OPTIONS;
	if (req->method == HTTP_METHOD_OPTIONS) {
		reply_preflight(req, allowed);
		return (KORE_RESULT_OK);
	}
	if ((ep = st->ep) == NULL) {
		reply_not_allowed(req, allowed);
		return (KORE_RESULT_OK);
	}

	if (auth_bearer(req, st) == -1)
		return (KORE_RESULT_OK);

	memset(&errs, 0, sizeof(errs));
	st->query = input_parse_query(req->query_string, ep->query, &errs);
	if (st->query == NULL) {
		reply_invalid(req, &errs);
		return (KORE_RESULT_OK);
	}
	if (body_init(req, st) == -1)
		return (KORE_RESULT_OK);
	if (ep->flags & EP_HASH_TOKEN)
		auth_hash_field(st->body, "token");

	if (ep->start != NULL)
		ep->start(req, st);
	else
		call_generic(req, st);

	return (dispatch_run(req, st));
}

/*
 * Run the request's database calls and tasks until it waits or is done;
 * a request that no step answered gets a 500.
 */
static int
dispatch_run(struct http_request *req, struct il_req *st)
{
	if (db_run(req, st) == KORE_RESULT_RETRY)
		return (KORE_RESULT_RETRY);
	if (!st->replied) {
		kore_log(LOG_ERR, "request %s: no reply", st->request_id);
		reply_internal(req);
	}
	return (KORE_RESULT_OK);
}

/*
 * The request's scratch: wipe and free what st->saved held, then give
 * it len zeroed bytes (kore_malloc memory, wiped and freed with the
 * request).
 */
void *
dispatch_scratch(struct il_req *st, size_t len)
{
	if (st->saved != NULL) {
		sodium_memzero(st->saved, st->saved_len);
		kore_free(st->saved);
	}
	st->saved = kore_calloc(1, len);
	st->saved_len = len;
	return (st->saved);
}

/* May run several times for one request (kore-notes.md): idempotent. */
static void
dispatch_onfree(struct http_request *req)
{
	struct il_req	*st;

	if ((st = http_state_get(req)) == NULL)
		return;
	cache_flight_end(req);
	pwhash_free(st);
	db_release(st);
	if (st->freed)
		return;
	if (st->task_started && !kore_task_finished(&st->task))
		return;
	st->freed = 1;
	db_free_params(st);
	if (st->query != NULL)
		json_decref(st->query);
	if (st->body != NULL)
		json_decref(st->body);
	st->query = st->body = NULL;
	if (st->saved != NULL) {
		sodium_memzero(st->saved, st->saved_len);
		kore_free(st->saved);
		st->saved = NULL;
	}
}
