/*
 * Landlock: what the script may read, write, execute, bind, connect to and
 * signal.  Applied after no_new_privs (the kernel requires it) and before
 * seccomp (which would forbid these calls).
 *
 * MUST rules:
 * - The ruleset handles every access right the kernel's ABI offers
 *   (landlock_abi.c); a right no rule grants is denied.
 * - Granted: read and execute for the system (/usr, /bin, /sbin, /lib*,
 *   /etc); read for /proc and /sys; read and write for a few
 *   device nodes (/dev/null, /dev/zero, /dev/full, /dev/random,
 *   /dev/urandom); everything for the target's home (unless it is /);
 *   read and execute for the target's site in a docroot (the topmost
 *   directory of the checked path that the target owns, not the whole
 *   docroot); read, write but not execute for /tmp and /var/tmp when they
 *   are private; landlock-read and landlock-write paths from the
 *   configuration.  Nothing else: other users' homes and sites in
 *   particular.
 * - Below a trusted anchor (a configured path, the home, the docroot)
 *   grants are opened with O_NOFOLLOW: a user's symbolic link cannot move
 *   a grant elsewhere.
 * - TCP bind is denied except to landlock-bind ports; TCP connect is
 *   allowed unless landlock-connect lists ports.  Abstract UNIX sockets
 *   and signals are scoped to the script and its children.
 * - A path that does not exist grants nothing and is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgibox.h"
#include "landlock_uapi.h"

#define RX	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_EXECUTE)
#define RO	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define ALL	(~0ULL)
#define DEV	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

static const struct {
	const char	*path;
	uint64_t	 rights;
} system_paths[] = {
	{ "/usr", RX }, { "/bin", RX }, { "/sbin", RX }, { "/lib", RX },
	{ "/lib32", RX }, { "/lib64", RX }, { "/libx32", RX }, { "/etc", RX },
	{ "/proc", RO }, { "/sys", RO },
	{ "/dev/null", DEV }, { "/dev/zero", DEV }, { "/dev/full", DEV },
	{ "/dev/random", DEV }, { "/dev/urandom", DEV },
};

int
landlock_kernel_abi(void)
{
	long	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Grant rights beneath path (opened from anchor); nothing if absent. */
static enum reason
allow_path(int rfd, const struct landlock_plan *plan, const char *anchor,
    const char *path, uint64_t rights, struct fault *f)
{
	struct ll_path_beneath_attr	a;
	struct stat			st;
	int				fd;

	if ((fd = open_beneath(anchor, path)) < 0)
		return R_ALLOW;
	if (fstat(fd, &st) < 0) {
		(void)close(fd);
		return fault(f, R_SYSTEM, "fstat %s: %s", path, strerror(errno));
	}
	a.allowed_access = rights & plan->fs;
	if (S_ISLNK(st.st_mode))
		a.allowed_access = 0;
	else if (!S_ISDIR(st.st_mode))
		a.allowed_access &= LL_FILE_RIGHTS;
	a.parent_fd = fd;
	if (a.allowed_access != 0 && syscall(SYS_landlock_add_rule, rfd,
	    LL_RULE_PATH_BENEATH, &a, 0) < 0) {
		(void)close(fd);
		return fault(f, R_SYSTEM, "landlock rule for %s: %s", path,
		    strerror(errno));
	}
	(void)close(fd);
	return R_ALLOW;
}

/* A configured path: ~ and ~/REL are the target's home, walked safely. */
static enum reason
allow_conf_path(int rfd, const struct landlock_plan *plan,
    const char *home, const char *p, uint64_t rights, struct fault *f)
{
	char	path[PATH_MAX];

	if (!conf_path_resolve(home, p, path, sizeof(path)))
		return fault(f, R_SYSTEM, "landlock path %s too long", p);
	return allow_path(rfd, plan, p[0] == '~' ? home : p, path, rights, f);
}

/*
 * The part of the script's tree to grant: the topmost directory of the
 * walk that the target owns (its site); not the whole docroot, which other
 * users' sites share.  False if the target owns none of them.  A userdir
 * lies in the home, which is granted anyway.
 */
static bool
site_tree(const struct walk *w, const struct target *t, char *out,
    size_t size)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dir[i].st_uid == t->uid) {
			(void)snprintf(out, size, "%.*s", (int)w->dir_end[i],
			    w->path);
			return true;
		}
	return false;
}

/* Grant file rights on the checked script's own descriptor. */
static enum reason
allow_fd(int rfd, const struct landlock_plan *plan, int fd, uint64_t rights,
    struct fault *f)
{
	struct ll_path_beneath_attr	a = {
		.allowed_access = rights & plan->fs & LL_FILE_RIGHTS,
		.parent_fd = fd,
	};

	if (a.allowed_access != 0 && syscall(SYS_landlock_add_rule, rfd,
	    LL_RULE_PATH_BENEATH, &a, 0) < 0)
		return fault(f, R_SYSTEM, "landlock rule for the script: %s",
		    strerror(errno));
	return R_ALLOW;
}

static enum reason
allow_port(int rfd, uint64_t access, uint16_t port, struct fault *f)
{
	struct ll_net_port_attr	a = { .allowed_access = access,
	    .port = port };

	if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &a, 0) < 0)
		return fault(f, R_SYSTEM, "landlock port %u: %s", port,
		    strerror(errno));
	return R_ALLOW;
}

static enum reason
add_rules(int rfd, const struct landlock_plan *plan,
    const struct effective *e, const struct target *t, const struct walk *w,
    uint64_t net, struct fault *f)
{
	char	home[PATH_MAX], site[PATH_MAX];

	for (size_t i = 0; i < sizeof(system_paths) / sizeof(system_paths[0]);
	    i++)
		if (allow_path(rfd, plan, system_paths[i].path,
		    system_paths[i].path, system_paths[i].rights, f))
			return f->reason;
	/* A home of / (or none usable) would grant everything: skip it. */
	if (path_normalize(t->home, home, sizeof(home)) != PATH_NORM_OK ||
	    strcmp(home, "/") == 0)
		home[0] = '\0';
	if (home[0] != '\0' && allow_path(rfd, plan, home, home, ALL, f))
		return f->reason;
	/* The site, or if the target owns no directory on the path (a shared
	 * root-owned cgi-bin), only the script itself. */
	if (site_tree(w, t, site, sizeof(site))) {
		if ((home[0] == '\0' || path_within(home, site) == 0) &&
		    allow_path(rfd, plan, w->root, site, RX, f))
			return f->reason;
	} else if (allow_fd(rfd, plan, w->script_fd, RX, f))
		return f->reason;
	if (e->s.private_tmp && (allow_path(rfd, plan, "/tmp", "/tmp",
	    ALL & ~LANDLOCK_ACCESS_FS_EXECUTE, f) || allow_path(rfd, plan,
	    "/var/tmp", "/var/tmp", ALL & ~LANDLOCK_ACCESS_FS_EXECUTE, f)))
		return f->reason;
	for (size_t s = 0; s < e->n_scope; s++) {
		const struct settings *sc = e->scope[s];

		for (size_t i = 0; i < sc->n_ll_read; i++)
			if (home[0] != '\0' || sc->ll_read[i][0] != '~' ?
			    allow_conf_path(rfd, plan, home, sc->ll_read[i], RX,
			    f) : R_ALLOW)
				return f->reason;
		for (size_t i = 0; i < sc->n_ll_write; i++)
			if (home[0] != '\0' || sc->ll_write[i][0] != '~' ?
			    allow_conf_path(rfd, plan, home, sc->ll_write[i],
			    ALL, f) : R_ALLOW)
				return f->reason;
		for (size_t i = 0; (net & LANDLOCK_ACCESS_NET_BIND_TCP) &&
		    i < sc->n_ll_bind; i++)
			if (allow_port(rfd, LANDLOCK_ACCESS_NET_BIND_TCP,
			    sc->ll_bind[i], f))
				return f->reason;
		for (size_t i = 0; (net & LANDLOCK_ACCESS_NET_CONNECT_TCP) &&
		    i < sc->n_ll_connect; i++)
			if (allow_port(rfd, LANDLOCK_ACCESS_NET_CONNECT_TCP,
			    sc->ll_connect[i], f))
				return f->reason;
	}
	return R_ALLOW;
}

/* Restrict this process (and what it execs) as planned; w is the walk. */
enum reason
landlock_apply(const struct landlock_plan *plan, const struct effective *e,
    const struct target *t, const struct walk *w, struct fault *f)
{
	struct ll_ruleset_attr	attr = { 0 };
	bool			connect_limited = false;
	int			rfd;

	if (plan->abi == 0)
		return R_ALLOW;
	for (size_t s = 0; s < e->n_scope; s++)
		connect_limited = connect_limited || e->scope[s]->n_ll_connect > 0;
	attr.handled_access_fs = plan->fs;
	attr.handled_access_net = plan->net & (LANDLOCK_ACCESS_NET_BIND_TCP |
	    (connect_limited ? LANDLOCK_ACCESS_NET_CONNECT_TCP : 0));
	attr.scoped = plan->scoped;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rfd < 0)
		return fault(f, R_SYSTEM, "landlock_create_ruleset: %s",
		    strerror(errno));
	if (add_rules(rfd, plan, e, t, w, attr.handled_access_net, f)) {
		(void)close(rfd);
		return f->reason;
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) < 0) {
		(void)close(rfd);
		return fault(f, R_SYSTEM, "landlock_restrict_self: %s",
		    strerror(errno));
	}
	(void)close(rfd);
	return R_ALLOW;
}

/*
 * For a process of cgibox's own that needs no file, no TCP port and no
 * signal or abstract socket outside itself (cgiboxd's relay): a ruleset
 * that handles every right the kernel offers and grants none.  On a
 * kernel without Landlock it does nothing: the process has its seccomp
 * allowlist and its uid regardless.
 */
enum reason
landlock_lockdown(struct fault *f)
{
	struct landlock_plan	plan;
	struct ll_ruleset_attr	attr = { 0 };
	int			rfd;

	if (landlock_plan(LL_BEST_EFFORT, landlock_kernel_abi(), &plan) ||
	    plan.abi == 0)
		return R_ALLOW;
	attr.handled_access_fs = plan.fs;
	attr.handled_access_net = plan.net;
	attr.scoped = plan.scoped;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rfd < 0)
		return fault(f, R_SYSTEM, "landlock_create_ruleset: %s",
		    strerror(errno));
	if (syscall(SYS_landlock_restrict_self, rfd, 0) < 0) {
		(void)close(rfd);
		return fault(f, R_SYSTEM, "landlock_restrict_self: %s",
		    strerror(errno));
	}
	(void)close(rfd);
	return R_ALLOW;
}
