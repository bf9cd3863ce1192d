/*
 * One message to one recipient over SMTP, through libcurl: STARTTLS when
 * the server offers it (required when there are credentials, so they
 * never cross the network in the clear), implicit TLS for smtps://,
 * AUTH with SMTP_USER and SMTP_PASSWORD.  The outcome is classified for
 * the outbox: sent, temporary (retry later) or permanent (a 5xx for the
 * recipient: the address goes on the suppression list).
 */

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "sender.h"

struct upload {
	const char	*data;
	size_t		len;
	size_t		off;
};

static size_t
upload_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload	*u = arg;
	size_t		n = size * nitems;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return (n);
}

/*
 * Codes that say this recipient will never take mail from us: mailbox
 * unavailable, not local, not allowed (RFC 5321 4.2.3), when it is the
 * RCPT command that got them (libcurl's error text says which command
 * failed).  Other 5xx fail the message without marking the address.
 */
static int
recipient_rejected(long code, const char *err)
{
	return ((code == 550 || code == 551 || code == 553) &&
	    strncmp(err, "RCPT failed", 11) == 0);
}

/* The server could not be reached or hung up: nothing was decided. */
static int
unavailable(CURLcode rc, long code)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
		return (code == 0 || code == 421);
	default:
		return (code == 421);
	}
}

/*
 * Send msg to to_addr on c, a handle kept between messages so one SMTP
 * connection carries a whole batch.  The outcome's reason never holds
 * an address or a credential.
 */
void
smtp_send(CURL *c, const struct sender_config *cfg, const char *to_addr,
    const char *msg, size_t len, struct smtp_outcome *out)
{
	struct curl_slist	*rcpt;
	struct upload		u;
	CURLcode		rc;
	char			from[320], to[320], err[CURL_ERROR_SIZE];
	long			code = 0;

	memset(out, 0, sizeof(*out));
	if ((size_t)snprintf(from, sizeof(from), "<%s>", cfg->from_addr) >=
	    sizeof(from) || (size_t)snprintf(to, sizeof(to), "<%s>", to_addr) >=
	    sizeof(to)) {
		out->result = SMTP_PERMANENT;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "address too long");
		return;
	}
	if ((rcpt = curl_slist_append(NULL, to)) == NULL) {
		out->result = SMTP_TEMPORARY;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "out of memory");
		return;
	}
	u.data = msg;
	u.len = len;
	u.off = 0;
	err[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	if (cfg->smtp_user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
		    cfg->smtp_password != NULL ? cfg->smtp_password : "");
		/* Credentials never cross the network in the clear. */
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	} else {
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	}

	rc = curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	out->code = code;
	if (rc == CURLE_OK) {
		out->result = SMTP_SENT;
	} else if (unavailable(rc, code)) {
		out->result = SMTP_UNAVAILABLE;
	} else if (code >= 500 && code <= 599) {
		out->result = SMTP_PERMANENT;
		out->recipient_rejected = recipient_rejected(code, err);
	} else {
		out->result = SMTP_TEMPORARY;
	}
	if (rc != CURLE_OK) {
		/* libcurl's text names commands and codes, not addresses. */
		if (code > 0)
			(void)snprintf(out->reason, sizeof(out->reason),
			    "SMTP %ld: %s", code, err[0] ? err :
			    curl_easy_strerror(rc));
		else
			(void)snprintf(out->reason, sizeof(out->reason), "%s",
			    err[0] ? err : curl_easy_strerror(rc));
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
}
