/*
 * The decision: may this request run, as whom, and which file.  The
 * launcher and cgibox-check explain both call decide(), so the check tool
 * is an oracle for the launcher.
 *
 * Suexec mode (USER GROUP CMD): the target comes from argv and is checked
 * first; the script must lie in a docroot, or for a ~user request in that
 * user's userdir.  Interpreter mode (SCRIPT): the target is the script's
 * owner and group; the script must lie in a docroot or in its owner's
 * userdir.
 */
#include <string.h>

#include "cgibox.h"

static enum reason
decide_suexec(const struct config *c, const struct request *rq,
    const char *path, struct decision *d, struct fault *f)
{
	char		 root[PATH_MAX], anchor[PATH_MAX];
	const char	*docroot;

	if (target_lookup(rq->user, rq->group, &d->t, f) ||
	    target_check(c, &d->t, f))
		return f->reason;
	if (rq->userdir) {
		if (path_userdir(c, &d->t, path, root, sizeof(root), f))
			return f->reason;
		if (path_normalize(d->t.home, anchor, sizeof(anchor)) !=
		    PATH_NORM_OK)
			return fault(f, R_OUTSIDE, "home directory of %s is not "
			    "a usable path", d->t.user);
	} else {
		if ((docroot = path_docroot(c, path)) == NULL)
			return fault(f, R_OUTSIDE, "%s is not below a docroot",
			    path);
		(void)copy_str(root, sizeof(root), docroot);
		(void)copy_str(anchor, sizeof(anchor), docroot);
	}
	if (path_walk(anchor, root, path, &d->w, f))
		return f->reason;
	return path_judge(&d->w, d->t.uid, d->t.gid, !rq->userdir &&
	    c->docroot_root_only, f);
}

static enum reason
decide_interp(const struct config *c, const char *path, struct decision *d,
    struct fault *f)
{
	char		 root[PATH_MAX], anchor[PATH_MAX];
	const char	*docroot;
	uid_t		 uid;
	gid_t		 gid;
	bool		 root_dirs = false;

	if ((docroot = path_docroot(c, path)) != NULL) {
		if (path_walk(docroot, docroot, path, &d->w, f) ||
		    target_by_ids(d->w.script.st_uid, d->w.script.st_gid,
		    &d->t, f))
			return f->reason;
		root_dirs = c->docroot_root_only;
	} else {
		/* The owner names the userdir; the walk then judges it. */
		if (path_owner_hint(path, &uid, &gid, f) ||
		    target_by_ids(uid, gid, &d->t, f) ||
		    path_userdir(c, &d->t, path, root, sizeof(root), f))
			return f->reason;
		if (path_normalize(d->t.home, anchor, sizeof(anchor)) !=
		    PATH_NORM_OK)
			return fault(f, R_OUTSIDE, "home directory of %s is not "
			    "a usable path", d->t.user);
		if (path_walk(anchor, root, path, &d->w, f))
			return f->reason;
	}
	if (target_check(c, &d->t, f))
		return f->reason;
	return path_judge(&d->w, d->t.uid, d->t.gid, root_dirs, f);
}

/*
 * cwd is the caller's working directory (used when the command is
 * relative).  On R_ALLOW, d holds the target, the open script and the
 * settings in force.
 */
enum reason
decide(const struct config *c, const struct request *rq, const char *cwd,
    struct decision *d, struct fault *f)
{
	/* Not one memset of all 30 KB: the walk's arrays are only read as
	 * far as the walk filled them. */
	d->path[0] = '\0';
	memset(&d->t, 0, sizeof(d->t));
	memset(&d->e, 0, sizeof(d->e));
	walk_init(&d->w);
	if (path_script(cwd, rq->cmd, d->path, sizeof(d->path), f))
		return f->reason;
	if (rq->mode == MODE_SUEXEC ? decide_suexec(c, rq, d->path, d, f) :
	    decide_interp(c, d->path, d, f))
		return f->reason;
	if (home_check(c, &d->t, f))
		return f->reason;
	conf_effective(c, d->t.user, d->t.group, &d->e);
	return target_groups(&d->t, d->e.s.supp_groups, f);
}
