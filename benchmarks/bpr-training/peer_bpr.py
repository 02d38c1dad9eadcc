#!/usr/bin/python3
"""BPR training peer: the original's recipe (original-system.md §3) in PyTorch, on a prepared dataset.

  /usr/bin/python3 peer_bpr.py DATASET [--epochs 5] [--threads 2] [--target-mrr X] [--save-embeddings DIR]

DATASET is a `buddies data prepare` output directory:
  triplets.i32      raw little-endian int32 rows [user, pos_playlist, neg_playlist], already shuffled
  val_batches.i32   raw little-endian int32 rows [user, pos, neg_0 .. neg_49], -1 pads a short row
  manifest.json     counts.users / counts.playlists (the dense table sizes) and each .i32 file's column count

Recipe (as the original's `spotifyBuddies_train_mlflow_v3.py`): two `nn.Embedding(n, d, sparse=True)` tables
initialised with `xavier_uniform_`, no bias; score = dot(user, playlist); loss = -mean(log sigmoid(s_pos - s_neg));
`torch.optim.SparseAdam(lr)`; each epoch visits every triplet once in a fresh random order (what a shuffling
DataLoader does: one `torch.randperm` per epoch from a seeded generator), batches of `--batch-size`, the last one
partial. Deliberate differences from the original, so that both sides of the benchmark do the same math:
  - no gradient accumulation (the original had GRAD_ACCUM_STEPS = 2): one optimizer step per batch of 16,384;
    our trainer does the same, and an effective batch of 32,768 is `--batch-size 32768` on both sides;
  - no DataLoader worker processes (the data is one in-memory tensor; indexing it is cheaper than collation);
  - CPU, float32, no AMP (the original used AMP only on CUDA);
  - evaluation on ALL validation rows (the original scored one slice), ranks with the pessimistic tie rule:
    rank = number of (non-pad) negatives whose score is >= the positive's (NaN counts against the positive);
    MRR = mean 1/(rank+1), Hit@K = share with rank < K.

Output: JSON lines on stdout — one {"event": "setup"}, one {"event": "epoch"} per epoch, one {"event": "summary"}.
Progress goes to stderr.
"""

import time

T0 = time.perf_counter()  # before importing torch: elapsed_seconds covers the whole process after interpreter start

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - T0


def elapsed():
    return time.perf_counter() - T0


def emit(obj):
    print(json.dumps(obj), flush=True)


def log(msg):
    print(f"[peer {elapsed():8.1f}s] {msg}", file=sys.stderr, flush=True)


def load_manifest(dataset):
    path = os.path.join(dataset, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        sys.exit(f"peer_bpr: cannot read {path}: {e}")


def columns_of(manifest, name, default):
    for entry in manifest.get("files", []):
        if entry.get("name") == name and entry.get("columns"):
            return len(entry["columns"])
    return default


def load_rows(dataset, name, columns):
    path = os.path.join(dataset, name)
    if not os.path.exists(path):
        sys.exit(f"peer_bpr: {path} is missing (is {dataset} a `buddies data prepare` output?)")
    size = os.path.getsize(path)
    if size % (4 * columns):
        sys.exit(f"peer_bpr: {path} has {size} bytes, not a multiple of {columns} int32 columns")
    data = np.fromfile(path, dtype="<i4").reshape(-1, columns)
    return torch.from_numpy(data)


class BPR(nn.Module):
    """The original's model: two sparse embedding tables, dot-product score, no bias."""

    def __init__(self, users, playlists, dim):
        super().__init__()
        self.user = nn.Embedding(users, dim, sparse=True)
        self.playlist = nn.Embedding(playlists, dim, sparse=True)
        nn.init.xavier_uniform_(self.user.weight)
        nn.init.xavier_uniform_(self.playlist.weight)

    def forward(self, u, p, n):
        eu = self.user(u)
        s_pos = (eu * self.playlist(p)).sum(dim=1)
        s_neg = (eu * self.playlist(n)).sum(dim=1)
        return s_pos, s_neg


def ranks_of(scores, valid):
    """Pessimistic 0-based rank of column 0 among the valid columns 1.. (ties and NaN negatives count against it)."""
    pos = scores[:, :1]
    neg = scores[:, 1:]
    beats = ((neg >= pos) | torch.isnan(neg)) & valid
    rank = beats.sum(dim=1)
    nan_pos = torch.isnan(pos[:, 0])
    if nan_pos.any():
        rank = torch.where(nan_pos, valid.sum(dim=1), rank)
    return rank


class Accumulator:
    def __init__(self):
        self.count = 0
        self.rr = 0.0
        self.hits = {1: 0, 5: 0, 10: 0}

    def add(self, rank):
        self.count += rank.numel()
        self.rr += (1.0 / (rank.double() + 1.0)).sum().item()
        for k in self.hits:
            self.hits[k] += int((rank < k).sum().item())

    def result(self, prefix="val"):
        n = max(self.count, 1)
        out = {f"{prefix}_mrr": self.rr / n}
        for k, v in self.hits.items():
            out[f"{prefix}_hit_{k}"] = v / n
        out[f"{prefix}_count"] = self.count
        return out


@torch.no_grad()
def evaluate(user_w, playlist_w, val, batch_rows):
    """Scores every validation row: [pos] + negatives, gathered from the tables, dot products, pessimistic ranks."""
    acc = Accumulator()
    for start in range(0, val.shape[0], batch_rows):
        rows = val[start:start + batch_rows]
        cand = rows[:, 1:].long()
        valid = cand[:, 1:] >= 0
        eu = user_w[rows[:, 0].long()]                       # (B, d)
        ec = playlist_w[cand.clamp(min=0)]                   # (B, 1 + negatives, d)
        scores = torch.bmm(ec, eu.unsqueeze(2)).squeeze(2)   # (B, 1 + negatives)
        acc.add(ranks_of(scores, valid))
    return acc


@torch.no_grad()
def popularity(triplets, playlists, val, batch_rows):
    """Reference level: rank by how often a playlist is a training positive (same tie rule)."""
    counts = torch.bincount(triplets[:, 1].long(), minlength=playlists).float()
    acc = Accumulator()
    for start in range(0, val.shape[0], batch_rows):
        rows = val[start:start + batch_rows]
        cand = rows[:, 1:].long()
        acc.add(ranks_of(counts[cand.clamp(min=0)], cand[:, 1:] >= 0))
    return acc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset")
    ap.add_argument("--epochs", "--max-epochs", dest="epochs", type=int, default=5)
    ap.add_argument("--target-mrr", type=float, default=None, help="stop after the first epoch whose val MRR >= this")
    ap.add_argument("--patience", type=int, default=5, help="early stopping on val MRR, as the original (default 5)")
    ap.add_argument("--batch-size", type=int, default=16384)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.005)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--eval-batch-rows", type=int, default=8192)
    ap.add_argument("--max-triplets", type=int, default=0, help="train on the first N triplets only (0 = all; for timing)")
    ap.add_argument("--no-popularity", action="store_true", help="skip the popularity reference evaluation")
    ap.add_argument("--save-embeddings", default=None, help="directory for users.npy / playlists.npy after training")
    ap.add_argument("--progress-seconds", type=float, default=30.0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    t = time.perf_counter()
    manifest = load_manifest(a.dataset)
    triplets = load_rows(a.dataset, "triplets.i32", columns_of(manifest, "triplets.i32", 3))
    val = load_rows(a.dataset, "val_batches.i32", columns_of(manifest, "val_batches.i32", 52))
    if a.max_triplets > 0:
        triplets = triplets[:a.max_triplets]
    load_seconds = time.perf_counter() - t
    if triplets.shape[0] == 0 or val.shape[0] == 0:
        sys.exit(f"peer_bpr: nothing to do ({triplets.shape[0]} triplets, {val.shape[0]} validation rows)")

    counts = manifest.get("counts", {})
    max_user = int(max(triplets[:, 0].max(), val[:, 0].max()))
    max_playlist = int(max(triplets[:, 1:].max(), val[:, 1:].max()))
    users = max(int(counts.get("users", 0)), max_user + 1)
    playlists = max(int(counts.get("playlists", 0)), max_playlist + 1)

    t = time.perf_counter()
    model = BPR(users, playlists, a.dim)
    optimizer = torch.optim.SparseAdam(model.parameters(), lr=a.lr)
    generator = torch.Generator().manual_seed(a.seed)
    setup_seconds = time.perf_counter() - t

    pop = None
    pop_seconds = 0.0
    if not a.no_popularity:
        t = time.perf_counter()
        pop = popularity(triplets, playlists, val, a.eval_batch_rows * 4).result("popularity_val")
        pop_seconds = time.perf_counter() - t

    n = triplets.shape[0]
    steps = math.ceil(n / a.batch_size)
    emit({"event": "setup", "dataset": os.path.abspath(a.dataset), "triplets": n, "validation_rows": val.shape[0],
          "negatives_per_row": val.shape[1] - 2, "users": users, "playlists": playlists, "dim": a.dim,
          "batch_size": a.batch_size, "steps_per_epoch": steps, "lr": a.lr, "threads": a.threads, "seed": a.seed,
          "import_seconds": IMPORT_SECONDS, "load_seconds": load_seconds, "setup_seconds": setup_seconds,
          "popularity_seconds": pop_seconds, **(pop or {}),
          "tool": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                   "torch_threads": torch.get_num_threads()},
          "elapsed_seconds": elapsed()})
    log(f"{n:,} triplets, {val.shape[0]:,} val rows, tables {users:,} x {playlists:,} x {a.dim}, "
        f"{steps:,} steps/epoch, {a.threads} threads")

    history = []
    best, since_best, stop_reason = -1.0, 0, "epochs"
    train_total = eval_total = 0.0
    for epoch in range(1, a.epochs + 1):
        t, c = time.perf_counter(), time.process_time()
        next_log = t + a.progress_seconds
        perm = torch.randperm(n, generator=generator)
        loss_sum = 0.0
        for step in range(steps):
            b = triplets[perm[step * a.batch_size:(step + 1) * a.batch_size]].long()
            s_pos, s_neg = model(b[:, 0], b[:, 1], b[:, 2])
            loss = -F.logsigmoid(s_pos - s_neg).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item()
            now = time.perf_counter()
            if now >= next_log:
                done = step + 1
                log(f"epoch {epoch} step {done:,}/{steps:,} loss {loss_sum / done:.4f} "
                    f"{min(done * a.batch_size, n) / (now - t):,.0f} triplets/s")
                next_log = now + a.progress_seconds
        train_seconds, train_cpu = time.perf_counter() - t, time.process_time() - c

        t, c = time.perf_counter(), time.process_time()
        metrics = evaluate(model.user.weight.detach(), model.playlist.weight.detach(), val, a.eval_batch_rows).result()
        eval_seconds, eval_cpu = time.perf_counter() - t, time.process_time() - c
        train_total += train_seconds
        eval_total += eval_seconds
        row = {"event": "epoch", "epoch": epoch, "train_loss": loss_sum / steps, **metrics,
               "train_seconds": train_seconds, "eval_seconds": eval_seconds,
               "train_cpu_seconds": train_cpu, "eval_cpu_seconds": eval_cpu, "triplets": n,
               "triplets_per_second": n / train_seconds, "elapsed_seconds": elapsed()}
        history.append(row)
        emit(row)
        log(f"epoch {epoch}: loss {row['train_loss']:.4f} val MRR {metrics['val_mrr']:.4f} "
            f"hit@10 {metrics['val_hit_10']:.4f}; train {train_seconds:.1f}s eval {eval_seconds:.1f}s")

        if metrics["val_mrr"] > best:
            best, since_best = metrics["val_mrr"], 0
        else:
            since_best += 1
        if a.target_mrr is not None and metrics["val_mrr"] >= a.target_mrr:
            stop_reason = f"target val MRR {a.target_mrr} reached"
            break
        if since_best >= a.patience:
            stop_reason = f"no val MRR improvement in {a.patience} epochs"
            break

    save_seconds = 0.0
    if a.save_embeddings:
        t = time.perf_counter()
        os.makedirs(a.save_embeddings, exist_ok=True)
        np.save(os.path.join(a.save_embeddings, "users.npy"), model.user.weight.detach().numpy())
        np.save(os.path.join(a.save_embeddings, "playlists.npy"), model.playlist.weight.detach().numpy())
        save_seconds = time.perf_counter() - t

    last = history[-1]
    emit({"event": "summary", "epochs": len(history), "stop_reason": stop_reason,
          "final_val_mrr": last["val_mrr"], "best_val_mrr": best,
          "final": {k: last[k] for k in ("val_mrr", "val_hit_1", "val_hit_5", "val_hit_10", "val_count")},
          "train_seconds": train_total, "eval_seconds": eval_total,
          "triplets_per_second": n * len(history) / train_total,
          "seconds_per_epoch": (train_total + eval_total) / len(history),
          "import_seconds": IMPORT_SECONDS, "load_seconds": load_seconds, "setup_seconds": setup_seconds,
          "popularity_seconds": pop_seconds, "save_seconds": save_seconds,
          "elapsed_seconds": elapsed(), **(pop or {})})


if __name__ == "__main__":
    main()
