/*
 * Recurring events' rules: an RFC 5545 RRULE value checked against the
 * subset the API supports, then expanded by libical's
 * icalrecur_iterator into local wall-clock start times.  Pure code (no
 * Kore): the SQL of a series (sql/api/series.sql) turns each local time
 * into an instant with PostgreSQL's time zone data, so 18:00 stays 18:00
 * local across DST.
 *
 * The subset: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, BYDAY
 * (numbered, like 2TU or -1FR, with FREQ=MONTHLY only), BYMONTHDAY (with
 * FREQ=MONTHLY), and COUNT or UNTIL (a date, or a UTC date-time).  At
 * most RECUR_MAX_COUNT occurrences, none more than RECUR_MAX_YEARS after
 * the first: a rule with COUNT or UNTIL beyond that is refused; one
 * without either is expanded up to that horizon (the series is then not
 * complete).
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "il.h"

#define RECUR_FIELD	"recurrence"
#define RECUR_PARTS	"FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL"
/* A UTC UNTIL is compared with local times this much later (UTC+14). */
#define RECUR_UTC_SLACK	(14 * 3600)

/* The parts of a rule, as checked. */
struct recur_parts {
	char		freq[8];
	int		interval;
	int		count;
	int		numbered_day;	/* BYDAY has an ordinal (2TU) */
	int		has_byday;
	int		has_bymonthday;
	int		until_date;	/* UNTIL is a date */
	struct icaltimetype until;	/* null time when none */
	char		text[RECUR_RULE_MAX + 1];	/* upper case */
	char		rule[RECUR_RULE_MAX + 64];	/* for libical */
};

static const char *const recur_freqs[] = {
	"DAILY", "WEEKLY", "MONTHLY", "YEARLY", NULL
};
static const char *const recur_freqs_other[] = {
	"SECONDLY", "MINUTELY", "HOURLY", NULL
};
static const char *const recur_parts_other[] = {
	"BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO",
	"BYMONTH", "BYSETPOS", "WKST", "RSCALE", "SKIP", NULL
};
static const char *const recur_days[] = {
	"MO", "TU", "WE", "TH", "FR", "SA", "SU", NULL
};

static int	recur_digits(const char *, size_t);
static int	recur_number(const char *, size_t, int *);
static int	recur_int(const char *, int, int, int *);
static int	recur_until(const char *, struct recur_parts *);
static int	recur_byday(char *, struct recur_parts *,
		    struct input_errors *);
static int	recur_bymonthday(char *, struct input_errors *);
static int	recur_part(char *, struct recur_parts *, unsigned *,
		    struct input_errors *);
static int	recur_parse(const char *, struct recur_parts *,
		    struct input_errors *);
static int	recur_local(const char *, struct icaltimetype *);
static void	recur_local_text(struct icaltimetype, char *, size_t);
static icalrecur_iterator *recur_iterator(const char *, const char *,
		    struct recur_parts *, struct icaltimetype *,
		    struct input_errors *);

/* Whether s[0..n) are n digits. */
static int
recur_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return (0);
	return (1);
}

/* The value of the n digits at s into *v; -1 when they are not n digits. */
static int
recur_number(const char *s, size_t n, int *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		*v = *v * 10 + (s[i] - '0');
	}
	return (0);
}

/* Parse s, digits only (an optional sign when min < 0), into min..max. */
static int
recur_int(const char *s, int min, int max, int *out)
{
	const char	*p;
	long		v;
	char		*end;

	p = (*s == '-' || *s == '+') && min < 0 ? s + 1 : s;
	if (*p == '\0' || strlen(p) > 6 || !recur_digits(p, strlen(p)))
		return (-1);
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return (-1);
	*out = (int)v;
	return (0);
}

/* UNTIL: YYYYMMDD or YYYYMMDDTHHMMSSZ, a real date and time. */
static int
recur_until(const char *v, struct recur_parts *rp)
{
	struct icaltimetype	t;
	size_t			len;

	len = strlen(v);
	if (!((len == 8 && recur_digits(v, 8)) || (len == 16 &&
	    recur_digits(v, 8) && v[8] == 'T' && recur_digits(v + 9, 6) &&
	    v[15] == 'Z')))
		return (-1);
	t = icaltime_null_time();
	t.year = (v[0] - '0') * 1000 + (v[1] - '0') * 100 +
	    (v[2] - '0') * 10 + (v[3] - '0');
	t.month = (v[4] - '0') * 10 + (v[5] - '0');
	t.day = (v[6] - '0') * 10 + (v[7] - '0');
	if (t.year < 1900 || t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > icaltime_days_in_month(t.month, t.year))
		return (-1);
	if (len == 8) {
		/* Every occurrence on that local day. */
		t.hour = 23;
		t.minute = 59;
		t.second = 59;
		rp->until_date = 1;
	} else {
		t.hour = (v[9] - '0') * 10 + (v[10] - '0');
		t.minute = (v[11] - '0') * 10 + (v[12] - '0');
		t.second = (v[13] - '0') * 10 + (v[14] - '0');
		if (t.hour > 23 || t.minute > 59 || t.second > 59)
			return (-1);
	}
	rp->until = t;
	return (0);
}

/* BYDAY: a comma list of [+|-][n]DD; ordinals 1..5 or -5..-1. */
static int
recur_byday(char *v, struct recur_parts *rp, struct input_errors *errs)
{
	char		*item, *save, *day;
	int		n;

	rp->has_byday = 1;
	for (item = strtok_r(v, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		day = item + strlen(item) - (strlen(item) >= 2 ? 2 : 0);
		if (!input_in_values(recur_days, day) || strlen(day) != 2)
			goto bad;
		if (day != item) {
			*day = '\0';
			if (recur_int(item, -5, 5, &n) == -1 || n == 0)
				goto bad;
			rp->numbered_day = 1;
		}
	}
	return (0);
bad:
	input_error_add(errs, RECUR_FIELD, "BYDAY: each day is MO, TU, WE, "
	    "TH, FR, SA or SU, numbered in the month if need be (2TU, -1FR)");
	return (-1);
}

/* BYMONTHDAY: a comma list of 1..31 or -31..-1. */
static int
recur_bymonthday(char *v, struct input_errors *errs)
{
	char		*item, *save;
	int		n;

	for (item = strtok_r(v, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (recur_int(item, -31, 31, &n) == -1 || n == 0) {
			input_error_add(errs, RECUR_FIELD, "BYMONTHDAY: each "
			    "day is 1..31, or -31..-1 from the month's end");
			return (-1);
		}
	}
	return (0);
}

/*
 * One NAME=VALUE part (upper-cased), noted in rp; seen holds a bit per
 * supported part, to refuse repeats.
 */
static int
recur_part(char *part, struct recur_parts *rp, unsigned *seen,
    struct input_errors *errs)
{
	static const char *const names[] = {
		"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL",
		NULL
	};
	char		*v;
	int		i;

	if ((v = strchr(part, '=')) == NULL || v == part || v[1] == '\0') {
		input_error_add(errs, RECUR_FIELD, "each part is NAME=VALUE, "
		    "separated by ';' (FREQ=MONTHLY;BYDAY=2TU)");
		return (-1);
	}
	*v++ = '\0';
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(part, names[i]) == 0)
			break;
	if (names[i] == NULL) {
		if (input_in_values(recur_parts_other, part))
			input_error_add(errs, RECUR_FIELD, "%s is not "
			    "supported: rules use " RECUR_PARTS, part);
		else
			input_error_add(errs, RECUR_FIELD, "%.40s is not an "
			    "RRULE part: rules use " RECUR_PARTS, part);
		return (-1);
	}
	if (*seen & (1u << i)) {
		input_error_add(errs, RECUR_FIELD, "%s is given twice", part);
		return (-1);
	}
	*seen |= 1u << i;

	switch (i) {
	case 0:
		if (input_in_values(recur_freqs, v)) {
			(void)snprintf(rp->freq, sizeof(rp->freq), "%s", v);
			return (0);
		}
		if (input_in_values(recur_freqs_other, v))
			input_error_add(errs, RECUR_FIELD, "FREQ=%s is not "
			    "supported: FREQ is DAILY, WEEKLY, MONTHLY or "
			    "YEARLY", v);
		else
			input_error_add(errs, RECUR_FIELD, "FREQ is DAILY, "
			    "WEEKLY, MONTHLY or YEARLY");
		return (-1);
	case 1:
		if (recur_int(v, 1, 99, &rp->interval) == 0)
			return (0);
		input_error_add(errs, RECUR_FIELD, "INTERVAL is 1..99");
		return (-1);
	case 2:
		return (recur_byday(v, rp, errs));
	case 3:
		rp->has_bymonthday = 1;
		return (recur_bymonthday(v, errs));
	case 4:
		if (recur_int(v, 1, RECUR_MAX_COUNT, &rp->count) == 0)
			return (0);
		input_error_add(errs, RECUR_FIELD, "COUNT is 1..%d "
		    "(occurrences a series may have)", RECUR_MAX_COUNT);
		return (-1);
	default:
		if (recur_until(v, rp) == 0)
			return (0);
		input_error_add(errs, RECUR_FIELD, "UNTIL is a date "
		    "(20261231) or a UTC date-time (20261231T230000Z)");
		return (-1);
	}
}

/* Check rule against the subset into rp. */
static int
recur_parse(const char *rule, struct recur_parts *rp,
    struct input_errors *errs)
{
	char		buf[RECUR_RULE_MAX + 1], *part, *save;
	unsigned	seen;
	size_t		i, len;
	int		n;

	memset(rp, 0, sizeof(*rp));
	rp->until = icaltime_null_time();
	if (strncasecmp(rule, "RRULE:", 6) == 0)
		rule += 6;
	if ((len = strlen(rule)) == 0 || len > RECUR_RULE_MAX) {
		input_error_add(errs, RECUR_FIELD, "is an RRULE value of 1..%d "
		    "characters (FREQ=MONTHLY;BYDAY=2TU)", RECUR_RULE_MAX);
		return (-1);
	}
	for (i = 0; i <= len; i++)
		rp->text[i] = (char)toupper((unsigned char)rule[i]);
	memcpy(buf, rp->text, len + 1);

	seen = 0;
	for (part = strtok_r(buf, ";", &save); part != NULL;
	    part = strtok_r(NULL, ";", &save)) {
		if (recur_part(part, rp, &seen, errs) == -1)
			return (-1);
	}
	if (rp->freq[0] == '\0') {
		input_error_add(errs, RECUR_FIELD, "FREQ is required: DAILY, "
		    "WEEKLY, MONTHLY or YEARLY");
		return (-1);
	}
	if (rp->count != 0 && !icaltime_is_null_time(rp->until)) {
		input_error_add(errs, RECUR_FIELD, "COUNT and UNTIL cannot "
		    "both be given");
		return (-1);
	}
	if (rp->numbered_day && strcmp(rp->freq, "MONTHLY") != 0) {
		input_error_add(errs, RECUR_FIELD, "BYDAY: a numbered day "
		    "(2TU, -1FR) needs FREQ=MONTHLY");
		return (-1);
	}
	if (rp->has_byday && strcmp(rp->freq, "YEARLY") == 0) {
		input_error_add(errs, RECUR_FIELD, "BYDAY is not supported "
		    "with FREQ=YEARLY");
		return (-1);
	}
	if (rp->has_bymonthday && strcmp(rp->freq, "MONTHLY") != 0) {
		input_error_add(errs, RECUR_FIELD, "BYMONTHDAY needs "
		    "FREQ=MONTHLY");
		return (-1);
	}

	/* What libical reads: the rule without UNTIL (applied here). */
	n = snprintf(rp->rule, sizeof(rp->rule), "FREQ=%s;INTERVAL=%d",
	    rp->freq, rp->interval == 0 ? 1 : rp->interval);
	for (i = 0; rp->text[i] != '\0'; ) {
		len = strcspn(rp->text + i, ";");
		if (strncmp(rp->text + i, "BYDAY=", 6) == 0 ||
		    strncmp(rp->text + i, "BYMONTHDAY=", 11) == 0 ||
		    strncmp(rp->text + i, "COUNT=", 6) == 0)
			n += snprintf(rp->rule + n, sizeof(rp->rule) - (size_t)n,
			    ";%.*s", (int)len, rp->text + i);
		if (n < 0 || (size_t)n >= sizeof(rp->rule)) {
			input_error_add(errs, RECUR_FIELD, "is too long");
			return (-1);
		}
		i += len;
		if (rp->text[i] == ';')
			i++;
	}
	return (0);
}

/* A local time "YYYY-MM-DDTHH:MM:SS" into a floating libical time. */
static int
recur_local(const char *s, struct icaltimetype *t)
{
	*t = icaltime_null_time();
	if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' ||
	    recur_number(s, 4, &t->year) == -1 ||
	    recur_number(s + 5, 2, &t->month) == -1 ||
	    recur_number(s + 8, 2, &t->day) == -1 ||
	    recur_number(s + 11, 2, &t->hour) == -1 ||
	    recur_number(s + 14, 2, &t->minute) == -1 ||
	    recur_number(s + 17, 2, &t->second) == -1)
		return (-1);
	if (t->year < 1900 || t->year > 9000 || t->month < 1 ||
	    t->month > 12 || t->day < 1 ||
	    t->day > icaltime_days_in_month(t->month, t->year) ||
	    t->hour > 23 || t->minute > 59 || t->second > 59)
		return (-1);
	return (0);
}

static void
recur_local_text(struct icaltimetype t, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d",
	    t.year, t.month, t.day, t.hour, t.minute, t.second);
}

int
recurrence_check(const char *rule, struct input_errors *errs)
{
	struct recur_parts	rp;

	return (recur_parse(rule, &rp, errs));
}

/*
 * A libical iterator over rule from dtstart (a local time), with the
 * rule's parts in rp and the first start in *start; NULL with errs
 * filled.  The caller frees it (icalrecur_iterator_free).
 */
static icalrecur_iterator *
recur_iterator(const char *rule, const char *dtstart, struct recur_parts *rp,
    struct icaltimetype *start, struct input_errors *errs)
{
	struct icalrecurrencetype	 r;
	icalrecur_iterator		*it;

	if (recur_parse(rule, rp, errs) == -1)
		return (NULL);
	if (recur_local(dtstart, start) == -1) {
		input_error_add(errs, "starts_at", "is not a time");
		return (NULL);
	}
	r = icalrecurrencetype_from_string(rp->rule);
	if (r.freq == ICAL_NO_RECURRENCE ||
	    (it = icalrecur_iterator_new(r, *start)) == NULL) {
		icalerror_clear_errno();
		input_error_add(errs, RECUR_FIELD, "is not a rule that can be "
		    "expanded");
		return (NULL);
	}
	return (it);
}

json_t *
recurrence_window(const char *rule, const char *dtstart, const char *now,
    struct input_errors *errs)
{
	struct recur_parts	 rp;
	struct icaltimetype	 start, from, limit, bound, t;
	icalrecur_iterator	*it;
	json_t			*plan, *starts;
	char			 text[RECUR_LOCAL_LEN];
	long			 scanned;

	if (recur_local(now, &from) == -1) {
		input_error_add(errs, "now", "is not a time");
		return (NULL);
	}
	if ((it = recur_iterator(rule, dtstart, &rp, &start, errs)) == NULL)
		return (NULL);
	limit = from;
	limit.year += RECUR_MAX_YEARS;
	limit = icaltime_normalize(limit);
	bound = rp.until;
	if (!icaltime_is_null_time(bound) && !rp.until_date)
		icaltime_adjust(&bound, 0, 0, 0, RECUR_UTC_SLACK);

	plan = json_object();
	starts = json_array();
	json_object_set_new(plan, "starts", starts);
	json_object_set_new(plan, "next", json_null());
	for (scanned = 0; scanned < RECUR_SCAN_MAX; scanned++) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t) || (!icaltime_is_null_time(bound) &&
		    icaltime_compare(t, bound) > 0))
			break;
		if (icaltime_compare(t, from) <= 0)
			continue;
		recur_local_text(t, text, sizeof(text));
		if (icaltime_compare(t, limit) > 0 ||
		    json_array_size(starts) == RECUR_MAX_COUNT) {
			json_object_set_new(plan, "next", json_string(text));
			break;
		}
		json_array_append_new(starts, json_string(text));
	}
	icalrecur_iterator_free(it);
	return (plan);
}

json_t *
recurrence_expand(const char *rule, const char *dtstart,
    struct input_errors *errs)
{
	struct recur_parts		 rp;
	struct icaltimetype		 start, limit, bound, t;
	icalrecur_iterator		*it;
	json_t				*plan, *starts;
	char				 text[RECUR_LOCAL_LEN], until[24];
	int				 n, max, complete;

	if ((it = recur_iterator(rule, dtstart, &rp, &start, errs)) == NULL)
		return (NULL);
	limit = start;
	limit.year += RECUR_MAX_YEARS;
	limit = icaltime_normalize(limit);

	bound = icaltime_null_time();
	until[0] = '\0';
	if (!icaltime_is_null_time(rp.until)) {
		if (icaltime_compare(rp.until, limit) > 0) {
			input_error_add(errs, RECUR_FIELD, "UNTIL is more than "
			    "%d years after starts_at", RECUR_MAX_YEARS);
			icalrecur_iterator_free(it);
			return (NULL);
		}
		bound = rp.until;
		if (rp.until_date) {
			(void)snprintf(until, sizeof(until), "%04d-%02d-%02d",
			    rp.until.year, rp.until.month, rp.until.day);
		} else {
			(void)snprintf(until, sizeof(until),
			    "%04d-%02d-%02dT%02d:%02d:%02dZ", rp.until.year,
			    rp.until.month, rp.until.day, rp.until.hour,
			    rp.until.minute, rp.until.second);
			/* SQL applies the exact instant. */
			icaltime_adjust(&bound, 0, 0, 0, RECUR_UTC_SLACK);
		}
	}

	/* A UTC UNTIL may let through a few more that SQL then drops. */
	max = icaltime_is_null_time(bound) || rp.until_date ?
	    RECUR_MAX_COUNT : RECUR_MAX_COUNT + 40;
	complete = rp.count != 0 || !icaltime_is_null_time(bound);
	starts = json_array();
	for (n = 0; ; n++) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t))
			break;
		if (!icaltime_is_null_time(bound) &&
		    icaltime_compare(t, bound) > 0)
			break;
		if (icaltime_compare(t, limit) > 0) {
			if (rp.count != 0) {
				input_error_add(errs, RECUR_FIELD, "COUNT=%d "
				    "reaches more than %d years after "
				    "starts_at", rp.count, RECUR_MAX_YEARS);
				goto fail;
			}
			break;
		}
		if (n == max) {
			if (!complete)
				break;
			input_error_add(errs, RECUR_FIELD, "UNTIL allows more "
			    "than %d occurrences", RECUR_MAX_COUNT);
			goto fail;
		}
		recur_local_text(t, text, sizeof(text));
		json_array_append_new(starts, json_string(text));
	}
	icalrecur_iterator_free(it);
	if (json_array_size(starts) == 0) {
		json_decref(starts);
		input_error_add(errs, RECUR_FIELD, "has no occurrence on or "
		    "after starts_at");
		return (NULL);
	}

	/* The rule as stored and published: upper case, no RRULE: prefix. */
	plan = json_object();
	json_object_set_new(plan, "rule", json_string(rp.text));
	json_object_set_new(plan, "starts", starts);
	json_object_set_new(plan, "complete", json_boolean(complete));
	json_object_set_new(plan, "count", rp.count != 0 ?
	    json_integer(rp.count) : json_null());
	json_object_set_new(plan, "until", until[0] != '\0' ?
	    json_string(until) : json_null());
	return (plan);
fail:
	icalrecur_iterator_free(it);
	json_decref(starts);
	return (NULL);
}
