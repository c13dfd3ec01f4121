#!/bin/bash
# make bench: cost figures, measured side by side in one run.  Never part
# of make check (no timing thresholds in tests).  Writes
# tests/bench/RESULTS.md.  Uses the end-to-end suite's setup (test users,
# a tree under /srv/cgibox-test, the launcher installed setuid) and, for
# Apache's suexec, a directory /var/www/cgbt-bench (its compiled-in
# docroot); everything is removed afterwards.  Tables: per request
# (launch_time, with cgiboxd timed by the in-tree FastCGI client), the
# seccomp policy's cost (policy_cost), learn mode's (learn.sh), through
# nginx (nginx.sh), through Apache (apache.sh), cgiboxd's memory and
# descriptors over a long run (cgiboxd.sh), instructions and memory
# (instr.sh, valgrind).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
OUT=$TOP/tests/bench/RESULTS.md
B=$TOP/build
ROUNDS=${ROUNDS:-20}
BATCH=${BATCH:-25}
SUEXEC=/usr/lib/apache2/suexec-pristine
SX=/var/www/cgbt-bench
setup >/dev/null
trap 'rm -rf "$SX"; cleanup' EXIT

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
install -d -m 0755 -o "$ALICE" -g "$ALICE" "$SX"
for dir in "$D" "$SX"; do
	put_script "$ALICE" "$dir/hello.cgi" 0755 "$B/hello"
	put_script "$ALICE" "$dir/hello-sh.cgi" 0755 "$TOP/tests/bench/hello.sh"
done
install -m 0755 "$B/hop" "$T/lib/hop"
install -m 0755 "$B/hop-musl" "$T/lib/hop-musl"
make -s -C "$TOP" BUILDDIR="$TOP/build/e2e-static" SYSCONFDIR="$T/etc" \
    LOCALSTATEDIR="$T/var" RUNSTATEDIR="$T/run" STATIC=1 all >/dev/null 2>&1 ||
    bail "static build failed"
install -m 4750 -o root -g "$CALLER" "$TOP/build/e2e-static/cgibox" \
    "$T/lib/cgibox-static"
base="caller $CALLER
docroot $T/www
log-file $LOG"
conf() {	# conf NAME LINES: a configuration file for launch_time
	printf '%s\n%s\n' "$base" "$2" > "$T/bench-$1.conf"
	echo "$T/bench-$1.conf"
}
C_CHECKS=$(conf checks "policy none
landlock off
private-tmp no")
C_LL=$(conf landlock "policy none
private-tmp no")
C_SC=$(conf seccomp "private-tmp no")
C_ALL=$(conf everything "")
C_SUP=$(conf supervised "timeout 30")
C_CHECKS_SUP=$(conf checks-supervised "policy none
landlock off
private-tmp no
timeout 30")
U=$(id -u "$ALICE"); G=$(id -g "$ALICE")
# cgiboxd, timed by the in-tree client (as the caller, like a server);
# the configuration is the one each case installs, read per request.
FCGI_PARAMS="REQUEST_METHOD=GET QUERY_STRING= GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1"
fcgi_case() {	# fcgi_case NAME CONFIG SCRIPT [CLIENT-OPTIONS]
	printf '%s\t%s\t%s\t%s\t%s -T -q %s-n @BATCH %s SCRIPT_FILENAME=%s %s\n' \
	    "$1" "$CALLER" "$D" "$2" "$BUILD/fcgi-client" "${4:+$4 }" "$SOCK" \
	    "$D/$3" "$FCGI_PARAMS"
}
specs() {	# specs SCRIPT: the cases for one script
	local s=$1
	printf 'direct\t%s\t%s\t-\t%s\n' "$ALICE" "$D" "$D/$s"
	printf 'hop\t%s\t%s\t-\t%s %s\n' "$ALICE" "$D" "$T/lib/hop" "$D/$s"
	printf 'hop built with musl (no glibc start-up)\t%s\t%s\t-\t%s %s\n' "$ALICE" "$D" "$T/lib/hop-musl" "$D/$s"
	printf 'suexec\twww-data\t%s\t-\t%s %s %s %s\n' "$SX" "$SUEXEC" "$U" "$G" "$s"
	printf 'cgibox checks and privilege drop\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_CHECKS" "$LAUNCHER" "$ALICE" "$ALICE" "$s"
	printf 'cgibox + Landlock\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_LL" "$LAUNCHER" "$ALICE" "$ALICE" "$s"
	printf 'cgibox + seccomp default\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_SC" "$LAUNCHER" "$ALICE" "$ALICE" "$s"
	printf 'cgibox everything (+ private /tmp)\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_ALL" "$LAUNCHER" "$ALICE" "$ALICE" "$s"
	printf 'cgibox everything + supervisor\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_SUP" "$LAUNCHER" "$ALICE" "$ALICE" "$s"
	printf 'cgibox checks and privilege drop + supervisor\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_CHECKS_SUP" "$LAUNCHER" "$ALICE" "$ALICE" "$s"
	printf 'cgibox STATIC=1 checks and privilege drop\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_CHECKS" "$T/lib/cgibox-static" "$ALICE" "$ALICE" "$s"
	printf 'cgibox STATIC=1 everything\t%s\t%s\t%s\t%s %s %s %s\n' "$CALLER" "$D" "$C_ALL" "$T/lib/cgibox-static" "$ALICE" "$ALICE" "$s"
	fcgi_case "cgiboxd checks and privilege drop, one kept connection" "$C_CHECKS" "$s" -k
	fcgi_case "cgiboxd + Landlock, one kept connection" "$C_LL" "$s" -k
	fcgi_case "cgiboxd + seccomp default, one kept connection" "$C_SC" "$s" -k
	fcgi_case "cgiboxd everything, one kept connection" "$C_ALL" "$s" -k
	fcgi_case "cgiboxd everything, a connection per request" "$C_ALL" "$s"
}
start_cgiboxd
specs hello.cgi > "$T/spec-c"
specs hello-sh.cgi > "$T/spec-sh"
{
	echo "# cgibox benchmarks"
	echo
	echo "Measured $(date -u +%Y-%m-%d) with \`sudo make bench\` on $(nproc) cores, kernel $(uname -r), libseccomp $(dpkg-query -W -f='${Version}' libseccomp2 2>/dev/null), Landlock ABI $("$B/policy_cost" --abi 2>/dev/null || echo '?'), Apache suexec $(dpkg-query -W -f='${Version}' apache2-suexec-pristine 2>/dev/null)."
	echo "Machines are shared and noisy: compare rows of one table, not runs."
	echo "Each launch is fork, set the caller's ids, exec, wait, as a web server does."
	echo "The cgiboxd rows are timed by the in-tree FastCGI client (\`tests/fcgi/client.c -T\`), from connect (or, on a kept connection, the first record) to FCGI_END_REQUEST; cgiboxd runs the script with the same confinement as the launcher, and its added time is over the same direct exec."
	echo
	echo "## Per request, launcher called directly: static C CGI"
	echo
	"$B/launch_time" "$ROUNDS" "$BATCH" "$CONF" "$T/spec-c" |
	    tee "$T/table-c"
	echo
	echo "## Per request, launcher called directly: \`#!/bin/sh\` CGI"
	echo
	"$B/launch_time" "$ROUNDS" "$BATCH" "$CONF" "$T/spec-sh"
	echo
	echo "## Seccomp policy cost per request (\`tests/bench/policy_cost\`)"
	echo
	for p in default strict; do
		"$B/policy_cost" "$T/etc/cgibox/policies" "$T/var/cache/cgibox" \
		    "$p" "${ROUNDS_POLICY:-300}"
		echo
	done
	stop_cgiboxd
	echo "## Learn mode (\`tests/bench/learn.sh\`)"
	echo
	. "$TOP/tests/bench/learn.sh"
	echo
	echo "## Through nginx (\`tests/bench/nginx.sh\`)"
	echo
	. "$TOP/tests/bench/nginx.sh"
	echo
	echo "## Through Apache (\`tests/bench/apache.sh\`)"
	echo
	. "$TOP/tests/bench/apache.sh"
	echo
	echo "## cgiboxd over a long run (\`tests/bench/cgiboxd.sh\`)"
	echo
	. "$TOP/tests/bench/cgiboxd.sh"
	echo
	echo "## Instructions and memory (\`tests/bench/instr.sh\`)"
	echo
	. "$TOP/tests/bench/instr.sh"
} | tee "$OUT"
