/*
 * Declarative input validation: request bodies and query strings are
 * checked against a table of fields (struct field) and every problem is
 * reported with the name of the field.  Pure code (jansson only), unit
 * tested under ASan+UBSan.
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "il.h"

#define QS_MAX_PARAMS	24
#define QS_VALUE_MAX	512

static int	check_value(json_t *, const struct field *, int, const char *,
		    struct input_errors *);
static int	check_string(json_t *, const struct field *, const char *,
		    struct input_errors *);
static int	parse_int(const char *, long long, long long, long long *);
static const struct field *field_find(const struct field *, const char *);
static json_t	*query_value(const struct field *, const char *,
		    struct input_errors *);
static int	is_email(const char *);
static int	is_url(const char *);
static int	is_decimal(const char *);
static int	in_values(const char *const *, const char *);

void
input_error_add(struct input_errors *errs, const char *field,
    const char *fmt, ...)
{
	va_list		ap;
	int		n;

	if (errs->n >= IL_ERRORS_MAX)
		return;
	n = snprintf(errs->e[errs->n].field, sizeof(errs->e[0].field), "%s",
	    field);
	if (n < 0 || (size_t)n >= sizeof(errs->e[0].field))
		errs->e[errs->n].field[sizeof(errs->e[0].field) - 1] = '\0';
	va_start(ap, fmt);
	n = vsnprintf(errs->e[errs->n].message, sizeof(errs->e[0].message),
	    fmt, ap);
	va_end(ap);
	if (n < 0)
		errs->e[errs->n].message[0] = '\0';
	errs->n++;
}

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

static int
in_values(const char *const *values, const char *s)
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

static int
is_email(const char *s)
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

static int
is_url(const char *s)
{
	const char	*p;

	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return (0);
	if (*p == '\0' || *p == '/' || *p == ':')
		return (0);
	for (; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\' || (unsigned char)*p == 0x7f)
			return (0);
	}
	return (1);
}

/* Up to 10 integer digits and up to 2 fraction digits, not negative. */
static int
is_decimal(const char *s)
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

static int
check_string(json_t *v, const struct field *f, const char *path,
    struct input_errors *errs)
{
	const char	*s;
	size_t		len;
	long		chars;

	if (!json_is_string(v)) {
		input_error_add(errs, path, "must be a string");
		return (-1);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len) {
		input_error_add(errs, path, "must not contain NUL characters");
		return (-1);
	}
	if ((chars = input_utf8_len(s, len)) < 0) {
		input_error_add(errs, path, "must be valid UTF-8");
		return (-1);
	}
	if (chars < f->min || chars > f->max) {
		if (f->min == f->max)
			input_error_add(errs, path, "must be %lld characters",
			    f->max);
		else
			input_error_add(errs, path,
			    "must be %lld to %lld characters long", f->min,
			    f->max);
		return (-1);
	}
	switch (f->type) {
	case FT_EMAIL:
		if (!is_email(s)) {
			input_error_add(errs, path,
			    "must be an email address");
			return (-1);
		}
		break;
	case FT_URL:
		if (!is_url(s)) {
			input_error_add(errs, path,
			    "must be an http or https URL");
			return (-1);
		}
		break;
	case FT_ENUM:
		if (!in_values(f->values, s)) {
			input_error_add(errs, path, "is not one of the "
			    "accepted values");
			return (-1);
		}
		break;
	case FT_TIME:
		if (!input_is_rfc3339(s)) {
			input_error_add(errs, path, "must be an RFC 3339 "
			    "date-time with a time zone offset");
			return (-1);
		}
		break;
	case FT_DECIMAL:
		if (!is_decimal(s)) {
			input_error_add(errs, path, "must be a decimal string "
			    "like \"500.00\"");
			return (-1);
		}
		break;
	default:
		break;
	}
	return (0);
}

static int
check_value(json_t *v, const struct field *f, int flags, const char *path,
    struct input_errors *errs)
{
	struct field	item;
	size_t		i;
	json_t		*e;
	char		sub[64];
	long long	n;
	int		rc;

	if (json_is_null(v)) {
		if (f->flags & FF_NULLABLE)
			return (0);
		input_error_add(errs, path, "must not be null");
		return (-1);
	}

	switch (f->type) {
	case FT_STRING:
	case FT_SECRET:
	case FT_EMAIL:
	case FT_URL:
	case FT_ENUM:
	case FT_TIME:
	case FT_DECIMAL:
		return (check_string(v, f, path, errs));
	case FT_INT:
		if (!json_is_integer(v)) {
			input_error_add(errs, path, "must be an integer");
			return (-1);
		}
		n = json_integer_value(v);
		if (n < f->min || n > f->max) {
			input_error_add(errs, path, "must be from %lld to %lld",
			    f->min, f->max);
			return (-1);
		}
		return (0);
	case FT_BOOL:
		if (!json_is_boolean(v)) {
			input_error_add(errs, path, "must be true or false");
			return (-1);
		}
		return (0);
	case FT_STRINGS:
	case FT_INTS:
		if (!json_is_array(v)) {
			input_error_add(errs, path, "must be an array");
			return (-1);
		}
		if ((long long)json_array_size(v) < f->min ||
		    (long long)json_array_size(v) > f->max) {
			input_error_add(errs, path, "must have %lld to %lld "
			    "items", f->min, f->max);
			return (-1);
		}
		memset(&item, 0, sizeof(item));
		item.name = f->name;
		if (f->type == FT_STRINGS) {
			item.type = f->values ? FT_ENUM : FT_STRING;
			item.min = 1;
			item.max = f->item_max > 0 ? f->item_max : 64;
			item.values = f->values;
		} else {
			item.type = FT_INT;
			item.min = 1;
			item.max = 999999999999999999LL;
		}
		rc = 0;
		json_array_foreach(v, i, e) {
			(void)snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (check_value(e, &item, flags, sub, errs) == -1)
				rc = -1;
		}
		return (rc);
	case FT_OBJECT:
		if (!json_is_object(v)) {
			input_error_add(errs, path, "must be an object");
			return (-1);
		}
		return (input_check_object(v, f->sub, flags, path, errs));
	case FT_OBJECTS:
		if (!json_is_array(v)) {
			input_error_add(errs, path, "must be an array");
			return (-1);
		}
		if ((long long)json_array_size(v) < f->min ||
		    (long long)json_array_size(v) > f->max) {
			input_error_add(errs, path, "must have %lld to %lld "
			    "items", f->min, f->max);
			return (-1);
		}
		/* Items are whole values: their required fields apply. */
		rc = 0;
		json_array_foreach(v, i, e) {
			(void)snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!json_is_object(e)) {
				input_error_add(errs, sub, "must be an object");
				rc = -1;
			} else if (input_check_object(e, f->sub,
			    flags & ~IN_PATCH, sub, errs) == -1)
				rc = -1;
		}
		return (rc);
	case FT_REF:
		if (json_is_integer(v)) {
			n = json_integer_value(v);
			if (n < 1 || n > 999999999999999999LL) {
				input_error_add(errs, path,
				    "must be a positive id");
				return (-1);
			}
			return (0);
		}
		if (!json_is_string(v)) {
			input_error_add(errs, path,
			    "must be an id or a slug");
			return (-1);
		}
		return (check_string(v, f, path, errs));
	default:
		input_error_add(errs, path, "has an unsupported type");
		return (-1);
	}
}

static const struct field *
field_find(const struct field *spec, const char *name)
{
	for (; spec != NULL && spec->name != NULL; spec++) {
		if (strcmp(spec->name, name) == 0)
			return (spec);
	}
	return (NULL);
}

int
input_check_object(json_t *obj, const struct field *spec, int flags,
    const char *prefix, struct input_errors *errs)
{
	const struct field	*f;
	const char		*key;
	json_t			*v;
	char			path[64];
	int			rc;

	rc = 0;
	json_object_foreach(obj, key, v) {
		if (prefix != NULL)
			(void)snprintf(path, sizeof(path), "%s.%s", prefix,
			    key);
		else
			(void)snprintf(path, sizeof(path), "%s", key);
		if ((f = field_find(spec, key)) == NULL) {
			input_error_add(errs, path, "is not a known field");
			rc = -1;
			continue;
		}
		if (f->flags & FF_READONLY) {
			input_error_add(errs, path, "is read-only");
			rc = -1;
			continue;
		}
		if (check_value(v, f, flags, path, errs) == -1)
			rc = -1;
	}

	if (flags & IN_PATCH)
		return (rc);

	for (f = spec; f != NULL && f->name != NULL; f++) {
		if (!(f->flags & FF_REQUIRED) || json_object_get(obj, f->name))
			continue;
		if (prefix != NULL)
			(void)snprintf(path, sizeof(path), "%s.%s", prefix,
			    f->name);
		else
			(void)snprintf(path, sizeof(path), "%s", f->name);
		input_error_add(errs, path, "is required");
		rc = -1;
	}
	return (rc);
}

json_t *
input_parse_body(const char *data, size_t len, struct input_errors *errs)
{
	json_error_t	jerr;
	json_t		*v;

	if (len == 0) {
		input_error_add(errs, "body", "a JSON object is required");
		return (NULL);
	}
	v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL) {
		if (strstr(jerr.text, "duplicate object key") != NULL)
			input_error_add(errs, "body", "%s", jerr.text);
		else
			input_error_add(errs, "body", "malformed JSON at "
			    "line %d column %d: %s", jerr.line, jerr.column,
			    jerr.text);
		return (NULL);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		input_error_add(errs, "body", "must be a JSON object");
		return (NULL);
	}
	return (v);
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
		if (check_string(v, f, f->name, errs) == -1) {
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
			if ((f = field_find(spec, pair)) == NULL) {
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
