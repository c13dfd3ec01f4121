#!/bin/bash
# sudo make demo       (bash contrib/demo.sh)
# sudo make demo-stop  (bash contrib/demo.sh stop)
#
# The demo builds cgibox with its configuration, policies, log and cache
# compiled into a scratch tree under /srv/cgibox-demo, so it never touches
# /etc/cgibox, installs the launcher there setuid 4750 root:www-data,
# creates the users cgbdemo-alice and cgbdemo-bob with homes in the tree,
# makes that launcher Apache's suexec (/usr/lib/apache2/suexec), starts an
# Apache of its own on 127.0.0.1:8080 and shows with curl what cgibox does
# to three CGI scripts.  Apache is left running to be tried in a browser.
#
# stop: stops that Apache, puts /usr/lib/apache2/suexec back exactly as it
# was (the symbolic link's target, or the file that was there, or nothing),
# and removes the users and the tree.  Starting the demo stops a previous
# one first.  Packages installed by make deps and the build in build/demo
# stay.
set -u
export LC_ALL=C
umask 022

TOP=$(cd "$(dirname "$0")/.." && pwd)
D=/srv/cgibox-demo
PORT=8080
BASE=http://127.0.0.1:$PORT
ALICE=cgbdemo-alice
BOB=cgbdemo-bob
# cgbdemo-web was the caller of earlier versions of the demo.
USERS="$ALICE $BOB cgbdemo-web"
CALLER=www-data
SUEXEC=/usr/lib/apache2/suexec	# compiled into Debian's Apache
LAUNCHER=$D/lib/cgibox
CONF=$D/etc/cgibox/cgibox.conf
LOG=$D/var/log/cgibox.log
AP=$D/apache
STATE=$D/state			# what SUEXEC was before the demo
BUILD=$TOP/build/demo
APACHE_ENV="env -i PATH=/usr/sbin:/usr/bin:/bin LANG=C"

die() {
	echo "demo: $*" >&2
	exit 1
}

warn() {
	echo "demo: warning: $*" >&2
}

# ---- output ------------------------------------------------------------

heading() {
	printf '\n== %s\n' "$*"
}

# quote ARG...: the arguments as a shell would need them typed, less a
# --max-time option.
quote() {
	local a out=''
	while [ $# -gt 0 ]; do
		a=$1
		shift
		[ "$a" = --max-time ] && { shift; continue; }
		if [[ $a =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
			out+=" $a"
		else
			out+=" '${a//\'/\'\\\'\'}'"
		fi
	done
	printf '%s' "${out# }"
}

indent() {
	tr -d '\r' | sed 's/^/    /'
}

# show CMD ARG...: print the command, run it, print its output indented.
# The output is also left in OUT.
show() {
	printf '$ %s\n' "$(quote "$@")"
	OUT=$("$@" 2>&1 | tr -d '\r')
	printf '%s\n' "$OUT" | indent
}

CURL=(curl -s --max-time 20)	# shown without --max-time
SURPRISES=0

# expect TEXT REGEX WHAT: note it if the step did not show what it should.
expect() {
	printf '%s' "$1" | grep -Eq -- "$2" || surprise "$3"
}

surprise() {
	printf '    !! UNEXPECTED: no %s\n' "$1"
	SURPRISES=$((SURPRISES + 1))
}

# ---- Apache's suexec -----------------------------------------------------

# The link to swap: /etc/alternatives/suexec when SUEXEC is Debian's
# alternative, which it is once apache2-suexec-pristine or -custom is
# installed; SUEXEC itself otherwise.
suexec_slot() {
	if [ -L "$SUEXEC" ] && [ "$(readlink "$SUEXEC")" = /etc/alternatives/suexec ]; then
		echo /etc/alternatives/suexec
	else
		echo "$SUEXEC"
	fi
}

# suexec_now: SUEXEC and the links it goes through.
suexec_now() {
	local p=$SUEXEC out=$SUEXEC n=0
	while [ -L "$p" ] && [ $n -lt 8 ]; do
		p=$(readlink "$p")
		out+=" -> $p"
		n=$((n + 1))
	done
	[ -e "$p" ] || out+=" (missing)"
	echo "$out"
}

# replace_link TARGET LINK: point LINK at TARGET in one rename.
replace_link() {
	ln -sfn "$1" "$2.cgibox-demo-new" && mv -fT "$2.cgibox-demo-new" "$2"
}

# Record what the slot is, then point it at the demo's launcher.  A file
# there is renamed beside itself, so that it comes back as it was.
suexec_install() {
	local slot
	slot=$(suexec_slot)
	install -d -m 0700 "$STATE" || return 1
	printf '%s\n' "$slot" > "$STATE/slot"
	if [ -L "$slot" ]; then
		echo symlink > "$STATE/kind"
		readlink "$slot" > "$STATE/target"
		stat -c %y "$slot" > "$STATE/mtime"
	elif [ -e "$slot" ]; then
		echo file > "$STATE/kind"
		mv -T "$slot" "$slot.cgibox-demo-saved" || return 1
	else
		echo absent > "$STATE/kind"
	fi
	replace_link "$LAUNCHER" "$slot"
}

suexec_restore() {
	local slot kind
	if [ ! -e "$STATE/kind" ]; then
		# No record (the tree was removed by hand): undo what is
		# recognisably the demo's, nothing else.
		slot=$(suexec_slot)
		case $(readlink "$slot") in
		"$D"/*)
			if [ "$slot" = /etc/alternatives/suexec ]; then
				echo "$slot points into $D and its record is lost: update-alternatives --auto suexec"
				update-alternatives --quiet --auto suexec
			else
				rm -f "$slot"
			fi ;;
		esac
		return 0
	fi
	slot=$(cat "$STATE/slot")
	kind=$(cat "$STATE/kind")
	if [ "$(readlink "$slot")" != "$LAUNCHER" ]; then
		warn "$slot no longer points to $LAUNCHER; left as it is"
		[ "$kind" = file ] && warn "the file that was there is $slot.cgibox-demo-saved"
		return 1
	fi
	case $kind in
	symlink)
		replace_link "$(cat "$STATE/target")" "$slot" &&
		    touch -h -d "$(cat "$STATE/mtime")" "$slot" ;;
	file) mv -fT "$slot.cgibox-demo-saved" "$slot" ;;
	absent) rm -f "$slot" ;;
	*) warn "unknown record $kind in $STATE"; return 1 ;;
	esac || return 1
	rm -rf "$STATE"
}

# ---- the demo's Apache ---------------------------------------------------

# apache_pid: the pid of the demo's Apache, if it runs.
apache_pid() {
	local pid
	pid=$(cat "$AP/httpd.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $AP/httpd.conf" ||
	    return 1
	echo "$pid"
}

# alive PID: the process exists and is not a zombie.
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

apache_stop() {
	local pid _
	pid=$(apache_pid) || return 0
	$APACHE_ENV apache2 -f "$AP/httpd.conf" -k stop >/dev/null 2>&1 ||
	    kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		warn "Apache (pid $pid) did not stop in 10 s; killing it"
		kill -KILL "$pid"
		sleep 0.5
	fi
	echo "stopped Apache (pid $pid)"
}

port_in_use() {
	if command -v ss >/dev/null; then
		[ -n "$(ss -Hltn "sport = :$PORT")" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
	fi
}

apache_conf() {
	cat <<CONF
# Apache for the cgibox demo (contrib/demo.sh), separate from the system's:
# 127.0.0.1:$PORT only, the CGI scripts of the demo users, run through
# $SUEXEC, which is the demo's cgibox while the demo runs.
ServerRoot /etc/apache2
DefaultRuntimeDir $AP
PidFile $AP/httpd.pid
ErrorLog $AP/error.log
LogFormat "%h %t \"%r\" %>s %b" demo
CustomLog $AP/access.log demo
Listen 127.0.0.1:$PORT
ServerName 127.0.0.1
User $CALLER
Group $CALLER
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
LoadModule suexec_module /usr/lib/apache2/modules/mod_suexec.so
LoadModule userdir_module /usr/lib/apache2/modules/mod_userdir.so
TypesConfig /etc/mime.types
ScriptSock $AP/cgid.sock
DocumentRoot $D/www
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $D/www>
    Require all granted
</Directory>
# ~user requests go through suexec as that user.
UserDir public_html
UserDir disabled
UserDir enabled $ALICE $BOB
<Directory $D/home/*/public_html>
    Require all granted
</Directory>
<Directory $D/home/*/public_html/cgi-bin>
    Options +ExecCGI
    SetHandler cgi-script
</Directory>
CONF
}

# ---- stop ------------------------------------------------------------------

do_stop() {
	local u rc=0 gone=''
	if ! previous_demo; then
		echo "no demo to stop"
		return 0
	fi
	apache_stop || rc=1
	suexec_restore || rc=1
	echo "suexec: $(suexec_now)"
	for u in $USERS; do
		if getent passwd "$u" >/dev/null; then
			if userdel "$u"; then gone+=" $u"; else warn "userdel $u failed"; rc=1; fi
		fi
		if getent group "$u" >/dev/null; then
			groupdel "$u" || { warn "groupdel $u failed"; rc=1; }
		fi
	done
	[ -n "$gone" ] && echo "removed the users${gone}"
	if [ -e "$D" ]; then
		if rm -rf "$D"; then echo "removed $D"; else rc=1; fi
	fi
	return $rc
}

# ---- start -------------------------------------------------------------------

need() {
	local missing='' c f
	for c in make cc pkg-config apache2 curl python3 runuser; do
		command -v "$c" >/dev/null || missing+=" $c"
	done
	for f in mpm_event authz_core mime dir cgid suexec userdir; do
		[ -e "/usr/lib/apache2/modules/mod_$f.so" ] || missing+=" mod_$f"
	done
	[ -z "$missing" ] ||
	    die "missing:$missing (sudo make demo installs them with contrib/install-deps.sh)"
}

# The launcher trusts its configuration only if every directory above it
# is root's alone.
check_srv() {
	local d=/srv
	[ -d /srv ] || install -d -m 0755 -o root -g root /srv
	while [ "$d" != / ]; do
		if [ "$(stat -c %u "$d")" != 0 ] || [ $(( 0$(stat -c %a "$d") & 022 )) -ne 0 ]; then
			die "$d must be owned by root and not writable by group or others"
		fi
		d=$(dirname "$d")
	done
}

previous_demo() {
	local u
	[ -e "$D" ] && return 0
	for u in $USERS; do getent passwd "$u" >/dev/null && return 0; done
	case $(readlink "$(suexec_slot)") in "$D"/*) return 0 ;; esac
	return 1
}

setup_tree() {
	install -d -m 0755 -o root -g root "$D" "$D/lib" "$D/etc" "$D/etc/cgibox" \
	    "$D/etc/cgibox/policies" "$D/var" "$D/var/log" "$D/var/cache" \
	    "$D/run" "$D/home" "$D/www" "$AP" || return 1
	install -d -m 0700 -o root -g root "$D/var/cache/cgibox" || return 1
	install -m 0644 -o root -g root "$TOP"/policies/*.policy "$D/etc/cgibox/policies/" ||
	    return 1
	install -m 4750 -o root -g "$CALLER" "$BUILD/cgibox" "$LAUNCHER" || return 1
	install -m 0755 -o root -g root "$BUILD/cgibox-check" "$D/lib/cgibox-check" || return 1
	install -m 0640 -o root -g root /dev/null "$LOG" || return 1
	cat > "$CONF" <<CONF
# cgibox demo configuration (contrib/demo.sh).  The launcher in $D/lib
# has this path compiled in and reads no other file.
caller $CALLER
userdir public_html
log-file $LOG
log-exec yes
error-page yes
# The defaults, spelled out: Landlock, a private /tmp, the default seccomp
# policy (it kills a script that calls ptrace), no uid below 1000.
landlock required
private-tmp yes
policy default
min-uid 1000
limit cpu 10
limit nproc 32
limit core 0
CONF
	chmod 0644 "$CONF"
	cat > "$D/www/index.html" <<HTML
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>cgibox demo</title></head><body>
<h1>cgibox demo</h1>
<ul>
<li><a href="/~$ALICE/cgi-bin/wiki.cgi">$ALICE's wiki</a></li>
<li><a href="/~$BOB/cgi-bin/peek.cgi">$BOB's script that tries to read $ALICE's wiki.conf and to ptrace</a></li>
<li><a href="/~$ALICE/cgi-bin/writable.cgi">a world-writable script (refused)</a></li>
</ul>
<p>Stop the demo with <code>sudo make demo-stop</code>.</p>
</body></html>
HTML
	chmod 0644 "$D/www/index.html"
}

setup_users() {
	local u cgi
	for u in $ALICE $BOB; do
		useradd -m -d "$D/home/$u" -s /usr/sbin/nologin -U "$u" || return 1
		chmod 0755 "$D/home/$u"
		install -d -m 0755 -o "$u" -g "$u" "$D/home/$u/public_html" \
		    "$D/home/$u/public_html/cgi-bin" || return 1
	done
	cgi=$D/home/$ALICE/public_html/cgi-bin
	install -m 0755 -o "$ALICE" -g "$ALICE" "$TOP/contrib/demo/wiki.cgi" "$cgi/wiki.cgi" ||
	    return 1
	# The wiki's configuration, world-readable like many a config.php.
	printf 'title = %s\nadmin_password = correct-horse-battery-staple\n' \
	    "$ALICE's wiki" > "$D/home/$ALICE/wiki.conf"
	chown "$ALICE:$ALICE" "$D/home/$ALICE/wiki.conf"
	chmod 0644 "$D/home/$ALICE/wiki.conf"
	cat > "$cgi/writable.cgi" <<'SH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nthis script ran\n'
SH
	chown "$ALICE:$ALICE" "$cgi/writable.cgi"
	chmod 0777 "$cgi/writable.cgi"
	install -m 0755 -o "$BOB" -g "$BOB" "$TOP/contrib/demo/peek.cgi" \
	    "$D/home/$BOB/public_html/cgi-bin/peek.cgi" || return 1
}

apache_start() {
	local _
	apache_conf > "$AP/httpd.conf"
	$APACHE_ENV apache2 -f "$AP/httpd.conf" -k start </dev/null >"$AP/start.log" 2>&1 ||
	    { cat "$AP/start.log" >&2; return 1; }
	for _ in $(seq 1 100); do
		apache_pid >/dev/null && curl -s -o /dev/null --max-time 2 "$BASE/" && return 0
		sleep 0.1
	done
	cat "$AP/start.log" "$AP/error.log" >&2
	return 1
}

COMPLETE=0
on_exit() {
	[ "$COMPLETE" = 1 ] && return
	echo
	echo "demo: setup failed; undoing it" >&2
	do_stop >&2
}

do_start() {
	local pid alice_uid bob_uid id out rc
	need
	echo "cgibox demo: cgibox as Apache's suexec, on $BASE"
	if previous_demo; then
		heading "Stopping the previous demo"
		out=$(do_stop 2>&1); rc=$?
		printf '%s\n' "$out" | indent
		[ "$rc" = 0 ] || die "could not stop the previous demo"
	fi
	if port_in_use; then
		ss -Hltnp "sport = :$PORT" 2>/dev/null | indent >&2
		die "port $PORT is taken (above); stop what listens there and run the demo again"
	fi
	check_srv
	trap on_exit EXIT

	heading "Build (compiled-in configuration: $CONF)"
	printf '$ %s\n' "make BUILDDIR=build/demo SYSCONFDIR=$D/etc LOCALSTATEDIR=$D/var RUNSTATEDIR=$D/run"
	out=$(make -s -C "$TOP" BUILDDIR="$BUILD" SYSCONFDIR="$D/etc" \
	    LOCALSTATEDIR="$D/var" RUNSTATEDIR="$D/run" all 2>&1) ||
	    { printf '%s\n' "$out" >&2; die "build failed"; }
	echo "    built build/demo/cgibox and build/demo/cgibox-check"

	heading "Setup"
	setup_tree || die "could not set up $D"
	setup_users || die "could not create the demo users"
	"$D/lib/cgibox-check" -s lint >/dev/null 2>"$D/lint.err" ||
	    { cat "$D/lint.err" >&2; die "cgibox-check lint refuses $CONF"; }
	rm -f "$D/lint.err"
	suexec_install || die "could not make $LAUNCHER Apache's suexec"
	alice_uid=$(id -u "$ALICE"); bob_uid=$(id -u "$BOB")
	echo "launcher  $(stat -c '%A %U:%G' "$LAUNCHER") $LAUNCHER"
	echo "config    $CONF:"
	grep -v '^#' "$CONF" | sed 's/^/            /'
	echo "users     $ALICE (uid $alice_uid), $BOB (uid $bob_uid), homes in $D/home"
	echo "suexec    $(suexec_now)"
	echo "          (was: $(case $(cat "$STATE/kind") in symlink) cat "$STATE/target" ;;
	    file) echo "a file, kept as $(cat "$STATE/slot").cgibox-demo-saved" ;;
	    *) echo nothing ;; esac))"
	if port_in_use; then
		die "port $PORT was taken while the demo was setting up"
	fi
	apache_start || die "Apache did not start"
	pid=$(apache_pid)
	echo "apache    pid $pid, $AP/httpd.conf, listening on 127.0.0.1:$PORT"
	grep -q "suEXEC mechanism enabled (wrapper: $SUEXEC)" "$AP/error.log" ||
	    { cat "$AP/error.log" >&2; die "Apache did not enable suEXEC"; }
	echo "          its log: $(grep -o 'suEXEC mechanism enabled.*' "$AP/error.log" | head -n 1)"
	COMPLETE=1

	heading "1. A wiki, run as its owner ($ALICE)"
	echo "POST a page; the wiki saves it in ~/wiki/ and redirects to it:"
	show "${CURL[@]}" -D - -o /dev/null -d page=FrontPage \
	    --data-urlencode "text=Hello from the cgibox demo. <b>Markup is escaped.</b> See [[SecondPage]]." \
	    "$BASE/~$ALICE/cgi-bin/wiki.cgi"
	expect "$OUT" "^HTTP/1.1 303" "303 See Other after the POST"
	echo "GET it back:"
	show "${CURL[@]}" "$BASE/~$ALICE/cgi-bin/wiki.cgi?page=FrontPage"
	expect "$OUT" "Hello from the cgibox demo\. &lt;b&gt;Markup" "HTML-escaped page text"
	expect "$OUT" "wiki.cgi ran as $ALICE \\(uid $alice_uid," "footer saying the wiki ran as $ALICE"
	echo "The file it wrote belongs to $ALICE:"
	show ls -l "$D/home/$ALICE/wiki/FrontPage.txt"
	expect "$OUT" "^-rw------- 1 $ALICE $ALICE " "page file owned by $ALICE"

	heading "2. $BOB's script tries to read $ALICE's config and to ptrace"
	echo "$ALICE's wiki.conf is world-readable on disk, so outside cgibox $BOB can read it:"
	show ls -l "$D/home/$ALICE/wiki.conf"
	show runuser -u "$BOB" -- cat "$D/home/$ALICE/wiki.conf"
	echo "Through cgibox, Landlock keeps $BOB's script out of $ALICE's home, and"
	echo "the default seccomp policy kills a process that calls ptrace:"
	show "${CURL[@]}" "$BASE/~$BOB/cgi-bin/peek.cgi"
	expect "$OUT" "runs as $BOB \\(uid $bob_uid," "sign that the script ran as $BOB"
	expect "$OUT" "open: Permission denied" "denial of the read of $ALICE's wiki.conf"
	expect "$OUT" "killed by signal [0-9]+ \\(SIGSYS\\)" "SIGSYS kill of the ptrace child"

	heading "3. A world-writable script is refused with a 403 page"
	show ls -l "$D/home/$ALICE/public_html/cgi-bin/writable.cgi"
	show "${CURL[@]}" -i "$BASE/~$ALICE/cgi-bin/writable.cgi"
	expect "$OUT" "^HTTP/1.1 403 Forbidden" "403 status"
	id=$(printf '%s\n' "$OUT" | sed -n 's/^request id: \([0-9A-Za-z@_-]*\)$/\1/p' | head -n 1)
	if [ -n "$id" ]; then
		echo "The page carries only a request id; the audit log has the reason:"
		show grep "request_id=$id " "$LOG"
		expect "$OUT" "event=deny reason=file-writable request_id=$id " \
		    "log line with the reason for request $id"
	else
		surprise "request id on the 403 page"
	fi

	heading "The demo keeps running"
	echo "Apache (pid $pid) serves $BASE/ until you stop it.  On this machine,"
	echo "edit the wiki in a browser at"
	echo "    $BASE/~$ALICE/cgi-bin/wiki.cgi"
	echo "and follow the audit log with"
	echo "    sudo tail -f $LOG"
	echo "While it runs, $SUEXEC is the demo's cgibox for every Apache here."
	echo "To stop it and remove what it created (Apache, users, $D,"
	echo "and put $SUEXEC back as it was):"
	echo
	echo "    sudo make demo-stop"
	if [ "$SURPRISES" -gt 0 ]; then
		echo
		die "$SURPRISES step(s) did not show what they should (marked !! above)"
	fi
}

[ "$(id -u)" = 0 ] || die "the demo needs root: sudo make demo"
case ${1:-start} in
start) do_start ;;
stop) do_stop ;;
*) die "usage: demo.sh [start|stop]" ;;
esac
