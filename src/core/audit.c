/*
 * The audit trail and the one way out.
 *
 * MUST rules:
 * - Every refusal leaves one line, formatted by logfmt.c, written with one
 *   write(2) on an O_APPEND descriptor (so concurrent requests never
 *   interleave) and/or sent as one syslog message.
 * - A line is written whole or not at all: when the file size limit the
 *   launcher could not raise (startup.c) leaves no room for it, with a
 *   margin for concurrent writers, it goes to syslog (authpriv) instead,
 *   and the sink counts as failed: an exec line that cannot be written
 *   refuses the request.
 * - The log file is opened before the privilege drop, with O_NOFOLLOW and
 *   O_CLOEXEC, relative to its directory, which like every directory above
 *   it must be root's and not writable by others; the file must be a
 *   regular root-owned file that neither group nor others can write, with
 *   one link.  Anything else refuses the request.
 * - Before the configuration is loaded the only sink is syslog (authpriv);
 *   stderr always gets a copy of a refusal for the web server's error log
 *   (the web server's own stderr, even once the script's goes through the
 *   launcher's relay: audit_stderr()).
 * - reject() is the only place the launcher exits on a failure; it saves
 *   errno first and never returns.
 * - The client sees only the error page: a status and the request id,
 *   never the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cgibox.h"

static struct audit_ctx	A;
static int		log_fd = -1;
static int		err_fd = STDERR_FILENO;	/* the web server's stderr */
static bool		syslog_open;

/*
 * A new request: its fields from the caller's variables, its id from a
 * well-formed UNIQUE_ID or 64 random bits.  cgiboxd calls it once per
 * request; the log stays open, re-opened by audit_open().
 */
void
audit_init(char *const *env)
{
	const char	*uid = env_get(env, "UNIQUE_ID");
	unsigned char	 rnd[8];
	const struct config *cfg = A.cfg;

	memset(&A, 0, sizeof(A));
	A.cfg = cfg;

	A.remote_addr = env_get(env, "REMOTE_ADDR");
	A.request_method = env_get(env, "REQUEST_METHOD");
	A.request_uri = env_get(env, "REQUEST_URI");
	if (valid_request_id(uid)) {
		(void)copy_str(A.request_id, sizeof(A.request_id), uid);
		return;
	}
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		struct timespec ts;

		(void)clock_gettime(CLOCK_REALTIME, &ts);
		(void)snprintf(A.request_id, sizeof(A.request_id), "%lx%lx",
		    (unsigned long)ts.tv_nsec, (unsigned long)getpid());
		return;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		(void)snprintf(A.request_id + 2 * i, 3, "%02x", rnd[i]);
}

const char *
audit_request_id(void)
{
	return A.request_id;
}

void
audit_set(const char *key, const char *value)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} fields[] = {
		{ "caller", offsetof(struct audit_ctx, caller) },
		{ "user", offsetof(struct audit_ctx, user) },
		{ "group", offsetof(struct audit_ctx, group) },
		{ "cwd", offsetof(struct audit_ctx, cwd) },
		{ "cmd", offsetof(struct audit_ctx, cmd) },
		{ "script", offsetof(struct audit_ctx, script) },
		{ "policy", offsetof(struct audit_ctx, policy) },
		{ "landlock", offsetof(struct audit_ctx, landlock) },
		{ "learn", offsetof(struct audit_ctx, learn) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].key, key) == 0)
			*(const char **)((char *)&A + fields[i].off) = value;
}

enum reason
audit_open(const struct config *c, struct fault *f)
{
	struct stat	 st;
	mode_t		 old;
	char		 dir[PATH_MAX];
	const char	*slash;
	int		 dfd;

	A.cfg = c;
	if (log_fd >= 0) {		/* cgiboxd: the previous request's */
		(void)close(log_fd);
		log_fd = -1;
	}
	if (c->syslog_facility >= 0) {
		closelog();
		openlog("cgibox", LOG_PID | LOG_NDELAY, c->syslog_facility);
		syslog_open = true;
	}
	if (c->log_file == NULL)
		return R_ALLOW;
	/* The directory chain like the configuration's: root's alone. */
	slash = strrchr(c->log_file, '/');
	(void)snprintf(dir, sizeof(dir), "%.*s", slash == c->log_file ? 1 :
	    (int)(slash - c->log_file), c->log_file);
	if ((dfd = open_trusted(dir, true, true, R_SYSTEM, f)) < 0)
		return f->reason;
	old = umask(027);	/* startup's 077 would make a new log 0600 */
	log_fd = openat(dfd, slash + 1, O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0640);
	(void)umask(old);
	(void)close(dfd);
	if (log_fd < 0)
		return fault(f, errno == ELOOP ? R_CONFIG_INSECURE : R_SYSTEM,
		    "log-file %s: %s", c->log_file, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	if (fstat(log_fd, &st) < 0)
		return fault(f, R_SYSTEM, "log-file %s: %s", c->log_file,
		    strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || st.st_nlink != 1 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		(void)close(log_fd);
		log_fd = -1;
		return fault(f, R_CONFIG_INSECURE, "log-file %s must be a "
		    "regular file owned by root, with one link, not writable "
		    "by group or others", c->log_file);
	}
	return R_ALLOW;
}

static const struct sup_result	*ending;	/* set for the final line */

/* Room a line leaves below the file size limit for concurrent writers. */
#define LOG_ROOM_MARGIN	((size_t)4 * LOG_LINE_MAX)

/* Does a line of len bytes fit whole below the file size limit? */
static bool
room_for(size_t len)
{
	struct rlimit	rl;
	struct stat	st;

	if (getrlimit(RLIMIT_FSIZE, &rl) < 0)
		return false;
	if (rl.rlim_cur == RLIM_INFINITY)
		return true;
	return fstat(log_fd, &st) == 0 && (rlim_t)st.st_size + len +
	    LOG_ROOM_MARGIN <= rl.rlim_cur;
}

static void
format(struct logline *l, const char *event, enum reason r,
    const char *detail)
{
	struct timespec	ts;
	struct tm	tm;
	char		when[40], frac[24], pid[24];

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(frac, sizeof(frac), ".%03ldZ", ts.tv_nsec / 1000000);
	(void)strncat(when, frac, sizeof(when) - strlen(when) - 1);
	(void)snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	log_begin(l);
	log_field(l, "time", when);
	log_field(l, "pid", pid);
	log_field(l, "event", event);
	if (r != R_ALLOW)
		log_field(l, "reason", reason_table[r].name);
	log_field(l, "request_id", A.request_id);
	log_field(l, "caller", A.caller);
	log_field(l, "user", A.user);
	log_field(l, "group", A.group);
	log_field(l, "cwd", A.cwd);
	log_field(l, "cmd", A.cmd);
	log_field(l, "script", A.script);
	log_field(l, "policy", A.policy);
	log_field(l, "landlock", A.landlock);
	log_field(l, "learn", A.learn);
	log_field(l, "remote_addr", A.remote_addr);
	log_field(l, "request_method", A.request_method);
	log_field(l, "request_uri", A.request_uri);
	if (ending != NULL) {
		char	num[5][32];

		(void)snprintf(num[0], sizeof(num[0]), "%d", ending->status);
		(void)snprintf(num[1], sizeof(num[1]), "%d", ending->signal);
		(void)snprintf(num[2], sizeof(num[2]), "%.0f", ending->cpu_ms);
		(void)snprintf(num[3], sizeof(num[3]), "%ld",
		    ending->max_rss_kb);
		(void)snprintf(num[4], sizeof(num[4]), "%.0f", ending->wall_ms);
		log_field(l, ending->signal ? "signal" : "status",
		    ending->signal ? num[1] : num[0]);
		log_field(l, "cpu_ms", num[2]);
		log_field(l, "max_rss_kb", num[3]);
		log_field(l, "wall_ms", num[4]);
	}
	log_field(l, "detail", detail);
	log_end(l);
}

/* Write one line to every sink; false if a configured sink failed. */
static bool
emit(const char *event, enum reason r, const char *detail, int prio)
{
	struct logline	l;
	bool		ok = true;

	format(&l, event, r, detail);
	if (log_fd >= 0 && !room_for(l.len)) {
		ok = false;
		errno = EFBIG;
	} else if (log_fd >= 0) {
		ssize_t n = write(log_fd, l.buf, l.len);

		ok = n == (ssize_t)l.len;
		if (n >= 0 && !ok)
			errno = ENOSPC;		/* a short write: the disk is full */
	}
	if (syslog_open || A.cfg == NULL || !ok) {
		int saved = errno;

		/* Without a configuration, or when the file could not take the
		 * line, authpriv is the sink of last resort. */
		if (!syslog_open) {
			openlog("cgibox", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
			syslog_open = true;
		}
		syslog(prio, "%.*s", (int)(l.len - 1), l.buf);
		errno = saved;
	}
	return ok;
}

/*
 * The supervisor's final line for a request: exit, timeout, or abort when
 * the front end ended it (cgiboxd: the web server went away).
 */
void
audit_end(const struct sup_result *res)
{
	ending = res;
	(void)emit(res->timed_out ? "timeout" : res->aborted ? "abort" : "exit",
	    res->signal == SIGSYS ? R_SECCOMP_VIOLATION : R_ALLOW, NULL,
	    res->signal || res->timed_out ? LOG_WARNING : LOG_INFO);
	ending = NULL;
}

/*
 * A line about the request that is neither its start nor its end (learn
 * mode's full store): event, the usual request fields, detail.
 */
void
audit_note(const char *event, const char *detail)
{
	(void)emit(event, R_ALLOW, detail, LOG_WARNING);
}

/* The exec line: an allowed request that cannot be logged does not run. */
enum reason
audit_exec(struct fault *f)
{
	if (!emit("exec", R_ALLOW, NULL, LOG_INFO))
		return fault(f, R_SYSTEM, "audit log write failed: %s",
		    strerror(errno));
	return R_ALLOW;
}

/* On the way out nothing is left to report a failed write to. */
static void
best_effort(int fd, const char *buf, size_t len)
{
	ssize_t	n = write(fd, buf, len);

	(void)n;
}

/* A refusal's line, in every sink: cgiboxd's way, which goes on. */
void
audit_refusal(const struct fault *f)
{
	bool	deny = reason_table[f->reason].http == 403;

	(void)emit(deny ? "deny" : "error", f->reason, f->detail,
	    deny ? LOG_WARNING : LOG_ERR);
}

/*
 * The response to a refused request: the error page with error-page yes,
 * otherwise the status alone.  Returns its length in buf.
 */
size_t
audit_response(enum reason r, char *buf, size_t size)
{
	if (A.cfg != NULL && A.cfg->error_page)
		return error_page(r, A.request_id, buf, size);
	return error_page_status(r, buf, size);
}

/*
 * Where a refusal's copy for the web server goes from now on: fd, a
 * close-on-exec duplicate of its stderr once fd 2 is the script's relay
 * pipe, or -1 for nowhere.  A duplicate given before is closed.
 */
void
audit_stderr(int fd)
{
	if (err_fd > STDERR_FILENO && err_fd != fd)
		(void)close(err_fd);
	err_fd = fd;
}

NORETURN void
reject_fault(const struct fault *f)
{
	const struct reason_info	*ri = &reason_table[f->reason];
	struct logline			 l;
	char				 page[512];
	size_t				 len;
	bool				 deny = ri->http == 403;

	/* limit fsize may already apply: a big log must not kill us here. */
	(void)signal(SIGXFSZ, SIG_IGN);

	audit_refusal(f);
	log_begin(&l);
	log_field(&l, "cgibox", deny ? "deny" : "error");
	log_field(&l, "reason", ri->name);
	log_field(&l, "request_id", A.request_id);
	log_field(&l, "detail", f->detail);
	log_end(&l);
	if (err_fd >= 0)
		best_effort(err_fd, l.buf, l.len);
	if (A.cfg != NULL && A.cfg->error_page) {
		len = error_page(f->reason, A.request_id, page, sizeof(page));
		best_effort(STDOUT_FILENO, page, len);
	}
	_exit(ri->code);
}

NORETURN void
reject(enum reason r, const char *fmt, ...)
{
	struct fault	f;
	int		saved = errno;
	va_list		ap;

	f.reason = r;
	va_start(ap, fmt);
	errno = saved;
	/* va_start is above: a clang-analyzer false positive. */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	(void)vsnprintf(f.detail, sizeof(f.detail), fmt, ap);
	va_end(ap);
	reject_fault(&f);
}
