#!/bin/bash
# make demo, run as a test: it must show what the README says it shows.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || bail "needs root"
out=$(bash "$TOP/contrib/demo.sh" 2>&1); rc=$?
is "$rc" 0 "the demo runs to the end"
like "$out" "Hello from cgbdemo-alice \\(uid [0-9]+, groups: [0-9]+\\)" "the allowed script runs as alice, with only her group"
like "$out" "NoNewPrivs:.1" "with no_new_privs"
like "$out" "bob's world-readable config.php: Permission denied" "and cannot read bob's config.php"
like "$out" "exit status 159" "ptrace is killed by seccomp"
for code in 118 120 115 104 109 111; do
	like "$out" "exit status $code" "a refusal with exit status $code"
done
like "$out" "event=deny reason=file-writable" "the audit log is shown"
[ ! -e /srv/cgibox-demo ] && ! getent passwd cgbdemo-alice >/dev/null
ok $? "the demo removes its tree and users"
done_testing
