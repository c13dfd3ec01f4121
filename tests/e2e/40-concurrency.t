#!/bin/bash
# 500 launches, 25 at a time: every one succeeds, and the log holds 500
# well-formed lines (one write(2) per line on O_APPEND: no interleaving).
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nok %%s\\n" "$QUERY_STRING"\n' > "$T/c.cgi"
put_script "$ALICE" "$D/c.cgi" 0755 "$T/c.cgi"
# A long REQUEST_URI with hostile bytes makes each line large, so any
# interleaving would show.
uri="/c.cgi?$(head -c 900 /dev/zero | tr '\0' x)%0d%0a"
: > "$LOG"
export T D LAUNCHER CALLER ALICE uri
seq 1 500 | xargs -P 25 -I{} sh -c '
	cd "$D" && out=$(env -i QUERY_STRING={} REQUEST_URI="$uri
event=exec user=root" setpriv --reuid="$CALLER" --regid="$CALLER" \
	    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" c.cgi) &&
	    [ "$out" = "$(printf "Content-Type: text/plain\r\n\r\nok {}")" ] ||
	    echo "launch {} failed" >&2' 2>"$T/fail"
is "$(wc -l < "$T/fail")" 0 "all 500 launches succeeded"
is "$(wc -l < "$LOG")" 500 "the log has 500 lines"
good=$(grep -cE '^time=[0-9T:.-]+Z pid=[0-9]+ event=exec request_id=[0-9a-f]{16} caller=cgbt-web user=cgbt-alice group=cgbt-alice cwd=[^ ]+ cmd=c\.cgi script=[^ ]+ policy=default landlock=[0-9]+ request_uri="/c\.cgi\?x{900}%0d%0a\\x0aevent=exec user=root"$' "$LOG")
is "$good" 500 "every line is whole and well-formed, the newline escaped"
is "$(cut -d" " -f4 "$LOG" | sort -u | wc -l)" 500 "500 distinct request ids"
done_testing
