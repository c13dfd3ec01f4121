#!/bin/bash
# Hostile tests: races on the script's path, hard links, bits changed
# between launches, starved and oversized processes, bytes that try to
# forge log lines, a subverted or full log, malformed configuration and
# policy files, and a mixed load of 5,000 launches.
. "$(dirname "$0")/lib.sh"
setup

A=$T/www/alice
D=$A/cgi-bin
user_dir "$ALICE" "$A"
user_dir "$ALICE" "$D"
user_dir "$BOB" "$T/www/bob"
user_dir "$BOB" "$T/www/bob/cgi-bin"
good='#!/bin/sh
printf "Content-Type: text/plain\r\n\r\ngood\n"'
evil='#!/bin/sh
printf "Content-Type: text/plain\r\n\r\nEVIL\n"'
printf '%s\n' "$good" > "$T/good"; printf '%s\n' "$evil" > "$T/evil"
put_script "$ALICE" "$D/ok.cgi" 0755 "$T/good"
put_script "$BOB" "$T/www/bob/cgi-bin/ok.cgi" 0755 "$T/evil"
write_conf ""

# --- Races: swap a directory component with a symlink to bob's tree, and
# rename the script's directory, while launching in a loop.
user_dir "$ALICE" "$A/real"
put_script "$ALICE" "$A/real/ok.cgi" 0755 "$T/good"
runuser -u "$ALICE" -- sh -c "
	cd '$A' && end=\$((\$(date +%s) + 60))
	while [ \$(date +%s) -lt \$end ] && [ ! -e '$T/stop' ]; do
		mv real held 2>/dev/null; ln -s '$T/www/bob/cgi-bin' real 2>/dev/null
		rm -f real; mv held real 2>/dev/null
	done" >/dev/null 2>&1 &
SWAP=$!
runuser -u "$ALICE" -- sh -c "
	cd '$A' && end=\$((\$(date +%s) + 60))
	while [ \$(date +%s) -lt \$end ] && [ ! -e '$T/stop' ]; do
		mv cgi-bin cgi-moved 2>/dev/null; mv cgi-moved cgi-bin 2>/dev/null
	done" >/dev/null 2>&1 &
RENAME=$!
evil_runs=0; good_runs=0; refused=0
for i in $(seq 1 1500); do
	out=$(cd "$A" && env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
	    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" real/ok.cgi 2>/dev/null)
	rc=$?
	case $out in
	*EVIL*) evil_runs=$((evil_runs + 1)) ;;
	*good*) good_runs=$((good_runs + 1)) ;;
	*) refused=$((refused + 1)) ;;
	esac
done
touch "$T/stop"; wait "$SWAP" "$RENAME" 2>/dev/null
is "$evil_runs" 0 "1500 launches during symlink swaps and renames: bob's script never ran"
ok $(( good_runs > 0 && refused > 0 ? 0 : 1 )) "both outcomes happened ($good_runs ran the checked script, $refused refused)"
rm -f "$T/stop"
[ -d "$A/real" ] || { rm -f "$A/real"; mv "$A/held" "$A/real"; }

# --- Hard links in alice's directory: to bob's script, to a setuid binary.
ln "$T/www/bob/cgi-bin/ok.cgi" "$D/bobs.cgi"
run "$D" -- "$ALICE" "$ALICE" bobs.cgi
expect_reason file-owner 120 "hard link to bob's script"
ln /usr/bin/passwd "$D/passwd.cgi" 2>/dev/null || cp -p /usr/bin/passwd "$D/passwd.cgi"
run "$D" -- "$ALICE" "$ALICE" passwd.cgi
expect_reason file-owner 120 "hard link to a setuid-root binary (suexec mode)"
run "$D" -- "$D/passwd.cgi"
expect_reason target-root 109 "the same in interpreter mode: its owner is root"
rm -f "$D/bobs.cgi" "$D/passwd.cgi"

# --- The script changed between launches.
run "$D" -- "$ALICE" "$ALICE" ok.cgi; is "$RC" 0 "launch before the change"
chmod g+w "$D/ok.cgi"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
expect_reason file-writable 118 "the next launch after chmod g+w"
chmod 4755 "$D/ok.cgi"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
expect_reason file-setid 119 "the next launch after chmod u+s"
chmod 0755 "$D/ok.cgi"
run "$D" -- "$ALICE" "$ALICE" ok.cgi; is "$RC" 0 "and again after the fix"

# --- Starved and oversized processes.
marker_script "$ALICE" "$D/mark.cgi"
# (perl closes the fds itself: tools in between may open files on them)
(cd "$D" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- perl -e 'close STDIN; close STDOUT; close STDERR;
    exec @ARGV' "$LAUNCHER" "$ALICE" "$ALICE" mark.cgi)
is "$?" 0 "fds 0, 1 and 2 all closed: the script still runs"
ran "$ALICE" mark.cgi; ok $? "and did its work"
rm -f "$T/home/$ALICE/ran-mark.cgi"
(cd "$D" && exec env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- prlimit --nofile=3 -- "$LAUNCHER" "$ALICE" "$ALICE" \
    mark.cgi >/dev/null 2>&1)
rc=$?
ok $(( rc != 0 ? 0 : 1 )) "RLIMIT_NOFILE 3: refused (exit $rc; the dynamic loader fails first)"
! ran "$ALICE" mark.cgi; ok $? "RLIMIT_NOFILE 3: the script did not run"
args=$(head -c 1000 /dev/zero | tr '\0' a)
many=(); for i in $(seq 1 1500); do many+=("$args"); done
run "$D" -- "$ALICE" "$ALICE" ok.cgi "${many[@]}"
is "$RC" 0 "1,500 arguments of 1 KB (1.5 MB of argv): runs"
big=$(head -c 100000 /dev/zero | tr '\0' b)
run "$D" "HTTP_A=$big" "HTTP_B=$big" "HTTP_C=$big" "HTTP_D=$big" "HTTP_E=$big" \
    "HTTP_F=$big" "HTTP_G=$big" "HTTP_H=$big" "HTTP_I=$big" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 124 "900 KB of environment: env-too-large, not truncated"

# --- Bytes that try to forge log lines.
write_conf ""
before=$(log_lines)
run "$D" $'REQUEST_URI=/x\r\ntime=0 event=exec user=root \xff\xfe\033[2J' \
    $'HTTP_USER_AGENT=a\nb' -- "$ALICE" "$ALICE" $'ok.cgi\nevent=exec'
is "$(( $(log_lines) - before ))" 1 "CR/LF, invalid UTF-8 and ESC in REQUEST_URI and argv: one log line"
like "$(last_log)" 'request_uri="/x\\x0d\\x0atime=0 event=exec user=root \\xff\\xfe\\x1b\[2J"' "request_uri escaped"
like "$(last_log)" 'cmd=ok.cgi\\x0aevent=exec' "argv escaped"
is "$(grep -c 'user=root' "$LOG")" 1 "the forged user=root stays inside a quoted value"

# --- A subverted or full log.
sum=$(sha256sum /etc/passwd)
mv "$LOG" "$LOG.real"; ln -s /etc/passwd "$LOG"
run "$D" -- "$ALICE" "$ALICE" mark.cgi
is "$RC" 113 "log file replaced by a symlink to /etc/passwd: refused (config-insecure)"
is "$(sha256sum /etc/passwd)" "$sum" "/etc/passwd untouched"
! ran "$ALICE" mark.cgi; ok $? "the script did not run"
rm "$LOG"; mv "$LOG.real" "$LOG"
chown "$BOB" "$T/var/log"
run "$D" -- "$ALICE" "$ALICE" mark.cgi
is "$RC" 113 "log directory owned by a non-root user: refused"
chown root "$T/var/log"; chmod 0777 "$T/var/log"
run "$D" -- "$ALICE" "$ALICE" mark.cgi
is "$RC" 113 "log directory writable by others: refused"
chmod 0755 "$T/var/log"
ln "$LOG" "$T/var/log/second-link"
run "$D" -- "$ALICE" "$ALICE" mark.cgi
is "$RC" 113 "log file with a second hard link: refused"
rm "$T/var/log/second-link"
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$T/var/log" || bail "mount tmpfs"
: > "$LOG"; chmod 0640 "$LOG"
head -c 60000 /dev/zero > "$T/var/log/filler" 2>/dev/null
dd if=/dev/zero of="$T/var/log/filler2" bs=1k count=64 2>/dev/null
run "$D" -- "$ALICE" "$ALICE" mark.cgi
is "$RC" 102 "disk full with log-exec yes: refused (system-error), not run unaudited"
! ran "$ALICE" mark.cgi; ok $? "the script did not run"
like "$ERR" "reason=system-error .*audit log write failed: No space left" "the reason reaches stderr"
umount "$T/var/log"
: > "$LOG"; chmod 0640 "$LOG"

# --- Malformed configuration and policy files.
printf 'caller %s\r\ndocroot %s\r\nlog-file %s\r\n' "$CALLER" "$T/www" "$LOG" > "$CONF"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 112 "CRLF configuration: config-invalid"
like "$ERR" "cgibox.conf:1: control character 0x0d" "the CR is named with file:line"
printf 'caller %s\ndocroot %s\nlog-file %s\nlog-exec yes\0\n' "$CALLER" "$T/www" "$LOG" > "$CONF"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
like "$RC:$ERR" "^112:.*cgibox.conf:4: control character 0x00" "a NUL byte: config-invalid at its line"
{ printf 'caller %s\ndocroot %s\nlog-file %s\n# ' "$CALLER" "$T/www" "$LOG"; head -c 5000 /dev/zero | tr '\0' x; echo; } > "$CONF"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
like "$RC:$ERR" "^112:.*cgibox.conf:4: line longer than" "an overlong (comment) line: config-invalid"
write_conf ""
printf 'default kill\r\ninclude base\r\n' > "$T/etc/cgibox/policies/crlf.policy"
write_conf "policy crlf"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
like "$RC:$ERR" "^97:.*crlf.policy:1: control character 0x0d" "CRLF policy: policy-invalid with file:line"
write_conf ""
chown "$BOB" "$T/etc/cgibox"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 113 "the configuration's directory owned by a non-root user: refused"
chown root "$T/etc/cgibox"

# --- 5,000 launches, 50 at a time, allowed and denied mixed.
write_conf ""
put_script "$ALICE" "$D/w.cgi" 0757 "$T/good"
: > "$LOG"
export D LAUNCHER CALLER ALICE
seq 1 5000 | xargs -P 50 -I{} sh -c '
	n={}; if [ $((n % 3)) -eq 0 ]; then s=w.cgi; want=118; else s=ok.cgi; want=0; fi
	out=$(cd "$D" && env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
	    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" $s 2>/dev/null)
	rc=$?
	if [ $rc -ne $want ]; then echo "launch $n: $rc, want $want"; fi
	if [ $want -eq 0 ] && [ "${out#*good}" = "$out" ]; then echo "launch $n: bad output"; fi' > "$T/mix" 2>&1
is "$(wc -l < "$T/mix")" 0 "5,000 mixed launches: every outcome right"
is "$(wc -l < "$LOG")" 5000 "5,000 log lines"
is "$(grep -cE '^time=[^ ]+ pid=[0-9]+ event=(exec|deny)( reason=file-writable)? request_id=[0-9a-f]{16} caller=cgbt-web user=cgbt-alice group=cgbt-alice .*script=[^ ]+/(ok|w)\.cgi( policy=default landlock=[0-9]+)?( detail=".*")?$' "$LOG")" 5000 \
    "every line whole and well-formed"
is "$(grep -c 'event=deny reason=file-writable' "$LOG")" 1666 "1,666 refusals logged as such"
is "$(ps -eo stat,user | awk '$1 ~ /^Z/' | wc -l)" 0 "no zombie left"
is "$(pgrep -u "$ALICE" | wc -l)" 0 "no process of alice's left"
done_testing
