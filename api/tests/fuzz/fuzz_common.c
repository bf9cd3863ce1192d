/*
 * fuzz_common.c: build event sets from fuzz input; check renderer
 * output.  Each fuzz_check_*() returns NULL when the output holds its
 * invariants, or a static message naming the first one broken.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"

#define ICS_LINE_MAX	75
#define XML_DEPTH_MAX	16

static const char *const fuzz_valid_times[] = {
	"2026-12-05T18:00:00Z", "2026-12-05T20:30:00Z",
	"2026-11-01T09:15:00+01:00", "2026-01-01T00:00:00.123Z"
};

static const char *const ics_names[] = {
	"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "NAME",
	"X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC", "URL",
	"SOURCE;VALUE=URI", "REFRESH-INTERVAL;VALUE=DURATION",
	"X-PUBLISHED-TTL", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY",
	"LOCATION", "GEO", "CATEGORIES", "STATUS", "SEQUENCE", "CREATED",
	"LAST-MODIFIED", "DURATION", "RRULE", "TZID", "TZOFFSETFROM",
	"TZOFFSETTO", "TZNAME", NULL
};

/* Names that may carry a TZID parameter (a series, its overrides). */
static const char *const ics_tz_names[] = {
	"DTSTART", "EXDATE", "RECURRENCE-ID", NULL
};

static const char	*field(char **, size_t, size_t *);
static char		*ics_unfold(const char *, size_t);
static int		 ics_known(const char *, size_t);
static int		 ics_geo_ok(const char *);
static int		 xml_name(const char **, const char *);
static int		 xml_ref(const char **, const char *);
static int		 xml_text(const char **, const char *, char);

/* Next field, or NULL once they run out. */
static const char *
field(char **f, size_t nf, size_t *i)
{
	if (*i >= nf)
		return (NULL);
	return (f[(*i)++]);
}

/*
 * Fill s from data: byte 0 chooses the number of events (1-4) and a
 * few switches, the rest is split on NUL and 0x1F into fields that go,
 * in order, to meta title, description, uid_domain, then to each
 * event's title, description, cancel_reason, venue, address, city,
 * online_url, organization, timezone, kind, tags and, when bit 2 of
 * byte 0 is set, starts_at, ends_at (else valid fixed times) and a
 * position "lat lon" read with strtod() (anything, NaN and out of range
 * included; else every even event has a valid position).  Every second
 * event also has local times (the same instants) whose zone
 * abbreviations are its timezone and kind.  Then, with fuzzed times,
 * event 0 may be a series whose rule and VTIMEZONE are fuzzed too; else
 * bit 4 makes it a valid one (see below).
 * fuzz_set_free() releases it.
 */
void
fuzz_set_build(struct fuzz_set *s, const uint8_t *data, size_t size)
{
	char		**f;
	size_t		  nf, i, k, j, t;
	uint8_t		  ctl;
	const char	 *v;
	char		 *end;

	memset(s, 0, sizeof(*s));
	ctl = size > 0 ? data[0] : 0;
	if (size > 0) {
		data++;
		size--;
	}
	if ((s->copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(s->copy, data, size);
	s->copy[size] = '\0';

	if ((f = calloc(size + 1, sizeof(*f))) == NULL)
		abort();
	nf = 0;
	f[nf++] = s->copy;
	for (i = 0; i < size; i++) {
		if (s->copy[i] == '\0' || s->copy[i] == 0x1F) {
			s->copy[i] = '\0';
			f[nf++] = s->copy + i + 1;
		}
	}

	k = 0;
	s->meta.title = (v = field(f, nf, &k)) ? v : "Interlibrary events";
	s->meta.description = field(f, nf, &k);
	s->meta.uid_domain = (v = field(f, nf, &k)) ? v :
	    "interlibrary.example";
	s->meta.web_url = "https://interlibrary.example/events";
	s->meta.self_url = "https://api.interlibrary.example/v1/events.ics";
	s->meta.now = "2026-11-28T12:00:00Z";
	s->meta.refresh_minutes = 1 + ctl % 120;
	s->fuzzed_times = (ctl & 0x04) != 0;

	s->n = 1 + (ctl & 0x03);
	for (i = 0; i < s->n; i++) {
		struct feed_event	*e = &s->ev[i];

		e->id = (ctl & 0x08) ? (i % 2 ? LLONG_MAX : LLONG_MIN) :
		    (long long)i * 1000003;
		e->title = (v = field(f, nf, &k)) ? v : "";
		e->description = field(f, nf, &k);
		e->cancel_reason = field(f, nf, &k);
		e->venue = field(f, nf, &k);
		e->address = field(f, nf, &k);
		e->city = field(f, nf, &k);
		e->online_url = field(f, nf, &k);
		e->organization = field(f, nf, &k);
		e->timezone = field(f, nf, &k);
		e->kind = field(f, nf, &k);
		t = 0;
		for (j = 0; j < FUZZ_MAX_TAGS; j++) {
			if ((v = field(f, nf, &k)) != NULL)
				s->tags[i][t++] = v;
		}
		e->tags = t > 0 ? s->tags[i] : NULL;
		e->ntags = t;
		e->status = ((ctl >> 4) + i) % 2 ? "cancelled" : "scheduled";
		e->url = "https://interlibrary.example/events/1";
		e->starts_at = fuzz_valid_times[0];
		e->ends_at = fuzz_valid_times[1];
		e->created_at = fuzz_valid_times[2];
		e->updated_at = fuzz_valid_times[3];
		if (s->fuzzed_times) {
			if ((v = field(f, nf, &k)) != NULL)
				e->starts_at = v;
			if ((v = field(f, nf, &k)) != NULL)
				e->ends_at = v;
			if ((v = field(f, nf, &k)) != NULL) {
				e->has_geo = 1;
				e->latitude = strtod(v, &end);
				e->longitude = strtod(end, NULL);
			}
		} else if (i % 2 == 0) {
			e->has_geo = 1;
			e->latitude = -90.0 + (double)((ctl * 7 + i) % 181);
			e->longitude = -180.0 + (double)((ctl * 13 + i) % 361) +
			    0.123456789;
			if (e->longitude > 180.0)
				e->longitude = 180.0;
		}
		if (i % 2 == 1) {
			/* Local times (the same instants), fuzzed zones. */
			e->starts_local = s->fuzzed_times ? e->starts_at :
			    "2026-12-05T12:00:00-06:00";
			e->ends_local = s->fuzzed_times ? e->ends_at :
			    "2026-12-05T14:30:00-06:00";
			e->starts_zone = e->timezone;
			e->ends_zone = e->kind;
		}
		e->sequence = (ctl >> 5) + (int)i;
	}

	/*
	 * A series (iCalendar): with fuzzed times, event 0's rule, local
	 * start, duration and its zone's observance come from the input
	 * (its zone is its timezone); otherwise, when bit 4 of byte 0 is
	 * set, event 0 is a valid weekly series in America/Chicago and
	 * event 1, when there is one, an override of it.
	 */
	if (s->fuzzed_times && (v = field(f, nf, &k)) != NULL) {
		s->ev[0].series_id = 7;
		s->ev[0].rrule = v;
		s->ev[0].dtstart_local = (v = field(f, nf, &k)) ? v :
		    "20261205T120000";
		s->ev[0].duration = (v = field(f, nf, &k)) ? v : "PT1H";
		s->obs.start = (v = field(f, nf, &k)) ? v : "20261101T020000";
		s->obs.from = (v = field(f, nf, &k)) ? v : "-0500";
		s->obs.to = (v = field(f, nf, &k)) ? v : "-0600";
		s->obs.name = field(f, nf, &k);
		s->tz.tzid = s->ev[0].timezone;
	} else if (!s->fuzzed_times && (ctl & 0x10)) {
		s->ev[0].series_id = 7;
		s->ev[0].timezone = "America/Chicago";
		s->ev[0].rrule = "FREQ=WEEKLY;BYDAY=SA;COUNT=3";
		s->ev[0].dtstart_local = "20261205T120000";
		s->ev[0].duration = "PT2H30M";
		if (s->n > 1) {
			s->ev[1].series_id = 7;
			s->ev[1].timezone = "America/Chicago";
			s->ev[1].recurrence_id = "20261212T120000";
		}
		s->obs.start = "20261101T020000";
		s->obs.from = "-0500";
		s->obs.to = "-0600";
		s->obs.name = "CST";
		s->tz.tzid = "America/Chicago";
	}
	if (s->ev[0].rrule != NULL) {
		s->tz.obs = &s->obs;
		s->tz.nobs = 1;
		s->meta.tzs = &s->tz;
		s->meta.ntzs = 1;
	}
	free(f);
}

void
fuzz_set_free(struct fuzz_set *s)
{
	free(s->copy);
	s->copy = NULL;
}

/* Report msg on stderr and abort: the fuzzer keeps the input. */
void
fuzz_fail(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	abort();
}

/*
 * Render s with render into b (initialised here, after one '#' byte:
 * renderers append).  Returns 0 with the document at b->data + 1, or -1
 * when rendering failed as it may: only bad timestamps, and b left as
 * it was.  Any other failure aborts, naming the renderer.
 */
int
fuzz_render(struct fuzz_set *s, struct feed_buf *b, fuzz_renderer render,
    const char *name)
{
	char		msg[64];

	feed_buf_init(b);
	feed_buf_append(b, "#", 1);
	if (render(b, &s->meta, s->ev, s->n) != -1)
		return (0);
	if (!s->fuzzed_times || feed_check(&s->meta, s->ev, s->n) != -1 ||
	    b->len != 1) {
		(void)snprintf(msg, sizeof(msg), "%s: unexpected failure",
		    name);
		fuzz_fail(msg);
	}
	return (-1);
}

/* 1 when p[0..len-1] is strictly valid UTF-8. */
int
fuzz_utf8_valid(const char *p, size_t len)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 n;
	uint32_t		 cp;

	while (len > 0) {
		n = feed_utf8_decode(u, len, &cp);
		if (cp == 0xFFFD && (n != 3 || u[0] != 0xEF ||
		    u[1] != 0xBF || u[2] != 0xBD))
			return (0);
		u += n;
		len -= n;
	}
	return (1);
}

/* Unfold an iCalendar text into NUL-separated logical lines. */
static char *
ics_unfold(const char *p, size_t len)
{
	char	*u;
	size_t	 i, j;

	if ((u = malloc(len + 1)) == NULL)
		abort();
	for (i = j = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			if (i + 2 < len && p[i + 2] == ' ')
				i += 2;		/* fold */
			else {
				u[j++] = '\0';
				i++;
			}
			continue;
		}
		u[j++] = p[i];
	}
	u[j] = '\0';
	return (u);
}

static int
ics_known(const char *name, size_t len)
{
	size_t	 i;

	const char	*param;
	size_t		 n;

	for (i = 0; ics_names[i] != NULL; i++) {
		if (strlen(ics_names[i]) == len &&
		    memcmp(ics_names[i], name, len) == 0)
			return (1);
	}
	if ((param = memchr(name, ';', len)) == NULL ||
	    len - (size_t)(param - name) <= 6 || memcmp(param, ";TZID=", 6) != 0)
		return (0);
	n = (size_t)(param - name);
	for (i = 0; ics_tz_names[i] != NULL; i++) {
		if (strlen(ics_tz_names[i]) == n &&
		    memcmp(ics_tz_names[i], name, n) == 0)
			return (1);
	}
	return (0);
}

const char *
fuzz_check_ics(const char *p, size_t len, size_t n)
{
	size_t		 i, start, begins, ends, summaries, uids, llen;
	const char	*line, *colon, *end;
	char		*u;
	unsigned char	 c;

	if (!fuzz_utf8_valid(p, len))
		return ("ics: invalid UTF-8");
	if (len < 2 || p[len - 2] != '\r' || p[len - 1] != '\n')
		return ("ics: does not end in CRLF");

	start = 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		if (c == '\r' && (i + 1 >= len || p[i + 1] != '\n'))
			return ("ics: bare CR");
		if (c == '\n' && (i == 0 || p[i - 1] != '\r'))
			return ("ics: bare LF");
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7F)
			return ("ics: control character");
		if (c == '\n') {
			llen = i - 1 - start;
			if (llen > ICS_LINE_MAX)
				return ("ics: line over 75 octets");
			if (llen == 0)
				return ("ics: empty line");
			if (!fuzz_utf8_valid(p + start, llen))
				return ("ics: UTF-8 split across a fold");
			start = i + 1;
		}
	}

	u = ics_unfold(p, len);
	end = u;
	begins = ends = summaries = uids = 0;
	line = u;
	for (i = 0; line < u + len && *line != '\0'; i++) {
		if ((colon = strchr(line, ':')) == NULL) {
			free(u);
			return ("ics: line without a colon");
		}
		if (!ics_known(line, (size_t)(colon - line))) {
			free(u);
			return ("ics: unexpected property name");
		}
		if (i == 0 && strcmp(line, "BEGIN:VCALENDAR") != 0) {
			free(u);
			return ("ics: does not start with BEGIN:VCALENDAR");
		}
		begins += strcmp(line, "BEGIN:VEVENT") == 0;
		ends += strcmp(line, "END:VEVENT") == 0;
		summaries += strncmp(line, "SUMMARY:", 8) == 0;
		uids += strncmp(line, "UID:", 4) == 0;
		if (strncmp(line, "GEO:", 4) == 0 && !ics_geo_ok(line + 4)) {
			free(u);
			return ("ics: GEO is not latitude;longitude in range");
		}
		end = line;
		line += strlen(line) + 1;
	}
	if (strcmp(end, "END:VCALENDAR") != 0) {
		free(u);
		return ("ics: does not end with END:VCALENDAR");
	}
	free(u);
	if (begins != n || ends != n)
		return ("ics: BEGIN:VEVENT count differs from events");
	if (summaries != n || uids != n)
		return ("ics: SUMMARY or UID count differs from events");
	return (NULL);
}

/* 1 when v is "<latitude>;<longitude>", two decimals in range (RFC 5545 GEO). */
static int
ics_geo_ok(const char *v)
{
	char		*end;
	double		 lat, lon;

	if (strspn(v, "-0123456789.;") != strlen(v))
		return (0);
	lat = strtod(v, &end);
	if (end == v || *end != ';')
		return (0);
	v = end + 1;
	lon = strtod(v, &end);
	if (end == v || *end != '\0')
		return (0);
	return (lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
}

/*
 * The unescaped value of the index-th logical line named name (e.g.
 * "SUMMARY"), malloc()ed, or NULL when there is none.
 */
char *
fuzz_ics_value(const char *p, size_t len, const char *name, size_t index)
{
	char		*u, *v, *line;
	const char	*s;
	size_t		 nl, j;

	u = ics_unfold(p, len);
	nl = strlen(name);
	for (line = u; line < u + len && *line != '\0';
	    line += strlen(line) + 1) {
		if (strncmp(line, name, nl) != 0 || line[nl] != ':')
			continue;
		if (index-- > 0)
			continue;
		if ((v = malloc(strlen(line) + 1)) == NULL)
			abort();
		for (s = line + nl + 1, j = 0; *s != '\0'; s++) {
			if (*s == '\\' && s[1] != '\0') {
				s++;
				v[j++] = (*s == 'n' || *s == 'N') ? '\n' : *s;
			} else
				v[j++] = *s;
		}
		v[j] = '\0';
		free(u);
		return (v);
	}
	free(u);
	return (NULL);
}

/*
 * What an iCalendar TEXT value of s must unescape to, by the rules of
 * the brief: CRLF, CR and LF (as found in the input) each become one
 * LF, other controls are dropped, bad UTF-8 becomes U+FFFD.
 * malloc()ed.
 */
char *
fuzz_ics_expect(const char *s)
{
	struct feed_buf		 b;
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len, n;
	uint32_t		 cp;

	feed_buf_init(&b);
	feed_buf_append(&b, "", 0);
	len = strlen(s);
	while (len > 0) {
		if (p[0] == '\r' || p[0] == '\n') {
			n = (p[0] == '\r' && len > 1 && p[1] == '\n') ? 2 : 1;
			feed_buf_append(&b, "\n", 1);
		} else {
			n = feed_utf8_decode(p, len, &cp);
			if (!feed_utf8_is_dropped(cp))
				feed_utf8_encode(&b, cp);
		}
		p += n;
		len -= n;
	}
	return (b.data);
}

/* An XML name at *p; 0 when there is none. */
static int
xml_name(const char **p, const char *end)
{
	const char	*s = *p;

	if (s >= end || !((*s >= 'a' && *s <= 'z') ||
	    (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == ':'))
		return (0);
	while (s < end && ((*s >= 'a' && *s <= 'z') ||
	    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
	    *s == '_' || *s == ':' || *s == '-' || *s == '.'))
		s++;
	*p = s;
	return (1);
}

/* A reference after '&' at *p; 0 when it is malformed. */
static int
xml_ref(const char **p, const char *end)
{
	static const char *const ents[] = {
		"amp;", "lt;", "gt;", "quot;", "apos;", NULL
	};
	const char	*s = *p;
	size_t		 i, l, digits;

	for (i = 0; ents[i] != NULL; i++) {
		l = strlen(ents[i]);
		if ((size_t)(end - s) >= l && memcmp(s, ents[i], l) == 0) {
			*p = s + l;
			return (1);
		}
	}
	if (s < end && *s == '#') {
		s++;
		digits = 0;
		if (s < end && *s == 'x') {
			for (s++; s < end && strchr("0123456789abcdefABCDEF",
			    *s) != NULL && *s != '\0'; s++)
				digits++;
		} else {
			for (; s < end && *s >= '0' && *s <= '9'; s++)
				digits++;
		}
		if (digits > 0 && s < end && *s == ';') {
			*p = s + 1;
			return (1);
		}
	}
	return (0);
}

/* Character data up to '<' (or the quote q); 0 when malformed. */
static int
xml_text(const char **p, const char *end, char q)
{
	const char	*s = *p;

	while (s < end && *s != '<' && *s != q) {
		if (*s == '&') {
			s++;
			if (!xml_ref(&s, end))
				return (0);
			continue;
		}
		if (*s == '>' && s - *p >= 2 && s[-1] == ']' && s[-2] == ']')
			return (0);
		s++;
	}
	*p = s;
	return (1);
}

const char *
fuzz_check_rss(const char *p, size_t len, size_t n)
{
	static const char	 prolog[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
	const char	*s, *t, *end, *name, *stack[XML_DEPTH_MAX];
	size_t		 slen[XML_DEPTH_MAX], depth, nl, items, roots, i;
	size_t		 titles;
	const unsigned char *u;
	uint32_t	 cp;
	char		 q;

	if (!fuzz_utf8_valid(p, len))
		return ("rss: invalid UTF-8");
	u = (const unsigned char *)p;
	for (i = 0; i < len; i += nl) {
		nl = feed_utf8_decode(u + i, len - i, &cp);
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE ||
		    cp == 0xFFFF)
			return ("rss: forbidden character");
	}
	if (len < sizeof(prolog) - 1 ||
	    memcmp(p, prolog, sizeof(prolog) - 1) != 0)
		return ("rss: no XML declaration");

	s = p + sizeof(prolog) - 1;
	end = p + len;
	depth = items = roots = titles = 0;
	while (s < end) {
		t = s;
		if (!xml_text(&s, end, '\0'))
			return ("rss: bad character data");
		for (; depth == 0 && t < s; t++) {
			if (*t != ' ' && *t != '\n' && *t != '\t' && *t != '\r')
				return ("rss: text outside the root");
		}
		if (s >= end)
			break;
		s++;				/* '<' */
		if (s < end && *s == '/') {
			s++;
			name = s;
			if (!xml_name(&s, end) || s >= end || *s != '>')
				return ("rss: bad end tag");
			if (depth == 0 || slen[depth - 1] !=
			    (size_t)(s - name) ||
			    memcmp(stack[depth - 1], name, s - name) != 0)
				return ("rss: mismatched end tag");
			depth--;
			s++;
			continue;
		}
		name = s;
		if (!xml_name(&s, end))
			return ("rss: bad start tag");
		nl = (size_t)(s - name);
		if (depth == 0 && roots++ > 0)
			return ("rss: more than one root");
		if (nl == 4 && memcmp(name, "item", 4) == 0)
			items++;
		if (nl == 5 && memcmp(name, "title", 5) == 0 && depth > 0 &&
		    slen[depth - 1] == 4 && memcmp(stack[depth - 1], "item", 4)
		    == 0)
			titles++;
		for (;;) {
			while (s < end && (*s == ' ' || *s == '\n' ||
			    *s == '\t' || *s == '\r'))
				s++;
			if (s >= end)
				return ("rss: truncated tag");
			if (*s == '>' || *s == '/')
				break;
			if (!xml_name(&s, end) || s >= end || *s != '=')
				return ("rss: bad attribute");
			s++;
			if (s >= end || (*s != '"' && *s != '\''))
				return ("rss: unquoted attribute");
			q = *s++;
			if (!xml_text(&s, end, q) || s >= end || *s != q)
				return ("rss: bad attribute value");
			s++;
		}
		if (*s == '/') {
			if (s + 1 >= end || s[1] != '>')
				return ("rss: bad empty tag");
			s += 2;
			continue;
		}
		s++;
		if (depth == XML_DEPTH_MAX)
			return ("rss: too deep");
		stack[depth] = name;
		slen[depth] = nl;
		depth++;
	}
	if (depth != 0)
		return ("rss: unclosed element");
	if (roots != 1)
		return ("rss: no root element");
	if (items != n)
		return ("rss: item count differs from events");
	if (titles != n)
		return ("rss: item title count differs from events");
	return (NULL);
}

const char *
fuzz_check_json(const char *p, size_t len, size_t n)
{
	json_t		*root, *items, *item;
	json_error_t	 err;
	const char	*msg;
	size_t		 i;

	if (!fuzz_utf8_valid(p, len))
		return ("json: invalid UTF-8");
	if ((root = json_loadb(p, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL)
		return ("json: does not parse");
	msg = NULL;
	items = json_object_get(root, "items");
	if (!json_is_object(root) ||
	    !json_is_string(json_object_get(root, "version")) ||
	    strcmp(json_string_value(json_object_get(root, "version")),
	    "https://jsonfeed.org/version/1.1") != 0)
		msg = "json: no version";
	else if (!json_is_array(items) || json_array_size(items) != n)
		msg = "json: item count differs from events";
	else {
		json_array_foreach(items, i, item) {
			if (!json_is_string(json_object_get(item, "id")) ||
			    !json_is_string(json_object_get(item, "title")) ||
			    !json_is_object(json_object_get(item,
			    "_interlibrary")))
				msg = "json: item lacks id, title or extension";
		}
	}
	json_decref(root);
	return (msg);
}
