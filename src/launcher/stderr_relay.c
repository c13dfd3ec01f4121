/*
 * The script's standard error, relayed line by line: the web server
 * writes what a CGI prints to stderr into its own error log, where one
 * newline would let a tenant start a line of its choosing (a forged
 * "user not found ... client: ADDR" that fail2ban counts against ADDR).
 * So the script's fd 2 is a pipe, and the process the web server started
 * writes each line to the web server's stderr as stderr_line() makes it:
 * "cgibox request_id=ID: TEXT", TEXT escaped as the audit log escapes
 * values.  cgiboxd does the same in its relay, as FCGI_STDERR records.
 *
 * Who relays:
 * - under a supervisor, the supervisor, in its wait (supervise.c);
 * - otherwise the launcher forks: the child goes on through the pipeline
 *   and becomes the script; the parent, the process the web server
 *   started and waits for, relays, passes on the web server's signals,
 *   and exits with the script's status (stderr_parent()).
 *
 * MUST rules:
 * - The relaying process is the script's parent, so nothing is left for
 *   another process to reap.  Without a supervisor it becomes the target,
 *   as the script executed in place used to be (no groups, no capability,
 *   not dumpable; it never executes anything): the web server's signals
 *   are refused as before, and the script cannot trace it.  It sets
 *   no_new_privs and runs under a small seccomp filter.
 * - It holds the web server's stderr and the pipe, never the script's
 *   stdin or stdout.
 * - The launcher's own refusals go to the web server's stderr directly
 *   (audit_stderr), never through the pipe.
 * - When the script has exited, what it wrote is relayed and the parent
 *   exits: a background process that still holds the pipe does not keep
 *   the web server waiting (its later writes fail with EPIPE).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgibox.h"

static struct {
	int			 rfd, wfd;	/* the pipe */
	int			 server;	/* the web server's stderr */
	const char		*id;
	struct err_lines	 l;
} E = { -1, -1, -1, NULL, { { 0 }, 0 } };

/* Whole or not at all; a web server that closed its stderr loses it. */
static void
put(const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(E.server, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

static void
emit(void *ctx, const char *text, size_t len)
{
	char	line[STDERR_LINE_MAX + 128];
	size_t	n;

	(void)ctx;
	n = stderr_line(line, sizeof(line) - 1, E.id, text, len);
	line[n++] = '\n';
	put(line, n);
}

/* Before the fork: the pipe, and a copy of the web server's stderr. */
enum reason
errpipe_open(struct fault *f)
{
	int	p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return fault(f, R_SYSTEM, "pipe: %s", strerror(errno));
	if ((E.server = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return fault(f, R_SYSTEM, "dup: %s", strerror(errno));
	}
	E.rfd = p[0];
	E.wfd = p[1];
	E.id = audit_request_id();
	return R_ALLOW;
}

/*
 * In the process that becomes the script (or its init): fd 2 the pipe.
 * It may share the parent's memory (main.c), so it changes only its own
 * descriptors, never E.
 */
enum reason
errpipe_child(struct fault *f)
{
	if (dup2(E.wfd, STDERR_FILENO) < 0)
		return fault(f, R_SYSTEM, "dup2: %s", strerror(errno));
	(void)close(E.wfd);
	(void)close(E.rfd);
	audit_stderr(E.server);
	return R_ALLOW;
}

/* In the relaying parent: the read end alone, non-blocking. */
int
errpipe_parent(void)
{
	(void)close(E.wfd);
	E.wfd = -1;
	(void)fcntl(E.rfd, F_SETFL, O_NONBLOCK);
	audit_stderr(E.server);
	return E.rfd;
}

/* Relay what is there; false once every writer has closed the pipe. */
bool
errpipe_relay(void)
{
	char	buf[4096];

	for (;;) {
		ssize_t	n = read(E.rfd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0) {
			err_lines_end(&E.l, emit, NULL);
			return false;
		}
		err_lines_feed(&E.l, buf, (size_t)n, emit, NULL);
	}
}

/* The script is gone: what it wrote, and a last unterminated line. */
void
errpipe_end(void)
{
	if (E.rfd >= 0 && errpipe_relay())
		err_lines_end(&E.l, emit, NULL);
}

/* ---- without a supervisor: the parent of the script ------------------- */

static const long	parent_calls[] = {
	__NR_read, __NR_write, __NR_close, __NR_poll, __NR_ppoll,
	__NR_wait4, __NR_kill, __NR_getpid, __NR_rt_sigprocmask,
	__NR_rt_sigaction, __NR_rt_sigreturn, __NR_exit_group, __NR_exit,
	__NR_brk, __NR_mmap, __NR_munmap,
	__NR_madvise,		/* ASan's allocator gives big blocks back */
	__NR_sigaltstack,	/* the sanitizer runtimes set one up per thread */
};

/* What the web server may send the script, through its parent. */
static const int	forwarded[] = {
	SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
	SIGCONT, SIGWINCH, SIGPIPE,
};

void
stderr_parent_signals(sigset_t *set)
{
	(void)sigemptyset(set);
	(void)sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		(void)sigaddset(set, forwarded[i]);
}

/* End as the script ended: its exit status, or its death by a signal. */
NORETURN static void
end_as(int status)
{
	sigset_t	s;

	if (WIFSIGNALED(status)) {
		int	sig = WTERMSIG(status);

		(void)signal(sig, SIG_DFL);
		(void)sigemptyset(&s);
		(void)sigaddset(&s, sig);
		(void)sigprocmask(SIG_UNBLOCK, &s, NULL);
		(void)kill(getpid(), sig);
		_exit(128 + sig);
	}
	_exit(WEXITSTATUS(status));
}

/*
 * The target's ids, all three, and its group alone: what the script had
 * when it was executed in place, so that the web server's signals are
 * refused as they were then (a server that may signal its CGI waits for
 * it to be reaped: mod_cgid sleeps in steps of 10 ms until kill(pid, 0)
 * fails).  Every capability goes with uid 0, and with the change of ids
 * the process is no longer dumpable: the script, the same user, may
 * signal it but not trace it or read its memory.
 */
static enum reason
become_target(const struct target *t, struct fault *f)
{
	if (setgroups(0, NULL) < 0 || setresgid(t->gid, t->gid, t->gid) < 0 ||
	    setresuid(t->uid, t->uid, t->uid) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fault(f, R_PRIVDROP, "becoming %s: %s", t->user,
		    strerror(errno));
	return R_ALLOW;
}

/*
 * The launcher's parent side, after the fork: relay, pass on signals,
 * and exit as the script did.  The signals of stderr_parent_signals()
 * were blocked before the fork.  Never returns.
 */
NORETURN void
stderr_parent(pid_t child, const struct target *t)
{
	struct fault	f;
	sigset_t	set;
	int		sfd, status = 0, null;
	bool		piped = true, reaped = false;

	stderr_parent_signals(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	(void)errpipe_parent();
	/* Neither the script's stdin nor its stdout. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		(void)dup3(null, STDIN_FILENO, O_CLOEXEC);
		(void)dup3(null, STDOUT_FILENO, O_CLOEXEC);
		(void)close(null);
	}
	if (sfd < 0 || become_target(t, &f) ||
	    allowlist_install(parent_calls, sizeof(parent_calls) /
	    sizeof(parent_calls[0]), &f)) {
		/* The script cannot be left to run with a root parent: the
		 * child, still root or not, goes; the refusal is logged. */
		(void)kill(child, SIGKILL);
		if (sfd < 0)
			(void)fault(&f, R_SYSTEM, "signalfd: %s",
			    strerror(errno));
		reject_fault(&f);
	}
	for (;;) {
		struct pollfd	p[2] = { { sfd, POLLIN, 0 },
		    { piped ? E.rfd : -1, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents != 0)
			piped = errpipe_relay();
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo	si;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo != SIGCHLD)
					(void)kill(child, (int)si.ssi_signo);
			if (waitpid(child, &status, WNOHANG) == child) {
				reaped = true;
				break;
			}
		}
	}
	while (!reaped && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	errpipe_end();
	end_as(status);
}
