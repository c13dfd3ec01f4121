#!/bin/bash
# The launcher built with AddressSanitizer and UndefinedBehaviorSanitizer,
# run by root directly (a setuid transition would disable the sanitizers;
# the configuration names root as the caller), through allowed runs, every
# kind of refusal, the supervisor, seccomp and Landlock.  Any sanitizer
# report fails the run: halt_on_error, and the report goes to stderr.
. "$(dirname "$0")/../e2e/lib.sh"
setup
ASAN=$TOP/build/asan-e2e/cgibox
make -s -C "$TOP" BUILDDIR="$TOP/build/asan-e2e" SYSCONFDIR="$T/etc" \
    LOCALSTATEDIR="$T/var" RUNSTATEDIR="$T/run" \
    OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
    all >/dev/null || bail "sanitized build failed"
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=0:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/probe.cgi" 0755
put_script "$ALICE" "$D/try.cgi" 0755 "$BUILD/try"
put_script "$ALICE" "$D/w.cgi" 0757
ln -sf probe.cgi "$D/link.cgi"
write_conf "caller root" 2>/dev/null
sed -i "s/^caller $CALLER\$//" "$CONF"

asan() {	# asan DIR ARGS...: run the sanitized launcher as root
	local dir=$1; shift
	OUT=$(cd "$dir" && env -i ASAN_OPTIONS="$ASAN_OPTIONS" \
	    UBSAN_OPTIONS="$UBSAN_OPTIONS" REQUEST_URI=$'/x\r\n\xff' \
	    "$ASAN" "$@" 2>"$T/err" </dev/null)
	RC=$?
	ERR=$(cat "$T/err")
}
clean() {	# clean NAME: no sanitizer report
	unlike "$ERR" "(AddressSanitizer|runtime error|LeakSanitizer)" "$1: no sanitizer report"
}

asan "$D" "$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "allowed run"; clean "allowed run"
like "$OUT" "NoNewPrivs=1" "the script ran confined"
for c in "w.cgi 118" "link.cgi 115" "nosuch.cgi 117" "../x 104"; do
	set -- $c
	asan "$D" "$ALICE" "$ALICE" "$1"
	is "$RC" "$2" "refusal $2"; clean "refusal $2"
done
asan "$D" root root probe.cgi
is "$RC" 109 "target root"; clean "target root"
asan "$D" "$ALICE" "$BOB" probe.cgi
is "$RC" 111 "group not member"; clean "group not member"
asan "$D" "$D/probe.cgi"
is "$RC" 0 "interpreter mode"; clean "interpreter mode"
asan "$D" -V
is "$RC" 0 "-V"; clean "-V"
asan "$D" a b
is "$RC" 101 "usage"; clean "usage"
asan "$D" "$ALICE" "$ALICE" try.cgi ptrace
is "$RC" 159 "seccomp kill"; clean "seccomp kill"
printf 'frobnicate\n' >> "$CONF"
asan "$D" "$ALICE" "$ALICE" probe.cgi
is "$RC" 112 "config-invalid"; clean "config-invalid"
sed -i '/^frobnicate$/d' "$CONF"
printf 'timeout 5\nmax-requests 2\n' >> "$CONF"
asan "$D" "$ALICE" "$ALICE" probe.cgi
is "$RC" 0 "supervised run"; clean "supervised run"
like "$(last_log)" "event=exit" "supervisor logged the end"
done_testing
