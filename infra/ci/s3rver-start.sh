#!/usr/bin/env bash
# Start a throwaway S3-protocol server (s3rver 3.7.1, from npm) for tests (infra-recipes.md §3).
#
#   infra/ci/s3rver-start.sh DIR [PORT]
#
# DIR holds the server's data/, s3rver.log, s3rver.pid, port and endpoint (created if missing). The port is the
# first free one on 127.0.0.1 from PORT (default 54568) on. s3rver itself is installed once per machine into
# $SPOTIFYBUDDIES_S3RVER_HOME (default ~/.cache/spotifybuddies/s3rver-3.7.1-p2) and patched there (see below).
# Prints the endpoint for SPOTIFYBUDDIES_TEST_S3 on stdout, http://ACCESS:SECRET@127.0.0.1:PORT (also written to
# DIR/endpoint); progress goes to stderr. Stop it with infra/ci/s3rver-stop.sh DIR.
# Exit status: 0 up, 1 failed, 3 Node.js/npm is not installed.
#
# s3rver checks only that the access key exists, never the signature (its authentication.js leaves SigV4
# unimplemented), so tests against it cannot catch signing or region bugs.
set -Eeuo pipefail

version=3.7.1
die() { echo "s3rver-start: $*" >&2; exit 1; }
die3() { echo "s3rver-start: $*" >&2; exit 3; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: s3rver-start.sh DIR [PORT]"
root="$1"
first_port="${2:-54568}"
[ -n "$first_port" ] || first_port=54568
[[ "$first_port" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$first_port'"

command -v node >/dev/null 2>&1 || die3 "Node.js is not installed: install Node.js 20 and npm (or export SPOTIFYBUDDIES_TEST_S3 for a server of your own and use ./test.sh --no-s3)."
command -v npm >/dev/null 2>&1 || die3 "npm is not installed: install it next to Node.js $(node --version) (or use ./test.sh --no-s3)."

# ------------------------------------------------------------------------------------------- install
# The name carries the patch level (-p2): changing the patches below must change it, so caches are rebuilt.
home="${SPOTIFYBUDDIES_S3RVER_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/spotifybuddies/s3rver-$version-p2}"
main="$home/node_modules/s3rver/bin/s3rver.js"
mkdir -p "$(dirname "$home")"
# One installer at a time per machine (parallel test runs share the cache); the install lands in a temp
# directory first and is moved into place only once patched, so a half-done install is never used.
exec 9>"$home.lock"
flock 9
if [ ! -f "$main" ]; then
  echo "s3rver-start: installing s3rver@$version from npm into $home" >&2
  staging="$(mktemp -d "$home.XXXXXX")"
  npm install --prefix "$staging" --no-audit --no-fund --no-save --loglevel=error "s3rver@$version" \
    >"$staging.npm.log" 2>&1 || { tail -n 20 "$staging.npm.log" >&2; rm -rf "$staging" "$staging.npm.log"; die "npm install s3rver@$version failed"; }
  rm -f "$staging.npm.log"
  # s3rver 3.7.1 writes the wrong XML namespace (http://doc.s3.amazonaws.com/2006-03-01/) in its bucket,
  # object and service responses. Real S3 and MinIO use http://s3.amazonaws.com/doc/2006-03-01/, and the
  # Minio .NET SDK's ListObjects looks for elements in that one: unpatched, listings come back empty, silently.
  controllers="$staging/node_modules/s3rver/lib/controllers"
  sed -i 's#http://doc\.s3\.amazonaws\.com/2006-03-01/#http://s3.amazonaws.com/doc/2006-03-01/#g' "$controllers"/*.js
  ! grep -q 'doc\.s3\.amazonaws\.com' "$controllers"/*.js || die "the XML namespace patch did not apply to $controllers"
  grep -q 'http://s3\.amazonaws\.com/doc/2006-03-01/' "$controllers"/bucket.js || die "unexpected s3rver layout: no XML namespace in $controllers/bucket.js"
  # s3rver 3.7.1 ignores encoding-type=url on ListObjects ("currently unimplemented") and sends keys raw. The Minio
  # .NET SDK asks for url encoding and URL-decodes every key, so a '+' in a key comes back as a space. Real S3 and
  # MinIO encode; make s3rver do so too (keys and common prefixes of the listing).
  sed -i -e "s#^          Key: object.key,\$#          Key: options.encodingType === 'url' ? encodeURIComponent(object.key) : object.key,#" \
         -e "s#^          Prefix: prefix,\$#          Prefix: options.encodingType === 'url' ? encodeURIComponent(prefix) : prefix,#" \
    "$controllers"/bucket.js
  [ "$(grep -c "options.encodingType === 'url'" "$controllers"/bucket.js)" -eq 2 ] \
    || die "the encoding-type=url patch did not apply to $controllers/bucket.js"
  rm -rf "$home"
  mv "$staging" "$home"
fi
exec 9>&-
[ -f "$main" ] || die "s3rver is missing from $home after installing"

# ----------------------------------------------------------------------------------------------- start
mkdir -p "$root/data"
rm -f "$root/s3rver.pid" "$root/port" "$root/endpoint"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Any answer from the port at all (s3rver answers an unsigned GET / with 403).
answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; }

port="$first_port"
while :; do
  while port_in_use "$port"; do
    port=$((port + 1))
    [ "$port" -lt $((first_port + 100)) ] || die "no free port in $first_port-$((first_port + 99)) on 127.0.0.1"
  done
  # setsid: the server is not in the caller's process group, so a Ctrl-C aimed at the caller does not kill
  # it mid-test; s3rver-stop.sh stops it.
  setsid node "$main" --directory "$root/data" --address 127.0.0.1 --port "$port" --silent \
    >"$root/s3rver.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$root/s3rver.pid"
  up=0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    if answers "$port"; then up=1; break; fi
    sleep 0.1
  done
  # Up only if our process is still alive: the answer may have come from a server someone started meanwhile.
  if [ "$up" -eq 1 ] && kill -0 "$pid" 2>/dev/null; then break; fi
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$root/s3rver.pid"
  if grep -q EADDRINUSE "$root/s3rver.log" 2>/dev/null; then
    port=$((port + 1))   # lost a race for the port: try the next one
    [ "$port" -lt $((first_port + 100)) ] || die "no free port in $first_port-$((first_port + 99)) on 127.0.0.1"
    continue
  fi
  tail -n 20 "$root/s3rver.log" >&2 2>/dev/null || true
  die "s3rver did not start (log: $root/s3rver.log)"
done
echo "$port" >"$root/port"

# The credentials s3rver ships with (its default account).
endpoint="http://S3RVER:S3RVER@127.0.0.1:$port"
echo "$endpoint" >"$root/endpoint"
echo "s3rver-start: s3rver $version up on 127.0.0.1:$port (pid $pid, data in $root/data)" >&2
echo "$endpoint"
