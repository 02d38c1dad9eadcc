#!/usr/bin/python3
"""Sanity checks of a peer_prepare.py output directory against the rules of our spec.

Usage: /usr/bin/python3 check_peer.py OUT [--brute-force] [--sampled]

Checks the invariants (likes = top max(1, ceil(0.015 n)) in the like order, disjoint 70/20/10 splits, cold users
without splits, ownership rules, triplet and evaluation-row exclusions). --brute-force recomputes every user's
overlaps and scores from the saved matrices with dense numpy (tiny/small datasets only).
"""

import argparse
import math
import os
import pickle
import sys

import numpy as np
import scipy.sparse as sp

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        if len(failures) <= 20:
            print("FAIL:", message, file=sys.stderr)


def load(out, *parts):
    with open(os.path.join(out, *parts), "rb") as f:
        return pickle.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--brute-force", action="store_true")
    parser.add_argument("--sampled", action="store_true", help="the run used --sample-users < 1 (unsampled users have no likes)")
    args = parser.parse_args()
    out = args.out

    likes = np.load(os.path.join(out, "likes.npz"))
    lu, lp, lm, ls, lr = (likes[k] for k in ("user_idx", "playlist_idx", "match_count", "score", "rank"))
    counts = np.load(os.path.join(out, "user_song_counts_idx.npz"))
    s, e = counts["song_count"], counts["exploration"]
    p = np.load(os.path.join(out, "playlist_song_counts_idx.npz"))["song_count"]
    U = sp.load_npz(os.path.join(out, "user_matrix.npz")).tocsr()
    P = sp.load_npz(os.path.join(out, "playlist_matrix.npz")).tocsr()
    training = load(out, "positives_splits", "training_positives.pkl")
    val = load(out, "positives_splits", "val_positives.pkl")
    test = load(out, "positives_splits", "test_positives.pkl")
    cold = load(out, "positives_splits", "new_users.pkl")
    owner = load(out, "playlist_ownership", "playlist_to_owner.pkl")
    owned = load(out, "playlist_ownership", "user_owned_playlists.pkl")
    triplets = np.load(os.path.join(out, "triplets_dataset", "training_triplets_full.npy"))
    val_rows = np.load(os.path.join(out, "val_eval_batches", "val_eval_batches.npy"))
    test_rows = np.load(os.path.join(out, "val_eval_batches", "test_eval_batches.npy"))

    liked_of = {}
    for u, pl in zip(lu.tolist(), lp.tolist()):
        liked_of.setdefault(u, set()).add(pl)
    kept = set(lp.tolist())

    # likes: scores, ranks, counts (brute force: every overlapping playlist of every user)
    check(np.all(np.diff(lu) >= 0), "likes sorted by user")
    check(np.all(U.data == 1) and np.all(P.data == 1), "binary matrices")
    overlap = (U @ P.T).tocsr()
    score = ((1 - e[lu]) * np.log(1.0 + lm) + e[lu]) / (np.sqrt(s[lu].astype(float)) * np.sqrt(p[lp].astype(float)))
    check(np.array_equal(score, ls), "like scores recompute exactly")
    check(np.array_equal(np.asarray(overlap[lu, lp]).ravel(), lm), "like match counts = overlap")
    for u in (range(U.shape[0]) if args.brute_force else list(liked_of)[:200]):
        row = overlap.getrow(u)
        n = row.nnz
        liked = liked_of.get(u, set())
        if args.sampled and not liked:
            continue
        if n == 0:
            check(not liked, f"user {u} without overlap has likes")
            continue
        k = max(1, math.ceil(round(0.015 * n, 9)))
        check(len(liked) == min(k, n), f"user {u}: {len(liked)} likes, expected {k} of {n}")
        sc = ((1 - e[u]) * np.log(1.0 + row.data) + e[u]) / (np.sqrt(float(s[u])) * np.sqrt(p[row.indices].astype(float)))
        order = sorted(range(n), key=lambda i: (-sc[i], row.indices[i]))
        top = {int(row.indices[i]) for i in order[:k]}
        check(top == liked, f"user {u}: liked set differs from the top-{k} in the like order")
    check(np.all(lr >= 0), "ranks")

    # splits
    warm = set(liked_of) - cold
    check(len(cold) == int(math.floor(round(0.05 * len(liked_of), 9))), "cold users = floor(5%)")
    for u in liked_of:
        parts = [training.get(u, set()), val.get(u, set()), test.get(u, set())]
        if u in cold:
            check(not any(parts), f"cold user {u} has split positives")
            continue
        union = parts[0] | parts[1] | parts[2]
        check(union == liked_of[u], f"user {u}: splits != likes")
        check(sum(map(len, parts)) == len(union), f"user {u}: splits overlap")
        n = len(liked_of[u])
        if n < 5:
            check(len(parts[0]) == n, f"user {u}: <5 positives must all be train")
        else:
            t = int(math.floor(round(0.7 * n, 9)))
            v = int(math.floor(round(0.9 * n, 9))) - t
            check((len(parts[0]), len(parts[1])) == (t, v), f"user {u}: split sizes {len(parts[0])},{len(parts[1])} vs {t},{v}")

    # ownership
    counts_owned = {}
    for pl, u in owner.items():
        counts_owned[u] = counts_owned.get(u, 0) + 1
        check(pl in liked_of.get(u, set()), f"owner {u} does not like {pl}")
        check(pl not in val.get(u, set()), f"owner {u} owns own validation positive {pl}")
    check(all(c <= 100 for c in counts_owned.values()), "cap 100")
    check({u: len(v) for u, v in owned.items()} == counts_owned, "owned sets match owner map")
    # priority rule: walking playlists in index order, the owner is the best candidate below the cap
    cands = {}
    for u, pl, sc in zip(lu.tolist(), lp.tolist(), ls.tolist()):
        if pl in val.get(u, set()):
            continue
        cands.setdefault(pl, []).append((sc / math.sqrt(max(1, s[u])), u))
    running = {}
    for pl in sorted(cands):
        best = None
        for pr, u in sorted(cands[pl], reverse=True):
            if running.get(u, 0) < 100:
                best = u
                break
        check(owner.get(pl) == best, f"playlist {pl}: owner {owner.get(pl)} expected {best}")
        if best is not None:
            running[best] = running.get(best, 0) + 1

    # triplets
    check(len(np.unique(triplets[:, 0])) <= len(training), "triplet users")
    per_user = {}
    for u, pos, neg in triplets.tolist():
        check(pos in training.get(u, set()), f"triplet pos {pos} not a train positive of {u}")
        check(neg not in liked_of.get(u, set()), f"triplet neg {neg} liked by {u}")
        check(owner.get(neg) != u, f"triplet neg {neg} owned by {u}")
        check(neg in kept, f"triplet neg {neg} not a kept playlist")
        per_user.setdefault(u, {}).setdefault(pos, []).append(neg)
    for u, by_pos in per_user.items():
        check(set(by_pos) == training[u], f"user {u}: not every train positive has triplets")
        for pos, negs in by_pos.items():
            check(len(negs) == 4 and len(set(negs)) == 4, f"user {u} pos {pos}: {negs}")
    sample_users = list(per_user)[:50]
    for u in sample_users:
        row = overlap.getrow(u)
        negs = {n for negs in per_user[u].values() for n in negs}
        check(negs <= set(row.indices.tolist()), f"user {u}: negatives must overlap")

    # evaluation rows
    universe = set()
    for d in (training, val):
        for v in d.values():
            universe |= v
    for v in owned.values():
        universe |= v
    for rows, held, name in ((val_rows, val, "val"), (test_rows, test, "test")):
        check(len(rows) == sum(map(len, held.values())), f"{name}: one row per positive")
        for r in rows.tolist():
            u, pos, negs = r[0], r[1], [x for x in r[2:] if x >= 0]
            check(pos in held.get(u, set()), f"{name} row positive {pos} not held out for {u}")
            bad = set(negs) & (liked_of.get(u, set()) | owned.get(u, set()))
            check(not bad, f"{name} row of {u}: negatives {bad} are positives/owned")
            check(set(negs) <= universe, f"{name} row of {u}: negatives outside the universe")
            check(len(set(negs)) == len(negs), f"{name} row of {u}: duplicate negatives")
            check(len(negs) == 50 or len(negs) == len(universe - liked_of.get(u, set()) - owned.get(u, set())),
                  f"{name} row of {u}: {len(negs)} negatives")

    print(f"checked {out}: {len(failures)} failure(s); users={len(liked_of)} likes={len(lu)} "
          f"triplets={len(triplets)} val_rows={len(val_rows)} test_rows={len(test_rows)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
