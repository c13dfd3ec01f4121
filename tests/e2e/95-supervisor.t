#!/bin/bash
# The supervisor: wall-clock timeout, passing on the web server's SIGTERM,
# accounting, the per-user concurrency cap; and when neither timeout nor
# max-requests applies, no supervisor: cgibox stays only as the script's
# parent, to relay its stderr, pass signals on and exit as it did.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
BD=$T/www/bob
user_dir "$BOB" "$BD"
put_script "$ALICE" "$D/probe.cgi" 0755
script() {	# script NAME BODY: a #!/bin/sh CGI of alice's
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\n%s\n' "$2" > "$T/s"
	put_script "$ALICE" "$D/$1" 0755 "$T/s"
}
alice_procs() {	# processes of alice's this test started (sleep, sh)
	pgrep -u "$ALICE" -f '^(sleep|/bin/sh|sh) ' | wc -l
}
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }
now() { date +%s%N | cut -c1-13; }

# By default no supervisor: cgibox is the script's parent, with no PID
# namespace and no final line.
n=$(log_lines)
run "$D" -- "$ALICE" "$ALICE" probe.cgi
like "$RC:$(val parent_comm)" "^0:[^?]" "the probe reports its parent"
is "$(val parent_comm)" cgibox "no timeout, no cap: the script's parent is cgibox, the process the server started"
unlike "$(val pid):$(val ppid)" "^2:1$" "and the script is in no PID namespace of its own"
unlike "$(tail -n +$((n + 1)) "$LOG")" "event=exit" "and no final line is logged"
# It ends as the script ended.
script three.cgi 'exit 3'
run "$D" -- "$ALICE" "$ALICE" three.cgi
is "$RC" 3 "cgibox exits with the script's status"
script segv.cgi 'kill -SEGV $$'
run "$D" -- "$ALICE" "$ALICE" segv.cgi
is "$RC" 139 "and dies of the signal that killed the script (128+11 in the shell)"
# The parent is the target, as the script executed in place was: the web
# server's signals are refused as they were (mod_cgid waits for a CGI it
# may signal until the process is reaped); root's, as mod_fcgid's process
# manager sends them, reach the script through it.
script term.cgi 'trap "echo got-term >&2; exit 7" TERM
echo waiting
while :; do sleep 0.1; done'
(cd "$D" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" term.cgi >/dev/null 2>"$T/term.err") &
LPID=$!
sleep 0.7
setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups -- kill -TERM "$LPID" 2>/dev/null
is "$?" 1 "the caller may not signal the script's parent, as it could not signal the script"
runuser -u "$ALICE" -- cat "/proc/$LPID/environ" >/dev/null 2>&1
is "$?" 1 "alice may not read its memory or environment (not dumpable)"
kill -TERM "$LPID"
wait "$LPID"
is "$?" 7 "root's SIGTERM reached the script's trap, and its status came back"
like "$(cat "$T/term.err")" "^cgibox request_id=[0-9a-f]+: got-term\$" \
    "what the trap wrote to stderr came through the relay"
# A script that leaves a process behind holding stderr does not keep the
# web server waiting: cgibox ends with the script.
script bgerr.cgi 'sleep 30 >/dev/null &
echo started'
run "$D" -- "$ALICE" "$ALICE" bgerr.cgi
is "$RC" 0 "a script that leaves sleep 30 behind ends"
is "$(pgrep -u "$ALICE" -x sleep | wc -l)" 1 "and cgibox with it, while the sleep still holds its stderr"
pkill -u "$ALICE" -x sleep 2>/dev/null
write_conf "timeout 30"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$(val parent_comm)" cgibox "with a timeout the script's parent is cgibox, the init of its PID namespace"
is "$(val pid):$(val ppid)" 2:1 "the script is process 2 of a PID namespace of its own"
like "$(last_log)" "event=exit .*status=0 cpu_ms=[0-9]+ max_rss_kb=[1-9][0-9]* wall_ms=[0-9]+" \
    "a supervised request ends with an exit line"

# Timeout: a script that sleeps forever is killed.
write_conf "timeout 2"
script sleeper.cgi 'echo started; sleep 1000'
t0=$(now)
run "$D" -- "$ALICE" "$ALICE" sleeper.cgi
t1=$(now)
is "$RC" 143 "sleeping script: killed by SIGTERM at the timeout (exit 128+15)"
ok $(( t1 - t0 < 6000 ? 0 : 1 )) "and within the timeout plus the grace period ($((t1 - t0)) ms)"
like "$(last_log)" "event=timeout .*signal=15 " "the log says event=timeout"
is "$(alice_procs)" 0 "no process of alice's is left"

# A background child, and one that escaped with setsid, do not outlive
# the script: its exit ends the request and the PID namespace with it.
script bg.cgi 'sleep 1000 >/dev/null 2>&1 &
setsid sleep 1001 >/dev/null 2>&1 &
echo done'
t0=$(now)
run "$D" -- "$ALICE" "$ALICE" bg.cgi
t1=$(now)
is "$RC" 0 "the script itself exits 0"
like "$OUT" "done" "and answers at once"
ok $(( t1 - t0 < 1500 ? 0 : 1 )) "the request ends with the script ($((t1 - t0)) ms)"
is "$(alice_procs)" 0 "no background child of alice's is left (setsid included)"
like "$(last_log)" "event=exit .*status=0" "logged as an exit with the script's status"

# rlimits under supervision, each with its log line.
write_conf "timeout 20
limit cpu 1"
script spin.cgi 'while :; do :; done'
run "$D" -- "$ALICE" "$ALICE" spin.cgi
is "$RC" 152 "a CPU loop is stopped by limit cpu (SIGXCPU at the soft limit, exit 128+24)"
like "$(last_log)" "event=exit .*signal=24 cpu_ms=[0-9]{3,}" "logged with its signal and CPU time"
write_conf "timeout 3
limit nproc 20"
script bomb.cgi 'while :; do sleep 30 & done'
run "$D" -- "$ALICE" "$ALICE" bomb.cgi
like "$(last_log)" "event=(exit|timeout)" "a fork bomb runs into limit nproc and ends"
sleep 1
is "$(alice_procs)" 0 "and leaves no process behind"
uptime >/dev/null; ok $? "the machine stays responsive"
write_conf "timeout 20
limit as 256M"
printf '#!/usr/bin/python3\nprint("Content-Type: text/plain\\r\\n\\r\\n", end="", flush=True)\nx = bytearray(1 << 30)\n' > "$T/s"
put_script "$ALICE" "$D/hog.cgi" 0755 "$T/s"
run "$D" -- "$ALICE" "$ALICE" hog.cgi
is "$RC" 1 "a memory hog fails under limit as (MemoryError, exit 1)"
like "$(last_log)" "event=exit .*status=1 " "logged with its status"

# Accounting of a normal script.
write_conf "timeout 20"
printf '#!/usr/bin/python3\nimport time\nprint("Content-Type: text/plain\\r\\n\\r\\n", end="")\nsum(i * i for i in range(300000))\ntime.sleep(0.3)\nprint("ok")\n' > "$T/s"
put_script "$ALICE" "$D/acct.cgi" 0755 "$T/s"
run "$D" -- "$ALICE" "$ALICE" acct.cgi
line=$(last_log)
cpu=$(printf '%s' "$line" | sed -n 's/.* cpu_ms=\([0-9]*\).*/\1/p')
rss=$(printf '%s' "$line" | sed -n 's/.* max_rss_kb=\([0-9]*\).*/\1/p')
wall=$(printf '%s' "$line" | sed -n 's/.* wall_ms=\([0-9]*\).*/\1/p')
ok $(( cpu > 0 ? 0 : 1 )) "cpu_ms is non-zero ($cpu)"
ok $(( rss > 1000 ? 0 : 1 )) "max_rss_kb is plausible ($rss)"
ok $(( wall >= 300 ? 0 : 1 )) "wall_ms covers the sleep ($wall)"

# A seccomp kill under supervision is a seccomp-violation.
put_script "$ALICE" "$D/try.cgi" 0755 "$BUILD/try"
run "$D" -- "$ALICE" "$ALICE" try.cgi ptrace
is "$RC" 159 "killed by seccomp: exit 128+31"
like "$(last_log)" "event=exit reason=seccomp-violation .*signal=31" "logged as seccomp-violation"

# SIGTERM from the web server reaches the script.
script trap.cgi 'trap "touch \$HOME/got-term; exit 0" TERM
echo waiting
while :; do sleep 0.1; done'
rm -f "$T/home/$ALICE/got-term"
(cd "$D" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" trap.cgi >/dev/null 2>&1) &
LPID=$!
sleep 0.7
# Sent as the web server's user, as Apache's mod_cgi would.
setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups -- kill -TERM "$LPID"
ok $? "the caller may signal the supervisor"
wait "$LPID"
RC=$?
[ -e "$T/home/$ALICE/got-term" ]; ok $? "SIGTERM to cgibox reached the script's trap"
is "$RC" 0 "cgibox exits with the script's status"

# The target's own processes cannot stop or kill the supervisor.
(cd "$D" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" trap.cgi >/dev/null 2>&1) &
LPID=$!
sleep 0.7
runuser -u "$ALICE" -- kill -STOP "$LPID" 2>/dev/null
is "$?" 1 "alice cannot SIGSTOP her supervisor"
runuser -u "$ALICE" -- kill -KILL "$LPID" 2>/dev/null
is "$?" 1 "alice cannot SIGKILL her supervisor"
setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups -- kill -TERM "$LPID"
wait "$LPID"

# max-requests: two run, the third gets 503; bob is unaffected; a killed
# supervisor frees its slot.
write_conf "max-requests 2"
script slow.cgi 'sleep 2; echo slow'
for i in 1 2 3; do
	(cd "$D" && env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
	    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" slow.cgi \
	    > "$T/out$i" 2>/dev/null; echo $? > "$T/rc$i") &
	sleep 0.3
done
put_script "$BOB" "$BD/probe.cgi" 0755
run "$BD" -- "$BOB" "$BOB" probe.cgi
is "$RC" 0 "bob runs while alice is at her cap"
wait
is "$(cat "$T"/rc1 "$T"/rc2 "$T"/rc3 | sort | tr '\n' ' ')" "0 0 100 " "two requests ran, one was refused with busy (100)"
busy=$(grep -l '^Status: 503' "$T"/out1 "$T"/out2 "$T"/out3 | head -n 1)
like "$(cat "$busy")" "Retry-After: [0-9]+" "the refused one got a 503 page with Retry-After"
like "$(grep 'reason=busy' "$LOG" | tail -n 1)" "event=error reason=busy .*user=$ALICE" "busy is logged"
write_conf "max-requests 1"
(cd "$D" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" slow.cgi >/dev/null 2>&1) &
SUP=$!
sleep 0.5
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$RC" 100 "with max-requests 1 a second request is busy"
kill -KILL "$SUP"
wait "$SUP" 2>/dev/null
sleep 0.2
is "$(ps -u "$ALICE" -o stat=,args= | grep -v '^Z' | grep -c 'slow\.cgi')" 0 \
    "the script dies with its supervisor (it is not left running uncounted)"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "after SIGKILL of the supervisor its slot is free again"
pkill -u "$ALICE" 2>/dev/null
write_conf "timeout 20
match user $ALICE
timeout 0"
n=$(log_lines)
run "$D" -- "$ALICE" "$ALICE" probe.cgi
unlike "$(val pid):$(val ppid)" "^2:1$" "timeout 0 in a match block turns the supervisor off (FastCGI): no PID namespace"
unlike "$(tail -n +$((n + 1)) "$LOG")" "event=exit" "and no final line"
done_testing
