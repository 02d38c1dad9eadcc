#!/usr/bin/env bash
# BPR-training benchmark: `buddies train` (native backend, lazy Adam and a fast setting; torch backend) against the
# original's recipe in PyTorch (peer_bpr.py, Debian's python3-torch), on the same triplets and validation rows, same
# machine, one after the other, in one run. Time to quality is measured as MLPerf does: wall time until the first
# evaluation that reaches the peer's 5-epoch val MRR (within 0.005).
#
#   benchmarks/bpr-training/run.sh                  # medium preset (~39M triplets, 2.8M validation rows)
#   PRESET=small benchmarks/bpr-training/run.sh     # quick check
#
# Environment:
#   PRESET          small | medium (default medium)
#   DATASET         prepared dataset (default: /tmp/buddies-bench/runs/$PRESET/ours-out when it holds triplets.i32,
#                   else $BENCH_WORK/dataset, prepared once from the raw preset data /tmp/buddies-bench/$PRESET,
#                   which is generated once when missing)
#   BENCH_WORK      outputs, logs and the cached dataset (default /tmp/buddies-bench/$PRESET-bpr)
#   EPOCHS          epochs for the peer and the full-length runs of ours (default 5, the original's)
#   THREADS         threads on every side (default 2; the peer calls torch.set_num_threads)
#   BATCH / DIM / LR / SEED   the original's recipe (defaults 16384 / 128 / 0.005 / 42)
#   FAST_OPTIMIZER  optimizer of our fast native run (default adagrad)
#   FAST_LR         its learning rate (default 0.1)
#   FAST_BATCH      its batch size (default $BATCH)
#   FAST_EVALS      evaluations per epoch in the fast run (default 2; each counts in its elapsed time)
#   FAST_STOP=0     let the fast run go all $EPOCHS epochs instead of stopping at the peer's MRR − 0.005
#   RUNS            which of ours to run (default "native-lazy-adam native-fast torch-lazy-adam")
#   PEER_TIMEOUT / OURS_TIMEOUT   seconds before a side is stopped (default 7200 / 3600)
#   SKIP_PEER=1     keep the peer result already in $BENCH_WORK (the report says it is from an earlier run)
#   RESULTS         report path (default benchmarks/bpr-training/results-$PRESET.md)
#
# Writes results-$PRESET.md (report.py): machine, load average, per-side tables (per-evaluation wall, triplets/s, val
# MRR, peak RSS from /usr/bin/time -v) and the three targets with PASS/FAIL.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PRESET=${PRESET:-medium}
WORK=${BENCH_WORK:-/tmp/buddies-bench/$PRESET-bpr}
RAW=/tmp/buddies-bench/$PRESET
if [ -z "${DATASET:-}" ]; then
  if [ -f "/tmp/buddies-bench/runs/$PRESET/ours-out/triplets.i32" ]; then
    DATASET=/tmp/buddies-bench/runs/$PRESET/ours-out
  else
    DATASET=$WORK/dataset
  fi
fi
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}
BATCH=${BATCH:-16384}
DIM=${DIM:-128}
LR=${LR:-0.005}
SEED=${SEED:-42}
FAST_OPTIMIZER=${FAST_OPTIMIZER:-adagrad}
FAST_LR=${FAST_LR:-0.1}
FAST_BATCH=${FAST_BATCH:-$BATCH}
FAST_EVALS=${FAST_EVALS:-2}
FAST_STOP=${FAST_STOP:-1}
RUNS=${RUNS:-native-lazy-adam native-fast torch-lazy-adam}
PEER_TIMEOUT=${PEER_TIMEOUT:-7200}
OURS_TIMEOUT=${OURS_TIMEOUT:-3600}
RESULTS=${RESULTS:-$HERE/results-$PRESET.md}
PY=/usr/bin/python3   # Debian's interpreter and python3-torch / python3-numpy, not a pyenv/venv python
DLL=$REPO/artifacts/bin/SpotifyBuddies.Cli/release/buddies.dll

say() { printf '\n==> %s\n' "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- 1. tools -------------------------------------------------------------------------------------------------------
need_apt=()
"$PY" -c 'import numpy, torch' 2>/dev/null || need_apt+=(python3-numpy python3-torch)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
mkdir -p "$WORK"

# --- 2. build our CLI (Release) -------------------------------------------------------------------------------------
OURS_STATUS=ran
say "dotnet build src/SpotifyBuddies.Cli -c Release"
if ! (cd "$REPO" && dotnet build src/SpotifyBuddies.Cli -c Release -nologo -v q) >"$WORK/build.log" 2>&1; then
  tail -n 20 "$WORK/build.log" >&2
  OURS_STATUS="build failed (see $WORK/build.log)"
  say "build FAILED: ours will not run; the peer still runs if the dataset exists"
fi

# --- 3. data: a prepared dataset, made once and reused -------------------------------------------------------------
if [ ! -f "$DATASET/triplets.i32" ]; then
  [ -f "$DLL" ] || { echo "no prepared dataset at $DATASET and no built CLI to make one" >&2; exit 1; }
  if [ ! -f "$RAW/synth.json" ]; then
    say "generating the $PRESET preset into $RAW"
    dotnet "$DLL" data synth --out "$RAW" --preset "$PRESET" --force
  fi
  say "preparing $RAW into $DATASET"
  dotnet "$DLL" data prepare "$RAW" --out "$DATASET" --force --json >"$WORK/prepare.json"
else
  say "reusing the prepared dataset $DATASET"
fi
for f in triplets.i32 val_batches.i32 manifest.json; do
  [ -f "$DATASET/$f" ] || { echo "$DATASET/$f is missing: not a prepared dataset" >&2; exit 1; }
done
warm_cache() { cat "$DATASET/triplets.i32" "$DATASET/val_batches.i32" "$DATASET"/test_batches.i32 >/dev/null 2>&1 || true; }

# Other busy processes during the run skew the timings: sample them every 5 s (reported in the results).
: >"$WORK/interference.log"
( while sleep 5; do
    ps -eo pid,pcpu,etime,args --sort=-pcpu --no-headers | awk '$2 > 25' \
      | grep -v -e peer_bpr.py -e 'buddies.dll train' -e 'ps -eo' | cut -c1-160 | sed "s/^/$(date +%T) /"
  done >>"$WORK/interference.log" ) &
MONITOR=$!
trap 'kill $MONITOR 2>/dev/null || true' EXIT

# --- 4. peer --------------------------------------------------------------------------------------------------------
PEER_CMD=("$PY" "$HERE/peer_bpr.py" "$DATASET" --epochs "$EPOCHS" --threads "$THREADS" --batch-size "$BATCH"
          --dim "$DIM" --lr "$LR" --seed "$SEED")
printf '%s\n' "${PEER_CMD[*]}" >"$WORK/peer.cmd"
if [ "${SKIP_PEER:-0}" = 1 ] && [ -s "$WORK/peer.jsonl" ]; then
  say "SKIP_PEER=1: keeping the peer result of $(date -r "$WORK/peer.jsonl" -Is)"
  echo earlier >"$WORK/peer.reused"
else
  rm -f "$WORK"/peer.{jsonl,err,time,rc,reused,load}
  warm_cache
  say "peer (timeout ${PEER_TIMEOUT}s): ${PEER_CMD[*]}"
  before=$(load)
  set +e
  /usr/bin/time -v -o "$WORK/peer.time" timeout "$PEER_TIMEOUT" "${PEER_CMD[@]}" >"$WORK/peer.jsonl" 2> >(tee "$WORK/peer.err" >&2)
  echo $? >"$WORK/peer.rc"
  set -e
  printf '%s\n%s\n' "$before" "$(load)" >"$WORK/peer.load"
  say "peer exited $(cat "$WORK/peer.rc")"
fi
# The quality bar: the peer's val MRR after its last epoch, minus 0.005.
TARGET_MRR=$("$PY" - "$WORK/peer.jsonl" <<'EOF'
import json, sys
last = None
for line in open(sys.argv[1]):
    if line.startswith("{"):
        row = json.loads(line)
        if row.get("event") == "epoch":
            last = row
print("" if last is None else f"{last['val_mrr'] - 0.005:.6f}")
EOF
)
say "quality bar (peer final val MRR - 0.005): ${TARGET_MRR:-unknown}"

# --- 5. ours --------------------------------------------------------------------------------------------------------
# The CLI's optional flags are passed only when `train --help` lists them (the report notes what was left out).
HELP=$( [ "$OURS_STATUS" = ran ] && dotnet "$DLL" train --help 2>&1 || true )
if [ "$OURS_STATUS" = ran ] && ! grep -q -- '--backend' <<<"$HELP"; then
  OURS_STATUS="missing: 'buddies train' does not exist in this build"
  say "$OURS_STATUS"
fi
has() { grep -q -- "$1" <<<"$HELP"; }

ours_cmd() {  # name -> the command array in CMD
  local name=$1 backend optimizer lr batch evals=1 stop=()
  case $name in
    native-lazy-adam) backend=native; optimizer=lazy-adam; lr=$LR; batch=$BATCH ;;
    native-fast)      backend=native; optimizer=$FAST_OPTIMIZER; lr=$FAST_LR; batch=$FAST_BATCH; evals=$FAST_EVALS
                      [ "$FAST_STOP" = 1 ] && [ -n "$TARGET_MRR" ] && stop=(--target-mrr "$TARGET_MRR") ;;
    torch-lazy-adam)  backend=torch; optimizer=lazy-adam; lr=$LR; batch=$BATCH ;;
    *) echo "unknown run '$name' in RUNS" >&2; exit 2 ;;
  esac
  CMD=(dotnet "$DLL" train "$DATASET" --out "$WORK/out-$name" --backend "$backend" --optimizer "$optimizer" --lr "$lr"
       --epochs "$EPOCHS" --batch-size "$batch" --dim "$DIM" --threads "$THREADS" --patience "$EPOCHS" --seed "$SEED")
  if [ "$evals" != 1 ]; then has --evals-per-epoch && CMD+=(--evals-per-epoch "$evals") || echo "--evals-per-epoch" >>"$WORK/ours-$name.dropped"; fi
  if [ ${#stop[@]} -gt 0 ]; then has --target-mrr && CMD+=("${stop[@]}") || echo "--target-mrr" >>"$WORK/ours-$name.dropped"; fi
  CMD+=(--no-tracking --force --json)
}

for name in $RUNS; do
  rm -f "$WORK/ours-$name".{json,err,time,rc,cmd,load,status,dropped}
  if [ "$OURS_STATUS" != ran ]; then
    echo "$OURS_STATUS" >"$WORK/ours-$name.status"
    continue
  fi
  ours_cmd "$name"
  printf '%s\n' "${CMD[*]}" >"$WORK/ours-$name.cmd"
  echo ran >"$WORK/ours-$name.status"
  warm_cache
  say "ours $name: ${CMD[*]}"
  before=$(load)
  set +e
  /usr/bin/time -v -o "$WORK/ours-$name.time" timeout "$OURS_TIMEOUT" "${CMD[@]}" \
    >"$WORK/ours-$name.json" 2> >(tee "$WORK/ours-$name.err" >&2)
  echo $? >"$WORK/ours-$name.rc"
  set -e
  printf '%s\n%s\n' "$before" "$(load)" >"$WORK/ours-$name.load"
  say "ours $name exited $(cat "$WORK/ours-$name.rc")"
done
kill $MONITOR 2>/dev/null || true

# --- 6. report ------------------------------------------------------------------------------------------------------
"$PY" "$HERE/report.py" --run-dir "$WORK" --preset "$PRESET" --dataset "$DATASET" --out "$RESULTS" --runs "$RUNS" \
  --command "PRESET=$PRESET EPOCHS=$EPOCHS THREADS=$THREADS FAST_OPTIMIZER=$FAST_OPTIMIZER FAST_LR=$FAST_LR FAST_BATCH=$FAST_BATCH FAST_EVALS=$FAST_EVALS benchmarks/bpr-training/run.sh" \
  >/dev/null
say "wrote $RESULTS"
