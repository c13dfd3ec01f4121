#!/usr/bin/python3
"""peek.cgi: bob's script in the cgibox demo.

It does two things a compromised or hostile CGI script would try, and
reports how each ended:

1. read another user's configuration file, cgbdemo-alice's ~/wiki.conf,
   which is world-readable on disk (mode 0644): only cgibox's Landlock
   confinement stands in the way;
2. call ptrace(PTRACE_TRACEME), the first step to reading and steering
   other processes, in a child process: cgibox's default seccomp policy
   kills a process that calls ptrace, so the child dies of SIGSYS and this
   script lives to report it.
"""

import ctypes
import os
import pwd
import signal
import stat
import sys

PTRACE_TRACEME = 0


def say(line=""):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def try_read(path):
    try:
        st = os.stat(path)
        say(f"   on disk: owner {pwd.getpwuid(st.st_uid).pw_name},"
            f" mode {stat.S_IMODE(st.st_mode):04o}"
            f"{' (world-readable)' if st.st_mode & stat.S_IROTH else ''}")
    except OSError as e:
        say(f"   stat: {e.strerror}")
    try:
        with open(path, "rb") as f:
            data = f.read(200)
    except OSError as e:
        say(f"   open: {e.strerror} (errno {e.errno})")
        say("   => read STOPPED")
        return
    say(f"   read {len(data)} bytes: {data.splitlines()[0] if data else b''!r}")
    say("   => read NOT STOPPED")


def try_ptrace():
    libc = ctypes.CDLL(None, use_errno=True)
    pid = os.fork()
    if pid == 0:
        rc = libc.ptrace(PTRACE_TRACEME, 0, None, None)
        os._exit(0 if rc == 0 else 1)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        say(f"   child {pid} was killed by signal {sig} ({signal.Signals(sig).name})")
        say("   => ptrace STOPPED")
    elif os.WEXITSTATUS(status) == 1:
        say(f"   child {pid}: ptrace failed but the child lived")
        say("   => ptrace STOPPED (error, not kill)")
    else:
        say(f"   child {pid}: ptrace returned 0")
        say("   => ptrace NOT STOPPED")


def main():
    sys.stdout.write("Content-Type: text/plain; charset=utf-8\r\n\r\n")
    me = pwd.getpwuid(os.getuid())
    say(f"peek.cgi runs as {me.pw_name} (uid {os.getuid()}, gid {os.getgid()})")
    target = os.path.join(pwd.getpwnam("cgbdemo-alice").pw_dir, "wiki.conf")
    say(f"1. read cgbdemo-alice's {target}")
    try_read(target)
    say("2. ptrace(PTRACE_TRACEME) in a child process")
    try_ptrace()


if __name__ == "__main__":
    main()
