/*
 * The seccomp policy language of cgibox-policy(5), parsed from a buffer
 * into rules.  Pure: no system calls, no allocation; system call names are
 * resolved later, by the compiler (seccomp.c).
 *
 *   default kill | default errno ENAME
 *   include NAME
 *   allow NAME... [if COND [and COND]... [else kill | else errno ENAME]]
 *   errno ENAME NAME... [if COND [and COND]...]
 *   kill NAME... [if COND [and COND]...]
 *
 *   COND:  aN OP VALUE | aN in VALUE... | aN & MASK == VALUE |
 *          aN & MASK in VALUE...
 *   OP:    == != < <= > >=
 *   VALUE: a number (decimal, 0x hex), a named constant, or several joined
 *          with | (ORed)
 *
 * MUST rules:
 * - Every line is parsed and every error reported with its line; any error
 *   refuses the policy.  Unknown words, constants and errno names are
 *   errors.
 * - "else" follows only allow rules whose conditions are all "==", "in"
 *   or "& MASK" tests: sets of values, whose complement the compiler can
 *   write exactly.  The rules for one system call with an else form a
 *   union, and the else covers everything outside it; policy_check()
 *   refuses what the compiler could not write (see cgibox-policy(5)).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cgibox.h"

static const struct {
	const char	*name;
	uint64_t	 value;
} constants[] = {
	{ "AF_UNIX", AF_UNIX }, { "AF_LOCAL", AF_LOCAL },
	{ "AF_INET", AF_INET }, { "AF_INET6", AF_INET6 },
	{ "AF_NETLINK", AF_NETLINK }, { "AF_PACKET", AF_PACKET },
	{ "AF_BLUETOOTH", AF_BLUETOOTH }, { "AF_ALG", AF_ALG },
	{ "AF_VSOCK", AF_VSOCK }, { "AF_KEY", AF_KEY },
	{ "CLONE_NEWNS", CLONE_NEWNS }, { "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
	{ "CLONE_NEWUTS", CLONE_NEWUTS }, { "CLONE_NEWIPC", CLONE_NEWIPC },
	{ "CLONE_NEWUSER", CLONE_NEWUSER }, { "CLONE_NEWPID", CLONE_NEWPID },
	{ "CLONE_NEWNET", CLONE_NEWNET }, { "CLONE_THREAD", CLONE_THREAD },
	{ "CLONE_VM", CLONE_VM },
	{ "SOCK_STREAM", SOCK_STREAM }, { "SOCK_DGRAM", SOCK_DGRAM },
	{ "SOCK_RAW", SOCK_RAW }, { "SOCK_SEQPACKET", SOCK_SEQPACKET },
	{ "SOCK_NONBLOCK", SOCK_NONBLOCK }, { "SOCK_CLOEXEC", SOCK_CLOEXEC },
	{ "SOCK_TYPE_MASK", 0xf },	/* the kernel's mask for the type */
	{ "IPPROTO_IP", IPPROTO_IP }, { "IPPROTO_ICMP", IPPROTO_ICMP },
	{ "IPPROTO_TCP", IPPROTO_TCP }, { "IPPROTO_UDP", IPPROTO_UDP },
	{ "IPPROTO_ICMPV6", IPPROTO_ICMPV6 }, { "IPPROTO_SCTP", IPPROTO_SCTP },
	{ "IPPROTO_UDPLITE", IPPROTO_UDPLITE }, { "IPPROTO_MPTCP", 262 },
	{ "S_ISUID", 04000 }, { "S_ISGID", 02000 }, { "S_ISVTX", 01000 },
	{ "O_CREAT", O_CREAT }, { "O_TMPFILE", O_TMPFILE },
};

static const struct {
	const char	*name;
	int		 value;
} errnos[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR },
	{ "EIO", EIO }, { "EBADF", EBADF }, { "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
	{ "EINVAL", EINVAL }, { "ENOSYS", ENOSYS }, { "ENOTSUP", ENOTSUP },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EAFNOSUPPORT", EAFNOSUPPORT },
	{ "EPROTONOSUPPORT", EPROTONOSUPPORT }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ENETUNREACH", ENETUNREACH },
};

struct pparser {
	struct policy	*p;
	unsigned	 file;
	unsigned	 line;
	unsigned	 errors;
	policy_error_fn	 err;
	void		*ctx;
};

PRINTF(2, 3) static void
perr(struct pparser *pp, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	/* va_start is above: a clang-analyzer false positive. */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pp->errors++;
	if (pp->err != NULL)
		pp->err(pp->ctx, pp->file, pp->line, msg);
}

const char *
errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].value == e)
			return errnos[i].name;
	return "?";
}

static bool
parse_errno(struct pparser *pp, const char *w, int *out)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(errnos[i].name, w) == 0) {
			*out = errnos[i].value;
			return true;
		}
	perr(pp, "unknown errno name '%s'", w);
	return false;
}

/* A number, a constant, or several joined with |. */
static bool
parse_value(struct pparser *pp, const char *w, uint64_t *out)
{
	char	buf[128];
	char	*save = NULL, *part;

	if (!copy_str(buf, sizeof(buf), w)) {
		perr(pp, "value too long");
		return false;
	}
	*out = 0;
	for (part = strtok_r(buf, "|", &save); part != NULL;
	    part = strtok_r(NULL, "|", &save)) {
		unsigned long long	v = 0;
		bool			found = false;

		if (strncmp(part, "0x", 2) == 0 && part[2] != '\0' &&
		    strspn(part + 2, "0123456789abcdefABCDEF") == strlen(part + 2)
		    && strlen(part + 2) <= 16) {
			for (const char *q = part + 2; *q != '\0'; q++)
				v = v * 16 + (unsigned)(*q <= '9' ? *q - '0' :
				    (*q | 0x20) - 'a' + 10);
			found = true;
		} else if (parse_ulong(part, ~0UL, (unsigned long *)&v)) {
			found = true;
		} else {
			for (size_t i = 0; i < sizeof(constants) /
			    sizeof(constants[0]); i++)
				if (strcmp(constants[i].name, part) == 0) {
					v = constants[i].value;
					found = true;
				}
		}
		if (!found) {
			perr(pp, "'%s' is not a number or a known constant",
			    part);
			return false;
		}
		*out |= v;
	}
	if (w[0] == '\0' || w[0] == '|' || w[strlen(w) - 1] == '|' ||
	    strstr(w, "||") != NULL) {
		perr(pp, "malformed value '%s'", w);
		return false;
	}
	return true;
}

static bool
parse_arg(struct pparser *pp, const char *w, unsigned *arg)
{
	if (w[0] == 'a' && w[1] >= '0' && w[1] <= '5' && w[2] == '\0') {
		*arg = (unsigned)(w[1] - '0');
		return true;
	}
	perr(pp, "expected an argument a0 to a5, not '%s'", w);
	return false;
}

static const struct {
	const char	*word;
	enum cmp_op	 op;
} ops[] = {
	{ "==", OP_EQ }, { "!=", OP_NE }, { "<", OP_LT }, { "<=", OP_LE },
	{ ">", OP_GT }, { ">=", OP_GE },
};

/*
 * The values of an "in" condition, up to "and", "else" or the end: each
 * is stored in the policy's value pool and must lie within mask.
 */
static bool
parse_in(struct pparser *pp, char **w, size_t n, size_t *i, struct pcond *c)
{
	struct policy	*p = pp->p;

	c->op = OP_IN;
	c->vfirst = (uint32_t)p->nvalues;
	c->vcount = 0;
	while (*i < n && strcmp(w[*i], "and") != 0 &&
	    strcmp(w[*i], "else") != 0) {
		uint64_t v;

		if (c->vcount == POLICY_MAX_IN) {
			perr(pp, "more than %d values after in", POLICY_MAX_IN);
			return false;
		}
		if (p->nvalues == POLICY_MAX_VALUES) {
			perr(pp, "more than %d values after in, in all",
			    POLICY_MAX_VALUES);
			return false;
		}
		if (!parse_value(pp, w[*i], &v))
			return false;
		if (v & ~c->mask) {
			perr(pp, "value '%s' has bits outside the mask", w[*i]);
			return false;
		}
		p->values[p->nvalues++] = v;
		c->vcount++;
		(*i)++;
	}
	if (c->vcount == 0) {
		perr(pp, "'in' takes at least one value");
		return false;
	}
	return true;
}

/* aN & MASK == VALUE, or aN & MASK in VALUE...; w[*i] is the "&". */
static bool
parse_masked(struct pparser *pp, char **w, size_t n, size_t *i,
    struct pcond *c)
{
	if (*i + 3 > n || (strcmp(w[*i + 2], "==") != 0 &&
	    strcmp(w[*i + 2], "in") != 0)) {
		perr(pp, "expected aN & MASK == VALUE or aN & MASK in VALUE...");
		return false;
	}
	if (!parse_value(pp, w[*i + 1], &c->mask))
		return false;
	if (c->mask == 0) {
		perr(pp, "a mask of 0 tests nothing");
		return false;
	}
	if (strcmp(w[*i + 2], "in") == 0) {
		*i += 3;
		return parse_in(pp, w, n, i, c);
	}
	if (*i + 4 > n) {
		perr(pp, "incomplete condition");
		return false;
	}
	c->op = OP_MASKED_EQ;
	if (!parse_value(pp, w[*i + 3], &c->value))
		return false;
	if (c->value & ~c->mask) {
		perr(pp, "value '%s' has bits outside the mask", w[*i + 3]);
		return false;
	}
	*i += 4;
	return true;
}

/* Parse COND [and COND]... from w[0..n); set *used to the words taken. */
static bool
parse_conds(struct pparser *pp, char **w, size_t n, struct prule *r,
    size_t *used)
{
	size_t	i = 0;

	for (;;) {
		struct pcond	*c;

		if (r->ncond == POLICY_MAX_COND) {
			perr(pp, "more than %d conditions", POLICY_MAX_COND);
			return false;
		}
		c = &r->cond[r->ncond++];
		memset(c, 0, sizeof(*c));
		c->mask = ~(uint64_t)0;
		if (i + 3 > n) {
			perr(pp, "incomplete condition");
			return false;
		}
		if (!parse_arg(pp, w[i], &c->arg))
			return false;
		i++;
		if (strcmp(w[i], "in") == 0) {
			i++;
			if (!parse_in(pp, w, n, &i, c))
				return false;
		} else if (strcmp(w[i], "&") == 0) {
			if (!parse_masked(pp, w, n, &i, c))
				return false;
		} else {
			size_t k;

			for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
				if (strcmp(ops[k].word, w[i]) == 0)
					break;
			if (k == sizeof(ops) / sizeof(ops[0])) {
				perr(pp, "unknown operator '%s'", w[i]);
				return false;
			}
			c->op = ops[k].op;
			if (!parse_value(pp, w[i + 1], &c->value))
				return false;
			i += 2;
		}
		for (size_t j = 0; j + 1 < r->ncond; j++)
			if (r->cond[j].arg == c->arg) {
				perr(pp, "a%u is tested twice in one rule",
				    c->arg);
				return false;
			}
		if (i < n && strcmp(w[i], "and") == 0) {
			i++;
			continue;
		}
		break;
	}
	*used = i;
	return true;
}

/* A set condition: ==, in, or a masked test.  Its complement is finite. */
static bool
set_cond(const struct pcond *c)
{
	return c->op == OP_EQ || c->op == OP_IN || c->op == OP_MASKED_EQ;
}

static bool
parse_else(struct pparser *pp, char **w, size_t n, struct prule *r)
{
	if (n == 0)
		return true;
	if (strcmp(w[0], "else") != 0 || n < 2) {
		perr(pp, "unexpected '%s'", w[0]);
		return false;
	}
	if (r->action != ACT_ALLOW) {
		perr(pp, "else only follows allow");
		return false;
	}
	for (size_t i = 0; i < r->ncond; i++)
		if (!set_cond(&r->cond[i])) {
			perr(pp, "else needs conditions that are sets of values: "
			    "'== VALUE', 'in VALUE...' or '& MASK' tests");
			return false;
		}
	if (strcmp(w[1], "kill") == 0 && n == 2)
		r->else_action = ACT_KILL;
	else if (strcmp(w[1], "errno") == 0 && n == 3) {
		r->else_action = ACT_ERRNO;
		if (!parse_errno(pp, w[2], &r->else_errno))
			return false;
	} else {
		perr(pp, "expected else kill or else errno ENAME");
		return false;
	}
	return true;
}

static bool
valid_syscall_name(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len < POLICY_NAME_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

/* A rule line: ACTION [ENAME] NAME... [if ...]. */
static void
parse_rule(struct pparser *pp, char **w, size_t n)
{
	struct prule	proto = { .file = pp->file, .line = pp->line };
	size_t		i = 1, names, cond_at;

	if (strcmp(w[0], "allow") == 0)
		proto.action = ACT_ALLOW;
	else if (strcmp(w[0], "kill") == 0)
		proto.action = ACT_KILL;
	else {
		proto.action = ACT_ERRNO;
		if (n < 2 || !parse_errno(pp, w[1], &proto.errno_value))
			return;
		i = 2;
	}
	for (cond_at = i; cond_at < n && strcmp(w[cond_at], "if") != 0;
	    cond_at++)
		if (!valid_syscall_name(w[cond_at])) {
			perr(pp, "'%s' is not a system call name", w[cond_at]);
			return;
		}
	names = cond_at - i;
	if (names == 0) {
		perr(pp, "%s: no system call named", w[0]);
		return;
	}
	if (cond_at < n) {
		size_t used = 0;

		if (!parse_conds(pp, w + cond_at + 1, n - cond_at - 1, &proto,
		    &used) || !parse_else(pp, w + cond_at + 1 + used,
		    n - cond_at - 1 - used, &proto))
			return;
	}
	for (size_t k = i; k < cond_at; k++) {
		struct prule *r;

		if (pp->p->nrules == POLICY_MAX_RULES) {
			perr(pp, "more than %d rules", POLICY_MAX_RULES);
			return;
		}
		r = &pp->p->rules[pp->p->nrules++];
		*r = proto;
		(void)copy_str(r->name, sizeof(r->name), w[k]);
	}
}

static void
parse_pline(struct pparser *pp, char *line)
{
	char	*w[POLICY_MAX_WORDS], *save = NULL;
	size_t	 n = 0;

	for (char *t = strtok_r(line, " \t", &save); t != NULL;
	    t = strtok_r(NULL, " \t", &save)) {
		if (t[0] == '#')
			break;
		if (n == POLICY_MAX_WORDS) {
			perr(pp, "more than %d words", POLICY_MAX_WORDS);
			return;
		}
		w[n++] = t;
	}
	if (n == 0)
		return;
	if (strcmp(w[0], "default") == 0) {
		struct policy *p = pp->p;

		if (pp->file != 0) {
			perr(pp, "default belongs in the policy itself, not in "
			    "an included file");
			return;
		}
		if (p->default_set) {
			perr(pp, "default set twice");
			return;
		}
		if (n == 2 && strcmp(w[1], "kill") == 0)
			p->default_action = ACT_KILL;
		else if (n == 3 && strcmp(w[1], "errno") == 0) {
			if (!parse_errno(pp, w[2], &p->default_errno))
				return;
			p->default_action = ACT_ERRNO;
		} else {
			perr(pp, "expected default kill or default errno ENAME");
			return;
		}
		p->default_set = true;
	} else if (strcmp(w[0], "include") == 0) {
		if (n != 2 || !valid_policy_name(w[1])) {
			perr(pp, "expected include NAME ([a-z0-9_-]+)");
			return;
		}
		if (pp->p->nincludes == POLICY_MAX_FILES) {
			perr(pp, "too many includes");
			return;
		}
		(void)copy_str(pp->p->includes[pp->p->nincludes++], NAME_LEN,
		    w[1]);
	} else if (strcmp(w[0], "allow") == 0 || strcmp(w[0], "kill") == 0 ||
	    strcmp(w[0], "errno") == 0)
		parse_rule(pp, w, n);
	else
		perr(pp, "unknown keyword '%s'", w[0]);
}

bool
valid_policy_name(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len < NAME_LEN &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len &&
	    s[0] != '-';
}

static void
policy_line(void *ctx, unsigned n, char *line, const char *why)
{
	struct pparser	*pp = ctx;

	pp->line = n;
	if (line == NULL)
		perr(pp, "%s", why);
	else
		parse_pline(pp, line);
}

/*
 * Add the rules of one file (index file in the include order; 0 is the
 * policy itself) to p.  Its includes are appended to p->includes for the
 * caller to load.  Returns the number of errors.
 */
unsigned
policy_parse(struct policy *p, unsigned file, const char *text, size_t len,
    policy_error_fn err, void *ctx)
{
	struct pparser	pp = { .p = p, .file = file, .err = err, .ctx = ctx };

	text_lines(text, len, policy_line, &pp);
	if (file == 0 && !p->default_set) {
		pp.line = 0;
		perr(&pp, "no default action (default kill or default errno "
		    "ENAME)");
	}
	return pp.errors;
}

/*
 * The set a set condition tests: (aN & *mask) is one of the returned
 * values.  For "==" the mask is all ones.
 */
size_t
cond_set(const struct policy *p, const struct pcond *c, const uint64_t **vals,
    uint64_t *mask)
{
	*mask = c->op == OP_EQ ? ~(uint64_t)0 : c->mask;
	if (c->op == OP_IN) {
		*vals = p->values + c->vfirst;
		return c->vcount;
	}
	*vals = &c->value;
	return 1;
}

/* The widest mask, in bits, whose complement the compiler enumerates. */
#define ELSE_MASK_BITS	6

PRINTF(4, 5) static void
cerr(policy_error_fn err, void *ctx, const struct prule *r, const char *fmt,
    ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL)
		err(ctx, r->file, r->line, msg);
}

/*
 * The rules for the call of rule k, which has an else: all allow rules
 * with set conditions, one else action, one mask per argument, and masks
 * whose complement the compiler can write.  Returns the errors found.
 */
static unsigned
check_else(const struct policy *p, size_t k, policy_error_fn err, void *ctx)
{
	const struct prule	*first = &p->rules[k];
	uint64_t		 mask[6] = { 0 }, any_nonzero[6] = { 0 };
	bool			 seen[6] = { false };
	size_t			 n = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];

		if (strcmp(r->name, first->name) != 0)
			continue;
		if (++n > POLICY_MAX_ELSE_RULES) {
			cerr(err, ctx, r, "%s: more than %d rules with an else",
			    r->name, POLICY_MAX_ELSE_RULES);
			return 1;
		}
		/* Allow; in learn mode's recording variant, notify. */
		if (r->action != first->action || (r->action != ACT_ALLOW &&
		    r->action != ACT_NOTIFY) || r->ncond == 0) {
			cerr(err, ctx, r, "%s has an else at %s:%u, so every rule "
			    "for it must be an allow rule with conditions",
			    r->name, p->files[first->file], first->line);
			return 1;
		}
		if (r->else_action != ACT_NONE &&
		    (r->else_action != first->else_action ||
		    (r->else_action == ACT_ERRNO &&
		    r->else_errno != first->else_errno))) {
			cerr(err, ctx, r, "%s: a second, different else (the "
			    "first is at %s:%u)", r->name,
			    p->files[first->file], first->line);
			return 1;
		}
		for (size_t c = 0; c < r->ncond; c++) {
			const struct pcond	*pc = &r->cond[c];
			const uint64_t		*v;
			uint64_t		 m;
			size_t			 nv;

			if (!set_cond(pc)) {
				cerr(err, ctx, r, "%s has an else at %s:%u, so its "
				    "conditions must be ==, in or & tests",
				    r->name, p->files[first->file],
				    first->line);
				return 1;
			}
			nv = cond_set(p, pc, &v, &m);
			if (seen[pc->arg] && mask[pc->arg] != m) {
				cerr(err, ctx, r, "%s: a%u is tested with two "
				    "different masks", r->name, pc->arg);
				return 1;
			}
			seen[pc->arg] = true;
			mask[pc->arg] = m;
			for (size_t j = 0; j < nv; j++)
				any_nonzero[pc->arg] |= v[j] != 0;
		}
	}
	for (unsigned a = 0; a < 6; a++)
		if (seen[a] && mask[a] != ~(uint64_t)0 && any_nonzero[a] &&
		    __builtin_popcountll(mask[a]) > ELSE_MASK_BITS) {
			cerr(err, ctx, first, "%s: else: a%u & MASK with values "
			    "other than 0 needs a mask of at most %d bits",
			    first->name, a, ELSE_MASK_BITS);
			return 1;
		}
	return 0;
}

/*
 * Cross-rule checks once every file is in: a system call with a rule
 * without conditions may have no other rule (libseccomp would let the
 * unconditional one win silently), and the rules for a call with an else
 * must be ones the compiler can partition (check_else).
 */
unsigned
policy_check(const struct policy *p, policy_error_fn err, void *ctx)
{
	unsigned	errors = 0;
	char		msg[256];

	for (size_t i = 0; i < p->nrules; i++) {
		bool	earlier = false;

		for (size_t j = i + 1; j < p->nrules; j++) {
			const struct prule *a = &p->rules[i], *b = &p->rules[j];

			if (strcmp(a->name, b->name) != 0 ||
			    (a->ncond != 0 && b->ncond != 0))
				continue;
			(void)snprintf(msg, sizeof(msg), "%s already has a rule "
			    "at %s:%u; a rule without conditions must be its "
			    "only rule", b->name, p->files[a->file], a->line);
			errors++;
			if (err != NULL)
				err(ctx, b->file, b->line, msg);
		}
		if (p->rules[i].else_action == ACT_NONE)
			continue;
		/* Once per call: at its first rule with an else. */
		for (size_t j = 0; j < i && !earlier; j++)
			earlier = p->rules[j].else_action != ACT_NONE &&
			    strcmp(p->rules[j].name, p->rules[i].name) == 0;
		if (!earlier)
			errors += check_else(p, i, err, ctx);
	}
	return errors;
}

/*
 * What the script's start needs between the filter and the exec (execute.c
 * tries execveat, then checks the name with newfstatat and execs it), and
 * what any process needs to end: never notified.  The init that would
 * answer a notification waits for that exec (CLONE_VFORK); a notified call
 * there would never be answered.
 */
static const char *const essentials[] = {
	"execve", "execveat", "newfstatat", "exit", "exit_group",
	"rt_sigreturn", "restart_syscall",
};

/* The i-th essential call; NULL past the last. */
const char *
policy_essential(size_t i)
{
	return i < sizeof(essentials) / sizeof(essentials[0]) ?
	    essentials[i] : NULL;
}

bool
policy_is_essential(const char *name)
{
	for (size_t k = 0; k < sizeof(essentials) / sizeof(essentials[0]); k++)
		if (strcmp(name, essentials[k]) == 0)
			return true;
	return false;
}

/*
 * The recording variant of a loaded policy (learn mode): what it refuses
 * is reported to a listener instead (ACT_NOTIFY): the calls it names in no
 * rule, and its own errno rules.  Its kill rules stay as they are, and so
 * does base.policy, the floor under every policy: its errno rules (no
 * setuid modes, no namespaces by clone, no inotify), and its conditional
 * allows, whose other cases are refused (CLONE_NEWUSER, a personality) as
 * the default would have.  With scratch (learn scratch), every allow is
 * reported too, base's and the policy's: everything a script calls is
 * recorded but what base refuses and what the policy kills.  The
 * essentials keep their rules, and an essential no rule names is allowed.
 * Returns false when there is no room for those rules.  The caller must
 * policy_check() the result: a policy whose rules for one call mix kills
 * and allows with base's conditions cannot be recorded this way.
 */
bool
policy_learn(struct policy *p, bool scratch)
{
	size_t		base = POLICY_MAX_FILES;
	bool		named[sizeof(essentials) / sizeof(essentials[0])] = {
	    false };
	enum pact	refusal = p->default_action == ACT_ERRNO ? ACT_ERRNO :
	    ACT_KILL;

	for (size_t i = 0; i < p->nfiles; i++) {
		const char	*slash = strrchr(p->files[i], '/');

		if (strcmp(slash != NULL ? slash + 1 : p->files[i],
		    "base.policy") == 0)
			base = i;
	}
	if (p->default_action != ACT_ALLOW)
		p->default_action = ACT_NOTIFY;
	/* The actions: base's allows only from scratch, the policy's errno
	 * rules always, its allows from scratch. */
	for (size_t i = 0; i < p->nrules; i++) {
		struct prule	*r = &p->rules[i];

		for (size_t k = 0; k < sizeof(essentials) /
		    sizeof(essentials[0]); k++)
			named[k] = named[k] || strcmp(r->name,
			    essentials[k]) == 0;
		if (policy_is_essential(r->name))
			continue;
		if (r->file == base) {
			if (scratch && r->action == ACT_ALLOW)
				r->action = ACT_NOTIFY;
			continue;
		}
		if (r->action == ACT_ERRNO || (scratch && r->action == ACT_ALLOW))
			r->action = ACT_NOTIFY;
		if (r->else_action == ACT_ERRNO)
			r->else_action = ACT_NOTIFY;
	}
	/*
	 * The elses, for a call that has none: the cases base's conditional
	 * allow leaves out are refused as the default refused them, not
	 * notified (a clone with CLONE_NEWUSER); a conditional notify, which
	 * the compiler would drop as the default's own action, notifies on
	 * both sides.  A call whose rules now differ in action cannot be
	 * compiled that way: policy_check() refuses the variant.
	 */
	for (size_t i = 0; i < p->nrules; i++) {
		struct prule	*r = &p->rules[i];
		bool		 has_else = false;

		if (policy_is_essential(r->name) || r->ncond == 0 ||
		    r->else_action != ACT_NONE ||
		    (r->file == base ? r->action == ACT_KILL :
		    r->action != ACT_NOTIFY))
			continue;
		for (size_t j = 0; j < p->nrules && !has_else; j++)
			has_else = p->rules[j].else_action != ACT_NONE &&
			    strcmp(p->rules[j].name, r->name) == 0;
		if (has_else)
			continue;
		r->else_action = r->file == base ? refusal : ACT_NOTIFY;
		r->else_errno = p->default_errno;
	}
	for (size_t k = 0; k < sizeof(essentials) / sizeof(essentials[0]);
	    k++) {
		struct prule	*r;

		if (named[k] || p->default_action == ACT_ALLOW)
			continue;
		if (p->nrules == POLICY_MAX_RULES)
			return false;
		r = &p->rules[p->nrules++];
		memset(r, 0, sizeof(*r));
		(void)snprintf(r->name, sizeof(r->name), "%s", essentials[k]);
		r->action = ACT_ALLOW;
		r->file = base < p->nfiles ? (unsigned)base : 0;
	}
	return true;
}

/* A line being written: it stops at the first thing that does not fit. */
struct text {
	char	*b;
	size_t	 size, len;
	bool	 over;
};

static void
put(struct text *t, const char *str)
{
	size_t	n = strlen(str);

	if (t->over || n >= t->size - t->len) {
		t->over = true;
		return;
	}
	memcpy(t->b + t->len, str, n + 1);
	t->len += n;
}

/* A number as the policy language reads it: small ones in decimal. */
static void
put_num(struct text *t, uint64_t v)
{
	char	num[24];

	(void)snprintf(num, sizeof(num), v < 65536 ? "%llu" : "0x%llx",
	    (unsigned long long)v);
	put(t, num);
}

/*
 * One rule as a policy line, its call alone: "allow openat if a3 & 3072
 * == 0 else errno EPERM".  Returns the length, 0 if it does not fit.
 */
size_t
policy_rule_text(const struct policy *p, const struct prule *r, char *buf,
    size_t size)
{
	static const char *const cmp_words[] = { "==", "!=", "<", "<=", ">",
	    ">=" };
	struct text	t = { buf, size, 0, size == 0 };

	if (r->action == ACT_ERRNO) {
		put(&t, "errno ");
		put(&t, errno_name(r->errno_value));
	} else
		put(&t, r->action == ACT_KILL ? "kill" : "allow");
	put(&t, " ");
	put(&t, r->name);
	for (size_t i = 0; i < r->ncond; i++) {
		const struct pcond	*c = &r->cond[i];

		put(&t, i == 0 ? " if a" : " and a");
		put_num(&t, c->arg);
		put(&t, " ");
		switch (c->op) {
		case OP_MASKED_EQ:
			put(&t, "& ");
			put_num(&t, c->mask);
			put(&t, " == ");
			put_num(&t, c->value);
			break;
		case OP_IN:
			if (c->mask != ~(uint64_t)0) {
				put(&t, "& ");
				put_num(&t, c->mask);
				put(&t, " ");
			}
			put(&t, "in");
			for (uint32_t v = 0; v < c->vcount; v++) {
				put(&t, " ");
				put_num(&t, p->values[c->vfirst + v]);
			}
			break;
		case OP_EQ:
		case OP_NE:
		case OP_LT:
		case OP_LE:
		case OP_GT:
		case OP_GE:
		default:
			put(&t, cmp_words[c->op <= OP_GE ? c->op : 0]);
			put(&t, " ");
			put_num(&t, c->value);
			break;
		}
	}
	if (r->else_action == ACT_KILL)
		put(&t, " else kill");
	else if (r->else_action == ACT_ERRNO) {
		put(&t, " else errno ");
		put(&t, errno_name(r->else_errno));
	}
	return t.over ? 0 : t.len;
}
