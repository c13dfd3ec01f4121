/*
 * cgiboxd's monitor: one process per connection, root.  It forks the
 * connection's relay, takes each request from it as a message, runs the
 * shared pipeline (core/pipeline.c) and supervises the request's sandbox
 * (core/sandbox.c), as the setuid launcher does.
 *
 * MUST rules:
 * - It never reads the peer: the relay alone holds the peer's socket once
 *   it is forked.  What comes from the relay is checked before use
 *   (msg_env_split), and anything unexpected ends the connection.
 * - The peer's SO_PEERCRED uid must be the configured caller's, checked
 *   when the connection opens and again for every request (the
 *   configuration may change between them); otherwise the connection
 *   ends, logged as caller-mismatch.
 * - The configuration is read for every request, so an edit applies to
 *   the next one; an invalid one refuses the request (500) and the
 *   connection goes on.
 * - Every request runs in a sandbox of its own (a PID namespace), ended by
 *   its timeout, by the relay's MSG_ABORT (the web server aborted it or
 *   went away), or when the relay dies; it is logged with an exit,
 *   timeout or abort line.
 * - Beyond the global cap (over_cap) every request is refused as busy; a
 *   user with no max-requests may take a quarter of the cap.
 * - SIGTERM ends the connection after the request that runs, if any.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

static struct config		cfg;
static struct job		j;
static union {
	struct msg_hdr	h;
	uint8_t		b[MSG_MAX];
} M;
static char			*vec[ENV_MAX_VARS + 1];
static volatile sig_atomic_t	term;
static int			mon = -1;
static uid_t			peer_uid;
static bool			relay_broke;
static const struct daemon_opts	*opts;

static void
on_term(int sig)
{
	(void)sig;
	term = 1;
}

/* A message to the relay; false if the relay is gone. */
static bool
send_msg(enum msg_type type, uint32_t status, const void *payload,
    size_t len, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr	c;
		char		b[CMSG_SPACE(3 * sizeof(int))];
	} ctl;
	struct msg_hdr	 h = { .type = type, .status = status };
	struct iovec	 iov[2] = { { &h, sizeof(h) },
	    { (void *)(uintptr_t)payload, len } };
	struct msghdr	 mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };

	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		/* The control buffer is at least one header long: never NULL. */
		if ((c = CMSG_FIRSTHDR(&mh)) == NULL)
			_exit(1);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(mon, &mh, MSG_NOSIGNAL) >= 0;
}

/* A refused request: its line, and its response for the relay to send. */
static void
refuse(const struct fault *f)
{
	char	page[512];
	size_t	len;

	audit_refusal(f);
	len = audit_response(f->reason, page, sizeof(page));
	if (!send_msg(MSG_REFUSE, (uint32_t)reason_table[f->reason].code, page,
	    len, NULL, 0))
		_exit(0);	/* the relay is gone, and with it the peer */
}

/* The relay's uid: the peer's (the caller's, once checked), never root. */
static void
relay_ids(const struct ucred *c, uid_t *uid, gid_t *gid)
{
	*uid = c->uid != 0 ? c->uid : 65534;
	*gid = c->uid != 0 ? c->gid : 65534;
}

/* Is the peer the configured caller?  Sets f if not. */
static bool
peer_is_caller(struct fault *f)
{
	static char	buf[16 * 1024];
	struct passwd	pw, *res = NULL;
	char		num[24];

	(void)getpwnam_r(cfg.caller, &pw, buf, sizeof(buf), &res);
	if (res != NULL && res->pw_uid == peer_uid) {
		audit_set("caller", cfg.caller);
		return true;
	}
	(void)snprintf(num, sizeof(num), "%lu", (unsigned long)peer_uid);
	audit_set("caller", num);
	(void)fault(f, R_CALLER, "peer uid %lu is not the caller %s",
	    (unsigned long)peer_uid, cfg.caller);
	return false;
}

/*
 * The relay spoke while a request ran: what it means for the request.  Not
 * into M, which still holds the request's variables.
 */
/* The relay's account of a broken peer, logged as the refusal it is. */
static void
relay_bad(const uint8_t *why, size_t len)
{
	struct fault	f;

	(void)fault(&f, R_FCGI_INVALID, "%.*s", (int)len, (const char *)why);
	audit_refusal(&f);
}

static enum sb_action
on_relay(void *ctx)
{
	union {
		struct msg_hdr	h;
		uint8_t		b[512];
	} m;
	ssize_t	n;

	(void)ctx;
	/* A relay that left a message of ours unread makes the first recv
	 * fail with ECONNRESET; what it sent before it left comes next. */
	do
		n = recv(mon, m.b, sizeof(m.b), MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == ECONNRESET);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return SB_GO_ON;
	if (n > (ssize_t)sizeof(m.b))
		n = -1;		/* longer than any message: broken */
	if (n >= (ssize_t)sizeof(m.h) && m.h.type == MSG_BAD)
		relay_bad(m.b + sizeof(m.h), (size_t)n - sizeof(m.h));
	/* Abort, malformed, gone, or anything else: the request ends. */
	relay_broke = n < (ssize_t)sizeof(m.h) || m.h.type != MSG_ABORT;
	return SB_KILL;
}

static void
serve(size_t len)
{
	struct sandbox		sb;
	struct sup_result	res;
	struct fault		f;
	char			*script;
	int			in[2], out[2], err[2], code;
	char			*argv0[] = { "cgiboxd", NULL };

	if (!msg_env_split((char *)M.b + sizeof(M.h), len, vec,
	    sizeof(vec) / sizeof(vec[0])))
		_exit(1);	/* the relay is not itself */
	audit_init(vec);
	if (job_config(&cfg, &f) || audit_open(&cfg, &f)) {
		struct fault	ignored;

		/* An invalid file names no log: the compiled-in one, then. */
		(void)audit_open(&cfg, &ignored);
		refuse(&f);
		return;
	}
	if (!peer_is_caller(&f)) {
		audit_refusal(&f);
		_exit(0);
	}
	script = env_get(vec, "SCRIPT_FILENAME");
	audit_set("cmd", script);
	if (request_parse(1, argv0, script, &j.rq, &f)) {
		if (script == NULL)
			(void)fault(&f, R_USAGE, "no SCRIPT_FILENAME");
		refuse(&f);
		return;
	}
	if (opts->over_cap) {	/* this connection was beyond the cap */
		(void)fault(&f, R_BUSY, "cgiboxd is at fcgi-max-connections");
		refuse(&f);
		return;
	}
	j.cfg = &cfg;
	j.cwd = "/";
	j.incoming = vec;
	(void)getrlimit(RLIMIT_FSIZE, &j.inh.fsize);	/* cgiboxd's own */
	j.always_supervised = true;
	if (job_prepare(&j, &f)) {
		job_end(&j);
		refuse(&f);
		return;
	}
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0) {
		(void)fault(&f, R_SYSTEM, "pipe: %s", strerror(errno));
		refuse(&f);
		_exit(1);	/* out of descriptors: end the connection */
	}
	switch (sandbox_fork(&sb, j.slot, &f)) {
	case -1:
		refuse(&f);
		_exit(1);
	case 0:
		/* The init: default signals, the relay's pipes as stdio. */
		(void)signal(SIGTERM, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err[1], 2) < 0)
			_exit(R_SYSTEM);
		/* Only the script's ends, and only as 0-2: the init must not
		 * hold stdin's write end, or the script never sees EOF. */
		for (int k = 0; k < 2; k++) {
			(void)close(in[k]);
			(void)close(out[k]);
			(void)close(err[k]);
		}
		(void)close(mon);
		job_run(&j);
	default:
		break;
	}
	job_forked(&j);
	(void)close(in[0]);
	(void)close(out[1]);
	(void)close(err[1]);
	{
		int		fds[3] = { in[1], out[0], err[0] };
		const char	*id = audit_request_id();

		/* The relay already gone: say why if it said, end the request. */
		if (!send_msg(MSG_START, 0, id, strlen(id), fds, 3)) {
			(void)on_relay(NULL);
			relay_broke = true;
			sandbox_kill(&sb);
		}
	}
	(void)close(in[1]);
	(void)close(out[0]);
	(void)close(err[0]);
	code = sandbox_wait(&sb, j.d.e.s.timeout, relay_broke ? -1 : mon,
	    on_relay, NULL, &res);
	/* What the relay said as the request ended is still heard: a
	 * malformed record is logged even when the script ended first. */
	while (!relay_broke) {
		struct pollfd p = { mon, POLLIN, 0 };

		if (poll(&p, 1, 0) <= 0)
			break;
		(void)on_relay(NULL);
	}
	audit_end(&res);
	job_end(&j);	/* the slot, the script's descriptors */
	if (relay_broke || !send_msg(MSG_END, (uint32_t)code, NULL, 0, NULL, 0))
		_exit(0);
}

NORETURN void
conn_main(int peer, const struct daemon_opts *o)
{
	struct ucred		cred;
	struct sigaction	sa;
	socklen_t		clen = sizeof(cred);
	struct fault		f;
	char			*none[] = { NULL };
	int			sp[2], size = (int)(2 * MSG_MAX);
	uid_t			uid;
	gid_t			gid;
	pid_t			pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: waits see EINTR */
	(void)sigaction(SIGTERM, &sa, NULL);
	if (getsockopt(peer, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0)
		_exit(1);
	peer_uid = cred.uid;
	audit_init(none);
	if (job_config(&cfg, &f) == R_ALLOW && audit_open(&cfg, &f) ==
	    R_ALLOW && !peer_is_caller(&f)) {
		audit_refusal(&f);
		_exit(0);
	}
	relay_ids(&cred, &uid, &gid);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		_exit(1);
	for (int i = 0; i < 2; i++) {
		(void)setsockopt(sp[i], SOL_SOCKET, SO_SNDBUFFORCE, &size,
		    sizeof(size));
		(void)setsockopt(sp[i], SOL_SOCKET, SO_RCVBUFFORCE, &size,
		    sizeof(size));
	}
	if ((pid = fork()) < 0)
		_exit(1);
	if (pid == 0) {
		(void)close(sp[0]);
		relay_main(peer, sp[1], uid, gid, o);
	}
	(void)close(peer);
	(void)close(sp[1]);
	mon = sp[0];
	opts = o;
	j.user_cap = o->max_conns / 4 > 0 ? o->max_conns / 4 : 1;
	j.slot = -1;
	walk_init(&j.d.w);
	while (!term) {
		ssize_t n = recv(mon, M.b, sizeof(M.b), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		/* The relay ended, or sent what no message is. */
		if (n < (ssize_t)sizeof(M.h) || n > (ssize_t)sizeof(M.b))
			break;
		if (M.h.type == MSG_REQUEST)
			serve((size_t)n - sizeof(M.h));
		else if (M.h.type == MSG_BAD) {
			audit_init(none);
			relay_bad(M.b + sizeof(M.h), (size_t)n - sizeof(M.h));
			break;
		} else if (M.h.type != MSG_ABORT)
			break;
		/* MSG_ABORT with nothing running: nothing to do. */
	}
	_exit(0);
}
