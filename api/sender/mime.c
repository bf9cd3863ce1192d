/*
 * Internet messages: headers (RFC 5322, encoded words of RFC 2047),
 * multipart bodies (RFC 2046), quoted-printable and base64 (RFC 2045).
 * Every line ends in CRLF and stays under 78 characters; libcurl does
 * the SMTP dot-stuffing when it sends the message.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "mime.h"

#define QP_LINE		75	/* characters before a soft line break */
#define WORD_BYTES	45	/* UTF-8 bytes an encoded word holds (60 in base64) */
#define B64_LINE	76

static const char	b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int	header_safe(const char *);
static int	ascii_text(const char *, size_t);
static int	phrase_safe(const char *);
static void	words(struct feed_buf *, const char *);
static void	boundary(char *, size_t, const char *, const char *);
static void	text_part(struct feed_buf *, const char *, const char *);
static void	put(struct feed_buf *, const char *);

/* A NUL-terminated string into b. */
static void
put(struct feed_buf *b, const char *s)
{
	feed_buf_append(b, s, strlen(s));
}

/* Printable ASCII without spaces: safe to put into a header as it is. */
static int
header_safe(const char *s)
{
	if (s == NULL || *s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return (0);
	}
	return (1);
}

/* Printable ASCII, spaces allowed. */
static int
ascii_text(const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	}
	return (1);
}

/* "Fri, 04 Dec 2026 16:30:00 +0000", whatever the locale. */
void
mime_date(char *out, size_t len, int64_t t)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		tm;
	time_t			tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL) {
		(void)snprintf(out, len, "Thu, 01 Jan 1970 00:00:00 +0000");
		return;
	}
	(void)snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Base64 in lines of 76 characters, each ending in CRLF. */
void
mime_base64(struct feed_buf *b, const void *data, size_t n)
{
	const unsigned char	*p = data;
	char			q[4];
	size_t			i, col = 0;
	unsigned int		v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned int)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned int)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		feed_buf_append(b, q, 4);
		col += 4;
		if (col >= B64_LINE) {
			feed_buf_append(b, "\r\n", 2);
			col = 0;
		}
	}
	if (col > 0)
		feed_buf_append(b, "\r\n", 2);
}

/*
 * Quoted-printable: text lines (LF or CRLF) become CRLF lines of at most
 * 76 characters (soft breaks "=" at 75), bytes outside printable ASCII,
 * "=", and a space or tab that ends a line as =XX.
 */
void
mime_qp(struct feed_buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)s;
	char			tok[3];
	size_t			col = 0, n;
	int			eol;

	for (; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n') {
			feed_buf_append(b, "\r\n", 2);
			col = 0;
			continue;
		}
		eol = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' &&
		    p[2] == '\n');
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && !eol)) {
			tok[0] = (char)*p;
			n = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[*p >> 4];
			tok[2] = hex[*p & 15];
			n = 3;
		}
		if (col + n > QP_LINE) {
			feed_buf_append(b, "=\r\n", 3);
			col = 0;
		}
		feed_buf_append(b, tok, n);
		col += n;
	}
	if (col > 0)
		feed_buf_append(b, "\r\n", 2);
}

/*
 * value as UTF-8 encoded words (base64) of at most 45 bytes each, never
 * splitting a character, separated by folding whitespace.
 */
static void
words(struct feed_buf *b, const char *value)
{
	struct feed_buf	w;
	size_t		len = strlen(value), i, n;

	for (i = 0; i < len; i += n) {
		n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
		/* Back off to the start of a UTF-8 character. */
		while (n > 1 && i + n < len &&
		    ((unsigned char)value[i + n] & 0xc0) == 0x80)
			n--;
		if (i > 0)
			feed_buf_append(b, "\r\n ", 3);
		feed_buf_append(b, "=?UTF-8?B?", 10);
		feed_buf_init(&w);
		mime_base64(&w, value + i, n);
		/* One line of base64 (at most 60 characters) and CRLF. */
		feed_buf_append(b, w.data, w.len - 2);
		feed_buf_free(&w);
		feed_buf_append(b, "?=", 2);
	}
}

/*
 * "Name: value" and CRLF: the value as it is when it is short printable
 * ASCII, else as encoded words on folded lines.
 */
void
mime_header_words(struct feed_buf *b, const char *name, const char *value)
{
	size_t		len = strlen(value);

	put(b, name);
	feed_buf_append(b, ": ", 2);
	if (strlen(name) + 2 + len <= 76 && ascii_text(value, len))
		feed_buf_append(b, value, len);
	else
		words(b, value);
	feed_buf_append(b, "\r\n", 2);
}

/* A display name that needs no quoting: letters, digits, spaces, ".-_". */
static int
phrase_safe(const char *s)
{
	if (*s == '\0' || strlen(s) > 60)
		return (0);
	for (; *s != '\0'; s++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789 .-_", *s) == NULL)
			return (0);
	}
	return (1);
}

/* "=_il<hash of the message id>_<tag>": never in QP or base64 text. */
static void
boundary(char *out, size_t len, const char *message_id, const char *tag)
{
	uint64_t	h = 1469598103934665603ULL;
	const char	*p;

	for (p = message_id; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	(void)snprintf(out, len, "=_il%016llx_%s", (unsigned long long)h, tag);
}

static void
text_part(struct feed_buf *b, const char *type, const char *text)
{
	put(b, "Content-Type: ");
	put(b, type);
	put(b, "; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp(b, text);
}

int
mime_build(struct feed_buf *b, const struct mime_mail *m)
{
	char		date[64], alt[64], mix[64];
	const char	*name;
	size_t		i;

	if (!header_safe(m->from_addr) || !header_safe(m->to_addr) ||
	    !header_safe(m->message_id) || m->subject == NULL ||
	    m->text == NULL ||
	    (m->unsubscribe_url != NULL && !header_safe(m->unsubscribe_url)) ||
	    (m->unsubscribe_mailto != NULL &&
	    !header_safe(m->unsubscribe_mailto)))
		return (-1);
	name = m->ics_name != NULL ? m->ics_name : "invite.ics";
	for (i = 0; name[i] != '\0'; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", name[i]) == NULL)
			return (-1);
	}

	mime_date(date, sizeof(date), m->date);
	boundary(alt, sizeof(alt), m->message_id, "alt");
	boundary(mix, sizeof(mix), m->message_id, "mix");

	put(b, "Date: ");
	put(b, date);
	put(b, "\r\n");
	put(b, "From: ");
	if (m->from_name != NULL && *m->from_name != '\0') {
		if (phrase_safe(m->from_name))
			put(b, m->from_name);
		else
			words(b, m->from_name);
		put(b, " ");
	}
	put(b, "<");
	put(b, m->from_addr);
	put(b, ">\r\nTo: <");
	put(b, m->to_addr);
	put(b, ">\r\n");
	mime_header_words(b, "Subject", m->subject);
	put(b, "Message-ID: <");
	put(b, m->message_id);
	put(b, ">\r\nMIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n");
	if (m->unsubscribe_url != NULL) {
		put(b, "List-Unsubscribe: <");
		put(b, m->unsubscribe_url);
		if (m->unsubscribe_mailto != NULL) {
			put(b, ">,\r\n <mailto:");
			put(b, m->unsubscribe_mailto);
		}
		put(b, ">\r\nList-Unsubscribe-Post: "
		    "List-Unsubscribe=One-Click\r\n");
	}

	if (m->ics != NULL) {
		put(b, "Content-Type: multipart/mixed; boundary=\"");
		put(b, mix);
		put(b, "\"\r\n\r\nThis is a MIME message.\r\n--");
		put(b, mix);
		put(b, "\r\n");
	}
	if (m->html != NULL) {
		put(b, "Content-Type: multipart/alternative; "
		    "boundary=\"");
		put(b, alt);
		put(b, "\"\r\n\r\n");
		if (m->ics == NULL)
			put(b, "This is a MIME message.\r\n");
		put(b, "--");
		put(b, alt);
		put(b, "\r\n");
		text_part(b, "text/plain", m->text);
		put(b, "--");
		put(b, alt);
		put(b, "\r\n");
		text_part(b, "text/html", m->html);
		put(b, "--");
		put(b, alt);
		put(b, "--\r\n");
	} else {
		text_part(b, "text/plain", m->text);
	}
	if (m->ics != NULL) {
		put(b, "--");
		put(b, mix);
		put(b, "\r\nContent-Type: text/calendar; charset=utf-8; "
		    "method=PUBLISH; name=\"");
		put(b, name);
		put(b, "\"\r\nContent-Disposition: attachment; "
		    "filename=\"");
		put(b, name);
		put(b, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		mime_base64(b, m->ics, strlen(m->ics));
		put(b, "--");
		put(b, mix);
		put(b, "--\r\n");
	}
	return (0);
}
