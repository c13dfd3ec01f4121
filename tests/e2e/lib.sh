# Shared setup for the end-to-end tests: TAP helpers, a root-owned test
# tree under /srv, test users with the cgbt- prefix, and a test build of
# the launcher installed setuid root there.  Everything is removed on exit.
#
# The tree must sit under a root-owned path: the launcher rightly refuses
# a configuration below a world-writable directory such as /tmp.
#
# Skips are failures here: a security test that cannot run has not passed.

set -u
export LC_ALL=C

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=${CGIBOX_TEST_ROOT:-/srv/cgibox-test}
# Another prefix and root (CGIBOX_TEST_PREFIX, CGIBOX_TEST_ROOT, given
# together) let a test run beside another, such as make bench; the paths
# are compiled in, so each prefix has its own build.
P=${CGIBOX_TEST_PREFIX:-cgbt}
BUILD=$TOP/build/e2e${CGIBOX_TEST_PREFIX:+-$P}
# CGIBOX_SANITIZE=1: the whole suite against a launcher built with ASan
# and UBSan (installed setuid like the normal one).
SANITIZE_OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
[ "${CGIBOX_SANITIZE:-0}" = 1 ] && BUILD=$BUILD-asan
LAUNCHER=$T/lib/cgibox
CHECK=$BUILD/cgibox-check
CONF=$T/etc/cgibox/cgibox.conf
LOG=$T/var/log/cgibox.log
CALLER=$P-web
ALICE=$P-alice
BOB=$P-bob
TAP_N=0
TAP_FAILED=0

ok() {	# ok CONDITION-STATUS NAME
	local status=$1; shift
	TAP_N=$((TAP_N + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $TAP_N - $*"
	else
		echo "not ok $TAP_N - $*"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
	return "$status"
}

is() {	# is GOT WANT NAME
	local got=$1 want=$2; shift 2
	[ "$got" = "$want" ]
	ok $? "$*" || printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
}

like() {	# like TEXT REGEX NAME
	local text=$1 re=$2; shift 2
	printf '%s' "$text" | grep -Eq -- "$re"
	ok $? "$*" || printf '#   %s\n#   does not match: %s\n' \
	    "$(printf '%s' "$text" | head -c 600 | tr '\n' '|')" "$re"
}

unlike() {	# unlike TEXT REGEX NAME
	local text=$1 re=$2; shift 2
	! printf '%s' "$text" | grep -Eq -- "$re"
	ok $? "$*" || printf '#   matches: %s\n' "$re"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# need COMMAND...: bail out unless every one is installed (a missing server
# is a failure, never a skip).
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || bail "$c is not installed"
	done
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

cleanup() {
	local u
	if [ -n "${DAEMON_PID:-}" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null
		{ wait "$DAEMON_PID"; } 2>/dev/null
	fi
	pkill -KILL -f "^$BUILD/cgiboxd" 2>/dev/null
	for u in $CALLER $ALICE $BOB "$P-low" "$P-carol"; do
		pkill -KILL -u "$u" 2>/dev/null
		userdel "$u" >/dev/null 2>&1
	done
	for g in "$P-web" "$P-alice" "$P-bob" "$P-low" "$P-lowg" "$P-other" \
	    "$P-carol" $(getent group | awk -F: "/^$P-many/ {print \$1}"); do
		groupdel "$g" >/dev/null 2>&1
	done
	if [ -n "${T:-}" ] && [ "$T" != / ]; then
		umount "$T/mnt" 2>/dev/null
		rm -rf "$T"
	fi
}

# The launcher's ownership checks need every directory above the config
# and the scripts to be root-owned and not writable by others.
check_tree_parent() {
	local d
	d=$(dirname "$T")
	while :; do
		[ "$(stat -c %u "$d")" = 0 ] || bail "$d is not owned by root"
		[ $(( 0$(stat -c %a "$d") & 022 )) -eq 0 ] ||
		    bail "$d is writable by group or others"
		[ "$d" = / ] && break
		d=$(dirname "$d")
	done
}

# setup: users, tree, config, and the test build installed setuid.
setup() {
	[ "$(id -u)" = 0 ] || bail "the end-to-end tests need root"
	cleanup
	trap cleanup EXIT
	check_tree_parent
	# Only the launcher gets the sanitizers: an instrumented probe would
	# run LeakSanitizer's ptrace under its own seccomp policy.
	make -s -C "$TOP" BUILDDIR="$BUILD" SYSCONFDIR="$T/etc" \
	    LOCALSTATEDIR="$T/var" RUNSTATEDIR="$T/run" \
	    ${CGIBOX_SANITIZE:+OPT="$SANITIZE_OPT"} all >/dev/null &&
	    make -s -C "$TOP" BUILDDIR="$BUILD" probes OPT="-O2 -g" >/dev/null ||
	    bail "test build failed"

	install -d -m 0755 -o root -g root "$T" "$T/lib" "$T/etc" \
	    "$T/etc/cgibox" "$T/etc/cgibox/policies" "$T/var" "$T/var/log" \
	    "$T/var/cache" "$T/var/lib" "$T/run" "$T/home" "$T/www" "$T/www2" \
	    "$T/other"
	install -m 0644 "$TOP"/policies/*.policy "$T/etc/cgibox/policies/"
	useradd -r -M -s /usr/sbin/nologin -U "$CALLER" || bail useradd
	useradd -m -d "$T/home/$ALICE" -s /bin/sh -U "$ALICE" || bail useradd
	useradd -m -d "$T/home/$BOB" -s /bin/sh -U "$BOB" || bail useradd
	chmod 0755 "$T/home/$ALICE" "$T/home/$BOB"
	install -m 4750 -o root -g "$CALLER" "$BUILD/cgibox" "$LAUNCHER"
	ALICE_UID=$(id -u "$ALICE"); ALICE_GID=$(id -g "$ALICE")
	BOB_UID=$(id -u "$BOB")
	write_conf ""
	: > "$LOG"; chmod 0640 "$LOG"
}

# write_conf EXTRA: the base configuration plus EXTRA lines.
write_conf() {
	cat > "$CONF" <<CONF
# written by tests/e2e/lib.sh
caller $CALLER
docroot $T/www
log-file $LOG
log-exec yes
error-page yes
$1
CONF
	chown root:root "$CONF"
	chmod 0644 "$CONF"
}

# cgi_tree USER DIR: a directory owned by USER, mode 0755, with parents.
user_dir() {
	install -d -m 0755 -o "$1" -g "$1" "$2"
}

# put_script USER PATH MODE [SOURCE]: install a script (the probe if no
# source) owned by USER:USER.
put_script() {
	local user=$1 path=$2 mode=$3 src=${4:-$BUILD/probe}
	install -m "$mode" -o "$user" -g "$user" "$src" "$path"
}

# marker_script USER PATH: a #!/bin/sh CGI that leaves a marker file in its
# owner's home when it runs (so a refused request can be shown not to).
marker_script() {
	local user=$1 path=$2 name
	name=$(basename "$path")
	cat > "$path" <<SH
#!/bin/sh
touch "\$HOME/ran-$name"
printf 'Content-Type: text/plain\r\n\r\nran\n'
SH
	chown "$user:$user" "$path"
	chmod 0755 "$path"
}

ran() {	# ran USER NAME: did the marker script NAME run as USER?
	local home
	home=$(getent passwd "$1" | cut -d: -f6)
	[ -e "$home/ran-$2" ]
}

# run DIR [VAR=VALUE...] -- ARGS...: run the installed launcher as the
# caller from DIR, with a clean environment plus the given variables.
# Sets OUT, ERR, RC.  STDIN_DATA, if set, is sent on stdin.  RUN_AS
# overrides the real user (the group stays the caller's, so it can exec);
# RUN_WRAP is a command prefix run before setpriv (such as nice -n 10).
run() {
	local dir=$1 vars=() as=${RUN_AS:-$CALLER}
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	OUT=$(cd "$dir" && printf '%s' "${STDIN_DATA:-}" |
	    env -i "${vars[@]}" ${RUN_WRAP:-} setpriv --reuid="$as" --regid="$CALLER" \
	    --clear-groups -- "$LAUNCHER" "$@" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}

# cgiboxd, the test build, in the foreground as root, on its default
# socket under the test tree.
SOCK=$T/run/cgibox/fcgi.sock
start_cgiboxd() {
	rm -f "$SOCK"
	"$BUILD/cgiboxd" -f 2>>"$T/cgiboxd.err" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		sleep 0.05
	done
	bail "cgiboxd did not start: $(cat "$T/cgiboxd.err")"
}
stop_cgiboxd() {
	kill "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

# fcgi [CLIENT-OPTIONS] [NAME=VALUE...]: one request to cgiboxd with the
# FastCGI client, as the caller (FCGI_AS overrides).  Sets OUT (the
# response, without NUL bytes; FCGI_KEEP=FILE keeps it whole), ERR (the
# client's report: stderr records, "end APP PROTO"), RC.
fcgi() {
	local opts=() ef
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
		opts+=("$1")
		case $1 in -[bnacSRwI]) opts+=("$2"); shift ;; esac
		shift
	done
	ef=$(mktemp -p "$T" ferr.XXXXXX)
	setpriv --reuid="${FCGI_AS:-$CALLER}" --regid="$CALLER" --clear-groups \
	    -- "$BUILD/fcgi-client" "${opts[@]}" "$SOCK" "$@" >"$ef.out" 2>"$ef"
	RC=$?
	OUT=$(tr -d '\000' < "$ef.out")
	ERR=$(cat "$ef")
	[ -z "${FCGI_KEEP:-}" ] || cp "$ef.out" "$FCGI_KEEP"
	rm -f "$ef" "$ef.out"
}

log_lines() { wc -l < "$LOG"; }
last_log() { tail -n 1 "$LOG"; }

# expect_reason NAME CODE DESCRIPTION: the last run was refused with the
# reason NAME, exit code CODE, and logged so.
expect_reason() {
	local reason=$1 code=$2; shift 2
	is "$RC" "$code" "$*: exit code $code"
	like "$(last_log)" "event=(deny|error) reason=$reason " \
	    "$*: log line says reason=$reason"
}

# git_fixture: a bare repository demo.git in alice's ~/git with one
# commit, and her gitweb.conf and cgitrc for it (cgit's virtual root is
# /cgi-bin/cgit.cgi/).  Sets GIT_ENV to the cgibox.conf lines that point
# gitweb and cgit at those files.
git_fixture() {
	local r=$T/home/$ALICE/git
	user_dir "$ALICE" "$r"
	runuser -u "$ALICE" -- sh -c "
		cd '$r' && git init -q --bare -b main demo.git &&
		echo 'Demo repository for cgibox' > demo.git/description &&
		tmp=\$(mktemp -d) && cd \"\$tmp\" && git init -q -b main &&
		git -c user.name=Alice -c user.email=alice@example.invalid \
		    commit -q --allow-empty -m 'first commit from alice' &&
		git push -q '$r/demo.git' main && rm -rf \"\$tmp\"" ||
	    bail "creating the test repository failed"
	cat > "$T/home/$ALICE/gitweb.conf" <<CONF
our \$projectroot = "$r";
our \$site_name = "cgibox test";
CONF
	cat > "$T/home/$ALICE/cgitrc" <<CONF
cache-size=0
virtual-root=/cgi-bin/cgit.cgi/
repo.url=demo
repo.path=$r/demo.git
repo.desc=Demo repository for cgibox
CONF
	chown "$ALICE:$ALICE" "$T/home/$ALICE/gitweb.conf" "$T/home/$ALICE/cgitrc"
	GIT_ENV="env-set GITWEB_CONFIG=$T/home/$ALICE/gitweb.conf
env-set CGIT_CONFIG=$T/home/$ALICE/cgitrc"
}

# nginx_conf_head DIR CONNECTIONS ERROR-LOG: the top of a test nginx.conf
# under DIR, up to the inside of its http block, which the caller ends.
nginx_conf_head() {
	cat <<CONF
user www-data;
worker_processes 1;
pid $1/nginx.pid;
error_log $3;
events { worker_connections $2; }
http {
	access_log off;
	client_body_temp_path $1/tmp/body;
	fastcgi_temp_path $1/tmp/fastcgi;
	proxy_temp_path $1/tmp/proxy;
CONF
}

# cgi SCRIPT PATH_INFO QUERY: a GET of alice's SCRIPT in $D through the
# launcher, with the CGI environment a server would give it.
cgi() {	# cgi SCRIPT PATH_INFO QUERY
	run "$D" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SERVER_NAME=localhost SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 \
	    SCRIPT_NAME="/cgi-bin/$1" PATH_INFO="$2" QUERY_STRING="$3" \
	    REQUEST_URI="/cgi-bin/$1$2${3:+?$3}" HTTP_HOST=localhost \
	    REMOTE_ADDR=127.0.0.1 -- "$ALICE" "$ALICE" "$1"
}

# http_conformance LABEL URL OPEN-URL MISSING-URL MISSING-STATUS UID SCRIPT-NAME
# What every server must get right (issue 6), against tests/e2e/conform.cgi
# installed at URL as the user with UID and a world-writable copy at
# OPEN-URL: the RFC 3875 variables of a GET with a query string and path
# info, request headers as HTTP_* but never Proxy, a POST body echoed byte
# for byte (binary, and 1 MiB), a Status and Location passed through, the
# refused script's 403 page and its log line, and a nonexistent script
# answered with MISSING-STATUS (403 and a file-missing log line when
# cgibox is the one that notices; 404 when the server does).
http_conformance() {
	local label=$1 url=$2 open=$3 missing=$4 mstatus=$5 uid=$6 name=$7
	local out hdr id v
	out=$(curl -s --max-time 20 -H 'X-Conform: yes' -H 'Proxy: http://evil.test/' \
	    "$url/extra/path?a=1&b=two")
	like "$out" "^uid=$uid\$" "$label: the script runs as its owner"
	for v in "REQUEST_METHOD=GET" "QUERY_STRING=a=1&b=two" \
	    "SCRIPT_NAME=$name" "PATH_INFO=/extra/path" \
	    "SERVER_PROTOCOL=HTTP/1.1" "REMOTE_ADDR=127.0.0.1" \
	    "HTTP_X_CONFORM=yes" "HTTP_PROXY=<unset>" "CGIBOX_SCRIPT=<unset>"; do
		like "$out" "^$v\$" "$label: $v"
	done
	[ -s "$T/post-1m" ] || head -c 1048576 /dev/urandom > "$T/post-1m"
	printf 'a\0b\r\n\377c\n' > "$T/post-small"
	for v in post-small post-1m; do
		curl -s --max-time 20 -H 'Content-Type: application/octet-stream' \
		    --data-binary "@$T/$v" -o "$T/echoed" "$url/echo"
		cmp -s "$T/$v" "$T/echoed"
		ok $? "$label: a POST body comes back byte for byte ($v, $(stat -c %s "$T/$v") bytes)"
	done
	hdr=$(curl -s --max-time 20 -D - -o /dev/null "$url/redirect" | tr -d '\r')
	like "$hdr" "^HTTP/1\\.1 303" "$label: the script's Status passes through"
	like "$hdr" "^Location: http://127\\.0\\.0\\.1/elsewhere\$" "$label: and its Location"
	hdr=$(curl -s --max-time 20 -D - -o "$T/page" "$open" | tr -d '\r')
	like "$hdr" "^HTTP/1\\.1 403" "$label: a world-writable script gets 403"
	id=$(sed -n 's/^request id: \([0-9a-f]*\).*/\1/p' "$T/page" | tr -d '\r')
	like "$id" '^[0-9a-f]{8,}$' "$label: the page carries a request id"
	like "$(grep "request_id=$id " "$LOG")" \
	    "event=deny reason=file-writable .*script=[^ ]*/${open##*/}( |\$)" \
	    "$label: the log line with that id names the reason and script"
	unlike "$(cat "$T/page")" "file-writable|#!" "$label: the page shows neither reason nor source"
	hdr=$(curl -s --max-time 20 -D - -o /dev/null "$missing" | tr -d '\r')
	like "$hdr" "^HTTP/1\\.1 $mstatus" "$label: a nonexistent script gets $mstatus"
	if [ "$mstatus" = 403 ]; then
		like "$(last_log)" "event=deny reason=file-missing .*script=[^ ]*/missing\\.cgi" \
		    "$label: logged as file-missing"
	fi
}
