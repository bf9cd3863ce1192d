/*
 * feed_util.c: helpers shared by the feed renderers: argument checks,
 * an event's location, categories and plain-text summary.  UTF-8 is
 * feed_utf8.c, times feed_time.c.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

static int		util_nonempty(const char *);
static int		util_casecmp(const char *, const char *);
static int		util_lower(int);
static void		util_trim(const char **, size_t *);
static int		util_has_part(const char *, size_t, const char *,
			    size_t);
static int		util_local_ok(const char *, const char *);
static int		util_only(const char *, const char *, size_t);
static const struct feed_tz *util_tz(const struct feed_meta *, const char *);
static int		util_series_ok(const struct feed_meta *,
			    const struct feed_event *);
static int		util_tzs_ok(const struct feed_meta *);
static void		util_zone(struct feed_buf *, const char *, int);
static void		util_when(struct feed_buf *, const struct feed_event *);

/*
 * Check the arguments common to every renderer.  Returns 0 when they
 * can be rendered, -1 when not: meta or one of its title, web_url,
 * self_url, uid_domain or now is NULL; now is malformed;
 * refresh_minutes is not in 1..525600; ev is NULL while n > 0; or an
 * event lacks title, url or a timestamp, has a malformed timestamp,
 * ends before it starts, has a local time (starts_local, ends_local)
 * that is malformed or names another instant than its UTC twin, a
 * status other than NULL, "scheduled" or "cancelled", a negative
 * sequence, or a NULL tag; or a VTIMEZONE or an event's series fields
 * are not as feed.h says (util_tzs_ok(), util_series_ok()).
 */
int
feed_check(const struct feed_meta *meta, const struct feed_event *ev,
    size_t n)
{
	struct feed_time	 t, start, end;
	const struct feed_event	*e;
	size_t			 i, j;

	if (meta == NULL || meta->title == NULL || meta->web_url == NULL ||
	    meta->self_url == NULL || meta->uid_domain == NULL ||
	    feed_time_parse(meta->now, &t) == -1 ||
	    meta->refresh_minutes < 1 || meta->refresh_minutes > 525600)
		return (-1);
	if (ev == NULL && n > 0)
		return (-1);
	if (util_tzs_ok(meta) == -1)
		return (-1);

	for (i = 0; i < n; i++) {
		e = &ev[i];
		if (e->title == NULL || e->url == NULL || e->sequence < 0)
			return (-1);
		if (e->has_geo && !feed_geo_ok(e->latitude, e->longitude))
			return (-1);
		if (e->status != NULL && strcmp(e->status, "scheduled") != 0 &&
		    strcmp(e->status, "cancelled") != 0)
			return (-1);
		if (feed_time_parse(e->starts_at, &start) == -1 ||
		    feed_time_parse(e->ends_at, &end) == -1 ||
		    feed_time_parse(e->created_at, &t) == -1 ||
		    feed_time_parse(e->updated_at, &t) == -1)
			return (-1);
		if (feed_time_cmp(&end, &start) < 0)
			return (-1);
		if (!util_local_ok(e->starts_local, e->starts_at) ||
		    !util_local_ok(e->ends_local, e->ends_at))
			return (-1);
		if (e->ntags > 0 && e->tags == NULL)
			return (-1);
		for (j = 0; j < e->ntags; j++) {
			if (e->tags[j] == NULL)
				return (-1);
		}
		if (util_series_ok(meta, e) == -1)
			return (-1);
	}
	return (0);
}

/* 1 when s is 1..max characters, each in set. */
static int
util_only(const char *s, const char *set, size_t max)
{
	size_t	len;

	if (s == NULL || (len = strlen(s)) == 0 || len > max)
		return (0);
	return (strspn(s, set) == len);
}

/* The VTIMEZONE of meta named tzid, or NULL. */
static const struct feed_tz *
util_tz(const struct feed_meta *meta, const char *tzid)
{
	size_t	i;

	for (i = 0; tzid != NULL && i < meta->ntzs; i++)
		if (strcmp(meta->tzs[i].tzid, tzid) == 0)
			return (&meta->tzs[i]);
	return (NULL);
}

#define UTIL_TZID_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789/_+-"
#define UTIL_RULE_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=;,+-"

/*
 * The VTIMEZONEs: tzids written raw as parameter values, so only
 * letters, digits and /_+-; at least one observance each, with a local
 * start and two offsets.
 */
static int
util_tzs_ok(const struct feed_meta *meta)
{
	const struct feed_tz	*z;
	size_t			 i, j;

	if (meta->ntzs > 0 && meta->tzs == NULL)
		return (-1);
	for (i = 0; i < meta->ntzs; i++) {
		z = &meta->tzs[i];
		if (!util_only(z->tzid, UTIL_TZID_CHARS, 64) || z->nobs == 0 ||
		    z->obs == NULL)
			return (-1);
		for (j = 0; j < z->nobs; j++) {
			if (!feed_time_ics_local_ok(z->obs[j].start) ||
			    !feed_time_offset_ok(z->obs[j].from) ||
			    !feed_time_offset_ok(z->obs[j].to))
				return (-1);
		}
	}
	return (0);
}

/*
 * An event's series fields: none, or series_id > 0, a timezone that is
 * one of the feed's VTIMEZONEs, and either an override's recurrence_id
 * or a series' rrule (written raw: upper-case letters, digits and
 * =;,+- only), dtstart_local, duration ("P..." of digits and DHMSTW)
 * and exdates.
 */
static int
util_series_ok(const struct feed_meta *meta, const struct feed_event *e)
{
	size_t	i;

	if (e->rrule == NULL && e->recurrence_id == NULL)
		return (e->dtstart_local == NULL && e->duration == NULL &&
		    e->nexdates == 0 ? 0 : -1);
	if (e->series_id <= 0 || util_tz(meta, e->timezone) == NULL ||
	    (e->rrule != NULL && e->recurrence_id != NULL))
		return (-1);
	if (e->recurrence_id != NULL)
		return (feed_time_ics_local_ok(e->recurrence_id) &&
		    e->dtstart_local == NULL && e->duration == NULL &&
		    e->nexdates == 0 ? 0 : -1);
	if (!util_only(e->rrule, UTIL_RULE_CHARS, 600) ||
	    !feed_time_ics_local_ok(e->dtstart_local) ||
	    e->duration == NULL || e->duration[0] != 'P' ||
	    !util_only(e->duration + 1, "0123456789DHMSTW", 32) ||
	    (e->nexdates > 0 && e->exdates == NULL))
		return (-1);
	for (i = 0; i < e->nexdates; i++)
		if (!feed_time_ics_local_ok(e->exdates[i]))
			return (-1);
	return (0);
}

/* Return 1 when the event is cancelled, 0 otherwise. */
int
feed_is_cancelled(const struct feed_event *e)
{
	return (e->status != NULL && strcmp(e->status, "cancelled") == 0);
}

static int
util_nonempty(const char *s)
{
	return (s != NULL && *s != '\0');
}

/* 1 when local is NULL, or RFC 3339 naming the same instant as utc. */
static int
util_local_ok(const char *local, const char *utc)
{
	struct feed_time	 a, b;

	if (local == NULL)
		return (1);
	return (feed_time_parse(local, &a) == 0 &&
	    feed_time_parse(utc, &b) == 0 && feed_time_cmp(&a, &b) == 0);
}

/*
 * A time's zone: its abbreviation when it is a plausible one (1 to 10
 * letters, digits, '+' or '-', as the tz database writes them), else
 * the offset: "UTC", "UTC-06:00", "UTC+05:30".
 */
static void
util_zone(struct feed_buf *b, const char *abbrev, int offset)
{
	size_t	 i, n;

	n = abbrev != NULL ? strlen(abbrev) : 0;
	for (i = 0; i < n; i++) {
		if (!((abbrev[i] >= 'A' && abbrev[i] <= 'Z') ||
		    (abbrev[i] >= 'a' && abbrev[i] <= 'z') ||
		    (abbrev[i] >= '0' && abbrev[i] <= '9') ||
		    abbrev[i] == '+' || abbrev[i] == '-'))
			break;
	}
	if (n > 0 && n <= 10 && i == n) {
		feed_buf_append(b, abbrev, n);
		return;
	}
	feed_buf_appendf(b, "UTC");
	if (offset != 0)
		feed_buf_appendf(b, "%c%02d:%02d", offset < 0 ? '-' : '+',
		    (offset < 0 ? -offset : offset) / 60,
		    (offset < 0 ? -offset : offset) % 60);
}

/*
 * "When: Tue, 06 Jan 2026 10:00 CST to 12:00 CST (America/Chicago)":
 * the event's local times with its zone's abbreviations when it has
 * them, the end's date only when it differs from the start's;
 * otherwise the same in UTC, then "(time zone <tz>)".  e passed
 * feed_check().
 */
static void
util_when(struct feed_buf *b, const struct feed_event *e)
{
	struct feed_time	 start, end;
	int			 soff, eoff, local;

	local = e->starts_local != NULL && e->ends_local != NULL &&
	    feed_time_parse_local(e->starts_local, &start, &soff) == 0 &&
	    feed_time_parse_local(e->ends_local, &end, &eoff) == 0;
	if (!local) {
		if (feed_time_parse(e->starts_at, &start) == -1 ||
		    feed_time_parse(e->ends_at, &end) == -1)
			return;		/* not reached: checked before */
		soff = eoff = 0;
	}

	feed_buf_appendf(b, "When: ");
	feed_time_human_date(b, &start);
	feed_buf_appendf(b, " %02d:%02d ", start.hour, start.min);
	util_zone(b, local ? e->starts_zone : "UTC", soff);
	feed_buf_appendf(b, " to ");
	if (start.year != end.year || start.mon != end.mon ||
	    start.day != end.day) {
		feed_time_human_date(b, &end);
		feed_buf_appendf(b, " ");
	}
	feed_buf_appendf(b, "%02d:%02d ", end.hour, end.min);
	util_zone(b, local ? e->ends_zone : "UTC", eoff);
	if (util_nonempty(e->timezone)) {
		feed_buf_appendf(b, local ? " (" : " (time zone ");
		feed_buf_append(b, e->timezone, strlen(e->timezone));
		feed_buf_appendf(b, ")");
	}
	feed_buf_appendf(b, "\n");
}

/* s[0..len-1] without leading and trailing spaces and tabs. */
static void
util_trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/*
 * 1 when one of the comma-separated parts of text (len bytes) equals
 * seg (slen bytes, trimmed, not empty), spaces around the parts and
 * ASCII case aside.
 */
static int
util_has_part(const char *text, size_t len, const char *seg, size_t slen)
{
	const char	*p, *end, *comma;
	size_t		 n, i;

	for (p = text, end = text + len; p < end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		n = (size_t)(comma - p);
		util_trim(&p, &n);
		if (n == slen) {
			for (i = 0; i < n; i++) {
				if (util_lower((unsigned char)p[i]) !=
				    util_lower((unsigned char)seg[i]))
					break;
			}
			if (i == n)
				return (1);
		}
	}
	return (0);
}

/*
 * Append to b the location of e: venue, address and city, those not NULL
 * or empty, joined by ", ", without repeating what is there already: a
 * part whose comma-separated pieces all appear before it is left out
 * (an address that ends with the city, a venue named like its address);
 * one with some pieces there already adds only the others.  Pieces are
 * compared without the spaces around them and ASCII case aside.
 * Appends nothing when all are missing.  The text is raw (not
 * sanitized): the caller escapes it.
 */
void
feed_location(struct feed_buf *b, const struct feed_event *e)
{
	const char	*parts[3], *p, *end, *comma, *piece;
	size_t		 i, start, n, known, total;

	parts[0] = e->venue;
	parts[1] = e->address;
	parts[2] = e->city;
	start = b->len;
	for (i = 0; i < 3; i++) {
		if (!util_nonempty(parts[i]))
			continue;
		end = parts[i] + strlen(parts[i]);
		known = total = 0;
		for (p = parts[i]; p <= end; p = comma + 1) {
			if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
				comma = end;
			piece = p;
			n = (size_t)(comma - p);
			util_trim(&piece, &n);
			if (n == 0)
				continue;
			total++;
			known += util_has_part(b->data != NULL ?
			    b->data + start : "", b->len - start, piece, n);
		}
		if (total > 0 && known == total)
			continue;
		if (known == 0) {
			if (b->len > start)
				feed_buf_append(b, ", ", 2);
			feed_buf_append(b, parts[i], (size_t)(end - parts[i]));
			continue;
		}
		for (p = parts[i]; p <= end; p = comma + 1) {
			if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
				comma = end;
			piece = p;
			n = (size_t)(comma - p);
			util_trim(&piece, &n);
			if (n == 0 || util_has_part(b->data + start,
			    b->len - start, piece, n))
				continue;
			if (b->len > start)
				feed_buf_append(b, ", ", 2);
			feed_buf_append(b, piece, n);
		}
	}
}

/* c with ASCII capitals made small. */
static int
util_lower(int c)
{
	return (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* strcmp() for ASCII letters of either case; other bytes as they are. */
static int
util_casecmp(const char *a, const char *b)
{
	int	 x, y;

	do {
		x = util_lower((unsigned char)*a++);
		y = util_lower((unsigned char)*b++);
	} while (x == y && x != '\0');
	return (x - y);
}

/*
 * Store in out (room for 1 + e->ntags pointers) the categories of e: its
 * kind, then its tags, each once (a tag equal to the kind or to an
 * earlier tag, ASCII case aside, is left out, as are empty ones).
 * Returns how many.  The strings are e's own (raw: the caller escapes
 * them).
 */
size_t
feed_categories(const struct feed_event *e, const char **out)
{
	size_t		 i, j, n;

	n = 0;
	if (util_nonempty(e->kind))
		out[n++] = e->kind;
	for (i = 0; i < e->ntags; i++) {
		if (!util_nonempty(e->tags[i]))
			continue;
		for (j = 0; j < n; j++) {
			if (util_casecmp(out[j], e->tags[i]) == 0)
				break;
		}
		if (j == n)
			out[n++] = e->tags[i];
	}
	return (n);
}

/*
 * Append to b a plain-text summary of e, lines separated by "\n":
 * with FEED_TEXT_WHEN, "When: ..." (util_when()) and "Where:
 * <location>"; always "Online: <url>", "Organized by: <org>" and
 * "Cancelled: <reason>" when known, then a blank line and the
 * description.  The text is raw: the caller sanitizes and escapes it.
 * e must have passed feed_check().
 */
void
feed_event_text(struct feed_buf *b, const struct feed_event *e, int flags)
{
	size_t			 mark, head;

	head = b->len;
	if (flags & FEED_TEXT_WHEN) {
		util_when(b, e);
		feed_buf_appendf(b, "Where: ");
		mark = b->len;
		feed_location(b, e);
		if (b->len == mark) {
			feed_buf_appendf(b, "%s", util_nonempty(e->online_url) ?
			    "online" : "to be announced");
		}
		feed_buf_appendf(b, "\n");
	}
	if (util_nonempty(e->online_url)) {
		feed_buf_appendf(b, "Online: ");
		feed_buf_append(b, e->online_url, strlen(e->online_url));
		feed_buf_appendf(b, "\n");
	}
	if (util_nonempty(e->organization)) {
		feed_buf_appendf(b, "Organized by: ");
		feed_buf_append(b, e->organization, strlen(e->organization));
		feed_buf_appendf(b, "\n");
	}
	if (feed_is_cancelled(e)) {
		feed_buf_appendf(b, "Cancelled");
		if (util_nonempty(e->cancel_reason)) {
			feed_buf_appendf(b, ": ");
			feed_buf_append(b, e->cancel_reason,
			    strlen(e->cancel_reason));
		}
		feed_buf_appendf(b, "\n");
	}
	if (util_nonempty(e->description)) {
		if (b->len > head)
			feed_buf_appendf(b, "\n");
		feed_buf_append(b, e->description, strlen(e->description));
	} else if (b->len > head) {
		feed_buf_truncate(b, b->len - 1);	/* last "\n" */
	}
}

/* Whether latitude lat and longitude lon (degrees) are finite and in range. */
int
feed_geo_ok(double lat, double lon)
{
	return (isfinite(lat) && isfinite(lon) && lat >= -90 && lat <= 90 &&
	    lon >= -180 && lon <= 180);
}
