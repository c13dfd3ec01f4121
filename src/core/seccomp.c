/*
 * Seccomp: load a policy, compile it with libseccomp, cache the compiled
 * filter, and install it as the last step before exec.
 *
 * MUST rules:
 * - Policy files get the configuration's checks: root-owned, not writable
 *   by group or others, every directory above them too, no symbolic links.
 * - Native architecture only: any other ABI (i386 int 0x80, x32) kills the
 *   process; every kill kills the whole process, not one thread.
 * - The request path does not compile when it need not: the compiled
 *   filter is cached in a root-only directory, keyed by the identity
 *   (device, inode, size, mtime, ctime) of every file of the policy and by
 *   the cgibox and libseccomp versions.  On every request each file is
 *   opened and checked again and its identity compared; any difference,
 *   or a cache file that is not root's own, regular, single-linked, mode
 *   0600 and well-formed, means the cache is ignored and the policy
 *   compiled afresh.  So an edited policy takes effect on the next request.
 * - A missing or unwritable cache directory costs time, never safety: the
 *   filter is then compiled for every request.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stddef.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgibox.h"

/* Bump the digit whenever compiling a policy changes meaning. */
#define CACHE_MAGIC	"CGBXBPF2"

struct cache_file {
	char		name[NAME_LEN];
	uint64_t	dev, ino, size;
	int64_t		mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

struct cache_head {
	char		magic[8];
	char		version[16];	/* cgibox */
	uint32_t	libseccomp;	/* major << 16 | minor << 8 | micro */
	uint32_t	nfiles;
	uint32_t	len;		/* bytes of BPF after the file list */
	uint32_t	pad;
};

static uint32_t
libseccomp_version(void)
{
	const struct scmp_version	*v = seccomp_version();

	return v == NULL ? 0 : v->major << 16 | v->minor << 8 | v->micro;
}

static void
identity(const struct stat *st, const char *name, struct cache_file *cf)
{
	memset(cf, 0, sizeof(*cf));
	(void)copy_str(cf->name, sizeof(cf->name), name);
	cf->dev = st->st_dev;
	cf->ino = st->st_ino;
	cf->size = (uint64_t)st->st_size;
	cf->mtime_sec = st->st_mtim.tv_sec;
	cf->mtime_nsec = st->st_mtim.tv_nsec;
	cf->ctime_sec = st->st_ctim.tv_sec;
	cf->ctime_nsec = st->st_ctim.tv_nsec;
}

/* ---- loading the policy files ------------------------------------------- */

/* Turns the parser's file index into the file's path for the reporter. */
struct reporter {
	const struct policy	*p;
	policy_report_fn	 fn;
	void			*ctx;
};

static void
report(void *ctx, unsigned file, unsigned line, const char *msg)
{
	const struct reporter	*r = ctx;

	if (r->fn != NULL)
		r->fn(r->ctx, r->p->files[file], line, msg);
}

static enum reason
load_file(const char *dir, const char *name, bool check, struct policy *p,
    struct fault *f, struct reporter *rep)
{
	static char	text[POLICY_MAX_BYTES + 1];
	size_t		len;
	unsigned	k = (unsigned)p->nfiles;
	int		fd;
	enum reason	r;

	if (p->nfiles == POLICY_MAX_FILES)
		return fault(f, R_POLICY_INVALID, "%s: more than %d files",
		    name, POLICY_MAX_FILES);
	if (!valid_policy_name(name))
		return fault(f, R_POLICY_INVALID, "'%s' is not a policy name",
		    name);
	(void)snprintf(p->files[k], sizeof(p->files[k]), "%s/%s.policy", dir,
	    name);
	if ((fd = open_trusted(p->files[k], check, false, R_POLICY_INVALID,
	    f)) < 0)
		return f->reason;
	if (fstat(fd, &p->st[k]) < 0) {
		(void)close(fd);
		return fault(f, R_SYSTEM, "fstat %s: %s", p->files[k],
		    strerror(errno));
	}
	r = read_all(fd, text, sizeof(text), &len, p->files[k],
	    R_POLICY_INVALID, f);
	(void)close(fd);
	if (r != R_ALLOW)
		return r;
	p->nfiles++;
	if (policy_parse(p, k, text, len, report, rep) != 0)
		return fault(f, R_POLICY_INVALID, "%s has errors", p->files[k]);
	return R_ALLOW;
}

static bool
loaded(const struct policy *p, const char *dir, const char *name)
{
	char	path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/%s.policy", dir, name);
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i], path) == 0)
			return true;
	return false;
}

/*
 * Load policy NAME from dir and, once each, every file it includes,
 * directly or not.  p is filled in; errors go to err with the file index.
 */
enum reason
policy_load(const char *dir, const char *name, bool check, struct policy *p,
    struct fault *f, policy_report_fn fn, void *ctx)
{
	struct reporter	rep = { p, fn, ctx };

	memset(p, 0, sizeof(*p));
	if (load_file(dir, name, check, p, f, &rep))
		return f->reason;
	for (size_t i = 0; i < p->nincludes; i++)
		if (!loaded(p, dir, p->includes[i]) &&
		    load_file(dir, p->includes[i], check, p, f, &rep))
			return f->reason;
	if (policy_check(p, report, &rep) != 0)
		return fault(f, R_POLICY_INVALID, "%s: conflicting rules",
		    p->files[0]);
	return R_ALLOW;
}

/* ---- compiling ----------------------------------------------------------- */

static uint32_t
action(enum pact a, int e)
{
	switch (a) {
	case ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case ACT_ERRNO:
		return SCMP_ACT_ERRNO((uint16_t)e);
	case ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case ACT_KILL:
	case ACT_NONE:
	default:
		return SCMP_ACT_KILL_PROCESS;
	}
}

static enum scmp_compare
cmp(enum cmp_op op)
{
	switch (op) {
	case OP_NE:
		return SCMP_CMP_NE;
	case OP_LT:
		return SCMP_CMP_LT;
	case OP_LE:
		return SCMP_CMP_LE;
	case OP_GT:
		return SCMP_CMP_GT;
	case OP_GE:
		return SCMP_CMP_GE;
	case OP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	case OP_EQ:
	case OP_IN:
	default:
		return SCMP_CMP_EQ;
	}
}

static int
sort_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- rules without an else: each is one or more libseccomp rules ---------- */

/*
 * Add rule r with the conditions from index c on, the earlier ones fixed
 * in cmp[0, c).  An "in" condition becomes one rule per value: the cross
 * product of the sets.
 */
static int
add_product(scmp_filter_ctx sc, const struct policy *p, const struct prule *r,
    int nr, uint32_t act, struct scmp_arg_cmp *cv, size_t c)
{
	const struct pcond	*pc;
	const uint64_t		*v;
	uint64_t		 mask;
	size_t			 n;
	int			 rc;

	if (c == r->ncond)
		return seccomp_rule_add_exact_array(sc, act, nr,
		    (unsigned)r->ncond, cv);
	pc = &r->cond[c];
	cv[c].arg = pc->arg;
	if (pc->op != OP_IN) {
		cv[c].op = cmp(pc->op);
		cv[c].datum_a = pc->op == OP_MASKED_EQ ? pc->mask : pc->value;
		cv[c].datum_b = pc->op == OP_MASKED_EQ ? pc->value : 0;
		return add_product(sc, p, r, nr, act, cv, c + 1);
	}
	n = cond_set(p, pc, &v, &mask);
	for (size_t i = 0; i < n; i++) {
		cv[c].op = mask == ~(uint64_t)0 ? SCMP_CMP_EQ :
		    SCMP_CMP_MASKED_EQ;
		cv[c].datum_a = mask == ~(uint64_t)0 ? v[i] : mask;
		cv[c].datum_b = mask == ~(uint64_t)0 ? 0 : v[i];
		if ((rc = add_product(sc, p, r, nr, act, cv, c + 1)) < 0)
			return rc;
	}
	return 0;
}

static int
add_rule(scmp_filter_ctx sc, const struct policy *p, const struct prule *r,
    int nr)
{
	uint32_t		act = action(r->action, r->errno_value);
	struct scmp_arg_cmp	c[POLICY_MAX_COND];

	/*
	 * A rule without conditions that repeats the default action only
	 * documents it.  One with conditions could only matter by overriding
	 * another rule for the same call, which a filter cannot express
	 * (libseccomp would drop it): the policy must say it otherwise.
	 */
	if (act == action(p->default_action, p->default_errno)) {
		if (r->ncond > 0)
			return -ENOTUNIQ;
		return 0;
	}
	return add_product(sc, p, r, nr, act, c, 0);
}

/* ---- calls with an else: the union of their rules, and its complement ----- */

/*
 * The rules for one call with an else are a union of boxes: each rule is
 * a set of values (or any value) per argument.  The compiler walks the
 * arguments in order and splits each into the values some rule names and
 * the rest, so every rule it writes is disjoint from every other rule
 * with another action: which one libseccomp tries first cannot matter.
 * The rest of an argument is written with few comparisons (rest()).
 */
struct part {
	scmp_filter_ctx		 sc;
	const struct policy	*p;
	int			 nr;
	uint32_t		 allow, otherwise, deflt;
	const struct prule	*rule[POLICY_MAX_ELSE_RULES];
	size_t			 nrules;
	unsigned		 dim[6];	/* the arguments tested, in order */
	uint64_t		 mask[6];	/* per argument */
	size_t			 ndim;
	unsigned		 budget;	/* nodes left to visit */
	struct scmp_arg_cmp	 prefix[6];
};

/*
 * The most nodes one call's partition may visit: a few hundred rules at
 * most, and a compile that cannot run away.  The shipped socket rules
 * need about 150.
 */
#define PART_BUDGET	2048

/* Rule k's set for argument a; false if it takes any value there. */
static bool
rule_set(const struct part *pt, size_t k, unsigned a, const uint64_t **v,
    size_t *n)
{
	const struct prule	*r = pt->rule[k];
	uint64_t		 m;

	for (size_t c = 0; c < r->ncond; c++)
		if (r->cond[c].arg == a) {
			*n = cond_set(pt->p, &r->cond[c], v, &m);
			return true;
		}
	return false;
}

static bool
in_set(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static int
emit(struct part *pt, uint32_t act, size_t depth)
{
	if (act == pt->deflt)
		return 0;
	return seccomp_rule_add_exact_array(pt->sc, act, pt->nr,
	    (unsigned)depth, pt->prefix);
}

static int	node(struct part *, uint64_t, size_t, size_t);

/* Recurse below the comparison (op, a, b) on dimension d at depth. */
static int
branch(struct part *pt, uint64_t active, size_t d, size_t depth,
    enum scmp_compare op, uint64_t a, uint64_t b)
{
	pt->prefix[depth] = (struct scmp_arg_cmp){ .arg = pt->dim[d],
	    .op = op, .datum_a = a, .datum_b = b };
	return node(pt, active, d + 1, depth + 1);
}

/*
 * Values lo to hi of a dimension, as aligned blocks of the values its
 * mask leaves, shifted down by shift: each block is one masked ==.
 * For a whole argument the mask is all ones and shift 0.
 */
static int
blocks(struct part *pt, uint64_t active, size_t d, size_t depth, uint64_t lo,
    uint64_t hi, unsigned shift)
{
	uint64_t	m = pt->mask[d];
	int		rc;

	for (;;) {
		/* The largest aligned block at lo that fits below hi. */
		uint64_t size = lo == 0 ? (uint64_t)1 << 63 : lo & -lo;

		while (size - 1 > hi - lo)
			size >>= 1;
		if ((rc = branch(pt, active, d, depth, SCMP_CMP_MASKED_EQ,
		    m & ~((size << shift) - 1), lo << shift)) < 0)
			return rc;
		if (hi - lo == size - 1)
			return 0;
		lo += size;
	}
}

/*
 * The values of dimension d that v[0, n) (sorted, unique) omits.  A whole
 * argument: < below the smallest, blocks between, > above the largest.
 * A mask of contiguous bits: blocks of the masked values.  Other masks:
 * for a set of just 0, one rule per bit of the mask (they overlap, with
 * one outcome); otherwise every other value of the masked bits (at most
 * 2^6, policy_check).
 */
static int
rest(struct part *pt, uint64_t active, size_t d, size_t depth,
    const uint64_t *v, size_t n)
{
	uint64_t	m = pt->mask[d], top, s;
	unsigned	shift = (unsigned)__builtin_ctzll(m);
	bool		plain = m == ~(uint64_t)0;
	int		rc;

	top = m >> shift;
	if ((top & (top + 1)) == 0) {		/* contiguous, or all ones */
		if (v[0] > 0 && (rc = plain ? branch(pt, active, d, depth,
		    SCMP_CMP_LT, v[0], 0) : blocks(pt, active, d, depth, 0,
		    (v[0] >> shift) - 1, shift)) < 0)
			return rc;
		for (size_t i = 0; i + 1 < n; i++)
			if ((v[i + 1] >> shift) > (v[i] >> shift) + 1 &&
			    (rc = blocks(pt, active, d, depth,
			    (v[i] >> shift) + 1, (v[i + 1] >> shift) - 1,
			    shift)) < 0)
				return rc;
		if ((v[n - 1] >> shift) < top && (rc = plain ? branch(pt,
		    active, d, depth, SCMP_CMP_GT, v[n - 1], 0) : blocks(pt,
		    active, d, depth, (v[n - 1] >> shift) + 1, top, shift)) < 0)
			return rc;
		return 0;
	}
	if (n == 1 && v[0] == 0) {
		for (unsigned b = 0; b < 64; b++)
			if ((m >> b & 1) && (rc = branch(pt, active, d, depth,
			    SCMP_CMP_MASKED_EQ, (uint64_t)1 << b,
			    (uint64_t)1 << b)) < 0)
				return rc;
		return 0;
	}
	s = 0;
	do {
		if (!in_set(v, n, s) && (rc = branch(pt, active, d, depth,
		    SCMP_CMP_MASKED_EQ, m, s)) < 0)
			return rc;
		s = (s - m) & m;
	} while (s != 0);
	return 0;
}

/*
 * The calls that the rules in active (a bit per rule) still match after
 * the comparisons in prefix[0, depth), on the dimensions from d on.
 */
static int
node(struct part *pt, uint64_t active, size_t d, size_t depth)
{
	uint64_t	vals[POLICY_MAX_ELSE_RULES * POLICY_MAX_IN];
	uint64_t	any = 0;
	size_t		nv = 0;
	int		rc;

	if (pt->budget-- == 0)
		return -E2BIG;
	if (active == 0)
		return emit(pt, pt->otherwise, depth);
	for (size_t k = 0; k < pt->nrules; k++) {
		bool	rest_any = true;

		if (!(active >> k & 1))
			continue;
		for (size_t e = d; e < pt->ndim && rest_any; e++) {
			const uint64_t	*v;
			size_t		 n;

			rest_any = !rule_set(pt, k, pt->dim[e], &v, &n);
		}
		if (rest_any)
			return emit(pt, pt->allow, depth);
	}
	/* d < ndim here: an active rule still has a condition to meet. */
	for (size_t k = 0; k < pt->nrules; k++) {
		const uint64_t	*v;
		size_t		 n;

		if (!(active >> k & 1))
			continue;
		if (!rule_set(pt, k, pt->dim[d], &v, &n)) {
			any |= (uint64_t)1 << k;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (!in_set(vals, nv, v[i]))
				vals[nv++] = v[i];
	}
	if (nv == 0)
		return node(pt, any, d + 1, depth);
	qsort(vals, nv, sizeof(vals[0]), sort_u64);
	for (size_t i = 0; i < nv; i++) {
		uint64_t	sub = any;
		bool		plain = pt->mask[d] == ~(uint64_t)0;

		for (size_t k = 0; k < pt->nrules; k++) {
			const uint64_t	*v;
			size_t		 n;

			if ((active >> k & 1) && rule_set(pt, k, pt->dim[d], &v,
			    &n) && in_set(v, n, vals[i]))
				sub |= (uint64_t)1 << k;
		}
		if ((rc = branch(pt, sub, d, depth, plain ? SCMP_CMP_EQ :
		    SCMP_CMP_MASKED_EQ, plain ? vals[i] : pt->mask[d],
		    plain ? 0 : vals[i])) < 0)
			return rc;
	}
	return rest(pt, any, d, depth, vals, nv);
}

/* All the rules for the call of p->rules[k], which has an else. */
static int
add_partition(scmp_filter_ctx sc, const struct policy *p, size_t k, int nr)
{
	static struct part	pt;
	const struct prule	*first = &p->rules[k];
	uint64_t		 mask[6] = { 0 };
	bool			 used[6] = { false };

	memset(&pt, 0, sizeof(pt));
	pt.sc = sc;
	pt.p = p;
	pt.nr = nr;
	/* allow, or in learn mode's recording variant notify */
	pt.allow = action(first->action, first->errno_value);
	pt.otherwise = action(first->else_action, first->else_errno);
	pt.deflt = action(p->default_action, p->default_errno);
	pt.budget = PART_BUDGET;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];

		if (strcmp(r->name, first->name) != 0)
			continue;
		if (pt.nrules == POLICY_MAX_ELSE_RULES)
			return -E2BIG;		/* policy_check refuses it */
		/* One action for the union, as policy_check demands. */
		if (r->action != first->action)
			return -EINVAL;
		pt.rule[pt.nrules++] = r;
		for (size_t c = 0; c < r->ncond; c++) {
			const uint64_t	*v;

			(void)cond_set(p, &r->cond[c], &v,
			    &mask[r->cond[c].arg]);
			used[r->cond[c].arg] = true;
		}
	}
	for (unsigned a = 0; a < 6; a++)
		if (used[a]) {
			pt.mask[pt.ndim] = mask[a];
			pt.dim[pt.ndim++] = a;
		}
	return node(&pt, pt.nrules == 64 ? ~(uint64_t)0 :
	    ((uint64_t)1 << pt.nrules) - 1, 0, 0);
}

/*
 * The compiled program, through a pipe: no file, so no file size limit of
 * the caller's applies, and the largest filter (32 KiB) fits in a pipe's
 * buffer, so the write never blocks.
 */
static enum reason
export(scmp_filter_ctx sc, struct bpf *out, struct fault *f)
{
	int	p[2];
	ssize_t	n;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return fault(f, R_SECCOMP, "pipe: %s", strerror(errno));
	(void)fcntl(p[1], F_SETPIPE_SZ, (int)sizeof(out->insns) + 4096);
	if (seccomp_export_bpf(sc, p[1]) < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return fault(f, R_SECCOMP, "seccomp_export_bpf failed (a filter "
		    "of more than %d instructions?)", BPF_MAX_INSNS);
	}
	(void)close(p[1]);
	n = read(p[0], out->insns, sizeof(out->insns));
	if (n > 0 && (size_t)n == sizeof(out->insns)) {
		char	more;

		if (read(p[0], &more, 1) > 0)
			n = -2;
	}
	(void)close(p[0]);
	if (n <= 0 || n % 8 != 0)
		return fault(f, R_SECCOMP, "filter not 1 to %d instructions",
		    BPF_MAX_INSNS);
	out->len = (size_t)n;
	return R_ALLOW;
}

/*
 * How rule i is compiled: on its own, or with the other rules for its
 * call in one partition (the call has an else), written at the first
 * rule with an else and skipped at the others.
 */
enum else_role { ELSE_NONE, ELSE_FIRST, ELSE_DONE };

static enum else_role
else_rule(const struct policy *p, size_t i)
{
	for (size_t j = 0; j < p->nrules; j++) {
		const struct prule *r = &p->rules[j];

		if (r->else_action != ACT_NONE &&
		    strcmp(r->name, p->rules[i].name) == 0)
			return j == i ? ELSE_FIRST : ELSE_DONE;
	}
	return ELSE_NONE;
}

/*
 * Compile p into out (and its PFC listing into pfc, if given): native
 * architecture, other ABIs kill the process, binary-tree layout.
 */
enum reason
policy_compile(const struct policy *p, struct bpf *out, FILE *pfc,
    struct fault *f)
{
	scmp_filter_ctx	sc;
	enum reason	r = R_ALLOW;

	sc = seccomp_init(action(p->default_action, p->default_errno));
	if (sc == NULL)
		return fault(f, R_SECCOMP, "seccomp_init failed");
	if (seccomp_attr_set(sc, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(sc, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
	    seccomp_attr_set(sc, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
		seccomp_release(sc);
		return fault(f, R_SECCOMP, "seccomp_attr_set failed");
	}
	for (size_t i = 0; i < p->nrules && r == R_ALLOW; i++) {
		const struct prule	*ru = &p->rules[i];
		int			 nr, rc;

		nr = seccomp_syscall_resolve_name(ru->name);
		if (nr == __NR_SCMP_ERROR || nr < 0) {
			r = fault(f, R_POLICY_INVALID, "%s:%u: '%s' is not a "
			    "system call on this architecture",
			    p->files[ru->file], ru->line, ru->name);
			break;
		}
		/* libseccomp refuses rules for what they say (a duplicate,
		 * a bad comparison): the policy's fault, not the system's. */
		switch (else_rule(p, i)) {
		case ELSE_NONE:
			rc = add_rule(sc, p, ru, nr);
			break;
		case ELSE_FIRST:
			rc = add_partition(sc, p, i, nr);
			break;
		case ELSE_DONE:
		default:
			rc = 0;
			break;
		}
		if (rc < 0)
			r = fault(f, R_POLICY_INVALID, "%s:%u: %s: %s",
			    p->files[ru->file], ru->line, ru->name,
			    rc == -E2BIG ? "else: writing the complement of "
			    "these rules takes too many filter rules; use fewer, "
			    "closer or unmasked values" : rc == -EEXIST ? "the same "
			    "conditions as another rule for this call" :
			    rc == -ENOTUNIQ ? "a rule with conditions and the "
			    "default action cannot override another rule; "
			    "narrow that rule's conditions instead" :
			    strerror(-rc));
	}
	if (r == R_ALLOW)
		r = export(sc, out, f);
	if (r == R_ALLOW && pfc != NULL)
		(void)seccomp_export_pfc(sc, fileno(pfc));
	seccomp_release(sc);
	return r;
}

/* ---- the cache ------------------------------------------------------------ */

static int
cache_dir(const char *cachedir)
{
	struct fault	f;
	int		fd;

	fd = open_trusted(cachedir, true, true, R_SYSTEM, &f);
	if (fd < 0 && f.reason == R_SYSTEM && mkdir(cachedir, 0700) == 0)
		fd = open_trusted(cachedir, true, true, R_SYSTEM, &f);
	return fd;
}

/* The cache file of a policy, or of a recording variant of it. */
static void
cache_name(char *buf, size_t size, const char *name, enum learn_mode v)
{
	(void)snprintf(buf, size, "%s%s.bpf", name, v == LEARN_NO ? "" :
	    v == LEARN_SCRATCH ? ".scratch" : ".learn");
}

/* Is the cached filter for name current?  Fill out if so. */
static bool
cache_read(int dfd, const char *dir, const char *name, enum learn_mode learn,
    struct bpf *out, struct fault *f, bool *insecure)
{
	static uint8_t		buf[sizeof(struct cache_head) + POLICY_MAX_FILES *
	    sizeof(struct cache_file) + sizeof(out->insns)];
	struct cache_head	h;
	struct stat		st;
	char			fname[NAME_LEN + 16];
	ssize_t			n;
	size_t			need;
	int			fd;

	cache_name(fname, sizeof(fname), name, learn);
	fd = openat(dfd, fname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) != 0 || st.st_nlink != 1 ||
	    (size_t)st.st_size > sizeof(buf) ||
	    (n = read(fd, buf, sizeof(buf))) != st.st_size ||
	    (size_t)n < sizeof(h)) {
		(void)close(fd);
		return false;
	}
	(void)close(fd);
	memcpy(&h, buf, sizeof(h));
	need = sizeof(h) + h.nfiles * sizeof(struct cache_file) + h.len;
	if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 ||
	    strncmp(h.version, CGIBOX_VERSION, sizeof(h.version)) != 0 ||
	    h.libseccomp != libseccomp_version() || h.nfiles == 0 ||
	    h.nfiles > POLICY_MAX_FILES || h.len == 0 || h.len % 8 != 0 ||
	    h.len > sizeof(out->insns) || need != (size_t)n)
		return false;
	for (uint32_t i = 0; i < h.nfiles; i++) {
		struct cache_file	cf, now;
		char			path[PATH_MAX];

		memcpy(&cf, buf + sizeof(h) + i * sizeof(cf), sizeof(cf));
		cf.name[sizeof(cf.name) - 1] = '\0';
		if (!valid_policy_name(cf.name) ||
		    (i == 0 && strcmp(cf.name, name) != 0))
			return false;
		(void)snprintf(path, sizeof(path), "%s/%s.policy", dir, cf.name);
		fd = open_trusted(path, true, false, R_POLICY_INVALID, f);
		if (fd < 0) {
			*insecure = f->reason == R_CONFIG_INSECURE;
			return false;
		}
		if (fstat(fd, &st) < 0) {
			(void)close(fd);
			return false;
		}
		(void)close(fd);
		identity(&st, cf.name, &now);
		if (memcmp(&now, &cf, sizeof(cf)) != 0)
			return false;
	}
	memcpy(out->insns, buf + need - h.len, h.len);
	out->len = h.len;
	return true;
}

static void
cache_write(int dfd, const struct policy *p, const char *name,
    enum learn_mode learn, const struct bpf *b)
{
	static uint8_t		buf[sizeof(struct cache_head) + POLICY_MAX_FILES *
	    sizeof(struct cache_file) + sizeof(b->insns)];
	struct cache_head	h = { .magic = CACHE_MAGIC };
	char			tmp[NAME_LEN + 32], fname[NAME_LEN + 16];
	unsigned char		rnd[8];
	size_t			len = sizeof(h);
	int			fd;

	(void)copy_str(h.version, sizeof(h.version), CGIBOX_VERSION);
	h.libseccomp = libseccomp_version();
	h.nfiles = (uint32_t)p->nfiles;
	h.len = (uint32_t)b->len;
	memcpy(buf, &h, sizeof(h));
	for (size_t i = 0; i < p->nfiles; i++) {
		struct cache_file	cf;
		const char		*base = strrchr(p->files[i], '/') + 1;
		char			n[NAME_LEN];

		(void)snprintf(n, sizeof(n), "%.*s",
		    (int)(strlen(base) - strlen(".policy")), base);
		identity(&p->st[i], n, &cf);
		memcpy(buf + len, &cf, sizeof(cf));
		len += sizeof(cf);
	}
	memcpy(buf + len, b->insns, b->len);
	len += b->len;
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		return;
	(void)snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x", name,
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	cache_name(fname, sizeof(fname), name, learn);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, buf, len) != (ssize_t)len || fchmod(fd, 0600) < 0 ||
	    close(fd) < 0 || renameat(dfd, tmp, dfd, fname) < 0)
		(void)unlinkat(dfd, tmp, 0);
}

/*
 * The filter for policy name from dir: the cached one if it is current,
 * otherwise load, compile and cache it.  Learning, its recording variant
 * (policy_learn()), cached apart.  Runs as root, before the drop.
 */
enum reason
policy_prepare(const char *dir, const char *cachedir, const char *name,
    enum learn_mode learn, struct bpf *out, struct fault *f,
    policy_report_fn err, void *ctx)
{
	static struct policy	p;
	bool			insecure = false;
	int			dfd;

	memset(out, 0, offsetof(struct bpf, insns));	/* see cgibox.h */
	(void)copy_str(out->name, sizeof(out->name), name);
	dfd = cache_dir(cachedir);
	if (dfd >= 0 && cache_read(dfd, dir, name, learn, out, f, &insecure)) {
		out->cached = true;
		(void)close(dfd);
		return R_ALLOW;
	}
	if (insecure) {
		if (dfd >= 0)
			(void)close(dfd);
		return f->reason;
	}
	if (policy_load(dir, name, true, &p, f, err, ctx)) {
		if (dfd >= 0)
			(void)close(dfd);
		return f->reason;
	}
	/* Checked again: the variant must compile to what it says. */
	if (learn != LEARN_NO && (!policy_learn(&p, learn == LEARN_SCRATCH) ||
	    policy_check(&p, report, &(struct reporter){ &p, err, ctx }) !=
	    0)) {
		if (dfd >= 0)
			(void)close(dfd);
		return fault(f, R_POLICY_INVALID, "policy %s cannot be learned "
		    "on: its recording variant has errors", name);
	}
	if (policy_compile(&p, out, NULL, f)) {
		if (dfd >= 0)
			(void)close(dfd);
		return f->reason;
	}
	if (dfd >= 0) {
		cache_write(dfd, &p, name, learn, out);
		(void)close(dfd);
	}
	return R_ALLOW;
}

/*
 * A fixed allowlist for cgibox's own helper processes (the launcher's
 * supervisor, cgiboxd's relay): the native architecture, these system
 * calls, and anything else kills the process.  Built by hand: small and
 * fixed, no libseccomp on this path.  Needs no_new_privs.
 */
#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#endif
#define ALLOWLIST_MAX	64

enum reason
allowlist_install(const long *nrs, size_t n, struct fault *f)
{
#ifdef NATIVE_ARCH
	struct sock_filter	insns[4 + 2 * ALLOWLIST_MAX + 1];
	struct sock_fprog	prog;
	size_t			k = 0;

	if (n > ALLOWLIST_MAX)
		return fault(f, R_SECCOMP, "allowlist of %zu calls", n);
	insns[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	insns[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    NATIVE_ARCH, 1, 0);
	insns[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
	insns[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++) {
		insns[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (uint32_t)nrs[i], 0, 1);
		insns[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SECCOMP_RET_ALLOW);
	}
	insns[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
	prog.len = (unsigned short)k;
	prog.filter = insns;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fault(f, R_SECCOMP, "helper filter: %s", strerror(errno));
	return R_ALLOW;
#else
	(void)nrs;
	(void)n;
	return fault(f, R_SECCOMP, "no helper filter for this architecture");
#endif
}

/* The last step before exec: needs no_new_privs (set by confine_drop). */
enum reason
policy_install(const struct bpf *b, struct fault *f)
{
	return policy_install_listener(b, NULL, f);
}

/*
 * Install b; with listener, as a filter whose notifications (a recording
 * variant's) go to a new listener descriptor, close-on-exec, in
 * *listener.
 */
enum reason
policy_install_listener(const struct bpf *b, int *listener, struct fault *f)
{
	struct sock_fprog	prog = {
		.len = (unsigned short)(b->len / 8),
		.filter = (struct sock_filter *)(uintptr_t)b->insns,
	};
	long			r;

	if (b->len == 0)
		return R_ALLOW;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, listener != NULL ?
	    SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
	if (r < 0)
		return fault(f, R_SECCOMP, "installing policy %s: %s", b->name,
		    strerror(errno));
	if (listener != NULL)
		*listener = (int)r;
	return R_ALLOW;
}
