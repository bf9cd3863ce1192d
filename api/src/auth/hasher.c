/*
 * The hasher: the process in which the password hashes run, one thread
 * for each socket pair of a worker's task (pwhash.c sends the jobs and
 * waits for the answers).
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "pwhash.h"

/* In the hasher: its ends, and the job each thread has taken (or 0). */
static int			*h_fds;
static _Atomic u_int64_t	*h_taken;

static void	hasher_main(int *, int) __attribute__((noreturn));
static void	hasher_hashes(int, pid_t) __attribute__((noreturn));
static void	hasher_lost(int);
static void	hasher_spare_cpu(void);
static void	*hasher_thread(void *);
static void	pw_run(struct pw_job *);

/*
 * Parent: n socket pairs, then the hasher with its ends.  Returns the
 * other ends, the workers' (n of them, kept for the life of the
 * process); any failure is fatal().
 */
int *
hasher_start(int n)
{
	int	i, sv[2], *ours, *theirs;
	pid_t	pid;

	if ((ours = calloc((size_t)n, sizeof(int))) == NULL ||
	    (theirs = calloc((size_t)n, sizeof(int))) == NULL)
		fatal("hasher_start: calloc");
	for (i = 0; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
			fatal("hasher_start: socketpair: %s", errno_s);
		ours[i] = sv[0];
		theirs[i] = sv[1];
	}
	if ((pid = fork()) == -1)
		fatal("hasher_start: fork: %s", errno_s);
	if (pid == 0)
		hasher_main(theirs, n);
	for (i = 0; i < n; i++)
		close(theirs[i]);
	free(theirs);
	return (ours);
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
