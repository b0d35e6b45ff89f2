#!/usr/bin/env bash
# Serve a built site with a real nginx under a subpath and crawl every page and asset through it.
# Usage: tests/e2e/nginx_crawl.sh SITE_DIR [SUBPATH]   (SUBPATH default /xxgk/ndbg/)
set -euo pipefail
site="$(cd "$1" && pwd)"
subpath="${2:-/xxgk/ndbg/}"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  echo "nginx_crawl: installing nginx" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null; }
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
work="$(mktemp -d)"
trap '[[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
port="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
# Started as root, nginx would drop its workers to nobody, who may not be able to enter a private
# checkout (mktemp -d is mode 0700); keep the workers as the invoking user.
user_line=""
[[ "$(id -u)" == 0 ]] && user_line="user root;"
cat >"$work/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/css application/javascript application/json text/csv image/svg+xml application/xml text/xml;
  access_log off;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$port;
    location ${subpath} {
      alias $site/;
      index index.html;
      error_page 404 ${subpath}404.html;
    }
  }
}
CONF
mkdir -p "$work/tmp"
"$nginx_bin" -c "$work/nginx.conf" -p "$work"
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port${subpath}index.html" 2>/dev/null && break
  sleep 0.1
done
python3 "$here/crawl.py" "http://127.0.0.1:$port${subpath}"
