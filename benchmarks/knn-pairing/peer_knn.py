#!/usr/bin/env python3
"""KNN-pairing peer (see README.md): the original's method and the usual ANN libraries, on the exact data our
engines used (exported by harness/Program.cs into WORK).

  peer_knn.py WORK [--k 100] [--query-users N] [--threads T] [--skip-sklearn] [--skip-ann]

* sklearn: NearestNeighbors(n_neighbors=K+1, metric='cosine', algorithm='brute', n_jobs=-1) fitted on the binary
  user x song CSR matrix, kneighbors() for the first N users (default all), self dropped. Timed (fit + kneighbors)
  and compared with our exact engine's lists (exact_*.i32/f32) for the same users:
    - users sharing no song with the query come back from sklearn at distance 1.0; ours omits them, so only
      similarity > 0 neighbours are compared;
    - ties at the K-th similarity are equivalent: a list "agrees" when both hold the same number of positive
      neighbours, every neighbour strictly above the K-th similarity is in both, and every neighbour of either
      list has a similarity >= the K-th (1e-5 tolerance; sklearn computes in float64, ours reports float32).
* hnswlib (M, efConstruction, ef as given) and faiss IndexHNSWFlat (same M/efC/efSearch, inner product) on OUR
  approximate engine's vectors (vectors.npy, empty users dropped): build + query-all timed; recall@K against numpy
  brute force on the same vectors for the sampled users (sample.i32), and against our exact sparse lists.
  Our approximate engine's lists (approx_*.i32) get the same recall measurements here, independently of the
  harness's own.

Writes WORK/peer.json.
"""
import argparse
import json
import os
import time

import numpy as np
import scipy.sparse as sp

EPS = 1e-5


def load_lists(work, name, users, k):
    nb = np.fromfile(os.path.join(work, name + "_nb.i32"), dtype=np.int32).reshape(users, k)
    sim = np.fromfile(os.path.join(work, name + "_sim.f32"), dtype=np.float32).reshape(users, k)
    cnt = np.fromfile(os.path.join(work, name + "_cnt.i32"), dtype=np.int32)
    return nb, sim, cnt


def drop_self(labels, queries, k):
    """Rows of K+1 labels -> K labels without the query itself (or without the last when self is not there)."""
    out = np.empty((len(queries), k), dtype=np.int64)
    for i, q in enumerate(queries):
        row = labels[i]
        hit = np.nonzero(row == q)[0]
        out[i] = np.delete(row, hit[0]) if len(hit) else row[:k]
    return out


def recall(found, truth):
    """Mean |found ∩ truth| / |truth| over rows (truth rows may contain -1 padding)."""
    scores = []
    for f, t in zip(found, truth):
        t = set(int(x) for x in t if x >= 0)
        if not t:
            continue
        scores.append(len(t & set(int(x) for x in f if x >= 0)) / len(t))
    return float(np.mean(scores)) if scores else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--query-users", type=int, default=0, help="sklearn: query only the first N users (0: all)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--efc", type=int, default=200)
    ap.add_argument("--ef", type=int, default=100)
    ap.add_argument("--skip-sklearn", action="store_true")
    ap.add_argument("--skip-ann", action="store_true")
    a = ap.parse_args()
    k, work = a.k, a.work
    out = {"k": k, "threads": a.threads}
    ours = json.load(open(os.path.join(work, "ours.json")))
    users, songs = ours["users"], ours["songs"]

    offsets = np.fromfile(os.path.join(work, "csr_offsets.i32"), dtype=np.int32)
    indices = np.fromfile(os.path.join(work, "csr_songs.i32"), dtype=np.int32)
    X = sp.csr_matrix((np.ones(len(indices), dtype=np.float64), indices, offsets), shape=(users, songs))
    exact_nb, exact_sim, exact_cnt = load_lists(work, "exact", users, k)

    # ---------------------------------------------------------------------------------------------- sklearn
    if not a.skip_sklearn:
        from sklearn import __version__ as skv
        from sklearn.neighbors import NearestNeighbors

        nq = users if a.query_users <= 0 else min(a.query_users, users)
        queries = np.arange(nq)
        t0 = time.perf_counter()
        nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute", n_jobs=-1).fit(X)
        t1 = time.perf_counter()
        dist, lab = nn.kneighbors(X[:nq])
        t2 = time.perf_counter()
        print(f"sklearn {skv}: fit {t1 - t0:.2f}s, kneighbors({nq} users) {t2 - t1:.2f}s", flush=True)
        agree = strict = 0
        compared = 0
        max_sim_diff = 0.0
        disagreements = []
        for q in queries:
            row, d = lab[q], dist[q]
            keep = row != q
            row, s = row[keep][:k], 1.0 - d[keep][:k]
            pos = s > 1e-9
            row, s = row[pos], s[pos]
            c = exact_cnt[q]
            o, os_ = exact_nb[q, :c], exact_sim[q, :c].astype(np.float64)
            compared += 1
            so, ss = set(o.tolist()), set(row.tolist())
            common = so & ss
            if common:
                om = dict(zip(o.tolist(), os_.tolist()))
                sm = dict(zip(row.tolist(), s.tolist()))
                max_sim_diff = max(max_sim_diff, max(abs(om[v] - sm[v]) for v in common))
            if so == ss:
                strict += 1
                agree += 1
                continue
            ok = len(row) == c
            if ok and c == k:
                t = os_[-1]
                ok = all(v in ss for v, x in zip(o.tolist(), os_.tolist()) if x > t + EPS) \
                    and all(v in so for v, x in zip(row.tolist(), s.tolist()) if x > t + EPS) \
                    and s.min() >= t - EPS and os_.min() >= t - EPS
            elif ok:
                ok = False  # fewer than K positive neighbours: the sets must be identical
            agree += ok
            if not ok and len(disagreements) < 5:
                disagreements.append({"user": int(q), "ours": int(c), "sklearn_positive": int(len(row)),
                                      "only_ours": sorted(so - ss)[:5], "only_sklearn": sorted(ss - so)[:5]})
        out["sklearn"] = {
            "version": skv, "query_users": int(nq), "all_users": nq == users,
            "fit_s": t1 - t0, "kneighbors_s": t2 - t1, "total_s": t2 - t0,
            "agreement_tie_aware": agree / compared, "agreement_strict": strict / compared,
            "max_similarity_diff": max_sim_diff, "disagreement_examples": disagreements,
        }
        print(json.dumps(out["sklearn"], indent=1), flush=True)
        del dist, lab, nn

    # ---------------------------------------------------------------------------------------------- ANN peers
    if not a.skip_ann:
        import hnswlib

        V = np.load(os.path.join(work, "vectors.npy"))
        keep = np.nonzero(np.abs(V).sum(axis=1) > 0)[0]  # empty users: zero rows, not indexed by ours either
        Vk = np.ascontiguousarray(V[keep])
        n, d = Vk.shape
        sample = np.fromfile(os.path.join(work, "sample.i32"), dtype=np.int32)
        pos_of = np.full(users, -1, dtype=np.int64)
        pos_of[keep] = np.arange(n)
        sq = pos_of[sample]
        assert (sq >= 0).all()
        # Brute force on the same vectors for the sampled users (the recall reference).
        sims = Vk[sq] @ Vk.T
        sims[np.arange(len(sq)), sq] = -np.inf
        brute = keep[np.argsort(-sims, axis=1, kind="stable")[:, :k]]
        del sims
        harness_dense = np.fromfile(os.path.join(work, "dense_exact_nb.i32"), dtype=np.int32).reshape(len(sample), k)
        out["dense_reference"] = {"sample_users": int(len(sample)),
                                  "numpy_vs_harness_bruteforce_overlap": recall(brute, harness_dense)}
        exact_sample = np.where(np.arange(k)[None, :] < exact_cnt[sample][:, None], exact_nb[sample], -1)

        approx_nb, _, _ = load_lists(work, "approx", users, k)
        out["ours_approx"] = {
            "recall_vs_bruteforce_same_vectors": recall(approx_nb[sample], brute),
            "recall_vs_exact_sparse_sample": recall(approx_nb[sample], exact_sample),
            "build_plus_query_s": ours["approx_build_s"] + ours["approx_query_s"],
        }
        out["bruteforce_same_vectors"] = {"recall_vs_exact_sparse_sample": recall(brute, exact_sample)}

        p = hnswlib.Index(space="ip", dim=d)
        p.init_index(max_elements=n, ef_construction=a.efc, M=a.m, random_seed=100)
        p.set_num_threads(a.threads)
        t0 = time.perf_counter()
        p.add_items(Vk, np.arange(n))
        t1 = time.perf_counter()
        p.set_ef(a.ef)
        lab, _ = p.knn_query(Vk, k=k + 1)
        t2 = time.perf_counter()
        found = keep[drop_self(lab[sq], sq, k)]
        out["hnswlib"] = {"version": getattr(hnswlib, "__version__", "0.6.2 (Debian)"),
                          "M": a.m, "efC": a.efc, "ef": a.ef, "build_s": t1 - t0, "query_s": t2 - t1,
                          "build_plus_query_s": t2 - t0,
                          "recall_vs_bruteforce_same_vectors": recall(found, brute),
                          "recall_vs_exact_sparse_sample": recall(found, exact_sample)}
        print("hnswlib", json.dumps(out["hnswlib"]), flush=True)
        del p, lab

        try:
            import faiss
        except ImportError:
            faiss = None
        if faiss is not None:
            faiss.omp_set_num_threads(a.threads)
            idx = faiss.IndexHNSWFlat(d, a.m, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = a.efc
            t0 = time.perf_counter()
            idx.add(Vk)
            t1 = time.perf_counter()
            idx.hnsw.efSearch = a.ef
            _, lab = idx.search(Vk, k + 1)
            t2 = time.perf_counter()
            rows = drop_self(lab[sq], sq, k)
            found = np.where(rows >= 0, keep[np.maximum(rows, 0)], -1)  # -1: faiss found fewer than K+1
            out["faiss_hnsw"] = {"version": faiss.__version__, "M": a.m, "efC": a.efc, "ef": a.ef,
                                 "build_s": t1 - t0, "query_s": t2 - t1, "build_plus_query_s": t2 - t0,
                                 "recall_vs_bruteforce_same_vectors": recall(found, brute),
                                 "recall_vs_exact_sparse_sample": recall(found, exact_sample)}
            print("faiss", json.dumps(out["faiss_hnsw"]), flush=True)

    with open(os.path.join(work, "peer.json"), "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
