/*
 * GET /v1/events/{id}/rsvps: the generic call, or, when the Accept
 * header prefers text/csv, the organizers' CSV export of the RSVPs
 * (which needs a token: 401 here, 403 from SQL for non-organizers).
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define RSVPS_CSV	"SELECT api.event_rsvps_csv($1, $2, $3, $4, $5)"
#define CSV_TYPE	"text/csv; charset=utf-8"

static double	accept_q(const char *, size_t);
static int	accept_prefers_csv(const char *);
static void	rsvps_csv_row(struct http_request *, struct il_req *,
		    PGresult *);

/*
 * The q value (0..1) of the media range of len bytes at item, which
 * starts after the type: ";q=0.5;level=1".  Missing or malformed: 1.
 */
static double
accept_q(const char *item, size_t len)
{
	const char	*p, *end;
	char		num[8];
	size_t		n;
	double		q;

	end = item + len;
	for (p = item; p < end; p++) {
		if (*p != ';')
			continue;
		p++;
		while (p < end && *p == ' ')
			p++;
		if (end - p < 2 || tolower((unsigned char)p[0]) != 'q' ||
		    p[1] != '=')
			continue;
		p += 2;
		for (n = 0; p + n < end && n < sizeof(num) - 1 &&
		    (isdigit((unsigned char)p[n]) || p[n] == '.'); n++)
			num[n] = p[n];
		num[n] = '\0';
		if (n == 0)
			return (1.0);
		q = strtod(num, NULL);
		return (q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q));
	}
	return (1.0);
}

/*
 * Whether an Accept header asks for CSV: text/csv is listed with q > 0
 * and at least the q of application/json.  Wildcards never pick CSV.
 */
static int
accept_prefers_csv(const char *accept)
{
	const char	*item, *next, *type_end;
	size_t		len, tlen;
	double		csv, json;

	csv = json = -1.0;
	for (item = accept; *item != '\0'; item = next) {
		while (*item == ' ' || *item == ',')
			item++;
		if (*item == '\0')
			break;
		if ((next = strchr(item, ',')) == NULL)
			next = item + strlen(item);
		len = (size_t)(next - item);
		if ((type_end = memchr(item, ';', len)) == NULL)
			type_end = next;
		tlen = (size_t)(type_end - item);
		while (tlen > 0 && item[tlen - 1] == ' ')
			tlen--;
		if (tlen == 8 && strncasecmp(item, "text/csv", 8) == 0)
			csv = accept_q(type_end, (size_t)(next - type_end));
		else if (tlen == 16 &&
		    strncasecmp(item, "application/json", 16) == 0)
			json = accept_q(type_end, (size_t)(next - type_end));
	}
	return (csv > 0.0 && csv >= json);
}

static void
rsvps_csv_row(struct http_request *req, struct il_req *st, PGresult *res)
{
	char		disp[96];
	int		n;

	if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    PQgetisnull(res, 0, 0)) {
		reply_internal(req);
		return;
	}
	n = snprintf(disp, sizeof(disp),
	    "attachment; filename=\"event-%s-rsvps.csv\"",
	    st->args.values[0]);
	if (n > 0 && (size_t)n < sizeof(disp))
		http_response_header(req, "Content-Disposition", disp);
	reply_body(req, 200, CSV_TYPE, PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0));
}

/* GET /v1/events/{id}/rsvps */
void
rsvps_start(struct http_request *req, struct il_req *st)
{
	const char	*accept;

	if (!http_request_header(req, "accept", &accept) ||
	    !accept_prefers_csv(accept)) {
		call_generic(req, st);
		return;
	}
	if (auth_required(req, st, "log in first: the CSV export is for "
	    "the event's organizers") == -1)
		return;
	call_bind_standard(st);
	db_call(req, st, RSVPS_CSV, rsvps_csv_row, NULL);
}
