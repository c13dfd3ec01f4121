/*
 * Per-request cost of the launcher under several configurations, measured
 * side by side: each round runs every configuration (copying its file
 * into place) for a batch of launches, in rotating order, and the report
 * gives medians over all launches and the cost added over a direct exec
 * of the script as its owner.
 *
 *   launch_time ROUNDS BATCH CALLER OWNER CONFIG_PATH DIR \
 *       NAME=FILE... -- ARGV...
 *
 * A NAME=FILE of "direct=-" execs ARGV[2] (the script) as OWNER without
 * the launcher: the reference.
 */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCONF	8

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
install(const char *from, const char *to)
{
	char	buf[65536];
	ssize_t	n;
	int	in = open(from, O_RDONLY), out;

	out = open(to, O_WRONLY | O_TRUNC);
	if (in < 0 || out < 0 || (n = read(in, buf, sizeof(buf))) < 0 ||
	    write(out, buf, (size_t)n) != n) {
		perror("install config");
		exit(1);
	}
	close(in);
	close(out);
}

static double
launch(const struct passwd *as, char *const *argv, const char *dir)
{
	double	t0 = now_us();
	pid_t	pid = fork();
	int	st;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		if (chdir(dir) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(as->pw_gid, as->pw_gid, as->pw_gid) < 0 ||
		    setresuid(as->pw_uid, as->pw_uid, as->pw_uid) < 0)
			_exit(120);
		execve(argv[0], argv, (char *[]){ "REQUEST_METHOD=GET", NULL });
		_exit(121);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "launch of %s failed: status %d\n", argv[0], st);
		exit(1);
	}
	return now_us() - t0;
}

static int
cmp_d(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	static double	 t[MAXCONF][100000];
	const char	*name[MAXCONF], *file[MAXCONF];
	struct passwd	 caller, owner, *pw;
	int		 rounds, batch, n = 0, a;
	char		**largv, *direct[2], path[4096];

	if (argc < 9)
		return 2;
	rounds = atoi(argv[1]);
	batch = atoi(argv[2]);
	if (rounds < 1 || batch < 1 || rounds * batch > 100000)
		return 2;
	if ((pw = getpwnam(argv[3])) == NULL)
		return 2;
	caller = *pw;
	caller.pw_name = strdup(pw->pw_name);
	if ((pw = getpwnam(argv[4])) == NULL)
		return 2;
	owner = *pw;
	for (a = 7; a < argc && strcmp(argv[a], "--") != 0 && n < MAXCONF; a++) {
		char *eq = strchr(argv[a], '=');

		if (eq == NULL)
			return 2;
		*eq = '\0';
		name[n] = argv[a];
		file[n++] = eq + 1;
	}
	if (a >= argc - 1)
		return 2;
	largv = argv + a + 1;
	/* launcher USER GROUP CMD: the direct run execs DIR/CMD */
	snprintf(path, sizeof(path), "%s/%s", argv[6], largv[3]);
	direct[0] = path;
	direct[1] = NULL;
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++) {
			int c = (k + r) % n;
			int is_direct = strcmp(file[c], "-") == 0;

			if (!is_direct)
				install(file[c], argv[5]);
			for (int b = 0; b < batch; b++)
				t[c][r * batch + b] = is_direct ?
				    launch(&owner, direct, argv[6]) :
				    launch(&caller, largv, argv[6]);
		}
	for (int c = 0; c < n; c++)
		qsort(t[c], (size_t)(rounds * batch), sizeof(double), cmp_d);
	printf("| configuration (%d launches each, interleaved) | median us | "
	    "added over direct us |\n|---|---|---|\n", rounds * batch);
	for (int c = 0; c < n; c++)
		printf("| %s | %.0f | %.0f |\n", name[c],
		    t[c][rounds * batch / 2],
		    t[c][rounds * batch / 2] - t[0][rounds * batch / 2]);
	return 0;
}
