/*
 * libFuzzer: argv parsing and path normalization.  The input is split at
 * NUL bytes: the first piece is the CGIBOX_SCRIPT value (none if empty),
 * the rest is argv.  An accepted command never has a .. component and,
 * in suexec mode, is never absolute; one taken from CGIBOX_SCRIPT is
 * absolute and only taken when there is no argument; a normalized path is
 * canonical and contained by its own prefix on whole components.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * A ".." component, found another way than request.c finds it (a copy of
 * its loop would share its bugs): the string is "..", or begins with
 * "../", or ends with "/..", or holds "/../".
 */
static bool
has_dotdot(const char *p)
{
	size_t	n = strlen(p);

	return strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
	    (n >= 3 && strcmp(p + n - 3, "/..") == 0) ||
	    strstr(p, "/../") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	buf[8192], norm[PATH_MAX], joined[PATH_MAX * 2];
	char		*argv[17], *param;
	int		 argc = 0;
	struct request	 rq;
	struct fault	 f;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	param = buf[0] != '\0' ? buf : NULL;
	for (char *p = buf + strlen(buf) + 1; argc < 16 && p <= buf + size;
	    p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (request_parse(argc, argv, param, &rq, &f) != R_ALLOW)
		return 0;
	if (rq.mode != MODE_SETTINGS && argc != 1 && param != NULL &&
	    rq.cmd == param)
		abort();
	if (argc == 1 && (rq.cmd != param || param[0] != '/' ||
	    rq.argv[1] != NULL))
		abort();
	if (rq.mode == MODE_SETTINGS)
		return 0;
	if (rq.cmd == NULL || rq.cmd[0] == '\0' || has_dotdot(rq.cmd) ||
	    rq.argv[0] != rq.cmd)
		abort();
	if (rq.mode == MODE_SUEXEC && (rq.cmd[0] == '/' || rq.user[0] == '\0' ||
	    rq.group[0] == '\0'))
		abort();
	snprintf(joined, sizeof(joined), "/srv/www/%s", rq.cmd);
	if (path_normalize(rq.cmd[0] == '/' ? rq.cmd : joined, norm,
	    sizeof(norm)) == PATH_NORM_OK) {
		if (!path_is_canonical(norm))
			abort();
		if (rq.cmd[0] != '/' && path_within("/srv/www", norm) == 0)
			abort();
		if (path_within("/srv/www", norm) != 0 &&
		    strncmp(norm, "/srv/www", 8) != 0)
			abort();
	}
	return 0;
}
