/*
 * Per-request cost of several ways to start a CGI, measured side by side:
 * each round runs every case for a batch of launches, in rotating order,
 * and the report gives the median of all launches per case, what each
 * adds over the first case (the script exec'd directly), and the ratio of
 * that to what the reference cases add.
 *
 *   launch_time ROUNDS BATCH CONFIG_PATH SPECFILE
 *
 * SPECFILE: one case per line, tab-separated:
 *   NAME  USER  DIR  CONFIG|-  ARGV (space-separated)
 * The case runs ARGV from DIR as USER (a fork, the ids, exec, wait), after
 * copying CONFIG to CONFIG_PATH when it is not "-".  Lines starting with
 * "#" are skipped.  The first case is the reference "direct".
 *
 * A case whose ARGV holds the word @BATCH is a client that times its own
 * requests (tests/fcgi/fcgi-client -T): it runs once per batch, as USER,
 * with @BATCH replaced by the batch size, and each "usec N" line on its
 * standard error is one request's time; its RSS and page faults are not
 * a request's and are reported as "-".  Besides the
 * times it reports the median peak RSS (the launcher's or the script's,
 * whichever is larger: ru_maxrss survives exec; a median, so that the one
 * launch that compiles a policy into the cache does not stand for all) and
 * the median number of minor page faults of a whole launch.
 */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCASE	24
#define MAXARG	16

struct bcase {
	char		*name, *dir, *conf;
	char		*argv[MAXARG + 1];
	uid_t		 uid;
	gid_t		 gid;
	double		*t;
	double		*flt;	/* minor page faults of each launch */
	double		*rss;	/* peak RSS of each launch, KB */
	int		 batch_arg;	/* index of @BATCH in argv, or -1 */
};

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
	int	in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_TRUNC);

	if (in < 0 || out < 0 || (n = read(in, buf, sizeof(buf))) < 0 ||
	    write(out, buf, (size_t)n) != n) {
		perror("install config");
		exit(1);
	}
	close(in);
	close(out);
}

static double
launch(struct bcase *c, double *flt, double *rss)
{
	struct rusage	ru;
	double	t0 = now_us();
	pid_t	pid = fork();
	int	st;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		if (chdir(c->dir) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(c->gid, c->gid, c->gid) < 0 ||
		    setresuid(c->uid, c->uid, c->uid) < 0)
			_exit(120);
		execve(c->argv[0], c->argv, (char *[]){ "REQUEST_METHOD=GET",
		    "QUERY_STRING=", NULL });
		_exit(121);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s failed: status %d\n", c->name, st);
		exit(1);
	}
	*rss = (double)ru.ru_maxrss;
	*flt = (double)ru.ru_minflt;
	return now_us() - t0;
}

/* A self-timing client: one run for BATCH requests, times into t[]. */
static void
launch_batch(struct bcase *c, int batch, double *t)
{
	char	 n[16], line[128];
	int	 p[2], st, got = 0;
	pid_t	 pid;
	FILE	*fp;

	snprintf(n, sizeof(n), "%d", batch);
	c->argv[c->batch_arg] = n;
	if (pipe(p) < 0 || (pid = fork()) < 0) {
		perror("launch_batch");
		exit(1);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(p[1], 2);
		close(p[0]);
		if (chdir(c->dir) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(c->gid, c->gid, c->gid) < 0 ||
		    setresuid(c->uid, c->uid, c->uid) < 0)
			_exit(120);
		execv(c->argv[0], c->argv);
		_exit(121);
	}
	close(p[1]);
	if ((fp = fdopen(p[0], "r")) == NULL)
		exit(1);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "usec ", 5) == 0 && got < batch)
			t[got++] = atof(line + 5);
	fclose(fp);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) ||
	    got != batch) {
		fprintf(stderr, "%s failed: status %d, %d of %d timed\n",
		    c->name, st, got, batch);
		exit(1);
	}
}

static int
cmp_d(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const struct bcase *c, int n)
{
	return c->t[n / 2];
}

int
main(int argc, char *argv[])
{
	static struct bcase	 cs[MAXCASE];
	char			 line[4096];
	int			 rounds, batch, n = 0, total;
	FILE			*fp;

	if (argc != 5 || (fp = fopen(argv[4], "r")) == NULL)
		return 2;
	rounds = atoi(argv[1]);
	batch = atoi(argv[2]);
	total = rounds * batch;
	if (rounds < 1 || batch < 1 || total > 100000)
		return 2;
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct bcase	*c = &cs[n];
		char		*f[5], *save = NULL, *user;
		struct passwd	*pw;
		int		 k = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (n == MAXCASE) {
			fprintf(stderr, "more than %d cases\n", MAXCASE);
			return 2;
		}
		line[strcspn(line, "\n")] = '\0';
		for (char *p = strtok_r(line, "\t", &save); p != NULL && k < 5;
		    p = strtok_r(NULL, "\t", &save))
			f[k++] = strdup(p);
		if (k != 5)
			return 2;
		c->name = f[0];
		user = f[1];
		c->dir = f[2];
		c->conf = strcmp(f[3], "-") == 0 ? NULL : f[3];
		k = 0;
		c->batch_arg = -1;
		for (char *p = strtok_r(f[4], " ", &save); p != NULL &&
		    k < MAXARG; p = strtok_r(NULL, " ", &save)) {
			if (strcmp(p, "@BATCH") == 0)
				c->batch_arg = k;
			c->argv[k++] = p;
		}
		if ((pw = getpwnam(user)) == NULL)
			return 2;
		c->uid = pw->pw_uid;
		c->gid = pw->pw_gid;
		c->t = calloc((size_t)total, sizeof(double));
		c->flt = calloc((size_t)total, sizeof(double));
		c->rss = calloc((size_t)total, sizeof(double));
		if (c->t == NULL || c->flt == NULL || c->rss == NULL)
			return 2;
		n++;
	}
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++) {
			struct bcase *c = &cs[(k + r) % n];

			if (c->conf != NULL)
				install(c->conf, argv[3]);
			if (c->batch_arg >= 0) {
				launch_batch(c, batch, &c->t[r * batch]);
				continue;
			}
			for (int b = 0; b < batch; b++)
				c->t[r * batch + b] = launch(c,
				    &c->flt[r * batch + b],
				    &c->rss[r * batch + b]);
		}
	for (int k = 0; k < n; k++) {
		qsort(cs[k].t, (size_t)total, sizeof(double), cmp_d);
		qsort(cs[k].flt, (size_t)total, sizeof(double), cmp_d);
		qsort(cs[k].rss, (size_t)total, sizeof(double), cmp_d);
	}
	printf("| case (%d launches each, interleaved) | median us | added "
	    "us | / suexec's added | / bare hop's added | median peak RSS KB "
	    "| page faults |\n|---|---|---|---|---|---|---|\n", total);
	{
		double	d = median(&cs[0], total), su = 0, hop = 0;

		for (int k = 0; k < n; k++) {
			if (strcmp(cs[k].name, "suexec") == 0)
				su = median(&cs[k], total) - d;
			if (strcmp(cs[k].name, "hop") == 0)
				hop = median(&cs[k], total) - d;
		}
		for (int k = 0; k < n; k++) {
			double	add = median(&cs[k], total) - d;

			printf("| %s | %.0f | %.0f |", cs[k].name,
			    median(&cs[k], total), add);
			if (su > 0 && k > 0)
				printf(" %.2fx |", add / su);
			else
				printf(" - |");
			if (hop > 0 && k > 0)
				printf(" %.2fx |", add / hop);
			else
				printf(" - |");
			if (cs[k].batch_arg >= 0)
				printf(" - | - |\n");
			else
				printf(" %.0f | %.0f |\n", cs[k].rss[total / 2],
				    cs[k].flt[total / 2]);
		}
	}
	return 0;
}
