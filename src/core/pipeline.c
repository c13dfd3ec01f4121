/*
 * One request from the decision to the exec: the stages that both front
 * ends, the setuid launcher and cgiboxd, call in the same order, so that a
 * request is judged and confined the same way whichever way it came.
 *
 * MUST rules:
 * - job_prepare() runs as root: decision, environment, filter, Landlock's
 *   plan, concurrency slot, exec line, in that order; a refusal at any
 *   point leaves nothing behind but the held slot, which its caller frees
 *   by exiting or closing it.
 * - job_run() is the end of the pipeline, in the process that becomes the
 *   script (or, under a supervisor, the namespace's init): namespaces
 *   while root (they need it); then the drop; then the check that the
 *   supervisor still lives; then the limits, which can only lower what
 *   the caller gave; then Landlock (which needs no_new_privs, set by the
 *   drop); seccomp last, in execute().  Any failure leaves through
 *   reject_fault(); nothing runs after a partial privilege change.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

static char	first_error[256];

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

/*
 * The root-owned configuration at the compiled-in path, or a fault; then
 * cfg holds the defaults alone, so that the refusal can still be logged
 * to the compiled-in log file.
 */
enum reason
job_config(struct config *cfg, struct fault *f)
{
	first_error[0] = '\0';
	conf_defaults(cfg, CGIBOX_LOG_DEFAULT);
	if (conf_load(cfg, CGIBOX_CONFIG, true, f, conf_error, NULL)) {
		if (first_error[0] != '\0')
			(void)snprintf(f->detail, sizeof(f->detail), "%s: %s",
			    CGIBOX_CONFIG, first_error);
		conf_defaults(cfg, CGIBOX_LOG_DEFAULT);
		return f->reason;
	}
	return R_ALLOW;
}

/*
 * Everything up to the fork or the exec, as root.  j->cfg, j->rq, j->cwd,
 * j->incoming and j->user_cap are set by the front end.
 */
enum reason
job_prepare(struct job *j, struct fault *f)
{
	struct decision	*d = &j->d;
	unsigned	 cap;
	enum learn_mode	 learn;

	j->slot = -1;
	j->learn.mode = LEARN_NO;
	j->learn.store = -1;
	if (decide(j->cfg, &j->rq, j->cwd, d, f) != R_ALLOW) {
		if (d->path[0] != '\0')
			audit_set("script", d->path);
		return f->reason;
	}
	audit_set("user", d->t.user);
	audit_set("group", d->t.group);
	audit_set("script", d->path);
	audit_set("policy", d->e.s.policy != NULL ? d->e.s.policy : "none");

	/* Built while the decision's data is at hand; no allocation after. */
	if (env_build(&(struct env_in){ j->incoming, &d->e, d->t.user,
	    d->t.home, d->path }, &j->env, f))
		return f->reason;
	/*
	 * Root-only cache: compiled once per edit, not once per request.
	 * Learning (a match user block said so, and there is a policy), the
	 * policy's recording variant (learn scratch: with its allows
	 * reported too).
	 */
	learn = d->e.s.policy != NULL ? d->e.s.learn : LEARN_NO;
	first_error[0] = '\0';
	memset(&j->filter, 0, offsetof(struct bpf, insns));
	if (d->e.s.policy != NULL && policy_prepare(CGIBOX_POLICY_DIR,
	    CGIBOX_CACHE_DIR, d->e.s.policy, learn, &j->filter, f,
	    policy_error, NULL)) {
		if (first_error[0] != '\0')
			(void)snprintf(f->detail, sizeof(f->detail), "%s%s",
			    learn != LEARN_NO ? "cannot be learned on, in its "
			    "recording variant: " : "", first_error);
		return f->reason;
	}
	/* What Landlock can do here; required and unavailable refuses. */
	if (landlock_plan(d->e.s.landlock, d->e.s.landlock == LL_OFF ? 0 :
	    landlock_kernel_abi(), &j->plan)) {
		audit_set("landlock", "unavailable");
		return fault(f, R_LANDLOCK, "the kernel offers no Landlock");
	}
	audit_set("landlock", landlock_note(d->e.s.landlock, &j->plan,
	    j->ll_note, sizeof(j->ll_note)));
	if (learn != LEARN_NO) {
		if (learn_store_open(CGIBOX_LEARN_DIR, d->t.uid,
		    &j->learn.store, f))
			return f->reason;
		j->learn.mode = learn;
		j->learn.policy = d->e.s.policy;
		j->learn.script = d->path;
		j->learn.e = &d->e;
		j->learn.inh = &j->inh;
		audit_set("learn", learn_mode_name(learn));
	}
	/* A slot first, so a busy request is refused, not logged as run. */
	cap = d->e.s.max_requests > 0 ? d->e.s.max_requests : j->user_cap;
	if (cap > 0 && (j->slot = slot_take(CGIBOX_RUN_DIR, d->t.uid, cap,
	    f)) < 0)
		return f->reason;
	if (d->e.s.log_exec && audit_exec(f))
		return f->reason;
	j->supervised = j->always_supervised || d->e.s.timeout > 0 ||
	    d->e.s.max_requests > 0 || learn != LEARN_NO;
	return R_ALLOW;
}

/*
 * What job_prepare() holds, given back: the concurrency slot and the
 * script's descriptors.  A process that serves many requests (cgiboxd's
 * monitor) calls it after each one; it may be called again.
 */
void
job_end(struct job *j)
{
	if (j->slot >= 0)
		(void)close(j->slot);
	j->slot = -1;
	path_close(&j->d.w);
	if (j->learn.store >= 0)
		(void)close(j->learn.store);
	j->learn.store = -1;
}

/*
 * After the fork, in the process that stays (supervisor, monitor): what
 * only the init needs goes, so that no process the web server may signal
 * or that parses a peer's bytes holds the learn store.
 */
void
job_forked(struct job *j)
{
	if (j->learn.store >= 0)
		(void)close(j->learn.store);
	j->learn.store = -1;
}

/* The rest of the pipeline, in the process that becomes the script. */
NORETURN void
job_run(struct job *j)
{
	struct decision	*d = &j->d;
	struct fault	 f;

	if (confine_namespaces(&(struct ns_in){ &d->e, &d->t, CGIBOX_CONF_DIR,
	    j->cfg->has_env_set, j->supervised }, &f) ||
	    confine_drop(&d->t, d->t.uid, &f) ||
	    (j->supervised && sandbox_child(&f)) ||
	    confine_limits(&d->e, &j->inh, j->learn.mode == LEARN_NO, &f) ||
	    landlock_apply(&j->plan, &d->e, &d->t, &d->w, &f))
		reject_fault(&f);
	(void)execute(&d->w, &j->rq, j->env.vec, d->e.s.umask, &j->filter,
	    j->supervised, j->learn.mode != LEARN_NO ? &j->learn : NULL, &f);
	reject_fault(&f);
}
