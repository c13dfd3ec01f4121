/*
 * libFuzzer: argv parsing and path normalization.  The input is split at
 * NUL bytes into argv.  An accepted command never has a .. component and,
 * in suexec mode, is never absolute; a normalized path is canonical and
 * contained by its own prefix on whole components.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	buf[8192], norm[PATH_MAX], joined[PATH_MAX * 2];
	char		*argv[17];
	int		 argc = 0;
	struct request	 rq;
	struct fault	 f;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; argc < 16 && p <= buf + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (request_parse(argc, argv, &rq, &f) != R_ALLOW)
		return 0;
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
