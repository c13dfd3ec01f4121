#!/bin/bash
# An allowed request, inspected from inside by the probe: identity, no
# capabilities, no_new_privs, rlimits, fds, environment, stdin and stdout.
. "$(dirname "$0")/lib.sh"
setup

D=$T/www/alice/cgi-bin
user_dir "$ALICE" "$T/www/alice"
user_dir "$ALICE" "$D"
put_script "$ALICE" "$D/probe.cgi" 0755
usermod -a -G "$BOB,$CALLER" "$ALICE"	# supplementary groups to drop
write_conf "limit cpu 7
limit as 1G
limit nproc 50
limit nofile 64
limit core 0
umask 027
nice 3
env-pass APP_ENV
env-set FIXED=from-config"

# Open extra descriptors in the caller: none may reach the script.
exec 7</dev/null 9>/dev/null
body='name=value&x=1'
STDIN_DATA=$body run "$D" \
    REQUEST_METHOD=POST CONTENT_LENGTH=${#body} \
    CONTENT_TYPE=application/x-www-form-urlencoded \
    HTTP_USER_AGENT='Mozilla/5.0 (test)' HTTP_PROXY=http://evil.example \
    HTTP_COOKIE='() { :; }; echo pwned' LD_PRELOAD=/tmp/evil.so \
    BASH_ENV=/tmp/evil PERL5OPT=-Mevil PYTHONPATH=/tmp IFS=x \
    PATH=/tmp/evil:/bin APP_ENV=prod UNIQUE_ID=TestId-42 \
    REQUEST_URI=/cgi-bin/probe.cgi?a=b SCRIPT_FILENAME=/etc/shadow \
    -- "$ALICE" "$ALICE" probe.cgi arg1 'arg two'
exec 7<&- 9>&-
is "$RC" 0 "the probe runs"
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }
env_of() { printf '%s\n' "$OUT" | sed -n "s/^env:$1=//p"; }

is "$(val uid)" "$ALICE_UID,$ALICE_UID,$ALICE_UID" "real, effective, saved uid are alice's"
is "$(val gid)" "$ALICE_GID,$ALICE_GID,$ALICE_GID" "real, effective, saved gid are alice's"
is "$(val ngroups)" 0 "no supplementary groups (alice is in $BOB and $CALLER)"
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	is "$(val $c)" 0000000000000000 "$c is empty"
done
is "$(val NoNewPrivs)" 1 "no_new_privs is set"
is "$(val SigIgn)" 0000000000000000 "no signal is ignored"
is "$(val SigBlk)" 0000000000000000 "no signal is blocked"
is "$(val fds)" "0,1,2," "only fds 0-2 are open"
is "$(val limit_cpu)" 7 "limit cpu"
is "$(val hardlimit_cpu)" 8 "limit cpu: hard limit one second later (SIGXCPU first)"
is "$(val limit_as)" 1073741824 "limit as 1G"
is "$(val limit_nproc)" 50 "limit nproc"
is "$(val limit_nofile)" 64 "limit nofile"
is "$(val limit_core)" 0 "limit core"
is "$(val umask)" 027 "umask from the config"
is "$(val nice)" 3 "nice from the config"
is "$(val cwd)" "$D" "cwd is the script's directory"
is "$(val argv0)" probe.cgi "argv[0] is CMD"
is "$(val argv1)" arg1 "argv[1] passed"
is "$(val argv2)" "arg two" "argv[2] passed whole"
is "$(val stdin)" "$body" "the POST body reaches the script"
like "$OUT" "^Content-Type: text/plain" "stdout comes back unchanged"

is "$(env_of PATH)" /usr/local/bin:/usr/bin:/bin "PATH is the safe path"
for v in LD_PRELOAD BASH_ENV PERL5OPT PYTHONPATH IFS HTTP_PROXY HTTP_COOKIE; do
	is "$(env_of $v)" "" "$v is absent"
done
is "$(env_of HTTP_USER_AGENT)" "Mozilla/5.0 (test)" "HTTP_USER_AGENT kept"
is "$(env_of REQUEST_METHOD)" POST "REQUEST_METHOD kept"
is "$(env_of CONTENT_LENGTH)" "${#body}" "CONTENT_LENGTH kept"
is "$(env_of APP_ENV)" prod "env-pass passes APP_ENV"
is "$(env_of FIXED)" from-config "env-set sets FIXED"
is "$(env_of HOME)" "$T/home/$ALICE" "HOME is alice's"
is "$(env_of USER)" "$ALICE" "USER is alice"
is "$(env_of LOGNAME)" "$ALICE" "LOGNAME is alice"
is "$(env_of SCRIPT_FILENAME)" "$D/probe.cgi" "SCRIPT_FILENAME is the checked path"
expected="APP_ENV CONTENT_LENGTH CONTENT_TYPE FIXED HOME HTTP_USER_AGENT LOGNAME PATH REQUEST_METHOD REQUEST_URI SCRIPT_FILENAME UNIQUE_ID USER"
is "$(printf '%s\n' "$OUT" | sed -n 's/^env:\([^=]*\)=.*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$expected" "the environment is exactly the whitelisted set"
like "$(last_log)" "event=exec request_id=TestId-42 caller=$CALLER user=$ALICE group=$ALICE cwd=$D cmd=probe.cgi script=$D/probe.cgi policy=default landlock=[0-9]+ request_method=POST request_uri=/cgi-bin/probe.cgi\\?a=b" \
    "exec line: fields in order, request id from UNIQUE_ID"

# nice only lowers the priority the web server had.
RUN_WRAP="nice -n 10" run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$(val nice)" 10 "nice 3 does not raise the priority of a caller at nice 10"

# The log file, when cgibox creates it, is root's, mode 0640.
rm -f "$LOG"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
is "$(stat -c %U:%a "$LOG")" root:640 "a new log file is root:640"

# supplementary-groups yes restores suexec's behaviour.
write_conf "supplementary-groups yes"
run "$D" -- "$ALICE" "$ALICE" probe.cgi
want=$(id -G "$ALICE" | tr ' ' '\n' | sort -n | tr '\n' ,)
got=$(val groups | tr , '\n' | sed '/^$/d' | sort -n | tr '\n' ,)
is "$got" "$want" "supplementary-groups yes keeps all of alice's groups"
write_conf ""

# Closed stdio is reopened on /dev/null, never reused by the launcher.
OUT=$(cd "$D" && env -i setpriv --reuid="$CALLER" --regid="$CALLER" \
    --clear-groups -- "$LAUNCHER" "$ALICE" "$ALICE" probe.cgi <&- 2>&-)
RC=$?
is "$RC" 0 "runs with stdin and stderr closed"
is "$(val fds)" "0,1,2," "fds 0-2 open in the script"
is "$(val stdin)" "" "stdin reads as /dev/null"

# #! scripts in the usual languages run, as alice, from their directory.
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "sh $(id -u) $0 $1"\n' > "$T/sh.cgi"
printf '#!/bin/bash\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "bash $(id -u) $0 $1"\n' > "$T/bash.cgi"
printf '#!/usr/bin/perl\nuse FindBin;\nprint "Content-Type: text/plain\\r\\n\\r\\n";\nprint "perl $< $0 $ARGV[0] $FindBin::Bin\\n";\n' > "$T/perl.cgi"
printf '#!/usr/bin/python3\nimport os, sys\nprint("Content-Type: text/plain\\r\\n\\r\\n", end="")\nprint("python3", os.getuid(), sys.argv[0], sys.argv[1], os.path.dirname(os.path.abspath(__file__)))\n' > "$T/py.cgi"
for s in sh bash perl py; do
	put_script "$ALICE" "$D/$s.cgi" 0755 "$T/$s.cgi"
	run "$D" -- "$ALICE" "$ALICE" "$s.cgi" word
	is "$RC" 0 "#! $s script runs"
	like "$OUT" " $ALICE_UID \\./$s\\.cgi word" "#! $s: as alice, \$0 relative to its directory"
done
like "$OUT" "$D\$" "python3 finds its own directory from __file__"
run "$D" -- "$ALICE" "$ALICE" perl.cgi word
like "$OUT" "perl .* $D\$" "perl FindBin finds the script's directory"
printf '#!/usr/bin/python3\nimport os\nopen_fds = []\nfor fd in range(3, 256):\n    try:\n        os.fstat(fd)\n        open_fds.append(fd)\n    except OSError:\n        pass\nprint("Content-Type: text/plain\\r\\n\\r\\nfds", open_fds)\n' > "$T/fds.cgi"
put_script "$ALICE" "$D/fds.cgi" 0755 "$T/fds.cgi"
run "$D" -- "$ALICE" "$ALICE" fds.cgi
like "$OUT" "fds \\[\\]" "a #! script inherits no fd above 2"

# A script named like an option is never taken for one.
put_script "$ALICE" "$D/-c" 0755 "$T/sh.cgi"
run "$D" -- "$ALICE" "$ALICE" -c word
like "$OUT" "^sh $ALICE_UID \\./-c word" "a script named -c runs as a script"

# limit fsize below the log's size: a late refusal still exits with its
# code (the log write fails with EFBIG instead of killing the launcher).
head -c 4096 /dev/zero | tr '\0' '#' >> "$LOG"; echo >> "$LOG"
write_conf "limit fsize 1K"
printf '#!/nonexistent/interpreter\n' > "$T/noint.cgi"
put_script "$ALICE" "$D/noint.cgi" 0755 "$T/noint.cgi"
run "$D" -- "$ALICE" "$ALICE" noint.cgi
is "$RC" 126 "exec-failed with limit fsize under the log's size: exit 126, not SIGXFSZ"
write_conf ""

# The exit status is the script's.
printf '#!/bin/sh\nexit 42\n' > "$T/exit.cgi"
put_script "$ALICE" "$D/exit.cgi" 0755 "$T/exit.cgi"
run "$D" -- "$ALICE" "$ALICE" exit.cgi
is "$RC" 42 "the launcher's exit status is the script's"

# -V: settings in suexec's format on stderr, for the caller and root only.
run "$D" -- -V
is "$RC" 0 "-V as the caller"
like "$ERR" "^ -D AP_DOC_ROOT=\"$T/www\"" "-V prints the docroot in suexec's format"
like "$ERR" " -D AP_HTTPD_USER=\"$CALLER\"" "-V prints the caller"
like "$ERR" " -D AP_LOG_EXEC=\"$LOG\"" "-V prints the log file"
OUT=$(cd / && "$LAUNCHER" -V 2>&1); RC=$?
is "$RC" 0 "-V as root"
RUN_AS=$BOB run "$D" -- -V
is "$RC" 103 "-V as another user is refused"
done_testing
