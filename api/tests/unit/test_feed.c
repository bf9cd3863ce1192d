/*
 * test_feed.c: unit tests of the feed renderers (src/feed_*.c).
 * Prints one line per failed check, then "feed: N checks, M failed";
 * exits 1 when any check failed.
 */

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../src/feeds/feed.h"
#include "../fuzz/fuzz_common.h"

#define CHECK(c)	check((c), #c, __FILE__, __LINE__)
#define CHECK_STR(a, b)	check_str((a), (b), __FILE__, __LINE__)

static int	checks, failed;

static const char	*tags2[] = { "books, zines", "family;kids" };

static int	check(int, const char *, const char *, int);
static int	check_str(const char *, const char *, const char *, int);
static int	has(const struct feed_buf *, const char *);
static size_t	count(const struct feed_buf *, const char *);
static char	*when(const struct feed_event *);
static char	*location(const char *, const char *, const char *);
static void	sample(struct feed_meta *, struct feed_event *);
static void	test_buf(void);
static void	test_utf8(void);
static void	test_time(void);
static void	test_check(void);
static void	test_when(void);
static void	test_categories(void);
static void	test_location(void);
static void	test_ics(void);
static void	test_ics_fold(void);
static void	test_ics_series(void);
static void	test_rss(void);
static void	test_rss_exact(void);
static void	test_rss_items(void);
static void	test_json(void);
static void	test_fuzz_seeds(void);
static void	test_geo(void);

static int
check(int ok, const char *what, const char *file, int line)
{
	checks++;
	if (!ok) {
		failed++;
		printf("FAIL %s:%d: %s\n", file, line, what);
	}
	return (ok);
}

static int
check_str(const char *got, const char *want, const char *file, int line)
{
	checks++;
	if (got == NULL || strcmp(got, want) != 0) {
		failed++;
		printf("FAIL %s:%d: got \"%s\", want \"%s\"\n", file, line,
		    got == NULL ? "(null)" : got, want);
		return (0);
	}
	return (1);
}

static int
has(const struct feed_buf *b, const char *s)
{
	return (b->data != NULL && strstr(b->data, s) != NULL);
}

static size_t
count(const struct feed_buf *b, const char *s)
{
	const char	*p;
	size_t		 n;

	n = 0;
	for (p = b->data; p != NULL && (p = strstr(p, s)) != NULL;
	    p += strlen(s))
		n++;
	return (n);
}

static void
sample(struct feed_meta *m, struct feed_event *e)
{
	memset(m, 0, sizeof(*m));
	m->title = "Interlibrary events: Central Library";
	m->description = "Events of Central Library";
	m->web_url = "https://interlibrary.example/o/central";
	m->self_url = "https://api.interlibrary.example/v1/events.ics?a=1&b=2";
	m->uid_domain = "interlibrary.example";
	m->now = "2026-11-28T12:00:00Z";
	m->refresh_minutes = 60;

	memset(e, 0, sizeof(*e));
	e->id = 42;
	e->title = "Zine night";
	e->description = "Bring scissors.\nAnd glue.";
	e->kind = "meetup";
	e->status = "scheduled";
	e->starts_at = "2026-12-05T18:00:00Z";
	e->ends_at = "2026-12-05T20:30:00Z";
	e->timezone = "Europe/Paris";
	e->starts_local = "2026-12-05T19:00:00+01:00";
	e->ends_local = "2026-12-05T21:30:00+01:00";
	e->starts_zone = "CET";
	e->ends_zone = "CET";
	e->venue = "Central Library";
	e->address = "1 Main St";
	e->city = "Springfield";
	e->url = "https://interlibrary.example/events/42";
	e->organization = "Central Library";
	e->tags = tags2;
	e->ntags = 2;
	e->created_at = "2026-11-01T09:00:00Z";
	e->updated_at = "2026-11-02T10:00:00+01:00";
	e->sequence = 3;
}

static void
test_buf(void)
{
	struct feed_buf	 b;
	char		 big[5000];

	feed_buf_init(&b);
	CHECK(b.data == NULL && b.len == 0);
	feed_buf_append(&b, NULL, 0);
	CHECK(b.data != NULL && b.len == 0 && b.data[0] == '\0');
	feed_buf_append(&b, "abc", 3);
	feed_buf_appendf(&b, "-%d-%s", 42, "x");
	CHECK_STR(b.data, "abc-42-x");
	CHECK(b.len == 8);
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	feed_buf_appendf(&b, "%s!", big);
	CHECK(b.len == 8 + sizeof(big));
	CHECK(b.data[b.len - 1] == '!' && b.data[b.len] == '\0');
	feed_buf_truncate(&b, 3);
	CHECK_STR(b.data, "abc");
	feed_buf_truncate(&b, 100);
	CHECK(b.len == 3);
	feed_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	feed_buf_free(&b);
}

static void
test_utf8(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "plain", "plain" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9a",
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9a" },
		{ "a\xc0\x80z", "a\xef\xbf\xbd\xef\xbf\xbdz" },	/* overlong */
		{ "\xe0\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd" },				/* > 10FFFF */
		{ "\xe2\x82", "\xef\xbf\xbd" },		/* truncated: one */
		{ "\xf0\x9f\x93z", "\xef\xbf\xbdz" },
		{ "\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "a\x01\x1b[0m\x7f\xc2\x85" "b\tc\r\nd", "a[0mb\tc\r\nd" },
		{ "\xef\xbf\xbe\xef\xbf\xbfok", "ok" },	/* U+FFFE, U+FFFF */
		{ "\xef\xbf\xbd", "\xef\xbf\xbd" },
	};
	size_t		 i, n;
	uint32_t	 cp;
	char		*s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = feed_utf8_sanitize(cases[i].in);
		CHECK_STR(s, cases[i].out);
		CHECK(fuzz_utf8_valid(s, strlen(s)));
		free(s);
	}
	CHECK(feed_utf8_sanitize(NULL) == NULL);
	s = feed_utf8_sanitize("");
	CHECK_STR(s, "");
	free(s);

	n = feed_utf8_decode((const unsigned char *)"\xe2\x82\xac", 3, &cp);
	CHECK(n == 3 && cp == 0x20AC);
	n = feed_utf8_decode((const unsigned char *)"\xf0\x9f\x93\x9a", 4,
	    &cp);
	CHECK(n == 4 && cp == 0x1F4DA);
	n = feed_utf8_decode((const unsigned char *)"\xe2\x82\xac", 2, &cp);
	CHECK(n == 2 && cp == 0xFFFD);
	CHECK(feed_utf8_decode((const unsigned char *)"", 0, &cp) == 0);
	CHECK(!fuzz_utf8_valid("\xc3", 1));
	CHECK(fuzz_utf8_valid("\xc3\xa9", 2));
}

static void
test_time(void)
{
	static const struct {
		const char	*in;
		const char	*basic;		/* NULL: must be rejected */
	} cases[] = {
		{ "2026-12-05T18:00:00Z", "20261205T180000Z" },
		{ "2026-12-05t18:00:00z", "20261205T180000Z" },
		{ "2026-12-05 18:00:00+00", "20261205T180000Z" },
		{ "2026-12-05T18:00:00.123456Z", "20261205T180000Z" },
		{ "2026-12-05T20:00:00+02:00", "20261205T180000Z" },
		{ "2026-12-05T20:00:00+0200", "20261205T180000Z" },
		{ "2026-12-31T23:30:00-01:00", "20270101T003000Z" },
		{ "2026-01-01T00:30:00+01:00", "20251231T233000Z" },
		{ "2024-02-29T12:00:00Z", "20240229T120000Z" },
		{ "2000-02-29T12:00:00Z", "20000229T120000Z" },
		{ "2026-06-30T23:59:60Z", "20260701T000000Z" },
		{ "0000-01-01T00:00:00Z", "00000101T000000Z" },
		{ "2025-02-29T12:00:00Z", NULL },
		{ "2100-02-29T12:00:00Z", NULL },
		{ "2026-13-01T00:00:00Z", NULL },
		{ "2026-00-01T00:00:00Z", NULL },
		{ "2026-04-31T00:00:00Z", NULL },
		{ "2026-12-05T24:00:00Z", NULL },
		{ "2026-12-05T18:60:00Z", NULL },
		{ "2026-12-05T18:00:61Z", NULL },
		{ "2026-12-05T18:00:00", NULL },
		{ "2026-12-05T18:00:00Zjunk", NULL },
		{ "2026-12-05T18:00:00.Z", NULL },
		{ "2026-12-05T18:00:00+24:00", NULL },
		{ "2026-12-05T18:00:00+01:", NULL },
		{ "2026-12-05", NULL },
		{ "", NULL },
		{ "-026-12-05T18:00:00Z", NULL },
		{ "2026-1-05T18:00:00Z", NULL },
		{ "0000-01-01T00:00:00+00:01", NULL },	/* year -1 */
		{ "9999-12-31T23:59:59-00:01", NULL },	/* year 10000 */
	};
	char		 buf[FEED_TIME_RFC822_LEN], small[8];
	struct feed_time t;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = feed_time_basic(cases[i].in, buf, sizeof(buf));
		if (cases[i].basic == NULL) {
			if (!CHECK(rc == -1 && buf[0] == '\0'))
				printf("  accepted \"%s\"\n", cases[i].in);
		} else if (CHECK(rc == 0))
			CHECK_STR(buf, cases[i].basic);
		else
			printf("  rejected \"%s\"\n", cases[i].in);
	}
	CHECK(feed_time_basic(NULL, buf, sizeof(buf)) == -1);
	CHECK(feed_time_parse(NULL, &t) == -1);
	CHECK(feed_time_basic("2026-12-05T18:00:00Z", small,
	    sizeof(small)) == -1 && small[0] == '\0');

	CHECK(feed_time_rfc822("2026-12-05T18:00:00Z", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "Sat, 05 Dec 2026 18:00:00 +0000");
	CHECK(feed_time_rfc822("2000-02-29T23:00:00-02:00", buf,
	    sizeof(buf)) == 0);
	CHECK_STR(buf, "Wed, 01 Mar 2000 01:00:00 +0000");
	CHECK(feed_time_rfc822("1969-12-31T12:00:00Z", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "Wed, 31 Dec 1969 12:00:00 +0000");
	CHECK(feed_time_rfc3339("2026-12-05T20:00:00.5+02:00", buf,
	    sizeof(buf)) == 0);
	CHECK_STR(buf, "2026-12-05T18:00:00Z");
}

static void
test_check(void)
{
	struct feed_meta	 m;
	struct feed_event	 e;
	struct feed_buf		 b;
	const char		*nulltag[1] = { NULL };

	sample(&m, &e);
	CHECK(feed_check(&m, &e, 1) == 0);
	CHECK(feed_check(&m, NULL, 0) == 0);
	CHECK(feed_check(&m, NULL, 1) == -1);
	CHECK(feed_check(NULL, &e, 1) == -1);
	m.now = "yesterday";
	CHECK(feed_check(&m, &e, 1) == -1);
	sample(&m, &e);
	m.refresh_minutes = 0;
	CHECK(feed_check(&m, &e, 1) == -1);
	sample(&m, &e);
	m.uid_domain = NULL;
	CHECK(feed_check(&m, &e, 1) == -1);
	sample(&m, &e);
	e.ends_at = "2026-12-05T17:59:59Z";
	CHECK(feed_check(&m, &e, 1) == -1);
	e.ends_at = e.starts_at;
	e.ends_local = e.starts_local;
	CHECK(feed_check(&m, &e, 1) == 0);
	/* Local times name the same instants as their UTC twins. */
	sample(&m, &e);
	e.starts_local = "2026-12-05T19:00:00+02:00";
	CHECK(feed_check(&m, &e, 1) == -1);
	e.starts_local = "2026-12-05T19:00:00";
	CHECK(feed_check(&m, &e, 1) == -1);
	e.starts_local = "2026-12-05T18:00:00Z";
	CHECK(feed_check(&m, &e, 1) == 0);
	e.starts_local = NULL;
	e.ends_local = NULL;
	CHECK(feed_check(&m, &e, 1) == 0);
	e.ends_local = "2026-12-05T15:30:00-05:00";
	CHECK(feed_check(&m, &e, 1) == 0);
	e.ends_local = "2026-12-05T15:30:00-04:00";
	CHECK(feed_check(&m, &e, 1) == -1);
	sample(&m, &e);
	e.status = "postponed";
	CHECK(feed_check(&m, &e, 1) == -1);
	e.status = NULL;
	CHECK(feed_check(&m, &e, 1) == 0);
	sample(&m, &e);
	e.title = NULL;
	CHECK(feed_check(&m, &e, 1) == -1);
	sample(&m, &e);
	e.tags = nulltag;
	e.ntags = 1;
	CHECK(feed_check(&m, &e, 1) == -1);
	e.tags = NULL;
	CHECK(feed_check(&m, &e, 1) == -1);
	sample(&m, &e);
	e.created_at = NULL;
	CHECK(feed_check(&m, &e, 1) == -1);

	/* A malformed timestamp fails every renderer, leaving out as is. */
	sample(&m, &e);
	e.starts_at = "2026-12-05T18:00";
	feed_buf_init(&b);
	feed_buf_append(&b, "keep", 4);
	CHECK(feed_render_ics(&b, &m, &e, 1) == -1);
	CHECK(feed_render_rss(&b, &m, &e, 1) == -1);
	CHECK(feed_render_json(&b, &m, &e, 1) == -1);
	CHECK(feed_render_ics(NULL, &m, &e, 1) == -1);
	CHECK_STR(b.data, "keep");
	feed_buf_free(&b);
}

/* The first line of the event text: the event's local time and zone. */
static char *
when(const struct feed_event *e)
{
	struct feed_buf	 b;
	char		*nl;

	feed_buf_init(&b);
	feed_event_text(&b, e, FEED_TEXT_WHEN);
	if (b.data != NULL && (nl = strchr(b.data, '\n')) != NULL)
		*nl = '\0';
	return (b.data);
}

static void
test_when(void)
{
	struct feed_meta	 m;
	struct feed_event	 e;
	struct feed_buf		 b;
	struct feed_time	 t;
	json_t			*root;
	char			*w;
	int			 off;

	/* Winter and summer in Chicago: CST, then CDT. */
	sample(&m, &e);
	e.timezone = "America/Chicago";
	e.starts_at = "2026-01-06T16:00:00Z";
	e.ends_at = "2026-01-06T18:00:00Z";
	e.starts_local = "2026-01-06T10:00:00-06:00";
	e.ends_local = "2026-01-06T12:00:00-06:00";
	e.starts_zone = e.ends_zone = "CST";
	CHECK(feed_check(&m, &e, 1) == 0);
	CHECK_STR(w = when(&e), "When: Tue, 06 Jan 2026 10:00 CST to 12:00 CST "
	    "(America/Chicago)");
	free(w);
	e.starts_at = "2026-07-07T15:00:00Z";
	e.ends_at = "2026-07-07T17:00:00Z";
	e.starts_local = "2026-07-07T10:00:00-05:00";
	e.ends_local = "2026-07-07T12:00:00-05:00";
	e.starts_zone = e.ends_zone = "CDT";
	CHECK(feed_check(&m, &e, 1) == 0);
	CHECK_STR(w = when(&e), "When: Tue, 07 Jul 2026 10:00 CDT to 12:00 CDT "
	    "(America/Chicago)");
	free(w);

	/* Past midnight, local: the end's date; a change of zone. */
	e.starts_at = "2026-11-01T04:30:00Z";
	e.ends_at = "2026-11-01T07:30:00Z";
	e.starts_local = "2026-10-31T23:30:00-05:00";
	e.ends_local = "2026-11-01T01:30:00-06:00";
	e.starts_zone = "CDT";
	e.ends_zone = "CST";
	CHECK(feed_check(&m, &e, 1) == 0);
	CHECK_STR(w = when(&e), "When: Sat, 31 Oct 2026 23:30 CDT to Sun, 01 Nov "
	    "2026 01:30 CST (America/Chicago)");
	free(w);

	/* No abbreviation, or an implausible one: the offset. */
	e.starts_zone = NULL;
	e.ends_zone = "C\nST";
	CHECK_STR(w = when(&e), "When: Sat, 31 Oct 2026 23:30 UTC-05:00 to Sun, "
	    "01 Nov 2026 01:30 UTC-06:00 (America/Chicago)");
	free(w);
	e.timezone = "America/St_Johns";
	e.starts_at = "2026-07-07T12:30:00Z";
	e.ends_at = "2026-07-07T13:30:00Z";
	e.starts_local = "2026-07-07T10:00:00-02:30";
	e.ends_local = "2026-07-07T11:00:00-02:30";
	e.starts_zone = "";
	e.ends_zone = "NDT";
	CHECK_STR(w = when(&e), "When: Tue, 07 Jul 2026 10:00 UTC-02:30 to 11:00 "
	    "NDT (America/St_Johns)");
	free(w);
	e.timezone = "Asia/Dubai";
	e.starts_local = "2026-07-07T16:30:00+04:00";
	e.ends_local = "2026-07-07T17:30:00+04:00";
	e.starts_zone = e.ends_zone = "+04";
	CHECK_STR(w = when(&e), "When: Tue, 07 Jul 2026 16:30 +04 to 17:30 +04 "
	    "(Asia/Dubai)");
	free(w);

	/* Without local times: UTC, and the zone named apart. */
	e.starts_local = e.ends_local = NULL;
	CHECK_STR(w = when(&e), "When: Tue, 07 Jul 2026 12:30 UTC to 13:30 UTC "
	    "(time zone Asia/Dubai)");
	free(w);
	e.timezone = NULL;
	CHECK_STR(w = when(&e), "When: Tue, 07 Jul 2026 12:30 UTC to 13:30 UTC");
	free(w);

	/* RSS and JSON Feed carry it. */
	sample(&m, &e);
	e.timezone = "America/Chicago";
	e.starts_at = "2026-01-06T16:00:00Z";
	e.ends_at = "2026-01-06T18:00:00Z";
	e.starts_local = "2026-01-06T10:00:00-06:00";
	e.ends_local = "2026-01-06T12:00:00-06:00";
	e.starts_zone = e.ends_zone = "CST";
	feed_buf_init(&b);
	CHECK(feed_render_rss(&b, &m, &e, 1) == 0);
	CHECK(has(&b, "When: Tue, 06 Jan 2026 10:00 CST to 12:00 CST "
	    "(America/Chicago)&lt;br&gt;"));
	CHECK(!has(&b, "16:00"));
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_json(&b, &m, &e, 1) == 0);
	root = json_loads(b.data, 0, NULL);
	CHECK(root != NULL && strncmp(json_string_value(json_object_get(
	    json_array_get(json_object_get(root, "items"), 0), "content_text")),
	    "When: Tue, 06 Jan 2026 10:00 CST to 12:00 CST (America/Chicago)\n",
	    64) == 0);
	json_decref(root);
	feed_buf_free(&b);

	/* The wall clock as written, and its offset. */
	CHECK(feed_time_parse_local("2026-10-31T23:30:00-05:00", &t, &off) ==
	    0);
	CHECK(t.year == 2026 && t.mon == 10 && t.day == 31 && t.hour == 23 &&
	    t.min == 30 && t.wday == 6 && off == -300);
	CHECK(feed_time_parse_local("2026-07-07T10:00:00+0530", &t, &off) == 0);
	CHECK(t.hour == 10 && off == 330);
	CHECK(feed_time_parse_local("2026-07-07T10:00:00Z", &t, &off) == 0);
	CHECK(off == 0);
	CHECK(feed_time_parse_local("2026-07-07T10:00:00", &t, &off) == -1);
}

/* A kind equal to a tag, or a tag twice, is one category. */
static void
test_categories(void)
{
	static const char	*tags[] = { "makerspace", "training", "",
	    "Makerspace", "3d printing" };
	struct feed_meta	 m;
	struct feed_event	 e;
	struct feed_buf		 b;
	const char		*cats[6];
	json_t			*root, *t;

	sample(&m, &e);
	e.kind = "training";
	e.tags = tags;
	e.ntags = 5;
	CHECK(feed_categories(&e, cats) == 3);
	CHECK_STR(cats[0], "training");
	CHECK_STR(cats[1], "makerspace");
	CHECK_STR(cats[2], "3d printing");
	e.kind = NULL;
	CHECK(feed_categories(&e, cats) == 3);
	CHECK_STR(cats[0], "makerspace");
	CHECK_STR(cats[1], "training");
	e.kind = "training";

	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &m, &e, 1) == 0);
	CHECK(has(&b, "\r\nCATEGORIES:training,makerspace,3d printing\r\n"));
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_rss(&b, &m, &e, 1) == 0);
	CHECK(count(&b, "<category>") == 3);
	CHECK(count(&b, "<category>training</category>") == 1);
	CHECK(count(&b, "<category>makerspace</category>") == 1);
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_json(&b, &m, &e, 1) == 0);
	root = json_loads(b.data, 0, NULL);
	t = json_object_get(json_array_get(json_object_get(root, "items"), 0),
	    "tags");
	CHECK(json_array_size(t) == 3);
	CHECK_STR(json_string_value(json_array_get(t, 0)), "training");
	CHECK_STR(json_string_value(json_array_get(t, 1)), "makerspace");
	CHECK_STR(json_string_value(json_array_get(t, 2)), "3d printing");
	json_decref(root);
	feed_buf_free(&b);
}

/* feed_location() of venue, address and city. */
static char *
location(const char *venue, const char *address, const char *city)
{
	struct feed_meta	 m;
	struct feed_event	 e;
	struct feed_buf		 b;

	sample(&m, &e);
	e.venue = venue;
	e.address = address;
	e.city = city;
	feed_buf_init(&b);
	feed_buf_append(&b, "", 0);
	feed_location(&b, &e);
	return (b.data);
}

/* LOCATION and Where: never repeat a part already there. */
static void
test_location(void)
{
	static const struct {
		const char	*venue, *address, *city, *want;
	} cases[] = {
		{ "Central Library", "1 Main St", "Springfield",
		  "Central Library, 1 Main St, Springfield" },
		{ "Central Library", "1 Main St, Springfield", "Springfield",
		  "Central Library, 1 Main St, Springfield" },
		{ NULL, "1 Main St,  springfield , IL", "Springfield",
		  "1 Main St,  springfield , IL" },
		{ "1 Main St", "1 Main St, Springfield", "Springfield",
		  "1 Main St, Springfield" },
		{ "Main Branch", "Main Branch", NULL, "Main Branch" },
		{ "Springfield Library", NULL, "Springfield",
		  "Springfield Library, Springfield" },
		{ "Hall B", "", "Springfield, IL", "Hall B, Springfield, IL" },
		{ "Caf\xc3\xa9 Lire", "2 Elm St", "caf\xc3\xa9 lire",
		  "Caf\xc3\xa9 Lire, 2 Elm St" },
		{ "CAF\xc3\x89", NULL, "caf\xc3\xa9",
		  "CAF\xc3\x89, caf\xc3\xa9" },	/* ASCII case only */
		{ NULL, NULL, "Springfield", "Springfield" },
		{ ",", NULL, "Springfield", ",, Springfield" },
		{ NULL, NULL, NULL, "" },
	};
	struct feed_meta	 m;
	struct feed_event	 e;
	struct feed_buf		 b;
	char			*v;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = location(cases[i].venue, cases[i].address, cases[i].city);
		CHECK_STR(v, cases[i].want);
		free(v);
	}

	sample(&m, &e);
	e.address = "1 Main St, Springfield";
	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &m, &e, 1) == 0);
	CHECK(has(&b, "\r\nLOCATION:Central Library\\, 1 Main St\\, "
	    "Springfield\r\n"));
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_rss(&b, &m, &e, 1) == 0);
	CHECK(has(&b, "Where: Central Library, 1 Main St, Springfield&lt;"));
	feed_buf_free(&b);
}

/* A series: its VEVENT, an override, a VTIMEZONE; bad fields refused. */
static void
test_ics_series(void)
{
	static const struct feed_tz_obs	obs[] = {
		{ 0, "20261231T000000", "-0600", "-0600", "CST" },
		{ 1, "20270314T020000", "-0600", "-0500", "CDT" },
		{ 0, "20271107T020000", "-0500", "-0600", NULL },
	};
	static const char		*ex[] = { "20270126T180000",
		"20270202T180000" };
	struct feed_tz			 tz = { "America/Chicago", obs, 3 };
	struct feed_meta		 m;
	struct feed_event		 ev[3];
	struct feed_buf			 b;
	const char			*msg;

	sample(&m, &ev[0]);
	sample(&m, &ev[1]);
	sample(&m, &ev[2]);
	m.tzs = &tz;
	m.ntzs = 1;
	ev[0].series_id = 7;
	ev[0].timezone = "America/Chicago";
	ev[0].starts_local = ev[0].ends_local = NULL;
	ev[0].rrule = "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20271231T235959Z";
	ev[0].dtstart_local = "20270112T180000";
	ev[0].duration = "PT5400S";
	ev[0].exdates = ex;
	ev[0].nexdates = 2;
	ev[1].id = 43;
	ev[1].series_id = 7;
	ev[1].timezone = "America/Chicago";
	ev[1].starts_local = ev[1].ends_local = NULL;
	ev[1].status = "cancelled";
	ev[1].recurrence_id = "20270119T180000";
	ev[2].id = 44;

	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &m, ev, 3) == 0);
	msg = fuzz_check_ics(b.data, b.len, 3);
	if (!CHECK(msg == NULL))
		printf("  %s\n", msg);
	CHECK(has(&b, "\r\nBEGIN:VTIMEZONE\r\nTZID:America/Chicago\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:20261231T000000\r\n"
	    "TZOFFSETFROM:-0600\r\nTZOFFSETTO:-0600\r\nTZNAME:CST\r\n"
	    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\n"));
	CHECK(has(&b, "TZOFFSETTO:-0600\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"));
	CHECK(count(&b, "\r\nUID:series-7@interlibrary.example\r\n") == 2);
	CHECK(has(&b, "\r\nUID:event-44@interlibrary.example\r\n"));
	CHECK(has(&b, "\r\nDTSTART;TZID=America/Chicago:20270112T180000\r\n"
	    "DURATION:PT5400S\r\n"
	    "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20271231T235959Z\r\n"
	    "EXDATE;TZID=America/Chicago:20270126T180000,20270202T180000\r\n"));
	CHECK(has(&b, "\r\nRECURRENCE-ID;TZID=America/Chicago:20270119T180000"
	    "\r\nDTSTART:20261205T180000Z\r\nDTEND:20261205T203000Z\r\n"));
	CHECK(count(&b, "\r\nSTATUS:CANCELLED\r\n") == 1);
	CHECK(count(&b, "DTEND:") == 2);

	/* Refused: what would be written raw must be plain. */
	ev[0].rrule = "FREQ=WEEKLY\r\nX:1";
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	ev[0].rrule = "FREQ=WEEKLY";
	ev[0].duration = "PT1H:";
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	ev[0].duration = "PT1H";
	ev[0].exdates = NULL;
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	ev[0].nexdates = 0;
	CHECK(feed_render_ics(&b, &m, ev, 3) == 0);
	ev[1].timezone = "Europe/Paris";	/* no VTIMEZONE */
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	ev[1].timezone = "America/Chicago";
	ev[1].recurrence_id = "20270230T180000";
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	ev[1].recurrence_id = "20270119T180000";
	ev[1].series_id = 0;
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	ev[1].series_id = 7;
	tz.tzid = "America/Chicago:X";
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	tz.tzid = "America/Chicago";
	m.ntzs = 0;
	CHECK(feed_render_ics(&b, &m, ev, 3) == -1);
	feed_buf_free(&b);
}

static void
test_ics(void)
{
	struct feed_meta	 m;
	struct feed_event	 ev[3];
	struct feed_buf		 b;
	char			*v, *w;
	const char		*msg;

	sample(&m, &ev[0]);
	sample(&m, &ev[1]);
	sample(&m, &ev[2]);
	ev[1].id = 43;
	ev[1].title = "Party\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:x";
	ev[1].status = "cancelled";
	ev[1].cancel_reason = "Flooded; sorry, really";
	ev[1].venue = NULL;
	ev[1].address = NULL;
	ev[1].city = NULL;
	ev[1].online_url = "https://meet.example/x";
	ev[1].tags = NULL;
	ev[1].ntags = 0;
	ev[2].id = 44;
	ev[2].title = "a\\b;c,d\re\nf\x01g\x7f\xff";
	ev[2].description = NULL;
	ev[2].kind = NULL;
	ev[2].organization = NULL;

	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &m, ev, 3) == 0);
	msg = fuzz_check_ics(b.data, b.len, 3);
	if (!CHECK(msg == NULL))
		printf("  %s\n", msg);

	CHECK(strncmp(b.data, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0);
	CHECK(has(&b, "\r\nPRODID:"));
	CHECK(has(&b, "\r\nCALSCALE:GREGORIAN\r\n"));
	CHECK(has(&b, "\r\nMETHOD:PUBLISH\r\n"));
	CHECK(has(&b, "\r\nX-WR-CALNAME:Interlibrary events: Central "
	    "Library\r\n"));
	CHECK(has(&b, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n"));
	CHECK(has(&b, "\r\nX-PUBLISHED-TTL:PT60M\r\n"));
	CHECK(has(&b, "\r\nUID:event-42@interlibrary.example\r\n"));
	CHECK(has(&b, "\r\nDTSTAMP:20261128T120000Z\r\n"));
	CHECK(has(&b, "\r\nDTSTART:20261205T180000Z\r\n"));
	CHECK(has(&b, "\r\nDTEND:20261205T203000Z\r\n"));
	CHECK(has(&b, "\r\nCREATED:20261101T090000Z\r\n"));
	CHECK(has(&b, "\r\nLAST-MODIFIED:20261102T090000Z\r\n"));
	CHECK(has(&b, "\r\nSEQUENCE:3\r\n"));
	CHECK(has(&b, "\r\nSUMMARY:Zine night\r\n"));
	CHECK(has(&b, "\r\nLOCATION:Central Library\\, 1 Main St\\, "
	    "Springfield\r\n"));
	CHECK(has(&b, "\r\nCATEGORIES:meetup,books\\, zines,family\\;kids"
	    "\r\n"));
	CHECK(has(&b, "\r\nURL:https://interlibrary.example/events/42\r\n"));
	CHECK(count(&b, "\r\nSTATUS:CONFIRMED\r\n") == 2);
	CHECK(count(&b, "\r\nSTATUS:CANCELLED\r\n") == 1);
	CHECK(count(&b, "\r\nBEGIN:VEVENT\r\n") == 3);
	CHECK(count(&b, "\r\nEND:VEVENT\r\n") == 3);
	CHECK(count(&b, "\r\nLOCATION:") == 2);
	CHECK(b.len >= 15 && strcmp(b.data + b.len - 15,
	    "END:VCALENDAR\r\n") == 0);

	v = fuzz_ics_value(b.data, b.len, "SUMMARY", 1);
	CHECK_STR(v, "Party\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:x");
	free(v);
	v = fuzz_ics_value(b.data, b.len, "DESCRIPTION", 2);
	CHECK_STR(v, "Online: https://meet.example/x\nOrganized by: Central "
	    "Library\nCancelled: Flooded; sorry, really\n\nBring scissors.\n"
	    "And glue.");
	free(v);
	CHECK(has(&b, "\r\nSUMMARY:a\\\\b\\;c\\,d\\ne\\nfg\xef\xbf\xbd\r\n"));
	CHECK(count(&b, "DESCRIPTION:") == 3);	/* calendar + 2 events */

	/* CR, FF, LF is two line breaks (the FF dropped); found by fuzzing. */
	feed_buf_truncate(&b, 0);
	ev[0].title = "a\r\x0c\nb\r\r\n";
	CHECK(feed_render_ics(&b, &m, ev, 1) == 0);
	CHECK(has(&b, "\r\nSUMMARY:a\\n\\nb\\n\\n\r\n"));
	v = fuzz_ics_value(b.data, b.len, "SUMMARY", 0);
	w = fuzz_ics_expect(ev[0].title);
	CHECK_STR(v, w);
	free(v);
	free(w);

	/* No events: a valid empty calendar, appended after old text. */
	feed_buf_truncate(&b, 0);
	feed_buf_append(&b, "x", 1);
	CHECK(feed_render_ics(&b, &m, NULL, 0) == 0);
	CHECK(b.data[0] == 'x');
	CHECK(fuzz_check_ics(b.data + 1, b.len - 1, 0) == NULL);
	CHECK(!has(&b, "VEVENT"));
	feed_buf_free(&b);
}

static void
test_ics_fold(void)
{
	struct feed_meta	 m;
	struct feed_event	 e;
	struct feed_buf		 b, t;
	const char		*msg, *p;
	char			*v, *w;
	size_t			 i, odd;

	/* 200 two-octet, then three- and four-octet characters. */
	feed_buf_init(&t);
	for (i = 0; i < 200; i++)
		feed_buf_append(&t, "\xc3\xa9", 2);
	for (i = 0; i < 50; i++)
		feed_buf_append(&t, "\xe2\x82\xac\xf0\x9f\x93\x9a,", 8);
	for (i = 0; i < 100; i++)
		feed_buf_append(&t, "\\", 1);
	sample(&m, &e);
	e.title = t.data;
	e.description = t.data;

	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &m, &e, 1) == 0);
	msg = fuzz_check_ics(b.data, b.len, 1);
	if (!CHECK(msg == NULL))
		printf("  %s\n", msg);
	v = fuzz_ics_value(b.data, b.len, "SUMMARY", 0);
	CHECK_STR(v, t.data);
	free(v);

	/* The first physical SUMMARY line is full: 75 octets or close. */
	p = strstr(b.data, "\r\nSUMMARY:");
	CHECK(p != NULL && strstr(p + 2, "\r\n") - (p + 2) >= 73 &&
	    strstr(p + 2, "\r\n") - (p + 2) <= 75);
	/* Escape pairs are never split across a fold. */
	odd = 0;
	for (p = b.data; (p = strstr(p, "\r\n ")) != NULL; p += 3) {
		for (i = 0; p - i > b.data && p[-1 - (long)i] == '\\'; i++)
			;
		odd += i % 2;
	}
	CHECK(odd == 0);

	/* Exactly 75 octets stay on one line; 76 fold. */
	feed_buf_truncate(&t, 0);
	for (i = 0; i < 75 - strlen("SUMMARY:"); i++)
		feed_buf_append(&t, "x", 1);
	e.title = t.data;
	e.description = NULL;
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_ics(&b, &m, &e, 1) == 0);
	w = malloc(strlen(t.data) + 16);
	if (w == NULL)
		abort();
	(void)snprintf(w, strlen(t.data) + 16, "\r\nSUMMARY:%s\r\nD", t.data);
	CHECK(has(&b, w));
	feed_buf_append(&t, "y", 1);
	e.title = t.data;
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_ics(&b, &m, &e, 1) == 0);
	CHECK(has(&b, "x\r\n y\r\n"));
	CHECK(fuzz_check_ics(b.data, b.len, 1) == NULL);
	free(w);
	feed_buf_free(&b);
	feed_buf_free(&t);
}

static void
test_rss(void)
{
	struct feed_meta	 m;
	struct feed_event	 ev[2];
	struct feed_buf		 b;
	const char		*msg;

	sample(&m, &ev[0]);
	sample(&m, &ev[1]);
	ev[1].id = 43;
	ev[1].title = "<script>alert('x')</script> & \"more\" ]]>\x01\x0b";
	ev[1].description = "]]><![CDATA[ <b>bold</b>\r\nline2 \xc3\x28";
	ev[1].status = "cancelled";
	ev[1].cancel_reason = "Rain & wind";

	feed_buf_init(&b);
	CHECK(feed_render_rss(&b, &m, ev, 2) == 0);
	msg = fuzz_check_rss(b.data, b.len, 2);
	if (!CHECK(msg == NULL))
		printf("  %s\n", msg);

	CHECK(strncmp(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:geo=\"http://www.w3.org/2003/01/geo/wgs84_pos#\">", 152) == 0);
	CHECK(has(&b, "<title>Interlibrary events: Central Library</title>"));
	CHECK(has(&b, "<link>https://interlibrary.example/o/central</link>"));
	CHECK(has(&b, "<atom:link href=\"https://api.interlibrary.example/"
	    "v1/events.ics?a=1&amp;b=2\" rel=\"self\" "
	    "type=\"application/rss+xml\"/>"));
	CHECK(has(&b, "<lastBuildDate>Sat, 28 Nov 2026 12:00:00 +0000"
	    "</lastBuildDate>"));
	CHECK(has(&b, "<ttl>60</ttl>"));
	CHECK(count(&b, "<item>") == 2 && count(&b, "</item>") == 2);
	CHECK(has(&b, "<title>Zine night</title>"));
	CHECK(has(&b, "<title>Cancelled: &lt;script&gt;alert(&apos;x&apos;)"
	    "&lt;/script&gt; &amp; &quot;more&quot; ]]&gt;</title>"));
	CHECK(has(&b, "<guid isPermaLink=\"false\">event-43@interlibrary."
	    "example</guid>"));
	CHECK(has(&b, "<pubDate>Sun, 01 Nov 2026 09:00:00 +0000</pubDate>"));
	CHECK(has(&b, "<link>https://interlibrary.example/events/42</link>"));
	CHECK(has(&b, "<category>meetup</category>"));
	CHECK(has(&b, "<category>books, zines</category>"));
	CHECK(count(&b, "<category>") == 6);
	/* Descriptions are HTML, XML-escaped: markup in text is doubled. */
	CHECK(has(&b, "<description>&lt;p&gt;When: Sat, 05 Dec 2026 19:00 "
	    "CET to 21:30 CET (Europe/Paris)"
	    "&lt;br&gt;\nWhere: Central Library, 1 Main St, Springfield"));
	CHECK(has(&b, "Cancelled: Rain &amp;amp; wind"));
	CHECK(has(&b, "]]&amp;gt;&amp;lt;![CDATA[ &amp;lt;b&amp;gt;bold"));
	CHECK(has(&b, "line2 \xef\xbf\xbd("));
	CHECK(!has(&b, "<script"));
	CHECK(!has(&b, "<b>"));
	CHECK(!has(&b, "]]>"));
	CHECK(!has(&b, "\x01") && !has(&b, "\x0b") && !has(&b, "\r"));
	feed_buf_free(&b);

	feed_buf_init(&b);
	CHECK(feed_render_rss(&b, &m, NULL, 0) == 0);
	CHECK(fuzz_check_rss(b.data, b.len, 0) == NULL);
	feed_buf_free(&b);
}

/*
 * The whole RSS document of two events, byte for byte: the event feed's
 * output is pinned (the channel and item writer is shared with other
 * items, see test_rss_items()).
 */
static void
test_rss_exact(void)
{
	static const char	 want[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom"
	    "\" xmlns:geo=\"http://www.w3.org/2003/01/geo/wgs84_pos#\">\n"
	    "<channel>\n"
	    "<title>Interlibrary events: Central Library</title>\n"
	    "<link>https://interlibrary.example/o/central</link>\n"
	    "<description>Events of Central Library</description>\n"
	    "<atom:link href=\"https://api.interlibrary.example/v1/event"
	    "s.ics?a=1&amp;b=2\" rel=\"self\" type=\"application/rss+xml\"/>"
	    "\n"
	    "<lastBuildDate>Sat, 28 Nov 2026 12:00:00 +0000</lastBuildD"
	    "ate>\n"
	    "<ttl>60</ttl>\n"
	    "<generator>Interlibrary</generator>\n"
	    "<item>\n"
	    "<title>Zine night</title>\n"
	    "<link>https://interlibrary.example/events/42</link>\n"
	    "<guid isPermaLink=\"false\">event-42@interlibrary.example</g"
	    "uid>\n"
	    "<pubDate>Sun, 01 Nov 2026 09:00:00 +0000</pubDate>\n"
	    "<description>&lt;p&gt;When: Sat, 05 Dec 2026 19:00 CET to "
	    "21:30 CET (Europe/Paris)&lt;br&"
	    "gt;\n"
	    "Where: Central Library, 1 Main St, Springfield&lt;br&gt;\n"
	    "Organized by: Central Library&lt;br&gt;\n"
	    "&lt;br&gt;\n"
	    "Bring scissors.&lt;br&gt;\n"
	    "And glue.&lt;/p&gt;</description>\n"
	    "<category>meetup</category>\n"
	    "<category>books, zines</category>\n"
	    "<category>family;kids</category>\n"
	    "</item>\n"
	    "<item>\n"
	    "<title>Cancelled: &lt;script&gt;alert(&apos;x&apos;)&lt;/s"
	    "cript&gt; &amp; &quot;more&quot; ]]&gt;</title>\n"
	    "<link>https://interlibrary.example/events/42</link>\n"
	    "<guid isPermaLink=\"false\">event-43@interlibrary.example</g"
	    "uid>\n"
	    "<pubDate>Sun, 01 Nov 2026 09:00:00 +0000</pubDate>\n"
	    "<description>&lt;p&gt;When: Sat, 05 Dec 2026 19:00 CET to "
	    "21:30 CET (Europe/Paris)&lt;br&"
	    "gt;\n"
	    "Where: Central Library, 1 Main St, Springfield&lt;br&gt;\n"
	    "Organized by: Central Library&lt;br&gt;\n"
	    "Cancelled: Rain &amp;amp; wind&lt;br&gt;\n"
	    "&lt;br&gt;\n"
	    "]]&amp;gt;&amp;lt;![CDATA[ &amp;lt;b&amp;gt;bold&amp;lt;/b"
	    "&amp;gt;&lt;br&gt;\n"
	    "line2 \xef" "\xbf" "\xbd" "(&lt;/p&gt;</description>\n"
	    "<category>meetup</category>\n"
	    "<category>books, zines</category>\n"
	    "<category>family;kids</category>\n"
	    "</item>\n"
	    "</channel>\n"
	    "</rss>\n";
	struct feed_meta	 m;
	struct feed_event	 ev[2];
	struct feed_buf		 b;

	sample(&m, &ev[0]);
	sample(&m, &ev[1]);
	ev[1].id = 43;
	ev[1].title = "<script>alert('x')</script> & \"more\" ]]>\x01\x0b";
	ev[1].description = "]]><![CDATA[ <b>bold</b>\r\nline2 \xc3\x28";
	ev[1].status = "cancelled";
	ev[1].cancel_reason = "Rain & wind";
	feed_buf_init(&b);
	CHECK(feed_render_rss(&b, &m, ev, 2) == 0);
	CHECK_STR(b.data, want);
	CHECK(b.len == sizeof(want) - 1);
	feed_buf_free(&b);
}

/* Items that are not events (the community activity). */
static void
test_rss_items(void)
{
	static const char	 want[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom"
	    "\">\n<channel>\n"
	    "<title>Interlibrary: community activity</title>\n"
	    "<link>https://interlibrary.example/</link>\n"
	    "<description>New events &amp; more</description>\n"
	    "<language>en</language>\n"
	    "<atom:link href=\"https://api.interlibrary.example/v1/"
	    "activity.rss\" rel=\"self\" type=\"application/rss+xml\"/>\n"
	    "<lastBuildDate>Mon, 02 Nov 2026 10:00:00 +0000</lastBuildDate>\n"
	    "<item>\n"
	    "<title>New collaboration: Tom &amp; Jerry &lt;b&gt;</title>\n"
	    "<link>https://interlibrary.example/#/collaborations/7</link>\n"
	    "<guid isPermaLink=\"false\">interlibrary:activity:"
	    "collaboration_created:7</guid>\n"
	    "<pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate>\n"
	    "<description>Bells  and &quot;quotes&quot; &amp; &lt;b&gt;tags"
	    "&lt;/b&gt; ]]&gt;\nline two</description>\n"
	    "<category>collaboration_created</category>\n"
	    "</item>\n"
	    "<item>\n"
	    "<title>Mentorship completed: Cataloguing</title>\n"
	    "<link>https://interlibrary.example/#/activity</link>\n"
	    "<guid isPermaLink=\"false\">interlibrary:activity:"
	    "mentorship_completed:3</guid>\n"
	    "<pubDate>Sun, 01 Nov 2026 09:00:00 +0000</pubDate>\n"
	    "<description></description>\n"
	    "<category>mentorship_completed</category>\n"
	    "</item>\n"
	    "</channel>\n</rss>\n";
	struct feed_channel	 ch;
	struct feed_item	 it[2];
	struct feed_buf		 b;
	const char		*cat0[1] = { "collaboration_created" };
	const char		*cat1[2] = { "mentorship_completed", "" };
	const char		*nullcat[1] = { NULL };
	const char		*msg;

	memset(&ch, 0, sizeof(ch));
	ch.title = "Interlibrary: community activity";
	ch.link = "https://interlibrary.example/";
	ch.description = "New events & more";
	ch.language = "en";
	ch.self_url = "https://api.interlibrary.example/v1/activity.rss";
	ch.last_build = "2026-11-02T10:00:00Z";
	memset(it, 0, sizeof(it));
	it[0].title_prefix = "New collaboration: ";
	it[0].title = "Tom & Jerry <b>";
	it[0].link = "https://interlibrary.example/#/collaborations/7";
	it[0].guid = "interlibrary:activity:collaboration_created:7";
	it[0].pub_date = "2026-11-02T11:00:00+01:00";
	it[0].description = "Bells \x07 and \"quotes\" & <b>tags</b> ]]>\r\n"
	    "line two";
	it[0].categories = cat0;
	it[0].ncategories = 1;
	it[1].title_prefix = "Mentorship completed: ";
	it[1].title = "Cataloguing";
	it[1].link = "https://interlibrary.example/#/activity";
	it[1].guid = "interlibrary:activity:mentorship_completed:3";
	it[1].pub_date = "2026-11-01T09:00:00Z";
	it[1].description = "";
	it[1].categories = cat1;
	it[1].ncategories = 2;

	feed_buf_init(&b);
	CHECK(feed_render_rss_items(&b, &ch, it, 2) == 0);
	CHECK_STR(b.data, want);
	msg = fuzz_check_rss(b.data, b.len, 2);
	if (!CHECK(msg == NULL))
		printf("  %s\n", msg);

	/* Bad arguments leave the buffer as it was. */
	feed_buf_truncate(&b, 0);
	feed_buf_append(&b, "keep", 4);
	it[1].pub_date = "yesterday";
	CHECK(feed_render_rss_items(&b, &ch, it, 2) == -1);
	it[1].pub_date = "2026-11-01T09:00:00Z";
	it[1].guid = NULL;
	CHECK(feed_render_rss_items(&b, &ch, it, 2) == -1);
	it[1].guid = "g";
	it[1].categories = nullcat;
	it[1].ncategories = 1;
	CHECK(feed_render_rss_items(&b, &ch, it, 2) == -1);
	it[1].categories = NULL;
	CHECK(feed_render_rss_items(&b, &ch, it, 2) == -1);
	it[1].ncategories = 0;
	ch.last_build = NULL;
	CHECK(feed_render_rss_items(&b, &ch, it, 2) == -1);
	ch.last_build = "2026-11-02T10:00:00Z";
	CHECK(feed_render_rss_items(&b, &ch, NULL, 1) == -1);
	CHECK(feed_render_rss_items(NULL, &ch, it, 2) == -1);
	CHECK_STR(b.data, "keep");

	/* No items: a valid empty channel. */
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_rss_items(&b, &ch, NULL, 0) == 0);
	CHECK(fuzz_check_rss(b.data, b.len, 0) == NULL);
	feed_buf_free(&b);
}

static void
test_json(void)
{
	struct feed_meta	 m;
	struct feed_event	 ev[2];
	struct feed_buf		 b;
	json_t			*root, *it, *ext, *tags;
	json_error_t		 err;
	const char		*msg;

	sample(&m, &ev[0]);
	sample(&m, &ev[1]);
	ev[1].id = -7;
	ev[1].title = "Bad \xff\xfe UTF-8 \xed\xa0\x80 and \x01" "ctl";
	ev[1].status = "cancelled";
	ev[1].cancel_reason = NULL;
	ev[1].venue = NULL;
	ev[1].timezone = NULL;
	ev[1].tags = NULL;
	ev[1].ntags = 0;
	ev[1].kind = "tour";
	ev[1].organization = NULL;
	m.description = NULL;

	feed_buf_init(&b);
	CHECK(feed_render_json(&b, &m, ev, 2) == 0);
	msg = fuzz_check_json(b.data, b.len, 2);
	if (!CHECK(msg == NULL))
		printf("  %s\n", msg);
	root = json_loads(b.data, 0, &err);
	if (!CHECK(root != NULL)) {
		feed_buf_free(&b);
		return;
	}
	CHECK_STR(json_string_value(json_object_get(root, "version")),
	    "https://jsonfeed.org/version/1.1");
	CHECK_STR(json_string_value(json_object_get(root, "title")),
	    "Interlibrary events: Central Library");
	CHECK_STR(json_string_value(json_object_get(root, "home_page_url")),
	    "https://interlibrary.example/o/central");
	CHECK_STR(json_string_value(json_object_get(root, "feed_url")),
	    "https://api.interlibrary.example/v1/events.ics?a=1&b=2");
	CHECK(json_object_get(root, "description") == NULL);

	it = json_array_get(json_object_get(root, "items"), 0);
	CHECK_STR(json_string_value(json_object_get(it, "id")),
	    "event-42@interlibrary.example");
	CHECK_STR(json_string_value(json_object_get(it, "url")),
	    "https://interlibrary.example/events/42");
	CHECK_STR(json_string_value(json_object_get(it, "title")),
	    "Zine night");
	CHECK(strncmp(json_string_value(json_object_get(it, "content_text")),
	    "When: Sat, 05 Dec 2026 19:00 CET", 32) == 0);
	CHECK_STR(json_string_value(json_object_get(it, "date_published")),
	    "2026-11-01T09:00:00Z");
	CHECK_STR(json_string_value(json_object_get(it, "date_modified")),
	    "2026-11-02T09:00:00Z");
	tags = json_object_get(it, "tags");
	CHECK(json_array_size(tags) == 3);
	CHECK_STR(json_string_value(json_array_get(tags, 0)), "meetup");
	CHECK_STR(json_string_value(json_array_get(tags, 1)), "books, zines");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(it, "authors"), 0), "name")), "Central Library");
	ext = json_object_get(it, "_interlibrary");
	CHECK_STR(json_string_value(json_object_get(ext, "starts_at")),
	    "2026-12-05T18:00:00Z");
	CHECK_STR(json_string_value(json_object_get(ext, "ends_at")),
	    "2026-12-05T20:30:00Z");
	CHECK_STR(json_string_value(json_object_get(ext, "timezone")),
	    "Europe/Paris");
	CHECK_STR(json_string_value(json_object_get(ext, "status")),
	    "scheduled");
	CHECK_STR(json_string_value(json_object_get(ext, "kind")), "meetup");
	CHECK_STR(json_string_value(json_object_get(ext, "venue")),
	    "Central Library");
	CHECK_STR(json_string_value(json_object_get(ext, "city")),
	    "Springfield");
	CHECK(json_is_null(json_object_get(ext, "cancel_reason")));

	it = json_array_get(json_object_get(root, "items"), 1);
	CHECK_STR(json_string_value(json_object_get(it, "id")),
	    "event--7@interlibrary.example");
	CHECK_STR(json_string_value(json_object_get(it, "title")),
	    "Cancelled: Bad \xef\xbf\xbd\xef\xbf\xbd UTF-8 "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd and ctl");
	CHECK(json_array_size(json_object_get(it, "tags")) == 1);
	CHECK(json_object_get(it, "authors") == NULL);
	ext = json_object_get(it, "_interlibrary");
	CHECK_STR(json_string_value(json_object_get(ext, "status")),
	    "cancelled");
	CHECK(json_is_null(json_object_get(ext, "venue")));
	CHECK(json_is_null(json_object_get(ext, "timezone")));
	json_decref(root);
	feed_buf_free(&b);
}

/* A position: GEO in iCalendar, geo:lat/geo:long in RSS, JSON numbers. */
static void
test_geo(void)
{
	struct feed_meta	 m;
	struct feed_event	 ev[2];
	struct feed_buf		 b;
	json_t			*root, *ext;
	json_error_t		 err;

	sample(&m, &ev[0]);
	sample(&m, &ev[1]);
	ev[0].has_geo = 1;
	ev[0].latitude = 39.7817;
	ev[0].longitude = -89.6501;
	ev[1].id = 43;

	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &m, ev, 2) == 0);
	CHECK(fuzz_check_ics(b.data, b.len, 2) == NULL);
	CHECK(has(&b, "\r\nGEO:39.781700;-89.650100\r\n"));
	CHECK(count(&b, "\r\nGEO:") == 1);

	feed_buf_truncate(&b, 0);
	CHECK(feed_render_rss(&b, &m, ev, 2) == 0);
	CHECK(fuzz_check_rss(b.data, b.len, 2) == NULL);
	CHECK(has(&b, " xmlns:geo=\"http://www.w3.org/2003/01/geo/wgs84_pos#\""));
	CHECK(has(&b, "</category>\n<geo:lat>39.781700</geo:lat>\n"
	    "<geo:long>-89.650100</geo:long>\n</item>\n<item>"));
	CHECK(count(&b, "<geo:lat>") == 1);

	feed_buf_truncate(&b, 0);
	CHECK(feed_render_json(&b, &m, ev, 2) == 0);
	CHECK(fuzz_check_json(b.data, b.len, 2) == NULL);
	root = json_loads(b.data, 0, &err);
	if (CHECK(root != NULL)) {
		ext = json_object_get(json_array_get(json_object_get(root,
		    "items"), 0), "_interlibrary");
		CHECK(json_number_value(json_object_get(ext, "latitude")) ==
		    39.7817);
		CHECK(json_number_value(json_object_get(ext, "longitude")) ==
		    -89.6501);
		ext = json_object_get(json_array_get(json_object_get(root,
		    "items"), 1), "_interlibrary");
		CHECK(json_is_null(json_object_get(ext, "latitude")));
		CHECK(json_is_null(json_object_get(ext, "longitude")));
		json_decref(root);
	}

	/* Out of range or not a number: refused, the buffer unchanged. */
	feed_buf_truncate(&b, 0);
	ev[0].latitude = 90.5;
	CHECK(feed_render_ics(&b, &m, ev, 2) == -1);
	ev[0].latitude = NAN;
	CHECK(feed_render_rss(&b, &m, ev, 2) == -1);
	ev[0].latitude = -90;
	ev[0].longitude = -180.0001;
	CHECK(feed_render_json(&b, &m, ev, 2) == -1);
	CHECK(b.len == 0);
	ev[0].longitude = 180;
	CHECK(feed_render_ics(&b, &m, ev, 2) == 0);
	CHECK(has(&b, "\r\nGEO:-90.000000;180.000000\r\n"));
	feed_buf_free(&b);
}

/* Each committed seed must pass the fuzz targets' invariants. */
static void
test_fuzz_seeds(void)
{
	static const char	 seed[] =
	    "\x03T\x1f" "D\x1f" "dom\x1f"
	    "t\r\nEND:VEVENT\r\nBEGIN:VEVENT\x1f" "]]><script>\x1f"
	    "\xff\xc3\x1f" "v\x1f" "a\x1f" "c\x1f" "u\x1f" "o\x1f" "tz\x1f"
	    "k\x1f" "t1\x1f" "t2\x1f" "t3\x1f" "second\x01\x1b";
	struct fuzz_set		 s;
	struct feed_buf		 b;

	fuzz_set_build(&s, (const uint8_t *)seed, sizeof(seed) - 1);
	CHECK(s.n == 4);
	CHECK_STR(s.ev[0].title, "t\r\nEND:VEVENT\r\nBEGIN:VEVENT");
	feed_buf_init(&b);
	CHECK(feed_render_ics(&b, &s.meta, s.ev, s.n) == 0);
	CHECK(fuzz_check_ics(b.data, b.len, s.n) == NULL);
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_rss(&b, &s.meta, s.ev, s.n) == 0);
	CHECK(fuzz_check_rss(b.data, b.len, s.n) == NULL);
	feed_buf_truncate(&b, 0);
	CHECK(feed_render_json(&b, &s.meta, s.ev, s.n) == 0);
	CHECK(fuzz_check_json(b.data, b.len, s.n) == NULL);
	feed_buf_free(&b);
	fuzz_set_free(&s);

	/* The checkers do catch broken output. */
	CHECK(fuzz_check_ics("BEGIN:VCALENDAR\nEND:VCALENDAR\r\n", 32, 0)
	    != NULL);
	CHECK(fuzz_check_ics("BEGIN:VCALENDAR\r\nX-EVIL:1\r\nEND:VCALENDAR"
	    "\r\n", 41, 0) != NULL);
	CHECK(fuzz_check_rss("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<rss><channel></rss>", 58, 0) != NULL);
	CHECK(fuzz_check_rss("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<rss>a & b</rss>", 54, 0) != NULL);
	CHECK(fuzz_check_json("{\"items\":[]", 11, 0) != NULL);
}

int
main(void)
{
	test_buf();
	test_utf8();
	test_time();
	test_check();
	test_when();
	test_categories();
	test_location();
	test_ics();
	test_ics_series();
	test_ics_fold();
	test_rss();
	test_rss_exact();
	test_rss_items();
	test_json();
	test_geo();
	test_fuzz_seeds();

	printf("feed: %d checks, %d failed\n", checks, failed);
	return (failed > 0 ? 1 : 0);
}
