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
 * - The script runs in its own process group, with the supervisor as its
 *   subreaper: at the timeout, or when the web server sends SIGTERM, SIGHUP
 *   or SIGINT, the group and every descendant still attached to the
 *   supervisor get SIGTERM, then SIGKILL after a grace period.
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
		ALLOW(__NR_getdents64), ALLOW(__NR_lseek),
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
 * Signal the script's process group and every process that is now our
 * child (the subreaper collects orphans, even those that left the group
 * with setsid).  Returns how many children were signalled.
 */
static int
signal_all(pid_t pgid, int sig)
{
	char	path[64], buf[4096];
	ssize_t	n;
	int	fd, count = 0;

	(void)kill(-pgid, sig);
	(void)snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
	    (long)syscall(SYS_gettid));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* A full buffer may end inside a pid: drop that one (the next
	 * round, 200 ms later, reads the list again). */
	if ((size_t)n == sizeof(buf) - 1) {
		char *last = strrchr(buf, ' ');

		if (last == NULL)
			return 0;
		*last = '\0';
	}
	for (char *p = buf, *end; *p != '\0'; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && kill((pid_t)pid, sig) == 0)
			count++;
	}
	return count;
}

static double
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Reap everything that has exited, noting the script's own status.
 * Returns whether any child remains.
 */
static bool
reap(pid_t script, int *status, bool *script_done)
{
	int	st;
	pid_t	pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == script) {
			*status = st;
			*script_done = true;
		}
	return pid == 0;
}

/*
 * The supervisor's life after the fork: already the target, already
 * filtered.  Returns the exit status for cgibox.
 */
static int
supervise(pid_t script, unsigned timeout, double start, struct sup_result *res)
{
	sigset_t	set;
	int		status = 0;
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

		if (!reap(script, &status, &done) && done)
			break;			/* script and descendants gone */
		t = now_ms();
		if (!killing && deadline > 0 && t >= deadline) {
			timed_out = killing = true;
			(void)signal_all(script, SIGTERM);
			kill_at = t + GRACE_SECONDS * 1e3;
		}
		if (killing && t >= kill_at)
			(void)signal_all(script, SIGKILL);
		sig = sigtimedwait(&set, &si, &wait);
		if ((sig == SIGTERM || sig == SIGHUP || sig == SIGINT) &&
		    !killing) {
			killing = true;
			(void)signal_all(script, SIGTERM);
			kill_at = now_ms() + GRACE_SECONDS * 1e3;
		}
	}
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
 * of credentials, hence after the drop.
 */
static pid_t	supervisor_pid;	/* recorded before the fork */

enum reason
supervised_child(struct fault *f)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fault(f, R_SYSTEM, "PR_SET_PDEATHSIG: %s", strerror(errno));
	if (getppid() != supervisor_pid)
		return fault(f, R_SYSTEM, "the supervisor is gone");
	return R_ALLOW;
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
	int			code, null;

	/* Block before the fork so no signal is lost to the default action;
	 * the child unblocks before exec (execute() sets an empty mask). */
	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGCHLD);
	(void)sigaddset(&block, SIGTERM);
	(void)sigaddset(&block, SIGHUP);
	(void)sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		fault(f, R_SYSTEM, "supervisor setup: %s", strerror(errno));
		return -1;
	}
	supervisor_pid = getpid();
	pid = fork();
	if (pid < 0) {
		fault(f, R_SYSTEM, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (slot >= 0)
			(void)close(slot);
		(void)setpgid(0, 0);
		return 0;
	}
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
	code = supervise(pid, timeout, start, &res);
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		res.cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		    1e3 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) /
		    1e3;
		res.max_rss_kb = ru.ru_maxrss;
	}
	audit_end(&res);
	_exit(code);	/* the supervisor's one exit: the script's status */
}
