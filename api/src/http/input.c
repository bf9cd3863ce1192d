/*
 * Declarative input validation: request bodies are checked against a
 * table of fields (struct field) and every problem is reported with the
 * name of the field.  Query strings are in input_query.c, the text
 * formats in input_text.c.  Pure code (jansson only), unit tested under
 * ASan+UBSan.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "il.h"

static int	check_value(json_t *, const struct field *, int, const char *,
		    struct input_errors *);
static int	check_array(json_t *, const struct field *, const char *,
		    struct input_errors *);
static void	field_path(char *, size_t, const char *, const char *);

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

int
input_check_string(json_t *v, const struct field *f, const char *path,
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
		if (!input_is_email(s)) {
			input_error_add(errs, path,
			    "must be an email address");
			return (-1);
		}
		break;
	case FT_URL:
		if (!input_is_url(s)) {
			input_error_add(errs, path,
			    "must be an http or https URL");
			return (-1);
		}
		break;
	case FT_ENUM:
		if (!input_in_values(f->values, s)) {
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
		if (!input_is_decimal(s)) {
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

/* v is an array of f->min..f->max items; else -1 with errs filled. */
static int
check_array(json_t *v, const struct field *f, const char *path,
    struct input_errors *errs)
{
	if (!json_is_array(v)) {
		input_error_add(errs, path, "must be an array");
		return (-1);
	}
	if ((long long)json_array_size(v) < f->min ||
	    (long long)json_array_size(v) > f->max) {
		input_error_add(errs, path, "must have %lld to %lld items",
		    f->min, f->max);
		return (-1);
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
		return (input_check_string(v, f, path, errs));
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
	case FT_NUMBER:
		if (!json_is_number(v)) {
			input_error_add(errs, path, "must be a number");
			return (-1);
		}
		if (json_number_value(v) < (double)f->min ||
		    json_number_value(v) > (double)f->max) {
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
		if (check_array(v, f, path, errs) == -1)
			return (-1);
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
			item.max = IL_ID_MAX;
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
		if (check_array(v, f, path, errs) == -1)
			return (-1);
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
			if (n < 1 || n > IL_ID_MAX) {
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
		return (input_check_string(v, f, path, errs));
	default:
		input_error_add(errs, path, "has an unsupported type");
		return (-1);
	}
}

const struct field *
input_field(const struct field *spec, const char *name)
{
	for (; spec != NULL && spec->name != NULL; spec++) {
		if (strcmp(spec->name, name) == 0)
			return (spec);
	}
	return (NULL);
}

/* "prefix.name", or "name" when prefix is NULL (truncated to fit). */
static void
field_path(char *path, size_t len, const char *prefix, const char *name)
{
	if (prefix != NULL)
		(void)snprintf(path, len, "%s.%s", prefix, name);
	else
		(void)snprintf(path, len, "%s", name);
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
		field_path(path, sizeof(path), prefix, key);
		if ((f = input_field(spec, key)) == NULL) {
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
		field_path(path, sizeof(path), prefix, f->name);
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
