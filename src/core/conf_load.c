/*
 * Load the configuration: the file is as powerful as the setuid binary,
 * so it is trusted only when root alone could have written it.
 *
 * MUST rules:
 * - The path is opened component by component from /, each with
 *   O_NOFOLLOW, and every check is made on the descriptor that is then
 *   read (fstat, never stat on a name).
 * - Every directory on the path and the file itself are owned by root and
 *   not writable by group or others; the file is a regular file.  A
 *   symbolic link anywhere on the path is refused.
 * - The whole file is parsed before the verdict; any error refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

static enum reason
insecure(const struct stat *st, const char *path, size_t len, bool dir,
    struct fault *f)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return fault(f, R_CONFIG_INSECURE, "%.*s is not a %s",
		    (int)len, path, dir ? "directory" : "regular file");
	if (st->st_uid != 0)
		return fault(f, R_CONFIG_INSECURE, "%.*s is owned by uid %lu, "
		    "not root", (int)len, path, (unsigned long)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return fault(f, R_CONFIG_INSECURE, "%.*s is writable by %s",
		    (int)len, path, (st->st_mode & S_IWOTH) ? "others" : "group");
	return R_ALLOW;
}

/* The length of the directory that ends just before p, without its slash. */
static size_t
dirlen(const char *path, const char *p)
{
	return p - path > 1 ? (size_t)(p - path - 1) : 1;
}

/*
 * Open path (absolute, canonical), checking each directory above it on the
 * way down when check is set: for reading if it is a file, O_PATH if dir
 * is set and it is a directory.  A missing path is the reason "missing".
 */
int
open_trusted(const char *path, bool check, bool dir, enum reason missing,
    struct fault *f)
{
	struct stat	 st;
	const char	*p = path + 1, *end;
	int		 fd, next;

	if (path[0] != '/' || !path_is_canonical(path) || strcmp(path, "/") == 0) {
		fault(f, missing, "%s: not a canonical absolute path", path);
		return -1;
	}
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fault(f, R_SYSTEM, "open /: %s", strerror(errno));
		return -1;
	}
	while ((end = strchr(p, '/')) != NULL) {
		char	name[NAME_MAX + 1];

		if (fstat(fd, &st) < 0) {
			fault(f, R_SYSTEM, "fstat: %s", strerror(errno));
			goto fail;
		}
		if (check && insecure(&st, path, dirlen(path, p), true, f))
			goto fail;
		if ((size_t)(end - p) > NAME_MAX) {
			fault(f, missing, "%s: name too long", path);
			goto fail;
		}
		memcpy(name, p, (size_t)(end - p));
		name[end - p] = '\0';
		next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			fault(f, errno == ENOENT ? missing : R_SYSTEM,
			    "%.*s: %s", (int)(end - path), path, strerror(errno));
			goto fail;
		}
		(void)close(fd);
		fd = next;
		p = end + 1;
	}
	if (fstat(fd, &st) < 0) {
		fault(f, R_SYSTEM, "fstat: %s", strerror(errno));
		goto fail;
	}
	if (check && insecure(&st, path, dirlen(path, p), true, f))
		goto fail;
	next = openat(fd, p, (dir ? O_PATH | O_DIRECTORY : O_RDONLY |
	    O_NONBLOCK | O_NOCTTY) | O_NOFOLLOW | O_CLOEXEC);
	if (next < 0) {
		fault(f, errno == ELOOP ? R_CONFIG_INSECURE :
		    errno == ENOENT ? missing : R_SYSTEM,
		    "%s: %s", path, errno == ELOOP ? "is a symbolic link" :
		    strerror(errno));
		goto fail;
	}
	(void)close(fd);
	fd = next;
	if (fstat(fd, &st) < 0) {
		fault(f, R_SYSTEM, "fstat: %s", strerror(errno));
		goto fail;
	}
	if (check && insecure(&st, path, strlen(path), dir, f))
		goto fail;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		fault(f, missing, "%s is not a %s", path, dir ? "directory" :
		    "regular file");
		goto fail;
	}
	return fd;
fail:
	(void)close(fd);
	return -1;
}

/* Read all of fd into buf (size bytes, one more than the largest file). */
enum reason
read_all(int fd, char *buf, size_t size, size_t *len, const char *path,
    enum reason too_large, struct fault *f)
{
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + *len, size - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fault(f, R_SYSTEM, "read %s: %s", path,
			    strerror(errno));
		if (n == 0)
			return R_ALLOW;
		*len += (size_t)n;
		if (*len == size)
			return fault(f, too_large, "%s: larger than %zu bytes",
			    path, size - 1);
	}
}

/*
 * Fill c from the file at path (absolute, canonical).  With check, refuse
 * a file that anyone but root could have written.  Each parse error goes
 * to err; the fault then names the count.
 */
enum reason
conf_load(struct config *c, const char *path, bool check, struct fault *f,
    conf_error_fn err, void *ctx)
{
	static char	 text[CONF_MAX_BYTES + 1];
	size_t		 len;
	unsigned	 errors;
	int		 fd;
	enum reason	 r;

	if ((fd = open_trusted(path, check, false, R_CONFIG_INVALID, f)) < 0)
		return f->reason;
	r = read_all(fd, text, sizeof(text), &len, path, R_CONFIG_INVALID, f);
	(void)close(fd);
	if (r != R_ALLOW)
		return r;
	errors = conf_parse(c, text, len, err, ctx);
	if (errors > 0)
		return fault(f, R_CONFIG_INVALID, "%s: %u error%s", path,
		    errors, errors == 1 ? "" : "s");
	return R_ALLOW;
}
