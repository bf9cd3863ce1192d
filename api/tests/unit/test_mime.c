/*
 * Unit tests of the sender's message builder (api/sender/mime.c).  The
 * mail tests parse whole messages with Python's email package; these
 * check the encoders' edges.
 */

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "feed.h"
#include "../../sender/mime.h"

static char *
qp(const char *s)
{
	static struct feed_buf	b;

	feed_buf_free(&b);
	mime_qp(&b, s);
	return (b.data != NULL ? b.data : "");
}

static void
test_qp(void)
{
	char		line[200];
	size_t		i, col, max;
	const char	*p;

	CHECK_STR(qp("plain text\n"), "plain text\r\n");
	CHECK_STR(qp("a=b"), "a=3Db\r\n");
	CHECK_STR(qp("trailing space \nnext"), "trailing space=20\r\nnext\r\n");
	CHECK_STR(qp("tab\t"), "tab=09\r\n");
	CHECK_STR(qp("caf\xc3\xa9"), "caf=C3=A9\r\n");
	CHECK_STR(qp("crlf\r\nkept"), "crlf\r\nkept\r\n");
	CHECK_STR(qp(""), "");
	/* 200 characters: soft breaks keep every line at most 76. */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[74] = '\xc3';
	line[75] = '\xa9';
	p = qp(line);
	for (max = col = 0; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n') {
			max = col > max ? col : max;
			col = 0;
			p++;
		} else {
			col++;
		}
	}
	CHECK(max <= 76);
	/* An =XX escape is never split by a soft break. */
	p = qp(line);
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '=' && p[i + 1] != '\r')
			CHECK(strchr("0123456789ABCDEF", p[i + 1]) != NULL &&
			    strchr("0123456789ABCDEF", p[i + 2]) != NULL);
	}
}

static void
test_base64(void)
{
	struct feed_buf	b;
	char		big[100];

	feed_buf_init(&b);
	mime_base64(&b, "Man", 3);
	CHECK_STR(b.data, "TWFu\r\n");
	feed_buf_free(&b);
	mime_base64(&b, "Ma", 2);
	CHECK_STR(b.data, "TWE=\r\n");
	feed_buf_free(&b);
	mime_base64(&b, "M", 1);
	CHECK_STR(b.data, "TQ==\r\n");
	feed_buf_free(&b);
	memset(big, 'a', sizeof(big));
	mime_base64(&b, big, sizeof(big));
	CHECK(b.len > 76 && b.data[76] == '\r' && b.data[77] == '\n');
	feed_buf_free(&b);
}

static void
test_words(void)
{
	struct feed_buf	b;
	char		long_utf8[200];
	size_t		i;

	feed_buf_init(&b);
	mime_header_words(&b, "Subject", "Hello");
	CHECK_STR(b.data, "Subject: Hello\r\n");
	feed_buf_free(&b);
	mime_header_words(&b, "Subject", "Caf\xc3\xa9");
	CHECK_STR(b.data, "Subject: =?UTF-8?B?Q2Fmw6k=?=\r\n");
	feed_buf_free(&b);
	/* Folded, and no word splits a two-byte character. */
	for (i = 0; i + 2 < sizeof(long_utf8); i += 2) {
		long_utf8[i] = '\xc3';
		long_utf8[i + 1] = '\xa9';
	}
	long_utf8[i] = '\0';
	mime_header_words(&b, "Subject", long_utf8);
	CHECK(strstr(b.data, "?=\r\n =?UTF-8?B?") != NULL);
	CHECK(strstr(b.data, "\n\n") == NULL);
	feed_buf_free(&b);
	/* A CR or LF in a value never reaches the header as it is. */
	mime_header_words(&b, "Subject", "evil\r\nBcc: x@y");
	CHECK(strstr(b.data, "Bcc") == NULL);
	feed_buf_free(&b);
}

static void
test_build(void)
{
	struct mime_mail	m;
	struct feed_buf		b;
	char			date[64];

	mime_date(date, sizeof(date), 1796400000);
	CHECK_STR(date, "Fri, 04 Dec 2026 16:00:00 +0000");

	memset(&m, 0, sizeof(m));
	m.from_name = "Interlibrary";
	m.from_addr = "noreply@example.org";
	m.to_addr = "ada@example.org";
	m.subject = "You are invited";
	m.message_id = "42.abc@example.org";
	m.date = 1796400000;
	m.text = "Hello\n";

	feed_buf_init(&b);
	CHECK(mime_build(&b, &m) == 0);
	CHECK(strstr(b.data, "From: Interlibrary <noreply@example.org>\r\n"));
	CHECK(strstr(b.data, "Message-ID: <42.abc@example.org>\r\n"));
	CHECK(strstr(b.data, "Content-Type: text/plain; charset=utf-8\r\n"));
	CHECK(strstr(b.data, "List-Unsubscribe") == NULL);
	feed_buf_free(&b);

	m.html = "<p>Hello</p>";
	m.ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	m.unsubscribe_url = "https://api.example.org/v1/unsubscribe?token=t";
	m.unsubscribe_mailto = "unsubscribe@example.org";
	m.from_name = "Caf\xc3\xa9 <club>";
	CHECK(mime_build(&b, &m) == 0);
	CHECK(strstr(b.data, "Content-Type: multipart/mixed;"));
	CHECK(strstr(b.data, "Content-Type: multipart/alternative;"));
	CHECK(strstr(b.data, "method=PUBLISH"));
	CHECK(strstr(b.data, "List-Unsubscribe-Post: "
	    "List-Unsubscribe=One-Click\r\n"));
	CHECK(strstr(b.data, "From: =?UTF-8?B?") != NULL);
	CHECK(strstr(b.data, "<club>") == NULL);
	feed_buf_free(&b);

	/* Header injection through an address or the Message-ID. */
	m.to_addr = "ada@example.org\r\nBcc: eve@example.org";
	CHECK(mime_build(&b, &m) == -1);
	feed_buf_free(&b);
	m.to_addr = "ada@example.org";
	m.message_id = "a b@c";
	CHECK(mime_build(&b, &m) == -1);
	feed_buf_free(&b);
	m.message_id = "ok@c";
	m.ics_name = "../x";
	CHECK(mime_build(&b, &m) == -1);
	feed_buf_free(&b);
}

int
main(void)
{
	test_qp();
	test_base64();
	test_words();
	test_build();
	qp("");
	return (unit_done("mime"));
}
