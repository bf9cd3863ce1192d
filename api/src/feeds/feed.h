/*
 * feed.h: feed renderers: events as iCalendar, RSS 2.0 and JSON Feed 1.1,
 * and any other items (the community activity) as RSS 2.0.
 *
 * Pure C: no Kore headers.  The renderers read the events or items given
 * by the caller and append to a growable buffer; the caller owns every
 * input string and the buffer.
 */

#ifndef FEED_H
#define FEED_H

#include <stddef.h>
#include <stdint.h>

struct feed_buf {
	char		*data;	/* NUL-terminated after any append */
	size_t		 len;	/* bytes used, not counting the NUL */
	size_t		 cap;	/* bytes allocated */
};

struct feed_event {
	long long	 id;
	const char	*title;		/* any bytes but NUL, even bad UTF-8 */
	const char	*description;	/* may be NULL */
	const char	*kind;		/* social, meetup, ...; may be NULL */
	const char	*status;	/* "scheduled" or "cancelled" */
	const char	*cancel_reason;	/* may be NULL */
	const char	*starts_at;	/* RFC 3339, e.g. 2026-12-05T18:00:00Z */
	const char	*ends_at;	/* RFC 3339, not before starts_at */
	const char	*timezone;	/* IANA name, informational; may be NULL */
	const char	*starts_local;	/* starts_at in the event's zone, RFC */
	const char	*ends_local;	/* 3339 with its offset then; NULL: UTC */
	const char	*starts_zone;	/* the zone's abbreviation then: CST, */
	const char	*ends_zone;	/* CDT, +04; NULL: the offset */
	const char	*venue;		/* may be NULL */
	const char	*address;	/* may be NULL */
	const char	*city;		/* may be NULL */
	const char	*online_url;	/* may be NULL */
	int		 has_geo;	/* 1: latitude and longitude are set */
	double		 latitude;	/* degrees, -90..90 */
	double		 longitude;	/* degrees, -180..180 */
	const char	*url;		/* absolute web URL of the event page */
	const char	*organization;	/* organization name, may be NULL */
	const char	**tags;		/* ntags strings, none NULL */
	size_t		 ntags;
	const char	*created_at;	/* RFC 3339 */
	const char	*updated_at;	/* RFC 3339 */
	int		 sequence;	/* >= 0, grows on every edit */

	/*
	 * iCalendar only: a series of recurring events is one VEVENT (UID
	 * series-<series_id>@<uid_domain>) with its rule, then one VEVENT
	 * per occurrence that differs from the rule (an override, with
	 * RECURRENCE-ID).  Local times are "YYYYMMDDTHHMMSS" in timezone,
	 * which must then be a VTIMEZONE of the feed (struct feed_meta).
	 * All NULL or 0 for an event rendered on its own.
	 */
	long long	 series_id;	/* > 0 with rrule or recurrence_id */
	const char	*rrule;		/* the series' VEVENT: RRULE value */
	const char	*dtstart_local;	/* with rrule: DTSTART */
	const char	*duration;	/* with rrule: DURATION, "PT5400S" */
	const char	**exdates;	/* with rrule: nexdates EXDATE local */
	size_t		 nexdates;	/* times, none NULL */
	const char	*recurrence_id;	/* an override: RECURRENCE-ID local */
};

/* A VTIMEZONE's STANDARD or DAYLIGHT observance. */
struct feed_tz_obs {
	int		 daylight;	/* DAYLIGHT, else STANDARD */
	const char	*start;		/* DTSTART, local "YYYYMMDDTHHMMSS" */
	const char	*from;		/* TZOFFSETFROM, "+HHMM" or "-HHMM" */
	const char	*to;		/* TZOFFSETTO */
	const char	*name;		/* TZNAME; may be NULL */
};

/* A VTIMEZONE: the zone's observances over the feed's series. */
struct feed_tz {
	const char		*tzid;	/* IANA name: letters, digits, /_+- */
	const struct feed_tz_obs *obs;	/* nobs >= 1 */
	size_t			 nobs;
};

struct feed_meta {
	const char	*title;		/* "Interlibrary events: Central Library" */
	const char	*description;	/* may be NULL */
	const char	*web_url;	/* PUBLIC_WEB_URL-based page */
	const char	*self_url;	/* absolute URL of this feed */
	const char	*uid_domain;	/* UID: event-<id>@<uid_domain>, stable */
	const char	*now;		/* RFC 3339: DTSTAMP, lastBuildDate */
	int		 refresh_minutes; /* REFRESH-INTERVAL, ttl; >= 1 */
	const struct feed_tz *tzs;	/* iCalendar: ntzs VTIMEZONEs, for */
	size_t		 ntzs;		/* the events' series; may be NULL, 0 */
};

/*
 * An RSS channel of items that are not events (feed_render_rss_items());
 * the event feed's channel comes from its struct feed_meta.
 */
struct feed_channel {
	const char	*title;
	const char	*link;		/* the web page of the channel */
	const char	*description;	/* may be NULL or empty: the title */
	const char	*language;	/* "en"; may be NULL */
	const char	*self_url;	/* absolute URL of this feed */
	const char	*last_build;	/* RFC 3339: lastBuildDate */
	int		 ttl;		/* minutes; 0: no <ttl> */
	const char	*generator;	/* may be NULL */
};

/* One RSS item (feed_render_rss_items()). */
struct feed_item {
	const char	*title_prefix;	/* "Recap: ", put before the title; may be NULL */
	const char	*title;		/* any bytes but NUL, even bad UTF-8 */
	const char	*link;		/* absolute URL */
	const char	*guid;		/* not a permalink */
	const char	*pub_date;	/* RFC 3339 */
	const char	*description;	/* NULL: no <description> */
	int		 html;		/* FEED_ITEM_HTML or 0 */
	const char	**categories;	/* ncategories strings, none NULL; */
	size_t		 ncategories;	/* empty ones are left out */
	int		 has_geo;	/* 1: <geo:lat>, <geo:long> (W3C) */
	double		 latitude;
	double		 longitude;
};

/*
 * struct feed_item html: the description is plain text that readers
 * show as HTML, so it is HTML-escaped (newlines become <br>) inside
 * <p>...</p> before the XML escaping.  Without it the description is
 * XML-escaped once, as is.
 */
#define FEED_ITEM_HTML		0x01

/* A timestamp broken down in UTC. */
struct feed_time {
	int		 year;		/* 0..9999 */
	int		 mon;		/* 1..12 */
	int		 day;		/* 1..31 */
	int		 hour;
	int		 min;
	int		 sec;
	int		 wday;		/* 0 = Sunday */
};

/* Sizes of the text forms of a struct feed_time, NUL included. */
#define FEED_TIME_BASIC_LEN	17	/* 20261205T180000Z */
#define FEED_TIME_RFC3339_LEN	21	/* 2026-12-05T18:00:00Z */
#define FEED_TIME_RFC822_LEN	32	/* Sat, 05 Dec 2026 18:00:00 +0000 */

/* Flags for feed_utf8_clean(). */
#define FEED_UTF8_DROP_CTL	0x01	/* drop controls but TAB LF CR */

/* Flags for feed_event_text(). */
#define FEED_TEXT_WHEN		0x01	/* begin with When: and Where: */

/* feed_buf.c */
void	feed_buf_init(struct feed_buf *);
void	feed_buf_free(struct feed_buf *);
void	feed_buf_append(struct feed_buf *, const void *, size_t);
void	feed_buf_appendf(struct feed_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	feed_buf_truncate(struct feed_buf *, size_t);
void	*feed_calloc(size_t, size_t);

/* feed_utf8.c */
size_t	feed_utf8_decode(const unsigned char *, size_t, uint32_t *);
void	feed_utf8_encode(struct feed_buf *, uint32_t);
int	feed_utf8_is_dropped(uint32_t);
void	feed_utf8_clean(struct feed_buf *, const char *, int);
char	*feed_utf8_sanitize(const char *);

/* feed_time.c */
int	feed_time_parse(const char *, struct feed_time *);
int	feed_time_parse_local(const char *, struct feed_time *, int *);
int	feed_time_basic(const char *, char *, size_t);
int	feed_time_rfc3339(const char *, char *, size_t);
int	feed_time_rfc822(const char *, char *, size_t);
int	feed_time_cmp(const struct feed_time *, const struct feed_time *);
int	feed_time_ics_local_ok(const char *);
int	feed_time_offset_ok(const char *);
void	feed_time_human_date(struct feed_buf *, const struct feed_time *);

/* feed_util.c */
int	feed_check(const struct feed_meta *, const struct feed_event *,
	    size_t);
int	feed_is_cancelled(const struct feed_event *);
void	feed_location(struct feed_buf *, const struct feed_event *);
size_t	feed_categories(const struct feed_event *, const char **);
void	feed_event_text(struct feed_buf *, const struct feed_event *, int);
int	feed_geo_ok(double, double);

/* feed_ics.c */
int	feed_render_ics(struct feed_buf *, const struct feed_meta *,
	    const struct feed_event *, size_t);

/* feed_rss.c */
int	feed_render_rss(struct feed_buf *, const struct feed_meta *,
	    const struct feed_event *, size_t);
int	feed_render_rss_items(struct feed_buf *, const struct feed_channel *,
	    const struct feed_item *, size_t);

/* feed_doc.c: a feed document (sql/api/feeds.sql) parsed and rendered. */
#define FEED_DOC_ICS	0
#define FEED_DOC_RSS	1
#define FEED_DOC_JSON	2

struct feed_doc_urls {
	const char	*web_base;	/* PUBLIC_WEB_URL */
	const char	*self_url;	/* this feed's absolute URL */
	int		 refresh_minutes;
};

struct json_t;
int	feed_doc_render(struct feed_buf *, struct json_t *, int,
	    const struct feed_doc_urls *, const char **);

/* feed_json.c */
int	feed_render_json(struct feed_buf *, const struct feed_meta *,
	    const struct feed_event *, size_t);

#endif /* !FEED_H */
