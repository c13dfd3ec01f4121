#!/bin/bash
# cgiboxd over a long run: the daemon's resident memory, open descriptors
# and children when idle, after 1,000 requests and after LONG_REQUESTS
# (100,000 unless set), sent by four clients at once (two on kept
# connections, two with a connection per request) with everything on.
# Sourced by run.sh after its setup; prints one table.
printf 'caller %s\ndocroot %s\nlog-file %s\n' "$CALLER" "$T/www" "$LOG" > "$CONF"
start_cgiboxd
trap 'stop_cgiboxd; rm -rf "$SX"; cleanup' EXIT
LONG=${LONG_REQUESTS:-100000}
state() {	# state LABEL: one row for the daemon as it is now
	local rss fds kids
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status")
	fds=$(find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l)
	kids=$(pgrep -P "$DAEMON_PID" | wc -l)
	echo "| $1 | $rss | $fds | $kids |"
}
load() {	# load N: N requests, from four clients at once
	local each=$(($1 / 4)) k pids=()
	for k in 1 2 3 4; do
		setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups -- \
		    "$BUILD/fcgi-client" -q -n "$each" $([ $((k % 2)) = 0 ] && echo -k) \
		    "$SOCK" "SCRIPT_FILENAME=$D/hello.cgi" REQUEST_METHOD=GET \
		    >/dev/null 2>"$T/load-$k.err" &
		pids+=($!)
	done
	for k in "${pids[@]}"; do
		wait "$k" || bail "a client failed: $(grep -v '^end' "$T"/load-*.err | head -n 3)"
	done
	# Every monitor has ended when its connection closed.
	for _ in $(seq 1 50); do
		[ "$(pgrep -P "$DAEMON_PID" | wc -l)" = 0 ] && break
		sleep 0.1
	done
}
echo "| cgiboxd, the listening process | RSS KB | descriptors | children |"
echo "|---|---|---|---|"
sleep 0.5
state "idle, just started"
load 1000
state "after 1,000 requests"
t0=$(date +%s)
load $((LONG - 1000))
t1=$(date +%s)
state "after $LONG requests ($((t1 - t0)) s)"
stop_cgiboxd
