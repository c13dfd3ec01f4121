#!/bin/bash
# Decision tests through cgibox-check explain, which calls the launcher's
# own decide(): tests/decide/NAME.conf with NAME.cases.  Then a sample of
# the same cases through the real launcher, to show the two agree.
. "$(dirname "$0")/lib.sh"
setup

for u in "$ALICE" "$BOB"; do
	user_dir "$u" "$T/www/${u#cgbt-}"
	user_dir "$u" "$T/home/$u/public_html"
	put_script "$u" "$T/home/$u/public_html/ok.cgi" 0755
done
A=$T/www/alice
user_dir "$ALICE" "$A/sub"
user_dir "$ALICE" "$T/www2/alice"
put_script "$ALICE" "$A/ok.cgi" 0755
put_script "$ALICE" "$A/sub/ok.cgi" 0755
put_script "$ALICE" "$T/www2/alice/ok.cgi" 0755
put_script "$ALICE" "$A/gw.cgi" 0775
put_script "$ALICE" "$A/noexec.cgi" 0644
ln -s ok.cgi "$A/link.cgi"; ln -s sub "$A/linkdir"
install -d -m 0755 -o "$BOB" -g "$BOB" "$A/bobs"
put_script "$ALICE" "$A/bobs/ok.cgi" 0755
put_script "$BOB" "$A/bobs.cgi" 0755
put_script "$BOB" "$T/www/bob/ok.cgi" 0755

for conf in "$TOP"/tests/decide/*.conf; do
	name=$(basename "$conf" .conf)
	sed "s|@T@|$T|g" "$conf" > "$CONF"
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		args=${line%%->*}; want=${line#*-> }
		args=$(printf '%s' "$args" | sed "s|@T@|$T|g")
		# shellcheck disable=SC2086
		got=$("$CHECK" -c "$CONF" explain $args 2>&1 | head -n 1)
		got=${got%%:*}
		is "$got" "$want" "$name: $args"
	done < "${conf%.conf}.cases"
done

# explain prints the settings in force; match blocks apply.
sed "s|@T@|$T|g" "$TOP/tests/decide/basic.conf" > "$CONF"
out=$("$CHECK" -c "$CONF" explain "$BOB" "$BOB" "$T/www/bob/ok.cgi")
like "$out" "^limit cpu 99$" "explain: bob's match block sets cpu 99"
like "$out" "^env-set BOB=1$" "explain: bob's env-set"
like "$out" "^supplementary-groups none$" "explain: no supplementary groups"
out=$("$CHECK" -c "$CONF" explain "$ALICE" "$ALICE" "$A/ok.cgi")
like "$out" "^limit cpu 10$" "explain: alice gets the global cpu limit"
like "$out" "^user $ALICE $ALICE_UID$" "explain: the target"
like "$out" "^landlock required \(ABI [0-9]+" "explain: the Landlock mode and ABI"
like "$out" "^private-tmp yes$" "explain: private-tmp"
like "$out" "^timeout 0$" "explain: the timeout"

# The oracle and the launcher agree.
for c in "ok.cgi 0" "gw.cgi 118" "noexec.cgi 121" "link.cgi 115"; do
	set -- $c
	run "$A" -- "$ALICE" "$ALICE" "$1"
	is "$RC" "$2" "launcher agrees on $1"
done

# lint: the shipped example, a broken file, and an insecure one.
install -m 0644 "$TOP/contrib/cgibox.conf" "$T/etc/example.conf"
out=$("$CHECK" lint "$T/etc/example.conf" 2>&1); rc=$?
is "$rc" 0 "the shipped example configuration lints clean"
printf 'caller www-data\nbogus 1\nmin-uid -1\n' > "$T/etc/bad.conf"
out=$("$CHECK" lint "$T/etc/bad.conf" 2>&1); rc=$?
is "$rc" 1 "lint fails on errors"
like "$out" "^$T/etc/bad.conf:2: unknown keyword 'bogus'" "lint: first error with file:line"
like "$out" "^$T/etc/bad.conf:3: min-uid:" "lint: every error"
chmod 0666 "$T/etc/bad.conf"; printf 'caller www-data\n' > "$T/etc/bad.conf"
out=$("$CHECK" lint "$T/etc/bad.conf" 2>&1); rc=$?
is "$rc" 1 "lint refuses a world-writable file"
like "$out" "config-insecure" "lint says why"
out=$("$CHECK" -s lint "$T/etc/bad.conf" 2>&1); rc=$?
is "$rc" 0 "lint -s checks the syntax only"
done_testing
