/* The environment builder (env.c). */
#include "cgibox.h"
#include "tap.h"

static struct envbuf	eb;

static const char *
get(const char *name)
{
	return env_get(eb.vec, name);
}

static size_t
count(const char *name)
{
	size_t	n = 0, len = strlen(name);

	for (size_t i = 0; i < eb.n; i++)
		if (strncmp(eb.vec[i], name, len) == 0 && eb.vec[i][len] == '=')
			n++;
	return n;
}

static void
build(char *const *in, const struct config *c, const char *user,
    const char *group, enum reason want, const char *name)
{
	struct effective	e;
	struct fault		f;

	conf_effective(c, user, group, &e);
	is_long(env_build(&(struct env_in){ in, &e, user, "/home/t",
	    "/srv/www/t.cgi" }, &eb, &f), want, name);
}

int
main(void)
{
	static struct config	c;
	static char		big[ENV_MAX_BYTES];
	static char		*many[ENV_MAX_VARS + 10];
	static char		names[ENV_MAX_VARS + 10][32];
	const char		*text = "env-pass APP_ENV\nenv-set FIXED=1\n"
	    "env-set QUERY_STRING=forced\nmatch user alice\n"
	    "env-set FIXED=alice\nenv-pass ALICE_ONLY\n";
	char *const		 in[] = {
		"PATH=/evil", "LD_PRELOAD=/tmp/x.so", "LD_LIBRARY_PATH=/tmp",
		"BASH_ENV=/tmp/x", "PERL5OPT=-d", "PYTHONPATH=/tmp",
		"IFS=x", "HTTP_PROXY=http://evil", "HTTP_USER_AGENT=curl/8",
		"HTTP_COOKIE=() { :; }; rm -rf /", "SSL_CLIENT_S_DN=CN=x",
		"REQUEST_METHOD=POST", "REQUEST_METHOD=GET", "QUERY_STRING=a=b",
		"HOME=/root", "USER=root", "SCRIPT_FILENAME=/etc/shadow",
		"APP_ENV=prod", "ALICE_ONLY=1", "NOEQUALS", "BAD-NAME=x",
		"1BAD=x", "=x", "TZ=UTC", "HTTP_=x", "HTTPS=on", "FIXED=client",
		NULL };

	conf_defaults(&c, "/var/log/x");
	is_long(conf_parse(&c, text, strlen(text), NULL, NULL), 0, "config");
	build(in, &c, "bob", "bob", R_ALLOW, "builds");
	ok(strncmp(eb.vec[0], "PATH=", 5) == 0, "PATH comes first");
	is_str(get("PATH"), "/usr/local/bin:/usr/bin:/bin", "PATH is safe-path");
	is_long((long)count("PATH"), 1, "one PATH");
	ok(get("LD_PRELOAD") == NULL, "LD_PRELOAD dropped");
	ok(get("LD_LIBRARY_PATH") == NULL, "LD_LIBRARY_PATH dropped");
	ok(get("BASH_ENV") == NULL, "BASH_ENV dropped");
	ok(get("PERL5OPT") == NULL, "PERL5OPT dropped");
	ok(get("PYTHONPATH") == NULL, "PYTHONPATH dropped");
	ok(get("IFS") == NULL, "IFS dropped");
	ok(get("HTTP_PROXY") == NULL, "HTTP_PROXY dropped (httpoxy)");
	is_str(get("HTTP_USER_AGENT"), "curl/8", "HTTP_USER_AGENT kept");
	ok(get("HTTP_COOKIE") == NULL, "a () { value is dropped");
	is_str(get("SSL_CLIENT_S_DN"), "CN=x", "SSL_* kept");
	is_str(get("REQUEST_METHOD"), "POST", "first duplicate wins");
	is_long((long)count("REQUEST_METHOD"), 1, "no duplicate names");
	is_str(get("QUERY_STRING"), "forced", "env-set overrides incoming");
	is_str(get("HOME"), "/home/t", "HOME is the target's");
	is_str(get("USER"), "bob", "USER is the target's");
	is_str(get("LOGNAME"), "bob", "LOGNAME is the target's");
	is_str(get("SCRIPT_FILENAME"), "/srv/www/t.cgi",
	    "SCRIPT_FILENAME is the checked path");
	is_str(get("APP_ENV"), "prod", "env-pass passes");
	ok(get("ALICE_ONLY") == NULL, "env-pass of another scope does not");
	ok(get("NOEQUALS") == NULL && get("BAD-NAME") == NULL &&
	    get("1BAD") == NULL, "malformed entries dropped");
	is_str(get("TZ"), "UTC", "TZ kept");
	is_str(get("HTTP_"), NULL, "bare HTTP_ dropped");
	is_str(get("HTTPS"), "on", "HTTPS kept");
	is_str(get("FIXED"), "1", "env-set global");
	build(in, &c, "alice", "alice", R_ALLOW, "builds for alice");
	is_str(get("FIXED"), "alice", "a match block's env-set wins");
	is_str(get("ALICE_ONLY"), "1", "a match block's env-pass passes");
	ok(eb.vec[eb.n] == NULL, "vector is NULL-terminated");

	memcpy(big, "HTTP_X=", 7);
	memset(big + 7, 'a', sizeof(big) - 8);
	build((char *const []){ big, NULL }, &c, "bob", "bob", R_ENV_TOO_LARGE,
	    "one huge value is refused, not cut");
	for (size_t i = 0; i < ENV_MAX_VARS + 5; i++) {
		snprintf(names[i], sizeof(names[i]), "HTTP_X%zu=1", i);
		many[i] = names[i];
	}
	build(many, &c, "bob", "bob", R_ENV_TOO_LARGE,
	    "too many variables are refused");
	ok(env_whitelisted("GATEWAY_INTERFACE", 17), "whitelist lookup");
	ok(!env_whitelisted("GATEWAY_INTERFACEX", 18), "exact names only");
	ok(!env_whitelisted("GATEWAY", 7), "no prefix matches");
	return done_testing();
}
