/*
 * The request's sandbox of processes: a PID namespace whose first
 * process, the init, becomes the script's parent, and the wait for it to
 * end.  Both front ends supervise a request this way: the launcher when
 * timeout or max-requests applies (launcher/supervise.c), cgiboxd always
 * (daemon/conn.c).  Also the concurrency slots.
 *
 * MUST rules:
 * - A concurrency slot is an flock on a file in a root-only runtime
 *   directory, taken as root before the fork and held by the supervising
 *   process alone (close-on-exec: the script never holds it).  The kernel
 *   releases it when that process dies, even by SIGKILL.
 * - The request gets a PID namespace of its own.  Its first process, the
 *   init, is the fork's child: it goes through the rest of the pipeline,
 *   then starts the script (execute(), as posix_spawn would) as process 2,
 *   reaps what is orphaned, and when the script exits hands its wait
 *   status to the supervisor through a pipe and exits.  When the init dies
 *   the kernel kills every process in the namespace at once, however fast
 *   they fork and whatever session or group they moved to, and the
 *   supervisor reaps the init only when they are all gone.  The script
 *   itself is an ordinary process: signals and SIGPIPE act on it as
 *   anywhere else, which they would not on a namespace's first process.
 * - The fork does not change the caller's PID namespace for later
 *   children: cgiboxd forks one sandbox per request from one process.
 * - To stop a request, the init's process group, where the script starts,
 *   gets SIGTERM (the init ignores it, as a namespace's first process
 *   does); after a grace period the init gets SIGKILL, and with it the
 *   whole namespace.  At the timeout the same.
 * - The init has PDEATHSIG SIGKILL, and checks that the supervisor was
 *   still alive after setting it: a supervisor killed by SIGKILL takes the
 *   init, and so the namespace, with it, and the kernel frees its slot.
 * - The accounting (CPU, peak RSS) comes from wait4 on the init, which has
 *   reaped the script and every orphan: it is this request's alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
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

double
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- in the init ----------------------------------------------------------- */

static int	supervisor_pidfd = -1;	/* the init's handle on its parent */
static int	status_fd = -1;		/* the init's pipe to the supervisor */

/*
 * In the init, once it runs as the target: die with the supervisor, so
 * that a killed supervisor (which frees the slot) does not leave the
 * script running uncounted.  The setting survives exec but not a change
 * of credentials, hence after the drop.  The supervisor may have died
 * before it was set: its pidfd, taken before the fork, says so.
 */
enum reason
sandbox_child(struct fault *f)
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

/* ---- in the supervisor ------------------------------------------------------ */

/*
 * Fork the request's init into a new PID namespace.  Returns 0 in the
 * init, 1 in the parent, -1 with f set.  slot, if not -1, is closed in the
 * init.  The parent's own later children stay in its namespace.
 */
int
sandbox_fork(struct sandbox *sb, int slot, struct fault *f)
{
	int	pipefd[2], self_ns, self_pidfd;
	pid_t	pid;

	memset(sb, 0, sizeof(*sb));
	sb->init = -1;
	sb->pidfd = sb->status_fd = -1;
	if ((self_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0) {
		fault(f, R_SYSTEM, "/proc/self/ns/pid: %s", strerror(errno));
		return -1;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fault(f, R_SYSTEM, "pipe: %s", strerror(errno));
		(void)close(self_ns);
		return -1;
	}
	self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	/* The next child is the first process of a new PID namespace. */
	if (self_pidfd < 0 || unshare(CLONE_NEWPID) < 0) {
		fault(f, R_SYSTEM, "%s: %s", self_pidfd < 0 ? "pidfd_open" :
		    "unshare(CLONE_NEWPID)", strerror(errno));
		goto fail;
	}
	sb->start = now_ms();
	pid = fork();
	if (pid == 0) {
		if (slot >= 0)
			(void)close(slot);
		(void)close(self_ns);
		(void)close(pipefd[0]);
		status_fd = pipefd[1];
		supervisor_pidfd = self_pidfd;
		(void)setpgid(0, 0);
		return 0;
	}
	/* Back in our own namespace for the children that come later. */
	if (setns(self_ns, CLONE_NEWPID) < 0 && pid > 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		fault(f, R_SYSTEM, "setns: %s", strerror(errno));
		goto fail;
	}
	if (pid < 0) {
		fault(f, R_SYSTEM, "fork: %s", strerror(errno));
		goto fail;
	}
	(void)setpgid(pid, pid);
	(void)close(self_ns);
	(void)close(self_pidfd);
	(void)close(pipefd[1]);
	sb->init = pid;
	sb->status_fd = pipefd[0];
	sb->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (sb->pidfd < 0) {
		(void)kill(pid, SIGKILL);
		fault(f, R_SYSTEM, "pidfd_open: %s", strerror(errno));
		return -1;
	}
	return 1;
fail:
	(void)close(self_ns);
	(void)close(pipefd[0]);
	(void)close(pipefd[1]);
	if (self_pidfd >= 0)
		(void)close(self_pidfd);
	return -1;
}

/* Begin to stop the request: SIGTERM now, SIGKILL after the grace. */
void
sandbox_stop(struct sandbox *sb)
{
	if (sb->killing)
		return;
	sb->killing = true;
	sb->kill_at = now_ms() + GRACE_SECONDS * 1e3;
	(void)kill(-sb->init, SIGTERM);
	(void)kill(sb->init, SIGTERM);
}

/* End the request now: the init, and with it the namespace. */
void
sandbox_kill(struct sandbox *sb)
{
	sb->killing = true;
	sb->kill_at = 0;
	(void)kill(sb->init, SIGKILL);
}

/*
 * Wait until the namespace is gone.  At the timeout (0: none) stop the
 * request.  When watch (-1: none) is readable, call on_watch, which says
 * what to do: SB_GO_ON, SB_STOP (stop with the grace period) or SB_KILL.
 * Fills res; returns the exit code for the request: the script's status,
 * or 128 + the signal that ended it (or the init).
 */
int
sandbox_wait(struct sandbox *sb, unsigned timeout, int watch,
    enum sb_action (*on_watch)(void *), void *ctx, struct sup_result *res)
{
	struct rusage	ru;
	double		deadline = timeout > 0 ? sb->start + timeout * 1e3 : 0;
	int		status = 0, script_status;

	memset(res, 0, sizeof(*res));
	for (;;) {
		struct pollfd	pfd[2] = {
			{ .fd = sb->pidfd, .events = POLLIN },
			{ .fd = watch, .events = POLLIN },
		};
		double		t = now_ms(), next = -1;
		int		n;

		if (!sb->killing && deadline > 0 && t >= deadline) {
			res->timed_out = true;
			sandbox_stop(sb);
		}
		if (sb->killing && sb->kill_at > 0 && t >= sb->kill_at)
			sandbox_kill(sb);
		if (!sb->killing && deadline > 0)
			next = deadline - t;
		else if (sb->killing && sb->kill_at > 0)
			next = sb->kill_at - t;
		n = poll(pfd, watch >= 0 ? 2 : 1, next < 0 ? -1 :
		    (int)next + 1);
		if (n < 0 && errno != EINTR)
			sandbox_kill(sb);	/* cannot wait: end it */
		if (n > 0 && (pfd[0].revents & POLLIN))
			break;
		if (n > 0 && watch >= 0 && pfd[1].revents != 0 &&
		    on_watch != NULL) {
			switch (on_watch(ctx)) {
			case SB_STOP:
				sandbox_stop(sb);
				break;
			case SB_KILL:
				res->aborted = true;
				sandbox_kill(sb);
				break;
			case SB_GO_ON:
			default:
				break;
			}
			if (watch >= 0 && (pfd[1].revents & (POLLHUP | POLLERR)))
				watch = -1;	/* nothing more will come */
		}
	}
	memset(&ru, 0, sizeof(ru));
	while (wait4(sb->init, &status, 0, &ru) < 0 && errno == EINTR)
		continue;
	/* The script's own status, if the init lived to hand it over;
	 * otherwise the init's: a refusal's code, or the kill's signal. */
	if (read(sb->status_fd, &script_status, sizeof(script_status)) ==
	    (ssize_t)sizeof(script_status))
		status = script_status;
	(void)close(sb->status_fd);
	(void)close(sb->pidfd);
	sb->status_fd = sb->pidfd = -1;
	res->wall_ms = now_ms() - sb->start;
	res->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	res->max_rss_kb = ru.ru_maxrss;
	if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
		return 128 + res->signal;
	}
	res->status = WEXITSTATUS(status);
	return res->status;
}
