/*
 * cgibox-check: lint the configuration and explain decisions, without
 * privilege and without executing anything.  It calls the launcher's own
 * conf_load() and decide(), so its answers are the launcher's.
 *
 *   cgibox-check [-s] lint [FILE]
 *   cgibox-check [-s] [-c FILE] explain USER GROUP PATH
 *   cgibox-check [-s] [-c FILE] explain PATH
 *   cgibox-check -V
 *
 * Exit status: 0 the configuration is valid / the request would run;
 * 1 it would be refused, or the configuration could not be loaded;
 * 2 usage.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

static const char	*conf_path = CGIBOX_CONFIG;

static void
conf_error(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	(void)fprintf(stderr, "%s:%u: %s\n", conf_path, line, msg);
}

NORETURN static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: cgibox-check [-s] lint [FILE]\n"
	    "       cgibox-check [-s] [-c FILE] explain USER GROUP PATH\n"
	    "       cgibox-check [-s] [-c FILE] explain PATH\n"
	    "       cgibox-check -V\n");
	exit(2);
}

/* A relative FILE is taken from the working directory. */
static void
absolute(const char *p)
{
	static char	buf[PATH_MAX];
	char		cwd[PATH_MAX], joined[2 * PATH_MAX + 2];

	if (p[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL) {
		conf_path = p;
		return;
	}
	(void)snprintf(joined, sizeof(joined), "%s/%s", cwd, p);
	conf_path = path_normalize(joined, buf, sizeof(buf)) == PATH_NORM_OK ?
	    buf : p;
}

static int
load(struct config *c, bool check)
{
	struct fault	f;

	conf_defaults(c, CGIBOX_LOG_DEFAULT);
	if (conf_load(c, conf_path, check, &f, conf_error, NULL) == R_ALLOW)
		return 0;
	if (f.reason != R_CONFIG_INVALID || strstr(f.detail, " error") == NULL)
		(void)fprintf(stderr, "%s: %s\n", reason_table[f.reason].name,
		    f.detail);
	return 1;
}

static int
explain(const struct config *c, int argc, char *argv[])
{
	static struct decision	d;
	struct request		rq;
	struct fault		f;
	char			cwd[PATH_MAX], dir[PATH_MAX], base[PATH_MAX];
	char			*fake[5];

	if (argc == 3) {
		/* Suexec mode, run from the script's directory as Apache does. */
		if (argv[2][0] != '/' || !copy_str(dir, sizeof(dir), argv[2]) ||
		    !copy_str(base, sizeof(base), argv[2])) {
			(void)fprintf(stderr, "explain: PATH must be absolute\n");
			return 2;
		}
		fake[0] = "cgibox";
		fake[1] = argv[0];
		fake[2] = argv[1];
		fake[3] = basename(base);
		fake[4] = NULL;
		/* As Apache does: chdir to the script's directory, then the
		 * launcher's getcwd() sees the path without symbolic links. */
		if (chdir(dirname(dir)) < 0 || getcwd(cwd, sizeof(cwd)) == NULL) {
			(void)printf("deny %s: %s: %s\n",
			    reason_table[R_FILE_MISSING].name, argv[2],
			    strerror(errno));
			return 1;
		}
	} else if (argc == 1) {
		fake[0] = "cgibox";
		fake[1] = argv[0];
		fake[2] = NULL;
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			(void)fprintf(stderr, "getcwd: %s\n", strerror(errno));
			return 2;
		}
	} else
		usage();
	if (request_parse(argc + 1, fake, &rq, &f) ||
	    decide(c, &rq, cwd, &d, &f)) {
		(void)printf("deny %s: %s\n", reason_table[f.reason].name,
		    f.detail);
		return 1;
	}
	(void)printf("allow\n");
	(void)printf("caller %s\n", c->caller);
	settings_print_decision(stdout, c, &d);
	path_close(&d.w);
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct config	c;
	bool			check = true;
	int			ch;

	while ((ch = getopt(argc, argv, "c:sV")) != -1) {
		switch (ch) {
		case 'c':
			absolute(optarg);
			break;
		case 's':
			check = false;
			break;
		case 'V':
			(void)printf("cgibox-check %s\nconfig %s\n",
			    CGIBOX_VERSION, CGIBOX_CONFIG);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "lint") == 0) {
		if (argc > 2)
			usage();
		if (argc == 2)
			absolute(argv[1]);
		if (load(&c, check) != 0)
			return 1;
		(void)printf("%s: ok\n", conf_path);
		return 0;
	}
	if (strcmp(argv[0], "explain") == 0) {
		if (load(&c, check) != 0)
			return 1;
		return explain(&c, argc - 1, argv + 1);
	}
	usage();
}
