#!/bin/bash
# Cross-user isolation with Landlock and namespaces: alice's CGI cannot
# read bob's world-readable secrets, write outside her own areas, signal
# her processes outside the sandbox, reach abstract sockets outside it or
# listen on TCP; private /tmp does not outlive a request; network no cuts
# the network.
. "$(dirname "$0")/lib.sh"
setup

W=$TOP/tests/e2e/workloads
for u in "$ALICE" "$BOB"; do
	user_dir "$u" "$T/home/$u/public_html"
	user_dir "$u" "$T/home/$u/public_html/cgi-bin"
	put_script "$u" "$T/home/$u/public_html/cgi-bin/iso.py" 0755 "$W/iso.py"
done
A=$T/home/$ALICE/public_html/cgi-bin
B=$T/home/$BOB/public_html/cgi-bin
BH=$T/home/$BOB
echo '<?php $db_password = "bobsecret";' > "$BH/public_html/config.php"
printf '[client]\npassword=bobsecret\n' > "$BH/.my.cnf"
chown "$BOB:$BOB" "$BH/public_html/config.php" "$BH/.my.cnf"
chmod 0644 "$BH/public_html/config.php" "$BH/.my.cnf"
install -d -m 0777 -o "$BOB" -g "$BOB" "$BH/public_html/uploads"

iso() {	# iso USER ACTION...: run the probe in USER's cgi-bin
	local dir=$A
	[ "$1" = "$BOB" ] && dir=$B
	local u=$1; shift
	run "$dir" -- "~$u" "$u" iso.py "$@"
}
has() {	# has LINE NAME
	like "$OUT" "^$1\$" "$2"
}

iso "$ALICE" "read=$BH/public_html/config.php" "read=$BH/.my.cnf" "list=$BH" \
    "list=$BH/public_html" "write=$BH/public_html/uploads/x" \
    "write=$T/home/$ALICE/mine.txt" "read=/etc/passwd" "list=/usr/bin"
is "$RC" 0 "alice's probe runs"
has "read=$BH/public_html/config.php: EACCES" "alice cannot read bob's world-readable config.php"
has "read=$BH/.my.cnf: EACCES" "alice cannot read bob's ~/.my.cnf"
has "list=$BH: EACCES" "alice cannot list bob's home"
has "list=$BH/public_html: EACCES" "alice cannot list bob's public_html"
has "write=$BH/public_html/uploads/x: EACCES" "alice cannot write into bob's world-writable directory"
has "write=$T/home/$ALICE/mine.txt: ok" "alice can write in her own home"
has "read=/etc/passwd: ok" "the system stays readable"
has "list=/usr/bin: ok" "system directories stay listable"
like "$(last_log)" "landlock=[0-9]" "exec line records the Landlock ABI"
iso "$BOB" "read=$BH/public_html/config.php" "read=$BH/.my.cnf" "list=$BH"
has "read=$BH/public_html/config.php: ok" "bob's own CGI reads his config.php"
has "read=$BH/.my.cnf: ok" "bob's own CGI reads his ~/.my.cnf"
has "list=$BH: ok" "bob's own CGI lists his home"

# A grant below the home cannot be pointed elsewhere with a symlink.
ln -s "$BH/public_html" "$T/home/$ALICE/data"
chown -h "$ALICE:$ALICE" "$T/home/$ALICE/data"
write_conf "landlock-read ~/data"
iso "$ALICE" "read=$T/home/$ALICE/data/config.php" "read=$BH/public_html/config.php"
has "read=$T/home/$ALICE/data/config.php: EACCES" "landlock-read ~/data does not follow alice's symlink to bob"
has "read=$BH/public_html/config.php: EACCES" "bob's file stays out of reach"
rm "$T/home/$ALICE/data"
write_conf ""

# In a shared docroot, a script gets its owner's site, not the others'.
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$T/www/alice/cgi-bin"
user_dir "$ALICE" "$T/www/alice/data"
user_dir "$BOB" "$T/www/bob"
echo alice > "$T/www/alice/data/notes.txt"; chown "$ALICE:$ALICE" "$T/www/alice/data/notes.txt"
echo bob > "$T/www/bob/secret.txt"; chown "$BOB:$BOB" "$T/www/bob/secret.txt"
chmod 0644 "$T/www/alice/data/notes.txt" "$T/www/bob/secret.txt"
put_script "$ALICE" "$T/www/alice/cgi-bin/iso.py" 0755 "$W/iso.py"
run "$T/www/alice/cgi-bin" -- "$ALICE" "$ALICE" iso.py \
    "read=$T/www/alice/data/notes.txt" "read=$T/www/bob/secret.txt" "list=$T/www"
has "read=$T/www/alice/data/notes.txt: ok" "a docroot script reads its own site"
has "read=$T/www/bob/secret.txt: EACCES" "but not another user's site in the same docroot"
has "list=$T/www: EACCES" "nor list the docroot"

# A root-owned shared cgi-bin: the script gets itself, not its neighbours.
install -d -m 0755 "$T/www/shared"
put_script "$ALICE" "$T/www/shared/iso.py" 0755 "$W/iso.py"
echo bob > "$T/www/shared/bob.txt"; chown "$BOB:$BOB" "$T/www/shared/bob.txt"
run "$T/www/shared" -- "$ALICE" "$ALICE" iso.py "read=$T/www/shared/bob.txt"
has "read=$T/www/shared/bob.txt: EACCES" "in a shared root-owned directory alice reads nothing of bob's"
is "$RC" 0 "and her script still runs"

# Interpreter mode asks about paths outside docroots with the caller's
# rights, so it does not tell whether root's files exist.
run "$T" -- /root/.bashrc
is "$RC" 117 "an existing file under /root answers file-missing"
run "$T" -- /root/no-such-file
is "$RC" 117 "so does a missing one"

# Private /tmp (the default): fresh per request, invisible elsewhere.
rm -f /var/tmp/cgbt-iso /tmp/cgbt-iso
iso "$ALICE" "write=/tmp/cgbt-iso" "exists=/tmp/cgbt-iso" "write=/var/tmp/cgbt-iso"
has "write=/tmp/cgbt-iso: ok" "a request can write its /tmp"
has "exists=/tmp/cgbt-iso: ok" "and sees what it wrote"
has "write=/var/tmp/cgbt-iso: ok" "and its /var/tmp"
[ ! -e /tmp/cgbt-iso ] && [ ! -e /var/tmp/cgbt-iso ]
ok $? "the host's /tmp and /var/tmp never see those files"
iso "$ALICE" "exists=/tmp/cgbt-iso"
has "exists=/tmp/cgbt-iso: ENOENT" "the next request of alice's does not see it"
iso "$BOB" "exists=/tmp/cgbt-iso"
has "exists=/tmp/cgbt-iso: ENOENT" "bob's request does not see it"

# Without private /tmp, the shared /tmp and /var/tmp are not writable.
write_conf "private-tmp no"
iso "$ALICE" "write=/var/tmp/cgbt-iso" "write=/tmp/cgbt-iso" "read=$BH/.my.cnf"
has "write=/var/tmp/cgbt-iso: EACCES" "private-tmp no: the host's /var/tmp is not writable"
has "write=/tmp/cgbt-iso: EACCES" "private-tmp no: nor the host's /tmp"
[ ! -e /var/tmp/cgbt-iso ]; ok $? "nothing was written to the host's /var/tmp"
write_conf "landlock-write /var/tmp"
iso "$ALICE" "write=/var/tmp/cgbt-iso"
has "write=/var/tmp/cgbt-iso: ok" "landlock-write adds a writable path (inside the private /var/tmp)"
write_conf "landlock-read $BH/public_html"
iso "$ALICE" "read=$BH/public_html/config.php" "read=$BH/.my.cnf"
has "read=$BH/public_html/config.php: ok" "landlock-read opens a tree"
has "read=$BH/.my.cnf: EACCES" "and only that tree"
write_conf "match user $BOB
landlock-write ~/data"
iso "$BOB" "write=$BH/.my.cnf"
has "write=$BH/.my.cnf: ok" "~ in landlock paths is the target's home"

# Network: default allows connect; bind is denied; network no cuts it.
coproc LISTENER { exec python3 "$W/listener.py" 2>/dev/null; }
read -r PORT <&"${LISTENER[0]}"
write_conf ""
iso "$ALICE" "connect=$PORT" "bind=18080"
has "connect=$PORT: ok" "default: connecting to 127.0.0.1 works"
has "bind=18080: EACCES" "binding a TCP port is denied"
write_conf "landlock-bind 18080"
iso "$ALICE" "bind=18080" "bind=18081"
has "bind=18080: ok" "landlock-bind allows that port"
has "bind=18081: EACCES" "and only that one"
write_conf "landlock-connect 1"
iso "$ALICE" "connect=$PORT"
has "connect=$PORT: EACCES" "landlock-connect limits connections to its ports"
write_conf "network no"
iso "$ALICE" "connect=$PORT"
has "connect=$PORT: ENETUNREACH" "network no: 127.0.0.1 is unreachable"
write_conf ""
kill "$LISTENER_PID" 2>/dev/null

# Scoping: alice's CGI cannot signal alice's own processes outside it,
# nor connect to an abstract socket outside it.
runuser -u "$ALICE" -- sleep 60 >/dev/null 2>&1 &
SLEEP=$!
sleep 0.2
SPID=$(pgrep -u "$ALICE" -x sleep | head -n 1)
python3 -c 'import socket,time; s=socket.socket(socket.AF_UNIX); s.bind("\0cgbt-abstract"); s.listen(1); time.sleep(60)' &
ABS=$!
sleep 0.2
iso "$ALICE" "kill=$SPID" "abstract=cgbt-abstract"
has "kill=$SPID: EPERM" "alice's CGI cannot signal alice's sleep outside the sandbox"
has "abstract=cgbt-abstract: EPERM" "nor connect to an abstract socket outside it"
write_conf "landlock off
private-tmp no"
iso "$ALICE" "kill=$SPID" "read=$BH/.my.cnf"
has "kill=$SPID: ok" "landlock off: the same signal gets through (the test can fail)"
has "read=$BH/.my.cnf: ok" "landlock off: bob's file is readable (the test can fail)"
like "$(last_log)" "landlock=off" "landlock off is logged"
write_conf "landlock best-effort"
iso "$ALICE" "read=$BH/.my.cnf"
has "read=$BH/.my.cnf: EACCES" "best-effort on a kernel with Landlock still confines"
kill "$SLEEP" "$SPID" "$ABS" 2>/dev/null
done_testing
