/*
 * HTTP dates (RFC 9110 5.6.7): Last-Modified is written, and
 * If-Modified-Since read, in the IMF-fixdate form, "Sun, 06 Nov 1994
 * 08:49:37 GMT".  Pure code, no locale (day and month names are
 * English whatever the process's locale), unit tested under ASan+UBSan
 * (tests/unit/test_httpdate.c).
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "il.h"

const char *const httpdate_wdays[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
const char *const httpdate_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static int	httpdate_name(const char *, const char *const *, int);

/*
 * Read exactly n decimal digits at s into *v; -1 when they are not.  The
 * feeds' times read theirs with it too (feeds/feed_time.c).
 */
int
httpdate_digits(const char *s, int n, int *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		*v = *v * 10 + (s[i] - '0');
	}
	return (0);
}

/* The index of the three-letter name at s in names[0..n-1], or -1. */
static int
httpdate_name(const char *s, const char *const *names, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (strncmp(s, names[i], 3) == 0)
			return (i);
	}
	return (-1);
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date: year y, month m
 * (1..12), day d (1..31; not checked against the month).  Any year,
 * those before 1970 and before 0 included.  The feeds' times use it too
 * (feeds/feed_time.c).
 */
long long
httpdate_days(long long y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/*
 * Write t (seconds since the epoch, not negative) as an IMF-fixdate into
 * buf of len bytes (HTTPDATE_LEN is enough).  Returns 0, or -1 when t is
 * out of range or buf too small (then buf holds "" if len > 0).
 */
int
httpdate_format(time_t t, char *buf, size_t len)
{
	struct tm	tm;
	int		n;

	if (buf == NULL || len == 0)
		return (-1);
	buf[0] = '\0';
	if (t < 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999)
		return (-1);
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    httpdate_wdays[tm.tm_wday], tm.tm_mday, httpdate_months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return (-1);
	}
	return (0);
}

/*
 * Read an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", exactly so)
 * into *t.  Returns 0, or -1 for anything else (the obsolete RFC 850
 * and asctime forms included: a condition that cannot be read is
 * ignored, which only costs a full answer).  The day name is not
 * checked against the date.
 */
int
httpdate_parse(const char *s, time_t *t)
{
	int		day, mon, year, h, m, sec;
	long long	days;

	if (s == NULL || strlen(s) != HTTPDATE_LEN - 1 ||
	    httpdate_name(s, httpdate_wdays, 7) == -1 ||
	    strncmp(s + 3, ", ", 2) != 0 ||
	    httpdate_digits(s + 5, 2, &day) == -1 || s[7] != ' ' ||
	    (mon = httpdate_name(s + 8, httpdate_months, 12)) == -1 ||
	    s[11] != ' ' || httpdate_digits(s + 12, 4, &year) == -1 ||
	    s[16] != ' ' || httpdate_digits(s + 17, 2, &h) == -1 ||
	    s[19] != ':' || httpdate_digits(s + 20, 2, &m) == -1 ||
	    s[22] != ':' || httpdate_digits(s + 23, 2, &sec) == -1 ||
	    strcmp(s + 25, " GMT") != 0)
		return (-1);
	if (day < 1 || day > 31 || h > 23 || m > 59 || sec > 60 ||
	    year < 1970)
		return (-1);
	days = httpdate_days(year, mon + 1, day);
	if (days >= (mon < 11 ? httpdate_days(year, mon + 2, 1) :
	    httpdate_days(year + 1, 1, 1)))
		return (-1);		/* 31 Apr, 29 Feb 2026 */
	*t = (time_t)(days * 86400 + h * 3600 + m * 60 + sec);
	return (0);
}
