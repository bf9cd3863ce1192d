/*
 * Path matching for the route table (routes.c).  Pure code: no Kore, no
 * allocation, unit tested under ASan+UBSan (tests/unit/test_router.c).
 */

#include <stdio.h>
#include <string.h>

#include "il.h"

static int	segment_is_id(const char *, size_t);
static int	name_is_id(const char *, size_t);

static int
name_is_id(const char *name, size_t len)
{
	return (len >= 2 && name[len - 2] == 'i' && name[len - 1] == 'd');
}

static int
segment_is_id(const char *s, size_t len)
{
	size_t		i;

	if (len == 0 || len > 18)
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	return (s[0] != '0');
}

/*
 * Walk pattern and path one segment at a time.  A literal segment must
 * be equal; "{name}" captures one segment.  A path with an empty
 * segment ("//") or a trailing slash does not match.
 */
int
router_match(const char *pattern, const char *path, struct route_args *args)
{
	const char	*p, *s, *pe, *se;
	size_t		plen, slen;

	args->n = 0;
	p = pattern;
	s = path;

	for (;;) {
		if (*p == '\0' || *s == '\0')
			return (*p == '\0' && *s == '\0');
		if (*p != '/' || *s != '/')
			return (0);
		p++;
		s++;

		pe = strchr(p, '/');
		plen = pe ? (size_t)(pe - p) : strlen(p);
		se = strchr(s, '/');
		slen = se ? (size_t)(se - s) : strlen(s);

		if (slen == 0)
			return (0);

		if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (args->n >= IL_ROUTE_ARGS || slen >= IL_ARG_MAX)
				return (0);
			if (name_is_id(p + 1, plen - 2) &&
			    !segment_is_id(s, slen))
				return (0);
			args->names[args->n] = p + 1;
			args->lens[args->n] = plen - 2;
			memcpy(args->values[args->n], s, slen);
			args->values[args->n][slen] = '\0';
			args->n++;
		} else {
			if (plen != slen || memcmp(p, s, plen) != 0)
				return (0);
		}

		p += plen;
		s += slen;
	}
}

const char *
router_allow(int mask, char *buf, size_t len)
{
	static const struct {
		int		bit;
		const char	*name;
	} names[] = {
		{ IL_GET, "GET" }, { IL_HEAD, "HEAD" }, { IL_POST, "POST" },
		{ IL_PUT, "PUT" }, { IL_PATCH, "PATCH" },
		{ IL_DELETE, "DELETE" }, { IL_OPTIONS, "OPTIONS" },
	};
	size_t		i, off;
	int		n;

	off = 0;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(mask & names[i].bit))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
		    names[i].name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return (buf);
}
