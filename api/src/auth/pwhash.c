/*
 * Password hashing off the event loop.  Argon2id (crypto_pwhash_str,
 * INTERACTIVE limits: ~85 ms and 64 MiB a hash here) runs in Kore task
 * threads: HASH_THREADS_PER_WORKER of them at once per worker, and at
 * most HASH_QUEUE_PER_WORKER waiting or running per worker, beyond which
 * the caller answers 503 with Retry-After.  Memory is therefore bounded
 * by workers * threads * 64 MiB whatever the number of logins.
 *
 * The plaintext lives only in the job, which is wiped when the task has
 * used it.
 *
 * Hashing must never slow the reads down: each task thread puts itself
 * in SCHED_IDLE the first time it runs a hash (pw_task_lower()), so the
 * worker event loops and PostgreSQL always take the CPU first and a
 * worker that wakes up preempts a hash at once; logins get what the
 * reads leave (all of it when nothing else runs).  The seccomp list in
 * app.c allows exactly this call.
 */

#include <sched.h>
#include <sodium.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define PW_HASH		1	/* hash password */
#define PW_VERIFY	2	/* verify password against hash */
#define PW_CHANGE	3	/* verify password, then hash password2 */

#define PW_OPS		crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM		crypto_pwhash_MEMLIMIT_INTERACTIVE

struct pw_job {
	int		op;
	int		ok;
	int		rehashed;
	size_t		pwlen;
	size_t		pw2len;
	char		password[IL_PASSWORD_MAX * 4 + 1];
	char		password2[IL_PASSWORD_MAX * 4 + 1];
	char		hash[crypto_pwhash_STRBYTES];
	char		newhash[crypto_pwhash_STRBYTES];
};

char		pwhash_dummy[crypto_pwhash_STRBYTES];
static int	inflight;

static int	pw_task(struct kore_task *);
static void	pw_task_lower(void);
static void	pwhash_uncount(struct il_req *);

/* Called once in the parent: the dummy hash uses the current limits. */
void
pwhash_init(void)
{
	u_int8_t	pw[24];

	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(pwhash_dummy, (const char *)pw, sizeof(pw),
	    PW_OPS, PW_MEM) != 0)
		fatal("pwhash_init: out of memory");
	sodium_memzero(pw, sizeof(pw));
}

/*
 * Put the calling task thread in SCHED_IDLE, once per thread (pid 0 is
 * the calling thread on Linux, not the whole worker).  A failure only
 * costs the reads some latency under a login storm: log it once.
 */
static void
pw_task_lower(void)
{
	static __thread int	lowered;
	struct sched_param	sp;

	if (lowered)
		return;
	lowered = 1;
	memset(&sp, 0, sizeof(sp));
	if (sched_setscheduler(0, SCHED_IDLE, &sp) == -1)
		kore_log(LOG_WARNING, "pwhash: SCHED_IDLE: %s", errno_s);
}

static int
pw_task(struct kore_task *t)
{
	struct il_req	*st;
	struct pw_job	*job;
	u_int8_t	byte;

	pw_task_lower();
	st = (struct il_req *)((char *)t - offsetof(struct il_req, task));
	job = st->pw;

	if (job->op == PW_HASH) {
		job->ok = crypto_pwhash_str(job->newhash, job->password,
		    job->pwlen, PW_OPS, PW_MEM) == 0;
	} else if (job->op == PW_CHANGE) {
		job->ok = crypto_pwhash_str_verify(job->hash, job->password,
		    job->pwlen) == 0;
		if (job->ok) {
			job->ok = crypto_pwhash_str(job->newhash,
			    job->password2, job->pw2len, PW_OPS, PW_MEM) == 0;
			job->rehashed = job->ok;
		}
	} else {
		job->ok = crypto_pwhash_str_verify(job->hash, job->password,
		    job->pwlen) == 0;
		if (job->ok && crypto_pwhash_str_needs_rehash(job->hash,
		    PW_OPS, PW_MEM) != 0) {
			job->rehashed = crypto_pwhash_str(job->newhash,
			    job->password, job->pwlen, PW_OPS, PW_MEM) == 0;
		}
	}
	sodium_memzero(job->password, sizeof(job->password));
	sodium_memzero(job->password2, sizeof(job->password2));

	/* The reader always expects one byte: never skip this write. */
	byte = (u_int8_t)job->ok;
	kore_task_channel_write(t, &byte, sizeof(byte));
	return (KORE_RESULT_OK);
}

/*
 * Start hashing password (hash == NULL), verifying it against hash, or
 * (password2 != NULL) verifying it and then hashing password2.  Returns
 * -1 when the queue is full (nothing started; the caller replies 503),
 * else 0 with on_task to run once the task has finished.
 */
int
pwhash_start(struct http_request *req, struct il_req *st,
    const char *password, size_t len, const char *hash,
    const char *password2, size_t len2, il_step on_task)
{
	struct pw_job	*job;

	if (inflight >= il_cfg.hash_queue || st->task_started)
		return (-1);
	if (len > IL_PASSWORD_MAX * 4 || len2 > IL_PASSWORD_MAX * 4)
		return (-1);

	pwhash_free(st);
	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatal("pwhash_start: calloc");
	memcpy(job->password, password, len);
	job->pwlen = len;
	if (password2 != NULL) {
		memcpy(job->password2, password2, len2);
		job->pw2len = len2;
	}
	if (hash != NULL) {
		job->op = password2 != NULL ? PW_CHANGE : PW_VERIFY;
		if (strlen(hash) >= sizeof(job->hash))
			hash = pwhash_dummy;
		memcpy(job->hash, hash, strlen(hash) + 1);
	} else {
		job->op = PW_HASH;
	}
	st->pw = job;

	kore_task_create(&st->task, pw_task);
	kore_task_bind_request(&st->task, req);
	st->task_started = 1;
	st->task_counted = 1;
	inflight++;
	st->on_task = on_task;
	st->phase = PH_TASK;
	kore_task_run(&st->task);
	return (0);
}

/* Answer 503 busy: the hashing queue is full (pwhash_start() said -1). */
void
pwhash_busy(struct http_request *req)
{
	reply_retry_after(req, 1);
	reply_problem(req, 503, "busy", "too many logins are being "
	    "processed; retry in a moment", NULL);
}

/* Whether the task verified (or hashed) successfully. */
int
pwhash_ok(struct il_req *st)
{
	return (st->pw != NULL && st->pw->ok);
}

/* The new hash (after PW_HASH, or a rehash after PW_VERIFY), or NULL. */
const char *
pwhash_result(struct il_req *st)
{
	if (st->pw == NULL || !st->pw->ok)
		return (NULL);
	if (st->pw->op == PW_HASH || st->pw->rehashed)
		return (st->pw->newhash);
	return (NULL);
}

/* The task has finished: give its queue place back (idempotent). */
static void
pwhash_uncount(struct il_req *st)
{
	if (st->task_counted) {
		st->task_counted = 0;
		inflight--;
	}
}

/*
 * The request saw its task finish: destroy it (so that another can run
 * for the same request) and give its queue place back.
 */
void
pwhash_done(struct il_req *st)
{
	pwhash_uncount(st);
	if (st->task_started) {
		kore_task_destroy(&st->task);
		st->task_started = 0;
	}
}

/*
 * Wipe and free the job; only once the task no longer runs.  A finished
 * task of a request being freed is destroyed by Kore itself.
 */
void
pwhash_free(struct il_req *st)
{
	if (st->task_started && !kore_task_finished(&st->task))
		return;
	pwhash_uncount(st);
	if (st->pw == NULL)
		return;
	sodium_memzero(st->pw, sizeof(*st->pw));
	free(st->pw);
	st->pw = NULL;
}
