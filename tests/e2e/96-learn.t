#!/bin/bash
# Learn mode (cgibox.conf(5) learn, cgibox-check(8) learn): a call the
# policy refuses is recorded and let through, the policy written from the
# records runs the same request in enforcing mode and still kills what was
# never called; learn check refuses and records; the learning user gets
# nothing else (Landlock, ptrace, the floor); a user not named learns
# nothing; the store holds its bound under a flood and a script's name
# cannot forge a record; gitweb and cgit, learned from scratch through the
# real launcher, run under policies tighter than default.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/try.cgi" 0755 "$BUILD/try"
BD=$T/www/bob
user_dir "$BOB" "$BD"
put_script "$BOB" "$BD/try.cgi" 0755 "$BUILD/try"
echo bobsecret > "$T/home/$BOB/secret.txt"
chown "$BOB:$BOB" "$T/home/$BOB/secret.txt"
chmod 0644 "$T/home/$BOB/secret.txt"
LDIR=$T/var/lib/cgibox
STORE=$LDIR/$ALICE_UID.learn
POL=$T/etc/cgibox/policies
SIGSYS_EXIT=159

res() { printf '%s' "$OUT" | tail -n 1; }
try() {	# try DIR USER CALL [PARAM]
	local d=$1 u=$2
	shift 2
	run "$d" -- "$u" "$u" try.cgi "$@"
}
exec_line() { grep ' event=exec ' "$LOG" | tail -n 1; }
allowed() {	# allowed POLICY: the distinct calls it allows
	"$CHECK" policy "$1" 2>/dev/null | awk '/: allow /{print $4}' | sort -u
}
install_policy() {	# install_policy NAME FILE
	install -m 0644 -o root -g root "$2" "$POL/$1.policy"
}

# Before: strict refuses AF_INET, and nothing is recorded anywhere.
write_conf "policy strict"
try "$D" "$ALICE" socket_inet
is "$RC:$(res)" "0:result=errno:EAFNOSUPPORT" "strict refuses socket(AF_INET)"
[ ! -e "$LDIR" ]
ok $? "no store while no one learns"

# Learning only for a user the configuration names: nowhere else.
for where in "" "match group $ALICE"; do
	write_conf "$where
learn yes"
	"$CHECK" -c "$CONF" lint >/dev/null 2>&1
	is "$?" 1 "learn ${where:-at the top}: cgibox-check lint refuses it"
	try "$D" "$ALICE" socket_inet
	expect_reason config-invalid 112 "learn ${where:-at the top}"
done
[ ! -e "$LDIR" ]
ok $? "and nothing was learned"

# One call to learn, on top of strict.
write_conf "policy strict
match user $ALICE
learn yes"
try "$D" "$ALICE" socket_inet
is "$RC:$(res)" "0:result=ok" "learning on strict: socket(AF_INET) goes through"
like "$(exec_line)" "user=$ALICE .*policy=strict landlock=[0-9]+ learn=yes" \
    "the exec line says learn=yes"
like "$("$CHECK" -c "$CONF" explain "$ALICE" "$ALICE" "$D/try.cgi")" "^learn yes\$" \
    "cgibox-check explain says so"
is "$(stat -c '%U %a' "$LDIR"):$(stat -c '%U %a %h' "$STORE")" "root 700:root 600 1" \
    "the store is root's alone, in a directory root's alone"
like "$(cat "$STORE")" "^call=socket policy=strict mode=yes a0=2 a1=1 a2=0 count=1 first=[0-9]+ last=[0-9]+ script=$D/try.cgi\$" \
    "the record: the call, its family, type and protocol, count, times, script"
try "$D" "$ALICE" socket_inet
like "$(cat "$STORE")" "^call=socket .* count=2 " "the same call again is counted, not repeated"
is "$(wc -l < "$STORE")" 1 "one line per distinct call"

# The learning user gets nothing else.
try "$D" "$ALICE" ptrace
is "$RC" "$SIGSYS_EXIT" "learning: ptrace is still killed"
try "$D" "$ALICE" socket_mptcp
is "$RC:$(res)" "0:result=errno:EAFNOSUPPORT" "learning: MPTCP is still refused (Landlock cannot see it)"
try "$D" "$ALICE" socket_netlink
is "$RC:$(res)" "0:result=errno:EAFNOSUPPORT" "learning: another family than UNIX and IP is refused too"
try "$D" "$ALICE" shmget
is "$RC:$(res)" "0:result=errno:EPERM" "learning: System V IPC, which no namespace covers, is refused"
try "$D" "$ALICE" listen
is "$RC:$(res)" "0:result=errno:EACCES" "learning: listen() is still refused (it would bind a port Landlock never checks)"
like "$(cat "$STORE")" "^call=listen policy=strict mode=yes refused=yes " \
    "and the refusal is recorded as one"
runuser -u "$ALICE" -- cat "$T/home/$BOB/secret.txt" >/dev/null
ok $? "bob's file is readable by its mode"
try "$D" "$ALICE" read "$T/home/$BOB/secret.txt"
is "$RC:$(res)" "0:result=errno:EACCES" "learning: Landlock still denies alice bob's file"
unlike "$(cat "$STORE")" "call=(ptrace|openat)" "neither the kill nor Landlock's refusal reached the store"
try "$BD" "$BOB" socket_inet
is "$RC:$(res)" "0:result=errno:EAFNOSUPPORT" "bob, whom no block names, is refused as before"
unlike "$(exec_line)" "learn=" "and his exec line has no learn field"
[ ! -e "$LDIR/$BOB_UID.learn" ]
ok $? "and he has no store"

# A policy whose own rule for a call base conditions would have to share
# base's else: its recording variant would let clone(CLONE_NEWUSER)
# through (the kill merged under base's allow).  Refused, not learned.
printf 'default errno EPERM\ninclude base\ninclude net\nkill clone if a0 & 0x10000000 == 0x10000000\n' \
    > "$T/mixed.policy"
install_policy mixed "$T/mixed.policy"
write_conf "policy mixed"
try "$D" "$ALICE" clone_newuser
is "$RC" "$SIGSYS_EXIT" "enforcing, the policy's own kill rule kills clone(CLONE_NEWUSER)"
write_conf "policy mixed
match user $ALICE
learn yes"
try "$D" "$ALICE" clone_newuser
expect_reason policy-invalid 97 "learning on it: refused, never a namespace"
like "$(last_log)" "cannot be learned on" "and the log says why"
write_conf "policy strict
match user $ALICE
learn yes"

# The policy written from the records.
"$CHECK" learn "$ALICE" > "$T/alice-learned.policy" 2>"$T/learn.err"
is "$?" 0 "cgibox-check learn writes a policy" || sed 's/^/# /' "$T/learn.err"
like "$(cat "$T/alice-learned.policy")" "^include base\$" "which includes base"
like "$(cat "$T/alice-learned.policy")" "^allow socket if a0 == 2 and a1 & 15 == 1 and a2 == 0\$" \
    "and allows the recorded call with its arguments"
like "$(cat "$T/alice-learned.policy")" "^# socket: [0-9]+ calls, .* by $D/try.cgi\$" \
    "with a comment: how often, and which script"
unlike "$(cat "$T/alice-learned.policy")" "allow listen" "but not what learning refused"
install_policy alice-learned "$T/alice-learned.policy"
write_conf "policy strict
match user $ALICE
policy alice-learned"
"$CHECK" -c "$CONF" lint >/dev/null 2>"$T/lint.err"
ok $? "cgibox-check lint accepts it" || sed 's/^/# /' "$T/lint.err"
try "$D" "$ALICE" socket_inet
is "$RC:$(res)" "0:result=ok" "enforcing, under the learned policy: the same request runs"
like "$(exec_line)" "policy=alice-learned landlock=[0-9]+\$" "with no learn field"
try "$D" "$ALICE" socket_inet6
is "$RC:$(res)" "0:result=errno:EAFNOSUPPORT" "AF_INET6, never recorded, is refused as strict refuses it"
try "$D" "$ALICE" sync
is "$RC" "$SIGSYS_EXIT" "a call never made and never named (sync) is killed"

# learn check: refused, and recorded.
rm -f "$STORE"
write_conf "policy strict
match user $ALICE
learn check"
try "$D" "$ALICE" socket_inet6
is "$RC:$(res)" "0:result=errno:EPERM" "learn check: the refused call gets EPERM"
like "$(cat "$STORE")" "^call=socket policy=strict mode=check a0=10 " "and is recorded"
like "$(exec_line)" "learn=check" "the exec line says learn=check"

# cgiboxd runs the same pipeline: its requests learn the same way.
rm -f "$STORE"
start_cgiboxd
fcgi "SCRIPT_FILENAME=$D/try.cgi" "REQUEST_METHOD=GET" "QUERY_STRING=socket_inet6"
like "$OUT" "result=errno:EPERM" "cgiboxd, learn check: the refused call gets EPERM"
like "$(cat "$STORE")" "^call=socket policy=strict mode=check a0=10 " \
    "and is recorded in the same store"
like "$(exec_line)" "policy=strict landlock=[0-9]+ learn=check request_method=GET" \
    "its exec line says learn=check"
stop_cgiboxd

# The store under attack: a flood of distinct calls.
rm -f "$STORE"
write_conf "policy strict
match user $ALICE
learn yes"
n=$(log_lines)
try "$D" "$ALICE" flood 400
is "$RC:$(res)" "0:result=ok" "400 distinct calls: the request still ends normally"
is "$(wc -l < "$STORE")" 256 "the store holds its bound of 256 records"
like "$(tail -n +$((n + 1)) "$LOG")" "event=learn-full .*user=$ALICE .*records: 144 new ones were not recorded" \
    "and the log says what was not recorded"
try "$D" "$ALICE" flood 400
is "$(wc -l < "$STORE")" 256 "a second flood does not grow it either"

# The script's file size limit is set in the script's process alone: the
# init, which writes the store after the script, keeps none.
rm -f "$STORE"
put_script "$ALICE" "$D/probe.cgi" 0755
write_conf "policy strict
match user $ALICE
learn yes
limit fsize 64"
try "$D" "$ALICE" socket_inet
is "$RC:$(res)" "0:result=ok" "learning under limit fsize 64: the request runs"
like "$(cat "$STORE")" "^call=socket .* script=$D/try.cgi\$" \
    "and its record, longer than 64 bytes, is whole in the store"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
like "$OUT" "limit_fsize=64" "while the script has the limit"
write_conf "policy strict
match user $ALICE
learn yes"

# A script whose path does not fit a record is not named, not cut short.
rm -f "$STORE"
long=$D/$(printf 'd%.0s' $(seq 230))
user_dir "$ALICE" "$long"
put_script "$ALICE" "$long/try.cgi" 0755 "$BUILD/try"
try "$long" "$ALICE" socket_inet
is "$RC:$(res)" "0:result=ok" "a script with a ${#long}-byte directory runs, learning"
like "$(cat "$STORE")" "^call=socket .* last=[0-9]+\$" "its record names no script"
unlike "$(cat "$STORE")" "script=" "rather than a prefix of its path"

# A script's name cannot forge a record.
rm -f "$STORE"
evil=$'evil\ncall=ptrace policy=strict mode=yes count=9 first=1 last=2\n.cgi'
put_script "$ALICE" "$D/$evil" 0755 "$BUILD/try"
run "$D" -- "$ALICE" "$ALICE" "$evil" socket_inet
is "$RC:$(res)" "0:result=ok" "a script with newlines in its name runs, learning"
is "$(wc -l < "$STORE")" 1 "its record is one line"
unlike "$(cat "$STORE")" "^call=ptrace" "no record forged by the name"
"$CHECK" learn "$ALICE" > "$T/evil.policy" 2>/dev/null
unlike "$(cat "$T/evil.policy")" "allow ptrace|^call=" "nor a rule or a line of the policy"
like "$(cat "$T/evil.policy")" "by $D/evil\\\\x0acall=ptrace" "the name is in the comment, escaped"

# Real applications, learned from scratch: gitweb and cgit.
put_script "$ALICE" "$D/gitweb.cgi" 0755 /usr/share/gitweb/gitweb.cgi
put_script "$ALICE" "$D/cgit.cgi" 0755 /usr/lib/cgit/cgit.cgi
git_fixture
pages() {	# pages APP LABEL: browse its pages; each must render
	if [ "$1" = gitweb ]; then
		cgi gitweb.cgi "" ""
		like "$RC:$(printf %s "$OUT" | tr -d "\n")" "^0:Status: 200 OK.*demo\\.git" "$2: gitweb lists the repository"
		cgi gitweb.cgi "" "p=demo.git;a=log"
		like "$RC:$(printf %s "$OUT" | tr -d "\n")" "^0:.*first commit from alice" "$2: gitweb renders the log"
	else
		cgi cgit.cgi "/" ""
		like "$RC:$(printf %s "$OUT" | tr -d "\n")" "^0:.*Demo repository for cgibox" "$2: cgit lists the repository"
		cgi cgit.cgi "/demo/log/" ""
		like "$RC:$(printf %s "$OUT" | tr -d "\n")" "^0:.*first commit from alice" "$2: cgit renders the log"
	fi
}
DEFAULT_N=$(allowed default | wc -l)
for app in gitweb cgit; do
	rm -f "$STORE"
	write_conf "$GIT_ENV
match user $ALICE
learn scratch"
	pages "$app" "learning from scratch"
	pages "$app" "learning from scratch, again"
	like "$(exec_line)" "policy=default .*learn=scratch" "the exec line says learn=scratch"
	"$CHECK" learn "$ALICE" --from-scratch > "$T/$app.policy" 2>"$T/learn.err"
	is "$?" 0 "$app: cgibox-check learn --from-scratch writes a policy" ||
	    sed 's/^/# /' "$T/learn.err"
	install_policy "alice-$app" "$T/$app.policy"
	write_conf "$GIT_ENV
match user $ALICE
policy alice-$app"
	"$CHECK" -c "$CONF" lint >/dev/null 2>"$T/lint.err"
	ok $? "$app: cgibox-check lint accepts it" || sed 's/^/# /' "$T/lint.err"
	n=$(allowed "alice-$app" | wc -l)
	echo "# $app: the learned policy allows $n system calls, default $DEFAULT_N"
	[ "$n" -gt 10 ] && [ "$n" -lt "$DEFAULT_N" ]
	ok $? "$app: its learned policy allows fewer calls ($n) than default ($DEFAULT_N)"
	pages "$app" "enforcing its learned policy"
	like "$(exec_line)" "policy=alice-$app landlock=[0-9]+ remote_addr=" \
	    "$app: enforcing its policy, not learning"
	allowed "alice-$app" | grep -qx sysinfo
	is "$?" 1 "$app never called sysinfo, which default allows"
	try "$D" "$ALICE" sysinfo
	is "$RC" "$SIGSYS_EXIT" "so under its policy sysinfo is killed"
done
done_testing
