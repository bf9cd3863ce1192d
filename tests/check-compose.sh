#!/usr/bin/env bash
# Check docker-compose.yml without a Docker engine (needs Debian's docker-compose and nginx):
#   - it is valid as a clean clone sees it (no .env, nothing from this shell's environment),
#     and with .env.example as its .env
#   - its defaults are safe: no password in the file, demo data off, every published port
#     bound to 127.0.0.1, a healthcheck on every service (the API's on /readyz)
#   - .env is ignored by git and kept out of the image's build context; .env.example sets
#     every variable the file uses
#   - the web service's nginx config (deploy/nginx/web.conf.template, rendered the way the
#     nginx image does) runs, serves config.js with PUBLIC_API_URL and sends the security
#     headers
#   - the profile "scale" is valid too, adds services only under that profile (the default
#     services stay db, api, sender, web), runs the balancer on
#     deploy/nginx/balancer.conf.template (which nginx accepts), publishes no API node's
#     port, gives the nodes DATABASE_REPLICA_URL, and makes the replica with
#     scripts/pg-standby.sh
# Prints what failed and exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() {
  echo "check-compose: $*" >&2
  exit 1
}

if ! command -v docker-compose >/dev/null 2>&1; then
  fail "docker-compose not found; install it with: apt-get install -y docker-compose"
fi

# What the images copy, mount and run must exist in the repository.
for f in api/Makefile api/conf/interlibrary.conf scripts/api-container.sh scripts/api.sh \
    scripts/migrate.sh scripts/demo.sh frontend/index.html deploy/nginx/web.conf.template \
    deploy/nginx/security-headers.conf .env.example deploy/nginx/balancer.conf.template \
    scripts/pg-standby.sh deploy/postgres/allow-replication.sh; do
  [ -e "$f" ] || fail "$f, used by the images, is missing"
done
[ -x scripts/api-container.sh ] || fail "scripts/api-container.sh is not executable"

tmp=$(mktemp -d)
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# docker-compose as a clean clone runs it: an empty env file instead of a local .env, and
# only PATH and HOME from the environment.
: >"$tmp/empty.env"
compose() { env -i PATH="$PATH" HOME="$HOME" docker-compose -f docker-compose.yml "$@"; }

if ! compose --env-file "$tmp/empty.env" config >"$tmp/clean.yml"; then
  fail "docker-compose.yml is INVALID without a .env (docker-compose config failed)"
fi
compose --env-file .env.example config -q || fail "docker-compose.yml is INVALID with .env.example as .env"
compose --env-file "$tmp/empty.env" --profile scale config >"$tmp/scale.yml" ||
  fail "docker-compose.yml is INVALID with --profile scale"
compose --env-file .env.example --profile scale config -q ||
  fail "docker-compose.yml is INVALID with --profile scale and .env.example"
[ -x scripts/pg-standby.sh ] || fail "scripts/pg-standby.sh is not executable"
[ -x deploy/postgres/allow-replication.sh ] || fail "deploy/postgres/allow-replication.sh is not executable"
echo "check-compose: docker-compose.yml is valid, with no .env and with .env.example, with and without --profile scale"

# The Python docker-compose runs on has PyYAML (a dependency of the Debian package).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" - "$tmp/clean.yml" "$tmp/scale.yml" <<'PY' || exit 1
import re, sys, yaml

clean = yaml.safe_load(open(sys.argv[1]))    # as resolved by docker-compose, no .env
raw = yaml.safe_load(open("docker-compose.yml"))
problems = []

def env_of(service):
    e = service.get("environment") or {}
    if isinstance(e, list):
        e = dict(x.split("=", 1) if "=" in x else (x, None) for x in e)
    return e

# No secret in the file: every password-like setting is a ${VAR} reference with no
# default, and no connection URL carries a password.
secretish = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$", re.I)
for name, svc in raw["services"].items():
    for key, value in env_of(svc).items():
        value = "" if value is None else str(value)
        if secretish.search(key) and not re.fullmatch(r"\$\{[A-Z_][A-Z0-9_]*(:?-)?\}", value):
            problems.append(f"{name}: {key} is written in the file ({value!r}): take it from .env as ${{VAR:-}}")
        if re.search(r"://[^/@\s]*:[^/@\s]*@", value):
            problems.append(f"{name}: {key} has a password in its URL")
for name, svc in clean["services"].items():
    for key, value in env_of(svc).items():
        if secretish.search(key) and value not in (None, ""):
            problems.append(f"{name}: {key} has a default value without a .env")

# Every published port binds to 127.0.0.1.
for name, svc in clean["services"].items():
    for p in svc.get("ports") or []:
        host_ip = p.get("host_ip") if isinstance(p, dict) else (str(p).split(":")[0] if str(p).count(":") >= 2 else None)
        if host_ip != "127.0.0.1":
            problems.append(f"{name}: port {p} is not bound to 127.0.0.1")

# A healthcheck on every service; the API's asks /readyz.
for name, svc in clean["services"].items():
    hc = svc.get("healthcheck") or {}
    if hc.get("disable") or not hc.get("test"):
        problems.append(f"{name}: no healthcheck")
api_test = " ".join((clean["services"].get("api", {}).get("healthcheck") or {}).get("test") or [])
if "/readyz" not in api_test:
    problems.append(f"api: the healthcheck does not ask /readyz ({api_test!r})")
if "curl" in api_test and not re.search(r"apt-get install[^\n]*(\\\n[^\n]*)*\bcurl\b", open("api/Dockerfile").read()):
    problems.append("api: the healthcheck runs curl, which api/Dockerfile does not install")

# The mail sender runs from the api's image, with its SMTP secrets from .env only.
sender = clean["services"].get("sender") or {}
if "il-sender" not in " ".join(sender.get("command") or []):
    problems.append("sender: no service runs api/build/il-sender")
if env_of(sender).get("SMTP_PASSWORD"):
    problems.append("sender: SMTP_PASSWORD has a value without a .env")
if not re.search(r"apt-get install[^\n]*(\\\n[^\n]*)*\blibcurl4-openssl-dev\b", open("api/Dockerfile").read()):
    problems.append("sender: api/Dockerfile does not install libcurl4-openssl-dev")

# The demo data (a published admin password) only when asked for.
load_demo = str(env_of(clean["services"]["api"]).get("LOAD_DEMO") or "0")
if load_demo != "0":
    problems.append(f"api: LOAD_DEMO is {load_demo!r} without a .env: the demo data must be off by default")
if not re.search(r'"\$\{LOAD_DEMO:-0\}" = 1', open("scripts/api-container.sh").read()):
    problems.append("scripts/api-container.sh must load the demo data only when LOAD_DEMO=1 (default 0)")
if re.search(r"LOAD_DEMO\s*=\s*1", open("api/Dockerfile").read()):
    problems.append("api/Dockerfile turns LOAD_DEMO on")

# .env.example sets every variable the file uses.
used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", open("docker-compose.yml").read()))
example = set(re.findall(r"(?m)^([A-Z_][A-Z0-9_]*)=", open(".env.example").read()))
for v in sorted(used - example):
    problems.append(f".env.example does not set {v}, which docker-compose.yml uses")

# Profile "scale": only new services, all under the profile; the default stays as it was.
scale = yaml.safe_load(open(sys.argv[2]))["services"]
default = sorted(n for n, svc in scale.items() if not svc.get("profiles"))
if default != ["api", "db", "sender", "web"]:
    problems.append(f"the services without a profile are {default}, not api, db, sender, web")
for name in ("balancer", "scale-api-a", "scale-api-b", "scale-db", "scale-replica"):
    if name not in scale or scale[name].get("profiles") != ["scale"]:
        problems.append(f"profile scale: no service {name} under profiles: [scale]")
if not problems:
    for node in ("scale-api-a", "scale-api-b"):
        svc = scale[node]
        if svc.get("ports"):
            problems.append(f"{node}: publishes a port; API nodes are reached only through the balancer")
        e = env_of(svc)
        if "@scale-db:" not in str(e.get("DATABASE_URL")):
            problems.append(f"{node}: DATABASE_URL is not the scale primary")
        if "@scale-replica:" not in str(e.get("DATABASE_REPLICA_URL")):
            problems.append(f"{node}: DATABASE_REPLICA_URL is not the replica")
        if "/readyz" not in " ".join((svc.get("healthcheck") or {}).get("test") or []):
            problems.append(f"{node}: the healthcheck does not ask /readyz")
    b = scale["balancer"]
    if not any("deploy/nginx/balancer.conf.template:/etc/nginx/templates/" in str(v) for v in b.get("volumes") or []):
        problems.append("balancer: does not run deploy/nginx/balancer.conf.template")
    be = env_of(b)
    if not (str(be.get("API_NODE_A", "")).startswith("scale-api-a:") and str(be.get("API_NODE_B", "")).startswith("scale-api-b:")):
        problems.append("balancer: API_NODE_A and API_NODE_B do not name the two nodes")
    r = scale["scale-replica"]
    if "pg-standby.sh" not in " ".join(r.get("entrypoint") or []) or \
            not any("scripts/pg-standby.sh:" in str(v) for v in r.get("volumes") or []):
        problems.append("scale-replica: is not made by scripts/pg-standby.sh")
    if not any("deploy/postgres/allow-replication.sh:/docker-entrypoint-initdb.d/" in str(v)
               for v in scale["scale-db"].get("volumes") or []):
        problems.append("scale-db: does not allow replication (deploy/postgres/allow-replication.sh)")

for p in problems:
    print(f"check-compose: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "check-compose: no password in the file, 127.0.0.1 bindings, healthchecks, demo data off by default"
echo "check-compose: profile scale: balancer, two API nodes with DATABASE_REPLICA_URL and no published port, a replica made by scripts/pg-standby.sh"

# .env holds secrets: never committed, never sent to a build.
[ "$(git check-ignore --no-index .env 2>/dev/null)" = .env ] || fail ".env is not in .gitignore"
grep -qx '\.env' .dockerignore || fail ".env is not in .dockerignore"

# The web service's nginx config, rendered as the nginx image does (envsubst of the
# variables set in the container) and run by this machine's nginx on a free port.
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || fail "nginx not found; install it with: apt-get install -y nginx-light"
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || fail "no free port for the web config check"
api_url="http://api.example.test:8080"
PUBLIC_API_URL=$api_url envsubst '${PUBLIC_API_URL}' <deploy/nginx/web.conf.template |
  sed -e "s|listen 80;|listen 127.0.0.1:$port;|" \
      -e "s|root /usr/share/nginx/html;|root $PWD/frontend;|" \
      -e "s|/etc/nginx/interlibrary/security-headers.conf|$PWD/deploy/nginx/security-headers.conf|" \
      >"$tmp/default.conf"
mkdir -p "$tmp/temp"
cat >"$tmp/nginx.conf" <<EOF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
daemon off;
pid $tmp/nginx.pid;
error_log stderr;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $tmp/temp;
  proxy_temp_path $tmp/temp;
  fastcgi_temp_path $tmp/temp;
  uwsgi_temp_path $tmp/temp;
  scgi_temp_path $tmp/temp;
  include $tmp/default.conf;
}
EOF
"$nginx_bin" -e stderr -p "$tmp/" -c "$tmp/nginx.conf" -t -q || fail "the web service's nginx config is invalid"
"$nginx_bin" -e stderr -p "$tmp/" -c "$tmp/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$nginx_pid" 2>/dev/null || fail "the web service's nginx config does not start"
  sleep 0.1
done
headers=$(curl -fsS -D - -o /dev/null "http://127.0.0.1:$port/") || fail "the web service's config does not serve the app"
csp=$(printf '%s' "$headers" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ss]ecurity-[Pp]olicy: //p')
case "$csp" in
  *"script-src 'self';"*"connect-src 'self' $api_url/;"*"frame-ancestors 'none'"*) ;;
  *) fail "the web service sends no or the wrong Content-Security-Policy: '$csp'" ;;
esac
printf '%s' "$headers" | grep -qi '^X-Frame-Options: DENY' || fail "the web service sends no X-Frame-Options: DENY"
config_js=$(curl -fsS "http://127.0.0.1:$port/config.js")
[ "$config_js" = "window.INTERLIBRARY_CONFIG = { apiBase: \"$api_url\" };" ] ||
  fail "the web service's config.js is not made from PUBLIC_API_URL: $config_js"
echo "check-compose: the web service's nginx config serves the app with its config.js and the security headers"

# The balancer's config, rendered as the nginx image does, is accepted by nginx.
BALANCER_LISTEN=127.0.0.1:$port API_NODE_A=127.0.0.1:1 API_NODE_B=127.0.0.1:2 \
  envsubst '${BALANCER_LISTEN} ${API_NODE_A} ${API_NODE_B}' <deploy/nginx/balancer.conf.template \
  >"$tmp/default.conf"
grep -q '\${' "$tmp/default.conf" && fail "deploy/nginx/balancer.conf.template uses a variable the scale profile does not set"
"$nginx_bin" -e stderr -p "$tmp/" -c "$tmp/nginx.conf" -t -q || fail "the balancer's nginx config is invalid"
echo "check-compose: the balancer's nginx config (deploy/nginx/balancer.conf.template) is valid"
