# A bounded TCP listener for the workload tests: answers "pong" to each
# connection on 127.0.0.1, prints its port, and exits after 120 s or 100
# connections, whichever comes first.
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
s.settimeout(1)
print(s.getsockname()[1], flush=True)
end, n = time.time() + 120, 0
while time.time() < end and n < 100:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.sendall(b"pong\n")
    c.close()
    n += 1
