#!/usr/bin/python3
# CGI workload in Python: files, a subprocess, a thread, DNS, TCP.
import os, socket, subprocess, threading
print("Content-Type: text/plain\r\n\r\n", end="", flush=True)
port = int(os.environ.get("QUERY_STRING", "port=0").split("=")[1])
f = os.path.join(os.environ["HOME"], "work-py.txt")
with open(f, "w") as fh:
    fh.write("hello\n")
with open(f) as fh:
    if fh.read() == "hello\n":
        print("file ok")
print("subprocess", subprocess.run(["/usr/bin/env", "echo", "ok"],
      capture_output=True, text=True).stdout.strip())
box = []
t = threading.Thread(target=lambda: box.append(42))
t.start(); t.join()
if box == [42]:
    print("thread ok")
if socket.getaddrinfo("localhost", port, proto=socket.IPPROTO_TCP,
                      flags=socket.AI_ADDRCONFIG):
    print("dns ok")
try:
    s = socket.create_connection(("localhost", port), timeout=5)
    print("tcp", s.recv(16).decode().strip())
except OSError as e:
    print("tcp failed:", e)
