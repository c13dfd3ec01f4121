#!/usr/bin/python3
# The hostile review's attacks, as a CGI: each argument ACTION=TARGET is
# tried and reported as one "ACTION=TARGET: ok" or "...: ERRNAME" line
# (ok meaning the attack got through), in the order given.
import ctypes, errno, os, socket, stat, sys, time

libc = ctypes.CDLL(None, use_errno=True)
IPPROTO_MPTCP = 262


def check(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def mptcp_listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(port)))
    s.listen(1)
    s.settimeout(3)
    c, _ = s.accept()	# the test connects from outside
    c.close()


def mptcp_connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.settimeout(3)
    s.connect(("127.0.0.1", int(port)))
    s.recv(16)


def listen_unbound(_):
    # listen() without bind(): the kernel picks a port.  Report it and
    # wait for the test to try it from outside.
    s = socket.socket()
    s.listen(1)
    print(f"port={s.getsockname()[1]}", flush=True)
    s.settimeout(3)
    c, _ = s.accept()
    c.close()


def listen_unix(path):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(1)


def watch(path):
    # inotify on another user's directory: report what happens there.
    fd = check(libc.inotify_init1(0))
    check(libc.inotify_add_watch(fd, path.encode(), 0x100 | 0x20))


def setid_chmod(path):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(path, 0o4755)


def setid_create(path):
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o6755))


def setid_mknod(path):
    os.mknod(path, stat.S_IFREG | 0o4755)


def setid_fchmodat2(path):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
    # fchmodat2(AT_FDCWD, path, mode, 0): glibc 2.36 has no wrapper.
    check(libc.syscall(452, -100, path.encode(), 0o2755, 0))


def connect_unix(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)


def read(path):
    open(path).read()


def fsize(_):
    # Report the file size limit this script runs with.
    import resource
    print(f"fsize={resource.getrlimit(resource.RLIMIT_FSIZE)[0]}", flush=True)


ACTIONS = {
    "mptcp-listen": mptcp_listen, "mptcp-connect": mptcp_connect,
    "listen-unbound": listen_unbound, "listen-unix": listen_unix,
    "watch": watch, "setid-chmod": setid_chmod,
    "setid-create": setid_create, "setid-mknod": setid_mknod,
    "setid-fchmodat2": setid_fchmodat2, "connect-unix": connect_unix,
    "read": read, "fsize": fsize,
}

print("Content-Type: text/plain\r\n\r\n", end="", flush=True)
for arg in sys.argv[1:]:
    what, _, target = arg.partition("=")
    try:
        ACTIONS[what](target)
        print(f"{arg}: ok", flush=True)
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else \
            type(e).__name__
        print(f"{arg}: {name}", flush=True)
