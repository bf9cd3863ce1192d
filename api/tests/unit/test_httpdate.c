/* Unit tests for httpdate.c: Last-Modified and If-Modified-Since. */

#include "il.h"
#include "unit.h"

int
main(void)
{
	static const struct {
		const char	*in;
		long long	 t;		/* -1: refused */
	} cases[] = {
		{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 },
		{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
		{ "Tue, 06 Jan 2026 16:00:00 GMT", 1767715200 },
		{ "Mon, 29 Feb 2028 12:00:00 GMT", 1835438400 },
		{ "Fri, 31 Dec 9999 23:59:59 GMT", 253402300799LL },
		{ "Mon, 06 Nov 1994 08:49:37 GMT", 784111777 },	/* day name */
		{ "Sunday, 06-Nov-94 08:49:37 GMT", -1 },	/* RFC 850 */
		{ "Sun Nov  6 08:49:37 1994", -1 },		/* asctime */
		{ "Sun, 06 Nov 1994 08:49:37 UTC", -1 },
		{ "Sun, 06 Nov 1994 08:49:37 GMT ", -1 },
		{ "Sun, 6 Nov 1994 08:49:37 GMT", -1 },
		{ "Sun, 06 nov 1994 08:49:37 GMT", -1 },
		{ "Sun, 31 Apr 2026 08:49:37 GMT", -1 },
		{ "Sun, 29 Feb 2026 08:49:37 GMT", -1 },
		{ "Sun, 00 Nov 1994 08:49:37 GMT", -1 },
		{ "Sun, 06 Nov 1994 24:00:00 GMT", -1 },
		{ "Sun, 06 Nov 1994 08:60:00 GMT", -1 },
		{ "Sun, 06 Nov 1969 08:49:37 GMT", -1 },
		{ "Sun, 06 Nov 19x4 08:49:37 GMT", -1 },
		{ "", -1 },
	};
	char		buf[HTTPDATE_LEN], small[8];
	time_t		t, back;
	size_t		i, bad;
	int		rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = 12345;
		rc = httpdate_parse(cases[i].in, &t);
		if (cases[i].t == -1) {
			CHECK(rc == -1 && t == 12345);
		} else {
			CHECK(rc == 0 && (long long)t == cases[i].t);
		}
	}
	CHECK(httpdate_parse(NULL, &t) == -1);

	CHECK(httpdate_format(784111777, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
	CHECK(httpdate_format(1767715200, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "Tue, 06 Jan 2026 16:00:00 GMT");
	CHECK(httpdate_format(0, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
	CHECK(httpdate_format(-1, buf, sizeof(buf)) == -1 && buf[0] == '\0');
	CHECK(httpdate_format(784111777, small, sizeof(small)) == -1 &&
	    small[0] == '\0');
	/* What is written reads back. */
	bad = 0;
	for (t = 0; t < 4000000000LL; t += 86399 * 37 + 17) {
		back = -1;
		if (httpdate_format(t, buf, sizeof(buf)) == -1 ||
		    httpdate_parse(buf, &back) == -1 || back != t)
			bad++;
	}
	CHECK(bad == 0);
	return (unit_done("httpdate"));
}
