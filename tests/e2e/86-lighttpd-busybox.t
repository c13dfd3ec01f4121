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

# busybox httpd with contrib/busybox/httpd.conf
sed "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|" \
    "$TOP/contrib/busybox/httpd.conf" > "$W/httpd.conf"
busybox httpd -f -p "127.0.0.1:$BPORT" -h "$DOC" -c "$W/httpd.conf" \
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
done_testing
