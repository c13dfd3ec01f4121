#!/bin/bash
# One test per refusal reason: the request is refused with the reason's
# exit code, the audit log line carries the reason, and the script did not
# run (it would have left a marker file).
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"

# refused NAME CODE SCRIPT-NAME DESCRIPTION: after a run, check all three.
refused() {
	local reason=$1 code=$2 script=$3; shift 3
	expect_reason "$reason" "$code" "$*"
	! ran "$ALICE" "$script"
	ok $? "$*: the script did not run"
	rm -f "$T/home/$ALICE/ran-$script"
}

marker_script "$ALICE" "$D/ok.cgi"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 0 "baseline: alice's script runs"
ran "$ALICE" ok.cgi; ok $? "baseline: marker written"
like "$(last_log)" "event=exec .*user=$ALICE group=$ALICE" "baseline: exec logged"
rm -f "$T/home/$ALICE/ran-ok.cgi"

run "$D" -- "$ALICE" "$ALICE"
refused usage 101 ok.cgi "three arguments"
run "$D" --
refused usage 101 ok.cgi "no arguments"

RUN_AS=$BOB run "$D" -- "$ALICE" "$ALICE" ok.cgi
refused caller-mismatch 103 ok.cgi "real uid other than the caller"

run "$D" -- "$ALICE" "$ALICE" ../cgi-bin/ok.cgi
refused bad-command 104 ok.cgi "command with .."
run "$D" -- "$ALICE" "$ALICE" "$D/ok.cgi"
refused bad-command 104 ok.cgi "absolute command"

run "$D" -- cgbt-nosuch "$ALICE" ok.cgi
refused unknown-user 105 ok.cgi "unknown user name"
run "$D" -- 4294967290 "$ALICE" ok.cgi
refused unknown-user 105 ok.cgi "unknown user id"
run "$D" -- "" "$ALICE" ok.cgi
refused unknown-user 105 ok.cgi "empty user is not uid 0"
run "$D" -- "${ALICE}x;id" "$ALICE" ok.cgi
refused unknown-user 105 ok.cgi "malformed user name"

run "$D" -- "$ALICE" cgbt-nosuch ok.cgi
refused unknown-group 106 ok.cgi "unknown group"
run "$D" -- "$ALICE" "" ok.cgi
refused unknown-group 106 ok.cgi "empty group is not gid 0"

useradd -r -M -s /usr/sbin/nologin -U cgbt-low || bail useradd
LOW_D=$T/www/low
install -d -m 0755 -o cgbt-low -g cgbt-low "$LOW_D"
marker_script cgbt-low "$LOW_D/low.cgi"
run "$LOW_D" -- cgbt-low cgbt-low low.cgi
is "$RC" 107 "uid below min-uid: exit code 107"
like "$(last_log)" "reason=uid-below-min " "uid below min-uid: logged"

groupadd -r cgbt-lowg || bail groupadd
usermod -a -G cgbt-lowg "$ALICE"
run "$D" -- "$ALICE" cgbt-lowg ok.cgi
refused gid-below-min 108 ok.cgi "gid below min-gid"

run "$D" -- root root ok.cgi
refused target-root 109 ok.cgi "root by name"
run "$D" -- 0 0 ok.cgi
refused target-root 109 ok.cgi "root by id"
write_conf "min-uid 1
min-gid 1"
run "$D" -- root root ok.cgi
refused target-root 109 ok.cgi "root even with min-uid 1"
run "$D" -- "$ALICE" 0 ok.cgi
refused group-not-member 111 ok.cgi "group root, alice not a member"
write_conf ""

run "$D" -- "$ALICE" "$BOB" ok.cgi
refused group-not-member 111 ok.cgi "a group alice is not in (CVE-2007-1743)"

# privdrop-failed: supplementary-groups yes for a user in more groups than
# the launcher's fixed capacity (256): refused, not truncated.
useradd -m -d "$T/home/cgbt-carol" -s /bin/sh -U cgbt-carol || bail useradd
for i in $(seq 1 257); do groupadd "cgbt-many$i" || bail groupadd; done
usermod -a -G "$(seq -s, -f 'cgbt-many%g' 1 257)" cgbt-carol
C=$T/www/carol
install -d -m 0755 -o cgbt-carol -g cgbt-carol "$C"
marker_script cgbt-carol "$C/c.cgi"
write_conf "supplementary-groups yes"
run "$C" -- cgbt-carol cgbt-carol c.cgi
is "$RC" 110 "user in 258 groups with supplementary-groups yes: exit 110"
like "$(last_log)" "reason=privdrop-failed " "privdrop-failed logged"
! ran cgbt-carol c.cgi; ok $? "carol's script did not run"
write_conf ""
run "$C" -- cgbt-carol cgbt-carol c.cgi
is "$RC" 0 "the same user runs without supplementary groups"

# Without a valid configuration there is no configured log file: the
# refusal goes to stderr (the web server's error log) and syslog.
echo 'frobnicate yes' >> "$CONF"
line=$(wc -l < "$CONF")
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 112 "unknown keyword: exit 112"
like "$ERR" "^$CONF:$line: unknown keyword 'frobnicate'" "error reported as file:line"
like "$ERR" "reason=config-invalid" "reason on stderr"
! ran "$ALICE" ok.cgi; ok $? "invalid config: the script did not run"
write_conf ""

chmod 0664 "$CONF"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 113 "group-writable config: exit 113"
like "$ERR" "reason=config-insecure" "group-writable config: reported"
chmod 0644 "$CONF"
chown "$BOB" "$CONF"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 113 "config owned by a non-root user: exit 113"
like "$ERR" "reason=config-insecure .*owned by uid $BOB_UID" \
    "config owned by bob: reported"
chown root "$CONF"
chmod 0777 "$T/etc"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 113 "world-writable directory above the config: exit 113"
like "$ERR" "$T/etc is writable by others" "the directory is named"
chmod 0755 "$T/etc"
mv "$CONF" "$CONF.real"; ln -s "$CONF.real" "$CONF"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 113 "config is a symlink: exit 113"
rm "$CONF"; mv "$CONF.real" "$CONF"
! ran "$ALICE" ok.cgi; ok $? "no insecure config ran the script"

user_dir "$ALICE" "$T/www2/alice"
marker_script "$ALICE" "$T/www2/alice/ok.cgi"
run "$T/www2/alice" -- "$ALICE" "$ALICE" ok.cgi
refused outside-docroot 114 ok.cgi "/www2 is not inside docroot /www"
user_dir "$ALICE" "$T/other/alice"
marker_script "$ALICE" "$T/other/alice/ok.cgi"
run "$T/other/alice" -- "$ALICE" "$ALICE" ok.cgi
refused outside-docroot 114 ok.cgi "a tree that is no docroot"
run "$D" -- "~$ALICE" "$ALICE" ok.cgi
refused outside-docroot 114 ok.cgi "~user request for a docroot script"

ln -s ok.cgi "$D/link.cgi"; chown -h "$ALICE:$ALICE" "$D/link.cgi"
run "$D" -- "$ALICE" "$ALICE" link.cgi
refused symlink 115 ok.cgi "script is a symlink"
user_dir "$ALICE" "$T/www/alice/real"
marker_script "$ALICE" "$T/www/alice/real/r.cgi"
ln -s real "$T/www/alice/linkdir"; chown -h "$ALICE:$ALICE" "$T/www/alice/linkdir"
run "$T/www/alice" -- "$ALICE" "$ALICE" linkdir/r.cgi
refused symlink 115 r.cgi "a directory component is a symlink"

user_dir "$ALICE" "$T/www/alice/gw"
marker_script "$ALICE" "$T/www/alice/gw/g.cgi"
chmod 0775 "$T/www/alice/gw"
run "$T/www/alice/gw" -- "$ALICE" "$ALICE" g.cgi
refused dir-writable 116 g.cgi "group-writable directory"
chmod 0757 "$T/www/alice/gw"
run "$T/www/alice/gw" -- "$ALICE" "$ALICE" g.cgi
refused dir-writable 116 g.cgi "world-writable directory"
chmod 1777 "$T/www/alice/gw"
run "$T/www/alice/gw" -- "$ALICE" "$ALICE" g.cgi
refused dir-writable 116 g.cgi "sticky world-writable directory"
chmod 0755 "$T/www/alice/gw"; chmod 0777 "$T/www"
run "$T/www/alice/gw" -- "$ALICE" "$ALICE" g.cgi
refused dir-writable 116 g.cgi "the docroot itself is world-writable"
chmod 0755 "$T/www"

run "$D" -- "$ALICE" "$ALICE" nosuch.cgi
refused file-missing 117 nosuch.cgi "no such script"

marker_script "$ALICE" "$D/w.cgi"
chmod 0775 "$D/w.cgi"
run "$D" -- "$ALICE" "$ALICE" w.cgi
refused file-writable 118 w.cgi "group-writable script"
chmod 0757 "$D/w.cgi"
run "$D" -- "$ALICE" "$ALICE" w.cgi
refused file-writable 118 w.cgi "world-writable script"

marker_script "$ALICE" "$D/s.cgi"
chmod 4755 "$D/s.cgi"
run "$D" -- "$ALICE" "$ALICE" s.cgi
refused file-setid 119 s.cgi "setuid script"
chmod 2755 "$D/s.cgi"
run "$D" -- "$ALICE" "$ALICE" s.cgi
refused file-setid 119 s.cgi "setgid script"

marker_script "$BOB" "$D/b.cgi"
run "$D" -- "$ALICE" "$ALICE" b.cgi
expect_reason file-owner 120 "bob's script in alice's directory"
! ran "$BOB" b.cgi; ok $? "bob's script did not run"
marker_script "$ALICE" "$D/g.cgi"
chgrp "$CALLER" "$D/g.cgi"
run "$D" -- "$ALICE" "$ALICE" g.cgi
refused file-owner 120 g.cgi "script group is not the target group"

marker_script "$ALICE" "$D/x.cgi"
chmod 0644 "$D/x.cgi"
run "$D" -- "$ALICE" "$ALICE" x.cgi
refused file-not-executable 121 x.cgi "no execute bit"
chmod 0055 "$D/x.cgi"
run "$D" -- "$ALICE" "$ALICE" x.cgi
refused file-not-executable 121 x.cgi "executable by others but not its owner"

install -d -m 0755 -o "$BOB" -g "$BOB" "$T/www/alice/bobs"
marker_script "$ALICE" "$T/www/alice/bobs/o.cgi"
run "$T/www/alice/bobs" -- "$ALICE" "$ALICE" o.cgi
refused dir-owner 122 o.cgi "a directory owned by bob in alice's path"
chown "$CALLER" "$T/www"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
expect_reason dir-owner 122 "docroot owned by the web server user"
chown root "$T/www"

mkfifo "$D/fifo.cgi"; chown "$ALICE:$ALICE" "$D/fifo.cgi"; chmod 0755 "$D/fifo.cgi"
run "$D" -- "$ALICE" "$ALICE" fifo.cgi
expect_reason file-not-regular 123 "a fifo"
user_dir "$ALICE" "$D/dir.cgi"
run "$D" -- "$ALICE" "$ALICE" dir.cgi
expect_reason file-not-regular 123 "a directory"

rm -f "$T/home/$ALICE/ran-ok.cgi"
big=$(head -c 120000 /dev/zero | tr '\0' a)
run "$D" "HTTP_A=$big" "HTTP_B=$big" "HTTP_C=$big" -- "$ALICE" "$ALICE" ok.cgi
refused env-too-large 124 ok.cgi "environment over the cap"

# limit-failed: the kernel refuses a nofile hard limit above fs.nr_open.
# Lower nr_open below the caller's inherited hard limit for one run.
nr_open=$(cat /proc/sys/fs/nr_open)
hard=$(ulimit -Hn)
write_conf "limit nofile $hard"
echo 1024 > /proc/sys/fs/nr_open
run "$D" -- "$ALICE" "$ALICE" ok.cgi
echo "$nr_open" > /proc/sys/fs/nr_open
refused limit-failed 125 ok.cgi "nofile limit the kernel refuses"
write_conf ""

cat > "$D/noint.cgi" <<'SH'
#!/nonexistent/interpreter
SH
chown "$ALICE:$ALICE" "$D/noint.cgi"; chmod 0755 "$D/noint.cgi"
run "$D" -- "$ALICE" "$ALICE" noint.cgi
expect_reason exec-failed 126 "missing interpreter"
like "$(last_log)" "user=$ALICE" "exec-failed logged after the drop"

# system-error: one descriptor above stdio is enough for the dynamic
# loader but not for the configuration walk, which holds two at a time.
OUT=$(cd "$D" && env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- prlimit --nofile=4 -- "$LAUNCHER" "$ALICE" "$ALICE" \
    ok.cgi 2>"$T/err"); RC=$?
is "$RC" 102 "RLIMIT_NOFILE 4: system-error, exit 102"
like "$(cat "$T/err")" "reason=system-error .*Too many open files" \
    "RLIMIT_NOFILE 4: the cause is reported"
! ran "$ALICE" ok.cgi; ok $? "RLIMIT_NOFILE 4: the script did not run"

# Every refusal with error-page yes started stdout with a status line.
run "$D" -- "$ALICE" "$ALICE" w.cgi
like "$OUT" "^Status: 403 Forbidden" "refusal writes a 403 page"
done_testing
