/*
 * feed_util.c: helpers shared by the feed renderers: UTF-8 decoding and
 * sanitizing, RFC 3339 parsing and formatting, argument checks and the
 * plain-text summary of an event.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

#define FEED_REPLACEMENT	0xFFFD

static const char *const feed_wdays[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const feed_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static int		util_digits(const char *, int, int *);
static int		util_mdays(int, int);
static long long	util_days_from_civil(long long, int, int);
static void		util_civil_from_days(long long, struct feed_time *);
static int		util_time_text(const char *, char *, size_t, int);
static int		util_parse(const char *, struct feed_time *, int *,
			    int);
static int		util_nonempty(const char *);
static int		util_casecmp(const char *, const char *);
static int		util_lower(int);
static void		util_trim(const char **, size_t *);
static int		util_has_part(const char *, size_t, const char *,
			    size_t);
static int		util_local_ok(const char *, const char *);
static int		util_only(const char *, const char *, size_t);
static int		util_ics_local(const char *);
static int		util_offset(const char *);
static const struct feed_tz *util_tz(const struct feed_meta *, const char *);
static int		util_series_ok(const struct feed_meta *,
			    const struct feed_event *);
static int		util_tzs_ok(const struct feed_meta *);
static void		util_human_date(struct feed_buf *,
			    const struct feed_time *);
static void		util_zone(struct feed_buf *, const char *, int);
static void		util_when(struct feed_buf *, const struct feed_event *);

/*
 * Decode one UTF-8 sequence at s (len bytes available, len >= 1) into
 * *cp and return the number of bytes it used (>= 1).  Overlong forms,
 * surrogates, values past U+10FFFF and truncated sequences give
 * U+FFFD and consume the maximal invalid subpart (Unicode 15, 3.9),
 * so one bad sequence yields exactly one replacement character.
 * Returns 0 only when len is 0.
 */
size_t
feed_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char	 b0, lo, hi;
	size_t		 need, i;
	uint32_t	 c;

	if (len == 0)
		return (0);
	b0 = s[0];
	if (b0 < 0x80) {
		*cp = b0;
		return (1);
	}
	if (b0 < 0xC2 || b0 > 0xF4) {
		*cp = FEED_REPLACEMENT;
		return (1);
	}

	lo = 0x80;
	hi = 0xBF;
	if (b0 < 0xE0) {
		need = 1;
		c = b0 & 0x1F;
	} else if (b0 < 0xF0) {
		need = 2;
		c = b0 & 0x0F;
		if (b0 == 0xE0)
			lo = 0xA0;
		else if (b0 == 0xED)
			hi = 0x9F;
	} else {
		need = 3;
		c = b0 & 0x07;
		if (b0 == 0xF0)
			lo = 0x90;
		else if (b0 == 0xF4)
			hi = 0x8F;
	}

	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = FEED_REPLACEMENT;
			return (i);
		}
		c = (c << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return (need + 1);
}

/*
 * Append the UTF-8 encoding of cp to b.  cp must be a Unicode scalar
 * value (not a surrogate, at most U+10FFFF); anything else is written
 * as U+FFFD.
 */
void
feed_utf8_encode(struct feed_buf *b, uint32_t cp)
{
	unsigned char	 u[4];
	size_t		 n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = FEED_REPLACEMENT;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	feed_buf_append(b, u, n);
}

/*
 * Return 1 when no feed may carry cp: C0 controls other than TAB, LF
 * and CR, DEL, C1 controls, and the noncharacters U+FFFE and U+FFFF
 * (not XML 1.0 characters).  Returns 0 otherwise.
 */
int
feed_utf8_is_dropped(uint32_t cp)
{
	if (cp < 0x20)
		return (cp != '\t' && cp != '\n' && cp != '\r');
	if (cp >= 0x7F && cp <= 0x9F)
		return (1);
	return (cp == 0xFFFE || cp == 0xFFFF);
}

/*
 * Append the NUL-terminated string s to b as valid UTF-8: each invalid
 * sequence becomes U+FFFD; with FEED_UTF8_DROP_CTL the characters that
 * feed_utf8_is_dropped() names are left out.  A NULL s appends nothing.
 */
void
feed_utf8_clean(struct feed_buf *b, const char *s, int flags)
{
	const unsigned char	*p;
	size_t			 len, n;
	uint32_t		 cp;

	if (s == NULL)
		return;
	p = (const unsigned char *)s;
	len = strlen(s);
	while (len > 0) {
		n = feed_utf8_decode(p, len, &cp);
		if (!(flags & FEED_UTF8_DROP_CTL) || !feed_utf8_is_dropped(cp))
			feed_utf8_encode(b, cp);
		p += n;
		len -= n;
	}
}

/*
 * Return a malloc()ed copy of s that is valid UTF-8 without the
 * characters feed_utf8_is_dropped() names; the caller free()s it.
 * Returns NULL when s is NULL (never on memory shortage: that aborts).
 */
char *
feed_utf8_sanitize(const char *s)
{
	struct feed_buf	 b;

	if (s == NULL)
		return (NULL);
	feed_buf_init(&b);
	feed_buf_append(&b, "", 0);
	feed_utf8_clean(&b, s, FEED_UTF8_DROP_CTL);
	return (b.data);
}

/* Read exactly n decimal digits at s into *v; 0 on success. */
static int
util_digits(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		*v = *v * 10 + (s[i] - '0');
	}
	return (0);
}

static int
util_mdays(int year, int mon)
{
	static const int	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (mon == 2 && year % 4 == 0 &&
	    (year % 100 != 0 || year % 400 == 0))
		return (29);
	return (mdays[mon - 1]);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long
util_days_from_civil(long long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* Inverse of util_days_from_civil(); also sets the weekday. */
static void
util_civil_from_days(long long z, struct feed_time *t)
{
	long long	 era, doe, yoe, doy, mp, y;
	int		 m;

	t->wday = (int)(((z % 7) + 11) % 7);	/* 1970-01-01: Thursday */
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	t->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	t->mon = m;
	t->year = (int)(y + (m <= 2));
}

/*
 * Parse an RFC 3339 date-time into *t, converted to UTC:
 * YYYY-MM-DD, 'T' (or 't' or a space), HH:MM:SS, optional fraction
 * (dropped), then 'Z', 'z', +HH:MM or -HH:MM (+HH and +HHMM too, as
 * PostgreSQL prints them).  A leap second (:60) counts as the next
 * second.  Returns 0, or -1 for NULL, malformed or out-of-range input
 * (fields out of range, a UTC result outside years 0000-9999), in which
 * case *t is undefined.
 */
int
feed_time_parse(const char *s, struct feed_time *t)
{
	int	 offset;

	return (util_parse(s, t, &offset, 0));
}

/*
 * As feed_time_parse(), but *t is the wall clock time as written, not
 * converted to UTC (its weekday included), and *offset its offset from
 * UTC in minutes (east positive).
 */
int
feed_time_parse_local(const char *s, struct feed_time *t, int *offset)
{
	return (util_parse(s, t, offset, 1));
}

/* Both of the above: local keeps the time as written. */
static int
util_parse(const char *s, struct feed_time *t, int *offset, int local)
{
	int		 y, mo, d, h, mi, se, oh, om, sign;
	long long	 days, secs;
	const char	*p;

	if (s == NULL || t == NULL)
		return (-1);
	if (util_digits(s, 4, &y) == -1 || s[4] != '-' ||
	    util_digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    util_digits(s + 8, 2, &d) == -1 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    util_digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    util_digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    util_digits(s + 17, 2, &se) == -1)
		return (-1);
	if (mo < 1 || mo > 12 || d < 1 || d > util_mdays(y, mo) ||
	    h > 23 || mi > 59 || se > 60)
		return (-1);

	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return (-1);
		while (*p >= '0' && *p <= '9')
			p++;
	}

	oh = om = 0;
	sign = 1;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (util_digits(p + 1, 2, &oh) == -1)
			return (-1);
		p += 3;
		if (*p == ':') {
			if (util_digits(p + 1, 2, &om) == -1)
				return (-1);
			p += 3;
		} else if (*p >= '0' && *p <= '9') {
			if (util_digits(p, 2, &om) == -1)
				return (-1);
			p += 2;
		}
		if (oh > 23 || om > 59)
			return (-1);
	} else
		return (-1);
	if (*p != '\0')
		return (-1);

	*offset = sign * (oh * 60 + om);
	secs = util_days_from_civil(y, mo, d) * 86400LL +
	    h * 3600LL + mi * 60LL + se;
	if (!local)
		secs -= *offset * 60LL;
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	secs -= days * 86400;
	util_civil_from_days(days, t);
	t->hour = (int)(secs / 3600);
	t->min = (int)(secs / 60 % 60);
	t->sec = (int)(secs % 60);
	if (t->year < 0 || t->year > 9999)
		return (-1);
	return (0);
}

/* Shared body of the three formatters below. */
static int
util_time_text(const char *s, char *buf, size_t len, int form)
{
	struct feed_time	 t;
	int			 n;

	if (buf == NULL || len == 0)
		return (-1);
	buf[0] = '\0';
	if (feed_time_parse(s, &t) == -1)
		return (-1);

	switch (form) {
	case 0:
		n = snprintf(buf, len, "%04d%02d%02dT%02d%02d%02dZ",
		    t.year, t.mon, t.day, t.hour, t.min, t.sec);
		break;
	case 1:
		n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    t.year, t.mon, t.day, t.hour, t.min, t.sec);
		break;
	default:
		n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		    feed_wdays[t.wday], t.day, feed_months[t.mon - 1],
		    t.year, t.hour, t.min, t.sec);
		break;
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return (-1);
	}
	return (0);
}

/*
 * Write the RFC 3339 date-time s as iCalendar UTC basic format
 * (20261205T180000Z) into buf of len bytes (FEED_TIME_BASIC_LEN is
 * enough).  Returns 0, or -1 when s is malformed or buf too small
 * (then buf holds "" if len > 0).
 */
int
feed_time_basic(const char *s, char *buf, size_t len)
{
	return (util_time_text(s, buf, len, 0));
}

/*
 * As feed_time_basic(), but writes normalized RFC 3339 in UTC
 * (2026-12-05T18:00:00Z); FEED_TIME_RFC3339_LEN bytes are enough.
 */
int
feed_time_rfc3339(const char *s, char *buf, size_t len)
{
	return (util_time_text(s, buf, len, 1));
}

/*
 * As feed_time_basic(), but writes an RFC 822 date as RSS wants it
 * (Sat, 05 Dec 2026 18:00:00 +0000); FEED_TIME_RFC822_LEN is enough.
 */
int
feed_time_rfc822(const char *s, char *buf, size_t len)
{
	return (util_time_text(s, buf, len, 2));
}

/* Compare two parsed times: <0, 0 or >0 like strcmp(). */
int
feed_time_cmp(const struct feed_time *a, const struct feed_time *b)
{
	const int	 x[6] = { a->year, a->mon, a->day, a->hour, a->min,
			    a->sec };
	const int	 y[6] = { b->year, b->mon, b->day, b->hour, b->min,
			    b->sec };
	int		 i;

	for (i = 0; i < 6; i++) {
		if (x[i] != y[i])
			return (x[i] < y[i] ? -1 : 1);
	}
	return (0);
}

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

/* 1 when s is a local DATE-TIME "YYYYMMDDTHHMMSS" of a real day. */
static int
util_ics_local(const char *s)
{
	int	y, mo, d, h, mi, se;

	if (s == NULL || strlen(s) != 15 || s[8] != 'T' ||
	    util_digits(s, 4, &y) == -1 || util_digits(s + 4, 2, &mo) == -1 ||
	    util_digits(s + 6, 2, &d) == -1 || util_digits(s + 9, 2, &h) == -1 ||
	    util_digits(s + 11, 2, &mi) == -1 ||
	    util_digits(s + 13, 2, &se) == -1)
		return (0);
	return (mo >= 1 && mo <= 12 && d >= 1 && d <= util_mdays(y, mo) &&
	    h <= 23 && mi <= 59 && se <= 59);
}

/* 1 when s is a UTC offset "+HHMM" or "-HHMM". */
static int
util_offset(const char *s)
{
	int	h, m;

	return (s != NULL && strlen(s) == 5 && (s[0] == '+' || s[0] == '-') &&
	    util_digits(s + 1, 2, &h) == 0 && util_digits(s + 3, 2, &m) == 0 &&
	    h <= 23 && m <= 59);
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
			if (!util_ics_local(z->obs[j].start) ||
			    !util_offset(z->obs[j].from) ||
			    !util_offset(z->obs[j].to))
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
		return (util_ics_local(e->recurrence_id) &&
		    e->dtstart_local == NULL && e->duration == NULL &&
		    e->nexdates == 0 ? 0 : -1);
	if (!util_only(e->rrule, UTIL_RULE_CHARS, 600) ||
	    !util_ics_local(e->dtstart_local) ||
	    e->duration == NULL || e->duration[0] != 'P' ||
	    !util_only(e->duration + 1, "0123456789DHMSTW", 32) ||
	    (e->nexdates > 0 && e->exdates == NULL))
		return (-1);
	for (i = 0; i < e->nexdates; i++)
		if (!util_ics_local(e->exdates[i]))
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

/* "Sat, 05 Dec 2026" */
static void
util_human_date(struct feed_buf *b, const struct feed_time *t)
{
	feed_buf_appendf(b, "%s, %02d %s %04d", feed_wdays[t->wday], t->day,
	    feed_months[t->mon - 1], t->year);
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
	util_human_date(b, &start);
	feed_buf_appendf(b, " %02d:%02d ", start.hour, start.min);
	util_zone(b, local ? e->starts_zone : "UTC", soff);
	feed_buf_appendf(b, " to ");
	if (start.year != end.year || start.mon != end.mon ||
	    start.day != end.day) {
		util_human_date(b, &end);
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
