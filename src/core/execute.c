/*
 * Exec the script that was checked.
 *
 * MUST rules:
 * - Runs after the privilege drop: every check here is made as the target.
 * - The seccomp filter is installed after chdir and umask, right before
 *   the exec: the policy must allow execve, execveat and newfstatat.
 * - Under a supervisor this process is the init of the request's PID
 *   namespace: the script is started as posix_spawn would (no copy of
 *   this process's memory), and only that child installs the filter and
 *   execs; the init stays outside the policy, which need not allow what
 *   it does (waiting, one write to the supervisor).  It reaps every
 *   orphan until the script exits, then hands the script's wait status
 *   to the supervisor and exits, and the kernel takes the namespace.
 *   Learning (learn_run.c), the child shares the init's descriptor table
 *   as well (CLONE_FILES), so that the filter's listener, created as the
 *   child installs it, stays with the init when the child's exec gives
 *   the script a table of its own without it (it is close-on-exec).
 * - The working directory is the checked directory: entered by its path,
 *   then proven to be the same inode (see enter_dir).
 * - First try execveat() on the checked descriptor itself: for a compiled
 *   program that runs exactly the inode that was judged, and its
 *   descriptor (close-on-exec) does not reach the program.
 * - A #! script cannot run that way without leaving its descriptor open
 *   in the script (the kernel hands the interpreter /dev/fd/N, so the fd
 *   must survive exec; the kernel refuses with ENOENT when it would not),
 *   and interpreters would see /dev/fd/N as their script name, which
 *   breaks $0, __FILE__ and FindBin.  So on ENOENT the script is run by
 *   its name relative to the checked directory, as ./NAME (a leading ./
 *   so that a name starting with - is never taken for an option), after
 *   checking, as the target, that the name still leads to the same inode.
 *   Only the target and root can change that directory (the walk proved
 *   it), so only the target could swap the file in between, and the
 *   target gains nothing by it: the exec runs as the target, with
 *   no_new_privs, under the same confinement.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgibox.h"

/*
 * Enter the checked directory by its path and prove it is the same inode.
 * Not fchdir(dir_fd): after private-tmp's unshare, that descriptor belongs
 * to the old mount namespace, and a working directory there is
 * unreachable (getcwd fails, and with it many interpreters).
 */
static enum reason
enter_dir(const struct walk *w, struct fault *f)
{
	const struct stat	*want = &w->dir[w->n - 1];
	char			 dir[PATH_MAX];
	struct stat		 st;

	(void)snprintf(dir, sizeof(dir), "%.*s", (int)w->dir_end[w->n - 1],
	    w->path);
	if (chdir(dir) < 0 || stat(".", &st) < 0)
		return fault(f, R_EXEC, "chdir %s: %s", dir, strerror(errno));
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino)
		return fault(f, R_EXEC, "%s changed before exec", dir);
	return R_ALLOW;
}

/*
 * Exec the checked script: the descriptor itself, or ./NAME after proving
 * it is the same inode.  Returns only on failure, with errno set; *changed
 * says the name no longer led to the checked file.
 */
static void
exec_script(const struct walk *w, const struct request *rq, char *const *envp,
    bool *changed)
{
	char		rel[NAME_MAX + 3];
	struct stat	st;

	(void)execveat(w->script_fd, "", rq->argv, envp, AT_EMPTY_PATH);
	if (errno != ENOENT)
		return;
	if (fstatat(AT_FDCWD, w->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_dev != w->script.st_dev || st.st_ino != w->script.st_ino) {
		*changed = true;
		return;
	}
	(void)snprintf(rel, sizeof(rel), "./%s", w->name);
	(void)execve(rel, rq->argv, envp);
}

/*
 * The script's start under the init: a child that shares the init's
 * memory and runs on a stack of its own while the init waits, as
 * posix_spawn does (CLONE_VM | CLONE_VFORK): no copy of the init's page
 * tables.  It installs the filter, execs, and on failure leaves the
 * reason here for the init.
 */
struct spawn {
	const struct walk	*w;
	const struct request	*rq;
	char *const		*envp;
	const struct bpf	*filter;
	const struct learn_job	*lj;		/* learning: a listener */
	int			 step;	/* 0 exec'd, 1 filter, 2 exec, 3 limit */
	int			 err;
	bool			 changed;
	int			 listener;
};
#define SPAWN_STACK	(64 * 1024)
static char	spawn_stack[SPAWN_STACK] __attribute__((aligned(16)));

static int
spawn_child(void *arg)
{
	struct spawn	*sp = arg;
	struct fault	 cf;
	sigset_t	 none;

	/* The init blocks SIGCHLD when learning; the script must not. */
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Learning, the init keeps no file size limit for the store. */
	if (sp->lj != NULL && confine_fsize(sp->lj->e, sp->lj->inh, &cf)) {
		sp->err = errno;
		sp->step = 3;
		return 127;
	}
	if (policy_install_listener(sp->filter, sp->lj != NULL ? &sp->listener :
	    NULL, &cf) != R_ALLOW) {
		sp->err = errno;
		sp->step = 1;
		return 127;
	}
	exec_script(sp->w, sp->rq, sp->envp, &sp->changed);
	sp->err = errno;
	sp->step = 2;
	return 127;
}

/*
 * The init: start the script, reap until it ends (learning: serving the
 * listener meanwhile), report, exit.
 */
static enum reason
run_as_init(const struct walk *w, const struct request *rq, char *const *envp,
    const struct bpf *filter, const struct learn_job *lj, struct fault *f)
{
	struct spawn	sp = { w, rq, envp, filter, lj, 0, 0, false, -1 };
	sigset_t	chld;
	pid_t		pid, r;
	int		status = 0;

	if (lj != NULL) {
		(void)sigemptyset(&chld);
		(void)sigaddset(&chld, SIGCHLD);
		(void)sigprocmask(SIG_BLOCK, &chld, NULL);
	}
	pid = clone(spawn_child, spawn_stack + sizeof(spawn_stack),
	    CLONE_VM | CLONE_VFORK | (lj != NULL ? CLONE_FILES : 0) | SIGCHLD,
	    &sp);
	if (pid < 0)
		return fault(f, R_SYSTEM, "clone: %s", strerror(errno));
	if (lj != NULL && sp.step == 0 && sp.listener >= 0)
		status = learn_serve(lj, sp.listener, pid);
	else {
		do
			r = waitpid(-1, &status, __WALL);
		while (r != pid && (r >= 0 || errno == EINTR));
		if (r != pid)
			return fault(f, R_SYSTEM, "waitpid: %s",
			    strerror(errno));
	}
	if (sp.step == 1)
		return fault(f, R_SECCOMP, "installing policy %s: %s", filter->name,
		    strerror(sp.err));
	if (sp.step == 2)
		return fault(f, R_EXEC, "%s: %s", w->path, sp.changed ?
		    "changed before exec" : strerror(sp.err));
	if (sp.step == 3)
		return fault(f, R_LIMIT, "the script's fsize limit: %s",
		    strerror(sp.err));
	init_report(status);
}

enum reason
execute(const struct walk *w, const struct request *rq, char *const *envp,
    mode_t mask, const struct bpf *filter, bool as_init,
    const struct learn_job *lj, struct fault *f)
{
	sigset_t	none;
	bool		changed = false;

	if (enter_dir(w, f))
		return f->reason;
	(void)umask(mask);
	/* Whatever a library left open (an NSS module's socket) stays here. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return fault(f, R_EXEC, "close_range: %s", strerror(errno));
	/* A supervised child inherits the supervisor's blocked signals, and
	 * startup ignored SIGXFSZ, which would survive the exec. */
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGXFSZ, SIG_DFL);
	if (as_init)
		return run_as_init(w, rq, envp, filter, lj, f);
	/* Seccomp last: from here on only what the policy allows. */
	if (policy_install(filter, f))
		return f->reason;
	exec_script(w, rq, envp, &changed);
	return fault(f, R_EXEC, "%s: %s", w->path, changed ?
	    "changed before exec" : strerror(errno));
}
