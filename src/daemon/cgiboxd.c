/*
 * cgiboxd: a FastCGI responder that runs each request's script as its
 * owner, confined, through the same pipeline as the setuid launcher.
 *
 *   cgiboxd [-f]    listen and serve; -f: in the foreground
 *   cgiboxd -V      print the version and the compiled-in paths
 *
 * This file is the listener: root, and as small as it can be.  It accepts
 * connections and forks a monitor for each (conn.c), which forks the
 * connection's relay (relay.c).  It never reads what a peer sent.
 *
 * MUST rules:
 * - Started as root (real and effective uid 0), or it refuses.
 * - Its socket: systemd's (LISTEN_PID ours, LISTEN_FDS 1: descriptor 3), or
 *   fcgi-socket from the configuration, by default RUNSTATEDIR/cgibox/
 *   fcgi.sock, created mode 0660, owned by root and the caller's group; a
 *   socket left there is replaced, anything else there is an error.
 * - The configuration is read once, at start, for the socket and the cap;
 *   everything else it says is read again for every request (conn.c).
 * - At most fcgi-max-connections connections are served at once; up to
 *   OVER_CAP more are accepted and every request on them is answered 503;
 *   beyond that, new connections wait in the listen backlog.
 * - Every child is reaped, and the listener's memory and descriptors do
 *   not grow with what it serves: fixed arrays, no allocation.
 * - SIGTERM or SIGINT: stop accepting, pass SIGTERM to every monitor (each
 *   ends after the request it runs), wait up to SHUTDOWN_SECONDS, then
 *   SIGKILL what is left (a killed monitor takes its request's sandbox
 *   with it), and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

#define OVER_CAP		16
#define MAX_CHILDREN		(4096 + OVER_CAP)
#define SHUTDOWN_SECONDS	10
#define DEFAULT_SOCKET		CGIBOX_RUN_DIR "/fcgi.sock"

static pid_t	children[MAX_CHILDREN];
static size_t	nchildren;

NORETURN static void
die(const char *fmt, ...) PRINTF(1, 2);

NORETURN static void
die(const char *fmt, ...)
{
	va_list	ap;

	(void)fprintf(stderr, "cgiboxd: ");
	va_start(ap, fmt);
	/* va_start is above: a clang-analyzer false positive. */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "\n");
	exit(1);
}

/* systemd's socket, if it passed one: LISTEN_PID is us, LISTEN_FDS 1. */
static int
inherited_socket(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	unsigned long	 p, n;
	int		 type;
	socklen_t	 len = sizeof(type);

	if (pid == NULL || fds == NULL || !parse_ulong(pid, ~0UL, &p) ||
	    (pid_t)p != getpid())
		return -1;
	if (!parse_ulong(fds, ~0UL, &n) || n != 1)
		die("LISTEN_FDS=%s: exactly one socket is expected", fds);
	if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM)
		die("descriptor 3 from systemd is not a stream socket");
	(void)fcntl(3, F_SETFD, FD_CLOEXEC);
	return 3;
}

/* Our own socket at path, mode 0660, root and group gid. */
static int
own_socket(const char *path, gid_t gid)
{
	struct sockaddr_un	sa = { .sun_family = AF_UNIX };
	struct stat		st;
	char			dir[PATH_MAX];
	int			fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		die("%s: path too long for a socket", path);
	(void)snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') -
	    path), path);
	/* The launcher makes RUNSTATEDIR/cgibox 0700 for its slots; the
	 * socket in it must be reachable, so the directory is 0755. */
	if (strcmp(dir, CGIBOX_RUN_DIR) == 0 && mkdir(dir, 0755) < 0 &&
	    errno != EEXIST)
		die("%s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022))
		die("%s must be a directory owned by root and writable by no "
		    "one else", dir);
	if (strcmp(dir, CGIBOX_RUN_DIR) == 0 && (st.st_mode & 0777) != 0755 &&
	    chmod(dir, 0755) < 0)
		die("%s: %s", dir, strerror(errno));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			die("%s exists and is not a socket", path);
		(void)unlink(path);
	}
	(void)memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chown(path, 0, gid) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 128) < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

static void
reap(void)
{
	pid_t	pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (size_t i = 0; i < nchildren; i++)
			if (children[i] == pid) {
				children[i] = children[--nchildren];
				break;
			}
}

NORETURN static void
shut_down(int lfd, const char *own, int sfd)
{
	double	deadline = now_ms() + SHUTDOWN_SECONDS * 1e3;

	(void)close(lfd);
	if (own != NULL)
		(void)unlink(own);
	for (size_t i = 0; i < nchildren; i++)
		(void)kill(children[i], SIGTERM);
	while (nchildren > 0 && now_ms() < deadline) {
		struct pollfd			p = { sfd, POLLIN, 0 };
		struct signalfd_siginfo		si;

		if (poll(&p, 1, 200) > 0 &&
		    read(sfd, &si, sizeof(si)) < 0 && errno != EAGAIN)
			break;
		reap();
	}
	for (size_t i = 0; i < nchildren; i++)
		(void)kill(children[i], SIGKILL);
	while (nchildren > 0 && waitpid(-1, NULL, 0) > 0)
		reap();
	exit(0);
}

static void
serve(int lfd, unsigned max, int sfd)
{
	for (;;) {
		struct daemon_opts	o = { .max_conns = max };
		struct pollfd		p[2] = { { sfd, POLLIN, 0 },
		    { lfd, POLLIN, 0 } };
		bool			room = nchildren < max + OVER_CAP;
		int			fd;
		pid_t			pid;

		if (poll(p, room ? 2 : 1, -1) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo == SIGTERM ||
				    si.ssi_signo == SIGINT)
					return;
			reap();
		}
		if (!room || !(p[1].revents & POLLIN))
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		o.over_cap = nchildren >= max;
		if ((pid = fork()) == 0) {
			sigset_t none;

			(void)close(lfd);
			(void)close(sfd);
			(void)sigemptyset(&none);
			(void)sigprocmask(SIG_SETMASK, &none, NULL);
			conn_main(fd, &o);
		}
		(void)close(fd);
		if (pid > 0)
			children[nchildren++] = pid;
	}
}

int
main(int argc, char *argv[])
{
	static struct config	cfg;
	struct passwd		*pw;
	struct fault		f;
	sigset_t		sigs;
	const char		*path, *own = NULL;
	bool			foreground = false;
	int			ch, lfd, sfd;

	while ((ch = getopt(argc, argv, "fV")) != -1) {
		switch (ch) {
		case 'f':
			foreground = true;
			break;
		case 'V':
			(void)printf("cgiboxd %s\nconfig %s\nsocket %s\n",
			    CGIBOX_VERSION, CGIBOX_CONFIG, DEFAULT_SOCKET);
			return 0;
		default:
			(void)fprintf(stderr, "usage: cgiboxd [-f] | -V\n");
			return 2;
		}
	}
	if (optind != argc) {
		(void)fprintf(stderr, "usage: cgiboxd [-f] | -V\n");
		return 2;
	}
	if (getuid() != 0 || geteuid() != 0)
		die("must be started as root");
	(void)umask(077);
	lfd = inherited_socket();
	if (close_range(lfd >= 0 ? 4 : 3, ~0U, 0) < 0)
		die("close_range: %s", strerror(errno));
	if (job_config(&cfg, &f) != R_ALLOW) {
		(void)fprintf(stderr, "cgiboxd: %s; serving with the defaults "
		    "for the socket, refusing every request until it is "
		    "fixed\n", f.detail);
		conf_defaults(&cfg, CGIBOX_LOG_DEFAULT);
	}
	path = cfg.fcgi_socket != NULL ? cfg.fcgi_socket : DEFAULT_SOCKET;
	if (lfd < 0) {
		if ((pw = getpwnam(cfg.caller)) == NULL)
			die("caller %s does not exist", cfg.caller);
		lfd = own_socket(path, pw->pw_gid);
		own = path;
	}
	if (!foreground && daemon(0, 0) < 0)
		die("daemon: %s", strerror(errno));
	(void)sigemptyset(&sigs);
	(void)sigaddset(&sigs, SIGCHLD);
	(void)sigaddset(&sigs, SIGTERM);
	(void)sigaddset(&sigs, SIGINT);
	(void)sigaddset(&sigs, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &sigs, NULL);
	if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		die("signalfd: %s", strerror(errno));
	(void)fcntl(lfd, F_SETFL, O_NONBLOCK);
	serve(lfd, cfg.fcgi_max_connections, sfd);
	shut_down(lfd, own, sfd);
}
