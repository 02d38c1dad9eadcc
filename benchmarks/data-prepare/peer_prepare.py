#!/usr/bin/python3
"""Benchmark peer for `buddies data prepare`: the original Python preprocessing, re-implemented.

The original (original-system.md §1, notebook SpotifyBuddies_Preprocessing_AL_v2.ipynb) ran as a chain of
Colab cells. This script redoes that chain with the original's tools -- json + Python loops for the MPD
slices, pandas for ENTP/MSD, scipy.sparse CSR matrices and a batched `user_matrix[batch] @ playlist_matrix.T`,
numpy for the scores and the per-user ranking, and per-user / per-playlist Python loops over dicts, sets and
the `random` module for splits, ownership, triplets and evaluation batches -- with the bug fixes that our
specification requires, so that both sides do the same work:

  * liked = top max(1, ceil(0.015*n)) per user, ties by playlist index (the original relied on polars'
    unspecified tie order), with ceil/floor snapped over float noise (0.015*200 = 3, int(0.9*10) = 9);
  * playlists are sets of songs and libraries sets of songs (duplicates count once);
  * cold users 5 %, split 70/20/10 (< 5 positives -> all train);
  * ownership: priority score/sqrt(s), ties to the higher user index, cap 100, playlists in index order,
    a user's own validation positives excluded;
  * negatives = overlapping kept playlists that the user neither likes (any split) nor owns; hard = the top
    max(1, floor(0.2*len)) by the like order; 4 per train positive (2 hard + 2 easy, topped up from the
    unused hard ones when easy is short, instead of dropping the positive);
  * validation AND test batches of 50 negatives drawn from (all train/validation positives and owned
    playlists) minus the user's validation, train and test positives and owned playlists.

It prints one JSON line per finished phase on stderr (`PEER-PHASE {...}`) and, at the end, one JSON line on
stdout: {"phases": {name: wall seconds}, "total": seconds, "counts": {...}, "phases_cpu": {name: CPU seconds}}. Peak memory is measured outside
(/usr/bin/time -v). The random streams differ from ours (Python's `random` / numpy's legacy RandomState, both
seeded), so the outputs are of the same kinds and sizes but not byte-identical.

Run with Debian's interpreter and packages: /usr/bin/python3 (python3-numpy, python3-scipy, python3-pandas).
"""

import argparse
import glob
import json
import math
import os
import pickle
import random
import re
import shutil
import sys
import time
from array import array

import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp

try:  # Parquet when pyarrow is there (it is not packaged in Debian 12); .npz / pickle otherwise, like the original.
    import pyarrow  # noqa: F401

    HAVE_PYARROW = True
except ImportError:
    HAVE_PYARROW = False

LIKED_FRACTION = 0.015
EXPLORATION_ALPHA, EXPLORATION_BETA = 1.3, 3.3
COLD_FRACTION = 0.05
TRAIN_FRACTION, VALIDATION_FRACTION = 0.7, 0.2
MIN_POSITIVES_TO_SPLIT = 5
OWNERSHIP_CAP = 100
HARD_FRACTION = 0.2
NEGATIVES_PER_POSITIVE, HARD_PER_POSITIVE = 4, 2
EVAL_NEGATIVES = 50
MISSING = -1  # pads an evaluation row with fewer than EVAL_NEGATIVES eligible playlists

SLICE_NAME = re.compile(r"mpd\.slice\.(\d+)-(\d+)\.json$")


# ---------------------------------------------------------------------------------------------------------
# small helpers


def _snap(product):
    nearest = np.round(product)
    noise = np.abs(product - nearest) <= np.maximum(1e-9, 1e-12 * np.abs(product))
    return nearest, noise


def floor_fraction(fraction, n):
    """floor(fraction*n), snapped to the integer within float noise (works on scalars and arrays)."""
    product = fraction * np.asarray(n, dtype=np.float64)
    nearest, noise = _snap(product)
    return np.where(noise, nearest, np.floor(product)).astype(np.int64)


def ceil_fraction(fraction, n):
    product = fraction * np.asarray(n, dtype=np.float64)
    nearest, noise = _snap(product)
    return np.where(noise, nearest, np.ceil(product)).astype(np.int64)


class Phases:
    """perf_counter (wall) and process_time (CPU) per phase; one progress line per finished phase on stderr, so
    a run stopped by a timeout still tells which phases it completed."""

    def __init__(self):
        self.start = time.perf_counter()
        self.last = self.start
        self.last_cpu = time.process_time()
        self.seconds = {}
        self.cpu_seconds = {}

    def end(self, name, **extra):
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[name] = round(now - self.last, 3)
        self.cpu_seconds[name] = round(cpu - self.last_cpu, 3)
        self.last, self.last_cpu = now, cpu
        line = {"phase": name, "seconds": self.seconds[name], "cpu_seconds": self.cpu_seconds[name],
                "elapsed": round(now - self.start, 3)}
        line.update(extra)
        print("PEER-PHASE " + json.dumps(line), file=sys.stderr, flush=True)

    def total(self):
        return round(time.perf_counter() - self.start, 3)


def log(message):
    print(f"[peer] {message}", file=sys.stderr, flush=True)


def find_slices(root):
    for folder in (os.path.join(root, "mpd", "data"), os.path.join(root, "mpd")):
        files = [f for f in glob.glob(os.path.join(folder, "mpd.slice.*.json")) if SLICE_NAME.search(f)]
        if files:
            # numeric slice order (the original used os.listdir order; our spec fixes it to slice order)
            return sorted(files, key=lambda f: (int(SLICE_NAME.search(f).group(1)), f))
    raise SystemExit(f"no mpd.slice.*.json under {root}/mpd or {root}/mpd/data")


def find_msd(root, explicit):
    if explicit:
        return explicit
    for name in ("song_data.csv", "unique_tracks.txt"):  # the original joined song_data.csv
        path = os.path.join(root, "msd", name)
        if os.path.exists(path):
            return path
    raise SystemExit(f"no msd/song_data.csv or msd/unique_tracks.txt under {root}")


def write_table(directory, name, columns):
    """A table: Parquet via pandas when pyarrow exists, else an uncompressed .npz of its columns."""
    if HAVE_PYARROW:
        path = os.path.join(directory, name + ".parquet")
        pd.DataFrame(columns).to_parquet(path, index=False)
    else:
        path = os.path.join(directory, name + ".npz")
        np.savez(path, **columns)
    return path


def dump_pickle(path, value):
    with open(path, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)


# ---------------------------------------------------------------------------------------------------------
# phase 1: load / parse


def read_msd(path):
    if path.endswith(".csv"):
        msd = pd.read_csv(path, usecols=["song_id", "title", "artist_name"], dtype=str, keep_default_na=False)
    else:  # unique_tracks.txt: track_id<SEP>song_id<SEP>artist<SEP>title
        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("<SEP>")
                if len(parts) == 4:
                    rows.append((parts[1], parts[3], parts[2]))
        msd = pd.DataFrame(rows, columns=["song_id", "title", "artist_name"])
    # The first row of a song id wins; a blank title or artist drops the song (as the original's dropna did).
    msd = msd.drop_duplicates("song_id", keep="first")
    title = msd["title"].str.strip().str.lower()
    artist = msd["artist_name"].str.strip().str.lower()
    msd = msd.assign(song_key=title + "@@" + artist)
    msd = msd[(title != "") & (artist != "")]
    return msd[["song_id", "song_key"]]


def read_entp(path, msd):
    entp = pd.read_csv(path, sep="\t", header=None, names=["user_id", "song_id", "play_count"], usecols=[0, 1],
                       dtype=str, engine="c", na_filter=False)
    rows = len(entp)
    merged = entp.merge(msd, on="song_id", how="left")  # play counts are never used
    merged = merged[merged["song_key"].notna()]
    # user_idx = first appearance among rows with a known song; song keys factorised for the index phase
    user_codes, user_ids = pd.factorize(merged["user_id"], sort=False)
    key_codes, keys = pd.factorize(merged["song_key"], sort=False)
    return {
        "rows": rows,
        "user_codes": user_codes.astype(np.int32),
        "user_ids": list(user_ids),
        "key_codes": key_codes.astype(np.int32),
        "keys": list(keys),
    }


def parse_mpd(slices):
    """json.load per slice and Python loops over playlists and tracks, as the original did."""
    key_ids = {}
    rows = array("i")
    cols = array("i")
    pids = array("i")
    names = []
    tracks = 0
    counter = 0
    for path in slices:
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
        for playlist in data["playlists"]:
            pids.append(playlist["pid"])
            names.append(playlist.get("name", ""))
            for track in playlist["tracks"]:
                tracks += 1
                title = (track.get("track_name") or "").strip().lower()
                artist = (track.get("artist_name") or "").strip().lower()
                if title and artist:
                    key = f"{title}@@{artist}"
                    song = key_ids.get(key)
                    if song is None:
                        song = key_ids[key] = len(key_ids)
                    rows.append(counter)
                    cols.append(song)
            counter += 1
        del data
    return {
        "playlists": counter,
        "tracks": tracks,
        "rows": np.frombuffer(rows, dtype=np.int32),
        "cols": np.frombuffer(cols, dtype=np.int32),
        "keys": list(key_ids),
        "pids": np.frombuffer(pids, dtype=np.int32),
        "names": names,
    }


# ---------------------------------------------------------------------------------------------------------
# phase 2: song index + sparse matrices


def binary_csr(rows, cols, shape):
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=shape)  # sums duplicates
    matrix.sum_duplicates()
    matrix.data[:] = 1  # a set of songs: a repeated track (or two song ids with one key) counts once
    return matrix


def build_matrices(entp, mpd):
    all_keys = sorted(set(entp["keys"]) | set(mpd["keys"]))
    song_to_id = {key: i for i, key in enumerate(all_keys)}
    entp_map = np.fromiter((song_to_id[k] for k in entp["keys"]), dtype=np.int32, count=len(entp["keys"]))
    mpd_map = np.fromiter((song_to_id[k] for k in mpd["keys"]), dtype=np.int32, count=len(mpd["keys"]))
    n_users, n_songs = len(entp["user_ids"]), len(all_keys)
    user_matrix = binary_csr(entp["user_codes"], entp_map[entp["key_codes"]], (n_users, n_songs))
    playlist_matrix = binary_csr(mpd["rows"], mpd_map[mpd["cols"]], (mpd["playlists"], n_songs))
    playlist_matrix_t = playlist_matrix.transpose().tocsr()  # as the original: song x playlist, CSR
    shared = len(set(entp["keys"]) & set(mpd["keys"]))
    return song_to_id, user_matrix, playlist_matrix, playlist_matrix_t, shared


# ---------------------------------------------------------------------------------------------------------
# phase 3: overlap (batched sparse product) + score + like labels


def overlap_and_likes(users, user_matrix, playlist_matrix_t, user_songs, playlist_songs, exploration, batch_users,
                      work_dir):
    """For each batch of users: m = U[batch] . P^T (scipy CSR product), the score, the like order (score
    descending, playlist ascending) and label = rank < max(1, ceil(0.015 n)). Like the original's
    labeled_*.parquet slices, each batch's labeled pairs go to disk (playlist_idx in like order, label, per-user
    offsets) and are read again by the negatives phase; the likes are also kept in memory."""
    sqrt_p = np.sqrt(playlist_songs.astype(np.float64))
    likes = {"user": [], "playlist": [], "matches": [], "score": [], "rank": []}
    batches = []
    pairs = 0
    for start in range(0, len(users), batch_users):
        batch = users[start:start + batch_users]
        overlap = user_matrix[batch] @ playlist_matrix_t  # CSR (batch x playlists), data = m
        overlap.sort_indices()  # playlist ascending inside each row: the tie order of the stable sort below
        indptr = overlap.indptr.astype(np.int64)
        counts = np.diff(indptr)
        nnz = int(indptr[-1])
        pairs += nnz
        local = np.repeat(np.arange(len(batch), dtype=np.int32), counts)
        m = overlap.data
        # score = ((1 - e) ln(1 + m) + e) / (sqrt(s) sqrt(p)), computed in place to bound the batch's memory
        score = m.astype(np.float64)
        score += 1.0
        np.log(score, out=score)
        e = exploration[batch][local]
        score *= 1.0 - e
        score += e
        denominator = np.sqrt(user_songs[batch].astype(np.float64))[local]
        denominator *= sqrt_p[overlap.indices]
        score /= denominator
        del e, denominator
        np.negative(score, out=score)
        order = np.lexsort((score, local))  # user, then score descending; stable -> playlist ascending
        np.negative(score, out=score)
        del local
        # the first top_k of each user's row in the like order are liked (label 1), the rest label 0
        top_k = np.minimum(np.maximum(1, ceil_fraction(LIKED_FRACTION, counts)), counts)
        liked_rank = np.arange(int(top_k.sum()), dtype=np.int64) - np.repeat(np.cumsum(top_k) - top_k, top_k)
        liked_pos = np.repeat(indptr[:-1], top_k) + liked_rank  # positions in the sorted order
        label = np.zeros(nnz, dtype=np.int8)
        label[liked_pos] = 1
        playlist_sorted = overlap.indices[order]
        liked_at = order[liked_pos]
        likes["user"].append(np.repeat(batch, top_k).astype(np.int32))
        likes["playlist"].append(playlist_sorted[liked_pos])
        likes["matches"].append(m[liked_at].astype(np.int32))
        likes["score"].append(score[liked_at])
        likes["rank"].append(liked_rank.astype(np.int32))
        del order, score, m, overlap
        stem = os.path.join(work_dir, f"labeled_{start}_{start + len(batch)}")
        np.save(stem + "_playlist.npy", playlist_sorted)
        np.save(stem + "_label.npy", label)
        np.save(stem + "_indptr.npy", indptr)
        batches.append((stem, batch))
        del playlist_sorted, label, liked_at
    likes = {k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int32)) for k, v in likes.items()}
    return likes, batches, pairs


# ---------------------------------------------------------------------------------------------------------
# phase 4: downscale (kept playlists) + cold users + 70/20/10 splits


def splits(likes, rng):
    kept = np.unique(likes["playlist"])  # playlists liked by some kept user; the others are dropped
    users_sorted = likes["user"]
    bounds = np.flatnonzero(np.diff(users_sorted)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(users_sorted)]))
    user_list = users_sorted[starts].tolist()
    positives_of = {}
    playlists = likes["playlist"]
    for user, a, b in zip(user_list, starts.tolist(), ends.tolist()):
        positives_of[user] = playlists[a:b]

    all_users = sorted(positives_of)
    rng.shuffle(all_users)
    n_cold = int(floor_fraction(COLD_FRACTION, len(all_users)))
    new_users = set(all_users[:n_cold])
    training, val, test = {}, {}, {}
    for user in all_users[n_cold:]:
        positives = sorted(positives_of[user].tolist())
        if len(positives) < MIN_POSITIVES_TO_SPLIT:
            training[user] = set(positives)
            continue
        rng.shuffle(positives)
        total = len(positives)
        train_cut = int(floor_fraction(TRAIN_FRACTION, total))
        val_cut = int(floor_fraction(TRAIN_FRACTION + VALIDATION_FRACTION, total))
        training[user] = set(positives[:train_cut])
        if val_cut > train_cut:
            val[user] = set(positives[train_cut:val_cut])
        if total > val_cut:
            test[user] = set(positives[val_cut:])
    return kept, new_users, training, val, test


# ---------------------------------------------------------------------------------------------------------
# phase 5: ownership


def ownership(likes, val, user_songs, n_playlists):
    # candidates: every like except the user's own validation positives (cold users and test positives included)
    like_key = likes["user"].astype(np.int64) * n_playlists + likes["playlist"]
    val_key = np.fromiter((u * n_playlists + p for u, ps in val.items() for p in ps), dtype=np.int64)
    candidate = ~np.isin(like_key, val_key)
    cu = likes["user"][candidate]
    cp = likes["playlist"][candidate]
    priority = likes["score"][candidate] / np.sqrt(np.maximum(1, user_songs[cu]).astype(np.float64))
    # each playlist's candidates sorted by (priority, user) descending, playlists in index order
    order = np.lexsort((-cu, -priority, cp))
    cu = cu[order].tolist()
    cp = cp[order]
    bounds = np.flatnonzero(np.diff(cp)) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    ends = np.concatenate((bounds, [len(cp)])).tolist()
    playlists = cp[np.asarray(starts, dtype=np.int64)].tolist() if len(cp) else []

    playlist_to_owner = {}
    user_owned_playlists = {}
    owned_count = {}
    unowned_with_candidates = 0
    for playlist, a, b in zip(playlists, starts, ends):
        for j in range(a, b):
            user = cu[j]
            if owned_count.get(user, 0) < OWNERSHIP_CAP:
                playlist_to_owner[playlist] = user
                owned_count[user] = owned_count.get(user, 0) + 1
                user_owned_playlists.setdefault(user, set()).add(playlist)
                break
        else:
            unowned_with_candidates += 1
    return playlist_to_owner, user_owned_playlists, unowned_with_candidates


# ---------------------------------------------------------------------------------------------------------
# phase 6: negative pools + triplets


def negatives_and_triplets(batches, kept, training, playlist_to_owner, n_playlists, rng, seed):
    kept_mask = np.zeros(n_playlists, dtype=bool)
    kept_mask[kept] = True
    owner_of = np.full(n_playlists, -1, dtype=np.int32)
    if playlist_to_owner:
        owner_of[np.fromiter(playlist_to_owner.keys(), dtype=np.int64)] = np.fromiter(
            playlist_to_owner.values(), dtype=np.int64)

    t_user, t_pos, t_neg = array("i"), array("i"), array("i")
    outcomes = {"sampled": 0, "no_negative_pool": 0, "pool_too_small": 0}
    for stem, batch in batches:
        playlist = np.load(stem + "_playlist.npy")
        label = np.load(stem + "_label.npy").view(bool)
        indptr = np.load(stem + "_indptr.npy")
        local = np.repeat(np.arange(len(batch), dtype=np.int32), np.diff(indptr))
        # pool: label 0 (not liked in any split), kept playlist, not owned by the user; stays in like order
        keep = kept_mask[playlist]
        keep &= ~label
        keep &= owner_of[playlist] != batch.astype(np.int32)[local]
        pool_playlist = playlist[keep]
        pool_counts = np.bincount(local[keep], minlength=len(batch))
        pool_starts = np.concatenate(([0], np.cumsum(pool_counts)[:-1]))
        hard_counts = np.minimum(np.maximum(1, floor_fraction(HARD_FRACTION, pool_counts)), pool_counts)
        del playlist, label, local, keep
        for i, user in enumerate(batch.tolist()):
            train = training.get(user)
            if not train:  # cold users, users without train positives
                continue
            n = int(pool_counts[i])
            if n == 0:
                outcomes["no_negative_pool"] += 1
                continue
            if n < NEGATIVES_PER_POSITIVE:
                outcomes["pool_too_small"] += 1
                continue
            a, h = int(pool_starts[i]), int(hard_counts[i])
            hard = pool_playlist[a:a + h].tolist()
            easy = pool_playlist[a + h:a + n].tolist()
            from_hard = min(HARD_PER_POSITIVE, len(hard))
            from_easy = NEGATIVES_PER_POSITIVE - from_hard
            if from_easy > len(easy):
                from_easy = len(easy)
                from_hard = NEGATIVES_PER_POSITIVE - from_easy
            users4 = (user,) * NEGATIVES_PER_POSITIVE
            for positive in sorted(train):
                t_user.extend(users4)
                t_pos.extend((positive,) * NEGATIVES_PER_POSITIVE)
                t_neg.extend(rng.sample(hard, from_hard))
                t_neg.extend(rng.sample(easy, from_easy))
            outcomes["sampled"] += 1
        del pool_playlist

    # all slices concatenated into one int64 [N, 3] table and shuffled (the original: torch randperm, seed 42)
    triplets = np.empty((len(t_user), 3), dtype=np.int64)
    triplets[:, 0] = np.frombuffer(t_user, dtype=np.int32)
    triplets[:, 1] = np.frombuffer(t_pos, dtype=np.int32)
    triplets[:, 2] = np.frombuffer(t_neg, dtype=np.int32)
    del t_user, t_pos, t_neg
    triplets = triplets[np.random.RandomState(seed).permutation(len(triplets))]
    return triplets, outcomes


# ---------------------------------------------------------------------------------------------------------
# phase 7: validation and test batches


def evaluation_batches(training, val, test, user_owned_playlists, n_playlists, rng):
    """For each user with validation or test positives (ascending): pool = all_playlists - (val | train | test |
    owned) of the user, then random.sample(pool, 50) per held-out positive (validation rows, then test rows)."""
    # all_playlists: every warm user's train and validation positives and every owned playlist
    universe_set = set()
    for positives in training.values():
        universe_set.update(positives)
    for positives in val.values():
        universe_set.update(positives)
    for owned in user_owned_playlists.values():
        universe_set.update(owned)
    universe = np.fromiter(sorted(universe_set), dtype=np.int64, count=len(universe_set))
    excluded_mask = np.zeros(n_playlists, dtype=bool)
    empty = set()
    tables = {"val": array("i"), "test": array("i")}
    short = 0
    for user in sorted(set(val) | set(test)):
        held = {"val": val.get(user, empty), "test": test.get(user, empty)}
        excluded = held["val"] | held["test"] | training.get(user, empty) | user_owned_playlists.get(user, empty)
        marks = np.fromiter(excluded, dtype=np.int64, count=len(excluded))
        excluded_mask[marks] = True
        pool = universe[~excluded_mask[universe]]  # the set difference, over the sorted universe
        excluded_mask[marks] = False
        size = len(pool)
        take = min(EVAL_NEGATIVES, size)
        pad = (MISSING,) * (EVAL_NEGATIVES - take)
        for name in ("val", "test"):
            flat = tables[name]
            for positive in sorted(held[name]):
                picks = rng.sample(range(size), take)  # random.sample(pool, 50)
                flat.append(user)
                flat.append(positive)
                flat.extend(pool[picks].tolist())
                if pad:
                    flat.extend(pad)
                    short += 1

    def as_table(flat):
        return np.frombuffer(flat, dtype=np.int32).reshape(-1, EVAL_NEGATIVES + 2) if len(flat) else \
            np.zeros((0, EVAL_NEGATIVES + 2), dtype=np.int32)

    return as_table(tables["val"]), as_table(tables["test"]), len(universe), short


# ---------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", help="dataset root with mpd/, entp/train_triplets.txt, msd/song_data.csv")
    parser.add_argument("--out", required=True, help="output directory (replaced if it exists)")
    parser.add_argument("--sample-users", type=float, default=1.0, help="fraction of users kept (default 1.0)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-users", type=int, default=10000, help="users per sparse-product batch (original: 10000)")
    parser.add_argument("--msd", help="MSD metadata file (default: msd/song_data.csv, as the original)")
    parser.add_argument("--work-dir", help="where the labeled batch files go (default: OUT/labeled_slices)")
    parser.add_argument("--keep-work", action="store_true", help="keep the labeled batch files")
    args = parser.parse_args()
    if not (0 < args.sample_users <= 1):
        parser.error("--sample-users must be in (0, 1]")

    phases = Phases()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    work_dir = args.work_dir or os.path.join(args.out, "labeled_slices")
    os.makedirs(work_dir, exist_ok=True)
    rng = random.Random(args.seed)  # random.seed(42) in the original cells
    log(f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}, "
        f"pyarrow {'yes' if HAVE_PYARROW else 'no'}")

    # 1. load / parse --------------------------------------------------------------------------------------
    slices = find_slices(args.root)
    msd = read_msd(find_msd(args.root, args.msd))
    entp = read_entp(os.path.join(args.root, "entp", "train_triplets.txt"), msd)
    msd_songs = len(msd)
    del msd
    mpd = parse_mpd(slices)
    phases.end("load/parse", slices=len(slices), playlists=mpd["playlists"], tracks=mpd["tracks"],
               entp_rows=entp["rows"])

    # 2. song index + matrices -----------------------------------------------------------------------------
    song_to_id, user_matrix, playlist_matrix, playlist_matrix_t, shared = build_matrices(entp, mpd)
    user_ids = entp["user_ids"]
    pids, names = mpd["pids"], mpd["names"]
    del entp, mpd
    n_users, n_playlists = user_matrix.shape[0], playlist_matrix.shape[0]
    user_songs = np.diff(user_matrix.indptr).astype(np.int64)  # s: unique songs per user
    playlist_songs = np.diff(playlist_matrix.indptr).astype(np.int64)  # p: unique songs per playlist
    np.random.seed(args.seed)  # the original: np.random.seed(42); one Beta(1.3, 3.3) draw per user
    exploration = np.random.beta(EXPLORATION_ALPHA, EXPLORATION_BETA, size=n_users)
    if args.sample_users < 1:
        in_some_playlist = (np.diff(playlist_matrix_t.indptr) > 0).astype(np.int32)
        eligible = np.flatnonzero(user_matrix @ in_some_playlist).tolist()
        keep = max(1, int(floor_fraction(args.sample_users, len(eligible))))
        users = np.array(sorted(rng.sample(eligible, keep)), dtype=np.int64)
    else:
        users = np.arange(n_users, dtype=np.int64)
    phases.end("index+matrices", users=n_users, playlists=n_playlists, songs=len(song_to_id), shared_songs=shared)

    # 3. overlap + score + likes ---------------------------------------------------------------------------
    likes, batches, pairs = overlap_and_likes(users, user_matrix, playlist_matrix_t, user_songs, playlist_songs,
                                              exploration, args.batch_users, work_dir)
    phases.end("overlap+score+likes", pairs=pairs, likes=len(likes["user"]), batches=len(batches))

    # 4. downscale + splits --------------------------------------------------------------------------------
    kept, new_users, training, val, test = splits(likes, rng)
    phases.end("downscale/splits", kept_playlists=len(kept), cold_users=len(new_users))

    # 5. ownership -----------------------------------------------------------------------------------------
    playlist_to_owner, user_owned_playlists, unowned_with_candidates = ownership(likes, val, user_songs, n_playlists)
    phases.end("ownership", owners=len(user_owned_playlists), owned=len(playlist_to_owner))

    # 6. negatives + triplets ------------------------------------------------------------------------------
    triplets, outcomes = negatives_and_triplets(batches, kept, training, playlist_to_owner, n_playlists, rng, args.seed)
    phases.end("negatives+triplets", triplets=len(triplets))

    # 7. validation / test batches -------------------------------------------------------------------------
    val_rows, test_rows, universe, short_rows = evaluation_batches(training, val, test, user_owned_playlists,
                                                                   n_playlists, rng)
    phases.end("val/test batches", validation_rows=len(val_rows), test_rows=len(test_rows))

    # 8. write ---------------------------------------------------------------------------------------------
    out = args.out
    for sub in ("positives_splits", "playlist_ownership", "triplets_dataset", "val_eval_batches"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    dump_pickle(os.path.join(out, "song_to_id.pkl"), song_to_id)
    write_table(out, "idx_to_user", {"user_idx": np.arange(n_users, dtype=np.int32),
                                     "user_id": np.array(user_ids, dtype=object if HAVE_PYARROW else str)})
    write_table(out, "idx_to_playlist", {"playlist_idx": np.arange(n_playlists, dtype=np.int32), "playlist_id": pids})
    dump_pickle(os.path.join(out, "playlist_names.pkl"), names)
    sp.save_npz(os.path.join(out, "user_matrix.npz"), user_matrix, compressed=False)
    sp.save_npz(os.path.join(out, "playlist_matrix.npz"), playlist_matrix, compressed=False)
    write_table(out, "user_song_counts_idx", {"user_idx": np.arange(n_users, dtype=np.int32), "song_count": user_songs,
                                              "exploration": exploration})
    write_table(out, "playlist_song_counts_idx", {"playlist_idx": np.arange(n_playlists, dtype=np.int32),
                                                  "song_count": playlist_songs})
    write_table(out, "likes", {"user_idx": likes["user"].astype(np.int32), "playlist_idx": likes["playlist"],
                               "match_count": likes["matches"], "score": likes["score"], "rank": likes["rank"]})
    dump_pickle(os.path.join(out, "selected_user_ids.pkl"), set(np.unique(likes["user"]).tolist()))
    dump_pickle(os.path.join(out, "positives_splits", "training_positives.pkl"), training)
    dump_pickle(os.path.join(out, "positives_splits", "val_positives.pkl"), val)
    dump_pickle(os.path.join(out, "positives_splits", "test_positives.pkl"), test)
    dump_pickle(os.path.join(out, "positives_splits", "new_users.pkl"), new_users)
    dump_pickle(os.path.join(out, "playlist_ownership", "playlist_to_owner.pkl"), playlist_to_owner)
    dump_pickle(os.path.join(out, "playlist_ownership", "user_owned_playlists.pkl"), user_owned_playlists)
    np.save(os.path.join(out, "triplets_dataset", "training_triplets_full.npy"), triplets)
    np.save(os.path.join(out, "val_eval_batches", "val_eval_batches.npy"), val_rows)
    np.save(os.path.join(out, "val_eval_batches", "test_eval_batches.npy"), test_rows)
    if not args.keep_work:
        shutil.rmtree(work_dir, ignore_errors=True)
    phases.end("write")

    songs_used = np.zeros(len(song_to_id), dtype=bool)
    kept_users = np.unique(likes["user"])
    songs_used[user_matrix[kept_users].indices] = True
    songs_used[playlist_matrix[kept].indices] = True
    counts = {
        "users": int(len(kept_users)),
        "playlists": int(len(kept)),
        "songs": int(songs_used.sum()),
        "likes": int(len(likes["user"])),
        "cold_users": len(new_users),
        "train_positives": sum(len(v) for v in training.values()),
        "validation_positives": sum(len(v) for v in val.values()),
        "test_positives": sum(len(v) for v in test.values()),
        "owners": len(user_owned_playlists),
        "owned_playlists": len(playlist_to_owner),
        "unowned_playlists": int(len(kept) - len(playlist_to_owner)),
        "unowned_with_candidates": unowned_with_candidates,
        "triplets": int(len(triplets)),
        "validation_rows": int(len(val_rows)),
        "test_rows": int(len(test_rows)),
        "short_evaluation_rows": int(short_rows),
        "evaluation_universe": int(universe),
        "overlap_pairs": int(pairs),
        "indexed_users": int(n_users),
        "mpd_playlists": int(n_playlists),
        "song_keys": len(song_to_id),
        "shared_song_keys": int(shared),
        "msd_songs": int(msd_songs),
        "triplet_users_sampled": outcomes["sampled"],
        "triplet_users_no_pool": outcomes["no_negative_pool"],
        "triplet_users_pool_too_small": outcomes["pool_too_small"],
    }
    result = {"phases": phases.seconds, "total": phases.total(), "counts": counts, "phases_cpu": phases.cpu_seconds,
              "tool": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                       "pandas": pd.__version__, "pyarrow": HAVE_PYARROW}}
    with open(os.path.join(out, "peer_result.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
