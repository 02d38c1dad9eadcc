#!/usr/bin/env bash
# Stop a cluster started by infra/ci/pg-start.sh DIR. Leaves DIR (and its logs) for the caller to remove.
#
#   infra/ci/pg-stop.sh DIR
set -Euo pipefail

[ $# -eq 1 ] || { echo "usage: pg-stop.sh DIR" >&2; exit 2; }
root="$1"
data="$root/data"
[ -f "$data/postmaster.pid" ] || exit 0   # never started, or stopped already

pgbin="$(cat "$root/pgbin" 2>/dev/null || { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1)"
if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
  || as_pg "$pgbin/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1
if [ -f "$data/postmaster.pid" ]; then
  pid="$(head -n 1 "$data/postmaster.pid")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "pg-stop: postmaster $pid did not stop; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
exit 0
