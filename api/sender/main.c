/*
 * il-sender: drains the outbox over SMTP (see sender.h).
 *
 * One loop: wait for a NOTIFY on channel "outbox" (or the poll
 * interval), claim a batch (api.outbox_claim: FOR UPDATE SKIP LOCKED, a
 * lease, a Message-ID fixed at the first claim), build each message
 * (mime.c, with the event's calendar part rendered by the API's own
 * renderer, src/feeds/feed_doc.c), send it on one reused SMTP
 * connection (smtp.c), record the outcome (api.outbox_result).  About
 * once a minute it queues the scheduled mail (api.mail_jobs) and says it
 * is alive (api.mail_heartbeat, read by /readyz).  Every
 * SERIES_EXTEND_SECONDS it runs the series job (series.c): open-ended
 * recurring events get the occurrences their rolling window now reaches.
 * "il-sender --extend-series" runs that job once and exits (0 when it
 * ran), for operators and tests.
 *
 * Configuration, from the environment:
 *	DATABASE_URL		required
 *	SMTP_URL		smtp://host:port or smtps://host:port; unset:
 *				nothing is sent, mail stays queued
 *	SMTP_USER, SMTP_PASSWORD	AUTH (then TLS is required)
 *	MAIL_FROM		"Name <address>" or "address"; default
 *				"Interlibrary <no-reply@PUBLIC_WEB_URL's host>"
 *	MAIL_UNSUBSCRIBE_MAILTO	an address for List-Unsubscribe's mailto
 *	PUBLIC_API_URL, PUBLIC_WEB_URL	as for the API
 *	MAIL_BATCH, MAIL_RETRY_SECONDS, MAIL_MAX_ATTEMPTS, MAIL_LEASE_SECONDS,
 *	MAIL_JOBS_SECONDS, SERIES_EXTEND_SECONDS	(README: Configuration)
 *
 * SIGTERM or SIGINT: the message being sent is finished and recorded,
 * the rest of the batch goes back to the queue, and the process exits.
 * Nothing it logs holds an address, a token or a credential.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "il.h"
#include "feed.h"
#include "mime.h"
#include "sender.h"

#define HEARTBEAT_S	30
#define SERIES_PASS	50	/* series extended between two mail batches */

#define CLAIM_SQL	"SELECT id, kind, to_addr, subject, body_text, " \
			"body_html, unsubscribe, message_id, created_epoch, " \
			"ics_doc FROM api.outbox_claim($1, $2, $3)"
#define RESULT_SQL	"SELECT api.outbox_result($1, $2, $3, $4, $5, $6)"

enum { C_ID, C_KIND, C_TO, C_SUBJECT, C_TEXT, C_HTML, C_UNSUB, C_MSGID,
    C_CREATED, C_ICS };

static volatile sig_atomic_t	stopping;
static struct sender_config	cfg;
static char			from_buf[320], from_name_buf[128];
static char			domain_buf[256], web_host[256];
static const char		*unsub_mailto;

void
sender_log(const char *fmt, ...)
{
	va_list		ap;
	char		when[32];
	time_t		now = time(NULL);
	struct tm	tm;

	if (gmtime_r(&now, &tm) != NULL)
		(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		when[0] = '\0';
	fprintf(stderr, "%s il-sender: ", when);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn))
die(const char *fmt, ...)
{
	va_list		ap;

	fprintf(stderr, "il-sender: configuration: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *
env(const char *name, const char *def)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0' ? v : def);
}

static int
env_int(const char *name, int def, int min, int max)
{
	const char	*v = env(name, NULL);
	char		*end;
	long		n;

	if (v == NULL)
		return (def);
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		die("%s=\"%s\" is not valid: it must be a whole number from "
		    "%d to %d", name, v, min, max);
	return ((int)n);
}

/* The host of url (parsed by libcurl's URL API) into buf, or -1. */
static int
url_host(const char *url, const char *schemes, char *buf, size_t len)
{
	CURLU		*u;
	char		*host = NULL, *scheme = NULL;
	int		rc = -1;

	if ((u = curl_url()) == NULL)
		return (-1);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    strstr(schemes, scheme) != NULL &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strlen(host) < len) {
		(void)snprintf(buf, len, "%s", host);
		rc = 0;
	}
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return (rc);
}

/* An address as the outbox and the SMTP envelope take it. */
static int
addr_ok(const char *s)
{
	const char	*at = strchr(s, '@');
	size_t		i;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strlen(s) > 254)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("<>()[]\\,;:\"", s[i]) != NULL)
			return (0);
	}
	return (1);
}

/* "Name <addr>" or "addr" into from_name_buf and from_buf. */
static void
parse_mail_from(const char *v)
{
	const char	*lt, *gt;
	size_t		n;

	if ((lt = strrchr(v, '<')) != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[1] != '\0' ||
		    (size_t)(gt - lt - 1) >= sizeof(from_buf))
			die("MAIL_FROM=\"%s\" is not valid: write \"Name "
			    "<address>\" or \"address\"", v);
		memcpy(from_buf, lt + 1, gt - lt - 1);
		from_buf[gt - lt - 1] = '\0';
		n = lt - v;
		while (n > 0 && v[n - 1] == ' ')
			n--;
		if (n >= sizeof(from_name_buf) || memchr(v, '\n', n) ||
		    memchr(v, '\r', n))
			die("MAIL_FROM's name is too long or has a line break");
		memcpy(from_name_buf, v, n);
		from_name_buf[n] = '\0';
	} else {
		if (strlen(v) >= sizeof(from_buf))
			die("MAIL_FROM is too long");
		(void)snprintf(from_buf, sizeof(from_buf), "%s", v);
		from_name_buf[0] = '\0';
	}
	if (!addr_ok(from_buf))
		die("MAIL_FROM=\"%s\" is not valid: its address must be "
		    "local@domain", v);
}

static void
config_load(void)
{
	const char	*from;
	char		host[256];

	cfg.database_url = env("DATABASE_URL", NULL);
	if (cfg.database_url == NULL)
		die("DATABASE_URL is required (a libpq connection string or "
		    "postgresql:// URL)");
	cfg.public_api_url = env("PUBLIC_API_URL", IL_DEFAULT_PUBLIC_API_URL);
	cfg.public_web_url = env("PUBLIC_WEB_URL", IL_DEFAULT_PUBLIC_WEB_URL);
	if (url_host(cfg.public_api_url, "http https", host, sizeof(host)))
		die("PUBLIC_API_URL=\"%s\" is not valid: it must be an "
		    "http(s) URL", cfg.public_api_url);
	if (url_host(cfg.public_web_url, "http https", host, sizeof(host)))
		die("PUBLIC_WEB_URL=\"%s\" is not valid: it must be an "
		    "http(s) URL", cfg.public_web_url);
	(void)snprintf(web_host, sizeof(web_host), "%s", host);

	cfg.smtp_url = env("SMTP_URL", NULL);
	if (cfg.smtp_url != NULL &&
	    url_host(cfg.smtp_url, "smtp smtps", host, sizeof(host)))
		die("SMTP_URL=\"%s\" is not valid: it must be smtp://host[:port] "
		    "or smtps://host[:port]", cfg.smtp_url);
	cfg.smtp_user = env("SMTP_USER", NULL);
	cfg.smtp_password = env("SMTP_PASSWORD", NULL);
	if (cfg.smtp_password != NULL && cfg.smtp_user == NULL)
		die("SMTP_PASSWORD is set but SMTP_USER is not");

	/* A name a mail domain can be: not an IP literal. */
	if (strspn(web_host, "0123456789.") == strlen(web_host) ||
	    strchr(web_host, ':') != NULL)
		(void)snprintf(host, sizeof(host), "localhost");
	else
		(void)snprintf(host, sizeof(host), "%s", web_host);
	if ((from = env("MAIL_FROM", NULL)) != NULL) {
		parse_mail_from(from);
	} else {
		(void)snprintf(from_buf, sizeof(from_buf), "no-reply@%s", host);
		(void)snprintf(from_name_buf, sizeof(from_name_buf),
		    "Interlibrary");
	}
	cfg.from_addr = from_buf;
	cfg.from_name = from_name_buf[0] != '\0' ? from_name_buf : NULL;
	(void)snprintf(domain_buf, sizeof(domain_buf), "%s",
	    strchr(from_buf, '@') + 1);
	cfg.domain = domain_buf;
	unsub_mailto = env("MAIL_UNSUBSCRIBE_MAILTO", NULL);
	if (unsub_mailto != NULL && !addr_ok(unsub_mailto))
		die("MAIL_UNSUBSCRIBE_MAILTO must be an address");

	cfg.batch = env_int("MAIL_BATCH", 20, 1, 1000);
	cfg.retry_s = env_int("MAIL_RETRY_SECONDS", 60, 1, 86400);
	cfg.max_attempts = env_int("MAIL_MAX_ATTEMPTS", 10, 1, 100);
	cfg.lease_s = env_int("MAIL_LEASE_SECONDS", 300, 2, 86400);
	cfg.jobs_s = env_int("MAIL_JOBS_SECONDS", 60, 1, 3600);
	cfg.series_s = env_int("SERIES_EXTEND_SECONDS", 3600, 1, 86400);
	cfg.poll_ms = 1000;
}

static long long
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Run a statement that returns nothing we need; 0 or -1 (logged). */
static int
exec_params(PGconn *db, const char *sql, int n, const char *const *vals)
{
	PGresult	*res;
	int		rc;

	res = PQexecParams(db, sql, n, NULL, vals, NULL, NULL, 0);
	rc = (PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK) ? 0 : -1;
	if (rc == -1)
		sender_log("database: %s", PQresultErrorMessage(res));
	PQclear(res);
	return (rc);
}

static PGconn *
connect_db(void)
{
	PGconn		*db;

	db = PQconnectdb(cfg.database_url);
	if (PQstatus(db) != CONNECTION_OK) {
		sender_log("cannot connect to the database: %s", PQerrorMessage(db));
		PQfinish(db);
		return (NULL);
	}
	if (exec_params(db, "LISTEN outbox", 0, NULL) == -1) {
		PQfinish(db);
		return (NULL);
	}
	return (db);
}

static void
record(PGconn *db, const char *id, const char *outcome, const char *reason,
    int rejected, int retry_s)
{
	const char	*vals[6];
	char		retry[16], max[16];

	(void)snprintf(retry, sizeof(retry), "%d", retry_s);
	(void)snprintf(max, sizeof(max), "%d", cfg.max_attempts);
	vals[0] = id;
	vals[1] = outcome;
	vals[2] = reason != NULL && *reason != '\0' ? reason : NULL;
	vals[3] = rejected ? "true" : "false";
	vals[4] = retry;
	vals[5] = max;
	(void)exec_params(db, RESULT_SQL, 6, vals);
}

/* The calendar part of a message: its event as the API's feeds render it. */
static char *
render_ics(const char *doc_text)
{
	struct feed_doc_urls	urls;
	struct feed_buf		out;
	json_t			*doc;
	char			self[512];

	if ((doc = json_loads(doc_text, 0, NULL)) == NULL)
		return (NULL);
	(void)snprintf(self, sizeof(self), "%s/v1/events.ics",
	    cfg.public_api_url);
	urls.web_base = cfg.public_web_url;
	urls.self_url = self;
	urls.refresh_minutes = 60;
	feed_buf_init(&out);
	if (feed_doc_render(&out, doc, FEED_DOC_ICS, &urls, NULL) == -1) {
		feed_buf_free(&out);
		json_decref(doc);
		return (NULL);
	}
	json_decref(doc);
	return (out.data);
}

/*
 * Build and send row i of a claim; returns its outcome (recorded
 * already, except SMTP_UNAVAILABLE, which the caller records for the
 * whole rest of the batch).
 */
static enum smtp_result
send_one(PGconn *db, CURL *curl, PGresult *res, int i)
{
	struct smtp_outcome	out;
	struct mime_mail	m;
	struct feed_buf		msg;
	const char		*id = PQgetvalue(res, i, C_ID);
	char			*ics = NULL;

	memset(&m, 0, sizeof(m));
	m.from_name = cfg.from_name;
	m.from_addr = cfg.from_addr;
	m.to_addr = PQgetvalue(res, i, C_TO);
	m.subject = PQgetvalue(res, i, C_SUBJECT);
	m.message_id = PQgetvalue(res, i, C_MSGID);
	m.date = strtoll(PQgetvalue(res, i, C_CREATED), NULL, 10);
	m.text = PQgetisnull(res, i, C_TEXT) ? NULL : PQgetvalue(res, i, C_TEXT);
	m.html = PQgetisnull(res, i, C_HTML) ? NULL : PQgetvalue(res, i, C_HTML);
	if (!PQgetisnull(res, i, C_UNSUB)) {
		m.unsubscribe_url = PQgetvalue(res, i, C_UNSUB);
		m.unsubscribe_mailto = unsub_mailto;
	}
	if (!PQgetisnull(res, i, C_ICS)) {
		if ((ics = render_ics(PQgetvalue(res, i, C_ICS))) == NULL) {
			record(db, id, "temporary", "calendar part did not "
			    "render", 0, cfg.retry_s);
			sender_log("outbox %s: the calendar part did not render", id);
			return (SMTP_TEMPORARY);
		}
		m.ics = ics;
		m.ics_name = "event.ics";
	}

	feed_buf_init(&msg);
	if (m.text == NULL || mime_build(&msg, &m) == -1) {
		free(ics);
		feed_buf_free(&msg);
		record(db, id, "permanent", "the message cannot be written as "
		    "MIME (an address or header is not plain ASCII)", 0,
		    cfg.retry_s);
		sender_log("outbox %s (%s): not valid as MIME, failed", id,
		    PQgetvalue(res, i, C_KIND));
		return (SMTP_PERMANENT);
	}
	free(ics);
	smtp_send(curl, &cfg, m.to_addr, msg.data, msg.len, &out);
	feed_buf_free(&msg);

	switch (out.result) {
	case SMTP_SENT:
		record(db, id, "sent", NULL, 0, cfg.retry_s);
		sender_log("outbox %s (%s): sent", id, PQgetvalue(res, i, C_KIND));
		break;
	case SMTP_TEMPORARY:
		record(db, id, "temporary", out.reason, 0, cfg.retry_s);
		sender_log("outbox %s: will retry: %s", id, out.reason);
		break;
	case SMTP_PERMANENT:
		record(db, id, "permanent", out.reason, out.recipient_rejected,
		    cfg.retry_s);
		sender_log("outbox %s: failed%s: %s", id, out.recipient_rejected ?
		    " (recipient refused: address suppressed)" : "",
		    out.reason);
		break;
	case SMTP_UNAVAILABLE:
		sender_log("SMTP server unavailable: %s", out.reason);
		break;
	}
	return (out.result);
}

/*
 * Claim and send one batch.  Returns how many rows were claimed, or -1
 * when the SMTP server is unavailable (the batch went back to the queue)
 * or the database failed.
 */
static int
drain(PGconn *db, CURL *curl, int retry_s)
{
	PGresult	*res;
	const char	*vals[3];
	char		batch[16], lease[16];
	int		i, n, down = 0;

	(void)snprintf(batch, sizeof(batch), "%d", cfg.batch);
	(void)snprintf(lease, sizeof(lease), "%d", cfg.lease_s);
	vals[0] = batch;
	vals[1] = lease;
	vals[2] = cfg.domain;
	res = PQexecParams(db, CLAIM_SQL, 3, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		sender_log("claim: %s", PQresultErrorMessage(res));
		PQclear(res);
		return (-1);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if (stopping || down) {
			record(db, PQgetvalue(res, i, C_ID), "released",
			    stopping ? "the sender stopped" :
			    "the SMTP server was unavailable", 0,
			    stopping ? 0 : retry_s);
			continue;
		}
		if (send_one(db, curl, res, i) == SMTP_UNAVAILABLE) {
			down = 1;
			record(db, PQgetvalue(res, i, C_ID), "released",
			    "the SMTP server was unavailable", 0, retry_s);
		}
	}
	PQclear(res);
	return (down ? -1 : n);
}

/* Wait up to ms for a notification on db's socket (or a signal). */
static void
wait_for_work(PGconn *db, int ms)
{
	struct pollfd	pfd;
	PGnotify	*nfy;

	pfd.fd = PQsocket(db);
	pfd.events = POLLIN;
	if (pfd.fd >= 0 && poll(&pfd, 1, ms) > 0)
		(void)PQconsumeInput(db);
	while ((nfy = PQnotifies(db)) != NULL)
		PQfreemem(nfy);
}

/* The series job, run once: "il-sender --extend-series". */
static int
extend_series_once(void)
{
	PGconn		*db;
	int		 n, added;

	if ((db = PQconnectdb(cfg.database_url)) == NULL ||
	    PQstatus(db) != CONNECTION_OK) {
		sender_log("cannot connect to the database: %s",
		    PQerrorMessage(db));
		PQfinish(db);
		return (1);
	}
	n = series_extend_run(db, 0, &added);
	PQfinish(db);
	if (n == -1)
		return (1);
	sender_log("series job: %d series looked at, %d occurrences added",
	    n, added);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct sigaction	sa;
	PGconn			*db = NULL;
	CURL			*curl;
	PGresult		*res;
	long long		now, next_beat = 0, next_jobs = 0, pause_until = 0;
	long long		next_series = 0;
	char			opts[1024];
	int			n, added, db_backoff = 1, smtp_backoff;
	int			once = 0;
	const char		*smtp_on;

	if (argc == 2 && strcmp(argv[1], "--extend-series") == 0)
		once = 1;
	else if (argc != 1)
		die("usage: il-sender [--extend-series]");
	config_load();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "il-sender: libcurl did not initialize\n");
		return (1);
	}
	n = snprintf(opts, sizeof(opts), "-c statement_timeout=30000 "
	    "-c il.public_api_url=%s -c il.public_web_url=%s",
	    cfg.public_api_url, cfg.public_web_url);
	if (n < 0 || (size_t)n >= sizeof(opts) ||
	    setenv("PGOPTIONS", opts, 1) == -1 ||
	    setenv("PGAPPNAME", "interlibrary-sender", 1) == -1 ||
	    setenv("PGCONNECT_TIMEOUT", "5", 1) == -1)
		die("the public URLs are too long");
	if (once)
		return (extend_series_once());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	smtp_on = cfg.smtp_url != NULL ? "true" : "false";
	smtp_backoff = cfg.retry_s;

	sender_log("started: %s, from %s", cfg.smtp_url != NULL ?
	    "sending over SMTP" : "SMTP_URL is not set, mail stays queued",
	    cfg.from_addr);
	while (!stopping) {
		if (db == NULL || PQstatus(db) != CONNECTION_OK) {
			if (db != NULL)
				PQfinish(db);
			if ((db = connect_db()) == NULL) {
				(void)poll(NULL, 0, db_backoff * 1000);
				db_backoff = db_backoff < 30 ? db_backoff * 2 : 30;
				continue;
			}
			db_backoff = 1;
			next_beat = next_jobs = next_series = 0;
		}
		now = now_ms();
		if (now >= next_beat) {
			const char	*v[1] = { smtp_on };

			(void)exec_params(db, "SELECT api.mail_heartbeat($1)",
			    1, v);
			next_beat = now + HEARTBEAT_S * 1000;
		}
		if (now >= next_jobs) {
			res = PQexec(db, "SELECT api.mail_jobs()");
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				sender_log("mail jobs: %s", PQresultErrorMessage(res));
			else if (PQntuples(res) == 1 &&
			    strcmp(PQgetvalue(res, 0, 0), "0") != 0)
				sender_log("queued %s scheduled messages",
				    PQgetvalue(res, 0, 0));
			PQclear(res);
			next_jobs = now + cfg.jobs_s * 1000LL;
		}
		if (now >= next_series) {
			/* A pass at a time, so that mail keeps going. */
			n = series_extend_run(db, SERIES_PASS, &added);
			if (added > 0)
				sender_log("series job: %d occurrences added",
				    added);
			next_series = n == SERIES_PASS ? now_ms() :
			    now_ms() + cfg.series_s * 1000LL;
		}
		if (cfg.smtp_url != NULL && now >= pause_until) {
			n = drain(db, curl, smtp_backoff);
			if (n == -1) {
				/* Down: wait, longer each time, up to 64x. */
				pause_until = now_ms() + smtp_backoff * 1000LL;
				if (smtp_backoff < cfg.retry_s * 64)
					smtp_backoff *= 2;
			} else {
				smtp_backoff = cfg.retry_s;
				if (n == cfg.batch)
					continue;	/* more may be due */
			}
		}
		wait_for_work(db, cfg.poll_ms);
	}
	sender_log("stopping");
	if (db != NULL)
		PQfinish(db);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	return (0);
}
