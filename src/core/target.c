/*
 * Who the script runs as, and who may ask.
 *
 * MUST rules:
 * - An all-digit USER or GROUP is an id, parsed strictly; anything else is
 *   a name.  "" is neither (request_parse refuses it before we get here).
 * - Root is never a target, whatever min-uid and min-gid say.
 * - The target group is the user's primary group or one the user is
 *   listed in (CVE-2007-1743: suexec took any group).
 * - Lookups use the reentrant calls into fixed buffers; an entry too large
 *   for them is an error, not a truncated entry.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgibox.h"

static char	pwbuf[16 * 1024];
static char	grbuf[256 * 1024];	/* big groups list many members */

static bool
all_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

static enum reason
fill_user(const struct passwd *pw, struct target *t, struct fault *f)
{
	if (!copy_str(t->user, sizeof(t->user), pw->pw_name) ||
	    !copy_str(t->home, sizeof(t->home), pw->pw_dir))
		return fault(f, R_UNKNOWN_USER, "user entry %lu too long",
		    (unsigned long)pw->pw_uid);
	t->uid = pw->pw_uid;
	t->uid_set = true;
	return R_ALLOW;
}

static enum reason
get_user(const char *user, struct passwd *pw, struct fault *f)
{
	struct passwd	*res = NULL;
	unsigned long	 id;
	int		 e;

	if (all_digits(user)) {
		if (!parse_id(user, &id))
			return fault(f, R_UNKNOWN_USER, "user id %s out of range",
			    user);
		e = getpwuid_r((uid_t)id, pw, pwbuf, sizeof(pwbuf), &res);
	} else {
		if (!valid_login_name(user))
			return fault(f, R_UNKNOWN_USER, "malformed user name");
		e = getpwnam_r(user, pw, pwbuf, sizeof(pwbuf), &res);
	}
	if (e == ERANGE)
		return fault(f, R_SYSTEM, "user entry too large");
	if (res == NULL)
		return fault(f, R_UNKNOWN_USER, "no such user%s%s",
		    e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
	return R_ALLOW;
}

static enum reason
get_group(const char *group, bool numeric_ok, struct group *gr,
    struct fault *f)
{
	struct group	*res = NULL;
	unsigned long	 id;
	int		 e;

	if (numeric_ok && all_digits(group)) {
		if (!parse_id(group, &id))
			return fault(f, R_UNKNOWN_GROUP, "group id %s out of range",
			    group);
		e = getgrgid_r((gid_t)id, gr, grbuf, sizeof(grbuf), &res);
	} else {
		if (!valid_login_name(group))
			return fault(f, R_UNKNOWN_GROUP, "malformed group name");
		e = getgrnam_r(group, gr, grbuf, sizeof(grbuf), &res);
	}
	if (e == ERANGE)
		return fault(f, R_SYSTEM, "group entry too large");
	if (res == NULL)
		return fault(f, R_UNKNOWN_GROUP, "no such group%s%s",
		    e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
	return R_ALLOW;
}

/*
 * Is the user a member of gr: its primary group, or listed in it?  gr
 * lives in grbuf; pw_gid is the user's primary gid.
 */
static bool
member(const struct group *gr, const char *user, gid_t pw_gid)
{
	if (gr->gr_gid == pw_gid)
		return true;
	for (char **m = gr->gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return false;
}

/* Suexec mode: USER and GROUP as the web server gave them. */
enum reason
target_lookup(const char *user, const char *group, struct target *t,
    struct fault *f)
{
	struct passwd	pw = { 0 };	/* zeroed for the analyzers */
	struct group	gr = { 0 };
	gid_t		pw_gid;

	memset(t, 0, sizeof(*t));
	if (get_user(user, &pw, f) || fill_user(&pw, t, f))
		return f->reason;
	pw_gid = pw.pw_gid;
	if (get_group(group, true, &gr, f))
		return f->reason;
	if (!copy_str(t->group, sizeof(t->group), gr.gr_name))
		return fault(f, R_UNKNOWN_GROUP, "group name too long");
	t->gid = gr.gr_gid;
	t->gid_set = true;
	if (!member(&gr, t->user, pw_gid))
		return fault(f, R_GROUP_MEMBER, "user %s is not a member of "
		    "group %s", t->user, t->group);
	return R_ALLOW;
}

/* Interpreter mode: the script's owner and group. */
enum reason
target_by_ids(uid_t uid, gid_t gid, struct target *t, struct fault *f)
{
	char		num[24];
	struct passwd	pw = { 0 };	/* zeroed for the analyzers */
	struct group	gr = { 0 };
	gid_t		pw_gid;

	memset(t, 0, sizeof(*t));
	(void)snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	if (get_user(num, &pw, f) || fill_user(&pw, t, f))
		return f->reason;
	pw_gid = pw.pw_gid;
	(void)snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
	if (get_group(num, true, &gr, f))
		return f->reason;
	if (!copy_str(t->group, sizeof(t->group), gr.gr_name))
		return fault(f, R_UNKNOWN_GROUP, "group name too long");
	t->gid = gr.gr_gid;
	t->gid_set = true;
	if (!member(&gr, t->user, pw_gid))
		return fault(f, R_GROUP_MEMBER, "user %s is not a member of "
		    "group %s", t->user, t->group);
	return R_ALLOW;
}

enum reason
target_check(const struct config *c, const struct target *t,
    struct fault *f)
{
	if (!t->uid_set || !t->gid_set)
		return fault(f, R_SYSTEM, "target not resolved");
	if (t->uid == 0 || t->gid == 0)
		return fault(f, R_TARGET_ROOT, "target %s:%s is root", t->user,
		    t->group);
	if (t->uid < c->min_uid)
		return fault(f, R_UID_MIN, "uid %lu is below min-uid %lu",
		    (unsigned long)t->uid, c->min_uid);
	if (t->gid < c->min_gid)
		return fault(f, R_GID_MIN, "gid %lu is below min-gid %lu",
		    (unsigned long)t->gid, c->min_gid);
	return R_ALLOW;
}

/*
 * The supplementary groups the script keeps: none by default, or all of
 * the user's (suexec's initgroups) with supplementary-groups yes.
 */
enum reason
target_groups(struct target *t, bool keep, struct fault *f)
{
	int	n = TARGET_MAX_GROUPS;

	t->ngroups = 0;
	if (!keep)
		return R_ALLOW;
	if (getgrouplist(t->user, t->gid, t->groups, &n) < 0)
		return fault(f, R_PRIVDROP, "user %s is in more than %d groups",
		    t->user, TARGET_MAX_GROUPS);
	for (int i = 0; i < n; i++)
		if (t->groups[i] == 0)
			return fault(f, R_TARGET_ROOT, "user %s is in group 0",
			    t->user);
	t->ngroups = n;
	return R_ALLOW;
}

/*
 * Landlock grants the target's home in full, and a userdir request trusts
 * it as the anchor of the walk: it must be the target's own directory and
 * hold nobody else's.  Not /, not a system directory or one above it, not
 * a docroot or one above it; owned by the target.  A home that does not
 * exist grants nothing and is not refused.
 */
enum reason
home_check(const struct config *c, const struct target *t, struct fault *f)
{
	static const char *const system_dirs[] = {
		"/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32",
		"/lib64", "/libx32", "/media", "/mnt", "/opt", "/proc", "/root",
		"/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
	};
	char		home[PATH_MAX];
	struct stat	st;

	if (path_normalize(t->home, home, sizeof(home)) != PATH_NORM_OK)
		return fault(f, R_HOME_UNSAFE, "home directory of %s is not a "
		    "usable absolute path", t->user);
	if (strcmp(home, "/") == 0)
		return fault(f, R_HOME_UNSAFE, "home directory of %s is /",
		    t->user);
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]);
	    i++)
		if (path_within(home, system_dirs[i]) > 0)
			return fault(f, R_HOME_UNSAFE, "home directory %s of %s "
			    "holds the system directory %s", home, t->user,
			    system_dirs[i]);
	for (size_t i = 0; i < c->n_docroot; i++)
		if (path_within(home, c->docroot[i]) > 0)
			return fault(f, R_HOME_UNSAFE, "home directory %s of %s "
			    "holds the docroot %s", home, t->user,
			    c->docroot[i]);
	if (stat(home, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return R_ALLOW;
		return fault(f, R_SYSTEM, "home directory %s: %s", home,
		    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != t->uid)
		return fault(f, R_HOME_UNSAFE, "home directory %s of %s is %s",
		    home, t->user, S_ISDIR(st.st_mode) ? "owned by someone "
		    "else" : "not a directory");
	return R_ALLOW;
}

/* The real uid must be the configured caller's. */
enum reason
caller_check(const struct config *c, uid_t ruid, char *name, size_t size,
    struct fault *f)
{
	struct passwd	pw = { 0 }, *res = NULL;
	int		e;

	e = getpwnam_r(c->caller, &pw, pwbuf, sizeof(pwbuf), &res);
	if (res == NULL)
		return fault(f, R_CALLER, "caller %s does not exist%s%s",
		    c->caller, e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
	if (pw.pw_uid != ruid)
		return fault(f, R_CALLER, "real uid %lu is not the caller %s",
		    (unsigned long)ruid, c->caller);
	(void)copy_str(name, size, pw.pw_name);
	return R_ALLOW;
}
