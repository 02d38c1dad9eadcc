#!/usr/bin/env bash
# KNN-pairing benchmark: our exact and approximate neighbour engines against the original's method
# (scikit-learn NearestNeighbors, cosine, brute force) and the usual ANN libraries (hnswlib, faiss), on the same
# prepared dataset, one after the other, in one run.
#
#   benchmarks/knn-pairing/run.sh                         # medium preset
#   SKLEARN_QUERY_USERS=20000 benchmarks/knn-pairing/run.sh   # sklearn on the first 20k users only (extrapolated)
#
# Environment:
#   PRESET               label for the results file (default medium)
#   DATASET              prepared dataset (`buddies data prepare` output; default /tmp/buddies-bench/runs/$PRESET/ours-out)
#   BENCH_WORK           scratch directory for the harness build and exported arrays (default /tmp/buddies-bench/knn-$PRESET)
#   K                    neighbours per user (default 100)
#   THREADS              threads for every side (default: all cores; sklearn always gets n_jobs=-1)
#   SKLEARN_QUERY_USERS  0 = every user (default); N = only the first N users are queried, the time is extrapolated
#   SAMPLE               users sampled for the dense brute-force recall reference (default 1000)
#   M / EFC / EF         HNSW parameters for ours, hnswlib and faiss (default 16 / 200 / 100)
#   RESULTS              report path (default benchmarks/knn-pairing/results-$PRESET.md)
#
# What runs:
#   1. apt: python3-sklearn python3-hnswlib python3-scipy (+ python3-faiss when packaged), if absent.
#   2. harness/ (a small console over src/SpotifyBuddies.Models, built in $BENCH_WORK, Release): loads user_songs.parquet,
#      exports the CSR matrix, times our exact engine (ExactNeighbourSearch) and our approximate engine phase by phase
#      (UserVectors -> AnnIndexBuilder -> SearchAll), exports the vectors and both engines' lists.
#   3. peer_knn.py: sklearn on the same CSR matrix (compared with our exact lists), hnswlib and faiss on the same
#      vectors (recall against numpy brute force on a sample), and the same recall for our approximate lists.
#   4. report.py: results-$PRESET.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PRESET=${PRESET:-medium}
DATASET=${DATASET:-/tmp/buddies-bench/runs/$PRESET/ours-out}
WORK=${BENCH_WORK:-/tmp/buddies-bench/knn-$PRESET}
K=${K:-100}
THREADS=${THREADS:--1}
SKLEARN_QUERY_USERS=${SKLEARN_QUERY_USERS:-0}
SAMPLE=${SAMPLE:-1000}
M=${M:-16}
EFC=${EFC:-200}
EF=${EF:-100}
RESULTS=${RESULTS:-$HERE/results-$PRESET.md}
PY=/usr/bin/python3   # Debian's interpreter and packages, not a pyenv/venv python
PEER_THREADS=$([ "$THREADS" = -1 ] && nproc || echo "$THREADS")

say() { printf '\n==> %s\n' "$*" >&2; }

[ -f "$DATASET/manifest.json" ] && [ -f "$DATASET/user_songs.parquet" ] \
  || { echo "no prepared dataset at $DATASET (run benchmarks/data-prepare/run.sh or buddies data prepare)" >&2; exit 1; }

# --- 1. tools ---------------------------------------------------------------------------------------------------
need_apt=()
"$PY" -c 'import numpy, scipy' 2>/dev/null || need_apt+=(python3-numpy python3-scipy)
"$PY" -c 'import sklearn' 2>/dev/null || need_apt+=(python3-sklearn)
"$PY" -c 'import hnswlib' 2>/dev/null || need_apt+=(python3-hnswlib)
if ! "$PY" -c 'import faiss' 2>/dev/null && apt-cache policy python3-faiss 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  need_apt+=(python3-faiss)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# --- 2. harness: build (outside the repository) and run ours ------------------------------------------------------
mkdir -p "$WORK/harness" "$WORK/out"
cp "$HERE/harness/Program.cs" "$WORK/harness/Program.cs"
sed "s|@REPO@|$REPO|g" "$HERE/harness/KnnHarness.csproj.in" > "$WORK/harness/KnnHarness.csproj"
cp "$REPO/global.json" "$WORK/harness/global.json"
say "dotnet build $WORK/harness -c Release"
dotnet build "$WORK/harness/KnnHarness.csproj" -c Release -o "$WORK/harness/bin" -nologo -v q > "$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; exit 1; }

OURS_CMD=(dotnet "$WORK/harness/bin/KnnHarness.dll" "$DATASET" "$WORK/out" "$K" "$THREADS" "$SAMPLE" "$EF" "$M" "$EFC")
PEER_CMD=("$PY" "$HERE/peer_knn.py" "$WORK/out" --k "$K" --threads "$PEER_THREADS" --query-users "$SKLEARN_QUERY_USERS"
          --m "$M" --efc "$EFC" --ef "$EF")
# Other busy processes during the run would skew the timings: sample them every 5 s (reported in the results).
: > "$WORK/interference.log"
( while sleep 5; do
    ps -eo pid,pcpu,etime,args --sort=-pcpu --no-headers | awk -v me=$$ '$2 > 25' \
      | grep -v -e KnnHarness -e peer_knn.py -e 'ps -eo' | cut -c1-160 | sed "s/^/$(date +%T) /"
  done >> "$WORK/interference.log" ) &
MONITOR=$!
trap 'kill $MONITOR 2>/dev/null || true' EXIT
say "ours: ${OURS_CMD[*]}"
"${OURS_CMD[@]}" 2>&1 | tee "$WORK/ours.log"
say "peer: ${PEER_CMD[*]}"
"${PEER_CMD[@]}" 2>&1 | tee "$WORK/peer.log"

# --- 3. report ----------------------------------------------------------------------------------------------------
COMMANDS="DATASET=$DATASET SKLEARN_QUERY_USERS=$SKLEARN_QUERY_USERS THREADS=$THREADS benchmarks/knn-pairing/run.sh
# which ran:
${OURS_CMD[*]}
${PEER_CMD[*]}"
kill $MONITOR 2>/dev/null || true
"$PY" "$HERE/report.py" "$WORK/out" "$RESULTS" --interference "$WORK/interference.log" --preset "$PRESET" --dataset "$DATASET" --commands "$COMMANDS"
say "wrote $RESULTS"
