#!/bin/bash
# make bench: cost figures, measured side by side in one run.  Never part
# of make check (no timing thresholds in tests).  Writes
# tests/bench/RESULTS.md.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build
OUT=$TOP/tests/bench/RESULTS.md
[ "$(id -u)" = 0 ] || { echo "make bench needs root" >&2; exit 1; }
W=$(mktemp -d /var/lib/cgibox-bench.XXXXXX)	# root-owned parents
trap 'rm -rf "$W"' EXIT
chmod 0755 "$W"
install -d -m 0755 "$W/policies"
install -m 0644 "$TOP"/policies/*.policy "$W/policies/"
install -d -m 0700 "$W/cache"
{
	echo "# cgibox benchmarks"
	echo
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, kernel $(uname -r), libseccomp $(dpkg-query -W -f='${Version}' libseccomp2 2>/dev/null)."
	echo
	echo "## Seccomp policy cost per request (\`tests/bench/policy_cost\`)"
	echo
	for p in default strict; do
		"$B/policy_cost" "$W/policies" "$W/cache" "$p" "${ROUNDS:-300}"
		echo
	done
} | tee "$OUT"
