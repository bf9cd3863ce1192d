/*
 * feed_ics.c: events as an iCalendar (RFC 5545) VCALENDAR.
 *
 * Every value goes through one line writer that folds content lines at
 * 75 octets (the leading space of a continuation line included) without
 * splitting a UTF-8 sequence or a backslash escape, and ends each line
 * with CRLF.  TEXT values are escaped so that no input can end a
 * property or start another.
 *
 * A series of recurring events is one VEVENT with DTSTART in its zone
 * (TZID, a VTIMEZONE of the calendar), DURATION, RRULE and EXDATE, and
 * each occurrence that differs from the rule a VEVENT of the same UID
 * with RECURRENCE-ID (RFC 5545 3.8.4.4): calendar clients show one
 * series, with its moved and cancelled occurrences.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

#define ICS_LINE_MAX	75		/* octets, CRLF not counted */

struct ics_line {
	struct feed_buf	*out;
	size_t		 col;		/* octets on the current line */
};

static void	ics_unit(struct ics_line *, const void *, size_t);
static void	ics_begin(struct ics_line *, const char *);
static void	ics_end(struct ics_line *);
static void	ics_text(struct ics_line *, const char *);
static void	ics_uri(struct ics_line *, const char *);
static void	ics_prop_text(struct ics_line *, const char *, const char *);
static void	ics_prop_time(struct ics_line *, const char *, const char *);
static void	ics_prop_local(struct ics_line *, const char *,
		    const char *, const char *);
static void	ics_begin_tz(struct ics_line *, const char *, const char *);
static void	ics_raw(struct ics_line *, const char *);
static void	ics_prop_raw(struct ics_line *, const char *, const char *);
static void	ics_tz(struct ics_line *, const struct feed_tz *);
static void	ics_event(struct ics_line *, const struct feed_meta *,
		    const struct feed_event *);

/*
 * Append n octets that must stay on one physical line (a character or
 * an escape pair), folding first if they would pass ICS_LINE_MAX.
 */
static void
ics_unit(struct ics_line *l, const void *p, size_t n)
{
	if (l->col + n > ICS_LINE_MAX) {
		feed_buf_append(l->out, "\r\n ", 3);
		l->col = 1;
	}
	feed_buf_append(l->out, p, n);
	l->col += n;
}

/* Start a content line with "name:" (name is ASCII, params included). */
static void
ics_begin(struct ics_line *l, const char *name)
{
	l->col = 0;
	while (*name != '\0')
		ics_unit(l, name++, 1);
	ics_unit(l, ":", 1);
}

static void
ics_end(struct ics_line *l)
{
	feed_buf_append(l->out, "\r\n", 2);
	l->col = 0;
}

/*
 * Write s as an escaped TEXT value (RFC 5545 3.3.11): backslash,
 * semicolon and comma get a backslash, CRLF, CR and LF become "\n",
 * other controls are dropped, bad UTF-8 becomes U+FFFD.
 */
static void
ics_text(struct ics_line *l, const char *s)
{
	const unsigned char	*p;
	size_t			 len, n;
	uint32_t		 cp;
	struct feed_buf		 ch;
	char			 esc[2];

	if (s == NULL)
		return;
	feed_buf_init(&ch);
	p = (const unsigned char *)s;
	len = strlen(s);
	while (len > 0) {
		n = feed_utf8_decode(p, len, &cp);
		if (cp == '\r' && len > 1 && p[1] == '\n')
			n = 2;
		p += n;
		len -= n;

		esc[0] = '\\';
		switch (cp) {
		case '\r':
		case '\n':
			esc[1] = 'n';
			ics_unit(l, esc, 2);
			continue;
		case '\\':
		case ';':
		case ',':
			esc[1] = (char)cp;
			ics_unit(l, esc, 2);
			continue;
		default:
			break;
		}
		if (feed_utf8_is_dropped(cp))
			continue;
		feed_buf_truncate(&ch, 0);
		feed_utf8_encode(&ch, cp);
		ics_unit(l, ch.data, ch.len);
	}
	feed_buf_free(&ch);
}

/*
 * Write s as a URI value: not escaped (a comma is legal there), but
 * controls are dropped, spaces become %20 and bad UTF-8 U+FFFD.
 */
static void
ics_uri(struct ics_line *l, const char *s)
{
	const unsigned char	*p;
	size_t			 len, n;
	uint32_t		 cp;
	struct feed_buf		 ch;

	feed_buf_init(&ch);
	p = (const unsigned char *)s;
	len = strlen(s);
	while (len > 0) {
		n = feed_utf8_decode(p, len, &cp);
		p += n;
		len -= n;
		if (cp < 0x20 || feed_utf8_is_dropped(cp))
			continue;
		if (cp == ' ') {
			ics_unit(l, "%", 1);
			ics_unit(l, "2", 1);
			ics_unit(l, "0", 1);
			continue;
		}
		feed_buf_truncate(&ch, 0);
		feed_utf8_encode(&ch, cp);
		ics_unit(l, ch.data, ch.len);
	}
	feed_buf_free(&ch);
}

static void
ics_prop_text(struct ics_line *l, const char *name, const char *value)
{
	ics_begin(l, name);
	ics_text(l, value);
	ics_end(l);
}

/* A DATE-TIME property in UTC; value passed feed_check(). */
static void
ics_prop_time(struct ics_line *l, const char *name, const char *value)
{
	char	 basic[FEED_TIME_BASIC_LEN];

	if (feed_time_basic(value, basic, sizeof(basic)) == -1)
		return;		/* not reached: checked before */
	ics_begin(l, name);
	ics_text(l, basic);
	ics_end(l);
}

/*
 * A DATE-TIME property in zone tzid: "name;TZID=tzid:value"; tzid and
 * value passed feed_check() (letters, digits, /_+- and a local time).
 */
static void
ics_prop_local(struct ics_line *l, const char *name, const char *tzid,
    const char *value)
{
	ics_begin_tz(l, name, tzid);
	ics_raw(l, value);
	ics_end(l);
}

/* Start a content line "name;TZID=tzid:" (tzid passed feed_check()). */
static void
ics_begin_tz(struct ics_line *l, const char *name, const char *tzid)
{
	l->col = 0;
	while (*name != '\0')
		ics_unit(l, name++, 1);
	ics_unit(l, ";TZID=", 6);
	while (*tzid != '\0')
		ics_unit(l, tzid++, 1);
	ics_unit(l, ":", 1);
}

/*
 * Write s as is: a value of a type that is not TEXT (RECUR, DURATION,
 * UTC-OFFSET, DATE-TIME), which feed_check() limited to characters that
 * need no escaping.
 */
static void
ics_raw(struct ics_line *l, const char *s)
{
	while (*s != '\0')
		ics_unit(l, s++, 1);
}

/* A property with a raw value (ics_raw()). */
static void
ics_prop_raw(struct ics_line *l, const char *name, const char *value)
{
	ics_begin(l, name);
	ics_raw(l, value);
	ics_end(l);
}

/* A VTIMEZONE with its observances. */
static void
ics_tz(struct ics_line *l, const struct feed_tz *z)
{
	const struct feed_tz_obs	*o;
	size_t				 i;

	ics_prop_text(l, "BEGIN", "VTIMEZONE");
	ics_prop_raw(l, "TZID", z->tzid);
	for (i = 0; i < z->nobs; i++) {
		o = &z->obs[i];
		ics_prop_text(l, "BEGIN", o->daylight ? "DAYLIGHT" : "STANDARD");
		ics_prop_raw(l, "DTSTART", o->start);
		ics_prop_raw(l, "TZOFFSETFROM", o->from);
		ics_prop_raw(l, "TZOFFSETTO", o->to);
		if (o->name != NULL && *o->name != '\0')
			ics_prop_text(l, "TZNAME", o->name);
		ics_prop_text(l, "END", o->daylight ? "DAYLIGHT" : "STANDARD");
	}
	ics_prop_text(l, "END", "VTIMEZONE");
}

static void
ics_event(struct ics_line *l, const struct feed_meta *meta,
    const struct feed_event *e)
{
	struct feed_buf	 tmp;
	const char	**cats;
	char		 num[32], geo[64];
	size_t		 i, ncats;
	int		 n;

	ics_prop_text(l, "BEGIN", "VEVENT");

	ics_begin(l, "UID");
	if (e->rrule != NULL || e->recurrence_id != NULL)
		n = snprintf(num, sizeof(num), "series-%lld@", e->series_id);
	else
		n = snprintf(num, sizeof(num), "event-%lld@", e->id);
	if (n < 0 || (size_t)n >= sizeof(num))
		num[0] = '\0';		/* not reached: 20 digits at most */
	ics_text(l, num);
	ics_text(l, meta->uid_domain);
	ics_end(l);

	ics_prop_time(l, "DTSTAMP", meta->now);
	if (e->rrule != NULL) {
		/* Raw: RECUR and DURATION values passed feed_check(). */
		ics_prop_local(l, "DTSTART", e->timezone, e->dtstart_local);
		ics_prop_raw(l, "DURATION", e->duration);
		ics_prop_raw(l, "RRULE", e->rrule);
		if (e->nexdates > 0) {
			ics_begin_tz(l, "EXDATE", e->timezone);
			for (i = 0; i < e->nexdates; i++) {
				if (i > 0)
					ics_unit(l, ",", 1);
				ics_raw(l, e->exdates[i]);
			}
			ics_end(l);
		}
	} else {
		if (e->recurrence_id != NULL)
			ics_prop_local(l, "RECURRENCE-ID", e->timezone,
			    e->recurrence_id);
		ics_prop_time(l, "DTSTART", e->starts_at);
		ics_prop_time(l, "DTEND", e->ends_at);
	}
	ics_prop_text(l, "SUMMARY", e->title);

	feed_buf_init(&tmp);
	feed_event_text(&tmp, e, 0);
	if (tmp.len > 0)
		ics_prop_text(l, "DESCRIPTION", tmp.data);
	feed_buf_truncate(&tmp, 0);
	feed_location(&tmp, e);
	if (tmp.len > 0)
		ics_prop_text(l, "LOCATION", tmp.data);
	feed_buf_free(&tmp);
	if (e->has_geo) {
		/* RFC 5545 3.8.1.6: GEO:latitude;longitude, plain floats. */
		(void)snprintf(geo, sizeof(geo), "%.6f;%.6f", e->latitude,
		    e->longitude);
		ics_begin(l, "GEO");
		ics_unit(l, geo, strlen(geo));
		ics_end(l);
	}

	ics_begin(l, "URL");
	ics_uri(l, e->url);
	ics_end(l);

	cats = feed_calloc(1 + e->ntags, sizeof(*cats));
	if ((ncats = feed_categories(e, cats)) > 0) {
		ics_begin(l, "CATEGORIES");
		for (i = 0; i < ncats; i++) {
			if (i > 0)
				ics_unit(l, ",", 1);
			ics_text(l, cats[i]);
		}
		ics_end(l);
	}
	free(cats);

	ics_prop_text(l, "STATUS",
	    feed_is_cancelled(e) ? "CANCELLED" : "CONFIRMED");
	(void)snprintf(num, sizeof(num), "%d", e->sequence);
	ics_prop_text(l, "SEQUENCE", num);
	ics_prop_time(l, "CREATED", e->created_at);
	ics_prop_time(l, "LAST-MODIFIED", e->updated_at);
	ics_prop_text(l, "END", "VEVENT");
}

/*
 * Append to out an iCalendar object (CRLF line endings, folded at 75
 * octets, valid UTF-8) with one VEVENT per event of ev[0..n-1], times
 * in UTC.  The caller keeps ownership of everything passed.
 * Returns 0, or -1 when feed_check() rejects the arguments or out is
 * NULL; out is then left unchanged.
 */
int
feed_render_ics(struct feed_buf *out, const struct feed_meta *meta,
    const struct feed_event *ev, size_t n)
{
	struct ics_line	 l;
	char		 dur[32];
	size_t		 i;

	if (out == NULL || feed_check(meta, ev, n) == -1)
		return (-1);

	l.out = out;
	l.col = 0;
	if ((size_t)snprintf(dur, sizeof(dur), "PT%dM",
	    meta->refresh_minutes) >= sizeof(dur))
		return (-1);

	ics_prop_text(&l, "BEGIN", "VCALENDAR");
	ics_prop_text(&l, "VERSION", "2.0");
	ics_prop_text(&l, "PRODID", "-//Interlibrary//Event feed 1.0//EN");
	ics_prop_text(&l, "CALSCALE", "GREGORIAN");
	ics_prop_text(&l, "METHOD", "PUBLISH");
	ics_prop_text(&l, "NAME", meta->title);
	ics_prop_text(&l, "X-WR-CALNAME", meta->title);
	if (meta->description != NULL && *meta->description != '\0') {
		ics_prop_text(&l, "DESCRIPTION", meta->description);
		ics_prop_text(&l, "X-WR-CALDESC", meta->description);
	}
	ics_begin(&l, "URL");
	ics_uri(&l, meta->web_url);
	ics_end(&l);
	ics_begin(&l, "SOURCE;VALUE=URI");
	ics_uri(&l, meta->self_url);
	ics_end(&l);
	ics_prop_text(&l, "REFRESH-INTERVAL;VALUE=DURATION", dur);
	ics_prop_text(&l, "X-PUBLISHED-TTL", dur);

	for (i = 0; i < meta->ntzs; i++)
		ics_tz(&l, &meta->tzs[i]);
	for (i = 0; i < n; i++)
		ics_event(&l, meta, &ev[i]);

	ics_prop_text(&l, "END", "VCALENDAR");
	return (0);
}
