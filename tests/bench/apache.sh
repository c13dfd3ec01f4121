#!/bin/bash
# Apache throughput, side by side: event MPM with mod_cgid on 127.0.0.1,
# wrk with a few connections, for plain mod_cgid (the script runs as
# www-data), Apache's suexec, cgibox with everything on, and mod_proxy_fcgi
# to cgiboxd with everything on (contrib/apache/cgiboxd-proxy.conf, no
# mod_cgid).  Sourced by run.sh after its setup; prints one table.
#
# Apache calls the suexec it was built with, /usr/lib/apache2/suexec (a
# Debian alternatives link); for the cgibox rounds that link points at a
# copy of the test launcher, and it is put back when this ends.
AP=$T/apache
PORT=18081
ALT=/etc/alternatives/suexec
ORIG_ALT=$(readlink "$ALT")
install -d -m 0755 "$AP"
install -m 4750 -o root -g www-data "$LAUNCHER" "$T/lib/cgibox-www"
restore_alt() { ln -sfn "$ORIG_ALT" "$ALT"; }

httpd_conf() {	# httpd_conf SUEXEC(yes|no|proxy)
	local handler="ScriptAlias /cgi-bin/ $SX/"
	[ "$1" = proxy ] && handler="LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
Alias /cgi-bin/ $SX/
$(sed "s|/run/cgibox/fcgi.sock|$SOCK|" "$TOP/contrib/apache/cgiboxd-proxy.conf" |
    sed '/^UserDir/,$d')"
	cat > "$AP/httpd.conf" <<CONF
ServerRoot /etc/apache2
PidFile $AP/httpd.pid
ErrorLog $AP/error.log
LogLevel warn
Listen 127.0.0.1:$PORT
ServerName localhost
User www-data
Group www-data
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
LoadModule suexec_module /usr/lib/apache2/modules/mod_suexec.so
ScriptSock $AP/cgid.sock
DocumentRoot $SX
$handler
<Directory $SX>
    Require all granted
</Directory>
$([ "$1" = yes ] && echo "SuexecUserGroup $ALICE $ALICE")
CONF
}

ap() { env -i PATH=/usr/sbin:/usr/bin:/bin APACHE_RUN_DIR="$AP" \
    APACHE_LOCK_DIR="$AP" APACHE_LOG_DIR="$AP" apache2 -f "$AP/httpd.conf" "$@"; }

serve() {	# serve CASE: configure, start, warm up
	case $1 in
	plain) httpd_conf no; restore_alt ;;
	suexec) httpd_conf yes; restore_alt ;;
	cgibox) httpd_conf yes; ln -sfn "$T/lib/cgibox-www" "$ALT" ;;
	cgiboxd) httpd_conf proxy; restore_alt ;;
	esac
	# Never measure a previous round's server: it must be gone first.
	stop
	ap -k start >&2 || { echo "apache did not start for $1" >&2; return 1; }
	for i in $(seq 1 50); do
		curl -s "http://127.0.0.1:$PORT/cgi-bin/hello.cgi" | grep -q hello && return 0
		sleep 0.1
	done
	echo "apache did not serve the $1 case: $(tail -n 3 "$AP/error.log")" >&2
	return 1
}

stop() {	# stop Apache and wait until its parent process has gone
	local pid
	pid=$(cat "$AP/httpd.pid" 2>/dev/null)
	[ -n "$pid" ] || return 0
	ap -k stop >/dev/null 2>&1
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	rm -f "$AP/httpd.pid"
}

# The cgibox rounds: Apache's cgid runs as www-data, the docroot is $SX.
printf 'caller www-data\ndocroot /var/www\nlog-file %s\n' "$LOG" > "$CONF"
start_cgiboxd
declare -A rps=([plain]= [suexec]= [cgibox]= [cgiboxd]=)
trap 'stop; restore_alt; stop_cgiboxd; rm -rf "$SX"; cleanup' EXIT
for round in $(seq 1 "${APACHE_ROUNDS:-3}"); do
	for c in plain suexec cgibox cgiboxd; do
		serve "$c" || { stop; continue; }
		r=$(wrk -t2 -c4 -d"${APACHE_SECONDS:-5}"s \
		    "http://127.0.0.1:$PORT/cgi-bin/hello.cgi" |
		    awk '/Requests\/sec/ {print $2}')
		rps[$c]="${rps[$c]} $r"
		stop
	done
done
restore_alt
stop_cgiboxd
med() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(med "${rps[plain]}"); s=$(med "${rps[suexec]}"); g=$(med "${rps[cgibox]}")
f=$(med "${rps[cgiboxd]}")
rat() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
echo "| Apache 2.4, event MPM, wrk -t2 -c4, ${APACHE_ROUNDS:-3} rounds of ${APACHE_SECONDS:-5} s, alternated | median requests/s | / suexec | / plain mod_cgid |"
echo "|---|---|---|---|"
echo "| plain mod_cgid (as www-data) | $p | $(rat "$p" "$s") | 1.00x |"
echo "| mod_cgid + Apache suexec | $s | 1.00x | $(rat "$s" "$p") |"
echo "| mod_cgid + cgibox, everything on | $g | $(rat "$g" "$s") | $(rat "$g" "$p") |"
echo "| mod_proxy_fcgi → cgiboxd, everything on | $f | $(rat "$f" "$s") | $(rat "$f" "$p") |"
