#!/bin/bash
# contrib/: the fail2ban filter matches the deny lines the launcher really
# wrote (and only those); a real fail2ban-server with the contrib filter
# and jail bans after maxretry refusals whatever the server's time zone;
# and the logrotate file is valid and recreates the log in a mode the
# launcher accepts.
. "$(dirname "$0")/lib.sh"
need fail2ban-regex fail2ban-server fail2ban-client
setup
D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/ok.cgi" 0755
put_script "$ALICE" "$D/open.cgi" 0757
: > "$LOG"
for i in 1 2 3 4 5; do
	run "$D" REMOTE_ADDR=192.0.2.7 -- "$ALICE" "$ALICE" open.cgi
done
run "$D" REMOTE_ADDR=192.0.2.8 -- "$ALICE" "$ALICE" ok.cgi
run "$D" REMOTE_ADDR=198.51.100.9 -- "$ALICE" "$ALICE" nosuch.cgi
run "$D" -- "$ALICE" "$ALICE" open.cgi		# no client address
# Forgeries: an address inside a quoted value must never count.
run "$D" "REQUEST_URI=/x remote_addr=203.0.113.66 y" REMOTE_ADDR=192.0.2.8 \
    -- "$ALICE" "$ALICE" "no such remote_addr=203.0.113.66"
run "$D" "REQUEST_URI=/x remote_addr=203.0.113.66" -- "$ALICE" "$ALICE" open.cgi
ips=$(fail2ban-regex -o ip "$LOG" "$TOP/contrib/fail2ban/filter.d/cgibox.conf" 2>&1 |
    sort | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')
is "$ips" "192.0.2.7:5 192.0.2.8:1 198.51.100.9:1 " \
    "fail2ban-regex finds the client of every deny line with an address, and only those"
unlike "$ips" "203\\.0\\.113\\.66" "an address forged inside a value never counts"

# ---- a real fail2ban-server, east and west of UTC -------------------------
# The contrib filter and jail as they are (logpath moved to the test log),
# with action dummy writing to the test tree, its own socket, pid file and
# an in-memory database; polling, so that no inotify is needed.  The log's
# times are UTC: a server that read them as local time would see every
# line an hour old in Berlin (older than findtime) and never ban.
F=$T/f2b
maxretry=$(sed -n 's/^maxretry *= *//p' "$TOP/contrib/fail2ban/jail.d/cgibox.conf")
f2b() { fail2ban-client -s "$F/sock" "$@"; }
f2b_round() {	# f2b_round TZ ADDR: maxretry + 2 refusals from ADDR under TZ
	local zone=$1 addr=$2 pid st i banned
	rm -rf "$F"
	: > "$LOG"
	install -d "$F" "$F/filter.d" "$F/action.d" "$F/jail.d"
	install -m 0644 "$TOP/contrib/fail2ban/filter.d/cgibox.conf" "$F/filter.d/"
	install -m 0644 /etc/fail2ban/action.d/dummy.conf "$F/action.d/"
	printf '[Definition]\nloglevel = INFO\nlogtarget = %s/server.log\nsocket = %s/sock\npidfile = %s/pid\ndbfile = :memory:\n' \
	    "$F" "$F" "$F" > "$F/fail2ban.conf"
	printf '[DEFAULT]\nbackend = polling\n' > "$F/jail.conf"
	{ sed "s|/var/log/cgibox.log|$LOG|" "$TOP/contrib/fail2ban/jail.d/cgibox.conf"
	  printf 'action = dummy[target=%s/banned]\n' "$F"; } > "$F/jail.d/cgibox.conf"
	TZ=$zone fail2ban-server -f -x -c "$F" -s "$F/sock" -p "$F/pid" \
	    --logtarget "$F/server.log" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		f2b status cgibox >/dev/null 2>&1 && break
		sleep 0.1
	done
	for i in $(seq 1 $((maxretry + 2))); do
		run "$D" REMOTE_ADDR="$addr" -- "$ALICE" "$ALICE" open.cgi
	done
	for _ in $(seq 1 100); do
		st=$(f2b status cgibox 2>/dev/null)
		grep -q "Banned IP list:.*$addr" <<<"$st" &&
		    grep -Eq "Total failed:[[:space:]]+$((maxretry + 2))" <<<"$st" && break
		sleep 0.2
	done
	banned=$(cat "$F/banned" 2>/dev/null)	# the action's stop removes it
	f2b stop >/dev/null 2>&1
	wait "$pid" 2>/dev/null
	like "$st" "Total failed:[[:space:]]+$((maxretry + 2))" \
	    "TZ=$zone: fail2ban-server counts all $((maxretry + 2)) refusals"
	like "$st" "Banned IP list:.*$addr" "TZ=$zone: and bans $addr"
	like "$banned" "\\+$addr" "TZ=$zone: the ban action ran for $addr"
}
[ -n "$maxretry" ] || bail "no maxretry in the contrib jail"
for zone in Europe/Berlin Asia/Tokyo America/New_York; do
	[ -e "/usr/share/zoneinfo/$zone" ] || bail "no zone $zone (tzdata)"
done
f2b_round Europe/Berlin 192.0.2.21
f2b_round Asia/Tokyo 192.0.2.22
f2b_round America/New_York 192.0.2.23

sed "s|/var/log/cgibox.log|$LOG|" "$TOP/contrib/logrotate/cgibox" > "$T/logrotate.conf"
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf"
ok $? "logrotate accepts the file and rotates"
is "$(stat -c '%U %a %h' "$LOG")" "root 640 1" "the new log is root's, 0640, one link"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 0 "and the launcher uses it"
is "$(wc -l < "$LOG")" 1 "writing to the new file"
done_testing
