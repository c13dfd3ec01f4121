/*
 * Process hygiene, first thing in main: the launcher inherits its fds,
 * signal dispositions, signal mask, umask and environment from the web
 * server, and trusts none of them.
 *
 * MUST rules:
 * - fds 0-2 are left exactly as given when open (under mod_fcgid fd 0 is a
 *   listening socket); a closed one is reopened on /dev/null so that no
 *   file opened later can land on it.  Every fd above 2 is closed.
 * - Every signal is reset to its default action and the mask emptied, so
 *   the script does not inherit an ignored SIGPIPE or a blocked SIGTERM.
 * - The environment is taken aside and environ emptied: libc and NSS
 *   modules must not read the caller's variables while we are root.
 * - The effective uid is 0, or the launcher refuses to run.
 * - The effective gid becomes 0, so that every file the launcher creates
 *   as root (the log, the cache, the slots) is root's, never readable
 *   through the caller's group.
 * - The caller's RLIMIT_FSIZE is set aside and the limit raised: a limit
 *   the web server sets must not cut an audit line in half or kill the
 *   launcher with SIGXFSZ while it compiles a filter.  Without
 *   CAP_SYS_RESOURCE (a container's bounding set may lack it) only the
 *   soft limit can rise, to the hard one; the log then refuses a line
 *   that would not fit whole (audit.c).  SIGXFSZ is ignored while
 *   cgibox runs, so a write past a limit fails instead of killing it.
 *   The script gets the caller's limit back (confine_limits), lowered
 *   further by the configuration, and SIGXFSZ's default (execute).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgibox.h"

extern char	**environ;

/*
 * Was fd closed when the web server exec'd us?  glibc, for a setuid
 * program, already replaced a closed fd 0 with /dev/full opened write-only
 * and a closed fd 1 or 2 with /dev/null opened read-only, so that any use
 * fails.  Treat those as closed: the script gets a usable /dev/null.
 */
static bool
was_closed(int fd)
{
	struct stat	st;
	int		fl;

	if ((fl = fcntl(fd, F_GETFL)) < 0)
		return errno == EBADF;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	if (fd == 0)
		return st.st_rdev == makedev(1, 7) && (fl & O_ACCMODE) == O_WRONLY;
	return st.st_rdev == makedev(1, 3) && (fl & O_ACCMODE) == O_RDONLY;
}

static void
sane_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int	null;

		if (!was_closed(fd))
			continue;
		null = open("/dev/null", O_RDWR | O_NOCTTY);	/* inherited */
		if (null < 0 || dup2(null, fd) != fd)
			reject(R_SYSTEM, "cannot reopen fd %d on /dev/null", fd);
		if (null != fd)
			(void)close(null);
	}
}

/*
 * Reset with the raw system call: glibc's sigaction() refuses the two
 * real-time signals it keeps for itself (32 and 33), and a parent can
 * leave those ignored too (GNU make does).  SIG_DFL is 0, so an all-zero
 * kernel sigaction means "default, no flags, empty mask" whatever the
 * architecture's layout.
 */
static void
reset_signals(void)
{
	static const unsigned long	dfl[8];
	sigset_t			none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP &&
		    syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8) < 0)
			reject(R_SYSTEM, "reset signal %d: %m", sig);
	(void)sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		reject(R_SYSTEM, "sigprocmask: %m");
}

void
startup(char ***incoming, struct inherited *inh)
{
	static char	*empty[] = { NULL };
	struct rlimit	 unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	sane_stdio();
	if (close_range(3, ~0U, 0) < 0)
		reject(R_SYSTEM, "close_range: %m");
	reset_signals();
	(void)umask(077);
	*incoming = environ;
	environ = empty;
	if (geteuid() != 0)
		reject(R_SYSTEM, "not running with euid 0: the launcher must "
		    "be installed setuid root");
	if (setresgid((gid_t)-1, 0, (gid_t)-1) < 0)
		reject(R_SYSTEM, "setresgid: %m");
	if (getrlimit(RLIMIT_FSIZE, &inh->fsize) < 0)
		reject(R_SYSTEM, "getrlimit: %m");
	if (setrlimit(RLIMIT_FSIZE, &unlimited) < 0) {
		struct rlimit	hard = { inh->fsize.rlim_max, inh->fsize.rlim_max };

		if (setrlimit(RLIMIT_FSIZE, &hard) < 0)
			reject(R_SYSTEM, "raising RLIMIT_FSIZE: %m");
	}
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		reject(R_SYSTEM, "ignoring SIGXFSZ: %m");
}
