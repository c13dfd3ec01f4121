/*
 * The configuration language of cgibox.conf(5), parsed from a buffer into
 * a fixed-capacity struct config.  Pure: no system calls, no allocation.
 *
 * MUST rules:
 * - Every line is parsed, every error is reported with its line number,
 *   and the caller refuses to run if there was any.  There are no
 *   warnings: an unknown keyword, a repeated setting, a value out of range
 *   or a control character is an error.
 * - Strings live in config->strbuf; running out of room is an error.
 * - Keywords that decide who may run what (caller, min ids, docroots,
 *   userdir, logging) are global.  A match block may only narrow or adjust
 *   how an allowed script runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cgibox.h"

const struct limit_info limit_table[LIM_COUNT] = {
	[LIM_CPU]	= { "cpu",	RLIMIT_CPU,	false },
	[LIM_AS]	= { "as",	RLIMIT_AS,	true },
	[LIM_DATA]	= { "data",	RLIMIT_DATA,	true },
	[LIM_FSIZE]	= { "fsize",	RLIMIT_FSIZE,	true },
	[LIM_NOFILE]	= { "nofile",	RLIMIT_NOFILE,	false },
	[LIM_NPROC]	= { "nproc",	RLIMIT_NPROC,	false },
	[LIM_STACK]	= { "stack",	RLIMIT_STACK,	true },
	[LIM_CORE]	= { "core",	RLIMIT_CORE,	true },
	[LIM_MEMLOCK]	= { "memlock",	RLIMIT_MEMLOCK,	true },
};

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* Names cgibox sets itself; env-pass and env-set may not name them. */
static const char *const reserved_env[] = {
	"HOME", "LOGNAME", "PATH", "SCRIPT_FILENAME", "USER",
};

struct parser {
	struct config	*c;
	struct settings	*s;		/* the scope being filled */
	bool		 in_match;
	bool		 match_user;	/* in a match user block */
	unsigned	 line;
	unsigned	 errors;
	unsigned	 seen_global;	/* bit per global-only keyword */
	conf_error_fn	 err;
	void		*ctx;
};

PRINTF(2, 3) static void
perr(struct parser *p, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	/* va_start is above: a clang-analyzer false positive. */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->err != NULL)
		p->err(p->ctx, p->line, msg);
}

const char *
facility_name(int facility)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == facility)
			return facilities[i].name;
	return "none";
}

static const char *
save(struct parser *p, const char *s, size_t len)
{
	struct config	*c = p->c;
	char		*d;

	if (len + 1 > sizeof(c->strbuf) - c->strused) {
		perr(p, "configuration too large");
		return NULL;
	}
	d = c->strbuf + c->strused;
	memcpy(d, s, len);
	d[len] = '\0';
	c->strused += len + 1;
	return d;
}

void
conf_defaults(struct config *c, const char *logfile)
{
	memset(c, 0, offsetof(struct config, match));	/* see cgibox.h */
	c->caller = "www-data";
	c->min_uid = 1000;
	c->min_gid = 1000;
	c->userdir = "public_html";
	c->log_file = logfile;
	c->syslog_facility = -1;
	c->fcgi_max_connections = 64;
	c->global.safe_path = "/usr/local/bin:/usr/bin:/bin";
	c->global.policy = "default";
	c->global.landlock = LL_REQUIRED;
	c->global.private_tmp = true;
	c->global.network = true;
	c->global.umask = 022;
}

static bool
parse_bool(struct parser *p, const char *kw, const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else {
		perr(p, "%s: expected yes or no, not '%s'", kw, v);
		return false;
	}
	return true;
}

static bool
reserved(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(reserved_env) / sizeof(reserved_env[0]);
	    i++)
		if (strlen(reserved_env[i]) == len &&
		    memcmp(reserved_env[i], name, len) == 0)
			return true;
	return false;
}

static bool
env_name_ok(struct parser *p, const char *kw, const char *name, size_t len)
{
	if (!valid_env_name(name, len)) {
		perr(p, "%s: '%.*s' is not a valid variable name", kw,
		    (int)len, name);
		return false;
	}
	if (reserved(name, len)) {
		perr(p, "%s: %.*s is set by cgibox itself", kw, (int)len, name);
		return false;
	}
	return true;
}

/* An absolute path in canonical form: no //, ., .. or trailing slash. */
static bool
abs_path_ok(struct parser *p, const char *kw, const char *v)
{
	if (v[0] != '/' || !path_is_canonical(v)) {
		perr(p, "%s: '%s' must be an absolute path without //, . or .. "
		    "components or a trailing slash", kw, v);
		return false;
	}
	return true;
}

/* A relative path in canonical form, such as public_html. */
static bool
rel_path_ok(const char *v)
{
	char	abs[PATH_MAX];

	if (v[0] == '/' || strlen(v) + 2 > sizeof(abs))
		return false;
	abs[0] = '/';
	memcpy(abs + 1, v, strlen(v) + 1);
	return strcmp(abs, "/") != 0 && path_is_canonical(abs);
}

static void
kw_safe_path(struct parser *p, const char *v)
{
	const char	*q = v;

	while (*q != '\0') {
		const char	*end = strchrnul(q, ':');

		if (*q != '/') {
			perr(p, "safe-path: every element must be an absolute "
			    "path (an empty one means the current directory)");
			return;
		}
		q = *end == ':' ? end + 1 : end;
		if (*end == ':' && *q == '\0') {
			perr(p, "safe-path: empty element at the end");
			return;
		}
	}
	p->s->safe_path = save(p, v, strlen(v));
	p->s->set |= SET_SAFE_PATH;
}

static void
kw_limit(struct parser *p, char *v)
{
	char			*val = strpbrk(v, " \t");
	unsigned long long	 n;

	if (val == NULL) {
		perr(p, "limit: expected a resource and a value");
		return;
	}
	*val++ = '\0';
	val += strspn(val, " \t");
	for (size_t i = 0; i < LIM_COUNT; i++) {
		if (strcmp(limit_table[i].name, v) != 0)
			continue;
		if (p->s->limit_set[i]) {
			perr(p, "limit %s: set twice", v);
			return;
		}
		if (!parse_size(val, limit_table[i].bytes, &n)) {
			perr(p, "limit %s: '%s' is not %s", v, val,
			    limit_table[i].bytes ?
			    "a size (N, NK, NM, NG, NT or unlimited)" :
			    "a number or unlimited");
			return;
		}
		p->s->limit_set[i] = true;
		p->s->limit[i] = (rlim_t)n;
		return;
	}
	perr(p, "limit: unknown resource '%s' (cpu, as, data, fsize, nofile, "
	    "nproc, stack, core, memlock)", v);
}

static void
kw_env_pass(struct parser *p, const char *v)
{
	if (!env_name_ok(p, "env-pass", v, strlen(v)))
		return;
	if (strcmp(v, "HTTP_PROXY") == 0) {
		perr(p, "env-pass: HTTP_PROXY carries the client's Proxy header "
		    "(httpoxy); set a proxy with env-set instead");
		return;
	}
	if (p->s->n_env_pass == CONF_MAX_ENV) {
		perr(p, "env-pass: more than %d in one scope", CONF_MAX_ENV);
		return;
	}
	p->s->env_pass[p->s->n_env_pass++] = save(p, v, strlen(v));
}

static void
kw_env_set(struct parser *p, const char *v)
{
	const char	*eq = strchr(v, '=');

	if (eq == NULL) {
		perr(p, "env-set: expected NAME=value");
		return;
	}
	if (!env_name_ok(p, "env-set", v, (size_t)(eq - v)))
		return;
	if (p->s->n_env_set == CONF_MAX_ENV) {
		perr(p, "env-set: more than %d in one scope", CONF_MAX_ENV);
		return;
	}
	p->s->env_set[p->s->n_env_set++] = save(p, v, strlen(v));
	p->c->has_env_set = true;
}

/*
 * An absolute canonical path, or ~ or ~/REL for the target's home:
 * landlock-read, landlock-write and hide.
 */
static void
kw_path(struct parser *p, const char *kw, const char *v)
{
	size_t		*n;
	const char	**list;
	bool		 ok;

	if (strcmp(kw, "hide") == 0) {
		n = &p->s->n_hide;
		list = p->s->hide;
	} else if (strcmp(kw, "landlock-write") == 0) {
		n = &p->s->n_ll_write;
		list = p->s->ll_write;
	} else {
		n = &p->s->n_ll_read;
		list = p->s->ll_read;
	}
	if (v[0] == '~')
		ok = v[1] == '\0' || (v[1] == '/' && rel_path_ok(v + 2));
	else
		ok = v[0] == '/' && path_is_canonical(v);
	if (!ok) {
		perr(p, "%s: '%s' must be an absolute path, ~ or ~/PATH, without "
		    "//, . or .. components or a trailing slash", kw, v);
		return;
	}
	if (strcmp(v, "/") == 0) {
		perr(p, "%s: / would %s", kw, list == p->s->hide ? "hide "
		    "everything" : "grant the whole filesystem (to turn "
		    "Landlock off, say landlock off)");
		return;
	}
	if (*n == CONF_MAX_PATHS) {
		perr(p, "%s: more than %d in one scope", kw, CONF_MAX_PATHS);
		return;
	}
	list[(*n)++] = save(p, v, strlen(v));
}

static void
kw_ll_port(struct parser *p, const char *kw, const char *v)
{
	bool		 bind = kw[9] == 'b';
	size_t		*n = bind ? &p->s->n_ll_bind : &p->s->n_ll_connect;
	uint16_t	*list = bind ? p->s->ll_bind : p->s->ll_connect;
	unsigned long	 port;

	if (!parse_ulong(v, 65535, &port) || port == 0) {
		perr(p, "%s: '%s' is not a TCP port from 1 to 65535", kw, v);
		return;
	}
	if (*n == CONF_MAX_PORTS) {
		perr(p, "%s: more than %d in one scope", kw, CONF_MAX_PORTS);
		return;
	}
	list[(*n)++] = (uint16_t)port;
}

static void
kw_match(struct parser *p, char *v)
{
	char		*name = strpbrk(v, " \t");
	struct match	*m;

	if (name == NULL) {
		perr(p, "match: expected 'user NAME' or 'group NAME'");
		return;
	}
	*name++ = '\0';
	name += strspn(name, " \t");
	if (strcmp(v, "user") != 0 && strcmp(v, "group") != 0) {
		perr(p, "match: expected user or group, not '%s'", v);
		return;
	}
	if (!valid_login_name(name)) {
		perr(p, "match %s: '%s' is not a valid name", v, name);
		return;
	}
	if (p->c->n_match == CONF_MAX_MATCH) {
		perr(p, "match: more than %d blocks", CONF_MAX_MATCH);
		return;
	}
	m = &p->c->match[p->c->n_match++];
	memset(m, 0, sizeof(*m));	/* conf_defaults() left it as it was */
	m->by_group = v[0] == 'g';
	m->name = save(p, name, strlen(name));
	m->line = p->line;
	p->s = &m->s;
	p->in_match = true;
	p->match_user = !m->by_group;
}

/* Keywords that decide who may run what: global, and at most once. */
enum { G_CALLER, G_MIN_UID, G_MIN_GID, G_USERDIR, G_LOG_FILE, G_SYSLOG,
	G_ERROR_PAGE, G_FCGI_SOCKET, G_FCGI_MAX, G_DOCROOT_OWNER };

static bool
global_once(struct parser *p, const char *kw, unsigned bit)
{
	if (p->in_match) {
		perr(p, "%s: not allowed in a match block", kw);
		return false;
	}
	if (bit != ~0U) {
		if (p->seen_global & (1U << bit)) {
			perr(p, "%s: set twice", kw);
			return false;
		}
		p->seen_global |= 1U << bit;
	}
	return true;
}

static bool
scoped_once(struct parser *p, const char *kw, unsigned bit)
{
	if (p->s->set & bit) {
		perr(p, "%s: set twice in this %s", kw,
		    p->in_match ? "match block" : "file");
		return false;
	}
	return true;
}

static void
kw_global(struct parser *p, const char *kw, const char *v)
{
	struct config	*c = p->c;
	unsigned long	 n;

	if (strcmp(kw, "caller") == 0) {
		if (!global_once(p, kw, G_CALLER))
			return;
		if (!valid_login_name(v))
			perr(p, "caller: '%s' is not a valid user name", v);
		else
			c->caller = save(p, v, strlen(v));
	} else if (strcmp(kw, "min-uid") == 0 || strcmp(kw, "min-gid") == 0) {
		bool uid = kw[4] == 'u';

		if (!global_once(p, kw, uid ? G_MIN_UID : G_MIN_GID))
			return;
		if (!parse_id(v, &n) || n == 0)
			perr(p, "%s: '%s' is not a number from 1 to 4294967294",
			    kw, v);
		else if (uid)
			c->min_uid = n;
		else
			c->min_gid = n;
	} else if (strcmp(kw, "docroot") == 0) {
		if (!global_once(p, kw, ~0U) || !abs_path_ok(p, kw, v))
			return;
		if (c->n_docroot == CONF_MAX_DOCROOTS)
			perr(p, "docroot: more than %d", CONF_MAX_DOCROOTS);
		else
			c->docroot[c->n_docroot++] = save(p, v, strlen(v));
	} else if (strcmp(kw, "userdir") == 0) {
		if (!global_once(p, kw, G_USERDIR))
			return;
		if (strcmp(v, "none") == 0)
			c->userdir = NULL;
		else if (!rel_path_ok(v))
			perr(p, "userdir: '%s' must be a relative path below "
			    "the home directory without //, . or .. "
			    "components, or none", v);
		else
			c->userdir = save(p, v, strlen(v));
	} else if (strcmp(kw, "log-file") == 0) {
		if (!global_once(p, kw, G_LOG_FILE))
			return;
		if (strcmp(v, "none") == 0)
			c->log_file = NULL;
		else if (abs_path_ok(p, kw, v))
			c->log_file = save(p, v, strlen(v));
	} else if (strcmp(kw, "syslog") == 0) {
		if (!global_once(p, kw, G_SYSLOG))
			return;
		c->syslog_facility = -1;
		if (strcmp(v, "none") == 0)
			return;
		for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]);
		    i++)
			if (strcmp(facilities[i].name, v) == 0) {
				c->syslog_facility = facilities[i].value;
				return;
			}
		perr(p, "syslog: unknown facility '%s'", v);
	} else if (strcmp(kw, "error-page") == 0) {
		if (global_once(p, kw, G_ERROR_PAGE))
			(void)parse_bool(p, kw, v, &c->error_page);
	} else if (strcmp(kw, "fcgi-socket") == 0) {
		if (global_once(p, kw, G_FCGI_SOCKET) && abs_path_ok(p, kw, v))
			c->fcgi_socket = save(p, v, strlen(v));
	} else if (strcmp(kw, "docroot-owner") == 0) {
		if (!global_once(p, kw, G_DOCROOT_OWNER))
			return;
		if (strcmp(v, "root") == 0 || strcmp(v, "user") == 0)
			c->docroot_root_only = strcmp(v, "root") == 0;
		else
			perr(p, "%s: '%s' is neither root nor user", kw, v);
	} else if (strcmp(kw, "fcgi-max-connections") == 0) {
		if (!global_once(p, kw, G_FCGI_MAX))
			return;
		if (!parse_ulong(v, 4096, &n) || n == 0)
			perr(p, "%s: '%s' is not a number from 1 to 4096", kw, v);
		else
			c->fcgi_max_connections = (unsigned)n;
	}
}

static void
kw_scoped(struct parser *p, const char *kw, char *v)
{
	struct settings	*s = p->s;
	unsigned long	 n;

	if (strcmp(kw, "safe-path") == 0) {
		if (scoped_once(p, kw, SET_SAFE_PATH))
			kw_safe_path(p, v);
	} else if (strcmp(kw, "umask") == 0) {
		if (!scoped_once(p, kw, SET_UMASK))
			return;
		if (strspn(v, "01234567") != strlen(v) || strlen(v) > 4) {
			perr(p, "umask: '%s' is not an octal mode such as 022", v);
			return;
		}
		n = 0;
		for (const char *q = v; *q != '\0'; q++)
			n = n * 8 + (unsigned long)(*q - '0');
		if (n > 0777) {
			perr(p, "umask: '%s' is more than 0777", v);
			return;
		}
		s->umask = (mode_t)n;
		s->set |= SET_UMASK;
	} else if (strcmp(kw, "log-exec") == 0) {
		if (scoped_once(p, kw, SET_LOG_EXEC) &&
		    parse_bool(p, kw, v, &s->log_exec))
			s->set |= SET_LOG_EXEC;
	} else if (strcmp(kw, "supplementary-groups") == 0) {
		if (scoped_once(p, kw, SET_SUPP) &&
		    parse_bool(p, kw, v, &s->supp_groups))
			s->set |= SET_SUPP;
	} else if (strcmp(kw, "nice") == 0) {
		if (!scoped_once(p, kw, SET_NICE))
			return;
		if (!parse_ulong(v, 19, &n)) {
			perr(p, "nice: '%s' is not a number from 0 to 19", v);
			return;
		}
		s->nice = (int)n;
		s->set |= SET_NICE;
	} else if (strcmp(kw, "policy") == 0) {
		if (!scoped_once(p, kw, SET_POLICY))
			return;
		if (strcmp(v, "none") == 0)
			s->policy = NULL;
		else if (!valid_policy_name(v)) {
			perr(p, "policy: '%s' is not a policy name ([a-z0-9_-]+) "
			    "or none", v);
			return;
		} else
			s->policy = save(p, v, strlen(v));
		s->set |= SET_POLICY;
	} else if (strcmp(kw, "landlock") == 0) {
		if (!scoped_once(p, kw, SET_LANDLOCK))
			return;
		if (strcmp(v, "required") == 0)
			s->landlock = LL_REQUIRED;
		else if (strcmp(v, "best-effort") == 0)
			s->landlock = LL_BEST_EFFORT;
		else if (strcmp(v, "off") == 0)
			s->landlock = LL_OFF;
		else {
			perr(p, "landlock: expected required, best-effort or off");
			return;
		}
		s->set |= SET_LANDLOCK;
	} else if (strcmp(kw, "private-tmp") == 0) {
		if (scoped_once(p, kw, SET_PRIVATE_TMP) &&
		    parse_bool(p, kw, v, &s->private_tmp))
			s->set |= SET_PRIVATE_TMP;
	} else if (strcmp(kw, "network") == 0) {
		if (scoped_once(p, kw, SET_NETWORK) &&
		    parse_bool(p, kw, v, &s->network))
			s->set |= SET_NETWORK;
	} else if (strcmp(kw, "timeout") == 0 ||
	    strcmp(kw, "max-requests") == 0) {
		bool		 to = kw[0] == 't';
		unsigned	 bit = to ? SET_TIMEOUT : SET_MAX_REQUESTS;

		if (!scoped_once(p, kw, bit))
			return;
		if (!parse_ulong(v, to ? 86400 : 10000, &n)) {
			perr(p, "%s: '%s' is not a number from 0 to %d", kw, v,
			    to ? 86400 : 10000);
			return;
		}
		if (to)
			s->timeout = (unsigned)n;
		else
			s->max_requests = (unsigned)n;
		s->set |= bit;
	} else if (strcmp(kw, "learn") == 0) {
		/* Never for a user the file does not name. */
		if (!p->match_user) {
			perr(p, "learn: only in a match user block");
			return;
		}
		if (!scoped_once(p, kw, SET_LEARN))
			return;
		if (strcmp(v, "no") == 0)
			s->learn = LEARN_NO;
		else if (strcmp(v, "yes") == 0)
			s->learn = LEARN_YES;
		else if (strcmp(v, "check") == 0)
			s->learn = LEARN_CHECK;
		else if (strcmp(v, "scratch") == 0)
			s->learn = LEARN_SCRATCH;
		else {
			perr(p, "learn: expected no, yes, check or scratch");
			return;
		}
		s->set |= SET_LEARN;
	} else if (strcmp(kw, "landlock-read") == 0 ||
	    strcmp(kw, "landlock-write") == 0 || strcmp(kw, "hide") == 0)
		kw_path(p, kw, v);
	else if (strcmp(kw, "landlock-bind") == 0 ||
	    strcmp(kw, "landlock-connect") == 0)
		kw_ll_port(p, kw, v);
	else if (strcmp(kw, "limit") == 0)
		kw_limit(p, v);
	else if (strcmp(kw, "env-pass") == 0)
		kw_env_pass(p, v);
	else if (strcmp(kw, "env-set") == 0)
		kw_env_set(p, v);
}

static const char *const global_kw[] = {
	"caller", "min-uid", "min-gid", "docroot", "userdir", "log-file",
	"syslog", "error-page", "fcgi-socket", "fcgi-max-connections",
	"docroot-owner",
};
static const char *const scoped_kw[] = {
	"safe-path", "umask", "log-exec", "supplementary-groups", "nice",
	"limit", "env-pass", "env-set", "policy", "landlock", "landlock-read",
	"landlock-write", "landlock-bind", "landlock-connect", "private-tmp",
	"network", "timeout", "max-requests", "hide", "learn",
};

static bool
listed(const char *const *list, size_t n, const char *kw)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], kw) == 0)
			return true;
	return false;
}

static void
parse_line(struct parser *p, char *line)
{
	char	*kw, *v, *end;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return;
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	kw = line;
	v = kw + strcspn(kw, " \t");
	if (*v != '\0') {
		*v++ = '\0';
		v += strspn(v, " \t");
	}
	if (strcmp(kw, "match") == 0) {
		kw_match(p, v);
		return;
	}
	if (!listed(global_kw, sizeof(global_kw) / sizeof(global_kw[0]), kw) &&
	    !listed(scoped_kw, sizeof(scoped_kw) / sizeof(scoped_kw[0]), kw)) {
		perr(p, "unknown keyword '%s'", kw);
		return;
	}
	if (*v == '\0') {
		perr(p, "%s: needs a value", kw);
		return;
	}
	if (listed(global_kw, sizeof(global_kw) / sizeof(global_kw[0]), kw))
		kw_global(p, kw, v);
	else
		kw_scoped(p, kw, v);
}

static void
conf_line(void *ctx, unsigned n, char *line, const char *why)
{
	struct parser	*p = ctx;

	p->line = n;
	if (line == NULL)
		perr(p, "%s", why);
	else
		parse_line(p, line);
}

/*
 * Parse text (len bytes, not NUL-terminated) into c, which holds the
 * defaults.  Returns the number of errors; each was passed to err.
 */
unsigned
conf_parse(struct config *c, const char *text, size_t len,
    conf_error_fn err, void *ctx)
{
	struct parser	p = { .c = c, .s = &c->global, .err = err,
	    .ctx = ctx };

	text_lines(text, len, conf_line, &p);
	if (c->log_file == NULL && c->syslog_facility < 0) {
		p.line = 0;
		perr(&p, "log-file and syslog are both none: "
		    "refusals would not be logged");
	}
	return p.errors;
}

static void
overlay(struct settings *dst, const struct settings *src)
{
	if (src->set & SET_SAFE_PATH)
		dst->safe_path = src->safe_path;
	if (src->set & SET_UMASK)
		dst->umask = src->umask;
	if (src->set & SET_LOG_EXEC)
		dst->log_exec = src->log_exec;
	if (src->set & SET_SUPP)
		dst->supp_groups = src->supp_groups;
	if (src->set & SET_NICE)
		dst->nice = src->nice;
	if (src->set & SET_POLICY)
		dst->policy = src->policy;
	if (src->set & SET_LANDLOCK)
		dst->landlock = src->landlock;
	if (src->set & SET_PRIVATE_TMP)
		dst->private_tmp = src->private_tmp;
	if (src->set & SET_NETWORK)
		dst->network = src->network;
	if (src->set & SET_TIMEOUT)
		dst->timeout = src->timeout;
	if (src->set & SET_MAX_REQUESTS)
		dst->max_requests = src->max_requests;
	if (src->set & SET_LEARN)
		dst->learn = src->learn;
	for (size_t i = 0; i < LIM_COUNT; i++)
		if (src->limit_set[i]) {
			dst->limit_set[i] = true;
			dst->limit[i] = src->limit[i];
		}
}

/*
 * The settings for a target: the global ones, then every matching block in
 * file order, so the last matching block wins.  env-pass and env-set add
 * up over the scopes; env_build() walks e->scope for them.
 */
void
conf_effective(const struct config *c, const char *user, const char *group,
    struct effective *e)
{
	memset(e, 0, sizeof(*e));
	e->s = c->global;
	e->scope[e->n_scope++] = &c->global;
	for (size_t i = 0; i < c->n_match; i++) {
		const struct match *m = &c->match[i];

		if (strcmp(m->name, m->by_group ? group : user) != 0)
			continue;
		overlay(&e->s, &m->s);
		e->scope[e->n_scope++] = &m->s;
	}
}
