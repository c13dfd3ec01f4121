/*
 * Resource limits and the privilege drop.
 *
 * MUST rules (after minijail's minijail_enter):
 * - rlimits and nice are applied after the drop, so they can only ever
 *   lower what the web server gave: a limit above the inherited hard limit
 *   is capped at it, and a nice value below the inherited one is left
 *   alone.  RLIMIT_FSIZE, which startup raised for the launcher's own
 *   writes, is first put back to what the caller gave.
 * - While root: clear the capability bounding set and the ambient set, and
 *   lock the securebits (NOROOT, NO_SETUID_FIXUP and KEEP_CAPS locked
 *   off, no ambient raise), so nothing after exec can turn uid 0 back into
 *   capabilities.
 * - Then setgroups, setresgid, setresuid, in that order; then empty every
 *   capability set.
 * - Then prove it held: all three gids and the effective uid are the
 *   target's, the real and saved uid are the target's too (the caller's
 *   for the supervisor, never root's), the
 *   supplementary groups are exactly those chosen, setresuid(0,0,0) and
 *   setresgid(0,0,0) fail, and the permitted, effective, inheritable,
 *   bounding and ambient sets are empty.
 * - Then PR_SET_NO_NEW_PRIVS.
 * - Any failure after the first change is fatal; nothing runs after a
 *   partial drop.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <linux/securebits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgibox.h"

/* One configured limit, never above what was inherited. */
static enum reason
set_limit(const struct limit_info *li, rlim_t v, struct fault *f)
{
	struct rlimit	rl;
	rlim_t		cur_max;

	if (getrlimit(li->resource, &rl) < 0)
		return fault(f, R_LIMIT, "getrlimit %s: %s", li->name,
		    strerror(errno));
	cur_max = rl.rlim_max;
	if (rl.rlim_max != RLIM_INFINITY &&
	    (v == RLIM_INFINITY || v > rl.rlim_max))
		v = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = v;
	/* CPU: SIGXCPU at the limit, SIGKILL one second later (with soft =
	 * hard the kernel would go straight to SIGKILL). */
	if (li->resource == RLIMIT_CPU && v != RLIM_INFINITY &&
	    (cur_max == RLIM_INFINITY || v < cur_max))
		rl.rlim_max = v + 1;
	if (setrlimit(li->resource, &rl) < 0)
		return fault(f, R_LIMIT, "setrlimit %s: %s", li->name,
		    strerror(errno));
	return R_ALLOW;
}

/* The file size limit: the caller's back, lowered by the configuration. */
enum reason
confine_fsize(const struct effective *e, const struct inherited *inh,
    struct fault *f)
{
	if (setrlimit(RLIMIT_FSIZE, &inh->fsize) < 0)
		return fault(f, R_LIMIT, "restoring the caller's fsize limit: %s",
		    strerror(errno));
	if (e->s.limit_set[LIM_FSIZE])
		return set_limit(&limit_table[LIM_FSIZE], e->s.limit[LIM_FSIZE],
		    f);
	return R_ALLOW;
}

/*
 * The limits and nice.  Without fsize (a learning request's init, which
 * writes the store after the script), confine_fsize() is left to the
 * script's own process.
 */
enum reason
confine_limits(const struct effective *e, const struct inherited *inh,
    bool fsize, struct fault *f)
{
	if (fsize && confine_fsize(e, inh, f))
		return f->reason;
	for (size_t i = 0; i < LIM_COUNT; i++)
		if (e->s.limit_set[i] && i != LIM_FSIZE &&
		    set_limit(&limit_table[i], e->s.limit[i], f))
			return f->reason;
	/* Like the limits, nice only ever lowers the priority it inherited. */
	if (e->s.set & SET_NICE) {
		int	cur;

		errno = 0;
		cur = getpriority(PRIO_PROCESS, 0);
		if (cur == -1 && errno != 0)
			return fault(f, R_LIMIT, "getpriority: %s",
			    strerror(errno));
		if (e->s.nice > cur && setpriority(PRIO_PROCESS, 0, e->s.nice) < 0)
			return fault(f, R_LIMIT, "nice %d: %s", e->s.nice,
			    strerror(errno));
	}
	return R_ALLOW;
}

/*
 * An empty, read-only tmpfs over a directory, so that nothing below it can
 * be reached by path: not a socket (Landlock does not govern connect(2)
 * to a named socket), not a file.  where is a /proc/self/fd link or a
 * trusted absolute path; a missing one has nothing to hide.
 */
static enum reason
hide_at(const char *where, const char *what, struct fault *f)
{
	if (mount("tmpfs", where, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, "size=4k,nr_inodes=4,mode=0555") < 0 && errno != ENOENT)
		return fault(f, R_SYSTEM, "hiding %s: %s", what, strerror(errno));
	return R_ALLOW;
}

/* A hide path from the configuration; below the home, no symlinks. */
static enum reason
hide_conf(const char *home, const char *p, struct fault *f)
{
	char		path[PATH_MAX], link[64];
	struct stat	st;
	enum reason	r = R_ALLOW;
	int		fd;

	if (p[0] == '~' && home[0] == '\0')
		return R_ALLOW;
	if (!conf_path_resolve(home, p, path, sizeof(path)))
		return fault(f, R_SYSTEM, "hide %s: path too long", p);
	if ((fd = open_beneath(p[0] == '~' ? home : p, path)) < 0)
		return R_ALLOW;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		r = hide_at(link, path, f);
	}
	(void)close(fd);
	return r;
}

/*
 * Namespaces, while root.  A mount namespace of the request's own (mounts
 * private, so nothing leaks back to the host) whenever there is something
 * to do in it:
 * - private-tmp: fresh tmpfs /tmp and /var/tmp (no exec, no devices, no
 *   setuid);
 * - the target's /run/user/UID exists: /run/user is hidden, and with it
 *   the owner's systemd and D-Bus user session (systemd-run --user would
 *   start an unconfined process), its ssh and gpg agents;
 * - the configuration has env-set values: its directory is hidden, so no
 *   script reads another user's secrets;
 * - hide paths: each directory is hidden;
 * and whenever one exists: /run/user and the configuration directory are
 * hidden anyway, and in a new PID namespace /proc is that namespace's, so
 * the script sees no process but its own.
 * network no gives the request an empty network namespace (not even
 * loopback up).
 */
enum reason
confine_namespaces(const struct ns_in *in, struct fault *f)
{
	static const char *const tmps[] = { "/tmp", "/var/tmp" };
	const struct effective	*e = in->e;
	char			 run_user[64], home[PATH_MAX];
	struct stat		 st;
	bool			 mnt = e->s.private_tmp || in->conf_secrets;
	int			 flags;

	(void)snprintf(run_user, sizeof(run_user), "/run/user/%lu",
	    (unsigned long)in->t->uid);
	mnt = mnt || stat(run_user, &st) == 0;
	for (size_t s = 0; s < e->n_scope; s++)
		mnt = mnt || e->scope[s]->n_hide > 0;
	flags = (mnt ? CLONE_NEWNS : 0) | (e->s.network ? 0 : CLONE_NEWNET);
	if (flags == 0)
		return R_ALLOW;
	if (unshare(flags) < 0)
		return fault(f, R_SYSTEM, "unshare: %s", strerror(errno));
	if (!mnt)
		return R_ALLOW;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fault(f, R_SYSTEM, "make mounts private: %s",
		    strerror(errno));
	for (size_t i = 0; e->s.private_tmp &&
	    i < sizeof(tmps) / sizeof(tmps[0]); i++)
		if (mount("tmpfs", tmps[i], "tmpfs", MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, "size=64m,nr_inodes=16384,mode=1777") < 0 &&
		    errno != ENOENT)
			return fault(f, R_SYSTEM, "mount tmpfs on %s: %s",
			    tmps[i], strerror(errno));
	if (hide_at("/run/user", "/run/user", f) ||
	    hide_at(in->conf_dir, in->conf_dir, f))
		return f->reason;
	if (path_normalize(in->t->home, home, sizeof(home)) != PATH_NORM_OK ||
	    strcmp(home, "/") == 0)
		home[0] = '\0';
	for (size_t s = 0; s < e->n_scope; s++)
		for (size_t i = 0; i < e->scope[s]->n_hide; i++)
			if (hide_conf(home, e->scope[s]->hide[i], f))
				return f->reason;
	if (in->new_pid && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL) < 0)
		return fault(f, R_SYSTEM, "mount /proc: %s", strerror(errno));
	return R_ALLOW;
}

static enum reason
drop_bounding(struct fault *f)
{
	cap_value_t	max = (cap_value_t)cap_max_bits();
	unsigned	bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
	    SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

	for (cap_value_t c = 0; c < max; c++)
		if (cap_drop_bound(c) < 0)
			return fault(f, R_PRIVDROP, "drop bounding cap %d: %s",
			    (int)c, strerror(errno));
	if (cap_reset_ambient() < 0)
		return fault(f, R_PRIVDROP, "reset ambient set: %s",
		    strerror(errno));
	if (cap_set_secbits(bits) < 0)
		return fault(f, R_PRIVDROP, "lock securebits: %s",
		    strerror(errno));
	return R_ALLOW;
}

static enum reason
clear_caps(struct fault *f)
{
	cap_t	none = cap_init();
	int	r;

	if (none == NULL)
		return fault(f, R_PRIVDROP, "cap_init: %s", strerror(errno));
	r = cap_set_proc(none);
	(void)cap_free(none);
	if (r < 0)
		return fault(f, R_PRIVDROP, "clear capabilities: %s",
		    strerror(errno));
	return R_ALLOW;
}

static bool
caps_empty(void)
{
	cap_t		cur = cap_get_proc(), none = cap_init();
	bool		empty;
	cap_value_t	max = (cap_value_t)cap_max_bits();

	empty = cur != NULL && none != NULL && cap_compare(cur, none) == 0;
	(void)cap_free(cur);
	(void)cap_free(none);
	for (cap_value_t c = 0; empty && c < max; c++)
		if (cap_get_bound(c) != 0 ||
		    cap_get_ambient(c) != 0)
			empty = false;
	return empty;
}

static bool
has_gid(const gid_t *list, int n, gid_t g)
{
	for (int i = 0; i < n; i++)
		if (list[i] == g)
			return true;
	return false;
}

static enum reason
verify(const struct target *t, uid_t other, struct fault *f)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg, groups[TARGET_MAX_GROUPS + 1];
	int	n;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != other || eu != t->uid || su != other ||
	    rg != t->gid || eg != t->gid || sg != t->gid)
		return fault(f, R_PRIVDROP, "ids are not the target's");
	/* The kernel sorts the list: compare as sets. */
	n = getgroups(TARGET_MAX_GROUPS + 1, groups);
	if (n < 0 || n > t->ngroups)
		return fault(f, R_PRIVDROP, "supplementary groups differ");
	for (int i = 0; i < n; i++)
		if (!has_gid(t->groups, t->ngroups, groups[i]))
			return fault(f, R_PRIVDROP, "unexpected group %lu",
			    (unsigned long)groups[i]);
	for (int i = 0; i < t->ngroups; i++)
		if (!has_gid(groups, n, t->groups[i]))
			return fault(f, R_PRIVDROP, "group %lu missing",
			    (unsigned long)t->groups[i]);
	if (setresuid(0, 0, 0) == 0 || setresgid(0, 0, 0) == 0)
		return fault(f, R_PRIVDROP, "root could be regained");
	if (!caps_empty())
		return fault(f, R_PRIVDROP, "capabilities remain");
	return R_ALLOW;
}

/*
 * other is the real and saved uid to keep: the target's own for the
 * script; the caller's for the supervisor, so that the web server may
 * signal it and the target's processes may not (it can never use it: its
 * seccomp filter has no set*id call).  Never root.
 */
enum reason
confine_drop(const struct target *t, uid_t other, struct fault *f)
{
	if (!t->uid_set || !t->gid_set || t->uid == 0 || t->gid == 0 ||
	    other == 0)
		return fault(f, R_PRIVDROP, "no valid target identity");
	if (drop_bounding(f))
		return f->reason;
	if (setgroups((size_t)t->ngroups, t->groups) < 0 ||
	    setresgid(t->gid, t->gid, t->gid) < 0 ||
	    setresuid(other, t->uid, other) < 0)
		return fault(f, R_PRIVDROP, "set ids %lu:%lu: %s",
		    (unsigned long)t->uid, (unsigned long)t->gid,
		    strerror(errno));
	if (clear_caps(f) || verify(t, other, f))
		return f->reason;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fault(f, R_PRIVDROP, "no_new_privs: %s", strerror(errno));
	return R_ALLOW;
}
