/*
 * Internet messages (RFC 5322, MIME: RFC 2045-2047), pure C: no I/O, no
 * globals, so it is unit tested and fuzzed under sanitizers.
 */

#ifndef IL_MIME_H
#define IL_MIME_H

#include <stddef.h>
#include <stdint.h>

struct feed_buf;	/* src/feeds/feed.h: the project's growable buffer */

/*
 * One message.  Every string is UTF-8 and NUL-terminated; the ones that
 * go into headers as they are (addresses, Message-ID, URLs) must be
 * printable ASCII without spaces, or mime_build() refuses the message.
 */
struct mime_mail {
	const char	*from_name;	/* display name, or NULL */
	const char	*from_addr;	/* local@domain */
	const char	*to_addr;	/* local@domain */
	const char	*subject;
	const char	*message_id;	/* left@right, without the angle brackets */
	int64_t		date;		/* seconds since the epoch, UTC */
	const char	*text;		/* the text/plain part */
	const char	*html;		/* the text/html part, or NULL */
	const char	*ics;		/* a text/calendar; method=PUBLISH part, or NULL */
	const char	*ics_name;	/* its file name ("invite.ics" when NULL) */
	/*
	 * Not transactional mail: List-Unsubscribe with this https URL (and
	 * the mailto address, when set) and List-Unsubscribe-Post (RFC 8058).
	 */
	const char	*unsubscribe_url;
	const char	*unsubscribe_mailto;
};

/*
 * The whole message into out, lines ending in CRLF: headers, then
 * multipart/alternative (text and HTML) or a single text/plain part,
 * inside multipart/mixed with the calendar part when there is one.
 * Returns 0, or -1 when a header value is unsafe (out then holds
 * nothing useful).
 */
int	mime_build(struct feed_buf *, const struct mime_mail *);

/* Encoders, exposed for the unit tests. */
void	mime_qp(struct feed_buf *, const char *);
void	mime_base64(struct feed_buf *, const void *, size_t);
void	mime_header_words(struct feed_buf *, const char *, const char *);
void	mime_date(char *, size_t, int64_t);

#endif /* !IL_MIME_H */
