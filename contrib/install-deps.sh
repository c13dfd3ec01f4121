#!/bin/sh
# Install the Debian packages cgibox needs to build, test and demonstrate,
# if any is missing.  Run as root (sudo make check / sudo make demo do).
set -eu
PKGS="build-essential pkg-config libcap-dev libseccomp-dev util-linux perl python3 \
apache2 apache2-suexec-pristine libapache2-mod-fcgid curl lighttpd busybox \
fail2ban logrotate tzdata nginx-light fcgiwrap caddy systemd debhelper dpkg-dev fakeroot \
php-cgi git gitweb cgit \
clang clang-tidy libclang-rt-14-dev cppcheck \
bash procps passwd"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "cgibox: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "cgibox: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q $missing
