#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for tests (infra-recipes.md §1).
#
#   infra/ci/pg-start.sh DIR [PORT]
#
# DIR holds everything: data/, sock/, server.log (created if missing; when run as root it is handed to
# user postgres, so DIR and its parents must be traversable by that user: use `mktemp -d /tmp/...`, never a
# directory under /root). The port is the first free one on 127.0.0.1 from PORT (default 55432) on.
# Installs PostgreSQL from Debian packages first when no initdb exists (root only).
# Creates role and database buddies/buddies (the role owns the database and has CREATEDB).
# Prints the Npgsql connection string on stdout (and writes it to DIR/connection-string);
# progress goes to stderr. Stop it with infra/ci/pg-stop.sh DIR.
# Exit status: 0 up, 1 failed, 3 PostgreSQL is not installed and this user cannot install it.
set -Eeuo pipefail

die() { echo "pg-start: $*" >&2; exit 1; }
die3() { echo "pg-start: $*" >&2; exit 3; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: pg-start.sh DIR [PORT]"
root="$1"
first_port="${2:-55432}"
[ -n "$first_port" ] || first_port=55432
[[ "$first_port" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$first_port'"

# The newest installed PostgreSQL's bin directory, or nothing.
find_pgbin() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1; }

pgbin="$(find_pgbin)"
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  [ "$(id -u)" -eq 0 ] || die3 "PostgreSQL is not installed and this is not root: run 'sudo apt-get install postgresql' (or export SPOTIFYBUDDIES_TEST_PG for a server of your own and use ./test.sh --no-pg)."
  echo "pg-start: installing PostgreSQL from Debian packages" >&2
  # Keep the package's own 'main' cluster from starting: we run our own throwaway one.
  # (Debian's policy-rc.d convention; left alone if the image already has one.)
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  rc=0
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >&2 </dev/null || rc=$?
  [ "$added_policy" -eq 1 ] && rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get install postgresql failed (exit $rc)"
  pgbin="$(find_pgbin)"
  [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || die "initdb still missing under /usr/lib/postgresql/*/bin after installing"
fi

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (is the postgresql package installed?)"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

mkdir -p "$root/data" "$root/sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$root"
chmod 700 "$root/data"
as_pg test -w "$root" || die "$root is not writable by user postgres: use a directory from 'mktemp -d /tmp/...' whose parents postgres can traverse"
echo "$pgbin" >"$root/pgbin"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="$first_port"
while port_in_use "$port"; do
  port=$((port + 1))
  [ "$port" -lt $((first_port + 100)) ] || die "no free port in $first_port-$((first_port + 99)) on 127.0.0.1"
done

as_pg "$pgbin/initdb" -D "$root/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 --no-sync >"$root/initdb.log" 2>&1 \
  || { tail -n 20 "$root/initdb.log" >&2; die "initdb failed (log: $root/initdb.log)"; }

# Throwaway data: durability off for speed.
if ! as_pg "$pgbin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 -o "-p $port -k $root/sock \
    -c listen_addresses=127.0.0.1 -c max_connections=200 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >"$root/pg_ctl.log" 2>&1; then
  tail -n 20 "$root/server.log" >&2 2>/dev/null || true
  die "PostgreSQL did not start (log: $root/server.log)"
fi
echo "$port" >"$root/port"

as_pg "$pgbin/psql" -h "$root/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q -X >&2 <<'SQL'
CREATE ROLE buddies LOGIN CREATEDB PASSWORD 'buddies';
CREATE DATABASE buddies OWNER buddies;
SQL

connection="Host=127.0.0.1;Port=$port;Database=buddies;Username=buddies;Password=buddies"
echo "$connection" >"$root/connection-string"
echo "pg-start: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') up on 127.0.0.1:$port (data in $root)" >&2
echo "$connection"
