/*
 * The supervisor: only when timeout or max-requests applies to a request.
 * cgibox forks; the child goes on through the pipeline and execs the
 * script; the parent becomes the supervisor and waits.
 *
 * MUST rules:
 * - Exec in place stays the default: without timeout and max-requests no
 *   supervisor exists.
 * - A concurrency slot is an flock on a file in a root-only runtime
 *   directory, taken as root before the fork and held by the supervisor
 *   alone (close-on-exec: the script never holds it).  The kernel releases
 *   it when the supervisor dies, even by SIGKILL.
 * - The supervisor drops as the script does (no capabilities,
 *   no_new_privs), but with the caller as its real and saved uid so that
 *   the web server may signal it and the target may not; then it installs
 *   its own small seccomp
 *   filter, and holds none of the script's stdio, so the web server sees
 *   end of output exactly when the script and its children close it.
 * - The request gets a PID namespace of its own.  Its first process, the
 *   init, is cgibox's child: it goes through the rest of the pipeline,
 *   then starts the script (execute(), with vfork) as process 2, reaps
 *   what is orphaned, and when the script exits hands its wait status to
 *   the supervisor through a pipe and exits.  When the init dies the
 *   kernel kills every process in the namespace at once, however fast
 *   they fork and whatever session or group they moved to, and the
 *   supervisor reaps the init only when they are all gone.  The script
 *   itself is an ordinary process: signals and SIGPIPE act on it as
 *   anywhere else, which they would not on a namespace's first process.
 * - At the timeout, or when the web server sends SIGTERM, SIGHUP or SIGINT,
 *   the init's process group, where the script starts, gets SIGTERM (the
 *   init ignores it, as a namespace's first process does); after a grace
 *   period the init gets SIGKILL, and with it the whole namespace.
 * - The init has PDEATHSIG SIGKILL, and checks that the supervisor was
 *   still alive after setting it: a supervisor killed by SIGKILL takes the
 *   init, and so the namespace, with it, and the kernel frees its slot.
 * - One final line per supervised request: event=exit (or timeout), the
 *   status or signal, CPU, peak RSS and wall time; a death by SIGSYS is
 *   reason=seccomp-violation.  cgibox exits with the script's status, or
 *   128 + the signal that killed it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgibox.h"

#define GRACE_SECONDS	2

/*
 * Take a free slot among max for uid: RUN_DIR/UID.N, flocked.  Returns the
 * held fd, or -1 with f set (busy, or a system error).
 */
int
slot_take(const char *rundir, uid_t uid, unsigned max, struct fault *f)
{
	int	dfd;

	dfd = open_trusted(rundir, true, true, R_SYSTEM, f);
	if (dfd < 0 && f->reason == R_SYSTEM && mkdir(rundir, 0700) == 0)
		dfd = open_trusted(rundir, true, true, R_SYSTEM, f);
	if (dfd < 0)
		return -1;
	for (unsigned i = 0; i < max; i++) {
		char	name[48];
		int	fd;

		(void)snprintf(name, sizeof(name), "%lu.%u", (unsigned long)uid,
		    i);
		fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
		if (fd < 0) {
			(void)close(dfd);
			fault(f, R_SYSTEM, "slot %s/%s: %s", rundir, name,
			    strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			(void)close(dfd);
			return fd;
		}
		(void)close(fd);
	}
	(void)close(dfd);
	fault(f, R_BUSY, "user already has %u requests running", max);
	return -1;
}

/* ---- the supervisor's own seccomp filter --------------------------------- */

#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#endif

#define ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/*
 * What the wait loop, the kill walk and the log line need; anything else
 * kills the supervisor (and so frees its slot).  Written by hand: it is
 * small and fixed, and libseccomp stays off this path.
 */
static enum reason
supervisor_filter(struct fault *f)
{
#ifdef NATIVE_ARCH
	static struct sock_filter	insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		ALLOW(__NR_read), ALLOW(__NR_write), ALLOW(__NR_close),
		ALLOW(__NR_openat), ALLOW(__NR_wait4), ALLOW(__NR_kill),
		ALLOW(__NR_rt_sigtimedwait), ALLOW(__NR_rt_sigprocmask),
		ALLOW(__NR_rt_sigreturn), ALLOW(__NR_getrusage),
		ALLOW(__NR_clock_gettime), ALLOW(__NR_clock_nanosleep),
		ALLOW(__NR_getpid), ALLOW(__NR_gettid), ALLOW(__NR_exit_group),
		ALLOW(__NR_exit), ALLOW(__NR_socket), ALLOW(__NR_connect),
		ALLOW(__NR_sendto), ALLOW(__NR_brk), ALLOW(__NR_mmap),
		ALLOW(__NR_munmap), ALLOW(__NR_fstat), ALLOW(__NR_newfstatat),
		ALLOW(__NR_lseek), ALLOW(__NR_prlimit64),
		/* sigaltstack: the sanitizer runtimes set one up per thread. */
		ALLOW(__NR_sigaltstack),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog		prog = {
		.len = (unsigned short)(sizeof(insns) / sizeof(insns[0])),
		.filter = insns,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fault(f, R_SECCOMP, "supervisor filter: %s",
		    strerror(errno));
	return R_ALLOW;
#else
	return fault(f, R_SECCOMP, "no supervisor filter for this architecture");
#endif
}

/* ---- killing what the script left ------------------------------------------ */

/*
 * Signal the init's process group, then the init itself.  Killing the
 * init, the first process of the PID namespace, kills the namespace.
 */
static void
signal_all(pid_t init, int sig)
{
	(void)kill(-init, sig);
	(void)kill(init, sig);
}

static double
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Reap the init if it has exited.  Returns whether a child remains.
 */
static bool
reap(pid_t init, int *status, bool *init_done)
{
	int	st;
	pid_t	pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == init) {
			*status = st;
			*init_done = true;
		}
	return pid == 0;
}

/*
 * The supervisor's life after the fork: already the target, already
 * filtered.  Returns the exit status for cgibox.
 */
static int
supervise(pid_t init, int status_rfd, unsigned timeout, double start,
    struct sup_result *res)
{
	sigset_t	set;
	int		status = 0, script_status;
	bool		done = false, timed_out = false, killing = false;
	double		deadline = timeout > 0 ? start + timeout * 1e3 : 0;
	double		kill_at = 0;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGCHLD);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGHUP);
	(void)sigaddset(&set, SIGINT);
	for (;;) {
		struct timespec	wait = { 0, 200L * 1000 * 1000 };
		siginfo_t	si;
		double		t;
		int		sig;

		if (!reap(init, &status, &done) && done)
			break;			/* the namespace is gone */
		t = now_ms();
		if (!killing && deadline > 0 && t >= deadline) {
			timed_out = killing = true;
			signal_all(init, SIGTERM);
			kill_at = t + GRACE_SECONDS * 1e3;
		}
		if (killing && t >= kill_at)
			signal_all(init, SIGKILL);
		sig = sigtimedwait(&set, &si, &wait);
		if ((sig == SIGTERM || sig == SIGHUP || sig == SIGINT) &&
		    !killing) {
			killing = true;
			signal_all(init, SIGTERM);
			kill_at = now_ms() + GRACE_SECONDS * 1e3;
		}
	}
	/* The script's own status, if the init lived to hand it over;
	 * otherwise the init's: a refusal's code, or the timeout's kill. */
	if (read(status_rfd, &script_status, sizeof(script_status)) ==
	    (ssize_t)sizeof(script_status))
		status = script_status;
	res->timed_out = timed_out;
	res->wall_ms = now_ms() - start;
	if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
		return 128 + res->signal;
	}
	res->status = WEXITSTATUS(status);
	return res->status;
}

/*
 * In the child, once it runs as the target: die with the supervisor, so
 * that a killed supervisor (which frees the slot) does not leave the
 * script running uncounted.  The setting survives exec but not a change
 * of credentials, hence after the drop.  The supervisor may have died
 * before it was set: its pidfd, taken before the fork, says so.
 */
static int	supervisor_pidfd = -1;	/* the child's handle on its parent */
static int	status_fd = -1;		/* the init's pipe to the supervisor */

enum reason
supervised_child(struct fault *f)
{
	struct pollfd	pfd = { .fd = supervisor_pidfd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fault(f, R_SYSTEM, "PR_SET_PDEATHSIG: %s", strerror(errno));
	if (poll(&pfd, 1, 0) != 0)	/* readable: it has exited */
		return fault(f, R_SYSTEM, "the supervisor is gone");
	(void)close(supervisor_pidfd);
	supervisor_pidfd = -1;
	return R_ALLOW;
}

/* The init: the script has ended with this wait status. */
NORETURN void
init_report(int status)
{
	ssize_t	n = write(status_fd, &status, sizeof(status));

	_exit(n == (ssize_t)sizeof(status) ? 0 : 1);
}

/*
 * Fork.  In the child, return 0 and let the pipeline go on.  In the
 * parent, become the supervisor and never return: log the end, exit with
 * the script's status.  slot is the held concurrency slot, or -1.
 */
pid_t
supervisor_fork(const struct target *t, unsigned timeout, int slot,
    struct fault *f)
{
	struct sup_result	res = { 0 };
	struct rusage		ru;
	sigset_t		block;
	double			start = now_ms();
	uid_t			caller = getuid();	/* still the web server */
	pid_t			pid;
	int			code, null, pipefd[2];

	/* Block before the fork so no signal is lost to the default action;
	 * the child unblocks before exec (execute() sets an empty mask). */
	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGCHLD);
	(void)sigaddset(&block, SIGTERM);
	(void)sigaddset(&block, SIGHUP);
	(void)sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0) {
		fault(f, R_SYSTEM, "supervisor setup: %s", strerror(errno));
		return -1;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fault(f, R_SYSTEM, "pipe: %s", strerror(errno));
		return -1;
	}
	/* The next child is the first process of a new PID namespace. */
	if (unshare(CLONE_NEWPID) < 0) {
		fault(f, R_SYSTEM, "unshare(CLONE_NEWPID): %s", strerror(errno));
		return -1;
	}
	supervisor_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (supervisor_pidfd < 0) {
		fault(f, R_SYSTEM, "pidfd_open: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fault(f, R_SYSTEM, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (slot >= 0)
			(void)close(slot);
		(void)close(pipefd[0]);
		status_fd = pipefd[1];
		(void)setpgid(0, 0);
		return 0;
	}
	(void)close(supervisor_pidfd);
	supervisor_pidfd = -1;
	(void)close(pipefd[1]);
	(void)setpgid(pid, pid);
	/* Hold none of the script's stdio. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		(void)dup3(null, fd, 0);
	if (null > 2)
		(void)close(null);
	if (confine_drop(t, caller != 0 ? caller : t->uid, f) ||
	    supervisor_filter(f)) {
		/* No script may run with a root parent, nor unsupervised. */
		(void)kill(-pid, SIGKILL);
		reject_fault(f);
	}
	code = supervise(pid, pipefd[0], timeout, start, &res);
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		res.cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		    1e3 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) /
		    1e3;
		res.max_rss_kb = ru.ru_maxrss;
	}
	audit_end(&res);
	_exit(code);	/* the supervisor's one exit: the script's status */
}
