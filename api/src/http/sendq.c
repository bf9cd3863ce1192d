/*
 * How an answer leaves: one writev(2) of a connection's whole send
 * queue instead of Kore's one send(2) of at most 8192 bytes
 * (NETBUF_SEND_PAYLOAD_MAX) per call.  Kore 4.1 queues a response as
 * netbufs (the headers with the start of the body, then the rest of the
 * body) and net_send() asks the connection's write function for at most
 * 8 KiB of the first one at a time: a 40 KiB feed took six system calls
 * and six TCP pushes, and the kernel's send path was most of the
 * worker's time (bench/feeds.sh, perf).
 *
 * sendq_use() gives a plain TCP client connection sendq_write() as its
 * write function (TLS connections keep Kore's).  It writes from the
 * first netbuf to the end of the queue in one writev(2) and tells Kore
 * how much of the first netbuf went out, as net_write() does; what went
 * out of the netbufs after it is recorded in their s_off, so when Kore
 * asks for those next, sendq_write() reports them done without a system
 * call, and Kore frees them (net_send(): a netbuf whose s_off reached
 * its b_len is removed).  Errors are handled as net_write() handles
 * them.  A netbuf that Kore sends with sendfile (a fileref without TLS)
 * ends the gather: Kore sends it itself.  This relies on the netbuf
 * layout of Kore 4.1 (kore.h), the version the API is built against.
 */

#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>

#include "api.h"

#define SENDQ_IOV	16

static int	sendq_write(struct connection *, size_t, size_t *);

/* Called for every request: a connection is switched once. */
void
sendq_use(struct connection *c)
{
	if (c != NULL && c->write == net_write)
		c->write = sendq_write;
}

static int
sendq_write(struct connection *c, size_t len, size_t *written)
{
	struct iovec	iov[SENDQ_IOV];
	struct netbuf	*nb, *first = c->snb;
	size_t		left, part;
	ssize_t		r;
	int		n;

	(void)len;
	*written = 0;
	if (first->s_off == first->b_len)
		return (KORE_RESULT_OK);	/* went out with an earlier one */

	n = 0;
	for (nb = first; nb != NULL && n < SENDQ_IOV;
	    nb = TAILQ_NEXT(nb, list)) {
		if ((nb->flags & NETBUF_IS_FILEREF) &&
		    !(nb->flags & NETBUF_IS_STREAM))
			break;
		if (nb->b_len == nb->s_off)
			continue;
		iov[n].iov_base = nb->buf + nb->s_off;
		iov[n].iov_len = nb->b_len - nb->s_off;
		n++;
	}

	if ((r = writev(c->fd, iov, n)) == -1) {
		switch (errno) {
		case EINTR:
			return (KORE_RESULT_OK);
		case EAGAIN:
			c->evt.flags &= ~KORE_EVENT_WRITE;
			return (KORE_RESULT_OK);
		default:
			return (KORE_RESULT_ERROR);
		}
	}

	left = (size_t)r;
	part = MIN(left, first->b_len - first->s_off);
	*written = part;
	left -= part;
	for (nb = TAILQ_NEXT(first, list); nb != NULL && left > 0;
	    nb = TAILQ_NEXT(nb, list)) {
		part = MIN(left, nb->b_len - nb->s_off);
		nb->s_off += part;
		left -= part;
	}
	return (KORE_RESULT_OK);
}
