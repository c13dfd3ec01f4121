#!/usr/bin/python3
# Isolation probe CGI: performs the actions named in argv and prints one
# "ACTION: ok" or "ACTION: ERRNAME" line for each.
import errno, os, socket, sys
print("Content-Type: text/plain\r\n\r\n", end="")
# Under cgiboxd there are no arguments: the actions come in the query.
args = sys.argv[1:] or [a for a in os.environ.get("QUERY_STRING", "").split("&")
                        if a]
for arg in args:
    what, _, target = arg.partition("=")
    try:
        if what == "read":
            open(target).read()
        elif what == "list":
            os.listdir(target)
        elif what == "write":
            with open(target, "w") as f:
                f.write("x")
        elif what == "exists":
            if not os.path.exists(target):
                raise OSError(errno.ENOENT, "absent")
        elif what == "connect":
            socket.create_connection(("127.0.0.1", int(target)), timeout=5).close()
        elif what == "bind":
            s = socket.socket()
            s.bind(("127.0.0.1", int(target)))
            s.close()
        elif what == "kill":
            os.kill(int(target), 0)
        elif what == "abstract":
            s = socket.socket(socket.AF_UNIX)
            s.connect("\0" + target)
        print(f"{arg}: ok")
    except OSError as e:
        print(f"{arg}: {errno.errorcode.get(e.errno, e.errno)}")
