/*
 * Feed documents: the jsonb of the feed functions of sql/api/feeds.sql
 * ({title, description, web_path, instance, events: [...]}, and in the
 * public feeds series: [...] and timezones: [...]) parsed into struct
 * feed_event and rendered.  The iCalendar rendering of a document with
 * "series" shows each series as its VEVENT and overrides (the series
 * list) instead of its occurrences (the events with a series_id); RSS
 * and JSON Feed list the occurrences.  Pure C (jansson and libc): the API's
 * feeds (feeds/feeds.c) and the mail sender (api/sender/, for the
 * calendar part of a message) both render through here, so an event has
 * the same UID, times and text everywhere.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "feed.h"

#define FEED_DOC_URL_MAX	256

/* The string value of obj.key, or NULL when absent, null or not a string. */
static const char *
jstr(json_t *obj, const char *key)
{
	return (json_string_value(json_object_get(obj, key)));
}

static size_t	doc_tzs(json_t *, struct feed_tz *, struct feed_tz_obs *);

/* Parse the VTIMEZONEs of doc (tzs and obs sized by the caller). */
static size_t
doc_tzs(json_t *doc, struct feed_tz *tzs, struct feed_tz_obs *obs)
{
	json_t		*z, *o;
	size_t		 i, j, nobs;

	nobs = 0;
	json_array_foreach(json_object_get(doc, "timezones"), i, z) {
		tzs[i].tzid = jstr(z, "tzid");
		tzs[i].obs = &obs[nobs];
		json_array_foreach(json_object_get(z, "observances"), j, o) {
			obs[nobs].daylight = json_is_true(json_object_get(o,
			    "daylight"));
			obs[nobs].start = jstr(o, "start");
			obs[nobs].from = jstr(o, "from");
			obs[nobs].to = jstr(o, "to");
			obs[nobs].name = jstr(o, "name");
			nobs++;
			tzs[i].nobs++;
		}
	}
	return (json_array_size(json_object_get(doc, "timezones")));
}

/* Midnight UTC today, RFC 3339: the date of a feed with no events. */
static void
today(char *buf, size_t len)
{
	struct tm	tm;
	time_t		now;

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT00:00:00Z", &tm) == 0)
		(void)snprintf(buf, len, "1970-01-01T00:00:00Z");
}

/*
 * Render doc in format into out.  UIDs are event-<id>@<the document's
 * instance>.interlibrary.  *latest (when latest is not NULL) is the
 * latest updated_at of the events, a string inside doc, or NULL for none.
 * Returns 0, or -1 for a document of another shape or no memory.
 */
int
feed_doc_render(struct feed_buf *out, json_t *doc, int format,
    const struct feed_doc_urls *u, const char **latestp)
{
	struct feed_meta	meta;
	struct feed_event	*ev;
	struct feed_tz		*tzs;
	struct feed_tz_obs	*obs;
	const char		**tags;
	json_t			*events, *series, *list, *e, *t, *z;
	char			*urls, web[FEED_DOC_URL_MAX];
	char			now[FEED_TIME_RFC3339_LEN], uid[96];
	const char		*path, *upd, *latest, *instance;
	size_t			n, i, j, ntags, ti, nobs;
	int			rc, len;

	events = json_object_get(doc, "events");
	if (!json_is_array(events) || (path = jstr(doc, "web_path")) == NULL ||
	    jstr(doc, "title") == NULL ||
	    (instance = jstr(doc, "instance")) == NULL)
		return (-1);
	len = snprintf(uid, sizeof(uid), "%s.interlibrary", instance);
	if (len < 0 || (size_t)len >= sizeof(uid))
		return (-1);

	/* What is rendered: in iCalendar, series instead of occurrences. */
	list = json_array();
	series = json_object_get(doc, "series");
	json_array_foreach(events, i, e) {
		if (format != FEED_DOC_ICS || !json_is_array(series) ||
		    json_is_null(json_object_get(e, "series_id")) ||
		    json_object_get(e, "series_id") == NULL)
			json_array_append(list, e);
	}
	if (format == FEED_DOC_ICS)
		json_array_foreach(series, i, e)
			json_array_append(list, e);
	n = json_array_size(list);
	ntags = 0;
	json_array_foreach(list, i, e) {
		ntags += json_array_size(json_object_get(e, "tags"));
		ntags += json_array_size(json_object_get(e, "exdates"));
	}
	nobs = 0;
	json_array_foreach(json_object_get(doc, "timezones"), i, z)
		nobs += json_array_size(json_object_get(z, "observances"));

	ev = calloc(n + 1, sizeof(*ev));
	tags = calloc(ntags + 1, sizeof(*tags));
	urls = calloc(n + 1, FEED_DOC_URL_MAX);
	tzs = calloc(json_array_size(json_object_get(doc, "timezones")) + 1,
	    sizeof(*tzs));
	obs = calloc(nobs + 1, sizeof(*obs));
	if (ev == NULL || tags == NULL || urls == NULL || tzs == NULL ||
	    obs == NULL) {
		rc = -1;
		goto done;
	}

	latest = NULL;
	ti = 0;
	json_array_foreach(list, i, e) {
		ev[i].id = json_integer_value(json_object_get(e, "id"));
		ev[i].title = jstr(e, "title");
		ev[i].description = jstr(e, "description");
		ev[i].kind = jstr(e, "kind");
		ev[i].status = jstr(e, "status");
		ev[i].cancel_reason = jstr(e, "cancel_reason");
		ev[i].starts_at = jstr(e, "starts_at");
		ev[i].ends_at = jstr(e, "ends_at");
		ev[i].timezone = jstr(e, "timezone");
		ev[i].starts_local = jstr(e, "starts_local");
		ev[i].ends_local = jstr(e, "ends_local");
		ev[i].starts_zone = jstr(e, "starts_zone");
		ev[i].ends_zone = jstr(e, "ends_zone");
		ev[i].venue = jstr(e, "venue");
		ev[i].address = jstr(e, "address");
		ev[i].city = jstr(e, "city");
		ev[i].online_url = jstr(e, "online_url");
		if (json_is_number(json_object_get(e, "latitude")) &&
		    json_is_number(json_object_get(e, "longitude"))) {
			ev[i].has_geo = 1;
			ev[i].latitude = json_number_value(json_object_get(e,
			    "latitude"));
			ev[i].longitude = json_number_value(json_object_get(e,
			    "longitude"));
		}
		ev[i].organization = jstr(e, "organization");
		ev[i].created_at = jstr(e, "created_at");
		ev[i].updated_at = upd = jstr(e, "updated_at");
		ev[i].sequence = (int)json_integer_value(json_object_get(e,
		    "sequence"));
		ev[i].tags = &tags[ti];
		json_array_foreach(json_object_get(e, "tags"), j, t) {
			if (json_is_string(t))
				tags[ti + ev[i].ntags++] = json_string_value(t);
		}
		ti += ev[i].ntags;
		if ((ev[i].rrule = jstr(e, "rrule")) != NULL ||
		    (ev[i].recurrence_id = jstr(e, "recurrence_id")) != NULL)
			ev[i].series_id = json_integer_value(json_object_get(e,
			    "series_id"));
		ev[i].dtstart_local = jstr(e, "dtstart_local");
		ev[i].duration = jstr(e, "duration");
		ev[i].exdates = &tags[ti];
		json_array_foreach(json_object_get(e, "exdates"), j, t) {
			if (json_is_string(t))
				tags[ti + ev[i].nexdates++] =
				    json_string_value(t);
		}
		ti += ev[i].nexdates;
		len = snprintf(&urls[i * FEED_DOC_URL_MAX], FEED_DOC_URL_MAX,
		    "%s/#/events/%lld", u->web_base, ev[i].id);
		if (len < 0 || len >= FEED_DOC_URL_MAX)
			urls[i * FEED_DOC_URL_MAX] = '\0';
		ev[i].url = &urls[i * FEED_DOC_URL_MAX];
		/* api.ts() text: fixed width, so strcmp orders it. */
		if (upd != NULL && (latest == NULL || strcmp(upd, latest) > 0))
			latest = upd;
	}

	/* Occurrences a series stands for count too. */
	json_array_foreach(events, i, e) {
		upd = jstr(e, "updated_at");
		if (upd != NULL && (latest == NULL || strcmp(upd, latest) > 0))
			latest = upd;
	}

	/*
	 * DTSTAMP and lastBuildDate: the latest updated_at of the events,
	 * not the wall clock, so the same data renders the same bytes.
	 */
	if (latest != NULL)
		(void)snprintf(now, sizeof(now), "%s", latest);
	else
		today(now, sizeof(now));
	len = snprintf(web, sizeof(web), "%s%s", u->web_base, path);
	if (len < 0 || (size_t)len >= sizeof(web))
		web[0] = '\0';

	memset(&meta, 0, sizeof(meta));
	meta.title = jstr(doc, "title");
	meta.description = jstr(doc, "description");
	meta.web_url = web;
	meta.self_url = u->self_url;
	meta.uid_domain = uid;
	meta.now = now;
	meta.refresh_minutes = u->refresh_minutes;
	if (format == FEED_DOC_ICS) {
		meta.tzs = tzs;
		meta.ntzs = doc_tzs(doc, tzs, obs);
	}

	switch (format) {
	case FEED_DOC_RSS:
		rc = feed_render_rss(out, &meta, ev, n);
		break;
	case FEED_DOC_JSON:
		rc = feed_render_json(out, &meta, ev, n);
		break;
	default:
		rc = feed_render_ics(out, &meta, ev, n);
		break;
	}
	if (latestp != NULL)
		*latestp = latest;
done:
	free(obs);
	free(tzs);
	free(urls);
	free(tags);
	free(ev);
	json_decref(list);
	return (rc);
}
