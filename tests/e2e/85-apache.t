#!/bin/bash
# Apache drop-in: cgibox installed as Apache's suexec (Debian's
# /usr/lib/apache2/suexec alternative), a real Apache on 127.0.0.1 with
# SuexecUserGroup and UserDir, under the event MPM with mod_cgid and the
# prefork MPM with mod_cgi.  The alternatives link is restored on exit.
. "$(dirname "$0")/lib.sh"
need apache2
setup
AP=$T/apache
PORT=18082
ALT=/etc/alternatives/suexec
ORIG_ALT=$(readlink "$ALT")
DOC=/var/www/cgbt-apache
stop_apache() {
	[ -e "$AP/httpd.conf" ] && env -i PATH=/usr/sbin:/usr/bin:/bin \
	    apache2 -f "$AP/httpd.conf" -k stop >/dev/null 2>&1
	for i in $(seq 1 50); do [ -e "$AP/httpd.pid" ] || break; sleep 0.1; done
}
trap 'stop_apache; if [ -n "$ORIG_ALT" ]; then ln -sfn "$ORIG_ALT" "$ALT"; else rm -f "$ALT"; fi; rm -rf "$DOC"; cleanup' EXIT
install -d -m 0755 "$AP"
install -d -m 0755 -o "$ALICE" -g "$ALICE" "$DOC" "$DOC/cgi-bin"
put_script "$ALICE" "$DOC/cgi-bin/probe.cgi" 0755
put_script "$ALICE" "$DOC/cgi-bin/open.cgi" 0757
U=$T/home/$ALICE/public_html/cgi-bin
user_dir "$ALICE" "$T/home/$ALICE/public_html"
user_dir "$ALICE" "$U"
put_script "$ALICE" "$U/probe.cgi" 0755
put_script "$ALICE" "$DOC/cgi-bin/conform.cgi" 0755 "$TOP/tests/e2e/conform.cgi"
BU=$T/home/$BOB/public_html/cgi-bin
user_dir "$BOB" "$T/home/$BOB/public_html"
user_dir "$BOB" "$BU"
put_script "$BOB" "$BU/conform.cgi" 0755 "$TOP/tests/e2e/conform.cgi"
put_script "$BOB" "$BU/open.cgi" 0757 "$TOP/tests/e2e/conform.cgi"
# gitweb and cgit, from Debian, as alice's applications.
put_script "$ALICE" "$DOC/cgi-bin/gitweb.cgi" 0755 /usr/share/gitweb/gitweb.cgi
put_script "$ALICE" "$DOC/cgi-bin/cgit.cgi" 0755 /usr/lib/cgit/cgit.cgi
git_fixture
install -m 4750 -o root -g www-data "$BUILD/cgibox" "$T/lib/cgibox-www"
ln -sfn "$T/lib/cgibox-www" "$ALT"
printf 'caller www-data\ndocroot %s\nlog-file %s\nlog-exec yes\nerror-page yes\n%s\n' \
    "$DOC" "$LOG" "$GIT_ENV" > "$CONF"

httpd_conf() {	# httpd_conf MPM CGI-MODULE
	cat > "$AP/httpd.conf" <<CONF
ServerRoot /etc/apache2
PidFile $AP/httpd.pid
ErrorLog $AP/error.log
Listen 127.0.0.1:$PORT
ServerName localhost
User www-data
Group www-data
LoadModule mpm_$1_module /usr/lib/apache2/modules/mod_mpm_$1.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule $2_module /usr/lib/apache2/modules/mod_$2.so
LoadModule suexec_module /usr/lib/apache2/modules/mod_suexec.so
LoadModule userdir_module /usr/lib/apache2/modules/mod_userdir.so
$([ "$2" = cgid ] && echo "ScriptSock $AP/cgid.sock")
Include $AP/site.conf
CONF
}

# The tested configuration is contrib/apache's, with the test's paths.
contrib_conf() {	# contrib_conf FILE: contrib/apache/FILE for this tree
	sed -e "s|\*:80>|*:$PORT>|" -e "s|/srv/www/example|$DOC|g" \
	    -e "s|SuexecUserGroup alice alice|SuexecUserGroup $ALICE $ALICE|" \
	    -e "s|/home/\*/|$T/home/*/|" "$TOP/contrib/apache/$1"
}
contrib_conf cgibox-site.conf > "$AP/site.conf"

for setup_case in "event cgid" "prefork cgi"; do
	set -- $setup_case
	httpd_conf "$1" "$2"
	env -i PATH=/usr/sbin:/usr/bin:/bin apache2 -f "$AP/httpd.conf" -k start
	for i in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1
	done
	grep -q 'suEXEC mechanism enabled' "$AP/error.log"
	ok $? "$1/$2: Apache enables suEXEC with cgibox as its wrapper"
	# What every server gets is in http_conformance below; the probe
	# shows the confinement and the exec line.
	out=$(curl -s "http://127.0.0.1:$PORT/cgi-bin/probe.cgi?x=1")
	like "$out" "uid=$ALICE_UID,$ALICE_UID,$ALICE_UID" "$1/$2: SuexecUserGroup runs the script as alice"
	like "$out" "NoNewPrivs=1" "$1/$2: confined"
	like "$out" "env:SCRIPT_FILENAME=$DOC/cgi-bin/probe.cgi" "$1/$2: SCRIPT_FILENAME is the checked path"
	like "$(grep 'event=exec' "$LOG" | tail -n 1)" "caller=www-data user=$ALICE .*cmd=probe.cgi .*request_method=GET request_uri=/cgi-bin/probe.cgi\\?x=1" \
	    "$1/$2: the exec line has Apache's request"
	out=$(curl -s "http://127.0.0.1:$PORT/~$ALICE/cgi-bin/probe.cgi")
	like "$out" "uid=$ALICE_UID,$ALICE_UID,$ALICE_UID" "$1/$2: a UserDir request runs as alice (~uid)"
	like "$out" "cwd=$U" "$1/$2: from her public_html/cgi-bin"
	B=http://127.0.0.1:$PORT
	# Apache looks for the file itself, so a missing script is its 404.
	http_conformance "$1/$2" "$B/cgi-bin/conform.cgi" "$B/cgi-bin/open.cgi" \
	    "$B/cgi-bin/missing.cgi" 404 "$ALICE_UID" /cgi-bin/conform.cgi
	http_conformance "$1/$2 ~user" "$B/~$BOB/cgi-bin/conform.cgi" \
	    "$B/~$BOB/cgi-bin/open.cgi" "$B/~$BOB/cgi-bin/missing.cgi" 404 \
	    "$BOB_UID" "/~$BOB/cgi-bin/conform.cgi"
	out=$(curl -s --max-time 30 "$B/cgi-bin/gitweb.cgi?p=demo.git;a=log")
	like "$out" "first commit from alice" "$1/$2: gitweb renders the repository's log"
	like "$out" "Demo repository for cgibox" "$1/$2: and its description"
	out=$(curl -s --max-time 30 "$B/cgi-bin/cgit.cgi/demo/log/")
	like "$out" "first commit from alice" "$1/$2: cgit renders the repository's log"
	like "$(grep 'cmd=cgit.cgi' "$LOG" | tail -n 1)" "event=exec .*user=$ALICE .*policy=default" \
	    "$1/$2: cgit ran as alice under the default policy"
	stop_apache
done

# mod_fcgid: a PHP application through php-cgi as a long-lived FastCGI
# process started by cgibox (fd 0 is the listening socket, passed through
# untouched); timeout 0 for it, as cgibox.conf(5) advises.
cat > "$DOC/cgi-bin/php.fcgi" <<'SH'
#!/bin/sh
exec /usr/bin/php-cgi
SH
chown "$ALICE:$ALICE" "$DOC/cgi-bin/php.fcgi"; chmod 0755 "$DOC/cgi-bin/php.fcgi"
printf '<?php echo "php as ", posix_geteuid(), " pid ", getmypid(), "\\n";' > "$DOC/cgi-bin/hello.php"
chown "$ALICE:$ALICE" "$DOC/cgi-bin/hello.php"
printf 'caller www-data\ndocroot %s\nlog-file %s\nlog-exec yes\nmatch user %s\ntimeout 0\n' \
    "$DOC" "$LOG" "$ALICE" > "$CONF"
httpd_conf event cgid
cat >> "$AP/httpd.conf" <<CONF
LoadModule fcgid_module /usr/lib/apache2/modules/mod_fcgid.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
FcgidIPCDir $AP/fcgid
FcgidProcessTableFile $AP/fcgid-shm
CONF
contrib_conf fcgid-php.conf >> "$AP/httpd.conf"
install -d -m 0755 -o www-data -g www-data "$AP/fcgid"
env -i PATH=/usr/sbin:/usr/bin:/bin apache2 -f "$AP/httpd.conf" -k start
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
a=$(curl -s "http://127.0.0.1:$PORT/cgi-bin/hello.php")
b=$(curl -s "http://127.0.0.1:$PORT/cgi-bin/hello.php")
like "$a" "^php as $ALICE_UID pid [0-9]+" "mod_fcgid: php-cgi answers as alice, started through cgibox"
is "${b##* pid }" "${a##* pid }" "the same FastCGI process serves the next request (no supervisor kills it)"
like "$(grep 'cmd=php.fcgi' "$LOG" | tail -n 1)" "event=exec .*user=$ALICE .*cmd=php\.fcgi" "its start is logged"
stop_apache
done_testing
