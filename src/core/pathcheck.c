/*
 * Where the script is, and whether its owner alone controls it.
 *
 * MUST rules (after OpenDoas timestamp.c):
 * - Containment is decided on whole path components of the normalized
 *   path: /srv/www does not contain /srv/www2, and a .. component is never
 *   interpreted.
 * - Below the trusted anchor (a docroot, or the owner's home directory for
 *   a userdir), every component is opened with O_NOFOLLOW relative to the
 *   descriptor of its parent, and judged by fstat on that descriptor.  A
 *   symbolic link anywhere below the anchor is refused.
 * - Every directory from the docroot or userdir down is owned by the
 *   target or root (below a docroot, with docroot-owner root, by root
 *   alone) and not writable by group or others; the script is a
 *   regular file owned by the target user and group, not writable by group
 *   or others, not setuid or setgid, and executable by its owner.
 * - The descriptors of the script and its directory are what execute()
 *   uses; nothing is looked up by name again as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/vfs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

/* The absolute, normalized path of the script: cmd relative to cwd. */
enum reason
path_script(const char *cwd, const char *cmd, char *out, size_t size,
    struct fault *f)
{
	char		joined[PATH_MAX * 2 + 2];
	enum path_norm	r;

	if (cmd[0] == '/')
		r = path_normalize(cmd, out, size);
	else {
		if (cwd[0] != '/')
			return fault(f, R_FILE_MISSING, "working directory is "
			    "unreachable");
		(void)snprintf(joined, sizeof(joined), "%s/%s", cwd, cmd);
		r = path_normalize(joined, out, size);
	}
	switch (r) {
	case PATH_NORM_OK:
		return R_ALLOW;
	case PATH_NORM_DOTDOT:
		return fault(f, R_BAD_COMMAND, "path has a .. component");
	case PATH_NORM_TOOLONG:
		return fault(f, R_BAD_COMMAND, "path too long");
	case PATH_NORM_EMPTY:
	default:
		return fault(f, R_BAD_COMMAND, "path is not absolute");
	}
}

/* The most specific docroot that contains path, or NULL. */
const char *
path_docroot(const struct config *c, const char *path)
{
	const char	*best = NULL;
	size_t		 best_len = 0;

	for (size_t i = 0; i < c->n_docroot; i++) {
		size_t len = path_within(c->docroot[i], path);

		if (len > 0 && (best == NULL || len > best_len)) {
			best = c->docroot[i];
			best_len = len;
		}
	}
	return best;
}

/* The target's userdir, which must contain path. */
enum reason
path_userdir(const struct config *c, const struct target *t,
    const char *path, char *out, size_t size, struct fault *f)
{
	char	joined[PATH_MAX * 2 + 2];

	if (c->userdir == NULL)
		return fault(f, R_OUTSIDE, "%s: userdir requests are disabled",
		    path);
	(void)snprintf(joined, sizeof(joined), "%s/%s", t->home, c->userdir);
	if (path_normalize(joined, out, size) != PATH_NORM_OK)
		return fault(f, R_OUTSIDE, "home directory of %s is not a "
		    "usable path", t->user);
	if (path_within(out, path) == 0)
		return fault(f, R_OUTSIDE, "%s is not below %s", path, out);
	return R_ALLOW;
}

/*
 * Who owns path?  Only a hint to find the userdir in interpreter mode; the
 * walk then judges the descriptor it opens itself.
 */
enum reason
path_owner_hint(const char *path, uid_t *uid, gid_t *gid, struct fault *f)
{
	struct stat	st;
	uid_t		caller = getuid();
	gid_t		caller_gid = getgid();
	int		r, e;

	/*
	 * With the caller's filesystem rights, not root's: otherwise the
	 * answer would tell the caller whether any path exists (/root/...).
	 * Group too: the effective gid is root's (startup).
	 */
	(void)setfsgid(caller_gid);
	(void)setfsuid(caller);
	if ((uid_t)setfsuid((uid_t)-1) != caller ||
	    (gid_t)setfsgid((gid_t)-1) != caller_gid)
		return fault(f, R_SYSTEM, "setfsuid failed");
	r = fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
	e = errno;
	(void)setfsuid(geteuid());
	(void)setfsgid(getegid());
	if ((uid_t)setfsuid((uid_t)-1) != geteuid() ||
	    (gid_t)setfsgid((gid_t)-1) != getegid())
		return fault(f, R_SYSTEM, "setfsuid failed");
	errno = e;
	if (r < 0)
		return fault(f, errno == ENOENT || errno == ENOTDIR ||
		    errno == EACCES ? R_FILE_MISSING : R_SYSTEM, "%s: %s", path,
		    strerror(errno));
	*uid = st.st_uid;
	*gid = st.st_gid;
	return R_ALLOW;
}

/* Empty, no descriptors; dir[] and dir_end[] are left as they are. */
void
walk_init(struct walk *w)
{
	memset(w, 0, offsetof(struct walk, dir));
	w->dir_fd = w->script_fd = -1;
}

void
path_close(struct walk *w)
{
	if (w->script_fd >= 0)
		(void)close(w->script_fd);
	if (w->dir_fd >= 0)
		(void)close(w->dir_fd);
	w->script_fd = w->dir_fd = -1;
}

/*
 * A user who may mount FUSE filesystems decides what owners and modes its
 * files report: nothing on one can be judged.  Checked where the device
 * changes, at a mount point.
 */
static bool
on_fuse(int fd)
{
	struct statfs	sfs;

	return fstatfs(fd, &sfs) < 0 || sfs.f_type == 0x65735546; /* FUSE */
}

static enum reason
open_component(int dirfd, dev_t parent_dev, const char *path, size_t start,
    size_t end, int *fd, struct stat *st, struct fault *f)
{
	char	name[NAME_MAX + 1];

	if (end - start > NAME_MAX)
		return fault(f, R_FILE_MISSING, "%.*s: name too long",
		    (int)end, path);
	memcpy(name, path + start, end - start);
	name[end - start] = '\0';
	*fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return fault(f, errno == ENOENT || errno == ENOTDIR ?
		    R_FILE_MISSING : R_SYSTEM, "%.*s: %s", (int)end, path,
		    strerror(errno));
	if (fstat(*fd, st) < 0) {
		(void)close(*fd);
		*fd = -1;
		return fault(f, R_SYSTEM, "fstat %.*s: %s", (int)end, path,
		    strerror(errno));
	}
	if (S_ISLNK(st->st_mode)) {
		(void)close(*fd);
		*fd = -1;
		return fault(f, R_SYMLINK, "%.*s is a symbolic link", (int)end,
		    path);
	}
	if (st->st_dev != parent_dev && on_fuse(*fd)) {
		(void)close(*fd);
		*fd = -1;
		return fault(f, R_DIR_OWNER, "%.*s is on a FUSE filesystem, "
		    "whose owners its mounter decides", (int)end, path);
	}
	return R_ALLOW;
}

/*
 * Open path from anchor down.  anchor (trusted: a docroot, or a home
 * directory from the user database) is opened as named; root lies at or
 * below it and is where the recorded directories start.  All three are
 * normalized and nested.
 */
enum reason
path_walk(const char *anchor, const char *root, const char *path,
    struct walk *w, struct fault *f)
{
	struct stat	st;
	size_t		pos, root_len;
	int		fd;

	walk_init(w);
	if (!copy_str(w->path, sizeof(w->path), path) ||
	    !copy_str(w->root, sizeof(w->root), root))
		return fault(f, R_BAD_COMMAND, "path too long");
	root_len = path_within(root, path);
	pos = path_within(anchor, path);
	if (root_len == 0 || pos == 0 || pos > root_len ||
	    path[root_len] == '\0')
		return fault(f, R_FILE_NOTREG, "%s is not a file below %s",
		    path, root);
	fd = open(anchor, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fault(f, errno == ENOENT || errno == ENOTDIR ?
		    R_FILE_MISSING : R_SYSTEM, "%s: %s", anchor, strerror(errno));
	if (fstat(fd, &st) < 0) {
		(void)close(fd);
		return fault(f, R_SYSTEM, "fstat %s: %s", anchor,
		    strerror(errno));
	}
	if (on_fuse(fd)) {	/* a user may mount one on its own home */
		(void)close(fd);
		return fault(f, R_DIR_OWNER, "%s is on a FUSE filesystem, whose "
		    "owners its mounter decides", anchor);
	}
	/* Invariant: fd names path[0..pos), and st is its fstat. */
	for (;;) {
		size_t	start, end;
		int	next = -1;

		if (!S_ISDIR(st.st_mode)) {
			(void)close(fd);
			return fault(f, R_FILE_MISSING, "%.*s is not a "
			    "directory", (int)pos, path);
		}
		if (pos >= root_len) {
			if (w->n == WALK_MAX) {
				(void)close(fd);
				return fault(f, R_BAD_COMMAND, "more than %d "
				    "directories below %s", WALK_MAX, root);
			}
			w->dir[w->n] = st;
			w->dir_end[w->n++] = pos;
		}
		start = pos + (path[pos] == '/');
		end = start + strcspn(path + start, "/");
		if (open_component(fd, st.st_dev, path, start, end, &next, &st,
		    f)) {
			(void)close(fd);
			return f->reason;
		}
		if (path[end] == '\0') {
			w->dir_fd = fd;
			w->script_fd = next;
			w->script = st;
			w->name = w->path + start;
			return R_ALLOW;
		}
		(void)close(fd);
		fd = next;
		pos = end;
	}
}

/* root_dirs: only root may own the directories (docroot-owner root). */
enum reason
path_judge(const struct walk *w, uid_t uid, gid_t gid, bool root_dirs,
    struct fault *f)
{
	const struct stat	*st = &w->script;

	for (size_t i = 0; i < w->n; i++) {
		const struct stat	*d = &w->dir[i];
		int			 len = (int)w->dir_end[i];

		if (d->st_uid != 0 && (root_dirs || d->st_uid != uid))
			return fault(f, R_DIR_OWNER, "%.*s is owned by uid %lu%s",
			    len, w->path, (unsigned long)d->st_uid, root_dirs ?
			    " (docroot-owner root)" : "");
		if (d->st_mode & (S_IWGRP | S_IWOTH))
			return fault(f, R_DIR_WRITABLE, "%.*s is writable by %s",
			    len, w->path, (d->st_mode & S_IWOTH) ? "others" :
			    "group");
	}
	if (!S_ISREG(st->st_mode))
		return fault(f, R_FILE_NOTREG, "%s is not a regular file",
		    w->path);
	if (st->st_uid != uid || st->st_gid != gid)
		return fault(f, R_FILE_OWNER, "%s is owned by %lu:%lu, not "
		    "%lu:%lu", w->path, (unsigned long)st->st_uid,
		    (unsigned long)st->st_gid, (unsigned long)uid,
		    (unsigned long)gid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return fault(f, R_FILE_WRITABLE, "%s is writable by %s",
		    w->path, (st->st_mode & S_IWOTH) ? "others" : "group");
	if (st->st_mode & (S_ISUID | S_ISGID))
		return fault(f, R_FILE_SETID, "%s is set%cid", w->path,
		    (st->st_mode & S_ISUID) ? 'u' : 'g');
	if (!(st->st_mode & S_IXUSR))
		return fault(f, R_FILE_NOEXEC, "%s is not executable by its "
		    "owner", w->path);
	return R_ALLOW;
}

/*
 * Open path (O_PATH) for a Landlock rule or a hidden directory.  The anchor, a prefix of path that the
 * administrator or the user database names, is opened as named; every
 * component below it with O_NOFOLLOW, so that a user cannot point a grant
 * somewhere else with a symbolic link in a directory of its own.
 * Returns -1 when there is nothing to grant (missing, a link, no access).
 */
int
open_beneath(const char *anchor, const char *path)
{
	size_t	pos = path_within(anchor, path);
	int	fd;

	if (pos == 0)
		return -1;
	fd = open(anchor, O_PATH | O_CLOEXEC);
	while (fd >= 0 && path[pos] != '\0') {
		char	name[NAME_MAX + 1];
		size_t	start = pos + (path[pos] == '/'), len;
		int	next;

		len = strcspn(path + start, "/");
		if (len > NAME_MAX) {
			(void)close(fd);
			return -1;
		}
		memcpy(name, path + start, len);
		name[len] = '\0';
		next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		(void)close(fd);
		fd = next;
		pos = start + len;
	}
	return fd;
}

/*
 * A path from the configuration (landlock-read, landlock-write, hide):
 * absolute, or ~ or ~/REL for the target's home.  False if too long.
 */
bool
conf_path_resolve(const char *home, const char *p, char *out, size_t size)
{
	if (p[0] != '~')
		return copy_str(out, size, p);
	return (size_t)snprintf(out, size, "%s%s", home, p + 1) < size;
}
