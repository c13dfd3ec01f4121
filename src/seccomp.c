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
#include <linux/filter.h>
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
add1(scmp_filter_ctx sc, uint32_t act, int nr, unsigned arg,
    enum scmp_compare op, uint64_t a, uint64_t b)
{
	struct scmp_arg_cmp	c = { .arg = arg, .op = op, .datum_a = a,
	    .datum_b = b };

	return seccomp_rule_add_exact_array(sc, act, nr, 1, &c);
}

static int
sort_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The complement of an "in"/"==" set, with the else action: each gap
 * between allowed values is enumerated when short, or one < / > rule at
 * either end.
 */
static int
add_else_set(scmp_filter_ctx sc, const struct prule *r, int nr, uint32_t act)
{
	uint64_t	v[POLICY_MAX_IN];
	size_t		n = r->cond[0].op == OP_IN ? r->nin : 1;
	uint64_t	lo = 0;
	unsigned	arg = r->cond[0].arg;
	int		rc;

	memcpy(v, r->cond[0].op == OP_IN ? r->in : &r->cond[0].value,
	    n * sizeof(v[0]));
	qsort(v, n, sizeof(v[0]), sort_u64);
	for (size_t i = 0; i <= n; i++) {
		uint64_t	hi;

		if (i < n && v[i] < lo)
			continue;		/* duplicate */
		if (i == n) {
			if (n > 0 && v[n - 1] == UINT64_MAX)
				break;
			rc = add1(sc, act, nr, arg, SCMP_CMP_GT, v[n - 1], 0);
			if (rc < 0)
				return rc;
			break;
		}
		if (v[i] > lo) {
			hi = v[i] - 1;
			if (hi - lo < 64) {
				for (uint64_t x = lo; ; x++) {
					if ((rc = add1(sc, act, nr, arg,
					    SCMP_CMP_EQ, x, 0)) < 0)
						return rc;
					if (x == hi)
						break;
				}
			} else if (lo == 0) {
				if ((rc = add1(sc, act, nr, arg, SCMP_CMP_LT,
				    v[i], 0)) < 0)
					return rc;
			} else
				return -ERANGE;
		}
		if (v[i] == UINT64_MAX)
			break;
		lo = v[i] + 1;
	}
	return 0;
}

/* The complement of "& MASK == 0": any bit of MASK set. */
static int
add_else_mask(scmp_filter_ctx sc, const struct prule *r, int nr,
    uint32_t act)
{
	for (unsigned b = 0; b < 64; b++) {
		uint64_t	bit = (uint64_t)1 << b;
		int		rc;

		if ((r->cond[0].mask & bit) &&
		    (rc = add1(sc, act, nr, r->cond[0].arg, SCMP_CMP_MASKED_EQ,
		    bit, bit)) < 0)
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
	int			rc;

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
	if (r->ncond == 1 && r->cond[0].op == OP_IN) {
		for (size_t i = 0; i < r->nin; i++)
			if ((rc = add1(sc, act, nr, r->cond[0].arg, SCMP_CMP_EQ,
			    r->in[i], 0)) < 0)
				return rc;
	} else {
		for (size_t i = 0; i < r->ncond; i++) {
			c[i].arg = r->cond[i].arg;
			c[i].op = cmp(r->cond[i].op);
			c[i].datum_a = r->cond[i].op == OP_MASKED_EQ ?
			    r->cond[i].mask : r->cond[i].value;
			c[i].datum_b = r->cond[i].op == OP_MASKED_EQ ?
			    r->cond[i].value : 0;
		}
		if ((rc = seccomp_rule_add_exact_array(sc, act, nr,
		    (unsigned)r->ncond, c)) < 0)
			return rc;
	}
	if (r->else_action == ACT_NONE)
		return 0;
	act = action(r->else_action, r->else_errno);
	if (act == action(p->default_action, p->default_errno))
		return 0;
	return r->cond[0].op == OP_MASKED_EQ ? add_else_mask(sc, r, nr, act) :
	    add_else_set(sc, r, nr, act);
}

static enum reason
export(scmp_filter_ctx sc, struct bpf *out, struct fault *f)
{
	int	fd = memfd_create("cgibox-bpf", MFD_CLOEXEC);
	off_t	len;
	ssize_t	n;

	if (fd < 0)
		return fault(f, R_SECCOMP, "memfd_create: %s", strerror(errno));
	if (seccomp_export_bpf(sc, fd) < 0 ||
	    (len = lseek(fd, 0, SEEK_CUR)) < 0) {
		(void)close(fd);
		return fault(f, R_SECCOMP, "seccomp_export_bpf failed");
	}
	if (len == 0 || len % 8 != 0 || (size_t)len > sizeof(out->insns)) {
		(void)close(fd);
		return fault(f, R_SECCOMP, "filter of %lld bytes: not 1 to %d "
		    "instructions", (long long)len, BPF_MAX_INSNS);
	}
	n = pread(fd, out->insns, (size_t)len, 0);
	(void)close(fd);
	if (n != len)
		return fault(f, R_SECCOMP, "reading the filter back failed");
	out->len = (size_t)len;
	return R_ALLOW;
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
		if ((rc = add_rule(sc, p, ru, nr)) < 0)
			r = fault(f, R_POLICY_INVALID, "%s:%u: %s: %s",
			    p->files[ru->file], ru->line, ru->name,
			    rc == -ERANGE ? "else: the values leave a gap too "
			    "wide to express" : rc == -EEXIST ? "the same "
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

/* Is the cached filter for name current?  Fill out if so. */
static bool
cache_read(int dfd, const char *dir, const char *name, struct bpf *out,
    struct fault *f, bool *insecure)
{
	static uint8_t		buf[sizeof(struct cache_head) + POLICY_MAX_FILES *
	    sizeof(struct cache_file) + sizeof(out->insns)];
	struct cache_head	h;
	struct stat		st;
	char			fname[NAME_LEN + 8];
	ssize_t			n;
	size_t			need;
	int			fd;

	(void)snprintf(fname, sizeof(fname), "%s.bpf", name);
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
    const struct bpf *b)
{
	static uint8_t		buf[sizeof(struct cache_head) + POLICY_MAX_FILES *
	    sizeof(struct cache_file) + sizeof(b->insns)];
	struct cache_head	h = { .magic = CACHE_MAGIC };
	char			tmp[NAME_LEN + 32], fname[NAME_LEN + 8];
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
	(void)snprintf(fname, sizeof(fname), "%s.bpf", name);
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
 * otherwise load, compile and cache it.  Runs as root, before the drop.
 */
enum reason
policy_prepare(const char *dir, const char *cachedir, const char *name,
    struct bpf *out, struct fault *f, policy_report_fn err, void *ctx)
{
	static struct policy	p;
	bool			insecure = false;
	int			dfd;

	memset(out, 0, offsetof(struct bpf, insns));	/* see cgibox.h */
	(void)copy_str(out->name, sizeof(out->name), name);
	dfd = cache_dir(cachedir);
	if (dfd >= 0 && cache_read(dfd, dir, name, out, f, &insecure)) {
		out->cached = true;
		(void)close(dfd);
		return R_ALLOW;
	}
	if (insecure) {
		if (dfd >= 0)
			(void)close(dfd);
		return f->reason;
	}
	if (policy_load(dir, name, true, &p, f, err, ctx) ||
	    policy_compile(&p, out, NULL, f)) {
		if (dfd >= 0)
			(void)close(dfd);
		return f->reason;
	}
	if (dfd >= 0) {
		cache_write(dfd, &p, name, out);
		(void)close(dfd);
	}
	return R_ALLOW;
}

/* The last step before exec: needs no_new_privs (set by confine_drop). */
enum reason
policy_install(const struct bpf *b, struct fault *f)
{
	struct sock_fprog	prog = {
		.len = (unsigned short)(b->len / 8),
		.filter = (struct sock_filter *)(uintptr_t)b->insns,
	};

	if (b->len == 0)
		return R_ALLOW;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fault(f, R_SECCOMP, "installing policy %s: %s", b->name,
		    strerror(errno));
	return R_ALLOW;
}
