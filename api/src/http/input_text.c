/*
 * The text formats input fields are checked against: UTF-8 length, RFC
 * 3339 date-times, email addresses, URLs (libcurl's URL parser), decimals,
 * enum values.  Pure code, unit tested under ASan+UBSan
 * (tests/unit/test_input.c).
 */

#include <ctype.h>
#include <string.h>

#include <curl/curl.h>

#include "il.h"

long
input_utf8_len(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			i, need, k;
	unsigned long		cp;
	long			count;

	count = 0;
	for (i = 0; i < len; count++) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = p[i] & 0x07;
		} else
			return (-1);
		if (len - i <= need)
			return (-1);
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (-1);
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (-1);
		i += need + 1;
	}
	return (count);
}

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm).
 * Field ranges are checked; the calendar day is left to PostgreSQL.
 */
int
input_is_rfc3339(const char *s)
{
	static const char	shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t			i;
	int			mon, day, hour, min, sec;

	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd') {
			if (!isdigit((unsigned char)s[i]))
				return (0);
		} else if (shape[i] == 'T') {
			if (s[i] != 'T' && s[i] != 't')
				return (0);
		} else if (s[i] != shape[i])
			return (0);
	}
	mon = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	hour = (s[11] - '0') * 10 + (s[12] - '0');
	min = (s[14] - '0') * 10 + (s[15] - '0');
	sec = (s[17] - '0') * 10 + (s[18] - '0');
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return (0);
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return (0);
		for (i = 0; isdigit((unsigned char)*s); s++)
			if (++i > 9)
				return (0);
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return (1);
	if ((*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    s[6] == '\0') {
		hour = (s[1] - '0') * 10 + (s[2] - '0');
		min = (s[4] - '0') * 10 + (s[5] - '0');
		return (hour <= 23 && min <= 59);
	}
	return (0);
}

int
input_in_values(const char *const *values, const char *s)
{
	size_t		i;

	if (values == NULL)
		return (1);
	for (i = 0; values[i] != NULL; i++) {
		if (strcmp(values[i], s) == 0)
			return (1);
	}
	return (0);
}

int
input_is_email(const char *s)
{
	const char	*at, *p;

	if ((at = strchr(s, '@')) == NULL || at == s || strchr(at + 1, '@'))
		return (0);
	if (strchr(at + 1, '.') == NULL || at[1] == '.')
		return (0);
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';' || *p == '"' || *p == '\\')
			return (0);
	}
	p = s + strlen(s) - 1;
	return (*p != '.');
}

/*
 * An absolute http or https URL with a host, as libcurl's URL parser reads
 * it (curl_url_set() does no I/O): it refuses a missing or malformed host
 * ("https://@", "http://[::1"), a port past 65535, spaces and controls.
 * On top of it: the scheme is spelled as openapi.yaml's pattern says
 * (lowercase, then exactly two slashes: curl also takes one or three, as
 * people type them), and port 0 is refused.  Returns 1 or 0.
 */
int
input_is_url(const char *s)
{
	CURLU		*u;
	char		*scheme, *host, *port;
	size_t		prefix;
	int		ok;

	if (strncmp(s, "https://", 8) == 0)
		prefix = 8;
	else if (strncmp(s, "http://", 7) == 0)
		prefix = 7;
	else
		return (0);
	if (s[prefix] == '/')
		return (0);

	if ((u = curl_url()) == NULL)
		return (0);
	scheme = host = port = NULL;
	ok = curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    *host != '\0';
	if (ok && curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    strcmp(port, "0") == 0)
		ok = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return (ok);
}

/* Up to 10 integer digits and up to 2 fraction digits, not negative. */
int
input_is_decimal(const char *s)
{
	int		n;

	for (n = 0; isdigit((unsigned char)*s); s++)
		if (++n > 10)
			return (0);
	if (n == 0)
		return (0);
	if (*s == '\0')
		return (1);
	if (*s++ != '.')
		return (0);
	for (n = 0; isdigit((unsigned char)*s); s++)
		if (++n > 2)
			return (0);
	return (n > 0 && *s == '\0');
}
