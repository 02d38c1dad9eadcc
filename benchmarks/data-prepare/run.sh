#!/usr/bin/env bash
# Data-preparation benchmark: ours (`buddies data prepare`) against the Python peer (peer_prepare.py, the
# original's method with the original's tools), on the same machine, one after the other, in one run.
#
#   benchmarks/data-prepare/run.sh                 # medium preset (~100k users, 200k playlists, 3.6 GB)
#   PRESET=small benchmarks/data-prepare/run.sh    # quick check
#
# Environment:
#   PRESET        tiny | small | medium (default medium)
#   BENCH_DATA    dataset directory, reused when it holds synth.json (default /tmp/buddies-bench/$PRESET)
#   BENCH_WORK    where outputs and logs go (default /tmp/buddies-bench/runs/$PRESET)
#   PEER_TIMEOUT  seconds before the peer is stopped (default 3600); the report then gives a lower bound
#   OURS_TIMEOUT  seconds before ours is stopped (default 3600)
#   SKIP_OURS=1 / SKIP_PEER=1   run one side only
#   RESULTS       report path (default benchmarks/data-prepare/results-$PRESET.md)
#
# Writes results-$PRESET.md: per-stage seconds (ours, peer, ratio), total wall time, peak RSS (/usr/bin/time -v),
# machine, date and the exact commands.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PRESET=${PRESET:-medium}
DATA=${BENCH_DATA:-/tmp/buddies-bench/$PRESET}
RUN_DIR=${BENCH_WORK:-/tmp/buddies-bench/runs/$PRESET}
OUT_OURS=$RUN_DIR/ours-out
OUT_PEER=$RUN_DIR/peer-out
PEER_TIMEOUT=${PEER_TIMEOUT:-3600}
OURS_TIMEOUT=${OURS_TIMEOUT:-3600}
RESULTS=${RESULTS:-$HERE/results-$PRESET.md}
PY=/usr/bin/python3   # Debian's interpreter and packages, not a pyenv/venv python
DLL=$REPO/artifacts/bin/SpotifyBuddies.Cli/release/buddies.dll

# ======================================================================================================
# OURS: the one command under test. Adjust here if the `data prepare` CLI changes.
OURS_CMD=(dotnet "$DLL" data prepare "$DATA" --out "$OUT_OURS" --force --json)
# ======================================================================================================
PEER_CMD=("$PY" "$HERE/peer_prepare.py" "$DATA" --out "$OUT_PEER")

say() { printf '\n==> %s\n' "$*" >&2; }

# --- 1. tools: Debian's python3 with numpy/scipy/pandas (+ pyarrow when packaged), GNU time ----------------
need_apt=()
"$PY" -c 'import numpy, scipy, pandas' 2>/dev/null || need_apt+=(python3-numpy python3-scipy python3-pandas)
[ -x /usr/bin/time ] || need_apt+=(time)
if ! "$PY" -c 'import pyarrow' 2>/dev/null && apt-cache policy python3-pyarrow 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  need_apt+=(python3-pyarrow)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

mkdir -p "$RUN_DIR"

# --- 2. build our CLI (Release) ---------------------------------------------------------------------------
OURS_STATUS=ran
say "dotnet build src/SpotifyBuddies.Cli -c Release"
if ! (cd "$REPO" && dotnet build src/SpotifyBuddies.Cli -c Release -nologo -v q) >"$RUN_DIR/build.log" 2>&1; then
  tail -n 20 "$RUN_DIR/build.log" >&2
  OURS_STATUS="build failed (see $RUN_DIR/build.log)"
  say "build FAILED: ours will not run; the peer still runs if the data exists"
fi

# --- 3. data: generate once, reuse -------------------------------------------------------------------------
if [ ! -f "$DATA/synth.json" ]; then
  [ -f "$DLL" ] || { echo "no $DATA/synth.json and no built CLI to generate it" >&2; exit 1; }
  say "generating the $PRESET preset into $DATA"
  mkdir -p "$(dirname "$DATA")"
  dotnet "$DLL" data synth --out "$DATA" --preset "$PRESET" --force
else
  say "reusing $DATA"
fi

rm -f "$RUN_DIR"/{ours,peer}.{json,err,time,rc}

warm_cache() { find "$DATA" -type f \( -name '*.json' -o -name '*.txt' -o -name '*.csv' \) -exec cat {} + >/dev/null; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 4. ours -------------------------------------------------------------------------------------------------
if [ "${SKIP_OURS:-0}" = 1 ]; then
  OURS_STATUS="skipped (SKIP_OURS=1)"
elif [ "$OURS_STATUS" = ran ]; then
  # (an unknown subcommand with --help prints the parent's help and exits 0, so look for the usage line)
  if ! dotnet "$DLL" data prepare --help 2>&1 | grep -q 'buddies data prepare'; then
    OURS_STATUS="missing: 'buddies data prepare' does not exist in this build"
    say "$OURS_STATUS; running the peer only"
  else
    warm_cache
    say "ours: ${OURS_CMD[*]}"
    set +e
    /usr/bin/time -v -o "$RUN_DIR/ours.time" timeout "$OURS_TIMEOUT" "${OURS_CMD[@]}" \
      >"$RUN_DIR/ours.json" 2>"$RUN_DIR/ours.err"
    echo $? >"$RUN_DIR/ours.rc"
    set -e
    say "ours exited $(cat "$RUN_DIR/ours.rc")"
  fi
fi

# --- 5. peer -------------------------------------------------------------------------------------------------
if [ "${SKIP_PEER:-0}" = 1 ]; then
  echo skipped >"$RUN_DIR/peer.rc"
else
  warm_cache
  say "peer (timeout ${PEER_TIMEOUT}s): ${PEER_CMD[*]}"
  set +e
  /usr/bin/time -v -o "$RUN_DIR/peer.time" timeout "$PEER_TIMEOUT" "${PEER_CMD[@]}" \
    >"$RUN_DIR/peer.json" 2>"$RUN_DIR/peer.err"
  echo $? >"$RUN_DIR/peer.rc"
  set -e
  say "peer exited $(cat "$RUN_DIR/peer.rc")"
  grep '^PEER-PHASE' "$RUN_DIR/peer.err" >&2 || true
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 6. report -----------------------------------------------------------------------------------------------
"$PY" "$HERE/report.py" --run-dir "$RUN_DIR" --preset "$PRESET" --data "$DATA" --out "$RESULTS" \
  --ours-cmd "${OURS_CMD[*]}" --peer-cmd "${PEER_CMD[*]}" --ours-status "$OURS_STATUS" \
  --peer-timeout "$PEER_TIMEOUT" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" >/dev/null
say "wrote $RESULTS"
