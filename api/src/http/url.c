/*
 * The URLs the API makes: absolute URLs under PUBLIC_API_URL (Location,
 * Link, feed self links, calendar URLs) and percent-encoded query
 * strings (the Link header of a list page, the feeds' cache keys).
 */

#include <stdio.h>
#include <string.h>

#include "api.h"

/*
 * PUBLIC_API_URL followed by path, into buf of len bytes.  Returns 0, or
 * -1 when it does not fit (buf then holds a truncated string: do not use
 * it).
 */
int
url_api(char *buf, size_t len, const char *path)
{
	int		n;

	n = snprintf(buf, len, "%s%s", il_cfg.public_api_url, path);
	if (n < 0 || (size_t)n >= len)
		return (-1);
	return (0);
}

/*
 * Append "k=v" to b, preceded by '&' unless b is empty; v is
 * percent-encoded, the RFC 3986 unreserved characters kept.
 */
void
url_qs_append(struct kore_buf *b, const char *k, const char *v)
{
	kore_buf_appendf(b, "%s%s=", b->offset ? "&" : "", k);
	for (; *v != '\0'; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' ||
		    *v == '.' || *v == '~')
			kore_buf_append(b, v, 1);
		else
			kore_buf_appendf(b, "%%%02X", (unsigned char)*v);
	}
}

/*
 * Append "k=v" for a validated query value: a string, an integer or a
 * boolean (as input_parse_query() made them).  Any other value (NULL
 * included) appends nothing.
 */
void
url_qs_value(struct kore_buf *b, const char *k, json_t *v)
{
	char		num[32];

	if (json_is_string(v)) {
		url_qs_append(b, k, json_string_value(v));
	} else if (json_is_integer(v)) {
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		url_qs_append(b, k, num);
	} else if (json_is_boolean(v)) {
		url_qs_append(b, k, json_is_true(v) ? "true" : "false");
	}
}

/*
 * The validated query in the order of its field spec, percent-encoded
 * (kore_malloc: kore_free it): two requests that mean the same give the
 * same text.
 */
char *
url_query(const struct field *spec, json_t *query)
{
	const struct field	*f;
	struct kore_buf		*b;
	char			*s;

	b = kore_buf_alloc(128);
	for (f = spec; f != NULL && f->name != NULL; f++)
		url_qs_value(b, f->name, json_object_get(query, f->name));
	s = kore_strdup(kore_buf_stringify(b, NULL));
	kore_buf_free(b);
	return (s);
}
