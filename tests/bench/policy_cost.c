/*
 * The cost of getting a seccomp policy into a process, measured side by
 * side: (a) load the policy files, compile them with libseccomp and
 * install the filter, as a launcher without a cache would on every
 * request; (b) check the files and read the cached filter, then install
 * it, as cgibox does; (c) a fork with nothing installed, the baseline.
 * Each sample runs in a fresh forked child (a filter cannot be removed);
 * the three are interleaved round by round and reported as medians.
 *
 *   policy_cost POLICY_DIR CACHE_DIR NAME [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgibox.h"

static const char	*dir, *cache, *name;

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
child(int mode)
{
	static struct policy	p;
	static struct bpf	b;
	struct fault		f;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 1;
	if (mode == 0) {
		if (policy_load(dir, name, true, &p, &f, NULL, NULL) ||
		    policy_compile(&p, &b, NULL, &f) || policy_install(&b, &f))
			return 1;
	} else if (mode == 1) {
		if (policy_prepare(dir, cache, name, LEARN_NO, &b, &f, NULL, NULL) ||
		    !b.cached || policy_install(&b, &f))
			return 1;
	}
	return 0;
}

/* Time one forked child running mode; the child reports its own time. */
static double
sample(int mode)
{
	int	fds[2];
	double	t = -1;
	pid_t	pid;
	int	st;

	if (pipe(fds) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		double	t0 = now_us();
		int	rc = child(mode);

		t = now_us() - t0;
		if (write(fds[1], &t, sizeof(t)) != sizeof(t))
			_exit(3);
		_exit(rc);
	}
	if (read(fds[0], &t, sizeof(t)) != sizeof(t) ||
	    waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "mode %d failed\n", mode);
		exit(1);
	}
	close(fds[0]);
	close(fds[1]);
	return t;
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
	static double	s[3][10000];
	static struct bpf	b;
	struct fault	f;
	int		rounds;
	double		med[3];

	if (argc == 2 && strcmp(argv[1], "--abi") == 0) {
		printf("%d\n", landlock_kernel_abi());
		return 0;
	}
	if (argc < 4)
		return 2;
	dir = argv[1];
	cache = argv[2];
	name = argv[3];
	rounds = argc > 4 ? atoi(argv[4]) : 300;
	if (rounds < 1 || rounds > 10000)
		return 2;
	if (policy_prepare(dir, cache, name, LEARN_NO, &b, &f, NULL, NULL)) {	/* warm */
		fprintf(stderr, "%s\n", f.detail);
		return 1;
	}
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < 3; m++)
			s[(m + r) % 3][r] = sample((m + r) % 3);
	for (int m = 0; m < 3; m++) {
		qsort(s[m], (size_t)rounds, sizeof(double), cmp_d);
		med[m] = s[m][rounds / 2];
	}
	printf("| policy `%s` (%zu BPF instructions), %d rounds | median us |\n",
	    name, b.len / 8, rounds);
	printf("|---|---|\n");
	printf("| load + compile (libseccomp) + install | %.1f |\n", med[0]);
	printf("| check files + read cache + install (cgibox) | %.1f |\n", med[1]);
	printf("| nothing (baseline) | %.1f |\n", med[2]);
	printf("| compile / cached (ratio of medians) | %.1fx |\n",
	    med[0] / (med[1] > 0 ? med[1] : 1));
	return 0;
}
