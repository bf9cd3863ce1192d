/*
 * fuzz_common.h: event sets built from fuzz input and the output
 * invariants of the feed renderers, shared by the fuzz targets and the
 * unit tests.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "../../src/feeds/feed.h"

#define FUZZ_MAX_EVENTS	4
#define FUZZ_MAX_TAGS	3

struct fuzz_set {
	char			*copy;		/* the input, split in place */
	struct feed_meta	 meta;
	struct feed_event	 ev[FUZZ_MAX_EVENTS];
	const char		*tags[FUZZ_MAX_EVENTS][FUZZ_MAX_TAGS];
	size_t			 n;
	int			 fuzzed_times;	/* rendering may fail */
	struct feed_tz		 tz;		/* a series' VTIMEZONE */
	struct feed_tz_obs	 obs;
};

typedef int	(*fuzz_renderer)(struct feed_buf *, const struct feed_meta *,
		    const struct feed_event *, size_t);

/* fuzz_common.c */
void		 fuzz_set_build(struct fuzz_set *, const uint8_t *, size_t);
void		 fuzz_set_free(struct fuzz_set *);
int		 fuzz_render(struct fuzz_set *, struct feed_buf *,
		    fuzz_renderer, const char *);
void		 fuzz_fail(const char *) __attribute__((noreturn));
int		 fuzz_utf8_valid(const char *, size_t);
const char	*fuzz_check_ics(const char *, size_t, size_t);
const char	*fuzz_check_rss(const char *, size_t, size_t);
const char	*fuzz_check_json(const char *, size_t, size_t);
char		*fuzz_ics_value(const char *, size_t, const char *, size_t);
char		*fuzz_ics_expect(const char *);

#endif /* !FUZZ_COMMON_H */
