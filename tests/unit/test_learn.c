/* Learn mode's records (learn.c) and the rules it writes (policy_parse.c). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "cgibox.h"
#include "tap.h"

static struct learn_set	set;

static void
record(struct learn_rec *r, const char *call, uint64_t a0, const char *script)
{
	memset(r, 0, sizeof(*r));
	(void)copy_str(r->call, sizeof(r->call), call);
	(void)copy_str(r->policy, sizeof(r->policy), "strict");
	r->mode = LEARN_YES;
	r->nargs = learn_args_of(call, r->argi);
	if (r->nargs > 0)
		r->argv[0] = a0;
	r->count = 1;
	r->first = r->last = 1796140000;
	(void)copy_str(r->scripts[0], LEARN_SCRIPT_MAX, script);
	r->nscripts = 1;
}

static void
parse_errors(void)
{
	static struct learn_rec	r;
	static const char *const bad[] = {
		"",
		"call=socket",
		"call=socket policy=strict mode=yes count=1 first=1",
		"call=socket policy=strict mode=yes count=1 first=1 last=2 x=y",
		"call=socket policy=strict mode=yes count=1 first=1 last=2 "
		    "script=relative",
		"call=Socket policy=strict mode=yes count=1 first=1 last=2",
		"call=socket policy=../x mode=yes count=1 first=1 last=2",
		"call=socket policy=strict mode=maybe count=1 first=1 last=2",
		"call=socket policy=strict mode=yes count=-1 first=1 last=2",
		"call=socket policy=strict mode=yes count=1 first=1 last=2 "
		    "script=\"/a b",
		"call=socket policy=strict mode=yes count=1 first=1 last=2 "
		    "script=/a\\x0",
		"call=socket policy=strict mode=yes count=1 first=1 last=2 "
		    "script=/a\\x00b",
		"call=socket  policy=strict mode=yes count=1 first=1 last=2",
		"call=socket policy=strict mode=yes count=1 first=1 last=2 a9=1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!learn_parse(bad[i], strlen(bad[i]), &r),
		    "a malformed line is refused whole (%zu)", i);
}

static void
rule_text(void)
{
	static struct policy	p;
	static const char *const lines[] = {
		"allow openat if a3 & 3072 == 0 else errno EPERM",
		"allow socket if a0 in 2 10 and a1 & 15 in 1 2 and a2 in 0 6 17",
		"allow socket if a0 == 1 else errno EAFNOSUPPORT",
		"errno EACCES listen",
		"kill ptrace",
		"allow clone if a0 & 0x7e020000 == 0",
		"allow personality if a0 in 0 0xffffffff",
		"allow mmap if a2 <= 7",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char	text[512], again[512];
		char	src[600];

		memset(&p, 0, sizeof(p));
		(void)snprintf(src, sizeof(src), "default kill\n%s\n", lines[i]);
		if (!ok(policy_parse(&p, 0, src, strlen(src), NULL, NULL) == 0 &&
		    p.nrules == 1, "parsed: %s", lines[i]))
			continue;
		ok(policy_rule_text(&p, &p.rules[0], text, sizeof(text)) > 0,
		    "rendered: %s", text);
		memset(&p, 0, sizeof(p));
		(void)snprintf(src, sizeof(src), "default kill\n%s\n", text);
		ok(policy_parse(&p, 0, src, strlen(src), NULL, NULL) == 0 &&
		    policy_rule_text(&p, &p.rules[0], again, sizeof(again)) > 0 &&
		    strcmp(text, again) == 0, "and it reads back the same");
	}
}

static const struct prule *
rule(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return &p->rules[i];
	return NULL;
}

/* The recording variant: refusals notified, kills and essentials kept. */
static void
recording(void)
{
	static struct policy	 p;
	static const char	 src[] = "default errno ENOSYS\n"
	    "errno EPERM socket\nkill ptrace\nerrno EACCES execve\n"
	    "allow read write\n";
	const struct prule	*r;

	memset(&p, 0, sizeof(p));
	if (!ok(policy_parse(&p, 0, src, strlen(src), NULL, NULL) == 0,
	    "a policy to learn with"))
		return;
	ok(policy_learn(&p, false), "its recording variant");
	ok(p.default_action == ACT_NOTIFY, "what no rule names is notified");
	r = rule(&p, "socket");
	ok(r != NULL && r->action == ACT_NOTIFY, "an errno rule is notified");
	r = rule(&p, "ptrace");
	ok(r != NULL && r->action == ACT_KILL, "a kill rule stays a kill");
	r = rule(&p, "execve");
	ok(r != NULL && r->action == ACT_ERRNO,
	    "an essential keeps its rule: nothing answers before the exec");
	r = rule(&p, "newfstatat");
	ok(r != NULL && r->action == ACT_ALLOW,
	    "an essential no rule names is allowed, not notified");
	r = rule(&p, "read");
	ok(r != NULL && r->action == ACT_ALLOW, "an allow stays an allow");
	memset(&p, 0, sizeof(p));
	(void)policy_parse(&p, 0, src, strlen(src), NULL, NULL);
	p.nrules = POLICY_MAX_RULES - 1;
	ok(!policy_learn(&p, false), "no room for the essentials: refused");
}

/* A site file and a base.policy, as policy_load would read them. */
static bool
two_files(struct policy *p, const char *site, const char *base)
{
	memset(p, 0, sizeof(*p));
	(void)copy_str(p->files[0], sizeof(p->files[0]), "/p/site.policy");
	(void)copy_str(p->files[1], sizeof(p->files[1]), "/p/base.policy");
	p->nfiles = 2;
	return policy_parse(p, 0, site, strlen(site), NULL, NULL) == 0 &&
	    policy_parse(p, 1, base, strlen(base), NULL, NULL) == 0 &&
	    policy_check(p, NULL, NULL) == 0;
}

/* The variant must say what it compiles to, or be refused. */
static void
variant_checked(void)
{
	static struct policy	 p;
	static const char	 base[] = "allow clone if a0 & 0x7e020000 == 0\n";
	const struct prule	*r;

	if (!ok(two_files(&p, "default kill\nallow socket if a0 == 1 else "
	    "errno EAFNOSUPPORT\n", base), "a policy on base"))
		return;
	ok(policy_learn(&p, false) && policy_check(&p, NULL, NULL) == 0,
	    "its recording variant checks");
	r = rule(&p, "clone");
	ok(r != NULL && r->action == ACT_ALLOW && r->else_action == ACT_KILL,
	    "base's conditional allow: what it leaves out is killed, not "
	    "notified (a clone with CLONE_NEWUSER)");
	r = rule(&p, "socket");
	ok(r != NULL && r->action == ACT_ALLOW && r->else_action == ACT_NOTIFY,
	    "the policy's else errno is notified");
	if (!ok(two_files(&p, "default errno EPERM\n", base),
	    "a policy whose default is an errno"))
		return;
	ok(policy_learn(&p, false), "its variant");
	r = rule(&p, "clone");
	ok(r != NULL && r->else_action == ACT_ERRNO && r->else_errno == EPERM,
	    "base's left-out cases get that errno, as they did");
	/* The attack: a kill rule merged under base's allow. */
	if (!ok(two_files(&p, "default kill\nkill clone if a0 & 0x10000000 == "
	    "0x10000000\n", base), "a policy that kills some clones itself"))
		return;
	ok(!policy_learn(&p, false) || policy_check(&p, NULL, NULL) != 0,
	    "its variant is refused: kill and allow cannot share an else");
	if (!ok(two_files(&p, "default kill\nallow chmod if a1 & 0xc00 == "
	    "0x400\n", "allow chmod if a1 & 0xc00 == 0 else errno EPERM\n"),
	    "a policy that allows setgid directories"))
		return;
	ok(policy_learn(&p, true) && policy_check(&p, NULL, NULL) == 0,
	    "learned from scratch, it checks");
	for (size_t i = 0; i < p.nrules; i++)
		if (strcmp(p.rules[i].name, "chmod") == 0)
			ok(p.rules[i].action == ACT_NOTIFY &&
			    (p.rules[i].else_action == ACT_NONE ||
			    (p.rules[i].else_action == ACT_ERRNO &&
			    p.rules[i].else_errno == EPERM)),
			    "chmod: notified, and set-id modes still EPERM");
}

int
main(void)
{
	static struct learn_rec	r, back;
	struct logline		l;
	uint8_t			idx[LEARN_ARGS];
	uint64_t		args[6] = { 0 };

	recording();
	variant_checked();
	ok(learn_args_of("socket", idx) == 3 && idx[2] == 2,
	    "socket: family, type and protocol");
	ok(learn_args_of("ioctl", idx) == 1 && idx[0] == 1, "ioctl: the request");
	ok(learn_args_of("getdents64", idx) == 0, "other calls: the name alone");

	/* The floor: what would get around Landlock. */
	ok(learn_floor("listen", args) == EACCES, "listen is never let through");
	args[0] = AF_INET;
	args[1] = SOCK_STREAM | SOCK_CLOEXEC;
	args[2] = IPPROTO_TCP;
	ok(learn_floor("socket", args) == 0, "a TCP socket is");
	args[2] = IPPROTO_MPTCP;
	ok(learn_floor("socket", args) == EAFNOSUPPORT, "MPTCP is not");
	args[1] = SOCK_SEQPACKET;
	args[2] = 0;
	ok(learn_floor("socket", args) == EAFNOSUPPORT, "SOCK_SEQPACKET inet not");
	args[0] = AF_UNIX;
	ok(learn_floor("socket", args) == 0, "a UNIX socket is");
	args[0] = AF_SMC;
	args[1] = SOCK_STREAM;
	ok(learn_floor("socket", args) == EAFNOSUPPORT,
	    "SMC, which Landlock cannot see either, is not");
	args[0] = AF_NETLINK;
	args[1] = SOCK_DGRAM;
	ok(learn_floor("socket", args) == EAFNOSUPPORT, "nor any other family");
	ok(learn_floor("getdents64", args) == 0, "other calls are");
	ok(learn_floor("shmget", args) == EPERM && learn_floor("mq_open", args)
	    == EPERM, "but not System V or POSIX IPC");

	/* A record round trip, with a hostile script name. */
	record(&r, "socket", AF_INET6, "/srv/www/a b\n"
	    "call=ptrace policy=x mode=yes count=9 first=1 last=2\".cgi");
	r.argv[1] = SOCK_STREAM;
	r.argv[2] = IPPROTO_TCP;
	learn_format(&r, &l);
	ok(memchr(l.buf, '\n', l.len) == l.buf + l.len - 1,
	    "one record, one line, whatever the script's name");
	ok(strstr(l.buf, "\ncall=ptrace") == NULL, "no line forged by the name");
	ok(learn_parse(l.buf, l.len - 1, &back), "the line parses");
	is_str(back.scripts[0], r.scripts[0], "the name comes back as it was");
	ok(back.nargs == 3 && back.argv[0] == AF_INET6 && back.argv[2] ==
	    IPPROTO_TCP && back.count == 1 && back.mode == LEARN_YES,
	    "and the call, its arguments, count and mode");

	/* Merging, and the bound. */
	memset(&set, 0, sizeof(set));
	record(&r, "socket", AF_INET, "/a.cgi");
	ok(learn_add(&set, &r), "a first record");
	r.first = r.last = 1796149999;
	(void)copy_str(r.scripts[0], LEARN_SCRIPT_MAX, "/b.cgi");
	ok(learn_add(&set, &r) && set.n == 1 && set.r[0].count == 2 &&
	    set.r[0].nscripts == 2 && set.r[0].last == 1796149999,
	    "the same call adds up: count, last time, scripts");
	record(&r, "socket", AF_INET6, "/a.cgi");
	ok(learn_add(&set, &r) && set.n == 2, "other arguments, another record");
	for (unsigned i = 0; i < LEARN_MAX_RECORDS + 10; i++) {
		record(&r, "ioctl", 0, "/a.cgi");
		r.argv[0] = 1000 + i;
		(void)learn_add(&set, &r);
	}
	ok(set.n == LEARN_MAX_RECORDS && set.full && set.dropped == 12,
	    "a flood of distinct calls stops at %d records, the rest dropped",
	    LEARN_MAX_RECORDS);
	for (unsigned i = 0; i < 10; i++) {
		record(&r, "socket", AF_INET, "/a.cgi");
		(void)copy_str(r.scripts[0], LEARN_SCRIPT_MAX, i % 2 ? "/x" :
		    "/y");
		r.scripts[0][1] = (char)('a' + i);
		(void)learn_add(&set, &r);
	}
	ok(set.r[0].nscripts == LEARN_MAX_SCRIPTS,
	    "a record names at most %d scripts", LEARN_MAX_SCRIPTS);

	/* A store read back: bad lines skipped, good ones kept. */
	{
		static char	store[8192];
		size_t		len = 0;

		record(&r, "socket", AF_INET, "/a.cgi");
		learn_format(&r, &l);
		memcpy(store, l.buf, l.len);
		len = l.len;
		memcpy(store + len, "garbage line\n", 13);
		len += 13;
		record(&r, "prctl", 38, "/b.cgi");
		learn_format(&r, &l);
		memcpy(store + len, l.buf, l.len - 1);	/* no final newline */
		len += l.len - 1;
		learn_read(&set, store, len);
		ok(set.n == 2 && strcmp(set.r[1].call, "prctl") == 0,
		    "a store: the garbage skipped, a last line without newline kept");
	}
	parse_errors();
	rule_text();
	return done_testing();
}
