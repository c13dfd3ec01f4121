#!/bin/bash
# contrib/: the fail2ban filter matches the deny lines the launcher really
# wrote (and only those), and the logrotate file is valid and recreates the
# log in a mode the launcher accepts.
. "$(dirname "$0")/lib.sh"
need fail2ban-regex
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

sed "s|/var/log/cgibox.log|$LOG|" "$TOP/contrib/logrotate/cgibox" > "$T/logrotate.conf"
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf"
ok $? "logrotate accepts the file and rotates"
is "$(stat -c '%U %a %h' "$LOG")" "root 640 1" "the new log is root's, 0640, one link"
run "$D" -- "$ALICE" "$ALICE" ok.cgi
is "$RC" 0 "and the launcher uses it"
is "$(wc -l < "$LOG")" 1 "writing to the new file"
done_testing
