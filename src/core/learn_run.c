/*
 * Learn mode in the request's init: the script runs under the recording
 * variant of its policy (policy_learn()), whose refusals arrive here as
 * seccomp user notifications.  Each is recorded, then let through
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE; learn check: refused with EPERM),
 * and when the script has ended the request's records are merged into
 * the user's store.
 *
 * MUST rules:
 * - The init holds the listener, outside the filter; the script never
 *   does (the descriptor is close-on-exec and stays in the init's table).
 * - CONTINUE lets the call run as the script asked: the kernel does not
 *   look at its pointer arguments again, so learning is not a sandbox
 *   against hostile code (cgibox(8)).  What would get around Landlock is
 *   refused all the same (learn_floor()), and the policy's kill rules
 *   never reach here.
 * - The store is root's, 0600, opened as root before the drop; the init
 *   only writes through that descriptor, under flock, and never lets it
 *   grow past LEARN_MAX_RECORDS records: a record that finds no room is
 *   dropped and the request's log says so (event=learn-full).  A full
 *   store never holds up a request.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgibox.h"

/*
 * The store of uid under dir (created 0700 if missing), for reading and
 * writing; as root, before the drop.  Anything but a regular file of
 * root's, 0600, with one link, is refused.
 */
enum reason
learn_store_open(const char *dir, uid_t uid, int *out, struct fault *f)
{
	char		name[32];
	struct stat	st;
	int		dfd, fd;

	dfd = open_trusted(dir, true, true, R_SYSTEM, f);
	if (dfd < 0 && f->reason == R_SYSTEM && mkdir(dir, 0700) == 0)
		dfd = open_trusted(dir, true, true, R_SYSTEM, f);
	if (dfd < 0)
		return f->reason;
	(void)snprintf(name, sizeof(name), "%lu.learn", (unsigned long)uid);
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	(void)close(dfd);
	if (fd < 0)
		return fault(f, R_SYSTEM, "%s/%s: %s", dir, name,
		    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) != 0 || st.st_nlink != 1) {
		(void)close(fd);
		return fault(f, R_CONFIG_INSECURE, "%s/%s is not a regular "
		    "file of root's, 0600, with one link", dir, name);
	}
	*out = fd;
	return R_ALLOW;
}

/* The request's records, and the store's, merged (static: 300 KB each). */
static struct learn_set	req, all;
static char		buf[LEARN_STORE_MAX];

/* Merge this request's records into the store, under its lock. */
static void
commit(const struct learn_job *lj)
{
	struct logline	l;
	char		detail[128];
	ssize_t		n;
	size_t		len = 0;
	bool		written;
	int		err;

	if (req.n == 0 && req.dropped == 0)
		return;
	/* Another request's merge takes microseconds; one held up longer
	 * (its init stopped) does not hold this one: its records go. */
	for (int tries = 0; flock(lj->store, LOCK_EX | LOCK_NB) < 0; tries++) {
		struct timespec	ms10 = { 0, 10000000L };

		if (errno != EWOULDBLOCK || tries == 50) {
			(void)snprintf(detail, sizeof(detail), "the store is "
			    "busy or cannot be locked (%s): %zu records were "
			    "not recorded", strerror(errno), req.n);
			audit_note("learn-error", detail);
			return;
		}
		(void)nanosleep(&ms10, NULL);
	}
	n = pread(lj->store, buf, sizeof(buf), 0);
	learn_read(&all, buf, n > 0 ? (size_t)n : 0);
	for (size_t i = 0; i < req.n; i++)
		(void)learn_add(&all, &req.r[i]);
	all.dropped += req.dropped;
	for (size_t i = 0; i < all.n; i++) {
		learn_format(&all.r[i], &l);
		if (len + l.len > sizeof(buf))
			break;
		memcpy(buf + len, l.buf, l.len);
		len += l.len;
	}
	/* A store cut short is read up to its last whole line next time,
	 * and a line cut in two is refused whole; the log says so. */
	written = pwrite(lj->store, buf, len, 0) == (ssize_t)len &&
	    ftruncate(lj->store, (off_t)len) == 0;
	err = errno;
	(void)flock(lj->store, LOCK_UN);
	if (!written) {
		(void)snprintf(detail, sizeof(detail), "the store could not be "
		    "written: %s", strerror(err));
		audit_note("learn-error", detail);
	} else if (all.dropped > 0) {
		(void)snprintf(detail, sizeof(detail), "the store holds %d "
		    "records: %lu new ones were not recorded",
		    LEARN_MAX_RECORDS, all.dropped);
		audit_note("learn-full", detail);
	}
}

/* One notification: record it, answer it. */
static void
notified(const struct learn_job *lj, int listener, struct seccomp_notif *rq,
    struct seccomp_notif_resp *rs)
{
	struct learn_rec	 r;
	uint64_t		 args[6];
	char			*name;
	int			 floor;
	bool			 known;

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, rq) < 0)
		return;		/* the caller died meanwhile */
	memset(&r, 0, sizeof(r));
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rq->data.nr);
	known = name != NULL;
	(void)snprintf(r.call, sizeof(r.call), "%s", known ? name : "unknown");
	free(name);
	(void)copy_str(r.policy, sizeof(r.policy), lj->policy);
	r.mode = lj->mode;
	for (unsigned i = 0; i < 6; i++)
		args[i] = rq->data.args[i];
	r.nargs = learn_args_of(r.call, r.argi);
	for (unsigned i = 0; i < r.nargs; i++)
		r.argv[i] = args[r.argi[i]] & learn_arg_mask(r.call,
		    r.argi[i]);
	r.count = 1;
	r.first = r.last = (int64_t)time(NULL);
	/* A script not named whole is not named: no prefix passes for it. */
	r.nscripts = copy_str(r.scripts[0], LEARN_SCRIPT_MAX, lj->script) &&
	    r.scripts[0][0] != '\0';
	floor = learn_floor(r.call, args);
	r.refused = floor != 0;
	/* A number no name belongs to is no system call here: not learned. */
	if (!known)
		floor = ENOSYS;
	else
		(void)learn_add(&req, &r);
	rs->id = rq->id;
	rs->val = 0;
	rs->error = 0;
	rs->flags = 0;
	if (floor != 0)
		rs->error = -floor;
	else if (lj->mode == LEARN_CHECK)
		rs->error = -EPERM;
	else
		rs->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, rs);
}

/*
 * Serve the listener until the script has exited, reaping every orphan
 * of the namespace meanwhile; then merge the records into the store.
 * SIGCHLD is blocked (run_as_init).  Returns the script's wait status.
 */
int
learn_serve(const struct learn_job *lj, int listener, pid_t script)
{
	struct seccomp_notif_sizes	 sz;
	struct seccomp_notif		*rq = NULL;
	struct seccomp_notif_resp	*rs = NULL;
	sigset_t			 chld;
	int				 sfd, status = 0;
	bool				 done = false;

	req.n = 0;
	req.full = false;
	req.dropped = 0;
	(void)sigemptyset(&chld);
	(void)sigaddset(&chld, SIGCHLD);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0) {
		rq = calloc(1, sz.seccomp_notif);
		rs = calloc(1, sz.seccomp_notif_resp);
	}
	/* Nothing to answer with: closed, the calls fail with ENOSYS. */
	if (rq == NULL || rs == NULL) {
		(void)close(listener);
		listener = -1;
	}
	while (!done) {
		struct pollfd	p[2] = { { sfd, POLLIN, 0 },
		    { listener, POLLIN, 0 } };
		pid_t		r;
		int		st;

		/* Without a signalfd, look for the script now and then. */
		if (poll(p, 2, sfd < 0 ? 100 : -1) < 0 && errno != EINTR)
			break;
		if ((p[1].revents & POLLIN) && rq != NULL && rs != NULL) {
			memset(rq, 0, sz.seccomp_notif);
			memset(rs, 0, sz.seccomp_notif_resp);
			notified(lj, listener, rq, rs);
		} else if (p[1].revents != 0)
			listener = -1;	/* no process left under the filter */
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo	si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
		}
		while ((r = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
			if (r == script) {
				status = st;
				done = true;
				break;
			}
		if (r < 0 && errno == ECHILD)
			break;
	}
	/* Without poll, wait for the script all the same; its calls fail
	 * (ENOSYS) once no listener is left to answer them. */
	if (listener >= 0)
		(void)close(listener);
	while (!done) {
		pid_t	r = waitpid(-1, &status, __WALL);

		if (r == script)
			done = true;
		else if (r < 0 && errno != EINTR)
			break;
	}
	if (!done)	/* never reaped: not a success */
		status = W_EXITCODE(reason_table[R_SYSTEM].code, 0);
	free(rq);
	free(rs);
	/* The script's fsize limit is the init's too: a write past it
	 * fails instead of killing the init (commit logs it). */
	(void)signal(SIGXFSZ, SIG_IGN);
	if (lj->store >= 0)
		commit(lj);
	return status;
}
