#!/bin/bash
# Real applications, unmodified, under the default policy, invoked through
# the launcher with a CGI environment as Apache would: gitweb (Perl) and
# cgit (C), both from Debian, each render a page for a test repository.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/gitweb.cgi" 0755 /usr/share/gitweb/gitweb.cgi
put_script "$ALICE" "$D/cgit.cgi" 0755 /usr/lib/cgit/cgit.cgi
git_fixture
write_conf "$GIT_ENV"

cgi gitweb.cgi "" ""
is "$RC" 0 "gitweb runs"
like "$OUT" "^Status: 200 OK" "gitweb answers 200"
like "$OUT" "demo\\.git" "gitweb lists the test repository"
like "$OUT" "Demo repository for cgibox" "gitweb shows its description"
cgi gitweb.cgi "" "p=demo.git;a=log"
like "$OUT" "first commit from alice" "gitweb renders the log (runs git as a subprocess)"

cgi cgit.cgi "/" ""
is "$RC" 0 "cgit runs"
like "$OUT" "Demo repository for cgibox" "cgit lists the test repository"
cgi cgit.cgi "/demo/log/" ""
like "$OUT" "first commit from alice" "cgit renders the log"
like "$(tail -n 2 "$LOG")" "event=exec .*cmd=cgit\\.cgi .*policy=default" "both ran under the default policy"
done_testing
