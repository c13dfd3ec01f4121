#!/bin/bash
# The first hostile review's ten findings, each tried as the attack it
# was, against the installed setuid launcher with the shipped policies
# and Landlock on.  Every check here failed before the fix it names.
. "$(dirname "$0")/lib.sh"
setup
need python3 prlimit

W=$TOP/tests/e2e/workloads
for u in "$ALICE" "$BOB"; do
	user_dir "$u" "$T/home/$u/public_html"
	user_dir "$u" "$T/home/$u/public_html/cgi-bin"
	put_script "$u" "$T/home/$u/public_html/cgi-bin/attack.py" 0755 \
	    "$W/attack.py"
	put_script "$u" "$T/home/$u/public_html/cgi-bin/probe.cgi" 0755
done
A=$T/home/$ALICE/public_html/cgi-bin
BH=$T/home/$BOB
AH=$T/home/$ALICE
attack() {	# attack ACTION...: alice's attack.py, as the web server runs it
	run "$A" -- "~$ALICE" "$ALICE" attack.py "$@"
}
has() {	# has LINE NAME
	like "$OUT" "^$1\$" "$2"
}
# bg_attack FILE ACTION...: attack.py in the background, output to FILE.
bg_attack() {
	local out=$1; shift
	(cd "$A" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
	    --clear-groups -- "$LAUNCHER" "~$ALICE" "$ALICE" attack.py "$@" \
	    >"$out" 2>/dev/null) &
}
# outside_connect PORT: a plain TCP connection from outside the sandbox.
outside_connect() {
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2).close()' "$1" 2>/dev/null
}
alice_procs() { pgrep -u "$ALICE" | wc -l; }

# ---- 1. MPTCP past landlock-bind and landlock-connect ----------------------
write_conf "landlock-connect 443"
python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8095)); s.listen(4); s.settimeout(1)
end = time.time() + 30
while time.time() < end:
    try:
        c, _ = s.accept(); c.sendall(b"secret\n"); c.close()
    except OSError:
        pass' &
MPTCP_LISTENER=$!
sleep 0.5
bg_attack "$T/out1" mptcp-listen=8098
sleep 1
outside_connect 8098
ok $(( $? == 0 ? 1 : 0 )) "1: no connection from outside reaches an MPTCP listener on 8098"
wait
OUT=$(cat "$T/out1")
has "mptcp-listen=8098: EAFNOSUPPORT" "1: socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) fails with an errno, not a kill"
attack mptcp-connect=8095
has "mptcp-connect=8095: EAFNOSUPPORT" "1: MPTCP cannot reach port 8095, which landlock-connect does not grant"
is "$RC" 0 "1: the script goes on after the refusal (it could fall back to TCP)"
kill "$MPTCP_LISTENER" 2>/dev/null
wait "$MPTCP_LISTENER" 2>/dev/null

# ---- 2. listen() without bind() ---------------------------------------------
write_conf ""
bg_attack "$T/out2" listen-unbound= listen-unix=/tmp/sock
for _ in 1 2 3 4 5 6 7 8 9 10; do
	grep -q '^port=\|listen-unbound' "$T/out2" 2>/dev/null && break
	sleep 0.2
done
PORT=$(sed -n 's/^port=//p' "$T/out2")
if [ -n "$PORT" ]; then outside_connect "$PORT"; reached=$?; else reached=1; fi
ok $(( reached == 0 ? 1 : 0 )) "2: nothing from outside reaches a socket that listened without bind (port ${PORT:-none})"
wait
OUT=$(cat "$T/out2")
has "listen-unbound=: EACCES" "2: listen() on an unbound TCP socket fails with EACCES"
has "listen-unix=/tmp/sock: EACCES" "2: listening on AF_UNIX goes too (documented in cgibox-policy(5))"

# ---- 3. the timeout outrun by a chain of setsid processes ------------------
cat > "$T/chain.py" <<'PY'
#!/usr/bin/python3
# Every link: its own session, SIGTERM ignored, a shared mapping touched
# so that it is slow to die, then the next link, and stay alive.
import mmap, os, signal, time
print("Content-Type: text/plain\r\n\r\n", end="", flush=True)
end = time.time() + 45
while time.time() < end:
    try:
        os.setsid()
    except OSError:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    m = mmap.mmap(-1, 4 << 20, mmap.MAP_SHARED)
    for i in range(0, len(m), 4096):
        m[i] = 1
    if os.fork() != 0:
        while time.time() < end:
            time.sleep(1)
        os._exit(0)
os._exit(0)
PY
put_script "$ALICE" "$A/chain.py" 0755 "$T/chain.py"
write_conf "timeout 3
max-requests 2"
t0=$(date +%s%N)
run "$A" -- "~$ALICE" "$ALICE" chain.py
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
ok $(( ms < 7000 ? 0 : 1 )) "3: the request ends at the timeout plus the grace period ($ms ms)"
sleep 0.3
is "$(alice_procs)" 0 "3: and every process of the chain is gone with it"
like "$(last_log)" "event=timeout .*cmd=chain\\.py .*wall_ms=[0-9]+" "3: the accounting line is written"
run "$A" -- "~$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "3: the slot is free again"
# The supervisor itself killed: the chain goes with it.
write_conf "timeout 60
max-requests 2"
(cd "$A" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" --clear-groups \
    -- "$LAUNCHER" "~$ALICE" "$ALICE" chain.py >/dev/null 2>&1) &
sleep 2
n=$(alice_procs)
ok $(( n > 5 ? 0 : 1 )) "3: the chain grows while the request runs ($n processes)"
SUP=$(pgrep -U "$CALLER" -x cgibox)
[ -n "$SUP" ] && kill -KILL $SUP
{ wait; } 2>/dev/null
for _ in $(seq 20); do [ "$(alice_procs)" = 0 ] && break; sleep 0.1; done
is "$(alice_procs)" 0 "3: SIGKILL to the supervisor takes every process of the chain with it"
run "$A" -- "~$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "3: and its slot is free"

# ---- 4. the caller's RLIMIT_FSIZE and the audit log -------------------------
# With CAP_SYS_RESOURCE the launcher raises the limit for its own writes
# and the request runs; where the bounding set lacks it (some containers,
# CI), a line that would not fit whole is not written: the request is
# refused, and the refusal goes to stderr and syslog.
write_conf ""
can_raise=$(( 0x$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status) >> 24 & 1 ))
size=$(stat -c %s "$LOG")
lines=$(wc -l < "$LOG")
RUN_WRAP="prlimit --fsize=$((size + 120)) --" run "$A" -- "~$ALICE" "$ALICE" attack.py fsize=
if [ "$can_raise" = 1 ]; then
	is "$RC" 0 "4: a request under an fsize limit 120 bytes above the log's size runs"
	has "fsize=$((size + 120))" "4: and its script gets the caller's limit"
	want=2
else
	is "$RC" 102 "4: an fsize limit that leaves no room for the exec line refuses the request (no CAP_SYS_RESOURCE here)"
	like "$ERR" "reason=system-error .*File too large" "4: and says so on stderr, for the server's error log"
	is "$(stat -c %s "$LOG")" "$size" "4: the log did not get part of a line"
	want=1
fi
run "$A" -- "~$ALICE" "$ALICE" probe.cgi
is "$(( $(wc -l < "$LOG") - lines ))" "$want" "4: the requests that ran have their line"
bad=$(tail -n "$want" "$LOG" | grep -cv '^time=[^ ]* pid=[0-9]* event=exec .* landlock=[^ ]*$')
is "$bad" 0 "4: each a whole line, none cut or glued to the next"
[ "$(tail -c 1 "$LOG" | od -An -c | tr -d ' ')" = '\n' ]
ok $? "4: the log ends with a newline"
# fsize 0 and a stale cache: the filter is compiled without a file.
write_conf "match user $ALICE
log-exec no"
rm -f "$T/var/cache/cgibox/default.bpf"
RUN_WRAP="prlimit --fsize=0 --" run "$A" -- "~$ALICE" "$ALICE" attack.py fsize=
is "$RC" 0 "4: fsize 0 and a stale cache: the launcher compiles the filter and runs the request"
has "fsize=0" "4: with the script at the caller's limit"
# ---- 5. inotify on another user's directory ---------------------------------
write_conf ""
attack "watch=$BH/public_html"
has "watch=$BH/public_html: ENOSYS" "5: inotify is refused with ENOSYS (a program falls back to polling)"
is "$RC" 0 "5: and the script goes on"

# ---- 6. files the launcher creates are root's -------------------------------
rm -f "$LOG" "$T/var/cache/cgibox/default.bpf"
rm -rf "$T/run/cgibox"
write_conf "max-requests 2"
run "$A" -- "~$ALICE" "$ALICE" probe.cgi
is "$(stat -c '%U:%G %a' "$LOG")" "root:root 640" "6: a log the launcher creates is root:root 0640"
is "$(find "$T/var/cache/cgibox" "$T/run/cgibox" -group "$CALLER" | wc -l)" 0 \
    "6: no cache or slot file belongs to the caller's group"
is "$(stat -c '%U:%G' "$T/var/cache/cgibox/default.bpf")" "root:root" "6: the cache file is root:root"

# ---- 7. setuid and setgid bits ----------------------------------------------
write_conf ""
attack "setid-chmod=$AH/s1" "setid-create=$AH/s2" "setid-mknod=$AH/s3" \
    "setid-fchmodat2=$AH/s4"
has "setid-chmod=$AH/s1: EPERM" "7: chmod 4755 is refused"
has "setid-create=$AH/s2: EPERM" "7: open(O_CREAT, 06755) is refused"
has "setid-mknod=$AH/s3: EPERM" "7: mknod of a setuid file is refused"
has "setid-fchmodat2=$AH/s4: EPERM" "7: fchmodat2 2755 is refused"
is "$(find "$AH" -perm /6000 | wc -l)" 0 "7: no set-id file is left in alice's home"

# ---- 8. the owner's session sockets under /run/user -------------------------
made_run_user=0
[ -d /run/user ] || { mkdir -m 0755 /run/user; made_run_user=1; }
RU=/run/user/$ALICE_UID
install -d -m 0700 -o "$ALICE" -g "$ALICE" "$RU"
runuser -u "$ALICE" -- python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
s.settimeout(1); end = time.time() + 20
while time.time() < end:
    try: s.accept()[0].close()
    except OSError: pass' "$RU/bus" 2>/dev/null &
BUS=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$RU/bus" ] && break; sleep 0.2; done
attack "connect-unix=$RU/bus"
has "connect-unix=$RU/bus: ENOENT" "8: the owner's user bus under /run/user is out of reach"
write_conf "private-tmp no"
attack "connect-unix=$RU/bus"
has "connect-unix=$RU/bus: ENOENT" "8: with private-tmp no as well"
write_conf "hide ~/.gnupg"
user_dir "$ALICE" "$AH/.gnupg"
runuser -u "$ALICE" -- python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4); time.sleep(20)' \
    "$AH/.gnupg/S.gpg-agent" 2>/dev/null &
AGENT=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$AH/.gnupg/S.gpg-agent" ] && break; sleep 0.2; done
attack "connect-unix=$AH/.gnupg/S.gpg-agent" "connect-unix=$RU/bus"
has "connect-unix=$AH/.gnupg/S.gpg-agent: ENOENT" "8: hide ~/.gnupg hides a socket in the home"
kill "$BUS" "$AGENT" 2>/dev/null
{ wait "$BUS" "$AGENT"; } 2>/dev/null
rm -rf "$RU"
[ "$made_run_user" = 1 ] && rmdir /run/user

# ---- 9. env-set secrets in cgibox.conf --------------------------------------
write_conf "match user $BOB
env-set DB_PASSWORD=bobsecret"
attack "read=$CONF"
has "read=$CONF: ENOENT" "9: alice's script cannot read the configuration with bob's env-set value"
write_conf "private-tmp no
match user $BOB
env-set DB_PASSWORD=bobsecret"
attack "read=$CONF"
has "read=$CONF: ENOENT" "9: with private-tmp no as well"
run "$BH/public_html/cgi-bin" -- "~$BOB" "$BOB" probe.cgi
like "$OUT" "^env:DB_PASSWORD=bobsecret\$" "9: bob's script gets its value"
like "$(runuser -u "$ALICE" -- "$CHECK" lint 2>&1)" ": ok" "9: cgibox-check lint still reads the configuration"

# ---- 10. a home directory that holds other sites ----------------------------
useradd -M -d "$T/carol" -s /bin/sh -U cgbt-carol || bail useradd
install -d -m 0755 -o cgbt-carol -g cgbt-carol "$T/carol" "$T/carol/public_html" \
    "$T/carol/public_html/cgi-bin"
put_script cgbt-carol "$T/carol/public_html/cgi-bin/attack.py" 0755 "$W/attack.py"
install -d -m 0755 "$T/carol/www"
install -d -m 0755 -o "$BOB" -g "$BOB" "$T/carol/www/bob"
echo bobsecret > "$T/carol/www/bob/secret.txt"; chmod 0644 "$T/carol/www/bob/secret.txt"
write_conf "docroot $T/carol/www"
run "$T/carol/public_html/cgi-bin" -- "~cgbt-carol" cgbt-carol attack.py \
    "read=$T/carol/www/bob/secret.txt"
unlike "$OUT" "secret.txt: ok" "10: carol's script does not read bob's site in a docroot inside her home"
expect_reason home-unsafe 96 "10: a home that holds a docroot"
install -d -m 0755 -o cgbt-carol -g cgbt-carol "$T/www/carol"
put_script cgbt-carol "$T/www/carol/attack.py" 0755 "$W/attack.py"
printf '[client]\npassword=bobsecret\n' > "$BH/.my.cnf"
chown "$BOB:$BOB" "$BH/.my.cnf"; chmod 0644 "$BH/.my.cnf"
write_conf ""
usermod -d "$BH" cgbt-carol
run "$T/www/carol" -- cgbt-carol cgbt-carol attack.py "read=$BH/.my.cnf"
unlike "$OUT" ".my.cnf: ok" "10: carol's script does not read bob's files through a home set to his"
expect_reason home-unsafe 96 "10: a home that belongs to another user"
usermod -d /srv cgbt-carol
run "$T/www/carol" -- cgbt-carol cgbt-carol attack.py
expect_reason home-unsafe 96 "10: a home that holds a system directory (/srv)"
like "$(last_log)" "holds the system directory /srv" "10: the log says why"
usermod -d "$T/carol/nonexistent" cgbt-carol
run "$T/www/carol" -- cgbt-carol cgbt-carol attack.py "read=$BH/.my.cnf"
is "$RC" 0 "10: a home that does not exist grants nothing and refuses nothing"
has "read=$BH/.my.cnf: EACCES" "10: and bob's file stays out of reach"

done_testing
