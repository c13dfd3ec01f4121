/*
 * cgiboxd's relay: the one process of a connection that talks to the web
 * server.  It reads FastCGI records (fcgi.c), hands each request to the
 * monitor as an environment block (msg.c), and moves the script's streams:
 * FCGI_STDIN to its standard input, its standard output to FCGI_STDOUT,
 * its standard error to FCGI_STDERR.
 *
 * MUST rules:
 * - It runs as the web server's uid, never root (the monitor chooses it),
 *   with no capabilities, no_new_privs, a Landlock ruleset that grants no
 *   file, port or signal, and a seccomp allowlist: it can use the
 *   descriptors it holds and nothing else.  The script runs as another
 *   user, in another Landlock domain: it can neither signal nor trace it.
 * - Only this process reads the peer, and only through fcgi_feed().
 * - Fixed buffers: its memory does not grow with a request or a flood.
 * - A record the reader calls malformed ends the connection (MSG_BAD, so
 *   the monitor logs it and ends any running request); a peer that aborts
 *   a request or goes away ends the request (MSG_ABORT).
 * - The script's standard error reaches the peer one line per
 *   FCGI_STDERR record, escaped and prefixed (stderr_line()): a script
 *   cannot start a line in the web server's error log.
 * - Timeouts: a connection idle between requests for IDLE_MS ends; a
 *   request whose params do not arrive within PARAMS_MS ends the
 *   connection; a peer that takes no output for STALL_MS ends its
 *   request.  The script's own timeout is the monitor's.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

#define IDLE_MS		60000
#define PARAMS_MS	30000
#define STALL_MS	60000
#define IN_MAX		((size_t)64 * 1024)
#define OUT_MAX		((size_t)256 * 1024)
#define CHUNK		((size_t)32 * 1024)	/* script output per STDOUT record */

enum rstate { RS_IDLE, RS_PARAMS, RS_WAIT, RS_RUN, RS_REFUSED };

struct relay {
	int		 peer, mon;
	int		 sin, sout, serr;	/* the script's streams, or -1 */
	const struct daemon_opts *o;
	enum rstate	 st;
	bool		 peer_eof, closing, ended, stdin_end, discard;
	uint32_t	 app;			/* the END's app status */
	uint16_t	 id;
	bool		 keep;
	bool		 sent_stderr;
	double		 deadline;		/* idle or params */
	double		 progress;		/* the peer last took output */
	const uint8_t	*pend;			/* stdin not yet written */
	size_t		 plen;
	size_t		 ipos, ilen, olen;
	char		 reqid[72];
	uint8_t		 ibuf[IN_MAX];
	uint8_t		 obuf[OUT_MAX];
	struct err_lines err;			/* the script's stderr */
	union {
		struct msg_hdr	 h;
		uint8_t		 b[MSG_MAX];
	} msg;
	struct fcgi_in	 in;
};

static struct relay	R;

NORETURN static void
quit(void)
{
	_exit(0);
}

/* ---- to the peer --------------------------------------------------------------- */

static bool
room(size_t n)
{
	return OUT_MAX - R.olen >= n;
}

/*
 * What the end of a request takes (END_REQUEST and the streams' empty
 * records): never spent on output, so that it always fits.
 */
#define END_RESERVE	64

/*
 * How many bytes of stderr may be read now: each byte may end a line
 * (one record with its prefix, at most 104 bytes) and the partial line
 * kept may come out escaped (4 bytes a byte); 0 when there is no room.
 */
static size_t
stderr_budget(void)
{
	size_t	fixed = END_RESERVE + 4 * STDERR_LINE_MAX + 256;

	return OUT_MAX - R.olen > fixed ? (OUT_MAX - R.olen - fixed) / 104 : 0;
}

NORETURN static void	lost(void);

static void
out_record(enum fcgi_type type, const void *data, size_t len)
{
	size_t	n = fcgi_record(R.obuf + R.olen, OUT_MAX - R.olen, type, R.id,
	    data, len);

	if (n == 0)
		lost();		/* callers make room first: never silently */
	R.olen += n;
}

static void
out_end(uint16_t id, uint32_t app, enum fcgi_status st)
{
	size_t	n = fcgi_end_request(R.obuf + R.olen, OUT_MAX - R.olen, id, app,
	    st);

	if (n == 0)
		lost();
	R.olen += n;
}

static void
flush_peer(void)
{
	ssize_t	n;

	if (R.olen == 0)
		return;
	n = send(R.peer, R.obuf, R.olen, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		R.peer_eof = true;	/* nobody is left to answer */
		R.olen = 0;
		return;
	}
	if (n > 0) {
		memmove(R.obuf, R.obuf + n, R.olen - (size_t)n);
		R.olen -= (size_t)n;
		R.progress = now_ms();
	}
}

/* ---- to the monitor ----------------------------------------------------------- */

static void
tell(enum msg_type type, const void *payload, size_t len)
{
	struct msg_hdr	h = { .type = type };

	if (len > sizeof(R.msg.b) - sizeof(h))
		quit();			/* never a message cut short */
	memcpy(R.msg.b, &h, sizeof(h));
	if (len > 0)
		memcpy(R.msg.b + sizeof(h), payload, len);
	if (send(R.mon, R.msg.b, sizeof(h) + len, MSG_NOSIGNAL) < 0)
		quit();			/* the monitor is gone */
}

/*
 * A record that found no room: the response cannot be given whole, so the
 * script is stopped and the connection ends, the web server sees it close.
 */
NORETURN static void
lost(void)
{
	if (R.st == RS_WAIT || R.st == RS_RUN)
		tell(MSG_ABORT, NULL, 0);
	quit();
}

/* The peer broke the protocol: the monitor logs it, the connection ends. */
NORETURN static void
bad(const char *why)
{
	tell(MSG_BAD, why, strlen(why));
	flush_peer();
	quit();
}

/* ---- the script's streams --------------------------------------------------- */

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

/* Write what can be written of the pending stdin; true when it is all. */
static bool
feed_stdin(void)
{
	while (R.plen > 0) {
		ssize_t n;

		if (R.sin < 0 || R.discard) {
			R.plen = 0;
			break;
		}
		n = write(R.sin, R.pend, R.plen);
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0 && errno != EINTR) {
			/* The script stopped reading: drop the rest. */
			R.discard = true;
			close_fd(&R.sin);
			continue;
		}
		if (n > 0) {
			R.pend += n;
			R.plen -= (size_t)n;
		}
	}
	if (R.stdin_end)
		close_fd(&R.sin);
	return true;
}

static void
read_stdout(void)
{
	uint8_t	buf[CHUNK];
	ssize_t	n = read(R.sout, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(&R.sout);
		out_record(FCGI_STDOUT, NULL, 0);	/* the stream's end */
		return;
	}
	out_record(FCGI_STDOUT, buf, (size_t)n);
}

/* One escaped, prefixed line of stderr as one FCGI_STDERR record. */
static void
stderr_record(void *ctx, const char *text, size_t len)
{
	char	line[STDERR_LINE_MAX + 128];
	size_t	n = stderr_line(line, sizeof(line), R.reqid, text, len);

	(void)ctx;
	out_record(FCGI_STDERR, line, n);
	R.sent_stderr = true;
}

static void
read_stderr(void)
{
	char	buf[STDERR_LINE_MAX];
	size_t	max = stderr_budget();
	ssize_t	n = read(R.serr, buf, max < sizeof(buf) ? max : sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(&R.serr);
		err_lines_end(&R.err, stderr_record, NULL);
		if (R.sent_stderr)
			out_record(FCGI_STDERR, NULL, 0);
		return;
	}
	err_lines_feed(&R.err, buf, (size_t)n, stderr_record, NULL);
}

/* The request is over: END_REQUEST, then the next request or the end. */
static void
finish(uint32_t app)
{
	out_end(R.id, app, FCGI_REQUEST_COMPLETE);
	close_fd(&R.sin);
	close_fd(&R.sout);
	close_fd(&R.serr);
	R.plen = 0;
	if (!R.keep || R.peer_eof)
		R.closing = true;
	fcgi_in_next_request(&R.in);
	R.st = RS_IDLE;
	R.ended = R.stdin_end = R.discard = R.sent_stderr = false;
	R.err.len = 0;
	R.deadline = now_ms() + IDLE_MS;
}

/* ---- from the monitor --------------------------------------------------------- */

static int
take_fd(int fd)
{
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
from_monitor(void)
{
	struct msghdr	 mh;
	struct iovec	 iov = { R.msg.b, sizeof(R.msg.b) };
	union {
		struct cmsghdr	c;
		char		b[CMSG_SPACE(3 * sizeof(int))];
	} ctl;
	struct cmsghdr	*c;
	struct msg_hdr	 h;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	n = recvmsg(R.mon, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0 && errno == EINTR)
		return;
	if (n < (ssize_t)sizeof(h))
		quit();			/* the monitor is gone */
	memcpy(&h, R.msg.b, sizeof(h));
	switch (h.type) {
	case MSG_START:
		c = CMSG_FIRSTHDR(&mh);
		if (c == NULL || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len != CMSG_LEN(3 * sizeof(int)))
			quit();
		{
			int fds[3];

			memcpy(fds, CMSG_DATA(c), sizeof(fds));
			R.sin = take_fd(fds[0]);
			R.sout = take_fd(fds[1]);
			R.serr = take_fd(fds[2]);
		}
		n -= (ssize_t)sizeof(h);
		if ((size_t)n >= sizeof(R.reqid))
			n = (ssize_t)sizeof(R.reqid) - 1;
		memcpy(R.reqid, R.msg.b + sizeof(h), (size_t)n);
		R.reqid[n] = '\0';
		R.st = RS_RUN;
		(void)feed_stdin();
		break;
	case MSG_REFUSE:
		n -= (ssize_t)sizeof(h);
		if (n > 0)
			out_record(FCGI_STDOUT, R.msg.b + sizeof(h), (size_t)n);
		out_record(FCGI_STDOUT, NULL, 0);
		R.st = RS_REFUSED;
		R.discard = true;
		finish(h.status);
		break;
	case MSG_END:
		R.ended = true;
		R.app = h.status;
		break;
	default:
		quit();
	}
}

/* ---- from the peer ------------------------------------------------------------ */

/* One event of the reader; false while stdin waits to be written. */
static bool
event(const struct fcgi_ev *ev)
{
	const char	*why;
	size_t		 n;

	switch (ev->type) {
	case FE_BEGIN:
		R.id = ev->id;
		R.keep = R.in.keep_conn;
		R.st = RS_PARAMS;
		R.deadline = now_ms() + PARAMS_MS;
		return true;
	case FE_PARAMS:
		n = msg_env_from_params(ev->data, ev->len,
		    (char *)R.msg.b + sizeof(struct msg_hdr),
		    sizeof(R.msg.b) - sizeof(struct msg_hdr), &why);
		if (why != NULL)
			bad(why);
		{
			struct msg_hdr h = { .type = MSG_REQUEST };

			memcpy(R.msg.b, &h, sizeof(h));
			if (send(R.mon, R.msg.b, sizeof(h) + n, MSG_NOSIGNAL) < 0)
				quit();
		}
		R.st = RS_WAIT;
		return true;
	case FE_STDIN:
		if (R.st != RS_RUN && R.st != RS_WAIT)
			return true;	/* refused or over: nobody reads it */
		R.pend = ev->data;
		R.plen = ev->len;
		/* Before MSG_START it waits, and so does the peer. */
		return R.st == RS_RUN && feed_stdin();
	case FE_STDIN_END:
		R.stdin_end = true;
		if (R.st == RS_RUN && R.plen == 0)
			close_fd(&R.sin);
		return true;
	case FE_ABORT:
		if (R.st == RS_PARAMS) {	/* the monitor has nothing yet */
			out_end(ev->id, 0, FCGI_REQUEST_COMPLETE);
			fcgi_in_next_request(&R.in);
			R.st = RS_IDLE;
		} else if (R.st == RS_WAIT || R.st == RS_RUN)
			tell(MSG_ABORT, NULL, 0);
		return true;
	case FE_VALUES:
		R.olen += fcgi_values_result(R.obuf + R.olen, OUT_MAX - R.olen,
		    ev->data, ev->len, R.o->max_conns, R.o->max_conns);
		return true;
	case FE_UNKNOWN:
		R.olen += fcgi_unknown_type(R.obuf + R.olen, OUT_MAX - R.olen,
		    ev->rtype);
		return true;
	case FE_ROLE:
		out_end(ev->id, 0, FCGI_UNKNOWN_ROLE);
		return true;
	case FE_MPX:
		out_end(ev->id, 0, FCGI_CANT_MPX_CONN);
		return true;
	case FE_BAD:
		bad(ev->why);
	case FE_NONE:
	default:
		return true;
	}
}

/* Feed what was read, event by event, while stdin can take it. */
static void
process_input(void)
{
	while (R.ipos < R.ilen && R.plen == 0 && !R.closing &&
	    room(1024 + END_RESERVE)) {
		struct fcgi_ev	ev;

		R.ipos += fcgi_feed(&R.in, R.ibuf + R.ipos, R.ilen - R.ipos,
		    &ev);
		if (!event(&ev))
			break;
	}
	if (R.ipos == R.ilen && R.plen == 0)
		R.ipos = R.ilen = 0;
}

static void
read_peer(void)
{
	ssize_t	n = recv(R.peer, R.ibuf + R.ilen, IN_MAX - R.ilen, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Once: the peer is no longer polled (a hung-up socket
		 * would report POLLHUP on every turn). */
		R.peer_eof = true;
		if (R.st == RS_WAIT || R.st == RS_RUN)
			tell(MSG_ABORT, NULL, 0);	/* nobody to answer */
		else
			R.closing = true;
		return;
	}
	R.ilen += (size_t)n;
}

/* ---- the process ---------------------------------------------------------------- */

/* What the relay may do once it has dropped everything. */
static const long	relay_calls[] = {
	__NR_read, __NR_write, __NR_close, __NR_poll, __NR_ppoll,
	__NR_recvmsg, __NR_sendmsg, __NR_sendto, __NR_recvfrom, __NR_fcntl,
	__NR_clock_gettime, __NR_exit_group, __NR_exit, __NR_rt_sigreturn,
	__NR_brk, __NR_mmap, __NR_munmap, __NR_madvise, __NR_getpid,
	__NR_gettid, __NR_futex,
	__NR_sigaltstack,	/* the sanitizer runtimes set one up per thread */
};

static void
drop(uid_t uid, gid_t gid)
{
	struct fault	f;
	uid_t		r, e, s;

	if (uid == 0 || setgroups(0, NULL) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0 ||
	    getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid ||
	    setresuid(0, 0, 0) == 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    landlock_lockdown(&f) != R_ALLOW ||
	    allowlist_install(relay_calls, sizeof(relay_calls) /
	    sizeof(relay_calls[0]), &f) != R_ALLOW)
		_exit(1);
}

NORETURN void
relay_main(int peer, int mon, uid_t uid, gid_t gid,
    const struct daemon_opts *o)
{
	(void)signal(SIGPIPE, SIG_IGN);
	drop(uid, gid);
	R.peer = peer;
	R.mon = mon;
	R.o = o;
	R.sin = R.sout = R.serr = -1;
	R.st = RS_IDLE;
	R.deadline = now_ms() + IDLE_MS;
	fcgi_in_init(&R.in);
	for (;;) {
		struct pollfd	p[5];
		double		t = now_ms();
		int		np = 0, ipeer, imon, isout = -1, iserr = -1,
				isin = -1;

		if ((R.st == RS_IDLE || R.st == RS_PARAMS) && t > R.deadline) {
			if (R.st == RS_PARAMS)
				bad("the request's params did not arrive in time");
			quit();
		}
		if (R.olen > 0 && t - R.progress > STALL_MS) {
			if (R.st == RS_RUN || R.st == RS_WAIT)
				tell(MSG_ABORT, NULL, 0);
			quit();
		}
		if (R.closing && R.olen == 0)
			quit();
		ipeer = np;
		p[np++] = (struct pollfd){ R.peer_eof ? -1 : R.peer,
		    (short)((R.ilen < IN_MAX && R.plen == 0 && !R.closing ?
		    POLLIN : 0) | (R.olen > 0 ? POLLOUT : 0)), 0 };
		imon = np;
		p[np++] = (struct pollfd){ R.mon, POLLIN, 0 };
		if (R.sout >= 0 && room(CHUNK + 64 + END_RESERVE)) {
			isout = np;
			p[np++] = (struct pollfd){ R.sout, POLLIN, 0 };
		}
		if (R.serr >= 0 && stderr_budget() > 0) {
			iserr = np;
			p[np++] = (struct pollfd){ R.serr, POLLIN, 0 };
		}
		if (R.sin >= 0 && R.plen > 0) {
			isin = np;
			p[np++] = (struct pollfd){ R.sin, POLLOUT, 0 };
		}
		if (R.olen == 0)
			R.progress = t;
		if (poll(p, (nfds_t)np, 1000) < 0) {
			if (errno == EINTR)
				continue;
			quit();
		}
		if (p[imon].revents)
			from_monitor();
		if (isin >= 0 && p[isin].revents)
			(void)feed_stdin();
		if (!R.peer_eof && (p[ipeer].revents & (POLLIN | POLLHUP |
		    POLLERR)))
			read_peer();
		process_input();
		if (isout >= 0 && p[isout].revents && R.sout >= 0)
			read_stdout();
		if (iserr >= 0 && p[iserr].revents && R.serr >= 0)
			read_stderr();
		if (R.st == RS_RUN && R.ended && R.sout < 0 && R.serr < 0)
			finish(R.app);
		flush_peer();
	}
}
