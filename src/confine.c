/*
 * Resource limits and the privilege drop.
 *
 * MUST rules (after minijail's minijail_enter):
 * - rlimits and nice are applied after the drop, so they can only ever
 *   lower what the web server gave: a limit above the inherited hard limit
 *   is capped at it, and a nice value below the inherited one is left
 *   alone.
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
#include <sys/resource.h>
#include <unistd.h>

#include "cgibox.h"

enum reason
confine_limits(const struct effective *e, struct fault *f)
{
	for (size_t i = 0; i < LIM_COUNT; i++) {
		const struct limit_info	*li = &limit_table[i];
		struct rlimit		 rl;
		rlim_t			 v = e->s.limit[i], cur_max;

		if (!e->s.limit_set[i])
			continue;
		if (getrlimit(li->resource, &rl) < 0)
			return fault(f, R_LIMIT, "getrlimit %s: %s", li->name,
			    strerror(errno));
		cur_max = rl.rlim_max;
		if (rl.rlim_max != RLIM_INFINITY &&
		    (v == RLIM_INFINITY || v > rl.rlim_max))
			v = rl.rlim_max;
		rl.rlim_cur = rl.rlim_max = v;
		/* CPU: SIGXCPU at the limit, SIGKILL one second later (with
		 * soft = hard the kernel would go straight to SIGKILL). */
		if (li->resource == RLIMIT_CPU && v != RLIM_INFINITY &&
		    (cur_max == RLIM_INFINITY || v < cur_max))
			rl.rlim_max = v + 1;
		if (setrlimit(li->resource, &rl) < 0)
			return fault(f, R_LIMIT, "setrlimit %s: %s", li->name,
			    strerror(errno));
	}
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
 * Namespaces, while root: private-tmp gives the request its own mount
 * namespace with fresh tmpfs /tmp and /var/tmp (no exec, no devices, no
 * setuid; propagation private so nothing leaks back to the host);
 * network no gives it an empty network namespace (not even loopback up).
 */
enum reason
confine_namespaces(const struct effective *e, struct fault *f)
{
	static const char *const tmps[] = { "/tmp", "/var/tmp" };
	int	flags = (e->s.private_tmp ? CLONE_NEWNS : 0) |
	    (e->s.network ? 0 : CLONE_NEWNET);

	if (flags == 0)
		return R_ALLOW;
	if (unshare(flags) < 0)
		return fault(f, R_SYSTEM, "unshare: %s", strerror(errno));
	if (!e->s.private_tmp)
		return R_ALLOW;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fault(f, R_SYSTEM, "make mounts private: %s",
		    strerror(errno));
	for (size_t i = 0; i < sizeof(tmps) / sizeof(tmps[0]); i++)
		if (mount("tmpfs", tmps[i], "tmpfs", MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, "size=64m,nr_inodes=16384,mode=1777") < 0 &&
		    errno != ENOENT)
			return fault(f, R_SYSTEM, "mount tmpfs on %s: %s",
			    tmps[i], strerror(errno));
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
