/*
 * Password hashing off the event loop, the workers' side.  Argon2id
 * (crypto_pwhash_str, INTERACTIVE limits: ~85 ms and 64 MiB a hash here)
 * runs outside the workers, in the hasher process (hasher.c: why, and at
 * what priority): HASH_THREADS_PER_WORKER hashes at once per worker, and
 * at most HASH_QUEUE_PER_WORKER waiting or running per worker, beyond
 * which the caller answers 503 with Retry-After.  Memory is therefore
 * bounded by workers * threads * 64 MiB whatever the number of logins.
 *
 * Each worker's task threads (Kore tasks, normal priority: they share
 * locks with the event loop) each own one socket pair to a hasher thread
 * of their own (workers * threads pairs, made by the parent, so a worker
 * that restarts finds its pairs again).  A task sends its job and waits
 * for the answer with the same sequence number; an answer for a job of a
 * worker that died on the way is skipped.  The plaintext lives only in
 * the job and the socket's buffer, and is wiped when the hash has used
 * it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <sodium.h>

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "pwhash.h"

char		pwhash_dummy[crypto_pwhash_STRBYTES];
static int	inflight;

/* The workers' ends, [(worker id - 1) * hash threads + slot]. */
static int		*pw_fds;
static int		pw_nfds;
static atomic_int	pw_slots;		/* slots taken in this worker */
static __thread int	pw_fd = -1;		/* this task thread's */
static __thread u_int64_t	pw_seq;

static int	pw_task(struct kore_task *);
static void	pwhash_uncount(struct il_req *);

/*
 * Called once in the parent: the dummy hash uses the current limits; then
 * the hasher, with a socket pair for each task thread of each worker.
 */
void
pwhash_init(void)
{
	u_int8_t	pw[24];

	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(pwhash_dummy, (const char *)pw, sizeof(pw),
	    PW_OPS, PW_MEM) != 0)
		fatal("pwhash_init: out of memory");
	sodium_memzero(pw, sizeof(pw));
	pw_nfds = il_cfg.workers * il_cfg.hash_threads;
	pw_fds = hasher_start(pw_nfds);
}

/*
 * A task thread: its socket (the first time: the next free slot of this
 * worker), the job out, the answer with the job's sequence number back.
 * No answer (the hasher is gone), or one saying the job was lost, leaves
 * answered at 0 (pwhash_answered()).
 */
static int
pw_task(struct kore_task *t)
{
	struct il_req	*st;
	struct pw_job	*job, ans;
	ssize_t		r;
	int		slot;
	u_int8_t	byte;

	st = (struct il_req *)((char *)t - offsetof(struct il_req, task));
	job = st->pw;

	if (pw_fd == -1) {
		slot = atomic_fetch_add(&pw_slots, 1);
		if (slot >= il_cfg.hash_threads || worker->id < 1 ||
		    (int)(worker->id - 1) * il_cfg.hash_threads + slot >= pw_nfds)
			fatal("pw_task: no hasher socket for slot %d", slot);
		pw_fd = pw_fds[(worker->id - 1) * il_cfg.hash_threads + slot];
	}

	job->seq = ((u_int64_t)worker->pid << 32) | ++pw_seq;
	job->ok = 0;
	job->answered = 0;
	while ((r = send(pw_fd, job, sizeof(*job), MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	while (r == (ssize_t)sizeof(*job)) {
		r = recv(pw_fd, &ans, sizeof(ans), 0);
		if (r == -1 && errno == EINTR) {
			r = sizeof(*job);
			continue;
		}
		if (r != (ssize_t)sizeof(ans) || ans.seq != job->seq)
			continue;	/* short, or a dead worker's answer */
		if (!ans.lost) {
			job->answered = 1;
			job->ok = ans.ok;
			job->rehashed = ans.rehashed;
			memcpy(job->newhash, ans.newhash,
			    sizeof(job->newhash));
		}
		break;
	}
	sodium_memzero(&ans, sizeof(ans));
	if (!job->answered)
		kore_log(LOG_ERR, "pwhash: %s", r == (ssize_t)sizeof(ans) ?
		    "the hasher lost a job (its hashing process died)" :
		    "no answer from the hasher");
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

/*
 * Whether the hasher answered the task, ok or not.  Without an answer
 * (its hashing process died with the job, and is being started again; or
 * the hasher is gone) the password was neither accepted nor refused:
 * nothing may count it as a failed attempt, and the caller answers
 * pwhash_unavailable().
 */
int
pwhash_answered(struct il_req *st)
{
	return (st->pw != NULL && st->pw->answered);
}

/* Answer 503: the password could not be checked (!pwhash_answered()). */
void
pwhash_unavailable(struct http_request *req)
{
	reply_retry_after(req, 1);
	reply_problem(req, 503, "unavailable", "passwords cannot be checked "
	    "right now; retry in a moment", NULL);
}

/* When the hasher did not answer, answer 503 and return 1. */
int
pwhash_unanswered(struct http_request *req, struct il_req *st)
{
	if (pwhash_answered(st))
		return (0);
	pwhash_free(st);
	pwhash_unavailable(req);
	return (1);
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
