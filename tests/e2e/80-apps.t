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
R=$T/home/$ALICE/git
user_dir "$ALICE" "$R"
runuser -u "$ALICE" -- sh -c "
	cd '$R' && git init -q --bare -b main demo.git &&
	echo 'Demo repository for cgibox' > demo.git/description &&
	tmp=\$(mktemp -d) && cd \"\$tmp\" && git init -q -b main &&
	git -c user.name=Alice -c user.email=alice@example.invalid \
	    commit -q --allow-empty -m 'first commit from alice' &&
	git push -q '$R/demo.git' main && rm -rf \"\$tmp\"" ||
    bail "creating the test repository failed"
cat > "$T/home/$ALICE/gitweb.conf" <<CONF
our \$projectroot = "$R";
our \$site_name = "cgibox test";
CONF
cat > "$T/home/$ALICE/cgitrc" <<CONF
cache-size=0
virtual-root=/cgi-bin/cgit.cgi/
repo.url=demo
repo.path=$R/demo.git
repo.desc=Demo repository for cgibox
CONF
chown "$ALICE:$ALICE" "$T/home/$ALICE/gitweb.conf" "$T/home/$ALICE/cgitrc"
write_conf "env-set GITWEB_CONFIG=$T/home/$ALICE/gitweb.conf
env-set CGIT_CONFIG=$T/home/$ALICE/cgitrc"

cgi() {	# cgi SCRIPT PATH_INFO QUERY
	run "$D" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SERVER_NAME=localhost SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 \
	    SCRIPT_NAME="/cgi-bin/$1" PATH_INFO="$2" QUERY_STRING="$3" \
	    REQUEST_URI="/cgi-bin/$1$2${3:+?$3}" HTTP_HOST=localhost \
	    REMOTE_ADDR=127.0.0.1 -- "$ALICE" "$ALICE" "$1"
}

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
