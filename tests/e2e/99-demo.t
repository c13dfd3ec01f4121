#!/bin/bash
# make demo, run as a test: every claim it prints holds, the Apache it
# leaves running answers requests of our own, running it again replaces
# it, and demo-stop puts the machine back exactly as it was.  Also: a
# taken port 8080 makes the demo fail before it changes anything.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || bail "needs root"
need apache2
DEMO=$TOP/contrib/demo.sh
D=/srv/cgibox-demo
DA=cgbdemo-alice
DB=cgbdemo-bob
PORT=8080
URL=http://127.0.0.1:$PORT/~$DA/cgi-bin
SUEXEC=/usr/lib/apache2/suexec
CURL="curl -s --max-time 20"

# What Apache's suexec is: both links (target, owner, mtime), a file's
# bytes, and dpkg's record of the alternative.
suexec_state() {
	local p
	for p in "$SUEXEC" /etc/alternatives/suexec; do
		if [ -L "$p" ]; then
			echo "$p: link $(readlink "$p") $(stat -c '%U:%G %y' "$p")"
		elif [ -e "$p" ]; then
			echo "$p: file $(stat -c '%a %U:%G %s %y' "$p") $(sha256sum < "$p")"
		else
			echo "$p: absent"
		fi
	done
	update-alternatives --query suexec 2>&1
	cat /var/lib/dpkg/alternatives/suexec 2>&1
}

# section OUTPUT HEADING: the lines of the demo's section HEADING.
section() {
	printf '%s\n' "$1" | awk -v h="== $2" 'index($0, h) == 1 { p = 1; next } /^== / { p = 0 } p'
}

listening() {
	[ -n "$(ss -Hltn "sport = :$PORT")" ]
}

# gone PID: no such process, or only a zombie.
gone() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}

demo_users_gone() {
	local u
	for u in $DA $DB; do
		getent passwd "$u" >/dev/null && return 1
		getent group "$u" >/dev/null && return 1
	done
	return 0
}

# A demo left by an earlier run is stopped before anything is recorded.
if [ -e "$D" ] || getent passwd "$DA" >/dev/null; then
	bash "$DEMO" stop >/dev/null 2>&1
fi
case $(readlink -f "$SUEXEC") in
"$D"/*) bail "$SUEXEC still points into $D" ;;
esac
BEFORE=$(suexec_state)
ALT_BEFORE=$(readlink /etc/alternatives/suexec)
LISTENER=
finish() {
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	if [ -e "$D" ] || getent passwd "$DA" >/dev/null; then
		bash "$DEMO" stop >/dev/null 2>&1
	fi
	# Last resort if demo-stop failed: the alternative as it was.
	if [ "$(suexec_state)" != "$BEFORE" ] && [ -n "$ALT_BEFORE" ]; then
		ln -sfn "$ALT_BEFORE" /etc/alternatives/suexec
	fi
}
trap finish EXIT
listening && bail "port $PORT is taken before the test"

# ---- a taken port: the demo refuses before it changes anything ----------
python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", '"$PORT"')); s.listen(); time.sleep(60)' &
LISTENER=$!
for _ in $(seq 1 50); do listening && break; sleep 0.1; done
out=$(bash "$DEMO" 2>&1); rc=$?
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null; LISTENER=
[ "$rc" != 0 ]
ok $? "port $PORT taken: the demo fails (status $rc)"
like "$out" "port $PORT is taken" "and says why"
[ ! -e "$D" ] && demo_users_gone
ok $? "and creates neither tree nor users"
is "$(suexec_state)" "$BEFORE" "and leaves Apache's suexec alone"
for _ in $(seq 1 50); do listening || break; sleep 0.1; done

# ---- the demo ------------------------------------------------------------
out=$(bash "$DEMO" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
is "$rc" 0 "the demo runs to the end"
unlike "$out" "UNEXPECTED" "it notes no surprise of its own"
AUID=$(id -u "$DA"); AGID=$(id -g "$DA"); BUID=$(id -u "$DB")

# Setup: the launcher is Apache's suexec, and Apache says so.
is "$(readlink -f "$SUEXEC")" "$D/lib/cgibox" "$SUEXEC resolves to the demo's launcher"
is "$(stat -c '%a %U:%G' "$D/lib/cgibox")" "4750 root:www-data" "installed 4750 root:www-data"
like "$(cat "$D/apache/error.log")" "suEXEC mechanism enabled \\(wrapper: $SUEXEC\\)" \
    "Apache enabled suEXEC with it"
like "$(cat "$D/etc/cgibox/cgibox.conf")" "^landlock required" "the config requires Landlock"
like "$(cat "$D/etc/cgibox/cgibox.conf")" "^policy default" "and the default seccomp policy"
pid1=$(cat "$D/apache/httpd.pid")
like "$(tr '\0' ' ' < "/proc/$pid1/cmdline")" "-f $D/apache/httpd.conf" "Apache runs with the demo's own config"
like "$(ss -Hltnp "sport = :$PORT")" "127\\.0\\.0\\.1:$PORT .*apache2" "listening on 127.0.0.1:$PORT only"

# 1. The wiki.
s1=$(section "$out" "1.")
like "$s1" "^\\\$ curl -s -D - -o /dev/null -d page=FrontPage --data-urlencode '.*' '$URL/wiki.cgi'" "the POST's curl command is shown"
like "$s1" "^    HTTP/1.1 303 See Other" "the POST is answered 303"
like "$s1" "^    Location: /~$DA/cgi-bin/wiki.cgi\\?page=FrontPage" "pointing at the page"
like "$s1" "^    <p>Hello from the cgibox demo\\. &lt;b&gt;Markup is escaped\\.&lt;/b&gt; See <a href=\"[^\"]*page=SecondPage\">SecondPage</a>\\.</p>" \
    "the page is shown, HTML escaped, with its link"
unlike "$(printf '%s\n' "$s1" | grep '^    ')" "<b>Markup" "no markup of the page's own gets through"
like "$s1" "wiki\\.cgi ran as $DA \\(uid $AUID, gid $AGID\\)" "the wiki says it ran as $DA"
is "$(stat -c '%U:%G' "$D/home/$DA/wiki/FrontPage.txt")" "$DA:$DA" "the page file is owned by $DA"
like "$(cat "$D/home/$DA/wiki/FrontPage.txt")" "^Hello from the cgibox demo\\. <b>Markup" "and holds the text posted"
like "$s1" "^    -rw------- 1 $DA $DA .* $D/home/$DA/wiki/FrontPage.txt" "the demo shows it owned by $DA"

# 2. Bob's script.
s2=$(section "$out" "2.")
is "$(stat -c '%a %U' "$D/home/$DA/wiki.conf")" "644 $DA" "$DA's wiki.conf is world-readable on disk"
like "$s2" "^    admin_password = " "outside cgibox $DB can read it (so only cgibox stops the script)"
peek=$(printf '%s\n' "$s2" | sed -n "/^\\\$ curl -s 'http:\\/\\/127.0.0.1:$PORT\\/~$DB\\/cgi-bin\\/peek.cgi'/,\$p")
like "$peek" "peek\\.cgi runs as $DB \\(uid $BUID," "$DB's script runs as $DB"
like "$peek" "on disk: owner $DA, mode 0644 \\(world-readable\\)" "it sees the file world-readable"
like "$peek" "open: Permission denied \\(errno 13\\)" "its read is denied (Landlock)"
unlike "$peek" "admin_password|read NOT STOPPED" "and it gets nothing of the file"
like "$peek" "child [0-9]+ was killed by signal $(kill -l SIGSYS) \\(SIGSYS\\)" "its ptrace child is killed by SIGSYS (seccomp)"
unlike "$peek" "ptrace NOT STOPPED|ptrace returned" "ptrace never returns"

# 3. The refused script.
s3=$(section "$out" "3.")
like "$s3" "^    -rwxrwxrwx 1 $DA $DA .*writable\\.cgi" "the script shown is world-writable"
like "$s3" "^\\\$ curl -s -i '$URL/writable.cgi'" "its curl command is shown"
like "$s3" "^    HTTP/1\\.1 403 Forbidden" "the status line is 403"
id=$(printf '%s\n' "$s3" | sed -n 's/^    request id: \([0-9A-Za-z@_-]*\)$/\1/p')
[ -n "$id" ]
ok $? "the page carries a request id ($id)"
logline=$(printf '%s\n' "$s3" | sed -n "s/^    \\(time=.* request_id=$id .*\\)/\\1/p")
like "$logline" "event=deny reason=file-writable request_id=$id caller=www-data user=$AUID " \
    "the printed log line has the same request id, with the reason"
grep -qxF -- "$logline" "$D/var/log/cgibox.log"
ok $? "and is a line of the audit log"
unlike "$s3" "this script ran" "the script did not run"

# The end.
like "$out" "Apache \\(pid $pid1\\) serves http://127\\.0\\.0\\.1:$PORT/ until you stop it" "it says Apache keeps running"
like "$out" "^    sudo make demo-stop\$" "and how to stop it"

# ---- requests of our own while it runs ------------------------------------
r=$($CURL "$URL/wiki.cgi")
like "$r" "Hello from the cgibox demo" "our GET of the wiki shows the front page"
like "$r" "ran as $DA \\(uid $AUID," "run as $DA"
r=$($CURL "$URL/wiki.cgi?page=FrontPage&action=edit")
like "$r" "<form method=\"post\" action=\"/~$DA/cgi-bin/wiki.cgi\">" "the edit form posts to the wiki"
like "$r" "<textarea name=\"text\"[^>]*>Hello from the cgibox demo\\. &lt;b&gt;" "with the page's text, escaped"
r=$($CURL -o /dev/null -w '%{http_code} %{redirect_url}' -d page=TestPage --data-urlencode 'text=line one' "$URL/wiki.cgi")
is "$r" "303 http://127.0.0.1:$PORT/~$DA/cgi-bin/wiki.cgi?page=TestPage" "our POST saves a new page"
is "$(stat -c '%U:%G' "$D/home/$DA/wiki/TestPage.txt" 2>&1):$(cat "$D/home/$DA/wiki/TestPage.txt" 2>&1)" \
    "$DA:$DA:line one" "written by $DA"
is "$(find "$D/home/$DA/wiki" -mindepth 1 -printf '%f\n' | sort | paste -sd ' ')" "FrontPage.txt TestPage.txt" "and no temporary file is left behind"
r=$($CURL -o /dev/null -w '%{http_code}' -d 'page=../evil' -d 'text=x' "$URL/wiki.cgi")
is "$r" 400 "a page name with ../ is refused"
[ ! -e "$D/home/$DA/evil.txt" ]
ok $? "and writes nothing"
is "$($CURL -o /dev/null -w '%{http_code}' "$URL/wiki.cgi?page=..%2F..%2Fwiki.conf")" 400 "so is one that reads outside"
is "$($CURL -o /dev/null -w '%{http_code}' "$URL/wiki.cgi?page=NoSuchPage")" 404 "a missing page is 404"
r=$($CURL -i "$URL/writable.cgi" | tr -d '\r')
like "$r" "^HTTP/1.1 403 " "our request for the world-writable script gets 403 too"
id2=$(printf '%s\n' "$r" | sed -n 's/^request id: //p')
like "$(grep -F "request_id=$id2 " "$D/var/log/cgibox.log")" "event=deny reason=file-writable" "logged under its own id ($id2)"

# ---- make demo again: it replaces the running one ---------------------------
out2=$(bash "$DEMO" 2>&1); rc=$?
is "$rc" 0 "the demo runs again"
like "$out2" "== Stopping the previous demo" "stopping the previous one first"
like "$out2" "stopped Apache \\(pid $pid1\\)" "its Apache"
gone "$pid1"
ok $? "which is gone"
unlike "$out2" "UNEXPECTED" "the second run notes no surprise"
like "$out2" "killed by signal [0-9]+ \\(SIGSYS\\)" "and shows the same"
[ ! -e "$D/home/$DA/wiki/TestPage.txt" ]
ok $? "on a fresh tree"
pid2=$(cat "$D/apache/httpd.pid")

# ---- demo-stop ---------------------------------------------------------------
stop=$(bash "$DEMO" stop 2>&1); rc=$?
printf '%s\n' "$stop" | sed 's/^/# /'
is "$rc" 0 "demo.sh stop succeeds"
like "$stop" "^stopped Apache \\(pid $pid2\\)" "it says it stopped Apache"
! listening
ok $? "port $PORT is closed"
$CURL -o /dev/null "http://127.0.0.1:$PORT/"
is "$?" 7 "curl cannot connect"
gone "$pid2"
ok $? "the demo's Apache (pid $pid2) is gone"
demo_users_gone
ok $? "the demo users and groups are gone"
[ ! -e "$D" ]
ok $? "$D is gone"
is "$(suexec_state)" "$BEFORE" "Apache's suexec is exactly as before"
stop=$(bash "$DEMO" stop 2>&1); rc=$?
is "$rc" 0 "stopping again, with nothing to stop, succeeds"
like "$stop" "^no demo to stop\$" "and says so"
is "$(suexec_state)" "$BEFORE" "and changes nothing"
done_testing
