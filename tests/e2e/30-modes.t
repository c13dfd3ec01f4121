#!/bin/bash
# Calling modes: suexec with names and numeric ids, ~user UserDir requests,
# and interpreter mode (lighttpd, busybox) where the target is the owner.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/probe.cgi" 0755
U=$T/home/$ALICE/public_html/cgi-bin
user_dir "$ALICE" "$T/home/$ALICE/public_html"
user_dir "$ALICE" "$U"
put_script "$ALICE" "$U/probe.cgi" 0755
BU=$T/home/$BOB/public_html
user_dir "$BOB" "$BU"
put_script "$BOB" "$BU/probe.cgi" 0755
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }

run "$D" -- "$ALICE_UID" "$ALICE_GID" probe.cgi
is "$RC:$(val uid)" "0:$ALICE_UID,$ALICE_UID,$ALICE_UID" "numeric uid and gid (Apache 2.4's form)"
run "$D" -- "0$ALICE_UID" "$ALICE" probe.cgi
is "$RC" 0 "numeric uid with a leading zero is the same id"
run "$D" -- "$ALICE" "$ALICE_GID" probe.cgi
is "$RC" 0 "user by name, group by id"

run "$U" -- "~$ALICE" "$ALICE" probe.cgi
is "$RC:$(val uid)" "0:$ALICE_UID,$ALICE_UID,$ALICE_UID" "~name UserDir request"
run "$U" -- "~$ALICE_UID" "$ALICE_GID" probe.cgi
is "$RC" 0 "~uid UserDir request (mod_userdir's form)"
like "$(last_log)" "event=exec .*user=$ALICE .*script=$U/probe.cgi" "UserDir exec logged"
run "$T/home/$ALICE/public_html" -- "~$ALICE" "$ALICE" cgi-bin/probe.cgi
is "$RC:$(val cwd)" "0:$U" "CMD with a subdirectory: cwd is the script's directory"
run "$U" -- "$ALICE" "$ALICE" probe.cgi
expect_reason outside-docroot 114 "a userdir script without ~ is not in a docroot"
run "$BU" -- "~$ALICE" "$ALICE" probe.cgi
expect_reason outside-docroot 114 "~alice cannot run a script in bob's userdir"
run "$BU" -- "~$BOB" "$BOB" probe.cgi
is "$RC" 0 "~bob runs bob's"
write_conf "userdir none"
run "$U" -- "~$ALICE" "$ALICE" probe.cgi
expect_reason outside-docroot 114 "userdir none disables ~user requests"
write_conf "userdir www/cgi"
user_dir "$ALICE" "$T/home/$ALICE/www"
user_dir "$ALICE" "$T/home/$ALICE/www/cgi"
put_script "$ALICE" "$T/home/$ALICE/www/cgi/p.cgi" 0755
run "$T/home/$ALICE/www/cgi" -- "~$ALICE" "$ALICE" p.cgi
is "$RC" 0 "a two-component userdir"
run "$U" -- "~$ALICE" "$ALICE" probe.cgi
expect_reason outside-docroot 114 "public_html is no longer the userdir"
write_conf ""
# A userdir that is a symlink (the user controls it) is refused.
mv "$T/home/$ALICE/public_html" "$T/home/$ALICE/real_html"
ln -s real_html "$T/home/$ALICE/public_html"
chown -h "$ALICE:$ALICE" "$T/home/$ALICE/public_html"
run "$T/home/$ALICE/real_html/cgi-bin" -- "~$ALICE" "$ALICE" probe.cgi
expect_reason outside-docroot 114 "cwd below the real directory is outside the userdir"
run "$T/home/$ALICE" -- "~$ALICE" "$ALICE" public_html/cgi-bin/probe.cgi
expect_reason symlink 115 "a path through the symlinked userdir is refused"
rm "$T/home/$ALICE/public_html"; mv "$T/home/$ALICE/real_html" "$T/home/$ALICE/public_html"

# Interpreter mode: the target is the script's owner and group.
run "$T" -- "$D/probe.cgi"
is "$RC:$(val uid)" "0:$ALICE_UID,$ALICE_UID,$ALICE_UID" "interpreter mode, absolute path in a docroot"
is "$(val argv0)" "$D/probe.cgi" "interpreter mode: argv[0] is SCRIPT as given"
is "$(val cwd)" "$D" "interpreter mode: cwd is the script's directory"
run "$D" -- probe.cgi
is "$RC" 0 "interpreter mode, relative path"
run "$T" -- "$U/probe.cgi"
is "$RC:$(val uid)" "0:$ALICE_UID,$ALICE_UID,$ALICE_UID" "interpreter mode in alice's userdir"
run "$T" -- "$BU/probe.cgi"
is "$RC:$(val uid)" "0:$BOB_UID,$BOB_UID,$BOB_UID" "interpreter mode in bob's userdir runs as bob"
run "$T" -- "$T/www//alice/./cgi-bin/probe.cgi"
is "$RC" 0 "interpreter mode: // and . components are normalized"
run "$T" -- "$T/www/alice/../alice/cgi-bin/probe.cgi"
expect_reason bad-command 104 "interpreter mode: .. is refused"
put_script "$BOB" "$U/bobs.cgi" 0755
run "$T" -- "$U/bobs.cgi"
expect_reason outside-docroot 114 "bob's script in alice's userdir: not in bob's userdir"
put_script root "$D/root.cgi" 0755
run "$T" -- "$D/root.cgi"
expect_reason target-root 109 "a root-owned script in a docroot is refused"
user_dir "$ALICE" "$T/www2/alice"
put_script "$ALICE" "$T/www2/alice/p.cgi" 0755
run "$T" -- "$T/www2/alice/p.cgi"
expect_reason outside-docroot 114 "interpreter mode: /www2 is not in docroot /www"

# No argument, the script in CGIBOX_SCRIPT (fcgiwrap behind nginx).
run "$T" CGIBOX_SCRIPT="$D/probe.cgi" --
is "$RC:$(val uid)" "0:$ALICE_UID,$ALICE_UID,$ALICE_UID" "CGIBOX_SCRIPT: runs as the owner"
is "$(val argv0)" "$D/probe.cgi" "CGIBOX_SCRIPT: argv[0] is the script"
like "$OUT" "env:SCRIPT_FILENAME=$D/probe.cgi" "CGIBOX_SCRIPT: SCRIPT_FILENAME is the script"
unlike "$OUT" "env:CGIBOX_SCRIPT" "CGIBOX_SCRIPT: not passed on"
run "$D" CGIBOX_SCRIPT=probe.cgi --
expect_reason bad-command 104 "CGIBOX_SCRIPT: a relative path is refused"
run "$T" CGIBOX_SCRIPT="$T/www/alice/../alice/cgi-bin/probe.cgi" --
expect_reason bad-command 104 "CGIBOX_SCRIPT: .. is refused"
run "$T" CGIBOX_SCRIPT= --
expect_reason bad-command 104 "CGIBOX_SCRIPT: empty is refused"
run "$T" CGIBOX_SCRIPT="$T/www2/alice/p.cgi" --
expect_reason outside-docroot 114 "CGIBOX_SCRIPT: outside every docroot"
run "$T" CGIBOX_SCRIPT="$BU/probe.cgi" -- "$D/probe.cgi"
is "$RC:$(val uid)" "0:$ALICE_UID,$ALICE_UID,$ALICE_UID" "with an argument, CGIBOX_SCRIPT is ignored"
run "$D" CGIBOX_SCRIPT="$BU/probe.cgi" -- "$ALICE" "$ALICE" probe.cgi
is "$RC:$(val argv0)" "0:probe.cgi" "and in suexec mode too"
RUN_AS=$ALICE run "$T" CGIBOX_SCRIPT="$D/probe.cgi" --
expect_reason caller-mismatch 103 "CGIBOX_SCRIPT: only the caller"

# Several docroots; the most specific one is the root of the checks.
write_conf "docroot $T/www2"
run "$T/www2/alice" -- "$ALICE" "$ALICE" p.cgi
is "$RC" 0 "a second docroot"
write_conf "docroot $T/www/alice"
chown "$BOB" "$T/www"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "checks start at the most specific docroot"
chown root "$T/www"
done_testing
