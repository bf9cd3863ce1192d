/*
 * Prints the mean time of one Argon2id hash with the API's parameters
 * (crypto_pwhash_str, INTERACTIVE limits), for the login benchmark's
 * "ideal rate" figure: cores / time-per-hash.
 */

#include <sodium.h>

#include <stdio.h>
#include <time.h>

int
main(void)
{
	char		out[crypto_pwhash_STRBYTES];
	struct timespec	a, b;
	int		i, n = 10;

	if (sodium_init() < 0)
		return (1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (crypto_pwhash_str(out, "benchmark password", 18,
		    crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e3 +
	    (b.tv_nsec - a.tv_nsec) / 1e6) / n);
	return (0);
}
