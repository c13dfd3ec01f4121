#!/bin/bash
# The Debian package: make deb builds it, dpkg-deb shows its modes,
# owners and conffiles, and then it is installed, used by the stock Apache
# as its suexec, upgraded in place, removed and purged -- inside a
# throwaway root, so the real dpkg database, /etc/cgibox and the real
# suexec alternative are never touched.
#
# The throwaway root: the test re-runs itself in a private mount
# namespace, mounts a tmpfs on a root-owned directory under /srv, and on
# it an overlay with / as the read-only lower layer; /proc, /dev and /sys
# are bound in and /run is a fresh tmpfs.  Every change made in the
# chroot (dpkg, alternatives, users, Apache's configuration) lands in the
# tmpfs and disappears with the namespace.  Apache runs in the chroot on
# 127.0.0.1:18088 (the network is the host's).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || bail "the Debian package test needs root"
M=/srv/cgibox-deb-test
R=$M/root
PORT=18088
# The test runs itself again in a private mount namespace and checks that
# it got one: its parent, the first run, must be in another.
if [ -z "${CGIBOX_DEB_INNER:-}" ]; then
	need unshare
	CGIBOX_DEB_INNER=1 unshare --mount --propagation private -- "$0" "$@" &
	inner=$!
	trap 'kill -TERM $inner 2>/dev/null' HUP INT TERM
	while :; do
		wait "$inner"; rc=$?
		kill -0 "$inner" 2>/dev/null || exit "$rc"
	done
fi
ME=$(readlink /proc/self/ns/mnt)
PARENT=$(readlink "/proc/$PPID/ns/mnt")
[ -n "$ME" ] && [ -n "$PARENT" ] && [ "$ME" != "$PARENT" ] ||
    bail "not in a mount namespace of its own: refusing to mount anything"
need dpkg-deb dpkg-buildpackage dh apache2 curl chroot
[ -e /usr/lib/apache2/modules/mod_suexec.so ] || bail "mod_suexec is missing"

# inroot CMD...: run CMD in the throwaway root with a clean environment.
inroot() {
	chroot "$R" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	    LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

# Processes whose root directory is the throwaway root (Apache, its CGI
# daemon, anything a script left behind), by pid.
root_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
	done
}

stop_apache() {
	local pid
	pid=$(cat "$R/run/apache2/apache2.pid" 2>/dev/null)
	[ -n "$pid" ] || return 0
	inroot APACHE_STARTED_BY_SYSTEMD=true apache2ctl stop >/dev/null 2>&1
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
}

teardown() {
	local pids
	if mountpoint -q "$R" 2>/dev/null; then
		stop_apache
		for _ in 1 2 3 4 5; do
			pids=$(root_pids)
			[ -z "$pids" ] && break
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
			sleep 0.2
		done
		[ -z "$(root_pids)" ] ||
		    echo "# processes left in the throwaway root: $(root_pids)"
		umount -R "$R" 2>/dev/null || umount -R -l "$R"
	fi
	if mountpoint -q "$M" 2>/dev/null; then
		umount "$M" 2>/dev/null || umount -l "$M"
	fi
	rmdir "$M" 2>/dev/null
}
trap teardown EXIT
trap 'exit 1' HUP INT TERM

# The real system's state that nothing here may change.
real_state() {
	printf 'alt=%s\n' "$(readlink /etc/alternatives/suexec)"
	printf 'dpkg=%s\n' "$(dpkg-query -W -f='${Status}' cgibox 2>/dev/null)"
	printf 'etc=%s\n' "$(ls -la --time-style=+%s /etc/cgibox 2>&1 | md5sum)"
	printf 'log=%s\n' "$(ls -la --time-style=+%s /var/log/cgibox.log 2>&1)"
	printf 'users=%s\n' "$(grep -c '^cgbd-' /etc/passwd)"
}
BEFORE=$(real_state)

# ---- the throwaway root ----------------------------------------------------

if [ -e "$M" ]; then
	[ -d "$M" ] && [ -z "$(ls -A "$M")" ] || bail "$M exists and is not an empty directory"
else
	install -d -m 0755 -o root -g root "$M" || bail "mkdir $M"
fi
mount -t tmpfs -o mode=0755,size=1g cgibox-deb-test "$M" || bail "tmpfs on $M"
install -d -m 0755 "$M/upper" "$M/work" "$R" "$M/x"
mount -t overlay cgibox-deb-test -o "lowerdir=/,upperdir=$M/upper,workdir=$M/work" "$R" ||
    bail "overlay of / on $R"
mount --rbind /proc "$R/proc" && mount --rbind /dev "$R/dev" &&
    mount --rbind /sys "$R/sys" &&
    mount -t tmpfs -o mode=0755 cgibox-deb-run "$R/run" &&
    install -d -m 1777 "$R/run/lock" || bail "mounts in $R"
is "$(findmnt -n -o FSTYPE "$R")" overlay "the throwaway root is an overlay"
touch "$R/etc/cgbd-overlay-probe" || bail "cannot write in the throwaway root"
[ ! -e /etc/cgbd-overlay-probe ] || { rm -f /etc/cgbd-overlay-probe;
    bail "a write in the throwaway root reached the real /etc"; }
rm -f "$R/etc/cgbd-overlay-probe"

# ---- build ------------------------------------------------------------------

VERSION=$(sed -n 's/.*CGIBOX_VERSION[[:space:]]*"\([^"]*\)".*/\1/p' "$TOP/src/core/cgibox.h")
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" deb >"$M/make-deb.log" 2>&1
ok $? "make deb builds the package" ||
    { tail -n 30 "$M/make-deb.log" | sed 's/^/#   /'; bail "no package"; }
shopt -s nullglob
set -- "$TOP"/build/deb/cgibox_*_*.deb
shopt -u nullglob
is "$#" 1 "one cgibox package in build/deb" || bail "no single package"
DEB=$1
ok "$([ ! -e "$TOP/debian" ]; echo $?)" "make deb leaves no debian/ in the source tree"

# ---- what is in it ----------------------------------------------------------

is "$(dpkg-deb -f "$DEB" Package)" cgibox "package name"
like "$(dpkg-deb -f "$DEB" Version)" "^$VERSION-[0-9]+\$" "version $VERSION, from src/core/cgibox.h"
like "$(dpkg-deb -f "$DEB" Depends)" 'libcap2.*libseccomp2|libseccomp2.*libcap2' \
    "depends on libcap2 and libseccomp2 (shlibs)"

# path -> "mode owner/group"
contents=$(dpkg-deb -c "$DEB" | awk '{ p = $6; sub(/^\./, "", p); sub(/\/$/, "", p);
    print (p == "" ? "/" : p), $1, $2 }')
entry() { printf '%s\n' "$contents" | awk -v p="$1" '$1 == p { print $2, $3 }'; }
is "$(entry /usr/lib/cgibox/cgibox)" "-rwsr-x--- root/www-data" \
    "the launcher is 4750 root:www-data in the package"
is "$(entry /usr/sbin/cgibox-check)" "-rwxr-xr-x root/root" "cgibox-check is 0755 root:root"
is "$(entry /usr/sbin/cgiboxd)" "-rwxr-xr-x root/root" "cgiboxd is 0755 root:root"
for u in cgiboxd.service cgiboxd.socket; do
	is "$(entry "/lib/systemd/system/$u")" "-rw-r--r-- root/root" "the unit $u is shipped"
done
is "$(entry /etc/cgibox/cgibox.conf)" "-rw-r--r-- root/root" "the configuration is 0644 root:root"
for p in "$TOP"/policies/*.policy; do
	is "$(entry "/etc/cgibox/policies/${p##*/}")" "-rw-r--r-- root/root" \
	    "policy ${p##*/} is 0644 root:root"
done
is "$(entry /var/cache/cgibox)" "drwx------ root/root" "the filter cache is 0700 root:root"
for m in man8/cgibox.8 man8/cgibox-check.8 man8/cgiboxd.8 man5/cgibox.conf.5 man5/cgibox-policy.5; do
	is "$(entry "/usr/share/man/$m.gz")" "-rw-r--r-- root/root" "man page $m"
done
is "$(printf '%s\n' "$contents" | awk '$2 ~ /[sS]/' | wc -l)" 1 \
    "the launcher is the only set-id file"
is "$(printf '%s\n' "$contents" | awk '$3 != "root/root"' | awk '{print $1}')" \
    /usr/lib/cgibox/cgibox "everything else belongs to root:root"
want=$( { echo /etc/cgibox/cgibox.conf; for p in "$TOP"/policies/*.policy; do
    echo "/etc/cgibox/policies/${p##*/}"; done; echo /etc/logrotate.d/cgibox; } | sort)
dpkg-deb -e "$DEB" "$M/ctl" || bail "dpkg-deb -e"
is "$(sort "$M/ctl/conffiles")" "$want" \
    "conffiles: the configuration, every policy, the logrotate file"
dpkg-deb -x "$DEB" "$M/x" || bail "dpkg-deb -x"
unlike "$(grep -rlaF -e "$TOP" -e build/deb "$M/x" "$M/ctl")" . \
    "no build path inside the package"
like "$(strings "$M/x/usr/lib/cgibox/cgibox")" '^/etc/cgibox/cgibox\.conf$' \
    "the launcher has /etc/cgibox/cgibox.conf compiled in"

# ---- install ----------------------------------------------------------------

cp "$DEB" "$R/root/cgibox.deb" || bail "copy the package"
SUEXEC_BEFORE=$(inroot readlink -f /usr/lib/apache2/suexec)
out=$(inroot dpkg -i /root/cgibox.deb 2>&1)
ok $? "dpkg -i installs it" || printf '%s\n' "$out" | sed 's/^/#   /'
is "$(inroot dpkg-query -W -f='${Status}' cgibox)" "install ok installed" "dpkg says installed"
is "$(inroot readlink -f /usr/lib/apache2/suexec)" /usr/lib/cgibox/cgibox \
    "/usr/lib/apache2/suexec resolves to the launcher"
like "$(inroot update-alternatives --query suexec)" \
    $'Value: /usr/lib/cgibox/cgibox' "the suexec alternative's value is cgibox"
is "$(inroot readlink -f /usr/share/man/man8/suexec.8.gz)" /usr/share/man/man8/cgibox.8.gz \
    "suexec(8) shows cgibox(8)"
is "$(stat -c '%a %U:%G %F' "$R/usr/lib/cgibox/cgibox")" "4750 root:www-data regular file" \
    "installed launcher 4750 root:www-data"
is "$(stat -c '%a %U:%G %F %h' "$R/var/log/cgibox.log")" "640 root:adm regular empty file 1" \
    "the log is created 0640 root:adm, one link"
is "$(stat -c '%a %U:%G' "$R/var/cache/cgibox")" "700 root:root" "installed cache 0700 root:root"
conf=$(inroot dpkg-query -W -f='${Conffiles}' cgibox | awk '{print $1}' | sort)
is "$conf" "$want" "dpkg-query lists the conffiles"
out=$(inroot cgibox-check lint 2>&1)
ok $? "cgibox-check lint passes on the installed configuration" ||
    printf '%s\n' "$out" | sed 's/^/#   /'
like "$(inroot cgibox-check -V)" '^config /etc/cgibox/cgibox\.conf$' "cgibox-check reads /etc/cgibox"

# ---- Apache, stock configuration, with the installed cgibox.conf -----------

U=cgbd-alice
inroot useradd -m -d /home/$U -s /bin/sh -U $U || bail "useradd in the throwaway root"
chmod 0755 "$R/home/$U"
UID_A=$(inroot id -u $U)
GID_A=$(inroot id -g $U)
[ "$UID_A" -ge 1000 ] || bail "$U has uid $UID_A, below the installed min-uid"
SITE=/var/www/cgbd-site
install -d -m 0755 -o "$UID_A" -g "$GID_A" "$R$SITE" "$R$SITE/cgi-bin" \
    "$R/home/$U/public_html" "$R/home/$U/public_html/cgi-bin"
cgi() {	# cgi PATH MODE
	printf '%s\n' '#!/bin/sh' "printf 'Content-Type: text/plain\\r\\n\\r\\n'" \
	    'echo "user=$(id -un) uid=$(id -u) gid=$(id -g) groups=$(id -G)"' >"$R$1"
	chown "$UID_A:$GID_A" "$R$1"
	chmod "$2" "$R$1"
}
cgi $SITE/cgi-bin/who.cgi 0755
cgi $SITE/cgi-bin/open.cgi 0775
cgi /home/$U/public_html/cgi-bin/who.cgi 0755

printf 'Listen 127.0.0.1:%s\n' $PORT >"$R/etc/apache2/ports.conf"
cat >"$R/etc/apache2/sites-available/cgbd.conf" <<CONF
<VirtualHost 127.0.0.1:$PORT>
	ServerName localhost
	DocumentRoot $SITE
	SuexecUserGroup $U $U
	ScriptAlias /cgbd-bin/ $SITE/cgi-bin/
	<Directory /home/*/public_html/cgi-bin>
		Options +ExecCGI
		SetHandler cgi-script
		Require all granted
	</Directory>
</VirtualHost>
CONF
out=$( { inroot a2enmod -q suexec cgid userdir && inroot a2dissite -q 000-default &&
    inroot a2ensite -q cgbd; } 2>&1 )
ok $? "a2enmod suexec cgid userdir, the test site enabled" || printf '%s\n' "$out" | sed 's/^/#   /'
out=$(inroot APACHE_STARTED_BY_SYSTEMD=true apache2ctl start 2>&1)
ok $? "Apache starts with the stock configuration" || printf '%s\n' "$out" | sed 's/^/#   /'
for _ in $(seq 1 50); do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" && break
	sleep 0.1
done
like "$(cat "$R/var/log/apache2/error.log" 2>/dev/null)" \
    'suEXEC mechanism enabled \(wrapper: /usr/lib/apache2/suexec\)' \
    "Apache enables suEXEC with the alternative"

out=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/cgbd-bin/who.cgi")
is "$out" "user=$U uid=$UID_A gid=$GID_A groups=$GID_A" \
    "SuexecUserGroup: the CGI runs as its owner, with only its own group"
like "$(grep 'event=exec' "$R/var/log/cgibox.log" | tail -n 1)" \
    "caller=www-data user=$U group=$U cwd=$SITE/cgi-bin cmd=who\\.cgi " \
    "the installed log has the exec line"
out=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/~$U/cgi-bin/who.cgi")
is "$out" "user=$U uid=$UID_A gid=$GID_A groups=$GID_A" "UserDir: ~$U runs as $U"
hdr=$(curl -s --max-time 10 -D - -o "$M/body" "http://127.0.0.1:$PORT/cgbd-bin/open.cgi")
like "$hdr" '^HTTP/1\.1 403' "a group-writable CGI gets 403"
id=$(sed -n 's/^request id: \([0-9a-f]*\).*/\1/p' "$M/body" | tr -d '\r')
like "$id" '^[0-9a-f]+$' "the 403 page carries a request id"
like "$(grep -F "request_id=${id:-none} " "$R/var/log/cgibox.log")" \
    "event=deny reason=file-writable .*user=($U|$UID_A) .*cmd=open\\.cgi" \
    "the installed log has the matching refusal"
stop_apache
is "$(root_pids)" "" "Apache stopped"

# ---- upgrade in place, remove, purge -----------------------------------------

lines=$(wc -l <"$R/var/log/cgibox.log")
out=$(inroot dpkg -i /root/cgibox.deb 2>&1)
ok $? "dpkg -i again (upgrade in place)" || printf '%s\n' "$out" | sed 's/^/#   /'
is "$(wc -l <"$R/var/log/cgibox.log") $(stat -c '%a %U:%G' "$R/var/log/cgibox.log")" \
    "$lines 640 root:adm" "the existing log is kept as it was ($lines lines)"
is "$(inroot readlink -f /usr/lib/apache2/suexec)" /usr/lib/cgibox/cgibox \
    "the alternative survives the upgrade"
echo '# an admin edit' >>"$R/etc/cgibox/cgibox.conf"

out=$(inroot dpkg -r cgibox 2>&1)
ok $? "dpkg -r removes it" || printf '%s\n' "$out" | sed 's/^/#   /'
is "$(inroot dpkg-query -W -f='${Status}' cgibox)" "deinstall ok config-files" \
    "only the configuration files are left"
unlike "$(inroot update-alternatives --query suexec 2>&1)" cgibox \
    "the suexec alternative no longer offers cgibox"
is "$(inroot readlink -f /usr/lib/apache2/suexec)" "$SUEXEC_BEFORE" \
    "/usr/lib/apache2/suexec leads where it did before (${SUEXEC_BEFORE:-nowhere})"
ok "$([ ! -e "$R/usr/lib/cgibox/cgibox" ] && [ ! -e "$R/var/cache/cgibox" ]; echo $?)" \
    "the launcher and its cache are gone"
like "$(tail -n 1 "$R/etc/cgibox/cgibox.conf")" '^# an admin edit$' \
    "the edited configuration is kept"
ok "$([ -f "$R/etc/cgibox/policies/default.policy" ] && [ -f "$R/var/log/cgibox.log" ]; echo $?)" \
    "policies and the log are kept"

# ---- removed, with no other suexec: UserDir CGIs are refused, not run as
# www-data.  The UserDir block of the shipped site file
# (contrib/apache/cgibox-site.conf) in a site without SuexecUserGroup
# (with it Apache refuses to start without the wrapper); every other
# suexec alternative is taken out of the throwaway root first.
out=$(inroot dpkg -i /root/cgibox.deb 2>&1)
ok $? "dpkg -i once more" || printf '%s\n' "$out" | sed 's/^/#   /'
for alt in $(inroot update-alternatives --list suexec 2>/dev/null); do
	[ "$alt" = /usr/lib/cgibox/cgibox ] ||
	    inroot update-alternatives --remove suexec "$alt" >/dev/null 2>&1
done
is "$(inroot update-alternatives --list suexec 2>&1)" /usr/lib/cgibox/cgibox \
    "cgibox is the only suexec left"
{
	printf '<VirtualHost 127.0.0.1:%s>\n\tServerName localhost\n\tDocumentRoot %s\n' "$PORT" "$SITE"
	sed -n '/^UserDir public_html/,$p' "$TOP/contrib/apache/cgibox-site.conf"
	printf '</VirtualHost>\n'
} >"$R/etc/apache2/sites-available/cgbd-userdir.conf"
out=$( { inroot a2dissite -q cgbd && inroot a2ensite -q cgbd-userdir; } 2>&1 )
ok $? "a site with the shipped UserDir block, enabled" || printf '%s\n' "$out" | sed 's/^/#   /'
out=$(inroot APACHE_STARTED_BY_SYSTEMD=true apache2ctl start 2>&1)
ok $? "Apache starts with it" || printf '%s\n' "$out" | sed 's/^/#   /'
for _ in $(seq 1 50); do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" && break
	sleep 0.1
done
out=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/~$U/cgi-bin/who.cgi")
is "$out" "user=$U uid=$UID_A gid=$GID_A groups=$GID_A" "with cgibox installed, ~$U runs as $U"
stop_apache
out=$(inroot dpkg -r cgibox 2>&1)
ok $? "dpkg -r with no other suexec" || printf '%s\n' "$out" | sed 's/^/#   /'
like "$out" "cgibox: no suexec wrapper remains, and mod_suexec is enabled" \
    "prerm warns that no suexec wrapper remains"
ok "$([ ! -e "$R/usr/lib/apache2/suexec" ]; echo $?)" "/usr/lib/apache2/suexec is gone"
out=$(inroot APACHE_STARTED_BY_SYSTEMD=true apache2ctl start 2>&1)
ok $? "Apache starts without a suexec wrapper" || printf '%s\n' "$out" | sed 's/^/#   /'
for _ in $(seq 1 50); do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" && break
	sleep 0.1
done
hdr=$(curl -s --max-time 10 -D - -o "$M/body" "http://127.0.0.1:$PORT/~$U/cgi-bin/who.cgi")
like "$hdr" '^HTTP/1\.1 403' "the ~$U CGI is refused (403)"
unlike "$(cat "$M/body")" "user=www-data|uid=" "it did not run, as www-data or anyone"
unlike "$(cat "$M/body")" "id -un" "nor was its source served"
stop_apache
is "$(root_pids)" "" "Apache stopped"

out=$(inroot dpkg -P cgibox 2>&1)
ok $? "dpkg -P purges it" || printf '%s\n' "$out" | sed 's/^/#   /'
unlike "$(inroot dpkg-query -W -f='${Status}' cgibox 2>/dev/null)" installed \
    "dpkg no longer knows the package"
ok "$([ ! -e "$R/etc/cgibox" ] && [ ! -e "$R/etc/logrotate.d/cgibox" ] &&
    [ ! -e "$R/var/log/cgibox.log" ]; echo $?)" \
    "purge removes the configuration, policies, logrotate file and log"

# ---- the real system --------------------------------------------------------

teardown
trap - EXIT
is "$(real_state)" "$BEFORE" \
    "the real alternative, dpkg database, /etc/cgibox, log and users are untouched"
ok "$([ ! -e "$M" ]; echo $?)" "the throwaway root is gone"
done_testing
