/*
 * A CGI that reports what the launcher gave it, as key=value lines:
 * credentials, capabilities, no_new_privs, open fds, rlimits, umask,
 * cwd, argv, environment and the request body.  The tests compare these
 * against what the configuration says; nothing here decides anything.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

extern char	**environ;

static void
status_lines(void)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff",
	    "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "SigIgn", "SigBlk" };
	char	line[256];
	FILE	*fp = fopen("/proc/self/status", "r");

	if (fp == NULL) {
		printf("status=unreadable\n");
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL)
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t len = strlen(keys[i]);

			if (strncmp(line, keys[i], len) == 0 && line[len] == ':') {
				char *v = line + len + 1;

				v += strspn(v, " \t");
				printf("%s=%s", keys[i], v);
			}
		}
	fclose(fp);
}

static void
fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;

	printf("fds=");
	if (d == NULL) {
		printf("unreadable\n");
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("%s,", e->d_name);
	closedir(d);
	printf("\n");
}

static void
limits(void)
{
	static const struct { const char *name; int r; } l[] = {
		{ "cpu", RLIMIT_CPU }, { "as", RLIMIT_AS },
		{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE },
		{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
		{ "stack", RLIMIT_STACK }, { "core", RLIMIT_CORE },
		{ "memlock", RLIMIT_MEMLOCK },
	};

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		struct rlimit rl;

		getrlimit(l[i].r, &rl);
		if (rl.rlim_cur == RLIM_INFINITY)
			printf("limit_%s=unlimited\n", l[i].name);
		else
			printf("limit_%s=%llu\n", l[i].name,
			    (unsigned long long)rl.rlim_cur);
		if (rl.rlim_max == RLIM_INFINITY)
			printf("hardlimit_%s=unlimited\n", l[i].name);
		else
			printf("hardlimit_%s=%llu\n", l[i].name,
			    (unsigned long long)rl.rlim_max);
	}
}

int
main(int argc, char *argv[])
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg, groups[256];
	int	n;
	mode_t	mask = umask(0);
	char	cwd[4096], body[65536];
	size_t	len = 0;
	ssize_t	r;

	printf("Content-Type: text/plain\r\n\r\n");
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	printf("uid=%u,%u,%u\ngid=%u,%u,%u\n", ru, eu, su, rg, eg, sg);
	n = getgroups(256, groups);
	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%u,", groups[i]);
	printf("\nngroups=%d\n", n);
	status_lines();
	fds();
	limits();
	printf("umask=%03o\n", (unsigned)mask);
	printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	printf("nice=%d\n", getpriority(PRIO_PROCESS, 0));
	printf("pid=%d\nppid=%d\n", getpid(), getppid());
	{
		char	path[64], comm[64] = "?";
		FILE	*fp;

		snprintf(path, sizeof(path), "/proc/%d/comm", getppid());
		if ((fp = fopen(path, "r")) != NULL) {
			if (fgets(comm, sizeof(comm), fp) == NULL)
				comm[0] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			fclose(fp);
		}
		printf("parent_comm=%s\n", comm);
	}
	for (int i = 0; i < argc; i++)
		printf("argv%d=%s\n", i, argv[i]);
	for (char **e = environ; *e != NULL; e++)
		printf("env:%s\n", *e);
	while (len < sizeof(body) &&
	    (r = read(0, body + len, sizeof(body) - len)) > 0)
		len += (size_t)r;
	printf("stdin=%.*s\n", (int)len, body);
	return 0;
}
