/*
 * pwhash.h: what the two halves of password hashing share, and no one
 * else: the job that goes over a socket pair from a worker's task
 * (pwhash.c) to the hasher process (hasher.c) and back, and the start of
 * the hasher.  The rest of the API uses the pwhash_*() of api.h.
 */

#ifndef PWHASH_H
#define PWHASH_H

#include <sys/types.h>

#include <sodium.h>

#include "il.h"

#define PW_HASH		1	/* hash password */
#define PW_VERIFY	2	/* verify password against hash */
#define PW_CHANGE	3	/* verify password, then hash password2 */

#define PW_OPS		crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM		crypto_pwhash_MEMLIMIT_INTERACTIVE

struct pw_job {
	u_int64_t	seq;		/* answers carry it back */
	int		op;
	int		ok;
	int		rehashed;
	int		lost;		/* the hasher's: the hash died with it */
	int		answered;	/* the task's: a hash said ok or not */
	size_t		pwlen;
	size_t		pw2len;
	char		password[IL_PASSWORD_MAX * 4 + 1];
	char		password2[IL_PASSWORD_MAX * 4 + 1];
	char		hash[crypto_pwhash_STRBYTES];
	char		newhash[crypto_pwhash_STRBYTES];
};

/* hasher.c */
int	*hasher_start(int);

#endif /* !PWHASH_H */
