/*
 * feed_buf.c: a small growable byte buffer for the feed renderers.
 * Allocation failure aborts: a renderer has no sane way to go on.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

#define FEED_BUF_MIN	256

static void	buf_reserve(struct feed_buf *, size_t);

/*
 * Make room for at least "more" bytes after len plus the trailing NUL.
 * Aborts on size overflow or when memory runs out.
 */
static void
buf_reserve(struct feed_buf *b, size_t more)
{
	size_t	 need, ncap;
	char	*p;

	if (more > SIZE_MAX - b->len - 1)
		abort();
	need = b->len + more + 1;
	if (need <= b->cap)
		return;

	ncap = b->cap < FEED_BUF_MIN ? FEED_BUF_MIN : b->cap;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	if ((p = realloc(b->data, ncap)) == NULL)
		abort();
	b->data = p;
	b->cap = ncap;
}

/*
 * Set up an empty buffer.  data stays NULL until the first append;
 * after any append data is NUL-terminated (the NUL not counted in len).
 */
void
feed_buf_init(struct feed_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/*
 * Release the memory of b (allocated with malloc, so a caller that
 * took b->data may free() it instead) and leave b empty.  Calling it
 * twice, or on a buffer never appended to, is harmless.
 */
void
feed_buf_free(struct feed_buf *b)
{
	free(b->data);
	feed_buf_init(b);
}

/*
 * Append len bytes from p (which may be NULL when len is 0).
 */
void
feed_buf_append(struct feed_buf *b, const void *p, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/*
 * Append the printf-style formatted text; the output is never
 * truncated (the buffer grows to fit).  Aborts on an encoding error.
 */
void
feed_buf_appendf(struct feed_buf *b, const char *fmt, ...)
{
	va_list		 ap;
	int		 n;
	size_t		 avail;

	buf_reserve(b, 64);
	avail = b->cap - b->len;

	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, avail, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();

	if ((size_t)n >= avail) {
		buf_reserve(b, (size_t)n);
		avail = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, avail, fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= avail)
			abort();
	}
	b->len += (size_t)n;
}

/*
 * Cut b back to len bytes; a len at or past the end is a no-op.
 * Used by the renderers to undo a partial render on error.
 */
void
feed_buf_truncate(struct feed_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

/*
 * Zeroed memory for n objects of size bytes each, from calloc (free()
 * it).  Aborts when memory runs out or n * size overflows; n may be 0.
 */
void *
feed_calloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n > 0 ? n : 1, size > 0 ? size : 1)) == NULL)
		abort();
	return (p);
}
