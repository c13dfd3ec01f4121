/*
 * cgibox: the setuid-root CGI launcher.  main is the pipeline of
 * DESIGN.md section 3; each stage is one call, and every failure leaves
 * through reject(), which logs, writes the error page and exits with the
 * reason's code.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

#ifndef CGIBOX_CONFIG
#error "CGIBOX_CONFIG must name the configuration file (set by the Makefile)"
#endif

static char		first_error[256];

static void
conf_error(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	(void)fprintf(stderr, "%s:%u: %s\n", CGIBOX_CONFIG, line, msg);
	if (first_error[0] == '\0')
		(void)snprintf(first_error, sizeof(first_error), "line %u: %s",
		    line, msg);
}

static void
policy_error(void *ctx, const char *path, unsigned line, const char *msg)
{
	(void)ctx;
	(void)fprintf(stderr, "%s:%u: %s\n", path, line, msg);
	if (first_error[0] == '\0')
		(void)snprintf(first_error, sizeof(first_error), "%s:%u: %s",
		    path, line, msg);
}

int
main(int argc, char *argv[])
{
	static struct config	cfg;
	static struct decision	d;
	static struct envbuf	env;
	static struct bpf	filter;
	struct landlock_plan	plan;
	int			slot = -1;
	bool			supervised;
	char			ll_note[96];
	struct request		rq;
	struct inherited	inh;
	struct fault		f, bad_request;
	char			**incoming, cwd[PATH_MAX], caller[64];
	uid_t			ruid = getuid();
	enum reason		parsed;

	/* Hygiene before anything can open a file or read the environment. */
	startup(&incoming, &inh);
	audit_init(incoming);

	/* Root-owned configuration, or nothing runs. */
	conf_defaults(&cfg, CGIBOX_LOG_DEFAULT);
	if (conf_load(&cfg, CGIBOX_CONFIG, true, &f, conf_error, NULL)) {
		if (first_error[0] != '\0')
			(void)snprintf(f.detail, sizeof(f.detail), "%s: %s",
			    CGIBOX_CONFIG, first_error);
		reject_fault(&f);
	}
	/* Opened as root, before the drop; close-on-exec. */
	if (audit_open(&cfg, &f))
		reject_fault(&f);

	/* Only the caller may ask; root may also read the settings. */
	/* CGIBOX_SCRIPT counts only when there is no argument at all. */
	parsed = request_parse(argc, argv, argc == 1 ?
	    env_get(incoming, SCRIPT_PARAM) : NULL, &rq, &bad_request);
	if (!(rq.mode == MODE_SETTINGS && ruid == 0) &&
	    caller_check(&cfg, ruid, caller, sizeof(caller), &f))
		reject_fault(&f);
	audit_set("caller", ruid == 0 ? "root" : caller);
	audit_set("user", rq.user);
	audit_set("group", rq.group);
	audit_set("cmd", rq.cmd);
	if (parsed != R_ALLOW)
		reject_fault(&bad_request);
	if (rq.mode == MODE_SETTINGS) {
		settings_print_suexec(stderr, &cfg, CGIBOX_CONFIG);
		return 0;
	}

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		reject(R_FILE_MISSING, "working directory: %m");
	audit_set("cwd", cwd);
	if (decide(&cfg, &rq, cwd, &d, &f) != R_ALLOW) {
		if (d.path[0] != '\0')
			audit_set("script", d.path);
		reject_fault(&f);
	}
	audit_set("user", d.t.user);
	audit_set("group", d.t.group);
	audit_set("script", d.path);
	audit_set("policy", d.e.s.policy != NULL ? d.e.s.policy : "none");

	/* Built while the decision's data is at hand; no allocation after. */
	if (env_build(&(struct env_in){ incoming, &d.e, d.t.user, d.t.home,
	    d.path }, &env, &f))
		reject_fault(&f);
	/* Root-only cache: compiled once per edit, not once per request. */
	if (d.e.s.policy != NULL && policy_prepare(CGIBOX_POLICY_DIR,
	    CGIBOX_CACHE_DIR, d.e.s.policy, &filter, &f, policy_error, NULL)) {
		if (first_error[0] != '\0')
			(void)snprintf(f.detail, sizeof(f.detail), "%s",
			    first_error);
		reject_fault(&f);
	}
	/* What Landlock can do here; required and unavailable refuses. */
	if (landlock_plan(d.e.s.landlock, d.e.s.landlock == LL_OFF ? 0 :
	    landlock_kernel_abi(), &plan)) {
		audit_set("landlock", "unavailable");
		reject(R_LANDLOCK, "the kernel offers no Landlock");
	}
	audit_set("landlock", landlock_note(d.e.s.landlock, &plan, ll_note,
	    sizeof(ll_note)));
	/* A slot first, so a busy request is refused, not logged as run. */
	if (d.e.s.max_requests > 0 && (slot = slot_take(CGIBOX_RUN_DIR,
	    d.t.uid, d.e.s.max_requests, &f)) < 0)
		reject_fault(&f);
	if (d.e.s.log_exec && audit_exec(&f))
		reject_fault(&f);
	/* Only with a timeout or a cap: the parent stays as the supervisor. */
	supervised = d.e.s.timeout > 0 || d.e.s.max_requests > 0;
	if (supervised && supervisor_fork(&d.t, d.e.s.timeout, slot, &f) < 0)
		reject_fault(&f);

	/*
	 * Namespaces while root (they need it); then the drop; then the
	 * limits, which can only lower what the web server gave; then
	 * Landlock (which needs no_new_privs, set by the drop).
	 */
	if (confine_namespaces(&(struct ns_in){ &d.e, &d.t, CGIBOX_CONF_DIR,
	    cfg.has_env_set, supervised }, &f) ||
	    confine_drop(&d.t, d.t.uid, &f) || (supervised &&
	    supervised_child(&f)) || confine_limits(&d.e, &inh, &f) ||
	    landlock_apply(&plan, &d.e, &d.t, &d.w, &f))
		reject_fault(&f);
	(void)execute(&d.w, &rq, env.vec, d.e.s.umask, &filter, supervised, &f);
	reject_fault(&f);
}
