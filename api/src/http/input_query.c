/*
 * Query strings: parsed and checked against a table of fields into a
 * JSON object, every problem reported with the parameter's name.  Pure
 * code, unit tested under ASan+UBSan (tests/unit/test_input.c).
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "il.h"

#define QS_MAX_PARAMS	24
#define QS_VALUE_MAX	512

static int	parse_int(const char *, long long, long long, long long *);
static json_t	*query_value(const struct field *, const char *,
		    struct input_errors *);

int
input_urldecode(char *s)
{
	char		*r, *w;
	int		hi, lo;

	for (r = w = s; *r != '\0'; r++, w++) {
		if (*r == '+') {
			*w = ' ';
		} else if (*r == '%') {
			if (!isxdigit((unsigned char)r[1]) ||
			    !isxdigit((unsigned char)r[2]))
				return (-1);
			hi = isdigit((unsigned char)r[1]) ? r[1] - '0' :
			    (tolower((unsigned char)r[1]) - 'a' + 10);
			lo = isdigit((unsigned char)r[2]) ? r[2] - '0' :
			    (tolower((unsigned char)r[2]) - 'a' + 10);
			if (hi == 0 && lo == 0)
				return (-1);
			*w = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w = *r;
		}
	}
	*w = '\0';
	return (0);
}

static int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	v;

	if (*s == '\0' || (!isdigit((unsigned char)*s) && *s != '-'))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

static json_t *
query_value(const struct field *f, const char *s, struct input_errors *errs)
{
	json_t		*v;
	long long	n;

	switch (f->type) {
	case FT_INT:
		if (parse_int(s, f->min, f->max, &n) == -1) {
			input_error_add(errs, f->name,
			    "must be an integer from %lld to %lld", f->min,
			    f->max);
			return (NULL);
		}
		return (json_integer(n));
	case FT_BOOL:
		if (strcmp(s, "true") == 0)
			return (json_true());
		if (strcmp(s, "false") == 0)
			return (json_false());
		input_error_add(errs, f->name, "must be true or false");
		return (NULL);
	default:
		if ((v = json_string(s)) == NULL) {
			input_error_add(errs, f->name, "must be valid UTF-8");
			return (NULL);
		}
		if (input_check_string(v, f, f->name, errs) == -1) {
			json_decref(v);
			return (NULL);
		}
		return (v);
	}
}

json_t *
input_parse_query(const char *qs, const struct field *spec,
    struct input_errors *errs)
{
	const struct field	*f;
	char			*copy, *pair, *save, *eq;
	json_t			*out, *v;
	int			count, nerr;

	out = json_object();
	nerr = errs->n;
	copy = NULL;

	if (qs != NULL && *qs != '\0') {
		if ((copy = strdup(qs)) == NULL)
			abort();
		count = 0;
		for (pair = strtok_r(copy, "&", &save); pair != NULL;
		    pair = strtok_r(NULL, "&", &save)) {
			if (++count > QS_MAX_PARAMS) {
				input_error_add(errs, "query",
				    "too many query parameters");
				break;
			}
			if ((eq = strchr(pair, '=')) != NULL)
				*eq++ = '\0';
			else
				eq = "";
			if (input_urldecode(pair) == -1 ||
			    input_urldecode(eq) == -1) {
				input_error_add(errs, "query", "malformed "
				    "percent-encoding");
				continue;
			}
			if ((f = input_field(spec, pair)) == NULL) {
				if (strcmp(pair, "access_token") == 0 ||
				    strcmp(pair, "token") == 0)
					input_error_add(errs, pair, "tokens are "
					    "accepted only in the Authorization "
					    "header");
				else
					input_error_add(errs, pair[0] ? pair :
					    "query", "is not a known query "
					    "parameter");
				continue;
			}
			if (json_object_get(out, f->name) != NULL) {
				input_error_add(errs, f->name,
				    "is given more than once");
				continue;
			}
			if (strlen(eq) > QS_VALUE_MAX) {
				input_error_add(errs, f->name, "is too long");
				continue;
			}
			if ((v = query_value(f, eq, errs)) != NULL)
				json_object_set_new(out, f->name, v);
		}
		free(copy);
	}

	for (f = spec; f != NULL && f->name != NULL; f++) {
		if (json_object_get(out, f->name) != NULL)
			continue;
		if (strcmp(f->name, "limit") == 0)
			json_object_set_new(out, "limit", json_integer(20));
		else if (f->flags & FF_REQUIRED)
			input_error_add(errs, f->name, "is required");
	}

	if (errs->n > nerr) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}
