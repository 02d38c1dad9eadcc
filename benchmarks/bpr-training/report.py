#!/usr/bin/python3
"""Writes results-<preset>.md from one run.sh run of the BPR-training benchmark.

  report.py --run-dir WORK --preset medium --dataset DIR --out results-medium.md --runs "native-lazy-adam ..." \
            --command "..."

Inputs in WORK: peer.jsonl (peer_bpr.py's JSON lines), peer.{time,rc,load,cmd,reused}; per run NAME of ours
ours-NAME.{json,err,time,rc,load,cmd,status,dropped}. `buddies train --json` writes ONE object on stdout:
{"backend", "device", "history": [{"epoch", "epoch_fraction", "train_loss", "val": {"mrr", "hit_at1", "hit_at5",
"hit_at10", "count"}, "train_seconds", "eval_seconds", "triplets", "triplets_per_second", "elapsed_seconds"}, ...],
"best_val", "test", "popularity_val", ...}. A run whose output lacks a field the report needs is reported as such
(naming the field) and report.py exits 1 after writing the file. Nothing is guessed.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

TTQ_TOLERANCE = 0.005     # the native backend must reach the peer's final val MRR within this
TTQ_TARGET = 10.0         # peer wall ÷ ours time to quality ≥ 10 (≤ 1/10 of the peer's wall time)
LAZY_ADAM_TARGET = 3.0    # native lazy Adam triplets/s ≥ 3× the peer's
TORCH_TARGET = 1.0        # torch backend triplets/s ≥ 1× the peer's

RUN_LABELS = {
    "native-lazy-adam": "ours, native backend, lazy Adam (the reference optimizer)",
    "native-fast": "ours, native backend, fast setting",
    "torch-lazy-adam": "ours, TorchSharp backend, lazy Adam",
}


class ReportError(Exception):
    """A result file lacks something the report needs."""


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def time_v(path):
    """Wall time (s), peak RSS (KiB), user/system seconds, CPU % from a /usr/bin/time -v report."""
    text = read(path) or ""
    out = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["rss_kib"] = int(m.group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if m:
        seconds = 0.0
        for part in m.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        out["wall"] = seconds
    for key, label in (("user", "User time (seconds)"), ("sys", "System time (seconds)")):
        m = re.search(re.escape(label) + r": ([\d.]+)", text)
        if m:
            out[key] = float(m.group(1))
    m = re.search(r"Percent of CPU this job got: (\d+)%", text)
    if m:
        out["cpu_pct"] = int(m.group(1))
    return out


def json_document(text):
    """The first JSON object on stdout (our CLI may indent it)."""
    text = (text or "").strip()
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(text[start:])
            return value
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
    return None


def need(obj, key, where):
    if not isinstance(obj, dict) or key not in obj or obj[key] is None:
        raise ReportError(f"{where}: field '{key}' is missing")
    return obj[key]


def number(obj, key, where):
    value = need(obj, key, where)
    if not isinstance(value, (int, float)):
        raise ReportError(f"{where}: field '{key}' is {value!r}, not a number")
    return float(value)


def first_of(obj, keys, where):
    for k in keys:
        if isinstance(obj, dict) and obj.get(k) is not None:
            return float(obj[k])
    raise ReportError(f"{where}: none of the fields {', '.join(repr(k) for k in keys)} is present")


def fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def mib(kib):
    return "—" if kib is None else f"{kib / 1024:,.0f}"


def load_lines(path):
    lines = (read(path) or "").splitlines()
    return (lines[0] if lines else "?", lines[1] if len(lines) > 1 else "?")


# --- the two sides -----------------------------------------------------------------------------------------------

def peer_side(d):
    rc = (read(os.path.join(d, "peer.rc")) or "").strip()
    setup, epochs, summary = None, [], None
    for i, line in enumerate((read(os.path.join(d, "peer.jsonl")) or "").splitlines(), 1):
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        event = row.get("event")
        if event == "setup":
            setup = row
        elif event == "epoch":
            where = f"peer.jsonl line {i}"
            for k in ("epoch", "train_loss", "val_mrr", "val_hit_1", "val_hit_5", "val_hit_10", "train_seconds",
                      "eval_seconds", "triplets_per_second", "elapsed_seconds"):
                number(row, k, where)
            epochs.append(row)
        elif event == "summary":
            summary = row
    return {"rc": rc, "setup": setup, "epochs": epochs, "summary": summary,
            "time": time_v(os.path.join(d, "peer.time")), "load": load_lines(os.path.join(d, "peer.load")),
            "cmd": (read(os.path.join(d, "peer.cmd")) or "").strip(),
            "reused": os.path.exists(os.path.join(d, "peer.reused")),
            "finished": os.path.getmtime(os.path.join(d, "peer.jsonl")) if os.path.exists(os.path.join(d, "peer.jsonl")) else None}


def ours_side(d, name):
    p = lambda ext: os.path.join(d, f"ours-{name}.{ext}")  # noqa: E731
    run = {"name": name, "status": (read(p("status")) or "not run").strip(), "rc": (read(p("rc")) or "").strip(),
           "cmd": (read(p("cmd")) or "").strip(), "time": time_v(p("time")), "load": load_lines(p("load")),
           "dropped": (read(p("dropped")) or "").split(), "error": None, "result": None, "history": []}
    if run["status"] != "ran":
        run["error"] = run["status"]
        return run
    if run["rc"] != "0":
        err = (read(p("err")) or "").strip().splitlines()
        tail = err[-1][:200] if err else ""
        run["error"] = ("timed out" if run["rc"] in ("124", "137") else f"exited with rc {run['rc'] or '?'}") + \
            (f" (`{tail}`)" if tail else "") + f"; see {p('err')}"
        return run
    result = json_document(read(p("json")))
    if result is None:
        run["error"] = f"no JSON object on stdout ({p('json')})"
        return run
    run["result"] = result
    where = f"ours-{name}.json"
    history = need(result, "history", where)
    if not isinstance(history, list) or not history:
        raise ReportError(f"{where}: 'history' is empty or not a list")
    for i, h in enumerate(history):
        w = f"{where} history[{i}]"
        val = need(h, "val", w)
        run["history"].append({
            "epoch": number(h, "epoch", w),
            "epoch_fraction": float(h["epoch_fraction"]) if h.get("epoch_fraction") is not None else number(h, "epoch", w),
            "train_loss": h.get("train_loss"),
            "val_mrr": number(val, "mrr", w + ".val"),
            "val_hit_1": first_of(val, ("hit_at1", "hit_at_1", "hit_1"), w + ".val"),
            "val_hit_5": first_of(val, ("hit_at5", "hit_at_5", "hit_5"), w + ".val"),
            "val_hit_10": first_of(val, ("hit_at10", "hit_at_10", "hit_10"), w + ".val"),
            "train_seconds": number(h, "train_seconds", w),
            "eval_seconds": number(h, "eval_seconds", w),
            "triplets_per_second": number(h, "triplets_per_second", w),
            "elapsed_seconds": number(h, "elapsed_seconds", w),
        })
    return run


# --- derived figures ---------------------------------------------------------------------------------------------

def train_rate(rows):
    """Training triplets/s over the whole run: Σ(rate × train s) ÷ Σ train s (= triplets ÷ training seconds)."""
    seconds = sum(r["train_seconds"] for r in rows)
    return sum(r["triplets_per_second"] * r["train_seconds"] for r in rows) / seconds if seconds > 0 else None


def epochs_done(run):
    return run["history"][-1]["epoch_fraction"] if run["history"] else 0.0


def wall_per_epoch(rows, epochs):
    return sum(r["train_seconds"] + r["eval_seconds"] for r in rows) / epochs if epochs else None


def time_to_quality(run, bar):
    for r in run["history"]:
        if r["val_mrr"] >= bar:
            return r
    return None


def machine():
    cpu = "unknown"
    for line in (read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = re.search(r"MemTotal:\s+(\d+) kB", read("/proc/meminfo") or "")

    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:  # noqa: BLE001 - a missing tool is reported as unknown
            return "unknown"

    return {"cpu": cpu, "nproc": run(["nproc"]), "mem": f"{int(mem.group(1)) / 1048576:.1f} GiB" if mem else "unknown",
            "kernel": platform.release(), "dotnet": run(["dotnet", "--version"])}


def verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


# --- the report --------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--preset", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", default="native-lazy-adam native-fast torch-lazy-adam")
    ap.add_argument("--command", default="benchmarks/bpr-training/run.sh")
    a = ap.parse_args()
    d = a.run_dir

    problems = []
    try:
        peer = peer_side(d)
    except ReportError as e:
        sys.exit(f"report.py: {e}")
    runs = []
    for name in a.runs.split():
        try:
            runs.append(ours_side(d, name))
        except ReportError as e:
            problems.append(str(e))
            runs.append({"name": name, "status": "ran", "error": f"unreadable output: {e}", "history": [],
                         "time": time_v(os.path.join(d, f"ours-{name}.time")), "result": None, "dropped": [],
                         "load": load_lines(os.path.join(d, f"ours-{name}.load")),
                         "cmd": (read(os.path.join(d, f"ours-{name}.cmd")) or "").strip(), "rc": "0"})

    pe = peer["epochs"]
    setup = peer["setup"] or {}
    peer_ok = bool(pe) and peer["rc"] in ("0", "")
    peer_final = pe[-1] if pe else None
    peer_rate = train_rate(pe) if pe else None
    peer_total = peer_final["elapsed_seconds"] if peer_final else None
    bar = peer_final["val_mrr"] - TTQ_TOLERANCE if peer_final else None

    m = machine()
    L = []
    w = L.append
    w(f"# BPR training benchmark — preset `{a.preset}`")
    w("")
    w(f"Generated by `benchmarks/bpr-training/run.sh` on {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}. "
      "All sides ran on the same machine, one after the other, in the same run"
      + (" — **except the peer, whose result was kept from an earlier run (`SKIP_PEER=1`)**" if peer["reused"] else "")
      + ", on the same triplets and validation rows. Single run each, no repetitions.")
    w("")
    w("## Machine and data")
    w("")
    w(f"- CPU: {m['cpu']}, `nproc` = {m['nproc']}; memory {m['mem']}; kernel {m['kernel']}; .NET SDK {m['dotnet']}")
    tool = setup.get("tool") or {}
    if tool:
        w(f"- peer: Python {tool.get('python')}, torch {tool.get('torch')} (Debian python3-torch), numpy "
          f"{tool.get('numpy')}, `torch.set_num_threads({setup.get('threads')})`")
    w(f"- dataset: `{a.dataset}` — {setup.get('triplets', 0):,} triplets, {setup.get('validation_rows', 0):,} "
      f"validation rows × (1 positive + {setup.get('negatives_per_row', '?')} negatives), tables "
      f"{setup.get('users', 0):,} users × {setup.get('playlists', 0):,} playlists × d {setup.get('dim', '?')}")
    w("- load average (1/5/15 min) before → after each side (the machine is shared; timings are not isolated):")
    w(f"  - peer: `{peer['load'][0]}` → `{peer['load'][1]}`")
    for r in runs:
        w(f"  - {r['name']}: `{r['load'][0]}` → `{r['load'][1]}`")
    w("")

    # ---- targets
    w("## Targets")
    w("")
    if peer_final:
        w(f"Quality bar: the peer's val MRR after epoch {int(peer_final['epoch'])} = {peer_final['val_mrr']:.4f}, "
          f"minus {TTQ_TOLERANCE} → **{bar:.4f}**. Peer wall for its {len(pe)} epochs including its evaluations, "
          f"from process start (interpreter, `import torch`, loading): **{fmt(peer_total)} s**.")
    else:
        w(f"**The peer produced no epoch** (rc {peer['rc'] or '?'}); no target can be judged.")
    w("")
    w("| target | measured | ratio | verdict |")
    w("|---|---|---:|---|")
    native = [r for r in runs if r["name"].startswith("native") and r["history"]]
    best_ttq = None
    for r in native:
        hit = time_to_quality(r, bar) if bar is not None else None
        r["ttq"] = hit
        if hit and (best_ttq is None or hit["elapsed_seconds"] < best_ttq[1]["elapsed_seconds"]):
            best_ttq = (r, hit)
    if peer_final is None:
        w("| native time to quality ≤ 1/10 of the peer's wall | peer missing | — | not judged |")
    elif not native:
        w("| native time to quality ≤ 1/10 of the peer's wall | no native run produced a result | — | not judged |")
    elif best_ttq is None:
        tried = ", ".join(f"{r['name']} best {max(h['val_mrr'] for h in r['history']):.4f}" for r in native) or "no native run"
        w(f"| native time to quality ≤ 1/10 of the peer's wall | **not reached** ({tried}) | — | {verdict(False)} |")
    else:
        r, hit = best_ttq
        ratio = peer_total / hit["elapsed_seconds"]
        peer_note = "" if len(pe) == 5 else f" (peer ran {len(pe)} epochs, not 5)"
        w(f"| native time to quality ≤ 1/10 of the peer's wall{peer_note} | {r['name']}: val MRR {hit['val_mrr']:.4f} "
          f"at epoch {hit['epoch_fraction']:g}, {fmt(hit['elapsed_seconds'])} s vs peer {fmt(peer_total)} s | "
          f"{ratio:.1f}× | {verdict(ratio >= TTQ_TARGET)} (≥ {TTQ_TARGET:g}×) |")
    for name, target, what in (("native-lazy-adam", LAZY_ADAM_TARGET, "native lazy Adam training triplets/s ≥ 3× the peer's"),
                               ("torch-lazy-adam", TORCH_TARGET, "torch backend training triplets/s ≥ 1× the peer's")):
        r = next((x for x in runs if x["name"] == name), None)
        if r is None:
            w(f"| {what} | not run (not in RUNS) | — | not judged |")
        elif not r["history"] or peer_rate is None:
            w(f"| {what} | {'peer missing' if peer_rate is None else r['error']} | — | not judged |")
        else:
            rate = train_rate(r["history"])
            w(f"| {what} | {fmt(rate, 0)} vs peer {fmt(peer_rate, 0)} triplets/s | {rate / peer_rate:.2f}× | "
              f"{verdict(rate / peer_rate >= target)} (≥ {target:g}×) |")
    w("")
    if native:
        w("Time to quality of every native run (first evaluation with val MRR ≥ the bar; `elapsed_seconds` is the "
          "trainer's clock, which includes its evaluations):")
        w("")
        peer_train = sum(x["train_seconds"] for x in pe) if pe else None
        for r in native:
            hit = r.get("ttq")
            if not hit or not peer_total:
                w(f"- {r['name']}: not reached (best {max(h['val_mrr'] for h in r['history']):.4f})")
                continue
            ours_train = sum(h["train_seconds"] for h in r["history"][:r["history"].index(hit) + 1])
            w(f"- {r['name']}: epoch {hit['epoch_fraction']:g}, {fmt(hit['elapsed_seconds'])} s, val MRR "
              f"{hit['val_mrr']:.4f} → **{peer_total / hit['elapsed_seconds']:.1f}×** faster than the peer; on training "
              f"seconds alone (evaluations and loading left out on both sides): {fmt(ours_train)} s vs the peer's "
              f"{fmt(peer_train)} s → {peer_train / ours_train:.1f}×")
        w("")

    # ---- overview
    w("## Overview")
    w("")
    w("Wall per epoch = (train + evaluation seconds) ÷ epochs trained; triplets/s counts training time only; "
      "process wall and peak RSS from `/usr/bin/time -v` (process wall includes start-up, loading, the test "
      "evaluation and saving, which the per-epoch figures leave out).")
    w("")
    w("| side | epochs | wall per epoch (s) | train s per epoch | triplets/s (train) | vs peer | final val MRR | "
      "best val MRR | process wall (s) | peak RSS (MiB) | CPU % |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    if pe:
        n = len(pe)
        w(f"| peer (PyTorch {tool.get('torch', '?')}, SparseAdam lr {setup.get('lr')}) | {n} | "
          f"{fmt(wall_per_epoch(pe, n))} | {fmt(sum(r['train_seconds'] for r in pe) / n)} | {fmt(peer_rate, 0)} | 1.00× | "
          f"{peer_final['val_mrr']:.4f} | {max(r['val_mrr'] for r in pe):.4f} | {fmt(peer['time'].get('wall'))} | "
          f"{mib(peer['time'].get('rss_kib'))} | {peer['time'].get('cpu_pct', '—')} |")
    else:
        w(f"| peer | failed (rc {peer['rc'] or '?'}) | | | | | | | {fmt(peer['time'].get('wall'))} | "
          f"{mib(peer['time'].get('rss_kib'))} | |")
    for r in runs:
        if not r["history"]:
            w(f"| {r['name']} | **{r['error']}** | | | | | | | {fmt(r['time'].get('wall'))} | "
              f"{mib(r['time'].get('rss_kib'))} | |")
            continue
        h = r["history"]
        e = epochs_done(r)
        rate = train_rate(h)
        w(f"| {r['name']} | {e:g} | {fmt(wall_per_epoch(h, e))} | {fmt(sum(x['train_seconds'] for x in h) / e)} | "
          f"{fmt(rate, 0)} | {rate / peer_rate:.2f}× | {h[-1]['val_mrr']:.4f} | {max(x['val_mrr'] for x in h):.4f} | "
          f"{fmt(r['time'].get('wall'))} | {mib(r['time'].get('rss_kib'))} | {r['time'].get('cpu_pct', '—')} |"
          if peer_rate else
          f"| {r['name']} | {e:g} | {fmt(wall_per_epoch(h, e))} | {fmt(sum(x['train_seconds'] for x in h) / e)} | "
          f"{fmt(rate, 0)} | — | {h[-1]['val_mrr']:.4f} | {max(x['val_mrr'] for x in h):.4f} | "
          f"{fmt(r['time'].get('wall'))} | {mib(r['time'].get('rss_kib'))} | {r['time'].get('cpu_pct', '—')} |")
    w("")
    pop_peer = setup.get("popularity_val_mrr")
    pop_ours = next((r["result"].get("popularity_val") for r in runs if r["result"] and r["result"].get("popularity_val")), None)
    if pop_peer is not None or pop_ours:
        ours_mrr = pop_ours.get("mrr") if isinstance(pop_ours, dict) else None
        w(f"Popularity reference (rank by training-positive count, same tie rule): val MRR peer {fmt(pop_peer, 4)}, "
          f"ours {fmt(ours_mrr, 4)}.")
        w("")

    # ---- per-side tables
    w("## Per evaluation")
    w("")
    if pe:
        w(f"### peer — `peer_bpr.py`, rc {peer['rc'] or '?'}")
        w("")
        w(f"Load {fmt(setup.get('load_seconds'))} s, `import torch` {fmt(setup.get('import_seconds'))} s, popularity "
          f"reference {fmt(setup.get('popularity_seconds'))} s (all inside its elapsed time).")
        w("")
        w("CPU seconds (train + eval) are the process's CPU time: with 2 threads on an idle machine it is up to 2× "
          "the wall; much less means the peer waited for a core.")
        w("")
        w("| epoch | train (s) | eval (s) | epoch wall (s) | CPU s (train + eval) | triplets/s | train loss | val MRR | Hit@1 | Hit@5 | Hit@10 | elapsed (s) |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in pe:
            cpu = f"{fmt(r['train_cpu_seconds'])} + {fmt(r['eval_cpu_seconds'])}" if "train_cpu_seconds" in r else "—"
            w(f"| {int(r['epoch'])} | {fmt(r['train_seconds'])} | {fmt(r['eval_seconds'])} | "
              f"{fmt(r['train_seconds'] + r['eval_seconds'])} | {cpu} | {fmt(r['triplets_per_second'], 0)} | "
              f"{r['train_loss']:.4f} | {r['val_mrr']:.4f} | {r['val_hit_1']:.4f} | {r['val_hit_5']:.4f} | "
              f"{r['val_hit_10']:.4f} | {fmt(r['elapsed_seconds'])} |")
        w("")
    for r in runs:
        w(f"### {r['name']} — {RUN_LABELS.get(r['name'], r['name'])}")
        w("")
        if r["error"]:
            w(f"**No result**: {r['error']}.")
            w("")
            continue
        res = r["result"] or {}
        test = res.get("test")
        wall, last = r["time"].get("wall"), r["history"][-1]["elapsed_seconds"]
        w(f"Backend `{res.get('backend', '?')}`, device `{res.get('device', '?')}`."
          + (f" Test MRR {test['mrr']:.4f}." if isinstance(test, dict) and test.get("mrr") is not None else "")
          + (f" Process wall {fmt(wall)} s, of which {fmt(wall - last)} s after the last evaluation's clock reading "
             "(process start-up not on the trainer's clock, test evaluation, saving)." if wall is not None else "")
          + (f" Flags not offered by this build and left out: {', '.join(r['dropped'])}." if r["dropped"] else ""))
        w("")
        w("| epoch | train (s) | eval (s) | triplets/s | train loss | val MRR | Hit@1 | Hit@5 | Hit@10 | elapsed (s) |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for h in r["history"]:
            loss = h["train_loss"]
            w(f"| {h['epoch_fraction']:g} | {fmt(h['train_seconds'])} | {fmt(h['eval_seconds'])} | "
              f"{fmt(h['triplets_per_second'], 0)} | {'—' if loss is None else f'{loss:.4f}'} | {h['val_mrr']:.4f} | "
              f"{h['val_hit_1']:.4f} | {h['val_hit_5']:.4f} | {h['val_hit_10']:.4f} | {fmt(h['elapsed_seconds'])} |")
        w("")

    # ---- interference, commands
    busy = [l.rstrip() for l in (read(os.path.join(d, "interference.log")) or "").splitlines() if l.strip()]
    if busy:
        w(f"**Other busy processes were seen during the run** ({len(busy)} samples above 25 % CPU, every 5 s; "
          "first 20 below). Timings are skewed by them.")
        w("")
        w("```")
        L.extend(busy[:20])
        w("```")
    else:
        w("No other process above 25 % CPU was seen during the run (sampled every 5 s).")
    w("")
    if problems:
        w("## Problems reading the results")
        w("")
        for p in problems:
            w(f"- {p}")
        w("")
    w("## Commands")
    w("")
    w("```")
    w(a.command)
    w("# which ran (each under /usr/bin/time -v and timeout):")
    w(peer["cmd"] or "# peer: no command recorded")
    for r in runs:
        w(r["cmd"] or f"# {r['name']}: {r['error']}")
    w("```")
    w("")
    w(f"Run directory (JSON results, logs, /usr/bin/time reports): `{d}`.")
    w("")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    print("\n".join(L))
    if problems:
        print("report.py: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
