#!/bin/bash
# Instructions and memory, side by side: the user-space instructions each
# launcher runs from its first instruction to the exec of the script,
# counted by valgrind's callgrind (repeatable, unlike a time), and its peak
# RSS from the timed runs (tests/bench/launch_time, static C CGI).  Sourced
# by run.sh after its setup and the per-request tables; prints one table.
#
# valgrind cannot run a setuid program as its caller (it refuses setuid
# files, and drops to the real uid itself), so each launcher is counted as
# a non-setuid copy run by root, with the environment launch_time gives:
# - cgibox with a copy of the benchmark configuration whose caller is
#   root; valgrind 3.19 knows neither landlock_*() nor seccomp(), so under
#   it Landlock is best-effort (found unavailable: no rules are built), and
#   the count stops at the clone of the process that becomes the script
#   (its drop, Landlock and filter come after, in that child, where
#   valgrind cannot install the filter);
# - Apache's suexec, whose caller (www-data) is compiled in, with
#   tests/bench/fakeuid.so preloaded so that getuid() answers www-data's
#   uid; what loading that library costs (measured on /bin/true) is taken
#   off its count.
# --dump-before=FUNCTION writes the count up to the first call of the
# exec (or, for cgibox, the clone of the script's process); valgrind then
# stops following the program at the exec.
CG=$T/callgrind
# Written after the drop (by the target): open to all, like /tmp.
install -d -m 1777 "$CG"
install -m 0755 "$LAUNCHER" "$T/lib/cgibox-vg"
install -m 0755 "$T/lib/cgibox-static" "$T/lib/cgibox-static-vg"
install -m 0755 "$SUEXEC" "$T/lib/suexec-vg"

vg_count() {	# vg_count NAME FUNCTION DIR [VAR=VALUE...] CMD...
	local name=$1 fn=$2 dir=$3
	shift 3
	rm -f "$CG/$name".*
	(cd "$dir" && env -i REQUEST_METHOD=GET QUERY_STRING= "$@" \
	    >/dev/null 2>"$CG/$name.log")
	awk '/^summary:/ {print $2; exit}' "$CG/$name".*.1 2>/dev/null
}
vg() {	# the valgrind command line for NAME and FUNCTION
	echo valgrind --tool=callgrind --vgdb=no --dump-before="$2" \
	    --callgrind-out-file="$CG/$1.%p"
}
vg_conf() {	# vg_conf CONFIG: the config as the root-caller copy
	sed -e "s/^caller .*/caller root/" "$1" > "$CONF"
	grep -q '^landlock off' "$1" || echo "landlock best-effort" >> "$CONF"
}
rss() {	# rss CASE: peak RSS of CASE in the static C CGI table
	awk -F' [|] ' -v c="$1" '$1 == "| " c {print $6}' "$T/table-c"
}

preload_true=$(vg_count true-pre main / CGIBOX_FAKE_UID=0 \
    CGIBOX_FAKE_PROG=none LD_PRELOAD="$B/fakeuid.so" $(vg true-pre exit) \
    /bin/true)
plain_true=$(vg_count true exit / $(vg true exit) /bin/true)
# Both end at exit; --dump-before=exit dumps the whole run as part 1.
preload=$(( ${preload_true:-0} - ${plain_true:-0} ))

declare -A ins
ins[hop]=$(vg_count hop execve "$D" $(vg hop execve) "$T/lib/hop" \
    "$D/hello.cgi")
sx=$(vg_count suexec execv "$SX" CGIBOX_FAKE_UID="$(id -u www-data)" \
    CGIBOX_FAKE_PROG=suexec-vg LD_PRELOAD="$B/fakeuid.so" \
    $(vg suexec execv) "$T/lib/suexec-vg" "$U" "$G" hello.cgi)
ins[suexec]=$(( ${sx:-0} - preload ))
cgcount() {	# cgcount CASE CONFIG LAUNCHER; files cg0, cg1, ... apart
	local name=cg${#ins[@]}
	vg_conf "$2"
	ins[$1]=$(vg_count "$name" clone "$D" \
	    $(vg "$name" clone) "$3" "$ALICE" "$ALICE" hello.cgi)
}
cgcount "cgibox checks and privilege drop" "$C_CHECKS" "$T/lib/cgibox-vg"
cgcount "cgibox + seccomp default" "$C_SC" "$T/lib/cgibox-vg"
cgcount "cgibox everything (+ private /tmp)" "$C_ALL" "$T/lib/cgibox-vg"
cgcount "cgibox STATIC=1 checks and privilege drop" "$C_CHECKS" \
    "$T/lib/cgibox-static-vg"
cgcount "cgibox STATIC=1 everything" "$C_ALL" "$T/lib/cgibox-static-vg"

echo "| case (callgrind, valgrind $(valgrind --version | sed 's/valgrind-//')) | instructions to exec | / suexec | median peak RSS KB | / suexec |"
echo "|---|---|---|---|---|"
ratio() {	# ratio A B: A / B as 1.23x, or - when either is missing
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b <= 0) print "-"; else printf "%.2fx\n", a / b }'
}
su_rss=$(rss suexec)
for c in hop suexec "cgibox checks and privilege drop" \
    "cgibox + seccomp default" "cgibox everything (+ private /tmp)" \
    "cgibox STATIC=1 checks and privilege drop" "cgibox STATIC=1 everything"; do
	n=${ins[$c]:-}
	r=$(rss "$c")
	printf '| %s | %s | %s | %s | %s |\n' "$c" "${n:-failed}" \
	    "$(ratio "$n" "${ins[suexec]}")" "$r" "$(ratio "$r" "$su_rss")"
done
echo
echo "Counted as described in \`tests/bench/instr.sh\`: run by root under valgrind, cgibox with a copy of the configuration whose caller is root (looked up from the first line of /etc/passwd, a little cheaper than a web server's account), suexec with its getuid() answering www-data's uid; $preload instructions for loading that preload were taken off suexec's count. Under valgrind 3.19 Landlock and seccomp are unavailable, so cgibox is counted up to the clone of the process that becomes the script: the drop, Landlock's rules and the filter's installation that follow in that child (a few dozen system calls, little user-space work) are not in the counts. Instructions are not time: glibc's start-up in every program (hop, suexec, cgibox, the script) runs dozens of CPUID instructions to size its caches, which valgrind emulates and counts as one each; here one CPUID takes $("$B/cpuid_cost") us (\`tests/bench/cpuid_cost\`: on a virtual machine each may exit to the hypervisor), a floor under every exec that the counts do not show (the first table's two hops differ by it). Peak RSS: the median ru_maxrss of the timed launches, which is the launcher's: the script's own is $(rss direct) KB."
