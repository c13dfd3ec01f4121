/*
 * cgibox-check: lint the configuration and explain decisions, without
 * privilege and without executing anything.  It calls the launcher's own
 * conf_load() and decide(), so its answers are the launcher's.
 *
 *   cgibox-check [-s] [-p DIR] lint [FILE]
 *   cgibox-check [-s] [-c FILE] [-p DIR] explain USER GROUP PATH
 *   cgibox-check [-s] [-c FILE] [-p DIR] explain PATH
 *   cgibox-check [-s] [-p DIR] policy NAME
 *   cgibox-check [-s] [-p DIR] learn USER [--from-scratch]
 *   cgibox-check -V
 *
 * With docroot-owner root, lint also walks every docroot and names each
 * directory that is not root's or that group or others may write, and
 * each httpd.conf that is not root's: busybox httpd reads an httpd.conf
 * in every directory it serves, whose interpreter lines run code as the
 * web server without cgibox.
 *
 * Exit status: 0 the configuration is valid / the request would run;
 * 1 it would be refused, or the configuration could not be loaded, or a
 * docroot is not root's alone; 2 usage.
 */
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <pwd.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

static const char	*conf_path = CGIBOX_CONFIG;
static const char	*policy_dir = CGIBOX_POLICY_DIR;
static bool		 check = true;

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
	    "usage: cgibox-check [-s] [-p DIR] lint [FILE]\n"
	    "       cgibox-check [-s] [-c FILE] [-p DIR] explain USER GROUP PATH\n"
	    "       cgibox-check [-s] [-c FILE] [-p DIR] explain PATH\n"
	    "       cgibox-check [-s] [-p DIR] policy NAME\n"
	    "       cgibox-check [-s] [-p DIR] learn USER [--from-scratch]\n"
	    "       cgibox-check -V\n");
	exit(2);
}

/* A relative path is taken from the working directory. */
static const char *
absolute(const char *p, char *buf, size_t size)
{
	char	cwd[PATH_MAX], joined[2 * PATH_MAX + 2];

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return p;
	(void)snprintf(joined, sizeof(joined), "%s/%s", p[0] == '/' ? "" : cwd,
	    p);
	return path_normalize(joined, buf, size) == PATH_NORM_OK ? buf : p;
}

static void
policy_error(void *ctx, const char *path, unsigned line, const char *msg)
{
	(void)ctx;
	(void)fprintf(stderr, "%s:%u: %s\n", path, line, msg);
}

enum show { SHOW_NOTHING, SHOW_SUMMARY, SHOW_ALL };

/* Load and compile one policy; say as much about it as asked. */
static enum reason	policy_reason;

static int
policy(const char *name, enum show show)
{
	static struct policy	p;
	static struct bpf	b;
	struct fault		f;
	static const char *const acts[] = { "none", "allow", "errno", "kill",
	    "notify" };

	if (policy_load(policy_dir, name, check, &p, &f, policy_error, NULL) ||
	    policy_compile(&p, &b, NULL, &f)) {
		(void)fprintf(stderr, "%s: %s\n", reason_table[f.reason].name,
		    f.detail);
		policy_reason = f.reason;
		return 1;
	}
	if (show == SHOW_NOTHING)
		return 0;
	if (show == SHOW_SUMMARY) {
		(void)printf("policy %s: ok (%zu rules, %zu files, %zu BPF "
		    "instructions)\n", name, p.nrules, p.nfiles, b.len / 8);
		return 0;
	}
	(void)printf("# policy %s: %zu rules from %zu files, %zu BPF "
	    "instructions\n", name, p.nrules, p.nfiles, b.len / 8);
	(void)printf("# default %s", acts[p.default_action]);
	if (p.default_action == ACT_ERRNO)
		(void)printf(" %s", errno_name(p.default_errno));
	(void)printf("\n");
	for (size_t i = 0; i < p.nrules; i++) {
		const struct prule *r = &p.rules[i];

		(void)printf("# %s:%u: %s%s%s %s%s\n", p.files[r->file],
		    r->line, acts[r->action], r->action == ACT_ERRNO ? " " : "",
		    r->action == ACT_ERRNO ? errno_name(r->errno_value) : "",
		    r->name, r->ncond > 0 ? " (conditional)" : "");
	}
	(void)fflush(stdout);
	return policy_compile(&p, &b, stdout, &f) == R_ALLOW ? 0 : 1;
}

/* Every policy the configuration names, globally or in a match block. */
static int
lint_policies(const struct config *c)
{
	const char	*seen[1 + CONF_MAX_MATCH] = { NULL };
	size_t		 n = 0;
	int		 rc = 0;

	for (size_t i = 0; i <= c->n_match; i++) {
		const struct settings	*s = i == 0 ? &c->global :
		    &c->match[i - 1].s;
		bool			 dup = false;

		if ((i > 0 && !(s->set & SET_POLICY)) || s->policy == NULL)
			continue;
		for (size_t k = 0; k < n; k++)
			dup = dup || strcmp(seen[k], s->policy) == 0;
		if (dup)
			continue;
		seen[n++] = s->policy;
		rc |= policy(s->policy, SHOW_SUMMARY);
	}
	return rc;
}

/* ---- docroot-owner root: every docroot, root's alone ------------------- */

static unsigned long	tree_faults;

static int
tree_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char	*base = path + ftw->base;

	if (type == FTW_DNR || type == FTW_NS) {
		(void)printf("%s: cannot be read: %s\n", path, strerror(errno));
		tree_faults++;
	} else if (type == FTW_D && st->st_uid != 0) {
		(void)printf("%s: directory owned by uid %lu, not root\n", path,
		    (unsigned long)st->st_uid);
		tree_faults++;
	} else if (type == FTW_D && (st->st_mode & (S_IWGRP | S_IWOTH))) {
		/* Sticky or not, anyone may add an httpd.conf to it. */
		(void)printf("%s: directory writable by %s\n", path,
		    (st->st_mode & S_IWOTH) ? "others" : "group");
		tree_faults++;
	} else if (strcmp(base, "httpd.conf") == 0 && st->st_uid != 0) {
		(void)printf("%s: owned by uid %lu, not root\n", path,
		    (unsigned long)st->st_uid);
		tree_faults++;
	}
	return 0;
}

/* Every docroot, whole, when only root may own what lies in them. */
static int
lint_docroots(const struct config *c)
{
	if (!c->docroot_root_only)
		return 0;
	tree_faults = 0;
	for (size_t i = 0; i < c->n_docroot; i++)
		if (nftw(c->docroot[i], tree_entry, 64, FTW_PHYS) < 0) {
			(void)printf("%s: %s\n", c->docroot[i], strerror(errno));
			tree_faults++;
		}
	if (tree_faults == 0)
		return 0;
	(void)printf("docroot-owner root: %lu place%s where a user could "
	    "change what the web server reads\n", tree_faults,
	    tree_faults == 1 ? "" : "s");
	return 1;
}

/* ---- learn: a policy from what a user's requests called --------------- */

static struct learn_set	set;
static char		store[LEARN_STORE_MAX];

/* A comment line about a record: how often, when, from which scripts. */
static void
comment(const struct learn_rec *r)
{
	char	when[2][32];

	for (int i = 0; i < 2; i++) {
		time_t		t = (time_t)(i == 0 ? r->first : r->last);
		struct tm	tm;

		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(when[i], sizeof(when[i]), "%Y-%m-%dT%H:%M:%SZ",
		    &tm) == 0)
			(void)copy_str(when[i], sizeof(when[i]), "?");
	}
	(void)printf("# %s: %lu call%s, %s to %s", r->call, r->count,
	    r->count == 1 ? "" : "s", when[0], when[1]);
	for (size_t i = 0; i < r->nscripts; i++) {
		char	esc[LEARN_SCRIPT_MAX * 4];
		size_t	used, n = log_escape(esc, sizeof(esc), r->scripts[i],
		    strlen(r->scripts[i]), &used);

		/* Escaped: a script's name never ends the comment's line. */
		(void)printf("%s %.*s", i == 0 ? ", by" : ",", (int)n, esc);
	}
	(void)printf("\n");
}

/* The rule a record asks for: the call, with its recorded arguments. */
static void
learned_rule(const struct learn_rec *r)
{
	(void)printf("allow %s", r->call);
	for (unsigned i = 0; i < r->nargs; i++) {
		uint64_t	mask = learn_arg_mask(r->call, r->argi[i]);

		(void)printf(" %s a%u", i == 0 ? "if" : "and", r->argi[i]);
		if (mask != ~(uint64_t)0)
			(void)printf(" & %llu", (unsigned long long)mask);
		(void)printf(" == %llu", (unsigned long long)(r->argv[i] &
		    mask));
	}
	(void)printf("\n");
}

/* What the policy being written is made from. */
struct learning {
	const struct policy	*p;
	const char		*against;	/* the policy learned on */
	bool			 scratch;
};

/* A record the policy being written is made from. */
static bool
learned(const struct learning *lg, const struct learn_rec *r)
{
	return !r->refused && (r->mode == LEARN_SCRATCH) == lg->scratch &&
	    strcmp(r->policy, lg->against) == 0;
}

/* Was call recorded (by name alone: with no argument to condition on)? */
static bool
recorded(const struct learning *lg, const char *call, bool name_alone)
{
	for (size_t i = 0; i < set.n; i++)
		if (learned(lg, &set.r[i]) && strcmp(set.r[i].call, call) == 0 &&
		    (!name_alone || set.r[i].nargs == 0))
			return true;
	return false;
}

static bool
in_base(const struct policy *p, const struct prule *r)
{
	const char	*slash = strrchr(p->files[r->file], '/');

	return strcmp(slash != NULL ? slash + 1 : p->files[r->file],
	    "base.policy") == 0;
}

/*
 * Which of the learned-against policy's rules the learned policy keeps.
 * By default: the policy's own (base is included), but its errno rules
 * for a recorded call, which the learned rules replace, and every allow
 * or errno rule of a call recorded by name alone, which an unconditional
 * allow replaces.  From scratch: base's refusals and the policy's kills,
 * the errno rules of calls never recorded, and base's allow for a call
 * that was recorded; the essentials have their own line.
 */
static bool
keep_rule(const struct learning *lg, const struct prule *r)
{
	bool	base = in_base(lg->p, r);

	if (!lg->scratch)
		return !base && (r->action == ACT_KILL ||
		    (!recorded(lg, r->name, true) && !(r->action == ACT_ERRNO &&
		    recorded(lg, r->name, false))));
	if (policy_is_essential(r->name))
		return false;
	if (r->action == ACT_ALLOW)
		return base && recorded(lg, r->name, false);
	return base || r->action == ACT_KILL || !recorded(lg, r->name, false);
}

/* Does a kept rule stand for the call already (from scratch, base's
 * allow; a kill)? */
static bool
kept_for(const struct learning *lg, const struct learn_rec *r)
{
	for (size_t k = 0; k < lg->p->nrules; k++) {
		const struct prule	*pr = &lg->p->rules[k];

		if (strcmp(pr->name, r->call) != 0 || !keep_rule(lg, pr))
			continue;
		/* Base's own rule keeps its conditions (no set-id modes, no
		 * namespaces); an unconditional allow cannot stand beside a
		 * kill rule: the call stays refused, and is named. */
		if (lg->scratch && pr->action == ACT_ALLOW)
			return true;
		if (pr->action == ACT_KILL && r->nargs == 0) {
			(void)fprintf(stderr, "%s: recorded, but the policy kills "
			    "some of its calls: left refused\n", r->call);
			return true;
		}
	}
	return false;
}

/* The kept rules, base's allows after the comments of their records. */
static bool
print_kept(const struct learning *lg)
{
	const struct policy	*p = lg->p;
	char			 text[4096];

	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule	*r = &p->rules[i];

		if (!keep_rule(lg, r))
			continue;
		if (lg->scratch && r->action == ACT_ALLOW && (i == 0 ||
		    strcmp(p->rules[i - 1].name, r->name) != 0))
			for (size_t k = 0; k < set.n; k++)
				if (learned(lg, &set.r[k]) &&
				    strcmp(set.r[k].call, r->name) == 0)
					comment(&set.r[k]);
		if (policy_rule_text(p, r, text, sizeof(text)) == 0) {
			(void)fprintf(stderr, "%s: a rule too long to write\n",
			    r->name);
			return false;
		}
		(void)printf("%s\n", text);
	}
	return true;
}

/* A rule per record the kept rules do not cover, after its comment. */
static size_t
print_learned(const struct learning *lg)
{
	size_t	n = 0;

	for (size_t i = 0; i < set.n; i++) {
		const struct learn_rec	*r = &set.r[i];
		bool			 skip = false;

		if (!learned(lg, r))
			continue;
		n++;
		if (kept_for(lg, r))
			continue;
		comment(r);
		for (size_t k = 0; k < i && !skip; k++) {
			const struct learn_rec	*q = &set.r[k];

			/* The same rule from another mode: once. */
			skip = learned(lg, q) && strcmp(q->call, r->call) == 0 &&
			    q->nargs == r->nargs && memcmp(q->argv, r->argv,
			    sizeof(q->argv)) == 0 && memcmp(q->argi, r->argi,
			    sizeof(q->argi)) == 0;
		}
		if (!skip)
			learned_rule(r);
	}
	return n;
}

/*
 * The user's store, read as root.  Records from learn scratch make the
 * --from-scratch policy, the others the default one.  Prints the policy
 * on standard output; 1 if there is nothing to write it from.
 */
static int
learn(int argc, char *argv[])
{
	static struct policy	p;
	struct learning		lg = { &p, NULL, false };
	struct fault		f;
	struct passwd		*pw;
	const char		*user = NULL;
	char			 path[PATH_MAX];
	int64_t			 latest = -1;
	size_t			 len, n;
	int			 fd;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--from-scratch") == 0)
			lg.scratch = true;
		else if (user == NULL)
			user = argv[i];
		else
			usage();
	}
	if (user == NULL)
		usage();
	if ((pw = getpwnam(user)) == NULL) {
		(void)fprintf(stderr, "%s: no such user\n", user);
		return 1;
	}
	(void)snprintf(path, sizeof(path), "%s/%lu.learn", CGIBOX_LEARN_DIR,
	    (unsigned long)pw->pw_uid);
	if ((fd = open_trusted(path, check, false, R_SYSTEM, &f)) < 0 ||
	    read_all(fd, store, sizeof(store), &len, path, R_SYSTEM, &f)) {
		if (fd >= 0)
			(void)close(fd);
		(void)fprintf(stderr, "%s: %s\n", reason_table[f.reason].name,
		    f.detail);
		return 1;
	}
	(void)close(fd);
	learn_read(&set, store, len);
	/* The policy the latest record was learned against. */
	for (size_t i = 0; i < set.n; i++)
		if (!set.r[i].refused && (set.r[i].mode == LEARN_SCRATCH) ==
		    lg.scratch && set.r[i].last > latest) {
			latest = set.r[i].last;
			lg.against = set.r[i].policy;
		}
	if (lg.against == NULL) {
		(void)fprintf(stderr, "%s: no records%s in %s\n", user,
		    lg.scratch ? " from learn scratch" : "", path);
		return 1;
	}
	if (policy_load(policy_dir, lg.against, check, &p, &f, policy_error,
	    NULL)) {
		(void)fprintf(stderr, "%s: %s\n", reason_table[f.reason].name,
		    f.detail);
		return 1;
	}
	(void)printf("# Learned by cgibox-check learn%s for %s from %s,\n"
	    "# against policy %s.\ndefault kill\n", lg.scratch ?
	    " --from-scratch" : "", user, path, lg.against);
	if (lg.scratch) {
		(void)printf("# What the application called, and base's "
		    "refusals; everything else is killed.\nallow");
		for (size_t k = 0; policy_essential(k) != NULL; k++)
			(void)printf(" %s", policy_essential(k));
		(void)printf("\n");
	} else
		(void)printf("# The policy's rules, and what its refusals let "
		    "through.\ninclude base\n");
	if (!print_kept(&lg))
		return 1;
	n = print_learned(&lg);
	(void)fprintf(stderr, "%zu records learned against %s\n", n,
	    lg.against);
	return 0;
}

static int
load(struct config *c)
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
	struct landlock_plan	plan;

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
	if (request_parse(argc + 1, fake, NULL, &rq, &f) ||
	    decide(c, &rq, cwd, &d, &f)) {
		(void)printf("deny %s: %s\n", reason_table[f.reason].name,
		    f.detail);
		return 1;
	}
	if (d.e.s.policy != NULL && policy(d.e.s.policy, SHOW_NOTHING) != 0) {
		(void)printf("deny %s: policy %s\n",
		    reason_table[policy_reason].name, d.e.s.policy);
		return 1;
	}
	if (landlock_plan(d.e.s.landlock, d.e.s.landlock == LL_OFF ? 0 :
	    landlock_kernel_abi(), &plan) != R_ALLOW) {
		(void)printf("deny %s: the kernel offers no Landlock\n",
		    reason_table[R_LANDLOCK].name);
		return 1;
	}
	(void)printf("allow\n");
	(void)printf("caller %s\n", c->caller);
	(void)printf("landlock %s", d.e.s.landlock == LL_OFF ? "off" :
	    d.e.s.landlock == LL_BEST_EFFORT ? "best-effort" : "required");
	if (d.e.s.landlock != LL_OFF)
		(void)printf(" (ABI %d%s%s)", plan.abi, plan.missing[0] ?
		    ", no " : "", plan.missing);
	(void)printf("\n");
	settings_print_decision(stdout, c, &d);
	path_close(&d.w);
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct config	c;
	static char		conf_buf[PATH_MAX], dir_buf[PATH_MAX];
	int			ch;

	while ((ch = getopt(argc, argv, "+c:p:sV")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = absolute(optarg, conf_buf, sizeof(conf_buf));
			break;
		case 'p':
			policy_dir = absolute(optarg, dir_buf, sizeof(dir_buf));
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
			conf_path = absolute(argv[1], conf_buf, sizeof(conf_buf));
		if (load(&c) != 0)
			return 1;
		(void)printf("%s: ok\n", conf_path);
		return lint_policies(&c) | lint_docroots(&c);
	}
	if (strcmp(argv[0], "explain") == 0) {
		if (load(&c) != 0)
			return 1;
		return explain(&c, argc - 1, argv + 1);
	}
	if (strcmp(argv[0], "learn") == 0)
		return learn(argc, argv);
	if (strcmp(argv[0], "policy") == 0) {
		if (argc != 2)
			usage();
		return policy(argv[1], SHOW_ALL);
	}
	usage();
}
