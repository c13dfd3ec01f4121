#!/bin/bash
# Seccomp: every call the default policy must deny is denied (the probe
# dies with SIGSYS, exit 159, or gets the errno the policy names), other
# ABIs kill, what must work works, strict takes the network away, and the
# compiled-filter cache is used, refreshed on edit and never trusted when
# tampered with.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/try.cgi" 0755 "$BUILD/try"
put_script "$ALICE" "$D/probe.cgi" 0755
CACHE=$T/var/cache/cgibox
SIGSYS_EXIT=159

try() {	# try SYSCALL: run the probe as alice, sets OUT/RC
	run "$D" -- "$ALICE" "$ALICE" try.cgi "$1"
}

killed() {	# killed SYSCALL...: each call kills the process
	for c in "$@"; do
		try "$c"
		is "$RC" "$SIGSYS_EXIT" "$c: killed by SIGSYS"
	done
}

run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$(printf '%s\n' "$OUT" | sed -n 's/^Seccomp=//p')" 2 "/proc/self/status shows Seccomp: 2"
like "$(last_log)" "event=exec .* script=$D/probe.cgi policy=default landlock=[0-9]+$" "exec line names the policy"

killed ptrace process_vm_readv process_vm_writev mount umount2 pivot_root \
    chroot fsopen unshare setns clone_newuser keyctl add_key request_key \
    bpf perf_event_open kexec_load init_module finit_module delete_module \
    reboot swapon swapoff acct settimeofday clock_settime adjtimex \
    userfaultfd open_by_handle_at iopl ioperm modify_ldt quotactl \
    syslog unknown
killed i386 x32

for c in clone3 openat2 io_uring_setup fanotify_init inotify_init1; do
	try "$c"
	is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=errno:ENOSYS" "$c: ENOSYS, so libc falls back"
done
for c in socket_netlink socket_packet socket_highbits socket_mptcp \
    socket_sctp socket_raw; do
	try "$c"
	is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=errno:EAFNOSUPPORT" "$c: EAFNOSUPPORT"
done
try setuid
is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=errno:EPERM" "setuid(0): EPERM"
for c in getpid clone_plain thread socket_unix socket_inet socket_inet6 \
    socket_udp socket_ping socketpair_unix; do
	try "$c"
	is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=ok" "$c: allowed"
done

# strict: no network sockets, AF_UNIX still there.
write_conf "policy strict"
try socket_inet
is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=errno:EAFNOSUPPORT" "strict: AF_INET refused"
try socket_unix
is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=ok" "strict: AF_UNIX allowed"
try ptrace
is "$RC" "$SIGSYS_EXIT" "strict: ptrace killed"
try socketpair_unix
is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=ok" "strict: socketpair(AF_UNIX) allowed"
like "$(last_log)" "policy=strict" "exec line names strict"

# Selection in match blocks: the last matching block wins.
write_conf "match user $ALICE
policy strict
match group $ALICE
policy default"
try socket_inet
is "$(printf '%s' "$OUT" | tail -n 1)" "result=ok" "match group block after match user: default"
write_conf "policy none"
try ptrace
is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=ok" "policy none: no filter (PTRACE_TRACEME needs no privilege)"
like "$(last_log)" "policy=none" "exec line says policy=none"

# A broken or insecure policy refuses every request.
write_conf "policy broken"
printf 'default kill\nallow read writ\n' > "$T/etc/cgibox/policies/broken.policy"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason policy-invalid 97 "unknown system call name"
like "$ERR" "broken.policy:2: 'writ' is not a system call" "error names file:line"
printf 'default kill\nallow ptrace\nkill ptrace\n' > "$T/etc/cgibox/policies/broken.policy"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason policy-invalid 97 "allow and kill of the same call conflict"
printf 'default kill\ninclude base\nallow ptrace\n' > "$T/etc/cgibox/policies/broken.policy"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason policy-invalid 97 "allowing what base kills is a conflict"
like "$ERR" "base.policy:[0-9]+: ptrace already has a rule" "the conflict is reported with file:line"
printf 'default kill\ninclude base\nallow socket if a0 == AF_UNIX\nerrno EPERM socket if a0 == AF_UNIX\n' > "$T/etc/cgibox/policies/broken.policy"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason policy-invalid 97 "two actions for the same conditions"
printf 'default kill\ninclude base\nallow socket if a0 == AF_UNIX\nkill socket if a0 == AF_INET\n' > "$T/etc/cgibox/policies/broken.policy"
run "$D" -- "$ALICE" "$ALICE" try.cgi socket_inet
expect_reason policy-invalid 97 "a conditional rule with the default action (it could only override another rule) is refused"
like "$ERR" "cannot override another rule" "and the error says why"
write_conf "policy nosuch"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason policy-invalid 97 "missing policy file"
write_conf ""
chmod 0666 "$T/etc/cgibox/policies/base.policy"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason config-insecure 113 "a world-writable included policy"
chmod 0644 "$T/etc/cgibox/policies/base.policy"
chmod 0777 "$T/etc/cgibox/policies"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
expect_reason config-insecure 113 "a world-writable policy directory"
chmod 0755 "$T/etc/cgibox/policies"

# The cache: written once, used, refreshed when a policy changes.
rm -rf "$CACHE"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "runs with no cache directory"
is "$(stat -c %U:%a "$CACHE")" root:700 "the cache directory is created root:700"
is "$(stat -c %U:%a "$CACHE/default.bpf")" root:600 "the compiled filter is cached root:600"
first=$(stat -c %Y.%i "$CACHE/default.bpf")
sleep 1
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$(stat -c %Y.%i "$CACHE/default.bpf")" "$first" "a second request uses the cache"
# An edit takes effect on the next request: allow ptrace's errno instead.
sed -i 's/^kill ptrace /kill /' "$T/etc/cgibox/policies/base.policy"
echo 'errno EPERM ptrace' >> "$T/etc/cgibox/policies/default.policy"
try ptrace
is "$RC:$(printf '%s' "$OUT" | tail -n 1)" "0:result=errno:EPERM" "an edited policy takes effect on the next request"
isnt_first=$(stat -c %Y.%i "$CACHE/default.bpf")
[ "$isnt_first" != "$first" ]; ok $? "and the cache was rewritten"
install -m 0644 "$TOP"/policies/*.policy "$T/etc/cgibox/policies/"
try ptrace
is "$RC" "$SIGSYS_EXIT" "restoring the policy restores the kill"
# Tampering: a cache file that is not root's 0600, or is garbage, is
# ignored, and the filter is compiled again.
chmod 0644 "$CACHE/default.bpf"
try ptrace
is "$RC" "$SIGSYS_EXIT" "a group-readable cache file is not trusted"
is "$(stat -c %a "$CACHE/default.bpf")" 600 "and is replaced"
# Forge a cache whose file identities match but whose filter allows
# everything: only root can write there, but a truncated or foreign file
# must still not be loaded.
head -c 100 /dev/urandom > "$CACHE/default.bpf"; chmod 0600 "$CACHE/default.bpf"
try ptrace
is "$RC" "$SIGSYS_EXIT" "a garbage cache file is not loaded"
chown "$BOB" "$CACHE/default.bpf"
try ptrace
is "$RC" "$SIGSYS_EXIT" "a cache file owned by another user is not loaded"
chown "$BOB" "$CACHE"
try ptrace
is "$RC" "$SIGSYS_EXIT" "a cache directory owned by another user is not used"
chown root "$CACHE"

# cgibox-check: lint covers policies, policy NAME shows the filter.
out=$("$CHECK" policy default 2>&1); rc=$?
is "$rc" 0 "cgibox-check policy default"
like "$out" "# default kill" "shows the default action"
like "$out" "filter for syscall \"socket\"" "shows libseccomp's PFC listing"
out=$("$CHECK" lint 2>&1); rc=$?
is "$rc" 0 "lint with the shipped policies"
like "$out" "policy default: ok" "lint compiles the default policy"
done_testing
