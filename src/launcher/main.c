/*
 * cgibox: the setuid-root CGI launcher.  main is the front end of the
 * pipeline of DESIGN.md section 3: hygiene, configuration, arguments and
 * caller here; the shared stages from the decision to the exec in
 * core/pipeline.c.  Every failure leaves through reject(), which logs,
 * writes the error page and exits with the reason's code.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgibox.h"

#ifndef CGIBOX_CONFIG
#error "CGIBOX_CONFIG must name the configuration file (set by the Makefile)"
#endif

/*
 * Without a supervisor, the child that becomes the script starts as
 * posix_spawn starts one (CLONE_VM | CLONE_VFORK): it shares this
 * process's memory, on a stack of its own, while this process waits for
 * its exec or its exit, so no page table is copied.  It goes through the
 * rest of the pipeline; this process then only relays, and needs nothing
 * the child may have changed (stderr_parent works from its own copies).
 */
#if !defined(__SANITIZE_ADDRESS__)
#define CHILD_STACK	(256 * 1024)
static char	child_stack[CHILD_STACK] __attribute__((aligned(16)));
#endif

static int
child_main(void *arg)
{
	struct job	*j = arg;
	struct fault	 f;

	if (errpipe_child(&f))
		reject_fault(&f);
	job_run(j);
}

int
main(int argc, char *argv[])
{
	static struct config	cfg;
	static struct job	j;
	struct sandbox		sb;
	struct fault		f, bad_request;
	char			**incoming, cwd[PATH_MAX], caller[64];
	uid_t			ruid = getuid();
	enum reason		parsed;
	sigset_t		block;

	/* Hygiene before anything can open a file or read the environment. */
	startup(&incoming, &j.inh);
	audit_init(incoming);

	/* Root-owned configuration, or nothing runs; an invalid one names no
	 * log file, so its refusal goes to the compiled-in one. */
	if (job_config(&cfg, &f)) {
		struct fault	ignored;

		(void)audit_open(&cfg, &ignored);
		reject_fault(&f);
	}
	/* Opened as root, before the drop; close-on-exec. */
	if (audit_open(&cfg, &f))
		reject_fault(&f);

	/* Only the caller may ask; root may also read the settings. */
	/* CGIBOX_SCRIPT counts only when there is no argument at all. */
	parsed = request_parse(argc, argv, argc == 1 ?
	    env_get(incoming, SCRIPT_PARAM) : NULL, &j.rq, &bad_request);
	if (!(j.rq.mode == MODE_SETTINGS && ruid == 0) &&
	    caller_check(&cfg, ruid, caller, sizeof(caller), &f))
		reject_fault(&f);
	audit_set("caller", ruid == 0 ? "root" : caller);
	audit_set("user", j.rq.user);
	audit_set("group", j.rq.group);
	audit_set("cmd", j.rq.cmd);
	if (parsed != R_ALLOW)
		reject_fault(&bad_request);
	if (j.rq.mode == MODE_SETTINGS) {
		settings_print_suexec(stderr, &cfg, CGIBOX_CONFIG);
		return 0;
	}

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		reject(R_FILE_MISSING, "working directory: %m");
	audit_set("cwd", cwd);
	j.cfg = &cfg;
	j.cwd = cwd;
	j.incoming = incoming;
	if (job_prepare(&j, &f))
		reject_fault(&f);
	/*
	 * No line of the web server's error log starts with the script's
	 * words: its stderr is a pipe that the process the web server
	 * started relays (stderr_relay.c).  With a timeout or a cap, the
	 * request's init is forked into a PID namespace, and this process
	 * stays as its supervisor; otherwise the child goes on to the exec
	 * and this process relays and passes signals on.  The web server's
	 * signals are blocked first so none is lost; the script gets an
	 * empty mask (execute).
	 */
	if (errpipe_open(&f))
		reject_fault(&f);
	if (j.supervised) {
		(void)sigemptyset(&block);
		(void)sigaddset(&block, SIGTERM);
		(void)sigaddset(&block, SIGHUP);
		(void)sigaddset(&block, SIGINT);
	} else
		stderr_parent_signals(&block);
	(void)sigprocmask(SIG_BLOCK, &block, NULL);
	if (j.supervised) {
		switch (sandbox_fork(&sb, j.slot, &f)) {
		case -1:
			reject_fault(&f);
		case 1:
			job_forked(&j);
			supervise(&sb, &j.d.t, ruid, j.d.e.s.timeout, &f);
		default:
			break;
		}
	} else {
		struct target	t = j.d.t;
#if defined(__SANITIZE_ADDRESS__)
		/* ASan cannot follow a child onto a stack of its own (it
		 * warns on stderr, which is the script's): a plain fork. */
		pid_t		pid = fork();

		if (pid == 0)
			(void)child_main(&j);
#else
		pid_t		pid = clone(child_main, child_stack +
		    sizeof(child_stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &j);
#endif

		if (pid < 0)
			reject(R_SYSTEM, "clone: %m");
		stderr_parent(pid, &t);
	}
	if (errpipe_child(&f))
		reject_fault(&f);
	job_run(&j);
}
