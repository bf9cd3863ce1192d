/*
 * feed_time.c: time for the feed renderers: RFC 3339 parsing, the
 * iCalendar, RFC 3339 and RFC 822 forms, iCalendar local times and UTC
 * offsets, and the date of the plain-text summary.
 */

#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "il.h"

static int		util_mdays(int, int);
static void		util_civil_from_days(long long, struct feed_time *);
static int		util_time_text(const char *, char *, size_t, int);
static int		util_parse(const char *, struct feed_time *, int *,
			    int);

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

/* Inverse of httpdate_days(); also sets the weekday. */
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
	if (httpdate_digits(s, 4, &y) == -1 || s[4] != '-' ||
	    httpdate_digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    httpdate_digits(s + 8, 2, &d) == -1 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    httpdate_digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    httpdate_digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    httpdate_digits(s + 17, 2, &se) == -1)
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
		if (httpdate_digits(p + 1, 2, &oh) == -1)
			return (-1);
		p += 3;
		if (*p == ':') {
			if (httpdate_digits(p + 1, 2, &om) == -1)
				return (-1);
			p += 3;
		} else if (*p >= '0' && *p <= '9') {
			if (httpdate_digits(p, 2, &om) == -1)
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
	secs = httpdate_days(y, mo, d) * 86400LL +
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
		    httpdate_wdays[t.wday], t.day, httpdate_months[t.mon - 1],
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

/* 1 when s is a local DATE-TIME "YYYYMMDDTHHMMSS" of a real day. */
int
feed_time_ics_local_ok(const char *s)
{
	int	y, mo, d, h, mi, se;

	if (s == NULL || strlen(s) != 15 || s[8] != 'T' ||
	    httpdate_digits(s, 4, &y) == -1 || httpdate_digits(s + 4, 2, &mo) == -1 ||
	    httpdate_digits(s + 6, 2, &d) == -1 || httpdate_digits(s + 9, 2, &h) == -1 ||
	    httpdate_digits(s + 11, 2, &mi) == -1 ||
	    httpdate_digits(s + 13, 2, &se) == -1)
		return (0);
	return (mo >= 1 && mo <= 12 && d >= 1 && d <= util_mdays(y, mo) &&
	    h <= 23 && mi <= 59 && se <= 59);
}

/* 1 when s is a UTC offset "+HHMM" or "-HHMM". */
int
feed_time_offset_ok(const char *s)
{
	int	h, m;

	return (s != NULL && strlen(s) == 5 && (s[0] == '+' || s[0] == '-') &&
	    httpdate_digits(s + 1, 2, &h) == 0 && httpdate_digits(s + 3, 2, &m) == 0 &&
	    h <= 23 && m <= 59);
}

/* "Sat, 05 Dec 2026" */
void
feed_time_human_date(struct feed_buf *b, const struct feed_time *t)
{
	feed_buf_appendf(b, "%s, %02d %s %04d", httpdate_wdays[t->wday], t->day,
	    httpdate_months[t->mon - 1], t->year);
}
