/*
 * Interlibrary API: the pure half of the project header.  Everything
 * here builds without Kore: the path router, declarative input
 * validation, problem bodies, the route table and every field table.
 * The unit tests (tests/unit/) and the route dump (make dump-routes)
 * use this header alone; Kore code includes api.h, which includes it.
 *
 * Prototypes are grouped by the file that defines them.
 */

#ifndef IL_H
#define IL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

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
#define IL_MAIL_TOKEN_LEN	43	/* base64url of 32 bytes */
#define IL_PASSWORD_MAX		1024
#define IL_ID_MAX		999999999999999999LL	/* 18 digits */

/* PUBLIC_API_URL and PUBLIC_WEB_URL when unset (the API and the sender). */
#define IL_DEFAULT_PUBLIC_API_URL	"http://127.0.0.1:8080"
#define IL_DEFAULT_PUBLIC_WEB_URL	"http://127.0.0.1:8081"

/* Methods, a bit each (the same values as Kore's HTTP_METHOD_*). */
#define IL_GET		0x0001
#define IL_POST		0x0002
#define IL_PUT		0x0004
#define IL_DELETE	0x0010
#define IL_HEAD		0x0020
#define IL_OPTIONS	0x0040
#define IL_PATCH	0x0080

/* http/router.c: path patterns like "/v1/organizations/{org}/members/{id}". */
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

/*
 * Field tables: what a body or query string may hold.  Rows use
 * designated initializers; a table ends with FIELDS_END.
 */
enum field_type {
	FT_STRING = 1,	/* min..max characters (code points) */
	FT_EMAIL,	/* string, min..max chars, one @, no spaces */
	FT_URL,		/* http(s) URL, min..max chars */
	FT_INT,		/* min..max value */
	FT_BOOL,
	FT_ENUM,	/* one of values, each min..max chars */
	FT_STRINGS,	/* array of min..max strings, each 1..item_max chars
			   (64 when item_max is 0), or one of values */
	FT_OBJECT,	/* nested table in sub */
	FT_INTS,	/* array of min..max ids (1..IL_ID_MAX) */
	FT_TIME,	/* RFC 3339 timestamp with offset, min..max chars */
	FT_DECIMAL,	/* decimal string, up to 2 fraction digits */
	FT_SECRET,	/* like FT_STRING, never echoed in errors */
	FT_OBJECTS,	/* array of min..max objects, each checked against sub */
	FT_REF,		/* an id (1..IL_ID_MAX) or a min..max char string */
	FT_NUMBER	/* a JSON number (integer or not) from min to max */
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
	const char *const	*values;	/* FT_ENUM, FT_STRINGS items */
	const struct field	*sub;		/* FT_OBJECT, FT_OBJECTS */
	int			item_max;	/* FT_STRINGS: chars per item */
};

/* A read-only field: refused in bodies whatever its value. */
#define READONLY(n)	{ .name = (n), .flags = FF_READONLY }
/* The paging parameters of every list. */
#define FIELDS_LIST_PAGE \
	{ .name = "limit", .type = FT_INT, .min = 1, .max = 100 }, \
	{ .name = "cursor", .type = FT_STRING, .min = 1, .max = 512 }
/* The "near" filter of lists that can be ordered by distance. */
#define FIELDS_NEAR \
	{ .name = "near", .type = FT_STRING, .min = 1, .max = 60 }, \
	{ .name = "within_km", .type = FT_INT, .min = 1, .max = 500 }
/* A position in a body: both or neither (the SQL checks the pair). */
#define FIELDS_POSITION(lat, lon) \
	{ .name = (lat), .type = FT_NUMBER, .flags = FF_NULLABLE, \
	    .min = -90, .max = 90 }, \
	{ .name = (lon), .type = FT_NUMBER, .flags = FF_NULLABLE, \
	    .min = -180, .max = 180 }
#define FIELDS_END	{ .name = NULL }

/* http/input.c: declarative validation of bodies. */
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

/* http/input_query.c: query strings. */
/*
 * Parse the query string qs (may be NULL) against spec into a new JSON
 * object (caller owns).  Unknown or repeated parameters and bad values
 * give NULL with errs filled.  "limit", when in the spec, defaults to 20.
 */
json_t	*input_parse_query(const char *, const struct field *,
	    struct input_errors *);
/* Decode %xx and '+' in place; returns -1 on a bad escape or a NUL. */
int	input_urldecode(char *);

/* http/input_text.c: the text formats fields are checked against. */
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

/* http/httpdate.c: HTTP dates, IMF-fixdate only. */
#define HTTPDATE_LEN	30	/* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */
int	httpdate_format(time_t, char *, size_t);
int	httpdate_parse(const char *, time_t *);
long long httpdate_days(long long, int, int);
int	httpdate_digits(const char *, int, int *);
/* "Sun".."Sat" and "Jan".."Dec", as HTTP and RFC 822 dates write them. */
extern const char *const httpdate_wdays[7];
extern const char *const httpdate_months[12];

/* http/problem.c: SQLSTATE -> HTTP, one table. */
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

/*
 * http/routes.c: the route table.  A route runs its custom start, or,
 * when start is NULL, the generic SQL call (resources/call.c):
 *
 *	sql($1 token hash, $2 path args, $3 query, $4 body, $5 client)
 *
 * whose single row is (status, body, location, next_cursor,
 * retry_after, data, etag), answered by row_reply() (http/row.c).
 */
struct http_request;
struct il_req;

#define EP_AUTH		0x0001	/* needs a bearer token (SQL checks it too) */
#define EP_FEED		0x0002	/* public cacheable feed */
#define EP_JSON_BODY	0x0004	/* a body is required (else none means {}) */
#define EP_MERGE_PATCH	0x0008	/* body is a merge patch */
#define EP_NO_STORE	0x0010	/* never cacheable even when anonymous */
#define EP_INVALIDATES_FEEDS 0x0020	/* a success empties the feeds cache */
#define EP_HASH_TOKEN	0x0040	/* SQL gets the body's "token" as SHA-256 hex */
#define EP_ANY_BODY	0x0080	/* any body is accepted and ignored (RFC 8058) */
#define EP_PRIVATE	0x0100	/* one person's, by a key in its URL: a
				   200 is private, revalidated every time */

struct endpoint {
	int			method;		/* one IL_* */
	const char		*path;		/* router_match() pattern */
	const char		*sql;		/* the generic call's SQL */
	const struct field	*query;		/* query string fields */
	const struct field	*body;		/* NULL: takes no body */
	int			flags;		/* EP_* */
	void			(*start)(struct http_request *,
				    struct il_req *);	/* NULL: generic */
	const char		*content_type;	/* NULL: JSON */
};

extern const struct endpoint	routes[];
extern const size_t		routes_count;

/* resources/common.c: tables several routes share. */
extern const struct field	q_list[], b_empty[];

/* resources/members.c: members, sessions, the caller's account. */
extern const struct field	mb_q_list[], mb_q_notifications[];
extern const struct field	mb_b_register[], mb_b_login[], mb_b_me[],
				mb_b_password[], mb_b_token[],
				mb_b_notification[], mb_b_verify[],
				mb_b_reset[], mb_b_reset_confirm[],
				mb_b_email_prefs[];
extern const struct field	mb_q_unsubscribe[];

/* resources/organizations.c */
extern const struct field	org_q_list[], org_q_members[];
extern const struct field	org_b_create[], org_b_patch[],
				org_b_member_add[], org_b_member_patch[];

/* resources/events.c: events, RSVPs, invitations and the feed filters. */
extern const struct field	ev_q_list[], ev_q_rsvps[], ev_q_invitations[],
				ev_q_mine[], ev_q_feed[], ev_q_feed_org[],
				ev_q_calendar[], ev_q_scope[];
extern const struct field	ev_b_create[], ev_b_patch[], ev_b_cancel[],
				ev_b_rsvp[], ev_b_attendance[], ev_b_invite[],
				ev_b_invitation[];

/* resources/mentorships.c */
extern const struct field	mt_q_mentors[], mt_q_suggestions[],
				mt_q_list[];
extern const struct field	mt_b_create[], mt_b_patch[], mt_b_check_in[];

/* resources/collaborations.c: collaborations and reports. */
extern const struct field	co_q_list[], co_q_participants[],
				co_q_reports[];
extern const struct field	co_b_create[], co_b_patch[],
				co_b_participant[], co_b_participant_patch[],
				co_b_update[], co_b_report[],
				co_b_report_patch[];

/* resources/conversations.c: conversations and blocks. */
extern const struct field	cv_b_create[], cv_b_message[], cv_b_patch[];

/* resources/thanks.c: thank-you notes and milestones. */
extern const struct field	th_q_mine[];
extern const struct field	th_b_create[], th_b_patch[], th_b_milestones[];

/*
 * resources/recurrence.c: recurring events' rules (an RFC 5545 RRULE
 * subset), expanded with libical into local wall-clock times.
 */
#define RECUR_RULE_MAX		500	/* characters of a rule */
#define RECUR_MAX_COUNT		200	/* occurrences of a series */
#define RECUR_MAX_YEARS		2	/* after its first occurrence */
#define RECUR_LOCAL_LEN		20	/* "YYYY-MM-DDTHH:MM:SS" + NUL */
#define RECUR_SCAN_MAX		200000L	/* starts a window looks at */
/*
 * Check rule (an RRULE value; a leading "RRULE:" is skipped) against the
 * supported subset.  Returns 0, or -1 with errs filled (field
 * "recurrence", the message naming the part).
 */
int	recurrence_check(const char *, struct input_errors *);
/*
 * Check rule and expand it from dtstart, the first start as local time
 * "YYYY-MM-DDTHH:MM:SS".  Returns a new object (caller owns):
 *   rule      the rule as stored: upper case, without "RRULE:"
 *   starts    the local start times, in order, at least one
 *   until     UNTIL as "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", or null;
 *             with a UTC UNTIL, starts may hold a few local times past
 *             it, which the caller drops once it knows their instants
 *   count     COUNT, or null
 *   complete  whether starts are all the rule has (COUNT or UNTIL)
 * or NULL with errs filled.
 */
json_t	*recurrence_expand(const char *, const char *, struct input_errors *);
/*
 * The rolling window of an open-ended rule, for extending a series as
 * time passes: rule expanded from dtstart (its first local start), the
 * starts after now (a local time, same form) up to RECUR_MAX_YEARS after
 * it and at most RECUR_MAX_COUNT of them.  Returns a new object (caller
 * owns): starts (local times, in order, maybe none) and next (the first
 * start past the window, or null when the rule has no more); NULL with
 * errs filled when rule or a time is not valid.  At most RECUR_SCAN_MAX
 * starts are looked at.
 */
json_t	*recurrence_window(const char *, const char *, const char *,
	    struct input_errors *);

/* resources/signups.c: events' sign-up slots and claims. */
extern const struct field	su_b_create[], su_b_patch[], su_b_claim[];

#endif /* !IL_H */
