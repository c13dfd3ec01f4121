#!/bin/bash
# cgiboxd: the FastCGI front end, spoken to directly with the in-tree
# client.  The same pipeline as the launcher (the target is the script's
# owner, the same checks, the same confinement), privilege separation
# between listener, monitor and relay, the protocol (keep-alive,
# GET_VALUES, unknown types and roles, no multiplexing, every malformed
# record), aborts and vanishing peers, caps, configuration edits, and a
# daemon that survives all of it.
. "$(dirname "$0")/lib.sh"
setup
need python3

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
user_dir "$BOB" "$T/www/bob"
put_script "$ALICE" "$D/probe.cgi" 0755
put_script "$BOB" "$T/www/bob/probe.cgi" 0755
put_script "$ALICE" "$D/iso.py" 0755 "$TOP/tests/e2e/workloads/iso.py"
put_script "$ALICE" "$D/open.cgi" 0757
script() {	# script USER PATH BODY: a #!/bin/sh CGI
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\n%s\n' "$3" > "$T/s"
	put_script "$1" "$2" 0755 "$T/s"
}
script "$ALICE" "$D/echo.cgi" 'cat'
script "$ALICE" "$D/slow.cgi" 'echo started; sleep 30; echo done'
script "$ALICE" "$D/slow2.cgi" 'echo started; sleep 2; echo done'
script "$ALICE" "$D/tree.cgi" 'setsid sleep 1000 >/dev/null 2>&1 &
sleep 1001 >/dev/null 2>&1 &
echo started; sleep 1002'
script "$ALICE" "$D/err.cgi" 'printf "plain line\\n2026/12/01 10:00:00 [error] 7#7: *9 user \\"admin\\" was not found in \\"/x\\", client: 203.0.113.9, server: x\\n\\033[2Jescape\\n" >&2; echo ok'
script "$BOB" "$T/www/bob/slow.cgi" 'echo started; sleep 30'
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }
alice_procs() { pgrep -u "$ALICE" | wc -l; }
A="SCRIPT_FILENAME=$D"
daemon_alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }

# ---- starting --------------------------------------------------------------
start_cgiboxd
is "$(stat -c '%a %U:%G' "$SOCK")" "660 root:$CALLER" "the socket is 0660 root and the caller's group"
is "$(stat -c '%a %U' "$T/run/cgibox")" "755 root" "its directory is reachable, root's alone"
out=$(runuser -u "$ALICE" -- "$BUILD/cgiboxd" -f 2>&1); rc=$?
ok $(( rc == 1 ? 0 : 1 )) "cgiboxd refuses to start without root ($out)"
like "$("$BUILD/cgiboxd" -V)" "^cgiboxd [0-9.]+" "cgiboxd -V prints its version"

# ---- a request, the same pipeline as the launcher -----------------------------
fcgi "$A/probe.cgi" "REQUEST_METHOD=GET" "QUERY_STRING=a=1" "HTTP_PROXY=http://evil/" \
    "HTTP_X_FOO=bar" "LD_PRELOAD=/tmp/x.so" "REMOTE_ADDR=192.0.2.7" "REQUEST_URI=/x"
like "$ERR" "^end 0 0\$" "a request ends with END_REQUEST, status 0, REQUEST_COMPLETE"
is "$(val uid)" "$ALICE_UID,$ALICE_UID,$ALICE_UID" "the script runs as its owner"
like "$OUT" "^Seccomp=2\$" "under its seccomp filter"
is "$(val pid):$(val ppid)" 2:1 "in a PID namespace of its own"
like "$OUT" "^env:QUERY_STRING=a=1\$" "CGI variables pass"
like "$OUT" "^env:HTTP_X_FOO=bar\$" "HTTP_* passes"
unlike "$OUT" "^env:HTTP_PROXY=" "HTTP_PROXY does not (httpoxy)"
unlike "$OUT" "^env:LD_PRELOAD=" "nor what the whitelist leaves out"
like "$OUT" "^env:SCRIPT_FILENAME=$D/probe.cgi\$" "SCRIPT_FILENAME is the checked path"
like "$(grep 'cmd=[^ ]*probe.cgi' "$LOG" | tail -n 2 | head -n 1)" \
    "event=exec .*caller=$CALLER user=$ALICE .*remote_addr=192\\.0\\.2\\.7 request_method=GET request_uri=/x" \
    "the exec line is the launcher's, with the request's fields"
like "$(last_log)" "event=exit .*status=0 cpu_ms=[0-9]+ max_rss_kb=[0-9]+ wall_ms=[0-9]+" \
    "and an accounting line follows"
printf 'a\0b\r\n\377c' > "$T/body"
FCGI_KEEP=$T/echoed fcgi -b "$T/body" "$A/echo.cgi" "REQUEST_METHOD=POST"
tail -c "$(stat -c %s "$T/body")" "$T/echoed" | cmp -s - "$T/body"
ok $? "FCGI_STDIN becomes the script's stdin, byte for byte, then EOF"
echo bob > "$T/www/bob/secret.txt"; chmod 0644 "$T/www/bob/secret.txt"
fcgi "$A/iso.py" "QUERY_STRING=read=$T/www/bob/secret.txt"
like "$OUT" "EACCES" "Landlock: another user's site is out of reach"
fcgi "$A/open.cgi"
like "$OUT" "^Status: 403 Forbidden" "a world-writable script: a FastCGI response with Status: 403"
id=$(printf '%s' "$OUT" | sed -n 's/^request id: \([0-9a-f]*\).*/\1/p' | tr -d '\r')
like "$(grep "request_id=$id " "$LOG")" "event=deny reason=file-writable" "its page's request id is its log line's"
like "$ERR" "^end 118 0\$" "END_REQUEST carries the reason's code"
fcgi "SCRIPT_FILENAME=relative/x.cgi"
like "$(last_log)" "reason=bad-command" "a relative SCRIPT_FILENAME is refused"
fcgi "REQUEST_METHOD=GET"
like "$(last_log)" "reason=usage .*no SCRIPT_FILENAME" "no SCRIPT_FILENAME is refused as usage"
like "$OUT" "^Status: 500" "with a 500"

# ---- who runs what --------------------------------------------------------------
fcgi -c 1500 "$A/slow.cgi" & BG=$!
sleep 0.5
relay=$(pgrep -u "$CALLER" -f "^$BUILD/cgiboxd" | head -n 1)
ok $(( ${relay:-0} > 0 ? 0 : 1 )) "the relay runs as the caller, $CALLER"
like "$(grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' /proc/"$relay"/status | tr -s '\t' ' ' | tr '\n' ' ')" \
    "CapEff: 0+ NoNewPrivs: 1 Seccomp: 2" "without capabilities, with no_new_privs and a seccomp filter"
monitor=$(ps -o ppid= -p "$relay" | tr -d ' ')
is "$(stat -c %u /proc/"$monitor")" 0 "its monitor is root"
is "$(ps -o ppid= -p "$monitor" | tr -d ' ')" "$DAEMON_PID" "and a child of the listener"
kill -0 "$relay" 2>/dev/null && runuser -u "$ALICE" -- kill -TERM "$relay" 2>/dev/null
ok $(kill -0 "$relay" 2>/dev/null; echo $?) "the script's owner cannot signal the relay"
wait "$BG"
sleep 0.5
is "$(alice_procs)" 0 "the client went away: the request was killed, nothing of it left"
like "$(grep 'cmd=[^ ]*slow.cgi' "$LOG" | tail -n 1)" "event=abort .*signal=9" "logged as event=abort"

# ---- the caller alone ------------------------------------------------------------
FCGI_AS=$BOB fcgi "$A/probe.cgi"
like "$(last_log)" "event=deny reason=caller-mismatch .*peer uid $BOB_UID is not the caller" \
    "a peer other than the caller is refused and logged"
like "$ERR" "eof" "and its connection closed"
FCGI_AS=0 fcgi "$A/probe.cgi"
like "$(last_log)" "reason=caller-mismatch" "root is not the caller either"

# ---- the protocol -----------------------------------------------------------------
fcgi -V -n 0
like "$ERR" "^values FCGI_MAX_CONNS=64 FCGI_MPXS_CONNS=0 FCGI_MAX_REQS=64" \
    "FCGI_GET_VALUES is answered: connections, no multiplexing"
raw() {	# raw CASE: a hand-made stream; ERR holds what came back
	python3 "$TOP/tests/fcgi/records.py" "$1" "$D/probe.cgi" > "$T/raw"
	fcgi -w 3 -R "$T/raw"
}
raw unknowntype
like "$ERR" "unknown-type 12" "a management record of an unknown type gets FCGI_UNKNOWN_TYPE"
like "$ERR" "unknown-type 30" "and an application record of one"
like "$ERR" "end 0 0" "and the request after them runs"
raw role
like "$ERR" "^end 0 3\$" "a role other than responder: FCGI_UNKNOWN_ROLE"
raw mpx
like "$ERR" "end 0 1" "a second request on a connection: FCGI_CANT_MPX_CONN"
like "$ERR" "end 0 0" "while the first runs"
raw padded
like "$ERR" "end 0 0" "padded records are read"
raw keepalive
like "$ERR" "end 0 0" "FCGI_KEEP_CONN: the request runs"
like "$ERR" "timeout" "and the connection stays open"
n=0
for c in badversion beginlen bigparams longbody badlength garbage stdout nul; do
	lines=$(log_lines)
	raw "$c"
	like "$ERR" "eof" "malformed ($c): the connection ends"
	like "$(tail -n +$((lines + 1)) "$LOG")" "reason=fcgi-invalid" "malformed ($c): logged as fcgi-invalid"
	daemon_alive && n=$((n + 1))
done
is "$n" 8 "the daemon survives every malformed stream"
fcgi -k -n 3 "$A/probe.cgi"
is "$(printf '%s\n' "$ERR" | grep -c '^end 0 0$')" 3 "three requests on one kept connection"
fcgi "$A/err.cgi"
like "$ERR" "stderr: cgibox request_id=[0-9a-f]+: plain line" "each stderr line is one FCGI_STDERR record, prefixed"
like "$ERR" "stderr: cgibox request_id=[0-9a-f]+: 2026/12/01 10:00:00 \\[error\\]" \
    "a forged server log line stays behind the prefix"
like "$ERR" 'stderr: cgibox request_id=[0-9a-f]+: \\x1b\[2Jescape' "control bytes are escaped"

# ---- aborts, vanishing peers, timeouts ---------------------------------------------
fcgi -a 500 "$A/tree.cgi"
like "$ERR" "end " "FCGI_ABORT_REQUEST ends the request"
sleep 0.3
is "$(alice_procs)" 0 "and everything the script started, setsid included"
like "$(last_log)" "event=abort " "logged as event=abort"
write_conf "timeout 2"
fcgi "$A/tree.cgi"
like "$(last_log)" "event=timeout " "timeout applies as in the launcher"
sleep 0.3
is "$(alice_procs)" 0 "and leaves nothing behind"

# ---- the configuration, read for every request ------------------------------------
write_conf "policy strict"
fcgi "$A/iso.py" "QUERY_STRING=connect=1"
like "$(grep 'cmd=[^ ]*iso.py' "$LOG" | tail -n 2 | head -n 1)" "policy=strict" "an edit applies to the next request"
printf 'bogus keyword\n' >> "$CONF"
fcgi "$A/probe.cgi"
like "$OUT" "^Status: 500" "an invalid configuration: 500"
like "$(last_log)" "reason=config-invalid" "and a log line"
ok $(daemon_alive; echo $?) "the daemon keeps running"
write_conf ""
sed -i 's/^error-page yes$/error-page no/' "$CONF"
fcgi "$A/probe.cgi"
like "$ERR" "^end 0 0\$" "fixed: it serves again"
fcgi "$A/open.cgi"
is "$(printf '%s' "$OUT" | tr -d '\r')" "Status: 403 Forbidden
Content-Type: text/plain; charset=utf-8
Cache-Control: no-store" "error-page no: the status alone, no page"

# ---- caps: one user cannot starve another -------------------------------------------
write_conf "max-requests 2"
BGS=
for i in 1 2 3; do fcgi -c 4000 "$A/slow.cgi" & BGS="$BGS $!"; done
sleep 1
fcgi "$A/slow.cgi"
like "$OUT" "^Status: 503" "alice's third request beyond max-requests 2: 503"
like "$OUT" "Retry-After: 5" "with Retry-After"
like "$(last_log)" "reason=busy" "logged as busy"
fcgi "SCRIPT_FILENAME=$T/www/bob/probe.cgi"
like "$ERR" "^end 0 0\$" "bob is served while alice's slow scripts run"
wait $BGS
write_conf ""
stop_cgiboxd
# Without max-requests each user may take a quarter of the global cap.
printf 'fcgi-max-connections 8\n' >> "$CONF"
start_cgiboxd
BGS=
for i in 1 2 3; do fcgi -c 4000 "$A/slow.cgi" & BGS="$BGS $!"; done
sleep 1
fcgi "$A/probe.cgi"
like "$OUT" "^Status: 503" "no max-requests: alice gets at most 8/4 = 2 at once"
fcgi "SCRIPT_FILENAME=$T/www/bob/probe.cgi"
like "$ERR" "^end 0 0\$" "bob still gets his"
wait $BGS
BGS=
for i in 1 2 3 4 5 6 7 8; do fcgi -I 3000 & BGS="$BGS $!"; done
sleep 1
fcgi "$A/probe.cgi"
like "$OUT" "^Status: 503" "the global cap: a ninth connection is answered 503"
like "$(last_log)" "reason=busy .*fcgi-max-connections" "and logged so"
wait $BGS
write_conf ""
stop_cgiboxd
start_cgiboxd

# ---- slow peers, killed children, the long run ----------------------------------------
fcgi -S 200 "$A/probe.cgi" & SLOWPEER=$!
sleep 0.5
t0=$(date +%s%N)
fcgi "$A/probe.cgi"
t1=$(date +%s%N)
like "$ERR" "^end 0 0\$" "a peer that sends a byte every 200 ms"
ok $(( (t1 - t0) / 1000000 < 2000 ? 0 : 1 )) "does not delay another request ($(( (t1 - t0) / 1000000 )) ms)"
kill "$SLOWPEER" 2>/dev/null; wait "$SLOWPEER" 2>/dev/null
for who in monitor relay; do
	fcgi -c 2000 "$A/slow.cgi" & BG=$!
	sleep 0.5
	relay=$(pgrep -u "$CALLER" -f "^$BUILD/cgiboxd" | head -n 1)
	victim=$relay
	[ "$who" = monitor ] && victim=$(ps -o ppid= -p "$relay" | tr -d ' ')
	kill -KILL "$victim"
	wait "$BG"
	sleep 0.3
	fcgi "$A/probe.cgi"
	like "$ERR" "^end 0 0\$" "kill -9 of a $who: the daemon serves on"
	is "$(alice_procs)" 0 "and the killed $who's request left nothing"
done
fds() { ls /proc/"$DAEMON_PID"/fd | wc -l; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$DAEMON_PID"/status; }
fcgi -q -n 200 "$A/probe.cgi"
f1=$(fds); r1=$(rss)
fcgi -q -n 1000 "$A/probe.cgi"
fcgi -q -k -n 1000 "$A/probe.cgi"
f2=$(fds); r2=$(rss)
is "$f2" "$f1" "the listener's descriptors after 2,000 more requests: as before"
is "$r2" "$r1" "its resident memory too (${r1} KB)"
is "$(pgrep -f "^$BUILD/cgiboxd" | wc -l)" 1 "every child reaped"
# One kept connection's monitor serves request after request: what each
# one took (the slot, the script's descriptors) it gives back.  Sampled
# twice while the client runs; a sample may fall inside a request, which
# holds a few descriptors for its pipes, hence the margin.
setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups -- \
    "$BUILD/fcgi-client" -q -k -n 100000 "$SOCK" "$A/probe.cgi" \
    REQUEST_METHOD=GET >/dev/null 2>&1 &
BG=$!
for _ in $(seq 1 50); do
	mon=$(pgrep -P "$DAEMON_PID" | head -n 1)
	[ -n "$mon" ] && break
	sleep 0.1
done
mfds() { ls /proc/"$mon"/fd | wc -l; }
mrss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$mon"/status; }
sleep 1
m1=$(mfds); mr1=$(mrss); l1=$(log_lines)
sleep 3
m2=$(mfds); mr2=$(mrss); l2=$(log_lines)
kill "$BG"; wait "$BG" 2>/dev/null
ok "$([ $((l2 - l1)) -ge 100 ]; echo $?)" "a kept connection served $((l2 - l1)) requests between the samples"
ok "$([ "$m2" -le $((m1 + 6)) ]; echo $?)" "its monitor's descriptors stay flat ($m1, then $m2)"
if [ -n "${CGIBOX_SANITIZE:-}" ]; then
	ok 0 "and its memory # SKIP ASan's quarantine holds freed memory by design"
else
	ok "$([ "$mr2" -le $((mr1 + 256)) ]; echo $?)" "and its memory ($mr1 KB, then $mr2 KB)"
fi

# ---- socket activation ---------------------------------------------------------------
stop_cgiboxd
need systemd-socket-activate
rm -f "$SOCK"
systemd-socket-activate -l "$SOCK" -- "$BUILD/cgiboxd" -f 2>>"$T/cgiboxd.err" &
DAEMON_PID=$!
sleep 0.5
chgrp "$CALLER" "$SOCK"; chmod 0660 "$SOCK"
fcgi "$A/probe.cgi"
like "$ERR" "^end 0 0\$" "with systemd's socket (LISTEN_FDS)"

# ---- a flood of stderr lines: every one relayed, and the end too ---------------------
script "$ALICE" "$D/errflood.cgi" 'head -c 300000 /dev/zero | tr "\\0" "\\n" >&2; echo out-done'
setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups -- \
    "$BUILD/fcgi-client" "$SOCK" "$A/errflood.cgi" >"$T/flood.out" 2>"$T/flood.err"
is "$(grep -c '^stderr: cgibox request_id=[0-9a-f]*: $' "$T/flood.err")" 300000 \
    "300,000 empty stderr lines: each one an escaped record, none dropped"
is "$(grep -c '^end 0 0$' "$T/flood.err"):$(tr -d '\000' < "$T/flood.out" | grep -c out-done)" "1:1" \
    "and stdout and END_REQUEST after them"

# ---- shutting down --------------------------------------------------------------------
fcgi "$A/slow2.cgi" &
REQ=$!
sleep 0.5
kill -TERM "$DAEMON_PID"
sleep 0.3
fcgi "$A/probe.cgi"
ok $(( RC != 0 ? 0 : 1 )) "SIGTERM: no new connection is taken"
wait "$REQ"
like "$(grep 'cmd=[^ ]*slow2.cgi' "$LOG" | tail -n 1)" "event=exit .*status=0" "the running request finishes"
wait "$DAEMON_PID"; rc=$?
is "$rc" 0 "then the daemon exits 0"
DAEMON_PID=
done_testing
