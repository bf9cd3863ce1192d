/*
 * feed_utf8.c: UTF-8 for the feed renderers: decoding, encoding, and
 * text made valid (and free of the characters no feed may carry).
 */

#include <string.h>

#include "feed.h"

#define FEED_REPLACEMENT	0xFFFD

/*
 * Decode one UTF-8 sequence at s (len bytes available, len >= 1) into
 * *cp and return the number of bytes it used (>= 1).  Overlong forms,
 * surrogates, values past U+10FFFF and truncated sequences give
 * U+FFFD and consume the maximal invalid subpart (Unicode 15, 3.9),
 * so one bad sequence yields exactly one replacement character.
 * Returns 0 only when len is 0.
 */
size_t
feed_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char	 b0, lo, hi;
	size_t		 need, i;
	uint32_t	 c;

	if (len == 0)
		return (0);
	b0 = s[0];
	if (b0 < 0x80) {
		*cp = b0;
		return (1);
	}
	if (b0 < 0xC2 || b0 > 0xF4) {
		*cp = FEED_REPLACEMENT;
		return (1);
	}

	lo = 0x80;
	hi = 0xBF;
	if (b0 < 0xE0) {
		need = 1;
		c = b0 & 0x1F;
	} else if (b0 < 0xF0) {
		need = 2;
		c = b0 & 0x0F;
		if (b0 == 0xE0)
			lo = 0xA0;
		else if (b0 == 0xED)
			hi = 0x9F;
	} else {
		need = 3;
		c = b0 & 0x07;
		if (b0 == 0xF0)
			lo = 0x90;
		else if (b0 == 0xF4)
			hi = 0x8F;
	}

	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = FEED_REPLACEMENT;
			return (i);
		}
		c = (c << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return (need + 1);
}

/*
 * Append the UTF-8 encoding of cp to b.  cp must be a Unicode scalar
 * value (not a surrogate, at most U+10FFFF); anything else is written
 * as U+FFFD.
 */
void
feed_utf8_encode(struct feed_buf *b, uint32_t cp)
{
	unsigned char	 u[4];
	size_t		 n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = FEED_REPLACEMENT;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	feed_buf_append(b, u, n);
}

/*
 * Return 1 when no feed may carry cp: C0 controls other than TAB, LF
 * and CR, DEL, C1 controls, and the noncharacters U+FFFE and U+FFFF
 * (not XML 1.0 characters).  Returns 0 otherwise.
 */
int
feed_utf8_is_dropped(uint32_t cp)
{
	if (cp < 0x20)
		return (cp != '\t' && cp != '\n' && cp != '\r');
	if (cp >= 0x7F && cp <= 0x9F)
		return (1);
	return (cp == 0xFFFE || cp == 0xFFFF);
}

/*
 * Append the NUL-terminated string s to b as valid UTF-8: each invalid
 * sequence becomes U+FFFD; with FEED_UTF8_DROP_CTL the characters that
 * feed_utf8_is_dropped() names are left out.  A NULL s appends nothing.
 */
void
feed_utf8_clean(struct feed_buf *b, const char *s, int flags)
{
	const unsigned char	*p;
	size_t			 len, n;
	uint32_t		 cp;

	if (s == NULL)
		return;
	p = (const unsigned char *)s;
	len = strlen(s);
	while (len > 0) {
		n = feed_utf8_decode(p, len, &cp);
		if (!(flags & FEED_UTF8_DROP_CTL) || !feed_utf8_is_dropped(cp))
			feed_utf8_encode(b, cp);
		p += n;
		len -= n;
	}
}

/*
 * Return a malloc()ed copy of s that is valid UTF-8 without the
 * characters feed_utf8_is_dropped() names; the caller free()s it.
 * Returns NULL when s is NULL (never on memory shortage: that aborts).
 */
char *
feed_utf8_sanitize(const char *s)
{
	struct feed_buf	 b;

	if (s == NULL)
		return (NULL);
	feed_buf_init(&b);
	feed_buf_append(&b, "", 0);
	feed_utf8_clean(&b, s, FEED_UTF8_DROP_CTL);
	return (b.data);
}
