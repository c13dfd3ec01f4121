/*
 * The compiled filters, judged by running them: a small classic-BPF
 * interpreter evaluates the program the kernel would get for every
 * combination of arguments on a grid, and each answer is compared with
 * what the policy means.  This is how the shipped policies' socket,
 * chmod, open and listen rules are proven, and how the compiler's
 * partition of calls with an else is tested on random policies: whatever
 * order libseccomp lays the rules out in, a call must get exactly one
 * answer, the right one.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgibox.h"
#include "tap.h"

#define RET_ALLOW	SECCOMP_RET_ALLOW
#define RET_KILL	SECCOMP_RET_KILL_PROCESS
#define RET_ERRNO(e)	(SECCOMP_RET_ERRNO | (uint32_t)(e))

struct call {
	uint32_t	arch;
	int		nr;
	uint64_t	args[6];
};

/* Read the 32-bit word of seccomp_data at off, as the kernel lays it out. */
static uint32_t
word(const struct call *c, uint32_t off)
{
	if (off == 0)
		return (uint32_t)c->nr;
	if (off == 4)
		return c->arch;
	if (off >= 16 && off < 64) {
		uint64_t a = c->args[(off - 16) / 8];

		return (off % 8) == 0 ? (uint32_t)a : (uint32_t)(a >> 32);
	}
	return 0;	/* instruction pointer: never tested by our filters */
}

static int	bad_insn;

/* Run prog on c; returns the action, or 0xdead on an instruction we lack. */
static uint32_t
run(const struct bpf *b, const struct call *c)
{
	const struct sock_filter	*insn = (const void *)b->insns;
	size_t				 n = b->len / 8, pc = 0;
	uint32_t			 A = 0, X = 0, M[16] = { 0 };

	while (pc < n) {
		const struct sock_filter *i = &insn[pc++];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			A = word(c, i->k);
			break;
		case BPF_LD | BPF_MEM:
			A = M[i->k & 15];
			break;
		case BPF_LDX | BPF_MEM:
			X = M[i->k & 15];
			break;
		case BPF_ST:
			M[i->k & 15] = A;
			break;
		case BPF_STX:
			M[i->k & 15] = X;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= i->k;
			break;
		case BPF_MISC | BPF_TAX:
			X = A;
			break;
		case BPF_MISC | BPF_TXA:
			A = X;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += A == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += A > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += A >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			bad_insn = i->code;
			return 0xdead;
		}
	}
	return 0xdead;
}

static int
nr_of(const char *name)
{
	return seccomp_syscall_resolve_name(name);
}

static void
report(void *ctx, const char *path, unsigned line, const char *msg)
{
	(void)ctx;
	printf("# %s:%u: %s\n", path, line, msg);
}

static bool
load(const char *name, struct bpf *b)
{
	static struct policy	p;
	struct fault		f;

	char			dir[PATH_MAX];

	if (getcwd(dir, sizeof(dir)) == NULL || strlen(dir) + 10 > sizeof(dir))
		return false;
	strcat(dir, "/policies");
	if (policy_load(dir, name, false, &p, &f, report, NULL) ||
	    policy_compile(&p, b, NULL, &f)) {
		printf("# %s: %s\n", name, f.detail);
		return false;
	}
	return true;
}

/* ---- the shipped policies ------------------------------------------------ */

static bool
inet_ok(uint64_t fam, uint64_t type, uint64_t proto)
{
	static const uint64_t protos[] = { 0, 1, 6, 17, 58 };
	bool	p = false;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		p = p || proto == protos[i];
	return (fam == 2 || fam == 10) && ((type & 0xf) == 1 ||
	    (type & 0xf) == 2) && p;
}

static void
socket_grid(const struct bpf *b, bool network, const char *label)
{
	static const uint64_t	fams[] = { 0x100000002ULL, 0x10000000aULL,
	    1ULL << 63, 0xffffffffULL, ~0ULL };
	static const uint64_t	extra_protos[] = { 262, 132, 136, 256,
	    0x100000006ULL, 0x100000000ULL, ~0ULL };
	struct call		c = { .arch = AUDIT_ARCH_X86_64,
	    .nr = nr_of("socket") };
	unsigned long		checked = 0, wrong = 0;

	for (size_t fi = 0; fi < 50 + sizeof(fams) / sizeof(fams[0]); fi++)
		for (uint64_t type = 0; type < 16; type++)
			for (uint64_t fl = 0; fl < 2; fl++)
				for (size_t pi = 0; pi < 300 +
				    sizeof(extra_protos) / sizeof(extra_protos[0]);
				    pi++) {
					uint64_t fam = fi < 50 ? fi : fams[fi - 50];
					uint64_t proto = pi < 300 ? pi :
					    extra_protos[pi - 300];
					uint32_t want, got;

					c.args[0] = fam;
					c.args[1] = type | (fl ? 04000 | 02000000 : 0);
					c.args[2] = proto;
					want = fam == 1 || (network &&
					    inet_ok(fam, c.args[1], proto)) ?
					    RET_ALLOW : RET_ERRNO(EAFNOSUPPORT);
					got = run(b, &c);
					checked++;
					if (got != want && wrong++ < 5)
						printf("#   socket(%#llx, %#llx, %#llx):"
						    " %#x, want %#x\n",
						    (unsigned long long)fam,
						    (unsigned long long)c.args[1],
						    (unsigned long long)proto, got,
						    want);
				}
	ok(wrong == 0, "%s: socket() judged right on all %lu calls of the grid "
	    "(families 0-49 and wide values, every type with and without "
	    "flags, protocols 0-299, MPTCP, SCTP, UDP-Lite, SMC)", label,
	    checked);
}

/* A mode argument: refused with EPERM when it has a set-id bit. */
static void
mode_grid(const struct bpf *b, const char *call, unsigned arg,
    const char *label)
{
	struct call	c = { .arch = AUDIT_ARCH_X86_64, .nr = nr_of(call) };
	unsigned long	wrong = 0;

	for (uint64_t mode = 0; mode < 010000; mode++)
		for (uint64_t hi = 0; hi < 3; hi++) {
			uint64_t	m = mode | (hi == 1 ? 0100000 :
			    hi == 2 ? 0xffffffff00000000ULL : 0);
			uint32_t	want = (m & 06000) ? RET_ERRNO(EPERM) :
			    RET_ALLOW;

			c.args[arg] = m;
			if (run(b, &c) != want && wrong++ < 3)
				printf("#   %s mode %#llo: %#x\n", call,
				    (unsigned long long)m, run(b, &c));
		}
	ok(wrong == 0, "%s: %s refuses a set-id mode with EPERM, allows the "
	    "rest", label, call);
}

static void
expect(const struct bpf *b, const char *call, uint64_t a0, uint32_t want,
    const char *label)
{
	struct call	c = { .arch = AUDIT_ARCH_X86_64, .nr = nr_of(call),
	    .args = { a0 } };
	uint32_t	got = run(b, &c);

	ok(got == want, "%s: %s(%#llx) gets %#x", label, call,
	    (unsigned long long)a0, want);
	if (got != want)
		printf("#   got %#x\n", got);
}

static void
shipped(const char *name, bool network)
{
	static struct bpf	b;
	static const struct { const char *call; unsigned arg; } modes[] = {
		{ "chmod", 1 }, { "fchmod", 1 }, { "fchmodat", 2 },
		{ "fchmodat2", 2 }, { "open", 2 }, { "openat", 3 },
		{ "creat", 1 }, { "mknod", 1 }, { "mknodat", 2 },
	};
	static const char *const notify[] = { "inotify_init", "inotify_init1",
	    "inotify_add_watch", "inotify_rm_watch", "fanotify_init",
	    "fanotify_mark" };

	if (!ok(load(name, &b), "policy %s compiles", name))
		return;
	socket_grid(&b, network, name);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		mode_grid(&b, modes[i].call, modes[i].arg, name);
	expect(&b, "listen", 3, RET_ERRNO(EACCES), name);
	for (size_t i = 0; i < sizeof(notify) / sizeof(notify[0]); i++)
		expect(&b, notify[i], 0, RET_ERRNO(ENOSYS), name);
	expect(&b, "read", 0, RET_ALLOW, name);
	expect(&b, "ptrace", 0, RET_KILL, name);
	expect(&b, "clone", 0x11 /* SIGCHLD */, RET_ALLOW, name);
	expect(&b, "clone", 0x10000000 | 0x11, RET_KILL, name);
	expect(&b, "socketpair", 1, RET_ALLOW, name);
	expect(&b, "socketpair", 2, RET_ERRNO(EAFNOSUPPORT), name);
	{
		struct call c = { .arch = AUDIT_ARCH_I386, .nr = 20 };

		ok(run(&b, &c) == RET_KILL, "%s: an i386 call kills", name);
		c.arch = AUDIT_ARCH_X86_64;
		c.nr = 0x40000000 | 39;
		ok(run(&b, &c) == RET_KILL, "%s: an x32 call kills", name);
	}
	ok(bad_insn == 0, "%s: only known BPF instructions", name);
}

/* ---- random policies with an else ------------------------------------------ */

#define MAXR	4
struct rrule {
	bool		has[3];
	uint64_t	mask[3];
	uint64_t	v[3][3];
	size_t		n[3];
};

static uint64_t	seed = 88172645463325252ULL;

static uint64_t
rnd(uint64_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed % n;
}

static bool
matches(const struct rrule *r, const uint64_t *a)
{
	for (int d = 0; d < 3; d++) {
		bool hit = false;

		if (!r->has[d])
			continue;
		for (size_t i = 0; i < r->n[d]; i++)
			hit = hit || (a[d] & r->mask[d]) == r->v[d][i];
		if (!hit)
			return false;
	}
	return true;
}

static int	too_big;	/* random policies refused as too large */

static int
random_policies(int count)
{
	static const uint64_t	masks[] = { ~0ULL, ~0ULL, 0xf, 0x3c, 0x101 };
	/* Values are drawn from the first 20; all 30 are probed. */
	static const uint64_t	probe[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16,
	    17, 31, 32, 33, 60, 63, 64, 65, 100, 127, 128, 255, 256, 257,
	    1000, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL, ~0ULL };
	const size_t		draw = 20;
	static struct policy	p;
	static struct bpf	b;
	int			failed = 0;

	for (int k = 0; k < count; k++) {
		struct rrule	r[MAXR];
		size_t		nr = 1 + rnd(MAXR);
		char		text[4096];
		size_t		len;
		uint64_t	m[3];
		struct fault	f;

		for (int d = 0; d < 3; d++)
			m[d] = masks[rnd(sizeof(masks) / sizeof(masks[0]))];
		len = (size_t)snprintf(text, sizeof(text), "default kill\n");
		for (size_t i = 0; i < nr; i++) {
			bool any = false;

			for (int d = 0; d < 3; d++)
				r[i].has[d] = rnd(3) != 0;
			if (!r[i].has[0] && !r[i].has[1] && !r[i].has[2])
				r[i].has[rnd(3)] = true;
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			    "allow getpid if");
			for (int d = 0; d < 3; d++) {
				r[i].mask[d] = m[d];
				r[i].n[d] = 1 + rnd(3);
				if (!r[i].has[d])
					continue;
				len += (size_t)snprintf(text + len,
				    sizeof(text) - len, "%s a%d", any ? " and" :
				    "", d);
				if (m[d] != ~0ULL)
					len += (size_t)snprintf(text + len,
					    sizeof(text) - len, " & %#llx",
					    (unsigned long long)m[d]);
				len += (size_t)snprintf(text + len,
				    sizeof(text) - len, " in");
				for (size_t j = 0; j < r[i].n[d]; j++) {
					r[i].v[d][j] = probe[rnd(draw)] & m[d];
					len += (size_t)snprintf(text + len,
					    sizeof(text) - len, " %llu",
					    (unsigned long long)r[i].v[d][j]);
				}
				any = true;
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			    "%s\n", i == 0 ? " else errno EPERM" : "");
		}
		memset(&p, 0, sizeof(p));
		if (policy_parse(&p, 0, text, len, NULL, NULL) != 0 ||
		    policy_check(&p, NULL, NULL) != 0) {
			printf("# policy %d not accepted:\n%s", k, text);
			failed++;
			continue;
		}
		if (policy_compile(&p, &b, NULL, &f) != R_ALLOW) {
			if (strstr(f.detail, "too many") != NULL ||
			    strstr(f.detail, "instructions") != NULL) {
				too_big++;
				continue;
			}
			printf("# policy %d refused: %s\n%s", k, f.detail, text);
			failed++;
			continue;
		}
		for (size_t i0 = 0; i0 < sizeof(probe) / sizeof(probe[0]); i0++)
			for (size_t i1 = 0; i1 < sizeof(probe) / sizeof(probe[0]);
			    i1++)
				for (size_t i2 = 0; i2 < sizeof(probe) /
				    sizeof(probe[0]); i2++) {
					struct call	c = { .arch =
					    AUDIT_ARCH_X86_64,
					    .nr = nr_of("getpid"),
					    .args = { probe[i0], probe[i1],
					    probe[i2] } };
					bool		any = false;
					uint32_t	want, got;

					for (size_t i = 0; i < nr; i++)
						any = any || matches(&r[i],
						    c.args);
					want = any ? RET_ALLOW :
					    RET_ERRNO(EPERM);
					got = run(&b, &c);
					if (got != want) {
						printf("# policy %d, args %#llx "
						    "%#llx %#llx: %#x, want %#x"
						    "\n%s", k,
						    (unsigned long long)probe[i0],
						    (unsigned long long)probe[i1],
						    (unsigned long long)probe[i2],
						    got, want, text);
						failed++;
						goto next;
					}
				}
next:		;
	}
	return failed;
}

/* A partition that would run away is refused, not compiled for ever. */
static void
too_wide(void)
{
	static const char	text[] = "default kill\n"
	    "allow getpid if a0 in 0 0x1000000 0x2000001 0x3000003 0x4000007 "
	    "0x500000f and a1 in 0 0x1000000 0x2000001 0x3000003 0x4000007 "
	    "0x500000f and a2 in 0 0x1000000 0x2000001 0x3000003 0x4000007 "
	    "else errno EPERM\n"
	    "allow getpid if a3 == 1\n";
	static struct policy	p;
	static struct bpf	b;
	struct fault		f;

	memset(&p, 0, sizeof(p));
	ok(policy_parse(&p, 0, text, sizeof(text) - 1, NULL, NULL) == 0 &&
	    policy_check(&p, NULL, NULL) == 0 && policy_compile(&p, &b, NULL,
	    &f) == R_POLICY_INVALID && strstr(f.detail, "too many") != NULL,
	    "a partition too large to write is policy-invalid, said so");
	printf("#   %s\n", f.detail);
}

int
main(void)
{
	shipped("default", true);
	shipped("strict", false);
	too_wide();
	ok(random_policies(400) == 0, "400 random policies with an else: every "
	    "call on a 30x30x30 grid gets exactly what the rules say");
	ok(too_big < 40, "fewer than 1 in 10 of them refused as too large to "
	    "write (%d)", too_big);
	return done_testing();
}
