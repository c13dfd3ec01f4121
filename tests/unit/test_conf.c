/* The configuration parser (conf_parse.c): accepted, refused, effective. */
#include <syslog.h>

#include "cgibox.h"
#include "tap.h"

static char	last_msg[256];
static unsigned	last_line, calls;

static void
collect(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	calls++;
	last_line = line;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

static const struct {
	const char	*name;
	const char	*text;
	unsigned	 errors;	/* 0: accepted */
	unsigned	 line;		/* line of the last error */
	const char	*msg;		/* substring of the last error */
} cases[] = {
	{ "empty file", "", 0, 0, NULL },
	{ "comments and blanks", "# c\n\n   # indented\n\t\n", 0, 0, NULL },
	{ "full example",
	  "caller www-data\nmin-uid 1000\nmin-gid 100\ndocroot /var/www\n"
	  "docroot /srv/www\nuserdir public_html\n"
	  "safe-path /usr/local/bin:/usr/bin:/bin\numask 027\n"
	  "log-file /var/log/cgibox.log\nsyslog authpriv\nlog-exec yes\n"
	  "error-page yes\nlimit cpu 30\nlimit as 1G\nlimit nproc 64\n"
	  "nice 5\nsupplementary-groups no\nenv-pass APP_ENV\n"
	  "env-set TMPDIR=/tmp\nmatch user alice\nlimit cpu 60\n"
	  "match group staff\nenv-set A=b c d\n", 0, 0, NULL },
	{ "unknown keyword", "docroot /var/www\nfrobnicate yes\n", 1, 2,
	  "unknown keyword 'frobnicate'" },
	{ "keyword without value", "caller\n", 1, 1, "needs a value" },
	{ "every error is reported", "a 1\nb 2\nc 3\n", 3, 3, "unknown" },
	{ "caller twice", "caller a\ncaller b\n", 1, 2, "set twice" },
	{ "bad caller name", "caller a b\n", 1, 1, "valid user name" },
	{ "min-uid empty digits", "min-uid x\n", 1, 1, "not a number" },
	{ "min-uid zero", "min-uid 0\n", 1, 1, "not a number" },
	{ "min-uid negative", "min-uid -5\n", 1, 1, "not a number" },
	{ "relative docroot", "docroot var/www\n", 1, 1, "absolute path" },
	{ "docroot with ..", "docroot /var/www/../etc\n", 1, 1,
	  "absolute path" },
	{ "docroot trailing slash", "docroot /var/www/\n", 1, 1,
	  "absolute path" },
	{ "docroot double slash", "docroot /var//www\n", 1, 1,
	  "absolute path" },
	{ "userdir absolute", "userdir /public_html\n", 1, 1,
	  "relative path" },
	{ "userdir ..", "userdir ../x\n", 1, 1, "relative path" },
	{ "userdir none", "userdir none\n", 0, 0, NULL },
	{ "safe-path relative element", "safe-path /bin:bin\n", 1, 1,
	  "absolute" },
	{ "safe-path empty element", "safe-path /bin::/usr/bin\n", 1, 1,
	  "absolute" },
	{ "safe-path trailing colon", "safe-path /bin:\n", 1, 1, "empty" },
	{ "umask not octal", "umask 089\n", 1, 1, "octal" },
	{ "umask too big", "umask 1777\n", 1, 1, "more than 0777" },
	{ "log-file relative", "log-file cgibox.log\n", 1, 1, "absolute" },
	{ "syslog unknown", "syslog kern\n", 1, 1, "unknown facility" },
	{ "both sinks none", "log-file none\nsyslog none\n", 1, 0,
	  "both none" },
	{ "bool", "log-exec maybe\n", 1, 1, "yes or no" },
	{ "limit unknown", "limit rss 5\n", 1, 1, "unknown resource" },
	{ "limit suffix on count", "limit nproc 5K\n", 1, 1,
	  "number or unlimited" },
	{ "limit twice", "limit cpu 5\nlimit cpu 6\n", 1, 2, "set twice" },
	{ "limit no value", "limit cpu\n", 1, 1, "resource and a value" },
	{ "nice out of range", "nice 20\n", 1, 1, "0 to 19" },
	{ "nice negative", "nice -5\n", 1, 1, "0 to 19" },
	{ "env-pass bad name", "env-pass 1X\n", 1, 1, "valid variable" },
	{ "env-pass reserved", "env-pass PATH\n", 1, 1, "set by cgibox" },
	{ "env-pass HTTP_PROXY", "env-pass HTTP_PROXY\n", 1, 1, "httpoxy" },
	{ "env-set reserved", "env-set HOME=/tmp\n", 1, 1, "set by cgibox" },
	{ "env-set no =", "env-set FOO\n", 1, 1, "NAME=value" },
	{ "global keyword in match", "match user a\ncaller b\n", 1, 2,
	  "not allowed in a match block" },
	{ "docroot in match", "match group g\ndocroot /x\n", 1, 2,
	  "not allowed in a match block" },
	{ "docroot-owner root", "docroot-owner root\n", 0, 0, NULL },
	{ "docroot-owner user", "docroot-owner user\n", 0, 0, NULL },
	{ "docroot-owner other", "docroot-owner alice\n", 1, 1,
	  "neither root nor user" },
	{ "docroot-owner twice", "docroot-owner root\ndocroot-owner user\n", 1,
	  2, "" },
	{ "docroot-owner in match", "match user a\ndocroot-owner root\n", 1, 2,
	  "not allowed in a match block" },
	{ "match bad kind", "match host x\n", 1, 1, "user or group" },
	{ "match no name", "match user\n", 1, 1, "expected" },
	{ "match same scalar twice", "match user a\nnice 1\nnice 2\n", 1, 3,
	  "set twice in this match block" },
	{ "match may repeat a global", "nice 1\nmatch user a\nnice 2\n", 0,
	  0, NULL },
	{ "CR line end", "caller www-data\r\n", 1, 1, "control character" },
	{ "NUL byte", "caller www\0data\n", 1, 1, "control character" },
	{ "escape byte", "env-set A=\033[2J\n", 1, 1, "control character" },
	{ "no final newline", "caller www-data", 0, 0, NULL },
	{ "landlock modes", "landlock best-effort\nmatch user a\nlandlock off\n"
	  "match user b\nlandlock required\n", 0, 0, NULL },
	{ "landlock bad mode", "landlock maybe\n", 1, 1, "required, best-effort" },
	{ "landlock paths", "landlock-read /opt\nlandlock-write ~\n"
	  "landlock-write ~/data/x\nmatch user a\nlandlock-read /srv\n", 0, 0,
	  NULL },
	{ "landlock relative path", "landlock-read opt\n", 1, 1, "absolute" },
	{ "landlock ~user path", "landlock-read ~bob/x\n", 1, 1, "absolute" },
	{ "landlock ~/..", "landlock-write ~/../bob\n", 1, 1, "absolute" },
	{ "landlock /", "landlock-write /\n", 1, 1, "whole filesystem" },
	{ "hide paths", "hide ~/.gnupg\nhide /run/agents\nmatch user a\n"
	  "hide ~\n", 0, 0, NULL },
	{ "hide relative", "hide .gnupg\n", 1, 1, "absolute" },
	{ "hide /", "hide /\n", 1, 1, "hide everything" },
	{ "hide ~/..", "hide ~/../x\n", 1, 1, "absolute" },
	{ "landlock ports", "landlock-bind 8080\nlandlock-connect 443\n", 0, 0,
	  NULL },
	{ "landlock port 0", "landlock-bind 0\n", 1, 1, "1 to 65535" },
	{ "landlock port too big", "landlock-connect 65536\n", 1, 1,
	  "1 to 65535" },
	{ "private-tmp and network", "private-tmp no\nnetwork no\n"
	  "match group g\nnetwork yes\n", 0, 0, NULL },
	{ "policy name", "policy my-site_2\n", 0, 0, NULL },
	{ "policy bad name", "policy ../x\n", 1, 1, "policy name" },
};

static void
test_overlong(void)
{
	static struct config	c;
	char			text[TEXT_MAX_LINE + 32];

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\n';
	conf_defaults(&c, "/var/log/x");
	calls = 0;
	is_long(conf_parse(&c, text, sizeof(text), collect, NULL), 1,
	    "an overlong line is one error");
	ok(strstr(last_msg, "longer than") != NULL, "and says so");
}

static void
test_effective(void)
{
	static struct config	c;
	struct effective	e;
	const char		*text =
	    "limit cpu 30\nnice 1\nenv-set A=global\n"
	    "match user alice\nlimit cpu 60\nenv-set A=alice\n"
	    "match group staff\nnice 7\nlimit as 1G\n"
	    "match user alice\numask 077\n";

	conf_defaults(&c, "/var/log/x");
	is_long(conf_parse(&c, text, strlen(text), collect, NULL), 0,
	    "match blocks parse");
	conf_effective(&c, "bob", "users", &e);
	is_long((long)e.s.limit[LIM_CPU], 30, "bob: global cpu limit");
	is_long(e.s.nice, 1, "bob: global nice");
	is_long((long)e.n_scope, 1, "bob: no block matches");
	conf_effective(&c, "alice", "staff", &e);
	is_long((long)e.s.limit[LIM_CPU], 60, "alice: block overrides cpu");
	is_long(e.s.nice, 7, "alice in staff: group block sets nice");
	ok(e.s.limit_set[LIM_AS] && e.s.limit[LIM_AS] == 1ULL << 30,
	    "alice in staff: as limit from group block");
	is_long(e.s.umask, 077, "alice: last matching block sets umask");
	is_long((long)e.n_scope, 4, "alice: global and three blocks");
	conf_effective(&c, "carol", "staff", &e);
	ok(!e.s.limit_set[LIM_AS] || e.s.limit[LIM_AS] == 1ULL << 30,
	    "carol in staff: group block applies");
	is_long((long)e.s.limit[LIM_CPU], 30, "carol: user block does not");
}

static void
test_defaults(void)
{
	static struct config	c;

	conf_defaults(&c, "/var/log/cgibox.log");
	is_str(c.caller, "www-data", "default caller");
	is_long((long)c.min_uid, 1000, "default min-uid");
	is_long((long)c.min_gid, 1000, "default min-gid");
	is_long((long)c.n_docroot, 0, "no docroot by default");
	is_str(c.userdir, "public_html", "default userdir");
	is_str(c.global.safe_path, "/usr/local/bin:/usr/bin:/bin",
	    "default safe-path");
	is_long(c.global.umask, 022, "default umask");
	is_str(c.global.policy, "default", "default policy");
	is_long(c.global.landlock, LL_REQUIRED, "landlock required by default");
	ok(c.global.private_tmp, "private-tmp yes by default");
	ok(c.global.network, "network yes by default");
	ok(!c.global.supp_groups, "supplementary groups off by default");
	ok(!c.error_page, "error page off by default");
}

int
main(void)
{
	static struct config	c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t		len = strlen(cases[i].text);
		unsigned	n;

		if (strcmp(cases[i].name, "NUL byte") == 0)
			len = sizeof("caller www\0data\n") - 1;
		conf_defaults(&c, "/var/log/cgibox.log");
		calls = 0;
		last_msg[0] = '\0';
		last_line = 0;
		n = conf_parse(&c, cases[i].text, len, collect, NULL);
		ok(n == cases[i].errors && calls == n &&
		    (n == 0 || (last_line == cases[i].line &&
		    strstr(last_msg, cases[i].msg) != NULL)),
		    "%s: %u error(s)", cases[i].name, cases[i].errors);
		if (n != cases[i].errors || (n > 0 &&
		    strstr(last_msg, cases[i].msg) == NULL))
			printf("#   got %u, last line %u: %s\n", n, last_line,
			    last_msg);
	}
	conf_defaults(&c, "/var/log/cgibox.log");
	(void)conf_parse(&c, cases[2].text, strlen(cases[2].text), collect,
	    NULL);
	is_long((long)c.n_docroot, 2, "docroot repeats");
	is_long(c.syslog_facility, LOG_AUTHPRIV, "syslog authpriv");
	is_long(c.global.umask, 027, "umask 027");
	is_str(c.global.env_set[0], "TMPDIR=/tmp", "env-set kept whole");
	is_str(c.match[1].s.env_set[0], "A=b c d",
	    "a value is the rest of the line");
	ok(c.has_env_set, "an env-set anywhere marks the configuration");
	conf_defaults(&c, "/var/log/cgibox.log");
	(void)conf_parse(&c, "hide ~/.gnupg\nmatch user a\nhide /x\n", 35,
	    collect, NULL);
	ok(!c.has_env_set, "no env-set, no mark");
	is_str(c.global.hide[0], "~/.gnupg", "hide kept");
	is_long((long)c.match[0].s.n_hide, 1, "hide in a match block");
	test_overlong();
	test_effective();
	test_defaults();
	return done_testing();
}
