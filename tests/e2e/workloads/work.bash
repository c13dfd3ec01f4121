#!/bin/bash
# CGI workload in bash: files, a subprocess, bash's own /dev/tcp.
printf 'Content-Type: text/plain\r\n\r\n'
port=${QUERY_STRING#port=}
f="$HOME/work-bash.txt"
echo hello > "$f" && [ "$(< "$f")" = hello ] && echo "file ok"
echo "subprocess $(/usr/bin/date +%Y >/dev/null && echo ok)"
getent hosts localhost >/dev/null && echo "dns ok"
if exec 3<>"/dev/tcp/localhost/$port"; then
	read -r reply <&3
	echo "tcp $reply"
else
	echo "tcp failed"
fi
