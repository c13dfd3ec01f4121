/*
 * What cgibox -V and cgibox-check explain print.
 */
#include <stdio.h>
#include <string.h>

#include "cgibox.h"

/*
 * The settings in Apache suexec's -V format (on stderr, one " -D" line
 * each), so tools that parse suexec -V keep working, then cgibox's own.
 */
void
settings_print_suexec(FILE *fp, const struct config *c, const char *path)
{
	for (size_t i = 0; i < c->n_docroot; i++)
		(void)fprintf(fp, " -D AP_DOC_ROOT=\"%s\"\n", c->docroot[i]);
	(void)fprintf(fp, " -D AP_GID_MIN=%lu\n", c->min_gid);
	(void)fprintf(fp, " -D AP_HTTPD_USER=\"%s\"\n", c->caller);
	if (c->log_file != NULL)
		(void)fprintf(fp, " -D AP_LOG_EXEC=\"%s\"\n", c->log_file);
	if (c->syslog_facility >= 0)
		(void)fprintf(fp, " -D AP_LOG_SYSLOG\n");
	(void)fprintf(fp, " -D AP_SAFE_PATH=\"%s\"\n", c->global.safe_path);
	(void)fprintf(fp, " -D AP_SUEXEC_UMASK=%03o\n",
	    (unsigned)c->global.umask);
	(void)fprintf(fp, " -D AP_UID_MIN=%lu\n", c->min_uid);
	if (c->userdir != NULL)
		(void)fprintf(fp, " -D AP_USERDIR_SUFFIX=\"%s\"\n", c->userdir);
	(void)fprintf(fp, " -D CGIBOX_CONFIG=\"%s\"\n", path);
	(void)fprintf(fp, " -D CGIBOX_ERROR_PAGE=%s\n",
	    c->error_page ? "yes" : "no");
	if (c->syslog_facility >= 0)
		(void)fprintf(fp, " -D CGIBOX_SYSLOG=\"%s\"\n",
		    facility_name(c->syslog_facility));
	(void)fprintf(fp, " -D CGIBOX_VERSION=\"%s\"\n", CGIBOX_VERSION);
}

static void
print_limit(FILE *fp, const struct effective *e, size_t i)
{
	if (!e->s.limit_set[i])
		(void)fprintf(fp, "limit %s inherited\n", limit_table[i].name);
	else if (e->s.limit[i] == RLIM_INFINITY)
		(void)fprintf(fp, "limit %s unlimited\n", limit_table[i].name);
	else
		(void)fprintf(fp, "limit %s %llu\n", limit_table[i].name,
		    (unsigned long long)e->s.limit[i]);
}

/* Everything that would apply to an allowed request, one fact a line. */
void
settings_print_decision(FILE *fp, const struct config *c,
    const struct decision *d)
{
	const struct effective	*e = &d->e;

	(void)fprintf(fp, "user %s %lu\n", d->t.user, (unsigned long)d->t.uid);
	(void)fprintf(fp, "group %s %lu\n", d->t.group,
	    (unsigned long)d->t.gid);
	(void)fprintf(fp, "script %s\n", d->path);
	(void)fprintf(fp, "root %s\n", d->w.root);
	(void)fprintf(fp, "cwd %.*s\n", (int)(d->w.name - d->w.path - 1) > 0 ?
	    (int)(d->w.name - d->w.path - 1) : 1, d->w.path);
	(void)fprintf(fp, "supplementary-groups");
	if (d->t.ngroups == 0)
		(void)fprintf(fp, " none");
	for (int i = 0; i < d->t.ngroups; i++)
		(void)fprintf(fp, " %lu", (unsigned long)d->t.groups[i]);
	(void)fprintf(fp, "\numask %03o\n", (unsigned)e->s.umask);
	if (e->s.set & SET_NICE)
		(void)fprintf(fp, "nice %d\n", e->s.nice);
	else
		(void)fprintf(fp, "nice inherited\n");
	for (size_t i = 0; i < LIM_COUNT; i++)
		print_limit(fp, e, i);
	(void)fprintf(fp, "policy %s\n", e->s.policy != NULL ? e->s.policy :
	    "none");
	(void)fprintf(fp, "private-tmp %s\n", e->s.private_tmp ? "yes" : "no");
	(void)fprintf(fp, "network %s\n", e->s.network ? "yes" : "no");
	(void)fprintf(fp, "timeout %u\n", e->s.timeout);
	(void)fprintf(fp, "max-requests %u\n", e->s.max_requests);
	(void)fprintf(fp, "learn %s\n", learn_mode_name(e->s.learn));
	for (size_t s = 0; s < e->n_scope; s++) {
		const struct settings *sc = e->scope[s];

		for (size_t i = 0; i < sc->n_ll_read; i++)
			(void)fprintf(fp, "landlock-read %s\n", sc->ll_read[i]);
		for (size_t i = 0; i < sc->n_ll_write; i++)
			(void)fprintf(fp, "landlock-write %s\n", sc->ll_write[i]);
		for (size_t i = 0; i < sc->n_ll_bind; i++)
			(void)fprintf(fp, "landlock-bind %u\n", sc->ll_bind[i]);
		for (size_t i = 0; i < sc->n_ll_connect; i++)
			(void)fprintf(fp, "landlock-connect %u\n",
			    sc->ll_connect[i]);
	}
	(void)fprintf(fp, "log-exec %s\n", e->s.log_exec ? "yes" : "no");
	(void)fprintf(fp, "error-page %s\n", c->error_page ? "yes" : "no");
	(void)fprintf(fp, "docroot-owner %s\n", c->docroot_root_only ? "root" :
	    "user");
	(void)fprintf(fp, "env PATH=%s\n", e->s.safe_path);
	(void)fprintf(fp, "env HOME=%s\n", d->t.home);
	(void)fprintf(fp, "env USER=%s\n", d->t.user);
	(void)fprintf(fp, "env LOGNAME=%s\n", d->t.user);
	(void)fprintf(fp, "env SCRIPT_FILENAME=%s\n", d->path);
	for (size_t s = 0; s < e->n_scope; s++) {
		for (size_t i = 0; i < e->scope[s]->n_env_pass; i++)
			(void)fprintf(fp, "env-pass %s\n",
			    e->scope[s]->env_pass[i]);
		for (size_t i = 0; i < e->scope[s]->n_env_set; i++)
			(void)fprintf(fp, "env-set %s\n",
			    e->scope[s]->env_set[i]);
	}
	(void)fprintf(fp, "env-whitelist CGI/1.1 and Apache variables, "
	    "HTTP_* except HTTP_PROXY, SSL_*\n");
}
