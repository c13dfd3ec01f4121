#!/bin/bash
# Learn mode's cost, side by side: a supervised request of a user who is
# not learning, with and without another user learning in the same
# configuration; a learning request that makes no refused call; and the
# cost of one recorded call, from the same script making 1000 socket()
# calls allowed by default and recorded while learning on strict.
# Sourced by run.sh after its setup; prints one table and the per-call
# figure.
put_script "$ALICE" "$D/try.cgi" 0755 "$BUILD/try"
C_NOLEARN=$(conf nolearn "timeout 30")
C_OTHER=$(conf otherlearns "timeout 30
match user $BOB
learn yes")
C_LEARN=$(conf learns "timeout 30
match user $ALICE
learn yes")
C_LEARN_STRICT=$(conf learns-strict "timeout 30
policy strict
match user $ALICE
learn yes")
N=${LEARN_CALLS:-1000}
lcase() {	# lcase NAME CONFIG CALLS
	printf '%s\t%s\t%s\t%s\t%s %s %s try.cgi repeat %s\n' "$1" "$CALLER" \
	    "$D" "$2" "$LAUNCHER" "$ALICE" "$ALICE" "$3"
}
{
	printf 'direct\t%s\t%s\t-\t%s repeat 0\n' "$ALICE" "$D" "$D/try.cgi"
	lcase "everything + supervisor, alice not learning" "$C_NOLEARN" 0
	lcase "the same, bob learning in the same configuration" "$C_OTHER" 0
	lcase "alice learning on default, no call recorded" "$C_LEARN" 0
	lcase "everything + supervisor, $N socket() calls allowed" "$C_NOLEARN" "$N"
	lcase "alice learning on strict, no call made" "$C_LEARN_STRICT" 0
	lcase "alice learning on strict, $N socket() calls recorded" "$C_LEARN_STRICT" "$N"
} > "$T/spec-learn"
"$B/launch_time" "$ROUNDS" "$BATCH" "$CONF" "$T/spec-learn" | tee "$T/table-learn"
med() {	# med ROW-PREFIX: the median us of the row whose case begins so
	awk -F' [|] ' -v p="$1" 'index($1, "| " p) == 1 { print $2; exit }' \
	    "$T/table-learn"
}
a=$(med "everything + supervisor, alice not learning")
d=$(med "everything + supervisor, $N socket")
f=$(med "alice learning on strict, no call made")
e=$(med "alice learning on strict, $N socket")
echo
awk -v a="$a" -v d="$d" -v e="$e" -v f="$f" -v n="$N" 'BEGIN {
	printf "One recorded call costs %.1f us: ((%d - %d) - (%d - %d)) / %d, the time %d calls add while learning less the time they add when the policy allows them.\n", ((e - f) - (d - a)) / n, e, f, d, a, n, n
}'
