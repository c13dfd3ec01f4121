/* The seccomp policy parser (policy_parse.c). */
#include <errno.h>

#include "cgibox.h"
#include "tap.h"

static char	last_msg[256];
static unsigned	last_line, calls;

static void
collect(void *ctx, unsigned file, unsigned line, const char *msg)
{
	(void)ctx;
	(void)file;
	calls++;
	last_line = line;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

static const struct {
	const char	*name, *text;
	unsigned	 errors, line;
	const char	*msg;
} cases[] = {
	{ "minimal", "default kill\n", 0, 0, NULL },
	{ "errno default", "default errno EPERM\nallow read\n", 0, 0, NULL },
	{ "no default", "allow read\n", 1, 0, "no default action" },
	{ "default twice", "default kill\ndefault kill\n", 1, 2, "twice" },
	{ "bad default", "default allow\n", 2, 0, "no default" },
	{ "comments", "# c\ndefault kill # trailing\n\n  allow read # x\n", 0,
	  0, NULL },
	{ "several names", "default kill\nallow read write close\n", 0, 0,
	  NULL },
	{ "unknown keyword", "default kill\npermit read\n", 1, 2,
	  "unknown keyword 'permit'" },
	{ "no names", "default kill\nallow\n", 1, 2, "no system call" },
	{ "bad name", "default kill\nallow Read\n", 1, 2,
	  "not a system call name" },
	{ "errno rule", "default kill\nerrno ENOSYS clone3 openat2\n", 0, 0,
	  NULL },
	{ "unknown errno", "default kill\nerrno EWHATEVER x\n", 1, 2,
	  "unknown errno" },
	{ "condition", "default kill\nallow socket if a0 == AF_INET\n", 0, 0,
	  NULL },
	{ "two conditions", "default kill\nallow x if a0 == 1 and a1 > 0x10\n",
	  0, 0, NULL },
	{ "same arg twice", "default kill\nallow x if a0 != 1 and a0 != 2\n", 1,
	  2, "tested twice" },
	{ "bad arg", "default kill\nallow x if a6 == 1\n", 1, 2, "a0 to a5" },
	{ "bad operator", "default kill\nallow x if a0 =~ 1\n", 1, 2,
	  "unknown operator" },
	{ "unknown constant", "default kill\nallow x if a0 == AF_NOPE\n", 1, 2,
	  "known constant" },
	{ "masked", "default kill\nallow clone if a0 & CLONE_NEWUSER|"
	  "CLONE_NEWNS == 0\n", 0, 0, NULL },
	{ "masked malformed", "default kill\nallow clone if a0 & 1 = 0\n", 1,
	  2, "MASK == VALUE" },
	{ "empty | part", "default kill\nallow x if a0 == 1||2\n", 1, 2,
	  "" },
	{ "in", "default kill\nallow socket if a0 in 1 2 10\n", 0, 0, NULL },
	{ "in with else", "default kill\nallow socket if a0 in AF_UNIX AF_INET "
	  "else errno EAFNOSUPPORT\n", 0, 0, NULL },
	{ "in with others", "default kill\nallow x if a1 == 0 and a0 in 1 2 "
	  "and a2 in 3 4\n", 0, 0, NULL },
	{ "masked in", "default kill\nallow x if a1 & 0xf in 1 2 else errno "
	  "EPERM\n", 0, 0, NULL },
	{ "masked in outside mask", "default kill\nallow x if a1 & 0xf in 1 "
	  "0x10\n", 1, 2, "outside the mask" },
	{ "masked == outside mask", "default kill\nallow x if a1 & 1 == 2\n", 1,
	  2, "outside the mask" },
	{ "zero mask", "default kill\nallow x if a1 & 0 == 0\n", 1, 2,
	  "tests nothing" },
	{ "in without values", "default kill\nallow x if a0 in and a1 == 2\n",
	  1, 2, "at least one" },
	{ "else after several", "default kill\nallow socket if a0 in 2 10 and "
	  "a1 & SOCK_TYPE_MASK in SOCK_STREAM SOCK_DGRAM and a2 in 0 6 17 "
	  "else errno EAFNOSUPPORT\n", 0, 0, NULL },
	{ "else after <", "default kill\nallow x if a0 < 5 else kill\n", 1, 2,
	  "sets of values" },
	{ "else after != in a pair", "default kill\nallow x if a0 == 1 and "
	  "a1 != 2 else kill\n", 1, 2, "sets of values" },
	{ "else after errno", "default kill\nerrno EPERM x if a0 == 1 else "
	  "kill\n", 1, 2, "only follows allow" },
	{ "else garbage", "default kill\nallow x if a0 == 1 else maybe\n", 1,
	  2, "else kill or else errno" },
	{ "trailing words", "default kill\nallow x if a0 == 1 extra\n", 1, 2,
	  "unexpected" },
	{ "incomplete", "default kill\nallow x if a0 ==\n", 1, 2,
	  "incomplete" },
	{ "include", "default kill\ninclude base\n", 0, 0, NULL },
	{ "include bad name", "default kill\ninclude ../etc/passwd\n", 1, 2,
	  "include NAME" },
	{ "CR", "allow read\r\ndefault kill\n", 1, 1, "control character" },
	{ "hex overflow", "default kill\nallow x if a0 == 0x10000000000000000\n",
	  1, 2, "known constant" },
};

/* Cross-rule checks for calls with an else (policy_check). */
static const struct {
	const char	*name, *text;
	unsigned	 errors;
	const char	*msg;
} checks[] = {
	{ "union with one else", "default kill\nallow s if a0 == 1\n"
	  "allow s if a0 in 2 10 and a2 in 0 6 else errno EPERM\n", 0, NULL },
	{ "two elses alike", "default kill\nallow s if a0 == 1 else kill\n"
	  "allow s if a0 == 2 else kill\n", 0, NULL },
	{ "two different elses", "default kill\nallow s if a0 == 1 else kill\n"
	  "allow s if a0 == 2 else errno EPERM\n", 1, "different else" },
	{ "different errnos", "default kill\nallow s if a0 == 1 else errno "
	  "EPERM\nallow s if a0 == 2 else errno EACCES\n", 1,
	  "different else" },
	{ "errno rule beside an else", "default kill\nallow s if a0 == 1 else "
	  "kill\nerrno EPERM s if a0 == 2\n", 1, "must be an allow rule" },
	{ "< beside an else", "default kill\nallow s if a0 == 1 else kill\n"
	  "allow s if a1 < 2\n", 1, "==, in or &" },
	{ "two masks for one argument", "default kill\nallow s if a1 & 0xf == 1 "
	  "else kill\nallow s if a1 & 0xff == 2\n", 1, "different masks" },
	{ "wide mask, value 0", "default kill\nallow s if a1 & 0xffff == 0 "
	  "else errno EPERM\n", 0, NULL },
	{ "wide mask, other values", "default kill\nallow s if a1 & 0xff == 1 "
	  "else errno EPERM\n", 1, "at most 6 bits" },
	{ "unconditional beside an else", "default kill\nallow s if a0 == 1 "
	  "else kill\nallow s\n", 2, "" },
};

static const char	*sample = "default errno EPERM\nallow read write\n"
	    "allow socket if a0 in AF_UNIX AF_INET6 else errno EAFNOSUPPORT\n"
	    "allow clone if a0 & CLONE_NEWUSER|CLONE_NEWNET == 0\n";

int
main(void)
{
	static struct policy	p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned n;

		memset(&p, 0, sizeof(p));
		calls = 0;
		last_msg[0] = '\0';
		n = policy_parse(&p, 0, cases[i].text, strlen(cases[i].text),
		    collect, NULL);
		ok(n == cases[i].errors && calls == n && (n == 0 ||
		    (last_line == cases[i].line &&
		    strstr(last_msg, cases[i].msg) != NULL)), "%s", cases[i].name);
		if (n != cases[i].errors || (n > 0 &&
		    strstr(last_msg, cases[i].msg) == NULL))
			printf("#   got %u, last line %u: %s\n", n, last_line,
			    last_msg);
	}

	memset(&p, 0, sizeof(p));
	policy_parse(&p, 0, sample, strlen(sample), collect, NULL);
	is_long((long)p.nrules, 4, "one rule per name");
	is_str(p.rules[1].name, "write", "second name");
	is_long(p.default_action, ACT_ERRNO, "default errno");
	is_long(p.default_errno, EPERM, "default EPERM");
	is_long((long)p.rules[2].cond[0].vcount, 2, "in values");
	is_long((long)p.values[p.rules[2].cond[0].vfirst + 1], 10,
	    "AF_INET6 is 10");
	is_long(p.rules[2].else_action, ACT_ERRNO, "else errno");
	is_long(p.rules[2].else_errno, EAFNOSUPPORT, "else EAFNOSUPPORT");
	is_long(p.rules[3].cond[0].op, OP_MASKED_EQ, "masked condition");
	is_long((long)p.rules[3].cond[0].mask, 0x50000000L,
	    "CLONE_NEWUSER|CLONE_NEWNET");

	memset(&p, 0, sizeof(p));
	policy_parse(&p, 0, "default kill\nallow read\n", 24, NULL, NULL);
	policy_parse(&p, 1, "allow read if a0 == 0\nkill write\n", 33, NULL,
	    NULL);
	calls = 0;
	is_long(policy_check(&p, collect, NULL), 1,
	    "unconditional and conditional rules for one call conflict");
	ok(strstr(last_msg, "already has a rule") != NULL, "and says so");
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		unsigned n;

		memset(&p, 0, sizeof(p));
		calls = 0;
		last_msg[0] = '\0';
		n = policy_parse(&p, 0, checks[i].text, strlen(checks[i].text),
		    collect, NULL);
		n += policy_check(&p, collect, NULL);
		ok(n == checks[i].errors && (n == 0 ||
		    strstr(last_msg, checks[i].msg) != NULL), "check: %s",
		    checks[i].name);
		if (n != checks[i].errors || (n > 0 &&
		    strstr(last_msg, checks[i].msg) == NULL))
			printf("#   got %u: %s\n", n, last_msg);
	}
	memset(&p, 0, sizeof(p));
	policy_parse(&p, 1, "default kill\n", 13, collect, NULL);
	ok(calls > 0 && strstr(last_msg, "not in an included") != NULL,
	    "default in an included file is an error");
	ok(valid_policy_name("default") && valid_policy_name("my-site_2"),
	    "policy names");
	ok(!valid_policy_name("../x") && !valid_policy_name("") &&
	    !valid_policy_name("-x") && !valid_policy_name("A"),
	    "bad policy names");
	return done_testing();
}
