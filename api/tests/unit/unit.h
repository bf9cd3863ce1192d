/*
 * A minimal assertion harness for the pure-C unit tests.  Each test
 * program ends with one line "<name>: N checks, M failed" (tests/run.sh
 * reads it) and exits 1 when anything failed.
 */

#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int	unit_checks;
static int	unit_failed;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failed++;						\
		printf("%s:%d: check failed: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *unit_a = (a), *unit_b = (b);			\
	unit_checks++;							\
	if (unit_a == NULL || unit_b == NULL ||				\
	    strcmp(unit_a, unit_b) != 0) {				\
		unit_failed++;						\
		printf("%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,	\
		    unit_a ? unit_a : "(null)",				\
		    unit_b ? unit_b : "(null)");			\
	}								\
} while (0)

static int
unit_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failed);
	return (unit_failed ? 1 : 0);
}

#endif
