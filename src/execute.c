/*
 * Exec the script that was checked.
 *
 * MUST rules:
 * - Runs after the privilege drop: every check here is made as the target.
 * - The seccomp filter is installed after chdir and umask, right before
 *   the exec: the policy must allow execve, execveat and newfstatat.
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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

enum reason
execute(const struct walk *w, const struct request *rq, char *const *envp,
    mode_t mask, const struct bpf *filter, struct fault *f)
{
	char		rel[NAME_MAX + 3];
	struct stat	st;
	sigset_t	none;

	if (enter_dir(w, f))
		return f->reason;
	(void)umask(mask);
	/* Whatever a library left open (an NSS module's socket) stays here. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return fault(f, R_EXEC, "close_range: %s", strerror(errno));
	/* A supervised child inherits the supervisor's blocked signals. */
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Seccomp last: from here on only what the policy allows. */
	if (policy_install(filter, f))
		return f->reason;
	(void)execveat(w->script_fd, "", rq->argv, envp, AT_EMPTY_PATH);
	if (errno != ENOENT)
		return fault(f, R_EXEC, "%s: %s", w->path, strerror(errno));
	if (fstatat(AT_FDCWD, w->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_dev != w->script.st_dev || st.st_ino != w->script.st_ino)
		return fault(f, R_EXEC, "%s changed before exec", w->path);
	(void)snprintf(rel, sizeof(rel), "./%s", w->name);
	(void)execve(rel, rq->argv, envp);
	return fault(f, R_EXEC, "%s: %s", w->path, strerror(errno));
}
