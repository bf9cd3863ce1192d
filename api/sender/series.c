/*
 * The series job: extends open-ended recurring events as time passes.
 *
 * A series without COUNT or UNTIL has its occurrences materialized for a
 * rolling window (RECUR_MAX_YEARS ahead, at most RECUR_MAX_COUNT of
 * them); as time passes the window moves, and this job makes the
 * occurrences it now reaches.  Each series is one transaction: claim it
 * (api.series_extend_claim: FOR UPDATE SKIP LOCKED, so jobs running at
 * once in several senders on several nodes each take another series),
 * expand its rule with libical from its first start (recurrence_window()
 * in src/resources/recurrence.c, the expansion the API creates series
 * with), and add what is missing (api.series_extend, which keeps
 * exceptions and deleted occurrences, and relies on the unique index on
 * (series_id, recurrence_id) as the backstop against doubles).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "il.h"
#include "sender.h"

#define SINCE_SQL	"SELECT now()"
#define CLAIM_SQL	"SELECT id, rrule, dtstart_local, now_local " \
			"FROM api.series_extend_claim($1, $2, $3)"
#define EXTEND_SQL	"SELECT api.series_extend($1, $2)"

static int	series_one(PGconn *, const char *, int *);
static int	series_exec(PGconn *, const char *);

/* A statement without parameters or rows we need: 0, or -1 (logged). */
static int
series_exec(PGconn *db, const char *sql)
{
	PGresult	*res;
	int		rc;

	res = PQexec(db, sql);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc == -1)
		sender_log("series: %s", PQresultErrorMessage(res));
	PQclear(res);
	return (rc);
}

/*
 * Claim and extend one series, in one transaction, adding to *added the
 * occurrences made.  1 when a series was done, 0 when none is left, -1
 * on a database error (the transaction is rolled back).
 */
static int
series_one(PGconn *db, const char *since, int *added)
{
	struct input_errors	 errs;
	PGresult		*res, *ext;
	json_t			*plan;
	const char		*vals[3];
	char			 years[16], max[16], *text;
	int			 n, rc = -1;

	if (series_exec(db, "BEGIN") == -1)
		return (-1);
	(void)snprintf(years, sizeof(years), "%d", RECUR_MAX_YEARS);
	(void)snprintf(max, sizeof(max), "%d", RECUR_MAX_COUNT);
	vals[0] = since;
	vals[1] = years;
	vals[2] = max;
	res = PQexecParams(db, CLAIM_SQL, 3, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		sender_log("series claim: %s", PQresultErrorMessage(res));
		PQclear(res);
		(void)series_exec(db, "ROLLBACK");
		return (-1);
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return (series_exec(db, "COMMIT") == 0 ? 0 : -1);
	}

	memset(&errs, 0, sizeof(errs));
	plan = recurrence_window(PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
	    PQgetvalue(res, 0, 3), &errs);
	if (plan == NULL) {
		/* Looked at all the same, so this run does not take it again. */
		sender_log("series %s: its rule does not expand: %s: %s",
		    PQgetvalue(res, 0, 0), errs.e[0].field, errs.e[0].message);
		plan = json_pack("{s:[], s:n}", "starts", "next");
	}
	if (plan == NULL || (text = json_dumps(plan, JSON_COMPACT)) == NULL) {
		json_decref(plan);
		PQclear(res);
		(void)series_exec(db, "ROLLBACK");
		return (-1);
	}
	json_decref(plan);
	vals[0] = PQgetvalue(res, 0, 0);
	vals[1] = text;
	ext = PQexecParams(db, EXTEND_SQL, 2, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(ext) == PGRES_TUPLES_OK && PQntuples(ext) == 1) {
		n = (int)strtol(PQgetvalue(ext, 0, 0), NULL, 10);
		if (n > 0)
			sender_log("series %s: %d occurrences added", vals[0],
			    n);
		*added += n;
		rc = 1;
	} else {
		sender_log("series %s: %s", vals[0], PQresultErrorMessage(ext));
	}
	PQclear(ext);
	free(text);
	if (rc == 1) {
		PQclear(res);
		return (series_exec(db, "COMMIT") == 0 ? 1 : -1);
	}
	/*
	 * This series could not be extended (logged): rolled back, then
	 * marked as looked at (a plan without starts), so that the run goes
	 * on with the others and the next run tries it again.
	 */
	(void)series_exec(db, "ROLLBACK");
	vals[1] = "{\"starts\": [], \"next\": null}";
	ext = PQexecParams(db, EXTEND_SQL, 2, NULL, vals, NULL, NULL, 0);
	rc = PQresultStatus(ext) == PGRES_TUPLES_OK ? 1 : -1;
	if (rc == -1)
		sender_log("series %s: %s", vals[0], PQresultErrorMessage(ext));
	PQclear(ext);
	PQclear(res);
	return (rc);
}

int
series_extend_run(PGconn *db, int max, int *added)
{
	PGresult	*res;
	char		 since[64];
	int		 n = 0, done = 0;

	*added = 0;
	res = PQexec(db, SINCE_SQL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
	    (size_t)PQgetlength(res, 0, 0) >= sizeof(since)) {
		sender_log("series: %s", PQresultErrorMessage(res));
		PQclear(res);
		return (-1);
	}
	memcpy(since, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0) + 1);
	PQclear(res);
	while ((max == 0 || done < max) &&
	    (n = series_one(db, since, added)) == 1)
		done++;
	return (n == -1 ? -1 : done);
}
