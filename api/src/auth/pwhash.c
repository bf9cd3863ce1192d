/*
 * Password hashing off the event loop.  Argon2id (crypto_pwhash_str,
 * INTERACTIVE limits: ~85 ms and 64 MiB a hash here) runs outside the
 * workers: HASH_THREADS_PER_WORKER hashes at once per worker, and at most
 * HASH_QUEUE_PER_WORKER waiting or running per worker, beyond which the
 * caller answers 503 with Retry-After.  Memory is therefore bounded by
 * workers * threads * 64 MiB whatever the number of logins.
 *
 * Hashing must never slow the reads down, and SCHED_IDLE threads alone
 * do not ensure it: the kernel shares the CPU between scheduling groups
 * first (cgroups, and without them the autogroup of each session), and
 * only then between the tasks of a group.  PostgreSQL runs in a group of
 * its own (pg_ctl starts a session; a service or a container has its
 * cgroup), so a worker's idle hash threads kept the API's group runnable
 * and took half the CPU from PostgreSQL: read p99 rose 10 to 60 times
 * during a login storm (bench/members.sh), and was back to 1.2 with
 * autogroups turned off.
 *
 * So the hashes run in a process of their own, the hasher, forked by the
 * parent at start-up (pwhash_init()): it starts a session, which gives it
 * an autogroup of its own, sets that group's nice to 19 (a weight of 15
 * against 1024 for PostgreSQL's and the workers' groups), and its threads
 * are SCHED_IDLE within it.  Logins get what the reads leave (all of it
 * when nothing else runs).  In a container with its own cgroup there are
 * no autogroups and the hasher shares the API container's weight.
 *
 * Priorities are not enough either: the hasher also keeps one core of
 * those it may use free of hashes (hasher_spare_cpu()).  A hash thread
 * that may run on every core leaves none idle, and the reads' tasks
 * then wait behind it when they wake: a plain busy loop at the lowest
 * priority the kernel offers (a SCHED_IDLE thread in a nice-19 autogroup,
 * or in a cgroup with cpu.idle set) raised the signed-in list's p99 3 to
 * 7 times on 2 cores (Linux 6.18), one pinned to one core by at most 1.5
 * times; the hasher itself during a storm of 32 logins: p99 4.8 -> 16.8
 * ms on both cores, 4.8 -> 5.3 ms kept off one.  The price is the login
 * ceiling on a machine of 2 cores: one hash at a time.
 *
 * Each worker's task threads (Kore tasks, normal priority: they share
 * locks with the event loop) each own one socket pair to a hasher thread
 * of their own (workers * threads pairs, made by the parent, so a worker
 * that restarts finds its pairs again).  A task sends its job and waits
 * for the answer with the same sequence number; an answer for a job of a
 * worker that died on the way is skipped.  The plaintext lives only in
 * the job and the socket's buffer, and is wiped when the hash has used
 * it.
 *
 * The hasher keeps the hashes going when its hashing process dies (as
 * when the kernel's OOM killer ends it: 64 MiB per hash under way): it
 * holds the sockets and forks that process (il-hashes) again, so the
 * workers' ends stay good.  Each thread notes the job it has taken in a
 * table the two share (taken from the socket only once noted: MSG_PEEK
 * first), and the hasher answers those jobs "lost": their logins get 503,
 * not 401, and count as no failed attempt (pwhash_answered()).  Jobs
 * still in a socket wait for the new process.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"

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

char		pwhash_dummy[crypto_pwhash_STRBYTES];
static int	inflight;

/* The workers' ends, [(worker id - 1) * hash threads + slot]. */
static int		*pw_fds;
static int		pw_nfds;
static atomic_int	pw_slots;		/* slots taken in this worker */
static __thread int	pw_fd = -1;		/* this task thread's */
static __thread u_int64_t	pw_seq;

/* In the hasher: its ends, and the job each thread has taken (or 0). */
static int			*h_fds;
static _Atomic u_int64_t	*h_taken;

static int	pw_task(struct kore_task *);
static void	pw_run(struct pw_job *);
static void	hasher_start(void);
static void	hasher_main(int *, int) __attribute__((noreturn));
static void	hasher_hashes(int, pid_t) __attribute__((noreturn));
static void	hasher_lost(int);
static void	hasher_spare_cpu(void);
static void	*hasher_thread(void *);
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
	hasher_start();
}

/* Parent: the socket pairs, then the hasher with its ends. */
static void
hasher_start(void)
{
	int	i, sv[2], *theirs;
	pid_t	pid;

	pw_nfds = il_cfg.workers * il_cfg.hash_threads;
	if ((pw_fds = calloc((size_t)pw_nfds, sizeof(int))) == NULL ||
	    (theirs = calloc((size_t)pw_nfds, sizeof(int))) == NULL)
		fatal("hasher_start: calloc");
	for (i = 0; i < pw_nfds; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
			fatal("hasher_start: socketpair: %s", errno_s);
		pw_fds[i] = sv[0];
		theirs[i] = sv[1];
	}
	if ((pid = fork()) == -1)
		fatal("hasher_start: fork: %s", errno_s);
	if (pid == 0)
		hasher_main(theirs, pw_nfds);
	for (i = 0; i < pw_nfds; i++)
		close(theirs[i]);
	free(theirs);
}

/*
 * The hasher: nothing of the parent but its own sockets, a session and
 * an autogroup of its own at nice 19, and the hashing process, forked
 * again whenever it dies.  It ends with the parent (PR_SET_PDEATHSIG) or
 * when every worker end is closed (the hashing process then exits 0).
 */
static void
hasher_main(int *fds, int n)
{
	DIR		*dir;
	struct dirent	*de;
	struct passwd	*pwd;
	sigset_t	all;
	time_t		born;
	pid_t		pid, self = getpid();
	int		i, fd, ok, keep, ag, status;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	(void)prctl(PR_SET_NAME, "il-hasher");
	for (i = 1; i < NSIG; i++)
		(void)signal(i, SIG_DFL);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);

	/* Close whatever else the parent had open. */
	if ((dir = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			fd = (int)kore_strtonum(de->d_name, 10, 3, INT_MAX, &ok);
			if (ok != KORE_RESULT_OK || fd == dirfd(dir))
				continue;
			for (keep = 0, i = 0; i < n && !keep; i++)
				keep = fds[i] == fd;
			if (!keep)
				(void)close(fd);
		}
		closedir(dir);
	}

	/* The workers' user, when Kore drops privileges (not with -r). */
	if (!skip_runas && kore_runas_user != NULL) {
		if ((pwd = getpwnam(kore_runas_user)) == NULL ||
		    setgroups(1, &pwd->pw_gid) == -1 ||
		    setresgid(pwd->pw_gid, pwd->pw_gid, pwd->pw_gid) == -1 ||
		    setresuid(pwd->pw_uid, pwd->pw_uid, pwd->pw_uid) == -1)
			_exit(1);
	}

	/* Without autogroups (or in a cgroup) this file is absent. */
	(void)setsid();
	if ((ag = open("/proc/self/autogroup", O_WRONLY)) != -1) {
		(void)write(ag, "19", 2);
		(void)close(ag);
	}
	hasher_spare_cpu();

	h_fds = fds;
	h_taken = mmap(NULL, (size_t)n * sizeof(*h_taken),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h_taken == MAP_FAILED)
		_exit(1);
	for (;;) {
		born = time(NULL);
		if ((pid = fork()) == -1)
			_exit(1);
		if (pid == 0)
			hasher_hashes(n, self);
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR)
				_exit(1);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			_exit(0);
		if (WIFSIGNALED(status))
			(void)dprintf(STDERR_FILENO, "il-hasher: the hashing "
			    "process ended by signal %d; starting it again\n",
			    WTERMSIG(status));
		else
			(void)dprintf(STDERR_FILENO, "il-hasher: the hashing "
			    "process exited with %d; starting it again\n",
			    WEXITSTATUS(status));
		hasher_lost(n);
		/* One that cannot live is not forked more than once a second. */
		if (time(NULL) - born < 1)
			(void)sleep(1);
	}
}

/* The hashing process: one SCHED_IDLE thread per socket. */
static void
hasher_hashes(int n, pid_t hasher)
{
	pthread_t	*tids;
	int		i;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != hasher)
		_exit(0);
	(void)prctl(PR_SET_NAME, "il-hashes");
	if ((tids = calloc((size_t)n, sizeof(*tids))) == NULL)
		_exit(1);
	for (i = 0; i < n; i++) {
		if (pthread_create(&tids[i], NULL, hasher_thread,
		    (void *)(intptr_t)i) != 0)
			_exit(1);
	}
	for (i = 0; i < n; i++)
		(void)pthread_join(tids[i], NULL);
	_exit(0);
}

/*
 * The hashing process died: answer the jobs its threads had taken, lost
 * (a job answered already gets a second answer, which its task skips:
 * the sequence numbers differ).
 */
static void
hasher_lost(int n)
{
	struct pw_job	ans;
	int		i;

	memset(&ans, 0, sizeof(ans));
	ans.lost = 1;
	for (i = 0; i < n; i++) {
		if ((ans.seq = atomic_exchange(&h_taken[i], 0)) == 0)
			continue;
		while (send(h_fds[i], &ans, sizeof(ans),
		    MSG_NOSIGNAL | MSG_DONTWAIT) == -1 && errno == EINTR)
			;
	}
}

/*
 * Hash on every core this process may use but the last one, when it may
 * use two or more (a container's cpuset included).  Before the threads
 * start: they inherit it.
 */
static void
hasher_spare_cpu(void)
{
	cpu_set_t	set;
	int		cpu, last;

	if (sched_getaffinity(0, sizeof(set), &set) == -1 ||
	    CPU_COUNT(&set) < 2)
		return;
	for (last = -1, cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &set))
			last = cpu;
	}
	CPU_CLR(last, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

/*
 * One socket's jobs, at SCHED_IDLE (pid 0: the calling thread).  A job is
 * noted as taken before it leaves the socket (see hasher_lost()).
 */
static void *
hasher_thread(void *arg)
{
	struct sched_param	sp;
	struct pw_job		job;
	ssize_t			r;
	int			i = (int)(intptr_t)arg;
	int			fd = h_fds[i];

	memset(&sp, 0, sizeof(sp));
	(void)sched_setscheduler(0, SCHED_IDLE, &sp);
	for (;;) {
		r = recv(fd, &job, sizeof(job), MSG_PEEK);
		if (r > 0) {
			if (r == (ssize_t)sizeof(job))
				atomic_store(&h_taken[i], job.seq);
			r = recv(fd, &job, sizeof(job), 0);
		}
		if (r == 0)
			break;		/* every worker end is closed */
		if (r == -1 && errno == EINTR)
			continue;
		/*
		 * Any other error: end the hasher, so that every task sees its
		 * socket close (the login fails) rather than wait for ever.
		 */
		if (r == -1)
			_exit(1);
		if (r != (ssize_t)sizeof(job))
			continue;
		pw_run(&job);
		while (send(fd, &job, sizeof(job), MSG_NOSIGNAL) == -1 &&
		    errno == EINTR)
			;
		atomic_store(&h_taken[i], 0);
		sodium_memzero(&job, sizeof(job));
	}
	return (NULL);
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

/* One job, in the hasher; the plaintexts are wiped when used. */
static void
pw_run(struct pw_job *job)
{
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
