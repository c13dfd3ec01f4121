#!/bin/bash
# cgiboxd behind real web servers on 127.0.0.1, each with its contrib
# file (paths changed to the test tree): nginx (fastcgi_pass, kept
# connections), Apache (mod_proxy_fcgi), Caddy (reverse_proxy with the
# fastcgi transport) and lighttpd (mod_fastcgi).  Each gets the checks
# every server gets (http_conformance in lib.sh), for a docroot script
# and, where the server has UserDir, a ~user one.
. "$(dirname "$0")/lib.sh"
need nginx apache2 caddy lighttpd
setup
W=$T/srv
DOC=$T/www
NPORT=18086 APORT=18087 CPORT=18088 LPORT=18089
PIDS=()
stop_all() {
	[ -s "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null
	[ -e "$W/httpd.conf" ] && env -i PATH=/usr/sbin:/usr/bin:/bin \
	    apache2 -f "$W/httpd.conf" -k stop >/dev/null 2>&1
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${PIDS[@]}" 2>/dev/null
}
trap 'stop_all; cleanup' EXIT
printf 'caller www-data\ndocroot %s\nuserdir public_html\nlog-file %s\nlog-exec yes\nerror-page yes\n' \
    "$DOC" "$LOG" > "$CONF"
C=$TOP/tests/e2e/conform.cgi
user_dir "$ALICE" "$DOC/alice"
user_dir "$ALICE" "$DOC/alice/cgi-bin"
put_script "$ALICE" "$DOC/alice/cgi-bin/conform.cgi" 0755 "$C"
put_script "$ALICE" "$DOC/alice/cgi-bin/open.cgi" 0757 "$C"
user_dir "$BOB" "$T/home/$BOB/public_html"
user_dir "$BOB" "$T/home/$BOB/public_html/cgi-bin"
put_script "$BOB" "$T/home/$BOB/public_html/cgi-bin/conform.cgi" 0755 "$C"
put_script "$BOB" "$T/home/$BOB/public_html/cgi-bin/open.cgi" 0757 "$C"
put_script "$ALICE" "$T/home/$BOB/public_html/cgi-bin/alices.cgi" 0755 "$C"
install -d -m 0755 "$W"
install -d -m 0700 -o www-data -g www-data "$W/tmp" "$W/caddy"
start_cgiboxd
is "$(stat -c %G "$SOCK")" www-data "cgiboxd's socket belongs to the caller's group, www-data"
# Every server's own paths for cgiboxd's socket and the test tree.
paths() {
	sed -e "s|/run/cgibox/fcgi.sock|$SOCK|g" -e "s|/srv/www/example|$DOC|g" \
	    -e "s|/home/|$T/home/|g" "$@"
}
# kept_connections LABEL: five requests in a row, served by fewer than five
# monitors (the pid of an exit line is its connection's monitor).
kept_connections() {
	local n pids
	n=$(log_lines)
	for _ in 1 2 3 4 5; do
		curl -s -o /dev/null "$B/alice/cgi-bin/conform.cgi"
	done
	pids=$(tail -n +$((n + 1)) "$LOG" | grep 'event=exit' |
	    sed -n 's/.* pid=\([0-9]*\) .*/\1/p' | sort -u | wc -l)
	ok "$([ "$pids" -ge 1 ] && [ "$pids" -lt 5 ]; echo $?)" \
	    "$1: connections are kept, five requests took $pids monitor(s)"
}
served_by_cgiboxd() {	# served_by_cgiboxd LABEL: the last request went through cgiboxd
	like "$(grep 'event=exec' "$LOG" | tail -n 1)" "caller=www-data user=[^ ]+ .*script=$DOC/|caller=www-data user=[^ ]+ .*script=$T/home/" \
	    "$1: the exec line is cgiboxd's, for the caller www-data"
	is "$(pgrep -f "^$T/lib/cgibox" | wc -l)" 0 "$1: no launcher ran"
}

# ---- nginx: fastcgi_pass, kept connections -----------------------------------
paths "$TOP/contrib/nginx/cgiboxd.conf" |
    sed "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" > "$W/cgiboxd.conf"
paths "$TOP/contrib/nginx/cgiboxd-upstream.conf" > "$W/upstream.conf"
{ nginx_conf_head "$W" 64 "$W/nginx-error.log"; cat <<CONF
	client_max_body_size 2m;
	include $W/upstream.conf;
	server {
		listen 127.0.0.1:$NPORT;
		root $DOC;
		include $W/cgiboxd.conf;
	}
}
CONF
} > "$W/nginx.conf"
nginx -t -c "$W/nginx.conf" >/dev/null 2>&1
ok $? "nginx accepts contrib/nginx/cgiboxd.conf and cgiboxd-upstream.conf"
nginx -c "$W/nginx.conf"
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/" && break; sleep 0.1; done
B=http://127.0.0.1:$NPORT
http_conformance "nginx/cgiboxd" "$B/alice/cgi-bin/conform.cgi" \
    "$B/alice/cgi-bin/open.cgi" "$B/alice/cgi-bin/missing.cgi" 403 \
    "$ALICE_UID" /alice/cgi-bin/conform.cgi
served_by_cgiboxd "nginx/cgiboxd"
out=$(curl -s --max-time 20 "$B/alice/cgi-bin/conform.cgi")
like "$out" "^SCRIPT_FILENAME=$DOC/alice/cgi-bin/conform.cgi\$" "nginx/cgiboxd: SCRIPT_FILENAME is the checked script"
http_conformance "nginx/cgiboxd ~user" "$B/~$BOB/cgi-bin/conform.cgi" \
    "$B/~$BOB/cgi-bin/open.cgi" "$B/~$BOB/cgi-bin/missing.cgi" 403 \
    "$BOB_UID" "/~$BOB/cgi-bin/conform.cgi"
hdr=$(curl -s --max-time 20 -D - -o /dev/null "$B/~$BOB/cgi-bin/alices.cgi" | tr -d '\r')
like "$hdr" "^HTTP/1\\.1 403" "nginx/cgiboxd ~user: alice's file in bob's public_html is refused"
unlike "$(grep "alices.cgi" "$LOG")" "event=exec" "nginx/cgiboxd ~user: it never ran"
before=$(pgrep -f "^$BUILD/cgiboxd" | wc -l)
for i in 1 2 3 4 5; do curl -s -o /dev/null "$B/alice/cgi-bin/conform.cgi"; done
after=$(pgrep -f "^$BUILD/cgiboxd" | wc -l)
is "$after" "$before" "nginx/cgiboxd: kept connections, no new monitor per request"
kept_connections "nginx/cgiboxd"
kill "$(cat "$W/nginx.pid")"; rm -f "$W/nginx.pid"

# ---- Apache: mod_proxy_fcgi -------------------------------------------------------
paths "$TOP/contrib/apache/cgiboxd-proxy.conf" > "$W/proxy.conf"
cat > "$W/httpd.conf" <<CONF
ServerRoot /etc/apache2
PidFile $W/httpd.pid
ErrorLog $W/apache-error.log
Listen 127.0.0.1:$APORT
ServerName localhost
User www-data
Group www-data
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
LoadModule userdir_module /usr/lib/apache2/modules/mod_userdir.so
DocumentRoot $DOC
<Directory $DOC>
	Require all granted
</Directory>
Include $W/proxy.conf
CONF
env -i PATH=/usr/sbin:/usr/bin:/bin apache2 -f "$W/httpd.conf" -k start
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$APORT/" && break; sleep 0.1; done
B=http://127.0.0.1:$APORT
# Apache does not look for the file: a missing one is cgiboxd's 403.
http_conformance "apache/cgiboxd" "$B/alice/cgi-bin/conform.cgi" \
    "$B/alice/cgi-bin/open.cgi" "$B/alice/cgi-bin/missing.cgi" 403 \
    "$ALICE_UID" /alice/cgi-bin/conform.cgi
served_by_cgiboxd "apache/cgiboxd"
http_conformance "apache/cgiboxd ~user" "$B/~$BOB/cgi-bin/conform.cgi" \
    "$B/~$BOB/cgi-bin/open.cgi" "$B/~$BOB/cgi-bin/missing.cgi" 403 \
    "$BOB_UID" "/~$BOB/cgi-bin/conform.cgi"
hdr=$(curl -s --max-time 20 -D - -o /dev/null "$B/~$BOB/cgi-bin/alices.cgi" | tr -d '\r')
like "$hdr" "^HTTP/1\\.1 403" "apache/cgiboxd ~user: alice's file in bob's public_html is refused"
kept_connections "apache/cgiboxd"
env -i PATH=/usr/sbin:/usr/bin:/bin apache2 -f "$W/httpd.conf" -k stop >/dev/null 2>&1
for i in $(seq 1 50); do [ -e "$W/httpd.pid" ] || break; sleep 0.1; done
rm -f "$W/httpd.conf"

# ---- Caddy: reverse_proxy, transport fastcgi ----------------------------------------
paths "$TOP/contrib/caddy/Caddyfile" | sed "s|^:80 {|{\n\tadmin off\n\tauto_https off\n}\n:$CPORT {|" \
    > "$W/Caddyfile"
setpriv --reuid=www-data --regid=www-data --init-groups -- env -i \
    HOME="$W/caddy" XDG_DATA_HOME="$W/caddy" XDG_CONFIG_HOME="$W/caddy" \
    caddy run --config "$W/Caddyfile" --adapter caddyfile >"$W/caddy.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$CPORT/" && break; sleep 0.1; done

B=http://127.0.0.1:$CPORT
http_conformance "caddy/cgiboxd" "$B/alice/cgi-bin/conform.cgi" \
    "$B/alice/cgi-bin/open.cgi" "$B/alice/cgi-bin/missing.cgi" 403 \
    "$ALICE_UID" /alice/cgi-bin/conform.cgi
served_by_cgiboxd "caddy/cgiboxd"

# ---- lighttpd: mod_fastcgi ----------------------------------------------------------
paths "$TOP/contrib/lighttpd/cgiboxd.conf" > "$W/lighttpd-cgiboxd.conf"
install -m 0640 -o www-data -g www-data /dev/null "$W/lighttpd.err"
cat > "$W/lighttpd.conf" <<CONF
server.document-root = "$DOC"
server.bind = "127.0.0.1"
server.port = $LPORT
server.username = "www-data"
server.groupname = "www-data"
server.errorlog = "$W/lighttpd.err"
include "$W/lighttpd-cgiboxd.conf"
CONF
lighttpd -D -f "$W/lighttpd.conf" 2>"$W/lighttpd.stderr" & PIDS+=($!)
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$LPORT/" && break; sleep 0.1; done
B=http://127.0.0.1:$LPORT
http_conformance "lighttpd/cgiboxd" "$B/alice/cgi-bin/conform.cgi" \
    "$B/alice/cgi-bin/open.cgi" "$B/alice/cgi-bin/missing.cgi" 404 \
    "$ALICE_UID" /alice/cgi-bin/conform.cgi
served_by_cgiboxd "lighttpd/cgiboxd"
http_conformance "lighttpd/cgiboxd ~user" "$B/~$BOB/cgi-bin/conform.cgi" \
    "$B/~$BOB/cgi-bin/open.cgi" "$B/~$BOB/cgi-bin/missing.cgi" 404 \
    "$BOB_UID" "/~$BOB/cgi-bin/conform.cgi"
stop_all
stop_cgiboxd
done_testing
