/* argv parsing (request.c). */
#include "cgibox.h"
#include "tap.h"

#define A(...)	((char *const []){ __VA_ARGS__, NULL })

static const struct {
	const char	*name;
	int		 argc;
	char *const	*argv;
	enum reason	 r;
	enum mode	 mode;
	const char	*user, *group, *cmd;
	bool		 userdir;
} cases[] = {
	{ "suexec numeric", 4, A("cgibox", "1001", "1001", "x.cgi"),
	  R_ALLOW, MODE_SUEXEC, "1001", "1001", "x.cgi", false },
	{ "suexec userdir", 4, A("cgibox", "~1001", "1001", "x.cgi"),
	  R_ALLOW, MODE_SUEXEC, "1001", "1001", "x.cgi", true },
	{ "suexec names", 5, A("cgibox", "~alice", "alice", "x.cgi", "a"),
	  R_ALLOW, MODE_SUEXEC, "alice", "alice", "x.cgi", true },
	{ "suexec subdir", 4, A("cgibox", "a", "a", "sub/x.cgi"),
	  R_ALLOW, MODE_SUEXEC, "a", "a", "sub/x.cgi", false },
	{ "interpreter absolute", 2, A("cgibox", "/srv/www/x.cgi"),
	  R_ALLOW, MODE_INTERP, NULL, NULL, "/srv/www/x.cgi", false },
	{ "interpreter relative", 2, A("cgibox", "x.cgi"),
	  R_ALLOW, MODE_INTERP, NULL, NULL, "x.cgi", false },
	{ "settings", 2, A("cgibox", "-V"),
	  R_ALLOW, MODE_SETTINGS, NULL, NULL, NULL, false },
	{ "no arguments", 1, A("cgibox"), R_USAGE, MODE_SUEXEC, NULL, NULL,
	  NULL, false },
	{ "argc 0", 0, A(NULL), R_USAGE, MODE_SUEXEC, NULL, NULL, NULL,
	  false },
	{ "three arguments", 3, A("cgibox", "a", "b"), R_USAGE, MODE_SUEXEC,
	  NULL, NULL, NULL, false },
	{ "absolute cmd", 4, A("cgibox", "a", "a", "/bin/sh"),
	  R_BAD_COMMAND, MODE_SUEXEC, "a", "a", "/bin/sh", false },
	{ "../ cmd", 4, A("cgibox", "a", "a", "../x.cgi"),
	  R_BAD_COMMAND, MODE_SUEXEC, "a", "a", "../x.cgi", false },
	{ "inner .. cmd", 4, A("cgibox", "a", "a", "sub/../../x"),
	  R_BAD_COMMAND, MODE_SUEXEC, "a", "a", "sub/../../x", false },
	{ "trailing .. cmd", 4, A("cgibox", "a", "a", "sub/.."),
	  R_BAD_COMMAND, MODE_SUEXEC, "a", "a", "sub/..", false },
	{ "..name is a name", 4, A("cgibox", "a", "a", "..x.cgi"),
	  R_ALLOW, MODE_SUEXEC, "a", "a", "..x.cgi", false },
	{ "empty cmd", 4, A("cgibox", "a", "a", ""),
	  R_BAD_COMMAND, MODE_SUEXEC, "a", "a", "", false },
	{ "cmd ends in /", 4, A("cgibox", "a", "a", "sub/"),
	  R_BAD_COMMAND, MODE_SUEXEC, "a", "a", "sub/", false },
	{ "empty user", 4, A("cgibox", "", "a", "x"),
	  R_UNKNOWN_USER, MODE_SUEXEC, "", "a", "x", false },
	{ "bare ~", 4, A("cgibox", "~", "a", "x"),
	  R_UNKNOWN_USER, MODE_SUEXEC, "", "a", "x", true },
	{ "empty group", 4, A("cgibox", "a", "", "x"),
	  R_UNKNOWN_GROUP, MODE_SUEXEC, "a", "", "x", false },
	{ "interpreter ..", 2, A("cgibox", "/srv/www/../x.cgi"),
	  R_BAD_COMMAND, MODE_INTERP, NULL, NULL, "/srv/www/../x.cgi", false },
	{ "interpreter empty", 2, A("cgibox", ""),
	  R_BAD_COMMAND, MODE_INTERP, NULL, NULL, "", false },
};

static bool
same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

int
main(void)
{
	static char	long_cmd[PATH_MAX + 10];
	static char	script[] = "/srv/www/x.cgi", relative[] = "x.cgi",
			dotdot[] = "/srv/www/../x.cgi", empty[] = "";
	struct request	rq;
	struct fault	f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum reason r = request_parse(cases[i].argc, cases[i].argv,
		    NULL, &rq, &f);
		bool fields = r == R_USAGE || (rq.mode == cases[i].mode &&
		    same(rq.user, cases[i].user) &&
		    same(rq.group, cases[i].group) &&
		    same(rq.cmd, cases[i].cmd) &&
		    rq.userdir == cases[i].userdir);

		ok(r == cases[i].r && fields, "%s -> %s", cases[i].name,
		    reason_table[cases[i].r].name);
	}
	request_parse(5, A("cgibox", "a", "b", "x.cgi", "arg1"), NULL, &rq, &f);
	ok(strcmp(rq.argv[0], "x.cgi") == 0 && strcmp(rq.argv[1], "arg1") == 0
	    && rq.argv[2] == NULL, "script argv is CMD then the arguments");
	memset(long_cmd, 'a', sizeof(long_cmd) - 1);
	is_long(request_parse(4, A("cgibox", "a", "b", long_cmd), NULL, &rq,
	    &f), R_BAD_COMMAND, "a command of PATH_MAX bytes is refused");

	/* CGIBOX_SCRIPT: only with no argument, only absolute, no .. */
	is_long(request_parse(1, A("cgibox"), script, &rq, &f), R_ALLOW,
	    "no argument and CGIBOX_SCRIPT: accepted");
	ok(rq.mode == MODE_INTERP && rq.cmd == script &&
	    rq.argv[0] == script && rq.argv[1] == NULL && rq.user == NULL,
	    "as interpreter mode, the script its own argv[0]");
	is_long(request_parse(2, A("cgibox", "/srv/www/y.cgi"), script, &rq,
	    &f), R_ALLOW, "with an argument, CGIBOX_SCRIPT is ignored");
	ok(strcmp(rq.cmd, "/srv/www/y.cgi") == 0, "the argument wins");
	is_long(request_parse(4, A("cgibox", "a", "b", "x.cgi"), script, &rq,
	    &f), R_ALLOW, "suexec form with CGIBOX_SCRIPT set: accepted");
	ok(strcmp(rq.cmd, "x.cgi") == 0 && rq.mode == MODE_SUEXEC,
	    "and CGIBOX_SCRIPT plays no part");
	is_long(request_parse(1, A("cgibox"), relative, &rq, &f),
	    R_BAD_COMMAND, "a relative CGIBOX_SCRIPT is refused");
	is_long(request_parse(1, A("cgibox"), dotdot, &rq, &f),
	    R_BAD_COMMAND, "a CGIBOX_SCRIPT with .. is refused");
	is_long(request_parse(1, A("cgibox"), empty, &rq, &f),
	    R_BAD_COMMAND, "an empty CGIBOX_SCRIPT is refused");
	is_long(request_parse(0, A(NULL), script, &rq, &f), R_USAGE,
	    "argc 0 with CGIBOX_SCRIPT: usage");
	return done_testing();
}
