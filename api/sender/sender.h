/*
 * il-sender: the process that drains the outbox (sql/migrations/
 * 0030_mail.sql) over SMTP.  It runs beside the API, not in it, so
 * libcurl's resolver, TLS and sockets stay out of Kore's workers and
 * their seccomp filter; any number of senders may drain one outbox.
 */

#ifndef IL_SENDER_H
#define IL_SENDER_H

#include <stddef.h>

#include <curl/curl.h>

struct sender_config {
	const char	*database_url;
	const char	*smtp_url;	/* NULL: mail stays queued */
	const char	*smtp_user;
	const char	*smtp_password;
	const char	*from_addr;	/* MAIL_FROM's address */
	const char	*from_name;	/* MAIL_FROM's display name, or NULL */
	const char	*domain;	/* from_addr's domain: Message-IDs */
	const char	*public_api_url;
	const char	*public_web_url;
	int		batch;		/* messages claimed at once */
	int		lease_s;	/* a claim's lease */
	int		retry_s;	/* first retry delay, doubled each time */
	int		max_attempts;	/* then the message has failed */
	int		jobs_s;		/* scheduled mail, about this often */
	int		poll_ms;	/* longest wait without a notification */
	int		series_s;	/* the series job, about this often */
};

enum smtp_result {
	SMTP_SENT,
	SMTP_TEMPORARY,		/* retry later */
	SMTP_PERMANENT,		/* never retry this message */
	SMTP_UNAVAILABLE	/* the server is down: stop the batch */
};

struct smtp_outcome {
	enum smtp_result	result;
	int			recipient_rejected;	/* suppress the address */
	long			code;			/* last SMTP reply */
	char			reason[256];		/* no address in it */
};

/* smtp.c: one message to one recipient on a reused connection. */
void	smtp_send(CURL *, const struct sender_config *, const char *,
	    const char *, size_t, struct smtp_outcome *);

/* main.c: a line on standard error, with the time; nothing secret. */
void	sender_log(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * series.c: the series job, run once on db (a connection outside any
 * transaction): every open-ended series whose rolling window reaches
 * past its occurrences is extended, each in a transaction of its own,
 * at most max of them (0: all).  Returns how many series were looked at
 * (max: maybe more are waiting), with the occurrences added in *added,
 * or -1 on a database error (logged; what was done is kept).
 */
struct pg_conn;
int	series_extend_run(struct pg_conn *, int, int *);

#endif /* !IL_SENDER_H */
