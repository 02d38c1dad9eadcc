#!/usr/bin/env python3
"""Writes the KNN-pairing results table (markdown) from WORK/ours.json and WORK/peer.json.

  report.py WORK RESULTS.md --preset medium --commands "..." [--machine "..."]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess


def f(x, nd=2):
    return "—" if x is None else f"{x:.{nd}f}"


def pct(x):
    return "—" if x is None else f"{100 * x:.2f} %"


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} logical CPUs{mem}; {platform.platform()}; .NET SDK {dotnet}; Python {platform.python_version()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("results")
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--dataset", default="")
    ap.add_argument("--commands", default="")
    ap.add_argument("--interference", default="")
    a = ap.parse_args()
    ours = json.load(open(os.path.join(a.work, "ours.json")))
    peer = json.load(open(os.path.join(a.work, "peer.json")))
    users = ours["users"]
    k = ours["k"]
    L = []
    L.append(f"# KNN pairing benchmark — {a.preset} preset\n")
    L.append(f"Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}  ")
    L.append(f"Machine: {machine()}  ")
    L.append(f"Dataset: `{a.dataset}` — {users:,} users, {ours['songs']:,} songs, {ours['entries']:,} (user, song) "
             f"entries, {ours['empty_users']} empty libraries. K = {k}, {ours['threads']} threads on every side.\n")

    L.append("| What | Ours (s) | Peer (s) | Peer / ours | Quality |")
    L.append("|---|---:|---:|---:|---|")
    sk = peer.get("sklearn")
    if sk:
        ex = ours["exact_search_s"]
        if sk["all_users"]:
            peer_s, note = sk["total_s"], "measured, all users"
        else:
            peer_s = sk["fit_s"] + sk["kneighbors_s"] * users / sk["query_users"]
            note = (f"**extrapolated** from {sk['query_users']:,} query users ({f(sk['total_s'])} s measured) × "
                    f"{users / sk['query_users']:.2f}")
        L.append(f"| Exact top-{k}, every user: our `exact` engine vs sklearn {sk['version']} "
                 f"`NearestNeighbors(metric='cosine', algorithm='brute', n_jobs=-1)` ({note}) | {f(ex)} | {f(peer_s)} | "
                 f"**{peer_s / ex:.1f}×** | neighbour sets agree for {pct(sk['agreement_tie_aware'])} of the "
                 f"{sk['query_users']:,} compared users (ties at the {k}-th similarity equivalent; "
                 f"{pct(sk['agreement_strict'])} identical as sets); max similarity difference "
                 f"{sk['max_similarity_diff']:.1e} |")
    oa = peer.get("ours_approx")
    if oa:
        ours_bq = oa["build_plus_query_s"]
        for key, name in (("hnswlib", "hnswlib"), ("faiss_hnsw", "faiss `IndexHNSWFlat`")):
            p = peer.get(key)
            if not p:
                continue
            L.append(f"| ANN on the same {ours['approx_dimensions']}-d vectors, build + query every user "
                     f"(M={p['M']}, efC={p['efC']}, ef={p['ef']}): ours vs {name} {p['version']} "
                     f"(build {f(ours['approx_build_s'])} / {f(p['build_s'])} s, query {f(ours['approx_query_s'])} / "
                     f"{f(p['query_s'])} s) | {f(ours_bq)} | {f(p['build_plus_query_s'])} | "
                     f"{p['build_plus_query_s'] / ours_bq:.2f}× | recall@{k} vs brute force on the vectors "
                     f"({peer['dense_reference']['sample_users']:,} sampled users): ours "
                     f"**{oa['recall_vs_bruteforce_same_vectors']:.4f}**, {name} {p['recall_vs_bruteforce_same_vectors']:.4f} |")
        e2e = ours["approx_vectors_s"] + ours_bq
        L.append(f"| Our `approximate` engine end to end (spectral vectors {f(ours['approx_vectors_s'])} s + build + "
                 f"query); the Peer column here is our own `exact` engine | {f(e2e)} | {f(ours['exact_search_s'])} (exact) | "
                 f"{ours['exact_search_s'] / e2e:.2f}× | recall@{k} vs the exact sparse neighbours: "
                 f"**{ours['approx_recall_vs_exact_engine_all']:.4f}** (all users; recall@10 "
                 f"{ours['approx_recall10_vs_exact_engine_all']:.4f}); brute force on the same vectors reaches only "
                 f"{peer['bruteforce_same_vectors']['recall_vs_exact_sparse_sample']:.4f} (sample) |")
    L.append("")
    L.append("Targets (KNN pairing issue): exact engine ≥ 10× faster than the sklearn peer with identical neighbour "
             "sets; approximate engine recall@100 ≥ 0.95 with build + query time no worse than hnswlib's on the same vectors.\n")
    if sk:
        ok = sk["agreement_tie_aware"] == 1.0
        ratio = peer_s / ours["exact_search_s"]
        L.append(f"- Exact: {ratio:.1f}× ({'meets' if ratio >= 10 else 'MISSES'} ≥ 10×); neighbour sets "
                 f"{'identical up to ties' if ok else 'NOT identical'} ({pct(sk['agreement_tie_aware'])}).")
        if sk["disagreement_examples"]:
            L.append(f"  Disagreement examples: `{json.dumps(sk['disagreement_examples'])}`")
    if oa and peer.get("hnswlib"):
        h = peer["hnswlib"]
        r = oa["recall_vs_bruteforce_same_vectors"]
        L.append(f"- Approximate: recall@{k} {r:.4f} vs brute force on the same vectors "
                 f"({'meets' if r >= 0.95 else 'MISSES'} ≥ 0.95); build + query {f(ours_bq)} s vs hnswlib "
                 f"{f(h['build_plus_query_s'])} s ({'meets' if ours_bq <= h['build_plus_query_s'] else 'MISSES'} "
                 f"“no worse”). Against the exact sparse neighbours the approximate engine's recall@{k} is "
                 f"{ours['approx_recall_vs_exact_engine_all']:.4f}: the loss is the {ours['approx_dimensions']}-d "
                 f"embedding, not the graph search.")
    L.append("")
    L.append("Timings are wall seconds of one run each (ours: after a small warm-up run; load and export not timed). "
             "The peer's ANN timings exclude computing the vectors (they are our engine's, handed over as .npy).\n")
    busy = [l.rstrip() for l in open(a.interference)] if a.interference and os.path.exists(a.interference) else []
    if busy:
        L.append(f"**Other busy processes were seen during the run ({len(busy)} samples; timings may be skewed):**\n")
        L.append("```")
        L.extend(busy[:20])
        L.append("```\n")
    elif a.interference:
        L.append("No other process above 25 % CPU was seen during the run (sampled every 5 s).\n")
    L.append("Commands:\n")
    L.append("```")
    L.append(a.commands.strip())
    L.append("```")
    L.append("\nRaw numbers: `ours.json`, `peer.json` in the work directory (copied below).\n")
    L.append("<details><summary>ours.json / peer.json</summary>\n\n```json")
    L.append(json.dumps({"ours": ours, "peer": peer}, indent=1))
    L.append("```\n</details>")
    with open(a.results, "w") as fh:
        fh.write("\n".join(L) + "\n")
    print("\n".join(L[:12]))


if __name__ == "__main__":
    main()
