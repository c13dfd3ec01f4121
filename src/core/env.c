/*
 * The script's environment, built from nothing.  Pure: no system calls, no
 * allocation.
 *
 * MUST rules:
 * - Nothing passes unless its name is in the whitelist below, starts with
 *   HTTP_ (but is not HTTP_PROXY: httpoxy) or SSL_, or is named by
 *   env-pass.
 * - A name is [A-Za-z_][A-Za-z0-9_]*; an entry with another name, or with
 *   no =, is dropped.  A value starting with "() {" is dropped
 *   (Shellshock).  The first of duplicate names wins.
 * - PATH, HOME, USER, LOGNAME and SCRIPT_FILENAME are cgibox's own; what
 *   the caller sent for them is ignored.  env-set values override incoming
 *   ones; in later scopes they override earlier ones.
 * - Exceeding ENV_MAX_VARS or ENV_MAX_BYTES refuses the request
 *   (env-too-large); nothing is truncated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

/* CGI/1.1 (RFC 3875) and the Apache extras suexec passes.  Sorted. */
static const char *const whitelist[] = {
	"AUTH_TYPE",
	"CONTENT_LENGTH",
	"CONTENT_TYPE",
	"CONTEXT_DOCUMENT_ROOT",
	"CONTEXT_PREFIX",
	"DATE_GMT",
	"DATE_LOCAL",
	"DOCUMENT_ARGS",
	"DOCUMENT_NAME",
	"DOCUMENT_PATH_INFO",
	"DOCUMENT_ROOT",
	"DOCUMENT_URI",
	"GATEWAY_INTERFACE",
	"HTTPS",
	"LAST_MODIFIED",
	"PATH_INFO",
	"PATH_TRANSLATED",
	"QUERY_STRING",
	"QUERY_STRING_UNESCAPED",
	"REDIRECT_ERROR_NOTES",
	"REDIRECT_HANDLER",
	"REDIRECT_QUERY_STRING",
	"REDIRECT_REMOTE_USER",
	"REDIRECT_SCRIPT_FILENAME",
	"REDIRECT_STATUS",
	"REDIRECT_URL",
	"REMOTE_ADDR",
	"REMOTE_HOST",
	"REMOTE_IDENT",
	"REMOTE_PORT",
	"REMOTE_USER",
	"REQUEST_METHOD",
	"REQUEST_SCHEME",
	"REQUEST_URI",
	"SCRIPT_NAME",
	"SCRIPT_URI",
	"SCRIPT_URL",
	"SERVER_ADDR",
	"SERVER_ADMIN",
	"SERVER_NAME",
	"SERVER_PORT",
	"SERVER_PROTOCOL",
	"SERVER_SIGNATURE",
	"SERVER_SOFTWARE",
	"TZ",
	"UNIQUE_ID",
	"USER_NAME",
};

struct key {
	const char	*name;
	size_t		 len;
};

static int
cmp_key(const void *k, const void *elem)
{
	const struct key	*key = k;
	const char		*name = *(const char *const *)elem;
	int			 r = strncmp(key->name, name, key->len);

	if (r != 0)
		return r;
	return name[key->len] == '\0' ? 0 : -1;
}

bool
env_whitelisted(const char *name, size_t len)
{
	struct key	k = { name, len };

	if (len > 5 && strncmp(name, "HTTP_", 5) == 0)
		return !(len == 10 && strncmp(name, "HTTP_PROXY", 10) == 0);
	if (len > 4 && strncmp(name, "SSL_", 4) == 0)
		return true;
	return bsearch(&k, whitelist, sizeof(whitelist) / sizeof(whitelist[0]),
	    sizeof(whitelist[0]), cmp_key) != NULL;
}

/* The value of name in env, or NULL. */
char *
env_get(char *const *env, const char *name)
{
	size_t	len = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

static ssize_t
find(const struct envbuf *eb, const char *name, size_t len)
{
	for (size_t i = 0; i < eb->n; i++)
		if (strncmp(eb->vec[i], name, len) == 0 &&
		    eb->vec[i][len] == '=')
			return (ssize_t)i;
	return -1;
}

/*
 * Put name=value (value NULL: entry is already "name=value" in name).
 * With replace, an existing entry of that name is overwritten; without,
 * it is kept and this one dropped.  False when a cap is reached.
 */
static bool
put(struct envbuf *eb, const char *name, size_t len, const char *value,
    bool replace)
{
	ssize_t	 at = find(eb, name, len);
	size_t	 need;
	char	*dst;

	if (at >= 0 && !replace)
		return true;
	need = value != NULL ? len + 1 + strlen(value) + 1 : strlen(name) + 1;
	if (need > sizeof(eb->buf) - eb->used)
		return false;
	dst = eb->buf + eb->used;
	if (value != NULL)
		(void)snprintf(dst, need, "%.*s=%s", (int)len, name, value);
	else
		memcpy(dst, name, need);
	eb->used += need;
	if (at >= 0) {
		eb->vec[at] = dst;
		return true;
	}
	if (eb->n == ENV_MAX_VARS)
		return false;
	eb->vec[eb->n++] = dst;
	eb->vec[eb->n] = NULL;
	return true;
}

static bool
passed(const struct effective *e, const char *name, size_t len)
{
	if (env_whitelisted(name, len))
		return true;
	for (size_t s = 0; s < e->n_scope; s++)
		for (size_t i = 0; i < e->scope[s]->n_env_pass; i++) {
			const char *p = e->scope[s]->env_pass[i];

			if (strlen(p) == len && memcmp(p, name, len) == 0)
				return true;
		}
	return false;
}

static bool
owned_by_cgibox(const char *name, size_t len)
{
	static const char *const own[] = {
		"HOME", "LOGNAME", "PATH", "SCRIPT_FILENAME", "USER",
	};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i]) == len && memcmp(own[i], name, len) == 0)
			return true;
	return false;
}

enum reason
env_build(const struct env_in *in, struct envbuf *eb, struct fault *f)
{
	const struct effective	*e = in->e;
	bool			 ok;

	eb->n = 0;
	eb->used = 0;
	eb->vec[0] = NULL;
	ok = put(eb, "PATH", 4, e->s.safe_path, true);
	for (char *const *v = in->incoming; ok && v != NULL && *v != NULL;
	    v++) {
		const char	*eq = strchr(*v, '=');
		size_t		 len;

		if (eq == NULL)
			continue;
		len = (size_t)(eq - *v);
		if (!valid_env_name(*v, len) || owned_by_cgibox(*v, len) ||
		    !passed(e, *v, len) || strncmp(eq + 1, "() {", 4) == 0)
			continue;
		ok = put(eb, *v, len, NULL, false);
	}
	for (size_t s = 0; ok && s < e->n_scope; s++)
		for (size_t i = 0; ok && i < e->scope[s]->n_env_set; i++) {
			const char *kv = e->scope[s]->env_set[i];

			ok = put(eb, kv, strcspn(kv, "="), NULL, true);
		}
	ok = ok && put(eb, "HOME", 4, in->home, true) &&
	    put(eb, "USER", 4, in->user, true) &&
	    put(eb, "LOGNAME", 7, in->user, true) &&
	    put(eb, "SCRIPT_FILENAME", 15, in->script, true);
	if (!ok)
		return fault(f, R_ENV_TOO_LARGE, "environment exceeds %d "
		    "variables or %d bytes", ENV_MAX_VARS, ENV_MAX_BYTES);
	return R_ALLOW;
}
