#!/bin/bash
# Real interpreters under the default policy: sh, bash, Perl, Python and
# PHP (php-cgi) scripts read and write files, run a subprocess, start a
# thread, resolve localhost and connect to a TCP listener on 127.0.0.1.
# The same scripts lose the network under strict.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
W=$TOP/tests/e2e/workloads
for s in work.sh work.bash work.pl work.py work.php; do
	put_script "$ALICE" "$D/$s" 0755 "$W/$s"
done
coproc LISTENER { exec python3 "$W/listener.py" 2>/dev/null; }
read -r PORT <&"${LISTENER[0]}"
[ -n "$PORT" ] || bail "listener did not start"

expect() {	# expect SCRIPT LINE...: each line is in the output
	local s=$1; shift
	run "$D" QUERY_STRING="port=$PORT" REDIRECT_STATUS=200 \
	    SCRIPT_FILENAME="$D/$s" REQUEST_METHOD=GET -- "$ALICE" "$ALICE" "$s"
	is "$RC" 0 "$s runs under the ${POLICY:-default} policy"
	for l in "$@"; do
		like "$OUT" "^$l\$" "$s: $l"
	done
}

expect work.sh "file ok" "pipe xyz" "subprocess ok" "dns ok" "tcp pong"
expect work.bash "file ok" "subprocess ok" "dns ok" "tcp pong"
expect work.pl "file ok" "subprocess ok" "thread ok" "dns ok" "tcp pong"
expect work.py "file ok" "subprocess ok" "thread ok" "dns ok" "tcp pong"
expect work.php "file ok" "subprocess ok" "dns ok" "tcp pong"

write_conf "policy strict"
POLICY=strict
expect work.py "file ok" "subprocess ok" "thread ok" "tcp failed: .*ddress family not supported.*"
expect work.pl "file ok" "thread ok" "tcp failed: .*"
expect work.php "file ok" "tcp failed: .*"
unlike "$OUT" "tcp pong" "strict: php got no connection"
kill "$LISTENER_PID" 2>/dev/null
done_testing
