/*
 * A CGI that makes one system call, named by its first argument (or,
 * with none, as through FastCGI, by its query string), and
 * prints what came of it: "result=ok" or "result=errno:NAME".  If the
 * seccomp policy kills it, it prints nothing more and dies with SIGSYS,
 * which the test sees as exit status 159.  The arguments are harmless:
 * the point is whether the call reaches the kernel at all.  A second
 * argument is a parameter: "read PATH" opens PATH, "flood N" makes N
 * socket() calls that differ in their protocol argument (learn mode's
 * store bound), "repeat N" makes the same socket() call N times (its cost under
 * learning, make bench), "listen" listens on an unbound TCP socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *
thread_main(void *arg)
{
	return arg;
}

static long
i386_getpid(void)
{
	long	ret;

	/* The i386 entry point: eax 20 is getpid there. */
	__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(20) : "memory");
	return ret;
}

static const char	*param = "";

static long
call(const char *name)
{
	static const struct timespec	ts = { 0, 0 };
	pthread_t			t;

	if (strcmp(name, "getpid") == 0)
		return syscall(SYS_getpid);
	if (strcmp(name, "shmget") == 0) {	/* System V IPC */
		long id = syscall(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600);

		return id < 0 ? id : syscall(SYS_shmctl, id, IPC_RMID, NULL);
	}
	if (strcmp(name, "sync") == 0)		/* no policy names it */
		return syscall(SYS_sync);
	if (strcmp(name, "sysinfo") == 0) {
		static char info[512];		/* larger than struct sysinfo */

		return syscall(SYS_sysinfo, info);
	}
	if (strcmp(name, "ptrace") == 0)
		return syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	if (strcmp(name, "process_vm_readv") == 0)
		return syscall(SYS_process_vm_readv, getppid(), 0, 0, 0, 0, 0);
	if (strcmp(name, "process_vm_writev") == 0)
		return syscall(SYS_process_vm_writev, getppid(), 0, 0, 0, 0, 0);
	if (strcmp(name, "mount") == 0)
		return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0);
	if (strcmp(name, "umount2") == 0)
		return syscall(SYS_umount2, "/tmp", 0);
	if (strcmp(name, "pivot_root") == 0)
		return syscall(SYS_pivot_root, "/", "/");
	if (strcmp(name, "chroot") == 0)
		return syscall(SYS_chroot, "/");
	if (strcmp(name, "fsopen") == 0)
		return syscall(SYS_fsopen, "tmpfs", 0);
	if (strcmp(name, "unshare") == 0)
		return syscall(SYS_unshare, CLONE_NEWUSER);
	if (strcmp(name, "setns") == 0)
		return syscall(SYS_setns, -1, 0);
	if (strcmp(name, "clone_newuser") == 0 ||
	    strcmp(name, "clone_plain") == 0) {
		long pid = syscall(SYS_clone, (strcmp(name, "clone_plain") ?
		    CLONE_NEWUSER : 0) | SIGCHLD, 0, 0, 0, 0);

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			(void)waitpid((pid_t)pid, NULL, 0);
		return pid < 0 ? -1 : 0;
	}
	if (strcmp(name, "keyctl") == 0)
		return syscall(SYS_keyctl, 0, 0, 0, 0, 0);
	if (strcmp(name, "add_key") == 0)
		return syscall(SYS_add_key, "user", "x", "", 0, 0);
	if (strcmp(name, "request_key") == 0)
		return syscall(SYS_request_key, "user", "x", 0, 0);
	if (strcmp(name, "bpf") == 0)
		return syscall(SYS_bpf, 0, 0, 0);
	if (strcmp(name, "perf_event_open") == 0)
		return syscall(SYS_perf_event_open, 0, 0, -1, -1, 0);
	if (strcmp(name, "kexec_load") == 0)
		return syscall(SYS_kexec_load, 0, 0, 0, 0);
	if (strcmp(name, "init_module") == 0)
		return syscall(SYS_init_module, 0, 0, "");
	if (strcmp(name, "finit_module") == 0)
		return syscall(SYS_finit_module, -1, "", 0);
	if (strcmp(name, "delete_module") == 0)
		return syscall(SYS_delete_module, "x", 0);
	if (strcmp(name, "reboot") == 0)
		return syscall(SYS_reboot, 0, 0, 0, 0);	/* bad magic */
	if (strcmp(name, "swapon") == 0)
		return syscall(SYS_swapon, "/nonexistent", 0);
	if (strcmp(name, "swapoff") == 0)
		return syscall(SYS_swapoff, "/nonexistent");
	if (strcmp(name, "acct") == 0)
		return syscall(SYS_acct, 0);
	if (strcmp(name, "settimeofday") == 0)
		return syscall(SYS_settimeofday, 0, 0);
	if (strcmp(name, "clock_settime") == 0)
		return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
	if (strcmp(name, "adjtimex") == 0)
		return syscall(SYS_adjtimex, 0);
	if (strcmp(name, "userfaultfd") == 0)
		return syscall(SYS_userfaultfd, 0);
	if (strcmp(name, "open_by_handle_at") == 0)
		return syscall(SYS_open_by_handle_at, -1, 0, 0);
	if (strcmp(name, "iopl") == 0)
		return syscall(SYS_iopl, 3);
	if (strcmp(name, "ioperm") == 0)
		return syscall(SYS_ioperm, 0, 1, 1);
	if (strcmp(name, "modify_ldt") == 0)
		return syscall(SYS_modify_ldt, 0, 0, 0);
	if (strcmp(name, "quotactl") == 0)
		return syscall(SYS_quotactl, 0, 0, 0, 0);
	if (strcmp(name, "fanotify_init") == 0)
		return syscall(SYS_fanotify_init, 0, 0);
	if (strcmp(name, "syslog") == 0)
		return syscall(SYS_syslog, 10, 0, 0);
	if (strcmp(name, "socket_unix") == 0)
		return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (strcmp(name, "socket_inet") == 0)
		return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (strcmp(name, "socket_inet6") == 0)
		return syscall(SYS_socket, AF_INET6, SOCK_DGRAM, 0);
	if (strcmp(name, "socket_netlink") == 0)
		return syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
	if (strcmp(name, "socket_packet") == 0)
		return syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
	if (strcmp(name, "socket_mptcp") == 0)
		return syscall(SYS_socket, AF_INET, SOCK_STREAM, 262);
	if (strcmp(name, "socket_sctp") == 0)	/* protocol 0: SCTP's type */
		return syscall(SYS_socket, AF_INET6, SOCK_SEQPACKET, 0);
	if (strcmp(name, "socket_raw") == 0)
		return syscall(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (strcmp(name, "socket_udp") == 0)
		return syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (strcmp(name, "socket_ping") == 0) {
		/* The filter lets it through; the kernel says EACCES unless
		 * net.ipv4.ping_group_range includes the group: both mean
		 * the policy allowed it. */
		long r = syscall(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);

		return r < 0 && errno == EACCES ? 0 : r;
	}
	if (strcmp(name, "socketpair_unix") == 0) {
		int sv[2];

		return syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
	}
	if (strcmp(name, "inotify_init1") == 0)
		return syscall(SYS_inotify_init1, 0);
	if (strcmp(name, "socket_highbits") == 0)	/* AF_INET | 1 << 32 */
		return syscall(SYS_socket, 0x100000002L, SOCK_STREAM, 0);
	if (strcmp(name, "clone3") == 0)
		return syscall(SYS_clone3, 0, 0);
	if (strcmp(name, "openat2") == 0)
		return syscall(SYS_openat2, AT_FDCWD, "/", 0, 0);
	if (strcmp(name, "io_uring_setup") == 0)
		return syscall(SYS_io_uring_setup, 1, 0);
	if (strcmp(name, "setuid") == 0)
		return syscall(SYS_setuid, 0);
	if (strcmp(name, "thread") == 0) {
		errno = pthread_create(&t, NULL, thread_main, NULL);
		if (errno != 0)
			return -1;
		return pthread_join(t, NULL) == 0 ? 0 : -1;
	}
	if (strcmp(name, "i386") == 0)
		return i386_getpid() < 0 ? -1 : 0;
	if (strcmp(name, "x32") == 0)	/* x32 getpid: bit 30 set */
		return syscall(0x40000000 | SYS_getpid);
	if (strcmp(name, "unknown") == 0)
		return syscall(1000);
	if (strcmp(name, "read") == 0) {
		long fd = syscall(SYS_openat, AT_FDCWD, param, O_RDONLY);

		return fd < 0 ? fd : close((int)fd);
	}
	if (strcmp(name, "listen") == 0) {
		long s = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);

		return s < 0 ? s : syscall(SYS_listen, s, 1);
	}
	if (strcmp(name, "repeat") == 0) {	/* the same call, N times */
		for (long i = 0; i < atol(param); i++) {
			long s = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);

			if (s < 0)
				return s;
			(void)close((int)s);
		}
		return 0;
	}
	if (strcmp(name, "flood") == 0) {
		for (long i = 0; i < atol(param); i++) {
			long s = syscall(SYS_socket, AF_INET, SOCK_STREAM, i);

			if (s >= 0)
				(void)close((int)s);
		}
		return 0;
	}
	errno = EDOM;
	return -1;
}

int
main(int argc, char *argv[])
{
	const char	*action = argc > 1 ? argv[1] : getenv("QUERY_STRING");
	long		 r;

	printf("Content-Type: text/plain\r\n\r\n");
	fflush(stdout);
	/* Through FastCGI there are no arguments: the query names it. */
	if (action == NULL || *action == '\0')
		return 2;
	if (argc > 2)
		param = argv[2];
	errno = 0;
	r = call(action);
	if (r < 0)
		printf("result=errno:%s\n", strerrorname_np(errno));
	else
		printf("result=ok\n");
	return 0;
}
