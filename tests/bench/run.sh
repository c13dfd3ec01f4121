#!/bin/bash
# make bench: cost figures, measured side by side in one run.  Never part
# of make check (no timing thresholds in tests).  Writes
# tests/bench/RESULTS.md.  Uses the end-to-end suite's setup (test users,
# a tree under /srv/cgibox-test, the launcher installed setuid), removed
# afterwards.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/e2e/lib.sh"
OUT=$TOP/tests/bench/RESULTS.md
B=$TOP/build
ROUNDS=${ROUNDS:-20}
BATCH=${BATCH:-25}
setup >/dev/null

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/hello.cgi" 0755 "$B/hello"
base="caller $CALLER
docroot $T/www
log-file $LOG"
conf() {	# conf NAME LINES: a configuration file for launch_time
	printf '%s\n%s\n' "$base" "$2" > "$T/bench-$1.conf"
	echo "$1=$T/bench-$1.conf"
}
{
	echo "# cgibox benchmarks"
	echo
	echo "Measured $(date -u +%Y-%m-%d) with \`make bench\` on $(nproc) cores, kernel $(uname -r), libseccomp $(dpkg-query -W -f='${Version}' libseccomp2 2>/dev/null), Landlock ABI $("$B/policy_cost" --abi 2>/dev/null || echo '?')."
	echo "Machines are shared and noisy: compare rows of one table, not runs."
	echo
	echo "## Per request, launcher called directly (static C CGI)"
	echo
	"$B/launch_time" "$ROUNDS" "$BATCH" "$CALLER" "$ALICE" "$CONF" "$D" \
	    direct=- \
	    "$(conf checks "policy none
landlock off
private-tmp no")" \
	    "$(conf landlock "policy none
private-tmp no")" \
	    "$(conf privtmp "policy none")" \
	    "$(conf everything "")" \
	    "$(conf nonet "network no")" \
	    "$(conf supervised "timeout 30")" \
	    -- "$LAUNCHER" "$ALICE" "$ALICE" hello.cgi |
	    sed -e 's/^| checks |/| cgibox: checks and privilege drop only |/' \
		-e 's/^| landlock |/| + Landlock |/' \
		-e 's/^| privtmp |/| + private \/tmp (mount namespace, two tmpfs) |/' \
		-e 's/^| everything |/| + seccomp `default` (cached): the default configuration |/' \
		-e 's/^| nonet |/| + network no (network namespace) |/' \
		-e 's/^| supervised |/| default configuration + timeout 30 (supervisor) |/' \
		-e 's/^| direct |/| the script exec'"'"'d directly as its owner |/'
	echo
	echo "## Seccomp policy cost per request (\`tests/bench/policy_cost\`)"
	echo
	for p in default strict; do
		"$B/policy_cost" "$T/etc/cgibox/policies" "$T/var/cache/cgibox" \
		    "$p" "${ROUNDS_POLICY:-300}"
		echo
	done
} | tee "$OUT"
