#!/bin/sh
# CGI workload in sh: files, a pipe, a subprocess, the network (via the
# listener the test runs; PORT comes from QUERY_STRING).
printf 'Content-Type: text/plain\r\n\r\n'
port=${QUERY_STRING#port=}
f="$HOME/work-sh.txt"
echo hello > "$f" && [ "$(cat "$f")" = hello ] && echo "file ok"
echo "pipe $(echo abc | tr a-c x-z)"
echo "subprocess $(/usr/bin/env true && echo ok)"
getent hosts localhost >/dev/null && echo "dns ok"
reply=$(python3 -c "import socket,sys; s=socket.create_connection(('localhost', $port)); print(s.recv(16).decode())" 2>&1)
echo "tcp $reply"
