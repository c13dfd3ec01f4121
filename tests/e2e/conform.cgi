#!/bin/sh
# The CGI every server test runs (http_conformance in lib.sh): PATH_INFO
# picks what it does.  /echo returns the request body byte for byte,
# /redirect answers with its own Status and Location, anything else lists
# the RFC 3875 variables the tests check, and the uid it runs as.
case ${PATH_INFO-} in
/echo)
	# The whole body first, as a real CGI reads its form: fcgiwrap
	# writes all of it before it reads any reply.
	body=$(mktemp) || exit 1
	head -c "${CONTENT_LENGTH:-0}" > "$body"
	printf 'Content-Type: application/octet-stream\r\n\r\n'
	cat "$body"
	rm -f "$body"
	;;
/redirect)
	printf 'Status: 303 See Other\r\nLocation: http://127.0.0.1/elsewhere\r\n\r\n'
	;;
*)
	printf 'Content-Type: text/plain\r\n\r\n'
	printf 'uid=%s\n' "$(id -u)"
	for v in REQUEST_METHOD QUERY_STRING SCRIPT_NAME PATH_INFO \
	    SERVER_PROTOCOL REMOTE_ADDR HTTP_X_CONFORM HTTP_PROXY \
	    CGIBOX_SCRIPT SCRIPT_FILENAME; do
		printf '%s=%s\n' "$v" "$(printenv "$v" || echo '<unset>')"
	done
	;;
esac
