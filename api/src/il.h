/*
 * Interlibrary API: the project header.
 *
 * Request flow:
 *   app.c (the one Kore handler: request id, routing, CORS preflight)
 *     -> endpoints.c (validate query and body against the endpoint's row,
 *        bind, start the call) or a custom flow (sessions.c, members.c)
 *     -> db.c (one async pgsql state machine for every endpoint)
 *     -> reply.c (the only code that sends a response)
 *
 * Pure code (no Kore): router.c, input.c, problem.c (SQLSTATE table).
 */

#ifndef IL_H
#define IL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define IL_BODY_MAX		(64 * 1024)
#define IL_MAX_PARAMS		8
#define IL_ROUTE_ARGS		4
#define IL_ARG_MAX		128
#define IL_ERRORS_MAX		8
#define IL_TOKEN_BYTES		32
#define IL_TOKEN_HASH_BYTES	32
#define IL_REQUEST_ID_LEN	32
#define IL_PASSWORD_MIN		12
#define IL_PASSWORD_MAX		1024
#define IL_ID_MAX		999999999999999999LL	/* 18 digits */

/* Methods, a bit each (the same values as Kore's HTTP_METHOD_*). */
#define IL_GET		0x0001
#define IL_POST		0x0002
#define IL_PUT		0x0004
#define IL_DELETE	0x0010
#define IL_HEAD		0x0020
#define IL_OPTIONS	0x0040
#define IL_PATCH	0x0080

/* router.c: path patterns like "/v1/organizations/{org}/members/{id}". */
struct route_args {
	int		n;
	const char	*names[IL_ROUTE_ARGS];
	size_t		lens[IL_ROUTE_ARGS];
	char		values[IL_ROUTE_ARGS][IL_ARG_MAX];
};

/*
 * Match path against pattern.  A segment "{name}" matches one non-empty
 * path segment; when name ends in "id" the segment must be 1..18 digits.
 * Returns 1 and fills args on a match, 0 otherwise.  Never writes past
 * args; a segment longer than IL_ARG_MAX - 1 does not match.
 */
int		router_match(const char *, const char *, struct route_args *);
/* Allow header text for a method mask, into buf; returns buf. */
const char	*router_allow(int, char *, size_t);

/* input.c: declarative validation of bodies and query strings. */
enum field_type {
	FT_STRING = 1,	/* min..max characters (code points) */
	FT_EMAIL,	/* string, max chars, one @, no spaces */
	FT_URL,		/* http(s) URL, max chars */
	FT_INT,		/* min..max value */
	FT_BOOL,
	FT_ENUM,	/* one of values */
	FT_STRINGS,	/* array of up to max strings, each 1..min_len.. */
	FT_OBJECT,	/* nested spec in sub */
	FT_INTS,	/* array of up to max positive integers */
	FT_TIME,	/* RFC 3339 timestamp with offset */
	FT_DECIMAL,	/* decimal string, up to 2 fraction digits */
	FT_SECRET,	/* like FT_STRING, never echoed in errors */
	FT_OBJECTS,	/* array of min..max objects, each checked against sub */
	FT_REF		/* an id (positive integer) or a min..max char string */
};

#define FF_REQUIRED	0x01	/* must be present (not on PATCH) */
#define FF_NULLABLE	0x02	/* null accepted */
#define FF_READONLY	0x04	/* present in responses, refused in bodies */

struct field {
	const char		*name;
	int			type;
	int			flags;
	long long		min;
	long long		max;
	const char *const	*values;	/* FT_ENUM, or FT_STRINGS items */
	const struct field	*sub;		/* FT_OBJECT, FT_OBJECTS */
	int			item_max;	/* FT_STRINGS: chars per item */
};

/* Shared pieces of field tables. */
#define FIELDS_LIST_PAGE \
	{ "limit", FT_INT, 0, 1, 100, NULL, NULL, 0 }, \
	{ "cursor", FT_STRING, 0, 1, 512, NULL, NULL, 0 }
#define FIELDS_END	{ NULL, 0, 0, 0, 0, NULL, NULL, 0 }

struct input_error {
	char		field[64];
	char		message[160];
};

struct input_errors {
	int			n;
	struct input_error	e[IL_ERRORS_MAX];
};

#define IN_PATCH	0x01	/* merge patch: nothing required */

void	input_error_add(struct input_errors *, const char *, const char *,
	    ...) __attribute__((format(printf, 3, 4)));
/* Check obj against spec; returns 0 when valid, else -1 with errs filled. */
int	input_check_object(json_t *, const struct field *, int,
	    const char *, struct input_errors *);
/*
 * Check one string value against f (its length and its type's format),
 * naming it path in errors.  Returns 0 or -1 with errs filled.
 */
int	input_check_string(json_t *, const struct field *, const char *,
	    struct input_errors *);
/* The row of spec named name, or NULL. */
const struct field *input_field(const struct field *, const char *);
/*
 * Parse a request body: UTF-8 JSON, a single object, no duplicate keys.
 * Returns a new reference or NULL with errs filled.
 */
json_t	*input_parse_body(const char *, size_t, struct input_errors *);

/* input_query.c: query strings. */
/*
 * Parse the query string qs (may be NULL) against spec into a new JSON
 * object (caller owns).  Unknown or repeated parameters and bad values
 * give NULL with errs filled.  "limit", when in the spec, defaults to 20.
 */
json_t	*input_parse_query(const char *, const struct field *,
	    struct input_errors *);
/* Decode %xx and '+' in place; returns -1 on a bad escape or a NUL. */
int	input_urldecode(char *);

/* input_text.c: the text formats fields are checked against. */
/* Count UTF-8 code points; -1 if s is not valid UTF-8. */
long	input_utf8_len(const char *, size_t);
/* Whether s is an RFC 3339 date-time with a zone (Z or +hh:mm). */
int	input_is_rfc3339(const char *);
/* Whether s is an email address as the API accepts them. */
int	input_is_email(const char *);
/* Whether s is an http or https URL with a host. */
int	input_is_url(const char *);
/* Whether s is a decimal: 1..10 digits, then optionally '.' and 1..2. */
int	input_is_decimal(const char *);
/* Whether s is one of the NULL-terminated values (any s when NULL). */
int	input_in_values(const char *const *, const char *);

/* problem.c: SQLSTATE -> HTTP, one table. */
struct sqlstate_map {
	const char	*prefix;	/* a full SQLSTATE or a class */
	int		status;
	const char	*code;
	const char	*detail;
};
const struct sqlstate_map	*problem_for_sqlstate(const char *);
const char			*problem_title(int);
/*
 * Build the RFC 9457 body.  field/errors may be NULL.  Returns a new
 * string from json_dumps(): free() it.
 */
char	*problem_body(int, const char *, const char *,
	    const struct input_errors *);

#endif /* !IL_H */
