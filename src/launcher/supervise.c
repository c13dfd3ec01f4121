/*
 * The launcher's supervisor: only when timeout or max-requests applies to
 * a request.  cgibox forks the request's init into a PID namespace of its
 * own (core/sandbox.c); the init goes on through the pipeline; the parent,
 * still the process the web server started, becomes the supervisor.
 *
 * MUST rules:
 * - Without timeout and max-requests no supervisor exists: the launcher
 *   stays only as the script's parent, to relay its stderr and pass the
 *   web server's signals on (stderr_relay.c).
 * - The supervisor drops as the script does (no capabilities,
 *   no_new_privs), but with the caller as its real and saved uid so that
 *   the web server may signal it and the target may not; then it installs
 *   its own small seccomp filter, and holds none of the script's stdio, so
 *   the web server sees end of output exactly when the script and its
 *   children close it.  It relays the script's stderr, a pipe, to the
 *   web server's, one escaped line at a time (stderr_relay.c).
 * - SIGTERM, SIGHUP or SIGINT from the web server stop the request as the
 *   timeout does.
 * - One final line per supervised request: event=exit (or timeout), the
 *   status or signal, CPU, peak RSS and wall time; a death by SIGSYS is
 *   reason=seccomp-violation.  cgibox exits with the script's status, or
 *   128 + the signal that killed it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgibox.h"

/*
 * What the wait, the kill and the log line need; anything else kills the
 * supervisor (and so frees its slot, and ends the request).
 */
static const long	supervisor_calls[] = {
	__NR_read, __NR_write, __NR_close, __NR_openat, __NR_wait4, __NR_kill,
	__NR_poll, __NR_ppoll, __NR_rt_sigreturn, __NR_clock_gettime,
	__NR_clock_nanosleep, __NR_getpid, __NR_gettid, __NR_exit_group,
	__NR_exit, __NR_socket, __NR_connect, __NR_sendto, __NR_brk,
	__NR_mmap, __NR_munmap, __NR_fstat, __NR_newfstatat, __NR_lseek,
	__NR_prlimit64, __NR_epoll_wait, __NR_epoll_pwait, __NR_epoll_ctl,
	__NR_sigaltstack,	/* the sanitizer runtimes set one up per thread */
};

/* What the wait watches: the web server's signals, the script's stderr. */
struct watch {
	int	ep, sfd, err;
};

/*
 * A signal from the web server stops the request as the timeout would;
 * the script's stderr is relayed (stderr_relay.c).
 */
static enum sb_action
on_watch(void *ctx)
{
	struct watch		*w = ctx;
	struct epoll_event	 ev[2];
	enum sb_action		 a = SB_GO_ON;
	int			 n = epoll_wait(w->ep, ev, 2, 0);

	for (int i = 0; i < n; i++) {
		struct signalfd_siginfo	si;

		if (ev[i].data.fd == w->sfd && read(w->sfd, &si, sizeof(si)) ==
		    (ssize_t)sizeof(si))
			a = SB_STOP;
		if (ev[i].data.fd == w->err && !errpipe_relay()) {
			(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, w->err, NULL);
			w->err = -1;
		}
	}
	return a;
}

/*
 * The supervisor's life after the fork, in the parent; never returns: log
 * the end, exit with the script's status.  t is the target, caller the
 * web server's uid.
 */
NORETURN void
supervise(struct sandbox *sb, const struct target *t, uid_t caller,
    unsigned timeout, struct fault *f)
{
	struct sup_result	res;
	struct watch		w;
	struct epoll_event	ev;
	sigset_t		sigs;
	int			code, null;

	(void)sigemptyset(&sigs);
	(void)sigaddset(&sigs, SIGTERM);
	(void)sigaddset(&sigs, SIGHUP);
	(void)sigaddset(&sigs, SIGINT);
	w.sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	w.err = errpipe_parent();
	w.ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = w.sfd;
	if (w.ep >= 0 && epoll_ctl(w.ep, EPOLL_CTL_ADD, w.sfd, &ev) == 0) {
		ev.data.fd = w.err;
		if (epoll_ctl(w.ep, EPOLL_CTL_ADD, w.err, &ev) < 0) {
			(void)close(w.ep);
			w.ep = -1;
		}
	} else if (w.ep >= 0) {
		(void)close(w.ep);
		w.ep = -1;
	}
	/* Hold none of the script's stdio (the web server's stderr is held
	 * apart, for the relay). */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		(void)dup3(null, fd, 0);
	if (null > 2)
		(void)close(null);
	if (w.sfd < 0 || w.ep < 0)
		(void)fault(f, R_SYSTEM, "signalfd or epoll: %s",
		    strerror(errno));
	if (w.sfd < 0 || w.ep < 0 || confine_drop(t, caller != 0 ? caller :
	    t->uid, f) || allowlist_install(supervisor_calls,
	    sizeof(supervisor_calls) / sizeof(supervisor_calls[0]), f)) {
		/* No script may run with a root parent, nor unsupervised. */
		sandbox_kill(sb);
		reject_fault(f);
	}
	code = sandbox_wait(sb, timeout, w.ep, on_watch, &w, &res);
	errpipe_end();	/* every writer is gone with the namespace */
	audit_end(&res);
	_exit(code);	/* the supervisor's one exit: the script's status */
}
