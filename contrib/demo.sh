#!/bin/bash
# sudo make demo: build cgibox, install it setuid into a scratch tree with
# its own configuration, create two demo users with public_html/cgi-bin,
# and run, as the web server would, one allowed script and a few that the
# launcher refuses.  Prints each outcome and the audit log lines, then
# removes everything (DEMO_KEEP=1 keeps the tree, users and log).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
D=/srv/cgibox-demo
WEB=cgbdemo-web
ALICE=cgbdemo-alice
BOB=cgbdemo-bob
BUILD=$TOP/build/demo

[ "$(id -u)" = 0 ] || { echo "make demo needs root (sudo make demo)" >&2; exit 1; }

cleanup() {
	[ "${DEMO_KEEP:-0}" = 1 ] && { echo "(kept $D and the $ALICE, $BOB, $WEB users)"; return; }
	for u in $ALICE $BOB $WEB; do userdel "$u" >/dev/null 2>&1; groupdel "$u" >/dev/null 2>&1; done
	rm -rf "$D"
}
cleanup
trap cleanup EXIT

make -s -C "$TOP" BUILDDIR="$BUILD" SYSCONFDIR="$D/etc" LOCALSTATEDIR="$D/var" \
    RUNSTATEDIR="$D/run" all >/dev/null ||
    { echo "build failed" >&2; exit 1; }
install -d -m 0755 "$D" "$D/lib" "$D/etc/cgibox" "$D/etc/cgibox/policies" \
    "$D/var/log" "$D/var/cache" "$D/run" "$D/home" "$D/www"
install -m 0644 "$TOP"/policies/*.policy "$D/etc/cgibox/policies/"
useradd -r -M -s /usr/sbin/nologin -U "$WEB"
for u in $ALICE $BOB; do
	useradd -m -d "$D/home/$u" -s /bin/sh -U "$u"
	chmod 0755 "$D/home/$u"
	install -d -m 0755 -o "$u" -g "$u" "$D/home/$u/public_html" "$D/home/$u/public_html/cgi-bin"
done
install -m 4750 -o root -g "$WEB" "$BUILD/cgibox" "$D/lib/cgibox"
cat > "$D/etc/cgibox/cgibox.conf" <<CONF
caller $WEB
docroot $D/www
userdir public_html
log-file $D/var/log/cgibox.log
log-exec yes
error-page yes
limit cpu 10
limit nproc 32
CONF
chmod 0644 "$D/etc/cgibox/cgibox.conf"

A=$D/home/$ALICE/public_html/cgi-bin
B=$D/home/$BOB/public_html/cgi-bin
cat > "$A/hello.cgi" <<'SH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "Hello from $(id -un) (uid $(id -u), groups: $(id -G))"
grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
echo "PATH=$PATH"
echo "HTTP_PROXY=${HTTP_PROXY-<unset>}  LD_PRELOAD=${LD_PRELOAD-<unset>}"
echo "bob's world-readable config.php: $(cat BOBCONF 2>&1 | sed 's/^cat: .*: //')"
SH
sed -i "s|BOBCONF|$D/home/$BOB/public_html/config.php|" "$A/hello.cgi"
echo '<?php $password = "bob-secret";' > "$D/home/$BOB/public_html/config.php"
chown "$BOB:$BOB" "$D/home/$BOB/public_html/config.php"
chmod 0644 "$D/home/$BOB/public_html/config.php"
cat > "$A/ptrace.cgi" <<'PY'
#!/usr/bin/python3
import ctypes
print("Content-Type: text/plain\r\n\r\n", end="", flush=True)
print("trying ptrace(PTRACE_TRACEME)...", flush=True)
ctypes.CDLL(None).ptrace(0, 0, 0, 0)
print("ptrace returned: the policy did not stop it")
PY
cp "$A/hello.cgi" "$A/writable.cgi"
chown "$ALICE:$ALICE" "$A/ptrace.cgi"; chmod 0755 "$A/ptrace.cgi"
cp "$A/hello.cgi" "$B/bobs.cgi"
chown "$ALICE:$ALICE" "$A"/*.cgi; chown "$BOB:$BOB" "$B/bobs.cgi"
chmod 0755 "$A"/*.cgi "$B/bobs.cgi"
chmod 0777 "$A/writable.cgi"
ln -s "$B/bobs.cgi" "$A/link.cgi"; chown -h "$ALICE:$ALICE" "$A/link.cgi"
ln "$B/bobs.cgi" "$A/hardlink.cgi" 2>/dev/null || cp -p "$B/bobs.cgi" "$A/hardlink.cgi"

# call DESCRIPTION ARGS...: run the launcher as the web server would, from
# alice's cgi-bin, with a hostile environment.
call() {
	local what=$1 out rc
	shift
	echo
	echo "== $what"
	echo "   \$ cgibox $*"
	out=$(cd "$A" && env -i REQUEST_METHOD=GET REQUEST_URI="/~$ALICE/cgi-bin/x" \
	    REMOTE_ADDR=127.0.0.1 HTTP_PROXY=http://evil.example LD_PRELOAD=/tmp/x.so \
	    PATH=/tmp/evil /usr/bin/setpriv --reuid="$WEB" --regid="$WEB" --clear-groups -- \
	    "$D/lib/cgibox" "$@" 2>/dev/null)
	rc=$?
	printf '%s\n' "$out" | tr -d '\r' | sed 's/^/   | /'
	echo "   exit status $rc"
	echo "   log: $(tail -n 1 "$D/var/log/cgibox.log" | sed 's/ remote_addr=.*request_uri=[^ ]*//')"
}

echo "cgibox demo: launcher installed 4750 root:$WEB in $D/lib, config $D/etc/cgibox/cgibox.conf"
call "allowed: alice's script, as a ~user request" "~$ALICE" "$ALICE" hello.cgi
call "killed by seccomp: a script that calls ptrace (exit 159 = SIGSYS)" "~$ALICE" "$ALICE" ptrace.cgi
call "refused: world-writable script" "~$ALICE" "$ALICE" writable.cgi
call "refused: bob's script (wrong owner) hard-linked into alice's directory" "~$ALICE" "$ALICE" hardlink.cgi
call "refused: symlink to bob's script" "~$ALICE" "$ALICE" link.cgi
call "refused: ../ escape" "~$ALICE" "$ALICE" "../../../$BOB/public_html/cgi-bin/bobs.cgi"
call "refused: root as the target" root root hello.cgi
call "refused: alice asking for bob's group" "~$ALICE" "$BOB" hello.cgi

echo
echo "== the audit log ($D/var/log/cgibox.log)"
sed 's/^/   /' "$D/var/log/cgibox.log"
