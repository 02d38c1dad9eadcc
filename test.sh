#!/usr/bin/env bash
# The project's test command (CI runs it through .ci/run).
#
#   1. starts a throwaway PostgreSQL on 127.0.0.1 (installing it from Debian packages if absent) and exports
#      SPOTIFYBUDDIES_TEST_PG for the tests that need it; then a throwaway S3-protocol server (s3rver, from npm)
#      and exports SPOTIFYBUDDIES_TEST_S3;
#   2. builds the solution once (Release);
#   3. runs every test project of the solution, carrying on past failures;
#   4. stops what it started and prints, as its last line, "N passed, N failed" (skips on the line above).
#
# Exit status: 0 only if the build succeeded, no test failed and every test project produced a result.
# See ./test.sh --help.
set -Eeuo pipefail

cd "$(dirname "$0")"
repo_root="$PWD"

usage() {
  cat <<'USAGE'
Usage: ./test.sh [--filter EXPR] [--no-pg] [--no-s3] [--keep-logs] [--help]

Builds SpotifyBuddies.sln (Release) and runs every test project in it against a throwaway PostgreSQL and a
throwaway S3-protocol server (s3rver).

  --filter EXPR  passed to each `dotnet test --filter` (e.g. "FullyQualifiedName~Postgres")
  --no-pg        do not install or start PostgreSQL; SPOTIFYBUDDIES_TEST_PG is taken from the environment
                 as is (when unset, tests that need Postgres are skipped, or fail when CI=true)
  --no-s3        do not install or start s3rver; SPOTIFYBUDDIES_TEST_S3 is taken from the environment as is
                 (http://ACCESS:SECRET@host:port; when unset, S3 tests are skipped, or fail when CI=true)
  --keep-logs    keep the work directory (build, test, PostgreSQL and s3rver logs, TRX files) and print its path
  -h, --help     this text

Environment: SPOTIFYBUDDIES_TEST_PG_PORT (first port to try, default 55432), SPOTIFYBUDDIES_TEST_S3_PORT (default
54568), SPOTIFYBUDDIES_S3RVER_HOME (where s3rver is installed once), CI=true (Postgres and S3 tests must run).
The last line is always exactly "N passed, N failed"; the number skipped, when any, is on the line above.
USAGE
}

filter=""
use_pg=1
use_s3=1
keep_logs=0
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) [ $# -ge 2 ] || { echo "test.sh: --filter needs an expression" >&2; exit 2; }; filter="$2"; shift 2 ;;
    --filter=*) filter="${1#--filter=}"; shift ;;
    --no-pg) use_pg=0; shift ;;
    --no-s3) use_s3=0; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "test.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
  DOTNET_CLI_UI_LANGUAGE=en NUGET_XMLDOC_MODE=skip

# ---------------------------------------------------------------------------------------------- output
if [ -t 1 ]; then bold=$'\e[1m'; red=$'\e[31m'; green=$'\e[32m'; yellow=$'\e[33m'; off=$'\e[0m'
else bold=""; red=""; green=""; yellow=""; off=""; fi

now_us() { echo "${EPOCHREALTIME/./}"; }
secs_since() { local d=$(( $(now_us) - $1 )); printf '%d.%ds' $((d / 1000000)) $((d % 1000000 / 100000)); }
run_started=$(now_us)
phase_started=$run_started
phase() { phase_started=$(now_us); printf '%s==> %s%s\n' "$bold" "$*" "$off"; }
phase_done() { printf '    %s (%s)\n' "$*" "$(secs_since "$phase_started")"; }
# Print the last lines of a log, indented, under a title.
show_tail() {
  local file="$1" lines="$2" title="$3"
  [ -s "$file" ] || return 0
  printf '    --- %s (last %s lines of %s) ---\n' "$title" "$lines" "${file#"$work"/}"
  tail -n "$lines" "$file" | sed 's/^/    | /'
}

# ---------------------------------------------------------------------------------- state and cleanup
passed=0 failed=0 skipped=0
finished=0          # 1 once the counts are final
child=""            # the dotnet process running now, if any
pg_root=""          # the PostgreSQL cluster directory, once started
s3_root=""          # the s3rver directory, once started
work="$(mktemp -d /tmp/spotifybuddies-test.XXXXXX)"
chmod 711 "$work"   # user postgres must reach $work/pg (root's mktemp dirs are 700)
mkdir -p "$work/logs" "$work/results"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  if [ -n "$child" ]; then stop_child_group; fi
  if [ "$finished" -eq 0 ]; then
    # Stopped early (build failure, setup error, interrupt): whatever did not run counts as failed.
    [ "$failed" -gt 0 ] || failed=1
    [ "$rc" -ne 0 ] || rc=1
  fi
  if [ -n "$s3_root" ]; then
    phase "Stopping s3rver"
    infra/ci/s3rver-stop.sh "$s3_root"
    if [ "$rc" -ne 0 ]; then
      show_tail "$s3_root/s3rver.log" 15 "s3rver log"
    fi
    phase_done "stopped"
  fi
  if [ -n "$pg_root" ]; then
    phase "Stopping PostgreSQL"
    # The tail worth showing is what the server said while the tests ran, not its shutdown messages.
    local log_lines
    log_lines=$(wc -l <"$pg_root/server.log" 2>/dev/null || echo 0)
    infra/ci/pg-stop.sh "$pg_root"
    if [ "$rc" -ne 0 ] && [ "$log_lines" -gt 0 ]; then
      head -n "$log_lines" "$pg_root/server.log" >"$work/logs/postgres-before-stop.log"
      show_tail "$work/logs/postgres-before-stop.log" 15 "PostgreSQL server log"
    fi
    phase_done "stopped"
  fi
  if [ "$keep_logs" -eq 1 ]; then
    echo "Logs kept in $work"
  else
    rm -rf "$work"
  fi
  printf 'Total time %s\n' "$(secs_since "$run_started")"
  # CI reads the last line, exactly "N passed, N failed"; skipped tests (each with its reason in the TRX) go above it.
  [ "$skipped" -gt 0 ] && echo "$skipped skipped (see the reasons with --keep-logs)"
  echo "$passed passed, $failed failed"
  exit "$rc"
}
on_signal() { echo "test.sh: interrupted ($1)" >&2; exit 130; }
trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# run_logged LOG COMMAND...: run COMMAND with its output in LOG, in the background, and wait for it, so a
# signal reaches our trap at once (bash defers traps while a foreground child runs); the trap then stops
# the child. (The redirection must stay on the child: a trap runs with the redirections of the command
# being executed, so `run_logged ... >LOG` would send the cleanup's own output into LOG.)
# The child gets a process group of its own (setsid), so the trap can stop all of it: `dotnet test`
# leaves vstest.console and the test host running when only the dotnet process is signalled.
run_logged() {
  local log="$1" rc=0
  shift
  setsid "$@" >"$log" 2>&1 &
  child=$!
  wait "$child" || rc=$?
  child=""
  return "$rc"
}

# Stops the child's whole process group: TERM, up to 10 s of grace, then KILL.
stop_child_group() {
  local alive i
  alive() { ps -eo pgid=,stat= | awk -v g="$child" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }
  kill -TERM -- "-$child" 2>/dev/null
  for i in $(seq 1 100); do alive || break; sleep 0.1; done
  if alive; then kill -KILL -- "-$child" 2>/dev/null; fi
  wait "$child" 2>/dev/null
  child=""
}

# ---------------------------------------------------------------------------------------- PostgreSQL
if [ "$use_pg" -eq 1 ]; then
  phase "PostgreSQL (throwaway cluster on 127.0.0.1)"
  pg_root="$work/pg"
  # In the foreground on purpose: a signal waits until the cluster is up (or apt-get is done), so the
  # cleanup always finds, and stops, what was started.
  pg_rc=0
  infra/ci/pg-start.sh "$pg_root" "${SPOTIFYBUDDIES_TEST_PG_PORT:-}" >"$work/pg-connection" 2>"$work/logs/pg-start.log" || pg_rc=$?
  if [ "$pg_rc" -eq 3 ] && [ "${CI:-}" != true ]; then
    # Not installed, and not root to install it: carry on; Postgres tests skip with a reason.
    pg_root=""
    echo "    ${yellow}$(tail -n 1 "$work/logs/pg-start.log" | sed 's/^pg-start: //')${off}"
    echo "    ${yellow}carrying on without PostgreSQL: tests that need it are skipped${off}"
  elif [ "$pg_rc" -ne 0 ]; then
    echo "${red}    PostgreSQL did not start${off}"
    show_tail "$work/logs/pg-start.log" 30 "pg-start"
    exit 1
  else
    SPOTIFYBUDDIES_TEST_PG="$(cat "$work/pg-connection")"
    export SPOTIFYBUDDIES_TEST_PG
    phase_done "$(tail -n 1 "$work/logs/pg-start.log" | sed 's/^pg-start: //; s/ (data in .*//')"
  fi
else
  phase "PostgreSQL: not started (--no-pg)"
  if [ -n "${SPOTIFYBUDDIES_TEST_PG:-}" ]; then echo "    using SPOTIFYBUDDIES_TEST_PG from the environment"
  else echo "    ${yellow}SPOTIFYBUDDIES_TEST_PG is unset: Postgres tests will be skipped (or fail when CI=true)${off}"; fi
fi

# ------------------------------------------------------------------------------------------------ S3
if [ "$use_s3" -eq 1 ]; then
  phase "S3 (throwaway s3rver on 127.0.0.1)"
  s3_root="$work/s3"
  # In the foreground, like PostgreSQL: a signal waits until the server is up, so the cleanup finds and stops it.
  s3_rc=0
  infra/ci/s3rver-start.sh "$s3_root" "${SPOTIFYBUDDIES_TEST_S3_PORT:-}" >"$work/s3-endpoint" 2>"$work/logs/s3rver-start.log" || s3_rc=$?
  if [ "$s3_rc" -eq 3 ] && [ "${CI:-}" != true ]; then
    # No Node.js/npm here: carry on; S3 tests skip with a reason.
    s3_root=""
    echo "    ${yellow}$(tail -n 1 "$work/logs/s3rver-start.log" | sed 's/^s3rver-start: //')${off}"
    echo "    ${yellow}carrying on without s3rver: tests that need S3 are skipped${off}"
  elif [ "$s3_rc" -ne 0 ]; then
    echo "${red}    s3rver did not start${off}"
    show_tail "$work/logs/s3rver-start.log" 30 "s3rver-start"
    exit 1
  else
    SPOTIFYBUDDIES_TEST_S3="$(cat "$work/s3-endpoint")"
    export SPOTIFYBUDDIES_TEST_S3
    phase_done "$(tail -n 1 "$work/logs/s3rver-start.log" | sed 's/^s3rver-start: //; s/ (pid .*//')"
  fi
else
  phase "S3: not started (--no-s3)"
  if [ -n "${SPOTIFYBUDDIES_TEST_S3:-}" ]; then echo "    using SPOTIFYBUDDIES_TEST_S3 from the environment"
  else echo "    ${yellow}SPOTIFYBUDDIES_TEST_S3 is unset: S3 tests will be skipped (or fail when CI=true)${off}"; fi
fi

# --------------------------------------------------------------------------------------------- build
phase "Build (dotnet build SpotifyBuddies.sln -c Release)"
build_log="$work/logs/build.log"
# --disable-build-servers: leave no MSBuild/compiler server processes behind.
if ! run_logged "$build_log" dotnet build SpotifyBuddies.sln -c Release -nologo -tl:off -v:minimal --disable-build-servers; then
  echo "${red}    build failed${off}"
  errors="$(grep -E ': (error|warning) [A-Z]+[0-9]+' "$build_log" | sed "s#$repo_root/##g" | sort -u || true)"
  if [ -n "$errors" ]; then
    echo "$errors" | head -n 40 | sed 's/^/    /'
  else
    show_tail "$build_log" 40 "build output"
  fi
  exit 1
fi
phase_done "built"

# --------------------------------------------------------------------------------------------- tests
mapfile -t projects < <(dotnet sln SpotifyBuddies.sln list | tr '\\' '/' | grep -E '^tests/.*\.csproj$' | sort)
phase "Tests (${#projects[@]} projects${filter:+, filter: $filter})"
[ "${#projects[@]}" -gt 0 ] || { echo "${red}    no test projects in SpotifyBuddies.sln${off}"; exit 1; }

# Reads an attribute of the TRX <Counters .../> element.
counter() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"; }

failed_projects=()
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  log="$work/logs/$name.log"
  trx="$work/results/$name.trx"
  started=$(now_us)
  args=(test "$project" --no-build -c Release -nologo --disable-build-servers
        --logger "trx;LogFileName=$name.trx" --results-directory "$work/results")
  [ -z "$filter" ] || args+=(--filter "$filter")
  rc=0
  run_logged "$log" dotnet "${args[@]}" || rc=$?
  took="$(secs_since "$started")"

  counters="$(grep -o '<Counters [^>]*>' "$trx" 2>/dev/null | head -n 1 || true)"
  p=0 f=0 s=0 status=""
  if [ -z "$counters" ]; then
    f=1 status="CRASH (exit $rc, no results)"
  else
    total=$(counter total "$counters"); executed=$(counter executed "$counters")
    p=$(counter passed "$counters")
    f=$(( $(counter failed "$counters") + $(counter error "$counters") + $(counter timeout "$counters") + $(counter aborted "$counters") ))
    s=$(( total - executed ))   # xunit's skipped tests are never executed
    if [ "$rc" -ne 0 ] && { [ "$f" -eq 0 ] || grep -q 'Test Run Aborted' "$log"; }; then
      f=$((f + 1)) status="CRASH (exit $rc)"
    elif [ "$f" -gt 0 ]; then status="FAIL"
    elif [ "$total" -eq 0 ]; then status="no tests"
    else status="ok"
    fi
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))

  case "$status" in
    ok) label="${green}ok      ${off}" ;;
    "no tests") label="${yellow}no tests${off}" ;;
    FAIL) label="${red}FAIL    ${off}" ;;
    *) label="${red}CRASH   ${off}" ;;
  esac
  line="$p passed, $f failed"; [ "$s" -eq 0 ] || line="$line, $s skipped"
  printf '    %s %-40s %s (%s)\n' "$label" "$name" "$line" "$took"
  if [ "$f" -gt 0 ]; then
    failed_projects+=("$name")
    [ "$status" = FAIL ] || echo "             $status: see its output below"
  fi
done

finished=1
if [ "${#failed_projects[@]}" -gt 0 ]; then
  phase "Failures"
  for name in "${failed_projects[@]}"; do
    log="$work/logs/$name.log"
    printf '    --- %s ---\n' "$name"
    shown=0
    # The console logger prints each failed test with its message and stack; show that part (bounded).
    if grep -q '^  Failed ' "$log"; then
      awk '/^  Failed /{p=1} /^  (Passed|Skipped) /{p=0} p' "$log" | head -n 150 | sed 's/^/    | /'
      shown=1
    fi
    # A crashed test host: VSTest says why, followed by the crashing stack.
    if grep -q 'The active test run was aborted' "$log"; then
      grep -m 1 -A 15 'The active test run was aborted' "$log" | sed 's/^/    | /'
      shown=1
    fi
    if [ "$shown" -eq 0 ]; then
      tail -n 40 "$log" | sed 's/^/    | /'
    fi
  done
  exit 1
fi
exit 0
