#!/bin/bash
# nginx throughput, side by side: one nginx on 127.0.0.1 with three
# servers for the same static C CGI, and wrk with a few connections on
# each in turn:
# - fcgiwrap running the script itself as www-data (no privilege change,
#   no confinement: what nginx users have today without cgibox);
# - fcgiwrap pinned to the launcher, as contrib/nginx/cgibox.conf and
#   fcgiwrap-cgibox.service set it up (two execs per request);
# - cgiboxd, as contrib/nginx/cgiboxd.conf and cgiboxd-upstream.conf set
#   it up (kept connections, no exec but the script's).
# Both confined paths run with everything on (the default policy,
# Landlock, a private /tmp).  Sourced by run.sh after its setup; prints
# one table.
NW=$T/nginx-bench
NP1=18091 NP2=18092 NP3=18093
install -d -m 0755 "$NW"
install -d -m 0700 -o www-data -g www-data "$NW/tmp" "$NW/run"
install -m 4750 -o root -g www-data "$LAUNCHER" "$T/lib/cgibox-www"
printf 'caller www-data\ndocroot %s\nlog-file %s\n' "$T/www" "$LOG" > "$CONF"
start_cgiboxd
NPIDS=()
nginx_stop() {
	[ -s "$NW/nginx.pid" ] && kill "$(cat "$NW/nginx.pid")" 2>/dev/null
	for p in "${NPIDS[@]}"; do kill -- "-$p" 2>/dev/null; done
	wait "${NPIDS[@]}" 2>/dev/null
	rm -f "$NW/nginx.pid"
	stop_cgiboxd
}
trap 'nginx_stop; rm -rf "$SX"; cleanup' EXIT

fw_start=$(sed -n 's/^ExecStart=//p' "$TOP/contrib/nginx/fcgiwrap-cgibox.service" |
    sed "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|")
fw_workers=$(printf '%s\n' "$fw_start" | sed -n 's/.*-c \([0-9]*\).*/\1/p')
# shellcheck disable=SC2086
setsid setpriv --reuid=www-data --regid=www-data --init-groups -- \
    $fw_start -s "unix:$NW/run/cgibox.sock" >"$NW/fcgiwrap-cgibox.log" 2>&1 &
NPIDS+=($!)
setsid setpriv --reuid=www-data --regid=www-data --init-groups -- \
    fcgiwrap -c "${fw_workers:-4}" -s "unix:$NW/run/direct.sock" \
    >"$NW/fcgiwrap-direct.log" 2>&1 &
NPIDS+=($!)

sed -e "s|/usr/local/lib/cgibox/cgibox|$T/lib/cgibox-www|" \
    -e "s|unix:/run/fcgiwrap-cgibox.socket|unix:$NW/run/cgibox.sock|" \
    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
    "$TOP/contrib/nginx/cgibox.conf" > "$NW/cgibox.conf"
sed -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
    "$TOP/contrib/nginx/cgiboxd.conf" > "$NW/cgiboxd.conf"
sed -e "s|/run/cgibox/fcgi.sock|$SOCK|" \
    "$TOP/contrib/nginx/cgiboxd-upstream.conf" > "$NW/upstream.conf"
{ nginx_conf_head "$NW" 256 "$NW/error.log"; cat <<CONF
	include $NW/upstream.conf;
	server {
		listen 127.0.0.1:$NP1;
		root $T/www;
		location ~ \\.cgi\$ {
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_pass unix:$NW/run/direct.sock;
		}
	}
	server {
		listen 127.0.0.1:$NP2;
		root $T/www;
		include $NW/cgibox.conf;
	}
	server {
		listen 127.0.0.1:$NP3;
		root $T/www;
		include $NW/cgiboxd.conf;
	}
}
CONF
} > "$NW/nginx.conf"
nginx -c "$NW/nginx.conf" || bail "nginx did not start"
URL=alice/cgi-bin/hello.cgi
for p in $NP1 $NP2 $NP3; do
	for _ in $(seq 1 50); do
		curl -s --max-time 2 "http://127.0.0.1:$p/$URL" | grep -q hello && break
		sleep 0.1
	done
	curl -s --max-time 2 "http://127.0.0.1:$p/$URL" | grep -q hello ||
	    bail "nginx on $p does not serve the script: $(tail -n 3 "$NW/error.log")"
done
declare -A nrps=([$NP1]= [$NP2]= [$NP3]=)
for round in $(seq 1 "${NGINX_ROUNDS:-3}"); do
	for p in $NP1 $NP2 $NP3; do
		r=$(wrk -t2 -c4 -d"${NGINX_SECONDS:-5}"s "http://127.0.0.1:$p/$URL" |
		    awk '/Requests\/sec/ {print $2}')
		nrps[$p]="${nrps[$p]} $r"
	done
done
nginx_stop
med() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
d=$(med "${nrps[$NP1]}"); w=$(med "${nrps[$NP2]}"); c=$(med "${nrps[$NP3]}")
echo "| nginx, 1 worker, wrk -t2 -c4, ${NGINX_ROUNDS:-3} rounds of ${NGINX_SECONDS:-5} s, alternated | median requests/s | / fcgiwrap → cgibox | / fcgiwrap direct |"
echo "|---|---|---|---|"
echo "| fcgiwrap, the script run directly as www-data (no confinement) | $d | $(ratio "$d" "$w") | 1.00x |"
echo "| fcgiwrap → cgibox, everything on (contrib/nginx/cgibox.conf) | $w | 1.00x | $(ratio "$w" "$d") |"
echo "| cgiboxd, everything on (contrib/nginx/cgiboxd.conf) | $c | $(ratio "$c" "$w") | $(ratio "$c" "$d") |"
