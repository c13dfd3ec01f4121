#!/bin/bash
# lighttpd (cgi.assign, mod_userdir) and busybox httpd (interpreter
# lines) calling cgibox in interpreter mode, on 127.0.0.1, with the
# configurations from contrib/ (paths adjusted to the test tree).
. "$(dirname "$0")/lib.sh"
need lighttpd busybox
setup
W=$T/srv
DOC=$T/www
LPORT=18083 BPORT=18084
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup' EXIT
install -m 4750 -o root -g www-data "$BUILD/cgibox" "$T/lib/cgibox-www"
printf 'caller www-data\ndocroot %s\nlog-file %s\nlog-exec yes\nerror-page yes\n' \
    "$DOC" "$LOG" > "$CONF"
user_dir "$ALICE" "$DOC/alice"
user_dir "$ALICE" "$DOC/alice/cgi-bin"
put_script "$ALICE" "$DOC/alice/cgi-bin/probe.cgi" 0755
put_script "$ALICE" "$DOC/alice/cgi-bin/open.cgi" 0757
user_dir "$BOB" "$T/home/$BOB/public_html"
C=$TOP/tests/e2e/conform.cgi
put_script "$ALICE" "$DOC/alice/cgi-bin/conform.cgi" 0755 "$C"
put_script "$BOB" "$T/home/$BOB/public_html/conform.cgi" 0755 "$C"
put_script "$BOB" "$T/home/$BOB/public_html/open.cgi" 0757 "$C"
# busybox gives path info only below /cgi-bin/ (and still runs the
# script through its interpreter line).
user_dir "$ALICE" "$DOC/cgi-bin"
put_script "$ALICE" "$DOC/cgi-bin/conform.cgi" 0755 "$C"
put_script "$ALICE" "$DOC/cgi-bin/open.cgi" 0757 "$C"
install -d -m 0755 "$W"
install -m 0640 -o www-data -g www-data /dev/null "$W/lighttpd.err"

# lighttpd with contrib/lighttpd/cgibox.conf
sed "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|" \
    "$TOP/contrib/lighttpd/cgibox.conf" > "$W/cgibox.conf"
cat > "$W/lighttpd.conf" <<CONF
server.document-root = "$DOC"
server.bind = "127.0.0.1"
server.port = $LPORT
server.username = "www-data"
server.groupname = "www-data"
server.errorlog = "$W/lighttpd.err"
include "$W/cgibox.conf"
CONF
# lighttpd passes its CGIs' stderr on as its own: keep it for a check.
lighttpd -D -f "$W/lighttpd.conf" 2>"$W/lighttpd.stderr" & PIDS+=($!)
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$LPORT/" && break; sleep 0.1; done
out=$(curl -s "http://127.0.0.1:$LPORT/alice/cgi-bin/probe.cgi")
like "$out" "cwd=$DOC/alice/cgi-bin" "lighttpd: the script runs from its directory"
B=http://127.0.0.1:$LPORT
# lighttpd looks for the file itself, so a missing script is its 404.
http_conformance lighttpd "$B/alice/cgi-bin/conform.cgi" \
    "$B/alice/cgi-bin/open.cgi" "$B/alice/cgi-bin/missing.cgi" 404 \
    "$ALICE_UID" /alice/cgi-bin/conform.cgi
like "$(cat "$W/lighttpd.stderr")" "^cgibox=deny reason=file-writable request_id=[0-9a-f]+ " \
    "lighttpd: the reason goes to the server's error output, not the client"
http_conformance "lighttpd ~user" "$B/~$BOB/conform.cgi" "$B/~$BOB/open.cgi" \
    "$B/~$BOB/missing.cgi" 404 "$BOB_UID" "/~$BOB/conform.cgi"

# ---- busybox httpd with contrib/busybox/httpd.conf ----------------------------
# busybox reads an httpd.conf in every directory it serves, and its
# interpreter lines run a file as the -u user (www-data, cgibox's caller)
# without cgibox; nothing turns that off.  So its docroot is root's alone:
# docroot-owner root, every directory root's, only the scripts a user's.
BB=$T/www2
install -d -m 0755 -o root -g root "$BB/cgi-bin" "$BB/alice" "$BB/alice/cgi-bin"
put_script "$ALICE" "$BB/cgi-bin/conform.cgi" 0755 "$C"
put_script "$ALICE" "$BB/cgi-bin/open.cgi" 0757 "$C"
put_script "$ALICE" "$BB/alice/cgi-bin/probe.cgi" 0755
printf 'caller www-data\ndocroot %s\ndocroot-owner root\nlog-file %s\nlog-exec yes\nerror-page yes\n' \
    "$BB" "$LOG" > "$CONF"
out=$("$BUILD/cgibox-check" lint 2>&1)
ok $? "busybox: cgibox-check lint accepts a docroot that is root's alone" ||
    printf '#   %s\n' "$out"
sed "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|" \
    "$TOP/contrib/busybox/httpd.conf" > "$W/httpd.conf"
busybox httpd -f -p "127.0.0.1:$BPORT" -h "$BB" -c "$W/httpd.conf" \
    -u www-data:www-data 2>"$W/busybox.stderr" & PIDS+=($!)
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$BPORT/" && break; sleep 0.1; done
# Outside /cgi-bin/ too, through the interpreter line.
out=$(curl -s "http://127.0.0.1:$BPORT/alice/cgi-bin/probe.cgi")
like "$out" "uid=$ALICE_UID,$ALICE_UID,$ALICE_UID" "busybox: a script outside /cgi-bin/ runs as alice"
B=http://127.0.0.1:$BPORT
# busybox hands a missing script below /cgi-bin/ to cgibox, which refuses it.
http_conformance busybox "$B/cgi-bin/conform.cgi" "$B/cgi-bin/open.cgi" \
    "$B/cgi-bin/missing.cgi" 403 "$ALICE_UID" /cgi-bin/conform.cgi
like "$(cat "$W/busybox.stderr")" "^cgibox=deny reason=file-missing request_id=[0-9a-f]+ " \
    "busybox: the reason goes to the server's error output, not the client"

# The attack: alice puts an httpd.conf with "*.txt:/bin/sh" and a shell
# script x.txt wherever she can in the tree, and asks for x.txt.
as_alice() { setpriv --reuid="$ALICE" --regid="$ALICE" --clear-groups -- "$@"; }
printf '*.txt:/bin/sh\n' > "$T/bb-httpd.conf"
printf '%s\n' 'printf "Content-Type: text/plain\r\n\r\n"' 'echo "ran-as=$(id -u)"' > "$T/bb-x.txt"
chmod 0644 "$T/bb-httpd.conf" "$T/bb-x.txt"
plant() {	# plant DIR: alice's httpd.conf and x.txt in DIR; 0 if both landed
	as_alice cp "$T/bb-httpd.conf" "$1/httpd.conf" 2>/dev/null &&
	    as_alice cp "$T/bb-x.txt" "$1/x.txt" 2>/dev/null
}
landed=
for dir in "$BB" "$BB/cgi-bin" "$BB/alice" "$BB/alice/cgi-bin"; do
	plant "$dir" && landed="$landed $dir"
done
is "$landed" "" "busybox: alice can put an httpd.conf in no directory of the docroot"
out=$(curl -s "$B/alice/x.txt")
unlike "$out" "ran-as=" "busybox: so nothing of hers runs outside cgibox"

# The layout docroot-owner root refuses: a directory of alice's.  There
# the attack works (busybox, not cgibox, runs her file as www-data), so
# cgibox-check says so, and the launcher refuses every script below it.
chown "$ALICE:$ALICE" "$BB/alice"
out=$("$BUILD/cgibox-check" lint 2>&1); rc=$?
is "$rc" 1 "busybox: cgibox-check lint fails on a directory of alice's in the docroot"
like "$out" "^$BB/alice: directory owned by uid $ALICE_UID, not root" "and names it"
plant "$BB/alice"
ok $? "alice can plant her httpd.conf in her own directory"
out=$(curl -s "$B/alice/x.txt")
like "$out" "ran-as=$(id -u www-data)" \
    "busybox runs her x.txt as www-data there: the reason for the refusal"
out=$(curl -s -D - -o /dev/null "$B/alice/cgi-bin/probe.cgi" | tr -d '\r')
like "$out" "^HTTP/1\\.[01] 403" "busybox: the launcher refuses alice's script below her directory"
like "$(last_log)" "event=deny reason=dir-owner .*\\(docroot-owner root\\)" \
    "logged as dir-owner, naming docroot-owner root"
done_testing
