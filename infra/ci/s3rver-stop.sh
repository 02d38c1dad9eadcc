#!/usr/bin/env bash
# Stop a server started by infra/ci/s3rver-start.sh DIR. Leaves DIR (data and log) for the caller to remove.
#
#   infra/ci/s3rver-stop.sh DIR
set -Euo pipefail

[ $# -eq 1 ] || { echo "usage: s3rver-stop.sh DIR" >&2; exit 2; }
root="$1"
[ -f "$root/s3rver.pid" ] || exit 0   # never started, or stopped already
pid="$(cat "$root/s3rver.pid")"
rm -f "$root/s3rver.pid"
[[ "$pid" =~ ^[0-9]+$ ]] || { echo "s3rver-stop: $root/s3rver.pid holds '$pid', not a process id" >&2; exit 1; }

# Only a node process is ours to stop: the pid may have been reused since the server died.
is_ours() { [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = node ]; }
is_ours || exit 0
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 1 50); do is_ours || exit 0; sleep 0.1; done
echo "s3rver-stop: s3rver $pid did not stop on TERM; killing it" >&2
kill -KILL "$pid" 2>/dev/null || true
exit 0
