/*
 * argv to a request.  Pure: no system calls.
 *
 *   cgibox -V                         print the settings (settings mode)
 *   cgibox USER GROUP CMD [ARG...]    Apache's suexec convention
 *   cgibox SCRIPT                     interpreter mode (lighttpd, busybox)
 *   cgibox, CGIBOX_SCRIPT=SCRIPT      interpreter mode for a FastCGI bridge
 *                                     that can only exec a fixed program
 *                                     with no arguments (fcgiwrap, nginx)
 *
 * MUST rules:
 * - Only the shapes above are accepted; anything else is "usage".
 *   CGIBOX_SCRIPT is read only when there is no argument at all.
 * - CMD is relative: no leading /, no .. component.  SCRIPT has no ..
 *   component; from CGIBOX_SCRIPT it must be absolute (the bridge's cwd
 *   is the launcher's own directory).  None is empty or longer than
 *   PATH_MAX.
 * - USER and GROUP are only split here (a leading ~ marks a UserDir
 *   request); target.c decides what they name.
 */
#include <string.h>

#include "cgibox.h"

static bool
has_dotdot(const char *p)
{
	for (;;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

static enum reason
check_path(const char *p, bool relative, struct fault *f)
{
	size_t	len = strnlen(p, PATH_MAX);

	if (len == 0)
		return fault(f, R_BAD_COMMAND, "empty command");
	if (len == PATH_MAX)
		return fault(f, R_BAD_COMMAND, "command longer than %d bytes",
		    PATH_MAX - 1);
	if (relative && p[0] == '/')
		return fault(f, R_BAD_COMMAND, "command is an absolute path");
	if (has_dotdot(p))
		return fault(f, R_BAD_COMMAND, "command has a .. component");
	if (p[len - 1] == '/')
		return fault(f, R_BAD_COMMAND, "command ends in /");
	return R_ALLOW;
}

enum reason
request_parse(int argc, char *const *argv, char *param, struct request *rq,
    struct fault *f)
{
	memset(rq, 0, sizeof(*rq));
	if (argc == 1 && param != NULL) {
		rq->mode = MODE_INTERP;
		rq->cmd = param;
		rq->own_argv[0] = param;
		rq->argv = rq->own_argv;
		if (param[0] != '/')
			return fault(f, R_BAD_COMMAND, "the script path %s is not "
			    "absolute", param);
		return check_path(rq->cmd, false, f);
	}
	if (argc == 2 && strcmp(argv[1], "-V") == 0) {
		rq->mode = MODE_SETTINGS;
		return R_ALLOW;
	}
	if (argc == 2) {
		rq->mode = MODE_INTERP;
		rq->cmd = argv[1];
		rq->argv = argv + 1;
		return check_path(rq->cmd, false, f);
	}
	if (argc < 4)
		return fault(f, R_USAGE, "expected USER GROUP CMD [ARG...], "
		    "SCRIPT, or no argument and %s; got %d arguments",
		    SCRIPT_PARAM, argc > 0 ? argc - 1 : 0);
	rq->mode = MODE_SUEXEC;
	rq->user = argv[1];
	if (rq->user[0] == '~') {
		rq->userdir = true;
		rq->user++;
	}
	rq->group = argv[2];
	rq->cmd = argv[3];
	rq->argv = argv + 3;
	if (rq->user[0] == '\0')
		return fault(f, R_UNKNOWN_USER, "empty user");
	if (rq->group[0] == '\0')
		return fault(f, R_UNKNOWN_GROUP, "empty group");
	return check_path(rq->cmd, true, f);
}
