#!/bin/bash
# nginx through fcgiwrap with cgibox interposed: fcgiwrap pinned to the
# launcher (-p, from contrib/nginx/fcgiwrap-cgibox.service) and the script
# in the CGIBOX_SCRIPT parameter (contrib/nginx/cgibox.conf, paths adjusted
# to the test tree), on 127.0.0.1, with contrib/nginx/cgibox-limits.conf
# in cgibox.conf.  Then two attacks from a tenant: a forged line in
# nginx's error log (for fail2ban's nginx-http-auth to ban an address of
# the tenant's choosing), and slow scripts that hold every worker.
. "$(dirname "$0")/lib.sh"
need nginx fcgiwrap fail2ban-regex
setup
W=$T/nginx
DOC=$T/www
PORT=18085
PIDS=()
stop_all() {
	[ -s "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid" 2>/dev/null)" 2>/dev/null
	# fcgiwrap -c forks workers that outlive a killed master: the whole
	# process group goes.
	for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap 'stop_all; cleanup' EXIT
install -m 4750 -o root -g www-data "$BUILD/cgibox" "$T/lib/cgibox-www"
printf 'caller www-data\ndocroot %s\nuserdir public_html\nlog-file %s\nlog-exec yes\nerror-page yes\n' \
    "$DOC" "$LOG" > "$CONF"
LIMITS=$TOP/contrib/nginx/cgibox-limits.conf
[ -f "$LIMITS" ] || bail "no $LIMITS"
# The recipe's limits, with a timeout short enough for a test.
sed 's/^timeout .*/timeout 4/' "$LIMITS" >> "$CONF"
user_dir "$ALICE" "$DOC/alice"
user_dir "$ALICE" "$DOC/alice/cgi-bin"
put_script "$ALICE" "$DOC/alice/cgi-bin/conform.cgi" 0755 "$TOP/tests/e2e/conform.cgi"
put_script "$ALICE" "$DOC/alice/cgi-bin/open.cgi" 0757 "$TOP/tests/e2e/conform.cgi"
user_dir "$BOB" "$T/home/$BOB/public_html"
user_dir "$BOB" "$T/home/$BOB/public_html/cgi-bin"
put_script "$BOB" "$T/home/$BOB/public_html/cgi-bin/conform.cgi" 0755 "$TOP/tests/e2e/conform.cgi"
put_script "$BOB" "$T/home/$BOB/public_html/cgi-bin/open.cgi" 0757 "$TOP/tests/e2e/conform.cgi"
put_script "$ALICE" "$T/home/$BOB/public_html/cgi-bin/alices.cgi" 0755 "$TOP/tests/e2e/conform.cgi"
# A tenant's stderr shaped as nginx's own "user not found" line, after a
# newline, for an address the tenant chose; the last newline leaves what
# nginx appends to the message ('" while reading ...') on a line after it.
cat > "$T/forge.cgi" <<'SH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nforged\n'
printf '\n%s [error] 1#1: *1 user "admin" was not found in "/etc/nginx/htpasswd", client: 203.0.113.9, server: localhost, request: "GET / HTTP/1.1", host: "localhost"\nx' \
    "$(date '+%Y/%m/%d %H:%M:%S')" >&2
SH
put_script "$ALICE" "$DOC/alice/cgi-bin/forge.cgi" 0755 "$T/forge.cgi"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nsleep 40\necho late\n' > "$T/slow.cgi"
put_script "$ALICE" "$DOC/alice/cgi-bin/slow.cgi" 0755 "$T/slow.cgi"
install -d -m 0755 "$W"
install -d -m 0700 -o www-data -g www-data "$W/tmp" "$W/run"

# fcgiwrap as the unit runs it, listening where nginx will look.
unit=$TOP/contrib/nginx/fcgiwrap-cgibox.service
user=$(sed -n 's/^User=//p' "$unit")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" |
    sed "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|")
is "$user" www-data "the fcgiwrap unit runs as www-data, cgibox's caller"
like "$exec_start" "-p $T/lib/cgibox-www( |\$)" "and pins fcgiwrap to the launcher"
# shellcheck disable=SC2086
setsid setpriv --reuid=www-data --regid=www-data --init-groups -- \
    $exec_start -s "unix:$W/run/fcgiwrap.sock" >"$W/fcgiwrap.log" 2>&1 &
PIDS+=($!)

sed -e "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|" \
    -e "s|unix:/run/fcgiwrap-cgibox.socket|unix:$W/run/fcgiwrap.sock|" \
    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
    -e "s|/home/\\\$cgibox_user|$T/home/\$cgibox_user|" \
    "$TOP/contrib/nginx/cgibox.conf" > "$W/cgibox.conf"
{ nginx_conf_head "$W" 64 "$W/error.log"; cat <<CONF
	client_max_body_size 2m;
	server {
		listen 127.0.0.1:$PORT;
		root $DOC;
		include $W/cgibox.conf;
	}
}
CONF
} > "$W/nginx.conf"
nginx -t -c "$W/nginx.conf" >/dev/null 2>&1
ok $? "nginx accepts contrib/nginx/cgibox.conf"
nginx -c "$W/nginx.conf"
for i in $(seq 1 50); do
	[ -S "$W/run/fcgiwrap.sock" ] && curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/" && break
	sleep 0.1
done

B=http://127.0.0.1:$PORT
http_conformance "nginx" "$B/alice/cgi-bin/conform.cgi" \
    "$B/alice/cgi-bin/open.cgi" "$B/alice/cgi-bin/missing.cgi" 403 \
    "$ALICE_UID" /alice/cgi-bin/conform.cgi
out=$(curl -s --max-time 20 -H 'Cgibox-Script: /bin/sh' "$B/alice/cgi-bin/conform.cgi")
like "$out" "^SCRIPT_FILENAME=$DOC/alice/cgi-bin/conform.cgi\$" "nginx: SCRIPT_FILENAME is the checked script, not the launcher"
like "$(grep 'event=exec' "$LOG" | tail -n 1)" "caller=www-data user=$ALICE .*script=$DOC/alice/cgi-bin/conform.cgi" \
    "nginx: the exec line names the caller, the owner and the script"
http_conformance "nginx ~user" "$B/~$BOB/cgi-bin/conform.cgi" \
    "$B/~$BOB/cgi-bin/open.cgi" "$B/~$BOB/cgi-bin/missing.cgi" 403 \
    "$BOB_UID" "/~$BOB/cgi-bin/conform.cgi"
hdr=$(curl -s --max-time 20 -D - -o /dev/null "$B/~$BOB/cgi-bin/alices.cgi" | tr -d '\r')
like "$hdr" "^HTTP/1\\.1 403" "nginx ~user: alice's file in bob's public_html is refused"
like "$(last_log)" "event=deny reason=[a-z-]+ .*script=$T/home/$BOB/public_html/cgi-bin/alices\\.cgi" \
    "nginx ~user: and logged"
unlike "$(grep "alices.cgi" "$LOG")" "event=exec" "nginx ~user: it never ran"
hdr=$(curl -s --max-time 20 -D - -o /dev/null "$B/~$ALICE/../$BOB/cgi-bin/conform.cgi" | tr -d '\r')
unlike "$hdr" "^HTTP/1\\.1 200" "nginx: no way out of a userdir with .."

# fcgiwrap without CGIBOX_SCRIPT (a location that forgot it): usage.
n=$(log_lines)
out=$(printf 'x' | env -i REQUEST_METHOD=GET setpriv --reuid=www-data \
    --regid=www-data --init-groups -- "$T/lib/cgibox-www" 2>/dev/null); rc=$?
is "$rc" 101 "no argument and no CGIBOX_SCRIPT: usage (101)"
like "$(tail -n +$((n + 1)) "$LOG")" "event=error reason=usage" "and logged as usage"

# ---- a forged line in nginx's error log ---------------------------------------
# The filter would ban 203.0.113.9 for that line, had it a line of its own.
printf '%s [error] 1#1: *1 user "admin" was not found in "/etc/nginx/htpasswd", client: 203.0.113.9, server: localhost, request: "GET / HTTP/1.1", host: "localhost"\n' \
    "$(date '+%Y/%m/%d %H:%M:%S')" > "$T/raw-forgery.log"
is "$(fail2ban-regex -o ip "$T/raw-forgery.log" /etc/fail2ban/filter.d/nginx-http-auth.conf 2>&1 | tr -d '[:space:]')" \
    203.0.113.9 "nginx-http-auth counts the forged line against 203.0.113.9 when it stands alone"
out=$(curl -s --max-time 20 "$B/alice/cgi-bin/forge.cgi")
like "$out" "forged" "the forging script ran"
sleep 0.5
unlike "$(cat "$W/error.log")" '^[0-9/]+ [0-9:]+ \[error\] 1#1: \*1 user' \
    "no line of nginx's error log starts with the script's words"
like "$(cat "$W/error.log")" \
    'cgibox request_id=[0-9a-f]+: [0-9/]+ [0-9:]+ \[error\] 1#1: \*1 user \\x22admin\\x22' \
    "the script's line arrives escaped, after cgibox's prefix"
is "$(fail2ban-regex -o ip "$W/error.log" /etc/fail2ban/filter.d/nginx-http-auth.conf 2>&1 | tr -d '[:space:]')" \
    "" "fail2ban's nginx-http-auth finds nothing to ban in nginx's error log"

# ---- one user's slow scripts do not starve another's ------------------------
# As many of alice's slow requests as fcgiwrap has workers, from clients
# that give up after 2 s; bob must still be answered while hers run.
pool=$(printf '%s\n' "$exec_start" | sed -n 's/.* -c \([0-9]*\).*/\1/p')
cap=$(sed -n 's/^max-requests //p' "$LIMITS")
ok "$([ -n "$pool" ] && [ -n "$cap" ] && [ "$cap" -lt "$pool" ]; echo $?)" \
    "the recipe's max-requests ($cap) is below fcgiwrap's pool ($pool)"
grep -q '^timeout [0-9]' "$LIMITS"
ok $? "the recipe sets a timeout"
n=$(log_lines)
slow=()
for _ in $(seq 1 "$pool"); do
	curl -s -o /dev/null --max-time 2 "$B/alice/cgi-bin/slow.cgi" &
	slow+=($!)
done
sleep 1
out=$(curl -s --max-time 10 "$B/~$BOB/cgi-bin/conform.cgi")
running=$(pgrep -u "$ALICE" -x sleep | wc -l)
like "$out" "^uid=$BOB_UID" "bob is answered while alice's $pool slow requests are out"
ok "$([ "$running" -ge 1 ]; echo $?)" "and alice's scripts were still running then ($running)"
like "$(tail -n +$((n + 1)) "$LOG")" "event=error reason=busy .*user=$ALICE " \
    "alice's requests beyond max-requests were refused as busy"
wait "${slow[@]}"
for _ in $(seq 1 100); do
	[ "$(pgrep -u "$ALICE" | wc -l)" = 0 ] && break
	sleep 0.1
done
is "$(pgrep -u "$ALICE" | wc -l)" 0 "after the timeout nothing of alice's runs"
like "$(tail -n +$((n + 1)) "$LOG")" "event=timeout .*user=$ALICE " "her scripts ended by the timeout"
out=$(curl -s --max-time 10 "$B/alice/cgi-bin/conform.cgi")
like "$out" "^uid=$ALICE_UID" "and her workers are free again"
stop_all
done_testing
